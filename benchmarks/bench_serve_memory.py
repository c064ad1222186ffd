"""`deribit-contract serve` under a long stream of requests: RSS growth and steady throughput.

Not a test (nothing is asserted, nothing runs under pytest). Starts ``deribit-contract serve`` in
a subprocess on a free loopback port, then sends requests one at a time over HTTP and over one
WebSocket: authenticate, then cycles of ``private/buy`` + ``private/close_position`` +
``private/get_position`` (trading, the path that used to keep every request and every order).
After ``--warmup`` requests it reads the server's RSS from ``/proc``; then it sends
``--requests`` more and reads it again, reporting the growth in MB and the request rate of the
first and the last window as a ratio (the baseline is the same run's first window: 1.00 means
steady throughput).

    python benchmarks/bench_serve_memory.py [--requests 60000] [--warmup 5000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.ws_client import WsJsonRpcClient

INSTRUMENT = "BTC-PERPETUAL"
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc: this benchmark needs Linux")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60_000)
    parser.add_argument("--warmup", type=int, default=5_000)
    parser.add_argument("--window", type=int, default=6_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "deribit_contract.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        _wait_listening(port, proc)
        http = HttpJsonRpcClient(f"http://127.0.0.1:{port}", timeout=30)
        ws = WsJsonRpcClient(f"ws://127.0.0.1:{port}/ws/api/v2", timeout=30)
        for client in (http, ws):
            client.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        calls: list[Call] = [http.call, ws.call]
        _drive(calls, args.warmup)
        rss_before = _rss_mb(proc.pid)
        first = _drive(calls, args.window)
        _drive(calls, max(0, args.requests - 2 * args.window))
        last = _drive(calls, args.window)
        rss_after = _rss_mb(proc.pid)
        http.close()
        ws.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    figures = {
        "requests_after_warmup": args.requests,
        "rss_after_warmup_mb": round(rss_before, 1),
        "rss_after_requests_mb": round(rss_after, 1),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "first_window_req_per_s": round(first, 1),
        "last_window_req_per_s": round(last, 1),
        "throughput_last_vs_first": round(last / first, 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
