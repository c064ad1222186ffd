"""Build one coherent close_position call from a position, a request and an order book.

The builder is the single source of truth for what a correct close looks like, shared by the
Hypothesis strategy (``outcomes.close_outcomes``) and the seeded fixture generator. It works in
integer ticks and integer contracts and converts to JSON numbers at the end, so sums and
weighted means are exact up to one rounding, as they are on the exchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from deribit_contract.facts import INSTRUMENTS, ErrorCode, InstrumentFacts, error_message
from deribit_contract.invariants import CloseCall
from deribit_contract.strategies._choice import Chooser

__all__ = ["CATALOG", "FILLS", "CloseOutcome", "Fill", "Instrument", "OrderType", "build_outcome"]

OrderType = Literal["market", "limit"]
Fill = Literal["full", "partial", "none", "flat"]
FILLS: tuple[Fill, ...] = ("full", "partial", "none", "flat")


@dataclass(frozen=True)
class Instrument:
    """What the builder needs to know about an instrument (``public/get_instrument`` subset).

    ``kind`` is ``"inverse"`` (amounts in USD, fees in the coin) or ``"linear"`` (amounts in the
    base coin, fees in the settlement currency). ``reference_price`` centres generated books.
    """

    instrument_name: str
    contract_size: float
    tick_size: float
    min_trade_amount: float
    kind: Literal["inverse", "linear"]
    fee_currency: str
    reference_price: float
    #: first part of order and trade ids (``"ETH-"``, ``"USDC-"``; BTC ids are bare numbers)
    id_prefix: str = ""
    taker_commission: float = float(InstrumentFacts.taker_commission)

    @classmethod
    def from_facts(cls, facts: InstrumentFacts, *, reference_price: float) -> Instrument:
        """The builder's view of one instrument of :data:`deribit_contract.facts.INSTRUMENTS`."""
        return cls(
            facts.name,
            float(facts.contract_size),
            float(facts.tick_size),
            float(facts.min_trade_amount),
            "inverse" if facts.inverse else "linear",
            facts.fee_currency,
            reference_price,
            facts.id_prefix,
            float(facts.taker_commission),
        )

    def as_json(self) -> dict[str, Any]:
        """The instrument as a JSON object (for fixtures)."""
        return {
            "instrument_name": self.instrument_name,
            "contract_size": self.contract_size,
            "tick_size": self.tick_size,
            "min_trade_amount": self.min_trade_amount,
            "kind": self.kind,
        }


# Where generated books are centred (a choice of the builder, not a vendor fact).
_REFERENCE_PRICES = {
    "BTC-PERPETUAL": 60000.0,
    "ETH-PERPETUAL": 2500.0,
    "BTC-27JUN25": 62000.0,
    "BTC_USDC-PERPETUAL": 60000.0,
    "ETH_USDC-PERPETUAL": 2500.0,
}

#: every instrument of :data:`deribit_contract.facts.INSTRUMENTS`, contract sizes and ticks as
#: Deribit lists them
CATALOG: tuple[Instrument, ...] = tuple(
    Instrument.from_facts(facts, reference_price=_REFERENCE_PRICES[name])
    for name, facts in INSTRUMENTS.items()
)


