"""Reading a TFLite flatbuffer into plain, validated Python records.

`read_model(data)` walks the whole flatbuffer once, with the `tflite` package's generated reader classes,
and copies what the frontend needs into frozen dataclasses (`ModelInfo`, `SubgraphInfo`, `TensorInfo`,
`OperatorInfo`). Names are decoded with `text` (control characters escaped, so that messages stay on one line).
Everything is checked on the way: vector lengths against the file size (so a corrupt length cannot make us
loop or allocate without bound), tensor and buffer indices against their tables, constant buffers against
their tensor's shape and dtype. Any failure is a one-line `KccError`; the
generated readers' own exceptions (struct.error, IndexError, ...) on garbage bytes are caught here.

Builtin options become a dict keyed by the schema's snake_case field names (`stride_w`, `padding`,
`fused_activation_function`, `new_shape`, ...); enum fields keep their integer values (see the `tflite`
package's `Padding`, `ActivationFunctionType`). Custom options stay raw bytes.
"""

from __future__ import annotations

import importlib
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tflite

from kcc.errors import KccError

ModelSource = str | os.PathLike[str] | bytes | bytearray | memoryview

#: Largest element count of one tensor the frontend accepts (2^31 - 1, TFLite's own int32 limit).
MAX_ELEMENTS = (1 << 31) - 1

# TensorType code -> (name, numpy dtype or None when kcc has no storage for it).
TENSOR_TYPES: dict[int, tuple[str, np.dtype | None]] = {
    tflite.TensorType.FLOAT32: ("FLOAT32", np.dtype("<f4")),
    tflite.TensorType.FLOAT16: ("FLOAT16", np.dtype("<f2")),
    tflite.TensorType.FLOAT64: ("FLOAT64", np.dtype("<f8")),
    tflite.TensorType.INT32: ("INT32", np.dtype("<i4")),
    tflite.TensorType.UINT8: ("UINT8", np.dtype("u1")),
    tflite.TensorType.INT64: ("INT64", np.dtype("<i8")),
    tflite.TensorType.STRING: ("STRING", None),
    tflite.TensorType.BOOL: ("BOOL", np.dtype("?")),
    tflite.TensorType.INT16: ("INT16", np.dtype("<i2")),
    tflite.TensorType.COMPLEX64: ("COMPLEX64", None),
    tflite.TensorType.INT8: ("INT8", np.dtype("i1")),
    tflite.TensorType.UINT32: ("UINT32", np.dtype("<u4")),
    tflite.TensorType.UINT16: ("UINT16", np.dtype("<u2")),
}

#: BuiltinOperator code -> name ("CONV_2D", ...).
OPERATOR_NAMES: dict[int, str] = {
    int(v): k for k, v in sorted(vars(tflite.BuiltinOperator).items()) if not k.startswith("_") and isinstance(v, int)
}
_OPTION_TABLES: dict[int, str] = {
    int(v): k for k, v in sorted(vars(tflite.BuiltinOptions).items()) if not k.startswith("_") and isinstance(v, int)
}
_OPTION_TABLES2: dict[int, str] = {
    int(v): k for k, v in sorted(vars(tflite.BuiltinOptions2).items()) if not k.startswith("_") and isinstance(v, int)
}


@dataclass(frozen=True)
class QuantInfo:
    """Affine quantization of a tensor: `real = scale * (q - zero_point)`; per channel along `axis` when
    there is more than one scale (axis in the TFLite layout of the tensor)."""

    scales: np.ndarray  # float32
    zero_points: np.ndarray  # int64, same length as scales
    axis: int

    @property
    def per_channel(self) -> bool:
        return self.scales.size > 1


@dataclass(frozen=True)
class TensorInfo:
    """One tensor of a subgraph. `data` holds a constant's values (little-endian, `shape`), else None."""

    index: int
    name: str
    shape: tuple[int, ...]
    signature: tuple[int, ...]  # shape_signature (-1 = dynamic), or `shape` when absent
    type_code: int
    type_name: str
    dtype: np.dtype | None
    quant: QuantInfo | None
    data: np.ndarray | None
    is_variable: bool = False

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def is_dynamic(self) -> bool:
        return any(d < 0 for d in self.signature)


@dataclass(frozen=True)
class OperatorInfo:
    """One operator: its code name (builtin name, or the custom code for CUSTOM ops), tensor indices
    (-1 = omitted optional input), builtin options as a dict and raw custom options."""

    index: int
    name: str
    builtin: str  # the BuiltinOperator name; "CUSTOM" for custom ops
    version: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict[str, Any])
    custom_options: bytes = b""


