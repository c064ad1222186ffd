"""One WebSocket connection to the staging exchange: its session, subscriptions and heartbeat.

JSON-RPC requests go to the exchange as on HTTP; a token from ``public/auth`` on the socket
authenticates the connection (Deribit's connection scope). The connection-level methods are
answered here, because they exist only on a socket:

* ``public/subscribe`` / ``private/subscribe`` (``channels``: result is the list subscribed;
  ``user.*`` channels need ``private/subscribe`` on an authenticated connection, else 13009),
  ``public/unsubscribe`` / ``private/unsubscribe`` and ``…/unsubscribe_all``;
* ``public/set_heartbeat`` (``interval`` >= 10 s) and ``public/disable_heartbeat``: every
  interval the server sends ``{"method": "heartbeat", "params": {"type": "test_request"}}``; a
  connection that did not answer the previous one with ``public/test`` is closed, as Deribit does.

Messages leave through ``push`` (thread-safe, supplied by the server), so replies, notifications
and heartbeats share one ordered outbox; ``close`` asks the server to end the connection. A
socket holds at most ``max_channels`` subscriptions (more is refused with -32602).
Notifications come from the exchange's change listener and from ticker and portfolio
subscriptions (one message on subscribe, then one after each fill, or each change of the
account).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson

from deribit_contract.exchange.events import AccountChange
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode, method_name, success_envelope
from deribit_contract.exchange.params import RpcError, req_decimal
from deribit_contract.transports import market_feed
from deribit_contract.transports.gateway import (
    ExchangeLike,
    exchange_time_us,
    parse_json_body,
    take_access_token,
    transport_error,
)
from deribit_contract.transports.limits import SUBSCRIPTIONS_PER_SOCKET
from deribit_contract.transports.subscriptions import (
    Channel,
    parse_channel,
    unsupported_channels,
    user_notifications,
)

__all__ = ["MIN_HEARTBEAT_S", "WsSession"]

MIN_HEARTBEAT_S = 10  # Deribit refuses shorter heartbeat intervals
_SUBSCRIBE = ("public/subscribe", "private/subscribe")
_UNSUBSCRIBE = ("public/unsubscribe", "private/unsubscribe")
_UNSUBSCRIBE_ALL = ("public/unsubscribe_all", "private/unsubscribe_all")
_HEARTBEAT = ("public/set_heartbeat", "public/disable_heartbeat")
SESSION_METHODS = frozenset(_SUBSCRIBE + _UNSUBSCRIBE + _UNSUBSCRIBE_ALL + _HEARTBEAT)


class _Refusal(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class WsSession:
    """The state of one connection; ``answer`` is called per frame, ``close`` at the end.

    ``seconds_per_second`` scales heartbeat intervals (tests run a 10 s heartbeat in 0.1 s);
    ``close(reason)`` ends the connection (a missed heartbeat).
    """

    def __init__(
        self,
        exchange: ExchangeLike,
        push: Callable[[bytes], None],
        *,
        seconds_per_second: float = 1.0,
        max_channels: int = SUBSCRIPTIONS_PER_SOCKET,
        close: Callable[[str], None] | None = None,
    ) -> None:
        self.exchange = exchange
        self.auth = Auth()
        self.channels: dict[str, Channel] = {}
        self._push = push
        self._close = close
        self._max_channels = max_channels
        self._scale = seconds_per_second
        self._heartbeat: asyncio.Task[None] | None = None
        self._awaiting_test = False
        # listening costs the exchange a diff per request: only while something is subscribed
        self._remove_listener: Callable[[], None] | None = None

    def close(self) -> None:
        """Stop the heartbeat and the notifications (the socket is gone)."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.channels.clear()
        self._listen()

    def _listen(self) -> None:
        """Listen to the exchange's changes exactly while some channel is subscribed."""
        if self.channels and self._remove_listener is None:
            add_listener = getattr(self.exchange, "add_listener", None)
            if callable(add_listener):
                self._remove_listener = add_listener(self._on_changes)
        elif not self.channels and self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None

    def answer(self, data: str | bytes) -> bytes:
        """The reply to one frame (notifications it causes are pushed after it)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        message, failure = parse_json_body(raw, exchange=self.exchange)
        if failure is not None:
            return orjson.dumps(failure)
        message, auth = take_access_token(message, Auth())
        if auth.kind == "none":
            auth = self.auth
        raw_method = message.get("method") if isinstance(message, dict) else None
        method = method_name(raw_method) if isinstance(raw_method, str) else ""
        if method == "public/test":
            self._awaiting_test = False
        if isinstance(message, dict) and method in SESSION_METHODS:
            return orjson.dumps(self._session_method(message, method, auth))
        try:
            envelope = self.exchange.handle(message, auth=auth)
        except Exception as exc:  # the exchange promises not to raise; never drop the socket
            envelope = transport_error(
                ErrorCode.INTERNAL_ERROR,
                "Internal error",
                data={"reason": type(exc).__name__},
                exchange=self.exchange,
            )
        if method == "public/auth":
            result = envelope.get("result")
            token = result.get("access_token") if isinstance(result, dict) else None
            if isinstance(token, str) and token:
                self.auth = Auth(kind="bearer", token=token)
        return orjson.dumps(envelope)

    # --- connection-level methods ---------------------------------------------------------

    def _session_method(self, message: dict[str, Any], method: str, auth: Auth) -> dict[str, Any]:
        request_id = message.get("id")
        params = message.get("params") or {}
        try:
            if not isinstance(params, dict):
                raise _Refusal(ErrorCode.INVALID_PARAMS, "Invalid params", {"param": "params"})
            result = self._run(method, params, auth)
        except _Refusal as refusal:
            return transport_error(
                refusal.code,
                refusal.message,
                data=refusal.data,
                request_id=request_id,
                exchange=self.exchange,
            )
        now = exchange_time_us(self.exchange)
        return success_envelope(request_id, result, us_in=now, us_out=now)

    def _run(self, method: str, params: dict[str, Any], auth: Auth) -> Any:
        if method in _SUBSCRIBE:
            subscribed = self._subscribe(
                _channel_names(params), private=method.startswith("private/"), auth=auth
            )
            self._listen()
            return subscribed
        if method in _UNSUBSCRIBE:
            names = _channel_names(params)
            gone = [name for name in names if self.channels.pop(name, None) is not None]
            self._listen()
            return gone
        if method in _UNSUBSCRIBE_ALL:
            self.channels.clear()
            self._listen()
            return "ok"
        if method == "public/disable_heartbeat":
            if self._heartbeat is not None:
                self._heartbeat.cancel()
                self._heartbeat = None
            return "ok"
        interval = params.get("interval")
        if isinstance(interval, bool) or not isinstance(interval, (int, float)):
            raise _Refusal(
                ErrorCode.INVALID_PARAMS,
                "Invalid params",
                {"reason": "value required", "param": "interval"},
            )
        try:  # the number rules every param follows: 1e308 is out of range, 1e400 no number
            req_decimal(params, "interval")
        except RpcError as refusal:
            raise _Refusal(refusal.code, refusal.message, refusal.data) from None
        if interval < MIN_HEARTBEAT_S:
            raise _Refusal(
                ErrorCode.INVALID_PARAMS,
                "Invalid params",
                {"reason": f"must be at least {MIN_HEARTBEAT_S}", "param": "interval"},
            )
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._awaiting_test = False
        self._heartbeat = asyncio.get_running_loop().create_task(self._beat(float(interval)))
        return "ok"

    def _subscribe(self, names: list[str], *, private: bool, auth: Auth) -> list[str]:
        # never answer with a shortened list: a client waits for every channel it asked for
        unsupported = unsupported_channels(names)
        if unsupported:
            reason = f"unsupported channel {unsupported[0]}"
            raise _Refusal(
                ErrorCode.INVALID_PARAMS, "Invalid params", {"reason": reason, "param": "channels"}
            )
        channels = [c for c in (parse_channel(name) for name in names) if c is not None]
        if private and any(c.private for c in channels) and self._client(auth) is None:
            raise _Refusal(ErrorCode.UNAUTHORIZED, "unauthorized")
        if not private and any(c.private for c in channels):
            reason = "user.* channels need private/subscribe"
            raise _Refusal(
                ErrorCode.INVALID_PARAMS, "Invalid params", {"reason": reason, "param": "channels"}
            )
        new = {channel.name for channel in channels} - self.channels.keys()
        if len(self.channels) + len(new) > self._max_channels:
            raise _Refusal(
                ErrorCode.INVALID_PARAMS,
                "Invalid params",
                {
                    "reason": f"a connection may hold at most {self._max_channels} "
                    f"subscriptions; it holds {len(self.channels)}",
                    "param": "channels",
                },
            )
        if private:
            self.auth = auth if auth.kind == "bearer" else self.auth
        for channel in channels:
            self.channels[channel.name] = channel
        client = self._client(self.auth)
        for channel in channels:
            for message in market_feed.on_subscribe(channel, self.exchange, client):
                self._push(orjson.dumps(message))
        return [channel.name for channel in channels]

    # --- notifications and heartbeats -----------------------------------------------------

    def _client(self, auth: Auth) -> str | None:
        client_for = getattr(self.exchange, "client_for", None)
        if not callable(client_for):
            return None
        client = client_for(auth)
        return client if isinstance(client, str) else None

    def _on_changes(self, changes: list[AccountChange]) -> None:
        channels = list(self.channels.values())
        if not channels:
            return
        for message in user_notifications(channels, self._client(self.auth), changes):
            self._push(orjson.dumps(message))
        client = self._client(self.auth)
        for channel in channels:
            for message in market_feed.on_changes(channel, self.exchange, client, changes):
                self._push(orjson.dumps(message))

    async def _beat(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s * self._scale)
            if self._awaiting_test:
                if self._close is not None:
                    self._close("heartbeat test_request not answered")
                return
            self._awaiting_test = True
            message = {"jsonrpc": "2.0", "method": "heartbeat", "params": {"type": "test_request"}}
            self._push(orjson.dumps(message))


def _channel_names(params: dict[str, Any]) -> list[str]:
    channels = params.get("channels")
    if not isinstance(channels, list) or not channels:
        raise _Refusal(
            ErrorCode.INVALID_PARAMS,
            "Invalid params",
            {"reason": "value required", "param": "channels"},
        )
    return [str(name) for name in channels]
