"""pytest plugin of the kit (wired up by the contract-suite issue)."""

from __future__ import annotations
