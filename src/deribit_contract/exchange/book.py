"""A finite-depth order book per instrument: the market liquidity closes trade against.

Depth is finite on purpose: a market close of a large position must walk several price levels
(so ``average_price`` differs from every single fill price) and may run out of liquidity, and a
limit close priced away from the market must rest. Taking liquidity removes it, so consecutive
closes walk deeper into the book. The seeded default book is a pure function of
``(seed, instrument)``. Orders placed by accounts never join this book: the simulation has no
other participants, so a resting order stays open until cancelled (documented in the exchange).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.instruments import Instrument

__all__ = ["DEFAULT_LEVELS", "Book", "Level", "default_book"]

#: price levels per side in the seeded book
DEFAULT_LEVELS = 10

Side = Literal["buy", "sell"]


@dataclass
class Level:
    """Resting market liquidity at one price."""

    price: Decimal
    amount: Decimal


@dataclass
class Book:
    """Bids (best first, descending) and asks (best first, ascending) for one instrument."""

    instrument: Instrument
    bids: list[Level]
    asks: list[Level]
    #: the fair price the ticker reports; fixed while the book is consumed, reset by set_book
    mark_price: Decimal

    @property
    def index_price(self) -> Decimal:
        """The underlying index: a hair under the mark, as on a perpetual at small premium."""
        return (self.mark_price * Decimal("0.9998")).quantize(Decimal("0.01"))

    def market_cap(self, direction: Side) -> Decimal:
        """The price Deribit puts on a market order: the mark ±1.5 %, rounded to the tick."""
        band = Decimal("1.015") if direction == "buy" else Decimal("0.985")
        return self.instrument.round_to_tick(self.mark_price * band)

    def take(
        self, direction: Side, amount: Decimal, *, limit: Decimal | None
    ) -> list[tuple[Decimal, Decimal]]:
        """Fill up to ``amount`` for an order going ``direction``; remove what it takes.

        A buy lifts asks from the lowest, a sell hits bids from the highest, stopping at
        ``limit`` (inclusive) when given or when the side runs dry. Returns ``(price, amount)``
        fills in execution order; the unfilled remainder is ``amount`` minus their sum.
        """
        levels = self.asks if direction == "buy" else self.bids
        fills: list[tuple[Decimal, Decimal]] = []
        remaining = amount
        while remaining > 0 and levels:
            level = levels[0]
            if limit is not None and (
                level.price > limit if direction == "buy" else level.price < limit
            ):
                break
            taken = min(remaining, level.amount)
            fills.append((level.price, taken))
            remaining -= taken
            level.amount -= taken
            if level.amount == 0:
                levels.pop(0)
        return fills

    def crosses(self, direction: Side, price: Decimal) -> bool:
        """True if a limit order at ``price`` would trade on arrival."""
        if direction == "buy":
            return bool(self.asks) and self.asks[0].price <= price
        return bool(self.bids) and self.bids[0].price >= price

    @classmethod
    def from_levels(
        cls,
        instrument: Instrument,
        *,
        bids: Sequence[tuple[float, float]],
        asks: Sequence[tuple[float, float]],
        mark_price: Decimal | None = None,
    ) -> Book:
        """A book from caller-given ``(price, amount)`` pairs, checked against the instrument."""
        parsed: dict[str, list[Level]] = {}
        for side, pairs in (("bids", bids), ("asks", asks)):
            levels: list[Level] = []
            for index, pair in enumerate(pairs):
                price, amount = (Decimal(str(value)) for value in pair)
                where = f"{instrument.name} {side}[{index}]"
                problem = instrument.price_problem(price)
                if problem is not None:
                    raise InvalidArgument(f"{where}: price {price} {problem}")
                problem = instrument.amount_problem(amount)
                if problem is not None:
                    raise InvalidArgument(f"{where}: amount {amount} {problem}")
                levels.append(Level(price, amount))
            parsed[side] = levels
        parsed["bids"].sort(key=lambda level: level.price, reverse=True)
        parsed["asks"].sort(key=lambda level: level.price)
        if parsed["bids"] and parsed["asks"] and parsed["bids"][0].price >= parsed["asks"][0].price:
            raise InvalidArgument(
                f"{instrument.name}: best bid {parsed['bids'][0].price} must be below "
                f"best ask {parsed['asks'][0].price}"
            )
        if mark_price is None:
            mark_price = _mid(instrument, parsed["bids"], parsed["asks"])
        return cls(instrument, parsed["bids"], parsed["asks"], mark_price)


def _mid(instrument: Instrument, bids: list[Level], asks: list[Level]) -> Decimal:
    if bids and asks:
        return (bids[0].price + asks[0].price) / 2
    if bids:
        return bids[0].price
    if asks:
        return asks[0].price
    return instrument.reference_price


def default_book(instrument: Instrument, *, seed: int, levels: int = DEFAULT_LEVELS) -> Book:
    """The seeded book: ``levels`` per side around the reference price, gaps of 1–6 ticks.

    ``random.Random`` seeded with a string is stable across runs and Python versions 3.2+,
    so the same seed always gives the same book.
    """
    rng = random.Random(f"deribit-contract:{seed}:{instrument.name}")
    tick = instrument.tick_size
    mid = instrument.round_to_tick(instrument.reference_price)
    low, high = instrument.level_contracts
    sides: dict[str, list[Level]] = {"bids": [], "asks": []}
    for side, sign in (("bids", -1), ("asks", 1)):
        price = mid
        for _ in range(levels):
            price += sign * tick * rng.randint(1, 6)
            amount = instrument.contract_size * rng.randint(low, high)
            sides[side].append(Level(price, amount))
    return Book(instrument, sides["bids"], sides["asks"], mark_price=mid)
