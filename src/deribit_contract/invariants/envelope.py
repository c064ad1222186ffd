"""JSON-RPC envelope rules and the flat-position rule: what any response must look like.

These hold for success and error responses alike, so they are the only rules that judge an
error envelope (plus ``flat.error_expected`` and ``request.invalid_rejected``, which demand one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from deribit_contract.invariants._core import (
    Skip,
    Subject,
    Violation,
    position_size,
    register,
    sign,
)

__all__ = [
    "error_expected_when_flat",
    "id_echo",
    "invalid_request_rejected",
    "jsonrpc_version",
    "result_xor_error",
]


@register("envelope.jsonrpc", 'the response carries jsonrpc == "2.0"')
def jsonrpc_version(subject: Subject) -> list[Violation] | Skip:
    response = subject.response
    if not isinstance(response, Mapping):
        return [
            Violation(
                "envelope.jsonrpc",
                "",
                "a JSON object",
                type(response).__name__,
                "the response is not a JSON object",
            )
        ]
    actual = response.get("jsonrpc")
    if actual != "2.0" or not isinstance(actual, str):
        return [
            Violation(
                "envelope.jsonrpc",
                "jsonrpc",
                "2.0",
                actual,
                'the JSON-RPC version must be the string "2.0"',
            )
        ]
    return []


@register(
    "envelope.id_echo", "the response id echoes the request id (absent when the request had none)"
)
def id_echo(subject: Subject) -> list[Violation] | Skip:
    if not isinstance(subject.request, Mapping):
        return Skip("envelope.id_echo", "no request to compare with")
    if not isinstance(subject.response, Mapping):
        return Skip("envelope.id_echo", "the response is not a JSON object")
    expected = subject.request.get("id")
    actual = subject.response.get("id")
    # 1 and 1.0 are the same JSON number, but 1 and "1" or True are not the same id.
    same_kind = isinstance(expected, str) == isinstance(actual, str) and isinstance(
        expected, bool
    ) == isinstance(actual, bool)
    if expected != actual or not same_kind:
        return [
            Violation(
                "envelope.id_echo",
                "id",
                expected,
                actual,
                "the response id must echo the request id unchanged",
            )
        ]
    return []


@register("envelope.result_xor_error", "a response carries exactly one of result and error")
def result_xor_error(subject: Subject) -> list[Violation] | Skip:
    if not isinstance(subject.response, Mapping):
        return Skip("envelope.result_xor_error", "the response is not a JSON object")
    present = [key for key in ("result", "error") if key in subject.response]
    if len(present) != 1:
        return [
            Violation(
                "envelope.result_xor_error",
                "result|error",
                "exactly one of result, error",
                present,
                "a JSON-RPC response must carry result or error, not both or neither",
            )
        ]
    return []


@register(
    "flat.error_expected", "closing with no open position yields a JSON-RPC error, never an order"
)
def error_expected_when_flat(subject: Subject) -> list[Violation] | Skip:
    before = position_size(subject.position_before)
    if before is None:
        return Skip("flat.error_expected", "the position before the call is unknown")
    if sign(before) != 0:
        return Skip("flat.error_expected", "there was an open position")
    if not isinstance(subject.response, Mapping):
        return Skip("flat.error_expected", "the response is not a JSON object")
    if "error" in subject.response and subject.order() is None:
        return []
    return [
        Violation(
            "flat.error_expected",
            "error",
            "a JSON-RPC error",
            sorted(str(key) for key in subject.response),
            "the position was flat, so close_position must fail instead of placing an order",
        )
    ]


_CLOSE_TYPES = ("limit", "market")


def _invalid_params_reason(params: Mapping[str, Any] | None) -> str | None:
    """Why ``params`` break the documented parameter table, or None when they keep it."""
    if params is None:
        return "the request carries no params object"
    if not isinstance(params.get("instrument_name"), str):
        return "instrument_name is required and must be a string"
    if params.get("type") not in _CLOSE_TYPES:
        return f"type must be one of {', '.join(_CLOSE_TYPES)}"
    if not _is_price(params.get("price")):
        return "price, when given, must be a finite number"
    return None


def _is_price(value: Any) -> bool:
    # None counts as absent (the docs call price optional); a numeric string is accepted because
    # Deribit's GET form carries every parameter as a string
    if value is None:
        return True
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


@register(
    "request.invalid_rejected",
    "invalid params (instrument_name, type, price outside the documented table) get a JSON-RPC error",
)
def invalid_request_rejected(subject: Subject) -> list[Violation] | Skip:
    if not isinstance(subject.request, Mapping):
        return Skip("request.invalid_rejected", "the request is unknown")
    reason = _invalid_params_reason(subject.params())
    if reason is None:
        return Skip("request.invalid_rejected", "the request params are valid")
    if not isinstance(subject.response, Mapping):
        return Skip("request.invalid_rejected", "the response is not a JSON object")
    if "error" in subject.response and subject.order() is None:
        return []
    return [
        Violation(
            "request.invalid_rejected",
            "error",
            "a JSON-RPC error",
            sorted(str(key) for key in subject.response),
            f"the request was invalid ({reason}), so close_position must refuse it",
        )
    ]
