"""Scenarios for every method of the simulated exchange, its request validation and its auth."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from exchange_testkit import Client

from deribit_contract import facts
from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Auth,
    FakeClock,
    MonotonicClock,
    SimulatedExchange,
)

BTC = "BTC-PERPETUAL"


@pytest.fixture
def client() -> Client:
    return Client(SimulatedExchange(seed=11))


def error_of(envelope: dict[str, Any]) -> dict[str, Any]:
    assert "result" not in envelope, envelope
    error: dict[str, Any] = envelope["error"]
    return error


# --- envelope and request validation ---------------------------------------------------------


def test_envelopes_carry_the_live_extra_fields(client: Client) -> None:
    envelope = client.call("public/test")
    assert envelope["jsonrpc"] == "2.0"
    assert envelope["id"] == client.next_id
    assert envelope["testnet"] is True
    assert envelope["usDiff"] == envelope["usOut"] - envelope["usIn"] >= 0


@pytest.mark.parametrize(
    ("message", "code", "echoed_id"),
    [
        ([1, 2], -32600, None),
        ("text", -32600, None),
        ({"id": 5, "jsonrpc": "2.0"}, -32600, 5),
        ({"id": [1], "method": "public/test"}, -32600, None),
        ({"id": 6, "jsonrpc": "1.0", "method": "public/test"}, -32600, 6),
        ({"id": "x", "method": "public/nope"}, -32601, "x"),
        ({"id": 7, "method": "public/ticker", "params": [BTC]}, -32602, 7),
        ({"id": 8, "method": "public/ticker", "params": {}}, -32602, 8),
        ({"id": 9, "method": "public/ticker", "params": {"instrument_name": "XRP-1"}}, 10020, 9),
    ],
)
def test_bad_requests_get_json_rpc_errors(message: object, code: int, echoed_id: object) -> None:
    envelope = SimulatedExchange().handle(message)
    assert error_of(envelope)["code"] == code
    assert envelope.get("id") == echoed_id


def test_public_test_raises_on_request_and_checks_its_param(client: Client) -> None:
    assert client.call("public/test")["result"]["version"]
    error = error_of(client.call("public/test", expected_result="exception"))
    assert error["code"] == facts.ErrorCode.INTERNAL_SERVER_ERROR
    assert error_of(client.call("public/test", expected_result="nope"))["code"] == -32602


def test_missing_param_names_it_like_deribit(client: Client) -> None:
    error = error_of(client.call("public/get_instrument"))
    assert error == {
        "code": -32602,
        "message": "Invalid params",
        "data": {"reason": "value required", "param": "instrument_name"},
    }


def test_handle_never_raises_on_odd_values() -> None:
    exchange = SimulatedExchange()
    for message in (None, 1.5, {"method": 3}, {"method": "private/buy", "params": {"x": {}}}):
        assert "error" in exchange.handle(message)
    assert len(exchange.calls) == 4


# --- auth ------------------------------------------------------------------------------------


def test_client_credentials_then_refresh_rotate_tokens(client: Client) -> None:
    first = client.result(
        "public/auth",
        grant_type="client_credentials",
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
    )
    assert first["token_type"] == "bearer"
    assert first["expires_in"] > 0
    assert len(first["access_token"]) > 40
    assert first["access_token"] != first["refresh_token"]
    second = client.result(
        "public/auth", grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert second["access_token"] != first["access_token"]
    reused = client.call(
        "public/auth", grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert error_of(reused)["code"] == 13009


def test_wrong_secret_is_invalid_credentials(client: Client) -> None:
    reply = client.call(
        "public/auth", grant_type="client_credentials", client_id=DEFAULT_CLIENT_ID,
        client_secret="wrong",
    )  # fmt: skip
    assert error_of(reply) == {"code": 13004, "message": "invalid_credentials"}


def test_private_methods_need_a_valid_unexpired_token() -> None:
    clock = FakeClock()
    exchange = SimulatedExchange(clock=clock, token_ttl_seconds=60)
    request = {"id": 1, "method": "private/get_position", "params": {"instrument_name": BTC}}
    assert error_of(exchange.handle(request))["code"] == 13009
    assert (
        error_of(exchange.handle(request, auth=Auth(kind="bearer", token="nope")))["code"] == 13009
    )
    token = Client(exchange).auth.token
    assert "result" in exchange.handle(request, auth=Auth(kind="bearer", token=token))
    as_param = {**request, "params": {"instrument_name": BTC, "access_token": token}}
    assert "result" in exchange.handle(as_param)
    clock.advance(seconds=61)
    assert (
        error_of(exchange.handle(request, auth=Auth(kind="bearer", token=token)))["code"] == 13009
    )


def test_http_basic_credentials_work_and_wrong_ones_are_refused() -> None:
    exchange = SimulatedExchange()
    request = {"id": 1, "method": "private/get_position", "params": {"instrument_name": BTC}}
    good = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)
    bad = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret="x")
    assert "result" in exchange.handle(request, auth=good)
    assert error_of(exchange.handle(request, auth=bad))["code"] == 13004


# --- market data -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(facts.INSTRUMENTS))
def test_get_instrument_serves_the_vendor_facts(client: Client, name: str) -> None:
    instrument = client.result("public/get_instrument", instrument_name=name)
    fact = facts.INSTRUMENTS[name]
    expected = (
        fact.instrument_type,
        float(fact.contract_size),
        float(fact.tick_size),
        float(fact.min_trade_amount),
        fact.settlement_currency,
    )
    assert (
        instrument["instrument_type"],
        instrument["contract_size"],
        instrument["tick_size"],
        instrument["min_trade_amount"],
        instrument["settlement_currency"],
    ) == expected
    # integral sizes are JSON integers, as the real listing sends them; prices stay floats
    for size in ("contract_size", "min_trade_amount"):
        value = getattr(fact, size)
        assert isinstance(instrument[size], int if value == int(value) else float), size
    assert instrument["tick_size_steps"] == []  # futures and perpetuals have one tick


def test_ticker_reports_the_top_of_the_book(client: Client) -> None:
    client.exchange.set_book(BTC, bids=[(89990.0, 100.0)], asks=[(90010.0, 50.0)])
    ticker = client.result("public/ticker", instrument_name=BTC)
    assert (ticker["best_bid_price"], ticker["best_bid_amount"]) == (89990.0, 100.0)
    assert (ticker["best_ask_price"], ticker["best_ask_amount"]) == (90010.0, 50.0)
    assert ticker["mark_price"] == 90000.0
    assert ticker["min_price"] < ticker["best_bid_price"] < ticker["max_price"]


def test_set_book_refuses_levels_off_the_tick_or_contract_size() -> None:
    exchange = SimulatedExchange()
    with pytest.raises(InvalidArgument, match=r"bids\[0\].*tick"):
        exchange.set_book(BTC, bids=[(100.25, 10.0)], asks=[])
    with pytest.raises(InvalidArgument, match=r"asks\[0\].*contract size"):
        exchange.set_book(BTC, bids=[], asks=[(100.0, 15.0)])
    with pytest.raises(InvalidArgument, match="unknown instrument"):
        exchange.set_book("DOGE", bids=[], asks=[])


# --- trading ---------------------------------------------------------------------------------


def test_market_buy_walks_levels_and_updates_the_position(client: Client) -> None:
    client.exchange.set_book(BTC, bids=[], asks=[(90000.0, 100.0), (90001.0, 100.0)])
    result = client.result("private/buy", instrument_name=BTC, amount=150, type="market")
    assert [(t["price"], t["amount"]) for t in result["trades"]] == [
        (90000.0, 100.0),
        (90001.0, 50.0),
    ]
    assert result["order"]["order_state"] == "filled"
    position = client.result("private/get_position", instrument_name=BTC)
    assert position["size"] == 150.0
    assert position["direction"] == "buy"
    assert position["average_price"] == pytest.approx((90000 * 100 + 90001 * 50) / 150)


def test_limit_order_rests_open_and_can_be_queried_and_cancelled(client: Client) -> None:
    order = client.result(
        "private/sell", instrument_name=BTC, amount=20, type="limit", price=99000
    )["order"]
    assert order["order_state"] == "open"
    assert order["filled_amount"] == 0.0
    opened = client.result("private/get_open_orders_by_instrument", instrument_name=BTC)
    assert [o["order_id"] for o in opened] == [order["order_id"]]
    assert client.result("private/get_order_state", order_id=order["order_id"]) == order
    assert client.result("private/cancel_all_by_instrument", instrument_name=BTC) == 1
    state = client.result("private/get_order_state", order_id=order["order_id"])
    assert state["order_state"] == "cancelled"
    assert state["cancel_reason"] == "user_request"
    assert client.result("private/get_open_orders_by_instrument", instrument_name=BTC) == []
    assert client.result("private/cancel_all_by_instrument", instrument_name=BTC) == 0
    assert error_of(client.call("private/cancel", order_id=order["order_id"]))["code"] == 11044
    assert error_of(client.call("private/get_order_state", order_id="nope"))["code"] == 10004


@pytest.mark.parametrize(
    ("params", "param", "reason"),
    [
        ({"amount": 15}, "amount", "must be a multiple of contract size"),
        ({"amount": 0}, "amount", "must be positive"),
        ({"amount": "ten"}, "amount", "must be a number"),
        ({}, "amount", "value required"),
        ({"amount": 10, "type": "limit"}, "price", "value required"),
        (
            {"amount": 10, "type": "limit", "price": 90000.25},
            "price",
            "must conform to tick size 0.5",
        ),
        ({"amount": 10, "type": "stop"}, "type", "must be one of: limit, market"),
        (
            {"amount": 10, "type": "market", "reduce_only": "maybe"},
            "reduce_only",
            "must be a boolean",
        ),
    ],
)
def test_order_params_are_validated(
    client: Client, params: dict[str, Any], param: str, reason: str
) -> None:
    error = error_of(client.call("private/buy", instrument_name=BTC, **params))
    assert error["code"] == -32602
    assert error["data"] == {"reason": reason, "param": param}


def test_text_numbers_and_booleans_are_accepted_as_from_a_query_string(client: Client) -> None:
    client.exchange.set_position(BTC, 50)
    result = client.result(
        "private/sell", instrument_name=BTC, amount="30", type="market", reduce_only="true"
    )
    assert result["order"]["amount"] == 30.0
    assert result["order"]["reduce_only"] is True


def test_reduce_only_never_increases_or_flips(client: Client) -> None:
    exchange = client.exchange
    exchange.set_position(BTC, 100)
    grow = client.call(
        "private/buy", instrument_name=BTC, amount=10, type="market", reduce_only=True
    )
    assert error_of(grow)["code"] == 11030
    result = client.result(
        "private/sell", instrument_name=BTC, amount=500, type="market", reduce_only=True
    )
    assert result["order"]["amount"] == 100.0
    assert exchange.get_position(BTC)["size"] == 0.0


def test_linear_amounts_are_in_the_base_coin(client: Client) -> None:
    name = "BTC_USDC-PERPETUAL"
    result = client.result("private/buy", instrument_name=name, amount=0.005, type="market")
    order = result["order"]
    assert order["amount"] == 0.005
    assert order["contracts"] == pytest.approx(5.0)
    assert order["order_id"].startswith("USDC-")
    assert {t["fee_currency"] for t in result["trades"]} == {"USDC"}
    assert client.exchange.get_position(name)["size"] == pytest.approx(0.005)


def test_set_position_checks_its_input() -> None:
    exchange = SimulatedExchange()
    exchange.set_position("ETH-PERPETUAL", -7, average_price=2500.0)
    position = exchange.get_position("ETH-PERPETUAL")
    assert (position["size"], position["direction"], position["average_price"]) == (
        -7.0,
        "sell",
        2500.0,
    )
    with pytest.raises(InvalidArgument, match="multiple of contract size"):
        exchange.set_position(BTC, 15)
    with pytest.raises(InvalidArgument, match="unknown client_id"):
        exchange.set_position(BTC, 10, client_id="ghost")


def test_accounts_are_separate() -> None:
    exchange = SimulatedExchange(accounts={"a": "sa", "b": "sb"}, positions={BTC: 100})
    assert exchange.get_position(BTC, client_id="a")["size"] == 100.0
    assert exchange.get_position(BTC, client_id="b")["size"] == 0.0
    auth_b = Auth(kind="basic", client_id="b", client_secret="sb")
    close = {
        "id": 1,
        "method": "private/close_position",
        "params": {"instrument_name": BTC, "type": "market"},
    }
    assert error_of(exchange.handle(close, auth=auth_b))["code"] == 11030
    assert exchange.get_position(BTC, client_id="a")["size"] == 100.0


def test_calls_are_recorded_without_tokens(client: Client) -> None:
    token = client.auth.token
    client.exchange.handle(
        {
            "id": 1,
            "method": "public/ticker",
            "params": {"instrument_name": BTC, "access_token": token},
        }
    )
    method, params, response = client.exchange.calls[-1]
    assert method == "public/ticker"
    assert params == {"instrument_name": BTC}
    assert response["result"]["instrument_name"] == BTC


def test_time_moves_forward_on_every_call(client: Client) -> None:
    first = client.call("public/get_time")
    second = client.call("public/get_time")
    assert second["usIn"] > first["usOut"] >= first["usIn"]
    assert second["result"] > first["result"]


def test_concurrent_calls_keep_the_books_consistent() -> None:
    exchange = SimulatedExchange(seed=2)
    exchange.set_book(BTC, bids=[], asks=[(90000.0, 100_000.0)])
    client = Client(exchange)
    buy = client.request("private/buy", instrument_name=BTC, amount=10, type="market")

    def worker() -> None:
        for _ in range(50):
            exchange.handle(buy, auth=client.auth)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert exchange.get_position(BTC)["size"] == 2000.0
    assert client.result("public/ticker", instrument_name=BTC)["best_ask_amount"] == 98_000.0


@pytest.mark.parametrize("clock", [FakeClock(), MonotonicClock()], ids=["fake", "monotonic"])
def test_a_clock_moves_forward_only(clock: FakeClock | MonotonicClock) -> None:
    start = clock.now_us()
    clock.advance(seconds=1.5, us=-500_000)
    assert clock.now_us() >= start + 1_000_000
    with pytest.raises(InvalidArgument, match=r"cannot go backwards .* -1 µs"):
        clock.advance(us=-1)
    with pytest.raises(InvalidArgument, match="-1000000 µs"):
        clock.advance(seconds=-1)
