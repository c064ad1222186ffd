"""Installing the kit costs a host repository's pytest runs nothing until a fixture is used.

The plugin is loaded by every pytest run of every repository where the kit is installed (its
``pytest11`` entry point): it registers options, markers and fixtures, and the contract run, the
transports, respx, Hypothesis and the validators are imported by the fixture or the hook of a
run that needs them. Subprocess runs, so the plugin is found as after ``pip install``.
"""

from __future__ import annotations

import json

import pytest

# what the kit used to import in every run (about 0.7 s), none of which a run without fixtures
# needs
_HEAVY = (
    "deribit_contract.contract.run",
    "deribit_contract.contract.target",
    "deribit_contract.transports",
    "deribit_contract.validation",
    "deribit_contract.reporting",
    "deribit_contract.strategies",
    "respx",
    "httpx",
    "hypothesis",
    "jsonschema",
    "jsonschema_rs",
)

_HOST_TESTS = f"""
import json
import sys

HEAVY = {_HEAVY!r}


def test_record_what_is_loaded():
    with open("loaded.json", "w") as handle:
        json.dump(sorted(name for name in sys.modules if name.startswith(HEAVY)), handle)
"""


_FIXTURE_TESTS = """
import sys


def test_a_fixture_loads_what_it_needs(deribit_run, assert_close_position_contract):
    assert deribit_run.target is not None
    assert deribit_run.spec.kind == "local"
    assert "deribit_contract.contract.run" in sys.modules
"""


def _loaded(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*deribit-contract: target*")
    loaded: list[str] = json.loads((pytester.path / "loaded.json").read_text())
    return loaded


def test_a_run_that_uses_no_fixture_imports_nothing_heavy_for_the_kit(
    pytester: pytest.Pytester,
) -> None:
    # other plugins installed with the kit's dependencies (respx's) import what they import
    # whether or not the kit's plugin is loaded: the kit must add nothing to that
    pytester.makepyfile(test_host=_HOST_TESTS)
    without = _loaded(pytester, "-p", "no:deribit_contract")
    assert "deribit_contract.contract.run" not in without
    assert _loaded(pytester) == without


def test_the_fixtures_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures")
    result.stdout.fnmatch_lines_random(
        ["deribit_mock*", "deribit_run*", "deribit_client*", "assert_close_position_contract*"]
    )


def test_a_fixture_judges_the_default_target_when_first_needed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_host=_FIXTURE_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_an_option_of_the_kit_still_judges_the_target_before_any_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_host=_HOST_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--deribit-target", "https://www.deribit.com"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--allow-host www.deribit.com*"])
