"""Request handling: valid params are accepted, invalid ones rejected, anonymous callers and
read-only tokens refused.

Each example starts from a known state: the instrument flat (valid closes) or holding a small
position (invalid params must be refused *although* there is something to close, so a target
that quietly runs a bad request as a market close is caught).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.contract.checks import Finding
from deribit_contract.contract.run import ContractRun
from deribit_contract.strategies import InvalidParams, invalid_params, valid_params
from deribit_contract.strategies.outcomes import CATALOG
from deribit_contract.strategies.params import DEFAULT_INVALID_RULES
from deribit_contract.suite._support import (
    ensure_position,
    explore,
    one_example,
    require_accepted,
    require_envelope,
    size_of,
)

pytestmark = [pytest.mark.live]

_CATALOG_NAMES = {instrument.instrument_name for instrument in CATALOG}


@pytest.mark.places_orders
@pytest.mark.deribit_phase("exploration")
@given(data=st.data())
def test_valid_params_are_accepted(deribit_run: ContractRun, data: st.DataObject) -> None:
    """Open a position with buy/sell, close it with drawn valid params: a result, every rule held."""
    test = "request_handling::valid_params"
    run = deribit_run
    explore(
        run, data, max_contracts=5, test=test,
        then=lambda closed: require_accepted(run, closed, test=test),
    )  # fmt: skip


def _retarget(bad: InvalidParams, name: str) -> dict[str, Any]:
    """Point a drawn invalid request at the instrument the run holds a position in."""
    params = dict(bad.params)
    current = params.get("instrument_name")
    if isinstance(current, str) and current in _CATALOG_NAMES:
        params["instrument_name"] = name
    return params


@pytest.mark.places_orders
@pytest.mark.deribit_phase("checks")
@pytest.mark.parametrize("rule", DEFAULT_INVALID_RULES)
@given(data=st.data())
def test_invalid_params_are_rejected(
    deribit_run: ContractRun, rule: str, data: st.DataObject
) -> None:
    """Each kind of invalid params gets a JSON-RPC error: not a result, not HTTP 5xx."""
    run = deribit_run
    test = f"request_handling::invalid_params[{rule}]"
    # everything is drawn before deciding to skip, so skipped examples draw what others do
    name = data.draw(st.sampled_from(run.spec.instruments), label="instrument")
    bad = data.draw(invalid_params(mode=run.mode, rules=[rule]), label="invalid params")
    if not run.take_example(test):
        return  # a budgeted run checks each kind once
    with one_example(run, test):
        _invalid_close(run, name, bad)


def _invalid_close(run: ContractRun, name: str, bad: InvalidParams) -> None:
    run.observations.examples += 1
    judge = run.judge
    assert judge is not None
    instrument = run.instrument(name)
    before_size = ensure_position(run, instrument, direction="buy", contracts=1)
    params = _retarget(bad, name)
    before = run.position(name)
    placed = run.place("private/close_position", params)
    response = placed.response or {}
    test = f"request_handling::invalid_params[{bad.rule}]"
    if response:
        judge.schema_findings(response)  # an error envelope must conform too
    order = (response.get("result") or {}).get("order")
    if isinstance(order, dict) and order.get("order_state") == "open" and order.get("order_id"):
        run.settle(str(order["order_id"]))  # a broken target placed an order: take it back
    after_size = size_of(run.position(name))
    if placed.ambiguous is None:
        require_envelope(run, placed, test=test)  # an HTML page is that, before anything else
        judge.require(
            placed.transport_error is None
            and (placed.http_status or 0) < 500
            and "error" in response
            and "result" not in response,
            Finding(
                "request.invalid_rejected",
                "error",
                f"a JSON-RPC error ({bad.reason})",
                placed.transport_error or response.get("result", f"HTTP {placed.http_status}"),
                f"invalid params ({bad.rule}) were not rejected with a JSON-RPC error",
            ),
            request=placed.request,
            response=response,
            test=test,
        )
    judge.require(
        abs(after_size - size_of(before)) < 1e-9,
        Finding(
            "request.invalid_rejected",
            "position.size",
            size_of(before),
            after_size,
            f"invalid params ({bad.rule}) changed the position",
        ),
        request=placed.request,
        response=response,
        test=test,
    )
    del before_size


#: the scope a read-only client asks for: it may read positions and orders, never trade
READ_ONLY_SCOPE = "trade:read"


@pytest.mark.places_orders
@pytest.mark.deribit_phase("checks")
def test_a_read_only_token_cannot_close_a_position(deribit_run: ContractRun) -> None:
    """A token granted ``trade:read`` only gets an error from close_position; the position stays.

    The position is the one the invalid-params checks left open (or one contract when run
    alone), so a budgeted run spends no order here on a correct exchange.
    """
    run = deribit_run
    test = "request_handling::read_only_token"
    credentials = run.target.credentials if run.target is not None else None
    if credentials is None:
        pytest.skip("the run has no credentials to ask for a read-only token with")
    if not run.take_example(test):
        return
    with one_example(run, test):
        run.observations.examples += 1
        judge = run.judge
        assert judge is not None
        assert run.target is not None
        name = run.spec.instruments[0]
        ensure_position(run, run.instrument(name), direction="buy", contracts=1)
        before = size_of(run.position(name))
        client = run.target.client()
        try:
            granted = client.authenticate(*credentials, scope=READ_ONLY_SCOPE)
            response = client.call(
                "private/close_position", {"instrument_name": name, "type": "market"}
            )
        finally:
            client.close()
        run.observations.requests += 2
        after = size_of(run.position(name))
        scope = (granted.get("result") or {}).get("scope")
        judge.require(
            "error" in response and "result" not in response,
            Finding(
                "auth.scope_enforced",
                "error",
                f"a JSON-RPC error (forbidden: the token was granted {scope!r})",
                response.get("result"),
                f"close_position ran for a token that asked for {READ_ONLY_SCOPE!r} only",
            ),
            request=client.last_request,
            response=response,
            test=test,
        )
        judge.require(
            abs(after - before) < 1e-9,
            Finding(
                "auth.scope_enforced",
                "position.size",
                before,
                after,
                "a close_position with a read-only token changed the position",
            ),
            request=client.last_request,
            response=response,
            test=test,
        )


@pytest.mark.deribit_phase("checks")
@pytest.mark.parametrize(
    "method", ["private/close_position", "private/get_position", "private/buy"]
)
@given(params=valid_params(instruments=CATALOG[:1]))
def test_private_calls_without_credentials_are_refused(
    deribit_run: ContractRun, method: str, params: dict[str, Any]
) -> None:
    """A caller that never authenticated gets a JSON-RPC error from every private method."""
    run = deribit_run
    if not run.take_example(f"request_handling::anonymous[{method}]"):
        return
    run.observations.examples += 1
    assert run.target is not None
    assert run.judge is not None
    name = run.spec.instruments[0]
    client = run.target.client()
    try:
        sent = {**params, "instrument_name": name}
        if method == "private/buy":
            sent = {"instrument_name": name, "amount": run.instrument(name).contract_size}
        response = client.call(method, sent)
    finally:
        client.close()
    run.observations.requests += 1
    run.judge.require(
        "error" in response and "result" not in response,
        Finding(
            "auth.required",
            "error",
            "a JSON-RPC error (unauthorized)",
            response.get("result"),
            f"{method} answered a caller without credentials",
        ),
        request=client.last_request,
        response=response,
        test=f"request_handling::anonymous[{method}]",
    )
