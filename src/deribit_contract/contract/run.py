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
from deribit_contract.errors import RateLimited, TargetError, TargetUnavailable
from deribit_contract.redaction import Redactor
from deribit_contract.reporting.observations import RunObservations
from deribit_contract.strategies import Instrument

__all__ = ["ContractRun", "Placed", "position_of"]


def position_of(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The ``get_position`` result dict, or None when the answer carries none."""
    result = envelope.get("result")
    return result if isinstance(result, dict) else None


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
    cleanup_report: CleanupReport | None = None
    #: the run's redaction (shared with whatever prints or writes the run's output)
    redactor: Redactor | None = None
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
        self.cleaner = Cleaner(lambda: target.session(budget=False))
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
                if self.session.stats.throttled:
                    self.observations.note_difference(
                        f"run: throttled (10028) {self.session.stats.throttled} time(s), backed off"
                    )
            self._stack.close()

    # --- helpers the suite uses -------------------------------------------------------------
    @property
    def live(self) -> bool:
        """True against a URL target."""
        return self.spec.is_live

    def instrument(self, name: str) -> Instrument:
        """The instrument as the target lists it (cached): ticks, contract size, mark price."""
        cached = self.instruments.get(name)
        if cached is not None:
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
        self.instruments[name] = instrument
        return instrument

    def _session(self) -> ExchangeSession:
        if self.session is None:
            raise TargetUnavailable("the contract run has not started (no session)")
        return self.session

    def position(self, name: str) -> dict[str, Any] | None:
        """``private/get_position`` for ``name`` (None when the target answers an error)."""
        return position_of(self._session().read("private/get_position", {"instrument_name": name}))

    def open_orders(self, name: str) -> list[dict[str, Any]]:
        """``private/get_open_orders_by_instrument`` for ``name``."""
        listed = (
            self._session()
            .read("private/get_open_orders_by_instrument", {"instrument_name": name})
            .get("result")
        )
        return [o for o in listed if isinstance(o, dict)] if isinstance(listed, list) else []

    def place(self, method: str, params: dict[str, Any]) -> Placed:
        """Send an order-placing method once (never retried blindly) and capture the request."""
        session = self._session()
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
            return Placed(request, None, outcome, status)
        return Placed(request, outcome, None, status)
