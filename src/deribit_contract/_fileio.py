"""Canonical JSON and atomic file writes: the one writer for every generated file.

Generated files are committed and diffed in CI, so there must be exactly one way to serialise
them (sorted keys, two-space indent, UTF-8, trailing newline) and writes must never leave a
half-written file behind (write to a temporary file in the same directory, fsync, rename).

A process killed mid-write (``kill -9``) still leaves its temporary file or staging folder
behind. Their names carry the writer's pid (``.NAME.PID.XXXX.tmp``, ``.NAME.tmp-PID``) so the
next run can tell them from a live writer's and remove them (:func:`sweep_stale`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "dump_canonical_json",
    "pid_alive",
    "staging_name",
    "sweep_stale",
]

_TEMP_FILE = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
_STAGING_DIR = re.compile(r"^\..+\.tmp-(\d+)$")
# temporary files of versions that did not name their writer: stale once this old
_LEGACY_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
_LEGACY_AGE_S = 3600.0


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def staging_name(target: Path) -> Path:
    """The staging folder beside ``target`` for this process (``.NAME.tmp-PID``)."""
    return target.parent / f".{target.name}.tmp-{os.getpid()}"


def sweep_stale(directory: Path) -> list[Path]:
    """Remove the temporary files and staging folders killed writers left in ``directory``.

    Only entries whose writer's pid is gone (or, for unnamed legacy temp files, older than an
    hour) are removed; returns what was removed, for the caller to report.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_FILE.match(entry.name) or _STAGING_DIR.match(entry.name)
        stale = match is not None and not pid_alive(int(match.group(1)))
        if match is None and _LEGACY_TEMP.match(entry.name) and entry.is_file():
            stale = time.time() - entry.stat().st_mtime > _LEGACY_AGE_S
        if not stale:
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return sorted(removed)


def dump_canonical_json(value: Any) -> str:
    """Serialise ``value`` the one way generated files are written."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Text flavour of :func:`atomic_write_bytes` (UTF-8, newlines kept as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))
