"""Bounds-checked little-endian reading shared by the kmodel readers.

Every read checks the remaining length first, so a lying size field produces a one-line `KccError`
instead of an exception from `struct` or an unbounded allocation.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from kcc.errors import KccError

KPU_RAM_BYTES = 2 * 1024 * 1024
KPU_LINE_BYTES = 64
KPU_LINES = KPU_RAM_BYTES // KPU_LINE_BYTES
MAX_TAIL_OVERRUN = 7  # nncase never writes the padding after the last body


class ByteReader:
    """A cursor over `data[start:end]` whose reads raise `KccError` naming `what` when they run past `end`."""

    def __init__(self, data: bytes, start: int, end: int, what: str, index: int | None = None):
        self.data = data
        self.pos = start
        self.start = start
        self.end = min(end, len(data))
        self.what = what
        self.index = index

    def error(self, message: str) -> KccError:
        return KccError(message, op=self.what, index=self.index)

    def need(self, n: int, field: str) -> None:
        if n < 0 or self.pos + n > self.end:
            raise self.error(
                f"truncated: field '{field}' needs {n} bytes at file offset {self.pos}, "
                f"only {max(self.end - self.pos, 0)} available"
            )

    def u32(self, field: str) -> int:
        self.need(4, field)
        v = struct.unpack_from("<I", self.data, self.pos)[0]
        self.pos += 4
        return int(v)

    def i32(self, field: str) -> int:
        self.need(4, field)
        v = struct.unpack_from("<i", self.data, self.pos)[0]
        self.pos += 4
        return int(v)

    def f32(self, field: str) -> float:
        self.need(4, field)
        v = struct.unpack_from("<f", self.data, self.pos)[0]
        self.pos += 4
        return float(v)

    def u8(self, field: str) -> int:
        self.need(1, field)
        v = self.data[self.pos]
        self.pos += 1
        return int(v)

    def raw(self, n: int, field: str) -> bytes:
        self.need(n, field)
        v = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return v

    def skip(self, n: int, field: str) -> None:
        self.need(n, field)
        self.pos += n

    def array(self, dtype: str, count: int, field: str) -> NDArray[np.generic]:
        """Read `count` elements of little-endian `dtype` (checked against the bytes left before allocating)."""
        item = np.dtype(dtype).itemsize
        if count < 0:
            raise self.error(f"field '{field}' has a negative element count {count}")
        self.need(count * item, field)
        arr = np.frombuffer(self.data, dtype=np.dtype(dtype).newbyteorder("<"), count=count, offset=self.pos).copy()
        arr.setflags(write=False)
        self.pos += count * item
        return arr


def walk_bodies(
    data: bytes, heads: list[tuple[int, int]], start: int, name: Callable[[int], str], noun: str, fmt: str
) -> Iterator[tuple[int, int, int, int, int, str]]:
    """(index, code, body_size, offset, end, name) of each (code, body_size) head's body, laid back to back from
    file offset `start`; `end` is clamped to the file, whose last body may lack up to 7 padding bytes. Raises
    `KccError` for a body past the end of the file and, once exhausted, for bytes after the last body."""
    off = start
    for i, (code, size) in enumerate(heads):
        what = name(code)
        end = off + size
        if end > len(data) and not (i == len(heads) - 1 and end - len(data) <= MAX_TAIL_OVERRUN):
            raise KccError(f"body [{off}, {end}) runs past the end of the file ({len(data)} bytes)", op=what, index=i)
        yield i, code, size, off, min(end, len(data)), what
        off = end
    if off < len(data):
        raise KccError(f"{len(data) - off} trailing bytes after the last {noun} body", op=fmt)


def frozen_array(arr: NDArray[np.generic]) -> NDArray[np.generic]:
    arr.setflags(write=False)
    return arr


def kpu_map_bytes(channels: int, height: int, groups: int, row_len: int) -> int:
    """Bytes of a KPU RAM feature map with the given layout registers (whole 64-byte lines)."""
    g = max(groups, 1)
    return ((channels + g - 1) // g) * row_len * height * KPU_LINE_BYTES


def kpu_layout(width: int) -> tuple[int, int]:
    """(groups, row_len) that every generator uses for a map of this width."""
    if width <= 16:
        return 4, 1
    if width <= 32:
        return 2, 1
    return 1, (width + 63) // 64


def dense_map_kpu_bytes(channels: int, height: int, width: int) -> int:
    """Bytes of a CxHxW map in KPU RAM laid out the way every generator does (`kpu_layout`)."""
    return kpu_map_bytes(channels, height, *kpu_layout(width))
