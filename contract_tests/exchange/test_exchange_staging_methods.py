"""The methods real clients call besides close_position, answered in live Deribit's shapes."""

from __future__ import annotations

from typing import Any

import pytest
from exchange_testkit import Client
from realdata_shapes import capture, shape_problems

from deribit_contract.exchange import INSTRUMENTS, SimulatedExchange

BTC = "BTC-PERPETUAL"
ETH = "ETH-PERPETUAL"


@pytest.fixture
def client() -> Client:
    return Client(SimulatedExchange(seed=5))


def test_leading_slash_method_names_are_the_same_methods(client: Client) -> None:
    plain = SimulatedExchange(seed=5).handle({"id": 1, "method": "public/get_time"})
    slashed = SimulatedExchange(seed=5).handle({"id": 1, "method": "/public/get_time"})
    assert slashed == plain
    auth = client.call(
        "/public/auth",
        grant_type="client_credentials",
        client_id=client.exchange.default_client_id,
        client_secret="sim-secret-0123456789abcdef",
    )
    assert auth["result"]["token_type"] == "bearer"
    assert client.result("/private/get_position", instrument_name=BTC)["size"] == 0.0
    assert client.exchange.calls[-1].method == "private/get_position"


def test_get_instruments_filters_by_settlement_currency_and_kind(client: Client) -> None:
    now = client.result("public/get_time")
    names = [i["instrument_name"] for i in client.result("public/get_instruments")]
    assert names == [n for n, i in INSTRUMENTS.items() if i.expiration_timestamp > now]
    expired = client.result("public/get_instruments", expired="true")
    assert [i["instrument_name"] for i in expired] == [
        n for n, i in INSTRUMENTS.items() if i.expiration_timestamp <= now
    ]
    btc = client.result("public/get_instruments", currency="BTC", kind="future")
    assert [i["instrument_name"] for i in btc] == [BTC]
    usdc = client.result("public/get_instruments", currency="USDC")
    assert (
        {i["instrument_name"] for i in usdc}
        == {n for n in names if INSTRUMENTS[n].settlement_currency == "USDC"}
        >= {"BTC_USDC-PERPETUAL"}
    )
    assert client.result("public/get_instruments", currency="BTC", kind="option") == []
    assert btc[0] == client.result("public/get_instrument", instrument_name=BTC)
    error = client.call("public/get_instruments", currency="XRP")["error"]
    assert (error["code"], error["data"]["param"]) == (-32602, "currency")


def test_get_currencies_lists_every_settlement_currency(client: Client) -> None:
    currencies = {c["currency"]: c for c in client.result("public/get_currencies")}
    assert set(currencies) == {i.settlement_currency for i in INSTRUMENTS.values()}
    assert currencies["BTC"]["currency_long"] == "Bitcoin"


def test_order_book_levels_follow_the_book_and_its_depth(client: Client) -> None:
    book = client.result("public/get_order_book", instrument_name=BTC, depth=3)
    assert len(book["bids"]) == len(book["asks"]) == 3
    assert [b[0] for b in book["bids"]] == sorted((b[0] for b in book["bids"]), reverse=True)
    assert [a[0] for a in book["asks"]] == sorted(a[0] for a in book["asks"])
    assert book["bids"][0][0] < book["asks"][0][0]
    assert (book["best_ask_price"], book["best_ask_amount"]) == tuple(book["asks"][0])
    best_ask, best_amount = book["asks"][0]
    client.result("private/buy", instrument_name=BTC, amount=best_amount, type="market")
    after = client.result("public/get_order_book", instrument_name=BTC, depth=3)
    assert after["asks"][0][0] > best_ask
    assert after["change_id"] > book["change_id"]
    assert client.call("public/get_order_book", instrument_name=BTC, depth=0)["error"]["code"] == (
        -32602
    )


def test_index_price_status_hello(client: Client) -> None:
    ticker = client.result("public/ticker", instrument_name=ETH)
    index = client.result("public/get_index_price", index_name="eth_usd")
    assert index["index_price"] == ticker["index_price"]
    assert client.result("public/status") == {"locked": "false", "locked_indices": []}
    hello = client.result("public/hello", client_name="bot", client_version="1.0")
    assert hello["version"]
    assert client.call("public/get_index_price", index_name="xrp_usd")["error"]["code"] == -32602


