#!/usr/bin/env python3
"""Produce docs/report-screenshot.png: the HTML report of a real run, rendered by headless Chromium.

Runs `deribit-contract run --report` against the embedded simulated exchange (optionally with a
fault mode, to show a failing report), then screenshots the self-contained HTML page. Needs
Debian's `chromium` (apt-get install chromium).

Usage: scripts/screenshot-report.py [OUT.png] [--fault NAME]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", nargs="?", type=Path, default=ROOT / "docs" / "report-screenshot.png"
    )
    parser.add_argument("--fault", help="run against this fault mode of the simulator")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.json"
        command = ["deribit-contract", "run", "--report", str(report), "--max-examples", "10"]
        if args.fault:
            command += ["--fault", args.fault]
        subprocess.run(command, check=False, capture_output=True, timeout=600)
        html = report.with_name("run.coverage.html")
        if not html.is_file():
            print(f"the run wrote no HTML report at {html}", file=sys.stderr)
            return 1
        profile = Path(tmp) / "profile"
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
                f"--screenshot={args.out}",
                "--window-size=1200,1500",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"screenshot: {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
