"""Small JSON vocabulary shared by every stage: type names, JSONPath and JSON Pointer text.

Validation messages, drift reports and strategies must name types and locations the same way,
so they share these few functions instead of each keeping a copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["json_path", "json_pointer", "json_type", "pattern_path"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value (``integer`` for ints, ``number`` for
    floats, even integral ones: ``10.0`` is how Deribit writes whole amounts)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def json_path(parts: Sequence[str | int]) -> str:
    """``['result', 'trades', 0, 'price']`` -> ``$.result.trades[0].price``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENT.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def pattern_path(parts: Sequence[str | int]) -> str:
    """Like :func:`json_path` with every array index as ``[*]`` (one field across records)."""
    return json_path([-1 if isinstance(p, int) else p for p in parts]).replace("[-1]", "[*]")


def json_pointer(parts: Sequence[str | int]) -> str:
    """RFC 6901 pointer of ``parts`` (``#`` not included)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
