"""The hostile clients of ``bench_serve_memory.py`` (one function per case), and what they share.

Each case gets the port and the process of a fresh ``deribit-contract serve`` and returns its
figures; ``rss_growth_mb`` is the one the issue bounds (under 100 MB).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.auth import sign
from deribit_contract.transports.client import HttpJsonRpcClient

INSTRUMENT = "BTC-PERPETUAL"
#: a second account (another bot of the fleet)
OTHER = ("bench-other-0002", "bench-other-secret-0123456789")
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc: this benchmark needs Linux")


def _frame(method: str, params: dict[str, Any], request_id: int = 1) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})


def _pipelined(ws: ClientConnection, frames: list[str]) -> list[Any]:
    """Send ``frames`` in batches of 200 and read one reply per frame (notifications skipped)."""
    replies: list[Any] = []
    for start in range(0, len(frames), 200):
        batch = frames[start : start + 200]
        for frame in batch:
            ws.send(frame)
        while len(replies) < start + len(batch):
            message = json.loads(ws.recv(timeout=60))
            if "id" in message:
                replies.append(message)
    return replies


def _latency_ms(call: Call, method: str, params: dict[str, Any], count: int = 200) -> float:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call(method, params)
        times.append(time.perf_counter() - start)
    return round(sorted(times)[len(times) // 2] * 1000, 2)


def _raw_websocket(port: int) -> socket.socket:
    """A WebSocket that never reads: a 4 KiB receive buffer and no reader thread (a library
    client would keep reading into its own memory)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b"GET /ws/api/v2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    if not head.startswith(b"HTTP/1.1 101"):
        sock.close()
        raise ValueError(head.split(b"\r\n", 1)[0].decode())  # e.g. 429: too many connections
    return sock


