"""Where records come from: paths expanded to sources, and sources opened as UTF-8 byte streams.

Captures arrive in whatever shape the capturing tool left them: directories with symlinks
(sometimes looping back to an ancestor), entries the current user may not read, pipes
(``validate <(zcat x.gz)`` passes ``/dev/fd/63``, a FIFO), gzip files and UTF-16/32 text from
Windows tools. None of that may stop a run or hide the other inputs:

* a symlink loop is skipped with a warning;
* an entry that cannot be listed or opened becomes one unreadable record of its own (reported
  like a non-JSON record, ``file:line`` and why), and the run goes on;
* FIFOs, character devices and ``/dev/fd/N`` are read like files;
* gzip is recognised by its magic bytes (``.gz`` names are also picked up in directories);
* UTF-16 and UTF-32 are recognised by their byte order mark and transcoded to UTF-8 on the fly.
  A UTF-8 BOM is left alone: JSON text must not carry one, and the validator says so.
* a regular file is read up to the size it had when it was opened: a file appended to while it
  is read (a live capture) ends there instead of being followed forever;
* every source reports its progress to :data:`activity` (a line completed, or the end): the
  CLI says so when an input yields nothing for a while (``/dev/zero``, a FIFO with no writer)
  and ``--timeout`` ends the wait.

Only a path named on the command line that does not exist is a usage error
(:class:`~deribit_contract.errors.InvalidArgument`, exit 2), checked before anything is read.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from deribit_contract.errors import InvalidArgument

__all__ = [
    "JSONL_SUFFIXES",
    "Activity",
    "Warn",
    "activity",
    "check_paths",
    "expand_paths",
    "is_jsonl_name",
    "open_source",
    "unreadable_reason",
    "warn_stderr",
]

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
_DIR_SUFFIXES = JSONL_SUFFIXES | {".json"}
_GZIP_MAGIC = b"\x1f\x8b"
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF = 4
_CHUNK = 64 * 1024

Warn = Callable[[str], None]


class Activity:
    """When an input last made progress (monotonic seconds): a line read, an input ended, a
    task handed out. One per process; the readers beat it, a watchdog reads it."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def beat(self) -> None:
        """An input made progress now."""
        self.last = time.monotonic()


#: the process's input activity (see :class:`Activity`)
activity = Activity()


def warn_stderr(message: str) -> None:
    """The default warning sink: one line on stderr."""
    print(f"deribit-contract: warning: {message}", file=sys.stderr)


def _strip_gz(name: str) -> str:
    lowered = name.lower()
    return lowered[:-3] if lowered.endswith(".gz") else lowered


def is_jsonl_name(name: str) -> bool:
    """True when ``name`` (optionally ``.gz``) says one record per line."""
    return Path(_strip_gz(name)).suffix in JSONL_SUFFIXES


def _wanted_in_directory(name: str) -> bool:
    return Path(_strip_gz(name)).suffix in _DIR_SUFFIXES


def _walk(directory: Path, ancestors: frozenset[tuple[int, int]], warn: Warn) -> Iterator[Path]:
    # Entries in one sorted sequence (files and subdirectories interleaved by name) so that the
    # order is that of the sorted full paths, whatever the filesystem returns.
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        yield directory  # opened later, where it becomes one unreadable record
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            info = entry.stat()  # follows symlinks
        except OSError as exc:
            if (entry.is_symlink() and _wanted_in_directory(entry.name)) or _is_loop(exc):
                warn(f"skipping {path}: {_link_problem(exc)}")
            elif not entry.is_symlink():
                yield path  # unreadable metadata: reported when opened
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                warn(f"skipping {path}: symbolic link loop (it leads back to a parent directory)")
                continue
            yield from _walk(path, ancestors | {key}, warn)
        elif stat.S_ISREG(info.st_mode) and _wanted_in_directory(entry.name):
            yield path


def _is_loop(exc: OSError) -> bool:
    return exc.errno == getattr(os, "ELOOP", 40)


def _link_problem(exc: OSError) -> str:
    if _is_loop(exc):
        return "symbolic link loop"
    return f"broken symbolic link ({exc.strerror or exc})"


def _identity(path: Path) -> frozenset[tuple[int, int]]:
    try:
        info = path.stat()
    except OSError:
        return frozenset()
    return frozenset({(info.st_dev, info.st_ino)})


