"""The simulated exchange as a Starlette ASGI app: Deribit's HTTP forms and its WebSocket API.

HTTP requests go through ``gateway.handle_http`` (shared with the respx mock, so both doors give
the same answers). The WebSocket endpoint ``/ws/api/v2`` takes one JSON-RPC request per frame;
a token is read from ``params.access_token`` or remembered from a successful ``public/auth``
on the same socket (Deribit's connection-scoped session); subscriptions and heartbeats live in
:class:`~deribit_contract.transports.ws_session.WsSession`, and one ordered outbox per socket
carries notifications and heartbeats behind the replies. No input may crash a handler: every
failure becomes a JSON-RPC error envelope, and the server keeps serving.

Every per-connection structure is bounded (:mod:`~deribit_contract.transports.limits`): the
outbox closes a slow consumer, one address holds at most ``connections_per_address`` open
sockets and requests in progress (the next gets HTTP 429, as Deribit answers), and frames are
capped by uvicorn's ``ws_max_size`` before they are buffered (see ``server.uvicorn_config``).
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Scope
from starlette.websockets import WebSocket

from deribit_contract.exchange.jsonrpc import ErrorCode
from deribit_contract.transports.gateway import (
    MAX_BODY_BYTES,
    ExchangeLike,
    HttpReply,
    encode,
    handle_http,
    transport_error,
)
from deribit_contract.transports.limits import ServeLimits
from deribit_contract.transports.outbox import AddressSlots, Outbox
from deribit_contract.transports.ws_session import WsSession

__all__ = ["WS_PATH", "build_app"]

WS_PATH = "/ws/api/v2"
# An oversize body is drained up to this many bytes so the client can read our -32600 answer
# instead of a connection reset; past it we answer and let the server drop the connection.
_DRAIN_LIMIT = 1024 * 1024
_HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _too_large(size: int, exchange: ExchangeLike, *, more: bool = False) -> HttpReply:
    shown = f"at least {size}" if more else str(size)
    return encode(
        transport_error(
            ErrorCode.INVALID_REQUEST,
            "request entity too large",
            data={"reason": f"body is {shown} bytes, limit is {MAX_BODY_BYTES}"},
            exchange=exchange,
        )
    )


async def _read_body(request: Request, exchange: ExchangeLike) -> bytes | HttpReply:
    """The body, or the ``request entity too large`` reply; never buffers more than the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _DRAIN_LIMIT:
        return _too_large(int(declared), exchange)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        elif size > _DRAIN_LIMIT:
            return _too_large(size, exchange, more=True)
    if size > MAX_BODY_BYTES:
        return _too_large(size, exchange)
    return b"".join(chunks)


def _raw_uri(request: Request) -> str:
    """The request target as the client sent it (what a deri-hmac-sha256 signature covers)."""
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else request.url.path
    query = request.scope.get("query_string", b"")
    return path + ("?" + query.decode("latin-1") if query else "")


def _respond(reply: HttpReply) -> Response:
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=reply.content_type,
        headers=dict(reply.headers),
    )


def _too_many_connections(limit: int, exchange: ExchangeLike) -> Response:
    reply = encode(
        transport_error(
            ErrorCode.TOO_MANY_REQUESTS,
            "too_many_requests",
            data={"reason": f"more than {limit} connections from this address"},
            exchange=exchange,
        )
    )
    return Response(reply.body, status_code=429, media_type=reply.content_type)


async def _send_all(websocket: WebSocket, outbox: Outbox, sending: asyncio.Lock) -> None:
    """Send pushed notifications and heartbeats in order, until the outbox asks to close."""
    while True:
        message = await outbox.get()
        if message is None:
            return
        async with sending:
            await websocket.send_text(message.decode("utf-8"))


async def _receive_all(websocket: WebSocket, session: WsSession, sending: asyncio.Lock) -> None:
    """Answer each frame; reading pauses while a reply waits for the client to read."""
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return
        data = frame.get("text")
        if data is None:
            data = frame.get("bytes") or b""
        reply = session.answer(data)
        async with sending:
            await websocket.send_text(reply.decode("utf-8"))


async def _close_for(websocket: WebSocket, outbox: Outbox) -> None:
    """Send the close frame when the client still reads; a client that does not read gets
    its connection dropped when the endpoint returns."""
    reason = (outbox.close_reason or "")[:120]  # a close frame carries at most 123 bytes
    with contextlib.suppress(asyncio.TimeoutError, RuntimeError, OSError):
        await asyncio.wait_for(websocket.close(code=outbox.close_code, reason=reason), timeout=1.0)


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


def build_app(
    exchange: ExchangeLike, *, heartbeat_scale: float = 1.0, limits: ServeLimits | None = None
) -> Starlette:
    """A Starlette app serving ``exchange`` over HTTP (``/api/v2...``) and WebSocket (``/ws/api/v2``).

    ``heartbeat_scale`` is the real length of one heartbeat-interval second (tests shrink it);
    ``limits`` the per-connection bounds (the defaults of :mod:`.limits` unless given).
    """
    limits = limits or ServeLimits()
    slots = AddressSlots(limits.connections_per_address)

    async def http_endpoint(request: Request) -> Response:
        address = _address(request.scope)
        if not slots.take(address):
            return _too_many_connections(slots.limit, exchange)
        try:
            return await _http(request)
        finally:
            slots.give_back(address)

    async def _http(request: Request) -> Response:
        try:
            body = await _read_body(request, exchange)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read it
        if isinstance(body, HttpReply):
            return _respond(body)
        try:
            reply = handle_http(
                exchange,
                http_method=request.method,
                path=request.url.path,
                query=request.query_params.multi_items(),
                headers=request.headers,
                body=body,
                raw_uri=_raw_uri(request),
            )
        except Exception as exc:  # last line of defence: a bug answers -32603, never a 500 page
            reply = encode(
                transport_error(
                    ErrorCode.INTERNAL_ERROR,
                    "Internal error",
                    data={"reason": type(exc).__name__},
                    exchange=exchange,
                )
            )
        return _respond(reply)

    async def ws_endpoint(websocket: WebSocket) -> None:
        address = _address(websocket.scope)
        if not slots.take(address):
            await websocket.send_denial_response(_too_many_connections(slots.limit, exchange))
            return
        try:
            await _ws(websocket)
        finally:
            slots.give_back(address)

    async def _ws(websocket: WebSocket) -> None:
        await websocket.accept()
        loop = asyncio.get_running_loop()
        outbox = Outbox(max_messages=limits.outbox_messages, max_bytes=limits.outbox_bytes)
        # replies go out from the receive loop at once; pushes queue behind them. Taking the
        # free lock does not yield, so a reply starts before anything it caused is pushed.
        sending = asyncio.Lock()

        def push(message: bytes) -> None:
            # notifications may come from any thread (an HTTP request, a direct call)
            loop.call_soon_threadsafe(outbox.put, message)

        session = WsSession(
            exchange,
            push,
            seconds_per_second=heartbeat_scale,
            max_channels=limits.subscriptions_per_socket,
            close=outbox.close,
        )
        tasks = [
            asyncio.create_task(_send_all(websocket, outbox, sending)),
            asyncio.create_task(_receive_all(websocket, session, sending)),
            asyncio.create_task(outbox.closed()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            session.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if outbox.close_reason is not None:
            await _close_for(websocket, outbox)

    return Starlette(
        routes=[
            WebSocketRoute(WS_PATH, ws_endpoint),
            Route("/{path:path}", http_endpoint, methods=_HTTP_METHODS),
        ]
    )
