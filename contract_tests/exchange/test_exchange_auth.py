"""Deribit's authentication schemes: client_signature, deri-hmac-sha256, refresh, scopes.

Signatures are computed here from the vendor's documented formula with :mod:`hmac`, not with
the kit's own helper, so a wrong formula in the simulation cannot pass by agreeing with itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SimulatedExchange
from deribit_contract.exchange.clock import FakeClock
from deribit_contract.transports.gateway import handle_http

OTHER_ID, OTHER_SECRET = "team-ci-bot", "team-ci-secret-42"


def hex_hmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def now_ms(exchange: SimulatedExchange) -> int:
    return exchange.clock.now_us() // 1000


def signed_auth(
    exchange: SimulatedExchange,
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    secret: str = DEFAULT_CLIENT_SECRET,
    ts: int | None = None,
    nonce: str = "abc123",
    data: str = "",
    **extra: Any,
) -> dict[str, Any]:
    timestamp = now_ms(exchange) if ts is None else ts
    params = {
        "grant_type": "client_signature",
        "client_id": client_id,
        "timestamp": timestamp,
        "nonce": nonce,
        "data": data,
        "signature": hex_hmac(secret, f"{timestamp}\n{nonce}\n{data}"),
        **extra,
    }
    return exchange.handle({"id": 1, "method": "public/auth", "params": params})


def test_client_signature_grant_gives_a_working_token() -> None:
    exchange = SimulatedExchange()
    result = signed_auth(exchange, data="bot-1")["result"]
    assert result["token_type"] == "bearer"
    assert result["expires_in"] == 31_536_000  # what live client-credentials answers show
    position = exchange.handle(
        {
            "id": 2,
            "method": "private/get_position",
            "params": {"instrument_name": "BTC-PERPETUAL", "access_token": result["access_token"]},
        }
    )
    assert position["result"]["size"] == 0.0


@pytest.mark.parametrize(
    ("change", "code", "reason"),
    [
        ({"ts_offset": -61_000}, 13009, "more than 60 s"),
        ({"ts_offset": 61_000}, 13009, "more than 60 s"),
        ({"secret": "wrong"}, 13009, "invalid signature"),
        ({"client_id": "nobody"}, 13004, None),
    ],
)
def test_bad_signatures_are_refused_with_deribit_codes(
    change: dict[str, Any], code: int, reason: str | None
) -> None:
    exchange = SimulatedExchange()
    kwargs: dict[str, Any] = {k: v for k, v in change.items() if k != "ts_offset"}
    if "ts_offset" in change:
        kwargs["ts"] = now_ms(exchange) + change["ts_offset"]
    error = signed_auth(exchange, **kwargs)["error"]
    assert error["code"] == code
    if reason is not None:
        assert reason in error["data"]["reason"]


def test_a_reused_nonce_is_refused_and_a_fresh_one_accepted() -> None:
    clock = FakeClock()
    exchange = SimulatedExchange(clock=clock)
    ts = now_ms(exchange)
    assert "result" in signed_auth(exchange, ts=ts, nonce="n1")
    replay = signed_auth(exchange, ts=ts, nonce="n1")["error"]
    assert (replay["code"], replay["data"]["reason"]) == (13009, "nonce already used")
    assert "result" in signed_auth(exchange, ts=ts, nonce="n2")


def test_requested_scope_is_echoed_and_kept_on_refresh() -> None:
    exchange = SimulatedExchange()
    first = exchange.handle(
        {
            "method": "public/auth",
            "params": {
                "grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
                "scope": "session:bot1 trade:read_write",
            },
        }
    )["result"]
    assert first["scope"] == "session:bot1 trade:read_write mainaccount"
    refreshed = exchange.handle(
        {
            "method": "public/auth",
            "params": {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        }
    )["result"]
    assert refreshed["scope"] == first["scope"]
    assert refreshed["access_token"] != first["access_token"]
    unknown = signed_auth(exchange, scope="trade:everything")["error"]
    assert (unknown["code"], unknown["data"]["param"]) == (-32602, "scope")
    default = signed_auth(exchange, nonce="other")["result"]["scope"]
    assert default.startswith("connection ")
    assert default.endswith(" mainaccount")


def _scoped_call(scope: str | None, method: str, **params: Any) -> tuple[dict[str, Any], float]:
    """``method`` with a token asked for ``scope``, on an exchange holding a BTC long of 100:
    the answer and the position's size after it."""
    exchange = SimulatedExchange(seed=3)
    exchange.set_position("BTC-PERPETUAL", 100.0, average_price=89000.0)
    asked = {} if scope is None else {"scope": scope}
    token = signed_auth(exchange, **asked)["result"]["access_token"]
    envelope = exchange.handle(
        {"id": 2, "method": method, "params": {**params, "access_token": token}}
    )
    return envelope, float(exchange.get_position("BTC-PERPETUAL")["size"])


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("private/close_position", {"instrument_name": "BTC-PERPETUAL", "type": "market"}),
        ("private/sell", {"instrument_name": "BTC-PERPETUAL", "amount": 100, "type": "market"}),
        ("private/buy", {"instrument_name": "BTC-PERPETUAL", "amount": 10, "type": "market"}),
        ("private/cancel_all_by_instrument", {"instrument_name": "BTC-PERPETUAL"}),
    ],
)
def test_a_trade_read_token_may_not_trade(method: str, params: dict[str, Any]) -> None:
    refused, size = _scoped_call("trade:read", method, **params)
    assert (refused["error"]["code"], refused["error"]["message"]) == (13021, "forbidden")
    assert "trade:read_write" in refused["error"]["data"]["reason"]
    assert size == 100.0
    refused, size = _scoped_call("trade:none account:read", method, **params)
    assert (refused["error"]["code"], size) == (13021, 100.0)


