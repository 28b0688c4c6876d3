"""Every `nn` op is round-tripped by test/Dialect/nn/ops.mlir and has an interpreter implementation."""

from __future__ import annotations

import re
from pathlib import Path

import kcc.dialects.nn as nn
from kcc.interp.registry import all_functions

ROOT = Path(__file__).resolve().parents[2]


def _op_names() -> list[str]:
    return sorted(op.get_irdl_definition().name for op in nn.ALL_OPS)


def test_every_op_is_in_ops_mlir() -> None:
    text = (ROOT / "test" / "Dialect" / "nn" / "ops.mlir").read_text()
    checked = set(re.findall(r"CHECK(?:-NEXT)?:.*?= (nn\.[a-z0-9_]+) ", text))
    missing = [n for n in _op_names() if n not in checked]
    assert not missing, f"ops without a round-trip CHECK in ops.mlir: {missing}"


def test_every_op_has_an_interpreter_impl() -> None:
    implemented: set[type] = set()
    for functions in all_functions():
        implemented.update(op for op, _ in type(functions)._impls())  # pyright: ignore[reportPrivateUsage]
    missing = [op.get_irdl_definition().name for op in nn.ALL_OPS if op not in implemented]
    assert not missing, f"ops the interpreter cannot run: {missing}"


def test_op_count() -> None:
    assert len(nn.ALL_OPS) == len(set(_op_names())) >= 50
