"""Observed requirements hold for every instrument kind a record can come from.

A field is required in observed mode only where the evidence covers every kind (perpetual,
future, option, spot, combo). Each ``required`` erratum counts its live samples per kind; for a
kind with none, the documentation's own examples of that kind are all there is, and every
required field must be in them, otherwise a real record of that kind (a spot trade has no
``reduce_only``) would be rejected on the strength of futures alone.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from deribit_contract._paths import fixtures_dir, repo_root, sources_dir
from deribit_contract.doctable import read_method_doc
from deribit_contract.errors import SchemaBuildError
from deribit_contract.schema.errata import Erratum, load_errata, parse_errata
from deribit_contract.schema.evidence import (
    INSTRUMENT_KINDS,
    RealObjects,
    Sample,
    collect_documented_objects,
    collect_real_objects,
    instrument_kind,
    kind_counts,
)
from deribit_contract.validation import ResponseValidator

REALDATA = fixtures_dir() / "captured" / "realdata"
ROOT = repo_root() or Path.cwd()
SCHEMAS = ROOT / "schemas"
ENTRIES = (("order-required-fields", "orders"), ("trade-required-fields", "trades"))


@pytest.fixture(scope="module")
def real() -> RealObjects:
    return collect_real_objects(REALDATA, repo_root=ROOT)


@pytest.fixture(scope="module")
def documented() -> RealObjects:
    return collect_documented_objects(REALDATA, repo_root=ROOT)


@pytest.fixture(scope="module")
def errata() -> dict[str, Erratum]:
    return {e.id: e for e in load_errata(sources_dir() / "errata.yaml", repo_root=ROOT)}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("BTC-PERPETUAL", "perpetual"),
        ("ETH_USDC-PERPETUAL", "perpetual"),
        ("BTC-27JUN25", "future"),
        ("BTC-9DEC22", "future"),
        ("BTC-15SEP26-77000-C", "option"),
        ("XRP_USDC-30AUG24-0d625-P", "option"),
        ("ETH_USDC", "spot"),
        ("BTC-FS-25DEC26_20JUL26", "combo"),
        ("ETH-FS-30AUG24_PERP", "combo"),
    ],
)
def test_instrument_kind_by_name(name: str, kind: str) -> None:
    assert instrument_kind({"instrument_name": name}) == kind


def test_a_combo_leg_comes_from_its_combo() -> None:
    assert instrument_kind({"instrument_name": "BTC-25DEC26", "combo_id": "BTC-FS-X"}) == "combo"
    assert instrument_kind({}) is None


@pytest.mark.parametrize(("entry_id", "attr"), ENTRIES)
def test_kind_counts_match_the_evidence(
    real: RealObjects, errata: dict[str, Erratum], entry_id: str, attr: str
) -> None:
    samples: tuple[Sample, ...] = getattr(real, attr)
    assert errata[entry_id].correction["kinds"] == kind_counts(samples)
    assert all(instrument_kind(s.value) in INSTRUMENT_KINDS for s in samples)


@pytest.mark.parametrize(("entry_id", "attr"), ENTRIES)
def test_uncovered_kinds_rest_on_their_documentation_examples(
    documented: RealObjects, errata: dict[str, Erratum], entry_id: str, attr: str
) -> None:
    entry = errata[entry_id]
    doc = read_method_doc(sources_dir() / "private-close_position.md")
    examples: tuple[Sample, ...] = getattr(documented, attr)
    for kind, live in entry.correction["kinds"].items():
        if live:
            continue
        of_kind = [s for s in examples if instrument_kind(s.value) == kind]
        for name in entry.correction["fields"]:
            missing = [s.source for s in of_kind if name not in s.value]
            assert missing == [], f"{entry_id}: {name} is required but absent from {kind} {missing}"
        if not of_kind:
            # nothing at all shows this kind: only the table's own notes on it may decide
            for name in entry.correction["fields"]:
                row = doc.find(f"{entry.path}.{name}")
                assert row is not None
                assert not any(kind in h for h in row.presence), (entry_id, name, kind)


def test_the_documentation_spot_trades_validate_in_observed_mode(documented: RealObjects) -> None:
    spot = [s for s in documented.trades if instrument_kind(s.value) == "spot"]
    assert len(spot) == 2
    validator = ResponseValidator("observed", part="trade", directory=SCHEMAS)
    for sample in spot:
        result = validator.validate(sample.value, record=sample.source)
        assert result.valid, result.violations
        broken = {k: v for k, v in sample.value.items() if k != "trade_id"}
        assert not validator.validate(broken).valid  # a truly required field still counts


def test_a_requirement_without_kinds_is_refused(errata: dict[str, Erratum]) -> None:
    entry = errata["trade-required-fields"]
    raw = {
        "id": entry.id,
        "path": entry.path,
        "kind": "required",
        "correction": copy.deepcopy(dict(entry.correction)),
        "why": entry.why,
        "evidence": list(entry.evidence),
    }
    parse_errata([raw])
    for kinds in (None, {"future": 3}, {**raw["correction"]["kinds"], "spot": -1}):
        broken = copy.deepcopy(raw)
        if kinds is None:
            del broken["correction"]["kinds"]
        else:
            broken["correction"]["kinds"] = kinds
        with pytest.raises(SchemaBuildError, match=r"correction\.kinds"):
            parse_errata([broken])
