"""JSON-RPC over a Deribit WebSocket (``/ws/api/v2``), with the same ``call`` API as over HTTP.

Deribit's WebSocket carries requests and unsolicited notifications on one socket, and
authentication can be scoped to the connection, so the runner needs a client that matches
replies to requests and keeps the socket. Synchronous (websockets' sync client), one request in
flight at a time; no reconnection and no retries (a layer on top owns that policy).
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit

import orjson
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from deribit_contract.errors import TargetError, TargetUnavailable
from deribit_contract.guard import REDIRECT_STATUSES, redirect_refusal
from deribit_contract.transports.client import (
    Secret,
    _ClientBase,
    auth_params,
    check_auth_reply,
    excerpt,
    redacted_auth_reply,
    sent_request,
)

__all__ = ["WsJsonRpcClient"]


class WsJsonRpcClient(_ClientBase):
    """``call(method, params) -> envelope`` over one WebSocket connection.

    The connection opens lazily on the first call. A reply is matched by ``id``; frames without
    ``result``/``error`` (subscription notifications, heartbeats) are skipped. A reply with
    another id is still returned, because a synchronous client has exactly one request in flight
    and the caller's contract checks must see a wrong id rather than a hang. ``authenticate``
    runs ``public/auth`` on this socket, which authenticates the connection (Deribit's session
    scope); with ``token_in_params=True`` the token is also sent as ``params.access_token``.
    """

    def __init__(
        self, ws_url: str, *, timeout: float = 10.0, token_in_params: bool = False
    ) -> None:
        self.ws_url = ws_url
        self.timeout = timeout
        self.token_in_params = token_in_params
        self._ids = itertools.count(1)
        self.last_request: dict[str, Any] = {}
        self.last_status: int | None = None  # no HTTP status on a WebSocket
        self._lock = threading.Lock()
        self._conn: ClientConnection | None = None
        self._stack = ExitStack()
        self._broken: str | None = None
        self._token: Secret | None = None

    @property
    def authenticated(self) -> bool:
        """Whether a token is held (without revealing it)."""
        return self._token is not None

    def _connection(self) -> ClientConnection:
        if self._broken is not None:
            raise TargetUnavailable(f"WebSocket to {self.ws_url} is unusable: {self._broken}")
        if self._conn is None:
            try:
                # The kit opens the TCP connection itself and hands it over: websockets then
                # cannot follow a redirect (it would need a new socket), so the host connected
                # to is always the one the guard judged.
                sock = self._open_socket()
                # entered as a context manager: websockets >= 17.1 deprecates the bare call
                self._conn = self._stack.enter_context(
                    connect(
                        self.ws_url,
                        sock=sock,
                        ssl=ssl.create_default_context() if self._secure else None,
                        open_timeout=self.timeout,
                        close_timeout=2,
                        max_size=2**22,
                        proxy=None,
                    )
                )
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ValueError) as exc:
                status = _redirect_status(exc)
                if status is not None:
                    self._broken = "redirected"
                    raise redirect_refusal(self.ws_url, *status) from None
                raise TargetUnavailable(
                    f"cannot open WebSocket {self.ws_url}: {type(exc).__name__}: {exc}"
                ) from None
        return self._conn

    @property
    def _secure(self) -> bool:
        return urlsplit(self.ws_url).scheme.lower() == "wss"

    def _open_socket(self) -> socket.socket:
        parts = urlsplit(self.ws_url)
        host = parts.hostname or ""
        port = parts.port or (443 if self._secure else 80)
        sock = socket.create_connection((host, port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send one request and wait (at most ``timeout`` s) for its reply envelope."""
        with self._lock:
            conn = self._connection()
            request_id = next(self._ids)
            payload = dict(params or {})
            if self.token_in_params and self._token is not None:
                payload["access_token"] = self._token.reveal()
            frame = orjson.dumps(
                {"jsonrpc": "2.0", "id": request_id, "method": method, "params": payload}
            )
            self.last_request = sent_request(request_id, method, payload)
            deadline = time.monotonic() + self.timeout
            try:
                conn.send(frame.decode("utf-8"))
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    raw = conn.recv(timeout=remaining)
                    reply = self._parse(method, raw)
                    if "result" in reply or "error" in reply:
                        self._learn_tokens(reply)
                        return reply
            except TimeoutError:
                # a late reply would be taken for the next request's: the socket is spent
                self._fail(f"no reply to {method} within {self.timeout} s")
                raise TargetUnavailable(
                    f"{method}: no reply from {self.ws_url} within {self.timeout} s"
                ) from None
            except ConnectionClosed as exc:
                self._fail(
                    f"closed by the peer ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
                )
                raise TargetUnavailable(
                    f"{method}: WebSocket {self.ws_url} closed: {exc}"
                ) from None

    def _parse(self, method: str, raw: str | bytes) -> dict[str, Any]:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        try:
            reply = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise TargetError(
                f"{method}: WebSocket frame is not JSON: {excerpt(data, self.mask)!r}"
            ) from None
        if not isinstance(reply, dict):
            raise TargetError(
                f"{method}: WebSocket frame is JSON {type(reply).__name__}, not an object: "
                f"{excerpt(data, self.mask)!r}"
            )
        return reply

    def _fail(self, reason: str) -> None:
        self._broken = reason
        self.close()

    def authenticate(
        self, client_id: str, client_secret: str, *, scope: str | None = None
    ) -> dict[str, Any]:
        """``public/auth`` (client_credentials, asking for ``scope`` when given) on this
        connection.

        Returns the envelope with the tokens masked; raises TargetError if refused.
        """
        envelope = self.call("public/auth", auth_params(client_id, client_secret, scope))
        self._token = Secret(check_auth_reply(envelope))
        return redacted_auth_reply(envelope)

    def close(self) -> None:
        """Close the WebSocket (a normal 1000 close)."""
        self._conn = None
        self._stack.close()

    def _where(self) -> str:
        return self.ws_url


def _redirect_status(exc: BaseException) -> tuple[int, str | None] | None:
    """(status, Location) when ``exc`` (or what it was raised from or while handling) is a refused
    handshake redirect. websockets raises InvalidURI for a ``Location`` it cannot follow
    (``https://...``) while handling the redirect: the redirect is the news, not the URI."""
    seen: BaseException | None = exc
    for _ in range(8):  # a chain is short; a cycle must not hang the report
        if seen is None:
            break
        if isinstance(seen, InvalidStatus):
            response = seen.response
            if response.status_code in REDIRECT_STATUSES:
                return response.status_code, response.headers.get("Location")
            return None
        seen = seen.__cause__ or seen.__context__
    return None
