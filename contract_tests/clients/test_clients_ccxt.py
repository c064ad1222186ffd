"""ccxt, a real and widely used Deribit client, against the staging exchange.

Only the URL and the credentials are changed: ccxt signs every private REST call with its own
``deri-hmac-sha256`` header and authenticates its WebSocket with the ``client_signature`` grant,
so these tests also prove the signatures are computed exactly as the vendor documents them.
The steps run in order on one server, like a bot's session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import ccxt
import ccxt.pro
import pytest

from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimulatedExchange
from deribit_contract.exchange.clock import WallClock
from deribit_contract.transports.server import LocalExchangeServer

SYMBOL = "BTC/USD:BTC"  # ccxt's unified symbol of BTC-PERPETUAL


@pytest.fixture(scope="module")
def server() -> Iterator[LocalExchangeServer]:
    # the wall clock, as `deribit-contract serve` runs: ccxt signs with its own time
    with LocalExchangeServer(exchange=SimulatedExchange(seed=9, clock=WallClock())) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: LocalExchangeServer) -> ccxt.deribit:
    bot = ccxt.deribit({"apiKey": DEFAULT_CLIENT_ID, "secret": DEFAULT_CLIENT_SECRET})
    bot.urls["api"] = {"rest": server.url}
    return bot


def methods_called(server: LocalExchangeServer) -> list[str]:
    return [call.method for call in server.exchange.calls]


def test_load_markets_ticker_and_order_book(client: ccxt.deribit) -> None:
    markets = client.load_markets()
    assert {"BTC/USD:BTC", "ETH/USD:ETH", "BTC/USDC:USDC"} <= set(markets)
    btc = markets[SYMBOL]
    assert (btc["id"], btc["contractSize"], btc["inverse"]) == ("BTC-PERPETUAL", 10.0, True)
    ticker = client.fetch_ticker(SYMBOL)
    assert ticker["bid"] < ticker["ask"]
    book = client.fetch_order_book(SYMBOL, 5)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert (book["bids"][0][0], book["asks"][0][0]) == (ticker["bid"], ticker["ask"])


def test_balance_open_fetch_and_close_a_position(
    client: ccxt.deribit, server: LocalExchangeServer
) -> None:
    assert client.fetch_balance()["BTC"]["total"] == 10.0  # the simulation's starting funds
    opened = client.create_order(SYMBOL, "market", "buy", 100)
    assert (opened["status"], opened["filled"], opened["side"]) == ("closed", 100.0, "buy")
    assert "public/auth" not in methods_called(server)  # signed with ccxt's HMAC header only
    position = client.fetch_position(SYMBOL)
    # ccxt reports Deribit's ``size`` as contracts: USD on an inverse perpetual, not 100/10
    assert (position["side"], position["contracts"]) == ("long", 100.0)
    assert [p["symbol"] for p in client.fetch_positions()] == [SYMBOL]

    answer = client.private_get_close_position(
        {"instrument_name": "BTC-PERPETUAL", "type": "market"}
    )
    parsed = client.parse_order(answer["result"]["order"])
    assert (parsed["side"], parsed["status"], parsed["amount"], parsed["filled"]) == (
        "sell",
        "closed",
        100.0,
        100.0,
    )
    assert parsed["info"]["reduce_only"] is True  # ccxt leaves the unified reduceOnly unset
    assert client.fetch_positions() == []
    assert client.fetch_order(parsed["id"], SYMBOL)["status"] == "closed"

    trades = client.fetch_my_trades(SYMBOL)
    orders = {opened["id"]: "buy", parsed["id"]: "sell"}
    assert {trade["order"] for trade in trades} == set(orders)
    assert all(trade["side"] == orders[trade["order"]] for trade in trades)
    assert sum(t["amount"] for t in trades if t["order"] == parsed["id"]) == 100.0
    assert {t["id"] for t in client.fetch_my_trades()} == {t["id"] for t in trades}  # by currency


def test_place_and_cancel_a_resting_order(client: ccxt.deribit) -> None:
    below = client.fetch_ticker(SYMBOL)["bid"] - 5000
    resting = client.create_order(SYMBOL, "limit", "buy", 10, below)
    assert resting["status"] == "open"
    assert [o["id"] for o in client.fetch_open_orders(SYMBOL)] == [resting["id"]]
    assert [o["id"] for o in client.fetch_open_orders()] == [resting["id"]]  # by currency
    assert client.cancel_order(resting["id"], SYMBOL)["status"] == "canceled"
    assert client.fetch_open_orders(SYMBOL) == []


def test_async_websocket_client_watches_its_close(server: LocalExchangeServer) -> None:
    async def session() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        bot = ccxt.pro.deribit({"apiKey": DEFAULT_CLIENT_ID, "secret": DEFAULT_CLIENT_SECRET})
        bot.urls["api"] = {"rest": server.url, "ws": server.ws_url}
        try:
            await bot.load_markets()
            server.exchange.set_position("BTC-PERPETUAL", 50)
            watching = asyncio.create_task(bot.watch_orders(SYMBOL))
            # ccxt sends private/subscribe once its client_signature auth is answered; wait
            # until it has gone out, then give the server a moment to read the frame
            channel = "user.orders.any.any.raw"
            while channel not in bot.client(server.ws_url).subscriptions:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)
            close = await bot.private_get_close_position(
                {"instrument_name": "BTC-PERPETUAL", "type": "market"}
            )
            return await asyncio.wait_for(watching, 5), close["result"]["order"]
        finally:
            await bot.close()

    watched, closed = asyncio.run(session())
    assert [(o["id"], o["status"], o["side"]) for o in watched] == [
        (closed["order_id"], "closed", "sell")
    ]


def test_async_websocket_client_watches_its_balance(server: LocalExchangeServer) -> None:
    async def session() -> tuple[dict[str, Any], dict[str, Any]]:
        bot = ccxt.pro.deribit({"apiKey": DEFAULT_CLIENT_ID, "secret": DEFAULT_CLIENT_SECRET})
        bot.urls["api"] = {"rest": server.url, "ws": server.ws_url}
        try:
            await bot.load_markets()
            # user.portfolio.{currency} for each of ccxt's currencies: a snapshot on subscribe
            balance = await asyncio.wait_for(bot.watch_balance(), 5)
            rest = await bot.fetch_balance()
            return balance, rest
        finally:
            await bot.close()

    watched, fetched = asyncio.run(session())
    # ccxt's quirk: watch_balance files each currency's whole parsed balance under its code
    pushed = watched["BTC"]["BTC"]
    assert (pushed["total"], pushed["free"]) == (fetched["BTC"]["total"], fetched["BTC"]["free"])
    assert pushed["total"] > 0
    assert watched["info"]["currency"] in ("BTC", "ETH", "USDC", "USDT", "EURR")
