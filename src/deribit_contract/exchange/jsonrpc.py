"""JSON-RPC 2.0 envelopes as Deribit sends them (error codes: :mod:`deribit_contract.facts`).

Shared by the simulation core and every transport (respx, HTTP, WebSocket): transports parse
bytes into a request object, hand it to ``SimulatedExchange.handle(message, auth=...)`` and
serialise the envelope they get back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deribit_contract.facts import ErrorCode

__all__ = [
    "Auth",
    "ErrorCode",
    "error_envelope",
    "method_name",
    "success_envelope",
]


@dataclass(frozen=True)
class Auth:
    """Credentials a transport took from the request, before the exchange checks them.

    ``kind`` is ``"bearer"`` (``token`` set: an ``Authorization: Bearer`` header or a WebSocket
    ``params.access_token``), ``"basic"`` (``client_id``/``client_secret`` from HTTP Basic),
    ``"hmac"`` (a ``deri-hmac-sha256`` header: ``client_id``, ``timestamp``, ``nonce``,
    ``signature`` and ``signed_data``, the ``METHOD\nURI\nbody\n`` text the client signed) or
    ``"none"``.
    """

    kind: str = "none"
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    timestamp: str | None = None
    nonce: str | None = None
    signature: str | None = None
    signed_data: str | None = None


def method_name(raw: str) -> str:
    """The method without the leading ``/`` some clients send (``"/public/auth"``)."""
    return raw[1:] if raw.startswith("/") else raw


def success_envelope(
    request_id: Any, result: Any, *, us_in: int, us_out: int, testnet: bool = True
) -> dict[str, Any]:
    """A success envelope with the four extra fields live Deribit adds."""
    return _envelope(request_id, "result", result, us_in=us_in, us_out=us_out, testnet=testnet)


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
    return _envelope(request_id, "error", error, us_in=us_in, us_out=us_out, testnet=testnet)


def _envelope(
    request_id: Any, key: str, value: Any, *, us_in: int, us_out: int, testnet: bool
) -> dict[str, Any]:
    # the member order live Deribit writes: jsonrpc, id (absent when the request had none),
    # result or error, testnet, usIn, usOut, usDiff
    envelope: dict[str, Any] = {"jsonrpc": "2.0"}
    if request_id is not None:
        envelope["id"] = request_id
    envelope[key] = value
    envelope.update({"testnet": testnet, "usIn": us_in, "usOut": us_out, "usDiff": us_out - us_in})
    return envelope
