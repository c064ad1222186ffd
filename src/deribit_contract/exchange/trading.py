"""The matching side of the simulation: books, positions, orders, fills and ids.

Everything here runs under the exchange's lock and is deterministic: ids are counters whose
starting points derive from the seed, timestamps come from the caller, and fills come from the
seeded book. On the static market accounts only trade against the book's liquidity (there are no
other participants), so an order that does not cross rests "open" until it is cancelled; the live
market (:mod:`deribit_contract.exchange.market`) lets other traders fill it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from deribit_contract.exchange import reduce_only
from deribit_contract.exchange.book import Book, default_book
from deribit_contract.exchange.faults import NO_TWEAKS, CloseTweaks
from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument
from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.exchange.orders import Direction, Fingerprint, Position, SimOrder, SimTrade
from deribit_contract.exchange.params import RpcError

__all__ = ["OPEN_ORDERS_PER_ACCOUNT", "OpenOrders", "OrderRequest", "Venue"]

#: open orders one account may have resting (all instruments): past it an order is refused with
#: 10014 ``pme_max_future_open_orders`` (the error table's "limit of open orders on futures";
#: no capture shows the real limit), so one bot cannot grow a shared ``serve`` without bound
OPEN_ORDERS_PER_ACCOUNT = 5_000

_Key = tuple[str, str]  # (client id, instrument name)


@dataclass(frozen=True)
class OrderRequest:
    """A validated order: ``price`` is the limit (None for market)."""

    client_id: str
    user_id: int
    instrument: Instrument
    direction: Direction
    amount: Decimal
    order_type: str
    price: Decimal | None
    reduce_only: bool = False
    post_only: bool = False
    label: str = ""
    time_in_force: str = "good_til_cancelled"


class OpenOrders:
    """The ids of every open order, oldest first, indexed by (account, instrument).

    Membership, adding and removing are O(1) and one account's orders on one instrument are
    found without walking anyone else's, so a request costs the same however many orders rest.
    Reads like the list it replaced (``in``, iteration, ``len``, ``append``, ``remove``).
    """

    def __init__(self, orders: dict[str, SimOrder]) -> None:
        self._orders = orders
        self._ids: dict[str, _Key] = {}
        self._by_key: dict[_Key, dict[str, None]] = {}
        self._per_account: dict[str, int] = {}
        #: the reduce-only ones apart: re-fitting them must not walk every resting order
        self._reduce_only: dict[_Key, dict[str, None]] = {}

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def append(self, order_id: str) -> None:
        """Rest the (known) order ``order_id``."""
        order = self._orders[order_id]
        key = (order.client_id, order.instrument.name)
        self._ids[order_id] = key
        self._by_key.setdefault(key, {})[order_id] = None
        self._per_account[key[0]] = self._per_account.get(key[0], 0) + 1
        if order.reduce_only:
            self._reduce_only.setdefault(key, {})[order_id] = None

    def remove(self, order_id: str) -> None:
        """Take ``order_id`` off the book (``KeyError`` when it is not open, like a list's)."""
        key = self._ids.pop(order_id)
        bucket = self._by_key[key]
        del bucket[order_id]
        if not bucket:
            del self._by_key[key]
        left = self._per_account.pop(key[0]) - 1
        if left:
            self._per_account[key[0]] = left
        reduce_only = self._reduce_only.get(key)
        if reduce_only is not None and order_id in reduce_only:
            del reduce_only[order_id]
            if not reduce_only:
                del self._reduce_only[key]

    def reduce_only_of(self, client_id: str, instrument_name: str) -> list[str]:
        """The open reduce-only order ids of one account on one instrument, oldest first."""
        return list(self._reduce_only.get((client_id, instrument_name), ()))

    def count(self, client_id: str) -> int:
        """How many orders ``client_id`` has open, on every instrument."""
        return self._per_account.get(client_id, 0)

    def of(self, client_id: str, instrument_name: str) -> list[str]:
        """The open order ids of one account on one instrument, oldest first."""
        return list(self._by_key.get((client_id, instrument_name), ()))


class Venue:
    """Books, positions and orders of every account."""

    def __init__(
        self, *, seed: int, live_rules: bool = False, tweaks: CloseTweaks = NO_TWEAKS
    ) -> None:
        #: Deribit's real-market rules: limit prices are clamped to the band, and a market
        #: order's remainder rests at the band price instead of being cancelled
        self.live_rules = live_rules
        #: how a fault mode bends the venue's reduce-only rules (the correct venue by default)
        self.tweaks = tweaks
        self.books: dict[str, Book] = {
            name: default_book(instrument, seed=seed) for name, instrument in INSTRUMENTS.items()
        }
        self.positions: dict[tuple[str, str], Position] = {}
        self.orders: dict[str, SimOrder] = {}
        #: orders changed since the last :func:`~deribit_contract.exchange.events.mark`, each
        #: with what it looked like before (every placed order notes its own changes here)
        self.changed: dict[str, Fingerprint] = {}
        self.open_order_ids = OpenOrders(self.orders)
        #: the size each account last read with ``private/get_position`` (the stale-snapshot
        #: fault sizes its closes from it; the correct venue never looks)
        self.snapshots: dict[_Key, Decimal] = {}
        #: every fill, by trade id in execution order (user trade queries read it)
        self.trades: dict[str, SimTrade] = {}
        self._next_order = 10_000_000_000 + (seed % 1000) * 10_000_000
        self._next_trade = 200_000_000 + (seed % 1000) * 100_000
        self._trade_seq = dict.fromkeys(INSTRUMENTS, 1000000 + seed % 1000 * 1000)
        self._last_price = {name: book.mark_price for name, book in self.books.items()}
        self._last_tick = dict.fromkeys(INSTRUMENTS, 0)

    def position(self, client_id: str, instrument: Instrument) -> Position:
        """The account's position (created flat on first use)."""
        key = (client_id, instrument.name)
        if key not in self.positions:
            self.positions[key] = Position(instrument)
        return self.positions[key]

    def last_price(self, name: str) -> Decimal:
        """The price of the last fill on ``name`` (the mark before any fill)."""
        return self._last_price[name]

    def new_order_id(self, instrument: Instrument) -> str:
        """The next order id in the instrument's style (``ETH-…``, ``USDC-…`` or digits)."""
        self._next_order += 1
        return f"{instrument.id_prefix}{self._next_order}"

    def place(
        self,
        request: OrderRequest,
        *,
        now_ms: int,
        report_type: str | None = None,
        walk_limit: Decimal | None = None,
        update_position: bool = True,
    ) -> tuple[SimOrder, list[SimTrade]]:
        """Execute ``request`` against the book and return the order and its trades.

        ``report_type`` overrides the order type written on the order; ``walk_limit`` overrides
        how far the order may walk (faults use both); ``update_position=False`` executes without
        moving the account's position (the "position not updated" fault).
        """
        instrument = request.instrument
        if self.open_order_ids.count(request.client_id) >= OPEN_ORDERS_PER_ACCOUNT:
            raise RpcError(
                ErrorCode.PME_MAX_FUTURE_OPEN_ORDERS,
                "pme_max_future_open_orders",
                {"reason": f"at most {OPEN_ORDERS_PER_ACCOUNT} open orders", "param": "amount"},
            )
        book = self.books[instrument.name]
        position = self.position(request.client_id, instrument)
        is_limit = request.price is not None
        price = request.price
        if price is not None:
            # a buy above max_price rests at max_price, a sell below min_price at min_price: on
            # either market, as the ticker of both shows the band
            edge = book.market_cap(request.direction)
            price = min(price, edge) if request.direction == "buy" else max(price, edge)
        order = SimOrder(
            order_id=self.new_order_id(instrument),
            client_id=request.client_id,
            user_id=request.user_id,
            instrument=instrument,
            direction=request.direction,
            order_type=report_type or request.order_type,
            price=price if price is not None else book.market_cap(request.direction),
            amount=request.amount,
            reduce_only=request.reduce_only,
            post_only=request.post_only,
            label=request.label,
            time_in_force=request.time_in_force,
            creation_timestamp=now_ms,
            last_update_timestamp=now_ms,
        )
        self.orders[order.order_id] = order
        order.sink = self.changed
        if request.post_only and is_limit and book.crosses(request.direction, order.price):
            order.order_state = "rejected"
            raise RpcError(
                ErrorCode.POST_ONLY_REJECT,
                "post_only_reject",
                {"reason": "post_only order would trade on arrival", "param": "price"},
            )
        limit = walk_limit if walk_limit is not None else order.price
        if request.time_in_force == "fill_or_kill" and not self._fully_fillable(
            book, request.direction, request.amount, limit
        ):
            fills: list[tuple[Decimal, Decimal]] = []
        else:
            fills = book.take(request.direction, request.amount, limit=limit)
        # the "position not updated" fault books fills on a copy, so PnL still looks right
        target = position if update_position else replace(position)
        trades = [self._trade(order, price, amount, now_ms, target) for price, amount in fills]
        if order.filled_amount == order.amount:
            order.order_state = "filled"
        elif (is_limit or self.live_rules) and request.time_in_force in (
            "good_til_cancelled",
            "good_til_day",
        ):
            # on a live market a market order that reached the band rests there for the rest
            order.order_state = "open"
            self.open_order_ids.append(order.order_id)
        else:
            # IOC and FOK remainders are cancelled, and so are market remainders (static market)
            order.order_state = "cancelled"
        self.follow_position(request.client_id, instrument, now_ms=now_ms)
        return order, trades

    def fill_resting(self, order: SimOrder, *, now_ms: int, follow: bool = True) -> list[SimTrade]:
        """Trade an open limit order's remainder against what now crosses it (after an edit),
        then (unless ``follow`` is False) fit the account's reduce-only orders to the position."""
        book = self.books[order.instrument.name]
        fills = book.take(order.direction, order.amount - order.filled_amount, limit=order.price)
        position = self.position(order.client_id, order.instrument)
        trades = [self._trade(order, price, amount, now_ms, position) for price, amount in fills]
        if order.filled_amount == order.amount:
            order.order_state = "filled"
            self.open_order_ids.remove(order.order_id)
        if follow:
            self.follow_position(order.client_id, order.instrument, now_ms=now_ms)
        return trades

    def fill_by_other(self, order: SimOrder, amount: Decimal, *, now_ms: int) -> SimTrade:
        """Another trader fills ``amount`` of the resting ``order`` at its price."""
        position = self.position(order.client_id, order.instrument)
        trade = self._trade(order, order.price, amount, now_ms, position)
        order.last_update_timestamp = now_ms
        if order.filled_amount == order.amount:
            order.order_state = "filled"
            self.open_order_ids.remove(order.order_id)
        self.follow_position(order.client_id, order.instrument, now_ms=now_ms)
        return trade

    def follow_position(self, client_id: str, instrument: Instrument, *, now_ms: int) -> None:
        """Fit the account's resting reduce-only orders on ``instrument`` to its position now
        (:func:`deribit_contract.exchange.reduce_only.enforce`)."""
        ids = self.open_order_ids.reduce_only_of(client_id, instrument.name)
        if not ids:
            return
        size = self.position(client_id, instrument).size
        orders = [self.orders[oid] for oid in ids]
        for order in reduce_only.enforce(
            orders, size, instrument, now_ms=now_ms, tweaks=self.tweaks
        ):
            self.open_order_ids.remove(order.order_id)

    def cancel_all(self, client_id: str, instrument: Instrument, *, now_ms: int) -> int:
        """Cancel the account's open orders on ``instrument``; return how many."""
        cancelled = 0
        for order_id in self.open_order_ids.of(client_id, instrument.name):
            order = self.orders[order_id]
            order.order_state = "cancelled"
            order.cancel_reason = "user_request"
            order.last_update_timestamp = now_ms
            self.open_order_ids.remove(order_id)
            cancelled += 1
        return cancelled

    def open_orders(self, client_id: str, instrument: Instrument) -> list[SimOrder]:
        """The account's open orders on ``instrument``, oldest first."""
        return [self.orders[oid] for oid in self.open_order_ids.of(client_id, instrument.name)]

    def _trade(
        self,
        order: SimOrder,
        price: Decimal,
        amount: Decimal,
        now_ms: int,
        position: Position,
    ) -> SimTrade:
        instrument = order.instrument
        book = self.books[instrument.name]
        self._next_trade += 1
        self._trade_seq[instrument.name] += 1
        trade_id = f"{instrument.id_prefix}{self._next_trade}"
        pnl = position.apply_fill(order.direction, price, amount)
        order.record_fill(price, amount, trade_id)
        tick_direction = self._tick_direction(instrument.name, price)
        trade = SimTrade(
            trade_id=trade_id,
            trade_seq=self._trade_seq[instrument.name],
            order=order,
            price=price,
            amount=amount,
            timestamp=now_ms,
            tick_direction=tick_direction,
            index_price=book.index_price,
            mark_price=book.mark_price,
            profit_loss=pnl,
        )
        self.trades[trade_id] = trade
        return trade

    def forget_finished(self, *, keep: int) -> None:
        """Drop the oldest finished orders (and their trades) beyond the newest ``keep``.

        Open orders are never dropped. Runs in bulk once the history is 25% over ``keep``, so
        the cost per request stays constant.
        """
        # counted without walking: with many orders resting, only finished ones may trigger it
        if len(self.orders) - len(self.open_order_ids) <= keep + keep // 4:
            return
        open_ids = set(self.open_order_ids)
        finished = [oid for oid in self.orders if oid not in open_ids]
        for oid in finished[: max(0, len(finished) - keep)]:
            order = self.orders.pop(oid)
            for trade_id in order.trade_ids:
                self.trades.pop(trade_id, None)

    def _tick_direction(self, name: str, price: Decimal) -> int:
        # Deribit: 0 plus tick, 1 zero-plus tick, 2 minus tick, 3 zero-minus tick
        last = self._last_price[name]
        if price > last:
            tick = 0
        elif price < last:
            tick = 2
        else:
            tick = 1 if self._last_tick[name] in (0, 1) else 3
        self._last_price[name] = price
        self._last_tick[name] = tick
        return tick

    @staticmethod
    def _fully_fillable(book: Book, direction: Direction, amount: Decimal, limit: Decimal) -> bool:
        levels = book.asks if direction == "buy" else book.bids
        reachable = sum(
            (
                level.amount
                for level in levels
                if (level.price <= limit if direction == "buy" else level.price >= limit)
            ),
            Decimal(0),
        )
        return reachable >= amount
