"""Keystone: every value the strategies draw validates against its generated schema."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deribit_contract.facts import INSTRUMENTS
from deribit_contract.schema.store import MODES, PARTS, load_schema
from deribit_contract.strategies import (
    InvalidParams,
    close_outcomes,
    error_envelopes,
    from_schema,
    invalid_params,
    requests,
    responses,
    valid_params,
)
from deribit_contract.strategies.params import INVALID_PARAM_RULES


def _validator(part: str, mode: str) -> Draft202012Validator:
    # a missing schema fails the test (SchemaNotFound names what exists): schemas/ is committed
    return Draft202012Validator(load_schema(part, mode))


def _assert_valid(validator: Draft202012Validator, value: Any) -> None:
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("part", PARTS)
@given(data=st.data())
def test_from_schema_draws_only_valid_values(part: str, mode: str, data: st.DataObject) -> None:
    validator = _validator(part, mode)
    _assert_valid(validator, data.draw(from_schema(validator.schema), label=part))


@pytest.mark.parametrize("mode", MODES)
@given(data=st.data())
def test_named_strategies_are_schema_valid(mode: str, data: st.DataObject) -> None:
    _assert_valid(_validator("params", mode), data.draw(valid_params(mode=mode)))
    _assert_valid(_validator("request", mode), data.draw(requests(mode=mode)))
    _assert_valid(_validator("error", mode), data.draw(error_envelopes(mode=mode)))
    _assert_valid(_validator("response", mode), data.draw(responses(mode=mode)))


@given(close_outcomes(include_flat=True))
def test_coherent_outcomes_are_valid_observed_traffic(outcome: Any) -> None:
    _assert_valid(_validator("request", "observed"), outcome.request)
    _assert_valid(_validator("response", "observed"), outcome.response)


@pytest.mark.parametrize("mode", MODES)
@given(data=st.data())
def test_schema_level_invalid_params_are_rejected_by_the_schema(
    mode: str, data: st.DataObject
) -> None:
    validator = _validator("params", mode)
    bad: InvalidParams = data.draw(invalid_params(mode=mode, rules=list(INVALID_PARAM_RULES)))
    assert bad.rule in INVALID_PARAM_RULES
    if bad.schema_level:
        assert not validator.is_valid(bad.params), (bad.rule, bad.params)


CLOSE_TYPES = tuple(load_schema("params", "observed")["properties"]["type"]["enum"])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# What each rule's name says is wrong with the params, as a predicate over the params alone: a
# strategy that stopped breaking the rule (a no-op mutation) fails here.
_BROKEN: dict[str, Callable[[dict[str, Any]], bool]] = {
    "missing.instrument_name": lambda p: "instrument_name" not in p,
    "missing.type": lambda p: "type" not in p,
    "misspelled.instrument_name": lambda p: "instrument_name" not in p,
    "misspelled.type": lambda p: "type" not in p,
    "enum.type": lambda p: isinstance(p.get("type"), str) and p["type"] not in CLOSE_TYPES,
    "json_type.instrument_name": lambda p: not isinstance(p.get("instrument_name", ""), str),
    "json_type.type": lambda p: not isinstance(p.get("type", ""), str),
    "json_type.price": lambda p: "price" in p and not _is_number(p["price"]),
    "price.negative": lambda p: _is_number(p.get("price")) and p["price"] < 0,
    "price.zero": lambda p: _is_number(p.get("price")) and p["price"] == 0,
    "price.nan": lambda p: _is_number(p.get("price")) and math.isnan(p["price"]),
    "price.infinite": lambda p: _is_number(p.get("price")) and math.isinf(p["price"]),
    "instrument.unknown": lambda p: p.get("instrument_name") not in INSTRUMENTS,
    "limit.price_missing": lambda p: p.get("type") == "limit" and "price" not in p,
}


def _field_of(rule: str) -> str:
    area, _, name = rule.partition(".")
    return {"price": "price", "limit": "price", "instrument": "instrument_name"}.get(area, name)


def test_every_invalid_rule_has_a_predicate() -> None:
    assert set(_BROKEN) == set(INVALID_PARAM_RULES)


@pytest.mark.parametrize("rule", sorted(INVALID_PARAM_RULES))
@settings(max_examples=10)
@given(data=st.data())
def test_each_invalid_rule_breaks_what_it_names_and_nothing_else(
    rule: str, data: st.DataObject
) -> None:
    bad = data.draw(invalid_params(rules=[rule]))
    assert bad.rule == rule
    assert _BROKEN[rule](bad.params), (rule, bad.params)
    broken_field = _field_of(rule)
    names = {"instrument_name", "type", "price"}
    area = rule.partition(".")[0]
    if area == "misspelled":
        assert len(set(bad.params) - names) == 1, bad.params  # the one misspelled key
    else:
        assert set(bad.params) <= names, bad.params
    # every other field keeps a valid value: the draw breaks one rule, not two
    if broken_field != "instrument_name":
        assert bad.params["instrument_name"] in INSTRUMENTS, bad.params
    if broken_field != "type":
        assert bad.params["type"] in CLOSE_TYPES, bad.params
    if broken_field != "price" and "price" in bad.params:
        assert _is_number(bad.params["price"]), bad.params
        assert bad.params["price"] > 0, bad.params


# Generate only: a found example needs no shrinking, which is slow on large responses.
_SETTINGS = settings(max_examples=500, database=None, phases=[Phase.generate])


@pytest.mark.parametrize("mode", MODES)
def test_responses_reach_the_shapes_that_matter(mode: str) -> None:
    strategy = responses(mode=mode)

    def order(r: Any) -> Any:
        return r.get("result", {}).get("order", {}) if isinstance(r.get("result"), dict) else {}

    def trades(r: Any) -> Any:
        return r.get("result", {}).get("trades") if isinstance(r.get("result"), dict) else None

    assert find(strategy, lambda r: order(r).get("price") == "market_price", settings=_SETTINGS)
    assert find(strategy, lambda r: isinstance(order(r).get("price"), float), settings=_SETTINGS)
    assert find(strategy, lambda r: trades(r) == [], settings=_SETTINGS) is not None
    assert find(strategy, lambda r: bool(trades(r)), settings=_SETTINGS)
    assert find(strategy, lambda r: "error" in r, settings=_SETTINGS)
    assert find(strategy, lambda r: "average_price" in order(r), settings=_SETTINGS)
    assert find(
        strategy, lambda r: "average_price" not in order(r) and "result" in r, settings=_SETTINGS
    )
