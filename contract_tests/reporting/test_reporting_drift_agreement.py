"""``validate`` and ``drift`` give one judgement on the same records.

A field ``validate`` (observed mode) rejects as missing, mistyped or out of its enum must be a
``new`` difference of that kind at that path in the drift report of the same records, and a new
type, enum or presence difference must be a rejection. The corpus: every close_position-shaped
real response and every real error envelope, then the same records broken one way at a time
(a required field dropped, a type changed, an enum left, a known undocumented field mistyped).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deribit_contract._paths import fixtures_dir, repo_root
from deribit_contract.reporting.drift import analyse_records
from deribit_contract.schema.evidence import close_position_shaped
from deribit_contract.validation import ResponseValidator

REALDATA = fixtures_dir() / "captured" / "realdata"
SCHEMAS = (repo_root() or Path.cwd()) / "schemas"
_KEYWORDS = {"required": "presence", "type": "type", "enum": "enum", "const": "enum"}

Edit = Callable[[dict[str, Any]], None]


def _drop(*path: Any) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        node: Any = record
        for step in path[:-1]:
            node = node[step]
        node.pop(path[-1], None)

    return edit


def _set(value: Any, *path: Any) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        node: Any = record
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return edit


EDITS: dict[str, Edit] = {
    "as-is": lambda record: None,
    "order-amount-missing": _drop("result", "order", "amount"),
    "trade-fee-missing": _drop("result", "trades", 0, "fee"),
    "order-label-integer": _set(5, "result", "order", "label"),
    "trade-amount-string": _set("10", "result", "trades", 0, "amount"),
    "order-direction-up": _set("up", "result", "order", "direction"),
    "trade-liquidity-x": _set("X", "result", "trades", 0, "liquidity"),
    "starbase-id-string": _set("204703712348741632", "result", "trades", 0, "starbase_match_id"),
    "trade-reduce-only-missing": _drop("result", "trades", 0, "reduce_only"),
}
ERROR_EDITS: dict[str, Edit] = {
    "as-is": lambda record: None,
    "code-missing": _drop("error", "code"),
    "message-integer": _set(13009, "error", "message"),
}


def _corpus() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in close_position_shaped(REALDATA):
        base = json.loads(path.read_text(encoding="utf-8"))
        if not base["result"]["trades"]:
            continue
        for name, edit in EDITS.items():
            record = copy.deepcopy(base)
            edit(record)
            out.append((f"{path.name}:{name}", record))
    for path in sorted((REALDATA / "errors").glob("*.json")):
        base = json.loads(path.read_text(encoding="utf-8"))
        for name, edit in ERROR_EDITS.items():
            record = copy.deepcopy(base)
            edit(record)
            out.append((f"{path.name}:{name}", record))
    return out


CORPUS = _corpus()
VALIDATOR = ResponseValidator("observed", directory=SCHEMAS)


def _rejected(record: dict[str, Any]) -> set[tuple[str, str]]:
    result = VALIDATOR.validate(record)
    found: set[tuple[str, str]] = set()
    for violation in result.violations:
        path = re.sub(r"\[[0-9]+\]", "[]", violation.path).removeprefix("$.")
        found.add((path, _KEYWORDS.get(violation.keyword, violation.keyword)))
    return found


def _new_differences(record: dict[str, Any]) -> set[tuple[str, str]]:
    report = analyse_records([record], part="response")
    return {(d.path, d.kind) for d in report.new if d.kind in ("type", "enum", "presence")}


def _steps(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside ``value`` (object members and array items), outermost first."""
    out: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _steps(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _steps(item, (*prefix, index))
    return out


_ODD = st.sampled_from([None, True, 5, 2**70, 1.5, "x", "buy", [], {}, [1], {"a": 1}])


@st.composite
def _broken(draw: st.DrawFn) -> dict[str, Any]:
    """A real record with one or two places dropped or replaced by an odd value."""
    record = copy.deepcopy(draw(st.sampled_from([r for n, r in CORPUS if n.endswith(":as-is")])))
    for _ in range(draw(st.integers(1, 2))):
        where = draw(st.sampled_from(_steps(record)))
        node: Any = record
        for step in where[:-1]:
            node = node[step]
        if isinstance(node, dict) and draw(st.booleans()):
            del node[where[-1]]
        else:
            node[where[-1]] = copy.deepcopy(draw(_ODD))  # never edit the strategy's own values
    return record


@pytest.mark.parametrize(("name", "record"), CORPUS, ids=[name for name, _ in CORPUS])
def test_validate_and_drift_agree(name: str, record: dict[str, Any]) -> None:
    assert _rejected(record) == _new_differences(record)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_broken())
def test_validate_and_drift_agree_on_any_broken_record(record: dict[str, Any]) -> None:
    # paths, not kinds: a value both mistyped and outside its enum is one rejection, which the
    # explainer and drift may file under either word
    rejected = {path for path, _ in _rejected(record)}
    report = analyse_records([record], part="response")
    new = {d.path for d in report.new if d.kind in ("type", "enum", "presence")}
    if "$" in rejected:  # neither a success nor an error envelope: drift cannot compare it
        assert not report.analysed or report.new
        return
    assert rejected == new


def test_the_corpus_holds_both_verdicts() -> None:
    rejected = [name for name, record in CORPUS if _rejected(record)]
    accepted = [name for name, record in CORPUS if not _rejected(record)]
    assert all(name.endswith(("as-is", "trade-reduce-only-missing")) for name in accepted)
    harmful = {name for name in EDITS if name not in ("as-is", "trade-reduce-only-missing")}
    assert len(rejected) == sum(
        1
        for name, _ in CORPUS
        if name.rsplit(":", 1)[1] in harmful | {"code-missing", "message-integer"}
    )
    # the field drift used to miss: a mistyped starbase id was "explained" as undocumented
    starbase = dict(CORPUS)["gmbabar__private_buy__filled_1.json:starbase-id-string"]
    assert ("result.trades[].starbase_match_id", "type") in _new_differences(starbase)


def test_drift_is_linear_in_the_fields_of_a_record() -> None:
    def seconds(width: int) -> float:
        record = {"jsonrpc": "2.0", "id": 1, "result": {"order": {}, "trades": []}}
        record["result"]["order"] = {f"field_{i}": i for i in range(width)}
        started = time.perf_counter()
        report = analyse_records([record])
        elapsed = time.perf_counter() - started
        assert sum(1 for d in report.new if d.kind == "undocumented") == width
        return elapsed

    seconds(1_000)  # warm the schema caches
    # the best of three runs each: a shared machine slows single runs, never the best one much
    small = min(seconds(4_000) for _ in range(3))
    large = min(seconds(40_000) for _ in range(3))
    # linear is 10x, quadratic 100x (the old comparison took 134 s at 40,000 fields)
    assert large < 40 * small + 1.0
    assert large < 20.0
