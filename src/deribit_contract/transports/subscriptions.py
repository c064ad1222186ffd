"""Deribit's subscription channels: names, who may subscribe, and the notifications they get.

Channels the staging exchange serves (the ones bots watch around a close):

* ``user.orders.{instrument}.{interval}`` and ``user.orders.{kind}.{currency}.{interval}``:
  ``data`` is the order (``raw``) or a list of orders (``100ms``);
* ``user.trades.…`` (same two forms): ``data`` is a list of trades;
* ``user.changes.…``: ``data`` is ``{orders, instrument_name, trades, positions}``;
* ``ticker.{instrument}.{interval}``: ``data`` is the ``public/ticker`` result;
  ``incremental_ticker.{instrument}``: the same, ``type`` ``snapshot`` first, then ``change``.
* ``book.{instrument}.{interval}``: ``{type, timestamp, instrument_name, change_id, bids, asks}``
  with ``[action, price, amount]`` levels (the recorded
  ``market/fastmm__book.BTC-PERPETUAL.100ms__change_1.json``): a ``snapshot`` on subscribe,
  then after each fill the ``change`` since the last message (``new``/``change``/``delete``
  levels, ``prev_change_id`` chaining them);
  ``book.{instrument}.{group}.{depth}.{interval}``: ``[price, amount]`` levels, ``depth`` deep.
* ``trades.{instrument}.{interval}`` and ``trades.{kind}.{currency}.{interval}``: the public
  tape (``market/fastmm__trades.BTC-PERPETUAL.100ms__starbase_1.json``), after each fill;
* ``chart.trades.{instrument}.{resolution}``: the current candle, after each fill.
* ``user.portfolio.{currency}`` and ``user.portfolio.any``: ``data`` is the
  ``private/get_account_summary`` result of the currency (each settlement currency for ``any``;
  ccxt's ``watch_balance``); sent on subscribe and after each change of the account on an
  instrument settling in it.

A name the catalogue does not serve is refused (-32602, naming the channel), never left out of
the answer: a client waiting for its subscription would otherwise wait forever. (The real
exchange leaves a malformed name out of its answer,
``market/fastmm__public_subscribe__dropped_channel_1.json``; the staging exchange refuses it,
so a bot's mistake shows.)

``kind`` is ``future`` or ``any``; ``currency`` is the instrument's base or settlement currency,
or ``any`` (ccxt's ``watch_orders`` subscribes to ``user.orders.any.any.raw``). Shapes follow
the real notifications in ``fixtures/captured/realdata/notifications``:
``{"jsonrpc": "2.0", "method": "subscription", "params": {"channel": ..., "data": ...}}``.
``user.*`` channels are private (``private/subscribe`` on an authenticated connection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.exchange.events import AccountChange
from deribit_contract.exchange.instruments import INSTRUMENTS
from deribit_contract.exchange.staging_market import RESOLUTIONS

__all__ = [
    "PORTFOLIO",
    "Channel",
    "notification",
    "parse_channel",
    "unsupported_channels",
    "user_notifications",
]

_USER_FAMILIES = ("user.orders", "user.trades", "user.changes")
#: the channel family of account summaries (its data comes from the exchange, not the change)
PORTFOLIO = "user.portfolio"
_INTERVALS = ("raw", "100ms", "agg2")
#: a currency code: Deribit keeps a portfolio in each of its currencies (ccxt's watch_balance
#: subscribes to BTC, ETH, SOL and USDC); one the simulation holds nothing in is subscribed and
#: stays silent, since the simulation cannot know every currency the exchange lists
_CURRENCY_CODE = re.compile(r"^[A-Z0-9]{2,10}$")
_GROUPS = ("none", "1", "2", "5", "10", "25", "100", "250")
_DEPTHS = ("1", "10", "20")


@dataclass(frozen=True)
class Channel:
    """A parsed channel name: ``instrument`` set, or ``kind``/``currency`` filters."""

    name: str
    family: str
    interval: str
    instrument: str | None = None
    kind: str = "any"
    currency: str = "any"
    #: ``book.grouped``: levels sent per side; ``chart.trades``: the candle width
    depth: int = 0
    resolution: str = ""
    #: what this subscription last sent (the book it diffs its next ``change`` against)
    state: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def private(self) -> bool:
        """True for the ``user.*`` channels, which need an authenticated connection."""
        return self.family.startswith("user.")

    def covers(self, instrument_name: str) -> bool:
        """True when events on ``instrument_name`` belong on this channel."""
        if self.instrument is not None:
            return self.instrument == instrument_name
        instrument = INSTRUMENTS[instrument_name]
        if self.family == PORTFOLIO:
            return self.currency in ("any", instrument.settlement_currency)
        currencies = ("any", instrument.base_currency, instrument.settlement_currency)
        return self.kind in ("any", "future") and self.currency in currencies


def parse_channel(name: object) -> Channel | None:
    """The channel ``name`` denotes, or None when the simulation does not serve it."""
    if not isinstance(name, str):
        return None
    parts = name.split(".")
    if parts[:2] == ["user", "portfolio"] and len(parts) == 3:
        currency = parts[2].upper()
        if not _CURRENCY_CODE.match(currency):
            return None
        return Channel(name, PORTFOLIO, "raw", currency="any" if currency == "ANY" else currency)
    market = _market_channel(name, parts)
    if market is not None or parts[0] != "user":
        return market
    if len(parts) not in (4, 5) or f"user.{parts[1]}" not in _USER_FAMILIES:
        return None
    family, rest = f"user.{parts[1]}", parts[2:]
    interval = rest[-1]
    if interval not in _INTERVALS:
        return None
    if len(rest) == 2:
        return (
            Channel(name, family, interval, instrument=rest[0]) if rest[0] in INSTRUMENTS else None
        )
    return Channel(name, family, interval, kind=rest[0], currency=rest[1])


def _market_channel(name: str, parts: list[str]) -> Channel | None:
    """A public market channel (instrument names hold no dot, so the parts are unambiguous)."""
    head, size = parts[0], len(parts)
    instrument = parts[1] if size > 1 and parts[1] in INSTRUMENTS else None
    if head == "incremental_ticker" and size == 2 and instrument:
        return Channel(name, "incremental_ticker", "100ms", instrument=instrument)
    if head in ("ticker", "book") and size == 3 and instrument and parts[2] in _INTERVALS:
        return Channel(name, head, parts[2], instrument=instrument)
    if head == "book" and size == 5 and instrument and parts[2] in _GROUPS:
        if parts[3] in _DEPTHS and parts[4] in _INTERVALS:
            return Channel(
                name, "book.grouped", parts[4], instrument=instrument, depth=int(parts[3])
            )
        return None
    if head == "trades" and size == 3 and instrument and parts[2] in _INTERVALS:
        return Channel(name, "trades", parts[2], instrument=instrument)
    if head == "trades" and size == 4 and parts[3] in _INTERVALS:
        kind, currency = parts[1], parts[2].upper()
        currencies = {i.settlement_currency for i in INSTRUMENTS.values()} | {"ANY"}
        if kind in ("future", "any") and currency in currencies:
            return Channel(name, "trades", parts[3], kind=kind, currency=parts[2])
        return None
    chart = head == "chart" and size == 4 and parts[1] == "trades"
    if chart and parts[2] in INSTRUMENTS and parts[3] in RESOLUTIONS:
        return Channel(name, "chart.trades", "raw", instrument=parts[2], resolution=parts[3])
    return None


def unsupported_channels(names: Iterable[object]) -> list[str]:
    """The names in ``names`` the simulation does not serve, in order."""
    return [str(name) for name in names if parse_channel(name) is None]


def notification(channel: str, data: Any) -> dict[str, Any]:
    """One subscription message as Deribit sends it."""
    return {
        "jsonrpc": "2.0",
        "method": "subscription",
        "params": {"channel": channel, "data": data},
    }


def _user_data(channel: Channel, change: AccountChange) -> list[Any]:
    """The ``data`` values ``channel`` gets for ``change`` (one message per value)."""
    if channel.family == "user.orders":
        if not change.orders:
            return []
        return list(change.orders) if channel.interval == "raw" else [list(change.orders)]
    if channel.family == "user.trades":
        return [list(change.trades)] if change.trades else []
    return [
        {
            "orders": list(change.orders),
            "instrument_name": change.instrument_name,
            "trades": list(change.trades),
            "positions": [change.position],
        }
    ]


def user_notifications(
    channels: Iterable[Channel], client_id: str | None, changes: Iterable[AccountChange]
) -> list[dict[str, Any]]:
    """The ``user.*`` messages an account's connection gets for ``changes``, in order."""
    if client_id is None:
        return []
    messages: list[dict[str, Any]] = []
    for change in changes:
        if change.client_id != client_id:
            continue
        for channel in channels:
            if channel.family in _USER_FAMILIES and channel.covers(change.instrument_name):
                messages.extend(
                    notification(channel.name, data) for data in _user_data(channel, change)
                )
    return messages
