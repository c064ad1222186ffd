"""`validate --jobs N`: the bulk path of validation spread over a pool of worker processes.

Each worker runs its own :class:`~.bulk.BulkScanner` over the tasks of :mod:`.chunks` and sends
back, per task, only what a single-process run would print or count for it: the invalid and
non-JSON records (in order) and a :class:`~.report.Summary`. The parent merges in input order —
bad records emitted as they come, counts added, each undocumented field kept with the first
record that showed it — and shifts the line numbers of records read from a byte range by the
lines of the ranges before it. The output is therefore the single-process output, byte for byte.

A worker's scanner keeps the undocumented fields it has already reported (forgetting them at
every task would make each task rediscover them record by record, which measured as a third of
a worker's time), so a task does not report a field again that its worker reported for an
earlier task. That loses nothing: the pool hands tasks out in input order, so a worker's
earlier tasks come earlier in the input and the parent has merged that first record already.
The first task holding a field is run by a worker that has not seen it, and reports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.chunks import Task, in_file_labels, plan_tasks, read_task
from deribit_contract.validation.pool import ordered_map
from deribit_contract.validation.records import Batch, is_read_error
from deribit_contract.validation.report import Reporter, Summary
from deribit_contract.validation.results import ValidationResult
from deribit_contract.validation.validator import ResponseValidator

__all__ = ["TaskVerdicts", "judge_task", "merge_verdicts", "scan_task", "validate_in_pool"]

# the worker's scanner, made once per process by _start_worker (the pool's initializer)
_SCANNER: list[BulkScanner] = []


@dataclass(frozen=True, slots=True)
class TaskVerdicts:
    """What a worker sends back for one task: its line count, its counts, its bad records,
    and whether reading it broke (``cut_short``: its last record says where)."""

    lines: int
    summary: Summary
    bad: tuple[ValidationResult, ...]
    cut_short: bool = False


def _start_worker(mode: str, part: str, directory: Path | None) -> None:
    _SCANNER[:] = [BulkScanner(ResponseValidator(mode, part=part, directory=directory))]


def _counted(batches: Iterable[Batch], counter: list[int]) -> Iterator[Batch]:
    """The batches, adding their lines to ``counter[0]``; ``counter[1]`` becomes 1 when the
    last one ends a source whose reading broke."""
    for batch in batches:
        counter[0] += len(batch.lines)
        counter[1] = int(is_read_error(batch))
        yield batch


def judge_task(task: Task) -> TaskVerdicts:
    """The verdicts on one task (runs in a worker; the scanner comes from the initializer).

    Tasks must come in input order: the fields the worker reported for earlier tasks are not
    reported again (see the module's documentation).
    """
    return scan_task(_SCANNER[0], task)


def scan_task(scanner: BulkScanner, task: Task) -> TaskVerdicts:
    """The verdicts of ``scanner`` on one task (``scanner`` sees the tasks in input order)."""
    summary = Summary()
    bad: list[ValidationResult] = []
    counter = [0, 0]
    scanner.run(_counted(read_task(task), counter), summary, bad.append)
    return TaskVerdicts(counter[0], summary.without_cache(), tuple(bad), bool(counter[1]))


def _relabeled(result: ValidationResult, relabel: Callable[[str], str]) -> ValidationResult:
    return dataclasses.replace(
        result,
        record=relabel(result.record),
        violations=tuple(
            dataclasses.replace(v, record=relabel(v.record)) for v in result.violations
        ),
        warnings=tuple(dataclasses.replace(w, record=relabel(w.record)) for w in result.warnings),
    )


def validate_in_pool(
    paths: Iterable[str | Path],
    reporter: Reporter,
    *,
    mode: str,
    part: str,
    directory: Path | None,
    jobs: int,
    chunk_bytes: int | None = None,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Judge every record of ``paths`` with ``jobs`` workers, reporting in input order.

    The caller has checked the paths and started the reporter; it finishes it afterwards.
    ``chunk_bytes`` is the size of a task (default :data:`~.chunks.CHUNK_BYTES`).
    ``progress`` is called with the input bytes of each task as it is merged.
    """
    tasks = plan_tasks(paths, chunk_bytes=chunk_bytes, stdin=stdin)
    done = ordered_map(
        judge_task, tasks, jobs=jobs, initializer=_start_worker, initargs=(mode, part, directory)
    )
    merge_verdicts(done, reporter, progress=progress)


def merge_verdicts(
    done: Iterable[tuple[Task, TaskVerdicts]],
    reporter: Reporter,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Report the verdicts of finished tasks, given in input order, as one run would."""
    for task, verdicts, relabel in in_file_labels(done, _lines, _cut_short):
        for result in verdicts.bad:
            reporter.emit(result if relabel is None else _relabeled(result, relabel))
        reporter.summary.merge(verdicts.summary, relabel=relabel)
        if progress is not None:
            progress(task.size)


def _lines(verdicts: TaskVerdicts) -> int:
    return verdicts.lines


def _cut_short(verdicts: TaskVerdicts) -> bool:
    return verdicts.cut_short
