"""Rules on ``result.order``: the order close_position places must be the reduce-only mirror
of the position, of the requested type and price, with a fill state that adds up.
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
    "amount_equals_position",
    "direction_opposite",
    "filled_bounds",
    "filled_state",
    "instrument_matches",
    "limit_price",
    "market_not_open",
    "reduce_only",
    "type_matches",
]

_NO_ORDER = "the response carries no result.order"


@register("order.reduce_only", "result.order.reduce_only is true")
def reduce_only(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("order.reduce_only", _NO_ORDER)
    if "reduce_only" not in order:
        return Skip(
            "order.reduce_only", "result.order has no reduce_only field (spot orders omit it)"
        )
    if order["reduce_only"] is not True:
        return [
            Violation(
                "order.reduce_only",
                "result.order.reduce_only",
                expected=True,
                actual=order["reduce_only"],
                message="a closing order must be reduce-only",
            )
        ]
    return []


@register("order.instrument", "result.order.instrument_name equals the requested instrument")
def instrument_matches(subject: Subject) -> list[Violation] | Skip:
    order, params = subject.order(), subject.params()
    if order is None:
        return Skip("order.instrument", _NO_ORDER)
    if params is None or "instrument_name" not in params:
        return Skip("order.instrument", "the request names no instrument")
    if "instrument_name" not in order:
        return Skip("order.instrument", "result.order has no instrument_name")
    if order["instrument_name"] != params["instrument_name"]:
        return [
            Violation(
                "order.instrument",
                "result.order.instrument_name",
                params["instrument_name"],
                order["instrument_name"],
                "the order is on another instrument than requested",
            )
        ]
    return []


@register(
    "order.direction_opposite",
    "the order direction is opposite to the position (long -> sell, short -> buy)",
)
def direction_opposite(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    before = position_size(subject.position_before)
    if order is None:
        return Skip("order.direction_opposite", _NO_ORDER)
    if before is None or sign(before) == 0:
        return Skip("order.direction_opposite", "no open position before the call")
    if "direction" not in order:
        return Skip("order.direction_opposite", "result.order has no direction")
    expected = "sell" if before > 0 else "buy"
    if order.get("direction") != expected:
        return [
            Violation(
                "order.direction_opposite",
                "result.order.direction",
                expected,
                order.get("direction"),
                f"a {'long' if before > 0 else 'short'} position closes with a {expected}",
            )
        ]
    return []


@register(
    "order.amount_equals_position",
    "result.order.amount equals |position size| at the time of the call",
)
def amount_equals_position(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    before = position_size(subject.position_before)
    if order is None:
        return Skip("order.amount_equals_position", _NO_ORDER)
    if before is None or sign(before) == 0:
        return Skip("order.amount_equals_position", "no open position before the call")
    amount = as_number(order.get("amount"))
    if amount is None:
        return Skip("order.amount_equals_position", "result.order.amount is absent or not a number")
    if not amounts_equal(amount, abs(before)):
        return [
            Violation(
                "order.amount_equals_position",
                "result.order.amount",
                abs(before),
                order.get("amount"),
                "the closing order must be for the whole position",
            )
        ]
    return []


@register("order.filled_bounds", "0 <= result.order.filled_amount <= result.order.amount")
def filled_bounds(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("order.filled_bounds", _NO_ORDER)
    filled, amount = as_number(order.get("filled_amount")), as_number(order.get("amount"))
    if filled is None or amount is None:
        return Skip("order.filled_bounds", "filled_amount or amount is absent")
    if filled < 0 and not amounts_equal(filled, 0.0):
        return [
            Violation(
                "order.filled_bounds",
                "result.order.filled_amount",
                ">= 0",
                order.get("filled_amount"),
                "the filled amount cannot be negative",
            )
        ]
    if filled > amount and not amounts_equal(filled, amount):
        return [
            Violation(
                "order.filled_bounds",
                "result.order.filled_amount",
                f"<= {order.get('amount')!r}",
                order.get("filled_amount"),
                "more was filled than the order amount",
            )
        ]
    return []


@register("order.type_matches", "result.order.order_type equals the requested type")
def type_matches(subject: Subject) -> list[Violation] | Skip:
    order, requested = subject.order(), subject.requested_type()
    if order is None:
        return Skip("order.type_matches", _NO_ORDER)
    if requested is None:
        return Skip("order.type_matches", "the request has no type")
    if "order_type" not in order:
        return Skip("order.type_matches", "result.order has no order_type")
    if order.get("order_type") != requested:
        return [
            Violation(
                "order.type_matches",
                "result.order.order_type",
                requested,
                order.get("order_type"),
                "the order type differs from the requested type",
            )
        ]
    return []


@register("order.limit_price", "a limit close carries the requested price")
def limit_price(subject: Subject) -> list[Violation] | Skip:
    order, params = subject.order(), subject.params()
    if order is None:
        return Skip("order.limit_price", _NO_ORDER)
    if subject.requested_type() != "limit" or params is None:
        return Skip("order.limit_price", "not a limit request")
    requested = as_number(params.get("price"))
    if requested is None:
        return Skip("order.limit_price", "the limit request carries no numeric price")
    actual = as_number(order.get("price"))
    if actual is None or not amounts_equal(actual, requested):
        return [
            Violation(
                "order.limit_price",
                "result.order.price",
                params.get("price"),
                order.get("price"),
                "a limit close must carry the requested price",
            )
        ]
    return []


@register("order.filled_state", 'order_state == "filled" implies filled_amount == amount')
def filled_state(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("order.filled_state", _NO_ORDER)
    if order.get("order_state") != "filled":
        return Skip("order.filled_state", "the order is not in state filled")
    filled, amount = as_number(order.get("filled_amount")), as_number(order.get("amount"))
    if filled is None or amount is None:
        return Skip("order.filled_state", "filled_amount or amount is absent")
    if not amounts_equal(filled, amount):
        return [
            Violation(
                "order.filled_state",
                "result.order.filled_amount",
                order.get("amount"),
                order.get("filled_amount"),
                "an order in state filled must be filled completely",
            )
        ]
    return []


@register("order.market_not_open", 'a market close never stays in order_state "open"')
def market_not_open(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("order.market_not_open", _NO_ORDER)
    if subject.requested_type() != "market":
        return Skip("order.market_not_open", "not a market request")
    if order.get("order_state") == "open":
        return [
            Violation(
                "order.market_not_open",
                "result.order.order_state",
                "not 'open'",
                "open",
                "a market order must fill or be cancelled immediately, never rest on the book",
            )
        ]
    return []
