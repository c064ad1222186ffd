"""Malformed pages give DocParseError(file, line, reason), never a traceback (examples + fuzz)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deribit_contract._paths import sources_dir
from deribit_contract.doctable import parse_method_doc, read_method_doc
from deribit_contract.doctable.tables import Section, parse_table, render_table
from deribit_contract.errors import DocParseError

PAGE_TEXT = (sources_dir() / "private-close_position.md").read_text(encoding="utf-8")

PARAMS = """| Parameter | Required | Type | Enum | Description |
| --- | --- | --- | --- | --- |
| instrument_name | true | string |  | Instrument name |
"""


def _page(response_rows: str, *, params: str = PARAMS) -> str:
    return (
        "# POST /private/close_position\n\nSummary.\n\n### Parameters\n\n"
        + params
        + "\n### Response\n\n| Name | Type | Description |\n| --- | --- | --- |\n"
        + response_rows
    )


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            _page("| id | integer | x |\n").replace("### Response", "### Result"),
            1,
            "missing section '### Response'",
        ),
        (_page("| id | integer | x |\n| jsonrpc | string |\n"), 16, "ragged row"),
        (_page("| id | intger | x |\n"), 15, "unknown type string 'intger'"),
        (
            _page("| id | integer | x |\n| result.order.price | number | x |\n"),
            16,
            "orphan field 'result.order.price'",
        ),
        (_page(""), 13, "table in section 'Response' is empty"),
        (_page("| id | integer | x |\n| id | integer | y |\n"), 16, "duplicate field path 'id'"),
        (
            _page("| id | integer | x |\n", params=PARAMS.replace("| true |", "| yes |")),
            9,
            "Required must be",
        ),
        (
            _page("| result | object | x |\n| result[].x | number | y |\n"),
            16,
            "orphan field 'result[].x'",
        ),
        ("no title\n", 1, "missing title"),
        (
            _page("| id | integer | x |\n").replace(
                "Description |\n| --- | --- | --- |\n", "Description |\n| - - | --- | --- |\n"
            ),
            14,
            "malformed delimiter",
        ),
        (_page("| id | integer | x |\nstray text\n"), 16, "text interrupts the table"),
    ],
)
def test_malformed_examples(text: str, line: int, reason: str) -> None:
    with pytest.raises(DocParseError) as caught:
        parse_method_doc(text, path="bad.md")
    assert caught.value.path == "bad.md"
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"bad.md:{line}: ")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(DocParseError, match="cannot read"):
        read_method_doc(tmp_path / "missing.md")
    broken = tmp_path / "latin1.md"
    broken.write_bytes(b"# POST /private/x\n\xff\n")
    with pytest.raises(DocParseError) as caught:
        read_method_doc(broken)
    assert caught.value.line == 2


_cell = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85",
    ),
    max_size=12,
).map(str.strip)


@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(_cell, min_size=n, max_size=n),
            st.lists(st.lists(_cell, min_size=n, max_size=n), min_size=1, max_size=6),
        )
    )
)
def test_random_tables_round_trip(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    text = render_table(header, rows)
    body = tuple((number, line) for number, line in enumerate(text.splitlines(), start=5))
    parsed = parse_table(Section(title="T", line=4, body=body), path="t.md")
    assert list(parsed.header) == header
    assert [list(r.cells) for r in parsed.rows] == rows
    assert [r.line for r in parsed.rows] == list(range(7, 7 + len(rows)))


_TOKENS = [
    *'|#- \nabc.[]"`:0',
    "### Parameters\n",
    "### Response\n",
    "# POST /private/x\n",
    " or ",
    "array of ",
]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=200).map("".join))
def test_random_garbage_only_raises_doc_parse_error(text: str) -> None:
    failure: DocParseError | None = None
    try:
        parse_method_doc(text, path="fuzz.md")
    except DocParseError as exc:
        failure = exc
    if failure is not None:
        assert failure.line >= 1
        assert failure.reason


@given(st.data())
def test_mutated_real_page_only_raises_doc_parse_error(data: st.DataObject) -> None:
    lines = PAGE_TEXT.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    mutation = data.draw(st.sampled_from(["drop", "dup", "pipe", "cut", "type", "swap"]))
    line = lines[index]
    if mutation == "drop":
        del lines[index]
    elif mutation == "dup":
        lines.insert(index, line)
    elif mutation == "pipe":
        at = data.draw(st.integers(0, len(line)))
        lines[index] = line[:at] + "|" + line[at:]
    elif mutation == "cut":
        lines[index] = line[: data.draw(st.integers(0, len(line)))]
    elif mutation == "type":
        lines[index] = line.replace("| number ", "| numbr ").replace(
            "| string ", "| array of strin "
        )
    else:
        other = data.draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    failure: DocParseError | None = None
    try:
        doc = parse_method_doc("\n".join(lines), path="mutant.md")
    except DocParseError as exc:
        failure = exc
    if failure is not None:
        assert 1 <= failure.line <= len(lines) + 1
    else:
        assert doc.fields
