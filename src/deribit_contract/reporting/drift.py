"""Documentation drift: what real responses carry compared with what the vendor's table promises.

Field statistics (:mod:`.fieldstats`) are compared path by path with the DOCUMENTED schemas
(the table verbatim) and every difference is classified:

* ``undocumented`` — a field the table does not list (only the outermost such path is reported);
* ``type`` — a JSON type the documented type does not admit (``null`` included);
* ``enum`` — a value outside a documented enum (or a union's string literals);
* ``presence`` — a field the documented schema, or the observed one (the errata's
  evidence-based ``required`` lists), requires, absent from some records;
* ``never-seen`` — a documented field never present although its object was seen (information:
  the inputs may just lack that case, e.g. options-only fields, so it never fails a run).

A difference is *explained* when the observed schema (table + ``sources/errata.yaml``, what
``validate`` judges with) admits it, by the erratum that made it admit it; the entry's id is kept so the report names every erratum it relies on. ``new`` differences
(not never-seen, not explained) are what ``deribit-contract drift --fail-on-new`` fails on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deribit_contract._paths import sources_dir
from deribit_contract.errors import InvalidArgument
from deribit_contract.reporting.drift_compare import Difference, ErrataIndex, compare
from deribit_contract.reporting.drift_inputs import tally_paths
from deribit_contract.reporting.fieldstats import Collected, FieldStats
from deribit_contract.reporting.schemaview import SchemaView, load_view
from deribit_contract.schema.errata import Erratum, load_errata
from deribit_contract.validation.records import check_paths, unwrap_recording

__all__ = [
    "DIFFERENCE_KINDS",
    "Difference",
    "DriftReport",
    "ErrataIndex",
    "analyse_paths",
    "analyse_records",
]

DIFFERENCE_KINDS = ("undocumented", "type", "enum", "presence", "never-seen")


@dataclass
class DriftReport:
    """The result of comparing inputs with the documentation."""

    inputs: list[str]
    collected: Collected
    differences: list[Difference]
    errata: dict[str, Erratum]
    records: int = 0
    unreadable: int = 0
    problems: list[str] = field(default_factory=list)
    views: dict[str, SchemaView] = field(default_factory=dict)

    @property
    def analysed(self) -> int:
        """Records that were envelopes, orders or trades."""
        c = self.collected.kinds
        return c["success"] + c["error"] + c["order"] + c["trade"]

    @property
    def new(self) -> list[Difference]:
        """Differences the errata overlay does not explain yet."""
        return [d for d in self.differences if d.is_new]

    @property
    def errata_used(self) -> list[Erratum]:
        """Every erratum that explains at least one difference, by id."""
        ids = sorted({d.erratum for d in self.differences if d.erratum})
        return [self.errata[i] for i in ids]

    def stats(self, envelope: str) -> FieldStats:
        """The statistics of ``success`` or ``error`` records."""
        return self.collected.success if envelope == "success" else self.collected.error

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (deterministic order)."""
        return {
            "inputs": self.inputs,
            "records": {
                "total": self.records,
                "unreadable": self.unreadable,
                "kinds": dict(sorted(self.collected.kinds.items())),
                "problems": self.problems,
            },
            "summary": {
                "differences": len(self.differences),
                "new": len(self.new),
                "explained": sum(1 for d in self.differences if d.erratum),
                "never_seen": sum(1 for d in self.differences if d.kind == "never-seen"),
            },
            "differences": [d.to_json() for d in self.differences],
            "errata_used": [
                {"id": e.id, "kind": e.kind, "path": e.path, "why": e.why} for e in self.errata_used
            ],
            "fields": {
                "success": self.collected.success.to_json(),
                "error": self.collected.error.to_json(),
            },
        }


def analyse_records(
    records: Iterable[Any],
    *,
    part: str | None = None,
    errata_path: Path | None = None,
    schemas: Path | None = None,
    inputs: Sequence[str] = (),
) -> DriftReport:
    """Drift of already-parsed records (see :func:`~.fieldstats.classify` for ``part``)."""
    collected = Collected()
    total = 0
    for record in records:
        total += 1
        collected.add(unwrap_recording(record), part=part)
    return _finish(collected, list(inputs), total, 0, [], errata_path=errata_path, schemas=schemas)


def analyse_paths(
    paths: Sequence[str | Path],
    *,
    part: str | None = None,
    errata_path: Path | None = None,
    schemas: Path | None = None,
    jobs: int = 1,
) -> DriftReport:
    """Drift of the records in ``paths`` (files, directories, JSON Lines, ``-`` for stdin).

    Unreadable records are counted and listed (up to 20), never fatal. ``jobs`` worker
    processes read the input (the report is the same for every value). Raises
    :class:`InvalidArgument` when a path does not exist or the inputs hold no record at all.
    """
    check_paths(paths)
    tally = tally_paths(paths, part=part, jobs=jobs)
    if tally.total == 0:
        shown = ", ".join(str(p) for p in paths)
        raise InvalidArgument(
            f"no records in {shown}: expected .json/.jsonl files of responses, orders or trades"
        )
    return _finish(
        tally.collected,
        [str(p) for p in paths],
        tally.total,
        tally.unreadable,
        tally.problems,
        errata_path=errata_path,
        schemas=schemas,
    )


def _finish(
    collected: Collected,
    inputs: list[str],
    total: int,
    unreadable: int,
    problems: list[str],
    *,
    errata_path: Path | None,
    schemas: Path | None,
) -> DriftReport:
    entries = load_errata(errata_path or sources_dir() / "errata.yaml")
    index = ErrataIndex(entries)
    views = {
        "success": load_view("success", "documented", directory=schemas),
        "error": load_view("error", "documented", directory=schemas),
    }
    # the schemas validate judges with: they decide which differences the errata explain
    observed = {
        "success": load_view("success", "observed", directory=schemas),
        "error": load_view("error", "observed", directory=schemas),
    }
    differences = compare(
        "success", collected.success, views["success"], observed["success"], index
    )
    differences += compare("error", collected.error, views["error"], observed["error"], index)
    order = {kind: i for i, kind in enumerate(DIFFERENCE_KINDS)}
    differences.sort(
        key=lambda d: (d.is_new is False, order[d.kind], d.envelope, d.path, d.observed)
    )
    return DriftReport(
        inputs=inputs,
        collected=collected,
        differences=differences,
        errata=index.entries,
        records=total,
        unreadable=unreadable,
        problems=problems,
        views=views,
    )
