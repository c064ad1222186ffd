"""Coverage of a contract run: which parts of the contract the run actually exercised.

"All green" means little if the run never saw a resting limit close or a ``cancelled`` state.
From the :class:`~deribit_contract.reporting.observations.RunObservations` of a run this module
computes which schema fields and enum values the received responses showed (against the
schemas of the run's mode), which invariants were evaluated and how often, and what failed;
:func:`write_run_report` writes that as JSON plus a self-contained HTML page.

The runner calls ``write_run_report(observations, path)`` for ``deribit-contract run --report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from deribit_contract._fileio import atomic_write_text, dump_canonical_json
from deribit_contract.invariants import RULES
from deribit_contract.reporting.fieldstats import Collected, FieldStats, json_key
from deribit_contract.reporting.observations import RunObservations
from deribit_contract.reporting.schemaview import SchemaView, load_view

__all__ = ["compute_coverage", "write_run_report"]


def _field_rows(envelope: str, stats: FieldStats, view: SchemaView) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path, row in sorted(view.fields.items()):
        if path.endswith("[]"):
            continue
        present, parents = stats.presence(path)
        stat = stats.fields.get(path)
        rows.append(
            {
                "envelope": envelope,
                "path": path,
                "documented": " or ".join(row.types) or "any",
                "required": row.required,
                "seen": present,
                "parents": parents,
                "types": dict(sorted(stat.types.items())) if stat else {},
            }
        )
    return rows


def _enum_rows(envelope: str, stats: FieldStats, view: SchemaView) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path, row in sorted(view.fields.items()):
        if not row.has_enum:
            continue
        stat = stats.fields.get(path)
        for value in row.enum_values:
            seen = stat.values.get(value, 0) if stat is not None else 0
            rows.append(
                {
                    "envelope": envelope,
                    "path": path,
                    "value": json_key(value) if isinstance(value, (str, bool)) else str(value),
                    "seen": seen,
                }
            )
    return rows


def _undocumented(envelope: str, stats: FieldStats, view: SchemaView) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    roots: list[str] = []
    for path in sorted(stats.fields):
        if view.get(path) is not None or view.is_free_form(path):
            continue
        if any(path.startswith(r + ".") or path.startswith(r + "[]") for r in roots):
            continue
        roots.append(path)
        stat = stats.fields[path]
        out.append(
            {
                "envelope": envelope,
                "path": path,
                "seen": stat.present,
                "types": dict(sorted(stat.types.items())),
            }
        )
    return out


def _invariant_rows(
    invariants: Mapping[str, Mapping[str, int]], descriptions: Mapping[str, str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    known = {**RULES, **descriptions}
    for rule_id in sorted(set(known) | set(invariants)):
        bucket = invariants.get(rule_id, {})
        passed, failed, skipped = (bucket.get(k, 0) for k in ("passed", "failed", "skipped"))
        rows.append(
            {
                "id": rule_id,
                "description": known.get(rule_id, "(no description)"),
                "passed": passed,
                "failed": failed,
                "skipped": skipped,
                "exercised": passed + failed > 0,
            }
        )
    return rows


def compute_coverage(
    observations: RunObservations,
    *,
    schemas: Path | None = None,
    rule_descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The coverage document of a run (JSON-ready, deterministic for the same observations).

    Fields and enum values are judged against the schemas of ``observations.mode``
    (``observed`` unless the run used ``documented``); ``schemas`` overrides their directory.
    Every rule of the invariants registry is listed (exercised or not), plus the rules in
    ``rule_descriptions`` (e.g. the suite's own contract rules) and any rule the run counted.
    """
    mode = observations.mode if observations.mode in ("observed", "documented") else "observed"
    collected = Collected()
    for response in observations.responses:
        collected.add(response, part="response")
    views = {
        "success": load_view("success", mode, directory=schemas),
        "error": load_view("error", mode, directory=schemas),
    }
    fields: list[dict[str, Any]] = []
    enums: list[dict[str, Any]] = []
    undocumented: list[dict[str, Any]] = []
    for envelope, stats in (("success", collected.success), ("error", collected.error)):
        fields += _field_rows(envelope, stats, views[envelope])
        enums += _enum_rows(envelope, stats, views[envelope])
        undocumented += _undocumented(envelope, stats, views[envelope])
    invariants = _invariant_rows(observations.invariants, rule_descriptions or {})
    return {
        "run": {
            "target": observations.target,
            "mode": mode,
            "seed": observations.seed,
            "responses": len(observations.responses),
            "success_envelopes": collected.kinds["success"],
            "error_envelopes": collected.kinds["error"],
            "other_responses": collected.kinds["other-result"] + collected.kinds["not-a-response"],
            "orders": observations.orders,
            "requests": observations.requests,
            "examples": observations.examples,
            "checks_run": observations.checks_run,
            "checks_failed": observations.checks_failed,
            "validations": dict(sorted(observations.validations.items())),
        },
        "fields": {
            "total": len(fields),
            "observed": sum(1 for f in fields if f["seen"]),
            "rows": fields,
        },
        "enums": {
            "total": len(enums),
            "observed": sum(1 for e in enums if e["seen"]),
            "rows": enums,
        },
        "undocumented": undocumented,
        "invariants": invariants,
        "invariants_exercised": sum(1 for r in invariants if r["exercised"]),
        "differences": dict(sorted(observations.differences.items())),
        "failures": [
            {
                "rule": f.rule,
                "path": f.path,
                "expected": f.expected,
                "actual": f.actual,
                "test": f.test,
                "message": f.message,
            }
            for f in observations.failures
        ],
    }


def _targets(path: Path) -> tuple[Path, Path]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return path, path.with_suffix(".html")
    if suffix in (".html", ".htm"):
        return path.with_suffix(".json"), path
    return path / "coverage.json", path / "coverage.html"


def write_run_report(
    observations: RunObservations,
    path: Path,
    *,
    schemas: Path | None = None,
    rule_descriptions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the run's coverage as JSON and as a self-contained HTML page; return both paths.

    ``path`` ending in ``.json`` (or ``.html``) names one file and the other is written next to
    it with the other suffix; any other ``path`` is a directory that receives ``coverage.json``
    and ``coverage.html``. Writes are atomic; parent directories are created.
    ``rule_descriptions`` names rules outside the invariants registry (the runner passes
    :data:`deribit_contract.contract.checks.CONTRACT_RULES`).
    """
    from deribit_contract.reporting.html import render_run_html

    coverage = compute_coverage(observations, schemas=schemas, rule_descriptions=rule_descriptions)
    json_path, html_path = _targets(Path(path))
    atomic_write_text(json_path, dump_canonical_json(coverage))
    atomic_write_text(html_path, render_run_html(coverage))
    return [json_path, html_path]
