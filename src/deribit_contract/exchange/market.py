"""``--market live``: the simulation's market moves, thins out and trades by itself, as Deribit's.

The static simulation (the default) has a mark that never moves, a book that only shrinks and no
other participant. A contract suite that passes against it can still misjudge a real exchange,
so the live market adds what ``../shared/notes/deribit-facts.md`` (f) documents:

* **a moving mark**: before every request the mark takes a seeded random step of a few ticks,
  and the band (``min_price``/``max_price`` in the ticker, mark ±1.5 %) moves with it;
* **a finite book**: the book is redrawn around the new mark, sometimes thin, so a large market
  order reaches the band and its remainder rests there (the venue's live rules do that);
* **other traders**: a resting order priced at, through or near the market (a remainder resting
  at the band, a limit a few ticks off) may be filled, partly or fully, at its price between
  two requests; a reduce-only order never fills past the position it reduces;
* **refusals that were not executed**: now and then a matching-engine request is answered
  10040 ``retry`` or 13028 ``temporarily_unavailable`` (credit throttling, 10028, is the
  exchange's :class:`~deribit_contract.exchange.ratelimit.CreditBuckets`, on by default here).

Everything draws from one ``random.Random`` seeded by the exchange's seed, so the same requests
give the same market: a failing run can be replayed byte for byte.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.book import Book, Level
from deribit_contract.exchange.orders import SimOrder
from deribit_contract.exchange.trading import Venue
from deribit_contract.facts import ErrorCode

__all__ = ["MARKETS", "LiveMarket", "MarketConfig"]

#: the values of ``--market``
MARKETS = ("static", "live")

#: refusals a live market sends now and then, with their message (never executed)
_REFUSALS = (ErrorCode.RETRY, ErrorCode.TEMPORARILY_UNAVAILABLE)
#: resting orders other traders consider per request at most (a sample beyond it), so a
#: request costs the same however many orders rest
_SCANNED = 64


@dataclass(frozen=True)
class MarketConfig:
    """How lively the market is; the defaults give every behaviour within a short run.

    ``mark_step_ticks``: largest mark move per request; ``thin_book``: chance the redrawn book
    holds only one or two levels per side; ``fill_chance``: chance per request that other
    traders trade against one resting order within ``reach`` of the mark; ``refusal_chance``:
    chance a matching-engine request is refused with 10040 or 13028.
    """

    mark_step_ticks: int = 4
    thin_book: float = 0.25
    fill_chance: float = 0.3
    refusal_chance: float = 0.03
    #: how far from the mark (a fraction of it) a resting order may be and still be taken
    reach: Decimal = Decimal("0.002")

    def __post_init__(self) -> None:
        for name in ("thin_book", "fill_chance", "refusal_chance"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InvalidArgument(f"MarketConfig.{name} must be within 0..1, got {value}")
        if self.mark_step_ticks < 0:
            raise InvalidArgument(
                f"MarketConfig.mark_step_ticks must be >= 0, got {self.mark_step_ticks}"
            )


class LiveMarket:
    """Moves one venue's market between requests (the exchange calls it under its lock)."""

    def __init__(self, *, seed: int, config: MarketConfig | None = None) -> None:
        self.config = config or MarketConfig()
        self._rng = random.Random(f"deribit-contract:market:{seed}")

    def refusal(self) -> int | None:
        """The error code of a transient refusal to answer a request with, if any."""
        if self._rng.random() < self.config.refusal_chance:
            return self._rng.choice(_REFUSALS)
        return None

    def step(self, venue: Venue, *, now_ms: int) -> None:
        """One tick of the outside world: move every mark, redraw the books, let others trade."""
        for name, book in list(venue.books.items()):
            venue.books[name] = self._redraw(book)
        ids = list(venue.open_order_ids)
        if len(ids) > _SCANNED:  # a crowded book: other traders look at a sample of it
            ids = self._rng.sample(ids, _SCANNED)
        resting = [venue.orders[oid] for oid in ids]
        reachable = [order for order in resting if self._reachable(venue, order)]
        if reachable and self._rng.random() < self.config.fill_chance:
            self._fill_by_others(venue, self._rng.choice(reachable), now_ms=now_ms)

    def _reachable(self, venue: Venue, order: SimOrder) -> bool:
        """Other traders take orders priced at or through the market, or within its reach."""
        mark = venue.books[order.instrument.name].mark_price
        if order.direction == "buy":
            return order.price >= mark * (1 - self.config.reach)
        return order.price <= mark * (1 + self.config.reach)

    def _redraw(self, book: Book) -> Book:
        instrument = book.instrument
        tick = instrument.tick_size
        steps = self.config.mark_step_ticks
        mark = instrument.round_to_tick(book.mark_price) + tick * self._rng.randint(-steps, steps)
        levels = self._rng.randint(1, 2) if self._rng.random() < self.config.thin_book else 8
        low, high = instrument.level_contracts
        sides: dict[str, list[Level]] = {"bids": [], "asks": []}
        for side, sign in (("bids", -1), ("asks", 1)):
            price = mark
            for _ in range(levels):
                price += sign * tick * self._rng.randint(1, 6)
                contracts = self._rng.randint(low, max(low, high // 4))
                sides[side].append(Level(price, instrument.contract_size * contracts))
        return Book(instrument, sides["bids"], sides["asks"], mark_price=mark)

    def _fill_by_others(self, venue: Venue, order: SimOrder, *, now_ms: int) -> None:
        instrument = order.instrument
        remaining = order.amount - order.filled_amount
        if order.reduce_only:
            # Deribit trims a reduce-only order to the position it can still reduce
            size = venue.position(order.client_id, instrument).size
            reducible = size if order.direction == "sell" else -size
            remaining = min(remaining, max(reducible, Decimal(0)))
        contracts = int(remaining / instrument.contract_size)
        if contracts < 1:
            return
        amount = instrument.contract_size * self._rng.randint(1, contracts)
        venue.fill_by_other(order, amount, now_ms=now_ms)
