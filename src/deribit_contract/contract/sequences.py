"""Running a sequence of steps on one instrument and judging reduce-only over its whole life.

A :class:`SequenceRun` wraps the run for one sequence: each :meth:`~SequenceRun.step` reads the
position, sends its calls (one after another, or two at once on two connections), reads the
position and then the open orders, and has the judge apply the sequence rules
(:mod:`deribit_contract.invariants.sequence`). :meth:`~SequenceRun.finish` settles what the run
left resting (cancelled by id, final states read) and compares the notifications of the
account's subscriptions with every answer (``notifications.match_answers``).

On a live market a resting order can be filled or adjusted by the engine at any moment, so a
breach of ``sequence.open_within_position`` is read again (:data:`RECHECKS` times,
:data:`RECHECK_PAUSE_S` apart) before it is reported: an engine that adjusts a moment later is
not wrong, one that never does is.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deribit_contract.contract.notifications import (
    InProcessListener,
    NotificationListener,
    user_channels,
)
from deribit_contract.contract.run import ContractRun, Placed
from deribit_contract.contract.session import ExchangeSession
from deribit_contract.errors import TargetError, TargetRefused, TargetUnavailable
from deribit_contract.invariants import SequenceRecorder, Step
from deribit_contract.invariants.sequence import open_within_position

__all__ = ["NOTIFICATION_WAIT_S", "RECHECKS", "RECHECK_PAUSE_S", "SequenceRun"]

#: how long the notifications may lag behind the answers before they count as disagreeing
NOTIFICATION_WAIT_S = 3.0
#: re-reads of the open orders before an excess over the position is reported, and the pause
RECHECKS = 3
RECHECK_PAUSE_S = 0.5
_Call = tuple[str, dict[str, Any]]


class SequenceRun:
    """One judged sequence on ``instrument_name`` (see the module docstring)."""

    def __init__(self, run: ContractRun, instrument_name: str, *, test: str) -> None:
        self.run = run
        self.name = instrument_name
        self.test = test
        self.recorder = SequenceRecorder(instrument_name)
        self.listener: NotificationListener | InProcessListener | None = None
        self._side: ExchangeSession | None = None
        self._side_seen = (0, 0)

    # --- connections ---------------------------------------------------------------------
    def listen(self) -> bool:
        """Subscribe to the account's ``user.*`` channels of the instrument (on the in-process
        mock: its simulation's change feed); False when there is nothing to listen on (noted)."""
        target = self.run.target
        url = None
        if target is not None:
            url = target.base_url if target.base_url.startswith("ws") else target.other_url
        creds = target.credentials if target is not None else None
        if target is not None and target.exchange is not None and url is None and creds:
            # the in-process mock: the simulation's own change feed, as its socket would send it
            self.listener = InProcessListener(target.exchange, creds[0], user_channels(self.name))
            return True
        if url is None or creds is None:
            self.run.observations.note_difference(
                "notifications: not compared on this target (no WebSocket to subscribe on)"
            )
            return False
        listener = NotificationListener(url)
        listener.learn = target.redactor.learn_token if target is not None else None
        try:
            listener.authenticate(*creds)
            listener.subscribe(user_channels(self.name))
        except TargetRefused:
            listener.close()
            raise  # the guard's verdict (a redirect...) is never softened
        except TargetError as exc:
            # a target without a usable WebSocket (a proxy in front of HTTP only...) still gets
            # every other rule; the report says the notifications went unjudged, and why
            listener.close()
            self.run.observations.note_difference(
                f"notifications: not compared, the subscription failed ({exc})"
            )
            return False
        self.listener = listener
        return True

    def _side_session(self) -> ExchangeSession:
        """A second authenticated connection (the other protocol when the target has one)."""
        if self._side is None:
            target = self.run.target
            if target is None:
                raise TargetError("the contract run has not started (no target)")
            left = self.run.budget_left()
            try:
                self._side = target.session(url=target.other_url, order_budget=left)
            except TargetUnavailable as exc:
                # no other protocol to reach: a second connection of the same one still races
                self.run.observations.note_difference(
                    f"concurrent closes: a second connection of the same protocol ({exc})"
                )
                self._side = target.session(order_budget=left)
        return self._side

    def _count_side(self) -> None:
        side = self._side
        if side is None:
            return
        orders, requests = self._side_seen
        self.run.side_orders += side.stats.orders - orders
        self.run.observations.orders += side.stats.orders - orders
        self.run.observations.requests += side.stats.requests - requests
        self._side_seen = (side.stats.orders, side.stats.requests)

    # --- steps -------------------------------------------------------------------------
    def step(
        self,
        action: str,
        *calls: _Call,
        concurrent: bool = False,
        together: bool = False,
        reduce_only: bool | None = None,
    ) -> list[Placed]:
        """Send ``calls`` and judge the step; raises ContractViolation on a breach.

        ``together``: the calls go out at once on two connections; ``concurrent`` (implied by
        ``together``): they are judged as closes of one position with no read between.
        """
        before = self.run.position(self.name)
        placed = self._send(calls, together=together)
        after, orders = self._read_after()
        calls_done = [(p.request, p.response) for p in placed]
        self.recorder.step(action, calls_done, position_before=before, position_after=after,
                           open_orders_after=orders, reduce_only=reduce_only,
                           concurrent=concurrent or together)  # fmt: skip
        steps = self.recorder.steps
        judge = self.run.judge
        assert judge is not None
        judge.check_step(steps[-1], steps[-2] if len(steps) > 1 else None, test=self.test)
        return placed

    def _send(self, calls: tuple[_Call, ...], *, together: bool) -> list[Placed]:
        if not together or len(calls) < 2:
            return [self.run.place(method, dict(params)) for method, params in calls]
        side = self._side_session()
        sessions = [None, side, *([side] * (len(calls) - 2))]
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            futures = [
                pool.submit(self.run.place, method, dict(params), session=session)
                for (method, params), session in zip(calls, sessions, strict=True)
            ]
            placed = [future.result() for future in futures]
        self._count_side()
        return placed

    def _read_after(self) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Position, then open orders (in that order: see :mod:`.sequence`); an excess of
        reduce-only orders over the position is read again before it is believed."""
        for attempt in range(RECHECKS + 1):
            after = self.run.position(self.name)
            orders = self.run.open_orders(self.name)
            probe = Step("read", position_after=after, open_orders_after=orders)
            if not open_within_position(probe) or attempt == RECHECKS:
                return after, orders
            if self.run.live:
                time.sleep(RECHECK_PAUSE_S)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- the end -------------------------------------------------------------------------
    def settle(self) -> None:
        """Cancel the run's resting orders on the instrument by id; their final states count
        as the answers' latest views."""
        for order_id in self.run.cancel_own(self.name):
            final = self.run.last_settled.get(order_id)
            if final is not None:
                self.recorder.observe_order(final)

    def finish(self) -> None:
        """Settle, then compare the notifications with the answers (when listening)."""
        self.settle()
        final = self.run.position(self.name)
        listener = self.listener
        if listener is None:
            return
        listener.wait_for(
            lambda: (
                not self.recorder.check_notifications(listener.notifications, final_position=final)
            ),
            timeout=NOTIFICATION_WAIT_S,
        )
        findings = self.recorder.check_notifications(listener.notifications, final_position=final)
        judge = self.run.judge
        assert judge is not None
        judge.count_and_raise(["notifications.match_answers"], findings, test=self.test)

    def close(self) -> None:
        """Close the listener (the side session closes with the target)."""
        self._count_side()
        if self.listener is not None:
            self.listener.close()
            self.listener = None
