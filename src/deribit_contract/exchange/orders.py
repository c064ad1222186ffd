"""Orders, trades and positions of the simulation, rendered with live Deribit's field set.

Field names, order and types follow the 2025–2026 live captures (``nautilus__private_buy__1``,
``roq__private_get_user_trades_by_currency__1``, ``roq__user.changes__cancelled_1``), including
fields the documentation table does not list but real responses carry: ``user_id``,
``self_trade``, ``risk_reducing``, ``mmp``, ``contracts``, ``replaced``, ``web``. Fields that real
data dropped after 2024 (``max_show``, ``commission``) are left out, as live Deribit does now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Any, ClassVar, Literal

from deribit_contract.exchange.instruments import Instrument, as_float

__all__ = ["Fingerprint", "Position", "SimOrder", "SimTrade", "opposite"]

Direction = Literal["buy", "sell"]
Fingerprint = tuple[str, Decimal, Decimal, Decimal, int]
_SATOSHI = Decimal("0.00000001")
_MICRO = Decimal("0.000001")


def opposite(direction: Direction) -> Direction:
    """The other side."""
    return "sell" if direction == "buy" else "buy"


@dataclass
class SimOrder:
    """One order; ``notional`` is Σ price·amount over its fills (for the average price)."""

    order_id: str
    client_id: str
    user_id: int
    instrument: Instrument
    direction: Direction
    order_type: str
    price: Decimal
    amount: Decimal
    reduce_only: bool
    post_only: bool
    label: str
    time_in_force: str
    creation_timestamp: int
    last_update_timestamp: int
    order_state: str = "open"
    filled_amount: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    cancel_reason: str | None = None
    trade_ids: list[str] = field(default_factory=list)
    #: True once ``private/edit`` changed the order
    replaced: bool = False
    #: where a change of this order is noted (the venue's :attr:`Venue.changed`), once placed:
    #: its id and what it looked like before the first change since the sink was last cleared
    sink: dict[str, Fingerprint] | None = field(default=None, repr=False, compare=False)

    _QUIET: ClassVar[frozenset[str]] = frozenset({"sink", "trade_ids", "notional"})

    def __setattr__(self, name: str, value: Any) -> None:
        # every change, whoever makes it, is noted: notifications then look only at what changed
        sink = self.__dict__.get("sink")
        if sink is not None and name not in self._QUIET and self.order_id not in sink:
            sink[self.order_id] = self.fingerprint()
        object.__setattr__(self, name, value)

    def fingerprint(self) -> Fingerprint:
        """What a notification reports of the order: state, fills, amount, price, update time."""
        return (
            self.order_state,
            self.filled_amount,
            self.amount,
            self.price,
            self.last_update_timestamp,
        )

    @property
    def average_price(self) -> Decimal:
        """Amount-weighted mean fill price (0 before the first fill, as Deribit reports)."""
        if self.filled_amount == 0:
            return Decimal(0)
        return self.notional / self.filled_amount

    def record_fill(self, price: Decimal, amount: Decimal, trade_id: str) -> None:
        """Add one fill to the order's totals."""
        self.filled_amount += amount
        self.notional += price * amount
        self.trade_ids.append(trade_id)

    def to_json(self) -> dict[str, Any]:
        """The ``order`` object as live Deribit (2025+) sends it."""
        data: dict[str, Any] = {
            "label": self.label,
            "price": as_float(self.price),
            "user_id": self.user_id,
            "amount": as_float(self.amount),
            "direction": self.direction,
            "time_in_force": self.time_in_force,
            "instrument_name": self.instrument.name,
            "web": False,
            "api": True,
            "order_id": self.order_id,
            "creation_timestamp": self.creation_timestamp,
            "replaced": self.replaced,
            "filled_amount": as_float(self.filled_amount),
            "last_update_timestamp": self.last_update_timestamp,
            "post_only": self.post_only,
            "reduce_only": self.reduce_only,
        }
        if self.cancel_reason is not None:
            data["cancel_reason"] = self.cancel_reason
        data.update(
            {
                "average_price": float(self.average_price),
                "mmp": False,
                "contracts": as_float(self.instrument.contracts(self.amount)),
                "order_state": self.order_state,
                "order_type": self.order_type,
                "is_liquidation": False,
                "risk_reducing": False,
            }
        )
        if self.post_only:
            data["reject_post_only"] = False
        return data


