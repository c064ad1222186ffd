"""The local staging exchange: uvicorn serving the ASGI app from a background thread.

Tests and ``deribit-contract run`` need a real Deribit-shaped server on this machine that starts
in well under a second on a free port and stops cleanly. It binds loopback only unless told
otherwise, because it accepts well-known default credentials over plain HTTP.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from deribit_contract.errors import InvalidArgument, TargetUnavailable
from deribit_contract.guard import is_loopback_host as is_loopback
from deribit_contract.transports.asgi import WS_PATH, build_app
from deribit_contract.transports.gateway import ExchangeLike
from deribit_contract.transports.limits import ServeLimits

__all__ = ["NON_LOOPBACK_REASON", "LocalExchangeServer", "bind_socket", "is_loopback"]

NON_LOOPBACK_REASON = (
    "the simulated exchange speaks plain HTTP and accepts its well-known default credentials, "
    "so anyone who can reach it could authenticate and trade on it"
)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY on accepted sockets only then,
    # and without it uvicorn's separate header/body writes wait ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise TargetUnavailable(f"cannot bind {host}:{port}: {exc.strerror or exc}") from exc
    return sock


class _ClientMistakes(logging.Filter):
    """uvicorn logs a client's invalid UTF-8 WebSocket frame with a server traceback, though it
    answers correctly (close 1007): such records become one INFO line without traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], UnicodeDecodeError):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        return True


_CLIENT_MISTAKES = _ClientMistakes()


def uvicorn_config(
    app: Any, *, log_level: str = "warning", limits: ServeLimits | None = None
) -> uvicorn.Config:
    """The uvicorn settings shared by the background server and ``deribit-contract serve``."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        ws="websockets-sansio",
        # the frame parser refuses a longer frame from its header, before reading the payload
        ws_max_size=(limits or ServeLimits()).frame_bytes,
        limit_concurrency=(limits or ServeLimits()).connections_total,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=5,
    )
    logging.getLogger("uvicorn.error").addFilter(_CLIENT_MISTAKES)  # idempotent: same object
    return config


class LocalExchangeServer:
    """A simulated Deribit on ``127.0.0.1`` for the duration of a ``with`` block.

    ``with LocalExchangeServer(fault=None) as server: server.url, server.ws_url``. Pass
    ``exchange=`` to serve one you built (and keep a handle on its state), or ``fault``/``seed``/
    ``rate_limit`` to build one. ``port=0`` (the default) picks a free port; ``server.port`` tells
    which. Starting waits until the socket accepts; stopping waits at most a few seconds.
    ``heartbeat_scale`` is the real length of a heartbeat-interval second (tests shrink it);
    ``limits`` the per-connection bounds (:mod:`~deribit_contract.transports.limits`).
    """

    def __init__(
        self,
        *,
        exchange: ExchangeLike | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        fault: str | None = None,
        seed: int = 0,
        rate_limit: Any = None,
        allow_non_loopback: bool = False,
        startup_timeout: float = 10.0,
        heartbeat_scale: float = 1.0,
        limits: ServeLimits | None = None,
    ) -> None:
        if not is_loopback(host) and not allow_non_loopback:
            raise InvalidArgument(
                f"refusing to serve on non-loopback host {host!r}: {NON_LOOPBACK_REASON}; "
                "pass allow_non_loopback=True if that is really what you want"
            )
        if exchange is not None and (fault is not None or rate_limit is not None):
            raise InvalidArgument(
                "pass fault/rate_limit to the exchange you built, not with exchange="
            )
        if exchange is None:
            from deribit_contract.exchange.simulator import SimulatedExchange

            exchange = SimulatedExchange(seed=seed, fault=fault, rate_limit=rate_limit)
        self.exchange: Any = exchange
        self.host = host
        self._requested_port = port
        self._startup_timeout = startup_timeout
        self._heartbeat_scale = heartbeat_scale
        self._limits = limits or ServeLimits()
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._sock is None:
            raise InvalidArgument("the server is not running; use it inside `with` or call start()")
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        """Base URL for HTTP, e.g. ``http://127.0.0.1:53211`` (append ``/api/v2/...``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """WebSocket URL, e.g. ``ws://127.0.0.1:53211/ws/api/v2``."""
        return "ws" + self.url[len("http") :] + WS_PATH

    def start(self) -> LocalExchangeServer:
        """Bind, start uvicorn in a daemon thread and wait until it accepts connections."""
        if self._thread is not None:
            raise InvalidArgument("the server is already running")
        self._sock = bind_socket(self.host, self._requested_port)
        self._server = uvicorn.Server(
            uvicorn_config(
                build_app(
                    self.exchange, heartbeat_scale=self._heartbeat_scale, limits=self._limits
                ),
                limits=self._limits,
            )
        )
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"deribit-sim:{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                port = self.port
                self.stop()
                raise TargetUnavailable(
                    f"the local exchange on {self.host}:{port} did not start within "
                    f"{self._startup_timeout:.0f} s"
                )
            time.sleep(0.005)
        return self

    def stop(self, *, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit, force it after ``timeout`` seconds, and release the port."""
        server, thread, sock = self._server, self._thread, self._sock
        self._server = self._thread = self._sock = None
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if sock is not None:
            sock.close()

    @property
    def running(self) -> bool:
        """True between a successful start() and stop()."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> LocalExchangeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._sock is not None else f"{self.host} (stopped)"
        return f"LocalExchangeServer({where})"
