"""Which implementation a contract run talks to, and how to open careful sessions to it.

A run has exactly one target: ``local`` (the kit's simulated exchange on a free loopback port,
started for the run), ``mock`` (the same simulation behind a respx router, no sockets) or a URL
(``http(s)://`` speaks Deribit's HTTP JSON-RPC, ``ws(s)://`` its WebSocket API). URLs pass the
production guard before a single request; credentials come from ``DERIBIT_CLIENT_ID`` and
``DERIBIT_CLIENT_SECRET``. The local and mock targets accept those credentials when they are set
(so a test can plant a secret) and the simulation's well-known default account otherwise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import httpx

from deribit_contract.contract.plan import check_budget
from deribit_contract.contract.session import ExchangeSession
from deribit_contract.errors import InvalidArgument, TargetError
from deribit_contract.exchange import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FAULTS
from deribit_contract.exchange.clock import FakeClock
from deribit_contract.exchange.market import MARKETS
from deribit_contract.exchange.ratelimit import RateLimitConfig
from deribit_contract.exchange.simulator import SimulatedExchange
from deribit_contract.guard import TargetDecision, check_target, strip_userinfo
from deribit_contract.redaction import Redactor, require_strong_secret
from deribit_contract.transports.client import HttpJsonRpcClient, JsonRpcClient

__all__ = [
    "CLIENT_ID_ENV",
    "CLIENT_SECRET_ENV",
    "DEFAULT_INSTRUMENTS",
    "LIVE_ORDER_BUDGET",
    "REMOTE_INSTRUMENTS",
    "OpenTarget",
    "TargetSpec",
    "open_target",
    "parse_target",
    "preflight",
]

CLIENT_ID_ENV = "DERIBIT_CLIENT_ID"
CLIENT_SECRET_ENV = "DERIBIT_CLIENT_SECRET"
#: what the simulation lists; a run against it exercises inverse and linear perpetuals
DEFAULT_INSTRUMENTS: tuple[str, ...] = ("BTC-PERPETUAL", "ETH-PERPETUAL", "BTC_USDC-PERPETUAL")
#: a remote run trades one inverse and one linear perpetual unless told otherwise
REMOTE_INSTRUMENTS: tuple[str, ...] = ("BTC-PERPETUAL", "BTC_USDC-PERPETUAL")
#: orders a remote run may place when the user sets no budget
LIVE_ORDER_BUDGET = 60
# Deribit's low-volume matching-engine limit is 5 requests/s; stay well under it on live targets.
_LIVE_MIN_ORDER_INTERVAL_S = 0.25


@dataclass(frozen=True)
class TargetSpec:
    """A target as the user named it, already judged by the guard (for URLs)."""

    kind: str  # "local", "mock" or "url"
    url: str = ""
    fault: str | None = None
    decision: TargetDecision | None = None
    instruments: tuple[str, ...] = DEFAULT_INSTRUMENTS
    order_budget: int | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    #: the simulated market of local/mock targets: "static" or "live" (moving, rate-limited)
    market: str = "static"

    @property
    def is_live(self) -> bool:
        """True for any URL target: real orders, shared budget, no simulation behind it."""
        return self.kind == "url"

    @property
    def label(self) -> str:
        """How headers and summaries name the target (never with credentials)."""
        if self.kind == "url":
            return self.url
        return f"{self.kind}{f' (fault {self.fault})' if self.fault else ''}"


def parse_target(
    value: str,
    *,
    fault: str | None = None,
    allow_hosts: Sequence[str] = (),
    instruments: Sequence[str] = (),
    order_budget: int | None = None,
    environ: Mapping[str, str] | None = None,
    market: str = "static",
) -> TargetSpec:
    """Judge ``value`` (``local``, ``mock`` or a URL) before anything is contacted.

    Raises :class:`~deribit_contract.errors.TargetRefused` when the guard refuses a URL and
    :class:`~deribit_contract.errors.InvalidArgument` for a fault on a URL target, an unknown
    fault or a negative budget.
    """
    env = os.environ if environ is None else environ
    if fault is not None and fault not in FAULTS:
        raise InvalidArgument(f"unknown fault {fault!r}; expected one of: {', '.join(FAULTS)}")
    if order_budget is not None and order_budget < 0:
        raise InvalidArgument(f"order budget must be >= 0, got {order_budget}")
    if market not in MARKETS:
        raise InvalidArgument(f"unknown market {market!r}; expected one of: {', '.join(MARKETS)}")
    if value in ("local", "mock"):
        check_budget(order_budget, len(instruments) or len(DEFAULT_INSTRUMENTS))
    else:
        check_budget(
            LIVE_ORDER_BUDGET if order_budget is None else order_budget,
            len(instruments) or len(REMOTE_INSTRUMENTS),
        )
    client_id = env.get(CLIENT_ID_ENV) or None
    client_secret = env.get(CLIENT_SECRET_ENV) or None
    require_strong_secret(client_secret, CLIENT_SECRET_ENV)
    if value in ("local", "mock"):
        return TargetSpec(
            kind=value,
            fault=fault,
            instruments=tuple(instruments) or DEFAULT_INSTRUMENTS,
            order_budget=order_budget,
            client_id=client_id,
            client_secret=client_secret,
            market=market,
        )
    if "://" not in value:
        raise InvalidArgument(
            f"target {value!r} is neither 'local', 'mock' nor a URL like https://test.deribit.com"
        )
    if fault is not None:
        raise InvalidArgument(
            "--deribit-fault/--fault selects a fault of the simulated exchange; it only applies "
            "to the local and mock targets"
        )
    if market != "static":
        raise InvalidArgument(
            "--market selects the simulated exchange's market; a URL target has its own "
            "(serve the simulator with `deribit-contract serve --market live` to point at it)"
        )
    decision = check_target(value, allow_hosts=allow_hosts, environ=env)
    # Credentials in the URL (https://id:secret@host) are the run's credentials when the
    # environment names none; the URL itself is kept without them, so no printed URL has them.
    parts = urlsplit(decision.url)
    if parts.username and parts.password and not (client_id and client_secret):
        client_id, client_secret = unquote(parts.username), unquote(parts.password)
        require_strong_secret(client_secret, "the password in the target URL")
    return TargetSpec(
        kind="url",
        url=strip_userinfo(decision.url).rstrip("/"),
        decision=decision,
        instruments=tuple(instruments) or REMOTE_INSTRUMENTS,
        order_budget=LIVE_ORDER_BUDGET if order_budget is None else order_budget,
        client_id=client_id,
        client_secret=client_secret,
    )


def preflight(spec: TargetSpec, *, timeout: float = 10.0) -> None:
    """One harmless read against a URL target before the suite starts.

    An unreachable host, a proxy's HTML page or a wrong path would otherwise surface as a
    failure in every test; this turns it into one clear error (a :class:`TargetError`) instead.
    ``public/get_instrument`` is on the list of methods the kit may call on a remote target.
    """
    if not spec.is_live:
        return
    client: JsonRpcClient
    if spec.url.startswith(("ws://", "wss://")):
        from deribit_contract.transports.ws_client import WsJsonRpcClient

        client = WsJsonRpcClient(spec.url, timeout=timeout)
    else:
        client = HttpJsonRpcClient(spec.url, timeout=timeout)
    try:
        envelope = client.call("public/get_instrument", {"instrument_name": spec.instruments[0]})
    finally:
        client.close()
    if "result" not in envelope and "error" not in envelope:
        raise TargetError(
            f"{spec.url} answered public/get_instrument without a JSON-RPC result or error "
            f"(keys: {sorted(envelope)}); is this a Deribit API root?"
        )


@dataclass
class OpenTarget:
    """A target that is up: sessions can be opened to it until the ``open_target`` block ends."""

    spec: TargetSpec
    base_url: str
    redactor: Redactor
    #: the simulation behind local/mock targets (None for URLs): tests read server-side counts
    exchange: SimulatedExchange | None = None
    _transport: httpx.BaseTransport | None = None
    _clients: list[JsonRpcClient] = field(default_factory=list)
    _by_session: dict[int, JsonRpcClient] = field(default_factory=dict)

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(client id, secret) the sessions authenticate with, or None without credentials."""
        if self.spec.client_id and self.spec.client_secret:
            return self.spec.client_id, self.spec.client_secret
        if not self.spec.is_live:
            return DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        return None

    @property
    def other_url(self) -> str | None:
        """The target over its other protocol (HTTP <-> WebSocket, same host and port), or None
        for the in-process mock, which has no socket to open."""
        if self.spec.kind == "mock":
            return None
        from deribit_contract.contract.notifications import other_protocol_url

        return other_protocol_url(self.base_url)

    def client(self, *, timeout: float = 10.0, url: str | None = None) -> JsonRpcClient:
        """A fresh, unauthenticated client of the target's protocol (or of ``url``'s, a URL
        of this same target: :attr:`other_url`)."""
        client: JsonRpcClient
        where = url or self.base_url
        if where.startswith(("ws://", "wss://")):
            from deribit_contract.transports.ws_client import WsJsonRpcClient

            client = WsJsonRpcClient(where, timeout=timeout)
        else:
            client = HttpJsonRpcClient(where, timeout=timeout, transport=self._transport)
        client.learn = self.redactor.learn_token  # tokens are secrets from the moment they arrive
        client.mask = self.redactor.text
        self._clients.append(client)
        return client

    def session(
        self,
        *,
        authenticate: bool = True,
        budget: bool = True,
        url: str | None = None,
        order_budget: int | None = None,
    ) -> ExchangeSession:
        """An :class:`ExchangeSession` with the run's pacing, logged in when possible.

        ``budget=False`` gives a session without the order budget (cleanup only);
        ``order_budget`` a smaller one (a second connection's share of the run's); ``url`` another
        protocol of this target (:attr:`other_url`).
        """
        creds = self.credentials if authenticate else None
        client = self.client(url=url)
        clock = self.exchange.clock if self.exchange is not None else None
        session = ExchangeSession(
            client,
            client_id=creds[0] if creds else None,
            client_secret=creds[1] if creds else None,
            order_budget=(order_budget if order_budget is not None else self.spec.order_budget)
            if budget
            else None,
            min_interval_s=_LIVE_MIN_ORDER_INTERVAL_S if self.spec.is_live else 0.0,
            # an in-process simulation on simulated time: backing off moves its clock (the
            # credits refill) instead of the run's wall clock, so throttled runs stay fast
            # and the same seed still gives the same bytes
            sleep=_advancer(clock) if isinstance(clock, FakeClock) else time.sleep,
        )
        self._by_session[id(session)] = client
        if creds:
            session.authenticate()
        return session

    def client_of(self, session: ExchangeSession) -> JsonRpcClient | None:
        """The traced client behind a session this target opened."""
        return self._by_session.get(id(session))

    def close(self) -> None:
        """Close every client this target handed out."""
        for client in self._clients:
            client.close()
        self._clients.clear()


