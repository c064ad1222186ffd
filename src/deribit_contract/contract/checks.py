"""Judge one close_position call by the schemas and the invariants, and explain a failure.

:class:`ContractJudge` is what every check of the suite goes through: it validates the response
in the selected schema mode, runs every invariant over (request, position before, response,
position after), adds the few contract rules that need the suite's context (a limit close never
fills past its price, the answer is a JSON-RPC envelope at all...), records everything into the
run's :class:`~deribit_contract.reporting.observations.RunObservations`, and raises a
:class:`~deribit_contract.errors.ContractViolation` whose message a person can act on: the rule,
the JSON path, expected and actual values, the request (secrets redacted), a curl line that
reproduces it and the Hypothesis seed.

In ``documented`` mode the vendor's table is the yardstick, but the errata real traffic shows
(boolean ``trades[].reduce_only``, ``matching_id: null``...) are reported as differences rather
than failures: a response fails only where the observed schema rejects it too.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from deribit_contract._json import json_excerpt
from deribit_contract.errors import ContractViolation
from deribit_contract.invariants import (
    RULES,
    SEQUENCE_RULES,
    CloseCall,
    Step,
    Violation,
    evaluate,
    judge_step,
)
from deribit_contract.redaction import Redactor
from deribit_contract.reporting.observations import CheckFailure, RunObservations
from deribit_contract.validation import ResponseValidator
from deribit_contract.validation.results import erratum_note

__all__ = ["CONTRACT_RULES", "ContractJudge", "Finding", "curl_line"]

#: rules the suite judges itself (they need to know what was asked, or the HTTP exchange)
CONTRACT_RULES: Mapping[str, str] = {
    "envelope.json": "the answer to close_position is a JSON-RPC envelope (not HTML, not HTTP 500)",
    "request.valid_accepted": "a valid close of an open position gets a result, not an error",
    "auth.required": "private methods refuse a caller without credentials",
    "auth.scope_enforced": "a token granted trade:read only (no trade:read_write) cannot close a "
    "position: it gets an error and the position stays",
    "orders.cancelled": "cancel_all_by_instrument leaves no open order on the instrument",
    # reduce-only over time: pure rules of the invariants, judged by the suite's sequences
    **SEQUENCE_RULES,
}
_MAX_FAILURES_KEPT = 200
#: characters of an expected or actual value a recorded failure keeps
_VALUE_CHARS = 160


#: a finding of the judge (schema keyword, invariant or contract rule) is an invariant Violation
Finding = Violation


def curl_line(base_url: str, request: Mapping[str, Any]) -> str:
    """A shell command that sends ``request`` again (the token comes from ``$DERIBIT_ACCESS_TOKEN``)."""
    method = str(request.get("method", ""))
    body = json.dumps(dict(request), sort_keys=True, separators=(",", ":"), default=repr)
    auth = ""
    if method.startswith("private/"):
        auth = ' -H "Authorization: Bearer $DERIBIT_ACCESS_TOKEN"'
    return (
        f"curl -sS -X POST {shlex.quote(f'{base_url}/api/v2/{method}')}"
        f" -H 'Content-Type: application/json'{auth} -d {shlex.quote(body)}"
    )


class ContractJudge:
    """Judges calls for one run and records every verdict into ``observations``."""

    def __init__(
        self,
        observations: RunObservations,
        *,
        mode: str = "observed",
        redactor: Redactor | None = None,
        base_url: str = "",
        seed: str = "",
    ) -> None:
        self.observations = observations
        self.mode = mode
        self.redactor = redactor or Redactor()
        self.base_url = base_url
        self.seed = seed
        self._observed = ResponseValidator("observed")
        self._documented = ResponseValidator("documented") if mode == "documented" else None
        self._failure_keys: set[tuple[str, str, str]] = set()

    # --- judging ----------------------------------------------------------------------
    def schema_findings(self, response: Any) -> list[Finding]:
        """Schema violations (failures) of ``response``; differences are recorded, not returned."""
        result = self._observed.validate(response)
        for warning in result.warnings:
            self.observations.note_difference(
                f"undocumented field {warning.pattern} ({erratum_note(warning.erratum)})"
            )
        failing = {(v.path, v.keyword) for v in result.violations}
        if self._documented is not None:
            for v in self._documented.validate(response).violations:
                # undocumented fields are already counted above, once per field
                if (v.path, v.keyword) not in failing and v.keyword != "additionalProperties":
                    self.observations.note_difference(
                        f"documented schema: {_pattern(v.path)}: expected {v.expected}"
                    )
        self.observations.validations["failed" if result.violations else "passed"] += 1
        return [
            Finding(f"schema.{v.keyword or 'invalid'}", v.path, v.expected, v.actual, v.message)
            for v in result.violations
        ]

    def close_findings(
        self,
        request: Mapping[str, Any] | None,
        response: Any,
        position_before: Mapping[str, Any] | None,
        position_after: Mapping[str, Any] | None,
        *,
        tick_size: float | None = None,
        ticker: Mapping[str, Any] | None = None,
        order_final: Mapping[str, Any] | None = None,
    ) -> list[Finding]:
        """Every finding on one close_position call (schema and invariants)."""
        self.observations.responses.append(self.redactor.json(response))
        findings = self.schema_findings(response)
        report = evaluate(
            CloseCall(
                request,
                position_before,
                response,
                position_after,
                tick_size,
                ticker=ticker,
                order_final=order_final,
            )
        )
        broken = report.broken_rules()
        for rule in report.checked:
            self.observations.count_invariant(rule, "failed" if rule in broken else "passed")
        for rule in report.skipped:
            self.observations.count_invariant(rule, "skipped")
        findings.extend(report.violations)
        return findings

    # --- failing ----------------------------------------------------------------------
    def fail(
        self,
        findings: Sequence[Finding],
        *,
        request: Mapping[str, Any] | None,
        response: Any = None,
        test: str = "",
        title: str = "",
    ) -> ContractViolation:
        """Record ``findings`` and build the exception to raise (the caller raises it)."""
        for finding in findings:
            key = (finding.rule, finding.path, test)
            if key in self._failure_keys or len(self._failure_keys) >= _MAX_FAILURES_KEPT:
                continue
            self._failure_keys.add(key)
            self.observations.failures.append(
                CheckFailure(
                    rule=finding.rule,
                    path=finding.path,
                    # masked before the cut: a secret cut in half would no longer match
                    expected=json_excerpt(self.redactor.json(finding.expected), _VALUE_CHARS),
                    actual=json_excerpt(self.redactor.json(finding.actual), _VALUE_CHARS),
                    test=test,
                    message=self.redactor.text(finding.message),
                )
            )
        rules = ", ".join(dict.fromkeys(f.rule for f in findings))
        heading = title or f"close_position broke the contract: {rules}"
        lines = [self.redactor.text(f.line()) for f in findings]
        for rule in dict.fromkeys(f.rule for f in findings):
            description = RULES.get(rule) or CONTRACT_RULES.get(rule)
            if description:
                lines.append(f"  rule {rule}: {description}")
        if request is not None:
            safe = self.redactor.json(dict(request))
            lines.append(f"request:  {json.dumps(safe, sort_keys=True, default=repr)}")
            lines.append(f"reproduce: {self.redactor.text(curl_line(self.base_url, safe))}")
        if response is not None:
            rendered = json.dumps(self.redactor.json(response), sort_keys=True, default=repr)
            lines.append(f"response: {json_excerpt(rendered, 600)}")
        lines.append(
            f"hypothesis seed: {self.seed or '(random; rerun with --hypothesis-seed / --seed)'}"
        )
        return ContractViolation(self.redactor.text(heading), "\n".join(lines), tuple(findings))

    def check_close(
        self,
        request: Mapping[str, Any] | None,
        response: Any,
        position_before: Mapping[str, Any] | None,
        position_after: Mapping[str, Any] | None,
        *,
        tick_size: float | None = None,
        test: str = "",
        ticker: Mapping[str, Any] | None = None,
        order_final: Mapping[str, Any] | None = None,
    ) -> None:
        """Judge one close and raise :class:`ContractViolation` if any rule is broken.

        ``ticker`` (read just before) and ``order_final`` (the settled order) are the market
        facts the invariants need on a moving market (see :func:`deribit_contract.invariants.evaluate`).
        """
        __tracebackhide__ = True
        findings = self.close_findings(
            request,
            response,
            position_before,
            position_after,
            tick_size=tick_size,
            ticker=ticker,
            order_final=order_final,
        )
        if findings:
            raise self.fail(findings, request=request, response=response, test=test)

    def check_step(self, step: Step, previous: Step | None = None, *, test: str = "") -> None:
        """Judge one step of a sequence by the sequence rules; raise on a violation.

        Every rule the step can show is counted (passed or failed) for the coverage report.
        """
        __tracebackhide__ = True
        applicable = ["sequence.open_within_position"] if step.open_orders_after is not None else []
        if step.reduce_only:
            applicable.append("sequence.never_grows_or_flips")
        if previous is not None and previous.open_orders_after is not None:
            applicable.append("sequence.resting_never_grows")
        if any(call.method == "private/edit" for call in step.calls):
            applicable.append("edit.capped")
        if step.concurrent:
            applicable.append("sequence.concurrent_closes")
        self.count_and_raise(applicable, judge_step(step, previous), step=step, test=test)

    def count_and_raise(
        self,
        applicable: Sequence[str],
        findings: Sequence[Finding],
        *,
        step: Step | None = None,
        test: str = "",
    ) -> None:
        """Count ``applicable`` rules as passed or failed by ``findings``; raise if any."""
        __tracebackhide__ = True
        broken = {f.rule for f in findings}
        for rule in dict.fromkeys([*applicable, *broken]):
            self.observations.count_invariant(rule, "failed" if rule in broken else "passed")
        if findings:
            last = step.calls[-1] if step is not None and step.calls else None
            raise self.fail(
                findings,
                request=last.request if last is not None else None,
                response=last.response if last is not None else None,
                test=test,
                title=f"reduce-only broke over time ({step.action if step else 'sequence'}): "
                + ", ".join(dict.fromkeys(f.rule for f in findings)),
            )

    def require(
        self,
        condition: bool,  # noqa: FBT001 - the condition is what the call is about
        finding: Finding,
        *,
        request: Mapping[str, Any] | None,
        response: Any = None,
        test: str = "",
    ) -> None:
        """Count one contract-rule evaluation; raise when ``condition`` is false."""
        __tracebackhide__ = True
        self.observations.count_invariant(finding.rule, "passed" if condition else "failed")
        if not condition:
            raise self.fail([finding], request=request, response=response, test=test)


def _pattern(path: str) -> str:
    """``$.result.trades[3].price`` -> ``$.result.trades[*].price`` (to count one field once)."""
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[*]")
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)
