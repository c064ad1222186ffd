"""What changed on the venue during one request, for subscription notifications.

The WebSocket layer pushes ``user.orders``/``user.trades``/``user.changes`` and ``ticker``
notifications "when the state changes". Rather than have every method report what it touched,
the exchange marks the venue before a request and diffs after it: new orders and trades are
the tail of the venue's insertion-ordered dicts, and every order notes its own first change
since the mark (:attr:`SimOrder.sink`), so a request costs what it changed, not what rests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from deribit_contract.exchange.orders import Fingerprint, SimOrder, SimTrade
from deribit_contract.exchange.trading import Venue

__all__ = ["AccountChange", "Mark", "changes_since", "mark"]


@dataclass(frozen=True)
class Mark:
    """The venue's history sizes before a request (changed orders are noted as they change)."""

    order_count: int
    trade_count: int
    #: what each order changed during the request looked like before it (filled in by then)
    before: dict[str, Fingerprint]


@dataclass(frozen=True)
class AccountChange:
    """One account's changes on one instrument, in the shapes live notifications carry."""

    client_id: str
    instrument_name: str
    orders: tuple[dict[str, Any], ...]
    trades: tuple[dict[str, Any], ...]
    position: dict[str, Any]


def mark(venue: Venue) -> Mark:
    """Start noting what the next request changes (O(1): nothing is walked)."""
    venue.changed.clear()
    return Mark(order_count=len(venue.orders), trade_count=len(venue.trades), before=venue.changed)


def _tail(values: dict[str, Any], since: int) -> list[Any]:
    """The items added after the first ``since`` (newest last), without walking the head."""
    newest_first = list(islice(reversed(values.values()), len(values) - since))
    return newest_first[::-1]


def changes_since(venue: Venue, before: Mark) -> list[AccountChange]:
    """Per (account, instrument): orders created or changed, new trades, the position now."""
    orders: dict[str, SimOrder] = {}
    for order in _tail(venue.orders, before.order_count):
        orders[order.order_id] = order
    for oid, fingerprint in list(before.before.items()):
        order = venue.orders.get(oid)
        if order is not None and order.fingerprint() != fingerprint:
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
        # an order placed in this request was "open" with no fills before its first change
        first = ("open", Decimal(0), order.amount, order.price, 0)
        state, filled, amount = before.before.get(order.order_id, first)[:3]
        data.update(order_state=state, filled_amount=float(filled), amount=float(amount))
    return data
