"""Elementwise `nn` ops: unary activations and broadcasting binary arithmetic."""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType
from xdsl.ir import SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, result_def, traits_def
from xdsl.traits import Pure

from kcc.dialects.nn.base import (
    NNOp,
    Shape,
    broadcast_shapes,
    expect_float_or_quant,
    same_element_kind,
    shape_of,
)


class UnaryOp(NNOp):
    """`%y = nn.<op> %x : tensor<...> -> tensor<...>`: same shape in and out."""

    input = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($output)"

    def __init__(self, input: SSAValue, result_type: TensorType | None = None, **props: object):
        super().__init__(operands=[input], result_types=[result_type or input.type], properties=props)  # type: ignore[arg-type]

    def check(self) -> None:
        expect_float_or_quant(self.input, "input")
        same_element_kind([self.input, self.output], ["input", "result"])

    def infer_shapes(self) -> list[Shape]:
        return [shape_of(self.input, "input")]


@irdl_op_definition
class ReluOp(UnaryOp):
    """max(x, 0)."""

    name = "nn.relu"


class BinaryOp(NNOp):
    """`%z = nn.<op> %a, %b : (tensor<..>, tensor<..>) -> tensor<..>` with numpy/ONNX broadcasting."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    output = result_def(TensorType)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: TensorType):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def check(self) -> None:
        for v, r in ((self.lhs, "lhs"), (self.rhs, "rhs"), (self.output, "result")):
            expect_float_or_quant(v, r)
        same_element_kind([self.lhs, self.rhs, self.output], ["lhs", "rhs", "result"])

    def infer_shapes(self) -> list[Shape]:
        return [broadcast_shapes(shape_of(self.lhs, "lhs"), shape_of(self.rhs, "rhs"))]


@irdl_op_definition
class AddOp(BinaryOp):
    """a + b."""

    name = "nn.add"


OPS: list[type[NNOp]] = [ReluOp, AddOp]
__all__ = ["OPS", "AddOp", "BinaryOp", "ReluOp", "UnaryOp"]
