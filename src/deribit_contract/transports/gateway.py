"""Deribit's HTTP forms of a JSON-RPC call, turned into one request for the simulated exchange.

Both the respx mock and the ASGI server must answer a request byte-for-byte the same way, so
the HTTP rules live here once: the three request forms (``GET /api/v2/{method}?params``,
``POST /api/v2/{method}`` and ``POST /api/v2`` with a JSON-RPC body), credentials from the
``Authorization`` header, the 32 kB body limit, parse errors, and the HTTP status that goes
with an envelope. Nothing here knows about httpx, respx or Starlette.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlencode

import orjson

from deribit_contract.exchange.faults import HTML_500_BODY
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode, error_envelope, method_name
from deribit_contract.transports.query_params import convert_query

__all__ = [
    "API_PREFIX",
    "MAX_BODY_BYTES",
    "ExchangeLike",
    "HttpReply",
    "auth_from_header",
    "exchange_time_us",
    "handle_http",
    "html_500",
    "status_for",
    "transport_error",
    "transport_fault",
]

API_PREFIX = "/api/v2"
# Deribit's documented limit for a POST body or one WebSocket frame ("request entity too large").
MAX_BODY_BYTES = 32 * 1024

_AUTH_ERROR_CODES = frozenset(
    {ErrorCode.AUTHORIZATION_REQUIRED, ErrorCode.INVALID_CREDENTIALS, ErrorCode.UNAUTHORIZED}
)


class ExchangeLike(Protocol):
    """What a transport needs from the simulation: one parsed request in, one envelope out."""

    def handle(self, message: object, *, auth: Auth = ...) -> dict[str, Any]: ...


@dataclass(frozen=True)
class HttpReply:
    """An HTTP answer ready to be sent by any server or mock."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def exchange_time_us(exchange: object) -> int:
    """Now on the exchange's clock in µs (wall time when it has none)."""
    # the exchange's (usually fake) clock keeps usIn/usOut deterministic; wall time is the fallback
    clock = getattr(exchange, "clock", None)
    now_us = getattr(clock, "now_us", None)
    if callable(now_us):
        value = now_us()
        if isinstance(value, int):
            return value
    return time.time_ns() // 1000


def transport_error(
    code: int,
    message: str,
    *,
    data: Any = None,
    request_id: Any = None,
    exchange: object = None,
) -> dict[str, Any]:
    """An error envelope for a request that never reached the exchange (parse, size, type)."""
    now = exchange_time_us(exchange)
    return error_envelope(request_id, code, message, data=data, us_in=now, us_out=now)


def status_for(envelope: Mapping[str, Any]) -> int:
    """The HTTP status Deribit pairs with an envelope: 200 success, 401 auth errors, else 400."""
    error = envelope.get("error")
    if error is None:
        return 200
    code = error.get("code") if isinstance(error, Mapping) else None
    return 401 if code in _AUTH_ERROR_CODES else 400


def encode(envelope: Mapping[str, Any]) -> HttpReply:
    """Serialise an envelope with its status; an unserialisable one becomes -32603, not a crash."""
    try:
        body = orjson.dumps(envelope)
    except TypeError as exc:
        fallback = transport_error(
            ErrorCode.INTERNAL_ERROR, "Internal error", data={"reason": f"unserialisable: {exc}"}
        )
        return HttpReply(500, orjson.dumps(fallback))
    return HttpReply(status_for(envelope), body)


def html_500() -> HttpReply:
    """What a broken reverse proxy in front of an exchange answers: an HTML page, status 500."""
    return HttpReply(500, HTML_500_BODY.encode("utf-8"), "text/html")


def transport_fault(exchange: object, message: object) -> str | None:
    """The transport-level failure (e.g. ``"html_500"``) the exchange's fault wants for ``message``.

    The core cannot send HTML (it never sees HTTP); it answers 11094 and names the failure via
    ``SimulatedExchange.transport_fault``, which the respx mock and the server honour.
    """
    ask = getattr(exchange, "transport_fault", None)
    if not callable(ask):
        return None
    answer = ask(message)
    return answer if isinstance(answer, str) else None


def auth_from_header(header: str | None) -> Auth:
    """Credentials from an ``Authorization`` header: Bearer, Basic, deri-hmac-sha256, or none.

    A Basic header that does not decode yields empty credentials, so the exchange answers
    ``invalid_credentials`` rather than treating the call as anonymous. A ``deri-hmac-sha256``
    header yields ``kind="hmac"`` without ``signed_data``: :func:`handle_http` adds the request
    text the signature covers.
    """
    if not header:
        return Auth()
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return Auth(kind="bearer", token=value)
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Auth(kind="basic", client_id="", client_secret="")
        client_id, _, client_secret = decoded.partition(":")
        return Auth(kind="basic", client_id=client_id, client_secret=client_secret)
    if scheme == "deri-hmac-sha256":
        fields = dict(part.strip().partition("=")[::2] for part in value.split(","))
        return Auth(
            kind="hmac",
            client_id=fields.get("id", ""),
            timestamp=fields.get("ts", ""),
            signature=fields.get("sig", ""),
            nonce=fields.get("nonce", ""),
        )
    return Auth()


def _signed_request(auth: Auth, http_method: str, uri: str, body: bytes) -> Auth:
    """``auth`` with the text a deri-hmac-sha256 signature covers: METHOD, URI, body, each + LF."""
    if auth.kind != "hmac":
        return auth
    text = body.decode("utf-8", errors="replace")
    return replace(auth, signed_data=f"{http_method.upper()}\n{uri}\n{text}\n")


