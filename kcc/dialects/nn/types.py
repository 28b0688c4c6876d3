"""Element types of the `nn` dialect: per-tensor and per-channel quantized integers.

`real = scale * (q - zero_point)`.

    !nn.q<ui8, 0.0235, 128>                      per tensor
    !nn.qc<i8, axis 0, [0.5, 0.25], [0, 0]>      per channel along `axis`

Scales are kept as Python floats (f64) and printed with `repr`, so print -> parse is exact.
Storage types: ui8, i8, ui16, i16, i32 (i32 for biases, whose scale is input_scale * weight_scale) and the
sub-byte integers i4, ui4, i2, ui2 (ONNX INT4 / UINT4 / INT2 / UINT2).

Sub-byte storage is unpacked everywhere in kcc: a value of i4 / i2 (ui4 / ui2) is held in one int8 (uint8) numpy
element and in one byte of a dense attribute's data (xdsl stores sub-byte integers one per byte), always within the
storage range. Only a file writer that targets a packed format would pack them, two (four) per byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from xdsl.dialects.builtin import (
    ArrayAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntAttr,
    IntegerType,
    Signedness,
    TensorType,
    f64,
)
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

#: Allowed quantized storage types as (width, unsigned); signless iN means signed two's complement, as in MLIR's
#: quant dialect storage types (the explicitly signed `siN` is not a storage type).
_STORAGE_TYPES = ((2, False), (2, True), (4, False), (4, True), (8, False), (8, True), (16, False), (16, True), (32, False))
STORAGE_NAMES = "i2, ui2, i4, ui4, i8, ui8, i16, ui16 or i32"


def _check_storage(storage: IntegerType) -> None:
    signedness = storage.signedness.data
    if signedness == Signedness.SIGNED or (storage.width.data, signedness == Signedness.UNSIGNED) not in _STORAGE_TYPES:
        raise VerifyException(f"quantized storage must be {STORAGE_NAMES}, got {storage}")


def _parse_storage(parser: AttrParser) -> IntegerType:
    pos = parser.pos
    storage = parser.parse_type()
    if not isinstance(storage, IntegerType):
        parser.raise_error(f"expected an integer storage type, got {storage}", pos, parser.pos)
    return storage


def _fmt_float(v: float) -> str:
    from kcc.dialects.nn.floats import format_f64

    return format_f64(v)


@irdl_attr_definition
class QuantType(ParametrizedAttribute, TypeAttribute):
    """Per-tensor affine quantization: `!nn.q<ui8, scale, zero_point>`.

    Storage i2, ui2, i4, ui4, i8, ui8, i16, ui16 or i32; sub-byte values are held unpacked, one per byte."""

    name = "nn.q"
    storage: IntegerType
    scale: FloatAttr[Float64Type]
    zero_point: IntAttr

    def __init__(self, storage: IntegerType, scale: float, zero_point: int):
        super().__init__(storage, FloatAttr(float(scale), f64), IntAttr(int(zero_point)))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            storage = _parse_storage(parser)
            parser.parse_punctuation(",")
            scale = parser.parse_float()
            parser.parse_punctuation(",")
            zp = parser.parse_integer()
        return (storage, FloatAttr(scale, f64), IntAttr(zp))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.storage)
            printer.print_string(f", {_fmt_float(self.scale.value.data)}, {self.zero_point.data}")

    def verify(self) -> None:
        super().verify()
        _check_storage(self.storage)
        s = self.scale.value.data
        if not (s > 0 and np.isfinite(s)):
            raise VerifyException(f"quantization scale must be positive and finite, got {s}")
        lo, hi = storage_range(self.storage)
        if not lo <= self.zero_point.data <= hi:
            raise VerifyException(f"zero_point {self.zero_point.data} out of range [{lo}, {hi}] of {self.storage}")

    @property
    def scale_value(self) -> float:
        return self.scale.value.data

    @property
    def zp_value(self) -> int:
        return self.zero_point.data


@irdl_attr_definition
class PerChannelQuantType(ParametrizedAttribute, TypeAttribute):
    """Per-channel affine quantization along `axis`: `!nn.qc<i8, axis 0, [scales], [zero_points]>`.

    Storage types as `!nn.q`."""

    name = "nn.qc"
    storage: IntegerType
    axis: IntAttr
    scales: ArrayAttr[FloatAttr[Float64Type]]
    zero_points: ArrayAttr[IntAttr]

    def __init__(self, storage: IntegerType, axis: int, scales: Sequence[float], zero_points: Sequence[int]):
        super().__init__(
            storage,
            IntAttr(int(axis)),
            ArrayAttr([FloatAttr(float(s), f64) for s in scales]),
            ArrayAttr([IntAttr(int(z)) for z in zero_points]),
        )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            storage = _parse_storage(parser)
            parser.parse_punctuation(",")
            parser.parse_keyword("axis")
            axis = parser.parse_integer(allow_negative=False)
            parser.parse_punctuation(",")
            scales = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_float)
            parser.parse_punctuation(",")
            zps = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        return (
            storage,
            IntAttr(axis),
            ArrayAttr([FloatAttr(s, f64) for s in scales]),
            ArrayAttr([IntAttr(z) for z in zps]),
        )

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.storage)
            scales = ", ".join(_fmt_float(s.value.data) for s in self.scales.data)
            zps = ", ".join(str(z.data) for z in self.zero_points.data)
            printer.print_string(f", axis {self.axis.data}, [{scales}], [{zps}]")

    def verify(self) -> None:
        super().verify()
        _check_storage(self.storage)
        if len(self.scales.data) == 0 or len(self.scales.data) != len(self.zero_points.data):
            raise VerifyException(
                f"per-channel quantization needs as many scales as zero points (and at least one), "
                f"got {len(self.scales.data)} and {len(self.zero_points.data)}"
            )
        lo, hi = storage_range(self.storage)
        for i, (s, z) in enumerate(zip(self.scales.data, self.zero_points.data, strict=True)):
            if not (s.value.data > 0 and np.isfinite(s.value.data)):
                raise VerifyException(f"quantization scale {i} must be positive and finite, got {s.value.data}")
            if not lo <= z.data <= hi:
                raise VerifyException(f"zero_point {i} = {z.data} out of range [{lo}, {hi}] of {self.storage}")

    @property
    def scale_values(self) -> np.ndarray:
        return np.array([s.value.data for s in self.scales.data], dtype=np.float64)

    @property
    def zp_values(self) -> np.ndarray:
        return np.array([z.data for z in self.zero_points.data], dtype=np.int64)


AnyQuantType: TypeAlias = QuantType | PerChannelQuantType


def storage_range(storage: IntegerType) -> tuple[int, int]:
    """Inclusive [min, max] of an integer storage type."""
    w = storage.width.data
    if storage.signedness.data == Signedness.UNSIGNED:
        return 0, (1 << w) - 1
    return -(1 << (w - 1)), (1 << (w - 1)) - 1


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that holds values of `element_type` (quantized types: their storage)."""
    if isinstance(element_type, QuantType | PerChannelQuantType):
        element_type = element_type.storage
    if isinstance(element_type, Float32Type):
        return np.dtype(np.float32)
    if isinstance(element_type, Float16Type):
        return np.dtype(np.float16)
    if isinstance(element_type, Float64Type):
        return np.dtype(np.float64)
    if isinstance(element_type, IntegerType):
        w = element_type.width.data
        unsigned = element_type.signedness.data == Signedness.UNSIGNED
        if w == 1:
            return np.dtype(np.bool_)
        if w in (2, 4):  # sub-byte integers: one value per byte, unpacked
            return np.dtype(np.uint8 if unsigned else np.int8)
        if w in (8, 16, 32, 64):
            return np.dtype(f"{'u' if unsigned else ''}int{w}")
    raise ValueError(f"no numpy dtype for element type {element_type}")


def is_quantized(t: Attribute) -> bool:
    """True for a quantized element type or a tensor of one."""
    if isinstance(t, TensorType):
        t = t.element_type
    return isinstance(t, QuantType | PerChannelQuantType)


def is_float(t: Attribute) -> bool:
    if isinstance(t, TensorType):
        t = t.element_type
    return isinstance(t, Float32Type | Float16Type | Float64Type)


def mlir_element_type(dtype: np.dtype) -> Attribute:
    """The builtin element type for a numpy dtype."""
    from xdsl.dialects.builtin import f16, f32, f64, i1

    d = np.dtype(dtype)
    if d == np.float32:
        return f32
    if d == np.float16:
        return f16
    if d == np.float64:
        return f64
    if d == np.bool_:
        return i1
    if d.kind in "iu":
        return IntegerType(d.itemsize * 8, Signedness.UNSIGNED if d.kind == "u" else Signedness.SIGNLESS)
    raise ValueError(f"no MLIR element type for numpy dtype {d}")
