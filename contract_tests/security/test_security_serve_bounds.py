"""Round 2 of the hostile pass on `serve`: every per-connection structure has a limit.

The limits are shrunk here (``ServeLimits``) so each one is reached in a second;
``benchmarks/bench_serve_memory.py`` runs the real floods and reports the RSS they cost."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from deribit_contract.errors import TargetRefused
from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.jsonrpc import Auth
from deribit_contract.transports.limits import ServeLimits
from deribit_contract.transports.server import LocalExchangeServer
from deribit_contract.transports.ws_client import WsJsonRpcClient

_BASIC = Auth(kind="basic", client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET)


def _request(method: str, params: dict[str, object], request_id: int = 1) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})


def _trade(server: LocalExchangeServer, count: int) -> None:
    for i in range(count):
        side = "private/buy" if i % 2 == 0 else "private/sell"
        params = {"instrument_name": "BTC-PERPETUAL", "type": "market", "amount": 10}
        server.exchange.handle(json.loads(_request(side, params)), auth=_BASIC)


def test_a_client_that_never_reads_is_closed_as_a_slow_consumer() -> None:
    limits = ServeLimits(outbox_messages=100, outbox_bytes=256 * 1024)
    with LocalExchangeServer(limits=limits) as server:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel absorbs little
        sock.connect(("127.0.0.1", server.port))
        with connect(server.ws_url, sock=sock, proxy=None) as ws:
            tickers = [f"ticker.BTC-PERPETUAL.{interval}" for interval in ("raw", "100ms", "agg2")]
            ws.send(_request("public/subscribe", {"channels": tickers}))
            # three ticker notifications per fill, nobody reading them: more than the kernel's
            # socket buffers hold, so the rest waits in the outbox
            _trade(server, 5000)
            time.sleep(1.5)
            received = _read_until_closed(ws)
        assert received < 15_000
        if ws.close_code is not None:
            assert ws.close_code == 1008
            assert "slow consumer" in (ws.close_reason or "")
        # the server is fine, and the next client is served
        reply = httpx.get(f"{server.url}/api/v2/public/get_time", timeout=5)
        assert reply.status_code == 200


def _read_until_closed(ws: ClientConnection) -> int:
    received = 0
    try:
        while True:
            ws.recv(timeout=10)
            received += 1
    except ConnectionClosed:
        return received


def test_subscriptions_per_socket_are_bounded() -> None:
    limits = ServeLimits(subscriptions_per_socket=4)
    with LocalExchangeServer(limits=limits) as server, connect(server.ws_url, proxy=None) as ws:
        names = [f"ticker.{i}.raw" for i in ("BTC-PERPETUAL", "ETH-PERPETUAL", "BTC-27JUN25")]
        ws.send(_request("public/subscribe", {"channels": names}))
        assert len(json.loads(ws.recv(timeout=5))["result"]) == 3
        ws.recv(timeout=5)  # the tickers subscribing pushes
        more = [f"ticker.{i}.100ms" for i in ("BTC-PERPETUAL", "ETH-PERPETUAL")]
        ws.send(_request("public/subscribe", {"channels": more}, 2))
        replies = [json.loads(ws.recv(timeout=5)) for _ in range(3)]
        refusal = next(r for r in replies if r.get("id") == 2)
        assert refusal["error"]["code"] == -32602, refusal
        assert "at most 4 subscriptions" in refusal["error"]["data"]["reason"]


def test_connections_per_address_are_bounded_and_given_back() -> None:
    with LocalExchangeServer(limits=ServeLimits(connections_per_address=3)) as server:
        with ExitStack() as held:
            for _ in range(3):
                held.enter_context(connect(server.ws_url, proxy=None))
            with pytest.raises(InvalidStatus) as refused:
                held.enter_context(connect(server.ws_url, proxy=None, open_timeout=5))
            assert refused.value.response.status_code == 429
            reply = httpx.get(f"{server.url}/api/v2/public/get_time", timeout=5)
            assert reply.status_code == 429
            assert reply.json()["error"]["code"] == 10028
        deadline = time.monotonic() + 5
        while httpx.get(f"{server.url}/api/v2/public/get_time", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "slots were not given back"
            time.sleep(0.05)


def test_connections_of_all_addresses_are_bounded_idle_ones_included() -> None:
    with LocalExchangeServer(limits=ServeLimits(connections_total=3)) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        try:
            reply = httpx.get(f"{server.url}/api/v2/public/get_time", timeout=5)
            assert reply.status_code == 503
        finally:
            for sock in idle:
                sock.close()


def test_an_oversize_frame_is_refused_from_its_header_before_it_is_buffered() -> None:
    with LocalExchangeServer(limits=ServeLimits(frame_bytes=64 * 1024)) as server:
        with connect(server.ws_url, proxy=None) as ws:
            # a masked text frame announcing 14 MiB, of which only the header and 1 KiB arrive
            header = bytes([0x81, 0xFF]) + (14 * 1024 * 1024).to_bytes(8, "big") + b"\0\0\0\0"
            ws.socket.sendall(header + b"x" * 1024)
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)  # answered at once, not after 14 MiB
            assert (
                closed.value.sent is None
                or closed.value.rcvd is None
                or (closed.value.rcvd.code == 1009)
            )
        with connect(server.ws_url, proxy=None) as ws:  # a 40 kB frame: Deribit's -32600
            ws.send("x" * 40_000)
            assert json.loads(ws.recv(timeout=5))["error"]["code"] == -32600


class _HttpsRedirector(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # the WebSocket upgrade, sent to an https:// URL
        self.send_response(301)
        self.send_header("Location", "https://127.0.0.1/ws/api/v2")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def https_redirector() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HttpsRedirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_websocket_redirect_to_https_is_reported_as_a_redirect(https_redirector: int) -> None:
    ws = WsJsonRpcClient(f"ws://127.0.0.1:{https_redirector}/ws/api/v2", timeout=5)
    with pytest.raises(TargetRefused, match="redirect"):
        ws.call("public/get_time")
    ws.close()


_LIMITS = (
    "MAX_BODY_BYTES", "MAX_FRAME_BYTES", "OUTBOX_MESSAGES", "OUTBOX_BYTES",
    "SUBSCRIPTIONS_PER_SOCKET", "CONNECTIONS_PER_ADDRESS", "CONNECTIONS_PER_IP", "CONNECTIONS_TOTAL",
    "LIVE_GRANTS_PER_ACCOUNT", "NONCES_PER_KEY", "OPEN_ORDERS_PER_ACCOUNT", "CALLS_KEPT",
    "HISTORY_KEPT",
)  # fmt: skip


def test_every_serve_limit_is_named_in_the_readme_and_defined_once() -> None:
    import ast

    import deribit_contract

    package = Path(deribit_contract.__file__).parent
    readme = (package.parents[1] / "README.md").read_text(encoding="utf-8")
    assigned: dict[str, list[str]] = {name: [] for name in _LIMITS}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in assigned:
                        assigned[target.id].append(path.name)
    assert {name: where for name, where in assigned.items() if len(where) != 1} == {}
    assert [name for name in _LIMITS if name not in readme] == []
