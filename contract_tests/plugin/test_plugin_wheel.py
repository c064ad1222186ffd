"""The built wheel, installed outside the checkout, carries everything a user needs.

An editable install can hide packaging mistakes (schemas read from the checkout, the suite found
on the source tree). This test builds the wheel, installs it into a fresh virtual environment
and runs the schema lookup and the documented suite command from an empty directory.

The fresh environment sees the third-party packages of the interpreter running the tests, so
nothing is downloaded. `--system-site-packages` would not do: it exposes the *base* interpreter's
packages, which lack everything a user installed into their own venv (jsonschema_rs, ...).
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (built,) = dist.glob("deribit_contract_kit-*.whl")
    return built


def test_the_wheel_ships_schemas_sources_suite_and_entry_points(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        entry_text = archive.read(entry_points).decode()
    for mode in ("observed", "documented"):
        assert f"deribit_contract/_data/schemas/{mode}/response.schema.json" in names
    assert "deribit_contract/_data/sources/private-close_position.md" in names
    assert "deribit_contract/_data/sources/errata.yaml" in names
    assert "deribit_contract/py.typed" in names
    assert any(n.startswith("deribit_contract/suite/test_") for n in names)
    assert "deribit_contract = deribit_contract.plugin" in entry_text
    assert "deribit-contract = deribit_contract.cli:main" in entry_text


def _running_site_dirs() -> list[str]:
    """Every site directory the running interpreter imports third-party packages from."""
    candidates = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    candidates += [*site.getsitepackages(), site.getusersitepackages()]
    candidates += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    seen: list[str] = []
    for path in candidates:
        if Path(path).is_dir() and path not in seen:
            seen.append(path)
    return seen


def _fresh_venv_seeing_running_packages(venv: Path) -> Path:
    """A new venv whose own site-packages comes first, then the running interpreter's.

    The directories are listed one per line in a `.pth` file: plain paths, so the `.pth` files
    *inside* them (the checkout's editable install among them) are not processed and the wheel
    installed here is the only `deribit_contract` the venv can import.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(own_site) / "_running_interpreter.pth").write_text("\n".join(_running_site_dirs()) + "\n")
    return python


def test_the_installed_wheel_runs_the_suite_from_an_empty_directory(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    python = _fresh_venv_seeing_running_packages(venv)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DERIBIT_", "PYTHON"))}
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import deribit_contract, deribit_contract._paths as p;"
            "from deribit_contract.schema.store import load_schema;"
            "load_schema('response', 'observed');"
            "print(deribit_contract.__file__); print(p.schemas_dir())",
        ],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, schemas = probe.stdout.split()
    assert module_file.startswith(str(venv)), "the wheel, not the checkout, must be imported"
    assert schemas.startswith(str(venv))
    assert schemas.endswith("_data/schemas")
    suite = subprocess.run(
        [
            str(python), "-m", "pytest", "--pyargs", "deribit_contract.suite", "-p", "no:cacheprovider",
            "--deribit-target", "mock", "--deribit-max-examples", "2", "--deribit-steps", "2", "-q",
        ],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout
