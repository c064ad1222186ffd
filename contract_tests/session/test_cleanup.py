"""Cleanup undoes only the run's own exposure, with reduce-only buy/sell, and never grows it.

The issue's story: against the ``same_direction`` fault a +100 position ended at +200 after a
cleanup that flattened with close_position (the method under test) and said it succeeded.
"""

from __future__ import annotations

import httpx
import pytest

from deribit_contract.contract.cleanup import Cleaner
from deribit_contract.contract.session import ExchangeSession
from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FAULTS,
    SimulatedExchange,
)
from deribit_contract.transports.client import HttpJsonRpcClient
from deribit_contract.transports.respx_mock import answer

BTC = "BTC-PERPETUAL"
_EXECUTION_FAULTS = [name for name, fault in FAULTS.items() if fault.kind == "execution"]


def _session(exchange: SimulatedExchange) -> ExchangeSession:
    transport = httpx.MockTransport(lambda request: answer(exchange, request))
    client = HttpJsonRpcClient("https://test.deribit.com", transport=transport)
    session = ExchangeSession(
        client, client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET
    )
    session.authenticate()
    return session


def _own_order(session: ExchangeSession, method: str, **params: object) -> str:
    reply = session.call(method, {"instrument_name": BTC, **params})
    assert isinstance(reply, dict)
    assert "result" in reply, reply
    order_id: str = reply["result"]["order"]["order_id"]
    return order_id


def _start(exchange: SimulatedExchange) -> tuple[ExchangeSession, set[str], Cleaner]:
    """A run's session, its own-orders set and its cleaner, registered before any order."""
    session = _session(exchange)
    own: set[str] = set()
    cleaner = Cleaner(lambda: _session(exchange), own)
    cleaner.register(session, BTC)
    return session, own, cleaner


def _sizes_read(exchange: SimulatedExchange, since: int) -> list[float]:
    return [
        float(call.response["result"]["size"])
        for call in list(exchange.calls)[since:]
        if call.method == "private/get_position" and "result" in call.response
    ]


@pytest.mark.parametrize("fault", _EXECUTION_FAULTS)
def test_cleanup_after_an_execution_fault_never_grows_the_exposure(fault: str) -> None:
    exchange = SimulatedExchange(seed=4, fault=fault)
    session, own, cleaner = _start(exchange)
    own.add(_own_order(session, "private/buy", amount=100, type="market"))
    session.call("private/close_position", {"instrument_name": BTC, "type": "market"})
    left_by_run = abs(exchange.get_position(BTC)["size"])
    start = len(exchange.calls)
    report = cleaner.run()
    during = [abs(size) for size in _sizes_read(exchange, start)]
    assert max(during, default=0.0) <= left_by_run, "cleanup made the exposure bigger"
    assert all(c.method != "private/close_position" for c in list(exchange.calls)[start:])
    assert exchange.get_position(BTC)["size"] == 0, report
    assert report.left == {BTC: 0.0}
    assert report.clean, report.problems


def test_same_direction_no_longer_doubles_a_position_at_cleanup() -> None:
    exchange = SimulatedExchange(seed=4, fault="same_direction")
    session, own, cleaner = _start(exchange)
    own.add(_own_order(session, "private/buy", amount=100, type="market"))
    session.call("private/close_position", {"instrument_name": BTC, "type": "market"})
    assert exchange.get_position(BTC)["size"] == 200  # the fault doubled it
    report = cleaner.run()
    assert exchange.get_position(BTC)["size"] == 0
    assert report.flattened == {BTC: -200.0}


def test_a_position_held_before_the_run_is_left_as_it_was() -> None:
    exchange = SimulatedExchange(seed=4, positions={BTC: 120.0})
    session, own, cleaner = _start(exchange)
    own.add(_own_order(session, "private/buy", amount=30, type="market"))
    report = cleaner.run()
    assert exchange.get_position(BTC)["size"] == 120.0
    assert report.flattened == {BTC: -30.0}


def test_a_residual_that_needs_the_position_to_grow_is_reported_not_traded() -> None:
    exchange = SimulatedExchange(seed=4, positions={BTC: 120.0})
    session, own, cleaner = _start(exchange)
    own.add(_own_order(session, "private/sell", amount=60, type="market", reduce_only=True))
    start = len(exchange.calls)
    report = cleaner.run()
    assert exchange.get_position(BTC)["size"] == 60.0, "never bought back: that grows exposure"
    assert not [
        c for c in list(exchange.calls)[start:] if c.method in ("private/buy", "private/sell")
    ]
    assert report.left == {BTC: -60.0}
    assert "check it by hand" in report.problems[0]


def test_orders_the_run_did_not_place_are_never_cancelled() -> None:
    exchange = SimulatedExchange(seed=4)
    session = _session(exchange)
    theirs = _own_order(session, "private/buy", amount=10, type="limit", price=1000)
    own: set[str] = set()
    cleaner = Cleaner(lambda: _session(exchange), own)
    cleaner.register(session, BTC)
    mine = _own_order(session, "private/buy", amount=10, type="limit", price=1500)
    own.add(mine)
    report = cleaner.run()
    open_ids = [
        o["order_id"]
        for o in session.read("private/get_open_orders_by_instrument", {"instrument_name": BTC})[
            "result"
        ]
    ]
    assert open_ids == [theirs]
    assert report.cancelled == {BTC: 1}
