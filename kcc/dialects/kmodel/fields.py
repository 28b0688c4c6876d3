"""The record fields of `kmodel` ops: one declaration drives properties, syntax and conversion.

Every runtime node of a kmodel file is a little-endian record. A `kmodel` op lists that record's fields in
`FIELDS`, in file order; from that list the op gets one property per field, its text syntax
(`keyword value` pairs in field order) and its conversion to and from the reader's dataclasses
(`kcc/backends/kmodel_v{3,4}/{to,from}_dialect.py`). Field kinds and how they print:

| kind | property | text | file encoding (`enc`) |
|---|---|---|---|
| `int` | `IntegerAttr` i64 | `16` | `u32` or `i32` |
| `float` | `FloatAttr` f64 (exact f32 value) | `0.5` | `f32` |
| `bool` | `IntegerAttr` i1 | `true` | `u8x4` (a byte then 3 padding bytes) |
| `range` | `#kmodel.range` | `#kmodel.range<main, 0, 16, f32>` | `addr` (v3 u32: byte offset, `kpu`: 64-byte line), `mr` |
| `ranges` | `ArrayAttr` of ranges | `[#kmodel.range<...>, ...]` | `pairs` (v3: count, start/size pairs), `mrs` |
| `ints` | `DenseArrayBase` i64 | `[1, 3, 240, 320]` | `i32s` |
| `floats` | `DenseArrayBase` f64 | `[0.0, 6.0]` | `f32s` |
| `shapes` | `ArrayAttr` of i64 arrays | `[[1, 1, 1, 4]]` | (header only) |

`mr` is a v4 `memory_range` record (memory type, datatype, start, size), `mrs` a count then such records.
| `dense` | `DenseIntOrFPElementsAttr` | `dense<...> : tensor<432xui8>` | `raw` bytes |
"""

from __future__ import annotations

import inspect
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    TensorType,
    f32,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute
from xdsl.irdl import IRDLOperation, opt_prop_def, prop_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.kmodel.attrs import RangeAttr
from kcc.dialects.nn.floats import format_f64

KINDS = ("int", "float", "bool", "range", "ranges", "ints", "floats", "shapes", "dense")

_STORAGE: dict[str, type[Attribute]] = {
    "int": IntegerAttr,
    "float": FloatAttr,
    "bool": IntegerAttr,
    "range": RangeAttr,
    "ranges": ArrayAttr,
    "ints": DenseArrayBase,
    "floats": DenseArrayBase,
    "shapes": ArrayAttr,
    "dense": DenseIntOrFPElementsAttr,
}

# numpy dtype string of a dense field -> MLIR element type
_ELEMENT_TYPES: dict[str, Attribute] = {
    "u1": IntegerType(8, Signedness.UNSIGNED),
    "<u2": IntegerType(16, Signedness.UNSIGNED),
    "<u8": IntegerType(64, Signedness.UNSIGNED),
    "<i4": IntegerType(32),
    "<f4": f32,
}


@dataclass(frozen=True)
class Field:
    """One record field: property name, kind, file encoding; `src` is the reader dataclass attribute
    (dotted path allowed), `role` the v3 range role, `elem` the numpy dtype of a dense field, `count` the
    fixed length of an `ints`/`floats` field."""

    prop: str
    kind: str
    enc: str = ""
    src: str = ""
    role: str = ""
    elem: str = ""
    count: int | None = None
    optional: bool = False

    @property
    def source(self) -> str:
        return self.src or self.prop


def u32(prop: str, src: str = "") -> Field:
    return Field(prop, "int", "u32", src)


def i32(prop: str, src: str = "") -> Field:
    return Field(prop, "int", "i32", src)


def f32_field(prop: str, src: str = "") -> Field:
    return Field(prop, "float", "f32", src)


def bool8(prop: str, src: str = "") -> Field:
    return Field(prop, "bool", "u8x4", src)


def addr(prop: str, src: str, role: str) -> Field:
    """A v3 address field shown as the range the layer touches there."""
    return Field(prop, "range", "addr", src, role)


def mr(prop: str, src: str = "") -> Field:
    return Field(prop, "range", "mr", src)


def i32s(prop: str, count: int | None, src: str = "") -> Field:
    return Field(prop, "ints", "i32s", src, count=count)


def f32s(prop: str, count: int | None, src: str = "") -> Field:
    return Field(prop, "floats", "f32s", src, count=count)


def dense(prop: str, elem: str, src: str = "") -> Field:
    return Field(prop, "dense", "raw", src, elem=elem)


# ------------------------------------------------------------------------------------------ values


def int_attr(v: int) -> IntegerAttr:
    return IntegerAttr(int(v), i64)


