"""Keystone: every value the strategies draw validates against its generated schema."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deribit_contract.errors import SchemaNotFound
from deribit_contract.schema.store import MODES, PARTS, load_schema
from deribit_contract.strategies import (
    INVALID_PARAM_RULES,
    InvalidParams,
    close_outcomes,
    error_envelopes,
    from_schema,
    invalid_params,
    requests,
    responses,
    valid_params,
)


def _validator(part: str, mode: str) -> Draft202012Validator:
    try:
        return Draft202012Validator(load_schema(part, mode))
    except SchemaNotFound as exc:  # only while the schema builder has not written schemas/ yet
        pytest.skip(f"schemas/ not generated yet: {exc}")


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


@pytest.mark.parametrize("rule", sorted(INVALID_PARAM_RULES))
@settings(max_examples=10)
@given(data=st.data())
def test_each_invalid_rule_changes_one_thing(rule: str, data: st.DataObject) -> None:
    _validator("params", "observed")
    bad = data.draw(invalid_params(rules=[rule]))
    assert bad.rule == rule
    names = {"instrument_name", "type", "price"}
    area, _, name = rule.partition(".")
    if area in ("missing", "misspelled"):
        assert name not in bad.params
        assert len(set(bad.params) - names) == (area == "misspelled")
    else:
        assert set(bad.params) <= names


# Generate only: a found example needs no shrinking, which is slow on large responses.
_SETTINGS = settings(max_examples=500, database=None, phases=[Phase.generate])


@pytest.mark.parametrize("mode", MODES)
def test_responses_reach_the_shapes_that_matter(mode: str) -> None:
    _validator("response", mode)
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
