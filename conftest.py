"""Repository-root conftest: Hypothesis profiles only (fixtures belong to the plugin)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# `ci` extends Hypothesis' built-in profile (derandomized, no database, no deadline), which it
# loads by itself when CI is set; `dev` is the quick local loop.
settings.register_profile("ci", settings.get_profile("ci"), max_examples=60)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
