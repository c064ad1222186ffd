"""Deribit's reduce-only rules over time: resting reduce-only orders follow the position.

After anything that moves an account's position or its reduce-only orders on an instrument (a
fill by the account, by another trader, a placement, an edit), :func:`enforce` re-allocates the
position across the account's open reduce-only orders there, as Deribit's engine does
(:data:`deribit_contract.facts.REDUCE_ONLY`):

* orders are ranked by execution priority: the best price for the side first (lowest sell,
  highest buy), then the oldest;
* walking that ranking, each order keeps at most what is still left of |position| after the
  orders ahead of it; an order on the side that would grow the position is allowed nothing;
* an order whose unfilled part exceeds its share is cut down to it; one cut to nothing is
  cancelled. An order never grows here: a position that grows leaves them as they are.

The fault modes bend this through :class:`~deribit_contract.exchange.faults.CloseTweaks`:
``adjust_resting_reduce_only=False`` never adjusts, ``grow_resting_reduce_only=True`` also raises
an order's unfilled part up to its share when the position grows.
"""

from __future__ import annotations

from decimal import Decimal

from deribit_contract.exchange.faults import CloseTweaks
from deribit_contract.exchange.instruments import Instrument
from deribit_contract.exchange.orders import Direction, SimOrder
from deribit_contract.facts import REDUCE_ONLY

__all__ = ["closing_side", "enforce", "reducible"]


def closing_side(size: Decimal) -> Direction | None:
    """The side that reduces a position of signed ``size`` (None when flat)."""
    if size == 0:
        return None
    return "sell" if size > 0 else "buy"


def reducible(size: Decimal, direction: Direction) -> Decimal:
    """How much an order on ``direction`` can reduce a position of signed ``size`` (>= 0)."""
    return max(size if direction == "sell" else -size, Decimal(0))


def _priority(order: SimOrder) -> tuple[Decimal, int, str]:
    # the first that can execute keeps its amount: best price for its side, then time
    price = order.price if order.direction == "sell" else -order.price
    return price, order.creation_timestamp, order.order_id


def enforce(
    orders: list[SimOrder],
    size: Decimal,
    instrument: Instrument,
    *,
    now_ms: int,
    tweaks: CloseTweaks,
) -> list[SimOrder]:
    """Fit the open reduce-only ``orders`` of one account and instrument to the position.

    ``size`` is the signed position now. Returns the orders cancelled (reduced to nothing): the
    caller takes them off the book. Amounts stay multiples of the contract size because
    positions and orders are.
    """
    if not tweaks.adjust_resting_reduce_only:
        return []
    side = closing_side(size)
    left = abs(size)
    cancelled: list[SimOrder] = []
    for order in sorted((o for o in orders if o.reduce_only), key=_priority):
        share = left if order.direction == side else Decimal(0)
        unfilled = order.amount - order.filled_amount
        if unfilled > share or (tweaks.grow_resting_reduce_only and 0 < share != unfilled):
            if share <= 0 or share < instrument.min_trade_amount:
                order.order_state = "cancelled"
                order.cancel_reason = REDUCE_ONLY.reduced_to_nothing_reason
                cancelled.append(order)
            else:
                order.amount = order.filled_amount + share
            order.last_update_timestamp = now_ms
            unfilled = Decimal(0) if order in cancelled else share
        left -= min(unfilled, left)
    return cancelled
