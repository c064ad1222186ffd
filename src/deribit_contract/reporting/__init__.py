"""What a run or a pile of captures showed: field statistics, doc-vs-reality drift, coverage, HTML.

* :class:`RunObservations` — the record a contract run keeps (filled by the pytest plugin);
* :func:`write_run_report` / :func:`compute_coverage` — coverage of a run as JSON and HTML;
* :mod:`~deribit_contract.reporting.drift` — ``deribit-contract drift`` over captured traffic;
* :mod:`~deribit_contract.reporting.docdiff` — contract changes between two documentation versions.
"""

from __future__ import annotations

from deribit_contract.reporting.coverage import compute_coverage, write_run_report
from deribit_contract.reporting.observations import CheckFailure, RunObservations

__all__ = ["CheckFailure", "RunObservations", "compute_coverage", "write_run_report"]
