"""Each named fault breaks exactly the close_position rules its name says, and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from exchange_testkit import LOCAL_RULES, Client, CloseCase, broken_rules, run_close

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import FAULTS, HTML_500_BODY, SimulatedExchange
from deribit_contract.invariants import RULES

INSTRUMENT = "BTC-PERPETUAL"
POSITION = 5000.0
BIDS = [(89999.5, 3000.0), (89999.0, 3000.0), (89998.0, 20000.0)]
ASKS = [(90000.5, 3000.0), (90001.0, 3000.0), (90002.0, 20000.0)]

# The rules each fault must break: official invariant ids (deribit_contract.invariants.RULES),
# "schema" / "schema:<json path>" for observed-mode validation, and local.* ids (exchange_testkit).
# Several faults rightly break more than one rule: a wrong-side fill also grows the position.
EXPECTED: dict[str, set[str]] = {
    "reduce_only_false": {"order.reduce_only"},
    "same_direction": {
        "order.direction_opposite",
        "position.never_grows",
        "position.reduced_by_filled",
    },
    "overfill_flip": {
        "order.amount_equals_position",
        "position.never_flips",
        "position.reduced_by_filled",
    },
    "partial_close": {"order.amount_equals_position"},
    "number_as_string": {"schema", "schema:$.result.order.amount"},
    "enum_out_of_set": {"schema", "schema:$.result.order.order_state"},
    "missing_order_id": {"schema", "schema:$.result.order.order_id"},
    "trades_do_not_add_up": {"trades.sum_filled"},
    "wrong_instrument": {"order.instrument"},
    "wrong_jsonrpc_version": {"envelope.jsonrpc", "schema", "schema:$.jsonrpc"},
    "wrong_id": {"envelope.id_echo"},
    # gap in the invariants: nothing official checks fills against the limit price
    "limit_price_ignored": {"trades.within_limit"},
    "market_reported_as_limit": {"order.type_matches"},
    # the simulator answers type "stop" with a market order, so order.type_matches fires too
    "invalid_type_accepted": {"request.invalid_rejected", "order.type_matches"},
    "order_when_flat": {"flat.error_expected"},
    "position_not_updated": {"position.reduced_by_filled"},
    "average_price_wrong": {"trades.average_price"},
    "trade_order_id_mismatch": {"trades.order_id"},
    # creation moved past last_update also puts every fill before the order's creation
    "timestamps_out_of_order": {"time.order_monotonic", "time.trades_after_creation"},
    "market_close_left_open": {"order.market_not_open"},
    "error_on_valid_close": {"local.success_on_valid_close"},
    # at core level html_500 is a well-formed 11094 error; the HTML body is the transports' test
    "html_500": {"local.success_on_valid_close"},
}


def scenario_close(scenario: str, *, fault: str | None) -> CloseCase:
    """Run the close that exposes faults of ``scenario`` on a fresh exchange."""
    exchange = SimulatedExchange(seed=7, fault=fault)
    exchange.set_book(INSTRUMENT, bids=BIDS, asks=ASKS)
    if scenario != "flat":
        exchange.set_position(INSTRUMENT, POSITION, average_price=89000.0)
    params: dict[str, Any] = {"instrument_name": INSTRUMENT, "type": "market"}
    if scenario == "limit":
        params = {"instrument_name": INSTRUMENT, "type": "limit", "price": 90010.0}
    elif scenario == "invalid_type":
        params["type"] = "stop"
    return run_close(Client(exchange), **params)


def test_the_catalogue_has_at_least_15_one_line_faults() -> None:
    assert len(FAULTS) >= 15
    for name, fault in FAULTS.items():
        assert fault.name == name
        assert fault.description
        assert "\n" not in fault.description
        assert fault.breaks
        assert "\n" not in fault.breaks
        assert fault.kind in ("response", "execution", "transport")
        assert (fault.kind == "transport") == (fault.transport is not None)
    assert set(EXPECTED) == set(FAULTS), "every fault needs its expected breakage here"


def test_the_expected_breakages_name_only_known_rules() -> None:
    known = set(RULES) | set(LOCAL_RULES) | {"schema"}
    for name, rules in EXPECTED.items():
        unknown = {rule for rule in rules if rule not in known and not rule.startswith("schema:")}
        assert not unknown, f"{name}: unknown rule ids {unknown}"
        assert ("schema" in rules) == any(rule.startswith("schema:") for rule in rules), name


@pytest.mark.parametrize("scenario", ["market", "limit", "flat", "invalid_type"])
def test_the_correct_mode_breaks_no_rule_in_any_fault_scenario(scenario: str) -> None:
    case = scenario_close(scenario, fault=None)
    assert broken_rules(case) == set(), case.response


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_breaks_what_its_name_says(name: str) -> None:
    case = scenario_close(FAULTS[name].scenario, fault=name)
    assert broken_rules(case) == EXPECTED[name], json.dumps(case.response)[:2000]


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
