"""Helpers for the simulated exchange's tests: an authenticated client and the close verdict.

A close_position call is judged by the kit's official checks, not by rules of our own:
``deribit_contract.invariants`` (reduce-only, opposite side, whole amount, fills add up, no
flip...) and observed-mode schema validation (``deribit_contract.validation``). ``broken_rules``
names what a call breaks; the correct mode must break nothing and each fault exactly what the
fault table in ``test_exchange_faults.py`` says.

One expectation remains local (``local.success_on_valid_close``): it holds for the simulator
only; see the comment on ``LOCAL_RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    INSTRUMENTS,
    Auth,
    SimulatedExchange,
)
from deribit_contract.invariants import Report, evaluate
from deribit_contract.validation import validate_response

LOCAL_RULES = {
    # Simulator-only: with a valid request, an open position and liquidity, the simulator has no
    # reason to fail. Real Deribit may legitimately answer an error (overload, maintenance), so
    # this is not a contract invariant.
    "local.success_on_valid_close": "a valid close on an open position succeeds",
}


class Client:
    """A test's authenticated session on a :class:`SimulatedExchange`."""

    def __init__(self, exchange: SimulatedExchange) -> None:
        self.exchange = exchange
        self.next_id = 0
        reply = self.call(
            "public/auth",
            grant_type="client_credentials",
            client_id=DEFAULT_CLIENT_ID,
            client_secret=DEFAULT_CLIENT_SECRET,
        )
        self.auth = Auth(kind="bearer", token=reply["result"]["access_token"])

    def request(self, method: str, **params: Any) -> dict[str, Any]:
        """The request object ``call`` would send."""
        self.next_id += 1
        return {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one request (authenticated once ``auth`` exists) and return the envelope."""
        message = self.request(method, **params)
        return self.exchange.handle(message, auth=getattr(self, "auth", Auth()))

    def result(self, method: str, **params: Any) -> Any:
        """``call`` that insists on success and returns ``result``."""
        envelope = self.call(method, **params)
        assert "result" in envelope, envelope
        return envelope["result"]


@dataclass(frozen=True)
class CloseCase:
    """One close_position call and the ``get_position`` results observed around it."""

    request: dict[str, Any]
    position_before: dict[str, Any]
    response: dict[str, Any]
    position_after: dict[str, Any]
    tick_size: float | None = None

    @property
    def size_before(self) -> float:
        return float(self.position_before["size"])

    @property
    def size_after(self) -> float:
        return float(self.position_after["size"])

    def report(self) -> Report:
        """The official invariants' verdict on this call (violations and skips)."""
        return evaluate(
            self.request,
            self.position_before,
            self.response,
            self.position_after,
            tick_size=self.tick_size,
        )


def broken_rules(case: CloseCase) -> set[str]:
    """Every rule ``case`` breaks (empty for a correct close).

    Official invariant ids (``order.reduce_only``...), ``"schema"`` plus ``"schema:<json path>"``
    per path when the response fails observed-mode validation, and ``local.*`` ids.
    """
    broken = set(case.report().broken_rules())
    verdict = validate_response(case.response, mode="observed")
    if not verdict.valid:
        broken.add("schema")
        broken.update(f"schema:{violation.path}" for violation in verdict.violations)
    broken.update(_local_rules(case))
    return broken


def _local_rules(case: CloseCase) -> set[str]:
    params = case.request["params"]
    response = case.response
    if params.get("type") not in ("limit", "market"):
        return set()  # judged by the official request.invalid_rejected
    if case.size_before == 0:
        return set()  # judged by the official flat.error_expected
    if "result" not in response:
        return {"local.success_on_valid_close"}
    return set()


def run_close(client: Client, **params: Any) -> CloseCase:
    """Close on ``client``'s exchange and capture the position before and after."""
    name = params["instrument_name"]
    exchange = client.exchange
    instrument = INSTRUMENTS.get(name)
    tick_size = float(instrument.tick_size) if instrument is not None else None
    before = exchange.get_position(name)
    request = client.request("private/close_position", **params)
    response = exchange.handle(request, auth=client.auth)
    after = exchange.get_position(name)
    return CloseCase(request, before, response, after, tick_size)
