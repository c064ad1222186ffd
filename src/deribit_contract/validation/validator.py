"""Judge records as close_position responses: compiled yes/no first, explanations only on failure.

Bulk validation of captured traffic must not be a CI bottleneck, so every record is parsed with
orjson and decided by the compiled ``jsonschema_rs`` validator; only the records it rejects are
handed to :class:`~deribit_contract.validation.explain.Explainer` (pure-Python ``jsonschema``)
for a human explanation. For a ``response`` record the explanation uses the branch the record
claims to be (``error`` -> the error envelope, ``result`` -> the success envelope), so messages
are about that branch and not anyOf noise. Schemas come only from :mod:`deribit_contract.schema.store`.
The command's bulk path (:mod:`deribit_contract.validation.bulk`) reuses this class per batch.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import jsonschema_rs
import orjson

from deribit_contract._json import MAX_NESTING, deepest_steps, loads_exact, nesting_depth
from deribit_contract.errors import InvalidArgument
from deribit_contract.schema.store import MODES, PARTS, load_schema
from deribit_contract.validation.duplicates import find_duplicate_keys
from deribit_contract.validation.explain import (
    Explainer,
    json_path,
    json_pointer,
    pattern_path,
    short_repr,
)
from deribit_contract.validation.records import RawRecord, iter_records, unwrap_recording
from deribit_contract.validation.results import UndocumentedField, ValidationResult, Violation
from deribit_contract.validation.undocumented import Shape, compile_shape, iter_undocumented

__all__ = [
    "ResponseValidator",
    "describe_not_json",
    "iter_validate",
    "judge_lines",
    "validate_response",
]

_BOM = b"\xef\xbb\xbf"


def describe_not_json(raw: bytes, parser_message: str) -> str:
    """Why ``raw`` is not a JSON document, in words a person recognises."""
    stripped = raw.strip()
    if not stripped:
        return "empty record (blank line or empty document)"
    if raw.startswith(_BOM):
        return "starts with a UTF-8 byte order mark (BOM); JSON text must not"
    if stripped[:1] == b"<":
        return "looks like HTML or XML (an error page from a proxy or gateway?), not JSON"
    lowered = parser_message.lower()
    if "depth limit" in lowered or "recursion" in lowered:
        return "nested deeper than the parser's limit of 1024 levels"
    if "infinity" in lowered or "out of range" in lowered:
        return "a number is too large to represent (e.g. 1e400 or a 400-digit integer)"
    if "utf-8" in lowered or "surrogate" in lowered:
        return f"not valid UTF-8 text ({parser_message})"
    if "end of data" in lowered or "eof" in lowered:
        return f"truncated: the input ends inside a JSON value ({parser_message})"
    return f"not JSON ({parser_message})"


class ResponseValidator:
    """Validates records against one part of the contract in one mode.

    ``part`` is ``response`` (default: a JSON-RPC success or error envelope) or any other part of
    :data:`~deribit_contract.schema.store.PARTS` (``order`` and ``trade`` validate bare objects).
    ``directory`` overrides where schemas are read from (tests, custom schema sets).
    """

    def __init__(
        self, mode: str = "observed", *, part: str = "response", directory: Path | None = None
    ) -> None:
        if mode not in MODES:
            raise InvalidArgument(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        if part not in PARTS:
            raise InvalidArgument(f"unknown part {part!r}; expected one of {', '.join(PARTS)}")
        self.mode = mode
        self.part = part
        self._directory = directory
        self._schema = load_schema(part, mode, directory=directory)
        self._fast = jsonschema_rs.Draft202012Validator(self._schema)
        self._explainers: dict[str, Explainer] = {}
        self._shapes: dict[str, Shape] = {}
        self._own_shape: Shape | None = None
        if mode == "observed":
            for name in self._branch_parts():
                self._shapes[name] = compile_shape(load_schema(name, mode, directory=directory))

    def _branch_parts(self) -> tuple[str, ...]:
        return ("success", "error") if self.part == "response" else (self.part,)

    def _explainer(self, part: str) -> Explainer:
        explainer = self._explainers.get(part)
        if explainer is None:
            schema = load_schema(part, self.mode, directory=self._directory)
            explainer = Explainer(schema, location_prefix=f"{self.mode}/{part}.schema.json")
            self._explainers[part] = explainer
        return explainer

    @property
    def schema(self) -> dict[str, Any]:
        """The schema of this validator's part and mode (read-only)."""
        return self._schema

    @property
    def shape(self) -> Shape | None:
        """The undocumented-field map of the part's own schema (None in documented mode)."""
        if not self._shapes:
            return None
        if self._own_shape is None:
            self._own_shape = compile_shape(self._schema)
        return self._own_shape

    # --- the fast path -------------------------------------------------------------------
    def is_valid(self, instance: Any) -> bool:
        """The compiled validator's verdict alone (no explanation, no warnings)."""
        return bool(self._fast.is_valid(instance))

    def validate(self, instance: Any, *, record: str = "<object>") -> ValidationResult:
        """Judge an already-parsed record; explanations are computed only when it is invalid.

        A fixture saved by ``deribit-contract record`` is judged by its ``response`` member. A
        record nested deeper than :data:`~deribit_contract._json.MAX_NESTING` is invalid for
        that reason alone and is never walked.
        """
        depth = nesting_depth(instance)
        if depth > MAX_NESTING:
            expected = f"at most {MAX_NESTING} levels of nested objects and arrays"
            actual = f"a value nested more than {MAX_NESTING} levels deep"
            where = json_path(deepest_steps(instance))
            found = _violation(record, where, expected, actual, "#", "maxDepth")
            return ValidationResult(record, "invalid", (found,))
        if self.part == "response":
            unwrapped = unwrap_recording(instance)
            if unwrapped is not instance:
                return self.validate(unwrapped, record=f"{record} (recorded response)")
        warnings = self._warnings(instance, record) if self._shapes else ()
        if self._fast.is_valid(instance):
            return ValidationResult(record, "valid", (), warnings)
        return ValidationResult(record, "invalid", self.explain(instance, record=record), warnings)

    def validate_bytes(self, raw: bytes, *, record: str = "<bytes>") -> ValidationResult:
        """Parse ``raw`` with orjson and judge it; unparseable bytes give status ``not_json``."""
        try:
            instance = loads_exact(raw)
        except orjson.JSONDecodeError as exc:
            return ValidationResult(record, "not_json", error=describe_not_json(raw, str(exc)))
        except RecursionError:
            return ValidationResult(record, "not_json", error=describe_not_json(raw, "recursion"))
        result = self.validate(instance, record=record)
        duplicates = find_duplicate_keys(raw, instance)
        if not duplicates:
            return result
        repeated = tuple(
            _violation(
                record,
                dup.path,
                "each member name once per object",
                f"{dup[1]!r} given {dup[2]} times (parsers disagree on which value counts)",
                "#",
                "duplicateKeys",
            )
            for dup in duplicates
        )
        return ValidationResult(record, "invalid", repeated + result.violations, result.warnings)

    def accepts_bytes(self, raw: bytes, instance: Any) -> bool:
        """The compiled verdict on an already-parsed ``raw``, duplicate members included."""
        try:
            valid = bool(self._fast.is_valid(instance))
        except ValueError:  # the compiled validator's own depth limit
            return False
        return valid and not find_duplicate_keys(raw, instance)

    def validate_record(self, item: RawRecord) -> ValidationResult:
        """Judge one record from :func:`~deribit_contract.validation.records.iter_records`."""
        if item.error is not None:
            return ValidationResult(item.label, "not_json", error=item.error)
        return self.validate_bytes(item.raw, record=item.label)

    # --- the slow path -------------------------------------------------------------------
    def explain(self, instance: Any, *, record: str = "<object>") -> tuple[Violation, ...]:
        """Why ``instance`` fails, best first (empty when it is valid)."""
        try:
            found = self._explain(instance, record)
        except RecursionError:
            found = []
        if not found:
            # The reference implementation saw nothing (or gave up on depth): fall back on the
            # compiled validator's own errors so a rejected record is never left unexplained.
            found = self._explain_with_fast(instance, record)
        return tuple(found)

    def _explain(self, instance: Any, record: str) -> list[Violation]:
        if self.part != "response":
            return self._explainer(self.part).explain(instance, record=record)
        location = f"{self.mode}/response.schema.json#"
        if not isinstance(instance, Mapping):
            actual = f"{short_repr(instance)}"
            expected = "a JSON-RPC response object"
            return [_violation(record, "$", expected, actual, location, "type")]
        branch = "error" if "error" in instance else "success" if "result" in instance else None
        if branch is None:
            keys = ", ".join(sorted(map(str, instance))[:10]) or "none"
            expected = "a success envelope (with 'result') or an error envelope (with 'error')"
            actual = f"an object without 'result' or 'error' (keys: {keys})"
            return [_violation(record, "$", expected, actual, location + "/anyOf", "anyOf")]
        found = self._explainer(branch).explain(instance, record=record)
        return found or self._explainer("response").explain(instance, record=record)

    def _explain_with_fast(self, instance: Any, record: str) -> list[Violation]:
        out: list[Violation] = []
        try:
            errors = list(self._fast.iter_errors(instance))
        except ValueError:  # the compiled validator's own depth limit
            errors = []
        for error in errors:
            path = json_path(list(error.instance_path))
            location = f"{self.mode}/{self.part}.schema.json#" + json_pointer(
                list(error.schema_path)
            )
            message = str(error.message)
            out.append(_violation(record, path, message, short_repr(error.instance), location, ""))
        if not out:
            out.append(_violation(record, "$", "a record the schema accepts", "rejected", "#", ""))
        return out

    # --- warnings ------------------------------------------------------------------------
    def _warnings(self, instance: Any, record: str) -> tuple[UndocumentedField, ...]:
        if self.part == "response":
            if not isinstance(instance, dict):
                return ()
            shape = self._shapes["error" if "error" in instance else "success"]
        else:
            shape = self._shapes[self.part]
        return tuple(
            UndocumentedField(record, json_path(path), pattern_path(path), erratum)
            for path, erratum in iter_undocumented(instance, shape)
        )


