"""Where the kit's data lives: the source document, the errata, schemas/ and fixtures/.

Resolution order for each directory (as jsonschema's test-suite locator does): an environment
variable, then the copy packed into the wheel, then the repository checkout this module sits in.
When none exists the error says which variable to set.
"""

from __future__ import annotations

import os
from pathlib import Path

from deribit_contract.errors import ContractKitError

__all__ = ["fixtures_dir", "repo_root", "schemas_dir", "sources_dir"]

_PACKAGE = Path(__file__).resolve().parent
_DATA = _PACKAGE / "_data"


def repo_root() -> Path | None:
    """The checkout this package was imported from, or None for an installed wheel."""
    candidate = _PACKAGE.parent.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "schemas").is_dir():
        return candidate
    return None


def _locate(env: str, name: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    root = repo_root()
    if root is not None:
        return root / name
    packed = _DATA / name
    if packed.is_dir():
        return packed
    raise ContractKitError(
        f"cannot find the kit's {name}/ directory; set {env} to its path "
        "or reinstall deribit-contract-kit from a wheel that includes it"
    )


def schemas_dir() -> Path:
    """The directory of generated JSON Schemas (``DERIBIT_CONTRACT_SCHEMAS`` overrides)."""
    return _locate("DERIBIT_CONTRACT_SCHEMAS", "schemas")


def sources_dir() -> Path:
    """The directory holding the vendor's page and the errata overlay."""
    return _locate("DERIBIT_CONTRACT_SOURCES", "sources")


def fixtures_dir() -> Path:
    """The fixtures directory of the checkout (generated, captured and recorded fixtures)."""
    return _locate("DERIBIT_CONTRACT_FIXTURES", "fixtures")
