"""Public market methods trading bots call besides the ticker and the book.

Book summaries (``get_book_summary_by_currency``/``_by_instrument``), the public tape
(``get_last_trades_by_instrument``), candles (``get_tradingview_chart_data``), funding
(``get_funding_rate_value``) and ``get_contract_size``, in the shapes of the vendor's reference
(the field lists typed clients validate against). The tape is the simulation's own fills: every
fill is a trade on the instrument, whoever made it, as on the real exchange.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument, as_float
from deribit_contract.exchange.methods import HANDLERS as CORE_HANDLERS
from deribit_contract.exchange.methods import Context
from deribit_contract.exchange.orders import SimTrade
from deribit_contract.exchange.params import (
    invalid_params,
    opt_count,
    opt_decimal,
    opt_enum,
    req_decimal,
    req_enum,
    req_instrument,
)

__all__ = ["HANDLERS", "RESOLUTIONS", "chart_candles", "public_trade"]

#: candle widths ``get_tradingview_chart_data`` and ``chart.trades`` accept (minutes, or 1D)
RESOLUTIONS = ("1", "3", "5", "10", "15", "30", "60", "120", "180", "360", "720", "1D")
_KINDS = ("future", "option", "spot", "future_combo", "option_combo", "any")
_SORTING = ("asc", "desc", "default")


def public_trade(trade: dict[str, Any]) -> dict[str, Any]:
    """A user trade as the public tape shows it (no order, fee, label or liquidity)."""
    keys = (
        "trade_seq",
        "trade_id",
        "timestamp",
        "tick_direction",
        "price",
        "mark_price",
        "instrument_name",
        "index_price",
        "direction",
        "amount",
        "contracts",
    )
    return {key: trade[key] for key in keys if key in trade}


def _tape(ctx: Context, instrument: Instrument) -> list[SimTrade]:
    # each fill is recorded once per side that is an account's; the tape shows it once
    seen: set[int] = set()
    out: list[SimTrade] = []
    for trade in ctx.venue.trades.values():
        if trade.order.instrument is instrument and trade.trade_seq not in seen:
            seen.add(trade.trade_seq)
            out.append(trade)
    return out


def _summary(ctx: Context, instrument: Instrument) -> dict[str, Any]:
    ticker: dict[str, Any] = CORE_HANDLERS["public/ticker"](
        replace(ctx, params={"instrument_name": instrument.name})
    )
    bid, ask = ticker["best_bid_price"], ticker["best_ask_price"]
    traded = [t for t in _tape(ctx, instrument) if t.timestamp > ctx.now_ms - 86_400_000]
    volume = sum((t.amount for t in traded), Decimal(0))
    summary = {
        "instrument_name": instrument.name,
        "base_currency": instrument.base_currency,
        "quote_currency": instrument.quote_currency,
        "creation_timestamp": ctx.now_ms,
        "mark_price": ticker["mark_price"],
        "last": ticker["last_price"],
        "bid_price": bid,
        "ask_price": ask,
        "mid_price": (bid + ask) / 2 if bid is not None and ask is not None else None,
        "high": max((as_float(t.price) for t in traded), default=None),
        "low": min((as_float(t.price) for t in traded), default=None),
        "price_change": None,
        "volume": as_float(volume / instrument.contract_size) if instrument.inverse else 0.0,
        "volume_usd": as_float(volume) if instrument.inverse else 0.0,
        "volume_notional": as_float(volume),
        "open_interest": ticker["open_interest"],
        "estimated_delivery_price": ticker["estimated_delivery_price"],
    }
    if instrument.settlement_period == "perpetual":
        summary.update(current_funding=0.0, funding_8h=0.0, interest_rate=0.0)
    return summary


def _currency(ctx: Context) -> str:
    currency = req_enum(ctx.params, "currency", ("BTC", "ETH", "USDC", "USDT", "EURR", "any"))
    opt_enum(ctx.params, "kind", _KINDS)
    return currency


def _get_book_summary_by_currency(ctx: Context) -> Any:
    currency = _currency(ctx)
    kind = opt_enum(ctx.params, "kind", _KINDS) or "any"
    return [
        _summary(ctx, i)
        for i in INSTRUMENTS.values()
        if currency in ("any", i.settlement_currency)
        and kind in ("any", "future")
        and not i.expired(ctx.now_ms)
    ]


def _get_book_summary_by_instrument(ctx: Context) -> Any:
    return [_summary(ctx, req_instrument(ctx.params))]


def _get_last_trades_by_instrument(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    count = opt_count(ctx.params, 10)
    sorting = opt_enum(ctx.params, "sorting", _SORTING) or "desc"
    start = opt_decimal(ctx.params, "start_timestamp")
    end = opt_decimal(ctx.params, "end_timestamp")
    trades = [
        t
        for t in _tape(ctx, instrument)
        if (start is None or t.timestamp >= start) and (end is None or t.timestamp <= end)
    ]
    if sorting == "desc":
        trades.reverse()
    page = trades[:count]
    return {
        "trades": [public_trade(t.to_json()) for t in page],
        "has_more": len(trades) > count,
    }


def _resolution_ms(resolution: str) -> int:
    return 86_400_000 if resolution == "1D" else int(resolution) * 60_000


def chart_candles(
    trades: Iterable[SimTrade], *, start: int, end: int, resolution: str
) -> dict[str, Any]:
    """OHLC candles of ``trades`` between ``start`` and ``end`` (ms), ``status`` ``no_data``
    when none traded, in ``get_tradingview_chart_data``'s column layout."""
    width = _resolution_ms(resolution)
    buckets: dict[int, list[SimTrade]] = {}
    for trade in trades:
        if start <= trade.timestamp <= end:
            buckets.setdefault(trade.timestamp - trade.timestamp % width, []).append(trade)
    columns: dict[str, list[Any]] = {
        k: [] for k in ("ticks", "open", "high", "low", "close", "volume", "cost")
    }
    for tick in sorted(buckets):
        fills = buckets[tick]
        prices = [as_float(t.price) for t in fills]
        volume = sum((t.amount for t in fills), Decimal(0))
        inverse = fills[0].order.instrument.inverse
        columns["ticks"].append(tick)
        columns["open"].append(prices[0])
        columns["high"].append(max(prices))
        columns["low"].append(min(prices))
        columns["close"].append(prices[-1])
        # volume in the base coin, cost in the amount unit (USD on inverse instruments)
        columns["volume"].append(
            as_float(sum((t.amount / t.price for t in fills), Decimal(0)))
            if inverse
            else as_float(volume)
        )
        columns["cost"].append(
            as_float(volume)
            if inverse
            else as_float(sum((t.amount * t.price for t in fills), Decimal(0)))
        )
    return {"status": "ok" if buckets else "no_data", **columns}