def _buy(client: Client, amount: float, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = client.result(
        "private/buy", instrument_name=BTC, amount=amount, **params
    )
    return result


def test_positions_list_open_positions_in_the_live_shape(client: Client) -> None:
    assert client.result("private/get_positions") == []
    _buy(client, 100, type="market")
    positions = client.result("private/get_positions", currency="BTC", kind="future")
    assert [p["instrument_name"] for p in positions] == [BTC]
    assert positions[0] == client.result("private/get_position", instrument_name=BTC)
    assert client.result("private/get_positions", currency="ETH") == []
    real = capture("notifications/roq__user.changes__ioc_filled_1.json")
    problems = shape_problems(
        positions[0],
        real["params"]["data"]["positions"][0],
        # get_position of a segregated_sm account carries the estimate; user.changes does not
        extra_ok=frozenset({"open_orders_margin", "estimated_liquidation_price"}),
    )
    assert problems == []


def test_account_summary_moves_with_fees_and_pnl(client: Client) -> None:
    start = client.result("private/get_account_summary", currency="BTC")
    buy = _buy(client, 1000, type="market")
    fees = sum(trade["fee"] for trade in buy["trades"])
    after = client.result("private/get_account_summary", currency="BTC")
    assert after["balance"] == pytest.approx(start["balance"] - fees)
    assert after["initial_margin"] > 0 == start["initial_margin"]
    assert after["equity"] == pytest.approx(after["balance"] + after["session_upl"])
    summaries = client.result("private/get_account_summaries")
    assert [s["currency"] for s in summaries["summaries"]] == ["BTC", "ETH", "USDC"]
    assert summaries["summaries"][0] == after
    extended = client.result("private/get_account_summary", currency="BTC", extended="true")
    assert extended["username"] == client.exchange.default_client_id


def test_user_trades_newest_first_in_the_live_shape(client: Client) -> None:
    first = _buy(client, 3000, type="market")
    second = _buy(client, 3000, type="market")
    trades = first["trades"] + second["trades"]
    assert len(trades) >= 2
    page = client.result("private/get_user_trades_by_instrument", instrument_name=BTC, count=1)
    assert page["has_more"] is True
    assert page["trades"] == [trades[-1]]
    everything = client.result(
        "private/get_user_trades_by_instrument", instrument_name=BTC, count=1000, sorting="asc"
    )
    assert everything == {"trades": trades, "has_more": False}
    by_order = client.result(
        "private/get_user_trades_by_order", order_id=first["order"]["order_id"]
    )
    assert by_order == first["trades"][::-1]
    assert client.result("private/get_user_trades_by_order", order_id="123") == []
    real = capture("results/joaquinbejar__private_get_user_trades_by_instrument__result_1.json")
    assert shape_problems(page, real) == []
    assert shape_problems(page["trades"][0], real["trades"][0]) == []


def test_edit_reprices_a_resting_order_and_trades_when_it_crosses(client: Client) -> None:
    book = client.result("public/get_order_book", instrument_name=BTC, depth=1)
    low = book["bids"][0][0] - 100
    resting = _buy(client, 10, type="limit", price=low)["order"]
    assert resting["order_state"] == "open"
    moved = client.result("private/edit", order_id=resting["order_id"], amount=20, price=low - 50)
    order = moved["order"]
    assert (order["order_id"], order["price"], order["amount"]) == (
        resting["order_id"],
        low - 50,
        20.0,
    )
    assert order["replaced"] is True
    assert moved["trades"] == []
    real = capture("nautilus__private_edit__1.json")["result"]["order"]
    assert shape_problems(order, real, extra_ok=frozenset()) == [
        "missing 'reject_post_only'"  # live adds it for post-only orders only; this one is not
    ]
    crossing = client.result(
        "private/edit", order_id=order["order_id"], amount=20, price=book["asks"][0][0]
    )
    assert crossing["order"]["order_state"] == "filled"
    assert sum(t["amount"] for t in crossing["trades"]) == 20.0
    again = client.call("private/edit", order_id=order["order_id"], amount=20, price=low)
    assert again["error"]["code"] == 11044
    assert client.call("private/edit", order_id="nope", amount=10, price=low)["error"]["code"] == (
        10004
    )


def test_trades_and_open_orders_by_currency(client: Client) -> None:
    btc = _buy(client, 100, type="market")
    eth = client.result("private/buy", instrument_name=ETH, amount=5, type="market")
    low = client.result("public/get_order_book", instrument_name=ETH, depth=1)["bids"][0][0] - 50
    resting = client.result("private/buy", instrument_name=ETH, amount=1, type="limit", price=low)
    page = client.result("private/get_user_trades_by_currency", currency="ETH", count=1000)
    assert page == {"trades": eth["trades"][::-1], "has_more": False}
    every = client.result("private/get_user_trades_by_currency", currency="any", sorting="asc")
    assert {t["trade_id"] for t in every["trades"]} == {
        t["trade_id"] for t in btc["trades"] + eth["trades"]
    }
    real = capture("roq__private_get_user_trades_by_currency__1.json")["result"]
    assert shape_problems(page["trades"][0], real["trades"][0]) == []
    opened = client.result("private/get_open_orders_by_currency", currency="ETH")
    assert opened == [resting["order"]]
    assert client.result("private/get_open_orders_by_currency", currency="BTC") == []
    assert client.call("private/get_open_orders_by_currency")["error"]["data"]["param"] == (
        "currency"
    )