@dataclass(frozen=True)
class SimTrade:
    """One fill of one order against the book (the account is always the taker)."""

    trade_id: str
    trade_seq: int
    order: SimOrder
    price: Decimal
    amount: Decimal
    timestamp: int
    tick_direction: int
    index_price: Decimal
    mark_price: Decimal
    profit_loss: Decimal

    @property
    def fee(self) -> Decimal:
        """Taker fee, in the coin for inverse and in USDC for linear, rounded up like Deribit."""
        instrument = self.order.instrument
        if instrument.inverse:
            fee = self.amount / self.price * instrument.taker_commission
            return fee.quantize(_SATOSHI, rounding=ROUND_UP)
        fee = self.amount * self.price * instrument.taker_commission
        return fee.quantize(_MICRO, rounding=ROUND_UP)

    def to_json(self) -> dict[str, Any]:
        """One item of ``trades`` as live Deribit (2025+) sends it."""
        instrument = self.order.instrument
        return {
            "label": self.order.label,
            "timestamp": self.timestamp,
            "state": "filled",
            "price": as_float(self.price),
            "user_id": self.order.user_id,
            "amount": as_float(self.amount),
            "direction": self.order.direction,
            "index_price": as_float(self.index_price),
            "instrument_name": instrument.name,
            "trade_seq": self.trade_seq,
            "api": True,
            "mark_price": as_float(self.mark_price),
            "order_id": self.order.order_id,
            "matching_id": None,
            "tick_direction": self.tick_direction,
            "profit_loss": as_float(self.profit_loss),
            "post_only": self.order.post_only,
            "reduce_only": self.order.reduce_only,
            "self_trade": False,
            "mmp": False,
            "contracts": as_float(instrument.contracts(self.amount)),
            "trade_id": self.trade_id,
            "fee_currency": instrument.fee_currency,
            "fee": as_float(self.fee),
            "order_type": self.order.order_type,
            "risk_reducing": False,
            "liquidity": "T",
        }


@dataclass
class Position:
    """Signed size (+long, −short) in the instrument's amount unit, entry price, realised PnL."""

    instrument: Instrument
    size: Decimal = Decimal(0)
    average_price: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)

    def apply_fill(self, direction: Direction, price: Decimal, amount: Decimal) -> Decimal:
        """Move the position by one fill; return the PnL this fill realised.

        Reducing keeps the entry price; growing averages it; crossing zero re-enters the
        remainder at the fill price.
        """
        signed = amount if direction == "buy" else -amount
        pnl = Decimal(0)
        if self.size != 0 and (self.size > 0) != (signed > 0):
            closed = min(abs(self.size), amount)
            pnl = self._pnl(closed, price)
            self.realized_pnl += pnl
        new_size = self.size + signed
        if new_size == 0:
            self.average_price = Decimal(0)
        elif self.size == 0 or (new_size > 0) != (self.size > 0):
            self.average_price = price
        elif abs(new_size) > abs(self.size):
            self.average_price = (abs(self.size) * self.average_price + amount * price) / abs(
                new_size
            )
        self.size = new_size
        return pnl

    def _pnl(self, closed: Decimal, exit_price: Decimal) -> Decimal:
        sign = 1 if self.size > 0 else -1
        if self.instrument.inverse:
            pnl = closed * (1 / self.average_price - 1 / exit_price) * sign
            return pnl.quantize(_SATOSHI, rounding=ROUND_HALF_EVEN)
        return ((exit_price - self.average_price) * closed * sign).quantize(_MICRO)

    def to_json(self, *, mark_price: Decimal, index_price: Decimal) -> dict[str, Any]:
        """The ``private/get_position`` result (field set of live ``user.changes`` positions)."""
        instrument = self.instrument
        size_currency = self.size / mark_price if instrument.inverse else self.size
        floating = Decimal(0)
        if self.size != 0:
            floating = self._pnl(abs(self.size), mark_price)
        leverage = instrument.max_leverage
        margin_base = abs(size_currency) if instrument.inverse else abs(self.size) * mark_price
        direction = "zero" if self.size == 0 else ("buy" if self.size > 0 else "sell")
        return {
            "size": as_float(self.size),
            "kind": "future",
            "maintenance_margin": round(float(margin_base) / leverage / 2, 9),
            "initial_margin": round(float(margin_base) / leverage, 9),
            "direction": direction,
            "index_price": as_float(index_price),
            "instrument_name": instrument.name,
            "settlement_price": as_float(mark_price),
            "mark_price": as_float(mark_price),
            # funding accrual is not simulated; live positions always carry the field
            "interest_value": 0.0,
            "delta": round(float(size_currency), 9),
            "average_price": float(self.average_price),
            "floating_profit_loss": as_float(floating),
            "realized_profit_loss": as_float(self.realized_pnl),
            "total_profit_loss": as_float(floating + self.realized_pnl),
            "realized_funding": 0.0,
            "leverage": leverage,
            "size_currency": round(float(size_currency), 9),
            "open_orders_margin": 0.0,
            "estimated_liquidation_price": self._liquidation_estimate(leverage),
        }

    def _liquidation_estimate(self, leverage: int) -> float | None:
        # Deribit's estimate uses the whole account's margin; the simulation's is the price at
        # which the position alone would lose its initial margin (None when flat, as Deribit)
        if self.size == 0:
            return None
        move = Decimal(1) / Decimal(leverage)
        factor = 1 - move if self.size > 0 else 1 + move
        return round(float(self.average_price * factor), 2)
