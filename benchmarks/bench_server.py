"""close_position round trips per second: local server vs respx mock vs direct ``handle``.

One client, one request at a time, as a contract run does. Each iteration seeds a position
in-process (untimed) and times only the ``private/close_position`` round trip; a second figure
times a full ``private/buy`` + close cycle over the wire. Direct ``handle`` and the respx mock
are the baselines that show what the HTTP stack (uvicorn + Starlette + httpx keep-alive) costs.

    python benchmarks/bench_server.py [--iterations 2000] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.jsonrpc import Auth
from deribit_contract.exchange.simulator import SimulatedExchange
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.respx_mock import DeribitMock
from deribit_contract.transports.server import LocalExchangeServer
from deribit_contract.transports.ws_client import WsJsonRpcClient

INSTRUMENT = "BTC-PERPETUAL"
SIZE = 100  # USD, ten contracts
CLOSE = {"instrument_name": INSTRUMENT, "type": "market"}
BUY = {"instrument_name": INSTRUMENT, "type": "market", "amount": SIZE}
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def deep_exchange() -> SimulatedExchange:
    """An exchange whose book never runs dry, so every close fills in full."""
    exchange = SimulatedExchange(seed=0)
    exchange.set_book(
        INSTRUMENT,
        bids=[(90_000.0 - 0.5 * i, 10_000_000_000.0) for i in range(5)],
        asks=[(90_000.5 + 0.5 * i, 10_000_000_000.0) for i in range(5)],
    )
    return exchange


def _check(reply: dict[str, Any]) -> None:
    order = reply.get("result", {}).get("order")
    if not order or order["filled_amount"] != SIZE:
        raise SystemExit(f"benchmark invalid, the close did not fill in full: {reply}")


def measure(exchange: SimulatedExchange, call: Call, iterations: int) -> dict[str, float]:
    """Closes/s (close timed alone) and buy+close cycles/s, after a short warm-up."""
    for _ in range(min(50, iterations)):
        exchange.set_position(INSTRUMENT, SIZE)
        _check(call("private/close_position", CLOSE))
    samples: list[float] = []
    for _ in range(iterations):
        exchange.set_position(INSTRUMENT, SIZE)
        started = time.perf_counter()
        reply = call("private/close_position", CLOSE)
        samples.append(time.perf_counter() - started)
        _check(reply)
    cycles = max(1, iterations // 2)
    started = time.perf_counter()
    for _ in range(cycles):
        call("private/buy", BUY)
        _check(call("private/close_position", CLOSE))
    cycle_s = time.perf_counter() - started
    ordered = sorted(samples)
    return {
        "close_per_s": len(samples) / sum(samples),
        "close_p50_us": statistics.median(samples) * 1e6,
        "close_p99_us": ordered[int(0.99 * (len(ordered) - 1))] * 1e6,
        "buy_close_cycles_per_s": cycles / cycle_s,
    }


def _direct_call(exchange: SimulatedExchange) -> Call:
    auth = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)
    ids = iter(range(1, 1 << 62))

    def call(method: str, params: dict[str, Any]) -> dict[str, Any]:
        request = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
        return exchange.handle(request, auth=auth)

    return call


@contextmanager
def door(name: str, exchange: SimulatedExchange) -> Iterator[Call]:
    """A ``call`` function reaching ``exchange`` through the named door."""
    if name == "direct handle":
        yield _direct_call(exchange)
    elif name == "respx mock (httpx)":
        with DeribitMock(exchange=exchange), HttpJsonRpcClient("https://test.deribit.com") as c:
            c.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            yield c.call
    elif name == "local server HTTP (httpx keep-alive)":
        with LocalExchangeServer(exchange=exchange) as server, HttpJsonRpcClient(server.url) as c:
            c.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            yield c.call
    elif name == "local server WebSocket":
        with LocalExchangeServer(exchange=exchange) as server, WsJsonRpcClient(server.ws_url) as w:
            w.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            yield w.call
    else:
        raise ValueError(name)


DOORS = (
    "direct handle",
    "respx mock (httpx)",
    "local server HTTP (httpx keep-alive)",
    "local server WebSocket",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    for name in DOORS:
        exchange = deep_exchange()
        with door(name, exchange) as call:
            results[name] = measure(exchange, call, args.iterations)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"close_position round trips, one client, {args.iterations} closes per door")
    print(f"{'door':40} {'closes/s':>10} {'p50 µs':>9} {'p99 µs':>9} {'buy+close/s':>12}")
    for name, r in results.items():
        print(
            f"{name:40} {r['close_per_s']:>10.0f} {r['close_p50_us']:>9.0f} "
            f"{r['close_p99_us']:>9.0f} {r['buy_close_cycles_per_s']:>12.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
