"""`serve` against a long or hostile client: bounded memory, -32602 for number errors, no server
traceback for a client's invalid UTF-8 frame. (The RSS figure over 60k requests comes from
``benchmarks/bench_serve_memory.py``; here the bounds themselves are checked.)"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimulatedExchange
from deribit_contract.exchange.jsonrpc import Auth
from deribit_contract.exchange.simulator import CALLS_KEPT
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.server import LocalExchangeServer

INSTRUMENT = "BTC-PERPETUAL"
# the default account's credentials as an HTTP Basic header hands them over
_BASIC = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)


def _call(exchange: SimulatedExchange, method: str, **params: Any) -> dict[str, Any]:
    return exchange.handle(
        {"jsonrpc": "2.0", "id": 2, "method": method, "params": params}, auth=_BASIC
    )


def test_the_calls_ring_keeps_only_the_recent_requests() -> None:
    exchange = SimulatedExchange()
    for _ in range(CALLS_KEPT + 50):
        _call(exchange, "private/get_position", instrument_name=INSTRUMENT)
    assert len(exchange.calls) == CALLS_KEPT
    assert exchange.calls[-1].method == "private/get_position"


def test_finished_orders_are_forgotten_beyond_the_history_but_open_ones_stay() -> None:
    exchange = SimulatedExchange(history_kept=20)
    resting = _call(exchange, "private/buy", instrument_name=INSTRUMENT, type="limit",
                    amount=10, price=1000)["result"]["order"]["order_id"]  # fmt: skip
    last = ""
    for _ in range(100):
        _call(exchange, "private/buy", instrument_name=INSTRUMENT, type="market", amount=10)
        last = _call(exchange, "private/sell", instrument_name=INSTRUMENT, type="market",
                     amount=10)["result"]["order"]["order_id"]  # fmt: skip
    venue = exchange._venue
    assert len(venue.orders) <= 20 + 20 // 4 + 1
    assert resting in venue.orders
    state = _call(exchange, "private/get_order_state", order_id=last)
    assert state["result"]["order_id"] == last
    assert all(tid in venue.trades for o in venue.orders.values() for tid in o.trade_ids)


HUGE = [1e308, -1e308, 10**20000, "9" * 20000, "1e999999", 1e-300]


@pytest.mark.parametrize(
    "value", HUGE, ids=["1e308", "-1e308", "int20k", "str20k", "1e999999", "tiny"]
)
def test_number_errors_are_invalid_params_over_http(value: Any) -> None:
    with LocalExchangeServer() as server:
        client = HttpJsonRpcClient(server.url)
        client.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        for method, params in [
            ("private/buy", {"instrument_name": INSTRUMENT, "type": "market", "amount": value}),
            ("private/close_position", {"instrument_name": INSTRUMENT, "type": "limit",
                                        "price": value}),
        ]:  # fmt: skip
            if isinstance(value, int) and value > 2**64:
                # no JSON encoder of ours writes it: send the digits as a raw JSON number
                reply = _raw_post(server.url, client, method, params)
            else:
                reply = client.call(method, params)
            assert reply["error"]["code"] == -32602, reply
            assert "out of range" in reply["error"]["data"]["reason"]
        client.close()


def _raw_post(url: str, client: HttpJsonRpcClient, method: str, params: dict[str, Any]) -> Any:
    import httpx

    field = next(k for k, v in params.items() if isinstance(v, int) and v > 2**64)
    body = (
        '{"jsonrpc":"2.0","id":9,"method":"'
        + method
        + '","params":{'
        + ",".join(f'"{k}":"{v}"' for k, v in params.items() if k != field)
        + f',"{field}":'
        + "9" * 20000
        + "}}"
    )
    token = client._token.reveal() if client._token else ""
    reply = httpx.post(f"{url}/api/v2/{method}", content=body,
                       headers={"authorization": f"Bearer {token}",
                                "content-type": "application/json"})  # fmt: skip
    return reply.json()


def test_invalid_utf8_websocket_frame_closes_1007_without_a_server_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO), LocalExchangeServer() as server:
        with connect(server.ws_url, proxy=None) as ws:
            ws.send(b'{"jsonrpc":"2.0","id":1,"method":"public/get_time","x":"\xff"}', text=True)
            with pytest.raises(ConnectionClosed) as info:
                ws.recv(timeout=5)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 1007
        # the server goes on serving
        client = HttpJsonRpcClient(server.url)
        assert "result" in client.call("public/get_time")
        client.close()
    server_records = [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert [r for r in server_records if r.exc_info or r.levelno >= logging.ERROR] == []
