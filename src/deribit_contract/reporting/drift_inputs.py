"""The inputs of a drift report gathered into statistics, in one process or on a worker pool.

A :class:`DriftTally` is what drift needs from the records before it compares anything with the
documentation: the field statistics, the record counts and the first problems met. Tallies of
consecutive parts of the input merge into the tally of the whole (the statistics merge exactly,
see :mod:`.fieldstats`), so ``--jobs N`` hands the tasks of
:mod:`deribit_contract.validation.chunks` to workers and merges their tallies in input order,
shifting the line numbers of the problems found in byte ranges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from deribit_contract._json import MAX_NESTING, loads_exact
from deribit_contract.reporting.fieldstats import Collected
from deribit_contract.validation.chunks import Task, in_file_labels, plan_tasks, read_task
from deribit_contract.validation.pool import ordered_map
from deribit_contract.validation.records import (
    RawRecord,
    is_read_error,
    iter_records,
    unwrap_recording,
)

__all__ = ["MAX_PROBLEMS", "DriftTally", "merge_tallies", "tally_paths", "tally_task"]

#: problems listed in a report (the count of unreadable records is always complete)
MAX_PROBLEMS = 20


@dataclass
class DriftTally:
    """Statistics, counts and the first problems of some consecutive records."""

    collected: Collected = field(default_factory=Collected)
    total: int = 0
    unreadable: int = 0
    problems: list[str] = field(default_factory=list)
    # the records ended where reading their source broke (see chunks.in_file_labels)
    cut_short: bool = False

    def add(self, raw: RawRecord, *, part: str | None) -> None:
        """Parse, classify and count one record."""
        self.total += 1
        reason = raw.error
        record: Any = None
        if reason is None:
            try:
                record = loads_exact(raw.raw)
            except (orjson.JSONDecodeError, RecursionError) as exc:
                reason = "empty record" if not raw.raw.strip() else f"not JSON ({exc})"
        if reason is not None:
            self.unreadable += 1
            self._problem(f"{raw.label}: {reason}")
            return
        kind = self.collected.add(unwrap_recording(record), part=part)
        if kind == "too-deep":
            self._problem(f"{raw.label}: skipped, nested deeper than {MAX_NESTING} levels")
        elif kind in ("not-a-response", "other-result"):
            why = (
                "a response of another shape (result is not {order, trades})"
                if kind == "other-result"
                else "not a response envelope, order or trade"
            )
            self._problem(f"{raw.label}: skipped, {why}")

    def _problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def merge(self, other: DriftTally, *, relabel: Callable[[str], str] | None = None) -> None:
        """Fold in the tally of the records that follow these."""
        self.collected.merge(other.collected)
        self.total += other.total
        self.unreadable += other.unreadable
        for problem in other.problems:
            self._problem(problem if relabel is None else relabel(problem))


# the worker's reading of the records, set once per process by the pool's initializer
_PART: list[str | None] = [None]


def _start_worker(part: str | None) -> None:
    _PART[0] = part


def tally_task(task: Task) -> DriftTally:
    """The tally of one task (runs in a worker)."""
    tally = DriftTally()
    part = _PART[0]
    for batch in read_task(task):
        for offset, line in enumerate(batch.lines):
            tally.add(
                RawRecord(batch.source, batch.first_line + offset, line, batch.error), part=part
            )
        tally.cut_short = is_read_error(batch)
    return tally


def tally_paths(
    paths: Sequence[str | Path],
    *,
    part: str | None = None,
    jobs: int = 1,
    chunk_bytes: int | None = None,
) -> DriftTally:
    """The tally of every record in ``paths``, with ``jobs`` worker processes (1: this one)."""
    if jobs <= 1:
        tally = DriftTally()
        for raw in iter_records(paths):
            tally.add(raw, part=part)
        return tally
    return merge_tallies(
        ordered_map(
            tally_task,
            plan_tasks(paths, chunk_bytes=chunk_bytes),
            jobs=jobs,
            initializer=_start_worker,
            initargs=(part,),
        )
    )


def merge_tallies(done: Iterable[tuple[Task, DriftTally]]) -> DriftTally:
    """The tally of the whole input from the tallies of its tasks, in input order."""
    whole = DriftTally()
    for _, tally, relabel in in_file_labels(done, _total, _cut_short):
        whole.merge(tally, relabel=relabel)
    return whole


def _total(tally: DriftTally) -> int:
    return tally.total


def _cut_short(tally: DriftTally) -> bool:
    return tally.cut_short
