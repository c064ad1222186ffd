"""The HTTP rules shared by the respx mock and the server, tested without any network."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from transports_support import StandInExchange

from deribit_contract.exchange.jsonrpc import Auth, ErrorCode
from deribit_contract.transports.gateway import (
    MAX_BODY_BYTES,
    auth_from_header,
    handle_http,
    status_for,
)
from deribit_contract.transports.query_params import convert_query


def test_query_numbers_and_booleans_are_typed_like_deribit() -> None:
    params = convert_query(
        [
            ("instrument_name", "BTC-PERPETUAL"),
            ("type", "limit"),
            ("price", "145.17"),
            ("amount", "10"),
            ("reduce_only", "true"),
            ("post_only", "FALSE"),
            ("label", "123"),
            ("client_id", "true"),
        ]
    )
    assert params == {
        "instrument_name": "BTC-PERPETUAL",
        "type": "limit",
        "price": 145.17,
        "amount": 10,
        "reduce_only": True,
        "post_only": False,
        "label": "123",
        "client_id": "true",
    }


def test_unparseable_number_stays_a_string_for_the_exchange_to_reject() -> None:
    assert convert_query([("price", "abc"), ("amount", "1e3")]) == {
        "price": "abc",
        "amount": 1000.0,
    }


def test_repeated_query_key_becomes_a_list() -> None:
    assert convert_query([("x", "1"), ("x", "2"), ("x", "3")]) == {"x": [1, 2, 3]}


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_any_integer_price_round_trips(value: int) -> None:
    assert convert_query([("price", str(value))]) == {"price": value}


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_float_price_round_trips(value: float) -> None:
    assert convert_query([("price", repr(value))])["price"] == value


def test_bearer_and_basic_headers() -> None:
    assert auth_from_header("Bearer abc.def") == Auth(kind="bearer", token="abc.def")
    basic = "Basic " + base64.b64encode(b"id:se:cret").decode()
    assert auth_from_header(basic) == Auth(kind="basic", client_id="id", client_secret="se:cret")
    assert auth_from_header(None) == Auth()
    assert auth_from_header("deri-hmac-sha256 id=x,ts=1,sig=y,nonce=z") == Auth(
        kind="hmac", client_id="x", timestamp="1", signature="y", nonce="z"
    )
    assert auth_from_header("Digest realm=x") == Auth()


def test_undecodable_basic_is_empty_credentials_not_anonymous() -> None:
    assert auth_from_header("Basic !!!notbase64") == Auth(
        kind="basic", client_id="", client_secret=""
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (None, 200),
        (ErrorCode.UNAUTHORIZED, 401),
        (ErrorCode.INVALID_CREDENTIALS, 401),
        (-32602, 400),
        (10028, 400),
    ],
)
def test_status_follows_the_error_code(code: int | None, status: int) -> None:
    envelope = {"result": {}} if code is None else {"error": {"code": code, "message": "m"}}
    assert status_for(envelope) == status


def _post(
    exchange: StandInExchange, path: str, body: bytes, **headers: str
) -> tuple[int, dict[str, Any]]:
    reply = handle_http(
        exchange,
        http_method="POST",
        path=path,
        query=[],
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        body=body,
    )
    return reply.status, orjson.loads(reply.body)


def test_bad_bodies_never_reach_the_exchange(standin: StandInExchange) -> None:
    cases = {
        b"{not json": ErrorCode.PARSE_ERROR,
        b"\xff\xfe\x00garbage": ErrorCode.PARSE_ERROR,
        b"x" * (MAX_BODY_BYTES + 1): ErrorCode.INVALID_REQUEST,
    }
    for body, code in cases.items():
        status, envelope = _post(standin, "/api/v2", body, content_type="application/json")
        assert status == 400
        assert envelope["error"]["code"] == code
    assert standin.calls == []


def test_wrong_content_type_is_named_in_the_error(standin: StandInExchange) -> None:
    status, envelope = _post(standin, "/api/v2", b"{}", content_type="text/plain")
    assert status == 400
    assert "text/plain" in envelope["error"]["data"]["reason"]


def test_method_in_body_must_agree_with_the_path(standin: StandInExchange) -> None:
    body = orjson.dumps({"jsonrpc": "2.0", "id": 7, "method": "public/auth", "params": {}})
    status, envelope = _post(standin, "/api/v2/private/close_position", body)
    assert status == 400
    assert envelope["id"] == 7
    assert "differs" in envelope["error"]["data"]["reason"]


def test_path_supplies_a_missing_method_and_access_token_moves_to_auth(
    standin: StandInExchange,
) -> None:
    body = orjson.dumps({"jsonrpc": "2.0", "id": 1, "params": {"access_token": "t", "x": 1}})
    _post(standin, "/api/v2/public/test", body)
    assert standin.calls == [
        {"jsonrpc": "2.0", "id": 1, "params": {"x": 1}, "method": "public/test"}
    ]
    assert standin.auths == [Auth(kind="bearer", token="t")]


@pytest.mark.parametrize(
    ("header", "auth"),
    [
        ("Bearer tok", Auth(kind="bearer", token="tok")),
        (
            "Basic " + base64.b64encode(b"id:secret").decode(),
            Auth(kind="basic", client_id="id", client_secret="secret"),
        ),
        (None, Auth()),
    ],
)
def test_the_authorization_header_reaches_the_exchange_as_auth(
    standin: StandInExchange, header: str | None, auth: Auth
) -> None:
    body = orjson.dumps({"jsonrpc": "2.0", "id": 3, "method": "private/get_position", "params": {}})
    headers = {"content_type": "application/json"}
    if header is not None:
        headers["authorization"] = header
    status, envelope = _post(standin, "/api/v2", body, **headers)
    assert status == 200
    assert envelope["id"] == 3
    assert standin.auths == [auth]


def test_unknown_path_is_a_json_error(standin: StandInExchange) -> None:
    status, envelope = _post(standin, "/nope", b"{}")
    assert status == 400
    assert envelope["error"]["code"] == ErrorCode.METHOD_NOT_FOUND
