"""The README's reduce-only sequence example runs as written, passes the correct mock and fails
the mock whose edits are not capped, naming the rules; the fixture judges at teardown too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (example,) = [block for block in blocks if "reduce_only_sequence" in block]
    return example


def test_the_readme_sequence_example_passes_the_correct_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sequence_example=_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)


def test_the_same_example_fails_an_uncapped_edit_naming_the_rules(
    pytester: pytest.Pytester,
) -> None:
    faulty = _example().replace("100.0})", '100.0}, fault="edit_uncapped")')
    assert faulty != _example()
    pytester.makepyfile(test_sequence_example=faulty)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]sequence.open_within_position[]]*", "*[[]edit.capped[]]*"])


def test_an_unjudged_recorder_is_judged_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_teardown="""
        def test_records_a_flip(reduce_only_sequence):
            reduce_only_sequence.step(
                "a reduce-only sell",
                [({"method": "private/sell", "params": {}}, {"result": {"order": {
                    "order_id": "1", "reduce_only": True, "order_state": "filled"}}})],
                position_before={"size": 100.0}, position_after={"size": -100.0},
                open_orders_after=[],
            )
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*[[]sequence.never_grows_or_flips[]]*"])
