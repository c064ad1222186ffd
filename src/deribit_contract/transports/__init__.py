"""Doors into the simulated exchange, and clients for any Deribit-shaped target.

* :func:`deribit_mock` / :class:`DeribitMock` — a respx router for httpx tests (no server);
* :class:`LocalExchangeServer` — the ASGI app on 127.0.0.1 over HTTP and WebSocket;
* :class:`HttpJsonRpcClient` / :class:`WsJsonRpcClient` — the :class:`JsonRpcClient` protocol.

Submodules are imported lazily so ``import deribit_contract.transports.client`` does not pull in
uvicorn or Starlette.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DeribitMock",
    "HttpJsonRpcClient",
    "JsonRpcClient",
    "LocalExchangeServer",
    "WsJsonRpcClient",
    "build_app",
    "deribit_mock",
]

_HOME = {
    "DeribitMock": "respx_mock",
    "deribit_mock": "respx_mock",
    "LocalExchangeServer": "server",
    "build_app": "asgi",
    "HttpJsonRpcClient": "client",
    "JsonRpcClient": "client",
    "WsJsonRpcClient": "ws_client",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
