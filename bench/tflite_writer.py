"""A TFLite flatbuffer writer: one-subgraph models built in memory with the generated schema code of `tflite`.

    from bench.tflite_writer import TFLiteGraph

    g = TFLiteGraph()
    x = g.input("x", (1, 8, 8, 3))                                  # float32 graph input
    w = g.const("w", np.ones((4, 3, 3, 3), np.float32))             # constant (OHWI)
    y = g.tensor("y", (1, 8, 8, 4))                                 # intermediate / output tensor
    g.op("CONV_2D", [x, w, -1], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    model = g.build()                                               # the .tflite file's bytes

Tensors are indices; `-1` is an omitted optional input. Options are the fields of the operator's builtin
options table by snake_case name; enum fields may be given by name (padding="SAME",
fused_activation_function="RELU6"); sequences become int32 vectors. Quantized tensors take `QParams`
(per tensor, or per channel along `axis`). Custom operators take `custom_code=` and raw `custom_options=`.
The output is a function of the calls only (no time or hash order), so equal graphs give equal bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import flatbuffers
import numpy as np
import tflite

TENSOR_TYPES: dict[np.dtype, int] = {
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
_OPTIONS_TABLE = {
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

# Option fields whose values may be given by name, and the enum that names them.
_ENUM_FIELDS = {
    "padding": tflite.Padding,
    "fused_activation_function": tflite.ActivationFunctionType,
    "weights_format": tflite.FullyConnectedOptionsWeightsFormat,
}


def schema(table: str) -> ModuleType:
    """The generated builder module of a schema table (`tflite.Conv2DOptions` the package attribute is the reader class)."""
    return importlib.import_module(f"tflite.{table}")


def options_table(op: str) -> str | None:
    """The name of builtin operator `op`'s options table (None if it has none)."""
    if op in _OPTIONS_TABLE:
        return _OPTIONS_TABLE[op]
    want = op.replace("_", "").lower() + "options"
    return next((name for name in vars(tflite.BuiltinOptions) if name.lower() == want), None)


@dataclass(frozen=True)
class QParams:
    """Affine quantization: per tensor (scalars) or per channel along `axis` (sequences)."""

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


@dataclass
class _Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    quant: QParams | None
    data: bytes | None
    signature: tuple[int, ...] | None


@dataclass
class _Op:
    code: str
    custom_code: str | None
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any]
    custom_options: bytes
    version: int


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def _vector(b: flatbuffers.Builder, offsets: Sequence[int], start: Callable[[flatbuffers.Builder, int], None]) -> int:
    start(b, len(offsets))
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _ints(b: flatbuffers.Builder, values: Sequence[int] | np.ndarray[Any, Any]) -> int:
    return b.CreateNumpyVector(np.asarray(values, dtype=np.int32))


def _options(b: flatbuffers.Builder, table: str, options: Mapping[str, Any]) -> int:
    mod = schema(table)
    values: dict[str, Any] = {}
    for key, value in options.items():
        if key in _ENUM_FIELDS and isinstance(value, str):
            value = getattr(_ENUM_FIELDS[key], value)
        if isinstance(value, list | tuple | np.ndarray):  # vectors are built before the table starts
            value = _ints(b, value)
        values[key] = value
    mod.Start(b)
    for key, value in values.items():
        adder = getattr(mod, f"Add{_camel(key)}", None)
        if adder is None:
            raise KeyError(f"{table} has no field {key!r}")
        adder(b, value)
    return mod.End(b)


def _quantization(b: flatbuffers.Builder, q: QParams) -> int:
    scale = b.CreateNumpyVector(q.scales)
    zp = b.CreateNumpyVector(q.zero_points)
    qp = schema("QuantizationParameters")
    qp.Start(b)
    qp.AddScale(b, scale)
    qp.AddZeroPoint(b, zp)
    qp.AddQuantizedDimension(b, q.axis)
    return qp.End(b)


