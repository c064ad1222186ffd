"""`deribit-contract serve` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="(not implemented yet)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    print("deribit-contract serve: not implemented yet", file=sys.stderr)
    return 2
