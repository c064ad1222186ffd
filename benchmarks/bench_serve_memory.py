"""`deribit-contract serve` under a long stream of requests and under hostile clients: RSS growth.

Not a test (nothing is asserted, nothing runs under pytest). Each case starts its own
``deribit-contract serve`` in a subprocess on a free loopback port and reads the server's RSS
from ``/proc`` before and after:

* ``trading``: requests one at a time over HTTP and one WebSocket: cycles of ``private/buy`` +
  ``private/close_position`` + ``private/get_position``. After ``--warmup`` requests, ``--requests``
  more; the request rate of the first and the last window as a ratio (1.00: steady throughput).
* ``slow-reader``: a WebSocket subscribes to its account's orders and never reads while the
  account's other connection places and cancels orders for ``--seconds`` (the server must close
  it as a slow consumer, not queue for it).
* ``channel-flood``: one socket asks for ``--channels`` channel names in 32 kB subscribe frames;
  another account's buy latency before and after.
* ``token-flood``: ``--tokens`` client_credentials logins, then ``--signed`` client_signature
  logins with 30 KB nonces.
* ``orders``: ``--orders`` resting limit orders, then the latency of a request (p50 of 200).
* ``frame-flood``: ``--sockets`` unauthenticated sockets each start a 14 MiB frame and send
  ``--frame-mib`` MiB of it; RSS while they are open and after they close.

Each prints ``rss_growth_mb`` (the issue's bound: under 100 MB). The hostile cases live in
``serve_attacks.py``.

    python benchmarks/bench_serve_memory.py [--case all] [--requests 60000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.ws_client import WsJsonRpcClient
from serve_attacks import (
    INSTRUMENT,
    OTHER,
    Call,
    case_channel_flood,
    case_frame_flood,
    case_orders,
    case_slow_reader,
    case_token_flood,
    rss_mb,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("serve did not start within 30 s")


def _cycle(call: Call, step: int) -> int:
    """One trading cycle (3 requests); returns how many requests it sent."""
    call("private/buy", {"instrument_name": INSTRUMENT, "type": "market", "amount": 10})
    call("private/close_position", {"instrument_name": INSTRUMENT, "type": "market"})
    call("private/get_position", {"instrument_name": INSTRUMENT})
    return 3 if step >= 0 else 0


def _drive(calls: list[Call], count: int) -> float:
    """Send ``count`` requests alternating over ``calls``; returns requests/s."""
    sent = 0
    start = time.perf_counter()
    step = 0
    while sent < count:
        sent += _cycle(calls[step % len(calls)], step)
        step += 1
    return sent / (time.perf_counter() - start)


def _serve(port: int) -> subprocess.Popen[bytes]:
    accounts = [f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}", f"{OTHER[0]}:{OTHER[1]}"]
    command = [sys.executable, "-m", "deribit_contract.cli", "serve", "--port", str(port)]
    for account in accounts:
        command += ["--account", account]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    _wait_listening(port, proc)
    return proc


def case_trading(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    http = HttpJsonRpcClient(f"http://127.0.0.1:{port}", timeout=30)
    ws = WsJsonRpcClient(f"ws://127.0.0.1:{port}/ws/api/v2", timeout=30)
    for client in (http, ws):
        client.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    calls: list[Call] = [http.call, ws.call]
    _drive(calls, args.warmup)
    rss_before = rss_mb(proc.pid)
    first = _drive(calls, args.window)
    _drive(calls, max(0, args.requests - 2 * args.window))
    last = _drive(calls, args.window)
    rss_after = rss_mb(proc.pid)
    http.close()
    ws.close()
    return {
        "requests_after_warmup": args.requests,
        "rss_after_warmup_mb": round(rss_before, 1),
        "rss_after_requests_mb": round(rss_after, 1),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "first_window_req_per_s": round(first, 1),
        "last_window_req_per_s": round(last, 1),
        "throughput_last_vs_first": round(last / first, 2),
    }


CASES = {
    "trading": case_trading,
    "slow-reader": case_slow_reader,
    "channel-flood": case_channel_flood,
    "token-flood": case_token_flood,
    "orders": case_orders,
    "frame-flood": case_frame_flood,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--requests", type=int, default=60_000)
    parser.add_argument("--warmup", type=int, default=5_000)
    parser.add_argument("--window", type=int, default=6_000)
    parser.add_argument("--seconds", type=float, default=30, help="slow-reader: trading time")
    parser.add_argument("--channels", type=int, default=2_500_000)
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--signed", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--sockets", type=int, default=40, help="frame-flood: sockets")
    parser.add_argument("--frame-mib", type=int, default=4, help="frame-flood: MiB sent each")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    for name in CASES if args.case == "all" else [args.case]:
        port = _free_port()
        proc = _serve(port)
        try:
            results[name] = CASES[name](port, proc, args)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        if not args.json:
            print(f"{name}:")
            for key, value in results[name].items():
                print(f"  {key:>30}: {value}")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
