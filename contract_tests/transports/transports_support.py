"""Helpers of the transport tests: the exchange to serve (real or stand-in) and its credentials."""

from __future__ import annotations

import threading
from typing import Any

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode, error_envelope, success_envelope
from deribit_contract.exchange.simulator import SimulatedExchange

CLIENT_ID = "standin-id"
CLIENT_SECRET = "standin-secret"
_ANON = Auth()


class StandInExchange:
    """Same ``handle`` signature as SimulatedExchange; just enough behaviour to test transports."""

    def __init__(self, *, seed: int = 0, fault: str | None = None) -> None:
        self.calls: list[Any] = []
        self.positions: dict[str, float] = {}
        self.fault = None
        self._lock = threading.Lock()
        self._n = 0
        self._token = f"tok-{seed}"

    def set_position(self, instrument_name: str, size: float, **_: Any) -> None:
        self.positions[instrument_name] = size

    def get_position(self, instrument_name: str, **_: Any) -> float:
        return self.positions.get(instrument_name, 0.0)

    def handle(self, message: object, *, auth: Auth = _ANON) -> dict[str, Any]:
        with self._lock:
            self._n += 1
            t = 1000 * self._n
            self.calls.append(message)
            if not isinstance(message, dict):
                return error_envelope(
                    None, ErrorCode.INVALID_REQUEST, "Invalid Request", us_in=t, us_out=t
                )
            rid, method, params = (
                message.get("id"),
                message.get("method"),
                message.get("params", {}),
            )
            if method == "public/auth":
                if (
                    params.get("client_id") == CLIENT_ID
                    and params.get("client_secret") == CLIENT_SECRET
                ):
                    return success_envelope(
                        rid,
                        {"access_token": self._token, "refresh_token": "r", "token_type": "bearer"},
                        us_in=t,
                        us_out=t,
                    )
                return error_envelope(rid, 13004, "invalid_credentials", us_in=t, us_out=t)
            if method == "private/close_position":
                ok = (auth.kind == "bearer" and auth.token == self._token) or (
                    auth.kind == "basic"
                    and auth.client_id == CLIENT_ID
                    and auth.client_secret == CLIENT_SECRET
                )
                if not ok:
                    return error_envelope(rid, 13009, "unauthorized", us_in=t, us_out=t)
                name = params.get("instrument_name")
                size = self.positions.get(name, 0.0)
                if not size:
                    return error_envelope(rid, 11030, "other_reject no position", us_in=t, us_out=t)
                self.positions[name] = 0.0
                order = {
                    "instrument_name": name,
                    "amount": abs(size),
                    "direction": "sell" if size > 0 else "buy",
                    "order_type": params.get("type"),
                    "price": params.get("price"),
                }
                return success_envelope(rid, {"order": order, "trades": []}, us_in=t, us_out=t)
            return error_envelope(
                rid, ErrorCode.METHOD_NOT_FOUND, "Method not found", us_in=t, us_out=t
            )


CREDENTIALS = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


def make_exchange(**kwargs: Any) -> Any:
    """A fresh exchange; the seed fixes ids and tokens so every door sees the same answers."""
    return SimulatedExchange(**kwargs)
