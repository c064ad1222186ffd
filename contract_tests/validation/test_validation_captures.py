"""Every recorded capture of real traffic is valid in observed mode, and big integers stay exact.

``test_validation_realdata`` holds the files the realdata README lists by shape; this module
walks every live capture (``docs/`` are the vendor's examples, ``_suspect_or_edited/`` is not
ground truth, ``market/`` holds public market data that is no order, trade or error of an
account) and judges each order, user trade and error envelope in it with the part it is.
Starbase ids and timestamps are integers above 2^53 (and ids could pass 2^64, where orjson
reads a float): they must be judged, and reported, digit for digit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from validation_support import REALDATA, REPO

from deribit_contract._json import loads_exact
from deribit_contract.cli import main
from deribit_contract.validation import ResponseValidator, iter_validate

SCHEMAS = REPO / "schemas"
NOT_LIVE = ("docs", "_suspect_or_edited", "market")
STARBASE = REALDATA / "notifications" / "vike__user.trades__combo_net_starbase_3.json"
#: 2**70 + 1: no float holds it, and orjson alone reads it as 1.1805916207174113e+21
HUGE = 1180591620717411303425


def _live_files() -> list[Path]:
    return sorted(
        p
        for p in REALDATA.rglob("*.json*")
        if p.relative_to(REALDATA).parts[0] not in NOT_LIVE and p.suffix in (".json", ".jsonl")
    )


def _parts(value: Any) -> Iterator[tuple[str, Any]]:
    """(part, object) for every order, user trade and error envelope inside ``value``."""
    if isinstance(value, list):
        for item in value:
            yield from _parts(item)
        return
    if not isinstance(value, dict):
        return
    if "error" in value and "result" not in value:
        yield "error", value
    elif "order_id" in value and "order_state" in value:
        yield "order", value
    elif "trade_id" in value and "order_id" in value:
        yield "trade", value
    else:
        for key in ("result", "params", "data", "order", "orders", "trades"):
            if key in value:
                yield from _parts(value[key])


def _documents(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        yield from (json.loads(line) for line in text.splitlines() if line.strip())
    else:
        yield json.loads(text)


def test_every_live_capture_validates_in_observed_mode() -> None:
    validators = {
        part: ResponseValidator("observed", part=part, directory=SCHEMAS)
        for part in ("order", "trade", "error")
    }
    judged: dict[str, int] = {"order": 0, "trade": 0, "error": 0}
    bad: list[str] = []
    for path in _live_files():
        for document in _documents(path):
            for part, value in _parts(document):
                judged[part] += 1
                result = validators[part].validate(value, record=str(path.relative_to(REALDATA)))
                if not result.valid:
                    bad.append(f"{result.record}: {[v.message for v in result.violations]}")
    assert bad == []
    # the walk found the captures: every error file, the bulk files, the new combo trades
    assert judged["error"] >= 10
    assert judged["order"] >= 85
    assert judged["trade"] >= 1200


def test_the_walk_would_catch_a_broken_capture() -> None:
    validator = ResponseValidator("observed", part="trade", directory=SCHEMAS)
    (_, trade), *_ = _parts(json.loads(STARBASE.read_text(encoding="utf-8")))
    assert validator.validate(trade).valid
    for broken in (
        {**trade, "starbase_match_id": str(trade["starbase_match_id"])},
        {k: v for k, v in trade.items() if k != "fee"},
    ):
        assert not validator.validate(broken).valid


def test_orjson_alone_loses_the_digits_and_loads_exact_keeps_them() -> None:
    raw = b'{"trade_id": 1180591620717411303425, "s": "12345678901234567890123"}'
    assert isinstance(orjson.loads(raw)["trade_id"], float)  # the premise of this module
    assert loads_exact(raw)["trade_id"] == HUGE
    assert loads_exact(b'{"n": 12345678901234567890}')["n"] == 12345678901234567890
    assert isinstance(loads_exact(b'{"n": 1.5e21}')["n"], float)  # floats stay floats
    with pytest.raises(orjson.JSONDecodeError):
        loads_exact(b"{1180591620717411303425}")


def test_starbase_integers_are_judged_and_reported_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_, trade), *_ = _parts(json.loads(STARBASE.read_text(encoding="utf-8")))
    assert trade["starbase_match_id"] == 204703712348741632  # above 2**53, exact
    huge = {**trade, "starbase_timestamp": HUGE}  # still an integer: valid
    wrong = {**trade, "trade_id": HUGE}  # an integer where a string belongs: reported as it is
    lines = [json.dumps(huge), json.dumps(wrong)]
    validator = ResponseValidator("observed", part="trade", directory=SCHEMAS)
    assert validator.validate_bytes(lines[0].encode()).valid
    result = validator.validate_bytes(lines[1].encode())
    assert [v.actual for v in result.violations] == [f"{HUGE} (integer)"]
    source = tmp_path / "trades.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    verdicts = list(iter_validate([source], part="trade", directory=SCHEMAS))
    assert [v.valid for v in verdicts] == [True, False]
    # the bulk path (what the CLI runs on JSON Lines) judges the same and reports the digits:
    # its yes/no may read the float (an integral float is an integer to JSON Schema), the
    # explanation re-reads the record exactly
    assert main(["validate", "--part", "trade", "--jobs", "1", str(source)]) == 1
    out = capsys.readouterr().out
    assert f"got {HUGE} (integer)" in out
    assert "1.18" not in out
