"""Turn paths into a stream of raw records, one response at a time, in constant memory.

Captured traffic arrives as single JSON files (often pretty-printed), directories of them,
JSON Lines files with one response a line, or a pipe on stdin. The validator must never hold a
whole capture in memory and must never stop at the first broken record, so this module only
splits input into records and labels each with ``file:line``; judging them is
:mod:`deribit_contract.validation.validator`'s job.

How a source is split:

* ``.jsonl`` / ``.ndjson`` / ``.jsonlines`` (optionally ``.gz``): one record per line, always.
* anything else (``.json``, stdin, unknown suffixes): if the first non-blank line is a JSON
  value on its own, the source is JSON Lines (a one-line ``.json`` file is the same thing);
  otherwise the whole source is one document. When that document does not parse but most of its
  lines are JSON objects on their own, it was JSON Lines with a broken first line, and it is
  reported line by line so one bad line does not hide the others.

Finding and opening the sources (directories, symlink loops, pipes, gzip, UTF-16/32) is
:mod:`deribit_contract.validation.sources`'s job.
"""

from __future__ import annotations

import io
import operator
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from deribit_contract.validation.sources import (
    JSONL_SUFFIXES,
    Warn,
    check_paths,
    expand_paths,
    is_jsonl_name,
    open_source,
    unreadable_reason,
    warn_stderr,
)

__all__ = [
    "JSONL_SUFFIXES",
    "MAX_RECORD_BYTES",
    "Batch",
    "RawRecord",
    "check_paths",
    "expand_paths",
    "guard_reads",
    "is_read_error",
    "iter_batches",
    "iter_line_batches",
    "iter_records",
    "unwrap_recording",
    "warn_stderr",
]

# A close_position response is a few kB; anything this large is not a response and must not
# be buffered (it would break the constant-memory promise).
MAX_RECORD_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
# records per bulk batch ~ _BLOCK / record size. Measured: 64 KiB blocks validate 100k records
# in 0.54 s, 256 KiB blocks in 0.79 s: reads above glibc's 128 KiB mmap threshold are mapped and
# unmapped on every block (page faults), and a smaller batch's parsed objects stay in cache.
_BLOCK = 64 * 1024
_CHOP_NEWLINE = operator.itemgetter(slice(None, -1))
_SNIFF_LINES = 64
_READ_ERROR = "cannot read past this point"


class RawRecord(NamedTuple):
    """One record as read: where it came from and either its bytes or why it has none.

    ``error`` is set when the record could not even be read as bytes (too large); JSON syntax is
    checked later so the same record is parsed exactly once. A named tuple, and the label built
    only on demand, because millions of these are made on the bulk path.
    """

    source: str
    line: int
    raw: bytes
    error: str | None = None

    @property
    def label(self) -> str:
        """``file:line`` (``<stdin>:line`` for stdin)."""
        return f"{self.source}:{self.line}"


def _read_line(stream: BinaryIO) -> tuple[bytes, bool]:
    """One line without its terminator, and whether it was too long to keep.

    An over-long line is drained chunk by chunk up to its newline and returned empty.
    """
    line = stream.readline(MAX_RECORD_BYTES + 1)
    if len(line) <= MAX_RECORD_BYTES or line.endswith(b"\n"):
        return line, False
    while True:
        rest = stream.readline(_CHUNK)
        if not rest or rest.endswith(b"\n"):
            return b"", True
    # unreachable


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
    return line


def _is_standalone_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


class Batch(NamedTuple):
    """Consecutive records of one source: ``lines[i]`` is record ``first_line + i``.

    The bulk path validates a batch with one compiled call; ``error`` is set only on a
    one-record batch whose bytes could not be kept (too large).
    """

    source: str
    first_line: int
    lines: list[bytes]
    error: str | None = None


def _too_long(name: str, number: int) -> Batch:
    reason = f"line longer than {MAX_RECORD_BYTES} bytes; not a close_position response"
    return Batch(name, number, [b""], reason)


def _lines_as_batches(
    name: str, stream: BinaryIO, first_number: int, pending: list[bytes]
) -> Iterator[Batch]:
    # Reads fixed-size blocks and splits them at newlines in C; only the unfinished tail of a
    # block is carried over, so memory is bounded by the block size and MAX_RECORD_BYTES.
    number = first_number
    if pending:
        yield Batch(name, number, [_strip_eol(line) for line in pending])
        number += len(pending)
    tail = b""
    while True:
        block = stream.read(_BLOCK)
        if not block:
            if tail:
                yield Batch(name, number, [_strip_eol(tail)])
            return
        data = tail + block if tail else block
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            if len(tail) > MAX_RECORD_BYTES:
                yield _too_long(name, number)
                number += 1
                tail = _drain_line(stream)
            continue
        # bytes.split looks for the separator byte by byte; BytesIO.readlines finds each newline
        # with memchr, and the newlines are cut off in C: about half the time per 700-byte line
        lines = io.BytesIO(data).readlines()
        tail = lines.pop() if cut + 1 < len(data) else b""
        lines = list(map(_CHOP_NEWLINE, lines))
        if b"\r" in data:
            lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
        if len(data) > MAX_RECORD_BYTES and max(map(len, lines)) > MAX_RECORD_BYTES:
            for line in lines:
                if len(line) > MAX_RECORD_BYTES:
                    yield _too_long(name, number)
                else:
                    yield Batch(name, number, [line])
                number += 1
            continue
        yield Batch(name, number, lines)
        number += len(lines)


