"""Safety of `deribit-contract run`: the production guard, secrets, no blind close retries, 10028."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from deribit_contract.cli import main
from deribit_contract.contract.checks import ContractJudge
from deribit_contract.contract.run import ContractRun
from deribit_contract.contract.target import OpenTarget, TargetSpec
from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    MonotonicClock,
    RateLimitConfig,
    SimulatedExchange,
)
from deribit_contract.guard import PRODUCTION_CONFIRM_ENV
from deribit_contract.redaction import Redactor
from deribit_contract.reporting.observations import RunObservations
from deribit_contract.suite._support import close_and_judge, ensure_position
from deribit_contract.transports import LocalExchangeServer
from deribit_contract.transports.respx_mock import answer

PLANTED_SECRET = "planted-Secret-7f3a9c1e5b"


@pytest.mark.parametrize(
    ("extra", "env"),
    [
        ([], {}),
        (["--allow-host", "www.deribit.com"], {}),
        ([], {PRODUCTION_CONFIRM_ENV: "www.deribit.com"}),
    ],
)
def test_production_guard_refuses_without_touching_the_network(
    extra: list[str],
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv(PRODUCTION_CONFIRM_ENV, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as router:
        anything = router.route()
        code = main(["run", "--target", "https://www.deribit.com", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert anything.call_count == 0
    assert "--allow-host www.deribit.com" in err
    assert PRODUCTION_CONFIRM_ENV in err


def test_unknown_host_is_refused_with_the_way_out(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--target", "https://staging.example"])
    assert code == 2
    assert "--allow-host staging.example" in capsys.readouterr().err


def test_a_planted_secret_never_leaks_from_a_failing_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DERIBIT_CLIENT_ID", "planted-client")
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", PLANTED_SECRET)
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    code = main(
        [
            "run", "--fault", "reduce_only_false", "--max-examples", "5", "--steps", "4",
            "--junitxml", str(junit), "--report", str(report),
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1, out[-2000:]
    assert "order.reduce_only" in out
    written = [p for p in tmp_path.iterdir() if p.is_file()]
    assert junit in written
    assert report in written
    assert len(written) >= 3
    for text in [out, err, *(p.read_text() for p in written)]:
        assert PLANTED_SECRET not in text
    assert json.loads(report.read_text())["failures"]


class _DropCloseReply(httpx.BaseTransport):
    """Lets close_position reach the exchange, then loses the answer (a read timeout)."""

    def __init__(self, exchange: SimulatedExchange) -> None:
        self.exchange = exchange

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = answer(self.exchange, request)
        if request.url.path.endswith("/private/close_position"):
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def _run_on(exchange: SimulatedExchange, transport: httpx.BaseTransport) -> ContractRun:
    spec = TargetSpec(kind="mock")
    target = OpenTarget(
        spec, "https://test.deribit.com", Redactor(), exchange, _transport=transport
    )
    run = ContractRun(spec, observations=RunObservations())
    run.target, run.session = target, target.session()
    run.judge = ContractJudge(run.observations, base_url=target.base_url)
    return run


def test_a_timeout_during_close_position_never_sends_a_second_close() -> None:
    exchange = SimulatedExchange(seed=3)
    run = _run_on(exchange, _DropCloseReply(exchange))
    instrument = run.instrument("BTC-PERPETUAL")
    ensure_position(run, instrument, direction="buy", contracts=3)
    closed = close_and_judge(
        run, instrument, {"instrument_name": "BTC-PERPETUAL", "type": "market"}, test="timeout"
    )
    closes = [call for call in exchange.calls if call.method == "private/close_position"]
    assert len(closes) == 1
    assert closed.placed.ambiguous is not None
    # the session re-read the truth instead of retrying: the close did execute
    assert closed.after is not None
    assert closed.after["size"] == 0
    assert run.session is not None
    assert run.session.stats.ambiguous == 1


def test_too_many_requests_backs_off_instead_of_failing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exchange = SimulatedExchange(
        rate_limit=RateLimitConfig(burst=2, rate=1.0), clock=MonotonicClock()
    )
    monkeypatch.setenv("DERIBIT_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    with LocalExchangeServer(exchange=exchange) as server:
        code = main(
            [
                "run", "--target", server.url, "--max-examples", "4", "--order-budget", "200",
                "--", "-k", "test_valid_params_are_accepted",
            ]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    assert "throttled (10028)" in out
    throttled = [c for c in exchange.calls if c.response.get("error", {}).get("code") == 10028]
    assert throttled
