"""Duplicate member names in a JSON object: a record that says two things at once.

RFC 8259 leaves duplicate names undefined and parsers disagree (orjson and Python keep the last
value, others the first or refuse), so a response with ``"amount"`` twice is judged differently
by each client: it is reported as a violation of the record, never silently resolved.

orjson, which parses every record, cannot see duplicates. Proving their absence must stay cheap
on the bulk path, so it is done in two steps:

1. a record whose bytes are exactly ``orjson.dumps`` of what was parsed has no duplicate (a
   dropped member would make the re-serialised text differ); compact captures pass here;
2. any other record (pretty-printed, other number spellings, escapes) is parsed once more with
   the standard library, keeping every pair, and its duplicates are located.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import orjson

from deribit_contract._json import json_path

__all__ = ["DuplicateKey", "find_duplicate_keys", "is_canonical"]

Pointer = tuple[str | int, ...]


class DuplicateKey(tuple[Pointer, str, int]):
    """``(path of the object, member name, times it occurs)``."""

    __slots__ = ()

    @property
    def path(self) -> str:
        """The JSONPath of the member (``$.result.order.amount``)."""
        return json_path([*self[0], self[1]])


class _Pairs(dict[str, Any]):
    """An object as parsed, remembering the names it held more than once."""

    __slots__ = ("repeated",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.repeated: dict[str, int] = {}
        if len(self) != len(pairs):
            counts = Counter(name for name, _ in pairs)
            self.repeated = {name: n for name, n in counts.items() if n > 1}


def _ignore(_text: str) -> None:
    return None


def is_canonical(raw: bytes, parsed: Any) -> bool:
    """True when ``raw`` is byte for byte how orjson writes ``parsed`` (then it has no
    duplicate member: a dropped duplicate would make the two differ)."""
    try:
        return orjson.dumps(parsed) == raw
    except (TypeError, orjson.JSONEncodeError):
        return False


def find_duplicate_keys(raw: bytes | str, parsed: Any = None) -> list[DuplicateKey]:
    """Every repeated member name in ``raw`` with the path of its object, in document order.

    ``parsed`` (what orjson made of ``raw``), when given, lets a canonical record skip the
    second parse. Records too deep for the standard parser are left to the depth check.
    """
    if parsed is not None and isinstance(raw, bytes) and is_canonical(raw, parsed):
        return []
    try:
        # numbers are not needed to find names; skipping them also avoids the int-size limit
        tree = json.loads(
            raw,
            object_pairs_hook=_Pairs,
            parse_int=_ignore,
            parse_float=_ignore,
            parse_constant=_ignore,
        )
    except (ValueError, RecursionError):
        return []
    found: list[DuplicateKey] = []
    stack: list[tuple[Pointer, Any]] = [((), tree)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, _Pairs):
            found.extend(DuplicateKey((where, name, n)) for name, n in node.repeated.items())
            stack.extend(((*where, key), value) for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*where, i), value) for i, value in reversed(list(enumerate(node))))
    return found
