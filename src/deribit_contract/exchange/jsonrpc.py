"""JSON-RPC 2.0 envelopes as Deribit sends them, and the error codes the simulation uses.

Shared by the simulation core and every transport (respx, HTTP, WebSocket): transports parse
bytes into a request object, hand it to ``SimulatedExchange.handle(message, auth=...)`` and
serialise the envelope they get back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Auth",
    "ErrorCode",
    "error_envelope",
    "success_envelope",
]


class ErrorCode:
    """Deribit's error codes (the older official table; see shared notes on the wrong new page)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600  # also "request entity too large" for bodies over 32 kB
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    ORDER_NOT_FOUND = 10004
    NOT_ENOUGH_FUNDS = 10009
    INVALID_INSTRUMENT = 10020
    INVALID_AMOUNT = 10021
    INVALID_PRICE = 10023
    TOO_MANY_REQUESTS = 10028
    PRICE_WRONG_TICK = 10043
    INVALID_ARGUMENTS = 11029
    OTHER_REJECT = 11030
    NOT_OPEN_ORDER = 11044
    BAD_REQUEST = 11050
    POST_ONLY_REJECT = 11054
    INTERNAL_SERVER_ERROR = 11094
    INVALID_CREDENTIALS = 13004
    UNAUTHORIZED = 13009
    NOT_FOUND = 13020
    FORBIDDEN = 13021


@dataclass(frozen=True)
class Auth:
    """Credentials a transport took from the request, before the exchange checks them.

    ``kind`` is ``"bearer"`` (``token`` set: an ``Authorization: Bearer`` header or a WebSocket
    ``params.access_token``), ``"basic"`` (``client_id``/``client_secret`` from HTTP Basic) or
    ``"none"``.
    """

    kind: str = "none"
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


def success_envelope(
    request_id: Any, result: Any, *, us_in: int, us_out: int, testnet: bool = True
) -> dict[str, Any]:
    """A success envelope with the four extra fields live Deribit adds."""
    envelope: dict[str, Any] = {"jsonrpc": "2.0"}
    if request_id is not None:
        envelope["id"] = request_id
    envelope.update(
        {
            "result": result,
            "testnet": testnet,
            "usIn": us_in,
            "usOut": us_out,
            "usDiff": us_out - us_in,
        }
    )
    return envelope


def error_envelope(
    request_id: Any,
    code: int,
    message: str,
    *,
    data: Any = None,
    us_in: int,
    us_out: int,
    testnet: bool = True,
) -> dict[str, Any]:
    """An error envelope; ``data`` is left out when None, as Deribit does."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    envelope: dict[str, Any] = {"jsonrpc": "2.0"}
    if request_id is not None:
        envelope["id"] = request_id
    envelope.update(
        {
            "error": error,
            "testnet": testnet,
            "usIn": us_in,
            "usOut": us_out,
            "usDiff": us_out - us_in,
        }
    )
    return envelope
