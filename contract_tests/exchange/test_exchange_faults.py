"""Each named fault breaks exactly the close_position rules its name says, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from exchange_testkit import Client, CloseCase, broken_rules, run_close

from deribit_contract.contract.checks import CONTRACT_RULES
from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import FAULTS, HTML_500_BODY, SimulatedExchange
from deribit_contract.exchange.faults import NO_TWEAKS
from deribit_contract.invariants import RULES

INSTRUMENT = "BTC-PERPETUAL"
POSITION = 5000.0
BIDS = [(89999.5, 3000.0), (89999.0, 3000.0), (89998.0, 20000.0)]
ASKS = [(90000.5, 3000.0), (90001.0, 3000.0), (90002.0, 20000.0)]


def scenario_close(scenario: str, *, fault: str | None) -> CloseCase:
    """Run the close that exposes faults of ``scenario`` on a fresh exchange."""
    exchange = SimulatedExchange(seed=7, fault=fault)
    exchange.set_book(INSTRUMENT, bids=BIDS, asks=ASKS)
    if scenario != "flat":
        size = -POSITION if scenario == "far_limit" else POSITION
        exchange.set_position(INSTRUMENT, size, average_price=89000.0)
    params: dict[str, Any] = {"instrument_name": INSTRUMENT, "type": "market"}
    if scenario == "limit":
        params = {"instrument_name": INSTRUMENT, "type": "limit", "price": 90010.0}
    elif scenario in ("far_limit", "far_rest"):
        # far above the band: a short's buy is clamped to max_price and fills, a long's sell
        # rests where it was asked
        params = {"instrument_name": INSTRUMENT, "type": "limit", "price": 9_000_000.0}
    elif scenario == "invalid_type":
        params["type"] = "stop"
    return run_close(
        Client(exchange, scope="trade:read" if scenario == "read_only" else None), **params
    )


def test_the_catalogue_has_at_least_15_one_line_faults() -> None:
    assert len(FAULTS) >= 15
    for name, fault in FAULTS.items():
        assert fault.name == name
        assert fault.description
        assert "\n" not in fault.description
        assert fault.breaks
        assert fault.kind in ("response", "execution", "transport")
        assert (fault.kind == "transport") == (fault.transport is not None)
        # a response fault corrupts the answer, an execution fault bends the close: never both
        assert (fault.corrupt is not None) == (fault.kind == "response"), name
        assert (fault.tweaks != NO_TWEAKS) == (fault.kind != "response"), name


def test_every_fault_breaks_only_rules_the_kit_checks() -> None:
    known = set(RULES) | set(CONTRACT_RULES)
    for name, fault in FAULTS.items():
        named = fault.breaks | fault.also_breaks
        unknown = {r for r in named if r not in known and not r.startswith("schema.")}
        assert not unknown, f"{name}: unknown rule ids {unknown}"
        assert not fault.breaks & fault.also_breaks, f"{name}: a rule is declared twice"


@pytest.mark.parametrize(
    "scenario", ["market", "limit", "far_limit", "far_rest", "flat", "invalid_type", "read_only"]
)
def test_the_correct_mode_breaks_no_rule_in_any_fault_scenario(scenario: str) -> None:
    case = scenario_close(scenario, fault=None)
    assert broken_rules(case) == set(), case.response


#: faults only a sequence of calls shows (test_exchange_reduce_only_sequences holds them)
SINGLE_CLOSE_FAULTS = [name for name, fault in FAULTS.items() if fault.scenario != "sequence"]


@pytest.mark.parametrize("name", SINGLE_CLOSE_FAULTS)
def test_each_fault_breaks_what_its_name_says(name: str) -> None:
    case = scenario_close(FAULTS[name].scenario, fault=name)
    assert broken_rules(case) == FAULTS[name].breaks, json.dumps(case.response)[:2000]


@pytest.mark.parametrize("name", SINGLE_CLOSE_FAULTS)
def test_on_other_closes_a_fault_breaks_only_its_rules_and_the_knock_on_ones(name: str) -> None:
    # a suite draws market and limit closes alike: whichever it draws first, the rules it sees
    # must be the fault's own or their declared knock-on, and each knock-on must really occur
    fault = FAULTS[name]
    seen: set[str] = set()
    for scenario in ("market", "limit", "far_limit", "far_rest"):
        broken = broken_rules(scenario_close(scenario, fault=name))
        assert broken <= fault.breaks | fault.also_breaks, (scenario, sorted(broken))
        seen |= broken
    assert fault.also_breaks <= seen, f"declared but never seen: {fault.also_breaks - seen}"


@pytest.mark.parametrize(
    "name", [name for name, fault in FAULTS.items() if fault.scenario == "sequence"]
)
def test_a_sequence_fault_leaves_every_single_close_correct(name: str) -> None:
    # what it breaks shows only over time: one close at one instant keeps every rule
    for scenario in ("market", "limit", "far_limit", "far_rest", "flat"):
        assert broken_rules(scenario_close(scenario, fault=name)) == set(), scenario


def test_the_limit_scenario_rests_in_the_correct_mode_but_fills_past_the_limit_when_faulty() -> (
    None
):
    correct = scenario_close("limit", fault=None).response["result"]
    faulty = scenario_close("limit", fault="limit_price_ignored").response["result"]
    assert correct["order"]["order_state"] == "open"
    assert correct["trades"] == []
    assert faulty["order"]["order_state"] == "filled"
    assert all(trade["price"] < 90010.0 for trade in faulty["trades"])


def test_html_500_is_flagged_for_transports_on_close_requests_only() -> None:
    exchange = SimulatedExchange(fault="html_500")
    close = {"jsonrpc": "2.0", "id": 1, "method": "private/close_position", "params": {}}
    ticker = {"jsonrpc": "2.0", "id": 2, "method": "public/ticker", "params": {}}
    assert exchange.transport_fault(close) == "html_500"
    assert exchange.transport_fault(ticker) is None
    assert SimulatedExchange().transport_fault(close) is None
    assert HTML_500_BODY.startswith("<html>")
    assert "500" in HTML_500_BODY


@pytest.mark.parametrize("name", list(FAULTS))
def test_faults_leave_every_other_method_untouched(name: str) -> None:
    def session(fault: str | None) -> list[dict[str, Any]]:
        exchange = SimulatedExchange(seed=3, fault=fault)
        client = Client(exchange)
        replies = [
            client.call("public/ticker", instrument_name=INSTRUMENT),
            client.call("private/buy", instrument_name=INSTRUMENT, amount=100, type="market"),
            client.call("private/get_position", instrument_name=INSTRUMENT),
            client.call("private/sell", instrument_name=INSTRUMENT, amount=10, type="limit",
                        price=95000.0),
            client.call("private/get_open_orders_by_instrument", instrument_name=INSTRUMENT),
            client.call("private/cancel_all_by_instrument", instrument_name=INSTRUMENT),
        ]  # fmt: skip
        return replies

    assert session(name) == session(None)


def test_an_unknown_fault_is_refused_with_the_list_of_names() -> None:
    with pytest.raises(InvalidArgument, match="reduce_only_false"):
        SimulatedExchange(fault="no_such_fault")
