"""What a run or a pile of captures showed: field statistics, doc-vs-reality drift, coverage, HTML."""

from __future__ import annotations
