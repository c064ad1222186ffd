"""Print validation results as text for people or JSON for tools, streaming and in bounded memory.

Valid records are only counted; each invalid or non-JSON record is written as soon as it is
judged (so a 10 GB capture with a bad line shows it at once), and undocumented fields are
listed once per field (``$.result.trades[*].self_trade`` and the first record showing it)
instead of being repeated for every record. Memory is bounded by the number of distinct undocumented fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from deribit_contract.validation.explain import json_path, pattern_path
from deribit_contract.validation.results import ValidationResult, Violation, erratum_note

__all__ = ["JsonReporter", "Reporter", "Summary", "TextReporter", "make_reporter"]


# distinct undocumented paths whose rendering is kept (bounds memory on hostile input)
_RENDER_CACHE = 65536


@dataclass(frozen=True, slots=True)
class _FirstSeen:
    record: str
    path: str
    erratum: str | None = None


@dataclass(slots=True)
class Summary:
    """Running counts of one validation run.

    ``warnings`` is the number of distinct undocumented fields (``$.result.trades[*].self_trade``
    counts once however many records carry it); each is listed with the first record that
    showed it. Counting every occurrence would cost a walk of every record, which the bulk path
    avoids (it only walks batches that bring something new).
    """

    records: int = 0
    valid: int = 0
    invalid: int = 0
    not_json: int = 0
    undocumented: dict[str, _FirstSeen] = field(default_factory=dict)
    _rendered: dict[tuple[str | int, ...], tuple[str, str]] = field(
        default_factory=dict, repr=False
    )

    @property
    def warnings(self) -> int:
        """Distinct undocumented fields seen so far."""
        return len(self.undocumented)

    def note_paths(
        self,
        paths: list[tuple[str | int, ...]],
        source: str,
        line: int,
        errata: list[str | None] | None = None,
    ) -> None:
        """Record undocumented-field paths of one record (no warning objects built).

        Path strings are rendered once per distinct path (cached, bounded), and the record
        label only when a field is seen for the first time.
        """
        cache = self._rendered
        for index, path in enumerate(paths):
            rendered = cache.get(path)
            if rendered is None:
                rendered = (json_path(path), pattern_path(path))
                if len(cache) < _RENDER_CACHE:
                    cache[path] = rendered
            if rendered[1] not in self.undocumented:
                erratum = errata[index] if errata is not None else None
                self.undocumented[rendered[1]] = _FirstSeen(
                    f"{source}:{line}", rendered[0], erratum
                )

    def add(self, result: ValidationResult) -> None:
        """Count ``result`` and note its warnings."""
        self.records += 1
        if result.status == "valid":
            self.valid += 1
        elif result.status == "invalid":
            self.invalid += 1
        else:
            self.not_json += 1
        for warning in result.warnings:
            if warning.pattern not in self.undocumented:
                self.undocumented[warning.pattern] = _FirstSeen(
                    warning.record, warning.path, warning.erratum
                )

    def merge(self, other: Summary, *, relabel: Callable[[str], str] | None = None) -> None:
        """Fold in the counts of a run over the input that follows this one's.

        A field first seen in ``other`` keeps its first record (``relabel`` maps the record
        labels of ``other``, e.g. to shift line numbers); a field seen here already keeps ours.
        """
        self.records += other.records
        self.valid += other.valid
        self.invalid += other.invalid
        self.not_json += other.not_json
        for pattern, seen in other.undocumented.items():
            if pattern not in self.undocumented:
                if relabel is not None:
                    seen = _FirstSeen(relabel(seen.record), seen.path, seen.erratum)
                self.undocumented[pattern] = seen

    def without_cache(self) -> Summary:
        """A copy without the rendering cache (what a worker sends back to the parent)."""
        return Summary(self.records, self.valid, self.invalid, self.not_json, self.undocumented)

    @property
    def ok(self) -> bool:
        """True when every record was valid JSON satisfying the schema."""
        return self.invalid == 0 and self.not_json == 0

    def line(self) -> str:
        """The one-line summary printed last."""
        return (
            f"{self.records} records: {self.valid} valid, {self.invalid} invalid, "
            f"{self.not_json} not JSON, {self.warnings} warnings (undocumented fields)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Counts as a JSON-ready mapping."""
        return {
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "not_json": self.not_json,
            "warnings": self.warnings,
        }

    def warning_rows(self) -> list[dict[str, Any]]:
        """Distinct undocumented fields sorted by path, each with where it was first seen."""
        return [
            {
                "field": pattern,
                "first_record": seen.record,
                "first_path": seen.path,
                "erratum": seen.erratum,
            }
            for pattern, seen in sorted(self.undocumented.items())
        ]


