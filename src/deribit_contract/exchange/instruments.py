"""The instruments the simulation lists: Deribit's facts plus where the simulated book sits.

Amount units differ by instrument type, which is exactly what close_position implementations get
wrong: on inverse ("reversed") instruments the amount is in USD and must be a multiple of the
contract size (10 USD for BTC-PERPETUAL, 1 USD for ETH-PERPETUAL); on linear USDC perpetuals the
amount is in the base coin with a contract size of 0.001. The numbers come from
:mod:`deribit_contract.facts` (one definition, each with its evidence); this module adds only the
simulation's own choices (where the seeded book is centred and how deep one level is).
Arithmetic uses :class:`~decimal.Decimal` so fills, sums and averages are exact; JSON gets floats.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from deribit_contract.facts import CURRENCY_UUIDS, INDEX_IDS, InstrumentFacts
from deribit_contract.facts import INSTRUMENTS as FACTS

__all__ = ["INSTRUMENTS", "Instrument", "as_float"]


def as_float(value: Decimal) -> float:
    """A Decimal as the JSON float Deribit would send (``10`` becomes ``10.0``)."""
    return float(value)


def _as_size(value: Decimal) -> int | float:
    # get_instrument sends integral sizes as JSON integers (a real ETH future listing:
    # "contract_size": 1, "min_trade_amount": 1, "tick_size": 0.05, "tick_size_steps": []),
    # unlike order amounts, which come as floats ("amount": 10.0)
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Instrument(InstrumentFacts):
    """One instrument of the simulation: its vendor facts and the seeded book's centre and depth."""

    #: where the seeded book is centred, and the amounts one seeded level holds (in contracts)
    reference_price: Decimal = Decimal("0")
    level_contracts: tuple[int, int] = (1, 1)
    max_leverage: int = 50

    def contracts(self, amount: Decimal) -> Decimal:
        """How many contracts ``amount`` is (the ``contracts`` field of orders and trades)."""
        return amount / self.contract_size

    def amount_problem(self, amount: Decimal) -> str | None:
        """Why ``amount`` cannot be traded, in Deribit's words, or None when it can."""
        if amount <= 0:
            return "must be positive"
        if amount % self.contract_size != 0:
            return "must be a multiple of contract size"
        if amount < self.min_trade_amount:
            return f"must be at least min_trade_amount {self.min_trade_amount}"
        return None

    def price_problem(self, price: Decimal) -> str | None:
        """Why ``price`` cannot carry a limit order, or None when it can."""
        if price <= 0:
            return "must be positive"
        if price % self.tick_size != 0:
            return f"must conform to tick size {self.tick_size}"
        return None

    def round_to_tick(self, price: Decimal) -> Decimal:
        """``price`` rounded to the nearest tick (used for market caps and seeded levels)."""
        return (price / self.tick_size).to_integral_value() * self.tick_size

    def expired(self, now_ms: int) -> bool:
        """Whether the instrument's expiry has passed at ``now_ms`` (it trades no more)."""
        return self.expiration_timestamp <= now_ms

    def to_json(self, now_ms: int | None = None) -> dict[str, Any]:
        """The ``public/get_instrument`` result, with the fields live Deribit returns (a 2026
        listing, ``market/fastmm__public_get_instruments__future_1.json``); an instrument past
        its expiry at ``now_ms`` is inactive and its book archived."""
        future_type = self.instrument_type
        price_index = f"{self.base_currency.lower()}_{self.quote_currency.lower()}"
        active = now_ms is None or not self.expired(now_ms)
        listing: dict[str, Any] = {
            "price_index": price_index,
            "rfq": False,
            "kind": "future",
            "instrument_name": self.name,
            "maker_commission": as_float(self.maker_commission),
            "taker_commission": as_float(self.taker_commission),
            "instrument_type": self.instrument_type,
            "expiration_timestamp": self.expiration_timestamp,
            "creation_timestamp": self.creation_timestamp,
            "is_active": active,
            "state": "open" if active else "archivized",
            "contract_size": _as_size(self.contract_size),
            "tick_size": as_float(self.tick_size),
            "instrument_id": self.instrument_id,
            "settlement_period": self.settlement_period,
            "min_trade_amount": _as_size(self.min_trade_amount),
            "future_type": future_type,
            "max_leverage": self.max_leverage,
            "max_non_default_leverage": 5,
            "max_liquidation_commission": 0.0075,
            "block_trade_commission": 0.00025,
            "block_trade_min_trade_amount": 200000 if self.inverse else 50,
            "block_trade_tick_size": 0.01,
            "settlement_currency": self.settlement_currency,
            "base_currency": self.base_currency,
            "counter_currency": self.quote_currency,
            "quote_currency": self.quote_currency,
            "tick_size_steps": [],
            "underlying_type": "crypto",
            "product_group": self.base_currency,
            "lot_size": 1,
        }
        for key, currency in (
            ("base_currency_uuid", self.base_currency),
            ("quote_currency_uuid", self.quote_currency),
        ):
            if currency in CURRENCY_UUIDS:
                listing[key] = CURRENCY_UUIDS[currency]
        if price_index in INDEX_IDS:
            listing["index_id"] = INDEX_IDS[price_index]
        return listing


# The simulation's own choices per instrument: book centre and the contracts of one seeded level.
_BOOKS: dict[str, tuple[Decimal, tuple[int, int]]] = {
    "BTC-PERPETUAL": (Decimal("90000"), (5, 400)),
    "ETH-PERPETUAL": (Decimal("3000"), (20, 4000)),
    "BTC-27JUN25": (Decimal("90500"), (5, 400)),
    "BTC_USDC-PERPETUAL": (Decimal("90000"), (1, 400)),
    "ETH_USDC-PERPETUAL": (Decimal("3000"), (10, 4000)),
}


def _simulated(facts: InstrumentFacts) -> Instrument:
    reference_price, level_contracts = _BOOKS[facts.name]
    values = {field.name: getattr(facts, field.name) for field in fields(facts)}
    return Instrument(**values, reference_price=reference_price, level_contracts=level_contracts)


INSTRUMENTS: dict[str, Instrument] = {name: _simulated(facts) for name, facts in FACTS.items()}
