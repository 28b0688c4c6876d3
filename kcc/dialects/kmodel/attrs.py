"""Attributes of the `kmodel` dialect.

`#kmodel.range<pool, offset, size, dtype>` is one byte range a runtime node reads or writes:

    #kmodel.range<main, 40920, 40, f32>     40 bytes (10 floats) at byte 40920 of main RAM
    #kmodel.range<kpu, 262144, 12288, u8>   KPU RAM bytes (a v3 line address L is offset 64·L)
    #kmodel.range<const, 0, 256, u8>        v4 constants section

Pools: `const` (the v4 constants section of the file), `main` (the working RAM the runtime allocates,
`main_mem` bytes), `kpu` (the 2 MiB KPU RAM). Element types: `f32`, `u8` (the two v4 datatypes) and
`u16`, `i32` (v3 16-bit weights, integer tables). The size is a byte count; for a KPU-RAM map it is the
line-layout size (whole 64-byte lines), not channels x height x width.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IntAttr, StringAttr
from xdsl.ir import Attribute, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

POOLS = ("const", "main", "kpu")
DTYPE_BYTES: dict[str, int] = {"f32": 4, "u8": 1, "u16": 2, "i32": 4}
KPU_RAM_BYTES = 2 * 1024 * 1024


@irdl_attr_definition
class RangeAttr(ParametrizedAttribute):
    """A memory range: pool (`const`, `main`, `kpu`), byte offset, byte size, element type (`f32`, `u8`, `u16`, `i32`).

    Syntax: `#kmodel.range<main, 0, 16, f32>`. Offset and size are non-negative byte counts.
    """

    name = "kmodel.range"
    pool: StringAttr
    offset: IntAttr
    size: IntAttr
    dtype: StringAttr

    def __init__(self, pool: str, offset: int, size: int, dtype: str):
        super().__init__(StringAttr(pool), IntAttr(int(offset)), IntAttr(int(size)), StringAttr(dtype))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            pool = parser.parse_identifier()
            parser.parse_punctuation(",")
            offset = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            size = parser.parse_integer(allow_boolean=False, allow_negative=False)
            parser.parse_punctuation(",")
            dtype = parser.parse_identifier()
        return (StringAttr(pool), IntAttr(offset), IntAttr(size), StringAttr(dtype))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string(f"{self.pool.data}, {self.offset.data}, {self.size.data}, {self.dtype.data}")

    def verify(self) -> None:
        super().verify()
        if self.pool.data not in POOLS:
            raise VerifyException(f"memory pool must be one of {', '.join(POOLS)}, got {self.pool.data!r}")
        if self.dtype.data not in DTYPE_BYTES:
            raise VerifyException(f"element type must be one of {', '.join(DTYPE_BYTES)}, got {self.dtype.data!r}")
        if self.offset.data < 0 or self.size.data < 0:
            raise VerifyException(f"offset and size must be non-negative, got {self.offset.data} and {self.size.data}")

    @property
    def start(self) -> int:
        return self.offset.data

    @property
    def nbytes(self) -> int:
        return self.size.data

    @property
    def end(self) -> int:
        return self.offset.data + self.size.data

    @property
    def pool_name(self) -> str:
        return self.pool.data

    @property
    def element(self) -> str:
        return self.dtype.data

    def __str__(self) -> str:
        return f"#kmodel.range<{self.pool.data}, {self.offset.data}, {self.size.data}, {self.dtype.data}>"


__all__ = ["DTYPE_BYTES", "KPU_RAM_BYTES", "POOLS", "RangeAttr"]
