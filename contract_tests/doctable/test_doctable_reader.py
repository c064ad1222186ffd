"""The reader on the real vendor page: every defect the page really has is repaired and recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from deribit_contract._paths import sources_dir
from deribit_contract.doctable import MethodDoc, read_method_doc
from deribit_contract.doctable.prose import extract_enum, presence_hints, split_space_enum

PAGE = sources_dir() / "private-close_position.md"


@pytest.fixture(scope="module")
def doc() -> MethodDoc:
    return read_method_doc(PAGE)


def _enum(doc: MethodDoc, path: str) -> tuple[object, ...]:
    row = doc.find(path)
    assert row is not None, path
    return row.enum


def test_title_and_sections(doc: MethodDoc) -> None:
    assert doc.method == "private/close_position"
    assert doc.http_verb == "POST"
    assert (doc.title_line, doc.params_line, doc.response_line) == (1, 11, 19)


def test_column_shifted_parameters_are_repaired(doc: MethodDoc) -> None:
    params = {p.name: p for p in doc.params}
    assert list(params) == ["instrument_name", "type", "price"]
    assert params["instrument_name"].required
    assert params["type"].required
    assert not params["price"].required
    assert params["instrument_name"].description == "Instrument name"
    assert params["instrument_name"].enum == ()
    assert params["type"].enum == ("limit", "market")
    assert params["price"].type.types == ("number",)
    assert params["price"].presence  # "Optional price for limit order."
    kinds = [(q.line, q.kind) for q in doc.quirks]
    assert (15, "column-shift") in kinds
    assert (17, "column-shift") in kinds
    assert (16, "space-separated-enum") in kinds


def test_folded_parent_rows_are_recovered(doc: MethodDoc) -> None:
    jsonrpc = doc.find("jsonrpc")
    primary = doc.find("result.order.primary_order_id")
    assert jsonrpc is not None
    assert primary is not None
    assert jsonrpc.description == "The JSON-RPC version (2.0)"
    assert primary.description == "Unique order identifier"
    for path, line, types, items in (
        ("result", 24, ("object",), None),
        ("result.order", 24, ("object",), None),
        ("result.trades", 76, ("array",), "object"),
    ):
        row = doc.find(path)
        assert row is not None
        assert row.folded
        assert (row.line, row.type.types, row.type.items) == (line, types, items)
    folded = [q for q in doc.quirks if q.kind == "folded-parent-row"]
    assert [q.line for q in folded] == [24, 24, 76]


def test_every_row_keeps_its_source_line(doc: MethodDoc) -> None:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    for row in doc.fields:
        text = lines[row.line - 1]
        assert (row.path in text) if not row.folded else (row.path.split(".")[-1] in text)
    for param in doc.params:
        assert lines[param.line - 1].startswith(f"| {param.name} ")
    assert len([r for r in doc.fields if not r.folded]) == 121 - 22


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("result.order.trigger", ("index_price", "mark_price", "last_price")),
        ("result.order.advanced", ("usd", "implv")),
        ("result.trades[].order_type", ("limit", "market", "liquidation")),
        ("result.order.direction", ("buy", "sell")),
        ("result.trades[].liquidity", ("M", "T")),
        ("result.trades[].liquidation", ("M", "T", "MT")),
        ("result.trades[].tick_direction", (0, 1, 2, 3)),
        ("result.order.trigger_fill_condition", ("first_hit", "complete_fill", "incremental")),
        ("result.order.order_state", ("open", "filled", "rejected", "cancelled", "untriggered")),
        (
            "result.order.time_in_force",
            ("good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"),
        ),
        ("result.order.implv", ()),
        ("result.order.label", ()),
    ],
)
def test_enums_from_prose(doc: MethodDoc, path: str, expected: tuple[object, ...]) -> None:
    assert _enum(doc, path) == expected


def test_cancel_reason_long_list(doc: MethodDoc) -> None:
    values = _enum(doc, "result.order.cancel_reason")
    assert len(values) == 13
    assert values[0] == "user_request"
    assert values[-1] == "settlement"
    assert "pme_risk_reduction" in values
    assert "oto_primary_closed" in values


def test_broken_quote_and_examples_are_recorded(doc: MethodDoc) -> None:
    kinds = {(q.line, q.kind) for q in doc.quirks}
    assert (96, "broken-quote") in kinds
    assert (79, "examples-not-enum") in kinds
    fee_currency = doc.find("result.trades[].fee_currency")
    assert fee_currency is not None
    assert fee_currency.enum == ()
    assert fee_currency.examples == ("BTC", "ETH", "USDC")


def test_union_always_null_arrays_and_presence(doc: MethodDoc) -> None:
    price = doc.find("result.order.price")
    assert price is not None
    assert price.type.types == ("number", "string")
    assert price.string_literals == ("market_price",)
    matching = doc.find("result.trades[].matching_id")
    assert matching is not None
    assert matching.always_null
    types = {
        path: (row.type.types, row.type.items)
        for path in (
            "result.order.oto_order_ids",
            "result.trades[].legs",
            "result.trades[].trade_allocations",
        )
        if (row := doc.find(path)) is not None
    }
    assert types == {
        "result.order.oto_order_ids": (("array",), "string"),
        "result.trades[].legs": (("array",), None),
        "result.trades[].trade_allocations": (("array",), "object"),
    }
    hints = {row.path: row.presence for row in doc.fields}
    assert hints["result.order.quote"] == ("Present only if true",)
    assert "only for spot" in hints["result.order.is_rebalance"]
    assert any("omitted" in h for h in hints["result.order.advanced"])
    assert hints["result.trades[].underlying_price"] == ("Options only",)
    assert hints["result.order.order_id"] == ()


@pytest.mark.parametrize(
    ("text", "json_type", "enum", "examples"),
    [
        ('Allowed values: "a", "b".', "string", ("a", "b"), ()),
        ('advanced type: "usd" or "implv"', "string", ("usd", "implv"), ()),
        (
            'Order type: "limit, "market", or "liquidation"',
            "string",
            ("limit", "market", "liquidation"),
            (),
        ),
        ("Direction: buy, or sell", "string", ("buy", "sell"), ()),
        ('"M" when maker, "T" when taker, "MT" when both', "string", ("M", "T", "MT"), ()),
        (
            "Tick (0 = Plus Tick, 1 = Zero-Plus Tick, 3 = Zero-Minus Tick).",
            "integer",
            (0, 1, 3),
            (),
        ),
        ('Currency, i.e "BTC", "ETH"', "string", (), ("BTC", "ETH")),
        ('Implied volatility (Only if advanced="implv")', "string", (), ()),
        ('Price or "market_price" in case of trigger orders', "string", (), ()),
        ("The JSON-RPC version (2.0)", "string", (), ()),
        ('Allowed values: "a", "b".', "number", (), ()),
    ],
)
def test_prose_shapes(
    text: str, json_type: str, enum: tuple[object, ...], examples: tuple[str, ...]
) -> None:
    assert extract_enum(text, json_type=json_type) == (enum, examples)


def test_space_enum_and_hints_helpers() -> None:
    assert split_space_enum("limit market") == ("limit", "market")
    assert split_space_enum("Instrument name") == ()
    assert presence_hints("true for post-only orders only") == ()
    assert presence_hints("The name (optional).") == ("optional",)


def test_read_method_doc_accepts_str_paths(tmp_path: Path) -> None:
    copy = tmp_path / "page.md"
    copy.write_bytes(PAGE.read_bytes())
    assert read_method_doc(str(copy)).fields == read_method_doc(PAGE).fields
