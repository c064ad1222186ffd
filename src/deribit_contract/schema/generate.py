"""Render, write and check the committed ``schemas/`` tree.

The tree is a build artefact that is committed so that reviewers see schema changes in diffs and
so that the plugin works from a wheel. :func:`render` is pure (document + overlay -> file texts,
canonical JSON), :func:`write` replaces files atomically, and :func:`check` compares with what is
on disk and returns readable unified diffs, which is what ``deribit-contract schemas --check``
prints in CI.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from deribit_contract._fileio import atomic_write_text, dump_canonical_json
from deribit_contract._paths import repo_root, sources_dir
from deribit_contract.doctable.reader import read_method_doc
from deribit_contract.schema.build import build_all
from deribit_contract.schema.errata import load_errata
from deribit_contract.schema.openapi import OPENAPI_NAMES, build_openapi

__all__ = ["ERRATA_NAME", "SOURCE_NAME", "Mismatch", "check", "default_inputs", "render", "write"]

SOURCE_NAME = "private-close_position.md"
ERRATA_NAME = "errata.yaml"


@dataclass(frozen=True)
class Mismatch:
    """One generated file that differs from disk: its relative name and a unified diff."""

    name: str
    diff: str


def default_inputs() -> tuple[Path, Path]:
    """The committed source page and errata overlay."""
    base = sources_dir()
    return base / SOURCE_NAME, base / ERRATA_NAME


def render(*, source: Path, errata: Path) -> dict[str, str]:
    """``{"<mode>/<part>.schema.json": canonical text}`` for every mode and part, plus each
    mode's OpenAPI document (``openapi.json``, ``openapi.documented.json``) built from them."""
    doc = read_method_doc(source)
    entries = load_errata(errata, repo_root=repo_root())
    built = build_all(doc, entries, source=source, errata_source=errata)
    files = {
        f"{mode}/{part}.schema.json": dump_canonical_json(schema)
        for mode, parts in sorted(built.items())
        for part, schema in sorted(parts.items())
    }
    for mode, parts in sorted(built.items()):
        files[OPENAPI_NAMES[mode]] = dump_canonical_json(build_openapi(parts, entries, mode=mode))
    return files


def write(files: dict[str, str], out: Path) -> list[str]:
    """Write ``files`` under ``out`` (only those whose content changed); returns names written."""
    written: list[str] = []
    for name, text in sorted(files.items()):
        target = out / name
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            atomic_write_text(target, text)
            written.append(name)
    return written


def check(files: dict[str, str], out: Path) -> list[Mismatch]:
    """Differences between ``files`` and ``out``: edited, missing and stray ``*.schema.json``."""
    mismatches: list[Mismatch] = []
    for name, text in sorted(files.items()):
        target = out / name
        try:
            current = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            mismatches.append(
                Mismatch(name, f"--- {out / name}\n+++ generated\n(file is missing)\n")
            )
            continue
        except (OSError, UnicodeDecodeError) as exc:
            mismatches.append(
                Mismatch(name, f"--- {out / name}\n+++ generated\n(unreadable: {exc})\n")
            )
            continue
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{out / name} (on disk)",
                tofile=f"{name} (generated)",
            )
            mismatches.append(Mismatch(name, "".join(diff)))
    if out.is_dir():
        for stray in sorted(out.glob("*/*.schema.json")):
            name = stray.relative_to(out).as_posix()
            if name not in files:
                mismatches.append(
                    Mismatch(
                        name, f"--- {stray}\n+++ generated\n(file is not generated; remove it)\n"
                    )
                )
    return mismatches
