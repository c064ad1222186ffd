"""private/cancel: by order id, only the caller's own orders, answered as real Deribit does.

The real captures (``fixtures/captured/realdata``, ``/work/shared/realdata/*cancel*``) answer a
cancel with the cancelled order itself (``order_state: "cancelled"``, ``cancel_reason:
"user_request"``), and 11044 ``not_open_order`` for an order that is no longer open.
"""

from __future__ import annotations

from typing import Any

import pytest
from exchange_testkit import Client

from deribit_contract.exchange import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Auth,
    SimulatedExchange,
)
from deribit_contract.validation import ResponseValidator

BTC = "BTC-PERPETUAL"
_OTHER_ID, _OTHER_SECRET = "other-trader", "other-secret"
# the other account as an HTTP Basic header hands it over: no token needed
_OTHER = Auth(kind="basic", client_id=_OTHER_ID, client_secret=_OTHER_SECRET)


@pytest.fixture
def exchange() -> SimulatedExchange:
    return SimulatedExchange(
        seed=5, accounts={DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET, _OTHER_ID: _OTHER_SECRET}
    )


def _resting(client: Client) -> dict[str, Any]:
    order: dict[str, Any] = client.result(
        "private/sell", instrument_name=BTC, amount=30, type="limit", price=99000
    )["order"]
    assert order["order_state"] == "open"
    return order


def test_cancel_answers_the_cancelled_order(exchange: SimulatedExchange) -> None:
    client = Client(exchange)
    order = _resting(client)
    cancelled = client.result("private/cancel", order_id=order["order_id"])
    assert cancelled["order_id"] == order["order_id"]
    assert cancelled["order_state"] == "cancelled"
    assert cancelled["cancel_reason"] == "user_request"
    assert cancelled["filled_amount"] == 0.0
    assert cancelled["amount"] == order["amount"]
    assert cancelled["last_update_timestamp"] >= order["creation_timestamp"]
    # the same shape as an order of a real close_position answer
    envelope = {"jsonrpc": "2.0", "id": 1, "result": {"order": cancelled, "trades": []}}
    verdict = ResponseValidator("observed").validate(envelope)
    assert not verdict.violations, verdict.violations
    assert client.result("private/get_open_orders_by_instrument", instrument_name=BTC) == []
    assert client.result("private/get_order_state", order_id=order["order_id"]) == cancelled


def test_cancelling_twice_is_not_open_order(exchange: SimulatedExchange) -> None:
    client = Client(exchange)
    order = _resting(client)
    client.result("private/cancel", order_id=order["order_id"])
    error = client.call("private/cancel", order_id=order["order_id"])["error"]
    assert (error["code"], error["message"]) == (11044, "not_open_order")


def test_unknown_order_is_order_not_found(exchange: SimulatedExchange) -> None:
    error = Client(exchange).call("private/cancel", order_id="123456")["error"]
    assert (error["code"], error["message"]) == (10004, "order_not_found")


def test_another_accounts_order_is_not_found_and_stays_open(exchange: SimulatedExchange) -> None:
    client = Client(exchange)
    order = _resting(client)
    reply = exchange.handle(
        {
            "jsonrpc": "2.0",
            "id": 9,
            "method": "private/cancel",
            "params": {"order_id": order["order_id"]},
        },
        auth=_OTHER,
    )
    assert reply["error"]["code"] == 10004, "an account never sees another account's orders"
    still = client.result("private/get_order_state", order_id=order["order_id"])
    assert still["order_state"] == "open"


def test_cancel_needs_an_order_id(exchange: SimulatedExchange) -> None:
    error = Client(exchange).call("private/cancel")["error"]
    assert error["code"] == -32602
    assert error["data"]["param"] == "order_id"
