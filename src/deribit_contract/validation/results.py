"""The verdict types of validation: what the library returns and the reports print.

They are plain frozen dataclasses so results can be compared in tests, pickled to worker
processes and turned into JSON without a custom encoder (:meth:`to_dict`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Status", "UndocumentedField", "ValidationResult", "Violation", "erratum_note"]

Status = Literal["valid", "invalid", "not_json"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a record breaks the contract.

    ``path`` is a JSONPath into the record (``$.result.order.price``); ``expected`` and
    ``actual`` are short human-readable renderings (``actual`` is truncated); ``schema_location``
    is ``<mode>/<part>.schema.json#<JSON pointer>`` of the failing keyword; ``doc_line`` is the
    line of the vendor's documentation the rule came from (the failing subschema's
    ``x-doc-line`` or its nearest ancestor's), or None when the rule has no documentation line.
    """

    record: str
    path: str
    expected: str
    actual: str
    schema_location: str
    doc_line: int | None
    message: str
    keyword: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        return {
            "record": self.record,
            "path": self.path,
            "expected": self.expected,
            "actual": self.actual,
            "schema_location": self.schema_location,
            "doc_line": self.doc_line,
            "keyword": self.keyword,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class UndocumentedField:
    """A field the documentation does not list but the observed schema lets through (a warning).

    ``pattern`` is the path with array indexes replaced by ``[*]`` so that reports can count
    one field across many records (``$.result.trades[*].self_trade``).
    """

    record: str
    path: str
    pattern: str
    #: the errata entry that already records this field, or None for new drift
    erratum: str | None = None

    @property
    def message(self) -> str:
        """One line for humans."""
        return f"{self.path}: undocumented field (allowed in observed mode; {erratum_note(self.erratum)})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        return {
            "record": self.record,
            "path": self.path,
            "pattern": self.pattern,
            "erratum": self.erratum,
        }


def erratum_note(erratum: str | None) -> str:
    """How reports say whether the errata overlay already knows a difference."""
    return f"erratum {erratum}" if erratum else "new: not in the errata"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The verdict on one record.

    ``status`` is ``valid``, ``invalid`` (schema violations, listed best first) or ``not_json``
    (``error`` says why the bytes are not a JSON document). Warnings never affect ``valid``.
    """

    record: str
    status: Status
    violations: tuple[Violation, ...] = ()
    warnings: tuple[UndocumentedField, ...] = ()
    error: str | None = None

    @property
    def valid(self) -> bool:
        """True when the record satisfies the schema (warnings allowed)."""
        return self.status == "valid"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (violations and warnings as lists of mappings)."""
        return {
            "record": self.record,
            "status": self.status,
            "error": self.error,
            "violations": [v.to_dict() for v in self.violations],
            "warnings": [w.to_dict() for w in self.warnings],
        }