def expand_paths(
    paths: Iterable[str | Path], *, warn: Warn = warn_stderr
) -> Iterator[tuple[str, Path | None]]:
    """Yield ``(display name, path)`` for every input; ``-`` yields ``("<stdin>", None)``.

    Directories are walked recursively in sorted order (hidden entries skipped, symlink loops
    skipped with a warning) so that runs are reproducible. A directory that cannot be listed is
    yielded itself; :func:`open_source` then says why it cannot be read. A path that does not
    exist raises :class:`InvalidArgument`.
    """
    for entry in paths:
        if str(entry) == "-":
            yield "<stdin>", None
            continue
        path = Path(entry)
        if path.is_dir():
            for child in _walk(path, _identity(path), warn):
                yield str(child), child
        else:
            _check_one(path)
            yield str(path), path


def _check_one(path: Path) -> None:
    try:
        os.stat(path)
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise InvalidArgument(f"{path}: broken symbolic link") from exc
        raise InvalidArgument(f"{path}: no such file or directory") from exc
    except OSError as exc:
        if _is_loop(exc):
            raise InvalidArgument(f"{path}: symbolic link loop") from exc
        # exists but its metadata cannot be read: reported as an unreadable record


def check_paths(paths: Iterable[str | Path]) -> None:
    """Raise :class:`InvalidArgument` naming the first input that does not exist.

    Called before any record is read so a typo in the last argument fails the run up front
    (exit 2) instead of after validating everything else.
    """
    for entry in paths:
        if str(entry) != "-":
            _check_one(Path(entry))


def unreadable_reason(path: Path, exc: OSError) -> str:
    """Why ``path`` gives no records, in one line."""
    if path.is_dir():
        try:
            os.scandir(path).close()
        except OSError as listing:
            return f"cannot list directory: {listing.strerror or listing}"
    return f"cannot read: {exc.strerror or exc}"


class _Prefixed(io.RawIOBase):
    """A non-seekable stream with its first bytes (already read to sniff them) put back."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._prefix:
            size = min(len(view), len(self._prefix))
            view[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


class _Transcoded(io.RawIOBase):
    """UTF-16/32 text read as UTF-8 bytes, decoded incrementally (constant memory)."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            chunk = self._raw.read(_CHUNK)
            self._done = not chunk
            self._pending = self._decoder.decode(chunk, final=self._done).encode("utf-8")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _sniffed(stream: BinaryIO, *, rewind: bool) -> tuple[bytes, BinaryIO]:
    """The first bytes of ``stream`` and a stream that still starts with them."""
    if rewind and stream.seekable():
        start = stream.tell()
        head = stream.read(_SNIFF)
        stream.seek(start)
        return head, stream
    head = b""
    while len(head) < _SNIFF:
        more = stream.read(_SNIFF - len(head))
        if not more:
            break
        head += more
    return head, io.BufferedReader(_Prefixed(head, stream), buffer_size=_CHUNK)


class _Watched(io.RawIOBase):
    """``raw`` read up to ``limit`` bytes (None: to its end), beating :data:`activity` when a
    read completes a line or finds the end."""

    def __init__(self, raw: BinaryIO, limit: int | None) -> None:
        self._raw = raw
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        size = len(view) if self._left is None else min(len(view), self._left)
        data = self._raw.read(size) if size else b""
        view[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        if not data or b"\n" in data:
            activity.beat()
        return len(data)


def _watched(stream: BinaryIO) -> BinaryIO:
    """``stream`` watched for progress; a regular file capped at its size now, so a file
    appended to while it is read ends where it ended when the run opened it."""
    limit: int | None = None
    try:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode):
            limit = max(info.st_size - stream.tell(), 0)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a file descriptor (BytesIO, a test's stream): read as it comes
    return io.BufferedReader(_Watched(stream, limit), buffer_size=_CHUNK)


def open_source(stream: BinaryIO, *, gunzip: bool = True) -> BinaryIO:
    """``stream`` as UTF-8 (or as given) bytes: gzip unpacked, UTF-16/32 transcoded by BOM.

    Decoding errors surface later, while reading (``OSError``/``EOFError`` for broken gzip,
    ``UnicodeError`` for broken UTF-16/32): the caller turns them into an unreadable record.
    """
    # A GzipFile claims to be seekable but rewinds by re-reading its input, which a pipe
    # cannot do: what it yields is sniffed like a pipe.
    if gunzip:
        stream = _watched(stream)
    head, stream = _sniffed(stream, rewind=False)
    if gunzip and head.startswith(_GZIP_MAGIC):
        unpacked: BinaryIO = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
        return open_source(unpacked, gunzip=False)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            stream.read(len(bom))
            return io.BufferedReader(_Transcoded(stream, encoding), buffer_size=_CHUNK)
    return stream
