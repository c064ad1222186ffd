"""The contract run: the policies and checks between the suite and a target.

* :mod:`~deribit_contract.contract.session` — order budget, throttling back-off, re-authentication,
  never a blind resend of close_position;
* :mod:`~deribit_contract.contract.target` — naming a target (guarded), starting local/mock ones;
* :mod:`~deribit_contract.contract.run` — one run's shared session, positions and instruments;
* :mod:`~deribit_contract.contract.checks` — verdicts on calls, failure messages with a curl line;
* :mod:`~deribit_contract.contract.cleanup` — cancel and flatten what a run opened;
* :mod:`~deribit_contract.contract.record` — the scripted recording of ``deribit-contract record``.

Submodules are imported on use: ``session`` alone must not pull in the HTTP stack.
"""

from __future__ import annotations

__all__: list[str] = []