@dataclass
class TFLiteGraph:
    """A one-subgraph TFLite model under construction."""

    tensors: list[_Tensor] = field(default_factory=list)
    ops: list[_Op] = field(default_factory=list)
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)

    def tensor(
        self,
        name: str,
        shape: Sequence[int],
        dtype: Any = np.float32,
        quant: QParams | None = None,
        signature: Sequence[int] | None = None,
    ) -> int:
        """A non-constant tensor (intermediate or output)."""
        sig = tuple(signature) if signature is not None else None
        self.tensors.append(_Tensor(name, tuple(int(d) for d in shape), np.dtype(dtype), quant, None, sig))
        return len(self.tensors) - 1

    def input(
        self,
        name: str,
        shape: Sequence[int],
        dtype: Any = np.float32,
        quant: QParams | None = None,
        signature: Sequence[int] | None = None,
    ) -> int:
        """A graph input (inputs are numbered in call order)."""
        t = self.tensor(name, shape, dtype, quant, signature)
        self.inputs.append(t)
        return t

    def const(self, name: str, data: np.ndarray, quant: QParams | None = None) -> int:
        """A constant tensor holding `data` (its storage integers if `quant` is given), stored little-endian."""
        a = np.ascontiguousarray(data)
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        self.tensors.append(_Tensor(name, a.shape, a.dtype, quant, raw, None))
        return len(self.tensors) - 1

    def op(
        self,
        code: str,
        inputs: Sequence[int],
        outputs: Sequence[int],
        custom_code: str | None = None,
        custom_options: bytes = b"",
        version: int = 1,
        **options: Any,
    ) -> None:
        """Append operator `code` (a `tflite.BuiltinOperator` name, or "CUSTOM" with `custom_code`)."""
        self.ops.append(_Op(code, custom_code, list(inputs), list(outputs), options, custom_options, version))

    def output(self, *tensors: int) -> None:
        self.outputs.extend(tensors)

    def build(self, description: str = "kcc bench model", file_identifier: bytes = b"TFL3") -> bytes:
        """The model as .tflite file bytes."""
        b = flatbuffers.Builder(1024)
        buffers: list[bytes] = [b""]  # buffer 0: the empty sentinel of non-constant tensors
        tensor_offsets = [self._tensor(b, t, buffers) for t in self.tensors]

        codes: list[tuple[str, str | None, int]] = []
        op_offsets: list[int] = []
        for o in self.ops:
            key = (o.code, o.custom_code, o.version)
            if key not in codes:
                codes.append(key)
            op_offsets.append(self._operator(b, o, codes.index(key)))

        sg = schema("SubGraph")
        tensors_vec = _vector(b, tensor_offsets, sg.StartTensorsVector)
        g_in = _ints(b, self.inputs)
        g_out = _ints(b, self.outputs)
        ops_vec = _vector(b, op_offsets, sg.StartOperatorsVector)
        sg.Start(b)
        sg.AddTensors(b, tensors_vec)
        sg.AddInputs(b, g_in)
        sg.AddOutputs(b, g_out)
        sg.AddOperators(b, ops_vec)
        subgraph = sg.End(b)

        buf = schema("Buffer")
        buffer_offsets: list[int] = []
        for data in buffers:
            vec = b.CreateNumpyVector(np.frombuffer(data, dtype=np.uint8)) if data else None
            buf.Start(b)
            if vec is not None:
                buf.AddData(b, vec)
            buffer_offsets.append(buf.End(b))

        oc = schema("OperatorCode")
        code_offsets: list[int] = []
        for code_name, custom_code, version in codes:
            code = getattr(tflite.BuiltinOperator, code_name)
            cc = b.CreateString(custom_code) if custom_code is not None else None
            oc.Start(b)
            oc.AddDeprecatedBuiltinCode(b, min(code, tflite.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES))
            oc.AddBuiltinCode(b, code)
            if cc is not None:
                oc.AddCustomCode(b, cc)
            oc.AddVersion(b, version)
            code_offsets.append(oc.End(b))

        m = schema("Model")
        codes_vec = _vector(b, code_offsets, m.StartOperatorCodesVector)
        subgraphs_vec = _vector(b, [subgraph], m.StartSubgraphsVector)
        buffers_vec = _vector(b, buffer_offsets, m.StartBuffersVector)
        desc = b.CreateString(description)
        m.Start(b)
        m.AddVersion(b, 3)
        m.AddOperatorCodes(b, codes_vec)
        m.AddSubgraphs(b, subgraphs_vec)
        m.AddDescription(b, desc)
        m.AddBuffers(b, buffers_vec)
        b.Finish(m.End(b), file_identifier=file_identifier)
        return bytes(b.Output())

    @staticmethod
    def _tensor(b: flatbuffers.Builder, t: _Tensor, buffers: list[bytes]) -> int:
        index = 0
        if t.data is not None:
            buffers.append(t.data)
            index = len(buffers) - 1
        name = b.CreateString(t.name)
        shape = _ints(b, t.shape)
        sig = _ints(b, t.signature) if t.signature is not None else None
        quant = _quantization(b, t.quant) if t.quant is not None else None
        ts = schema("Tensor")
        ts.Start(b)
        ts.AddShape(b, shape)
        if sig is not None:
            ts.AddShapeSignature(b, sig)
        ts.AddType(b, TENSOR_TYPES[t.dtype])
        ts.AddBuffer(b, index)
        ts.AddName(b, name)
        if quant is not None:
            ts.AddQuantization(b, quant)
        return ts.End(b)

    @staticmethod
    def _operator(b: flatbuffers.Builder, o: _Op, code_index: int) -> int:
        table = options_table(o.code) if o.code != "CUSTOM" else None
        if table is None and o.options:
            raise KeyError(f"{o.code} has no builtin options table, got {o.options}")
        opts = _options(b, table, o.options) if table is not None else None
        custom = b.CreateNumpyVector(np.frombuffer(o.custom_options, dtype=np.uint8)) if o.custom_options else None
        in_vec = _ints(b, o.inputs)
        out_vec = _ints(b, o.outputs)
        op = schema("Operator")
        op.Start(b)
        op.AddOpcodeIndex(b, code_index)
        op.AddInputs(b, in_vec)
        op.AddOutputs(b, out_vec)
        if opts is not None and table is not None:
            op.AddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, table))
            op.AddBuiltinOptions(b, opts)
        if custom is not None:
            op.AddCustomOptions(b, custom)
        return op.End(b)
