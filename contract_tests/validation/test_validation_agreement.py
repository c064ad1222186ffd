"""The compiled yes/no and the jsonschema explainer must always agree, for every part.

The fast path decides, the explainer explains; if they ever disagreed a record could be
rejected with no explanation (or explained as wrong while counted valid). Hypothesis mutates
real-shaped records (drop a field, change a value's type, add a key, random JSON anywhere) and
checks both verdicts match and that every rejection is explained by jsonschema itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validation_support import REALDATA, REPO, good_error, good_success

from deribit_contract.schema.evidence import close_position_shaped
from deribit_contract.schema.store import PARTS
from deribit_contract.validation import ResponseValidator, pruning
from deribit_contract.validation.explain import Explainer
from deribit_contract.validation.pruning import subschema_checks, with_pruning

REAL_SCHEMAS = REPO / "schemas"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutations(draw: st.DrawFn, bases: list[Any]) -> Any:
    """A base record with 0-3 random edits."""
    record = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(0, 3))):
        paths = list(_paths(record))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["drop", "replace", "add", "retype"]))
        if not path:
            if action == "replace":
                record = draw(json_values)
            continue
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(json_values)
        elif action == "retype":
            parent[key] = draw(st.sampled_from([None, True, 0, 1.5, "x", [], {}, "market_price"]))
        elif isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=6))] = draw(json_values)
    return record


def _check_agreement(validator: ResponseValidator, explainer: Explainer, record: Any) -> None:
    fast = validator.is_valid(record)
    assert fast == explainer.is_valid(record), f"verdicts differ on {record!r}"
    result = validator.validate(record)
    assert result.valid == fast
    if fast:
        assert result.violations == ()
    else:
        assert result.violations, "a rejected record must be explained"
        # explained by jsonschema (keyword set), not by the last-resort fallback
        assert all(v.keyword for v in result.violations), result.violations


def _explainer(directory: Path, mode: str, part: str) -> Explainer:
    schema = json.loads((directory / mode / f"{part}.schema.json").read_text(encoding="utf-8"))
    return Explainer(schema, location_prefix="")


MINI_BASES: dict[str, list[Any]] = {
    "response": [good_success(), good_error()],
    "success": [good_success()],
    "error": [good_error()],
    "order": [good_success()["result"]["order"]],
    "trade": [good_success()["result"]["trades"][0]],
    "params": [{"instrument_name": "ETH-PERPETUAL", "type": "limit", "price": 145.17}],
    "request": [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "private/close_position",
            "params": {"instrument_name": "ETH-PERPETUAL", "type": "market"},
        }
    ],
}


@pytest.mark.parametrize("mode", ["observed", "documented"])
@pytest.mark.parametrize("part", PARTS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_path_and_explainer_agree_on_mini_schemas(
    mini_schemas: Path, mode: str, part: str, data: st.DataObject
) -> None:
    validator = ResponseValidator(mode, part=part, directory=mini_schemas)
    explainer = _explainer(mini_schemas, mode, part)
    _check_agreement(validator, explainer, data.draw(mutations(MINI_BASES[part])))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _real_bases() -> dict[str, list[Any]]:
    shaped = close_position_shaped(REALDATA)
    success = [_load(path) for path in shaped]
    errors = [_load(p) for p in sorted((REALDATA / "errors").glob("*.json"))]
    orders = [s["result"]["order"] for s in success]
    orders += [_load(p) for p in sorted((REALDATA / "orders").glob("*.json"))]
    trades = [t for s in success for t in s["result"]["trades"]]
    trades += [_load(p) for p in sorted((REALDATA / "trades").glob("*.json"))]
    requests = [_load(REALDATA / "docs/docs2025__private_close_position__REQUEST_1.json")]
    return {
        "response": success + errors,
        "success": success,
        "error": errors,
        "order": orders,
        "trade": trades,
        "params": [r["params"] for r in requests if isinstance(r, dict) and "params" in r],
        "request": requests,
    }


@pytest.mark.parametrize("mode", ["observed", "documented"])
@pytest.mark.parametrize("part", PARTS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_path_and_explainer_agree_on_real_schemas(
    mode: str, part: str, data: st.DataObject
) -> None:
    bases = _REAL_BASES.get(part) or MINI_BASES[part]
    validator = ResponseValidator(mode, part=part, directory=REAL_SCHEMAS)
    explainer = _explainer(REAL_SCHEMAS, mode, part)
    _check_agreement(validator, explainer, data.draw(mutations(bases)))


_REAL_BASES = _real_bases()


# --- the explainer's pruning (validation.pruning) --------------------------------------------


def _errors(validator: Any, instance: Any) -> list[tuple[Any, ...]]:
    return [
        (list(e.absolute_path), list(e.absolute_schema_path), e.message, e.validator)
        for e in validator.iter_errors(instance)
    ]


@pytest.mark.parametrize("mode", ["observed", "documented"])
@pytest.mark.parametrize("part", PARTS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_pruning_skips_only_what_cannot_hold_an_error(
    mode: str, part: str, data: st.DataObject
) -> None:
    """The pruned walk yields the full walk's errors, in the same order, for any record."""
    schema = _load(REAL_SCHEMAS / mode / f"{part}.schema.json")
    record = data.draw(mutations(_REAL_BASES.get(part) or MINI_BASES[part]))
    full = jsonschema.Draft202012Validator(schema)
    pruned = with_pruning(jsonschema.Draft202012Validator, schema)
    assert _errors(pruned, record) == _errors(full, record)


def _counting(calls: list[int]) -> Any:
    base = jsonschema.Draft202012Validator.VALIDATORS["type"]

    def counted(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
        calls.append(1)
        return base(validator, types, instance, schema)

    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, {"type": counted}
    )


def test_pruning_walks_only_the_failing_branch_of_a_record() -> None:
    schema = _load(REAL_SCHEMAS / "observed" / "success.schema.json")
    record = copy.deepcopy(_REAL_BASES["success"][0])
    record["result"]["order"]["amount"] = "ten"
    full_calls: list[int] = []
    pruned_calls: list[int] = []
    full = _errors(_counting(full_calls)(schema), record)
    pruned = _errors(with_pruning(_counting(pruned_calls), schema), record)
    assert pruned == full
    assert [e[0] for e in full] == [["result", "order", "amount"]]
    # the full walk checks the type of every field; the pruned one only those on the way down
    assert len(pruned_calls) * 5 < len(full_calls), (len(pruned_calls), len(full_calls))


def test_a_value_the_compiled_check_cannot_judge_is_walked() -> None:
    schema = {"properties": {"a": {"type": "integer"}}}
    validator = with_pruning(jsonschema.Draft202012Validator, schema)
    checks = subschema_checks(schema)
    assert id(schema["properties"]["a"]) in checks

    def too_deep(value: Any) -> bool:
        raise ValueError("too deep")

    checks[id(schema["properties"]["a"])] = too_deep
    # a fresh validator over the doctored checks: it must descend, and so report the error
    doctored = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator,
        {"properties": pruning._pruned_properties(checks)},
    )(schema)
    assert _errors(doctored, {"a": "x"}) == _errors(validator, {"a": "x"})
    assert _errors(doctored, {"a": "x"})[0][0] == ["a"]
