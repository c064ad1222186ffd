"""The generated schemas against the real captures: observed mode accepts reality, documented
mode reports the documentation's known mistakes (and nothing about valid structure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from validation_support import REALDATA, REPO

from deribit_contract.schema.evidence import close_position_shaped
from deribit_contract.validation import ResponseValidator, iter_validate

SCHEMAS = REPO / "schemas"

SHAPED = close_position_shaped(REALDATA)


def _bad(paths: list[Path], mode: str, part: str) -> list[str]:
    return [
        f"{r.record}: {r.error or [v.message for v in r.violations]}"
        for r in iter_validate(paths, mode=mode, part=part, directory=SCHEMAS)
        if not r.valid
    ]


def test_close_position_shaped_responses_and_errors_validate_in_observed_mode() -> None:
    assert len(SHAPED) == 9, "realdata/README.md lists nine close_position-shaped responses"
    paths = [*SHAPED, REALDATA / "errors"]
    assert _bad(paths, "observed", "response") == []


@pytest.mark.parametrize(
    ("part", "inputs"),
    [
        ("order", ["orders", "bulk/venoajie__all_orders.jsonl"]),
        ("trade", ["trades", "bulk/venoajie__all_user_trades.jsonl"]),
        ("error", ["errors"]),
    ],
)
def test_bare_parts_validate_in_observed_mode(part: str, inputs: list[str]) -> None:
    assert _bad([REALDATA / p for p in inputs], "observed", part) == []


def test_observed_mode_warns_about_undocumented_fields() -> None:
    results = list(
        iter_validate([REALDATA / "gmbabar__private_buy__filled_1.json"], directory=SCHEMAS)
    )
    (result,) = results
    patterns = {w.pattern for w in result.warnings}
    assert {"$.usIn", "$.result.order.max_show", "$.result.trades[*].self_trade"} <= patterns


def test_documented_mode_reports_the_known_errata_on_the_vendor_example() -> None:
    validator = ResponseValidator("documented", directory=SCHEMAS)
    raw = (REALDATA / "docs/docs2025__private_close_position__1.json").read_bytes()
    result = validator.validate_bytes(raw, record="example")
    assert not result.valid
    found = {v.path for v in result.violations}
    # the three type errata of the table plus the undocumented max_show (deribit-facts (d) 1-3)
    assert found == {
        "$.result.trades[0].reduce_only",
        "$.result.trades[0].post_only",
        "$.result.trades[0].matching_id",
        "$.result.order.max_show",
    }
    for violation in result.violations:
        assert violation.schema_location.startswith("documented/success.schema.json#")
    typed = [v for v in result.violations if v.keyword == "type"]
    assert all(v.doc_line is not None for v in typed)  # each points back at its table row


def test_undocumented_fields_name_the_erratum_that_explains_them() -> None:
    sample = REALDATA / "nautilus__private_buy__1.json"
    response = json.loads(sample.read_text(encoding="utf-8"))
    response["result"]["order"]["brand_new_field"] = 1
    result = ResponseValidator("observed", directory=SCHEMAS).validate(response)
    errata = {w.pattern: w.erratum for w in result.warnings}
    assert errata["$.usIn"] == "envelope-us-in"
    assert errata["$.result.order.user_id"] == "order-user-id"
    assert errata["$.result.order.brand_new_field"] is None, "new drift must not be attributed"
