"""``--jobs``, shared by the commands that read large inputs (``validate``, ``drift``)."""

from __future__ import annotations

import argparse

from deribit_contract.validation.pool import PARALLEL_MIN_BYTES

__all__ = ["add_jobs_argument", "parse_jobs"]


def parse_jobs(text: str) -> int:
    """A positive number of worker processes, or ``auto`` (returned as 0: decided by size)."""
    if text == "auto":
        return 0
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of worker processes or 'auto'; got {text!r}"
        )
    return jobs


def add_jobs_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--jobs N|auto`` (default ``auto``)."""
    parser.add_argument(
        "--jobs",
        "-j",
        type=parse_jobs,
        default=0,
        metavar="N",
        help=(
            "worker processes; the output is the same for every N (default auto: every core "
            f"for inputs of {PARALLEL_MIN_BYTES // 2**20} MiB or more, one below that or for stdin)"
        ),
    )
