"""Deribit's subscription channels: names, who may subscribe, and the notifications they get.

Channels the staging exchange serves (the ones bots watch around a close):

* ``user.orders.{instrument}.{interval}`` and ``user.orders.{kind}.{currency}.{interval}``:
  ``data`` is the order (``raw``) or a list of orders (``100ms``);
* ``user.trades.…`` (same two forms): ``data`` is a list of trades;
* ``user.changes.…``: ``data`` is ``{orders, instrument_name, trades, positions}``;
* ``ticker.{instrument}.{interval}``: ``data`` is the ``public/ticker`` result.
* ``user.portfolio.{currency}``: ``data`` is the ``private/get_account_summary`` result of that
  currency (ccxt's ``watch_balance``); sent on subscribe and after each change of the account
  on an instrument settling in it.

``kind`` is ``future`` or ``any``; ``currency`` is the instrument's base or settlement currency,
or ``any`` (ccxt's ``watch_orders`` subscribes to ``user.orders.any.any.raw``). Shapes follow
the real notifications in ``fixtures/captured/realdata/notifications``:
``{"jsonrpc": "2.0", "method": "subscription", "params": {"channel": ..., "data": ...}}``.
``user.*`` channels are private (``private/subscribe`` on an authenticated connection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deribit_contract.exchange.events import AccountChange
from deribit_contract.exchange.instruments import INSTRUMENTS

__all__ = ["PORTFOLIO", "Channel", "notification", "parse_channel", "user_notifications"]

_USER_FAMILIES = ("user.orders", "user.trades", "user.changes")
#: the channel family of account summaries (its data comes from the exchange, not the change)
PORTFOLIO = "user.portfolio"
_INTERVALS = ("raw", "100ms", "agg2")


@dataclass(frozen=True)
class Channel:
    """A parsed channel name: ``instrument`` set, or ``kind``/``currency`` filters."""

    name: str
    family: str
    interval: str
    instrument: str | None = None
    kind: str = "any"
    currency: str = "any"

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
            return instrument.settlement_currency == self.currency
        currencies = ("any", instrument.base_currency, instrument.settlement_currency)
        return self.kind in ("any", "future") and self.currency in currencies


def parse_channel(name: object) -> Channel | None:
    """The channel ``name`` denotes, or None when the simulation does not serve it."""
    if not isinstance(name, str):
        return None
    parts = name.split(".")
    if parts[:2] == ["user", "portfolio"] and len(parts) == 3:
        currency = parts[2].upper()
        known = {i.settlement_currency for i in INSTRUMENTS.values()}
        return Channel(name, PORTFOLIO, "raw", currency=currency) if currency in known else None
    if parts[0] == "ticker" and len(parts) == 3:
        family, rest = "ticker", parts[1:]
    elif parts[0] == "user" and len(parts) in (4, 5) and f"user.{parts[1]}" in _USER_FAMILIES:
        family, rest = f"user.{parts[1]}", parts[2:]
    else:
        return None
    interval = rest[-1]
    if interval not in _INTERVALS:
        return None
    if len(rest) == 2:
        if rest[0] not in INSTRUMENTS:
            return None
        return Channel(name, family, interval, instrument=rest[0])
    if family == "ticker":
        return None
    return Channel(name, family, interval, kind=rest[0], currency=rest[1])


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