class Reporter(Protocol):
    """What the command needs from an output format."""

    summary: Summary

    def start(self, *, mode: str, part: str) -> None: ...
    def add(self, result: ValidationResult) -> None: ...
    def emit(self, result: ValidationResult) -> None: ...
    def finish(self) -> None: ...


def _violation_lines(violation: Violation) -> list[str]:
    doc = f"doc line {violation.doc_line}" if violation.doc_line is not None else "no doc line"
    return [
        f"  {violation.path}: expected {violation.expected}; got {violation.actual}",
        f"    schema: {violation.schema_location}  ({doc})",
    ]


class TextReporter:
    """Human output: one block per bad record, warnings tallied, summary last."""

    def __init__(self, stream: TextIO, *, max_violations: int = 20) -> None:
        self._out = stream
        self._max = max_violations
        self.summary = Summary()
        self._mode = "observed"

    def start(self, *, mode: str, part: str) -> None:
        """Remember the mode (the warning block says which mode allowed the fields)."""
        self._mode = mode

    def add(self, result: ValidationResult) -> None:
        """Count ``result`` and print it if it is not valid."""
        self.summary.add(result)
        self.emit(result)

    def emit(self, result: ValidationResult) -> None:
        """Print ``result`` if it is not valid (counting is the caller's job)."""
        if result.status == "not_json":
            self._out.write(f"{result.record}: not JSON: {result.error}\n")
        elif result.status == "invalid":
            count = len(result.violations)
            self._out.write(
                f"{result.record}: invalid: {count} violation{'s' if count != 1 else ''}\n"
            )
            lines: list[str] = []
            for violation in result.violations[: self._max]:
                lines.extend(_violation_lines(violation))
            if count > self._max:
                lines.append(f"  ... and {count - self._max} more")
            self._out.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        """Print the warning tally and the summary line."""
        rows = self.summary.warning_rows()
        if rows:
            self._out.write(
                f"warnings: undocumented fields (allowed in {self._mode} mode, not failures):\n"
            )
            for row in rows:
                note = erratum_note(row["erratum"])
                self._out.write(f"  {row['field']}  ({note}; first at {row['first_record']})\n")
        self._out.write(self.summary.line() + "\n")
        self._out.flush()


class JsonReporter:
    """One JSON document, written incrementally: ``{"mode", "part", "records": [bad records...],
    "warnings": [tally...], "summary": {...}}``. Valid records are counted, not listed."""

    def __init__(self, stream: TextIO) -> None:
        self._out = stream
        self.summary = Summary()
        self._first = True

    def start(self, *, mode: str, part: str) -> None:
        """Open the document."""
        self._out.write(f'{{"mode": {json.dumps(mode)}, "part": {json.dumps(part)}, "records": [')

    def add(self, result: ValidationResult) -> None:
        """Count ``result``; write it into ``records`` if it is not valid."""
        self.summary.add(result)
        self.emit(result)

    def emit(self, result: ValidationResult) -> None:
        """Write ``result`` into ``records`` if it is not valid (counting is the caller's job)."""
        if result.status == "valid":
            return
        entry = result.to_dict()
        del entry["warnings"]  # tallied once at the end instead of per record
        self._out.write(
            ("\n  " if self._first else ",\n  ") + json.dumps(entry, ensure_ascii=False)
        )
        self._first = False

    def finish(self) -> None:
        """Close ``records`` and write the warning tally and summary."""
        tail = {"warnings": self.summary.warning_rows(), "summary": self.summary.to_dict()}
        body = json.dumps(tail, ensure_ascii=False, indent=2)[1:]  # reuse the opening brace
        self._out.write(("\n" if not self._first else "") + "],\n " + body.lstrip() + "\n")
        self._out.flush()


def make_reporter(kind: str, stream: TextIO) -> TextReporter | JsonReporter:
    """The reporter for ``--format`` ``kind`` (``text`` or ``json``)."""
    if kind == "json":
        return JsonReporter(stream)
    return TextReporter(stream)
