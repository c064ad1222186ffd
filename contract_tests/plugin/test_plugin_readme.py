"""The README's plugin example runs as written, in a repository that only installed the kit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    (example,) = [
        block
        for block in _python_blocks()
        if "deribit_mock" in block and "reduce_only_sequence" not in block
    ]
    pytester.makepyfile(test_readme_example=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=2)
