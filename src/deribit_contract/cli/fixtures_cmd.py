"""`deribit-contract fixtures`: regenerate or check ``fixtures/generated/`` from a seed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from deribit_contract._paths import fixtures_dir
from deribit_contract.errors import ExitCode
from deribit_contract.fixturegen import DEFAULT_SEED, check_fixtures, write_fixtures

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``fixtures`` subcommand."""
    parser = subparsers.add_parser(
        "fixtures",
        help="regenerate fixtures/generated/ deterministically (or --check it)",
        description="Write requests, responses, error envelopes and coherent outcomes from a seed. "
        "Never touches fixtures/captured/ or fixtures/recorded/.",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="target directory (default fixtures/generated)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 with a diff when the files are stale"
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    out: Path = args.out if args.out is not None else fixtures_dir() / "generated"
    if args.check:
        diff = check_fixtures(out, seed=args.seed)
        if diff:
            print("\n".join(diff))
            print(
                f"{out} is stale; run `deribit-contract fixtures --seed {args.seed}`",
                file=sys.stderr,
            )
            return ExitCode.VIOLATED
        print(f"{out} is up to date (seed {args.seed})")
        return ExitCode.OK
    rendered = write_fixtures(out, seed=args.seed)
    print(f"wrote {len(rendered.files)} files to {out} (seed {args.seed})")
    for item in rendered.coverage:
        print(f"  coverage {item.summary()}")
        for missing in item.missing()[:10]:
            print(f"    not covered: {missing}")
    return ExitCode.OK
