"""Stage 1 of the pipeline: the vendor's markdown method page becomes typed rows.

``read_method_doc(path)`` returns a :class:`MethodDoc` whose rows keep their source lines; every
malformed input raises :class:`~deribit_contract.errors.DocParseError`.
"""

from __future__ import annotations

from deribit_contract.doctable.model import FieldRow, MethodDoc, ParamRow, Quirk, TypeSpec
from deribit_contract.doctable.reader import parse_method_doc, parse_type, read_method_doc

__all__ = [
    "FieldRow",
    "MethodDoc",
    "ParamRow",
    "Quirk",
    "TypeSpec",
    "parse_method_doc",
    "parse_type",
    "read_method_doc",
]
