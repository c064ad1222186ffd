"""Query-string parameters of a ``GET /api/v2/{method}`` call read as typed JSON-RPC params.

Deribit reads a query string against each method's declared parameter types, so ``price=1.5``
arrives as a number and ``reduce_only=true`` as a boolean. The simulation has no per-method
table: it uses the parameter names a close_position run sends, and leaves anything else to the
exchange's own type checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["convert_query"]

_NUMERIC_PARAMS = frozenset(
    {
        "amount",
        "contracts",
        "price",
        "trigger_price",
        "trigger_offset",
        "max_show",
        "refresh_amount",
        "valid_until",
        "depth",
        "count",
        "offset",
        "start_timestamp",
        "end_timestamp",
        "timestamp",
        "expires_in",
    }
)
_BOOLEAN_PARAMS = frozenset(
    {"reduce_only", "post_only", "reject_post_only", "mmp", "detailed", "extended", "historical"}
)
# Never coerced, whatever they look like: a label "123" or a client id "true" stay strings.
_STRING_PARAMS = frozenset(
    {
        "instrument_name",
        "label",
        "client_id",
        "client_secret",
        "refresh_token",
        "access_token",
        "order_id",
        "currency",
        "kind",
        "type",
        "grant_type",
        "scope",
        "state",
        "nonce",
        "data",
        "signature",
        "trigger",
        "advanced",
        "time_in_force",
    }
)
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")


def _coerce(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    lowered = value.lower()
    if lowered in ("true", "false") and name not in _NUMERIC_PARAMS:
        return lowered == "true"
    if name in _NUMERIC_PARAMS or name not in _BOOLEAN_PARAMS:
        if _INT_RE.fullmatch(value):
            return int(value)
        if _FLOAT_RE.fullmatch(value):
            return float(value)
    return value


def convert_query(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query-string parameters as typed JSON-RPC params, the way Deribit reads a GET.

    Known numeric parameters (``price``, ``amount``, ...) become int or float, known booleans
    (``reduce_only``, ...) and any unknown ``"true"``/``"false"`` become bool; known string
    parameters (``instrument_name``, ``label``, ``client_id``, ...) stay as sent. A value that does
    not parse stays a string so the exchange reports a type error for it. A repeated key
    becomes a list.
    """
    params: dict[str, Any] = {}
    for name, raw in items:
        value = _coerce(name, raw)
        if name in params:
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[name] = value
    return params
