"""typed-deribit, a strictly validating Deribit client, against the staging exchange.

typed-deribit checks every answer against its own models of the vendor's reference (pydantic,
``validate=True``): a missing field, a wrong type or a value outside an enum raises. Only the
URLs and the credentials change. Every operation it offers for a method ``serve`` implements
runs in a bot's order (market data, open, inspect, cancel, close, history, account), over HTTP
with token auth and with HMAC-signed requests, and over the WebSocket; the streams a bot
watches (ticker, book, tape, candles, its orders, trades, changes and portfolio) deliver
validated notifications around a fill.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from typed_core.http import HttpClient
from typed_deribit import Deribit
from typed_deribit.core.auth import Credentials
from typed_deribit.core.transport.http import HmacHttpRpcClient, OAuthHttpRpcClient
from typed_deribit.core.transport.ws import SocketRpcStreamClient

from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimulatedExchange
from deribit_contract.exchange.clock import WallClock
from deribit_contract.transports.server import LocalExchangeServer

BTC = "BTC-PERPETUAL"
CREDENTIALS = Credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
# typed-deribit's order-request unions make pydantic warn while serializing; not our answers
pytestmark = pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
Operation = Callable[[Deribit, Any, dict[str, str]], Awaitable[Any]]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalExchangeServer]:
    # the wall clock: HMAC signatures carry the client's own time
    with LocalExchangeServer(exchange=SimulatedExchange(seed=5, clock=WallClock())) as running:
        yield running


def client_for(server: LocalExchangeServer, http_auth: str = "token") -> Deribit:
    """typed-deribit with only the URLs and the credentials changed (validation on)."""
    kind = HmacHttpRpcClient if http_auth == "hmac" else OAuthHttpRpcClient
    rpc = kind(
        http=HttpClient(), base_url=f"{server.url}/api/v2", credentials=CREDENTIALS, validate=True
    )
    ws_url = server.url.replace("http://", "ws://") + "/ws/api/v2"
    ws = SocketRpcStreamClient.new(ws_url, credentials=CREDENTIALS, validate=True)
    return Deribit(rpc_client=rpc, ws_client=ws)


def _ago(seconds: float = 0.0) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def _market(amount: float) -> Any:
    return {"instrument_name": BTC, "amount": amount, "type": "market"}


def _limit_sell() -> Any:
    return {"instrument_name": BTC, "amount": 10, "type": "limit", "price": 99000}


# Every operation typed-deribit offers for a method serve implements, in a bot's order.
# Each takes the client, the transport ("http" or "ws") and the ids earlier answers gave, and
# returns the validated answer.
OPERATIONS: list[tuple[str, Operation]] = [
    ("hello", lambda c, t, s: c.supporting.hello(client_name="bot", client_version="1.0")),
    ("test", lambda c, t, s: c.supporting.test(transport=t)),
    ("get_time", lambda c, t, s: c.supporting.get_time(transport=t)),
    ("status", lambda c, t, s: c.supporting.status(transport=t)),
    ("get_currencies", lambda c, t, s: c.market_data.get_currencies(transport=t)),
    ("get_instruments", lambda c, t, s: c.market_data.get_instruments("BTC", transport=t)),
    (
        "get_instruments_expired",
        lambda c, t, s: c.market_data.get_instruments("BTC", expired=True, transport=t),
    ),
    ("get_instrument", lambda c, t, s: c.market_data.get_instrument(BTC, transport=t)),
    ("get_contract_size", lambda c, t, s: c.market_data.get_contract_size(BTC, transport=t)),
    ("ticker", lambda c, t, s: c.market_data.ticker(BTC, transport=t)),
    ("get_order_book", lambda c, t, s: c.market_data.get_order_book(BTC, depth=5, transport=t)),
    ("get_index_price", lambda c, t, s: c.market_data.get_index_price("btc_usd", transport=t)),
    (
        "get_book_summary_by_currency",
        lambda c, t, s: c.market_data.get_book_summary_by_currency("BTC", transport=t),
    ),
    (
        "get_book_summary_by_instrument",
        lambda c, t, s: c.market_data.get_book_summary_by_instrument(BTC, transport=t),
    ),
    (
        "get_funding_rate_value",
        lambda c, t, s: c.market_data.get_funding_rate_value(
            BTC, start_timestamp=_ago(3600), end_timestamp=_ago(), transport=t
        ),
    ),
    ("get_account_summary", lambda c, t, s: c.account.get_account_summary("BTC", transport=t)),
    ("get_account_summaries", lambda c, t, s: c.account.get_account_summaries(transport=t)),
    (
        "get_subaccounts",
        lambda c, t, s: c.account.get_subaccounts(with_portfolio=True, transport=t),
    ),
    (
        "get_margins",
        lambda c, t, s: c.trading.get_margins(BTC, amount=100, price=90000, transport=t),
    ),
    ("buy", lambda c, t, s: c.trading.buy(_market(100), transport=t)),
    (
        "sell_limit",
        lambda c, t, s: c.trading.sell(_limit_sell(), transport=t),
    ),
    ("get_position", lambda c, t, s: c.account.get_position(BTC, transport=t)),
    ("get_positions", lambda c, t, s: c.account.get_positions("BTC", transport=t)),
    ("get_open_orders", lambda c, t, s: c.trading.get_open_orders(transport=t)),
    (
        "get_open_orders_by_currency",
        lambda c, t, s: c.trading.get_open_orders_by_currency("BTC", transport=t),
    ),
    (
        "get_open_orders_by_instrument",
        lambda c, t, s: c.trading.get_open_orders_by_instrument(BTC, transport=t),
    ),
    (
        "edit",
        lambda c, t, s: c.trading.edit(s["open"], amount=20, price=98000, transport=t),
    ),
    ("get_order_state", lambda c, t, s: c.trading.get_order_state(s["open"], transport=t)),
    ("cancel", lambda c, t, s: c.trading.cancel(s["open"], transport=t)),
    ("sell_limit_again", lambda c, t, s: c.trading.sell(_limit_sell(), transport=t)),
    (
        "cancel_all_by_instrument",
        lambda c, t, s: c.trading.cancel_all_by_instrument(BTC, transport=t),
    ),
    ("sell_limit_3", lambda c, t, s: c.trading.sell(_limit_sell(), transport=t)),
    (
        "cancel_all_by_currency",
        lambda c, t, s: c.trading.cancel_all_by_currency("BTC", transport=t),
    ),
    ("sell_limit_4", lambda c, t, s: c.trading.sell(_limit_sell(), transport=t)),
    (
        "cancel_all_by_kind_or_type",
        lambda c, t, s: c.trading.cancel_all_by_kind_or_type(["BTC"], kind="future", transport=t),
    ),
    ("cancel_all", lambda c, t, s: c.trading.cancel_all(transport=t)),
    (
        "close_position",
        lambda c, t, s: c.trading.close_position(
            {"instrument_name": BTC, "type": "market"}, transport=t
        ),
    ),
    (
        "get_user_trades_by_instrument",
        lambda c, t, s: c.trading.get_user_trades_by_instrument(BTC, transport=t),
    ),
    (
        "get_user_trades_by_currency",
        lambda c, t, s: c.trading.get_user_trades_by_currency(currency="BTC", transport=t),
    ),
    (
        "get_user_trades_by_order",
        lambda c, t, s: c.trading.get_user_trades_by_order(s["bought"], transport=t),
    ),
    (
        "get_order_history_by_instrument",
        lambda c, t, s: c.trading.get_order_history_by_instrument(
            instrument_name=BTC, include_unfilled=True, transport=t
        ),
    ),
    (
        "get_last_trades_by_instrument",
        lambda c, t, s: c.market_data.get_last_trades_by_instrument(BTC, count=5, transport=t),
    ),
    (
        "get_tradingview_chart_data",
        lambda c, t, s: c.market_data.get_tradingview_chart_data(
            BTC,
            start_timestamp=_ago(3600),
            end_timestamp=_ago(-60),
            resolution="1",
            transport=t,
        ),
    ),
    (
        "get_transaction_log",
        lambda c, t, s: c.account.get_transaction_log(
            currency="BTC", start_timestamp=_ago(3600), end_timestamp=_ago(-60), transport=t
        ),
    ),
    (
        "get_transaction_log_paged",
        lambda c, t, s: c.account.get_transaction_log_paged(
            currency="BTC", start_timestamp=_ago(3600), end_timestamp=_ago(-60), transport=t
        ),
    ),
]


async def _run(client: Deribit, transport: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Every operation in order; (answers, failures by operation)."""
    answers: dict[str, Any] = {}
    failures: dict[str, str] = {}
    ids = {"open": "none", "bought": "none"}
    for name, operation in OPERATIONS:
        try:
            answers[name] = await operation(client, transport, ids)
        except Exception as exc:
            failures[name] = f"{type(exc).__name__}: {str(exc)[:300]}"
            continue
        if name in ("sell_limit", "buy"):
            ids["open" if name == "sell_limit" else "bought"] = answers[name]["order"]["order_id"]
    return answers, failures


