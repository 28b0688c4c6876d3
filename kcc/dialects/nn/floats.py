"""Float properties of `nn` ops that print and parse back exactly.

Float parameters are f64 properties printed as `keyword value` with the shortest text that parses back to
the same double (`0.1`, `6.0`, `1234567.0`, `1.0e-300`): xDSL's default float printing loses digits or
prints hex that its own parser rejects. Use `custom<KwFloat>($prop)` in an assembly format.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import Float64Type, FloatAttr, f64
from xdsl.irdl import IRDLOperation
from xdsl.irdl.declarative_assembly_format import (
    AttributeVariable,
    CustomDirective,
    ParsingState,
    PrintingState,
    irdl_custom_directive,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

F64Attr = FloatAttr[Float64Type]


def f64_attr(value: float) -> F64Attr:
    return FloatAttr(float(value), f64)


def format_f64(value: float) -> str:
    """The shortest decimal text that the MLIR lexer reads as a float literal equal to `value`; the non-finite
    values print as the keywords `inf`, `-inf` and `nan` (a -inf pad value of TFLite's PADV2, for example)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(float(value))
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _parse_f64(parser: Parser, name: str) -> float:
    """A float literal, or `inf` / `-inf` / `nan` (as `format_f64` prints them)."""
    if parser.parse_optional_keyword("inf") is not None:
        return math.inf
    if parser.parse_optional_keyword("nan") is not None:
        return math.nan
    if parser.parse_optional_punctuation("-") is not None:
        if parser.parse_optional_keyword("inf") is not None:
            return -math.inf
        return -float(parser.parse_number(context_msg=f" for {name}"))
    return float(parser.parse_number(context_msg=f" for {name}"))


@irdl_custom_directive
class KwFloat(CustomDirective):
    """`custom<KwFloat>($p)`: ` p <float>`; an optional property that is absent prints (and parses) nothing.

    The keyword is the property name. Integers are accepted on input (`max 6` is `max 6.0`).
    """

    value: AttributeVariable

    def parse(self, parser: Parser, state: ParsingState) -> None:
        name = self.value.name
        if self.value.is_optional:
            if parser.parse_optional_keyword(name) is None:
                return
        else:
            parser.parse_keyword(name)
        self.value.set(state, f64_attr(_parse_f64(parser, name)))

    def print(self, printer: Printer, state: PrintingState, op: IRDLOperation) -> None:
        attr = self.value.get(op)
        if attr is None:
            return
        state.print_whitespace(printer)
        assert isinstance(attr, FloatAttr)
        printer.print_string(f"{self.value.name} {format_f64(attr.value.data)}")

    def is_present(self, op: IRDLOperation) -> bool:
        return self.value.get(op) is not None

    def is_optional_like(self) -> bool:
        return self.value.is_optional


def expect_finite(attr: FloatAttr | None, what: str) -> None:
    if attr is not None and not math.isfinite(attr.value.data):
        raise VerifyException(f"{what} must be finite, got {attr.value.data}")


__all__ = ["F64Attr", "KwFloat", "expect_finite", "f64_attr", "format_f64"]