def dense_attr(array: NDArray[Any] | bytes, elem: str, shape: Sequence[int] | None = None) -> DenseIntOrFPElementsAttr:
    """A dense attribute over the little-endian bytes of `array` (or raw bytes read as `elem`)."""
    arr = np.frombuffer(array, dtype=np.dtype(elem)) if isinstance(array, bytes) else np.asarray(array)
    data = np.ascontiguousarray(arr, dtype=np.dtype(elem))
    dims = list(shape) if shape is not None else list(data.shape)
    ttype: Any = TensorType(_ELEMENT_TYPES[elem], dims)
    return DenseIntOrFPElementsAttr(ttype, BytesAttr(data.tobytes()))


def dense_bytes(attr: DenseIntOrFPElementsAttr) -> bytes:
    return bytes(attr.data.data)


def dense_array(attr: DenseIntOrFPElementsAttr) -> NDArray[Any]:
    et = attr.get_element_type()
    for elem, t in _ELEMENT_TYPES.items():
        if t == et:
            return np.frombuffer(attr.data.data, dtype=np.dtype(elem)).reshape(tuple(attr.get_shape()))
    raise VerifyException(f"unsupported dense element type {et}")


def is_f32(v: float) -> bool:
    """`v` is exactly a float32 value (NaN and the infinities included)."""
    try:
        back = struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return False
    return back == v or math.isnan(v)


def to_attr(field: Field, value: Any) -> Attribute:
    """The property value for a python value of `field` (ints, floats, tuples, RangeAttr, numpy/bytes)."""
    k = field.kind
    if k == "int":
        return int_attr(value)
    if k == "float":
        return FloatAttr(float(value), f64)
    if k == "bool":
        return IntegerAttr(int(bool(value)), i1)
    if k == "range":
        return cast(RangeAttr, value)
    if k == "ranges":
        return ArrayAttr(list(cast(Sequence[RangeAttr], value)))
    if k == "ints":
        return DenseArrayBase.from_list(i64, [int(v) for v in value])
    if k == "floats":
        return DenseArrayBase.from_list(f64, [float(v) for v in value])
    if k == "shapes":
        return ArrayAttr([DenseArrayBase.from_list(i64, [int(d) for d in s]) for s in value])
    if k == "dense":
        return value if isinstance(value, DenseIntOrFPElementsAttr) else dense_attr(value, field.elem)
    raise ValueError(f"unknown field kind {k}")


def from_attr(field: Field, attr: Attribute) -> Any:
    """The python value of a property: int, float, bool, RangeAttr, tuple, or numpy array (dense)."""
    k = field.kind
    if k in ("int", "bool"):
        return int(cast(IntegerAttr, attr).value.data)
    if k == "float":
        return float(cast(FloatAttr, attr).value.data)
    if k == "range":
        return attr
    if k == "ranges":
        return tuple(cast(ArrayAttr[Attribute], attr).data)
    if k == "ints":
        return tuple(int(v) for v in cast(Any, attr).get_values())
    if k == "floats":
        return tuple(float(v) for v in cast(Any, attr).get_values())
    if k == "shapes":
        return tuple(tuple(int(v) for v in cast(Any, s).get_values()) for s in cast(ArrayAttr[Attribute], attr).data)
    if k == "dense":
        return dense_array(cast(DenseIntOrFPElementsAttr, attr))
    raise ValueError(f"unknown field kind {k}")


# ------------------------------------------------------------------------------------------ syntax


def print_value(printer: Printer, field: Field, attr: Attribute) -> None:
    k = field.kind
    if k == "float":
        printer.print_string(format_f64(cast(FloatAttr, attr).value.data))
    elif k == "bool":
        printer.print_string("true" if from_attr(field, attr) else "false")
    elif k == "int":
        printer.print_string(str(from_attr(field, attr)))
    elif k == "ints":
        printer.print_string("[" + ", ".join(str(v) for v in from_attr(field, attr)) + "]")
    elif k == "floats":
        printer.print_string("[" + ", ".join(format_f64(v) for v in from_attr(field, attr)) + "]")
    elif k == "shapes":
        printer.print_string("[" + ", ".join("[" + ", ".join(str(d) for d in s) + "]" for s in from_attr(field, attr)) + "]")
    elif k == "ranges":
        printer.print_string("[")
        printer.print_list(cast(ArrayAttr[Attribute], attr).data, printer.print_attribute)
        printer.print_string("]")
    else:
        printer.print_attribute(attr)


def parse_value(parser: Parser, field: Field) -> Attribute:
    k = field.kind
    if k == "int":
        return int_attr(parser.parse_integer(allow_boolean=False))
    if k == "float":
        return FloatAttr(float(parser.parse_number()), f64)
    if k == "bool":
        return IntegerAttr(int(parser.parse_boolean()), i1)
    if k == "ints":
        vals = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False))
        return to_attr(field, vals)
    if k == "floats":
        fvals = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: float(parser.parse_number()))
        return to_attr(field, fvals)
    if k == "shapes":

        def one() -> list[int]:
            return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_boolean=False))

        return to_attr(field, parser.parse_comma_separated_list(parser.Delimiter.SQUARE, one))
    if k == "ranges":
        items = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_attribute)
        for it in items:
            if not isinstance(it, RangeAttr):
                parser.raise_error(f"{field.prop}: expected a #kmodel.range, got {it}")
        return ArrayAttr(items)
    attr = parser.parse_attribute()
    want = _STORAGE[k]
    if not isinstance(attr, want):
        parser.raise_error(f"{field.prop}: expected a {want.__name__}, got {attr}")
    return attr


