"""Request params for close_position: valid ones, and invalid ones that each break one rule.

Valid params come from the ``params`` schema (its required names and its ``type`` enum) plus
the one cross-field rule the table states in prose: a limit close carries a price. Invalid
params start from a valid draw and apply exactly one mutation, tagged with the rule it breaks,
so a test can assert that the target rejects each kind of mistake for the right reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from deribit_contract.errors import InvalidArgument
from deribit_contract.schema.store import load_schema
from deribit_contract.strategies._choice import Chooser, DrawChooser
from deribit_contract.strategies._closing import CATALOG, Instrument

__all__ = [
    "DEFAULT_INVALID_RULES",
    "INVALID_PARAM_RULES",
    "InvalidParams",
    "apply_rule",
    "invalid_params",
    "make_valid_params",
    "requests",
    "valid_params",
]


@dataclass(frozen=True)
class InvalidParams:
    """Params that break exactly one rule: ``rule`` (an id of :data:`INVALID_PARAM_RULES`),
    the ``params`` dict to send and a human ``reason``. ``schema_level`` is True when the
    ``params`` schema alone must reject them."""

    rule: str
    params: dict[str, Any]
    reason: str
    schema_level: bool


# rule id -> (description, does the params schema reject it on its own?)
INVALID_PARAM_RULES: Mapping[str, tuple[str, bool]] = {
    "missing.instrument_name": ("the required instrument_name is absent", True),
    "missing.type": ("the required type is absent", True),
    "misspelled.instrument_name": ("instrument_name is sent under a misspelled key", True),
    "misspelled.type": ("type is sent under a misspelled key", True),
    "enum.type": ("type is a string outside the documented enum", True),
    "json_type.instrument_name": ("instrument_name is not a string", True),
    "json_type.type": ("type is not a string", True),
    "json_type.price": ("price is not a number", True),
    "price.negative": ("a limit close with a negative price", False),
    "price.zero": ("a limit close with price 0", False),
    "price.nan": ("a limit close with price NaN (not representable in strict JSON)", False),
    "price.infinite": (
        "a limit close with an infinite price (not representable in strict JSON)",
        False,
    ),
    "instrument.unknown": ("instrument_name names no listed instrument", False),
    "limit.price_missing": ("a limit close without a price (the docs call price optional)", False),
}
"""Every rule an invalid draw can break, with its description and whether the schema rejects it."""

DEFAULT_INVALID_RULES: tuple[str, ...] = tuple(
    rule for rule in INVALID_PARAM_RULES if rule != "limit.price_missing"
)
"""The rules drawn by default: ``limit.price_missing`` is left out because the documentation
marks ``price`` optional and no capture shows what Deribit answers (see the shared notes)."""

_MISSPELLINGS = {
    "instrument_name": (
        "instrument",
        "instrumentName",
        "instrument-name",
        "Instrument_name",
        "instrument_nam",
    ),
    "type": ("Type", "typ", "order_type", "kind", "TYPE"),
}
_BAD_TYPES = ("LIMIT", "Market", "stop_market", "limt", "", "market ", "take_limit")
_UNKNOWN_INSTRUMENTS = ("NOT-AN-INSTRUMENT", "BTC-PERPETUA", "btc-perpetual", "XRP-31DEC99", "")


def _params_schema(mode: str) -> Mapping[str, Any]:
    schema = load_schema("params", mode)
    properties = schema.get("properties", {})
    if not isinstance(properties, Mapping) or "type" not in properties:
        raise InvalidArgument(f"the {mode} params schema has no `type` property to draw from")
    return schema


def _type_values(schema: Mapping[str, Any]) -> list[str]:
    enum = schema["properties"]["type"].get("enum")
    if not isinstance(enum, list) or not enum:
        raise InvalidArgument("the params schema gives no enum for `type`")
    return [str(value) for value in enum]


def valid_params(
    *,
    mode: str = "observed",
    instruments: Iterable[Instrument] = CATALOG,
) -> SearchStrategy[dict[str, Any]]:
    """Valid close_position params: a listed instrument, a documented ``type``, and for a limit
    close a positive price on the instrument's tick grid (a market close sends no price)."""
    schema = _params_schema(mode)
    catalog = tuple(instruments)
    if not catalog:
        raise InvalidArgument("instruments must not be empty")
    types = _type_values(schema)

    @st.composite
    def draw(draw: Any) -> dict[str, Any]:
        chooser = DrawChooser(draw)
        return make_valid_params(
            chooser, instrument=chooser.choice(catalog), order_type=chooser.choice(types)
        )

    return draw()


