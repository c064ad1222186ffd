from __future__ import annotations

import sys

from deribit_contract.cli import main

sys.exit(main())
