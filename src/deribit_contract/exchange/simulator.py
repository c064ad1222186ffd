"""The simulated Deribit: one JSON-RPC request in, one full response envelope out.

``SimulatedExchange.handle`` is the single door of every transport and direct test: it validates
the request, checks auth and rate limits, runs the method, stamps ``usIn``/``usOut``/``usDiff``/
``testnet`` like live Deribit, applies the fault, and records the call. It never raises (anything
unexpected is 11094 ``internal_server_error``); a re-entrant lock makes it thread-safe.

Behaviour chosen where Deribit's is unknown or cannot be simulated (documented for users):

* close_position on a flat position: error 11030 ``other_reject`` with data
  ``{"reason": "no open position", "param": "instrument_name"}``. No capture of the real answer
  exists; 11030 is Deribit's documented catch-all for rare rejects with a reason attached.
* close_position with ``type=limit`` needs ``price`` here (-32602 ``value required``); the docs
  mark price optional without saying what a priceless limit close does.
* A market order that exhausts the book fills what it can and ends ``cancelled`` (static market).
* Resting orders never fill on the default (static) market: the book's liquidity is the only
  counterparty. ``market="live"`` (:mod:`deribit_contract.exchange.market`) moves the mark,
  thins the book, lets other traders fill resting orders, rests market remainders at the band
  and refuses a few requests with 10040/13028.
* On both markets a limit price beyond the ticker's band (``min_price``/``max_price``) is
  clamped to the band edge, whatever its tick, as Deribit answered its own close example.
* A reduce-only order (buy/sell, edit) is cut to what the position allows; one that cannot reduce
  anything gets 11030. Resting ones follow the position (:mod:`.reduce_only`, ``facts.REDUCE_ONLY``).
* ``jsonrpc`` may be omitted (HTTP GET requests carry none); if present it must be ``"2.0"``.
  Unknown params are ignored, as Deribit does. A method name with a leading ``/``
  (``"/public/auth"``, as some published clients send) is the same method.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from deribit_contract.errors import InvalidArgument
from deribit_contract.exchange import events, handlers, methods
from deribit_contract.exchange.accounts import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_TTL_SECONDS,
    Accounts,
)
from deribit_contract.exchange.auth import require_scope
from deribit_contract.exchange.book import Book
from deribit_contract.exchange.clock import Clock, FakeClock
from deribit_contract.exchange.faults import FAULTS, NO_TWEAKS, Fault, corrupt_close_response
from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument
from deribit_contract.exchange.jsonrpc import (
    Auth,
    ErrorCode,
    error_envelope,
    method_name,
    success_envelope,
)
from deribit_contract.exchange.market import MARKETS, LiveMarket, MarketConfig
from deribit_contract.exchange.orders import Position
from deribit_contract.exchange.params import RpcError, parse_request, request_id_of
from deribit_contract.exchange.ratelimit import (
    MATCHING_ENGINE_METHODS,
    CreditBuckets,
    RateLimitConfig,
)
from deribit_contract.exchange.trading import Venue

__all__ = ["CALLS_KEPT", "HISTORY_KEPT", "Call", "Listener", "SimulatedExchange"]

#: called after a request changed accounts' orders, trades or positions
Listener = Callable[[list[events.AccountChange]], None]

CLOSE_POSITION = "private/close_position"
#: requests (with their responses) kept in :attr:`SimulatedExchange.calls`: a long-running
#: ``serve`` must not grow without bound, and tests only ever look at the recent ones
CALLS_KEPT = 1_000
#: finished orders (with their trades) kept for order-state and trade queries; open orders are
#: always kept. Bounds ``serve``'s memory however long it runs.
HISTORY_KEPT = 10_000
_CALL_GAP_US = 1000  # simulated time between two requests, so ms timestamps move per call


class Call(NamedTuple):
    """One handled request: its method ("" when unreadable), params and the response sent."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any]


