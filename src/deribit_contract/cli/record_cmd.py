"""`deribit-contract record`: run the scripted scenario against a target and save fixtures.

Default target: the kit's simulated exchange, started on a free loopback port for the
recording. A URL target passes the production guard before any request (``--allow-host`` for a
staging host you own); credentials come from ``DERIBIT_CLIENT_ID`` / ``DERIBIT_CLIENT_SECRET``.
Fixtures go to ``fixtures/recorded/<host>/<UTC time>/`` unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from deribit_contract.errors import ExitCode, InvalidArgument

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``record`` subcommand."""
    parser = subparsers.add_parser(
        "record",
        help="record a scripted close_position scenario as request/response fixtures",
        description=(
            "Open long and close at market; open short, close with a resting limit and cancel "
            "it; close when flat; send a few invalid params. Each request/response pair is "
            "saved (secrets removed by value) with its time, target host and kit version."
        ),
    )
    parser.add_argument(
        "--target",
        default="local",
        metavar="URL",
        help="'local' (default: start the simulated exchange) or an http(s):// base URL",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="directory (default: fixtures/recorded/<host>)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="allow this non-default host (repeatable); production also needs the confirm variable",
    )
    parser.add_argument("--instrument", default="BTC-PERPETUAL", help="instrument to trade")
    parser.add_argument("--amount", type=float, default=10.0, help="position size to open")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from deribit_contract.contract.record import default_out_dir, record_scenario
    from deribit_contract.contract.target import CLIENT_ID_ENV, CLIENT_SECRET_ENV
    from deribit_contract.guard import check_target
    from deribit_contract.redaction import require_strong_secret

    if args.amount <= 0:
        raise InvalidArgument(f"--amount must be positive, got {args.amount}")
    target = str(args.target)
    if target == "local":
        from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        from deribit_contract.transports.server import LocalExchangeServer

        with LocalExchangeServer() as server:
            out = args.out or default_out_dir(server.host)
            recording = record_scenario(
                server.url,
                out=out,
                credentials=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                instrument=args.instrument,
                amount=args.amount,
            )
    else:
        if not target.startswith(("http://", "https://")):
            raise InvalidArgument(
                f"--target {target!r}: record speaks HTTP JSON-RPC; give 'local' or an "
                "http(s):// base URL such as https://test.deribit.com"
            )
        decision = check_target(target, allow_hosts=args.allow_host)
        client_id = os.environ.get(CLIENT_ID_ENV)
        client_secret = os.environ.get(CLIENT_SECRET_ENV)
        require_strong_secret(client_secret, CLIENT_SECRET_ENV)
        if not client_id or not client_secret:
            raise InvalidArgument(
                f"recording against {decision.host} needs credentials: set {CLIENT_ID_ENV} and "
                f"{CLIENT_SECRET_ENV}"
            )
        recording = record_scenario(
            decision.url,
            out=args.out or default_out_dir(decision.host),
            credentials=(client_id, client_secret),
            instrument=args.instrument,
            amount=args.amount,
        )
    for step, outcome in recording.steps.items():
        print(f"  {step:<28} {outcome}", file=sys.stderr)
    print(f"record: {len(recording.files)} file(s) written to {recording.directory}")
    return ExitCode.OK
