"""Validate close_position responses (or bare orders, trades, params) against the schemas.

The public surface::

    validate_response(obj, *, mode="observed", part="response") -> ValidationResult
    iter_validate(paths, *, mode="observed", part="response") -> Iterator[ValidationResult]
    judge_lines(lines, *, mode="observed", source="<lines>", first_line=1) -> Iterator[...]
    ResponseValidator(mode, *, part="response").validate(obj) / .validate_bytes(raw)

Verdicts come from the compiled validator (jsonschema-rs); only rejected records are explained
by jsonschema. See :mod:`.validator` for the design and :mod:`.report` for output formats.
"""

from __future__ import annotations

from deribit_contract.validation.bulk import BulkScanner
from deribit_contract.validation.records import RawRecord, iter_records
from deribit_contract.validation.report import JsonReporter, Summary, TextReporter, make_reporter
from deribit_contract.validation.results import UndocumentedField, ValidationResult, Violation
from deribit_contract.validation.validator import (
    ResponseValidator,
    describe_not_json,
    iter_validate,
    judge_lines,
    validate_response,
)

__all__ = [
    "BulkScanner",
    "JsonReporter",
    "RawRecord",
    "ResponseValidator",
    "Summary",
    "TextReporter",
    "UndocumentedField",
    "ValidationResult",
    "Violation",
    "describe_not_json",
    "iter_records",
    "iter_validate",
    "judge_lines",
    "make_reporter",
    "validate_response",
]
