"""Contract tests, JSON Schemas and Hypothesis strategies for Deribit's ``private/close_position``.

Entry points:

* ``deribit_contract.validation`` — judge a JSON-RPC response against the schemas;
* ``deribit_contract.strategies`` — Hypothesis strategies for requests, responses and outcomes;
* ``deribit_contract.invariants`` — the reduce-only rules as pure functions;
* ``deribit_contract.exchange`` — a deterministic simulated Deribit with fault modes;
* the pytest plugin (``deribit_contract.plugin``), loaded automatically after ``pip install``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
