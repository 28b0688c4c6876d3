"""Independent references for interpreter tests: one-node ONNX models under onnxruntime and onnx.reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator

DEFAULT_OPSET = 17


def one_node_model(
    op_type: str,
    inputs: Mapping[str, np.ndarray],
    n_outputs: int = 1,
    attrs: Mapping[str, Any] | None = None,
    initializers: Mapping[str, np.ndarray] | None = None,
    opset: int = DEFAULT_OPSET,
    input_order: Sequence[str] | None = None,
    output_dtypes: Sequence[Any] | None = None,
) -> onnx.ModelProto:
    """A graph with one node; `inputs` are graph inputs, `initializers` constant inputs (both in node order)."""
    initializers = dict(initializers or {})
    names = list(input_order) if input_order is not None else [*inputs.keys(), *initializers.keys()]
    outs = [f"y{i}" for i in range(n_outputs)]
    node = helper.make_node(op_type, names, outs, **dict(attrs or {}))
    g_inputs = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape) for k, v in inputs.items()]
    first = next(iter(inputs.values()), None)
    if first is None:
        first = next(iter(initializers.values()))
    dtypes = list(output_dtypes) if output_dtypes is not None else [first.dtype] * n_outputs
    g_outputs = [
        helper.make_tensor_value_info(o, helper.np_dtype_to_tensor_dtype(np.dtype(d)), None)
        for o, d in zip(outs, dtypes, strict=True)
    ]
    inits = [numpy_helper.from_array(v, k) for k, v in initializers.items()]
    graph = helper.make_graph([node], "one_node", g_inputs, g_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def run_reference(model: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(y) for y in ReferenceEvaluator(model).run(None, dict(inputs))]


def run_onnxruntime(model: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.log_severity_level = 3
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return [np.asarray(y) for y in sess.run(None, dict(inputs))]


def assert_matches_onnx(
    got: Sequence[np.ndarray],
    model: onnx.ModelProto,
    inputs: Mapping[str, np.ndarray],
    rtol: float = 1e-5,
    atol: float = 1e-6,
    runtimes: Sequence[str] = ("reference", "onnxruntime"),
) -> None:
    """`got` equals both references: to rtol for floats, exactly for integers."""
    for name in runtimes:
        ref = run_reference(model, inputs) if name == "reference" else run_onnxruntime(model, inputs)
        assert len(ref) == len(got), f"{name}: {len(ref)} outputs, kcc gave {len(got)}"
        for i, (g, r) in enumerate(zip(got, ref, strict=True)):
            assert g.shape == r.shape, f"{name} output {i}: shape {g.shape} vs {r.shape}"
            if np.issubdtype(r.dtype, np.integer):
                np.testing.assert_array_equal(g, r, err_msg=f"{name} output {i}")
            else:
                np.testing.assert_allclose(g, r, rtol=rtol, atol=atol, err_msg=f"{name} output {i}")
