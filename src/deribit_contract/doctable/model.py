"""The parsed documentation page as plain frozen values.

The reader turns the vendor's markdown into these objects; the schema builder consumes only
these, never the markdown. Every row keeps the 1-based line of the page it came from, so a
schema property (and later a validation finding) can point back at the exact documentation line.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BASE_TYPES",
    "EnumValue",
    "FieldRow",
    "MethodDoc",
    "ParamRow",
    "Quirk",
    "TypeSpec",
    "path_name",
    "path_parent",
]

#: The JSON types a documentation type string may name.
BASE_TYPES: frozenset[str] = frozenset(
    {"string", "number", "integer", "boolean", "object", "array"}
)

EnumValue = str | int


def path_parent(path: str) -> str:
    """The object a documentation path's field lives in: ``a.b[].c`` -> ``a.b[]``, ``a`` -> ``""``."""
    cut = path.rfind(".")
    return "" if cut < 0 else path[:cut]


def path_name(path: str) -> str:
    """The field's own name, without a trailing ``[]``: ``a.b[]`` -> ``b``."""
    return path.rsplit(".", 1)[-1].removesuffix("[]")


@dataclass(frozen=True)
class TypeSpec:
    """A documentation type string such as ``number or string`` or ``array of object``.

    ``types`` holds the JSON types in documentation order (two for a union); ``items`` is the
    item type of an ``array of X`` (``None`` for a bare ``array`` or a non-array).
    """

    raw: str
    types: tuple[str, ...]
    items: str | None = None

    @property
    def is_union(self) -> bool:
        """True for ``A or B`` types."""
        return len(self.types) > 1


@dataclass(frozen=True)
class Quirk:
    """Something odd the reader repaired or interpreted, kept so nobody has to rediscover it.

    ``kind`` is a short tag (``column-shift``, ``folded-parent-row``, ``broken-quote``,
    ``examples-not-enum``, ``space-separated-enum``); ``detail`` says what was done.
    """

    line: int
    kind: str
    detail: str


@dataclass(frozen=True)
class ParamRow:
    """One row of the ``### Parameters`` table (after column-shift repair)."""

    name: str
    required: bool
    type: TypeSpec
    enum: tuple[EnumValue, ...]
    description: str
    line: int
    presence: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldRow:
    """One row of the ``### Response`` table, or a parent row recovered from a folded description.

    ``path`` uses the page's notation (``result.trades[].fee``). ``string_literals`` are the string
    values a ``number or string`` union admits (``market_price``); ``examples`` are values the
    prose lists as examples rather than as a closed set (``i.e "BTC", "ETH"``); ``presence`` keeps
    hints such as ``Only for options`` verbatim; ``folded`` marks parents recovered from a
    description fragment (``line`` is then the line of the row that swallowed them).
    """

    path: str
    type: TypeSpec
    description: str
    line: int
    enum: tuple[EnumValue, ...] = ()
    string_literals: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    always_null: bool = False
    presence: tuple[str, ...] = ()
    folded: bool = False

    @property
    def parent(self) -> str:
        """The parent path (``""`` for top-level fields); ``a.b[].c`` has parent ``a.b[]``."""
        return path_parent(self.path)

    @property
    def name(self) -> str:
        """The last path segment, without a trailing ``[]``."""
        return path_name(self.path)


@dataclass(frozen=True)
class MethodDoc:
    """Everything the reader understood from one method page."""

    path: str
    method: str
    http_verb: str
    title_line: int
    summary: str
    params_line: int
    response_line: int
    params: tuple[ParamRow, ...]
    fields: tuple[FieldRow, ...]
    quirks: tuple[Quirk, ...] = ()

    def find(self, path: str) -> FieldRow | None:
        """The response row with exactly this path, if documented."""
        for row in self.fields:
            if row.path == path:
                return row
        return None

    def children(self, parent: str) -> tuple[FieldRow, ...]:
        """The rows directly under ``parent`` (``""`` for top level), in documentation order."""
        return tuple(row for row in self.fields if row.parent == parent)
