"""`!kpu.ram`: a feature map resident in the 2 MiB KPU RAM.

    !kpu.ram<1x16x32x32x!nn.q<ui8, 0.0235, 128>>              not yet placed (before plan-memory)
    !kpu.ram<1x16x32x32x!nn.q<ui8, 0.0235, 128>, line 512>    placed at 64-byte line 512 (byte 32768)

The shape is NCHW with N = 1 (the KPU runs one image); elements are uint8 (`ui8`, or `!nn.q<ui8, ...>` whose
scale and zero point say what the bytes mean). The bytes are stored in the KPU line layout of
`kcc.k210.kpu_ram.row_layout` (channels grouped 4/2/1 per 64-byte line by width), the layout every generator and
the K210_UPLOAD runtime use. Giving KPU-resident values their own type lets verifiers refuse a `kpu.conv2d`
whose input was not uploaded (or produced by another KPU conv), and lets `plan-memory` record the placement
where every user sees it: the optional `line` (the unit of the layer argument's image_src_addr /
image_dst_addr). Size rules (the map fits a row layout and, at its line, the 2 MiB) are checked by the ops
using the type, so the error names the op.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, IntAttr, IntegerType, NoneAttr, Signedness, TensorType
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from kcc.dialects.nn.types import QuantType

__all__ = ["KpuRamType", "is_kpu_byte"]


def is_kpu_byte(element_type: Attribute) -> bool:
    """True for the element types the KPU RAM holds: `ui8` and `!nn.q<ui8, ...>`."""
    if isinstance(element_type, QuantType):
        element_type = element_type.storage
    return (
        isinstance(element_type, IntegerType)
        and element_type.width.data == 8
        and element_type.signedness.data == Signedness.UNSIGNED
    )


@irdl_attr_definition
class KpuRamType(ParametrizedAttribute, TypeAttribute):
    """A 1xCxHxW uint8 feature map in KPU RAM (line layout), optionally placed at a 64-byte `line`."""

    name = "kpu.ram"
    shape: ArrayAttr[IntAttr]
    element_type: Attribute
    line: IntAttr | NoneAttr

    def __init__(self, shape: Sequence[int], element_type: Attribute, line: int | None = None):
        super().__init__(
            ArrayAttr([IntAttr(int(d)) for d in shape]),
            element_type,
            NoneAttr() if line is None else IntAttr(int(line)),
        )

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            dims, element_type = parser.parse_ranked_shape()
            line: IntAttr | NoneAttr = NoneAttr()
            if parser.parse_optional_punctuation(",") is not None:
                parser.parse_keyword("line")
                line = IntAttr(parser.parse_integer(allow_negative=False))
        return (ArrayAttr([IntAttr(d) for d in dims]), element_type, line)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string("".join(f"{d}x" for d in self.get_shape()))
            printer.print_attribute(self.element_type)
            if isinstance(self.line, IntAttr):
                printer.print_string(f", line {self.line.data}")

    def verify(self) -> None:
        super().verify()
        shape = self.get_shape()
        if len(shape) != 4 or shape[0] != 1 or any(d < 1 for d in shape):
            text = "x".join(str(d) for d in shape)
            raise VerifyException(f"!kpu.ram shape must be 1xCxHxW with positive sizes, got {text or 'scalar'}")
        if not is_kpu_byte(self.element_type):
            raise VerifyException(f"!kpu.ram holds uint8 maps (ui8 or !nn.q<ui8, ...>), got {self.element_type}")

    def get_shape(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape.data)

    @property
    def chw(self) -> tuple[int, int, int]:
        """(channels, height, width)."""
        _, c, h, w = self.get_shape()
        return c, h, w

    @property
    def line_value(self) -> int | None:
        """The 64-byte line the map starts at, or None when it is not placed yet."""
        return self.line.data if isinstance(self.line, IntAttr) else None

    def tensor_type(self) -> TensorType:
        """The dense main-RAM tensor type of the same map (what `kpu.download` returns)."""
        return TensorType(self.element_type, list(self.get_shape()))

    def with_line(self, line: int | None) -> KpuRamType:
        """The same map placed at `line` (None: unplaced)."""
        return KpuRamType(self.get_shape(), self.element_type, line)

    @staticmethod
    def of_tensor(t: TensorType, line: int | None = None) -> KpuRamType:
        """The KPU RAM type of a dense 1xCxHxW tensor type."""
        return KpuRamType(tuple(int(d) for d in t.get_shape()), t.element_type, line)
