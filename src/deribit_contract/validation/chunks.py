"""Inputs cut into tasks for the worker pool, and each task read back as batches in a worker.

A JSON Lines file larger than one chunk is cut into byte ranges that start and end on line
boundaries, so every line belongs to exactly one range and a malformed line can never merge with
its neighbours; each worker opens the file and reads its own range (the parent never touches the
bytes, so it does not become the bottleneck). A range does not know how many lines precede it:
its records are numbered from 1 and the parent shifts the numbers while merging in input order
(:attr:`Task.relative`). Every other input (a compressed or BOM-prefixed file, a pretty-printed
``.json``, stdin, pipes and devices) is read by the parent, through the reader a single-process
run uses (:func:`~deribit_contract.validation.records.iter_batches`), and shipped to the workers
in groups of batches.

A task holds at most :data:`TASK_LINES` records and :data:`CHUNK_BYTES` bytes, and the pool
keeps a few tasks in flight: what a worker sends back for one task (the bad records) and what
the parent holds are bounded whatever the input, so ``--jobs N`` needs the memory of
``--jobs 1`` times a small factor. (A 9 MB gzip of short lines, 2 GB unpacked, went whole to one
worker, whose answer grew past 3 GB.) A file is cut at the size it had when the run planned it.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from deribit_contract.errors import InvalidArgument
from deribit_contract.validation.records import (
    JSONL_SUFFIXES,
    Batch,
    expand_paths,
    guard_reads,
    iter_batches,
    iter_line_batches,
)
from deribit_contract.validation.sources import activity

__all__ = [
    "CHUNK_BYTES",
    "TASK_LINES",
    "Task",
    "in_file_labels",
    "input_bytes",
    "plan_tasks",
    "read_task",
    "shift_labels",
]

# Bytes of input per task: big enough that the per-task cost (a pickle each way, a seek) is
# noise, small enough that every core stays busy until the end and a worker's output for one
# task (only the bad records) stays small.
CHUNK_BYTES = 4 * 1024 * 1024
#: records per task at most: every record may come back as an explained bad record (about
#: 1 kB each, for a line of 20 bytes), so bytes alone do not bound a task's answer
TASK_LINES = 5_000
_SCAN = 64 * 1024
# Files starting with these are not plain UTF-8 lines (gzip, byte-order marks): only their
# whole-file reader knows how to decode them, so they are never cut into byte ranges.
R = TypeVar("R")

_OPAQUE_PREFIXES = (b"\x1f\x8b", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a byte range of a file, a whole file, or batches read by the parent.

    ``end`` is None for a whole file; ``path`` is None when ``batches`` carry the records.
    """

    source: str
    path: str | None = None
    start: int = 0
    end: int | None = None
    batches: tuple[Batch, ...] = ()
    size: int = 0

    @property
    def relative(self) -> bool:
        """True when the records are numbered from 1 within the range, not within the file."""
        return self.path is not None and self.end is not None


def _quiet(message: str) -> None:
    """Warnings about skipped entries are printed once, by the run that reads them."""


def input_bytes(paths: Iterable[str | Path]) -> int | None:
    """Total size of the inputs, or None when it is unknown (stdin, pipes and devices only)."""
    total = 0
    for _, path in expand_paths(paths, warn=_quiet):
        if path is None:
            return None
        try:
            total += path.stat().st_size
        except OSError:
            continue  # reported as unreadable when it is read
    if total == 0:
        return None
    return total


def _splittable(path: Path, size: int, chunk_bytes: int) -> bool:
    if size <= chunk_bytes or path.suffix.lower() not in JSONL_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return False  # the whole-file reader reports it, exactly as a single-process run does
    return not head.startswith(_OPAQUE_PREFIXES)


def _range_end(handle: BinaryIO, start: int, size: int, chunk_bytes: int) -> int:
    """Where the range starting at ``start`` ends: just past its :data:`TASK_LINES`-th line,
    or past the first line that ends beyond ``start + chunk_bytes``, or at ``size``."""
    handle.seek(start)
    position, lines = start, 0
    while position < size:
        block = handle.read(min(_SCAN, size - position))
        if not block:
            return size
        newlines = block.count(b"\n")
        if lines + newlines < TASK_LINES and position + len(block) - start <= chunk_bytes:
            lines += newlines  # the whole block belongs to the range
        else:
            cut = block.find(b"\n")
            while cut >= 0:
                lines += 1
                end = position + cut + 1
                if lines >= TASK_LINES or end - start > chunk_bytes:
                    return end
                cut = block.find(b"\n", cut + 1)
        position += len(block)
    return size


def _ranges(name: str, path: Path, size: int, chunk_bytes: int) -> Iterator[Task]:
    with path.open("rb") as handle:
        start = 0
        while start < size:
            end = _range_end(handle, start, size, chunk_bytes)
            yield Task(name, str(path), start, end, size=end - start)
            start = end


