"""`deribit-contract schemas`: regenerate the committed schemas/ tree, or check it is up to date.

Actions are mutually exclusive flags dispatched through ``_ACTIONS``; ``--diff OLD.md NEW.md``
(compare two versions of the vendor page) is reserved for the drift work: it is parsed here so
the command line is stable, and the handler is added to ``_ACTIONS`` when it exists.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deribit_contract._fileio import atomic_write_text
from deribit_contract._paths import schemas_dir
from deribit_contract.errors import ExitCode
from deribit_contract.schema.generate import check, default_inputs, render, write
from deribit_contract.schema.openapi import OPENAPI_NAMES

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``schemas`` subcommand."""
    parser = subparsers.add_parser(
        "schemas",
        help="generate schemas/ from the vendor page and the errata overlay (or --check it)",
        description=(
            "Build the Draft 2020-12 schemas (modes documented and observed) from the vendor's "
            "documentation page and sources/errata.yaml. Exit 0 when written or up to date, 1 when "
            "--check finds a difference (a unified diff is printed), 2 on unreadable input."
        ),
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="schemas directory (default: the kit's schemas/)"
    )
    parser.add_argument(
        "--source",
        type=Path,
        metavar="MD",
        help="documentation page (default: sources/private-close_position.md)",
    )
    parser.add_argument(
        "--errata", type=Path, metavar="YAML", help="errata overlay (default: sources/errata.yaml)"
    )
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument(
        "--check",
        action="store_true",
        help="compare with the files in --out; exit 1 and show a diff if they differ",
    )
    actions.add_argument(
        "--diff",
        nargs=2,
        metavar=("OLD.md", "NEW.md"),
        help="compare two versions of the page: contract changes, each breaking or not",
    )
    actions.add_argument(
        "--openapi",
        type=Path,
        metavar="PATH",
        help="write the OpenAPI 3.1 document (the committed schemas/openapi.json) to PATH",
    )
    parser.add_argument(
        "--mode",
        choices=tuple(OPENAPI_NAMES),
        default="observed",
        help="with --openapi: observed (errata applied, default) or documented (the table verbatim)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output of --diff (default text)",
    )
    parser.add_argument(
        "--fail-on-breaking",
        action="store_true",
        help="with --diff: exit 1 when a change breaks clients written against OLD.md",
    )
    parser.set_defaults(handler=_handle)


def _inputs(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    source, errata = default_inputs()
    return (
        args.source or source,
        args.errata or errata,
        args.out or schemas_dir(),
    )


def _generate(args: argparse.Namespace) -> int:
    source, errata, out = _inputs(args)
    written = write(render(source=source, errata=errata), out)
    for name in written:
        print(f"wrote {out / name}")
    print(f"schemas: {len(written)} file(s) written, the rest up to date ({out})")
    return ExitCode.OK


def _check(args: argparse.Namespace) -> int:
    source, errata, out = _inputs(args)
    mismatches = check(render(source=source, errata=errata), out)
    if not mismatches:
        print(f"schemas: up to date ({out})")
        return ExitCode.OK
    for mismatch in mismatches:
        print(f"schemas: {out / mismatch.name} differs from what the sources generate")
        sys.stdout.write(mismatch.diff if mismatch.diff.endswith("\n") else mismatch.diff + "\n")
    print(
        f"schemas: {len(mismatches)} file(s) out of date; run `deribit-contract schemas` and commit "
        "the result (never edit generated schemas by hand)"
    )
    return ExitCode.VIOLATED


def _diff(args: argparse.Namespace) -> int:
    # the contract diff lives with the other reports; DocParseError becomes exit 2 in cli/
    from deribit_contract.reporting.docdiff import run_diff_command

    return run_diff_command(
        Path(args.diff[0]),
        Path(args.diff[1]),
        output=args.format,
        fail_on_breaking=args.fail_on_breaking,
    )


def _openapi(args: argparse.Namespace) -> int:
    source, errata, _out = _inputs(args)
    target: Path = args.openapi
    atomic_write_text(target, render(source=source, errata=errata)[OPENAPI_NAMES[args.mode]])
    print(f"schemas: wrote the {args.mode} OpenAPI 3.1 document to {target}")
    return ExitCode.OK


_ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check,
    "diff": _diff,
    "openapi": _openapi,
}


def _handle(args: argparse.Namespace) -> int:
    for flag, action in _ACTIONS.items():
        if getattr(args, flag, None):
            return action(args)
    return _generate(args)
