"""Fixtures of the validation tests (the miniature schema set lives in validation_support)."""

from __future__ import annotations

from pathlib import Path

import pytest
from validation_support import write_mini_schemas


@pytest.fixture(scope="session")
def mini_schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory holding the miniature schema set (both modes, every part)."""
    return write_mini_schemas(tmp_path_factory.mktemp("schemas"))