def make_valid_params(
    chooser: Chooser, *, instrument: Instrument, order_type: str
) -> dict[str, Any]:
    """Valid params for ``instrument`` and ``order_type`` (a limit close gets a tick-grid price)."""
    params: dict[str, Any] = {"instrument_name": instrument.instrument_name, "type": order_type}
    if order_type == "limit":
        ticks = round(instrument.reference_price / instrument.tick_size)
        params["price"] = round(chooser.integer(1, 2 * ticks) * instrument.tick_size, 10) + 0.0
    return params


def requests(*, mode: str = "observed") -> SearchStrategy[dict[str, Any]]:
    """Whole JSON-RPC request objects carrying :func:`valid_params`."""
    return st.fixed_dictionaries(
        {
            "jsonrpc": st.just("2.0"),
            "id": st.integers(1, 2**31 - 1),
            "method": st.just("private/close_position"),
            "params": valid_params(mode=mode),
        }
    )


def invalid_params(
    *, mode: str = "observed", rules: Iterable[str] | None = None
) -> SearchStrategy[InvalidParams]:
    """Params breaking exactly one rule of ``rules`` (default :data:`DEFAULT_INVALID_RULES`).

    Each draw starts from :func:`valid_params` (a limit close where the rule is about price) and
    applies one mutation. Raises :class:`InvalidArgument` for a rule id not in
    :data:`INVALID_PARAM_RULES`.
    """
    selected = tuple(DEFAULT_INVALID_RULES if rules is None else rules)
    unknown = [rule for rule in selected if rule not in INVALID_PARAM_RULES]
    if unknown or not selected:
        raise InvalidArgument(
            f"unknown or no invalid-param rule(s) {unknown}; known: {list(INVALID_PARAM_RULES)}"
        )
    schema = _params_schema(mode)
    limit_params = valid_params(mode=mode).map(_as_limit)

    def one(rule: str) -> SearchStrategy[InvalidParams]:
        area, _, name = rule.partition(".")
        base = (
            limit_params
            if area in ("price", "limit") or name == "price"
            else valid_params(mode=mode)
        )

        @st.composite
        def mutate(draw: Any) -> InvalidParams:
            return apply_rule(rule, draw(base), DrawChooser(draw), schema=schema)

        return mutate()

    return st.one_of([one(rule) for rule in selected])


def apply_rule(
    rule: str, params: Mapping[str, Any], chooser: Chooser, *, schema: Mapping[str, Any]
) -> InvalidParams:
    """``params`` (valid; a limit close for price rules) broken in exactly the way ``rule`` names.

    Shared by :func:`invalid_params` and the seeded fixture generator; ``schema`` is the params
    schema, so misspellings and bad enum values never collide with what it allows.
    """
    description, schema_level = INVALID_PARAM_RULES[rule]
    area, _, name = rule.partition(".")
    mutated = (
        dict(params)
        if area not in ("price", "limit") and name != "price"
        else _as_limit(dict(params))
    )
    if area == "missing":
        del mutated[name]
    elif area == "misspelled":
        declared = set(schema.get("properties", {}))
        key = chooser.choice([k for k in _MISSPELLINGS[name] if k not in declared])
        mutated[key] = mutated.pop(name)
    elif rule == "enum.type":
        allowed = set(_type_values(schema))
        mutated["type"] = chooser.choice([value for value in _BAD_TYPES if value not in allowed])
    elif area == "json_type":
        wrong: tuple[Any, ...] = (
            # no numeric strings: Deribit's GET form carries every param as a string, so an
            # implementation may rightly accept "100" as a price
            (None, True, "abc", "", [1], {"v": 1})
            if name == "price"
            else (None, True, 7, 1.5, ["x"], {"v": 1})
        )
        mutated[name] = chooser.choice(wrong)
    elif rule == "price.negative":
        mutated["price"] = -abs(mutated["price"])
    elif rule == "price.zero":
        mutated["price"] = chooser.choice((0, 0.0))
    elif rule == "price.nan":
        mutated["price"] = math.nan
    elif rule == "price.infinite":
        mutated["price"] = chooser.choice((math.inf, -math.inf))
    elif rule == "instrument.unknown":
        listed = {instrument.instrument_name for instrument in CATALOG}
        mutated["instrument_name"] = chooser.choice(
            [n for n in _UNKNOWN_INSTRUMENTS if n not in listed]
        )
    elif rule == "limit.price_missing":
        del mutated["price"]
    return InvalidParams(rule, mutated, description, schema_level)


def _as_limit(params: dict[str, Any]) -> dict[str, Any]:
    """A valid draw turned into a limit close (keeping a drawn limit price when there is one)."""
    if params["type"] == "limit":
        return params
    return {**params, "type": "limit", "price": 100.0}
