"""`deribit-contract serve`: the simulated Deribit exchange as a local staging server.

Runs uvicorn in the foreground (Ctrl-C stops it) with the same app the tests start in a thread,
so a CI job can point any client, in any language, at ``http://127.0.0.1:PORT/api/v2`` or
``ws://127.0.0.1:PORT/ws/api/v2``. Loopback only unless ``--allow-non-loopback``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from deribit_contract.errors import InvalidArgument

__all__ = ["register"]


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


def _handle(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(list_faults())
        return 0
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
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
    from deribit_contract.exchange.clock import MonotonicClock
    from deribit_contract.exchange.ratelimit import RateLimitConfig
    from deribit_contract.exchange.simulator import SimulatedExchange
    from deribit_contract.transports.asgi import WS_PATH, build_app
    from deribit_contract.transports.server import bind_socket, uvicorn_config

    # real elapsed time, so rate-limit credits refill while a human or CI job is calling
    exchange = SimulatedExchange(
        seed=args.seed,
        fault=args.fault,
        rate_limit=RateLimitConfig() if args.rate_limit else None,
        clock=MonotonicClock(),
    )
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"simulated Deribit on http://{host}:{port}/api/v2 and ws://{host}:{port}{WS_PATH}\n"
        f"  fault: {args.fault or 'none (correct exchange)'}, seed: {args.seed}, "
        f"rate limit: {'on' if args.rate_limit else 'off'}\n"
        f"  credentials: client_id={DEFAULT_CLIENT_ID} client_secret={DEFAULT_CLIENT_SECRET}\n"
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
    return 0
