"""Every stage declares its public surface with ``__all__``, and every name in it exists."""

from __future__ import annotations

import importlib
import importlib.resources

import pytest

import deribit_contract

STAGES = [
    "deribit_contract",
    "deribit_contract.doctable",
    "deribit_contract.schema",
    "deribit_contract.validation",
    "deribit_contract.strategies",
    "deribit_contract.invariants",
    "deribit_contract.exchange",
    "deribit_contract.transports",
    "deribit_contract.contract",
    "deribit_contract.reporting",
    "deribit_contract.errors",
    "deribit_contract.facts",
    "deribit_contract.plugin",
]


@pytest.mark.parametrize("name", STAGES)
def test_all_is_declared_and_importable(name: str) -> None:
    # (its order is ruff's RUF022 business)
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    missing = [item for item in exported if getattr(module, item, None) is None]
    assert not missing, f"{name}.__all__ names what the module does not have: {missing}"


def test_the_package_is_typed() -> None:
    assert (importlib.resources.files(deribit_contract) / "py.typed").is_file()


def test_strategies_exports_strategies_and_the_types_they_draw_only() -> None:
    import inspect

    strategies = importlib.import_module("deribit_contract.strategies")
    drawn_types = {"CloseOutcome", "Instrument", "InvalidParams"}
    for name in strategies.__all__:
        value = getattr(strategies, name)
        if name in drawn_types:
            assert inspect.isclass(value), name
            continue
        assert callable(value), name
        returns = inspect.signature(value).return_annotation
        assert "SearchStrategy" in str(returns), f"{name} is not a strategy ({returns})"
