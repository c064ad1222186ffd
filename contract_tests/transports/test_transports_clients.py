"""The JSON-RPC clients: precise errors for broken targets, no retries, the token kept private."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from websockets.sync.server import ServerConnection, serve

from deribit_contract.errors import TargetError, TargetUnavailable
from deribit_contract.transports.client import HttpJsonRpcClient, JsonRpcClient
from deribit_contract.transports.ws_client import WsJsonRpcClient

HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def _client(handler: object) -> HttpJsonRpcClient:
    return HttpJsonRpcClient("https://example.invalid", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_both_clients_satisfy_the_protocol() -> None:
    assert isinstance(_client(lambda r: httpx.Response(200)), JsonRpcClient)
    assert isinstance(WsJsonRpcClient("ws://127.0.0.1:9/ws/api/v2"), JsonRpcClient)


def test_request_shape_and_bearer_after_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("public/auth"):
            return httpx.Response(
                200,
                json={"jsonrpc": "2.0", "id": 1, "result": {"access_token": "SECRET-TOKEN-123"}},
            )
        return httpx.Response(
            400, json={"jsonrpc": "2.0", "id": 2, "error": {"code": 10009, "message": "m"}}
        )

    client = _client(handler)
    auth = client.authenticate("cid", "csecret")
    assert auth["result"]["access_token"] == "<redacted>"
    envelope = client.call(
        "private/close_position", {"instrument_name": "BTC-PERPETUAL", "type": "market"}
    )
    assert envelope["error"]["code"] == 10009
    assert client.last_status == 400
    first, second = seen
    assert first.url == "https://example.invalid/api/v2/public/auth"
    assert "authorization" not in first.headers
    assert second.headers["authorization"] == "Bearer SECRET-TOKEN-123"
    assert second.headers["content-type"] == "application/json"
    body = httpx.Response(200, content=second.content).json()
    assert body == {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "private/close_position",
        "params": {"instrument_name": "BTC-PERPETUAL", "type": "market"},
    }
    for text in (repr(client), str(client), repr(vars(client))):
        assert "SECRET-TOKEN-123" not in text
        assert "csecret" not in text


def test_refused_credentials_raise_without_leaking_the_secret() -> None:
    client = _client(
        lambda r: httpx.Response(
            400, json={"jsonrpc": "2.0", "error": {"code": 13004, "message": "invalid_credentials"}}
        )
    )
    with pytest.raises(TargetError, match="13004") as info:
        client.authenticate("cid", "csecret")
    assert "csecret" not in str(info.value)
    assert not client.authenticated


def test_html_body_names_status_content_type_and_excerpt() -> None:
    client = _client(
        lambda r: httpx.Response(502, content=HTML, headers={"content-type": "text/html"})
    )
    with pytest.raises(TargetError) as info:
        client.call("public/test")
    message = str(info.value)
    assert "HTTP 502" in message
    assert "text/html" in message
    assert "502 Bad Gateway" in message
    assert not isinstance(info.value, TargetUnavailable)


def test_json_that_is_not_an_object_is_a_target_error() -> None:
    client = _client(lambda r: httpx.Response(200, json=[1, 2]))
    with pytest.raises(TargetError, match="list, not an object"):
        client.call("public/test")


@pytest.fixture
def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_unavailable_and_not_retried(dead_port: int) -> None:
    attempts = 0

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal attempts
            attempts += 1
            return super().handle_request(request)

    client = HttpJsonRpcClient(f"http://127.0.0.1:{dead_port}", timeout=2, transport=Counting())
    with pytest.raises(TargetUnavailable, match="cannot reach"):
        client.call("public/test")
    assert attempts == 1


def test_silent_server_times_out_as_unavailable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # the kernel completes the handshake; nobody ever answers
        port = listener.getsockname()[1]
        client = HttpJsonRpcClient(f"http://127.0.0.1:{port}", timeout=0.3)
        with pytest.raises(TargetUnavailable, match="no answer"):
            client.call("public/test")


@pytest.fixture
def ws_echo_server() -> Iterator[str]:
    """A WebSocket peer that sends a notification, then a reply only to ``public/test``."""

    def handler(conn: ServerConnection) -> None:
        for raw in conn:
            request = httpx.Response(200, content=raw).json()
            conn.send('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"x"}}')
            if request["method"] == "public/test":
                conn.send(f'{{"jsonrpc":"2.0","id":{request["id"]},"result":{{"version":"1"}}}}')
            elif request["method"] == "public/html":
                conn.send("<html>oops</html>")

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws/api/v2"
        server.shutdown()
    thread.join(5)


def test_ws_skips_notifications_and_matches_ids(ws_echo_server: str) -> None:
    with WsJsonRpcClient(ws_echo_server, timeout=2) as client:
        assert client.call("public/test") == {"jsonrpc": "2.0", "id": 1, "result": {"version": "1"}}
        assert client.call("public/test")["id"] == 2


def test_ws_non_json_frame_is_a_target_error(ws_echo_server: str) -> None:
    with (
        WsJsonRpcClient(ws_echo_server, timeout=2) as client,
        pytest.raises(TargetError, match="not JSON"),
    ):
        client.call("public/html")


def test_ws_no_reply_is_unavailable_and_spends_the_socket(ws_echo_server: str) -> None:
    with WsJsonRpcClient(ws_echo_server, timeout=0.3) as client:
        with pytest.raises(TargetUnavailable, match="no reply"):
            client.call("public/silence")
        with pytest.raises(TargetUnavailable, match="unusable"):
            client.call("public/test")


def test_ws_connection_refused_is_unavailable(dead_port: int) -> None:
    with pytest.raises(TargetUnavailable, match="cannot open WebSocket"):
        WsJsonRpcClient(f"ws://127.0.0.1:{dead_port}/ws/api/v2", timeout=2).call("public/test")
