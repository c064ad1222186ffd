"""A complete remote-style verdict against the live simulated market, with Deribit's rate limits.

Starts the simulated exchange on a loopback port with ``market="live"`` (moving mark, band
clamping, thin book, other traders, 10040/13028 refusals) and Deribit's default matching-engine
limit (burst 20, 5/s) on real time, then runs ``deribit-contract run --target URL`` with no other
flag, as a new user would against a staging exchange: the budgeted plan, default budget 60.
It prints orders, requests (by method), seconds and the rules exercised, against the issue's
goal (every rule exercised with <= 60 orders, <= 400 requests, <= 120 s), and whether the
account was left flat with no open orders.

    python benchmarks/bench_live_verdict.py [--seed N] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from deribit_contract.cli import main as cli_main
from deribit_contract.contract.checks import CONTRACT_RULES
from deribit_contract.contract.target import REMOTE_INSTRUMENTS
from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    MonotonicClock,
    RateLimitConfig,
    SimulatedExchange,
)
from deribit_contract.invariants import RULES
from deribit_contract.transports import LocalExchangeServer

GOAL = {"orders": 60, "requests": 400, "seconds": 120.0}


def run_once(seed: int) -> dict[str, Any]:
    """One verdict; returns the figures (the run's own counts and the server's)."""
    exchange = SimulatedExchange(
        seed=seed, market="live", rate_limit=RateLimitConfig(), clock=MonotonicClock()
    )
    # the simulation's well-known account, as `deribit-contract serve` prints it
    os.environ["DERIBIT_CLIENT_ID"] = DEFAULT_CLIENT_ID
    os.environ["DERIBIT_CLIENT_SECRET"] = DEFAULT_CLIENT_SECRET
    with tempfile.TemporaryDirectory() as tmp, LocalExchangeServer(exchange=exchange) as server:
        report = Path(tmp) / "run.json"
        out = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli_main(["run", "--target", server.url, "--report", str(report)])
        seconds = time.perf_counter() - started
        data = json.loads(report.read_text()) if report.exists() else {}
        positions = {name: exchange.get_position(name)["size"] for name in REMOTE_INSTRUMENTS}
    methods = Counter(call.method for call in exchange.calls)
    exercised = {
        rule: bucket["passed"] + bucket["failed"]
        for rule, bucket in data.get("invariants", {}).items()
        if bucket["passed"] + bucket["failed"]
    }
    open_orders = sum(
        1
        for call in exchange.calls
        if call.method == "private/get_open_orders_by_instrument" and call.response.get("result")
    )
    return {
        "exit": code,
        "seconds": round(seconds, 1),
        "orders": data.get("orders"),
        "requests_run": data.get("requests"),
        "requests_server": len(exchange.calls),
        "by_method": dict(methods.most_common()),
        "rules_exercised": exercised,
        "rules_never": sorted((set(RULES) | set(CONTRACT_RULES)) - set(exercised)),
        "positions_after": positions,
        "open_order_reads_nonempty": open_orders,
        "tail": out.getvalue()[-1500:] if code else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=0, help="the simulated market's seed")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run_once(args.seed)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
        return 0 if figures["exit"] == 0 else 1
    print(f"remote-style verdict against the live simulated market (seed {args.seed})")
    print(f"  exit code          {figures['exit']}")
    for key, unit in (("orders", ""), ("requests_server", ""), ("seconds", " s")):
        goal = GOAL["requests" if key == "requests_server" else key]
        value = figures[key]
        ratio = f"{value / goal:.2f} of the goal" if isinstance(value, int | float) else "n/a"
        print(f"  {key:<18} {value}{unit}  (goal <= {goal}{unit}: {ratio})")
    print(f"  by method          {figures['by_method']}")
    exercised = figures["rules_exercised"]
    print(
        f"  rules exercised    {len(exercised)}: "
        + ", ".join(f"{r} x{n}" for r, n in sorted(exercised.items()))
    )
    print(f"  never exercised    {', '.join(figures['rules_never']) or 'none'}")
    print(f"  positions after    {figures['positions_after']}")
    if figures["tail"]:
        print(figures["tail"])
    return 0 if figures["exit"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
