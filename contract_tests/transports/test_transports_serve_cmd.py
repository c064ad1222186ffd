"""`deribit-contract serve`: the fault list, the loopback guard, and a real foreground run."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest

from deribit_contract.cli import main
from deribit_contract.exchange.faults import FAULTS


def test_list_faults_prints_every_fault_with_its_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--list-faults"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(FAULTS) >= 15
    for line, (name, fault) in zip(lines, FAULTS.items(), strict=True):
        listed_name, description = line.split(None, 1)
        assert listed_name == name
        assert description.strip() == fault.description


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3"])
def test_non_loopback_host_is_refused_with_a_reason(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert host in err
    assert "--allow-non-loopback" in err
    assert "credentials" in err  # says why, not just no


def test_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--fault", "no_such_fault", "--port", "0"]) == 2
    assert "--list-faults" in capsys.readouterr().err


def test_serve_runs_in_the_foreground_and_stops_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "deribit_contract", "serve", "--port", "0", "--seed", "3"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v2", banner)
        assert match, banner
        url = f"http://127.0.0.1:{match.group(1)}/api/v2/public/get_instrument?instrument_name=BTC-PERPETUAL"
        for _ in range(100):  # the banner precedes uvicorn's startup by a few ms
            try:
                response = httpx.get(url, timeout=2)
                break
            except httpx.ConnectError:
                import time

                time.sleep(0.05)
        assert response.status_code == 200
        assert response.json()["result"]["instrument_name"] == "BTC-PERPETUAL"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
