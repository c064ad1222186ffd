"""A deterministic simulated Deribit (pure Python: no HTTP, no pytest) and its fault modes.

Transports (respx mock, ASGI server, WebSocket) wrap :class:`SimulatedExchange`; tests may also
call :meth:`SimulatedExchange.handle` directly with a parsed JSON-RPC request.
"""

from __future__ import annotations

from deribit_contract.exchange.accounts import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from deribit_contract.exchange.clock import Clock, FakeClock, MonotonicClock
from deribit_contract.exchange.faults import FAULTS, HTML_500_BODY, Fault
from deribit_contract.exchange.instruments import INSTRUMENTS, Instrument
from deribit_contract.exchange.jsonrpc import Auth, ErrorCode, error_envelope, success_envelope
from deribit_contract.exchange.ratelimit import MATCHING_ENGINE_METHODS, RateLimitConfig
from deribit_contract.exchange.simulator import Call, SimulatedExchange

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "FAULTS",
    "HTML_500_BODY",
    "INSTRUMENTS",
    "MATCHING_ENGINE_METHODS",
    "Auth",
    "Call",
    "Clock",
    "ErrorCode",
    "FakeClock",
    "Fault",
    "Instrument",
    "MonotonicClock",
    "RateLimitConfig",
    "SimulatedExchange",
    "error_envelope",
    "success_envelope",
]
