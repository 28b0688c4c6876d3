"""`nn.const`: a constant tensor held as packed little-endian bytes.

    %w = nn.const dense<...> : tensor<16x3x3x3xf32>
    %q = nn.const dense<...> : tensor<16xi8> -> tensor<16x!nn.q<i8, 0.5, 0>>

The value's type is the storage type; a quantized constant names its quantized result type after `->`.
Build weights with `const_from_numpy` (zero-copy bytes; never decimal lists).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Attribute, Operation
from xdsl.irdl import irdl_op_definition, prop_def, result_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.base import NNOp, fmt_shape, shape_of
from kcc.dialects.nn.types import PerChannelQuantType, QuantType, numpy_dtype


@irdl_op_definition
class ConstOp(NNOp):
    """A constant tensor (weights, biases, shape operands)."""

    name = "nn.const"
    value = prop_def(DenseIntOrFPElementsAttr)
    output = result_def(TensorType)
    traits = traits_def(Pure(), ConstantLike())

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: Attribute | None = None):
        super().__init__(result_types=[result_type or value.type], properties={"value": value})

    @classmethod
    def parse(cls, parser: Parser) -> ConstOp:
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error(f"nn.const expects a dense elements attribute, got {value}")
        result_type: Attribute = value.type
        if parser.parse_optional_punctuation("->") is not None:
            result_type = parser.parse_type()
        attrs = parser.parse_optional_attr_dict()
        op = cls(value, result_type)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        if self.output.type != self.value.type:
            printer.print_string(" -> ")
            printer.print_attribute(self.output.type)
        printer.print_op_attributes(self.attributes)

    def check(self) -> None:
        vt = self.value.type
        rt = self.output.type
        assert isinstance(rt, TensorType)
        vshape = tuple(vt.get_shape())
        rshape = shape_of(self.output, "result")
        if vshape != rshape:
            raise VerifyException(f"value shape {fmt_shape(vshape)} differs from result shape {fmt_shape(rshape)}")
        et = rt.element_type
        if isinstance(et, QuantType | PerChannelQuantType):
            if vt.element_type != et.storage:
                raise VerifyException(f"quantized constant must store {et.storage} values, got {vt.element_type}")
        elif vt.element_type != et:
            raise VerifyException(f"value element type {vt.element_type} differs from result element type {et}")

    def to_numpy(self) -> np.ndarray:
        return dense_to_numpy(self.value)


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """A read-only numpy view of a dense attribute's bytes (zero-copy)."""
    dtype = numpy_dtype(attr.get_element_type())
    shape = tuple(attr.get_shape())
    return np.frombuffer(attr.data.data, dtype=dtype.newbyteorder("<")).reshape(shape)


def dense_from_numpy(array: np.ndarray, storage_type: Attribute | None = None) -> DenseIntOrFPElementsAttr:
    """A dense attribute holding `array`'s bytes; `storage_type` defaults to the numpy dtype's MLIR type."""
    from kcc.dialects.nn.types import mlir_element_type

    et = storage_type or mlir_element_type(array.dtype)
    # ascontiguousarray turns a 0-d array into shape (1,): keep the caller's shape (scalars stay rank 0).
    data = np.ascontiguousarray(array, dtype=numpy_dtype(et).newbyteorder("<")).reshape(np.shape(array))
    ttype: Any = TensorType(et, list(data.shape))
    return DenseIntOrFPElementsAttr(ttype, BytesAttr(data.tobytes()))


def const_from_numpy(array: np.ndarray, result_type: Attribute | None = None) -> ConstOp:
    """An `nn.const` of `array`; a quantized `result_type` stores `array` as its storage integers."""
    storage = None
    if isinstance(result_type, TensorType):
        et = result_type.element_type
        storage = et.storage if isinstance(et, QuantType | PerChannelQuantType) else et
    return ConstOp(dense_from_numpy(array, storage), result_type)


def constant_array(op: Operation | None) -> np.ndarray | None:
    """The value of `op` if it is an `nn.const`, else None."""
    return op.to_numpy() if isinstance(op, ConstOp) else None


OPS = [ConstOp]
__all__ = ["OPS", "ConstOp", "const_from_numpy", "constant_array", "dense_from_numpy", "dense_to_numpy"]
