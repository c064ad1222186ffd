"""Coherent outcomes: the requested shapes come out, and the book explains the fills."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deribit_contract.errors import InvalidArgument
from deribit_contract.strategies import CloseOutcome, close_outcomes
from deribit_contract.strategies.outcomes import CATALOG

STATES = {("market", "full"): {"filled"}, ("market", "partial"): {"cancelled"},
          ("market", "none"): {"cancelled"}, ("limit", "full"): {"filled"},
          ("limit", "partial"): {"open"}, ("limit", "none"): {"open"}}  # fmt: skip


@pytest.mark.parametrize(("order_type", "fill"), sorted(STATES))
@given(data=st.data())
def test_fill_modes_give_the_expected_order_state(
    order_type: Any, fill: Any, data: st.DataObject
) -> None:
    outcome: CloseOutcome = data.draw(close_outcomes(order_type=order_type, fill=fill))
    order = outcome.response["result"]["order"]
    assert order["order_state"] in STATES[order_type, fill]
    filled, amount = order["filled_amount"], order["amount"]
    assert (filled == amount) == (fill == "full")
    assert (filled == 0) == (fill == "none")
    assert (outcome.response["result"]["trades"] == []) == (fill == "none")


@given(close_outcomes(order_type="limit", fill="full"))
def test_limit_fills_never_trade_through_the_limit(outcome: CloseOutcome) -> None:
    limit = outcome.request["params"]["price"]
    for trade in outcome.response["result"]["trades"]:
        if trade["direction"] == "sell":
            assert trade["price"] >= limit
        else:
            assert trade["price"] <= limit


@given(close_outcomes(fill="flat"))
def test_flat_positions_get_an_error(outcome: CloseOutcome) -> None:
    assert outcome.position_before["size"] == 0
    assert set(outcome.response["error"]) == {"code", "message"}


@given(close_outcomes(instrument=CATALOG[3]))
def test_linear_amounts_are_clean_multiples_of_the_contract_size(outcome: CloseOutcome) -> None:
    size = outcome.position_before["size"]
    assert round(size / CATALOG[3].contract_size, 6).is_integer()
    assert size == round(size, 10)


def test_bad_options_are_refused() -> None:
    with pytest.raises(InvalidArgument):
        close_outcomes(fill="most")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        close_outcomes(order_type="stop_limit")  # type: ignore[arg-type]
