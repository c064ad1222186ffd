"""Helpers for the simulated exchange's tests: an authenticated client and the close verdict.

A close_position call is judged by the kit's official checks, not by rules of our own:
``deribit_contract.invariants`` (reduce-only, opposite side, whole amount, fills add up, no
flip...) and observed-mode schema validation (``deribit_contract.validation``). ``broken_rules``
names what a call breaks; the correct mode must break nothing and each fault exactly what the
fault says (``Fault.breaks``), by the rule ids the runner reports: invariant ids, contract rules
of the suite (:data:`deribit_contract.contract.checks.CONTRACT_RULES`) and ``schema.<keyword>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deribit_contract.exchange import INSTRUMENTS, SimulatedExchange
from deribit_contract.invariants import Report, evaluate
from deribit_contract.transports.gateway import API_PREFIX, handle_http
from deribit_contract.validation import validate_response


class Client:
    """A test's authenticated session on a :class:`SimulatedExchange`."""

    def __init__(self, exchange: SimulatedExchange, *, scope: str | None = None) -> None:
        self.exchange = exchange
        self.next_id = 0
        self.scope = scope
        self.auth = exchange.login(scope=scope)

    def request(self, method: str, **params: Any) -> dict[str, Any]:
        """The request object ``call`` would send."""
        self.next_id += 1
        return {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one authenticated request and return the envelope."""
        return self.exchange.handle(self.request(method, **params), auth=self.auth)

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
    #: the JSON-RPC envelope (empty when the HTTP body was not JSON)
    response: dict[str, Any]
    position_after: dict[str, Any]
    tick_size: float | None = None
    #: the HTTP body as text when it was not JSON (an HTML error page...)
    non_json_body: str | None = None
    #: the scope the closing token asked for (None: the default grant)
    scope: str | None = None
    #: the ``public/ticker`` read just before the close (its band judges clamped limits)
    ticker: dict[str, Any] | None = None

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
            ticker=self.ticker,
        )


def broken_rules(case: CloseCase) -> set[str]:
    """Every rule ``case`` breaks (empty for a correct close), named as the runner names them.

    Invariant ids (``order.reduce_only``...), ``schema.<keyword>`` per observed-mode schema
    violation, and the suite's contract rules ``envelope.json`` (the answer is no JSON-RPC
    envelope), ``request.valid_accepted`` (a valid close of an open position got an error) and
    ``auth.scope_enforced`` (a token without ``trade:read_write`` closed).
    """
    if case.non_json_body is not None:
        return {"envelope.json"}
    broken = set(case.report().broken_rules())
    verdict = validate_response(case.response, mode="observed")
    broken.update(f"schema.{violation.keyword}" for violation in verdict.violations)
    params = case.request["params"]
    if case.scope is not None and "trade:read_write" not in case.scope.split():
        # the suite's auth.scope_enforced: a token without trade rights must not close
        if "result" in case.response or case.size_after != case.size_before:
            broken.add("auth.scope_enforced")
        return broken
    valid = params.get("type") in ("limit", "market")  # else: request.invalid_rejected judges
    if valid and case.size_before != 0 and "result" not in case.response:
        broken.add("request.valid_accepted")
    return broken


def run_close(client: Client, **params: Any) -> CloseCase:
    """Close over the simulated HTTP gateway (as a client would) and capture the positions."""
    name = params["instrument_name"]
    exchange = client.exchange
    instrument = INSTRUMENTS.get(name)
    tick_size = float(instrument.tick_size) if instrument is not None else None
    before = exchange.get_position(name)
    ticker = exchange.ticker(name) if instrument is not None else None
    request = client.request("private/close_position", **params)
    reply = handle_http(
        exchange,
        http_method="POST",
        path=f"{API_PREFIX}/private/close_position",
        query=(),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {client.auth.token}",
        },
        body=json.dumps(request).encode(),
    )
    try:
        response, text = json.loads(reply.body), None
    except ValueError:
        response, text = {}, reply.body.decode("utf-8", "replace")
    after = exchange.get_position(name)
    return CloseCase(
        request,
        before,
        response,
        after,
        tick_size,
        non_json_body=text,
        scope=client.scope,
        ticker=ticker,
    )
