"""Independent references for interpreter tests: one-op TFLite models run by ai-edge-litert.

Models are built in memory with the TFLite writer of the benchmarks (`bench/tflite_writer.py`).

    from tflite_ref import QParams, const, run_tflite_op

    (y,) = run_tflite_op(
        "CONV_2D",
        inputs=[x],                                    # graph inputs (numpy arrays, NHWC)
        weights=[w, b],                                # constant inputs, after `inputs` in operator order
        options={"padding": "SAME", "stride_w": 1, "stride_h": 1, "fused_activation_function": "RELU"},
        output_shape=(1, 8, 8, 4),
    )

Quantized tensors: wrap the array as `const(q, QParams(scale, zero_point))` (weights) or
`tensor(q, QParams(...))` (graph inputs); per-channel with `QParams([s0, s1, ...], [z0, z1, ...], axis=0)`.
The output's dtype defaults to the first input's, its quantization is `output_quant`.

Resolvers (`resolver=`): "ref" (default) runs TFLite's reference kernels (`BUILTIN_REF`), the definition
that kcc's integer kernels reproduce; "builtin" the optimized builtin kernels without delegates;
"auto" litert's default (optimized kernels plus the XNNPACK delegate for what it supports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from bench.tflite_writer import QParams, TFLiteGraph

_RESOLVERS = {
    "ref": OpResolverType.BUILTIN_REF,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "auto": OpResolverType.AUTO,
}


@dataclass(frozen=True)
class Tensor:
    """A tensor of the model: a graph input (`is_const=False`, `data` gives shape and dtype) or a constant."""

    data: np.ndarray
    quant: QParams | None = None
    is_const: bool = False


def tensor(data: np.ndarray, quant: QParams | None = None) -> Tensor:
    """A graph input holding `data` (its storage integers if `quant` is given)."""
    return Tensor(np.asarray(data), quant, False)


def const(data: np.ndarray, quant: QParams | None = None) -> Tensor:
    """A constant tensor (weights, biases, shape operands)."""
    return Tensor(np.asarray(data), quant, True)


def build_model(
    op: str,
    inputs: Sequence[Tensor | None],
    outputs: Sequence[Tensor],
    options: Mapping[str, Any] | None = None,
    version: int = 1,
) -> bytes:
    """A TFLite flatbuffer with one subgraph running one builtin `op`.

    `inputs` are the operator's inputs in order (None: an omitted optional input); the non-constant ones
    become the graph inputs, in order. `outputs` give the output shapes, dtypes and quantization.
    """
    g = TFLiteGraph()
    op_inputs: list[int] = []
    for i, t in enumerate(inputs):
        if t is None:
            op_inputs.append(-1)
        elif t.is_const:
            op_inputs.append(g.const(f"in{i}", t.data, t.quant))
        else:
            op_inputs.append(g.input(f"in{i}", t.data.shape, t.data.dtype, t.quant))
    op_outputs = [g.tensor(f"out{i}", t.data.shape, t.data.dtype, t.quant) for i, t in enumerate(outputs)]
    g.op(op, op_inputs, op_outputs, version=version, **dict(options or {}))
    g.output(*op_outputs)
    return g.build(description="kcc one-op test model")


def run_model(model: bytes, inputs: Sequence[np.ndarray], resolver: str = "ref") -> list[np.ndarray]:
    """Run a TFLite flatbuffer on `inputs` (in graph-input order) and return copies of its outputs."""
    interp = Interpreter(model_content=model, experimental_op_resolver_type=_RESOLVERS[resolver], num_threads=1)
    interp.allocate_tensors()
    details = interp.get_input_details()
    if len(details) != len(inputs):
        raise ValueError(f"model takes {len(details)} inputs, got {len(inputs)}")
    for d, x in zip(details, inputs, strict=True):
        dtype: Any = d["dtype"]
        interp.set_tensor(d["index"], np.array(x, dtype=dtype))  # np.array keeps 0-d inputs 0-d
    interp.invoke()
    return [np.array(interp.get_tensor(d["index"])) for d in interp.get_output_details()]


def run_tflite_op(
    op: str,
    inputs: Sequence[np.ndarray | Tensor],
    weights: Sequence[np.ndarray | Tensor | None] = (),
    options: Mapping[str, Any] | None = None,
    output_shape: Sequence[int] | None = None,
    output_dtype: Any = None,
    output_quant: QParams | None = None,
    outputs: Sequence[Tensor] | None = None,
    resolver: str = "ref",
    version: int = 1,
) -> list[np.ndarray]:
    """Build a one-op model and run it.

    Operator inputs are `inputs` (graph inputs; arrays or `tensor(...)`) followed by `weights` (constants;
    arrays or `const(...)`; None for an omitted optional input). One output of `output_shape` (default: the
    first input's shape), `output_dtype` (default: the first input's) and `output_quant`; or `outputs` in full.
    """
    ins: list[Tensor | None] = [x if isinstance(x, Tensor) else tensor(x) for x in inputs]
    ins += [w if isinstance(w, Tensor) or w is None else const(w) for w in weights]
    ins = [Tensor(t.data, t.quant, True) if t is not None and i >= len(inputs) else t for i, t in enumerate(ins)]
    if outputs is None:
        first = next(t for t in ins if t is not None)
        shape = tuple(output_shape) if output_shape is not None else first.data.shape
        dtype = np.dtype(output_dtype) if output_dtype is not None else first.data.dtype
        outputs = [Tensor(np.zeros(shape, dtype=dtype), output_quant)]
    model = build_model(op, ins, outputs, options, version)
    feeds = [t.data for t in ins if t is not None and not t.is_const]
    return run_model(model, feeds, resolver)
