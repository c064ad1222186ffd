"""Rules on ``result.order``: the order close_position places must be the reduce-only mirror
of the position, of the requested type and price, with a fill state that adds up.
"""

from __future__ import annotations

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
#: how far the band may move between the ticker read before a call and its execution: the mark
#: moves between any two requests on a real market (Deribit's band is mark ±1.5 %, so 0.5 % of
#: the edge is a third of the band's half-width)
BAND_DRIFT = 0.005


def _closing_side(subject: Subject) -> str | None:
    """``sell`` when closing a long, ``buy`` when closing a short (from the position, else the
    order), so a wrong ``order.direction`` is reported by ``order.direction_opposite`` alone."""
    before = position_size(subject.position_before)
    if before is not None and sign(before) != 0:
        return "sell" if before > 0 else "buy"
    order = subject.order()
    direction = order.get("direction") if order is not None else None
    return direction if direction in ("buy", "sell") else None


def _edge(subject: Subject) -> tuple[float, float] | None:
    """The band edge a close's order may be clamped to or rest at, widened by the drift."""
    band, side = subject.band(), _closing_side(subject)
    if band is None or side is None:
        return None
    edge = band[0] if side == "sell" else band[1]
    return edge * (1 - BAND_DRIFT), edge * (1 + BAND_DRIFT)


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


@register(
    "order.limit_price",
    "a limit close carries the requested price, or the band edge when the price lies beyond the "
    "band (a sell below min_price is clamped up to it, a buy above max_price down to it)",
)
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
    if actual is not None and amounts_equal(actual, requested):
        return []
    edge, side = _edge(subject), _closing_side(subject)
    if actual is not None and edge is not None:
        low, high = edge
        # clamping only ever makes the price better for the closer, and only up to the band
        if side == "sell" and requested < high and max(requested, low) < actual <= high:
            return []
        if side == "buy" and requested > low and low <= actual < min(requested, high):
            return []
    expected: Any = params.get("price")
    if edge is not None:
        expected = f"{params.get('price')!r}, or the band edge ({edge[0]:g}..{edge[1]:g})"
    return [
        Violation(
            "order.limit_price",
            "result.order.price",
            expected,
            order.get("price"),
            "a limit close must carry the requested price (or the band edge it was clamped to)",
        )
    ]


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


@register(
    "order.market_not_open",
    'a market close stays "open" only for a remainder resting at the band: filled_amount < '
    "amount, and the order priced at the band edge when the band is known",
)
def market_not_open(subject: Subject) -> list[Violation] | Skip:
    order = subject.order()
    if order is None:
        return Skip("order.market_not_open", _NO_ORDER)
    if subject.requested_type() != "market":
        return Skip("order.market_not_open", "not a market request")
    if order.get("order_state") != "open":
        return []
    filled, amount = as_number(order.get("filled_amount")), as_number(order.get("amount"))
    if filled is None or amount is None or filled > amount or amounts_equal(filled, amount):
        return [
            Violation(
                "order.market_not_open",
                "result.order.order_state",
                "not 'open' (nothing is left to rest)",
                "open",
                f"a market order filled {order.get('filled_amount')!r} of "
                f"{order.get('amount')!r} cannot rest on the book",
            )
        ]
    edge, price = _edge(subject), as_number(order.get("price"))
    if edge is not None and (price is None or not edge[0] <= price <= edge[1]):
        return [
            Violation(
                "order.market_not_open",
                "result.order.price",
                f"the band edge ({edge[0]:g}..{edge[1]:g})",
                order.get("price"),
                "a market remainder rests at the band price, nowhere else",
            )
        ]
    return []
