"""Schemathesis, as its users run it, against the kit's simulated exchange.

What a schema can see of a broken close_position: each fault mode is served on loopback, a long
or short position is opened before every call (a flat account only ever answers errors, which
says nothing about close results), and Schemathesis judges each answer with its own checks
against the kit's OpenAPI document. Cases are the ones a user would get: the three close
scenarios as explicit examples, then Schemathesis-drawn positive and negative cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.openapi import from_path

from deribit_contract.transports.server import LocalExchangeServer

REPO = Path(__file__).resolve().parents[2]
OPENAPI = REPO / "schemas" / "openapi.json"
CONFIG = REPO / "schemathesis.toml"
CLOSE_PATH = "/private/close_position"
EXPLICIT_CASES: tuple[dict[str, Any], ...] = (
    {"instrument_name": "BTC-PERPETUAL", "type": "market"},
    {"instrument_name": "ETH-PERPETUAL", "type": "limit", "price": 1.0},  # sell limit, marketable
    {"instrument_name": "BTC_USDC-PERPETUAL", "type": "market"},
)
_OPEN = {"BTC-PERPETUAL": 100, "ETH-PERPETUAL": 10, "BTC_USDC-PERPETUAL": 0.01}


@dataclass
class Probe:
    """A logged-in session on one served exchange."""

    api: str
    headers: dict[str, str]

    @classmethod
    def login(cls, server: LocalExchangeServer) -> Probe:
        """The served exchange's default account, with the bearer token a user would pass."""
        token = server.exchange.login().token
        return cls(f"{server.url}/api/v2", {"Authorization": f"Bearer {token}"})

    def open_position(self, instrument: str, *, side: str = "buy") -> None:
        """Open (or add to) a position so that a close has something to close."""
        httpx.get(
            f"{self.api}/private/{side}",
            params={"instrument_name": instrument, "amount": _OPEN[instrument], "type": "market"},
            headers=self.headers,
        )


def schema_failures(server: LocalExchangeServer, *, drawn: int = 8) -> set[str]:
    """The titles of every Schemathesis check that failed on the server's close_position answers."""
    config = SchemathesisConfig.from_path(str(CONFIG))
    operation = from_path(str(OPENAPI), config=config)[CLOSE_PATH]["GET"]
    probe = Probe.login(server)
    failures: set[str] = set()
    calls = [0]

    def judge(query: dict[str, Any], case: Any) -> None:
        instrument = query.get("instrument_name")
        calls[0] += 1
        if instrument in _OPEN:  # longs and shorts in turn
            probe.open_position(instrument, side="sell" if calls[0] % 2 else "buy")
        response = case.call(base_url=probe.api, headers=probe.headers)
        try:
            case.validate_response(response, headers=probe.headers)
        except FailureGroup as group:  # what a Schemathesis user would see reported
            failures.update(str(getattr(f, "title", type(f).__name__)) for f in group.exceptions)

    for query in EXPLICIT_CASES:
        judge(query, operation.Case(query=dict(query)))

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if drawn else ():

        @settings(
            max_examples=drawn,
            database=None,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def draw(case: Any) -> None:
            judge(dict(case.query or {}), case)

        draw()
    return failures
