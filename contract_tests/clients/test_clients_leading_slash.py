"""Clients that write method names with a leading slash (deribit-wrapper, deribit-trading-sdk).

They POST JSON-RPC bodies such as ``{"method": "/public/auth"}`` to ``/api/v2`` or send them over
the WebSocket; Deribit treats ``/public/auth`` as ``public/auth``, and so must the staging
exchange, through every door.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from websockets.sync.client import connect

from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.transports.server import LocalExchangeServer

AUTH = {
    "grant_type": "client_credentials",
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalExchangeServer]:
    with LocalExchangeServer(seed=6) as running:
        yield running


def rpc(method: str, **params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


def test_http_post_with_slashed_methods_closes_a_position(server: LocalExchangeServer) -> None:
    server.exchange.set_position("ETH-PERPETUAL", 12)
    with httpx.Client(base_url=f"{server.url}/api/v2") as http:
        token = http.post("", json=rpc("/public/auth", **AUTH)).json()["result"]["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        close = rpc("/private/close_position", instrument_name="ETH-PERPETUAL", type="market")
        answer = http.post("", json=close, headers=headers).json()
        assert answer["result"]["order"]["amount"] == 12.0
        # the method may also sit in the path while the body repeats it with the slash
        position = rpc("/private/get_position", instrument_name="ETH-PERPETUAL")
        in_path = http.post("/private/get_position", json=position, headers=headers).json()
        assert in_path["result"]["size"] == 0.0


def test_websocket_with_slashed_methods(server: LocalExchangeServer) -> None:
    with connect(server.ws_url, proxy=None) as ws:
        ws.send(orjson.dumps(rpc("/public/auth", **AUTH)).decode())
        assert orjson.loads(ws.recv(timeout=3))["result"]["token_type"] == "bearer"
        ws.send(
            orjson.dumps(rpc("/private/get_position", instrument_name="BTC-PERPETUAL")).decode()
        )
        assert orjson.loads(ws.recv(timeout=3))["result"]["instrument_name"] == "BTC-PERPETUAL"
