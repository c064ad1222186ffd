"""Canonical JSON and atomic file writes: the one writer for every generated file.

Generated files are committed and diffed in CI, so there must be exactly one way to serialise
them (sorted keys, two-space indent, UTF-8, trailing newline) and writes must never leave a
half-written file behind (write to a temporary file in the same directory, fsync, rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_bytes", "atomic_write_text", "dump_canonical_json"]


def dump_canonical_json(value: Any) -> str:
    """Serialise ``value`` the one way generated files are written."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
