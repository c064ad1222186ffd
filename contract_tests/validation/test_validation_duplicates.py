"""The duplicate-member guarantee holds, at the same cost, whatever a line's spelling.

A record that writes a member twice must be reported, with its path, however its text is spelled
(compact or spaced, ``7.766e-05`` or ``0.00007766``, ``\\u00e9`` or UTF-8, ``\\u003a`` for a colon,
pretty-printed), and a record that does not must be proved clean on the bulk path without the
second, pure-Python parse that locates duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from validation_support import good_success

from deribit_contract.validation import ResponseValidator
from deribit_contract.validation import duplicates as duplicates_mod
from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.duplicates import (
    find_duplicate_keys,
    members_kept,
    written_by_orjson,
)
from deribit_contract.validation.records import iter_batches
from deribit_contract.validation.report import Summary
from deribit_contract.validation.results import ValidationResult

_NAMES = st.sampled_from(["a", "b", "fee", "é", "a:b", "x\\y", 'q"'])
_STRINGS = st.text(alphabet=st.sampled_from('ab:é✓"\\\n'), max_size=6)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    _STRINGS,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(_NAMES, inner, max_size=4)
    ),
    max_leaves=12,
)


def _string(text: str, *, ascii_only: bool, escape_colon: bool) -> str:
    written = json.dumps(text, ensure_ascii=ascii_only)
    return written.replace(":", "\\u003a") if escape_colon else written


def _spell(value: Any, style: dict[str, Any], repeat: tuple[int, ...] | None) -> str:
    """``value`` as text in ``style``; the object at the path ``repeat`` (indexes of its
    members and items) first writes its first member once more, with another value."""
    comma, colon = style["comma"], style["colon"]
    ascii_only, escape = style["ascii"], style["escape_colon"]
    if isinstance(value, dict):
        pairs = [
            _string(name, ascii_only=ascii_only, escape_colon=escape)
            + colon
            + _spell(item, style, repeat[1:] if repeat and repeat[0] == i else None)
            for i, (name, item) in enumerate(value.items())
        ]
        if repeat == () and value:
            first = _string(next(iter(value)), ascii_only=ascii_only, escape_colon=escape)
            pairs.insert(0, first + colon + '"\\u003a"')
        return "{" + comma.join(pairs) + "}"
    if isinstance(value, list):
        items = [
            _spell(item, style, repeat[1:] if repeat and repeat[0] == i else None)
            for i, item in enumerate(value)
        ]
        return "[" + comma.join(items) + "]"
    if isinstance(value, str):
        return _string(value, ascii_only=ascii_only, escape_colon=escape)
    if isinstance(value, float) and style["orjson_floats"]:
        return orjson.dumps(value).decode()
    return json.dumps(value)


def _objects(value: Any, where: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """The paths (for :func:`_spell`) of every non-empty object in ``value``."""
    found = [where] if isinstance(value, dict) and value else []
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, (dict, list)):
        for i, item in enumerate(children):
            found.extend(_objects(item, (*where, i)))
    return found


_STYLES = st.fixed_dictionaries(
    {
        "comma": st.sampled_from([",", ", ", ",\n  ", " ,\r\n"]),
        "colon": st.sampled_from([":", ": ", " : "]),
        "ascii": st.booleans(),
        "escape_colon": st.booleans(),
        "orjson_floats": st.booleans(),
    }
)


@given(value=_VALUES, style=_STYLES, data=st.data())
def test_the_colon_proof_never_lets_a_duplicate_through(
    value: Any, style: dict[str, Any], data: st.DataObject
) -> None:
    places = _objects(value)
    repeat = data.draw(st.sampled_from(places)) if places and data.draw(st.booleans()) else None
    raw = _spell(value, style, repeat).encode()
    parsed = orjson.loads(raw)
    written = written_by_orjson(parsed)
    assert written is not None
    exact = find_duplicate_keys(raw)  # the exact search alone: every pair kept
    assert bool(exact) == (repeat is not None)
    # a clean line is proved without the exact search, escaped colons included (no string
    # here holds the text of an escape, the one thing that sends a clean line to the search)
    assert members_kept(written, raw) == (not exact)
    assert find_duplicate_keys(raw, parsed) == exact


def test_a_duplicate_hidden_by_an_escaped_colon_is_found() -> None:
    # the dropped member's colon is made up for by the escape: counting literal colons alone
    # would find as many in the line as in orjson's serialisation
    raw = b'{"a":1,"a":2,"b":"\\u003a"}'
    parsed = orjson.loads(raw)
    written = orjson.dumps(parsed)
    assert written.count(b":") == raw.count(b":")
    assert not members_kept(written, raw)
    assert [(d.path, d[2]) for d in find_duplicate_keys(raw, parsed)] == [("$.a", 2)]


@pytest.mark.parametrize("escapes", [0, 1, 63, 64, 65, 300])
def test_escaped_colons_are_counted_however_many_escapes_come_first(escapes: int) -> None:
    # past a few dozen escapes the rest of the text is searched in one count: both ways must
    # see the escaped colon that makes up for a dropped member
    label = json.dumps("é" * escapes)
    clean = f'{{"label":{label},"a":2,"b":"\\u003a"}}'.encode()
    doubled = f'{{"label":{label},"a":1,"a":2,"b":"\\u003a"}}'.encode()
    for raw, repeated in ((clean, False), (doubled, True)):
        parsed = orjson.loads(raw)
        assert members_kept(orjson.dumps(parsed), raw) != repeated
        assert [d.path for d in find_duplicate_keys(raw, parsed)] == (["$.a"] if repeated else [])


def test_the_text_of_an_escape_is_not_taken_for_one() -> None:
    # "\\u003a" is a backslash and the letters u003a: no colon, no member dropped
    raw = b'{"a":"\\\\u003a","b":1}'
    assert orjson.loads(raw) == {"a": "\\u003a", "b": 1}
    assert members_kept(orjson.dumps(orjson.loads(raw)), raw)


def _spellings() -> dict[str, bytes]:
    record = good_success()
    record["result"]["trades"][0]["fee"] = 7.766e-05
    record["result"]["order"]["label"] = "clôture: ✓"
    return {
        "orjson": orjson.dumps(record),
        "compact": json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(),
        "python": json.dumps(record).encode(),
        "escaped colon": json.dumps(record).replace("ture:", "ture\\u003a").encode(),
        "pretty": json.dumps(record, indent=2).replace("\n", "\r\n").encode(),
    }


@pytest.mark.parametrize("spelling", sorted(_spellings()))
def test_clean_lines_of_every_spelling_skip_the_exact_search(
    mini_schemas: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spelling: str,
) -> None:
    line = _spellings()[spelling]
    assert b"e-05" in line or spelling == "orjson"
    target = tmp_path / ("one.json" if spelling == "pretty" else "many.jsonl")
    count = 1 if spelling == "pretty" else 50
    target.write_bytes(b"\r\n".join([line] * count) + b"\r\n")
    scanner = BulkScanner(ResponseValidator("observed", directory=mini_schemas))
    # the exact search is the standard library's parse keeping every pair: refuse it
    monkeypatch.setattr(duplicates_mod, "_Pairs", _refuse)
    summary = Summary()
    bad: list[ValidationResult] = []
    scanner.run(iter_batches([target]), summary, bad.append)
    assert (summary.valid, bad) == (count, [])


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("a clean line took the exact, pure-Python search")


@pytest.mark.parametrize("spelling", sorted(_spellings()))
def test_a_repeated_member_is_reported_alike_in_every_spelling(
    mini_schemas: Path, tmp_path: Path, spelling: str
) -> None:
    line = _spellings()[spelling]
    doubled = line.replace(b'"id"', b'"id": 99, "id"', 1)
    if spelling == "pretty":  # a whole document, one record
        target, clean, where = tmp_path / "doubled.json", 0, 1
        target.write_bytes(doubled)
    else:
        target, clean, where = tmp_path / "doubled.jsonl", 40, 41
        target.write_bytes(b"\n".join([*[line] * clean, doubled, *[line] * clean]) + b"\n")
    summary = Summary()
    bad: list[ValidationResult] = []
    validator = ResponseValidator("observed", directory=mini_schemas)
    BulkScanner(validator).run(iter_batches([target]), summary, bad.append)
    message = (
        "$.id: expected each member name once per object, got 'id' given 2 times "
        "(parsers disagree on which value counts)"
    )
    assert summary.valid == 2 * clean
    assert [(r.record, [v.message for v in r.violations]) for r in bad] == [
        (f"{target}:{where}", [message])
    ]
