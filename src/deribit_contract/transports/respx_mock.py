"""A respx router that makes any httpx client (sync or async) talk to the simulated exchange.

Users of the kit mock Deribit in their own unit tests with it: no server, no network, the
same answers the local staging server gives, because both go through ``gateway.handle_http``.
The pytest plugin exposes it as the ``deribit_mock`` fixture (``with deribit_mock() as m: yield m``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import respx

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.transports.gateway import ExchangeLike, handle_http

__all__ = ["DEFAULT_BASE_URL", "DeribitMock", "deribit_mock"]

DEFAULT_BASE_URL = "https://test.deribit.com"


def answer(
    exchange: ExchangeLike, request: httpx.Request, *, root_path: str = ""
) -> httpx.Response:
    """Answer one httpx request from the exchange (the respx side effect)."""
    path = request.url.path
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :] or "/"
    reply = handle_http(
        exchange,
        http_method=request.method,
        path=path,
        query=request.url.params.multi_items(),
        headers=request.headers,
        body=request.content,
        raw_uri=request.url.raw_path.decode("latin-1"),
    )
    return httpx.Response(
        reply.status,
        content=reply.body,
        headers={"content-type": reply.content_type, **dict(reply.headers)},
    )


class DeribitMock:
    """Mocks one Deribit host for httpx: ``with DeribitMock() as mock: ...``.

    Every request to ``base_url`` (default ``https://test.deribit.com``) is answered by
    ``mock.exchange``; requests to other hosts fail loudly unless ``assert_all_mocked=False``.
    Set state with ``mock.exchange.set_position(...)`` / ``set_book(...)``; inspect
    ``mock.calls`` (the JSON-RPC requests the exchange handled) or ``mock.router.calls`` (HTTP).
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        fault: str | None = None,
        seed: int = 0,
        rate_limit: Any = None,
        exchange: ExchangeLike | None = None,
        assert_all_mocked: bool = True,
        market: str = "static",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument(
                f"base_url must be an absolute http(s) URL like {DEFAULT_BASE_URL!r}, got {base_url!r}"
            )
        if exchange is not None and (
            fault is not None or rate_limit is not None or market != "static"
        ):
            raise InvalidArgument(
                "pass fault/rate_limit/market to the exchange you built, not with exchange="
            )
        if exchange is None:
            from deribit_contract.exchange.simulator import SimulatedExchange

            exchange = SimulatedExchange(
                seed=seed, fault=fault, rate_limit=rate_limit, market=market
            )
        self.exchange: Any = exchange
        self.base_url = base_url.rstrip("/")
        root_path = parts.path.rstrip("/")
        self.router = respx.MockRouter(
            base_url=self.base_url,
            assert_all_called=False,
            assert_all_mocked=assert_all_mocked,
        )
        self.router.route().mock(side_effect=lambda req: answer(exchange, req, root_path=root_path))

    @property
    def calls(self) -> list[Any]:
        """The requests the exchange handled, oldest first (the exchange's own record)."""
        return list(self.exchange.calls)

    def set_position(self, instrument_name: str, size: float, **kwargs: Any) -> None:
        """Shortcut for ``exchange.set_position``."""
        self.exchange.set_position(instrument_name, size, **kwargs)

    def get_position(self, instrument_name: str, **kwargs: Any) -> Any:
        """Shortcut for ``exchange.get_position``."""
        return self.exchange.get_position(instrument_name, **kwargs)

    def set_book(self, *args: Any, **kwargs: Any) -> None:
        """Shortcut for ``exchange.set_book``."""
        self.exchange.set_book(*args, **kwargs)

    def auth_headers(
        self, client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_CLIENT_SECRET
    ) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for an account of the simulated exchange.

        The token comes from the exchange's own ``public/auth`` (:meth:`SimulatedExchange.login`,
        so ``mock.calls`` shows that call); pass the headers to httpx for private methods.
        Raises :class:`InvalidArgument` when the exchange refuses the credentials.
        """
        return {"Authorization": f"Bearer {self.exchange.login(client_id, client_secret).token}"}

    def start(self) -> DeribitMock:
        """Begin intercepting httpx; prefer ``with``."""
        self.router.start()
        return self

    def stop(self) -> None:
        """Stop intercepting httpx."""
        self.router.stop()

    def __enter__(self) -> DeribitMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DeribitMock(base_url={self.base_url!r}, exchange={type(self.exchange).__name__})"


@contextmanager
def deribit_mock(
    *,
    fault: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    seed: int = 0,
    rate_limit: Any = None,
    exchange: ExchangeLike | None = None,
    assert_all_mocked: bool = True,
    market: str = "static",
) -> Iterator[DeribitMock]:
    """``with deribit_mock(fault=None, base_url=...) as mock:`` — httpx talks to a simulated Deribit.

    ``market="live"`` moves the mark, thins the book and lets other traders fill resting
    orders (:mod:`deribit_contract.exchange.market`); pass ``rate_limit`` for 10028 too.
    """
    mock = DeribitMock(
        base_url=base_url,
        fault=fault,
        seed=seed,
        rate_limit=rate_limit,
        exchange=exchange,
        assert_all_mocked=assert_all_mocked,
        market=market,
    )
    with mock:
        yield mock
