"""Rules on ``result.trades``: every fill belongs to the closing order and the fills add up.

A rule over trades skips when there are none (a resting limit close has no fills yet), except
``trades.sum_filled``, for which an empty list is data: it must then match a zero fill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
    "average_price",
    "fills_within_limit",
    "sum_filled",
    "trades_direction",
    "trades_instrument",
    "trades_order_id",
    "trades_reduce_only",
]


def _order_and_trades(
    subject: Subject, rule: str
) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]] | Skip:
    order, trades = subject.order(), subject.trades()
    if order is None or trades is None:
        return Skip(rule, "the response carries no result.order and result.trades")
    if not trades:
        return Skip(rule, "result.trades is empty")
    return order, trades


def _same_field(subject: Subject, rule: str, field: str, what: str) -> list[Violation] | Skip:
    found = _order_and_trades(subject, rule)
    if isinstance(found, Skip):
        return found
    order, trades = found
    if field not in order:
        return Skip(rule, f"result.order has no {field}")
    reporting = [(index, trade) for index, trade in enumerate(trades) if field in trade]
    if not reporting:
        return Skip(rule, f"no trade reports {field}")
    return [
        Violation(
            rule,
            f"result.trades[{index}].{field}",
            order[field],
            trade[field],
            f"every trade must have the {what} of its order",
        )
        for index, trade in reporting
        if trade[field] != order[field]
    ]


@register("trades.order_id", "every trade has order_id == result.order.order_id")
def trades_order_id(subject: Subject) -> list[Violation] | Skip:
    return _same_field(subject, "trades.order_id", "order_id", "order id")


@register("trades.instrument", "every trade is on the order's instrument")
def trades_instrument(subject: Subject) -> list[Violation] | Skip:
    return _same_field(subject, "trades.instrument", "instrument_name", "instrument")


@register("trades.direction", "every trade has the order's direction")
def trades_direction(subject: Subject) -> list[Violation] | Skip:
    return _same_field(subject, "trades.direction", "direction", "direction")


@register("trades.reduce_only", "every trade that reports reduce_only reports it true")
def trades_reduce_only(subject: Subject) -> list[Violation] | Skip:
    found = _order_and_trades(subject, "trades.reduce_only")
    if isinstance(found, Skip):
        return found
    _, trades = found
    reporting = [(index, trade) for index, trade in enumerate(trades) if "reduce_only" in trade]
    if not reporting:
        return Skip("trades.reduce_only", "no trade reports reduce_only")
    # The documentation types this field as a string; real data sends a boolean. Both spell "true".
    return [
        Violation(
            "trades.reduce_only",
            f"result.trades[{index}].reduce_only",
            expected=True,
            actual=trade["reduce_only"],
            message="a fill of a closing order must be reduce-only",
        )
        for index, trade in reporting
        if trade["reduce_only"] is not True and trade["reduce_only"] != "true"
    ]


@register("trades.sum_filled", "the trade amounts add up to result.order.filled_amount")
def sum_filled(subject: Subject) -> list[Violation] | Skip:
    order, trades = subject.order(), subject.trades()
    if order is None or trades is None:
        return Skip("trades.sum_filled", "the response carries no result.order and result.trades")
    filled = as_number(order.get("filled_amount"))
    if filled is None:
        return Skip("trades.sum_filled", "result.order.filled_amount is absent")
    amounts = [as_number(trade.get("amount")) for trade in trades]
    if any(amount is None for amount in amounts):
        return Skip("trades.sum_filled", "a trade has no numeric amount")
    total = sum(amount for amount in amounts if amount is not None)
    if not amounts_equal(total, filled):
        return [
            Violation(
                "trades.sum_filled",
                "result.order.filled_amount",
                total,
                order.get("filled_amount"),
                f"the {len(trades)} trade amounts add up to {total!r}, not to the filled amount",
            )
        ]
    return []


@register(
    "trades.average_price",
    "result.order.average_price is the amount-weighted mean trade price (within one tick)",
)
def average_price(subject: Subject) -> list[Violation] | Skip:
    found = _order_and_trades(subject, "trades.average_price")
    if isinstance(found, Skip):
        return found
    order, trades = found
    reported = as_number(order.get("average_price"))
    if reported is None:
        return Skip("trades.average_price", "result.order.average_price is absent or not a number")
    pairs = [(as_number(trade.get("amount")), as_number(trade.get("price"))) for trade in trades]
    weights = [
        (amount, price) for amount, price in pairs if amount is not None and price is not None
    ]
    if len(weights) != len(pairs):
        return Skip("trades.average_price", "a trade has no numeric amount or price")
    total = sum(amount for amount, _ in weights)
    if amounts_equal(total, 0.0):
        return Skip("trades.average_price", "the trades carry no amount")
    mean = sum(amount * price for amount, price in weights) / total
    # One tick when the instrument is known; otherwise a relative tolerance of the same order.
    tolerance = subject.tick_size if subject.tick_size else max(abs(mean), 1.0) * 1e-4
    if abs(reported - mean) > tolerance * (1 + 1e-9):
        return [
            Violation(
                "trades.average_price",
                "result.order.average_price",
                mean,
                order.get("average_price"),
                f"the average price differs from the weighted mean of the fills by more than {tolerance!r}",
            )
        ]
    return []


@register(
    "trades.within_limit",
    "every fill of a limit close is at the limit price or better (sell >= limit, buy <= limit)",
)
def fills_within_limit(subject: Subject) -> list[Violation] | Skip:
    found = _order_and_trades(subject, "trades.within_limit")
    if isinstance(found, Skip):
        return found
    order, trades = found
    params = subject.params()
    if subject.requested_type() != "limit" or params is None:
        return Skip("trades.within_limit", "not a limit request")
    limit = as_number(params.get("price"))
    if limit is None:
        return Skip("trades.within_limit", "the limit request carries no numeric price")
    # the closing side comes from the position when known, so a wrong order.direction is
    # reported once (by order.direction_opposite), not again here
    before = position_size(subject.position_before)
    direction = order.get("direction")
    if before is not None and sign(before) != 0:
        direction = "sell" if before > 0 else "buy"
    if direction not in ("buy", "sell"):
        return Skip("trades.within_limit", "neither the position nor result.order gives a side")
    # a tolerance of a tenth of a tick absorbs float noise without hiding a worse fill
    slack = subject.tick_size * 0.1 if subject.tick_size else abs(limit) * 1e-9
    violations = []
    for index, trade in enumerate(trades):
        price = as_number(trade.get("price"))
        if price is None:
            continue
        worse = price < limit - slack if direction == "sell" else price > limit + slack
        if worse:
            bound = "at least" if direction == "sell" else "at most"
            violations.append(
                Violation(
                    "trades.within_limit",
                    f"result.trades[{index}].price",
                    f"{bound} {params.get('price')!r}",
                    trade.get("price"),
                    f"a limit {direction} close must never fill at a worse price than its limit",
                )
            )
    return violations
