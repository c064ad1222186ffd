"""The messages of the public market channels and of ``user.portfolio``, per subscription.

:func:`on_subscribe` is what a channel sends when it is subscribed (a ticker, a book snapshot,
the account summary), :func:`on_changes` what it sends after a request changed the market or
an account (the new fills on the tape, the candle they fall in, the book after them). Data is
read from the exchange without recording a call (``market_view``, ``ticker``,
``account_summary``), so watching the market never shows up as traffic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deribit_contract.exchange.events import AccountChange
from deribit_contract.exchange.instruments import INSTRUMENTS
from deribit_contract.exchange.staging_market import public_trade
from deribit_contract.transports.subscriptions import PORTFOLIO, Channel, notification

__all__ = ["on_changes", "on_subscribe"]

_MINUTE_MS = 60_000


def _view(exchange: object, method: str, params: dict[str, Any]) -> Any:
    reader = getattr(exchange, "market_view", None)
    return reader(method, params) if callable(reader) else None


def _ticker(exchange: object, channel: Channel, kind: str | None = None) -> list[dict[str, Any]]:
    data = _view(exchange, "public/ticker", {"instrument_name": channel.instrument})
    if not isinstance(data, dict):
        return []
    if kind is not None:
        data = {"type": kind, **data}
    return [notification(channel.name, data)]


def _levels(side: list[list[float]]) -> dict[float, float]:
    return {level[0]: level[1] for level in side}


def _diff(before: dict[float, float], after: dict[float, float]) -> list[list[Any]]:
    """``[action, price, amount]`` entries taking ``before`` to ``after`` (Deribit's actions)."""
    out: list[list[Any]] = []
    for price in sorted(before.keys() | after.keys()):
        if price not in after:
            out.append(["delete", price, 0.0])
        elif price not in before:
            out.append(["new", price, after[price]])
        elif before[price] != after[price]:
            out.append(["change", price, after[price]])
    return out


def _book(exchange: object, channel: Channel, *, first: bool) -> list[dict[str, Any]]:
    """A grouped book's levels; a raw book's snapshot first, then the ``change`` since the
    last message (``prev_change_id`` chaining them), as the recorded book channel sends."""
    depth = channel.depth or 10_000
    book = _view(
        exchange, "public/get_order_book", {"instrument_name": channel.instrument, "depth": depth}
    )
    if not isinstance(book, dict):
        return []
    data: dict[str, Any] = {
        "timestamp": book["timestamp"],
        "instrument_name": book["instrument_name"],
        "change_id": book["change_id"],
    }
    if channel.family == "book.grouped":
        data["bids"], data["asks"] = book["bids"], book["asks"]
        return [notification(channel.name, data)]
    sides = {side: _levels(book[side]) for side in ("bids", "asks")}
    state = channel.state
    if first or "sides" not in state:
        data["type"] = "snapshot"
        for side, levels in sides.items():
            data[side] = [["new", price, amount] for price, amount in levels.items()]
    else:
        changes = {side: _diff(state["sides"][side], sides[side]) for side in sides}
        if not any(changes.values()):
            return []
        data["change_id"] = max(book["change_id"], state["change_id"] + 1)
        data.update(type="change", prev_change_id=state["change_id"], **changes)
    state.update(sides=sides, change_id=data["change_id"])
    return [notification(channel.name, data)]


def _portfolio(exchange: object, channel: Channel, client: str | None) -> list[dict[str, Any]]:
    summary = getattr(exchange, "account_summary", None)
    if not callable(summary) or client is None:
        return []
    currencies = sorted({i.settlement_currency for i in INSTRUMENTS.values()})
    wanted = currencies if channel.currency == "any" else [channel.currency]
    wanted = [currency for currency in wanted if currency in currencies]
    return [notification(channel.name, summary(client, currency)) for currency in wanted]


def on_subscribe(channel: Channel, exchange: object, client: str | None) -> list[dict[str, Any]]:
    """The messages ``channel`` sends as soon as it is subscribed (none for the tape and
    candles, which speak only when something trades)."""
    if channel.family == "ticker":
        return _ticker(exchange, channel)
    if channel.family == "incremental_ticker":
        return _ticker(exchange, channel, "snapshot")
    if channel.family in ("book", "book.grouped"):
        return _book(exchange, channel, first=True)
    if channel.family == PORTFOLIO:
        return _portfolio(exchange, channel, client)
    return []


def _fills(channel: Channel, changes: Iterable[AccountChange]) -> list[dict[str, Any]]:
    """The public trades of ``changes`` this channel covers, once each, in order."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for change in changes:
        if not channel.covers(change.instrument_name):
            continue
        for trade in change.trades:
            if trade["trade_id"] not in seen:
                seen.add(trade["trade_id"])
                out.append(public_trade(trade))
    return out


def _candle(exchange: object, channel: Channel, fills: list[dict[str, Any]]) -> dict[str, Any]:
    resolution = channel.resolution
    width = 1440 * _MINUTE_MS if resolution == "1D" else int(resolution) * _MINUTE_MS
    last = max(trade["timestamp"] for trade in fills)
    start = last - last % width
    chart = _view(
        exchange,
        "public/get_tradingview_chart_data",
        {
            "instrument_name": channel.instrument,
            "start_timestamp": start,
            "end_timestamp": start + width - 1,
            "resolution": resolution,
        },
    )
    if not isinstance(chart, dict) or not chart.get("ticks"):
        return {}
    return {
        "tick": chart["ticks"][-1],
        **{key: chart[key][-1] for key in ("open", "high", "low", "close", "volume", "cost")},
    }


def on_changes(
    channel: Channel, exchange: object, client: str | None, changes: list[AccountChange]
) -> list[dict[str, Any]]:
    """The messages ``channel`` sends after ``changes`` (fills on its instruments, or a change
    of the subscriber's account for ``user.portfolio``)."""
    if channel.family == PORTFOLIO:
        mine = {c.instrument_name for c in changes if c.client_id == client}
        if any(channel.covers(name) for name in mine):
            return _portfolio(exchange, channel, client)
        return []
    fills = _fills(channel, changes)
    if not fills:
        return []
    if channel.family == "trades":
        return [notification(channel.name, fills)]
    if channel.family == "chart.trades":
        candle = _candle(exchange, channel, fills)
        return [notification(channel.name, candle)] if candle else []
    if channel.family == "ticker":
        return _ticker(exchange, channel)
    if channel.family == "incremental_ticker":
        return _ticker(exchange, channel, "change")
    if channel.family in ("book", "book.grouped"):
        return _book(exchange, channel, first=False)
    return []
