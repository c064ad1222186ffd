"""`deribit-contract validate PATH...`: check captured responses against the contract.

Wiring only: records come from :mod:`deribit_contract.validation.records`, verdicts from
:class:`~deribit_contract.validation.ResponseValidator`, output from
:mod:`deribit_contract.validation.report`. Exit 0 when every record is valid, 1 when any record
violates the schema or is not JSON, 2 for usage errors (missing path, unknown schema).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from deribit_contract.cli.jobs import add_jobs_argument
from deribit_contract.cli.watchdog import add_timeout_argument, watching_inputs
from deribit_contract.errors import ExitCode
from deribit_contract.schema.store import MODES, PARTS
from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.chunks import input_bytes
from deribit_contract.validation.parallel import validate_in_pool
from deribit_contract.validation.pool import default_jobs
from deribit_contract.validation.records import Batch, check_paths, iter_batches
from deribit_contract.validation.report import Reporter, make_reporter
from deribit_contract.validation.validator import ResponseValidator

__all__ = ["PROGRESS_MIN_BYTES", "register"]

# Below this a run finishes before a bar would be readable.
PROGRESS_MIN_BYTES = 8 * 1024 * 1024


def register(subparsers: Any) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="validate captured close_position responses (files, dirs, JSON Lines, -)",
        description=(
            "Validate JSON-RPC responses to private/close_position. PATH may be a JSON file, a "
            "directory (searched recursively for .json/.jsonl), a JSON Lines file (one response "
            "a line) or - for stdin; gzip and UTF-16/32 (with a BOM) are read transparently. Exit 0: all valid; 1: a record violates the contract or is "
            "not JSON; 2: usage error."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="inputs; - reads stdin")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="observed",
        help="observed: documentation + errata, undocumented fields are warnings (default); "
        "documented: the documentation table verbatim",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
    parser.add_argument(
        "--part",
        choices=PARTS,
        default="response",
        help="what each record is: a full response (default) or a bare order, trade, params...",
    )
    parser.add_argument(
        "--schemas", type=Path, default=None, metavar="DIR", help="read schemas from DIR"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="never show a progress bar on stderr"
    )
    add_jobs_argument(parser)
    add_timeout_argument(parser)
    parser.set_defaults(handler=_handle)


@contextlib.contextmanager
def _progress_bar(total: int | None, stream: TextIO) -> Iterator[Callable[[int], None] | None]:
    """A callback advancing a bar by a number of input bytes (None when no bar is drawn)."""
    if total is None:
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="B", unit_scale=True, file=stream, leave=False) as bar:
        yield bar.update


def _with_progress(batches: Iterator[Batch], total: int, stream: TextIO) -> Iterator[Batch]:
    from tqdm import tqdm  # imported lazily: most runs never draw a bar

    with tqdm(total=total, unit="B", unit_scale=True, file=stream, leave=False) as bar:
        for batch in batches:
            yield batch
            bar.update(sum(map(len, batch.lines)) + len(batch.lines))


def _handle(args: argparse.Namespace) -> int:
    paths = [str(p) for p in args.paths]
    check_paths(paths)
    if paths.count("-") > 1:
        print("deribit-contract validate: error: - (stdin) given more than once", file=sys.stderr)
        return ExitCode.USAGE
    validator = ResponseValidator(args.mode, part=args.part, directory=args.schemas)
    total = None if "-" in paths else input_bytes(paths)
    jobs = args.jobs or default_jobs(total)
    show_bar = (
        not args.no_progress
        and sys.stderr.isatty()
        and total is not None
        and total >= PROGRESS_MIN_BYTES
    )
    reporter = make_reporter(args.output_format, sys.stdout)
    reporter.start(mode=args.mode, part=args.part)
    with watching_inputs("validate", paths, args.timeout):
        _judge(args, paths, jobs, validator, reporter, total if show_bar else None)
    reporter.finish()
    if reporter.summary.records == 0:
        print(
            "deribit-contract validate: error: no .json or .jsonl files found under "
            + ", ".join(paths),
            file=sys.stderr,
        )
        return ExitCode.USAGE
    return ExitCode.OK if reporter.summary.ok else ExitCode.VIOLATED


def _judge(
    args: argparse.Namespace,
    paths: list[str],
    jobs: int,
    validator: ResponseValidator,
    reporter: Reporter,
    bar_total: int | None,
) -> None:
    if jobs > 1:
        with _progress_bar(bar_total, sys.stderr) as advance:
            validate_in_pool(
                paths,
                reporter,
                mode=args.mode,
                part=args.part,
                directory=args.schemas,
                jobs=jobs,
                progress=advance,
            )
    else:
        batches: Iterator[Batch] = iter_batches(paths)
        if bar_total is not None:
            batches = _with_progress(batches, bar_total, sys.stderr)
        BulkScanner(validator).run(batches, reporter.summary, reporter.emit)
