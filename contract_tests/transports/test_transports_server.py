"""The loopback server under abuse: every bad input gets a JSON-RPC error, and it keeps serving."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any

import httpx
import orjson
import pytest
from transports_support import CREDENTIALS, make_exchange
from websockets.sync.client import connect

from deribit_contract.errors import InvalidArgument
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.gateway import MAX_BODY_BYTES
from deribit_contract.transports.server import LocalExchangeServer, is_loopback
from deribit_contract.transports.ws_client import WsJsonRpcClient

CLOSE = "private/close_position"
JSON = {"content-type": "application/json"}


def _close_works(server: LocalExchangeServer) -> dict[str, Any]:
    """A correct close of a fresh position, over a new connection; returns the order."""
    server.exchange.set_position("BTC-PERPETUAL", 250)
    with HttpJsonRpcClient(server.url, timeout=5) as client:
        client.authenticate(*CREDENTIALS)
        reply = client.call(CLOSE, {"instrument_name": "BTC-PERPETUAL", "type": "market"})
    assert client.last_status == 200, reply
    order: dict[str, Any] = reply["result"]["order"]
    assert order["amount"] == 250
    assert order["direction"] == "sell"
    assert order["reduce_only"] is True
    assert server.exchange.get_position("BTC-PERPETUAL")["size"] == 0
    return order


def _assert_rpc_error(response: httpx.Response, code: int | None = None) -> None:
    assert response.status_code in (400, 401), (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    envelope = response.json()
    assert envelope["jsonrpc"] == "2.0"
    assert isinstance(envelope["error"]["code"], int)
    assert isinstance(envelope["error"]["message"], str)
    if code is not None:
        assert envelope["error"]["code"] == code, envelope


BAD_BODIES: list[tuple[bytes, int]] = [
    (b"", -32700),
    (b"{", -32700),
    (b'{"jsonrpc": "2.0", "id": 1, "method": ', -32700),
    (b"\xff\xfe\xfd not utf-8 \x80", -32700),
    (b'{"jsonrpc":"2.0","id":1,"method":"x","params":"\xe9t\xe9"}', -32700),  # latin-1 bytes
    (b"NaN", -32700),
    (b"[]", -32600),
    (b'[{"jsonrpc":"2.0","id":1,"method":"public/test"}]', -32600),  # no batches on Deribit
    (b"42", -32600),
    (b'"private/close_position"', -32600),
    (b"null", -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":"private/close_position"}', -32602),
    (b'{"jsonrpc":"2.0","id":1,"method":"private/close_position","params":[1,2]}', -32602),
    (b'{"jsonrpc":"2.0","id":1,"method":"no/such_method","params":{}}', -32601),
    (b'{"jsonrpc":"2.0","id":1,"params":{}}', -32600),
    (b"x" * (MAX_BODY_BYTES + 1), -32600),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_body_gets_a_json_rpc_error(
    module_server: LocalExchangeServer, body: bytes, code: int
) -> None:
    # authenticated, so private methods reach their params check
    response = httpx.post(
        f"{module_server.url}/api/v2", content=body, headers=JSON, auth=CREDENTIALS
    )
    _assert_rpc_error(response, code)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_wrong_content_type_is_refused(
    module_server: LocalExchangeServer, content_type: str
) -> None:
    body = orjson.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "public/get_instrument",
            "params": {"instrument_name": "BTC-PERPETUAL"},
        }
    )
    response = httpx.post(
        f"{module_server.url}/api/v2", content=body, headers={"content-type": content_type}
    )
    _assert_rpc_error(response, -32600)
    assert content_type.split(";")[0] in response.json()["error"]["data"]["reason"]


def test_request_entity_too_large_message(module_server: LocalExchangeServer) -> None:
    padding = "p" * (40 * 1024)
    body = orjson.dumps({"jsonrpc": "2.0", "id": 9, "method": CLOSE, "params": {"label": padding}})
    response = httpx.post(f"{module_server.url}/api/v2/{CLOSE}", content=body, headers=JSON)
    _assert_rpc_error(response, -32600)
    assert response.json()["error"]["message"] == "request entity too large"


def test_streamed_huge_body_is_cut_off_and_server_survives(
    module_server: LocalExchangeServer,
) -> None:
    def chunks() -> Any:
        for _ in range(64):  # 4 MiB, chunked: no Content-Length to refuse up front
            yield b"y" * 65536

    try:
        response = httpx.post(
            f"{module_server.url}/api/v2", content=chunks(), headers=JSON, timeout=5
        )
    except httpx.TransportError:
        pass  # the server may drop the connection once it has answered; both are fine
    else:
        _assert_rpc_error(response, -32600)
    _close_works(module_server)


def test_a_get_reads_its_query_string_whatever_body_it_carries(
    module_server: LocalExchangeServer,
) -> None:
    api = f"{module_server.url}/api/v2/public/get_instrument"
    body = b'{"jsonrpc": "2.0", "id": 5, "method": "public/get_instrument", "params": {"instrument_name": "ETH-PERPETUAL"}}'
    read = httpx.request("GET", api, params={"instrument_name": "BTC-PERPETUAL"}, content=body)
    assert read.json()["result"]["instrument_name"] == "BTC-PERPETUAL"
    assert "id" not in read.json()  # the query form carries no id
    # without a query string the body is the request (Deribit's own curl sample)
    assert httpx.request("GET", api, content=body).json()["id"] == 5


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_http_methods_and_paths(module_server: LocalExchangeServer, method: str) -> None:
    refused = httpx.request(method, f"{module_server.url}/api/v2/{CLOSE}", content=b"{}")
    assert refused.status_code == 405, refused.text
    assert refused.headers["allow"] == "GET, POST"
    assert refused.json()["error"]["code"] == -32600  # still a JSON-RPC envelope saying why
    _assert_rpc_error(httpx.get(f"{module_server.url}/not/the/api"), -32601)
    _assert_rpc_error(httpx.get(f"{module_server.url}/api/v2"), -32600)


RAW_ABUSE: list[bytes] = [
    b"",  # connect and leave
    b"GET /api/v2/pub",  # half a request line
    b'POST /api/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"jsonrpc"',
    b'POST /api/v2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"jsonrpc":',
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello on a plain port
    b"\x00\xff garbage \r\n\r\n",
    b"GET /ws/api/v2 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
    b"GET /api/v2/public/test HTTP/1.1\r\nHost: x\r\nX-" + b"h" * 70000 + b": 1\r\n\r\n",
]


def test_raw_socket_abuse_then_a_correct_close(module_server: LocalExchangeServer) -> None:
    for payload in RAW_ABUSE:
        # the server may already have hung up on us: that is survival too
        with (
            socket.create_connection(("127.0.0.1", module_server.port), timeout=3) as sock,
            contextlib.suppress(OSError),
        ):
            sock.sendall(payload)
        # closed mid-request, before any answer
    # a garbage request line must get an HTTP error, not a hang
    with socket.create_connection(("127.0.0.1", module_server.port), timeout=3) as sock:
        sock.sendall(b"BLAH\r\n\r\n")
        first = sock.recv(64)
    assert first.startswith(b"HTTP/1.1 4"), first
    _close_works(module_server)


def test_websocket_abuse_keeps_the_socket_usable(module_server: LocalExchangeServer) -> None:
    with connect(module_server.ws_url, proxy=None, max_size=2**22) as ws:
        abuse: list[tuple[str | bytes, int]] = [
            ("{broken", -32700),
            (b"\xff\xfe binary garbage", -32700),
            ("[]", -32600),
            ("x" * (MAX_BODY_BYTES + 10), -32600),
            (
                '{"jsonrpc":"2.0","id":3,"method":"private/close_position","params":{"instrument_name":"BTC-PERPETUAL","type":"market"}}',
                13009,
            ),
        ]
        for frame, code in abuse:
            ws.send(frame)
            reply = orjson.loads(ws.recv(timeout=3))
            assert reply["error"]["code"] == code, (frame[:40], reply)
    # a socket dropped mid-frame
    with socket.create_connection(("127.0.0.1", module_server.port), timeout=3) as sock:
        sock.sendall(
            b"GET /ws/api/v2 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert sock.recv(12).startswith(b"HTTP/1.1 101")
        sock.sendall(b'\x81\xfe\x01\x00\x00\x00\x00\x00{"js')  # announces 256 bytes, sends 4
    module_server.exchange.set_position("ETH-PERPETUAL", -7)
    with WsJsonRpcClient(module_server.ws_url, timeout=5) as client:
        client.authenticate(*CREDENTIALS)
        reply = client.call(CLOSE, {"instrument_name": "ETH-PERPETUAL", "type": "market"})
    assert reply["result"]["order"]["direction"] == "buy"
    assert reply["result"]["order"]["amount"] == 7
    _close_works(module_server)


def test_html_500_fault_is_rendered_only_for_close_position() -> None:
    with LocalExchangeServer(fault="html_500") as server:
        server.exchange.set_position("BTC-PERPETUAL", 100)
        with HttpJsonRpcClient(server.url, timeout=5) as client:
            client.authenticate(*CREDENTIALS)  # auth stays JSON
            position = client.call("private/get_position", {"instrument_name": "BTC-PERPETUAL"})
            assert position["result"]["size"] == 100
        response = httpx.post(
            f"{server.url}/api/v2/{CLOSE}",
            json={
                "jsonrpc": "2.0",
                "id": 5,
                "method": CLOSE,
                "params": {"instrument_name": "BTC-PERPETUAL", "type": "market"},
            },
            auth=CREDENTIALS,
        )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<html>")


def _running(server: LocalExchangeServer) -> bool:
    return server.running  # a call, so the type checker does not keep an earlier narrowing


def test_lifecycle_free_port_quick_start_and_stop() -> None:
    server = LocalExchangeServer(exchange=make_exchange())
    started = time.monotonic()
    with server:
        assert time.monotonic() - started < 3
        assert server.running
        port = server.port
        assert port > 0
        assert server.ws_url == f"ws://127.0.0.1:{port}/ws/api/v2"
        # an idle keep-alive connection must not hold the shutdown up
        keep = httpx.Client()
        keep.get(f"{server.url}/api/v2/public/get_instrument?instrument_name=BTC-PERPETUAL")
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 4
    assert not _running(server)
    keep.close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_non_loopback_host_is_refused(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(InvalidArgument, match="non-loopback"):
        LocalExchangeServer(exchange=make_exchange(), host=host)


def test_loopback_names() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
