"""The plugin as another repository sees it: installed package, no conftest of ours.

Subprocess runs (``runpytest_subprocess``) start a fresh interpreter in an empty directory, so
the plugin is found through its ``pytest11`` entry point exactly as after ``pip install``.
"""

from __future__ import annotations

import json
import socket

import pytest

USER_TEST = """
from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from deribit_contract.invariants import CloseCall
from deribit_contract.strategies import close_outcomes, valid_params


@pytest.mark.deribit_mock(positions={"BTC-PERPETUAL": 100.0})
def test_my_gateway_closes(deribit_mock, assert_close_position_contract):
    before = deribit_mock.get_position("BTC-PERPETUAL")
    request = {"jsonrpc": "2.0", "id": 7, "method": "private/close_position",
               "params": {"instrument_name": "BTC-PERPETUAL", "type": "market"}}
    response = httpx.post("https://test.deribit.com/api/v2/private/close_position",
                          json=request, headers=deribit_mock.auth_headers()).json()
    after = deribit_mock.get_position("BTC-PERPETUAL")
    assert_close_position_contract(request=request, response=response, position_before=before,
                                   position_after=after, tick_size=0.5)
    assert after["size"] == 0
    with pytest.raises(TypeError):  # the old positional order is gone, not silently reread
        assert_close_position_contract(request, response, before, after)


@pytest.mark.deribit_mock(base_url="https://staging.example", positions={"ETH-PERPETUAL": 30.0})
def test_the_curl_line_names_the_host_the_test_talked_to(deribit_mock, assert_close_position_contract):
    before = deribit_mock.get_position("ETH-PERPETUAL")
    request = {"jsonrpc": "2.0", "id": 8, "method": "private/close_position",
               "params": {"instrument_name": "ETH-PERPETUAL", "type": "market"}}
    response = httpx.post("https://staging.example/api/v2/private/close_position",
                          json=request, headers=deribit_mock.auth_headers()).json()
    response["result"]["order"]["reduce_only"] = False
    with pytest.raises(AssertionError) as failure:
        assert_close_position_contract(
            CloseCall(request, before, response, deribit_mock.get_position("ETH-PERPETUAL"))
        )
    assert "curl -sS -X POST https://staging.example/api/v2/private/close_position" in str(failure.value)
    assert "test.deribit.com" not in str(failure.value)


@settings(max_examples=10)
@given(params=valid_params())
def test_strategies_are_usable(params):
    assert params["type"] in ("limit", "market")


@settings(max_examples=10)
@given(outcome=close_outcomes())
def test_reduce_only_flag_is_checked(outcome, assert_close_position_contract):
    response = outcome.response
    if "result" not in response:
        return
    response["result"]["order"]["reduce_only"] = False
    with pytest.raises(AssertionError, match="order.reduce_only"):
        assert_close_position_contract(outcome.call)
"""


def test_a_users_own_test_uses_the_mock_and_the_strategies(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=4)


def test_the_documented_command_runs_the_suite(pytester: pytest.Pytester) -> None:
    report = pytester.path / "obs.json"
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "--deribit-target", "mock",
        "--deribit-max-examples", "3", "--deribit-steps", "3", "--hypothesis-seed", "1",
        "--deribit-report", str(report),
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert outcomes["passed"] >= 8
    result.stdout.fnmatch_lines(
        ["*deribit-contract: target mock, mode observed, hypothesis seed 1*"]
    )
    data = json.loads(report.read_text())
    assert data["examples"] > 0
    assert data["failures"] == []


def test_markers_are_registered_with_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.live:*", "*@pytest.mark.places_orders:*"])


def test_places_orders_tests_are_skipped_on_a_zero_budget(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "--deribit-target", "mock",
        "--deribit-order-budget", "0", "--deribit-max-examples", "2",
    )  # fmt: skip
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) >= 5
    assert result.ret == 0


def test_the_guard_refuses_production_before_any_request(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "--deribit-target", "https://www.deribit.com"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--allow-host www.deribit.com*DERIBIT_CONTRACT_CONFIRM_PRODUCTION*"]
    )


def test_xdist_is_refused_against_a_live_target(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "--deribit-target", "https://test.deribit.com",
        "-n", "2",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*refusing -n/--numprocesses against a live target*"])


def test_the_suite_runs_under_xdist_against_the_local_server(pytester: pytest.Pytester) -> None:
    report = pytester.path / "obs.json"
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "-n", "2", "--deribit-max-examples", "3",
        "--deribit-steps", "3", "--deribit-report", str(report),
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()[-3000:]
    data = json.loads(report.read_text())
    assert data["examples"] > 0
    assert data["orders"] > 0


def test_an_unreachable_url_target_is_a_usage_error(pytester: pytest.Pytester) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = pytester.runpytest_subprocess(
        "--pyargs", "deribit_contract.suite", "--deribit-target", f"http://127.0.0.1:{port}"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*deribit-contract: public/get_instrument: cannot reach*"])
