"""The instruments the simulation lists, with Deribit's real conventions.

Amount units differ by instrument type, which is exactly what close_position implementations get
wrong: on inverse ("reversed") perpetuals the amount is in USD and must be a multiple of the
contract size (10 USD for BTC-PERPETUAL, 1 USD for ETH-PERPETUAL); on linear USDC perpetuals the
amount is in the base coin (BTC) with a contract size of 0.001. Values come from live
``public/get_instrument`` answers (BTC_USDC-PERPETUAL: tick 1, contract 0.001, min 0.001).
Arithmetic uses :class:`~decimal.Decimal` so fills, sums and averages are exact; JSON gets floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

__all__ = ["INSTRUMENTS", "Instrument", "as_float"]

_EXPIRY_PERPETUAL = 32_503_708_800_000  # what Deribit reports as the "expiry" of a perpetual


def as_float(value: Decimal) -> float:
    """A Decimal as the JSON float Deribit would send (``10`` becomes ``10.0``)."""
    return float(value)


@dataclass(frozen=True)
class Instrument:
    """One tradeable instrument and the numbers that govern amounts, prices and fees."""

    name: str
    instrument_type: Literal["reversed", "linear"]
    base_currency: str
    quote_currency: str
    settlement_currency: str
    contract_size: Decimal
    tick_size: Decimal
    min_trade_amount: Decimal
    instrument_id: int
    creation_timestamp: int
    #: first part of order ids (``"ETH-"`` gives ``ETH-584864807``; BTC ids are bare numbers)
    id_prefix: str
    #: where the seeded book is centred, and the amounts one seeded level holds (in contracts)
    reference_price: Decimal
    level_contracts: tuple[int, int]
    taker_commission: Decimal = Decimal("0.0005")
    maker_commission: Decimal = Decimal("0")
    max_leverage: int = 50

    @property
    def inverse(self) -> bool:
        """True when amounts are USD and fees/PnL are paid in the base coin."""
        return self.instrument_type == "reversed"

    @property
    def fee_currency(self) -> str:
        """Currency of trade fees: the coin for inverse, the settlement stablecoin for linear."""
        return self.settlement_currency

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

    def to_json(self) -> dict[str, Any]:
        """The ``public/get_instrument`` result, with the fields live Deribit returns."""
        future_type = self.instrument_type
        return {
            "price_index": f"{self.base_currency.lower()}_{self.quote_currency.lower()}",
            "rfq": False,
            "kind": "future",
            "instrument_name": self.name,
            "maker_commission": as_float(self.maker_commission),
            "taker_commission": as_float(self.taker_commission),
            "instrument_type": self.instrument_type,
            "expiration_timestamp": _EXPIRY_PERPETUAL,
            "creation_timestamp": self.creation_timestamp,
            "is_active": True,
            "contract_size": as_float(self.contract_size),
            "tick_size": as_float(self.tick_size),
            "instrument_id": self.instrument_id,
            "settlement_period": "perpetual",
            "min_trade_amount": as_float(self.min_trade_amount),
            "future_type": future_type,
            "max_leverage": self.max_leverage,
            "max_liquidation_commission": 0.0075,
            "block_trade_commission": 0.00025,
            "block_trade_min_trade_amount": 200000 if self.inverse else 50,
            "block_trade_tick_size": as_float(self.tick_size),
            "settlement_currency": self.settlement_currency,
            "base_currency": self.base_currency,
            "counter_currency": self.quote_currency,
            "quote_currency": self.quote_currency,
            "tick_size_steps": [],
        }


INSTRUMENTS: dict[str, Instrument] = {
    instrument.name: instrument
    for instrument in (
        Instrument(
            name="BTC-PERPETUAL",
            instrument_type="reversed",
            base_currency="BTC",
            quote_currency="USD",
            settlement_currency="BTC",
            contract_size=Decimal("10"),
            tick_size=Decimal("0.5"),
            min_trade_amount=Decimal("10"),
            instrument_id=210838,
            creation_timestamp=1534242287000,
            id_prefix="",
            reference_price=Decimal("90000"),
            level_contracts=(5, 400),
        ),
        Instrument(
            name="ETH-PERPETUAL",
            instrument_type="reversed",
            base_currency="ETH",
            quote_currency="USD",
            settlement_currency="ETH",
            contract_size=Decimal("1"),
            tick_size=Decimal("0.05"),
            min_trade_amount=Decimal("1"),
            instrument_id=210760,
            creation_timestamp=1552568454000,
            id_prefix="ETH-",
            reference_price=Decimal("3000"),
            level_contracts=(20, 4000),
        ),
        Instrument(
            name="BTC_USDC-PERPETUAL",
            instrument_type="linear",
            base_currency="BTC",
            quote_currency="USDC",
            settlement_currency="USDC",
            contract_size=Decimal("0.001"),
            tick_size=Decimal("1"),
            min_trade_amount=Decimal("0.001"),
            instrument_id=211704,
            creation_timestamp=1646824342000,
            id_prefix="USDC-",
            reference_price=Decimal("90000"),
            level_contracts=(1, 400),
        ),
    )
}
