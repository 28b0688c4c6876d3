"""ONNX backend node tests of kcc's supported ops through the frontend and the interpreter (see docs/conformance.md).

One case per applicable node test. A test listed in test/conformance/onnx_expected_failures.txt must fail and every
other one must pass, so the list (and the generated page) stays honest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "test" / "conformance"))

import onnx_node_tests as h  # noqa: E402

TESTS = h.discover()
EXPECTED = h.load_expected_failures()


def test_node_tests_found() -> None:
    assert len(TESTS) > 400, f"only {len(TESTS)} applicable node tests under {h.NODE_ROOT}"


def test_expected_failures_are_applicable_tests() -> None:
    stale = sorted(set(EXPECTED) - {t.name for t in TESTS})
    assert not stale, f"listed expected failures that are not applicable node tests: {stale}"


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_node(test: h.NodeTest) -> None:
    result = h.outcome(test)
    if test.name in EXPECTED:
        assert not result.passed, f"listed as an expected failure ({EXPECTED[test.name]}) but passes: remove it from the list"
    else:
        assert result.passed, result.error


def test_conformance_page_is_current() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_conformance.py"), "--check", "--assume-expected"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
