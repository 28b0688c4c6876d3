"""kcc's ONNX frontend against onnx.reference and onnxruntime on one-node models.

    from onnx_convert_check import check_node, import_error

    check_node("Clip", {"x": x}, initializers={"min": np.float32(0)}, opset=13)

Graph inputs (`inputs`) are fed to kcc and to the references in order; `initializers` are constant inputs. The
model is imported with `kcc.frontends.onnx.import_onnx`, run with `kcc.interp.run`, and each output must match both
references (floats to 1e-5 relative / 1e-6 absolute, integers exactly) in shape and value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import pytest
from onnx_ref import assert_matches_onnx, one_node_model
from xdsl.dialects.builtin import ModuleOp

from kcc.errors import KccError
from kcc.frontends.onnx import import_onnx
from kcc.interp import run

__all__ = ["check_node", "import_error", "imported_ops"]


def check_node(
    op_type: str,
    inputs: Mapping[str, np.ndarray],
    attrs: Mapping[str, Any] | None = None,
    initializers: Mapping[str, np.ndarray] | None = None,
    opset: int = 17,
    n_outputs: int = 1,
    input_order: Sequence[str] | None = None,
    runtimes: Sequence[str] = ("reference", "onnxruntime"),
) -> ModuleOp:
    """Import and run the one-node model; compare with the references; return the module."""
    model = one_node_model(
        op_type, inputs, n_outputs=n_outputs, attrs=attrs, initializers=initializers, opset=opset, input_order=input_order
    )
    module = import_onnx(model)
    got = run(module, list(inputs.values()))
    assert_matches_onnx(got, model, inputs, runtimes=runtimes)
    return module


def imported_ops(module: ModuleOp) -> list[str]:
    """Names of the ops in @main, in order (without func.return)."""
    body = next(iter(module.ops))
    return [op.name for op in body.walk() if op.name not in ("func.func", "func.return")]


def import_error(model: onnx.ModelProto) -> str:
    """The KccError message importing `model` raises (fails the test if it imports)."""
    with pytest.raises(KccError) as info:
        import_onnx(model)
    return str(info.value)
