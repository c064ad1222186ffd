from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from deribit_contract.contract.session import AmbiguousOutcome, BudgetExhausted, ExchangeSession
from deribit_contract.errors import RateLimited, TargetUnavailable


def _ok(result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "result": result}


def _err(code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": message}}


class ScriptedClient:
    """A client whose answers per method are scripted; records every call it receives."""

    def __init__(self, script: Mapping[str, list[Any]]) -> None:
        self.script = {k: list(v) for k, v in script.items()}
        self.sent: list[str] = []
        self.auths = 0

    def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.sent.append(method)
        answer = (
            self.script[method].pop(0) if len(self.script[method]) > 1 else self.script[method][0]
        )
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    def authenticate(self, client_id: str, client_secret: str) -> dict[str, Any]:
        self.auths += 1
        return {"access_token": "t"}


def _session(client: ScriptedClient, **kw: Any) -> tuple[ExchangeSession, list[float]]:
    slept: list[float] = []
    session = ExchangeSession(
        client, client_id="id", client_secret="secret-value", sleep=slept.append, **kw
    )
    return session, slept


def test_timeout_during_close_is_never_resent_and_state_is_reread() -> None:
    client = ScriptedClient(
        {
            "private/close_position": [TargetUnavailable("read timeout")],
            "private/get_position": [
                _ok({"instrument_name": "BTC-PERPETUAL", "size": 0.0, "direction": "zero"})
            ],
            "private/get_open_orders_by_instrument": [_ok([])],
        }
    )
    session, _ = _session(client)
    outcome = session.call(
        "private/close_position", {"instrument_name": "BTC-PERPETUAL", "type": "market"}
    )
    assert isinstance(outcome, AmbiguousOutcome)
    assert client.sent.count("private/close_position") == 1
    assert client.sent[1:] == ["private/get_position", "private/get_open_orders_by_instrument"]
    assert outcome.position == {
        "instrument_name": "BTC-PERPETUAL",
        "size": 0.0,
        "direction": "zero",
    }
    assert session.stats.ambiguous == 1


def test_too_many_requests_backs_off_and_is_not_a_failure() -> None:
    client = ScriptedClient(
        {
            "private/close_position": [
                _err(10028, "too_many_requests"),
                _err(10028, "too_many_requests"),
                _ok({"order": {}, "trades": []}),
            ]
        }
    )
    session, slept = _session(client)
    outcome = session.call("private/close_position", {"instrument_name": "X", "type": "market"})
    assert isinstance(outcome, dict)
    assert "result" in outcome
    assert slept == [0.5, 1.0]
    assert session.stats.throttled == 2
    assert client.auths == 2, "Deribit drops the session on 10028: log in again before retrying"


def test_endless_throttling_ends_with_rate_limited() -> None:
    client = ScriptedClient({"public/ticker": [_err(10028, "too_many_requests")]})
    session, slept = _session(client, max_backoff_s=5.0)
    with pytest.raises(RateLimited, match="10028"):
        session.call("public/ticker", {"instrument_name": "X"})
    assert sum(slept) <= 5.0


def test_dropped_token_reauthenticates_once() -> None:
    client = ScriptedClient(
        {"private/get_position": [_err(13009, "unauthorized"), _ok({"size": 1})]}
    )
    session, _ = _session(client)
    assert session.read("private/get_position", {"instrument_name": "X"}) == _ok({"size": 1})
    assert client.auths == 1
    assert session.stats.reauthenticated == 1


def test_order_budget_stops_the_run_before_sending() -> None:
    client = ScriptedClient({"private/buy": [_ok({"order": {}, "trades": []})]})
    session, _ = _session(client, order_budget=2)
    session.call("private/buy", {})
    session.call("private/buy", {})
    with pytest.raises(BudgetExhausted, match="budget of 2"):
        session.call("private/buy", {})
    assert client.sent.count("private/buy") == 2


def test_reads_are_retried_but_not_forever() -> None:
    client = ScriptedClient({"public/ticker": [TargetUnavailable("reset"), _ok({"last_price": 1})]})
    session, _ = _session(client)
    assert session.read("public/ticker", {})["result"] == {"last_price": 1}
    failing = ScriptedClient({"public/ticker": [TargetUnavailable("down")]})
    session, _ = _session(failing)
    with pytest.raises(TargetUnavailable):
        session.read("public/ticker", {})
    assert failing.sent.count("public/ticker") == 3


def test_read_refuses_order_methods() -> None:
    session, _ = _session(ScriptedClient({}))
    with pytest.raises(ValueError, match="places orders"):
        session.read("private/close_position", {})


def test_min_interval_spaces_order_calls() -> None:
    now = [0.0]
    client = ScriptedClient({"private/sell": [_ok({})]})
    slept: list[float] = []
    session = ExchangeSession(
        client, min_interval_s=0.2, sleep=slept.append, monotonic=lambda: now[0]
    )
    session.call("private/sell", {})
    session.call("private/sell", {})
    assert slept == [pytest.approx(0.2)]


def test_timeout_of_the_resend_after_reauthentication_is_ambiguous() -> None:
    client = ScriptedClient(
        {
            "private/close_position": [
                _err(13009, "unauthorized"),
                TargetUnavailable("read timeout"),
            ],
            "private/get_position": [_ok({"instrument_name": "X", "size": 10.0})],
            "private/get_open_orders_by_instrument": [_ok([])],
        }
    )
    session, _ = _session(client)
    outcome = session.call("private/close_position", {"instrument_name": "X", "type": "market"})
    assert isinstance(outcome, AmbiguousOutcome), "the resend's timeout must not escape"
    assert outcome.position == {"instrument_name": "X", "size": 10.0}
    assert (
        client.sent.count("private/close_position") == 2
    )  # refused once, resent once, never again
    assert session.stats.reauthenticated == 1
    assert session.stats.ambiguous == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (10040, "retry"),
        (10041, "settlement_in_progress"),
        (10047, "matching_engine_queue_full"),
        (13028, "temporarily_unavailable"),
    ],
)
def test_transient_refusals_are_backed_off_and_resent(code: int, message: str) -> None:
    client = ScriptedClient(
        {"private/buy": [_err(code, message), _ok({"order": {"order_id": "1"}, "trades": []})]}
    )
    session, slept = _session(client, order_budget=5)
    outcome = session.call("private/buy", {"instrument_name": "X", "amount": 10})
    assert isinstance(outcome, dict)
    assert outcome["result"]["order"] == {"order_id": "1"}
    assert slept == [0.5]
    assert session.stats.refusals == {code: 1}
    assert session.stats.orders == 1, "a refused order was not executed: one budget unit"


def test_a_persistent_refusal_ends_the_run_naming_it() -> None:
    client = ScriptedClient({"private/sell": [_err(13028, "temporarily_unavailable")]})
    session, slept = _session(client, max_backoff_s=3.0)
    with pytest.raises(RateLimited, match=r"temporarily_unavailable \(13028\)"):
        session.call("private/sell", {"instrument_name": "X", "amount": 10})
    assert sum(slept) <= 3.0