def _send_raw(sock: socket.socket, text: str) -> None:
    """One masked text frame (the all-zero mask leaves the payload as is)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes([0x81, 0x80 | size])
    else:
        header = bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
    sock.sendall(header + b"\0\0\0\0" + payload)


def _closed_by_server(sock: socket.socket) -> str:
    """Read what is left; "yes" when the server ends the connection within 10 s."""
    sock.settimeout(10)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return "no (still open)"
    except OSError:
        pass
    return "yes"


def case_slow_reader(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    rss_before = rss_mb(proc.pid)
    peak = rss_before
    slow = _raw_websocket(port)
    with connect(f"ws://127.0.0.1:{port}/ws/api/v2", proxy=None) as trader:
        # the slow reader is a bot watching its own orders; the account's other connection
        # places and cancels resting orders, each one a notification on two channels
        login = {"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
                 "client_secret": DEFAULT_CLIENT_SECRET}  # fmt: skip
        _send_raw(slow, _frame("public/auth", login))
        channels = ["user.orders.any.any.raw", "user.changes.any.any.raw"]
        _send_raw(slow, _frame("private/subscribe", {"channels": channels}, 2))
        trader.send(_frame("public/auth", login))
        trader.recv(timeout=30)
        mark = _pipelined(trader, [_frame("public/ticker", {"instrument_name": INSTRUMENT})])
        price = round(mark[0]["result"]["mark_price"] * 0.995 * 2) / 2  # rests below the book
        order = {"instrument_name": INSTRUMENT, "type": "limit", "amount": 10, "price": price}
        start = time.perf_counter()
        sent = 0
        # pipelined for --seconds; a safety stop keeps an unbounded server from taking the
        # shared machine's memory
        while time.perf_counter() - start < args.seconds and peak - rss_before < 1_000:
            frames = [_frame("private/buy", order, i) for i in range(199)]
            frames.append(
                _frame("private/cancel_all_by_instrument", {"instrument_name": INSTRUMENT})
            )
            _pipelined(trader, frames)
            sent += len(frames)
            peak = max(peak, rss_mb(proc.pid))
    seconds = time.perf_counter() - start
    closed = _closed_by_server(slow)
    slow.close()
    time.sleep(1)
    rss_after = rss_mb(proc.pid)
    return {
        "trading_requests": sent,
        "seconds": round(seconds, 1),
        "rss_growth_peak_mb": round(peak - rss_before, 1),
        "rss_growth_after_close_mb": round(rss_after - rss_before, 1),
        "rss_growth_mb": round(peak - rss_before, 1),
        "slow_reader_closed_by_server": closed,
    }


def case_channel_flood(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    other = HttpJsonRpcClient(f"http://127.0.0.1:{port}", timeout=30)
    other.authenticate(*OTHER)
    buy = {"instrument_name": INSTRUMENT, "type": "market", "amount": 10}
    before_ms = _latency_ms(other.call, "private/buy", buy)
    rss_before = rss_mb(proc.pid)
    with connect(f"ws://127.0.0.1:{port}/ws/api/v2", proxy=None, max_size=2**24) as ws:
        ws.send(_frame("public/auth", {"grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}))  # fmt: skip
        ws.recv(timeout=30)
        frames: list[str] = []
        names = refused = 0
        while names < args.channels:  # 900 names keep a frame under Deribit's 32 kB
            batch = [f"user.orders.any.x{names + i}.raw" for i in range(900)]
            names += len(batch)
            frames.append(_frame("private/subscribe", {"channels": batch}, len(frames) + 2))
        for reply in _pipelined(ws, frames):
            refused += "error" in reply
        rss_after = rss_mb(proc.pid)
        after_ms = _latency_ms(other.call, "private/buy", buy)
    other.close()
    return {
        "channel_names_sent": names,
        "subscribe_frames_refused": refused,
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "other_account_buy_ms_before": before_ms,
        "other_account_buy_ms_after": after_ms,
    }


def case_token_flood(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    rss_before = rss_mb(proc.pid)
    with connect(f"ws://127.0.0.1:{port}/ws/api/v2", proxy=None) as ws:
        login = {"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
                 "client_secret": DEFAULT_CLIENT_SECRET}  # fmt: skip
        _pipelined(ws, [_frame("public/auth", login, i) for i in range(args.tokens)])
        after_tokens = rss_mb(proc.pid)
        frames = []
        for i in range(args.signed):
            stamp, nonce = str(int(time.time() * 1000)), f"{i:08d}" + "n" * 30_000
            frames.append(_frame("public/auth", {"grant_type": "client_signature",
                          "client_id": DEFAULT_CLIENT_ID, "timestamp": stamp, "nonce": nonce,
                          "signature": sign(DEFAULT_CLIENT_SECRET, stamp, nonce, "")}, i))  # fmt: skip
            if len(frames) == 200:
                _pipelined(ws, frames)
                frames = []
        _pipelined(ws, frames)
    rss_after = rss_mb(proc.pid)
    return {
        "client_credentials_logins": args.tokens,
        "rss_growth_after_logins_mb": round(after_tokens - rss_before, 1),
        "signed_logins_30kb_nonces": args.signed,
        "rss_growth_mb": round(rss_after - rss_before, 1),
    }


def case_orders(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    http = HttpJsonRpcClient(f"http://127.0.0.1:{port}", timeout=30)
    http.authenticate(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    position = {"instrument_name": INSTRUMENT}
    before_ms = _latency_ms(http.call, "private/get_position", position)
    rss_before = rss_mb(proc.pid)
    mark = http.call("public/ticker", position)["result"]["mark_price"]
    price = round(mark * 0.995 * 2) / 2  # inside the band, below the book: it rests
    placed = refused = 0
    with connect(f"ws://127.0.0.1:{port}/ws/api/v2", proxy=None) as ws:
        ws.send(_frame("public/auth", {"grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}))  # fmt: skip
        ws.recv(timeout=30)
        order = {"instrument_name": INSTRUMENT, "type": "limit", "amount": 10, "price": price}
        replies = _pipelined(ws, [_frame("private/buy", order, i) for i in range(args.orders)])
        placed = sum("result" in reply for reply in replies)
        refused = len(replies) - placed
    rss_after = rss_mb(proc.pid)
    after_ms = _latency_ms(http.call, "private/get_position", position)
    buy_ms = _latency_ms(http.call, "private/buy", {**position, "type": "limit", "amount": 10,
                         "price": price}, count=50)  # fmt: skip
    http.close()
    return {
        "orders_placed": placed,
        "orders_refused": refused,
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "get_position_ms_before": before_ms,
        "get_position_ms_after": after_ms,
        "buy_ms_after": buy_ms,
    }


def case_frame_flood(port: int, proc: subprocess.Popen[bytes], args: Any) -> dict[str, Any]:
    rss_before = rss_mb(proc.pid)
    sockets, refused = [], 0
    header = bytes([0x81, 0xFF]) + (14 * 1024 * 1024).to_bytes(8, "big") + b"\0\0\0\0"
    for _ in range(args.sockets):  # unauthenticated, each an unfinished 14 MiB frame
        try:
            sock = _raw_websocket(port)
        except (OSError, ValueError):
            refused += 1
            continue
        try:
            sock.sendall(header)
            for _ in range(args.frame_mib):
                sock.sendall(b"x" * 1024 * 1024)
        except OSError:
            pass  # the server closed it from the header
        sockets.append(sock)
    time.sleep(1)
    rss_held = rss_mb(proc.pid)
    for sock in sockets:
        sock.close()
    time.sleep(1)
    rss_after = rss_mb(proc.pid)
    return {
        "sockets": args.sockets,
        "sockets_refused": refused,
        "frame_mib_sent_each": args.frame_mib,
        "rss_growth_mb": round(rss_held - rss_before, 1),
        "rss_growth_after_close_mb": round(rss_after - rss_before, 1),
    }