async def _session(server: LocalExchangeServer, http_auth: str, transport: str) -> Any:
    async with client_for(server, http_auth) as client:
        return await _run(client, transport)


@pytest.mark.parametrize(
    ("http_auth", "transport"), [("token", "http"), ("hmac", "http"), ("token", "ws")]
)
def test_every_operation_validates(
    server: LocalExchangeServer, http_auth: str, transport: str
) -> None:
    answers, failures = asyncio.run(_session(server, http_auth, transport))
    assert failures == {}
    assert len(answers) == len(OPERATIONS)
    # the answers are the simulation's, not just well-formed
    assert answers["get_instrument"]["underlying_type"] == "crypto"
    expired = {i["instrument_name"]: i for i in answers["get_instruments_expired"]}
    assert expired["BTC-27JUN25"]["is_active"] is False
    assert answers["close_position"]["order"]["reduce_only"] is True
    cancels = ("cancel_all_by_instrument", "cancel_all_by_currency", "cancel_all_by_kind_or_type")
    assert [answers[name] for name in (*cancels, "cancel_all")] == [1, 1, 1, 0]
    assert answers["get_positions"][0]["estimated_liquidation_price"] is not None
    assert "options_vega" in answers["get_account_summary"]
    assert answers["get_open_orders"][0]["order_id"] == answers["sell_limit"]["order"]["order_id"]
    assert list(answers["get_transaction_log_paged"]) == answers["get_transaction_log"]["logs"]
    methods = [call.method for call in server.exchange.calls]
    if http_auth == "hmac":
        assert "public/auth" not in methods[-len(OPERATIONS) :]  # each request signed instead