def _read_here(name: str, entry: str, stdin: BinaryIO | None, chunk_bytes: int) -> Iterator[Task]:
    """Tasks of at most :data:`TASK_LINES` records and about ``chunk_bytes`` bytes, read here
    (a batch longer than the room left in a task is cut)."""
    group: list[Batch] = []
    size = lines = 0
    for whole in iter_batches([entry], stdin=stdin, warn=_quiet):
        if not whole.lines:
            group.append(whole)
        first = 0
        while first < len(whole.lines):
            room = TASK_LINES - lines
            batch = (
                whole
                if first == 0 and len(whole.lines) <= room
                else whole._replace(
                    first_line=whole.first_line + first, lines=whole.lines[first : first + room]
                )
            )
            first += len(batch.lines)
            group.append(batch)
            size += sum(map(len, batch.lines)) + len(batch.lines)
            lines += len(batch.lines)
            if size >= chunk_bytes or lines >= TASK_LINES:
                yield Task(name, batches=tuple(group), size=size)
                group, size, lines = [], 0, 0
    if group:
        yield Task(name, batches=tuple(group), size=size)


def plan_tasks(
    paths: Iterable[str | Path],
    *,
    chunk_bytes: int | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Task]:
    """The tasks of ``paths`` in input order (lazily: stdin is read as the pool asks for more).

    ``chunk_bytes`` defaults to :data:`CHUNK_BYTES`. The caller has checked that the paths
    exist (:func:`~.records.check_paths`).
    """
    if chunk_bytes is None:
        chunk_bytes = CHUNK_BYTES
    for name, path in expand_paths(paths):
        if path is None:
            yield from _read_here(name, "-", stdin, chunk_bytes)
            continue
        try:
            info = path.stat()
        except OSError:
            info = None  # the whole-file reader reports it, exactly as a single-process run does
        if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
            # a pipe or a device: a worker could not open it again, and must not try
            yield from _read_here(name, str(path), None, chunk_bytes)
            continue
        size = info.st_size if info is not None else 0
        if _splittable(path, size, chunk_bytes):
            for task in _ranges(name, path, size, chunk_bytes):
                activity.beat()  # the pool asked for more: the run is moving
                yield task
        elif info is None or stat.S_ISDIR(info.st_mode):
            yield Task(name, str(path), size=size)  # the reader reports it as one record
        else:
            # unpacked, transcoded or sniffed here, and cut into bounded tasks
            yield from _read_here(name, str(path), None, chunk_bytes)


class _Range:
    """A file read only up to the end of a task's range (the reader sees EOF there)."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self._handle = handle
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        if size < 0 or size > self._left:
            size = self._left
        data = self._handle.read(size)
        self._left -= len(data)
        return data


def read_task(task: Task) -> Iterator[Batch]:
    """The batches of ``task``, as a worker reads them (constant memory: one block at a time)."""
    if task.path is None:
        yield from task.batches
        return
    if task.end is None:
        yield from iter_batches([task.path])
        return
    try:
        handle = open(task.path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise InvalidArgument(f"{task.path}: cannot read: {exc.strerror or exc}") from exc
    with handle:
        handle.seek(task.start)
        stream: BinaryIO = _Range(handle, task.end - task.start)  # type: ignore[assignment]
        # an I/O error ends the range with an unreadable record, as it ends the whole-file
        # read of a single process; the merge then drops the file's later ranges
        yield from guard_reads(task.source, iter_line_batches(task.source, stream))


def shift_labels(source: str, offset: int) -> Callable[[str], str]:
    """Maps ``source:N...`` to ``source:N+offset...`` (other text unchanged).

    Labels may carry text after the number (``file:3 (recorded response)``, ``file:3: reason``).
    """
    prefix = source + ":"

    def shift(label: str) -> str:
        if not offset or not label.startswith(prefix):
            return label
        rest = label[len(prefix) :]
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if not digits:
            return label
        return f"{prefix}{int(rest[:digits]) + offset}{rest[digits:]}"

    return shift


def in_file_labels(
    done: Iterable[tuple[Task, R]],
    lines: Callable[[R], int],
    cut_short: Callable[[R], bool] | None = None,
) -> Iterator[tuple[Task, R, Callable[[str], str] | None]]:
    """Each finished task (in input order) with the map from its labels to ``file:line``.

    A byte range numbers its records from 1; its labels are shifted by the ``lines(result)`` of
    the ranges of the same file before it. None for tasks already numbered within their file.

    A range whose reading broke (``cut_short(result)``) ends its file: the file's later ranges
    are left out, as a single process stops reading a file where it breaks. (Where it breaks
    can differ by up to a read block from a single process, whose reads start elsewhere: an I/O
    error belongs to a read, not to a line.)
    """
    lines_before = 0
    broken: set[str | None] = set()
    for task, result in done:
        relabel: Callable[[str], str] | None = None
        if task.relative:
            if task.start == 0:
                lines_before = 0
                broken.discard(task.path)  # the same file named again: it is read again
            elif task.path in broken:
                continue
            relabel = shift_labels(task.source, lines_before)
            lines_before += lines(result)
            if cut_short is not None and cut_short(result):
                broken.add(task.path)
        yield task, result, relabel
