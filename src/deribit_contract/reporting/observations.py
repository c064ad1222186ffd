"""The record a contract run keeps of what it saw, handed from the suite to the reports.

The pytest plugin fills one :class:`RunObservations` per run (secrets already redacted); the
runner prints its summary and the reporting stage turns it into coverage JSON and HTML. It is
plain data so it can cross process boundaries (pytest-xdist workers) as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CheckFailure", "RunObservations"]


@dataclass
class CheckFailure:
    """One broken rule as the run saw it (values already redacted)."""

    rule: str
    path: str
    expected: str
    actual: str
    test: str
    message: str = ""


@dataclass
class RunObservations:
    """Everything a run observed; every counter starts at zero."""

    target: str = ""
    mode: str = "observed"
    seed: str = ""
    # every response envelope the run received from close_position (redacted)
    responses: list[dict[str, Any]] = field(default_factory=list)
    # invariant rule id -> {"passed": n, "failed": n, "skipped": n}
    invariants: dict[str, dict[str, int]] = field(default_factory=dict)
    # schema validations: {"passed": n, "failed": n}
    validations: dict[str, int] = field(default_factory=lambda: {"passed": 0, "failed": 0})
    # undocumented fields and other doc-vs-reality differences seen (message -> count)
    differences: dict[str, int] = field(default_factory=dict)
    failures: list[CheckFailure] = field(default_factory=list)
    examples: int = 0
    orders: int = 0
    requests: int = 0

    def count_invariant(self, rule: str, outcome: str) -> None:
        """Count one evaluation of ``rule`` with ``outcome`` passed|failed|skipped."""
        bucket = self.invariants.setdefault(rule, {"passed": 0, "failed": 0, "skipped": 0})
        bucket[outcome] += 1

    def note_difference(self, message: str) -> None:
        """Count one doc-vs-reality difference (e.g. an undocumented field)."""
        self.differences[message] = self.differences.get(message, 0) + 1

    @property
    def checks_run(self) -> int:
        """Schema validations plus invariant evaluations that were not skipped."""
        inv = sum(b["passed"] + b["failed"] for b in self.invariants.values())
        return inv + self.validations["passed"] + self.validations["failed"]

    @property
    def checks_failed(self) -> int:
        """Failed schema validations plus failed invariant evaluations."""
        return sum(b["failed"] for b in self.invariants.values()) + self.validations["failed"]

    def merge(self, other: RunObservations) -> None:
        """Fold another worker's observations into this one."""
        self.responses.extend(other.responses)
        for rule, bucket in other.invariants.items():
            for outcome, n in bucket.items():
                mine = self.invariants.setdefault(rule, {"passed": 0, "failed": 0, "skipped": 0})
                mine[outcome] += n
        for key, n in other.validations.items():
            self.validations[key] = self.validations.get(key, 0) + n
        for message, n in other.differences.items():
            self.differences[message] = self.differences.get(message, 0) + n
        self.failures.extend(other.failures)
        self.examples += other.examples
        self.orders += other.orders
        self.requests += other.requests

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (round-trips through :meth:`from_json`)."""
        data = asdict(self)
        data["checks_run"] = self.checks_run
        data["checks_failed"] = self.checks_failed
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunObservations:
        """Rebuild from :meth:`to_json` output (extra keys are ignored)."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["failures"] = [CheckFailure(**f) for f in data.get("failures", [])]
        return cls(**fields)
