"""One contract run against one target: the shared session, judge, instruments and cleanup.

The pytest plugin builds a :class:`ContractRun` per test session (per xdist worker) and the
suite's tests reach it through the ``deribit_run`` fixture. Everything that must be shared
across tests lives here: one :class:`ExchangeSession` (so the order budget and the pacing are
run-wide), the :class:`ContractJudge` that records into the run's observations, the instruments
as the *target* lists them (tick, contract size, mark price from ``public/get_instrument`` and
``public/ticker``), and the :class:`Cleaner` that undoes the run's exposure.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from deribit_contract.contract.checks import ContractJudge
from deribit_contract.contract.cleanup import Cleaner, CleanupReport
from deribit_contract.contract.session import AmbiguousOutcome, BudgetExhausted, ExchangeSession
from deribit_contract.contract.target import OpenTarget, TargetSpec, open_target
from deribit_contract.errors import ContractViolation, RateLimited, TargetError, TargetUnavailable
from deribit_contract.redaction import Redactor
from deribit_contract.reporting.observations import RunObservations
from deribit_contract.strategies import Instrument

__all__ = [
    "AccountNotClean",
    "ContractRun",
    "Placed",
    "check_account",
    "position_of",
    "preflight_account",
]


def position_of(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The ``get_position`` result dict, or None when the answer carries none."""
    result = envelope.get("result")
    return result if isinstance(result, dict) else None


class AccountNotClean(TargetError):
    """The account holds positions or open orders on the instruments the run would trade."""


def check_account(session: ExchangeSession, instruments: tuple[str, ...]) -> None:
    """Refuse (before the first order) an account that is not flat or has open orders.

    The account is the user's: the run only ever undoes what it did itself, so it must start
    from nothing on every instrument it trades.
    """
    found = []
    for name in instruments:
        params = {"instrument_name": name}
        envelope = session.read("private/get_position", params)
        size = (position_of(envelope) or {}).get("size")
        if not isinstance(size, int | float) or isinstance(size, bool):
            raise AccountNotClean(
                f"cannot read the account's {name} position before trading "
                f"({envelope.get('error') or 'no size in the answer'}); set DERIBIT_CLIENT_ID "
                "and DERIBIT_CLIENT_SECRET to the target's API keys"
            )
        if size != 0:
            found.append(f"{name}: position {size:+g}")
        listed = session.read("private/get_open_orders_by_instrument", params).get("result")
        if isinstance(listed, list) and listed:
            found.append(f"{name}: {len(listed)} open order(s) {', '.join(_order_ids(listed))}")
    if found:
        raise AccountNotClean(
            "the account is not flat, refusing to place any order (the run never touches what "
            f"it did not open): {'; '.join(found)}. Use a dedicated testnet account, or choose "
            "other instruments with --instrument"
        )


def preflight_account(spec: TargetSpec, redactor: Redactor | None = None) -> None:
    """For a URL target, :func:`check_account` before the suite starts (one clear error).

    ``redactor`` is the run's: the tokens this check receives are masked in what the run
    prints (a target may echo one in the error it answers)."""
    if not spec.is_live:
        return  # a fresh simulation: nothing is held
    with open_target(spec, redactor=redactor) as target:
        check_account(target.session(budget=False), spec.instruments)


def _order_ids(orders: list[Any]) -> list[str]:
    return [
        o["order_id"] for o in orders if isinstance(o, dict) and isinstance(o.get("order_id"), str)
    ]


def _order_of(envelope: dict[str, Any]) -> dict[str, Any] | None:
    result = envelope.get("result")
    order = result.get("order") if isinstance(result, dict) else None
    return order if isinstance(order, dict) else None


@dataclass
class Placed:
    """An order-placing call as the suite saw it: what went out and what came back."""

    request: dict[str, Any]
    response: dict[str, Any] | None
    ambiguous: AmbiguousOutcome | None = None
    http_status: int | None = None
    #: why the answer was not a JSON-RPC envelope (HTML page, non-JSON body), if it was not
    transport_error: str | None = None


