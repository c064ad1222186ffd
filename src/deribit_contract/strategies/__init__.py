"""Hypothesis strategies for ``private/close_position``, built from the kit's JSON Schemas.

Usable from any repository's own ``@given`` tests::

    from hypothesis import given
    from deribit_contract.strategies import close_outcomes, invalid_params, responses
    from deribit_contract.invariants import check_all

    @given(close_outcomes())
    def test_my_checker_accepts_correct_closes(outcome):
        assert not check_all(*outcome.as_tuple(), tick_size=outcome.instrument.tick_size)

    @given(invalid_params())
    def test_my_server_rejects(bad):
        assert my_server.call("private/close_position", bad.params)["error"], bad.rule

Every strategy is built by construction (no filtering), reads schemas only through
:func:`deribit_contract.schema.store.load_schema`, and takes keyword-only options.
"""

from __future__ import annotations

from deribit_contract.strategies.from_schema import SUPPORTED_KEYWORDS, from_schema, json_values
from deribit_contract.strategies.outcomes import (
    CATALOG,
    CloseOutcome,
    Instrument,
    close_outcomes,
    instruments,
)
from deribit_contract.strategies.params import (
    DEFAULT_INVALID_RULES,
    INVALID_PARAM_RULES,
    InvalidParams,
    invalid_params,
    requests,
    valid_params,
)
from deribit_contract.strategies.responses import (
    KNOWN_ERRORS,
    deribit_errors,
    error_envelopes,
    orders,
    responses,
    success_responses,
    trades,
)

__all__ = [
    "CATALOG",
    "DEFAULT_INVALID_RULES",
    "INVALID_PARAM_RULES",
    "KNOWN_ERRORS",
    "SUPPORTED_KEYWORDS",
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