def _violation(
    record: str, path: str, expected: str, actual: str, location: str, keyword: str
) -> Violation:
    return Violation(
        record=record,
        path=path,
        expected=expected,
        actual=actual,
        schema_location=location,
        doc_line=None,
        message=f"{path}: expected {expected}, got {actual}",
        keyword=keyword,
    )


@functools.lru_cache(maxsize=32)
def _cached(mode: str, part: str, directory: Path | None) -> ResponseValidator:
    return ResponseValidator(mode, part=part, directory=directory)


def validate_response(
    instance: Any, *, mode: str = "observed", part: str = "response", directory: Path | None = None
) -> ValidationResult:
    """Judge one parsed close_position response (or a bare ``part``) in ``mode``.

    >>> validate_response({"jsonrpc": "2.0", "id": 1, "result": {...}}).valid  # doctest: +SKIP
    """
    return _cached(mode, part, directory).validate(instance)


def iter_validate(
    paths: Iterable[str | Path],
    *,
    mode: str = "observed",
    part: str = "response",
    directory: Path | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[ValidationResult]:
    """Validate every record under ``paths`` lazily, one :class:`ValidationResult` per record.

    Accepts JSON files, directories (recursive, sorted), JSON Lines and ``-`` for stdin; memory
    stays constant in the number of records.
    """
    validator = _cached(mode, part, directory)
    for item in iter_records(paths, stdin=stdin):
        yield validator.validate_record(item)


def judge_lines(
    lines: Iterable[bytes | str],
    *,
    mode: str = "observed",
    part: str = "response",
    source: str = "<lines>",
    first_line: int = 1,
    directory: Path | None = None,
) -> Iterator[ValidationResult]:
    """One verdict per line of JSON Lines, in order: the map step of a distributed run.

    ``lines`` is any iterable of records, one JSON document each, as ``bytes`` or ``str``
    with or without the line terminator (what Dask's ``read_text`` or Spark's ``textFile``
    hand to ``map_partitions`` / ``mapPartitions``). Record ``i`` is labelled
    ``source:(first_line + i)``. A line that is not JSON gets a ``not_json`` verdict and
    never touches its neighbours. Lazy and in constant memory; the compiled validator is built
    once per process. Each verdict is a picklable :class:`ValidationResult` (``.to_dict()``
    for JSON); valid records carry their undocumented fields as warnings.
    """
    validator = _cached(mode, part, directory)
    for number, line in enumerate(lines, first_line):
        raw = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        yield validator.validate_record(RawRecord(source, number, raw))
