"""Helpers for the simulated exchange's tests: an authenticated client and close_position rules.

The rules are general statements of the close_position contract (reduce-only, opposite side,
exact amount, consistent fills, no flip...), written locally until the official invariants
module is wired in. ``broken_rules`` names every rule a close answer breaks; the correct mode
must break none, and each fault must break the rules its name says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Auth,
    SimulatedExchange,
)

ORDER_STATES = {"open", "filled", "rejected", "cancelled", "untriggered", "triggered"}
ORDER_TYPES = {"limit", "market", "stop_limit", "stop_market", "take_limit", "take_market",
               "market_limit", "trailing_stop"}  # fmt: skip
REQUIRED_ORDER_FIELDS = ("order_id", "order_state", "order_type", "time_in_force", "direction",
                         "instrument_name", "amount", "filled_amount", "price", "label",
                         "post_only", "reduce_only", "api", "creation_timestamp",
                         "last_update_timestamp")  # fmt: skip
NUMERIC_ORDER_FIELDS = ("amount", "filled_amount", "average_price", "creation_timestamp",
                        "last_update_timestamp")  # fmt: skip
NUMERIC_TRADE_FIELDS = ("amount", "price", "fee", "index_price", "mark_price", "timestamp",
                        "trade_seq")  # fmt: skip


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


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@dataclass
class CloseCase:
    """One close_position call and what the test observed around it."""

    request: dict[str, Any]
    size_before: float
    response: dict[str, Any]
    size_after: float
    broken: set[str] = field(default_factory=set)

    def fail(self, rule: str, ok: bool) -> None:
        if not ok:
            self.broken.add(rule)


def broken_rules(case: CloseCase) -> set[str]:
    """Every contract rule ``case`` breaks (empty for a correct close)."""
    request, response = case.request, case.response
    params = request["params"]
    case.fail("envelope_jsonrpc", response.get("jsonrpc") == "2.0")
    case.fail("envelope_id", response.get("id") == request.get("id"))
    if params.get("type") not in ("limit", "market"):
        case.fail("error_on_invalid_type", response.get("error", {}).get("code") == -32602)
        return case.broken
    if case.size_before == 0:
        case.fail("error_when_flat", "error" in response and "result" not in response)
        return case.broken
    case.fail("success_on_valid", "result" in response)
    if "result" not in response:
        return case.broken
    _order_rules(case, response["result"]["order"], response["result"]["trades"], params)
    return case.broken


def _order_rules(
    case: CloseCase, order: dict[str, Any], trades: list[dict[str, Any]], params: dict[str, Any]
) -> None:
    case.fail("required_fields", all(key in order for key in REQUIRED_ORDER_FIELDS))
    numbers_ok = all(
        key not in order or _num(order[key]) is not None for key in NUMERIC_ORDER_FIELDS
    )
    numbers_ok &= all(_num(t.get(key)) is not None for t in trades for key in NUMERIC_TRADE_FIELDS)
    numbers_ok &= _num(order.get("price")) is not None or order.get("price") == "market_price"
    case.fail("json_numbers", numbers_ok)
    case.fail(
        "enums",
        order.get("order_state") in ORDER_STATES
        and order.get("order_type") in ORDER_TYPES
        and order.get("direction") in ("buy", "sell"),
    )
    closing_side = "sell" if case.size_before > 0 else "buy"
    case.fail("reduce_only", order.get("reduce_only") is True)
    case.fail(
        "direction",
        order.get("direction") == closing_side
        and all(t["direction"] == closing_side for t in trades),
    )
    name = params["instrument_name"]
    case.fail(
        "instrument",
        order.get("instrument_name") == name and all(t["instrument_name"] == name for t in trades),
    )
    case.fail("order_type", order.get("order_type") == params["type"])
    amount, filled = _num(order.get("amount")), _num(order.get("filled_amount"))
    if amount is not None:
        case.fail("amount_is_position", _close(amount, abs(case.size_before)))
    total = sum(float(t["amount"]) for t in trades)
    if filled is not None:
        case.fail("trades_add_up", _close(total, filled) and filled <= (amount or filled))
    if "order_id" in order:
        case.fail("trade_order_ids", all(t["order_id"] == order["order_id"] for t in trades))
    average = _num(order.get("average_price"))
    if average is not None and total > 0:
        mean = sum(float(t["price"]) * float(t["amount"]) for t in trades) / total
        case.fail("average_price", _close(average, mean))
    if params["type"] == "limit":
        limit = float(params["price"])
        within = all(
            (t["price"] >= limit if closing_side == "sell" else t["price"] <= limit) for t in trades
        )
        case.fail("limit_respected", within and _num(order.get("price")) == limit)
    else:
        case.fail("market_not_open", order.get("order_state") != "open")
    created, updated = order.get("creation_timestamp"), order.get("last_update_timestamp")
    if isinstance(created, int) and isinstance(updated, int):
        case.fail(
            "timestamps",
            created <= updated and all(created <= t["timestamp"] <= updated for t in trades),
        )
    _position_rules(case, order, filled)


def _position_rules(case: CloseCase, order: dict[str, Any], filled: float | None) -> None:
    before, after = case.size_before, case.size_after
    if filled is not None and order.get("direction") in ("buy", "sell"):
        signed = filled if order["direction"] == "buy" else -filled
        case.fail("position_consistent", _close(after, before + signed))
    case.fail("position_not_flipped", after == 0 or (after > 0) == (before > 0))
    case.fail("position_not_increased", abs(after) <= abs(before) + 1e-12)
    if order.get("order_state") == "filled":
        case.fail("position_flat_when_filled", after == 0)


def run_close(client: Client, **params: Any) -> CloseCase:
    """Close on ``client``'s exchange and capture the position before and after."""
    name = params["instrument_name"]
    exchange = client.exchange
    before = exchange.get_position(name)["size"]
    request = client.request("private/close_position", **params)
    response = exchange.handle(request, auth=client.auth)
    after = exchange.get_position(name)["size"]
    return CloseCase(request, before, response, after)
