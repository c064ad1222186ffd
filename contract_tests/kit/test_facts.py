"""The vendor facts hold against the real captures, and everyone reads them from one place.

Each instrument fact names the capture that shows it; these tests read that capture (and every
other capture of the same instrument) and fail when a number disagrees: the captures are the
judge, the facts module only writes down what they show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from deribit_contract import facts
from deribit_contract._paths import fixtures_dir
from deribit_contract.exchange import INSTRUMENTS as SIMULATED
from deribit_contract.exchange import (
    Auth,
    RateLimitConfig,
    SimulatedExchange,
)
from deribit_contract.strategies.outcomes import CATALOG
from deribit_contract.strategies.responses import KNOWN_ERRORS

CAPTURES = fixtures_dir() / "captured" / "realdata"


def _documents(path: Path) -> Iterator[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        yield from (json.loads(line) for line in text.splitlines() if line.strip())
    else:
        yield json.loads(text)


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object inside ``value`` that names an instrument (orders, trades, positions)."""
    if isinstance(value, dict):
        if isinstance(value.get("instrument_name"), str):
            yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _objects_in(relative: str) -> list[dict[str, Any]]:
    path = CAPTURES / relative
    assert path.is_file(), f"evidence file missing: {relative}"
    return [obj for doc in _documents(path) for obj in _objects(doc)]


def _all_objects() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CAPTURES.rglob("*.json*")):
        if path.name == "provenance.json":
            continue
        rel = path.relative_to(CAPTURES).as_posix()
        found.extend((rel, obj) for doc in _documents(path) for obj in _objects(doc))
    return found


def _is_order(obj: dict[str, Any]) -> bool:
    return "order_state" in obj


def _is_trade(obj: dict[str, Any]) -> bool:
    return "trade_id" in obj


def _off_tick(obj: dict[str, Any], tick: Decimal) -> bool:
    price = obj.get("price")
    if not isinstance(price, int | float) or isinstance(price, bool):
        return False
    return Decimal(str(price)) % tick != 0


def _plain(obj: dict[str, Any]) -> bool:
    """A simple limit or market order or its fill: no combo leg, no trigger or OTO order."""
    if "combo_id" in obj or "combo_trade_id" in obj:
        return False  # combo legs trade off the outright instrument's tick
    if "trigger" in obj or obj.get("order_state") == "untriggered":
        return False  # trigger and OTO orders carry ids of their own (``OTO-80322590``)
    return obj.get("order_type") in ("limit", "market")


def _id_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}\d+$")


# --- each fact against its own evidence ---------------------------------------------------------


@pytest.mark.parametrize("name", list(facts.INSTRUMENTS))
def test_each_instrument_fact_holds_in_its_evidence_file(name: str) -> None:
    fact = facts.INSTRUMENTS[name]
    assert fact.evidence or fact.note, f"{name}: a fact needs evidence or a note saying why not"
    for field, relative in fact.evidence.items():
        objects = [obj for obj in _objects_in(relative) if obj["instrument_name"] == name]
        assert objects, f"{name}.{field}: {relative} holds no object of {name}"
        if field == "contract_size":
            sized = [o for o in objects if o.get("contracts") and "amount" in o]
            assert sized, f"{name}: {relative} has no amount/contracts pair"
            for obj in sized:
                ratio = Decimal(str(obj["amount"])) / Decimal(str(obj["contracts"]))
                assert ratio == fact.contract_size, (name, relative, obj)
        elif field == "tick_size":
            priced = [o for o in objects if _plain(o) and isinstance(o.get("price"), int | float)]
            assert priced, f"{name}: {relative} shows no plain price"
            assert not [o["price"] for o in priced if _off_tick(o, fact.tick_size)], relative
        elif field == "min_trade_amount":
            amounts = {Decimal(str(o["amount"])) for o in objects if "amount" in o}
            assert min(amounts) == fact.min_trade_amount, (name, relative, sorted(amounts)[:3])
        elif field == "id_prefix":
            ids = [(o["order_id"], _plain(o)) for o in objects if "order_id" in o]
            assert ids, f"{name}: {relative} has no order id"
            for order_id, plain in ids:
                # trigger orders add their own infix after the prefix (``USDC-SLMB-19641``)
                assert order_id.startswith(fact.id_prefix), (name, order_id)
                assert not plain or _id_pattern(fact.id_prefix).match(order_id), (name, order_id)
        else:  # pragma: no cover - a new kind of evidence needs a check here first
            pytest.fail(f"{name}: no check for evidence of {field!r}")


