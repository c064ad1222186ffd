"""The ``deribit-contract`` command line.

Each subcommand lives in its own module ``cli/<name>_cmd.py`` exposing ``register(subparsers)``,
which adds its parser and sets ``handler`` to a function ``(argparse.Namespace) -> int``.
This module only dispatches and turns the kit's errors into exit code 2 with a one-line
message: a user never sees a traceback for bad input.

Exit codes: :class:`deribit_contract.errors.ExitCode` (0 the contract holds / all valid,
1 the contract is violated, 2 usage error, refused or unreachable target, unreadable input).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from deribit_contract import __version__
from deribit_contract.errors import ContractKitError, ExitCode

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATED", "build_parser", "main"]

# the names the CLI has always exported, from the one table in deribit_contract.errors
EXIT_OK = ExitCode.OK
EXIT_VIOLATED = ExitCode.VIOLATED
EXIT_USAGE = ExitCode.USAGE

# Order is the order of `--help`.
_COMMANDS = ("run", "validate", "schemas", "fixtures", "serve", "record", "drift")


def build_parser(*, only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand registered, or just ``only`` when it names one.

    Registering a subcommand imports its module; ``run`` pulls in pytest and ``fixtures``
    Hypothesis, so a ``validate`` in a CI loop should not pay for them.
    """
    parser = argparse.ArgumentParser(
        prog="deribit-contract",
        description="Contract tests and schema validation for Deribit's private/close_position.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in (only,) if only in _COMMANDS else _COMMANDS:
        module = importlib.import_module(f"deribit_contract.cli.{name}_cmd")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    try:
        return int(args.handler(args))
    except ContractKitError as exc:
        print(f"deribit-contract {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"deribit-contract {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
