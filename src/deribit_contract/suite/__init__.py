"""The contract suite for ``private/close_position``, shipped as a package of pytest modules.

Run it from any repository after ``pip install deribit-contract-kit``::

    pytest --pyargs deribit_contract.suite                  # against the local simulated exchange
    deribit-contract run --target https://test.deribit.com  # the runner, with a summary

Every test talks to the target selected with ``--deribit-target`` through the plugin's
``deribit_run`` fixture, draws its inputs with Hypothesis and is judged by the schemas and the
invariants (:mod:`deribit_contract.contract.checks`).
"""

from __future__ import annotations