@dataclass(frozen=True)
class SubgraphInfo:
    index: int
    name: str
    tensors: tuple[TensorInfo, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    operators: tuple[OperatorInfo, ...]


@dataclass(frozen=True)
class ModelInfo:
    version: int
    description: str
    subgraphs: tuple[SubgraphInfo, ...]


def load_bytes(source: ModelSource) -> tuple[bytes, str]:
    """The model's bytes and a description of where they came from (for messages)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), "the given bytes"
    path = Path(source)
    try:
        return path.read_bytes(), f"'{path}'"
    except OSError as e:
        raise KccError(f"cannot read TFLite model '{path}': {e.strerror or e}") from None


def read_model(data: bytes, what: str = "the model") -> ModelInfo:
    """Parse and validate a TFLite flatbuffer."""
    if len(data) < 8:
        raise KccError(f"{what} is not a TFLite model: {len(data)} bytes is too short for a flatbuffer", hint="check the file")
    if data[4:8] != b"TFL3":
        raise KccError(
            f"{what} is not a TFLite model: file identifier is {data[4:8]!r}, expected b'TFL3'",
            hint="pass a .tflite flatbuffer (ONNX models go to the ONNX frontend)",
        )
    try:
        return _Reader(data, what).model()
    except KccError:
        raise
    except (struct.error, IndexError, ValueError, TypeError, UnicodeDecodeError, OverflowError, AttributeError) as e:
        raise KccError(
            f"{what} is a corrupt or truncated TFLite flatbuffer ({type(e).__name__}: {e})", hint="re-export the model"
        ) from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def text(raw: bytes) -> str:
    """A name from the file as text: UTF-8 (bad bytes replaced), control characters and line separators escaped
    as `\\xNN` / `\\uNNNN`, so that every message naming it stays on one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), raw.decode("utf-8", errors="replace"))


def snake_case(name: str) -> str:
    """`StrideW` -> `stride_w`, `DilationWFactor` -> `dilation_w_factor`, `KeepNumDims` -> `keep_num_dims`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class _CheckedBytes(bytes):
    """The file's bytes, for the generated readers: a slice past the end (how they read strings) raises
    IndexError instead of silently coming back short."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            start = 0 if key.start is None else key.start
            stop = len(self) if key.stop is None else key.stop
            if start < 0 or stop > len(self):
                raise IndexError(f"bytes {key.start}..{key.stop} lie outside the {len(self)}-byte file")
        return super().__getitem__(key)


