"""`deribit-contract drift`: compare real responses with the documented contract.

Reads captured or recorded responses (files, directories, JSON Lines, ``-`` for stdin), prints
or writes a Markdown or JSON report of per-field presence, types and values against the
documented schema, each difference marked with the erratum that explains it. Exit 0 when the
report was produced, 1 with ``--fail-on-new`` when a difference is not in the errata yet, 2 when
the input is missing, empty or holds nothing to compare.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from deribit_contract._fileio import atomic_write_text, dump_canonical_json
from deribit_contract.cli.jobs import add_jobs_argument
from deribit_contract.cli.watchdog import add_timeout_argument, watching_inputs
from deribit_contract.errors import ExitCode
from deribit_contract.validation.chunks import input_bytes
from deribit_contract.validation.pool import default_jobs
from deribit_contract.validation.records import check_paths

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``drift`` subcommand."""
    parser = subparsers.add_parser(
        "drift",
        help="compare captured or recorded responses with the documented contract",
        description=(
            "Per field: how often it was present, the JSON types and values seen, and how that "
            "compares with the vendor's table (undocumented fields, type differences, enum "
            "values outside the docs, documented fields never seen), each difference marked with "
            "the errata entry that explains it. Exit 0 when the report was written, 1 with "
            "--fail-on-new when a difference is not in sources/errata.yaml, 2 for missing or empty "
            "input."
        ),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, directories, JSON Lines, or - for stdin"
    )
    parser.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="report format"
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the report here")
    parser.add_argument(
        "--fail-on-new",
        action="store_true",
        help="exit 1 when a difference is not explained by the errata overlay (for CI)",
    )
    parser.add_argument(
        "--part",
        choices=("response", "order", "trade"),
        help="read every record as this part (default: detect envelopes, bare orders and trades)",
    )
    parser.add_argument(
        "--errata", type=Path, metavar="YAML", help="errata overlay (default: sources/errata.yaml)"
    )
    add_jobs_argument(parser)
    add_timeout_argument(parser)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from deribit_contract.reporting.drift import analyse_paths
    from deribit_contract.reporting.markdown import render_drift_markdown

    paths = [str(p) for p in args.paths]
    check_paths(paths)
    jobs = args.jobs or default_jobs(None if "-" in paths else input_bytes(paths))
    with watching_inputs("drift", paths, args.timeout):
        report = analyse_paths(paths, part=args.part, errata_path=args.errata, jobs=jobs)
    if args.format == "json":
        text = dump_canonical_json(report.to_json())
    else:
        text = render_drift_markdown(report)
    if args.out is not None:
        atomic_write_text(args.out, text)
        print(f"drift: report written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    new = report.new
    summary = (
        f"drift: {report.records} record(s), {report.analysed} compared, "
        f"{report.unreadable} unreadable; {len(report.differences)} difference(s), "
        f"{len(new)} not in the errata"
    )
    print(summary, file=sys.stderr)
    if report.analysed == 0:
        print(
            "drift: error: no record was a response envelope, an order or a trade; "
            "nothing was compared (use --part order|trade for bare objects)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.fail_on_new and new:
        for diff in new[:20]:
            print(
                f"drift: new {diff.kind} at {diff.path} ({diff.envelope}): "
                f"observed {diff.observed}, documented {diff.documented}",
                file=sys.stderr,
            )
        return ExitCode.VIOLATED
    return ExitCode.OK
