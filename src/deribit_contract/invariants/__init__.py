"""Reduce-only invariants of ``private/close_position``: pure functions over one call.

Each rule looks at one :class:`CloseCall` (request, position before, response, position after)
and returns a list of :class:`Violation` (rule id, field path, expected, actual, message), or a
:class:`Skip` when the data it needs is absent. The rules are general statements of the contract: they hold for any
correct implementation and judge recorded real traffic as well as the simulator.

Example::

    from deribit_contract.invariants import CloseCall, check_all

    call = CloseCall(request, {"size": 100.0, "direction": "buy"}, response, {"size": 0.0})
    violations = check_all(call)
    assert not violations, "\\n".join(map(str, violations))

``RULES`` maps every rule id to its one-line description; ``evaluate`` also reports skips.
Rules over a *sequence* of steps (edits, other closes, closes sent at once, notifications) are in
:mod:`.sequence` and :mod:`.notifications` (``SEQUENCE_RULES``); :class:`SequenceRecorder`
records a sequence of your own calls and judges it.
This package imports nothing of the kit except :mod:`deribit_contract.errors`.
"""

from __future__ import annotations

from collections.abc import Mapping

from deribit_contract.invariants._core import REGISTRY, CloseCall, Rule, Skip, Violation
from deribit_contract.invariants.notifications import Notified, collect, notifications_match
from deribit_contract.invariants.recorder import SequenceRecorder
from deribit_contract.invariants.report import Report, check_all, evaluate, rule_ids
from deribit_contract.invariants.sequence import (
    SEQUENCE_RULES,
    RpcCall,
    Step,
    judge_sequence,
    judge_step,
)

__all__ = [
    "RULES",
    "SEQUENCE_RULES",
    "CloseCall",
    "Notified",
    "Report",
    "RpcCall",
    "Rule",
    "SequenceRecorder",
    "Skip",
    "Step",
    "Violation",
    "check_all",
    "collect",
    "evaluate",
    "judge_sequence",
    "judge_step",
    "notifications_match",
    "rule_ids",
]

RULES: Mapping[str, str] = {rule_id: REGISTRY[rule_id].description for rule_id in sorted(REGISTRY)}
"""Every invariant id with its one-line description, sorted by id."""