class _Reader:
    def __init__(self, data: bytes, what: str):
        self.data = _CheckedBytes(data)
        self.what = what

    def corrupt(self, msg: str) -> KccError:
        return KccError(f"{self.what} is a corrupt TFLite flatbuffer: {msg}", hint="re-export the model")

    def table(self, obj: Any, what: str) -> Any:
        if obj is None:
            raise self.corrupt(f"{what} is missing")
        return obj

    def length(self, n: int, elem_size: int, what: str) -> int:
        """A vector length checked against the file size (each element takes at least `elem_size` bytes)."""
        if n < 0 or n * elem_size > len(self.data):
            raise self.corrupt(f"{what} claims {n} elements, more than the {len(self.data)}-byte file can hold")
        return n

    def ints(self, obj: Any, name: str, what: str) -> tuple[int, ...]:
        """An int vector field read with `<name>AsNumpy` (empty when absent)."""
        n = self.length(int(getattr(obj, f"{name}Length")()), 4, what)
        if n == 0:
            return ()
        arr = getattr(obj, f"{name}AsNumpy")()
        if not isinstance(arr, np.ndarray) or arr.size != n:
            raise self.corrupt(f"{what} vector is out of bounds")
        return tuple(int(v) for v in arr)

    def model(self) -> ModelInfo:
        m = tflite.Model.GetRootAs(self.data, 0)
        n_buffers = self.length(m.BuffersLength(), 4, "buffers")
        buffers: list[Any] = [self.table(m.Buffers(i), f"buffer {i}") for i in range(n_buffers)]
        n_codes = self.length(m.OperatorCodesLength(), 4, "operator_codes")
        codes: list[tuple[str, str, int]] = []
        for i in range(n_codes):
            oc = self.table(m.OperatorCodes(i), f"operator code {i}")
            code = max(int(oc.BuiltinCode()), int(oc.DeprecatedBuiltinCode()))
            builtin = OPERATOR_NAMES.get(code, f"<builtin {code}>")
            name = builtin
            if builtin == "CUSTOM":
                raw = oc.CustomCode()
                name = text(raw) if raw else "<custom op without a name>"
            codes.append((name, builtin, int(oc.Version())))
        n_sub = self.length(m.SubgraphsLength(), 4, "subgraphs")
        if n_sub == 0:
            raise self.corrupt("it has no subgraph")
        subgraphs = tuple(self.subgraph(i, self.table(m.Subgraphs(i), f"subgraph {i}"), buffers, codes) for i in range(n_sub))
        desc = m.Description()
        return ModelInfo(int(m.Version()), text(desc) if desc else "", subgraphs)

    def subgraph(self, index: int, sg: Any, buffers: list[Any], codes: list[tuple[str, str, int]]) -> SubgraphInfo:
        n_t = self.length(sg.TensorsLength(), 4, f"subgraph {index} tensors")
        tensors = tuple(self.tensor(i, self.table(sg.Tensors(i), f"tensor {i}"), buffers) for i in range(n_t))
        inputs = self.ints(sg, "Inputs", f"subgraph {index} inputs")
        outputs = self.ints(sg, "Outputs", f"subgraph {index} outputs")
        for role, ids in (("input", inputs), ("output", outputs)):
            for t in ids:
                if not 0 <= t < n_t:
                    raise self.corrupt(f"subgraph {index} {role} names tensor {t}, but there are {n_t} tensors")
        n_ops = self.length(sg.OperatorsLength(), 4, f"subgraph {index} operators")
        ops = tuple(self.operator(i, self.table(sg.Operators(i), f"operator {i}"), codes, n_t) for i in range(n_ops))
        name = sg.Name()
        return SubgraphInfo(index, text(name) if name else "", tensors, inputs, outputs, ops)

    def tensor(self, index: int, t: Any, buffers: list[Any]) -> TensorInfo:
        raw_name = t.Name()
        name = text(raw_name) if raw_name else f"tensor{index}"
        shape = self.ints(t, "Shape", f"tensor {index} shape")
        signature = self.ints(t, "ShapeSignature", f"tensor {index} shape_signature") or shape
        if len(signature) != len(shape):
            raise self.corrupt(f"tensor {index} '{name}' has shape {list(shape)} but shape_signature {list(signature)}")
        if any(d < 0 for d in shape) or any(d < -1 for d in signature):
            raise self.corrupt(f"tensor {index} '{name}' has negative dimensions: shape {list(shape)}")
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count > MAX_ELEMENTS:
            raise self.corrupt(f"tensor {index} '{name}' has {count} elements (shape {list(shape)}), more than 2^31 - 1")
        code = int(t.Type())
        type_name, dtype = TENSOR_TYPES.get(code, (f"<type {code}>", None))
        quant = self.quant(index, name, t.Quantization(), len(shape))
        data: np.ndarray | None = None
        b = int(t.Buffer())
        if b != 0:
            if not 0 <= b < len(buffers):
                raise self.corrupt(f"tensor {index} '{name}' uses buffer {b}, but there are {len(buffers)} buffers")
            raw = self.buffer_bytes(b, buffers[b])
            if raw:
                if dtype is None:
                    raise KccError(
                        f"constant tensor {index} '{name}' has type {type_name}, which kcc cannot hold",
                        hint="kcc reads FLOAT32/FLOAT16/INT8/UINT8/INT16/INT32/INT64/BOOL constants",
                    )
                if len(raw) != count * dtype.itemsize:
                    raise self.corrupt(
                        f"tensor {index} '{name}' ({type_name}, shape {list(shape)}) needs {count * dtype.itemsize} bytes"
                        f" but its buffer {b} holds {len(raw)}"
                    )
                data = np.frombuffer(raw, dtype=dtype).reshape(shape)
        return TensorInfo(index, name, shape, signature, code, type_name, dtype, quant, data, is_variable=bool(t.IsVariable()))

    def buffer_bytes(self, b: int, buf: Any) -> bytes:
        offset, size = int(buf.Offset()), int(buf.Size())
        if offset > 1:  # large models: data stored after the flatbuffer, at an absolute file offset
            if offset + size > len(self.data):
                raise self.corrupt(f"buffer {b} spans bytes {offset}..{offset + size}, past the end of the file")
            return self.data[offset : offset + size]
        n = self.length(int(buf.DataLength()), 1, f"buffer {b}")
        if n == 0:
            return b""
        arr = buf.DataAsNumpy()
        if not isinstance(arr, np.ndarray) or arr.size != n:
            raise self.corrupt(f"buffer {b} is out of bounds")
        return arr.tobytes()

    def quant(self, index: int, name: str, q: Any, rank: int) -> QuantInfo | None:
        if q is None:
            return None
        n = self.length(int(q.ScaleLength()), 4, f"tensor {index} scales")
        if n == 0:
            return None
        scales = q.ScaleAsNumpy()
        nz = self.length(int(q.ZeroPointLength()), 8, f"tensor {index} zero points")
        zps = q.ZeroPointAsNumpy() if nz else np.zeros(n, dtype=np.int64)
        if not isinstance(scales, np.ndarray) or not isinstance(zps, np.ndarray) or scales.size != n:
            raise self.corrupt(f"tensor {index} '{name}' quantization vectors are out of bounds")
        if zps.size == 1 and n > 1:
            zps = np.full(n, int(zps[0]), dtype=np.int64)
        if zps.size != n:
            raise self.corrupt(f"tensor {index} '{name}' has {n} quantization scales but {zps.size} zero points")
        axis = int(q.QuantizedDimension())
        if n > 1 and not 0 <= axis < rank:
            raise self.corrupt(f"tensor {index} '{name}' is quantized along axis {axis}, out of range for rank {rank}")
        return QuantInfo(scales.astype(np.float32), zps.astype(np.int64), axis)

    def operator(self, index: int, op: Any, codes: list[tuple[str, str, int]], n_tensors: int) -> OperatorInfo:
        ci = int(op.OpcodeIndex())
        if not 0 <= ci < len(codes):
            raise self.corrupt(f"operator {index} uses opcode {ci}, but there are {len(codes)} operator codes")
        name, builtin, version = codes[ci]
        inputs = self.ints(op, "Inputs", f"operator {index} inputs")
        outputs = self.ints(op, "Outputs", f"operator {index} outputs")
        for role, ids, lo in (("input", inputs, -1), ("output", outputs, 0)):
            for t in ids:
                if not lo <= t < n_tensors:
                    raise self.corrupt(f"operator {index} ({name}) {role} names tensor {t}, but there are {n_tensors} tensors")
        options: dict[str, Any] = {}
        self.options(op.BuiltinOptionsType(), op.BuiltinOptions, _OPTION_TABLES, options)
        self.options(op.BuiltinOptions2Type(), op.BuiltinOptions2, _OPTION_TABLES2, options)
        custom = b""
        large_off, large_size = int(op.LargeCustomOptionsOffset()), int(op.LargeCustomOptionsSize())
        if large_off > 1:
            if large_off + large_size > len(self.data):
                raise self.corrupt(f"operator {index} custom options lie past the end of the file")
            custom = self.data[large_off : large_off + large_size]
        elif self.length(int(op.CustomOptionsLength()), 1, f"operator {index} custom options"):
            arr = op.CustomOptionsAsNumpy()
            if not isinstance(arr, np.ndarray):
                raise self.corrupt(f"operator {index} custom options are out of bounds")
            custom = arr.tobytes()
        return OperatorInfo(index, name, builtin, version, inputs, outputs, options, custom)

    def options(self, type_code: int, getter: Callable[[], Any], tables: dict[int, str], out: dict[str, Any]) -> None:
        """Copy every scalar and int-vector field of a builtin options table into `out`."""
        type_code = int(type_code)
        if type_code == 0:
            return
        table_name = tables.get(type_code)
        if table_name is None:
            raise self.corrupt(f"unknown builtin options type {type_code}")
        table = getter()
        if table is None:
            return
        cls = getattr(importlib.import_module(f"tflite.{table_name}"), table_name)
        obj = cls()
        obj.Init(table.Bytes, table.Pos)
        names = [n for n in dir(cls) if n[:1].isupper() and not n.startswith(("GetRootAs", "Init")) and "BufferHas" not in n]
        for n in sorted(names):
            if n.endswith(("AsNumpy", "Length", "IsNone")):
                continue
            key = snake_case(n)
            if f"{n}AsNumpy" in names:
                out[key] = self.ints(obj, n, f"option {key}")
            elif f"{n}Length" in names:
                continue  # vectors of tables / strings: no op kcc converts uses them
            else:
                value = getattr(obj, n)()
                if isinstance(value, bool | int | float):
                    out[key] = value
