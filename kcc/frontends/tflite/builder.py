"""Per-subgraph conversion state of the TFLite frontend, and the `OpContext` handed to each converter.

A converter (registered in `kcc.frontends.tflite.registry`) receives one `OpContext` and:

1. reads its operands: `ctx.input(i)` (the SSA value of input `i`, in the model's NHWC layout; constants are
   materialized as `nn.const` on first use), `ctx.has_input(i)` (False for an omitted optional input, -1),
   `ctx.const_input(i, "what")` / `ctx.maybe_const(i)` (the numpy value of a constant input, without
   emitting anything), `ctx.input_tensor(i)` (the `TensorInfo`: name, shape, dtype, quantization),
   `ctx.input_type(i)` / `ctx.input_shape(i)`;
2. reads its options: `ctx.options` (builtin options dict, snake_case schema names, enums as ints) or
   `ctx.option("stride_w", 1)`, `ctx.custom_options` (bytes), `ctx.padding()` ("SAME" / "VALID");
3. builds nn ops and inserts them with `ctx.emit(op)` (returns the op's first result) or `ctx.emit_op(op)`
   (returns the op, for several results), with result types from `ctx.output_type(i)` (the nn type of
   output `i` as the model declares it: f32 or `!nn.q<...>` element types, TFLite shape);
4. binds each output: `ctx.set_output(i, value)` (its type must match the model's output type), or
   `ctx.set_const_output(i, array)` for an output folded to a constant at import.

Layout helpers: `ctx.to_nchw(v)` / `ctx.to_nhwc(v)` emit `nn.transpose [0,3,1,2]` / `[0,2,3,1]`;
`ctx.nchw_op(x, make, out_type)` wraps an NCHW-only op: it transposes `x` to NCHW, calls
`make(x_nchw, result_type_nchw)` to build the op (not yet inserted), emits it and transposes the result
back to NHWC, returning the NHWC value (`out_type` is the NHWC result type, usually `ctx.output_type(0)`).

Fused activations (`fused_activation_function` option): `ctx.fused_activation()` gives the `#nn.act`
for ops that carry one (conv2d, conv_transpose2d, fully_connected; None for NONE);
`ctx.apply_fused_activation(v)` emits a separate nn.relu / nn.clamp after ops that do not. TANH and SIGN_BIT
are refused: TFLite's kernels ignore them (CalculateActivationRange only knows the ReLUs).

Errors: `raise ctx.error("rule broken, with the numbers", hint="what to do")` gives a one-line KccError that
names the operator (`op=CONV_2D 'output tensor name'`) and its index in the subgraph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import tflite
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FunctionType,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f16,
    f32,
    f64,
    i1,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.base import NNOp, fmt_shape
from kcc.dialects.nn.const import const_from_numpy
from kcc.dialects.nn.elementwise import ClampOp, ReluOp
from kcc.dialects.nn.movement import TransposeOp
from kcc.dialects.nn.types import PerChannelQuantType, QuantType
from kcc.errors import KccError
from kcc.frontends.tflite.reader import OperatorInfo, QuantInfo, SubgraphInfo, TensorInfo

OpT = TypeVar("OpT", bound=Operation)

NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)

_ACT = tflite.ActivationFunctionType
ACTIVATION_NAMES = {v: k for k, v in sorted(vars(_ACT).items()) if not k.startswith("_") and isinstance(v, int)}
PADDING_NAMES = {v: k for k, v in sorted(vars(tflite.Padding).items()) if not k.startswith("_") and isinstance(v, int)}

_STORAGE: dict[str, Attribute] = {
    "INT8": IntegerType(8),
    "UINT8": IntegerType(8, Signedness.UNSIGNED),
    "INT16": IntegerType(16),
    "INT32": IntegerType(32),
    "INT64": IntegerType(64),
    "UINT16": IntegerType(16, Signedness.UNSIGNED),
    "UINT32": IntegerType(32, Signedness.UNSIGNED),
    "FLOAT32": f32,
    "FLOAT16": f16,
    "FLOAT64": f64,
    "BOOL": i1,
}
_QUANT_STORAGE = ("INT8", "UINT8", "INT16", "INT32")


def quant_element_type(storage: Attribute, q: QuantInfo, axis: int | None = None) -> Attribute:
    """The nn quantized element type of `q` (per channel: along `axis`, default q's own TFLite axis)."""
    assert isinstance(storage, IntegerType)
    if q.per_channel:
        return PerChannelQuantType(
            storage, q.axis if axis is None else axis, [float(s) for s in q.scales], [int(z) for z in q.zero_points]
        )
    return QuantType(storage, float(q.scales[0]), int(q.zero_points[0]))


def permuted(shape: Sequence[int], perm: Sequence[int]) -> list[int]:
    return [shape[p] for p in perm]


def transposed_type(t: TensorType, perm: Sequence[int]) -> TensorType:
    """`t` with its shape permuted (result dim i = dim perm[i]); a per-channel axis follows its dimension."""
    et = t.element_type
    if isinstance(et, PerChannelQuantType):
        et = PerChannelQuantType(
            et.storage, list(perm).index(et.axis.data), list(et.scale_values), [int(z) for z in et.zp_values]
        )
    return TensorType(et, permuted(t.get_shape(), perm))


def shape_of_type(t: Attribute) -> tuple[int, ...]:
    assert isinstance(t, TensorType)
    return tuple(int(d) for d in t.get_shape())


class GraphBuilder:
    """The conversion state of one subgraph: the block being filled and the SSA value of each tensor.

    `values[t]` is the SSA value of tensor `t` once defined (graph inputs, converted outputs, materialized
    constants); `consts[t]` is the numpy value of a constant tensor (from the file or folded at import).
    """

    def __init__(self, subgraph: SubgraphInfo, input_shapes: Mapping[str, Sequence[int]] | None = None):
        self.subgraph = subgraph
        self.tensors = subgraph.tensors
        self.values: dict[int, SSAValue] = {}
        self.consts: dict[int, np.ndarray] = {t.index: t.data for t in self.tensors if t.data is not None}
        self.shapes: dict[int, tuple[int, ...]] = {}  # graph input shapes (after overrides)
        self.resized = False  # True when an override changed an input shape: result shapes are then re-inferred
        self._resolve_input_shapes(input_shapes or {})
        arg_types = [self.tensor_type(t) for t in subgraph.inputs]
        self.block = Block(arg_types=arg_types)
        self.builder = Builder(InsertPoint.at_end(self.block))
        for t, arg in zip(subgraph.inputs, self.block.args, strict=True):
            self.values[t] = arg

    # -- tensors ---------------------------------------------------------------------------------------------

    def _resolve_input_shapes(self, overrides: Mapping[str, Sequence[int]]) -> None:
        names = [self.tensors[t].name for t in self.subgraph.inputs]
        for key in sorted(overrides):
            if key != "" and key not in names:
                raise KccError(
                    f"--input-shape names input '{key}', but the model's inputs are {', '.join(repr(n) for n in names)}"
                )
        for pos, t in enumerate(self.subgraph.inputs):
            info = self.tensors[t]
            want = overrides.get(info.name, overrides.get("") if pos == 0 else None)
            if want is None:
                if info.is_dynamic:
                    sig = [("?" if d < 0 else d) for d in info.signature]
                    raise KccError(
                        f"input '{info.name}' has a dynamic shape {sig}",
                        hint=f"give its shape, e.g. --input-shape {info.name}:{','.join(str(max(d, 1)) for d in info.shape)}",
                    )
                self.shapes[t] = info.shape
                continue
            want = tuple(int(d) for d in want)
            if len(want) != len(info.signature) or any(s >= 0 and s != w for s, w in zip(info.signature, want, strict=True)):
                raise KccError(
                    f"input '{info.name}' has shape {[('?' if d < 0 else d) for d in info.signature]};"
                    f" it cannot be given shape {list(want)}",
                    hint="only dynamic (?) dimensions can be set, and the rank must match",
                )
            if any(d <= 0 for d in want):
                raise KccError(f"input '{info.name}': shape {list(want)} must have positive dimensions")
            self.shapes[t] = want
            if want != info.shape:
                self.resized = True

    def tensor(self, index: int) -> TensorInfo:
        return self.tensors[index]

    def element_type(self, info: TensorInfo, where: str = "") -> Attribute:
        """The nn element type of a tensor: float, quantized (`!nn.q` / `!nn.qc` along its TFLite axis) or integer."""
        storage = _STORAGE.get(info.type_name)
        if storage is None:
            raise KccError(f"tensor '{info.name}'{where} has type {info.type_name}, which kcc does not support")
        if info.quant is not None and info.type_name in _QUANT_STORAGE:
            try:
                return quant_element_type(storage, info.quant)
            except VerifyException as e:
                raise KccError(f"tensor '{info.name}'{where} has invalid quantization: {e}") from None
        return storage

    def tensor_type(self, index: int) -> TensorType:
        """The nn tensor type of tensor `index` as the model declares it (graph inputs: after overrides)."""
        info = self.tensors[index]
        shape = self.shapes.get(index, info.shape)
        return TensorType(self.element_type(info), list(shape))

    def value(self, index: int) -> SSAValue:
        """The SSA value of tensor `index`; a constant is materialized as `nn.const` on first use."""
        if index in self.values:
            return self.values[index]
        if index in self.consts:
            v = self.insert(const_from_numpy(np.ascontiguousarray(self.consts[index]), self.tensor_type(index))).results[0]
            self.values[index] = v
            return v
        info = self.tensors[index]
        raise KccError(
            f"tensor {index} '{info.name}' is used before any operator defines it",
            hint="the model's operators are not in topological order, or the file is corrupt",
        )

    def insert(self, op: OpT) -> OpT:
        """Insert `op` at the end of the function, verified (after a shape override: result shapes re-inferred)."""
        if self.resized and isinstance(op, NNOp):
            op = self._reinfer(op)
        op.verify()
        self.builder.insert(op)
        return op

    def _reinfer(self, op: OpT) -> OpT:
        """After an input shape override: `op` with result shapes computed from its operands."""
        assert isinstance(op, NNOp)
        shapes = op.infer_shapes()
        if shapes is None:
            return op
        types = [TensorType(r.type.element_type, list(s)) for r, s in zip(op.results, shapes, strict=True)]  # type: ignore[attr-defined]
        if types == [r.type for r in op.results]:
            return op
        new = type(op).create(
            operands=list(op.operands),
            result_types=types,
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        )
        op.drop_all_references()
        return new  # type: ignore[return-value]

    # -- conversion ------------------------------------------------------------------------------------------

    def convert(self) -> None:
        from kcc.frontends.tflite.registry import CONVERTERS, supported_ops

        for op in self.subgraph.operators:
            fn = CONVERTERS.get(op.name)
            ctx = OpContext(self, op)
            if fn is None:
                kind = "custom op" if op.builtin == "CUSTOM" else "op"
                raise KccError(
                    f"unsupported TFLite {kind} '{op.name}'",
                    op=ctx.label,
                    index=op.index,
                    hint="supported: " + ", ".join(supported_ops()),
                )
            ctx.check_finite_weights()
            try:
                fn(ctx)
            except VerifyException as e:
                raise ctx.error(f"{e}", hint="the model's declared shapes or types disagree with what the op computes") from None
            except (IndexError, ValueError, OverflowError) as e:  # malformed options / shapes a converter did not foresee
                raise ctx.error(
                    f"cannot convert ({type(e).__name__}: {e})", hint="the model is malformed, or report a kcc bug"
                ) from None
            for i, t in enumerate(op.outputs):
                if t not in self.values and t not in self.consts:
                    raise ctx.error(f"output #{i} '{self.tensors[t].name}' was not defined by the converter")

    def function(self, name: str = "main") -> func.FuncOp:
        outs = [self.value(t) for t in self.subgraph.outputs]
        self.builder.insert(func.ReturnOp(*outs))
        ftype = FunctionType.from_lists(list(self.block.arg_types), [v.type for v in outs])

        def names(ids: Sequence[int]) -> ArrayAttr[DictionaryAttr]:
            return ArrayAttr([DictionaryAttr({"kcc.name": StringAttr(self.tensors[t].name)}) for t in ids])

        return func.FuncOp(
            name,
            ftype,
            Region(self.block),
            arg_attrs=names(self.subgraph.inputs),
            res_attrs=names(self.subgraph.outputs),
        )

    def module(self) -> ModuleOp:
        self.convert()
        module = ModuleOp([self.function()])
        try:
            module.verify()
        except VerifyException as e:
            raise KccError(f"the imported TFLite model does not verify: {e}", hint="report this with the model") from None
        return module


class OpContext:
    """What a converter sees of one TFLite operator (see the module docstring for the protocol)."""

    def __init__(self, graph: GraphBuilder, op: OperatorInfo):
        self.graph = graph
        self.op = op
        self.name = op.name
        self.index = op.index
        self.options: dict[str, Any] = op.options
        self.custom_options: bytes = op.custom_options

    # -- naming and errors -----------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """`CONV_2D 'name of output 0'`: how messages name this operator."""
        out = self.graph.tensors[self.op.outputs[0]].name if self.op.outputs else ""
        return f"{self.name} '{out}'"

    def error(self, message: str, hint: str | None = None) -> KccError:
        """A KccError naming this operator and its index (raise it)."""
        return KccError(message, op=self.label, index=self.index, hint=hint)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def padding(self) -> str:
        """The `padding` option as "SAME" or "VALID"."""
        code = int(self.option("padding", 0))
        if code not in PADDING_NAMES:
            raise self.error(f"unknown padding {code}", hint="SAME (0) or VALID (1)")
        return PADDING_NAMES[code]

    # -- inputs ----------------------------------------------------------------------------------------------

    @property
    def num_inputs(self) -> int:
        return len(self.op.inputs)

    @property
    def num_outputs(self) -> int:
        return len(self.op.outputs)

    def expect_inputs(self, low: int, high: int | None = None) -> None:
        """Check the operator has between `low` and `high` (default `low`) inputs."""
        high = low if high is None else high
        if not low <= self.num_inputs <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise self.error(f"expects {want} inputs, got {self.num_inputs}")

    def has_input(self, i: int) -> bool:
        """Input `i` exists and is not omitted (-1)."""
        return i < len(self.op.inputs) and self.op.inputs[i] >= 0

    def _tensor_index(self, i: int) -> int:
        if not self.has_input(i):
            raise self.error(f"input #{i} is missing (it has {self.num_inputs} inputs)")
        return self.op.inputs[i]

    def input_tensor(self, i: int) -> TensorInfo:
        return self.graph.tensor(self._tensor_index(i))

    def input(self, i: int) -> SSAValue:
        """The SSA value of input `i` (NHWC; a constant becomes an `nn.const` here)."""
        return self.graph.value(self._tensor_index(i))

    def input_type(self, i: int) -> TensorType:
        """The type of input `i` (of its SSA value when defined, else as the model declares it)."""
        t = self._tensor_index(i)
        if t in self.graph.values:
            ty = self.graph.values[t].type
            assert isinstance(ty, TensorType)
            return ty
        return self.graph.tensor_type(t)

    def input_shape(self, i: int) -> tuple[int, ...]:
        return shape_of_type(self.input_type(i))

    def maybe_const(self, i: int) -> np.ndarray | None:
        """The value of input `i` if it is constant (from the file or folded at import), else None."""
        if not self.has_input(i):
            return None
        return self.graph.consts.get(self.op.inputs[i])

    def const_input(self, i: int, what: str) -> np.ndarray:
        """The value of constant input `i`; an error naming `what` ("weights", "axes", ...) if not constant."""
        v = self.maybe_const(i)
        if v is None:
            name = self.input_tensor(i).name if self.has_input(i) else "<missing>"
            raise self.error(f"{what} (input #{i} '{name}') must be a constant tensor", hint="kcc needs it at compile time")
        return v

    def check_finite_weights(self) -> None:
        """Refuse NaN / Inf in this operator's constant weight inputs (`kcc.frontends.finite`)."""
        from kcc.frontends.finite import NON_FINITE_HINT, TFLITE_WEIGHT_INPUTS, non_finite_message

        for i, role in TFLITE_WEIGHT_INPUTS.get(self.name, ()):
            v = self.maybe_const(i)
            if v is not None:
                message = non_finite_message(v, role, i, self.input_tensor(i).name)
                if message is not None:
                    raise self.error(message, hint=NON_FINITE_HINT)

    # -- outputs ---------------------------------------------------------------------------------------------

    def output_tensor(self, i: int) -> TensorInfo:
        return self.graph.tensor(self.op.outputs[i])

    def output_type(self, i: int = 0) -> TensorType:
        """The nn type of output `i` as the model declares it (model layout, f32 / quantized / integer)."""
        return self.graph.tensor_type(self.op.outputs[i])

    def output_shape(self, i: int = 0) -> tuple[int, ...]:
        return shape_of_type(self.output_type(i))

    def set_output(self, i: int, value: SSAValue) -> None:
        """Bind output `i` to `value`, whose type must be the model's type of that output."""
        t = self.op.outputs[i]
        want = self.graph.tensor_type(t)
        got = value.type
        if got != want:
            ok = False
            if self.graph.resized and isinstance(got, TensorType):
                sig = self.graph.tensor(t).signature
                gs = shape_of_type(got)
                ok = (
                    got.element_type == want.element_type
                    and len(gs) == len(sig)
                    and all(s < 0 or s == g for s, g in zip(sig, gs, strict=True))
                )
            if not ok:
                raise self.error(
                    f"output #{i} '{self.graph.tensor(t).name}' is declared {want} but converts to {got}",
                    hint="the model's shapes or types are inconsistent",
                )
        self.graph.values[t] = value

    def set_const_output(self, i: int, array: np.ndarray) -> None:
        """Output `i` is the constant `array` (folded at import; materialized as `nn.const` when used)."""
        t = self.op.outputs[i]
        want = self.graph.tensor(t)
        if tuple(array.shape) != want.shape:
            raise self.error(
                f"output #{i} '{want.name}' is declared {fmt_shape(want.shape)} but folds to {fmt_shape(array.shape)}"
            )
        self.graph.consts[t] = array

    # -- building --------------------------------------------------------------------------------------------

    def emit_op(self, op: OpT) -> OpT:
        """Insert `op` at the end of the function and return it (after a shape override: re-inferred)."""
        return self.graph.insert(op)

    def emit(self, op: Operation) -> SSAValue:
        """Insert `op` and return its first result."""
        return self.graph.insert(op).results[0]

    def constant(self, array: np.ndarray, result_type: TensorType | None = None) -> SSAValue:
        """Emit an `nn.const` of `array` (its storage integers for a quantized `result_type`)."""
        return self.emit(const_from_numpy(np.ascontiguousarray(array), result_type))

    def _rank4_type(self, t: Attribute, what: str) -> TensorType:
        if not isinstance(t, TensorType) or len(t.get_shape()) != 4:
            raise self.error(f"{what} must be a rank-4 tensor, got {t}")
        return t

    def to_nchw(self, value: SSAValue) -> SSAValue:
        """Emit `nn.transpose [0,3,1,2]` of a rank-4 NHWC value."""
        t = self._rank4_type(value.type, "the input")
        return self.emit(TransposeOp(value, transposed_type(t, NHWC_TO_NCHW), NHWC_TO_NCHW))

    def to_nhwc(self, value: SSAValue) -> SSAValue:
        """Emit `nn.transpose [0,2,3,1]` of a rank-4 NCHW value."""
        t = self._rank4_type(value.type, "the result")
        return self.emit(TransposeOp(value, transposed_type(t, NCHW_TO_NHWC), NCHW_TO_NHWC))

    def nchw_op(self, x: SSAValue, make: Callable[[SSAValue, TensorType], Operation], out_type: TensorType) -> SSAValue:
        """Run an NCHW-only op on NHWC `x`: transpose in, `make(x_nchw, nchw_result_type)`, transpose out.

        `out_type` is the NHWC result type; the returned value is NHWC.
        """
        out_type = self._rank4_type(out_type, "the output")
        xt = self.to_nchw(x)
        y = self.emit(make(xt, transposed_type(out_type, NHWC_TO_NCHW)))
        return self.to_nhwc(y)

    def activation_code(self) -> int:
        return int(self.option("fused_activation_function", 0))

    def fused_activation(self) -> ActivationAttr | None:
        """The `#nn.act` of the fused activation option (None for NONE); error for TANH / SIGN_BIT / unknown."""
        code = self.activation_code()
        if code == _ACT.NONE:
            return None
        if code == _ACT.RELU:
            return ActivationAttr("relu")
        if code == _ACT.RELU6:
            return ActivationAttr("clamp", [0.0, 6.0])
        if code == _ACT.RELU_N1_TO_1:
            return ActivationAttr("clamp", [-1.0, 1.0])
        name = ACTIVATION_NAMES.get(code, str(code))
        why = "TFLite's kernels ignore it" if code in (_ACT.TANH, _ACT.SIGN_BIT) else "unknown value"
        raise self.error(f"unsupported fused activation {name} ({why})", hint="supported: NONE, RELU, RELU6, RELU_N1_TO_1")

    def apply_fused_activation(self, value: SSAValue) -> SSAValue:
        """`value` followed by the fused activation as a separate op (nn.relu / nn.clamp)."""
        act = self.fused_activation()
        if act is None:
            return value
        kind = act.kind.data
        if kind == "relu":
            return self.emit(ReluOp(value))
        lo, hi = act.values
        return self.emit(ClampOp(value, None, lo, hi))