class SimulatedExchange:
    """A deterministic, in-memory Deribit for ``private/close_position`` contract runs.

    ``seed`` fixes the books, tokens, ids and timings; ``fault`` selects one of :data:`FAULTS`;
    ``rate_limit`` meters matching-engine methods; ``accounts`` maps client ids to secrets
    (default: one account, :data:`DEFAULT_CLIENT_ID`); ``clock`` defaults to a
    :class:`FakeClock`; ``positions`` seeds the default account (instrument -> signed size);
    ``calls_kept`` bounds the ring of recent :attr:`calls` (default :data:`CALLS_KEPT`) and
    ``history_kept`` the finished orders remembered (default :data:`HISTORY_KEPT`);
    ``market`` is ``"static"`` (default) or ``"live"`` (see :mod:`~deribit_contract.exchange.market`).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        fault: str | None = None,
        rate_limit: RateLimitConfig | None = None,
        accounts: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        positions: Mapping[str, float] | None = None,
        testnet: bool = True,
        token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS,
        calls_kept: int | None = CALLS_KEPT,
        history_kept: int = HISTORY_KEPT,
        market: str = "static",
        market_config: MarketConfig | None = None,
    ) -> None:
        if fault is not None and fault not in FAULTS:
            raise InvalidArgument(f"unknown fault {fault!r}; expected one of: {', '.join(FAULTS)}")
        if market not in MARKETS:
            raise InvalidArgument(
                f"unknown market {market!r}; expected one of: {', '.join(MARKETS)}"
            )
        self.market = market
        self._market = LiveMarket(seed=seed, config=market_config) if market == "live" else None
        self.seed = seed
        self.fault: Fault | None = FAULTS[fault] if fault is not None else None
        self.clock: Clock = clock if clock is not None else FakeClock()
        self.testnet = testnet
        #: the most recent ``calls_kept`` requests, oldest first (None keeps every one)
        self.calls: deque[Call] = deque(maxlen=calls_kept)
        self._history_kept = history_kept
        self._accounts = Accounts(
            accounts if accounts is not None else {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET},
            seed=seed,
            token_ttl_seconds=token_ttl_seconds,
        )
        self._venue = Venue(
            seed=seed,
            live_rules=market == "live",
            tweaks=self.fault.tweaks if self.fault is not None else NO_TWEAKS,
        )
        self._limits = CreditBuckets(rate_limit) if rate_limit is not None else None
        self._rng = random.Random(f"deribit-contract:usdiff:{seed}")
        self._lock = threading.RLock()
        self._handlers: dict[str, Callable[[methods.Context], Any]] = dict(handlers.HANDLERS)
        self._listeners: list[Listener] = []
        for name, size in (positions or {}).items():
            self.set_position(name, size)

    @property
    def default_client_id(self) -> str:
        """The account ``set_position``/``get_position`` use when no client id is given."""
        return self._accounts.client_ids[0]

    @property
    def method_names(self) -> tuple[str, ...]:
        """Every method the simulation answers."""
        return tuple(self._handlers)

    def transport_fault(self, message: object) -> str | None:
        """The transport-level fault (``"html_500"``) to render for ``message``, if any."""
        fault = self.fault
        if fault is None or fault.transport is None:
            return None
        raw = message.get("method") if isinstance(message, dict) else None
        if isinstance(raw, str) and method_name(raw) == CLOSE_POSITION:
            return fault.transport
        return None

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with what each later request changed; returns the remover."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def client_for(self, auth: Auth) -> str | None:
        """The account a bearer token acts for now (None when absent, unknown or expired)."""
        if auth.kind != "bearer":
            return None
        with self._lock:
            try:
                return self._accounts.authorize(auth, None, now_us=self.clock.now_us())
            except RpcError:
                return None

    def ticker(self, instrument_name: str) -> dict[str, Any]:
        """The ``public/ticker`` result for ``instrument_name`` now (no call is recorded)."""
        name = _instrument(instrument_name).name
        return dict(self._view("public/ticker", {"instrument_name": name}))

    def market_view(self, method: str, params: dict[str, Any]) -> Any:
        """A public method's result now, as subscriptions read it (no call is recorded)."""
        return self._view(method, params)

    def account_summary(self, client_id: str, currency: str) -> dict[str, Any]:
        """``private/get_account_summary`` of ``client_id`` in ``currency`` now, as the
        ``user.portfolio`` channel sends it (no call is recorded, no rate limit spent)."""
        return dict(self._view("private/get_account_summary", {"currency": currency}, client_id))

    def _view(self, method: str, params: dict[str, Any], client_id: str | None = None) -> Any:
        with self._lock:
            user_id = self._accounts.user_ids.get(client_id or "", 0)
            ctx = methods.Context(
                method, params, client_id, user_id, self.clock.now_us(), self._venue, self._accounts
            )
            return self._handlers[method](ctx)

    def handle(self, message: object, *, auth: Auth = Auth()) -> dict[str, Any]:  # noqa: B008
        """Answer one parsed JSON-RPC request with a full envelope; never raises."""
        with self._lock:
            listeners = tuple(self._listeners)
            before = events.mark(self._venue)  # always: it bounds what orders note to a request
            envelope = self._handle(message, auth)
            changes = events.changes_since(self._venue, before) if listeners else []
            # after the changes are known: forgetting shifts the counts events.mark keeps
            self._venue.forget_finished(keep=self._history_kept)
        for listener in listeners if changes else ():
            listener(changes)
        return envelope

    def login(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        *,
        scope: str | None = None,
    ) -> Auth:
        """A bearer :class:`Auth` from this exchange's own client_credentials ``public/auth``
        (asking for ``scope`` when given).

        The login is a request like any other (``calls`` shows it); pass the result as
        ``handle(..., auth=...)`` or send ``Authorization: Bearer <token>`` to a transport.
        Raises :class:`InvalidArgument` when the exchange refuses the credentials.
        """
        params = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        if scope is not None:
            params["scope"] = scope
        reply = self.handle({"jsonrpc": "2.0", "id": 0, "method": "public/auth", "params": params})
        result = reply.get("result")
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str):
            raise InvalidArgument(
                f"the simulated exchange refused {client_id!r}: {reply.get('error')}"
            )
        return Auth(kind="bearer", token=token)

    def _handle(self, message: object, auth: Auth) -> dict[str, Any]:
        with self._lock:
            us_in = self.clock.now_us()
            method, request_id = "", None
            params: dict[str, Any] = {}
            ctx: methods.Context | None = None
            try:
                request_id = request_id_of(message)
                method, params, token = parse_request(message, self._handlers)
                if self._market is not None:
                    self._market.step(self._venue, now_ms=us_in // 1000)
                ctx = self._context(method, params, token, auth, us_in)
                result: Any = self._handlers[method](ctx)
                error: RpcError | None = None
            except RpcError as exc:
                error = exc
            except Exception as exc:  # the simulation must answer, never crash a transport
                error = RpcError(
                    ErrorCode.INTERNAL_SERVER_ERROR,
                    "internal_server_error",
                    {"reason": f"{type(exc).__name__}: {exc}"},
                )
            self.clock.tick(self._rng.randint(40, 400))
            us_out = max(self.clock.now_us(), us_in)
            self.clock.tick(_CALL_GAP_US)
            if error is None:
                envelope = success_envelope(
                    request_id, result, us_in=us_in, us_out=us_out, testnet=self.testnet
                )
            else:
                envelope = error_envelope(
                    request_id,
                    error.code,
                    error.message,
                    data=error.data,
                    us_in=us_in,
                    us_out=us_out,
                    testnet=self.testnet,
                )
            if self.fault is not None and ctx is not None and ctx.close_context is not None:
                corrupt_close_response(self.fault, envelope, ctx.close_context)
            self.calls.append(Call(method, params, envelope))
            return envelope

    def set_position(
        self,
        instrument_name: str,
        size: float,
        *,
        client_id: str | None = None,
        average_price: float | None = None,
    ) -> None:
        """Seed a position: signed ``size`` (+long/-short) in the instrument's amount unit.

        ``average_price`` defaults to the instrument's mark price.
        """
        with self._lock:
            instrument = _instrument(instrument_name)
            cid = self._client(client_id)
            amount = Decimal(str(size))
            if amount != 0 and instrument.amount_problem(abs(amount)) is not None:
                raise InvalidArgument(
                    f"size {size} for {instrument_name}: {instrument.amount_problem(abs(amount))}"
                    f" (contract size {instrument.contract_size})"
                )
            book = self._venue.books[instrument.name]
            entry = Decimal(str(average_price)) if average_price is not None else book.mark_price
            if amount != 0 and entry <= 0:
                raise InvalidArgument(f"average_price must be > 0, got {average_price}")
            self._venue.positions[(cid, instrument.name)] = Position(
                instrument, amount, entry if amount != 0 else Decimal(0)
            )
            self._venue.follow_position(cid, instrument, now_ms=self.clock.now_us() // 1000)

    def get_position(self, instrument_name: str, *, client_id: str | None = None) -> dict[str, Any]:
        """The account's position, shaped like the ``private/get_position`` result."""
        with self._lock:
            instrument = _instrument(instrument_name)
            book = self._venue.books[instrument.name]
            position = self._venue.position(self._client(client_id), instrument)
            return position.to_json(mark_price=book.mark_price, index_price=book.index_price)

    def set_book(
        self,
        instrument_name: str,
        *,
        bids: Sequence[tuple[float, float]],
        asks: Sequence[tuple[float, float]],
    ) -> None:
        """Replace the instrument's market liquidity with ``(price, amount)`` levels.

        The mark price becomes the new mid (or the one best price when a side is empty).
        """
        with self._lock:
            instrument = _instrument(instrument_name)
            self._venue.books[instrument.name] = Book.from_levels(instrument, bids=bids, asks=asks)

    def _client(self, client_id: str | None) -> str:
        if client_id is None:
            return self.default_client_id
        if client_id not in self._accounts.client_ids:
            raise InvalidArgument(
                f"unknown client_id {client_id!r}; configured: {', '.join(self._accounts.client_ids)}"
            )
        return client_id

    def _context(
        self, method: str, params: dict[str, Any], token: str | None, auth: Auth, now_us: int
    ) -> methods.Context:
        client_id: str | None = None
        if method.startswith("private/"):
            client_id = self._accounts.authorize(auth, token, now_us=now_us)
            tweaks = self.fault.tweaks if self.fault is not None else NO_TWEAKS
            if not (method == CLOSE_POSITION and tweaks.ignore_scope):
                require_scope(method, self._accounts.scope_of(auth, token))
            if self._limits is not None and not self._limits.try_spend(
                client_id, method, now_us=now_us
            ):
                raise RpcError(ErrorCode.TOO_MANY_REQUESTS, "too_many_requests")
            if self._market is not None and method in MATCHING_ENGINE_METHODS:
                refusal = self._market.refusal()
                if refusal is not None:
                    raise RpcError(refusal)
        return methods.Context(
            method=method,
            params=params,
            client_id=client_id,
            user_id=self._accounts.user_ids.get(client_id or "", 0),
            now_us=now_us,
            venue=self._venue,
            accounts=self._accounts,
            tweaks=self.fault.tweaks if self.fault is not None else NO_TWEAKS,
        )


def _instrument(name: str) -> Instrument:
    instrument = INSTRUMENTS.get(name)
    if instrument is None:
        raise InvalidArgument(
            f"unknown instrument {name!r}; the simulation lists: {', '.join(INSTRUMENTS)}"
        )
    return instrument
