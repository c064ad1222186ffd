"""Named ways a ``private/close_position`` implementation can be wrong, for proving checks fail.

Each fault is defined once, here: its name, what it does, the rule ids it breaks (``breaks``, as
the kit's checks name them: invariant ids of :data:`deribit_contract.invariants.RULES`, contract
rules of the suite, ``schema.<keyword>`` for schema failures) and how it breaks them. A fault
acts only in ``close_position`` answers (plus the position left behind, for execution faults),
so auth, tickers, positions and order queries stay usable for the test that observes it:

* ``response``: the close executes correctly; ``corrupt`` edits the JSON sent back afterwards.
* ``execution``: the close itself does the wrong thing, as its :class:`CloseTweaks` say (wrong
  side, wrong amount, ignores the limit, leaves the position alone...), and the answer
  truthfully reports it.
* ``transport``: the core answers 11094 ``internal_server_error``; a transport that honours
  ``Fault.transport`` (``"html_500"``) sends :data:`HTML_500_BODY` with HTTP 500 instead.

``Fault.scenario`` names the kind of close that exposes the fault (``market``, ``limit``, ``flat``:
closing with no position, ``invalid_type``: ``type`` outside ``limit|market``, ``read_only``: a
market close sent with a token granted ``trade:read`` only, ``sequence``: only a sequence of
calls shows it, an edit, a second close, a change of the position under a resting close). The
simulator reads only ``Fault.tweaks`` and ``Fault.corrupt``: it never compares fault names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from deribit_contract.facts import ErrorCode

__all__ = [
    "FAULTS",
    "HTML_500_BODY",
    "NO_TWEAKS",
    "CloseContext",
    "CloseTweaks",
    "Fault",
    "corrupt_close_response",
]

FaultKind = Literal["response", "execution", "transport"]
Scenario = Literal["market", "limit", "flat", "invalid_type", "read_only", "sequence"]

HTML_500_BODY = (
    "<html><head><title>500 Internal Server Error</title></head>"
    "<body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center>"
    "</body></html>"
)


@dataclass(frozen=True)
class CloseContext:
    """What a response corruption needs to know about the close it corrupts."""

    requested_type: str
    tick_size: Decimal
    other_instrument: str
    foreign_order_id: str


Corruptor = Callable[[dict[str, Any], CloseContext], None]


@dataclass(frozen=True)
class CloseTweaks:
    """How an execution fault bends the close itself; the defaults are the correct close."""

    #: run a ``type`` outside ``limit|market`` as a market close instead of refusing it
    accept_any_type: bool = False
    #: answer a close of a flat position with an empty order instead of an error
    close_when_flat: bool = False
    #: refuse a valid close with this error code
    fail_with: int | None = None
    #: trade in the position's own direction
    same_direction: bool = False
    #: order this multiple of |position| (rounded down to contracts, at least the minimum)
    amount_factor: Decimal = Decimal(1)
    #: let a limit close walk the book as far as a market order would
    ignore_limit: bool = False
    #: move the account's position by the fills
    update_position: bool = True
    #: run a close for a token whose scope lacks ``trade:read_write`` instead of refusing it
    ignore_scope: bool = False
    # -- reduce-only over time: these bend the venue, not one close --------------------------
    #: ``private/edit`` of a reduce-only order takes the new amount as asked (no cap)
    edit_uncapped: bool = False
    #: resting reduce-only orders are fitted to the position after every change of it
    adjust_resting_reduce_only: bool = True
    #: ...and also grow back up to it when the position grows
    grow_resting_reduce_only: bool = False
    #: close_position sizes its order from the position the account last read with
    #: ``private/get_position``, not the live one, and sends it uncapped
    close_from_snapshot: bool = False
    #: ``user.orders``/``user.changes`` notifications show a reduce-only order as it was
    #: before the request (state and fills), not as the answer does
    stale_order_notifications: bool = False


#: the correct close
NO_TWEAKS = CloseTweaks()


@dataclass(frozen=True)
class Fault:
    """One named fault: what it does, the rule ids it breaks, and how (``corrupt``/``tweaks``).

    ``breaks`` is exact for a close of ``scenario``'s kind. A suite draws other closes too (a
    limit close that crosses, one that rests unfilled), on which a fault may show fewer of its
    rules, or knock on to ``also_breaks``: rules that follow from the same wrong close (a buy
    that should have been a sell also fills on the wrong side of the sell's limit). A checker
    naming only ``also_breaks`` rules has missed the fault's own symptom.
    """

    name: str
    description: str
    breaks: frozenset[str]
    kind: FaultKind
    scenario: Scenario
    corrupt: Corruptor | None = None
    tweaks: CloseTweaks = field(default=NO_TWEAKS)
    transport: str | None = None
    also_breaks: frozenset[str] = frozenset()


def _set_order(key: str, *, value: Any) -> Corruptor:
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


def _rules(*ids: str) -> frozenset[str]:
    return frozenset(ids)


_FAILS = CloseTweaks(fail_with=ErrorCode.INTERNAL_SERVER_ERROR)

_CATALOGUE = (
    Fault("reduce_only_false", "order.reduce_only is false", _rules("order.reduce_only"),
          "response", "market", corrupt=_set_order("reduce_only", value=False)),
    Fault("same_direction", "the close trades in the position's direction and doubles it",
          _rules("order.direction_opposite", "position.never_grows", "position.reduced_by_filled"),
          "execution", "market", tweaks=CloseTweaks(same_direction=True),
          # a limit buy instead of a sell crosses its limit, and beyond the band clamps to the
          # buy's edge, not the sell's
          also_breaks=_rules("trades.within_limit", "order.limit_price")),
    Fault("overfill_flip", "the close fills twice the position and flips its sign",
          _rules("order.amount_equals_position", "position.never_flips",
                 "position.reduced_by_filled"),
          "execution", "market", tweaks=CloseTweaks(amount_factor=Decimal(2))),
    Fault("partial_close", "the close covers only half of the position",
          _rules("order.amount_equals_position"), "execution", "market",
          tweaks=CloseTweaks(amount_factor=Decimal("0.5"))),
    Fault("number_as_string", 'order.amount is sent as text ("100.0")', _rules("schema.type"),
          "response", "market", corrupt=_amount_as_text),
    Fault("enum_out_of_set", 'order.order_state is "done", outside the documented enum',
          _rules("schema.enum"), "response", "market",
          corrupt=_set_order("order_state", value="done")),
    Fault("missing_order_id", "order.order_id is missing", _rules("schema.required"),
          "response", "market", corrupt=_drop_order_id),
    Fault("trades_do_not_add_up", "an extra one-contract trade the order's filled_amount omits",
          _rules("trades.sum_filled"), "response", "market", corrupt=_phantom_trade,
          # a close that rests unfilled gets a filled_amount its unmoved position denies
          also_breaks=_rules("position.reduced_by_filled")),
    Fault("wrong_instrument", "order and trades name another instrument",
          _rules("order.instrument"), "response", "market", corrupt=_other_instrument),
    Fault("wrong_jsonrpc_version", 'the envelope says "jsonrpc": "1.0"',
          _rules("envelope.jsonrpc", "schema.const"), "response", "market", corrupt=_jsonrpc_1),
    Fault("wrong_id", "the envelope id differs from the request id", _rules("envelope.id_echo"),
          "response", "market", corrupt=_wrong_id),
    Fault("limit_price_ignored", "a limit close walks the book past its limit price",
          _rules("trades.within_limit"), "execution", "limit",
          tweaks=CloseTweaks(ignore_limit=True)),
    Fault("market_reported_as_limit", "a market close is reported with order_type limit",
          _rules("order.type_matches"), "response", "market", corrupt=_market_as_limit),
    # the simulator runs type "stop" as a market close, so order.type_matches fires too
    Fault("invalid_type_accepted", 'type "stop" (not limit|market) is answered with an order',
          _rules("request.invalid_rejected", "order.type_matches"), "execution", "invalid_type",
          tweaks=CloseTweaks(accept_any_type=True)),
    Fault("order_when_flat", "closing a flat position returns an empty filled order",
          _rules("flat.error_expected"), "execution", "flat",
          tweaks=CloseTweaks(close_when_flat=True)),
    Fault("position_not_updated", "the answer is right but the position stays as it was",
          _rules("position.reduced_by_filled"), "execution", "market",
          tweaks=CloseTweaks(update_position=False)),
    Fault("average_price_wrong", "order.average_price is 100 ticks off the fills' mean",
          _rules("trades.average_price"), "response", "market", corrupt=_shift_average),
    Fault("trade_order_id_mismatch", "trades carry another order's order_id",
          _rules("trades.order_id"), "response", "market", corrupt=_foreign_order_id),
    # creation moved past last_update also puts every fill before the order's creation
    Fault("timestamps_out_of_order", "order.creation_timestamp is after last_update_timestamp",
          _rules("time.order_monotonic", "time.trades_after_creation"), "response", "market",
          corrupt=_creation_after_update),
    Fault("market_close_left_open", 'a fully filled market close reports order_state "open"',
          _rules("order.market_not_open"), "response", "market", corrupt=_left_open),
    Fault("scope_ignored", "a token granted trade:read only (no trade:read_write) closes anyway",
          _rules("auth.scope_enforced"), "execution", "read_only",
          tweaks=CloseTweaks(ignore_scope=True)),
    Fault("error_on_valid_close", "a valid close gets error 11094 internal_server_error",
          _rules("request.valid_accepted"), "execution", "market", tweaks=_FAILS),
    Fault("html_500", "HTTP 500 with an HTML page instead of JSON (core: error 11094)",
          _rules("envelope.json"), "transport", "market", tweaks=_FAILS, transport="html_500"),
    # reduce-only over time: a single close is right, the sequence around it is not
    Fault("edit_uncapped", "private/edit raises a resting reduce-only close past the position",
          _rules("edit.capped", "sequence.open_within_position"),
          "execution", "sequence", tweaks=CloseTweaks(edit_uncapped=True),
          # an uncapped edit that crosses fills it all and flips the position
          also_breaks=_rules("sequence.never_grows_or_flips")),
    Fault("resting_reduce_only_not_adjusted",
          "resting reduce-only orders keep their amount when the position shrinks",
          _rules("sequence.open_within_position"), "execution", "sequence",
          tweaks=CloseTweaks(adjust_resting_reduce_only=False),
          # left unadjusted, a later fill of one of them can flip the position
          also_breaks=_rules("sequence.never_grows_or_flips")),
    Fault("resting_reduce_only_grows",
          "resting reduce-only orders grow with the position instead of staying as they are",
          _rules("sequence.resting_never_grows"), "execution", "sequence",
          tweaks=CloseTweaks(grow_resting_reduce_only=True)),
    Fault("close_from_stale_position",
          "close_position sizes its order from the position last read, uncapped",
          _rules("sequence.concurrent_closes", "sequence.never_grows_or_flips"),
          "execution", "sequence", tweaks=CloseTweaks(close_from_snapshot=True),
          also_breaks=_rules("sequence.open_within_position")),
    Fault("notifications_disagree",
          "user.orders notifications show reduce-only orders as they were before the request",
          _rules("notifications.match_answers"), "execution", "sequence",
          tweaks=CloseTweaks(stale_order_notifications=True)),
)  # fmt: skip

#: every fault by name, in catalogue order (read-only)
FAULTS: Mapping[str, Fault] = MappingProxyType({fault.name: fault for fault in _CATALOGUE})


def corrupt_close_response(fault: Fault, envelope: dict[str, Any], ctx: CloseContext) -> None:
    """Apply ``fault``'s response corruption to a successful close ``envelope`` in place.

    A no-op for faults without one and for envelopes that carry an error.
    """
    if fault.corrupt is not None and "result" in envelope:
        fault.corrupt(envelope, ctx)