def test_validation_catches_a_missing_field(server: LocalExchangeServer) -> None:
    """The check this module rests on: a field taken out of an answer fails validation."""

    class Broken(SimulatedExchange):
        def handle(self, message: object, **kwargs: Any) -> dict[str, Any]:
            envelope = super().handle(message, **kwargs)
            result = envelope.get("result")
            if isinstance(result, dict):
                result.pop("underlying_type", None)
            return envelope

    async def fetch(running: LocalExchangeServer) -> None:
        async with client_for(running) as client:
            await client.market_data.get_instrument(BTC)

    broken = LocalExchangeServer(exchange=Broken(seed=1, clock=WallClock()))
    with broken, pytest.raises(Exception, match="underlying_type"):
        asyncio.run(fetch(broken))
    asyncio.run(fetch(server))


async def _watch(server: LocalExchangeServer) -> dict[str, list[Any]]:
    """Subscribe to what a bot watches, make a fill, and collect one validated message each."""
    got: dict[str, list[Any]] = {}
    async with client_for(server) as client:
        md, user = client.streams.market_data, client.streams.user
        streams = {
            "ticker": md.ticker(BTC, interval="100ms"),
            "incremental_ticker": md.incremental_ticker(BTC),
            "book": md.book(BTC, interval="100ms"),
            "trades": md.trades_by_instrument(BTC, interval="100ms"),
            "chart": md.chart_trades(BTC, resolution="1"),
            "orders": user.orders_by_instrument_raw(BTC),
            "user_trades": user.trades_by_instrument(BTC, interval="raw"),
            "changes": user.changes_by_instrument(BTC, interval="raw"),
            "portfolio": user.portfolio("BTC"),
            "portfolio_any": user.portfolio("any"),
        }
        for stream in streams.values():
            await stream.__aenter__()

        async def first(name: str) -> None:
            wanted = 2 if name == "book" else 1  # the book's snapshot, then its change
            async for message in streams[name]:
                got.setdefault(name, []).append(message)
                if len(got[name]) == wanted:
                    return

        waiting = [asyncio.create_task(first(name)) for name in streams]
        await asyncio.sleep(0.2)
        await client.trading.buy(_market(50))
        await asyncio.wait_for(asyncio.gather(*waiting), timeout=20)
        for stream in streams.values():
            await stream.__aexit__(None, None, None)
    return got


def test_streams_deliver_validated_notifications(server: LocalExchangeServer) -> None:
    got = asyncio.run(_watch(server))
    assert sorted(got) == sorted(
        [
            "ticker",
            "incremental_ticker",
            "book",
            "trades",
            "chart",
            "orders",
            "user_trades",
            "changes",
            "portfolio",
            "portfolio_any",
        ]
    )
    snapshot, change = got["book"]
    assert (snapshot["type"], change["type"]) == ("snapshot", "change")
    assert change["prev_change_id"] == snapshot["change_id"]
