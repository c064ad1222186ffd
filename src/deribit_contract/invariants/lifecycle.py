"""Rules across time and across the position: timestamps run forward, and a close only shrinks
the position, by exactly what was filled, never through zero.
"""

from __future__ import annotations

from deribit_contract.invariants._core import (
    Skip,
    Subject,
    Violation,
    amounts_equal,
    as_number,
    position_size,
    register,
    sign,
)

__all__ = [
    "never_flips",
    "never_grows",
    "order_monotonic",
    "reduced_by_filled",
    "trades_after_creation",
]


@register("time.order_monotonic", "result.order.creation_timestamp <= last_update_timestamp")
def order_monotonic(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("time.order_monotonic", "the response carries no result.order")
    created, updated = (
        as_number(order.get("creation_timestamp")),
        as_number(order.get("last_update_timestamp")),
    )
    if created is None or updated is None:
        return Skip("time.order_monotonic", "a timestamp of result.order is absent")
    if updated < created:
        return [
            Violation(
                "time.order_monotonic",
                "result.order.last_update_timestamp",
                f">= {order.get('creation_timestamp')!r}",
                order.get("last_update_timestamp"),
                "the order was updated before it was created",
            )
        ]
    return []


@register(
    "time.trades_after_creation", "no trade timestamp is before result.order.creation_timestamp"
)
def trades_after_creation(subject: Subject) -> list[Violation] | Skip:
    order, trades = subject.order(), subject.trades()
    if order is None or not trades:
        return Skip("time.trades_after_creation", "no order or no trades")
    created = as_number(order.get("creation_timestamp"))
    if created is None:
        return Skip("time.trades_after_creation", "result.order.creation_timestamp is absent")
    violations = []
    for index, trade in enumerate(trades):
        stamp = as_number(trade.get("timestamp"))
        if stamp is not None and stamp < created:
            violations.append(
                Violation(
                    "time.trades_after_creation",
                    f"result.trades[{index}].timestamp",
                    f">= {order.get('creation_timestamp')!r}",
                    trade.get("timestamp"),
                    "a fill cannot precede the order it fills",
                )
            )
    return violations


@register(
    "position.reduced_by_filled",
    "|position after| == |position before| - filled_amount (the final filled_amount once the "
    "order is settled, when known; fills are never undone)",
)
def reduced_by_filled(subject: Subject) -> list[Violation] | Skip:
    before, after = position_size(subject.position_before), position_size(subject.position_after)
    order = subject.order()
    if before is None or after is None:
        return Skip("position.reduced_by_filled", "a position (before or after) is unknown")
    if order is None:
        return Skip("position.reduced_by_filled", "the response carries no result.order")
    filled = as_number(order.get("filled_amount"))
    if filled is None:
        return Skip("position.reduced_by_filled", "result.order.filled_amount is absent")
    final = subject.order_final
    if final is not None and final.get("order_id") == order.get("order_id"):
        # a resting close may be filled by other traders after the answer: the position read
        # after settling reflects the order's final fills, not the ones in the answer
        settled = as_number(final.get("filled_amount"))
        if settled is None or (settled < filled and not amounts_equal(settled, filled)):
            return [
                Violation(
                    "position.reduced_by_filled",
                    "order_final.filled_amount",
                    f">= {order.get('filled_amount')!r}",
                    final.get("filled_amount"),
                    "the settled order shows fewer fills than the answer did",
                )
            ]
        filled = settled
    expected = abs(before) - filled
    if not amounts_equal(abs(after), expected):
        return [
            Violation(
                "position.reduced_by_filled",
                "position_after.size",
                expected,
                abs(after),
                f"the position should shrink by the filled amount {filled!r}",
            )
        ]
    return []


@register(
    "position.never_flips",
    "the position after the call has the sign of the position before, or is flat",
)
def never_flips(subject: Subject) -> list[Violation] | Skip:
    before, after = position_size(subject.position_before), position_size(subject.position_after)
    if before is None or after is None:
        return Skip("position.never_flips", "a position (before or after) is unknown")
    if sign(after) not in (0, sign(before)):
        return [
            Violation(
                "position.never_flips",
                "position_after.size",
                "same sign as before, or 0",
                subject.position_after.get("size") if subject.position_after else after,
                f"a close turned a position of {before!r} into {after!r}",
            )
        ]
    return []


@register("position.never_grows", "|position after| <= |position before|")
def never_grows(subject: Subject) -> list[Violation] | Skip:
    before, after = position_size(subject.position_before), position_size(subject.position_after)
    if before is None or after is None:
        return Skip("position.never_grows", "a position (before or after) is unknown")
    if abs(after) > abs(before) and not amounts_equal(abs(after), abs(before)):
        return [
            Violation(
                "position.never_grows",
                "position_after.size",
                f"|size| <= {abs(before)!r}",
                after,
                "a reduce-only close made the position bigger",
            )
        ]
    return []