def test_a_trade_read_token_reads_and_a_full_token_closes() -> None:
    position, _ = _scoped_call(
        "trade:read", "private/get_position", instrument_name="BTC-PERPETUAL"
    )
    assert position["result"]["size"] == 100.0
    orders, _ = _scoped_call(
        "trade:read", "private/get_open_orders_by_instrument", instrument_name="BTC-PERPETUAL"
    )
    assert orders["result"] == []
    summary, _ = _scoped_call(
        "trade:read account:none", "private/get_account_summary", currency="BTC"
    )
    assert summary["error"]["code"] == 13021
    # a family the request does not name keeps the default grant: session scopes narrow nothing
    for scope in (None, "trade:read_write", "session:bot1", "account:read"):
        closed, size = _scoped_call(
            scope, "private/close_position", instrument_name="BTC-PERPETUAL", type="market"
        )
        assert (closed["result"]["order"]["reduce_only"], size) == (True, 0.0), scope


def _hmac_get(
    exchange: SimulatedExchange,
    uri: str,
    *,
    secret: str = OTHER_SECRET,
    client_id: str = OTHER_ID,
    nonce: str = "xyz",
    ts: str | None = None,
    signed_uri: str | None = None,
) -> dict[str, Any]:
    ts = str(now_ms(exchange)) if ts is None else ts
    signature = hex_hmac(secret, f"{ts}\n{nonce}\nGET\n{signed_uri or uri}\n\n")
    path, _, query = uri.partition("?")
    header = f"deri-hmac-sha256 id={client_id},ts={ts},sig={signature},nonce={nonce}"
    reply = handle_http(
        exchange,
        http_method="GET",
        path=path,
        query=[(k, v) for k, _, v in (item.partition("=") for item in query.split("&"))],
        headers={"authorization": header},
        body=b"",
        raw_uri=uri,
    )
    answer: dict[str, Any] = json.loads(reply.body)
    return answer


def test_deri_hmac_sha256_header_signs_method_uri_and_body() -> None:
    exchange = SimulatedExchange(accounts={OTHER_ID: OTHER_SECRET})
    exchange.set_position("ETH-PERPETUAL", 5.0)
    uri = "/api/v2/private/get_position?instrument_name=ETH-PERPETUAL"
    ts = str(now_ms(exchange))
    assert _hmac_get(exchange, uri, ts=ts)["result"]["size"] == 5.0
    replay = _hmac_get(exchange, uri, ts=ts)["error"]
    assert (replay["code"], replay["data"]["reason"]) == (13009, "nonce already used")
    assert "result" in _hmac_get(exchange, uri, ts=ts, nonce="n2")
    other_uri = "/api/v2/private/get_position?instrument_name=BTC-PERPETUAL"
    for bad in (
        _hmac_get(exchange, uri, nonce="n3", signed_uri=other_uri),
        _hmac_get(exchange, uri, nonce="n4", secret="guess"),
    ):
        assert (bad["error"]["code"], bad["error"]["data"]["reason"]) == (
            13009,
            "invalid signature",
        )
    stale = _hmac_get(exchange, uri, nonce="n5", ts=str(int(ts) - 120_000))["error"]
    assert stale["code"] == 13009
    assert _hmac_get(exchange, uri, nonce="n6", client_id="nobody")["error"]["code"] == 13004


def test_deri_hmac_sha256_covers_a_json_rpc_post_body() -> None:
    exchange = SimulatedExchange(accounts={OTHER_ID: OTHER_SECRET})
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 3, "method": "private/get_positions", "params": {}}
    ).encode()
    ts, nonce = str(now_ms(exchange)), "post-1"

    def post(signed_body: bytes, nonce: str) -> dict[str, Any]:
        signature = hex_hmac(
            OTHER_SECRET, f"{ts}\n{nonce}\nPOST\n/api/v2\n{signed_body.decode()}\n"
        )
        header = f"deri-hmac-sha256 id={OTHER_ID},ts={ts},sig={signature},nonce={nonce}"
        reply = handle_http(
            exchange,
            http_method="POST",
            path="/api/v2",
            query=[],
            headers={"authorization": header, "content-type": "application/json"},
            body=body,
            raw_uri="/api/v2",
        )
        answer: dict[str, Any] = json.loads(reply.body)
        return answer

    assert post(body, nonce)["result"] == []
    other_body = body.replace(b"get_positions", b"get_position")
    assert post(other_body, "post-2")["error"]["data"]["reason"] == "invalid signature"


def test_login_is_a_recorded_public_auth_whose_token_acts_for_its_account() -> None:
    exchange = SimulatedExchange(
        accounts={DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET, OTHER_ID: OTHER_SECRET}
    )
    exchange.set_position("BTC-PERPETUAL", 40, client_id=OTHER_ID)
    auth = exchange.login(OTHER_ID, OTHER_SECRET)
    assert auth.kind == "bearer"
    assert exchange.calls[-1].method == "public/auth"
    assert exchange.client_for(auth) == OTHER_ID
    request = {
        "id": 2,
        "method": "private/get_position",
        "params": {"instrument_name": "BTC-PERPETUAL"},
    }
    assert exchange.handle(request, auth=auth)["result"]["size"] == 40.0
    assert exchange.client_for(exchange.login()) == DEFAULT_CLIENT_ID


def test_login_with_wrong_credentials_says_which_account_was_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"'nobody'.*13004"):
        SimulatedExchange().login("nobody", "no-secret-at-all")
