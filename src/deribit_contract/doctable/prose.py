"""Meaning hidden in description prose: enums, union literals, "Always null", presence hints.

The vendor's table has no enum column for the response, so closed value sets live in free text,
written in half a dozen shapes (see issue 2). Each shape gets its own small recogniser, tried
from the most specific to the most generic, so that a description matches at most one of them
and the result is predictable. Anything that merely *mentions* a quoted value (``Only if
advanced="usd"``) or lists examples (``i.e "BTC", "ETH"``) must not become an enum: a wrong enum
rejects real traffic, a missing one only loses precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deribit_contract.doctable.model import EnumValue

__all__ = [
    "ProseFacts",
    "extract_enum",
    "presence_hints",
    "read_prose",
    "split_space_enum",
    "string_literals",
]

# `(0 = Plus Tick, 1 = Zero-Plus Tick, ...)`: integer codes with labels.
_INT_CODES = re.compile(r"\((\s*-?\d+\s*=\s*[^,()]+(?:,\s*-?\d+\s*=\s*[^,()]+)+)\)")
_INT_CODE = re.compile(r"(-?\d+)\s*=")
# An opening quote directly followed by an identifier. Matching only the opening side is what
# repairs the vendor's broken quote in `"limit, "market", or "liquidation"`.
_QUOTED = re.compile(r'(?<![=\w])"([A-Za-z0-9_][A-Za-z0-9_.\-]*)')
_CONDITION = re.compile(r"\([^()]*=[^()]*\)")
_EXAMPLES = re.compile(r"\b(?:i\.?e\.?|e\.g\.?|for example|such as)\s*[:,]?\s*\"", re.IGNORECASE)
_UNQUOTED_LIST = re.compile(
    r"^[A-Za-z][A-Za-z ]*:\s*([a-z][a-z0-9_]*(?:\s*,\s*(?:or\s+)?[a-z][a-z0-9_]*|\s+or\s+[a-z][a-z0-9_]*)+)\.?$"
)
_ALWAYS_NULL = re.compile(r"\balways\s+null\b", re.IGNORECASE)
_HINT = re.compile(
    r"optional|present only|presented only|only present|only if|only when|only for|"
    r"options? only|absent|omitted|not added|added only|not present|otherwise not present",
    re.IGNORECASE,
)
_IDENT = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class ProseFacts:
    """What :func:`read_prose` found in one description."""

    enum: tuple[EnumValue, ...] = ()
    examples: tuple[str, ...] = ()
    always_null: bool = False
    presence: tuple[str, ...] = ()
    broken_quote: bool = False


def _dedupe(values: list[EnumValue]) -> tuple[EnumValue, ...]:
    seen: list[EnumValue] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return tuple(seen)


def string_literals(description: str) -> tuple[str, ...]:
    """Quoted identifiers in ``description`` outside ``x="y"`` conditions, in order."""
    return tuple(str(v) for v in _dedupe(list(_QUOTED.findall(_CONDITION.sub("", description)))))


def extract_enum(
    description: str, *, json_type: str
) -> tuple[tuple[EnumValue, ...], tuple[str, ...]]:
    """The closed value set the prose states, and any values it only gives as examples.

    Shapes understood, most specific first: integer codes ``(0 = A, 1 = B)`` (integer fields);
    quoted lists in any punctuation (``Allowed values: "a", "b"``, ``"a" or "b"``, ``"M" when
    ..., "T" when ...``, ``"a" - text."b" - text``, the broken ``"limit, "market"``); and a whole
    description of the form ``Label: a, or b``. Two or more values are needed for an enum; a
    list introduced by ``i.e``/``e.g.`` is returned as examples instead.
    """
    if json_type == "integer":
        match = _INT_CODES.search(description)
        if match:
            return _dedupe([int(v) for v in _INT_CODE.findall(match.group(1))]), ()
        return (), ()
    if json_type != "string":
        return (), ()
    quoted = string_literals(description)
    if len(quoted) >= 2:
        if _EXAMPLES.search(description):
            return (), quoted
        return tuple(quoted), ()
    unquoted = _UNQUOTED_LIST.match(description.strip())
    if unquoted:
        words = re.split(r"\s*,\s*(?:or\s+)?|\s+or\s+", unquoted.group(1))
        return _dedupe([w for w in words if w]), ()
    return (), ()


def split_space_enum(cell: str) -> tuple[str, ...]:
    """``limit market`` (the Parameters table's Enum column) as values, or () if it is prose."""
    tokens = cell.replace(",", " ").split()
    if tokens and all(_IDENT.match(token) for token in tokens):
        return tuple(str(v) for v in _dedupe(list(tokens)))
    return ()


def presence_hints(description: str) -> tuple[str, ...]:
    """Parentheticals and sentences that say when a field is present (kept verbatim)."""
    hints: list[str] = []
    for paren in re.findall(r"\(([^()]*)\)", description):
        if _HINT.search(paren):
            hints.append(paren.strip())
    without_parens = re.sub(r"\([^()]*\)", "", description)
    for sentence in re.split(r"(?<=[.;])\s+", without_parens):
        text = sentence.strip().rstrip(".").strip()
        if text and _HINT.search(text) and not any(text in h for h in hints):
            hints.append(text)
    return tuple(str(v) for v in _dedupe(list(hints)))


def read_prose(description: str, *, json_type: str) -> ProseFacts:
    """All facts of one description for a field of ``json_type`` (the first type of a union)."""
    enum, examples = extract_enum(description, json_type=json_type)
    broken = bool(enum) and description.count('"') % 2 == 1
    return ProseFacts(
        enum=enum,
        examples=examples,
        always_null=bool(_ALWAYS_NULL.search(description)),
        presence=presence_hints(description),
        broken_quote=broken,
    )
