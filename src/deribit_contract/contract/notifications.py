"""Listening to the account's ``user.*`` subscriptions while a sequence runs.

A :class:`NotificationListener` is one more WebSocket connection to the target, authenticated
with the run's credentials, subscribed to ``user.orders``, ``user.trades`` and ``user.changes``
of one instrument (``raw``). It keeps every notification it reads (at most
:data:`NOTIFICATIONS_KEPT`, the oldest dropped first) and reads more only when asked
(:meth:`NotificationListener.wait_for`): the sequence rules compare them with the RPC answers
once the steps are done, waiting a bounded time for late ones.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed

from deribit_contract.errors import TargetError, TargetUnavailable
from deribit_contract.exchange.events import AccountChange
from deribit_contract.exchange.simulator import SimulatedExchange
from deribit_contract.transports.subscriptions import parse_channel, user_notifications
from deribit_contract.transports.ws_client import WsJsonRpcClient

__all__ = [
    "NOTIFICATIONS_KEPT",
    "InProcessListener",
    "NotificationListener",
    "other_protocol_url",
    "user_channels",
]

#: notifications one listener keeps (a sequence gets a few dozen; a flood cannot grow memory)
NOTIFICATIONS_KEPT = 10_000
_WS_PATH = "/ws/api/v2"


def user_channels(instrument_name: str) -> list[str]:
    """The account channels a close is seen on, for one instrument, unaggregated."""
    return [f"user.{family}.{instrument_name}.raw" for family in ("orders", "trades", "changes")]


def other_protocol_url(url: str) -> str:
    """The same host's API over the other protocol: ``http(s)://H`` <-> ``ws(s)://H/ws/api/v2``.

    Only the scheme and path change, never the host and port the guard judged.
    """
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "http", "wss": "https"}[parts.scheme.lower()]
    path = _WS_PATH if scheme.startswith("ws") else ""
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class NotificationListener(WsJsonRpcClient):
    """A WebSocket client that keeps the subscription notifications it reads."""

    def __init__(self, ws_url: str, *, timeout: float = 10.0) -> None:
        super().__init__(ws_url, timeout=timeout)
        #: ``params`` of every ``"method": "subscription"`` frame read, oldest first
        self.notifications: deque[Mapping[str, Any]] = deque(maxlen=NOTIFICATIONS_KEPT)

    def _parse(self, method: str, raw: str | bytes) -> dict[str, Any]:
        frame = super()._parse(method, raw)
        params = frame.get("params")
        if frame.get("method") == "subscription" and isinstance(params, Mapping):
            self.notifications.append(params)
        return frame

    def subscribe(self, channels: list[str]) -> None:
        """``private/subscribe`` to ``channels``; every one must be granted."""
        reply = self.call("private/subscribe", {"channels": channels})
        granted = reply.get("result")
        missing = sorted(set(channels) - set(granted if isinstance(granted, list) else []))
        if missing:
            raise TargetError(
                f"{self.ws_url} did not grant the subscription(s) {missing}: "
                f"{reply.get('error') or reply.get('result')}"
            )

    def wait_for(self, done: Callable[[], bool], *, timeout: float) -> bool:
        """Read notifications until ``done()`` holds or ``timeout`` seconds pass; True if done.

        Each round trips a ``public/get_time`` over the socket: frames the server sent before
        its answer are read on the way (and kept), so a server that sends notifications before
        replying is settled at once, and a slower one is polled within the timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            if done():
                return True
            if time.monotonic() >= deadline:
                return False
            try:
                self.call("public/get_time", {})
            except (TargetUnavailable, ConnectionClosed):
                return done()
            if not done():
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


class InProcessListener:
    """The same notifications for the in-process mock (no socket): the simulation's own change
    feed, rendered as its WebSocket would send them to ``client_id``'s subscriptions."""

    def __init__(self, exchange: SimulatedExchange, client_id: str, channels: list[str]) -> None:
        self.notifications: deque[Mapping[str, Any]] = deque(maxlen=NOTIFICATIONS_KEPT)
        parsed = [c for c in map(parse_channel, channels) if c is not None]

        def listen(changes: list[AccountChange]) -> None:
            for message in user_notifications(parsed, client_id, changes):
                self.notifications.append(message["params"])

        self._remove = exchange.add_listener(listen)

    def wait_for(self, done: Callable[[], bool], *, timeout: float) -> bool:
        """Notifications arrive with the answers here: nothing to wait for."""
        del timeout
        return done()

    def close(self) -> None:
        """Stop listening."""
        self._remove()
