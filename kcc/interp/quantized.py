"""Quantized execution of `nn` ops.

The nn dialect's quantized semantics are TFLite's wherever TFLite defines them: ops whose integer
arithmetic TFLite's reference kernels define (conv, depthwise conv, transposed conv, fully connected, add,
sub, mul, div, squared difference, average pool, mean, softmax, concatenation with rescaling, bilinear
resize, leaky relu, prelu, hard swish, abs, sqrt) register a bit-exact kernel with `exact_kernel`, in
`kcc/interp/nn/quant_kernels.py`; `run_quantized` then uses it. Everything else (and operand types outside
TFLite's kernels) runs as dequantize -> float semantics -> quantize (round half to even, saturating). The
KPU path has its own arithmetic (kcc/k210).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.ir import Operation

from kcc.dialects.nn.types import is_quantized
from kcc.interp.quant import dequantize, quantize

ExactKernel = Callable[[Any, tuple[np.ndarray, ...]], tuple[np.ndarray, ...]]
_EXACT: dict[type[Operation], ExactKernel] = {}


def exact_kernel(*op_classes: type[Operation]) -> Callable[[ExactKernel], ExactKernel]:
    """Register an integer-exact kernel `fn(op, args) -> results` for quantized `op_classes`."""

    def register(fn: ExactKernel) -> ExactKernel:
        for cls in op_classes:
            _EXACT[cls] = fn
        return fn

    return register


def _exact_kernels() -> dict[type[Operation], ExactKernel]:
    import importlib

    importlib.import_module("kcc.interp.nn.quant_kernels")  # registers the kernels (cached after the first call)
    return _EXACT


def run_quantized(
    op: Operation,
    args: Sequence[Any],
    float_fn: Callable[..., Sequence[np.ndarray] | np.ndarray],
) -> tuple[np.ndarray, ...]:
    """Run `op` on quantized `args`: its exact kernel if one is registered, else through float."""
    kernel = _exact_kernels().get(type(op))
    if kernel is not None:
        return kernel(op, tuple(args))
    deq = [dequantize(a, v) if is_quantized(v.type) else a for a, v in zip(args, op.operands, strict=True)]
    out = float_fn(*deq)
    outs = [out] if isinstance(out, np.ndarray) else list(out)
    return tuple(quantize(y, r) if is_quantized(r.type) else np.asarray(y) for y, r in zip(outs, op.results, strict=True))


def any_quantized(op: Operation) -> bool:
    return any(is_quantized(v.type) for v in (*op.operands, *op.results))
