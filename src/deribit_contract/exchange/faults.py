"""Named ways a ``private/close_position`` implementation can be wrong, for proving checks fail.

Each fault breaks one rule of the contract (``Fault.breaks``) and only in ``close_position``
answers (plus the position left behind, for execution faults), so auth, tickers, positions and
order queries stay usable for the test that observes the breakage. Three kinds:

* ``response``: the close executes correctly; the JSON sent back is corrupted afterwards.
* ``execution``: the close itself does the wrong thing (wrong side, wrong amount, ignores the
  limit, leaves the position alone...) and the answer truthfully reports it.
* ``transport``: the core answers 11094 ``internal_server_error``; a transport that honours
  ``Fault.transport`` (``"html_500"``) sends :data:`HTML_500_BODY` with HTTP 500 instead.

``Fault.scenario`` names the kind of close that exposes the fault (``market``, ``limit``, ``flat``:
closing with no position, ``invalid_type``: ``type`` outside ``limit|market``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["FAULTS", "HTML_500_BODY", "CloseContext", "Fault", "corrupt_close_response"]

FaultKind = Literal["response", "execution", "transport"]
Scenario = Literal["market", "limit", "flat", "invalid_type"]

HTML_500_BODY = (
    "<html><head><title>500 Internal Server Error</title></head>"
    "<body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center>"
    "</body></html>"
)


@dataclass(frozen=True)
class Fault:
    """One named fault: what it does (``description``) and the rule it breaks (``breaks``)."""

    name: str
    description: str
    breaks: str
    kind: FaultKind
    scenario: Scenario
    transport: str | None = None


@dataclass(frozen=True)
class CloseContext:
    """What a response corruption needs to know about the close it corrupts."""

    requested_type: str
    tick_size: Decimal
    other_instrument: str
    foreign_order_id: str


_CATALOGUE = (
    Fault("reduce_only_false", "order.reduce_only is false", "order.reduce_only must be true",
          "response", "market"),
    Fault("same_direction", "the close trades in the position's direction and doubles it",
          "order direction must be opposite to the position; the position must shrink",
          "execution", "market"),
    Fault("overfill_flip", "the close fills twice the position and flips its sign",
          "order.amount must equal |position| and the position must not flip", "execution",
          "market"),
    Fault("partial_close", "the close covers only half of the position",
          "order.amount must equal |position size|", "execution", "market"),
    Fault("number_as_string", 'order.amount is sent as text ("100.0")',
          "numeric fields must be JSON numbers", "response", "market"),
    Fault("enum_out_of_set", 'order.order_state is "done", outside the documented enum',
          "enum fields must hold documented values", "response", "market"),
    Fault("missing_order_id", "order.order_id is missing", "required order fields must be present",
          "response", "market"),
    Fault("trades_do_not_add_up", "an extra one-contract trade the order's filled_amount omits",
          "Σ trades[].amount must equal order.filled_amount", "response", "market"),
    Fault("wrong_instrument", "order and trades name another instrument",
          "instrument_name must echo the request", "response", "market"),
    Fault("wrong_jsonrpc_version", 'the envelope says "jsonrpc": "1.0"', 'jsonrpc must be "2.0"',
          "response", "market"),
    Fault("wrong_id", "the envelope id differs from the request id",
          "the response id must echo the request id", "response", "market"),
    Fault("limit_price_ignored", "a limit close walks the book past its limit price",
          "fills of a limit order must be at or better than its price", "execution", "limit"),
    Fault("market_reported_as_limit", "a market close is reported with order_type limit",
          "order.order_type must echo the requested type", "response", "market"),
    Fault("invalid_type_accepted", 'type "stop" (not limit|market) is answered with an order',
          "a type outside limit|market must get a JSON-RPC error", "execution", "invalid_type"),
    Fault("order_when_flat", "closing a flat position returns an empty filled order",
          "closing with no position must get a JSON-RPC error", "execution", "flat"),
    Fault("position_not_updated", "the answer is right but the position stays as it was",
          "after a filled close the position must be flat", "execution", "market"),
    Fault("average_price_wrong", "order.average_price is 100 ticks off the fills' mean",
          "order.average_price must be the amount-weighted mean of the fills", "response",
          "market"),
    Fault("trade_order_id_mismatch", "trades carry another order's order_id",
          "every trades[].order_id must equal order.order_id", "response", "market"),
    Fault("timestamps_out_of_order", "order.creation_timestamp is after last_update_timestamp",
          "creation_timestamp <= last_update_timestamp", "response", "market"),
    Fault("market_close_left_open", 'a fully filled market close reports order_state "open"',
          "a market close must not be left open", "response", "market"),
    Fault("error_on_valid_close", "a valid close gets error 11094 internal_server_error",
          "a valid close must succeed", "execution", "market"),
    Fault("html_500", "HTTP 500 with an HTML page instead of JSON (core: error 11094)",
          "the answer must be a JSON-RPC envelope", "transport", "market", transport="html_500"),
)  # fmt: skip

#: every fault by name, in catalogue order (read-only)
FAULTS: Mapping[str, Fault] = MappingProxyType({fault.name: fault for fault in _CATALOGUE})

_Corruptor = Callable[[dict[str, Any], CloseContext], None]


def _set_order(key: str, *, value: Any) -> _Corruptor:
    def corrupt(envelope: dict[str, Any], _ctx: CloseContext) -> None:
        envelope["result"]["order"][key] = value

    return corrupt


def _amount_as_text(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    order = envelope["result"]["order"]
    order["amount"] = repr(float(order["amount"]))


def _drop_order_id(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    del envelope["result"]["order"]["order_id"]


def _phantom_trade(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    # An extra one-contract fill at exactly the average price: the weighted mean and the
    # order's own numbers stay right, only Σ trades[].amount stops matching filled_amount.
    trades = envelope["result"]["trades"]
    order = envelope["result"]["order"]
    if not trades:  # nothing filled: claim a fill no trade accounts for
        order["filled_amount"] = order["amount"]
        return
    phantom = dict(trades[-1])
    phantom["amount"] = phantom["amount"] / phantom["contracts"]
    phantom["contracts"] = 1.0
    phantom["price"] = order["average_price"]
    phantom["trade_id"] = f"{phantom['trade_id']}9"
    phantom["trade_seq"] = phantom["trade_seq"] + 1
    trades.append(phantom)


def _other_instrument(envelope: dict[str, Any], ctx: CloseContext) -> None:
    envelope["result"]["order"]["instrument_name"] = ctx.other_instrument
    for trade in envelope["result"]["trades"]:
        trade["instrument_name"] = ctx.other_instrument


def _jsonrpc_1(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    envelope["jsonrpc"] = "1.0"


def _wrong_id(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    request_id = envelope.get("id")
    if isinstance(request_id, int):
        envelope["id"] = request_id + 1
    elif isinstance(request_id, str):
        envelope["id"] = request_id + "-other"
    else:
        envelope["id"] = 0


def _market_as_limit(envelope: dict[str, Any], ctx: CloseContext) -> None:
    if ctx.requested_type != "market":
        return
    envelope["result"]["order"]["order_type"] = "limit"
    for trade in envelope["result"]["trades"]:
        trade["order_type"] = "limit"


def _shift_average(envelope: dict[str, Any], ctx: CloseContext) -> None:
    order = envelope["result"]["order"]
    order["average_price"] = float(Decimal(str(order["average_price"])) + 100 * ctx.tick_size)


def _foreign_order_id(envelope: dict[str, Any], ctx: CloseContext) -> None:
    for trade in envelope["result"]["trades"]:
        trade["order_id"] = ctx.foreign_order_id


def _creation_after_update(envelope: dict[str, Any], _ctx: CloseContext) -> None:
    order = envelope["result"]["order"]
    order["creation_timestamp"] = order["last_update_timestamp"] + 1000


def _left_open(envelope: dict[str, Any], ctx: CloseContext) -> None:
    if ctx.requested_type == "market":
        envelope["result"]["order"]["order_state"] = "open"


_CORRUPTORS: dict[str, _Corruptor] = {
    "reduce_only_false": _set_order("reduce_only", value=False),
    "number_as_string": _amount_as_text,
    "enum_out_of_set": _set_order("order_state", value="done"),
    "missing_order_id": _drop_order_id,
    "trades_do_not_add_up": _phantom_trade,
    "wrong_instrument": _other_instrument,
    "wrong_jsonrpc_version": _jsonrpc_1,
    "wrong_id": _wrong_id,
    "market_reported_as_limit": _market_as_limit,
    "average_price_wrong": _shift_average,
    "trade_order_id_mismatch": _foreign_order_id,
    "timestamps_out_of_order": _creation_after_update,
    "market_close_left_open": _left_open,
}


def corrupt_close_response(fault: str, envelope: dict[str, Any], ctx: CloseContext) -> None:
    """Apply response fault ``fault`` to a successful close_position ``envelope`` in place.

    A no-op for faults of other kinds and for envelopes that carry an error.
    """
    corrupt = _CORRUPTORS.get(fault)
    if corrupt is not None and "result" in envelope:
        corrupt(envelope, ctx)
