"""Duplicate member names in a JSON object: a record that says two things at once.

RFC 8259 leaves duplicate names undefined and parsers disagree (orjson and Python keep the last
value, others the first or refuse), so a response with ``"amount"`` twice is judged differently
by each client: it is reported as a violation of the record, never silently resolved.

orjson, which parses every record, cannot see duplicates. Proving their absence must stay cheap
on the bulk path whatever the line's spelling (spaces, ``7.766e-05`` or ``0.00007766``,
``\\u00e9`` or UTF-8, pretty-printed documents), so it counts colons instead of comparing bytes:

* outside strings a colon only ever separates a member's name from its value, so a line holds
  one colon per member it writes plus the colons inside its strings;
* orjson's serialisation of what was parsed holds one per member *kept* plus the colons of the
  kept strings, and writes a colon as itself;
* a repeated name drops a member (and everything in its value), so the line then has more
  colons than the serialisation. The one way a string gains a colon in parsing is the escape
  ``\\u003a``/``\\u003A``: those are counted on the line's side (with ``\\u003`` as prefix, so a
  rare other escape only sends the line to the exact search, never lets a duplicate through).

Equal counts prove that no member was dropped; the proof is two C-level counts per batch (and a
memchr from one escape to the next, when there are any). A line that fails it (a duplicate, or an escape counted in excess) is parsed once more with the
standard library, keeping every pair, and its duplicates are located.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import orjson

from deribit_contract._json import json_path

__all__ = ["DuplicateKey", "find_duplicate_keys", "members_kept", "written_by_orjson"]

Pointer = tuple[str | int, ...]
# the prefix of the only escapes that parse to a colon (\u003a, \u003A)
_COLON_ESCAPE = b"\\u003"
# Escapes looked at one by one (memchr from one to the next) before the rest of the text is
# searched in one C-level count: Python's json escapes each non-ASCII character, a few per
# record, and stepping over them costs a tenth of searching every byte for the prefix.
_ESCAPES_STEPPED = 64


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


def written_by_orjson(value: Any) -> bytes | None:
    """``orjson.dumps(value)``, or None when orjson cannot write it (too deep)."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return None


def members_kept(written: bytes, raw: bytes) -> bool:
    """True when no member of ``raw`` was dropped in parsing it, so none is repeated.

    ``written`` is orjson's serialisation of what was parsed from ``raw``; both may also be
    several records (orjson's list of them, and their lines joined by ``,``): every record's
    line has at least as many colons as its serialisation, so equal totals prove each equal.
    """
    if written == raw:  # orjson's own spelling: one memcmp, no count
        return True
    return written.count(b":") == raw.count(b":") + _colon_escapes(raw)


def _colon_escapes(raw: bytes) -> int:
    """How many escapes in ``raw`` may parse to a colon (never fewer than there are)."""
    found = 0
    at = raw.find(b"\\")  # memchr; most lines have no escape at all
    for _ in range(_ESCAPES_STEPPED):
        if at < 0:
            return found
        found += raw.startswith(_COLON_ESCAPE, at)
        # skip the escaped character: in an escaped backslash the second one starts nothing
        at = raw.find(b"\\", at + 2)
    return found + (raw.count(_COLON_ESCAPE, at) if at >= 0 else 0)


def find_duplicate_keys(raw: bytes | str, parsed: Any = None) -> list[DuplicateKey]:
    """Every repeated member name in ``raw`` with the path of its object, in document order.

    ``parsed`` (what orjson made of ``raw``), when given, lets a record whose colons prove that
    no member was dropped (:func:`members_kept`) skip the second parse. Records too deep for
    the standard parser are left to the depth check.
    """
    if parsed is not None and isinstance(raw, bytes):
        written = written_by_orjson(parsed)
        if written is not None and members_kept(written, raw):
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
