#!/usr/bin/env python3
"""Produce docs/report-screenshot.png: a contract run's HTML report, rendered by headless Chromium.

Uses `deribit-contract run --report` when the runner offers it; otherwise builds the run's
observations by driving the local simulated exchange through the suite's judge (the same
ContractJudge the runner uses) over a few closes: long/short, market/limit, flat, invalid params.
Needs Debian's `chromium` (apt-get install chromium). Usage: scripts/screenshot-report.py [OUT.png]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def observations_from_local_server() -> object:
    from deribit_contract.contract.checks import ContractJudge
    from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
    from deribit_contract.reporting.observations import RunObservations
    from deribit_contract.transports import HttpJsonRpcClient, LocalExchangeServer

    obs = RunObservations(target="local (simulated exchange)", mode="observed", seed="0")
    judge = ContractJudge(obs)
    with LocalExchangeServer(seed=0) as server:
        client = HttpJsonRpcClient(server.url)
        client.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        ident = 1  # the client numbers every request from 1, public/auth included
        for name in ("BTC-PERPETUAL", "ETH-PERPETUAL"):
            ticker = client.call("public/ticker", {"instrument_name": name})["result"]
            ident += 1
            for opener, kind in (
                ("private/buy", "market"),
                ("private/sell", "limit"),
                ("private/buy", "limit"),
                (None, "market"),
            ):
                if opener:
                    client.call(opener, {"instrument_name": name, "amount": 100, "type": "market"})
                    ident += 1
                    obs.orders += 1
                params: dict[str, Any] = {"instrument_name": name, "type": kind}
                if kind == "limit":
                    params["price"] = (
                        ticker["max_price"] if opener == "private/sell" else ticker["min_price"]
                    )
                before = client.call("private/get_position", {"instrument_name": name})["result"]
                response = client.call("private/close_position", params)
                after = client.call("private/get_position", {"instrument_name": name})["result"]
                ident += 3
                request = {
                    "jsonrpc": "2.0",
                    "id": ident - 1,
                    "method": "private/close_position",
                    "params": params,
                }
                obs.requests += 4
                obs.examples += 1
                judge.close_findings(request, response, before, after)
                client.call("private/cancel_all_by_instrument", {"instrument_name": name})
                flat = client.call("private/get_position", {"instrument_name": name})["result"]
                ident += 2
                if flat and flat.get("size"):
                    client.call(
                        "private/close_position", {"instrument_name": name, "type": "market"}
                    )
                    ident += 1
        for params in (
            {"instrument_name": "BTC-PERPETUAL"},
            {"instrument_name": "BTC-PERPETUAL", "type": "stop"},
        ):
            response = client.call("private/close_position", params)
            obs.responses.append(response)
            obs.count_invariant(
                "request.invalid_rejected", "passed" if "error" in response else "failed"
            )
        client.close()
    return obs


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "report-screenshot.png"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    from deribit_contract.contract.checks import CONTRACT_RULES
    from deribit_contract.reporting.coverage import write_run_report

    report_dir = ROOT / "reports" / "screenshot"
    obs = observations_from_local_server()
    _, html_path = write_run_report(obs, report_dir, rule_descriptions=CONTRACT_RULES)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={out}",
                "--window-size=1200,1500",
                html_path.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"report: {html_path}\nscreenshot: {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
