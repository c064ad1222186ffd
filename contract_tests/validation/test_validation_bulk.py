"""The bulk path (tightened compiled schema per batch) must give the per-record path's answers.

It is only an optimisation: same counts, same bad records in the same order, same distinct
undocumented fields with the same first record, whatever the mix and the batch boundaries.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validation_support import REALDATA, REPO, good_success, mixed_lines

from deribit_contract.validation import ResponseValidator, iter_validate
from deribit_contract.validation import records as records_mod
from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.records import iter_batches
from deribit_contract.validation.report import Summary
from deribit_contract.validation.results import ValidationResult


def _bulk(path: Path, validator: ResponseValidator) -> tuple[Summary, list[ValidationResult]]:
    summary = Summary()
    bad: list[ValidationResult] = []
    BulkScanner(validator).run(iter_batches([path]), summary, bad.append)
    return summary, bad


def _reference(path: Path, validator: ResponseValidator) -> tuple[Summary, list[ValidationResult]]:
    summary = Summary()
    bad: list[ValidationResult] = []
    for result in iter_validate(
        [path], mode=validator.mode, part=validator.part, directory=validator._directory
    ):
        summary.add(result)
        if not result.valid:
            bad.append(result)
    return summary, bad


def _assert_same(
    left: tuple[Summary, list[ValidationResult]], right: tuple[Summary, list[ValidationResult]]
) -> None:
    assert left[0].to_dict() == right[0].to_dict()
    assert left[0].warning_rows() == right[0].warning_rows()
    assert left[1] == right[1]


@pytest.mark.parametrize("mode", ["observed", "documented"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.integers(0, len(mixed_lines()) - 1), min_size=1, max_size=60),
    block=st.sampled_from([64, 256, 4096]),
)
def test_bulk_equals_per_record_path(
    mini_schemas: Path,
    tmp_path_factory: pytest.TempPathFactory,
    mode: str,
    picks: list[int],
    block: int,
) -> None:
    variants = mixed_lines()
    target = tmp_path_factory.mktemp("bulk") / "mixed.jsonl"
    target.write_bytes(b"\n".join(variants[i] for i in picks) + b"\n")
    validator = ResponseValidator(mode, directory=mini_schemas)
    original = records_mod._BLOCK
    records_mod._BLOCK = block  # small blocks: many batch boundaries
    try:
        _assert_same(_bulk(target, validator), _reference(target, validator))
    finally:
        records_mod._BLOCK = original


@pytest.mark.parametrize(
    ("part", "name"),
    [("order", "venoajie__all_orders.jsonl"), ("trade", "venoajie__all_user_trades.jsonl")],
)
def test_bulk_equals_per_record_path_on_real_bulk_captures(part: str, name: str) -> None:
    validator = ResponseValidator("observed", part=part, directory=REPO / "schemas")
    path = REALDATA / "bulk" / name
    bulk = _bulk(path, validator)
    _assert_same(bulk, _reference(path, validator))
    assert bulk[0].ok


def test_one_bad_record_sends_only_itself_down_the_slow_path(
    mini_schemas: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validator = ResponseValidator("documented", directory=mini_schemas)
    records = []
    for index in range(40):
        record = good_success()
        record["id"] = index
        if index == 17:
            record["result"]["order"]["amount"] = "ten"
        records.append(orjson.dumps(record))
    target = tmp_path / "one_bad.jsonl"
    target.write_bytes(b"\n".join(records) + b"\n")
    assert len(list(iter_batches([target]))) == 1  # a single batch holds all forty
    slow: list[bytes] = []
    accepts = ResponseValidator.accepts_bytes

    def counted_accepts(self: ResponseValidator, raw: bytes, instance: object) -> bool:
        slow.append(raw)
        return accepts(self, raw, instance)

    monkeypatch.setattr(ResponseValidator, "accepts_bytes", counted_accepts)
    summary, bad = _bulk(target, validator)
    assert [result.record for result in bad] == [f"{target}:18"]
    assert summary.records == 40
    assert summary.valid == 39
    assert slow == [records[17]]  # the 39 good ones were settled by the batch checks


def test_a_definition_used_in_two_places_reports_a_new_field_in_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fast path allows a field once it has been reported; the schema node it tightens is
    # shared by every place that refers to it, and a field seen at one of them must still be
    # reported when it first appears at another.
    leg = {"type": "object", "properties": {"x": {"type": "integer"}}}
    schema = {
        "$defs": {"leg": leg},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/leg"}, "b": {"$ref": "#/$defs/leg"}},
    }
    (tmp_path / "observed").mkdir()
    (tmp_path / "observed" / "order.schema.json").write_bytes(orjson.dumps(schema))
    plain = {"a": {"x": 1}, "b": {"x": 1}}
    records = [
        {"a": {"x": 1, "new": 1}, "b": {"x": 1}},
        plain,
        {"a": {"x": 1}, "b": {"x": 1, "new": 2}},
        plain,
        {"a": {"x": 1, "new": 3}, "b": {"x": 1, "new": 4}},
    ]
    target = tmp_path / "legs.jsonl"
    target.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    monkeypatch.setattr(records_mod, "_BLOCK", 16)  # one record a batch
    validator = ResponseValidator("observed", part="order", directory=tmp_path)
    bulk = _bulk(target, validator)
    _assert_same(bulk, _reference(target, validator))
    reported = {row["first_path"] for row in bulk[0].warning_rows()}
    assert {"$.a.new", "$.b.new"} <= reported, reported