def test_every_capture_of_a_listed_instrument_agrees_with_the_facts() -> None:
    """Not only the chosen evidence: every real order and trade of a listed instrument."""
    disagreements = []
    for relative, obj in _all_objects():
        fact = facts.INSTRUMENTS.get(obj["instrument_name"])
        if fact is None or relative.startswith("_suspect_or_edited/"):
            continue
        if obj.get("contracts") and "amount" in obj:
            ratio = Decimal(str(obj["amount"])) / Decimal(str(obj["contracts"]))
            if ratio != fact.contract_size:
                disagreements.append(f"{relative}: contract size {ratio} on {fact.name}")
        live = not relative.startswith("docs/")  # doc examples invent prices (ETH at 145.17)
        if live and _is_order(obj) and _plain(obj) and _off_tick(obj, fact.tick_size):
            disagreements.append(f"{relative}: price {obj['price']} off tick on {fact.name}")
        for key in ("order_id", "trade_id"):
            value = obj.get(key)
            if (
                _plain(obj)
                and isinstance(value, str)
                and not _id_pattern(fact.id_prefix).match(value)
            ):
                disagreements.append(f"{relative}: {key} {value} on {fact.name}")
    assert not disagreements, "\n".join(sorted(set(disagreements))[:20])


def test_the_captures_show_every_listed_instrument() -> None:
    seen = {
        obj["instrument_name"] for rel, obj in _all_objects() if _is_order(obj) or _is_trade(obj)
    }
    assert set(facts.INSTRUMENTS) <= seen


@pytest.mark.parametrize("code", sorted(c for c, e in facts.ERRORS.items() if e.evidence))
def test_each_error_with_evidence_has_that_code_and_message_in_its_capture(code: int) -> None:
    error = facts.ERRORS[code]
    document = json.loads((CAPTURES / error.evidence).read_text(encoding="utf-8"))
    assert document["error"]["code"] == code
    assert document["error"]["message"] == error.message


def test_every_error_capture_is_in_the_table_with_its_message() -> None:
    captured = sorted((CAPTURES / "errors").glob("*.json"))
    assert captured
    for path in captured:
        error = json.loads(path.read_text(encoding="utf-8"))["error"]
        assert facts.error_message(error["code"]) == error["message"], path.name


def test_error_codes_are_unique_and_every_named_code_has_a_message() -> None:
    named = {k: v for k, v in vars(facts.ErrorCode).items() if k.isupper()}
    assert len(set(named.values())) == len(named), "two names for one code"
    assert set(named.values()) == set(facts.ERRORS)


# --- the readers take the facts, they do not restate them ---------------------------------------


@pytest.mark.parametrize("name", list(facts.INSTRUMENTS))
def test_the_simulator_and_the_strategies_read_the_same_instrument_facts(name: str) -> None:
    fact = facts.INSTRUMENTS[name]
    simulated = SIMULATED[name]
    (drawn,) = [i for i in CATALOG if i.instrument_name == name]
    for field in ("contract_size", "tick_size", "min_trade_amount", "id_prefix"):
        assert getattr(simulated, field) == getattr(fact, field), field
    assert (drawn.contract_size, drawn.tick_size, drawn.min_trade_amount) == (
        float(fact.contract_size),
        float(fact.tick_size),
        float(fact.min_trade_amount),
    )
    assert drawn.id_prefix == fact.id_prefix
    assert drawn.fee_currency == fact.fee_currency


def test_the_strategies_draw_errors_from_the_one_table() -> None:
    assert dict(KNOWN_ERRORS) == {code: e.message for code, e in facts.ERRORS.items()}


def test_the_simulator_answers_errors_with_the_facts_messages() -> None:
    exchange = SimulatedExchange(rate_limit=RateLimitConfig(burst=1, rate=0.001))

    def call(method: str, auth: Auth = Auth(), **params: object) -> dict[str, Any]:  # noqa: B008
        request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return exchange.handle(request, auth=auth)

    bearer = exchange.login()
    errors = [
        call("private/get_position", instrument_name="BTC-PERPETUAL"),  # no credentials
        call("public/auth", grant_type="client_credentials", client_id="x", client_secret="y"),
        call("public/nope"),
        call("private/get_order_state", bearer, order_id="no-such-order"),
        call("private/close_position", bearer, instrument_name="BTC-PERPETUAL", type="market"),
        call("private/close_position", bearer, instrument_name="BTC-PERPETUAL", type="stop"),
        call("public/get_instrument", instrument_name="NOPE-PERPETUAL"),
        call("private/close_position", bearer, instrument_name="BTC-PERPETUAL", type="market"),
    ]
    codes = set()
    for envelope in errors:
        error = envelope["error"]
        codes.add(error["code"])
        assert error["message"] == facts.error_message(error["code"]), error
    assert len(codes) >= 7, codes  # auth, credentials, method, order, reject, params, throttle
