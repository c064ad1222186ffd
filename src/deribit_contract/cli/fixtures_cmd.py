"""`deribit-contract fixtures` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("fixtures", help="(not implemented yet)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    print("deribit-contract fixtures: not implemented yet", file=sys.stderr)
    return 2