def _drain_line(stream: BinaryIO) -> bytes:
    """Skip the rest of an over-long line; return what follows its newline in the last read."""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b""
        cut = chunk.find(b"\n")
        if cut >= 0:
            return chunk[cut + 1 :]


def _looks_like_jsonl(text: bytes) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    objects = 0
    for line in lines[:_SNIFF_LINES]:
        stripped = line.strip()
        if stripped.startswith(b"{") and _is_standalone_json(stripped):
            objects += 1
    return objects * 2 >= min(len(lines), _SNIFF_LINES)


def _split_source(name: str, stream: BinaryIO, *, force_lines: bool) -> Iterator[Batch]:
    if force_lines:
        yield from _lines_as_batches(name, stream, 1, [])
        return
    # Sniff: leading blank lines are kept so line numbers stay true.
    pending: list[bytes] = []
    while True:
        line, too_long = _read_line(stream)
        if too_long:
            yield from _lines_as_batches(name, io.BytesIO(b""), 1, pending)
            yield _too_long(name, len(pending) + 1)
            yield from _lines_as_batches(name, stream, len(pending) + 2, [])
            return
        if not line:
            if not pending:
                yield Batch(name, 1, [b""])  # an empty file is one empty record
            else:
                yield from _lines_as_batches(name, io.BytesIO(b""), 1, pending)
            return
        pending.append(line)
        if line.strip():
            break
    if _is_standalone_json(pending[-1]):
        yield from _lines_as_batches(name, stream, 1, pending)
        return
    yield from _whole_document(name, stream, pending)


def _whole_document(name: str, stream: BinaryIO, pending: list[bytes]) -> Iterator[Batch]:
    start = next(i for i, line in enumerate(pending) if line.strip()) + 1
    buffer = bytearray(b"".join(pending))
    while len(buffer) <= MAX_RECORD_BYTES:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        buffer.extend(chunk)
    if len(buffer) > MAX_RECORD_BYTES:
        reason = f"document larger than {MAX_RECORD_BYTES} bytes; split it into JSON Lines"
        yield Batch(name, start, [b""], reason)
        return
    data = bytes(buffer)
    if not _is_standalone_json(data) and _looks_like_jsonl(data):
        yield from _lines_as_batches(name, io.BytesIO(data), 1, [])
        return
    yield Batch(name, start, [data])


def guard_reads(name: str, split: Iterator[Batch]) -> Iterator[Batch]:
    """The batches of ``split``, ended by one unreadable record where reading it broke.

    A source that breaks while being read (truncated gzip, invalid UTF-16, an I/O error) ends
    there, with that record (:func:`is_read_error`); the caller goes on with the next source.
    """
    number = 1
    try:
        for batch in split:
            number = batch.first_line + len(batch.lines)
            yield batch
    except (OSError, EOFError, UnicodeError, zlib.error) as exc:
        yield Batch(name, number, [b""], f"{_READ_ERROR}: {exc}")


def is_read_error(batch: Batch) -> bool:
    """True for the record :func:`guard_reads` ends a broken source with."""
    return batch.error is not None and batch.error.startswith(_READ_ERROR + ":")


def iter_batches(
    paths: Iterable[str | Path], *, stdin: BinaryIO | None = None, warn: Warn = warn_stderr
) -> Iterator[Batch]:
    """Yield the records of ``paths`` in order, grouped in batches of consecutive lines.

    ``-`` reads ``stdin`` (default: the process's binary stdin). Memory stays bounded by the
    block size and the largest single record (capped at :data:`MAX_RECORD_BYTES`). gzip and
    UTF-16/32 input is decoded on the fly (:mod:`.sources`); an entry that cannot be read is one
    record with ``error`` set, and ``warn`` receives what was skipped (symlink loops).
    """
    paths = list(paths)
    check_paths(paths)
    for name, path in expand_paths(paths, warn=warn):
        if path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from guard_reads(name, _split_opened(name, stream, force_lines=False))
            continue
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield Batch(name, 1, [b""], unreadable_reason(path, exc))
            continue
        with handle:
            force = is_jsonl_name(path.name)
            yield from guard_reads(name, _split_opened(name, handle, force_lines=force))


def _split_opened(name: str, stream: BinaryIO, *, force_lines: bool) -> Iterator[Batch]:
    yield from _split_source(name, open_source(stream), force_lines=force_lines)


def iter_line_batches(name: str, stream: BinaryIO, *, first_line: int = 1) -> Iterator[Batch]:
    """The records of ``stream`` read as JSON Lines (no sniffing), numbered from ``first_line``.

    The worker pool reads a byte range of a JSON Lines file through this, so that a range is
    split exactly as :func:`iter_batches` splits the whole file.
    """
    return _lines_as_batches(name, stream, first_line, [])


def iter_records(
    paths: Iterable[str | Path], *, stdin: BinaryIO | None = None, warn: Warn = warn_stderr
) -> Iterator[RawRecord]:
    """Yield every record of ``paths`` in order, one :class:`RawRecord` each (lazily)."""
    for batch in iter_batches(paths, stdin=stdin, warn=warn):
        for offset, line in enumerate(batch.lines):
            yield RawRecord(batch.source, batch.first_line + offset, line, batch.error)


def unwrap_recording(record: Any) -> Any:
    """The response inside a fixture saved by ``deribit-contract record``, else ``record``.

    Recorded fixtures hold ``{"meta": ..., "request": ..., "response": ...}``; validating and
    comparing them means judging the ``response`` member.
    """
    if isinstance(record, dict) and "response" in record and "meta" in record:
        return record["response"]
    return record
