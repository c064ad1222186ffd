"""Hypothesis strategies for ``private/close_position``, built from the kit's JSON Schemas.

Usable from any repository's own ``@given`` tests::

    from hypothesis import given
    from deribit_contract.strategies import close_outcomes, invalid_params, responses
    from deribit_contract.invariants import check_all

    @given(close_outcomes())
    def test_my_checker_accepts_correct_closes(outcome):
        assert not check_all(outcome.call)

    @given(invalid_params())
    def test_my_server_rejects(bad):
        assert my_server.call("private/close_position", bad.params)["error"], bad.rule

Every strategy is built by construction (no filtering), reads schemas only through
:func:`deribit_contract.schema.store.load_schema`, and takes keyword-only options.
"""

from __future__ import annotations

from deribit_contract.strategies.from_schema import from_schema, json_values
from deribit_contract.strategies.outcomes import (
    CloseOutcome,
    Instrument,
    close_outcomes,
    instruments,
)
from deribit_contract.strategies.params import (
    InvalidParams,
    invalid_params,
    requests,
    valid_params,
)
from deribit_contract.strategies.responses import (
    deribit_errors,
    error_envelopes,
    orders,
    responses,
    success_responses,
    trades,
)

# Strategies, and the types of what three of them draw. The tables behind them stay in their
# modules: outcomes.CATALOG, params.INVALID_PARAM_RULES / DEFAULT_INVALID_RULES,
# responses.KNOWN_ERRORS (from deribit_contract.facts), from_schema.SUPPORTED_KEYWORDS.
__all__ = [
    "CloseOutcome",
    "Instrument",
    "InvalidParams",
    "close_outcomes",
    "deribit_errors",
    "error_envelopes",
    "from_schema",
    "instruments",
    "invalid_params",
    "json_values",
    "orders",
    "requests",
    "responses",
    "success_responses",
    "trades",
    "valid_params",
]