def take_access_token(message: object, auth: Auth) -> tuple[object, Auth]:
    """Move ``params.access_token`` out of the params and into the credentials.

    Deribit accepts the token inside params (the WebSocket way); an ``Authorization`` header, when
    present, wins. The token never reaches the exchange's recorded params.
    """
    if not isinstance(message, dict):
        return message, auth
    params = message.get("params")
    if not isinstance(params, dict) or "access_token" not in params:
        return message, auth
    stripped = {k: v for k, v in params.items() if k != "access_token"}
    token = params["access_token"]
    new_message = {**message, "params": stripped}
    if auth.kind == "none" and isinstance(token, str) and token:
        return new_message, Auth(kind="bearer", token=token)
    return new_message, auth


def parse_json_body(
    body: bytes, *, exchange: object = None
) -> tuple[object, dict[str, Any] | None]:
    """The parsed body, or an error envelope when it is too large or not JSON (UTF-8 only)."""
    if len(body) > MAX_BODY_BYTES:
        return None, transport_error(
            ErrorCode.INVALID_REQUEST,
            "request entity too large",
            data={"reason": f"body is {len(body)} bytes, limit is {MAX_BODY_BYTES}"},
            exchange=exchange,
        )
    try:
        return orjson.loads(body), None
    except orjson.JSONDecodeError as exc:
        wide = _wide_numbers(body) if "number" in str(exc) else None
        if wide is not None:
            return wide, None
        return None, transport_error(
            ErrorCode.PARSE_ERROR, "Parse error", data={"reason": str(exc)[:200]}, exchange=exchange
        )


def _big_int(text: str) -> int | str:
    # a number no 64-bit field holds stays text: params validation then names it out of range
    return int(text) if len(text) <= 19 else text


def _wide_numbers(body: bytes) -> object:
    """Valid JSON whose numbers orjson cannot hold (a 20,000-digit amount): parsed anyway, so the
    method answers -32602 for that parameter instead of a parse error for valid JSON."""
    try:
        return json.loads(body, parse_int=_big_int)
    except (ValueError, RecursionError):
        return None


def _echoable_id(value: object) -> int | str | None:
    """The request id to echo: JSON-RPC ids are integers or strings; anything else becomes null."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return value


def _is_json_content_type(content_type: str | None) -> bool:
    if not content_type:
        return True  # many clients omit it on a JSON body; Deribit reads the body anyway
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def handle_http(
    exchange: ExchangeLike,
    *,
    http_method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    raw_uri: str | None = None,
) -> HttpReply:
    """Answer one HTTP request the way Deribit's REST gateway does.

    ``path`` is relative to the server root (``/api/v2/private/close_position``), ``headers``
    must be looked up case-insensitively by the caller's mapping (keys are lower-case here).
    ``raw_uri`` is the request target as sent (path and query string, what a ``deri-hmac-sha256``
    signature covers); without it the path and the re-encoded query are used.
    A GET with a query string reads its params from it and sends no id, as Deribit does, whatever
    body it carries; a POST (or a GET with a body and no query string, as in Deribit's own curl
    sample) is a JSON-RPC request whose method may also come from the path.
    """
    query = list(query)
    if raw_uri is None:
        raw_uri = path + (f"?{urlencode(query)}" if query else "")
    auth = _signed_request(
        auth_from_header(headers.get("authorization")), http_method, raw_uri, body
    )
    if path.rstrip("/") == API_PREFIX:
        path_method = None
    elif path.startswith(API_PREFIX + "/"):
        path_method = path[len(API_PREFIX) + 1 :].strip("/") or None
    else:
        return encode(
            transport_error(
                ErrorCode.METHOD_NOT_FOUND,
                "Method not found",
                data={"path": path},
                exchange=exchange,
            )
        )
    method = http_method.upper()
    if method not in ("GET", "POST"):
        # HTTP's answer to a method the resource does not have is 405 with Allow; the body stays
        # a JSON-RPC envelope so a JSON-RPC client still reads why.
        refused = encode(
            transport_error(
                ErrorCode.INVALID_REQUEST,
                "Invalid Request",
                data={"reason": f"HTTP method {method} not supported, use GET or POST"},
                exchange=exchange,
            )
        )
        return HttpReply(405, refused.body, refused.content_type, (("allow", "GET, POST"),))
    message: object
    if method == "GET" and (query or not body):
        if path_method is None:
            return encode(
                transport_error(
                    ErrorCode.INVALID_REQUEST,
                    "Invalid Request",
                    data={"reason": "GET needs the method in the path: /api/v2/{method}?params"},
                    exchange=exchange,
                )
            )
        message = {"jsonrpc": "2.0", "method": path_method, "params": convert_query(query)}
    else:
        content_type = headers.get("content-type")
        if not _is_json_content_type(content_type):
            return encode(
                transport_error(
                    ErrorCode.INVALID_REQUEST,
                    "Invalid Request",
                    data={"reason": f"content type {content_type!r}, expected application/json"},
                    exchange=exchange,
                )
            )
        message, failure = parse_json_body(body, exchange=exchange)
        if failure is not None:
            return encode(failure)
        if path_method is not None and isinstance(message, dict):
            body_method = message.get("method")
            if "method" not in message:  # an explicit null is a wrong method, not a missing one
                message = {**message, "method": path_method}
            elif not isinstance(body_method, str) or method_name(body_method) != method_name(
                path_method
            ):
                return encode(
                    transport_error(
                        ErrorCode.INVALID_REQUEST,
                        "Invalid Request",
                        data={
                            "reason": f"method {body_method!r} in the body differs from "
                            f"{path_method!r} in the path"
                        },
                        request_id=_echoable_id(message.get("id")),
                        exchange=exchange,
                    )
                )
    message, auth = take_access_token(message, auth)
    envelope = exchange.handle(message, auth=auth)  # still recorded and executed by the core
    if transport_fault(exchange, message) == "html_500":
        return html_500()
    return encode(envelope)
