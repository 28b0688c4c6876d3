"""Attributes of the `nn` dialect.

`#nn.act<kind, p0, p1>` describes an activation fused into a conv / matmul (after `fuse-conv`):

    #nn.act<relu>   #nn.act<clamp, 0.0, 6.0>   #nn.act<leaky_relu, 0.1>   #nn.act<hard_sigmoid, 0.2, 0.5>
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, Float64Type, FloatAttr, StringAttr, f64
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.floats import format_f64

# kind -> number of float parameters
ACTIVATION_ARITY: dict[str, int] = {
    "none": 0,
    "relu": 0,
    "clamp": 2,
    "leaky_relu": 1,
    "sigmoid": 0,
    "tanh": 0,
    "hard_sigmoid": 2,
    "hard_swish": 0,
}


@irdl_attr_definition
class ActivationAttr(ParametrizedAttribute):
    """A fused activation: kind plus its float parameters."""

    name = "nn.act"
    kind: StringAttr
    params: ArrayAttr[FloatAttr[Float64Type]]

    def __init__(self, kind: str, params: Sequence[float] = ()):
        super().__init__(StringAttr(kind), ArrayAttr([FloatAttr(float(p), f64) for p in params]))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            kind = parser.parse_identifier()
            params: list[float] = []
            while parser.parse_optional_punctuation(",") is not None:
                params.append(parser.parse_float())
        return (StringAttr(kind), ArrayAttr([FloatAttr(p, f64) for p in params]))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(self.kind.data)
            for p in self.params.data:
                printer.print_string(f", {format_f64(p.value.data)}")

    def verify(self) -> None:
        super().verify()
        kind = self.kind.data
        if kind not in ACTIVATION_ARITY:
            raise VerifyException(f"unknown activation {kind!r}; known: {', '.join(ACTIVATION_ARITY)}")
        if len(self.params.data) != ACTIVATION_ARITY[kind]:
            raise VerifyException(f"activation {kind!r} takes {ACTIVATION_ARITY[kind]} parameters, got {len(self.params.data)}")
        if kind == "clamp" and self.values[0] > self.values[1]:
            raise VerifyException(f"clamp activation needs min <= max, got {self.values[0]} > {self.values[1]}")

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(float(p.value.data) for p in self.params.data)
