"""JSON-RPC envelope rules and the flat-position rule: what any response must look like.

These hold for success and error responses alike, so they are the only rules that judge an
error envelope (plus ``flat.error_expected``, which demands one).
"""

from __future__ import annotations

from collections.abc import Mapping

from deribit_contract.invariants._core import (
    Skip,
    Subject,
    Violation,
    position_size,
    register,
    sign,
)

__all__ = ["error_expected_when_flat", "id_echo", "jsonrpc_version", "result_xor_error"]


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
