"""docs/dialects/*.md are generated from the dialect definitions and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dialect_docs_are_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_dialect_docs.py"), "--check"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