@dataclass(frozen=True)
class CloseOutcome:
    """One coherent call: what was sent, the position around it and what came back."""

    request: dict[str, Any]
    position_before: dict[str, Any]
    response: dict[str, Any]
    position_after: dict[str, Any]
    instrument: Instrument
    book: dict[str, Any] = field(default_factory=dict)

    def as_tuple(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        """``(request, position_before, response, position_after)``."""
        return self.request, self.position_before, self.response, self.position_after

    @property
    def call(self) -> CloseCall:
        """The call as the invariants and ``assert_close_position_contract`` take it."""
        return CloseCall(
            self.request,
            self.position_before,
            self.response,
            self.position_after,
            self.instrument.tick_size,
        )

    def as_json(self) -> dict[str, Any]:
        """The outcome as one JSON object (for fixtures)."""
        return {
            "request": self.request,
            "position_before": self.position_before,
            "response": self.response,
            "position_after": self.position_after,
            "instrument": self.instrument.as_json(),
            "book": self.book,
        }


def _num(value: float) -> float:
    """A JSON number without binary noise (``0.30000000000000004`` becomes ``0.3``)."""
    return round(value, 10) + 0.0


def _position(instrument: Instrument, contracts: int) -> dict[str, Any]:
    direction = "buy" if contracts > 0 else "sell" if contracts < 0 else "zero"
    return {
        "instrument_name": instrument.instrument_name,
        "size": _num(contracts * instrument.contract_size),
        "direction": direction,
        "kind": "future",
    }


def _split(chooser: Chooser, total: int, parts: int) -> list[int]:
    """``total`` contracts cut into ``parts`` positive pieces."""
    parts = max(1, min(parts, total))
    pieces: list[int] = []
    remaining = total
    for index in range(parts - 1):
        piece = chooser.integer(1, remaining - (parts - 1 - index))
        pieces.append(piece)
        remaining -= piece
    pieces.append(remaining)
    return pieces


def build_outcome(
    chooser: Chooser,
    *,
    instrument: Instrument,
    order_type: OrderType,
    fill: Fill,
    request_id: int,
) -> CloseOutcome:
    """A coherent close of a drawn position on ``instrument`` with the given type and fill.

    ``fill`` picks the book: ``"full"`` (enough marketable liquidity), ``"partial"`` (some, not
    enough: a limit close rests, a market close is cancelled), ``"none"`` (nothing marketable)
    or ``"flat"`` (no position: the exchange answers with a JSON-RPC error).
    """
    side = chooser.choice((1, -1))  # +1: long position (closed by a sell), -1: short
    low = 2 if fill == "partial" else 1
    contracts = chooser.integer(low, 400)
    taker = -side  # the closing order trades against the other side: +1 buys, -1 sells
    tick = instrument.tick_size
    base = round(instrument.reference_price / tick)
    best = base + chooser.integer(-200, 200)  # best price on the side we trade against, in ticks
    step = chooser.integer(1, 3)

    marketable = {
        "full": contracts + chooser.integer(0, contracts),
        "partial": chooser.integer(1, contracts - 1) if contracts > 1 else 0,
        "none": 0,
        "flat": 0,
    }[fill]
    pieces = _split(chooser, marketable, chooser.integer(1, 4)) if marketable else []
    levels = [(best + taker * index * step, amount) for index, amount in enumerate(pieces)]
    limit_ticks: int | None = None
    if order_type == "limit":
        worst = levels[-1][0] if levels else best - taker
        limit_ticks = worst + taker * chooser.integer(0, 2)
        # Liquidity beyond the limit price: on the book, but not marketable for this order.
        beyond = [
            (limit_ticks + taker * (1 + index * step), chooser.integer(1, 50))
            for index in range(chooser.integer(0, 2))
        ]
    else:
        beyond = []
    same_side = levels + beyond
    top = same_side[0][0] if same_side else best
    spread = chooser.integer(1, 4)
    other = [
        (top - taker * (spread + index * step), chooser.integer(1, 50))
        for index in range(chooser.integer(0, 3))
    ]
    book = _book(instrument, taker, same_side, other)

    params: dict[str, Any] = {"instrument_name": instrument.instrument_name, "type": order_type}
    if limit_ticks is not None:
        params["price"] = _num(limit_ticks * tick)
    request = {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "private/close_position",
        "params": params,
    }
    created = 1_600_000_000_000 + chooser.integer(0, 200_000_000_000)
    us_in = created * 1000 - chooser.integer(50, 5000)
    before_contracts = 0 if fill == "flat" else side * contracts
    position_before = _position(instrument, before_contracts)

    if fill == "flat":
        code, message = chooser.choice(_FLAT_ERRORS)
        us_out = created * 1000 + chooser.integer(10, 5000)
        error = {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {"code": code, "message": message},
            "testnet": True,
            "usIn": us_in,
            "usOut": us_out,
            "usDiff": us_out - us_in,
        }
        return CloseOutcome(
            request, position_before, error, _position(instrument, 0), instrument, book
        )

    remaining = contracts
    fills: list[tuple[int, int]] = []
    for price, amount in levels:
        if remaining == 0:
            break
        taken = min(amount, remaining)
        fills.append((price, taken))
        remaining -= taken
    filled = contracts - remaining
    state = "filled" if remaining == 0 else "open" if order_type == "limit" else "cancelled"
    order_id = f"{instrument.id_prefix}{chooser.integer(1, 10**10)}"
    direction = "buy" if taker > 0 else "sell"
    stamps = sorted(created + chooser.integer(0, 3) for _ in fills)
    updated = max([created, *stamps]) + (chooser.integer(0, 2) if state != "filled" else 0)
    trades = [
        _trade(
            chooser,
            instrument,
            order_id=order_id,
            direction=direction,
            order_type=order_type,
            state=state,
            price_ticks=price,
            contracts=taken,
            timestamp=stamp,
            sequence=index,
        )
        for index, ((price, taken), stamp) in enumerate(zip(fills, stamps, strict=True))
    ]
    cs = instrument.contract_size
    mean = (
        sum(price * tick * taken * cs for price, taken in fills) / (filled * cs) if filled else 0.0
    )
    if order_type == "limit":
        price_field: Any = params["price"]
    else:  # live market orders carry a numeric cap price, older ones the word "market_price"
        price_field = chooser.choice(("market_price", _num((best + taker * 50) * tick)))
    order: dict[str, Any] = {
        "order_id": order_id, "instrument_name": instrument.instrument_name, "direction": direction,
        "amount": _num(contracts * cs), "filled_amount": _num(filled * cs), "contracts": float(contracts),
        "order_type": order_type, "order_state": state, "price": price_field, "average_price": _num(mean),
        "reduce_only": True, "post_only": False, "reject_post_only": False, "time_in_force": "good_til_cancelled",
        "creation_timestamp": created, "last_update_timestamp": updated, "label": "", "api": True,
        "web": False, "is_liquidation": False, "replaced": False, "mmp": False, "risk_reducing": False,
    }  # fmt: skip
    us_out = updated * 1000 + chooser.integer(10, 5000)
    response = {
        "jsonrpc": "2.0",
        "id": request_id,
        "result": {"order": order, "trades": trades},
        "testnet": True,
        "usIn": us_in,
        "usOut": us_out,
        "usDiff": us_out - us_in,
    }
    position_after = _position(instrument, side * remaining)
    return CloseOutcome(request, position_before, response, position_after, instrument, book)


# No public source documents the answer to closing a flat position (see the shared notes); any
# JSON-RPC error satisfies the contract, so the builder rotates through plausible ones (11030
# appends its reason to the message).
_FLAT_ERRORS: tuple[tuple[int, str], ...] = (
    (ErrorCode.INVALID_ARGUMENTS, error_message(ErrorCode.INVALID_ARGUMENTS)),
    (ErrorCode.OTHER_REJECT, error_message(ErrorCode.OTHER_REJECT) + " no_position"),
    (ErrorCode.INVALID_PARAMS, error_message(ErrorCode.INVALID_PARAMS)),
)


def _book(
    instrument: Instrument, taker: int, same: list[tuple[int, int]], other: list[tuple[int, int]]
) -> dict[str, Any]:
    """``get_order_book``-style ``bids``/``asks`` lists of ``[price, amount]``, best first."""
    tick, cs = instrument.tick_size, instrument.contract_size

    def render(levels: list[tuple[int, int]], *, descending: bool) -> list[list[float]]:
        ordered = sorted(levels, key=lambda level: level[0], reverse=descending)
        return [[_num(price * tick), _num(amount * cs)] for price, amount in ordered]

    asks, bids = (same, other) if taker > 0 else (other, same)
    return {
        "instrument_name": instrument.instrument_name,
        "tick_size": tick,
        "bids": render(bids, descending=True),
        "asks": render(asks, descending=False),
    }


def _trade(
    chooser: Chooser,
    instrument: Instrument,
    *,
    order_id: str,
    direction: str,
    order_type: str,
    state: str,
    price_ticks: int,
    contracts: int,
    timestamp: int,
    sequence: int,
) -> dict[str, Any]:
    price = _num(price_ticks * instrument.tick_size)
    amount = _num(contracts * instrument.contract_size)
    # Taker fee: in the coin for inverse contracts, in the settlement currency for linear.
    rate = instrument.taker_commission
    fee = amount / price * rate if instrument.kind == "inverse" else amount * price * rate
    index_price = _num(price + chooser.integer(-20, 20) * instrument.tick_size)
    return {
        "trade_id": f"{instrument.id_prefix}{chooser.integer(1, 10**9)}", "trade_seq": chooser.integer(1, 10**8) + sequence,
        "timestamp": timestamp, "instrument_name": instrument.instrument_name, "order_id": order_id,
        "order_type": order_type, "direction": direction, "price": price, "amount": amount,
        "contracts": float(contracts), "state": state, "reduce_only": True, "post_only": False,
        "liquidity": "T", "fee": round(fee, 12), "fee_currency": instrument.fee_currency, "matching_id": None,
        "mark_price": index_price, "index_price": index_price, "tick_direction": chooser.integer(0, 3),
        "api": True, "mmp": False, "risk_reducing": False, "self_trade": False, "profit_loss": 0.0,
    }  # fmt: skip