@dataclass(repr=False)
class ContractRun:
    """The state of one run (see the module docstring); use :meth:`start` / :meth:`finish`."""

    spec: TargetSpec
    mode: str = "observed"
    seed: str = ""
    observations: RunObservations = field(default_factory=RunObservations)
    target: OpenTarget | None = None
    session: ExchangeSession | None = None
    judge: ContractJudge | None = None
    cleaner: Cleaner | None = None
    instruments: dict[str, Instrument] = field(default_factory=dict)
    #: the last ``public/ticker`` result read per instrument (with the facts)
    tickers: dict[str, dict[str, Any]] = field(default_factory=dict)
    cleanup_report: CleanupReport | None = None
    #: the run's redaction (shared with whatever prints or writes the run's output)
    redactor: Redactor | None = None
    #: ids of the orders this run placed: the only orders it ever cancels
    own_orders: set[str] = field(default_factory=set)
    #: on budgeted runs, the violation each test already raised: Hypothesis' final replay of a
    #: failing example gets it again instead of placing the orders a second time
    failed: dict[str, ContractViolation] = field(default_factory=dict)
    #: the run's orders that answered "open" and were not settled yet, by id -> instrument
    resting: dict[str, str] = field(default_factory=dict)
    #: the last position read (any instrument), so a caller need not read it twice
    last_position: dict[str, Any] | None = None
    #: orders placed through other sessions than :attr:`session` (a second connection's)
    side_orders: int = 0
    #: the final state :meth:`settle` read of each order it settled
    last_settled: dict[str, dict[str, Any]] = field(default_factory=dict)
    _taken: dict[str, int] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)

    def __repr__(self) -> str:  # short: Hypothesis prints it with every failing example
        return f"ContractRun(target={self.spec.label!r}, mode={self.mode!r})"

    # Hypothesis' pretty printer (IPython's protocol, hence the positional bool)
    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: FBT001
        printer.text(repr(self))

    def start(self, *, sim_seed: int = 0) -> ContractRun:
        """Bring the target up and log in; raises TargetError if that is impossible."""
        self.observations.target = self.spec.label
        self.observations.mode = self.mode
        self.observations.seed = self.seed
        try:
            self.target = self._stack.enter_context(
                open_target(self.spec, seed=sim_seed, redactor=self.redactor)
            )
            self.session = self.target.session()
        except BaseException:
            self._stack.close()
            raise
        target = self.target
        self.judge = ContractJudge(
            self.observations,
            mode=self.mode,
            redactor=target.redactor,
            base_url=target.base_url,
            seed=self.seed,
        )
        self.cleaner = Cleaner(lambda: target.session(budget=False), self.own_orders)
        check_account(self.session, self.spec.instruments)
        return self

    def finish(self) -> None:
        """Clean up (even after failures), fold the session's counts in, stop the target."""
        try:
            if self.cleaner is not None and self.target is not None:
                self.cleanup_report = self.cleaner.run()
        finally:
            if self.session is not None:
                self.observations.orders += self.session.stats.orders
                self.observations.requests += self.session.stats.requests
                for code, count in sorted(self.session.stats.refusals.items()):
                    what = "throttled" if code == 10028 else "refused"  # neither was executed
                    self.observations.note_difference(
                        f"run: {what} ({code}) {count} time(s), backed off"
                    )
            self._stack.close()

    # --- helpers the suite uses -------------------------------------------------------------
    @property
    def live(self) -> bool:
        """True against a URL target."""
        return self.spec.is_live

    @property
    def budgeted(self) -> bool:
        """True when the run has an order budget (always on URL targets): it follows the plan."""
        return self.spec.order_budget is not None

    def take_example(self, key: str, *, limit: int = 1) -> bool:
        """On budgeted runs, True for the first ``limit`` examples of ``key`` only.

        The checks phase needs one example per kind, not Hypothesis' full count: each example
        costs requests against a rate-limited exchange. Unbudgeted runs take every example.
        """
        if not self.budgeted:
            return True
        taken = self._taken.get(key, 0)
        self._taken[key] = taken + 1
        return taken < limit

    def budget_left(self) -> int | None:
        """Orders the run may still place (None: unlimited)."""
        if self.spec.order_budget is None:
            return None
        spent = self.session.stats.orders if self.session is not None else 0
        return max(0, self.spec.order_budget - spent - self.side_orders)

    def ticker(self, name: str) -> dict[str, Any] | None:
        """A fresh ``public/ticker`` result for ``name`` (the band moves with the mark)."""
        result = self._session().read("public/ticker", {"instrument_name": name}).get("result")
        return result if isinstance(result, dict) else None

    def instrument(self, name: str, *, fresh: bool = False) -> Instrument:
        """The instrument as the target lists it: ticks, contract size, mark price.

        Without ``fresh``: the facts first read (Hypothesis strategies are built from these, so
        data generation does not depend on a moving mark). With ``fresh``: read again, for
        judging: a real exchange moves its mark between any two requests.
        """
        cached = self.instruments.get(name)
        if cached is not None and not fresh:
            return cached
        session = self._session()
        info = session.read("public/get_instrument", {"instrument_name": name}).get("result")
        ticker = session.read("public/ticker", {"instrument_name": name}).get("result")
        if not isinstance(info, dict) or not isinstance(ticker, dict):
            raise TargetError(
                f"{name}: public/get_instrument or public/ticker gave no result; is the "
                "instrument listed on this target? (choose others with --instrument)"
            )
        linear = info.get("instrument_type") == "linear" or info.get("settlement_currency") in (
            "USDC",
            "USDT",
        )
        instrument = Instrument(
            instrument_name=name,
            contract_size=float(info["contract_size"]),
            tick_size=float(info["tick_size"]),
            min_trade_amount=float(info["min_trade_amount"]),
            kind="linear" if linear else "inverse",
            fee_currency=str(info.get("settlement_currency", "")),
            reference_price=float(ticker.get("mark_price") or ticker.get("last_price") or 1.0),
        )
        self.instruments.setdefault(name, instrument)
        self.tickers[name] = ticker
        return instrument

    def _session(self) -> ExchangeSession:
        if self.session is None:
            raise TargetUnavailable("the contract run has not started (no session)")
        return self.session

    def position(self, name: str) -> dict[str, Any] | None:
        """``private/get_position`` for ``name`` (None when the target answers an error)."""
        self.last_position = position_of(
            self._session().read("private/get_position", {"instrument_name": name})
        )
        return self.last_position

    def open_orders(self, name: str) -> list[dict[str, Any]]:
        """``private/get_open_orders_by_instrument`` for ``name``."""
        listed = (
            self._session()
            .read("private/get_open_orders_by_instrument", {"instrument_name": name})
            .get("result")
        )
        return [o for o in listed if isinstance(o, dict)] if isinstance(listed, list) else []

    def place(
        self, method: str, params: dict[str, Any], *, session: ExchangeSession | None = None
    ) -> Placed:
        """Send an order-placing method once (never retried blindly) and capture the request.

        ``session``: another of the run's sessions (a second connection) instead of the main one.
        """
        session = session or self._session()
        name = params.get("instrument_name")
        if isinstance(name, str) and name in self.spec.instruments and self.cleaner is not None:
            self.cleaner.register(session, name)
        try:
            outcome = session.call(method, params)
        except (TargetUnavailable, RateLimited, BudgetExhausted):
            raise
        except TargetError as exc:  # an answer arrived, but it is not a JSON-RPC envelope
            client = self.target.client_of(session) if self.target is not None else None
            request = client.last_request if client is not None else {"method": method}
            status = client.last_status if client is not None else None
            return Placed(request, None, None, status, transport_error=str(exc))
        client = self.target.client_of(session) if self.target is not None else None
        request = client.last_request if client is not None else {"method": method}
        status = client.last_status if client is not None else None
        if isinstance(outcome, AmbiguousOutcome):
            # no answer: the orders open now on the instrument are the run's (the account was
            # checked free of open orders before the first order)
            for order_id in _order_ids(outcome.open_orders):
                self.own_orders.add(order_id)
                self.resting[order_id] = str(params.get("instrument_name"))
            return Placed(request, None, outcome, status)
        order = _order_of(outcome)
        if order is not None and isinstance(order.get("order_id"), str):
            self.own_orders.add(order["order_id"])
            if order.get("order_state") == "open":
                self.resting[order["order_id"]] = str(order.get("instrument_name", name))
        return Placed(request, outcome, None, status)

    def cancel_own(self, name: str) -> list[str]:
        """Settle the run's own orders on ``name`` that rest (never anyone else's orders).

        Only orders that answered ``open`` can rest (filled and cancelled orders never reopen),
        so no open-orders listing is needed per example; cleanup lists them once at the end.
        """
        ids = [order_id for order_id, where in self.resting.items() if where == name]
        for order_id in ids:
            self.settle(order_id)
        return ids

    def settle(self, order_id: str) -> dict[str, Any] | None:
        """Cancel the run's order ``order_id`` if it still rests, then read its final state.

        The position is compared with the final ``filled_amount``: other traders may have filled
        part of a resting order between its answer and now. 11044 (not open any more) is fine.
        """
        if order_id not in self.own_orders:
            raise ValueError(f"order {order_id} was not placed by this run; never cancel it")
        session = self._session()
        self.resting.pop(order_id, None)
        session.read("private/cancel", {"order_id": order_id})
        state = session.read("private/get_order_state", {"order_id": order_id}).get("result")
        if not isinstance(state, dict):
            return None
        self.last_settled[order_id] = state
        return state
