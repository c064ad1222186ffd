"""Reading requests and their params the way Deribit does, and the error every method raises.

Transports hand params over as JSON (WebSocket, POST) or as query-string text (HTTP GET), so
numbers and booleans may arrive as strings; Deribit accepts both, and so do these readers.
Every rejection names the param in ``data.param`` with a short ``data.reason``, the shape live
Deribit uses for -32602 (``{"reason": "value required", "param": "currency"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument
from deribit_contract.exchange.jsonrpc import method_name
from deribit_contract.facts import ErrorCode, error_message

__all__ = [
    "MAX_COUNT",
    "RpcError",
    "invalid_params",
    "opt_bool",
    "opt_count",
    "opt_decimal",
    "opt_enum",
    "opt_str",
    "parse_request",
    "req_decimal",
    "req_enum",
    "req_instrument",
    "req_str",
    "request_id_of",
]


class RpcError(Exception):
    """A JSON-RPC error to send back; raised inside the exchange, never escapes ``handle``."""

    def __init__(self, code: int, message: str | None = None, data: Any = None) -> None:
        # Deribit's own message for ``code`` unless the caller appends a reason to it
        self.message = error_message(code) if message is None else message
        super().__init__(f"{code} {self.message}")
        self.code = code
        self.data = data


def invalid_params(param: str, reason: str) -> RpcError:
    """-32602 with Deribit's ``data: {reason, param}``."""
    return RpcError(ErrorCode.INVALID_PARAMS, data={"reason": reason, "param": param})


def req_str(params: Mapping[str, Any], name: str) -> str:
    """A required non-empty string param."""
    value = opt_str(params, name)
    if value is None:
        raise invalid_params(name, "value required")
    return value


def opt_str(params: Mapping[str, Any], name: str) -> str | None:
    """An optional string param (None when absent)."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_params(name, "must be a string")
    if value == "":
        raise invalid_params(name, "value required")
    return value


# Far outside any price or amount an exchange quotes, yet inside what Decimal arithmetic at the
# default precision handles exactly.
_LARGEST = Decimal("1e15")
_SMALLEST = Decimal("1e-12")
_MAX_INT_BITS = 64
_MAX_NUMBER_TEXT = 64
_OUT_OF_RANGE = f"number out of range (magnitude {_SMALLEST} to {_LARGEST})"


def req_decimal(params: Mapping[str, Any], name: str) -> Decimal:
    """A required number (JSON number or numeric text)."""
    value = opt_decimal(params, name)
    if value is None:
        raise invalid_params(name, "value required")
    return value


def opt_decimal(params: Mapping[str, Any], name: str) -> Decimal | None:
    """An optional number; booleans, NaN and infinities are refused."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid_params(name, "must be a number")
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise invalid_params(name, _OUT_OF_RANGE)  # before str(): huge ints cannot be printed
    if isinstance(value, str) and len(value) > _MAX_NUMBER_TEXT:
        raise invalid_params(name, _OUT_OF_RANGE)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid_params(name, "must be a number") from None
    if not number.is_finite():
        raise invalid_params(name, "must be a number")
    if number and not _SMALLEST <= abs(number) <= _LARGEST:
        # a client mistake, not an exchange failure: the arithmetic of prices and amounts
        # would otherwise fail deep inside matching (decimal.DivisionImpossible -> 11094)
        raise invalid_params(name, _OUT_OF_RANGE)
    return number


def opt_bool(params: Mapping[str, Any], name: str, *, default: bool) -> bool:
    """An optional boolean (JSON true/false or the text ``"true"``/``"false"``)."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise invalid_params(name, "must be a boolean")


def req_enum(params: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    """A required string from ``allowed``."""
    value = opt_enum(params, name, allowed)
    if value is None:
        raise invalid_params(name, "value required")
    return value


#: the most items a listing method returns at once (its ``count`` param), as Deribit's reference
#: gives for the trade and order history methods
MAX_COUNT = 1000


def opt_count(params: Mapping[str, Any], default: int) -> int:
    """The ``count`` of a listing method: an integer from 1 to :data:`MAX_COUNT`, or ``default``."""
    count = opt_decimal(params, "count")
    if count is None:
        return default
    if count != count.to_integral_value() or not 1 <= count <= MAX_COUNT:
        raise invalid_params("count", f"must be an integer from 1 to {MAX_COUNT}")
    return int(count)


def opt_enum(params: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    """An optional string from ``allowed``."""
    value = opt_str(params, name)
    if value is not None and value not in allowed:
        raise invalid_params(name, f"must be one of: {', '.join(allowed)}")
    return value


def req_instrument(params: Mapping[str, Any]) -> Instrument:
    """``instrument_name``: -32602 when missing or not text, 10020 when not listed."""
    name = req_str(params, "instrument_name")
    instrument = INSTRUMENTS.get(name)
    if instrument is None:
        raise RpcError(
            ErrorCode.INVALID_INSTRUMENT,
            "invalid_or_unsupported_instrument",
            {"reason": f"instrument {name!r} not found", "param": "instrument_name"},
        )
    return instrument


# --- the request object around the params ---------------------------------------------------


def _invalid_request(reason: str, param: str) -> RpcError:
    return RpcError(
        ErrorCode.INVALID_REQUEST, "Invalid Request", {"reason": reason, "param": param}
    )


def request_id_of(message: object) -> Any:
    """The id to echo (None when absent); -32600 when the request cannot carry one."""
    if not isinstance(message, dict):
        raise _invalid_request("request must be a JSON object", "request")
    request_id = message.get("id")
    if request_id is not None and (
        isinstance(request_id, bool) or not isinstance(request_id, (int, str))
    ):
        raise _invalid_request("id must be an integer or a string", "id")
    return request_id


def parse_request(
    message: object, handlers: Mapping[str, object]
) -> tuple[str, dict[str, Any], str | None]:
    """Validate the request object; return (method, params without the token, token)."""
    if not isinstance(message, dict):
        raise _invalid_request("request must be a JSON object", "request")
    if "jsonrpc" in message and message["jsonrpc"] != "2.0":
        raise _invalid_request('jsonrpc must be "2.0"', "jsonrpc")
    method = message.get("method")
    if not isinstance(method, str) or not method:
        raise _invalid_request("method required", "method")
    method = method_name(method)
    if method not in handlers:
        raise RpcError(ErrorCode.METHOD_NOT_FOUND, "Method not found", {"method": method})
    raw = message.get("params")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RpcError(
            ErrorCode.INVALID_PARAMS,
            "Invalid params",
            {
                "reason": "params must be an object (positional params are not supported)",
                "param": "params",
            },
        )
    params = {str(key): value for key, value in raw.items() if key != "access_token"}
    token = raw.get("access_token")
    return method, params, token if isinstance(token, str) else None