class FieldsOp(IRDLOperation):
    """An op whose properties are declared by `FIELDS`; syntax `op.name key value key value ... {attrs}`.

    Subclasses that set `FIELDS` get one property per field (optional fields: `opt_prop_def`). Fields print
    in declaration order; an absent optional field prints nothing.
    """

    FIELDS: ClassVar[tuple[Field, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # IRDL accepts UPPERCASE class constants only when annotated ClassVar in the defining class itself.
        annotations: dict[str, Any] = dict(inspect.get_annotations(cls))
        for key in list(cls.__dict__):
            if key.isupper() and key not in annotations:
                annotations[key] = ClassVar[Any]
        cls.__annotations__ = annotations
        if "FIELDS" in cls.__dict__:
            for f in cls.FIELDS:
                constraint = _STORAGE[f.kind]
                setattr(cls, f.prop, opt_prop_def(constraint) if f.optional else prop_def(constraint))

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        return cls.FIELDS

    def value(self, prop: str) -> Any:
        """The python value of field `prop` (None for an absent optional field)."""
        for f in self.all_fields():
            if f.prop == prop:
                attr = self.properties.get(prop)
                return None if attr is None else from_attr(f, attr)
        raise KeyError(prop)

    def field_values(self) -> dict[str, Any]:
        return {f.prop: self.value(f.prop) for f in self.all_fields()}

    @classmethod
    def parse(cls, parser: Parser) -> FieldsOp:
        props: dict[str, Attribute] = {}
        for f in cls.all_fields():
            if f.optional:
                if parser.parse_optional_keyword(f.prop) is None:
                    continue
            else:
                parser.parse_keyword(f.prop)
            props[f.prop] = parse_value(parser, f)
        op = cls.create(properties=props, regions=cls.parse_regions(parser))
        op.attributes.update(parser.parse_optional_attr_dict())
        return op

    @classmethod
    def parse_regions(cls, parser: Parser) -> list[Any]:
        return []

    def print(self, printer: Printer) -> None:
        for f in self.all_fields():
            attr = self.properties.get(f.prop)
            if attr is None:
                continue
            printer.print_string(f" {f.prop} ")
            print_value(printer, f, attr)
        self.print_regions(printer)
        printer.print_op_attributes(self.attributes)

    def print_regions(self, printer: Printer) -> None:
        return

    def verify_fields(self) -> None:
        for f in self.all_fields():
            attr = self.properties.get(f.prop)
            if attr is None:
                continue
            if f.kind in ("ints", "floats") and f.count is not None:
                n = len(from_attr(f, attr))
                if n != f.count:
                    raise VerifyException(f"{f.prop} must have {f.count} values, got {n}")
            if f.kind in ("float", "floats"):
                vals = [from_attr(f, attr)] if f.kind == "float" else list(from_attr(f, attr))
                for v in vals:
                    if not is_f32(v):
                        raise VerifyException(f"{f.prop} {format_f64(v)} is not a float32 value (the file stores f32)")
            if f.kind == "int" and f.enc == "u32" and not 0 <= from_attr(f, attr) < 2**32:
                raise VerifyException(f"{f.prop} {from_attr(f, attr)} does not fit a u32 field")
            if f.kind == "int" and f.enc == "i32" and not -(2**31) <= from_attr(f, attr) < 2**31:
                raise VerifyException(f"{f.prop} {from_attr(f, attr)} does not fit an i32 field")
            if f.kind == "ranges":
                for it in cast(ArrayAttr[Attribute], attr).data:
                    if not isinstance(it, RangeAttr):
                        raise VerifyException(f"{f.prop} must hold #kmodel.range values, got {it}")
            if f.kind == "dense" and f.elem:
                et = cast(DenseIntOrFPElementsAttr, attr).get_element_type()
                if et != _ELEMENT_TYPES[f.elem]:
                    raise VerifyException(f"{f.prop} must hold {_ELEMENT_TYPES[f.elem]} elements, got {et}")


__all__ = [
    "KINDS",
    "Field",
    "FieldsOp",
    "addr",
    "bool8",
    "dense",
    "dense_array",
    "dense_attr",
    "dense_bytes",
    "f32_field",
    "f32s",
    "from_attr",
    "i32",
    "i32s",
    "int_attr",
    "is_f32",
    "mr",
    "parse_value",
    "print_value",
    "to_attr",
    "u32",
]
