"""Every error the kit raises on purpose.

Our exception hierarchy::

    ContractKitError                 root: catch this to catch everything the kit raises
    ├── DocParseError                the documentation page is malformed (file, line, what)
    ├── SchemaBuildError             the table or the errata overlay cannot become a schema
    ├── SchemaNotFound               schemas/ has no such part or mode (names what exists)
    ├── InvalidArgument              a caller passed a bad value (says what to pass instead)
    ├── TargetError                  talking to an implementation failed (not a contract verdict)
    │   ├── TargetRefused            the safety guard refused the target before any request
    │   ├── TargetUnavailable        connection refused, DNS, TLS, timeouts
    │   └── RateLimited              Deribit error 10028 or HTTP 429 after backing off
    └── ContractViolation            (also AssertionError) the implementation broke the contract

Contract violations are ``AssertionError`` so pytest reports them as test failures, not errors.
:class:`ExitCode` is the one table of the command line's exit codes.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

__all__ = [
    "ContractKitError",
    "ContractViolation",
    "DocParseError",
    "ExitCode",
    "InvalidArgument",
    "RateLimited",
    "SchemaBuildError",
    "SchemaNotFound",
    "TargetError",
    "TargetRefused",
    "TargetUnavailable",
]


class ExitCode(IntEnum):
    """What every ``deribit-contract`` command (and ``python -m deribit_contract``) exits with."""

    #: the contract holds, every record is valid, the generated files are up to date
    OK = 0
    #: the contract (or a record, or a generated file) is violated: a verdict
    VIOLATED = 1
    #: usage error, unreadable input, a refused or unreachable target: no verdict
    USAGE = 2


class ContractKitError(Exception):
    """Base class of every error the kit raises on purpose."""


class DocParseError(ContractKitError):
    """The documentation page cannot be read as a method table.

    Carries the file, the 1-based line and the reason, and renders as ``file:line: reason``
    so editors and CI logs can jump to it.
    """

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")


class SchemaBuildError(ContractKitError):
    """The parsed table or the errata overlay cannot be turned into a schema."""


class SchemaNotFound(ContractKitError, KeyError):
    """A schema part or mode was asked for that ``schemas/`` does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class InvalidArgument(ContractKitError, ValueError):
    """A caller passed a value the kit cannot use; the message says what to pass instead."""


class TargetError(ContractKitError):
    """Talking to an implementation failed for a reason that is not a contract verdict."""


class TargetRefused(TargetError):
    """The safety guard refused the target before a single request was sent."""


class TargetUnavailable(TargetError):
    """The target could not be reached (connection refused, timeout, TLS, DNS)."""


class RateLimited(TargetError):
    """The target kept throttling (Deribit 10028 / HTTP 429) after the kit backed off."""


class ContractViolation(ContractKitError, AssertionError):
    """An implementation of close_position broke the contract.

    ``violations`` holds the individual findings (objects with at least ``rule``, ``path``,
    ``expected`` and ``actual``); ``str()`` renders all of them, most important first.
    """

    def __init__(self, title: str, details: str = "", violations: tuple[object, ...] = ()) -> None:
        self.title = title
        self.details = details
        self.violations = violations
        super().__init__(f"{title}\n\n{details}" if details else title)
