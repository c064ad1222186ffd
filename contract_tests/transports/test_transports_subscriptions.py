"""WebSocket the way bots use it: client_signature auth, subscriptions, notifications, heartbeats."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from deribit_contract._paths import fixtures_dir
from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimulatedExchange
from deribit_contract.exchange.clock import WallClock
from deribit_contract.transports.server import LocalExchangeServer

BTC = "BTC-PERPETUAL"
OTHER_ID, OTHER_SECRET = "other-desk", "other-desk-secret"
SCALE = 0.01  # one heartbeat-interval second lasts 10 ms here


def capture(relative: str) -> Any:
    return orjson.loads((fixtures_dir() / "captured" / "realdata" / relative).read_bytes())


@pytest.fixture(scope="module")
def server() -> Iterator[LocalExchangeServer]:
    exchange = SimulatedExchange(
        seed=4,
        clock=WallClock(),
        accounts={DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET, OTHER_ID: OTHER_SECRET},
    )
    with LocalExchangeServer(exchange=exchange, heartbeat_scale=SCALE) as running:
        yield running


class Socket:
    """A raw JSON-RPC WebSocket that keeps notifications apart from replies."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0
        self.pushed: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(
            orjson.dumps(
                {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
            ).decode()
        )
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                return message
            self.pushed.append(message)

    def receive(self, timeout: float = 3.0) -> dict[str, Any]:
        message: dict[str, Any] = orjson.loads(self.ws.recv(timeout=timeout))
        return message

    def notifications(self, count: int) -> list[dict[str, Any]]:
        while len(self.pushed) < count:
            self.pushed.append(self.receive())
        taken, self.pushed = self.pushed[:count], self.pushed[count:]
        return taken

    def signed_auth(self, client_id: str, secret: str) -> dict[str, Any]:
        ts, nonce = int(time.time() * 1000), f"n{time.monotonic_ns()}"
        signature = hmac.new(
            secret.encode(), f"{ts}\n{nonce}\n".encode(), hashlib.sha256
        ).hexdigest()
        return self.call(
            "public/auth",
            grant_type="client_signature",
            client_id=client_id,
            timestamp=ts,
            nonce=nonce,
            data="",
            signature=signature,
        )


@pytest.fixture
def sock(server: LocalExchangeServer) -> Iterator[Socket]:
    with connect(server.ws_url, proxy=None) as ws:
        yield Socket(ws)


def test_client_signature_socket_gets_user_notifications_for_its_close(
    server: LocalExchangeServer, sock: Socket
) -> None:
    assert sock.signed_auth(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)["result"]["token_type"] == (
        "bearer"
    )
    server.exchange.set_position(BTC, 200)
    channels = [f"user.orders.{BTC}.raw", f"user.trades.{BTC}.raw", f"user.changes.{BTC}.raw"]
    assert sock.call("private/subscribe", channels=channels)["result"] == channels
    close = sock.call("private/close_position", instrument_name=BTC, type="market")["result"]
    orders, trades, changes = sock.notifications(3)
    assert orders["method"] == "subscription"
    assert orders["params"] == {"channel": channels[0], "data": close["order"]}
    assert orders["params"]["data"]["order_state"] == "filled"
    assert trades["params"] == {"channel": channels[1], "data": close["trades"]}
    data = changes["params"]["data"]
    assert (data["instrument_name"], data["orders"], data["trades"]) == (
        BTC,
        [close["order"]],
        close["trades"],
    )
    assert data["positions"][0]["size"] == 0.0
    # the envelopes and the user.changes payload have the real notifications' keys
    real_orders = capture("notifications/roq__user.orders__1.json")
    real_changes = capture("notifications/roq__user.changes__ioc_filled_1.json")
    assert (set(orders), set(orders["params"])) == (set(real_orders), set(real_orders["params"]))
    assert set(data) == set(real_changes["params"]["data"])


def test_changes_made_over_http_and_by_other_accounts(
    server: LocalExchangeServer, sock: Socket
) -> None:
    token = sock.call(
        "/public/auth",
        grant_type="client_credentials",
        client_id=OTHER_ID,
        client_secret=OTHER_SECRET,
    )["result"]["access_token"]
    assert sock.call("private/subscribe", channels=["user.orders.any.any.raw"])["result"] == [
        "user.orders.any.any.raw"
    ]
    # another account's order is not this connection's business
    server.exchange.set_position("ETH-PERPETUAL", 5, client_id=DEFAULT_CLIENT_ID)
    headers = {"Authorization": f"Bearer {server.exchange.login().token}"}
    params = {"instrument_name": "ETH-PERPETUAL", "type": "market"}
    assert (
        "result"
        in httpx.get(
            f"{server.url}/api/v2/private/close_position", params=params, headers=headers
        ).json()
    )
    # the account's own order placed over HTTP is pushed to its socket
    mine = {"Authorization": f"Bearer {token}"}
    buy = {"instrument_name": BTC, "amount": 10, "type": "limit", "price": 1000}
    placed = httpx.get(f"{server.url}/api/v2/private/buy", params=buy, headers=mine).json()[
        "result"
    ]
    (pushed,) = sock.notifications(1)
    assert pushed["params"]["data"]["order_id"] == placed["order"]["order_id"]
    assert sock.call("private/unsubscribe", channels=["user.orders.any.any.raw"])["result"] == [
        "user.orders.any.any.raw"
    ]
    cancel = {"order_id": placed["order"]["order_id"]}
    assert (
        "result"
        in httpx.get(f"{server.url}/api/v2/private/cancel", params=cancel, headers=mine).json()
    )
    with pytest.raises(TimeoutError):
        sock.receive(timeout=0.3)


def test_private_channels_need_private_subscribe_on_an_authenticated_socket(sock: Socket) -> None:
    # refused, never answered with a shortened list (a client would wait for it forever)
    public = sock.call("public/subscribe", channels=[f"user.orders.{BTC}.raw"])
    assert public["error"]["code"] == -32602
    assert "private/subscribe" in public["error"]["data"]["reason"]
    refused = sock.call("private/subscribe", channels=[f"user.orders.{BTC}.raw"])
    assert refused["error"]["code"] == 13009
    grouped = sock.call("public/subscribe", channels=["book.BTC-PERPETUAL.none.10.100ms"])
    assert grouped["result"] == ["book.BTC-PERPETUAL.none.10.100ms"]
    unknown = sock.call("public/subscribe", channels=[f"ticker.{BTC}.100ms", "bogus.channel"])
    assert unknown["error"]["data"] == {
        "reason": "unsupported channel bogus.channel",
        "param": "channels",
    }
    missing = sock.call("public/subscribe")
    assert missing["error"]["data"]["param"] == "channels"


def test_ticker_subscription_sends_the_ticker_now_and_after_fills(
    server: LocalExchangeServer, sock: Socket
) -> None:
    channel = f"ticker.{BTC}.100ms"
    assert sock.call("public/subscribe", channels=[channel])["result"] == [channel]
    (first,) = sock.notifications(1)
    assert first["params"]["channel"] == channel
    assert first["params"]["data"]["instrument_name"] == BTC
    ask = first["params"]["data"]["best_ask_amount"]
    sock.signed_auth(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    sock.call("private/buy", instrument_name=BTC, amount=ask, type="market")
    (second,) = sock.notifications(1)
    assert second["params"]["data"]["best_ask_price"] > first["params"]["data"]["best_ask_price"]
    assert sock.call("public/unsubscribe_all")["result"] == "ok"


def test_heartbeat_test_requests_and_the_close_when_unanswered(sock: Socket) -> None:
    too_short = sock.call("public/set_heartbeat", interval=5)["error"]
    assert (too_short["code"], too_short["data"]["param"]) == (-32602, "interval")
    assert sock.call("public/set_heartbeat", interval=10)["result"] == "ok"
    request = sock.receive()
    assert request == {"jsonrpc": "2.0", "method": "heartbeat", "params": {"type": "test_request"}}
    assert "result" in sock.call("public/test")
    assert sock.receive()["params"]["type"] == "test_request"  # answered: the socket lives on
    with pytest.raises(ConnectionClosed):  # unanswered: closed after the next interval
        drain(sock)


def drain(sock: Socket) -> None:
    for _ in range(10):
        sock.receive()


def test_a_fill_by_another_trader_is_pushed_to_the_resting_orders_owner() -> None:
    # on the live market other traders fill resting orders between any two requests: the owner's
    # socket must hear of it then, as Deribit pushes fills it did not ask for
    exchange = SimulatedExchange(seed=1, market="live")
    exchange.set_position(BTC, 100.0, average_price=90000.0)
    with (
        LocalExchangeServer(exchange=exchange) as running,
        connect(running.ws_url, proxy=None) as ws,
    ):
        sock = Socket(ws)
        sock.call("public/auth", grant_type="client_credentials",
                  client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)  # fmt: skip
        channel = f"user.trades.{BTC}.raw"
        assert sock.call("private/subscribe", channels=[channel])["result"] == [channel]
        ask = sock.call("public/ticker", instrument_name=BTC)["result"]["best_ask_price"]
        placed = sock.call("private/sell", instrument_name=BTC, amount=100, type="limit",
                           price=ask, reduce_only=True)["result"]  # fmt: skip
        assert (placed["order"]["order_state"], placed["trades"]) == ("open", [])
        for _ in range(500):  # unrelated public requests: the market moves, others trade
            sock.call("public/ticker", instrument_name=BTC)
            if sock.pushed:
                break
        (pushed,) = sock.notifications(1)
    assert pushed["params"]["channel"] == channel
    fills = pushed["params"]["data"]
    assert fills
    assert {trade["order_id"] for trade in fills} == {placed["order"]["order_id"]}
    assert all(trade["direction"] == "sell" for trade in fills)


def test_portfolio_channel_sends_the_account_summary_now_and_after_the_accounts_changes(
    server: LocalExchangeServer, sock: Socket
) -> None:
    sock.signed_auth(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    bad = sock.call("private/subscribe", channels=["user.portfolio.btc", "user.portfolio.b-c"])
    assert bad["error"]["data"]["reason"] == "unsupported channel user.portfolio.b-c"
    channels = ["user.portfolio.btc", "user.portfolio.eth"]
    assert sock.call("private/subscribe", channels=channels)["result"] == channels
    btc, eth = sock.notifications(2)
    summary = sock.call("private/get_account_summary", currency="BTC")["result"]
    assert btc["params"] == {"channel": "user.portfolio.btc", "data": summary}
    assert eth["params"]["data"]["currency"] == "ETH"
    server.exchange.set_position(BTC, 30)
    sock.call("private/close_position", instrument_name=BTC, type="market")
    (after,) = sock.notifications(1)  # BTC only: the close settles in BTC
    assert after["params"]["channel"] == "user.portfolio.btc"
    assert (
        after["params"]["data"]
        == sock.call("private/get_account_summary", currency="BTC")["result"]
    )
    assert sock.pushed == [], "the ETH portfolio did not change"
    assert sock.call("public/subscribe", channels=["user.portfolio.btc"])["error"]["code"] == -32602


def _recorded(name: str) -> dict[str, Any]:
    path = fixtures_dir() / "captured" / "realdata" / "market" / name
    message: dict[str, Any] = orjson.loads(path.read_bytes())
    return message


def test_market_channels_send_the_recorded_shapes(
    server: LocalExchangeServer, sock: Socket
) -> None:
    book, grouped, tape = f"book.{BTC}.100ms", f"book.{BTC}.none.10.100ms", f"trades.{BTC}.100ms"
    chart, incremental = f"chart.trades.{BTC}.1", f"incremental_ticker.{BTC}"
    channels = [book, grouped, tape, chart, incremental, "trades.future.BTC.raw"]
    assert sock.call("public/subscribe", channels=channels)["result"] == channels
    snapshot, levels, ticker = sock.notifications(3)  # the tape and candles wait for a trade
    real = _recorded("fastmm__book.BTC-15SEP26-77000-C.100ms__snapshot_1.json")["params"]["data"]
    assert snapshot["params"]["channel"] == book
    data = snapshot["params"]["data"]
    assert data["type"] == "snapshot"
    assert set(data) == set(real)  # a snapshot has no prev_change_id, a change has
    change = _recorded("fastmm__book.BTC-PERPETUAL.100ms__change_1.json")["params"]["data"]
    assert set(change) - set(data) == {"prev_change_id"}
    assert data["bids"][0][0] == "new"
    assert len(data["bids"][0]) == 3
    assert len(levels["params"]["data"]["bids"]) == 10
    assert len(levels["params"]["data"]["bids"][0]) == 2  # grouped: [price, amount]
    assert ticker["params"]["data"]["type"] == "snapshot"
    server.exchange.set_position(BTC, 50)
    sock.signed_auth(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    sock.call("private/close_position", instrument_name=BTC, type="market")
    got = {m["params"]["channel"]: m["params"]["data"] for m in sock.notifications(6)}
    assert set(got) == set(channels)
    recorded = _recorded("fastmm__trades.BTC-PERPETUAL.100ms__starbase_1.json")
    starbase = {"starbase_match_id", "starbase_timestamp"}
    assert set(recorded["params"]["data"][0]) - set(got[tape][0]) == starbase
    assert got[tape] == got["trades.future.BTC.raw"]
    assert set(got[chart]) == {"tick", "open", "high", "low", "close", "volume", "cost"}
    assert got[chart]["cost"] >= 50.0  # this minute's candle: earlier tests traded in it too
    assert got[incremental]["type"] == "change"
    # the book sends what changed since its snapshot, chained by change ids
    changed = got[book]
    assert (changed["type"], changed["prev_change_id"]) == ("change", data["change_id"])
    assert set(changed) == set(change)
    assert changed["bids"]  # the close sold into the bids
    assert changed["asks"] == []
    now = server.exchange.market_view(
        "public/get_order_book", {"instrument_name": BTC, "depth": 10_000}
    )
    for side in ("bids", "asks"):
        levels = {price: amount for _, price, amount in data[side]}
        for action, price, amount in changed[side]:
            assert action in ("new", "change", "delete")
            if action == "delete":
                del levels[price]
            else:
                levels[price] = amount
        assert sorted(levels.items()) == sorted((p, a) for p, a in now[side])


def test_portfolio_any_sends_every_currency_the_account_settles_in(sock: Socket) -> None:
    sock.signed_auth(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    channel = "user.portfolio.any"
    assert sock.call("private/subscribe", channels=[channel])["result"] == [channel]
    currencies = [m["params"]["data"]["currency"] for m in sock.notifications(3)]
    assert currencies == ["BTC", "ETH", "USDC"]
