"""Inputs cut into tasks for the worker pool, and each task read back as batches in a worker.

A JSON Lines file larger than one chunk is cut into byte ranges that start and end on line
boundaries, so every line belongs to exactly one range and a malformed line can never merge with
its neighbours; each worker opens the file and reads its own range (the parent never touches the
bytes, so it does not become the bottleneck). A range does not know how many lines precede it:
its records are numbered from 1 and the parent shifts the numbers while merging in input order
(:attr:`Task.relative`). Every other file (a pretty-printed ``.json``, a compressed or
BOM-prefixed file, anything small) goes whole to one worker, which decompresses and decodes it
through :func:`~deribit_contract.validation.records.iter_batches` exactly as a single-process
run does. Standard input, pipes and devices can only be read once, by the parent: they are split
into records there, by the same reader, and shipped to the workers in groups of batches.
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

__all__ = [
    "CHUNK_BYTES",
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


def _line_start_after(handle: BinaryIO, offset: int, size: int) -> int:
    """The first position after ``offset`` that starts a line (just past a newline), or EOF."""
    if offset >= size:
        return size
    handle.seek(offset)
    position = offset
    while True:
        block = handle.read(_SCAN)
        if not block:
            return size
        cut = block.find(b"\n")
        if cut >= 0:
            return min(position + cut + 1, size)
        position += len(block)


def _ranges(name: str, path: Path, size: int, chunk_bytes: int) -> Iterator[Task]:
    with path.open("rb") as handle:
        start = 0
        while start < size:
            end = _line_start_after(handle, start + chunk_bytes, size)
            yield Task(name, str(path), start, end, size=end - start)
            start = end


def _read_here(name: str, entry: str, stdin: BinaryIO | None, chunk_bytes: int) -> Iterator[Task]:
    group: list[Batch] = []
    size = 0
    for batch in iter_batches([entry], stdin=stdin, warn=_quiet):
        group.append(batch)
        size += sum(map(len, batch.lines)) + len(batch.lines)
        if size >= chunk_bytes:
            yield Task(name, batches=tuple(group), size=size)
            group, size = [], 0
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
            yield from _ranges(name, path, size, chunk_bytes)
        else:
            yield Task(name, str(path), size=size)


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
