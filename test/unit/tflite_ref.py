"""Independent references for interpreter tests: one-op TFLite models run by ai-edge-litert.

Models are built in memory with `flatbuffers.Builder` and the builder functions of the generated schema
code in the `tflite` package (`tflite.Conv2DOptions.Start`, `tflite.Operator.AddInputs`, ...).

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

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import flatbuffers
import numpy as np
import tflite
from ai_edge_litert.interpreter import Interpreter, OpResolverType


class _Schema:
    """The generated schema modules (the package's `tflite.Tensor` etc. are the reader classes)."""

    def __getattr__(self, name: str) -> Any:
        return importlib.import_module(f"tflite.{name}")


_S = _Schema()

_TENSOR_TYPES: dict[np.dtype, int] = {
    np.dtype(np.float32): tflite.TensorType.FLOAT32,
    np.dtype(np.float16): tflite.TensorType.FLOAT16,
    np.dtype(np.int32): tflite.TensorType.INT32,
    np.dtype(np.uint8): tflite.TensorType.UINT8,
    np.dtype(np.int64): tflite.TensorType.INT64,
    np.dtype(np.int16): tflite.TensorType.INT16,
    np.dtype(np.int8): tflite.TensorType.INT8,
    np.dtype(np.bool_): tflite.TensorType.BOOL,
}

# Options tables whose name is not `<CamelCase op name>Options`.
_OPTIONS_NAME = {
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "MAX_POOL_2D": "Pool2DOptions",
    "L2_POOL_2D": "Pool2DOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions",
    "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "RESIZE_BILINEAR": "ResizeBilinearOptions",
}

# Option values given by name: the enum that names them.
_ENUM_OPTIONS = {
    "padding": tflite.Padding,
    "fused_activation_function": tflite.ActivationFunctionType,
    "weights_format": tflite.FullyConnectedOptionsWeightsFormat,
}

_RESOLVERS = {
    "ref": OpResolverType.BUILTIN_REF,
    "builtin": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    "auto": OpResolverType.AUTO,
}


@dataclass(frozen=True)
class QParams:
    """Affine quantization of a tensor: per tensor (scalars) or per channel along `axis` (sequences)."""

    scale: float | Sequence[float]
    zero_point: int | Sequence[int] = 0
    axis: int = 0

    @property
    def scales(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.scale, dtype=np.float32))

    @property
    def zero_points(self) -> np.ndarray:
        zp = np.atleast_1d(np.asarray(self.zero_point, dtype=np.int64))
        return np.broadcast_to(zp, self.scales.shape).copy() if zp.size == 1 else zp


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


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def options_table_name(op: str) -> str | None:
    """The name of `op`'s builtin options table (None if it has none)."""
    if op in _OPTIONS_NAME:
        return _OPTIONS_NAME[op]
    want = op.replace("_", "").lower() + "options"
    for name in vars(tflite.BuiltinOptions):
        if name.lower() == want:
            return name
    return None


def _end_vector(b: flatbuffers.Builder, offsets: Sequence[int], start: Any) -> int:
    start(b, len(offsets))
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _options(b: flatbuffers.Builder, table: str, options: Mapping[str, Any]) -> int:
    mod = importlib.import_module(f"tflite.{table}")
    values: dict[str, Any] = {}
    for key, value in options.items():
        if key in _ENUM_OPTIONS and isinstance(value, str):
            value = getattr(_ENUM_OPTIONS[key], value)
        if isinstance(value, list | tuple | np.ndarray):  # vectors must be built before the table starts
            value = b.CreateNumpyVector(np.asarray(value, dtype=np.int32))
        values[key] = value
    mod.Start(b)
    for key, value in values.items():
        adder = getattr(mod, f"Add{_camel(key)}", None)
        if adder is None:
            raise KeyError(f"{table} has no field {key!r}")
        adder(b, value)
    return mod.End(b)


