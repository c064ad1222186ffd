"""`deribit-contract serve`: the simulated Deribit exchange as a local staging server.

Runs uvicorn in the foreground (Ctrl-C stops it) with the same app the tests start in a thread,
so a CI job can point any client, in any language, at ``http://127.0.0.1:PORT/api/v2`` or
``ws://127.0.0.1:PORT/ws/api/v2``. Loopback only unless ``--allow-non-loopback``.

Time is the wall clock by default (real clients sign requests with their own clock and compare
timestamps); ``--clock fixed`` starts at 2026-01-01 and moves only per request, so the same
requests get byte-for-byte the same answers. Accounts come from ``--account ID:SECRET``
(repeatable) or ``DERIBIT_CONTRACT_SERVE_ACCOUNTS`` (``ID:SECRET`` items separated by commas or
whitespace); without either the well-known default account serves. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from deribit_contract.errors import ExitCode, InvalidArgument

__all__ = ["ACCOUNTS_ENV", "parse_accounts", "register"]

ACCOUNTS_ENV = "DERIBIT_CONTRACT_SERVE_ACCOUNTS"


def register(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="run the simulated Deribit exchange on this machine (HTTP + WebSocket)",
        description="Serve the simulated Deribit exchange: GET/POST /api/v2/{method}, POST /api/v2, "
        "and WebSocket /ws/api/v2, with Bearer or HTTP Basic credentials.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8082, help="port (default 8082; 0 picks a free one)"
    )
    parser.add_argument(
        "--fault", metavar="NAME", default=None, help="serve a broken exchange (see --list-faults)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of ids and book (default 0)")
    parser.add_argument(
        "--rate-limit",
        action="store_true",
        help="enforce Deribit-like matching-engine credits (over the limit: error 10028)",
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "fixed"),
        default="wall",
        help="wall: real time (default); fixed: starts at 2026-01-01 and moves per request, "
        "for byte-for-byte reproducible answers (signed requests need the wall clock)",
    )
    parser.add_argument(
        "--account",
        metavar="ID:SECRET",
        action="append",
        default=None,
        help=f"an account the exchange accepts (repeatable; default: ${ACCOUNTS_ENV}, "
        "else the built-in test account)",
    )
    parser.add_argument(
        "--market",
        choices=("static", "live"),
        default="static",
        help="static (default: the mark never moves, nobody else trades) or live: a moving mark, "
        "band clamping, a thin book, other traders, 10040/13028 refusals and Deribit's default "
        "rate limit (burst 20, 5/s)",
    )
    parser.add_argument("--list-faults", action="store_true", help="print the fault modes and exit")
    parser.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow --host to be a non-loopback address (the server has no TLS and default credentials)",
    )
    parser.set_defaults(handler=_handle)


def _faults() -> Any:
    from deribit_contract.exchange.faults import FAULTS

    return FAULTS


def list_faults() -> str:
    """One line per fault: its name, padded, then its one-line description."""
    faults = _faults()
    width = max((len(name) for name in faults), default=0)
    return "\n".join(f"{name:<{width}}  {faults[name].description}" for name in faults)


def parse_accounts(items: list[str], *, source: str) -> dict[str, str]:
    """``ID:SECRET`` items as client id -> secret; a precise error names the bad item."""
    accounts: dict[str, str] = {}
    for index, item in enumerate(items):
        client_id, sep, secret = item.partition(":")
        # the item itself may hold a secret: name its position, never echo it
        if not sep or not client_id or not secret:
            raise InvalidArgument(
                f"{source} item {index + 1}: expected ID:SECRET with both parts non-empty"
            )
        if client_id in accounts:
            raise InvalidArgument(f"{source}: account {client_id!r} given twice")
        accounts[client_id] = secret
    return accounts


def _accounts(args: argparse.Namespace) -> dict[str, str] | None:
    if args.account:
        return parse_accounts(args.account, source="--account")
    from_env = os.environ.get(ACCOUNTS_ENV, "").replace(",", " ").split()
    if from_env:
        return parse_accounts(from_env, source=ACCOUNTS_ENV)
    return None


def _handle(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(list_faults())
        return ExitCode.OK
    from deribit_contract.transports.server import NON_LOOPBACK_REASON, is_loopback

    if not is_loopback(args.host) and not args.allow_non_loopback:
        raise InvalidArgument(
            f"refusing to bind non-loopback host {args.host!r}: {NON_LOOPBACK_REASON}. "
            "Use --allow-non-loopback if you really mean it"
        )
    if not 0 <= args.port <= 65535:
        raise InvalidArgument(f"--port must be 0..65535, got {args.port}")
    if args.fault is not None and args.fault not in _faults():
        raise InvalidArgument(
            f"unknown fault {args.fault!r}; `deribit-contract serve --list-faults` shows the names"
        )
    return _serve(args, _accounts(args))


def _serve(args: argparse.Namespace, accounts: dict[str, str] | None) -> int:
    import uvicorn

    from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
    from deribit_contract.exchange.clock import Clock, FakeClock, WallClock
    from deribit_contract.exchange.ratelimit import RateLimitConfig
    from deribit_contract.exchange.simulator import SimulatedExchange
    from deribit_contract.transports.asgi import WS_PATH, build_app
    from deribit_contract.transports.server import bind_socket, uvicorn_config

    # the wall clock also refills rate-limit credits while a human or CI job is calling;
    # --market live always meters matching-engine requests as Deribit does by default
    live = args.market == "live"
    clock: Clock = WallClock() if args.clock == "wall" else FakeClock()
    exchange = SimulatedExchange(
        seed=args.seed,
        fault=args.fault,
        rate_limit=RateLimitConfig() if args.rate_limit or live else None,
        clock=clock,
        accounts=accounts,
        market=args.market,
    )
    if accounts is None:
        credentials = f"client_id={DEFAULT_CLIENT_ID} client_secret={DEFAULT_CLIENT_SECRET}"
    else:
        credentials = "client_id " + ", ".join(accounts) + " (secrets as configured)"
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"simulated Deribit on http://{host}:{port}/api/v2 and ws://{host}:{port}{WS_PATH}\n"
        f"  fault: {args.fault or 'none (correct exchange)'}, seed: {args.seed}, "
        f"rate limit: {'on' if args.rate_limit or live else 'off'}, clock: {args.clock}, "
        f"market: {args.market}\n"
        f"  credentials: {credentials}\n"
        "  Ctrl-C stops it",
        file=sys.stderr,
        flush=True,
    )
    server = uvicorn.Server(uvicorn_config(build_app(exchange), log_level="info"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; stopping is this command's normal end
    finally:
        sock.close()
    print("simulated Deribit stopped", file=sys.stderr)
    return ExitCode.OK
