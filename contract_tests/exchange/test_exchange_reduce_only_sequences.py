"""Reduce-only over time on the simulated exchange: edits, other closes, stacked and racing closes.

One scripted sequence walks every situation Deribit's reduce-only rules speak of (an edit past
the position, a reduction by other means, a growth, a better-priced second order, a crossing
edit, two closes back to back) and is judged step by step by the kit's own sequence rules
(:class:`deribit_contract.invariants.SequenceRecorder`) and the notifications the account's
subscriptions got. The correct exchange breaks nothing; each sequence fault breaks its own rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from exchange_testkit import Client

from deribit_contract.exchange import FAULTS, SimulatedExchange
from deribit_contract.exchange.events import AccountChange
from deribit_contract.facts import REDUCE_ONLY
from deribit_contract.invariants import SequenceRecorder
from deribit_contract.transports.subscriptions import parse_channel, user_notifications

INSTRUMENT = "BTC-PERPETUAL"
BIDS = [(89999.5, 3000.0), (89999.0, 3000.0), (89998.0, 20000.0)]
ASKS = [(90000.5, 3000.0), (90001.0, 3000.0), (90002.0, 20000.0)]
SEQUENCE_FAULTS = [name for name, fault in FAULTS.items() if fault.scenario == "sequence"]


class Scripted:
    """A client, a recorder and the notifications ``user.*.BTC-PERPETUAL.raw`` would get."""

    def __init__(self, fault: str | None) -> None:
        self.exchange = SimulatedExchange(seed=7, fault=fault)
        self.exchange.set_book(INSTRUMENT, bids=BIDS, asks=ASKS)
        self.client = Client(self.exchange)
        self.recorder = SequenceRecorder(INSTRUMENT)
        self.messages: list[dict[str, Any]] = []
        channels = [
            parse_channel(f"user.{family}.{INSTRUMENT}.raw")
            for family in ("orders", "trades", "changes")
        ]
        user = self.exchange.default_client_id

        def listen(changes: list[AccountChange]) -> None:
            sent = user_notifications([c for c in channels if c], user, changes)
            self.messages.extend(message["params"] for message in sent)

        self.exchange.add_listener(listen)

    def position(self) -> dict[str, Any]:
        return dict(self.client.result("private/get_position", instrument_name=INSTRUMENT))

    def step(self, action: str, *calls: tuple[str, dict[str, Any]], **kw: Any) -> list[Any]:
        before = self.position()
        done = []
        for method, params in calls:  # back to back: no read between
            request = self.client.request(method, **params)
            done.append((request, self.exchange.handle(request, auth=self.client.auth)))
        after = self.position()
        orders = self.client.result(
            "private/get_open_orders_by_instrument", instrument_name=INSTRUMENT
        )
        self.recorder.step(action, done, position_before=before, position_after=after,
                           open_orders_after=orders, **kw)  # fmt: skip
        return [response for _, response in done]


def _order_id(response: dict[str, Any]) -> str:
    return str(response["result"]["order"]["order_id"])


def script(fault: str | None) -> tuple[set[str], Scripted]:
    """Run the sequence; return the rules it broke (sequence and notification rules)."""
    s = Scripted(fault)
    name = {"instrument_name": INSTRUMENT}
    s.step("open", ("private/buy", {**name, "amount": 1000, "type": "market"}), reduce_only=False)
    (close,) = s.step(
        "rest a close", ("private/close_position", {**name, "type": "limit", "price": 90500})
    )
    first = _order_id(close)
    s.step(
        "edit past the position",
        ("private/edit", {"order_id": first, "amount": 2000, "price": 90500}),
    )
    s.step(
        "reduce by another close",
        ("private/sell", {**name, "amount": 300, "type": "market", "reduce_only": True}),
    )
    s.step("grow", ("private/buy", {**name, "amount": 200, "type": "market"}), reduce_only=False)
    (second,) = s.step(
        "stack a better one",
        (
            "private/sell",
            {**name, "amount": 5000, "type": "limit", "price": 90400, "reduce_only": True},
        ),
    )
    s.step(
        "cross by edit",
        ("private/edit", {"order_id": _order_id(second), "amount": 5000, "price": 89000}),
    )
    for oid in (first, _order_id(second)):  # settle: cancel what rests, read the final states
        s.client.call("private/cancel", order_id=oid)
        s.recorder.observe_order(s.client.result("private/get_order_state", order_id=oid))
    s.step(
        "open again", ("private/buy", {**name, "amount": 500, "type": "market"}), reduce_only=False
    )
    s.step("close twice", ("private/close_position", {**name, "type": "market"}),
           ("private/close_position", {**name, "type": "market"}), concurrent=True)  # fmt: skip
    s.client.call("private/cancel_all_by_instrument", **name)  # what a faulty venue left
    broken = {v.rule for v in s.recorder.violations}
    found = s.recorder.check_notifications(s.messages, final_position=s.position())
    return broken | {v.rule for v in found}, s


def test_the_correct_exchange_keeps_every_reduce_only_rule_over_the_sequence() -> None:
    broken, s = script(None)
    assert broken == set(), s.recorder.violations
    assert len(s.recorder.steps) == 9
    assert s.position()["size"] == 0


@pytest.mark.parametrize("name", SEQUENCE_FAULTS)
def test_each_sequence_fault_breaks_its_own_rules(name: str) -> None:
    fault = FAULTS[name]
    broken, _ = script(name)
    assert fault.breaks <= broken <= fault.breaks | fault.also_breaks, sorted(broken)


def test_an_edit_past_the_position_is_cut_to_it_and_a_crossing_one_never_flips() -> None:
    s = Scripted(None)
    s.exchange.set_position(INSTRUMENT, 1000)
    order = s.client.result(
        "private/close_position", instrument_name=INSTRUMENT, type="limit", price=90500
    )["order"]
    edited = s.client.result("private/edit", order_id=order["order_id"], amount=2000, price=90500)[
        "order"
    ]
    assert edited["amount"] == 1000
    assert edited["reduce_only"] is True
    crossed = s.client.result("private/edit", order_id=order["order_id"], amount=3000, price=89000)
    assert crossed["order"]["filled_amount"] == 1000
    assert s.position()["size"] == 0


def test_stacked_reduce_only_orders_the_better_price_keeps_its_amount() -> None:
    s = Scripted(None)
    s.exchange.set_position(INSTRUMENT, 1000)
    worse = s.client.result(
        "private/sell", instrument_name=INSTRUMENT, amount=1000, price=90500, reduce_only=True
    )["order"]
    better = s.client.result(
        "private/sell", instrument_name=INSTRUMENT, amount=600, price=90300, reduce_only=True
    )["order"]
    assert better["amount"] == 600
    worse_now = s.client.result("private/get_order_state", order_id=worse["order_id"])
    assert (worse_now["amount"], worse_now["order_state"]) == (400, "open")
    s.client.call(
        "private/sell", instrument_name=INSTRUMENT, amount=600, type="market", reduce_only=True
    )
    # 400 left: the better one keeps it, the one behind is cut to nothing and cancelled
    worse_now = s.client.result("private/get_order_state", order_id=worse["order_id"])
    assert worse_now["order_state"] == "cancelled"
    assert worse_now["cancel_reason"] == REDUCE_ONLY.reduced_to_nothing_reason


def test_an_edit_of_a_reduce_only_order_that_can_reduce_nothing_is_refused() -> None:
    s = Scripted("resting_reduce_only_not_adjusted")  # keeps the order open after the position goes
    s.exchange.set_position(INSTRUMENT, 1000)
    order = s.client.result(
        "private/sell", instrument_name=INSTRUMENT, amount=1000, price=90500, reduce_only=True
    )["order"]
    s.exchange.set_position(INSTRUMENT, 0)
    refused = s.client.call("private/edit", order_id=order["order_id"], amount=1000, price=90400)
    assert refused["error"]["code"] == REDUCE_ONLY.cannot_reduce_code


def test_an_edit_goes_through_the_band_and_tick_checks_of_a_new_order() -> None:
    s = Scripted(None)
    s.exchange.set_position(INSTRUMENT, -1000)
    order = s.client.result(
        "private/buy", instrument_name=INSTRUMENT, amount=1000, price=89000, reduce_only=True
    )["order"]
    off_tick = s.client.call("private/edit", order_id=order["order_id"], amount=1000, price=89000.3)
    assert off_tick["error"]["code"] == -32602
    ticker = s.client.result("public/ticker", instrument_name=INSTRUMENT)
    # a buy edited far above the band rests (or fills) at max_price, never at 1e15
    far = s.client.result("private/edit", order_id=order["order_id"], amount=1000, price=1e15)
    assert far["order"]["price"] == ticker["max_price"]


@pytest.mark.parametrize("method", ["private/buy", "private/sell"])
def test_an_order_or_edit_the_account_cannot_margin_is_refused(method: str) -> None:
    s = Scripted(None)
    huge = s.client.call(method, instrument_name=INSTRUMENT, amount=1e15, type="market")
    assert huge["error"]["code"] == 10009
    small = s.client.result(
        method,
        instrument_name=INSTRUMENT,
        amount=1000,
        price=80000 if method == "private/buy" else 100000,
    )
    edited = s.client.call(
        "private/edit",
        order_id=small["order"]["order_id"],
        amount=1e15,
        price=small["order"]["price"],
    )
    assert edited["error"]["code"] == 10009
    assert s.position()["size"] == 0


def test_open_orders_per_account_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from deribit_contract.exchange import trading

    monkeypatch.setattr(trading, "OPEN_ORDERS_PER_ACCOUNT", 3)
    s = Scripted(None)
    for price in (80000, 80001, 80002):
        s.client.result("private/buy", instrument_name=INSTRUMENT, amount=10, price=price)
    refused = s.client.call("private/buy", instrument_name=INSTRUMENT, amount=10, price=80003)
    assert refused["error"]["code"] == 10014
    s.client.result("private/cancel_all_by_instrument", instrument_name=INSTRUMENT)
    s.client.result("private/buy", instrument_name=INSTRUMENT, amount=10, price=80003)
