"""Shared test support modules (test/support) importable from every test folder; the repository root too,
so tests can use the benchmark model builders in `bench/`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "support"))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