def _get_tradingview_chart_data(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    start = int(req_decimal(ctx.params, "start_timestamp"))
    end = int(req_decimal(ctx.params, "end_timestamp"))
    resolution = req_enum(ctx.params, "resolution", RESOLUTIONS)
    return chart_candles(_tape(ctx, instrument), start=start, end=end, resolution=resolution)


def _get_funding_rate_value(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    req_decimal(ctx.params, "start_timestamp")
    req_decimal(ctx.params, "end_timestamp")
    if instrument.settlement_period != "perpetual":
        raise invalid_params("instrument_name", "funding is paid on perpetuals only")
    return 0.0  # the simulation's mark never leaves the index: no funding accrues


def _get_contract_size(ctx: Context) -> Any:
    instrument = req_instrument(ctx.params)
    return {"contract_size": as_float(instrument.contract_size)}


HANDLERS: Mapping[str, Callable[[Context], Any]] = {
    "public/get_book_summary_by_currency": _get_book_summary_by_currency,
    "public/get_book_summary_by_instrument": _get_book_summary_by_instrument,
    "public/get_last_trades_by_instrument": _get_last_trades_by_instrument,
    "public/get_tradingview_chart_data": _get_tradingview_chart_data,
    "public/get_funding_rate_value": _get_funding_rate_value,
    "public/get_contract_size": _get_contract_size,
}
