"""`deribit-contract serve`: the fault list, the loopback guard, and a real foreground run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from deribit_contract.cli import main
from deribit_contract.cli.serve_cmd import ACCOUNTS_ENV, parse_accounts
from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.clock import DEFAULT_EPOCH_US
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


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Run ``deribit-contract serve --port 0 ARGS``; yield (API base URL, banner)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "deribit_contract", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stderr is not None
        banner = "".join(proc.stderr.readline() for _ in range(3))
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v2", banner)
        assert match, banner
        base = f"http://127.0.0.1:{match.group(1)}/api/v2"
        for _ in range(100):  # the banner precedes uvicorn's startup by a few ms
            try:
                httpx.get(f"{base}/public/test", timeout=2)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        yield base, banner
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            assert proc.stderr is not None
            proc.stderr.close()


def test_serve_takes_accounts_from_the_environment_and_runs_on_the_wall_clock() -> None:
    env = {ACCOUNTS_ENV: "ci-bot:ci-secret-1, ci-bot-2:ci-secret-2"}
    with serving(env=env) as (base, banner):
        assert "ci-bot, ci-bot-2" in banner
        assert "ci-secret" not in banner  # ids are shown, secrets never
        params = {"grant_type": "client_credentials", "client_id": "ci-bot-2"}
        auth = httpx.get(f"{base}/public/auth", params={**params, "client_secret": "ci-secret-2"})
        assert auth.json()["result"]["token_type"] == "bearer"
        default = httpx.get(
            f"{base}/public/auth",
            params={
                **params,
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
            },
        )
        assert default.json()["error"]["code"] == 13004  # configured accounts replace the default
        server_ms = httpx.get(f"{base}/public/get_time").json()["result"]
        assert abs(server_ms - time.time() * 1000) < 5_000


def test_serve_fixed_clock_and_account_options_are_reproducible() -> None:
    answers = []
    for _ in range(2):
        with serving("--clock", "fixed", "--account", "a:b") as (base, _banner):
            answers.append(
                [httpx.get(f"{base}/public/get_time").content for _ in range(3)]
                + [
                    httpx.get(
                        f"{base}/public/auth?grant_type=client_credentials&client_id=a&client_secret=b"
                    ).content
                ]
            )
    assert answers[0] == answers[1]
    assert json.loads(answers[0][0])["result"] == DEFAULT_EPOCH_US // 1000 + 1


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["no-colon"], "item 1: expected ID:SECRET"),
        (["a:b", ":secret"], "item 2: expected ID:SECRET"),
        (["a:b", "a:c"], "account 'a' given twice"),
    ],
)
def test_bad_accounts_are_usage_errors_that_never_echo_secrets(
    items: list[str], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message) as caught:
        parse_accounts(items, source="--account")
    assert "secret" not in str(caught.value).replace("ID:SECRET", "")
    assert parse_accounts(["x:y:z"], source="--account") == {"x": "y:z"}
