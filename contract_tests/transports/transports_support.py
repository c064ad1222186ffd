"""Helpers of the transport tests: the exchange to serve (real or stand-in) and its credentials."""

from __future__ import annotations

import threading
from typing import Any

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.jsonrpc import Auth, success_envelope
from deribit_contract.exchange.simulator import SimulatedExchange

_ANON = Auth()


class StandInExchange:
    """Records what the gateway hands over (message and credentials) and answers a bare result.

    The gateway's tests need to see exactly what reaches the exchange, not a second exchange:
    behaviour lives in :class:`SimulatedExchange` and is tested there.
    """

    def __init__(self) -> None:
        self.calls: list[Any] = []
        self.auths: list[Auth] = []
        self._lock = threading.Lock()

    def handle(self, message: object, *, auth: Auth = _ANON) -> dict[str, Any]:
        with self._lock:
            self.calls.append(message)
            self.auths.append(auth)
            request_id = message.get("id") if isinstance(message, dict) else None
            t = 1000 * len(self.calls)
            return success_envelope(request_id, {}, us_in=t, us_out=t)


CREDENTIALS = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


def make_exchange(**kwargs: Any) -> Any:
    """A fresh exchange; the seed fixes ids and tokens so every door sees the same answers."""
    return SimulatedExchange(**kwargs)
