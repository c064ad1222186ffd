"""What changed on the venue during one request, for subscription notifications.

The WebSocket layer pushes ``user.orders``/``user.trades``/``user.changes`` and ``ticker``
notifications "when the state changes". Rather than have every method report what it touched,
the exchange marks the venue before a request and diffs after it: new orders and trades are
the tail of the venue's insertion-ordered dicts, and an open order changed when its state,
fill, amount, price or update time moved. Only done while someone listens.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from deribit_contract.exchange.orders import SimOrder, SimTrade
from deribit_contract.exchange.trading import Venue

__all__ = ["AccountChange", "Mark", "changes_since", "mark"]

_Fingerprint = tuple[str, Decimal, Decimal, Decimal, int]


@dataclass(frozen=True)
class Mark:
    """The venue's state before a request: sizes and the open orders' fingerprints."""

    order_count: int
    trade_count: int
    open_orders: dict[str, _Fingerprint]


@dataclass(frozen=True)
class AccountChange:
    """One account's changes on one instrument, in the shapes live notifications carry."""

    client_id: str
    instrument_name: str
    orders: tuple[dict[str, Any], ...]
    trades: tuple[dict[str, Any], ...]
    position: dict[str, Any]


def _fingerprint(order: SimOrder) -> _Fingerprint:
    return (
        order.order_state,
        order.filled_amount,
        order.amount,
        order.price,
        order.last_update_timestamp,
    )


def mark(venue: Venue) -> Mark:
    """Remember what :func:`changes_since` needs to tell what a request changed."""
    return Mark(
        order_count=len(venue.orders),
        trade_count=len(venue.trades),
        open_orders={oid: _fingerprint(venue.orders[oid]) for oid in venue.open_order_ids},
    )


def _tail(values: dict[str, Any], since: int) -> list[Any]:
    """The items added after the first ``since`` (newest last), without walking the head."""
    newest_first = list(islice(reversed(values.values()), len(values) - since))
    return newest_first[::-1]


def changes_since(venue: Venue, before: Mark) -> list[AccountChange]:
    """Per (account, instrument): orders created or changed, new trades, the position now."""
    orders: dict[str, SimOrder] = {}
    for order in _tail(venue.orders, before.order_count):
        orders[order.order_id] = order
    for oid, fingerprint in before.open_orders.items():
        order = venue.orders[oid]
        if _fingerprint(order) != fingerprint:
            orders[oid] = order
    trades: list[SimTrade] = _tail(venue.trades, before.trade_count)
    keys: dict[tuple[str, str], None] = {}
    for order in orders.values():
        keys[(order.client_id, order.instrument.name)] = None
    for trade in trades:
        keys[(trade.order.client_id, trade.order.instrument.name)] = None
    changes = []
    for client_id, name in keys:
        book = venue.books[name]
        position = venue.positions.get((client_id, name))
        if position is None:
            position = venue.position(client_id, book.instrument)
        changes.append(
            AccountChange(
                client_id=client_id,
                instrument_name=name,
                orders=tuple(
                    _notified(venue, o, before)
                    for o in orders.values()
                    if (o.client_id, o.instrument.name) == (client_id, name)
                ),
                trades=tuple(
                    t.to_json()
                    for t in trades
                    if (t.order.client_id, t.order.instrument.name) == (client_id, name)
                ),
                position=position.to_json(mark_price=book.mark_price, index_price=book.index_price),
            )
        )
    return changes


def _notified(venue: Venue, order: SimOrder, before: Mark) -> dict[str, Any]:
    """The order as notifications show it: as answered, or (the stale-notifications fault) a
    reduce-only order as it was before the request."""
    data = order.to_json()
    if venue.tweaks.stale_order_notifications and order.reduce_only:
        state, filled, amount = before.open_orders.get(
            order.order_id, ("open", Decimal(0), order.amount, order.price, 0)
        )[:3]
        data.update(order_state=state, filled_amount=float(filled), amount=float(amount))
    return data
