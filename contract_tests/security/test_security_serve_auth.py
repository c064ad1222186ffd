"""Round 2 of the hostile pass on `serve`'s authorization: scope widening on refresh, nonce
eviction across accounts, tokens that never go away, a non-ASCII signature, absurd heartbeats.

Each test is the attack as the hostile tester ran it, with the limits shrunk where the real
figure would take a flood (the benchmark ``bench_serve_memory.py`` runs the floods)."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.sync.client import connect

from deribit_contract.exchange import SimulatedExchange
from deribit_contract.exchange.accounts import Accounts
from deribit_contract.exchange.auth import SIGNATURE_WINDOW_MS, NonceGuard, sign
from deribit_contract.exchange.clock import FakeClock
from deribit_contract.exchange.jsonrpc import Auth
from deribit_contract.exchange.params import RpcError
from deribit_contract.transports.server import LocalExchangeServer

A = ("bot-a-0001", "secret-a-0123456789abcdef")
B = ("bot-b-0002", "secret-b-0123456789abcdef")
BUY = {"instrument_name": "BTC-PERPETUAL", "type": "market", "amount": 10}


def _call(
    exchange: SimulatedExchange, method: str, params: dict[str, Any], auth: Auth | None = None
) -> dict[str, Any]:
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return exchange.handle(request, auth=auth or Auth())


def _login(exchange: SimulatedExchange, scope: str | None = None) -> dict[str, Any]:
    params = {"grant_type": "client_credentials", "client_id": A[0], "client_secret": A[1]}
    if scope is not None:
        params["scope"] = scope
    result: dict[str, Any] = _call(exchange, "public/auth", params)["result"]
    return result


def _refresh(exchange: SimulatedExchange, token: str, scope: str | None) -> dict[str, Any]:
    params = {"grant_type": "refresh_token", "refresh_token": token}
    if scope is not None:
        params["scope"] = scope
    return _call(exchange, "public/auth", params)


def test_a_refresh_never_widens_the_scope_it_refreshes() -> None:
    exchange = SimulatedExchange(accounts=dict([A]))
    read_only = _login(exchange, "trade:read")
    widened = _refresh(exchange, read_only["refresh_token"], "trade:read_write")
    assert widened.get("error", {}).get("code") == 13403, widened  # scope_exceeded
    # a request naming another family only keeps trade at the grant's read level
    other = _refresh(exchange, read_only["refresh_token"], "account:read")["result"]
    assert "trade:read" in other["scope"].split()
    bought = _call(exchange, "private/buy", BUY, Auth(kind="bearer", token=other["access_token"]))
    assert bought["error"]["code"] == 13021, bought
    # narrowing is still allowed, and keeping (no scope) keeps
    full = _login(exchange)
    narrowed = _refresh(exchange, full["refresh_token"], "trade:read")["result"]
    assert "trade:read" in narrowed["scope"].split()
    kept = _refresh(exchange, narrowed["refresh_token"], None)["result"]
    assert kept["scope"] == narrowed["scope"]


def test_one_keys_flood_never_evicts_another_keys_nonces() -> None:
    guard = NonceGuard(per_key=20)
    now = 1_767_225_600_000

    def verify(key: tuple[str, str], nonce: str, *, at: int = now, signed: int = now) -> None:
        ts = str(signed)
        guard.verify(client_id=key[0], secret=key[1], timestamp=ts, nonce=nonce, data="",
                     signature=sign(key[1], ts, nonce, ""), now_ms=at)  # fmt: skip

    verify(B, "b-captured")
    for i in range(20):
        verify(A, f"a-{i}")
    for i in range(20, 200):  # the attacker's own key, far past its memory: 10028
        with pytest.raises(RpcError, match="10028"):
            verify(A, f"a-{i}")
    assert guard.remembered(A[0]) == 20
    with pytest.raises(RpcError, match="13009"):
        verify(B, "b-captured")  # another key's captured request stays refused
    with pytest.raises(RpcError, match="13009"):
        verify(A, "a-0", at=now + SIGNATURE_WINDOW_MS)  # and its own, the whole window long
    later = now + SIGNATURE_WINDOW_MS + 1  # A's nonces are outside the window: forgotten
    verify(A, "a-fresh", at=later, signed=later)
    assert guard.remembered(A[0]) == 1


def test_tokens_expire_are_dropped_and_an_account_holds_a_bounded_number() -> None:
    accounts = Accounts(dict([A]), seed=0, token_ttl_seconds=60, grants_per_account=5)
    params = {"grant_type": "client_credentials", "client_id": A[0], "client_secret": A[1]}
    first = accounts.auth(params, now_us=0)["access_token"]
    for _ in range(50):
        accounts.auth(params, now_us=1)
    assert accounts.live_grants(A[0]) == 5
    with pytest.raises(RpcError, match="13009"):
        accounts.authorize(Auth(kind="bearer", token=first), None, now_us=2)
    later = accounts.auth(params, now_us=61_000_000)  # every earlier grant has expired
    assert accounts.live_grants(A[0]) == 1
    assert accounts.authorize(Auth(kind="bearer", token=later["access_token"]), None,
                              now_us=61_000_001) == A[0]  # fmt: skip
    with pytest.raises(RpcError, match="13009"):
        accounts.authorize(Auth(kind="bearer", token=later["access_token"]), None,
                           now_us=122_000_000)  # fmt: skip


@pytest.mark.parametrize("where", ["grant", "header"])
def test_a_non_ascii_signature_is_unauthorized_not_an_internal_error(where: str) -> None:
    clock = FakeClock()
    exchange = SimulatedExchange(accounts=dict([A]), clock=clock)
    ts = str(clock.now_us() // 1000)
    if where == "grant":
        reply = _call(exchange, "public/auth", {"grant_type": "client_signature", "client_id": A[0],
                      "timestamp": ts, "nonce": "n1", "signature": "é" * 64})  # fmt: skip
    else:
        auth = Auth(kind="hmac", client_id=A[0], timestamp=ts, nonce="n1", signature="sïg",
                    signed_data="GET\n/api/v2/private/get_position\n\n")  # fmt: skip
        reply = _call(exchange, "private/get_position", {"instrument_name": "BTC-PERPETUAL"}, auth)
    assert reply["error"]["code"] == 13009, reply


@pytest.mark.parametrize("interval", ["1e308", "1e400", "-1e400"])
def test_set_heartbeat_refuses_absurd_intervals(interval: str) -> None:
    with LocalExchangeServer() as server, connect(server.ws_url, proxy=None) as ws:
        ws.send('{"jsonrpc":"2.0","id":1,"method":"public/set_heartbeat","params":{"interval":'
                + interval + "}}")  # fmt: skip
        reply = ws.recv(timeout=5)
    assert '"code":-32602' in str(reply), reply