def _quant(b: flatbuffers.Builder, q: QParams) -> int:
    scale = b.CreateNumpyVector(q.scales)
    zp = b.CreateNumpyVector(q.zero_points)
    _S.QuantizationParameters.Start(b)
    _S.QuantizationParameters.AddScale(b, scale)
    _S.QuantizationParameters.AddZeroPoint(b, zp)
    _S.QuantizationParameters.AddQuantizedDimension(b, q.axis)
    return _S.QuantizationParameters.End(b)


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
    b = flatbuffers.Builder(1024)
    code = getattr(tflite.BuiltinOperator, op)
    buffers: list[bytes] = [b""]  # buffer 0: the empty sentinel for non-constant tensors
    tensor_offsets: list[int] = []
    op_inputs: list[int] = []
    graph_inputs: list[int] = []

    def add_tensor(t: Tensor, name: str) -> int:
        buf = 0
        if t.is_const:
            buffers.append(np.ascontiguousarray(t.data).astype(t.data.dtype.newbyteorder("<")).tobytes())
            buf = len(buffers) - 1
        name_off = b.CreateString(name)
        shape = b.CreateNumpyVector(np.asarray(t.data.shape, dtype=np.int32))
        quant = _quant(b, t.quant) if t.quant is not None else None
        _S.Tensor.Start(b)
        _S.Tensor.AddShape(b, shape)
        _S.Tensor.AddType(b, _TENSOR_TYPES[np.dtype(t.data.dtype)])
        _S.Tensor.AddBuffer(b, buf)
        _S.Tensor.AddName(b, name_off)
        if quant is not None:
            _S.Tensor.AddQuantization(b, quant)
        tensor_offsets.append(_S.Tensor.End(b))
        return len(tensor_offsets) - 1

    for i, t in enumerate(inputs):
        if t is None:
            op_inputs.append(-1)
            continue
        idx = add_tensor(t, f"in{i}")
        op_inputs.append(idx)
        if not t.is_const:
            graph_inputs.append(idx)
    op_outputs = [add_tensor(t, f"out{i}") for i, t in enumerate(outputs)]

    table = options_table_name(op)
    opts = _options(b, table, options or {}) if table is not None else None
    if table is None and options:
        raise KeyError(f"{op} has no builtin options table, got options {dict(options)}")
    in_vec = b.CreateNumpyVector(np.asarray(op_inputs, dtype=np.int32))
    out_vec = b.CreateNumpyVector(np.asarray(op_outputs, dtype=np.int32))
    _S.Operator.Start(b)
    _S.Operator.AddOpcodeIndex(b, 0)
    _S.Operator.AddInputs(b, in_vec)
    _S.Operator.AddOutputs(b, out_vec)
    if opts is not None and table is not None:
        _S.Operator.AddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, table))
        _S.Operator.AddBuiltinOptions(b, opts)
    operator = _S.Operator.End(b)

    tensors_vec = _end_vector(b, tensor_offsets, _S.SubGraph.StartTensorsVector)
    g_in = b.CreateNumpyVector(np.asarray(graph_inputs, dtype=np.int32))
    g_out = b.CreateNumpyVector(np.asarray(op_outputs, dtype=np.int32))
    ops_vec = _end_vector(b, [operator], _S.SubGraph.StartOperatorsVector)
    _S.SubGraph.Start(b)
    _S.SubGraph.AddTensors(b, tensors_vec)
    _S.SubGraph.AddInputs(b, g_in)
    _S.SubGraph.AddOutputs(b, g_out)
    _S.SubGraph.AddOperators(b, ops_vec)
    subgraph = _S.SubGraph.End(b)

    buffer_offsets: list[int] = []
    for data in buffers:
        vec = b.CreateNumpyVector(np.frombuffer(data, dtype=np.uint8)) if data else None
        _S.Buffer.Start(b)
        if vec is not None:
            _S.Buffer.AddData(b, vec)
        buffer_offsets.append(_S.Buffer.End(b))

    _S.OperatorCode.Start(b)
    _S.OperatorCode.AddDeprecatedBuiltinCode(b, min(code, tflite.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES))
    _S.OperatorCode.AddBuiltinCode(b, code)
    _S.OperatorCode.AddVersion(b, version)
    opcode = _S.OperatorCode.End(b)

    codes_vec = _end_vector(b, [opcode], _S.Model.StartOperatorCodesVector)
    subgraphs_vec = _end_vector(b, [subgraph], _S.Model.StartSubgraphsVector)
    buffers_vec = _end_vector(b, buffer_offsets, _S.Model.StartBuffersVector)
    desc = b.CreateString("kcc one-op test model")
    _S.Model.Start(b)
    _S.Model.AddVersion(b, 3)
    _S.Model.AddOperatorCodes(b, codes_vec)
    _S.Model.AddSubgraphs(b, subgraphs_vec)
    _S.Model.AddDescription(b, desc)
    _S.Model.AddBuffers(b, buffers_vec)
    model = _S.Model.End(b)
    b.Finish(model, file_identifier=b"TFL3")
    return bytes(b.Output())


def run_model(model: bytes, inputs: Sequence[np.ndarray], resolver: str = "ref") -> list[np.ndarray]:
    """Run a TFLite flatbuffer on `inputs` (in graph-input order) and return copies of its outputs."""
    interp = Interpreter(model_content=model, experimental_op_resolver_type=_RESOLVERS[resolver], num_threads=1)
    interp.allocate_tensors()
    details = interp.get_input_details()
    if len(details) != len(inputs):
        raise ValueError(f"model takes {len(details)} inputs, got {len(inputs)}")
    for d, x in zip(details, inputs, strict=True):
        dtype: Any = d["dtype"]
        interp.set_tensor(d["index"], np.ascontiguousarray(x, dtype=dtype))
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
