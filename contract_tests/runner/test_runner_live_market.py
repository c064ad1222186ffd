"""The verdict on a market that behaves like the real one, and the account left as it was found.

* `deribit-contract run --target http://127.0.0.1:PORT` (no other flag: the budgeted plan, default
  budget 60) against the simulator served with ``--market live`` exits 0 and leaves the account
  flat with no open orders;
* every fault mode on the live market exits 1 naming a rule of the kit (remote-style plan);
* an account that starts with a position or an open order is refused before any order (exit 2)
  and ends with both untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import respx
from mutation_support import sweep

from deribit_contract.cli import main
from deribit_contract.contract.checks import CONTRACT_RULES
from deribit_contract.contract.plan import minimum_orders
from deribit_contract.contract.target import REMOTE_INSTRUMENTS
from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FAULTS,
    Auth,
    MonotonicClock,
    RateLimitConfig,
    SimulatedExchange,
)
from deribit_contract.invariants import RULES
from deribit_contract.transports import LocalExchangeServer

BTC = "BTC-PERPETUAL"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulation's well-known account, as `deribit-contract serve` prints it."""
    monkeypatch.setenv("DERIBIT_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("DERIBIT_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)


def _live_exchange(**kwargs: object) -> SimulatedExchange:
    # what `deribit-contract serve --market live` builds: real time, Deribit's default limits
    return SimulatedExchange(
        market="live", rate_limit=RateLimitConfig(), clock=MonotonicClock(), **kwargs
    )


# the account as an HTTP Basic header hands it over: the test's own reads need no token
_BASIC = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)


def _open_orders(exchange: SimulatedExchange, name: str) -> list[str]:
    reply = exchange.handle(
        {"method": "private/get_open_orders_by_instrument", "params": {"instrument_name": name}},
        auth=_BASIC,
    )
    return [order["order_id"] for order in reply["result"]]


@pytest.mark.usefixtures("credentials")
def test_a_default_remote_run_against_the_live_market_holds_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exchange = _live_exchange(seed=1)
    report = tmp_path / "run.json"
    with LocalExchangeServer(exchange=exchange) as server:
        code = main(["run", "--target", server.url, "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out[-3000:]
    assert "the contract HOLDS" in out
    data = json.loads(report.read_text())
    assert 0 < data["orders"] <= 60
    exercised = {r for r, b in data["invariants"].items() if b["passed"] + b["failed"]}
    assert exercised >= set(RULES) | set(CONTRACT_RULES), "every rule is exercised"
    for name in REMOTE_INSTRUMENTS:
        assert exchange.get_position(name)["size"] == 0, name
        assert _open_orders(exchange, name) == [], name


def test_every_fault_on_the_live_market_is_caught_by_the_budgeted_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--target", "mock", "--market", "live", "--order-budget", "60",
            "--max-examples", "8"]  # fmt: skip
    caught, missed = sweep(args, tmp_path, capsys, title="live-market mutation score")
    assert not missed, f"faults not caught on the live market: {missed}"
    assert len(caught) == len(FAULTS)


@pytest.mark.usefixtures("credentials")
def test_an_account_with_a_position_or_an_open_order_is_refused_and_left_untouched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exchange = _live_exchange(seed=2, positions={BTC: 120.0})
    placed = exchange.handle(
        {"method": "private/buy", "params": {"instrument_name": "BTC_USDC-PERPETUAL",
         "amount": 0.01, "type": "limit", "price": 1000}}, auth=_BASIC,
    )  # fmt: skip
    order_id = placed["result"]["order"]["order_id"]
    with LocalExchangeServer(exchange=exchange) as server:
        code = main(["run", "--target", server.url])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 2, text[-2000:]
    assert "BTC-PERPETUAL: position +120" in text
    assert order_id in text
    assert "dedicated testnet account" in text
    assert "--instrument" in text
    assert exchange.get_position(BTC)["size"] == 120.0
    assert _open_orders(exchange, "BTC_USDC-PERPETUAL") == [order_id]
    orders = [c for c in exchange.calls if c.method in ("private/buy", "private/sell",
              "private/close_position", "private/cancel", "private/cancel_all_by_instrument")]  # fmt: skip
    assert len(orders) == 1, "only the test's own order: the run placed and cancelled nothing"


def test_a_budget_below_the_minimum_plan_is_refused_before_any_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    needed = minimum_orders(len(REMOTE_INSTRUMENTS))
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as router:
        anything = router.route()
        code = main(["run", "--target", "https://test.deribit.com", "--order-budget", "10"])
    assert code == 2
    assert anything.call_count == 0, "refused before a single request"
    assert f"minimum plan of {needed} orders" in capsys.readouterr().err


def test_a_failing_budgeted_run_is_reported_with_curl_not_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "run.json"
    code = main(
        ["run", "--target", "mock", "--market", "live", "--order-budget", "60",
         "--fault", "partial_close", "--report", str(report)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1, out[-2000:]
    assert "reproduce: curl" in out
    assert "Flaky" not in out
    assert "order.amount_equals_position" in out
