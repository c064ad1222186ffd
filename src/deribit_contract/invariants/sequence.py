"""Reduce-only across a close order's whole life: rules over a sequence of steps.

A single close is judged by the per-call rules; reduce-only breaks over time: a resting close is
edited, the position shrinks through another close or a fill by someone else, two closes race.
A :class:`Step` is one thing done to the account on one instrument (a placement, an edit, a
cancel, two closes sent at once), with the position read before and after it and the open
orders listed after it. The rules below are Deribit's documented reduce-only rules (see
:data:`SEQUENCE_RULES`), stated so that they hold on a live market too:

* the position is read *before* the open orders after a step: a fill by another trader in
  between shrinks an order and the position alike, so reading in that order never makes a
  correct exchange look wrong;
* only what can be known from the answers is demanded: fills that arrive after an answer are
  bounded by the position, not by the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.invariants._core import Violation, amounts_equal, as_number, position_size

__all__ = [
    "SEQUENCE_RULES",
    "RpcCall",
    "Step",
    "judge_sequence",
    "judge_step",
    "order_of",
]

SEQUENCE_RULES: Mapping[str, str] = {
    "sequence.open_within_position": "after every step, the open reduce-only orders of each side "
    "add up (unfilled) to at most what they can reduce: |position| on the closing side, 0 on the "
    "other",
    "sequence.never_grows_or_flips": "a step made only of reduce-only orders never grows the "
    "position nor turns it through zero",
    "sequence.resting_never_grows": "a resting reduce-only order never grows unless edited, even "
    "when the position grows",
    "sequence.concurrent_closes": "closes sent at once (or back to back, no read between) fill "
    "at most the position together; a later one is refused or sized to what is left",
    "edit.capped": "private/edit of a resting reduce-only order answers an order that is still "
    "reduce-only and whose unfilled amount is at most |position| (or an error)",
    "notifications.match_answers": "user.orders/user.trades/user.changes notifications agree "
    "with the RPC answers: order states and amounts, trade ids, the final position",
}
"""Every sequence rule id with its one-line description."""

EDIT = "private/edit"
CLOSE = "private/close_position"


@dataclass(frozen=True)
class RpcCall:
    """One request (``{"method", "params"}``) and the envelope it got (None: no answer)."""

    request: Mapping[str, Any]
    response: Mapping[str, Any] | None

    @property
    def method(self) -> str:
        return str(self.request.get("method", ""))


@dataclass(frozen=True)
class Step:
    """One step of a sequence on one instrument, as the caller saw it.

    ``reduce_only`` says that every order the step sends and every order of the account resting
    during it is reduce-only (then the position can only shrink); ``concurrent`` that the step's
    closes were sent at once, or back to back with no read between (they are judged together).
    """

    action: str
    calls: tuple[RpcCall, ...] = ()
    position_before: Mapping[str, Any] | None = None
    position_after: Mapping[str, Any] | None = None
    open_orders_after: Sequence[Mapping[str, Any]] | None = None
    reduce_only: bool = True
    concurrent: bool = False
    #: orders this step edited (their growth is the edit's, judged by ``edit.capped``)
    edited: frozenset[str] = field(default_factory=frozenset)


def order_of(response: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``result.order`` of an order-placing answer (``result`` itself for cancel's answer)."""
    result = (response or {}).get("result")
    if not isinstance(result, Mapping):
        return None
    order = result.get("order", result)
    return order if isinstance(order, Mapping) and "order_id" in order else None


def _unfilled(order: Mapping[str, Any]) -> float:
    amount, filled = as_number(order.get("amount")), as_number(order.get("filled_amount"))
    return max((amount or 0.0) - (filled or 0.0), 0.0)


def _exceeds(value: float, bound: float) -> bool:
    return value > bound and not amounts_equal(value, bound)


def open_within_position(step: Step) -> list[Violation]:
    size = position_size(step.position_after)
    if size is None or step.open_orders_after is None:
        return []
    out = []
    for side, room in (("sell", max(size, 0.0)), ("buy", max(-size, 0.0))):
        orders = [
            o
            for o in step.open_orders_after
            if o.get("reduce_only") is True
            and o.get("direction") == side
            and o.get("order_state", "open") == "open"
        ]
        total = sum(_unfilled(o) for o in orders)
        if _exceeds(total, room):
            ids = [str(o.get("order_id")) for o in orders]
            out.append(
                Violation(
                    "sequence.open_within_position",
                    f"open_orders[reduce_only,{side}]",
                    f"unfilled total <= {room!r}",
                    total,
                    f"after {step.action}, reduce-only {side} orders {ids} could trade more than "
                    f"the position of {size!r} allows",
                )
            )
    return out