def _advancer(clock: FakeClock) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return sleep


@contextmanager
def open_target(
    spec: TargetSpec, *, seed: int = 0, redactor: Redactor | None = None
) -> Iterator[OpenTarget]:
    """Bring ``spec`` up for a ``with`` block: start the local server or the mock, or just
    point at the URL (already approved by the guard). Secrets are registered for redaction in
    ``redactor`` (the run's, when the caller has one), and so is every token a client receives."""
    redactor = redactor if redactor is not None else Redactor()
    redactor.add(spec.client_secret)
    if spec.client_id and spec.client_secret:
        redactor.add_basic_credentials(spec.client_id, spec.client_secret)
    with ExitStack() as stack:
        if spec.kind == "url":
            target = OpenTarget(spec, spec.url, redactor)
        else:
            accounts = None
            if spec.client_id and spec.client_secret:
                accounts = {spec.client_id: spec.client_secret}
            live = spec.market == "live"
            exchange = SimulatedExchange(
                seed=seed,
                fault=spec.fault,
                accounts=accounts,
                market=spec.market,
                rate_limit=RateLimitConfig() if live else None,
            )
            if spec.kind == "local":
                from deribit_contract.transports.server import LocalExchangeServer

                server = stack.enter_context(LocalExchangeServer(exchange=exchange))
                target = OpenTarget(spec, server.url, redactor, exchange)
            else:
                from deribit_contract.transports.respx_mock import DEFAULT_BASE_URL, DeribitMock

                mock = DeribitMock(exchange=exchange)
                # the router answers as an httpx transport: nothing is patched process-wide,
                # so the user's own httpx clients (and other workers) are left alone
                transport = httpx.MockTransport(mock.router.handler)
                target = OpenTarget(spec, DEFAULT_BASE_URL, redactor, exchange, transport)
        stack.callback(target.close)
        yield target
