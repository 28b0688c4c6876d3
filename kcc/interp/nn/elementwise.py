"""Elementwise ops: unary activations and math, broadcasting binary arithmetic, PReLU, softmax.

Float results take the result's element type (float32 for f32); quantized ops run through `run_quantized`;
plain integer ops (binary arithmetic, relu, clamp, abs, neg) run exact integer kernels in their own dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, PythonValues, impl, register_impls
from xdsl.ir import Operation

from kcc.dialects.nn.base import element_type
from kcc.dialects.nn.elementwise import (
    AbsOp,
    AddOp,
    CeilOp,
    ClampOp,
    DivOp,
    ExpOp,
    FloorOp,
    HardSigmoidOp,
    HardSwishOp,
    LeakyReluOp,
    LogOp,
    MaximumOp,
    MinimumOp,
    MulOp,
    NegOp,
    PowOp,
    PReluOp,
    ReluOp,
    RsqrtOp,
    SigmoidOp,
    SoftmaxOp,
    SqrtOp,
    SquaredDifferenceOp,
    SubOp,
    TanhOp,
    is_plain_integer,
)
from kcc.dialects.nn.types import is_float, numpy_dtype
from kcc.interp.f32 import all_plain_f32
from kcc.interp.kernels import elementwise as k
from kcc.interp.kernels import f32_math
from kcc.interp.quantized import any_quantized, run_quantized


def _run(
    op: Operation,
    args: tuple[Any, ...],
    kernel: Callable[..., np.ndarray],
    int_kernel: Callable[..., np.ndarray] | None = None,
    f32_kernel: Callable[..., np.ndarray] | None = None,
) -> PythonValues:
    """Apply `kernel` to the operands; float results are cast to the result's dtype (float32 in the quantized path).
    Plain integer results use `int_kernel` in the operands' dtype; plain float32 ops use `f32_kernel` if given
    (kcc's float32 semantics, kcc.interp.kernels.f32_math, shared with the simulator and the C backend)."""
    result = op.results[0]
    if f32_kernel is not None and all_plain_f32(op):
        return (np.asarray(f32_kernel(*(np.asarray(a, dtype=np.float32) for a in args)), dtype=np.float32),)
    if is_plain_integer(result.type):
        if int_kernel is None:
            raise ValueError(f"{op.name} has no integer kernel")  # the verifier only lets integer-capable ops through
        dtype = numpy_dtype(element_type(result))
        return (np.asarray(int_kernel(*(np.asarray(a) for a in args))).astype(dtype),)
    dtype = numpy_dtype(element_type(result)) if is_float(result.type) else np.dtype(np.float32)

    def f(*xs: np.ndarray) -> np.ndarray:
        return np.asarray(kernel(*xs)).astype(dtype)

    return run_quantized(op, args, f) if any_quantized(op) else (f(*args),)


@register_impls
class ElementwiseFunctions(InterpreterFunctions):
    # --- binary -------------------------------------------------------------------------------------------------

    @impl(AddOp)
    def run_add(self, interpreter: Interpreter, op: AddOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.add, k.int_add)

    @impl(SubOp)
    def run_sub(self, interpreter: Interpreter, op: SubOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.sub, k.int_sub)

    @impl(MulOp)
    def run_mul(self, interpreter: Interpreter, op: MulOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.mul, k.int_mul)

    @impl(DivOp)
    def run_div(self, interpreter: Interpreter, op: DivOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.div, k.int_div)

    @impl(MinimumOp)
    def run_minimum(self, interpreter: Interpreter, op: MinimumOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.minimum, k.int_minimum)

    @impl(MaximumOp)
    def run_maximum(self, interpreter: Interpreter, op: MaximumOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.maximum, k.int_maximum)

    @impl(PowOp)
    def run_pow(self, interpreter: Interpreter, op: PowOp, args: tuple[Any, ...]) -> PythonValues:
        int_kernel = k.int_power if is_plain_integer(op.rhs.type) else k.int_power_float_exponent
        return _run(op, args, k.power, int_kernel)

    @impl(SquaredDifferenceOp)
    def run_squared_difference(self, interpreter: Interpreter, op: SquaredDifferenceOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.squared_difference, k.int_squared_difference)

    @impl(PReluOp)
    def run_prelu(self, interpreter: Interpreter, op: PReluOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.prelu)

    # --- unary --------------------------------------------------------------------------------------------------

    @impl(ReluOp)
    def run_relu(self, interpreter: Interpreter, op: ReluOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.relu, k.int_relu)

    @impl(ClampOp)
    def run_clamp(self, interpreter: Interpreter, op: ClampOp, args: tuple[Any, ...]) -> PythonValues:
        lo, hi = op.bounds
        return _run(op, args, lambda x: k.clamp(x, lo, hi), lambda x: k.int_clamp(x, lo, hi))

    @impl(LeakyReluOp)
    def run_leaky_relu(self, interpreter: Interpreter, op: LeakyReluOp, args: tuple[Any, ...]) -> PythonValues:
        alpha = op.alpha_value
        return _run(op, args, lambda x: k.leaky_relu(x, alpha))

    @impl(SigmoidOp)
    def run_sigmoid(self, interpreter: Interpreter, op: SigmoidOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.sigmoid, f32_kernel=f32_math.sigmoid_f32)

    @impl(TanhOp)
    def run_tanh(self, interpreter: Interpreter, op: TanhOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.tanh)

    @impl(HardSigmoidOp)
    def run_hard_sigmoid(self, interpreter: Interpreter, op: HardSigmoidOp, args: tuple[Any, ...]) -> PythonValues:
        alpha, beta = op.alpha_value, op.beta_value
        return _run(op, args, lambda x: k.hard_sigmoid(x, alpha, beta))

    @impl(HardSwishOp)
    def run_hard_swish(self, interpreter: Interpreter, op: HardSwishOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.hard_swish)

    @impl(ExpOp)
    def run_exp(self, interpreter: Interpreter, op: ExpOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.exp, f32_kernel=f32_math.exp_f32)

    @impl(LogOp)
    def run_log(self, interpreter: Interpreter, op: LogOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.log, f32_kernel=f32_math.log_f32)

    @impl(SqrtOp)
    def run_sqrt(self, interpreter: Interpreter, op: SqrtOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.sqrt)

    @impl(RsqrtOp)
    def run_rsqrt(self, interpreter: Interpreter, op: RsqrtOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.rsqrt)

    @impl(AbsOp)
    def run_abs(self, interpreter: Interpreter, op: AbsOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.absolute, k.int_absolute)

    @impl(NegOp)
    def run_neg(self, interpreter: Interpreter, op: NegOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.negative, k.int_negative)

    @impl(FloorOp)
    def run_floor(self, interpreter: Interpreter, op: FloorOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.floor)

    @impl(CeilOp)
    def run_ceil(self, interpreter: Interpreter, op: CeilOp, args: tuple[Any, ...]) -> PythonValues:
        return _run(op, args, k.ceil)

    @impl(SoftmaxOp)
    def run_softmax(self, interpreter: Interpreter, op: SoftmaxOp, args: tuple[Any, ...]) -> PythonValues:
        axis, beta = op.axis_value, op.beta_value
        return _run(op, args, lambda x: k.softmax(x, axis, beta), f32_kernel=lambda x: f32_math.softmax_f32(x, axis, beta))