def never_grows_or_flips(step: Step) -> list[Violation]:
    before, after = position_size(step.position_before), position_size(step.position_after)
    if not step.reduce_only or before is None or after is None:
        return []
    flipped = before * after < 0 or (before == 0 and after != 0)
    if flipped or _exceeds(abs(after), abs(before)):
        return [
            Violation(
                "sequence.never_grows_or_flips",
                "position_after.size",
                f"same sign as {before!r} and |size| <= {abs(before)!r}",
                after,
                f"{step.action} (reduce-only orders only) turned a position of {before!r} into "
                f"{after!r}",
            )
        ]
    return []


def resting_never_grows(step: Step, previous: Step | None) -> list[Violation]:
    if previous is None or previous.open_orders_after is None or step.open_orders_after is None:
        return []
    before = {str(o.get("order_id")): o for o in previous.open_orders_after if o.get("reduce_only")}
    out = []
    for order in step.open_orders_after:
        oid = str(order.get("order_id"))
        was = before.get(oid)
        if was is None or oid in step.edited or order.get("reduce_only") is not True:
            continue
        amount, earlier = as_number(order.get("amount")), as_number(was.get("amount"))
        if amount is not None and earlier is not None and _exceeds(amount, earlier):
            out.append(
                Violation(
                    "sequence.resting_never_grows",
                    f"open_orders[{oid}].amount",
                    f"<= {earlier!r}",
                    amount,
                    f"after {step.action}, the resting reduce-only order {oid} grew without an "
                    "edit",
                )
            )
    return out


def edit_capped(step: Step) -> list[Violation]:
    size = position_size(step.position_before)
    out = []
    for call in step.calls:
        order = order_of(call.response) if call.method == EDIT else None
        if order is None or not step.reduce_only:
            continue
        if order.get("reduce_only") is not True:
            out.append(
                Violation(
                    "edit.capped",
                    "result.order.reduce_only",
                    "true",
                    order.get("reduce_only"),
                    "an edit of a reduce-only order answered an order that is not reduce-only",
                )
            )
        if size is not None and _exceeds(_unfilled(order), abs(size)):
            out.append(
                Violation(
                    "edit.capped",
                    "result.order.amount",
                    f"amount - filled_amount <= |position| {abs(size)!r}",
                    order.get("amount"),
                    f"the edited reduce-only order {order.get('order_id')} could trade "
                    f"{_unfilled(order)!r}, more than the position",
                )
            )
    return out


def concurrent_closes(step: Step) -> list[Violation]:
    before = position_size(step.position_before)
    if not step.concurrent or before is None:
        return []
    orders = [o for c in step.calls if c.method == CLOSE for o in [order_of(c.response)] if o]
    filled = [as_number(o.get("filled_amount")) or 0.0 for o in orders]
    out = []
    if _exceeds(sum(filled), abs(before)):
        out.append(
            Violation(
                "sequence.concurrent_closes",
                "result.order.filled_amount",
                f"total <= |position before| {abs(before)!r}",
                sum(filled),
                f"{len(orders)} closes of one position filled more than the position together",
            )
        )
    elif len(orders) == 2 and not any(
        not _exceeds(_amount(later), abs(before) - f_first)
        for (f_first, later) in ((filled[0], orders[1]), (filled[1], orders[0]))
    ):
        out.append(
            Violation(
                "sequence.concurrent_closes",
                "result.order.amount",
                "the later close sized to what the earlier one left",
                [o.get("amount") for o in orders],
                "both closes were sized as if the other had not filled",
            )
        )
    return out


def _amount(order: Mapping[str, Any]) -> float:
    return as_number(order.get("amount")) or 0.0


def judge_step(step: Step, previous: Step | None = None) -> list[Violation]:
    """Every sequence rule on ``step`` (``previous``: the step before it, for growth)."""
    return [
        *open_within_position(step),
        *never_grows_or_flips(step),
        *resting_never_grows(step, previous),
        *edit_capped(step),
        *concurrent_closes(step),
    ]


def judge_sequence(steps: Sequence[Step]) -> list[Violation]:
    """Every sequence rule on every step, in order."""
    out: list[Violation] = []
    previous: Step | None = None
    for step in steps:
        out.extend(judge_step(step, previous))
        previous = step
    return out
