"""Documentation drift: what real responses carry compared with what the vendor's table promises.

Field statistics (:mod:`.fieldstats`) are compared path by path with the DOCUMENTED schemas
(the table verbatim) and every difference is classified:

* ``undocumented`` — a field the table does not list (only the outermost such path is reported);
* ``type`` — a JSON type the documented type does not admit (``null`` included);
* ``enum`` — a value outside a documented enum (or a union's string literals);
* ``presence`` — a field the documented schema requires, absent from some records;
* ``never-seen`` — a documented field never present although its object was seen (information:
  the inputs may just lack that case, e.g. options-only fields, so it never fails a run).

A difference is *explained* when the errata overlay (``sources/errata.yaml``) has an entry for
it; the entry's id is kept so the report names every erratum it relies on. ``new`` differences
(not never-seen, not explained) are what ``deribit-contract drift --fail-on-new`` fails on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deribit_contract._paths import sources_dir
from deribit_contract.errors import InvalidArgument
from deribit_contract.reporting.drift_inputs import tally_paths
from deribit_contract.reporting.fieldstats import Collected, FieldStats, json_key, parent_path
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


@dataclass(frozen=True)
class Difference:
    """One way reality differs from the documentation at one path."""

    kind: str
    envelope: str  # "success" (responses, bare orders and trades) or "error"
    path: str
    observed: str
    documented: str
    count: int
    erratum: str | None = None

    @property
    def is_new(self) -> bool:
        """Not informational and not explained by the errata overlay."""
        return self.kind != "never-seen" and self.erratum is None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "kind": self.kind,
            "envelope": self.envelope,
            "path": self.path,
            "observed": self.observed,
            "documented": self.documented,
            "count": self.count,
            "erratum": self.erratum,
            "new": self.is_new,
        }


class ErrataIndex:
    """Looks up which erratum explains a difference (by path, kind and value)."""

    def __init__(self, errata: Iterable[Erratum]) -> None:
        self.entries = {e.id: e for e in errata}
        self._by_path: dict[str, list[Erratum]] = {}
        for entry in self.entries.values():
            self._by_path.setdefault(entry.path, []).append(entry)

    def _at(self, path: str, *kinds: str) -> list[Erratum]:
        return [e for e in self._by_path.get(path, []) if e.kind in kinds]

    def undocumented(self, path: str) -> str | None:
        """The entry that documents ``path`` as a known extra field."""
        found = self._at(path, "undocumented")
        return found[0].id if found else None

    def type(self, path: str, json_type: str) -> str | None:
        """The entry admitting ``json_type`` at ``path`` (``nullable`` for null)."""
        for entry in self._at(path, "type"):
            raw = entry.correction.get("type")
            allowed = raw if isinstance(raw, list) else [raw]
            if json_type in allowed or (json_type == "integer" and "number" in allowed):
                return entry.id
        if json_type == "null":
            found = self._at(path, "nullable")
            if found:
                return found[0].id
        return None

    def enum(self, path: str, value: Any) -> str | None:
        """The entry adding ``value`` to the enum at ``path``."""
        for entry in self._at(path, "enum"):
            if value in entry.correction.get("add", ()):
                return entry.id
        return None

    def presence(self, path: str) -> str | None:
        """The entry making ``path`` optional (a presence entry, or a required list without it)."""
        found = self._at(path, "presence")
        if found:
            return found[0].id
        name = path.rsplit(".", 1)[-1]
        for entry in self._at(parent_path(path), "required"):
            if name not in entry.correction.get("fields", ()):
                return entry.id
        return None


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


def _fmt_types(types: Counter[str]) -> str:
    return ", ".join(f"{t} ×{n}" for t, n in sorted(types.items()))


def _compare(
    envelope: str, stats: FieldStats, view: SchemaView, errata: ErrataIndex
) -> list[Difference]:
    out: list[Difference] = []
    undocumented_roots: list[str] = []
    for path in sorted(stats.fields):
        stat = stats.fields[path]
        if view.is_free_form(path):
            continue
        if any(
            path.startswith(root + ".") or path.startswith(root + "[]")
            for root in undocumented_roots
        ):
            continue
        row = view.get(path)
        if row is None:
            undocumented_roots.append(path)
            out.append(
                Difference(
                    "undocumented",
                    envelope,
                    path,
                    _fmt_types(stat.types),
                    "(not in the table)",
                    stat.present,
                    errata.undocumented(path),
                )
            )
            continue
        documented = " or ".join(row.types) or "any"
        for json_type, n in sorted(stat.types.items()):
            if not row.admits_type(json_type):
                out.append(
                    Difference(
                        "type",
                        envelope,
                        path,
                        f"{json_type} ×{n}",
                        documented,
                        n,
                        errata.type(path, json_type),
                    )
                )
        if row.has_enum:
            for value, n in sorted(stat.values.items(), key=lambda kv: str(kv[0])):
                json_type = "boolean" if isinstance(value, bool) else "string"
                if row.admits_type(json_type) and not row.admits_value(value, json_type):
                    listed = ", ".join(map(str, row.enum_values))
                    out.append(
                        Difference(
                            "enum",
                            envelope,
                            path,
                            f"{json_key(value)!r} ×{n}",
                            f"one of {listed}",
                            n,
                            errata.enum(path, value),
                        )
                    )
    for path, row in sorted(view.fields.items()):
        if path.endswith("[]") or view.is_free_form(path):
            continue
        present, parents = stats.presence(path)
        if parents == 0:
            continue
        if row.required and present < parents:
            out.append(
                Difference(
                    "presence",
                    envelope,
                    path,
                    f"present in {present} of {parents}",
                    "required",
                    parents - present,
                    errata.presence(path),
                )
            )
        elif present == 0:
            hint = "; ".join(row.presence)
            out.append(
                Difference(
                    "never-seen",
                    envelope,
                    path,
                    f"absent from all {parents}",
                    hint or "listed in the table",
                    0,
                )
            )
    return out


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
    differences = _compare("success", collected.success, views["success"], index)
    differences += _compare("error", collected.error, views["error"], index)
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
