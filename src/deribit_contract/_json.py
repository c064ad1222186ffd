"""Small JSON vocabulary shared by every stage: type names, JSONPath and JSON Pointer text,
and the one exact parser.

Validation messages, drift reports and strategies must name types and locations the same way,
so they share these few functions instead of each keeping a copy. They must also report the
same numbers: orjson reads an integer literal past 64 bits as a float
(``1180591620717411303425`` becomes ``1.1805916207174113e+21``, a ``number``). Verdicts do not
change (JSON Schema counts an integral float as an integer, and no schema here has a large
integer enum), so the compiled yes/no keeps orjson; everything that reports a value or a type
(explanations, drift) parses with :func:`loads_exact`, which re-reads only the records holding
such a literal with the standard library, whose integers are exact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

__all__ = [
    "MAX_NESTING",
    "deepest_steps",
    "json_excerpt",
    "json_path",
    "json_pointer",
    "json_type",
    "loads_exact",
    "nesting_depth",
    "pattern_path",
    "resolve_ref",
]

#: Deepest nesting any stage walks. A close_position response is 4 levels deep; the parsers
#: accept 1,024, far past what recursive Python (validation, explanation, statistics, drift,
#: redaction) survives, so a record deeper than this is reported as too deep, never walked.
MAX_NESTING = 64

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# 2**64 has 20 digits: a shorter run of digits is an integer orjson reads exactly. A longer run
# inside a string or a float only costs a second, exact parse of that record. The runs are
# found by mapping every digit to "0" and searching twenty of them: two C passes, where a regex
# (which retries at every digit) cost three times orjson's own parse.
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_TWENTY = b"0" * 20


def _long_digits(raw: bytes) -> bool:
    return _TWENTY in raw.translate(_DIGITS_AS_ZERO)


def loads_exact(raw: bytes) -> Any:
    """``raw`` parsed like :func:`orjson.loads` (same errors), every integer kept exact."""
    value = orjson.loads(raw)
    if not _long_digits(raw):
        return value
    return json.loads(raw)


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


def json_excerpt(value: Any, limit: int) -> str:
    """``value`` for a one-line message: text as it is, anything else as sorted-key JSON, cut to
    ``limit`` characters (the last one an ellipsis when cut)."""
    text = value if isinstance(value, str) else json.dumps(value, default=repr, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def nesting_depth(value: Any, *, limit: int = MAX_NESTING) -> int:
    """How many containers deep ``value`` is (a scalar is 0, ``[]`` is 1), counted without
    recursion; counting stops at ``limit + 1`` so a hostile record costs no more than that."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def deepest_steps(value: Any, *, steps: int = 3) -> list[str | int]:
    """The first ``steps`` keys/indexes on the way to the deepest point of ``value``: where a
    too-deep value starts (a close_position response's own structure is that shallow)."""
    out: list[str | int] = []
    node = value
    for _ in range(steps):
        if isinstance(node, dict):
            children: list[tuple[str | int, Any]] = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            break
        if not children:
            break
        key, node = max(children, key=lambda item: nesting_depth(item[1]))
        out.append(key)
    return out


def resolve_ref(root: Any, ref: str) -> tuple[Any, tuple[str | int, ...]] | None:
    """The node a local ``$ref`` (``#/$defs/order``, RFC 6901 escapes) names inside ``root``,
    with the path of keys and indices that leads to it; None when it does not resolve.

    Only same-document references: the kit's schemas are self-contained.
    """
    if not ref.startswith("#"):
        return None
    node: Any = root
    path: list[str | int] = []
    pointer = ref[1:]
    if pointer and not pointer.startswith("/"):
        return None  # an anchor (#name), not a pointer
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
            path.append(int(key))
        elif isinstance(node, Mapping) and key in node:
            node = node[key]
            path.append(key)
        else:
            return None
    return node, tuple(path)
