"""The runner's closing summary: what was checked, what failed, what was covered, what differed.

Coverage of fields and enum values comes from :mod:`deribit_contract.reporting.coverage` (the
responses the run received, judged against the schemas of its mode); the text is deterministic
for the same observations and holds no secrets (observations are redacted when recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deribit_contract.contract.checks import CONTRACT_RULES
from deribit_contract.errors import ExitCode
from deribit_contract.reporting.observations import RunObservations

__all__ = ["coverage_figures", "render_summary"]

_MAX_DIFFERENCES = 12
_MAX_FAILURES = 12


def coverage_figures(observations: RunObservations) -> dict[str, Any]:
    """Counts for the summary: fields and enum values seen out of the schema's, invariants run."""
    try:
        from deribit_contract.reporting.coverage import compute_coverage
    except ImportError:  # pragma: no cover - the reporting stage ships with the kit
        return {}
    coverage = compute_coverage(observations, rule_descriptions=CONTRACT_RULES)
    rows = coverage["invariants"]
    return {
        "fields": (coverage["fields"]["observed"], coverage["fields"]["total"]),
        "enums": (coverage["enums"]["observed"], coverage["enums"]["total"]),
        "invariants": (coverage["invariants_exercised"], len(rows)),
        "never_exercised": sorted(r["id"] for r in rows if not r["exercised"]),
    }


def render_summary(
    observations: RunObservations, *, problems: Sequence[str] = (), exit_code: int = 0
) -> str:
    """The multi-line summary the runner prints after pytest's own output."""
    obs = observations
    lines = [
        "",
        f"deribit-contract run — target {obs.target or '?'}, mode {obs.mode}, "
        f"hypothesis seed {obs.seed or '(random)'}",
        f"  checks run {obs.checks_run}, failed {obs.checks_failed}; schema validations "
        f"{obs.validations.get('passed', 0)} passed, {obs.validations.get('failed', 0)} failed",
        f"  examples {obs.examples}, orders {obs.orders}, requests {obs.requests}, "
        f"close_position responses {len(obs.responses)}",
    ]
    figures = coverage_figures(obs)
    if figures:
        fields, enums, invariants = figures["fields"], figures["enums"], figures["invariants"]
        lines.append(
            f"  covered: response fields {fields[0]}/{fields[1]}, enum values {enums[0]}/{enums[1]}, "
            f"invariants exercised {invariants[0]}/{invariants[1]}"
        )
        if figures["never_exercised"]:
            lines.append(f"  never exercised: {', '.join(figures['never_exercised'])}")
    if obs.differences:
        lines.append(f"  doc-vs-reality differences ({len(obs.differences)}):")
        ranked = sorted(obs.differences.items(), key=lambda kv: (-kv[1], kv[0]))
        for message, count in ranked[:_MAX_DIFFERENCES]:
            lines.append(f"    {count:>5} × {message}")
        if len(ranked) > _MAX_DIFFERENCES:
            lines.append(f"    ... and {len(ranked) - _MAX_DIFFERENCES} more (see --report)")
    if obs.failures:
        rules = sorted({failure.rule for failure in obs.failures})
        lines.append(f"  broken rules ({len(rules)}): {', '.join(rules)}")
        for failure in obs.failures[:_MAX_FAILURES]:
            where = f" {failure.path}:" if failure.path else ""
            lines.append(
                f"    [{failure.rule}]{where} expected {failure.expected}, got {failure.actual}"
                f" ({failure.test})"
            )
    for problem in problems:
        lines.append(f"  problem: {problem}")
    verdicts: dict[int, str] = {
        ExitCode.OK: "the contract HOLDS",
        ExitCode.VIOLATED: "the contract is VIOLATED",
        ExitCode.USAGE: "NO VERDICT (see above)",
    }
    verdict = verdicts.get(exit_code, f"exit {exit_code}")
    lines.append(f"verdict: {verdict} (exit {exit_code})")
    return "\n".join(lines)
