"""C99 literals and arrays for the generated code: exact (floats as hex literals or bit patterns), deterministic."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

PER_LINE = 24


def f32_bits(v: float) -> int:
    """The IEEE bits of `v` rounded to float32."""
    return int(np.asarray(v, dtype=np.float32).view(np.uint32))


def flt(v: float) -> str:
    """A C expression of type float equal to float32(v), bit for bit (NaN payloads and -0.0 included)."""
    f = float(np.float32(v))
    if math.isfinite(f):
        return f"{f.hex()}f"
    return f"kcc_f32({f32_bits(v):#010x}u)"


def i64(v: int) -> str:
    if not -(1 << 63) <= v < 1 << 63:
        raise ValueError(f"{v} does not fit int64")
    if v == -(1 << 63):
        return "(-INT64_C(9223372036854775807) - 1)"
    return f"INT64_C({v})"


def _rows(items: list[str]) -> str:
    if not items:
        return "    0"
    lines = [", ".join(items[i : i + PER_LINE]) for i in range(0, len(items), PER_LINE)]
    return "    " + ",\n    ".join(lines)


def array(ctype: str, name: str, values: list[str], *, const: bool = True, comment: str = "") -> str:
    """`static [const] ctype name[n] = {...};` (an empty array gets one zero element: C99 has no empty arrays)."""
    head = f"/* {comment} */\n" if comment else ""
    q = "const " if const else ""
    n = max(len(values), 1)
    return f"{head}static {q}{ctype} {name}[{n}] = {{\n{_rows(values)}\n}};\n"


def u8_values(a: NDArray[np.generic] | bytes) -> list[str]:
    arr = np.frombuffer(a, dtype=np.uint8) if isinstance(a, bytes | bytearray) else np.asarray(a).reshape(-1)
    return [str(v) for v in arr.astype(np.int64).tolist()]


def u32_values(a: NDArray[np.generic]) -> list[str]:
    return [f"{v:#x}u" for v in np.asarray(a).reshape(-1).astype(np.uint64).tolist()]


def i32_values(a: NDArray[np.generic] | list[int]) -> list[str]:
    out: list[str] = []
    for v in np.asarray(a, dtype=np.int64).reshape(-1).tolist():
        if not -(1 << 31) <= v < 1 << 31:
            raise ValueError(f"{v} does not fit int32")
        out.append(f"(-{-v - 1} - 1)" if v == -(1 << 31) else str(v))
    return out


def i64_values(a: list[int]) -> list[str]:
    return [i64(v) for v in a]


def f32_bit_values(a: NDArray[np.generic]) -> list[str]:
    """float32 values as their bit patterns (read back with kcc_f32)."""
    return u32_values(np.ascontiguousarray(np.asarray(a, dtype=np.float32).reshape(-1)).view(np.uint32))


def ints_literal(ctype: str, values: list[int] | tuple[int, ...]) -> str:
    """A C99 compound literal `(const ctype[]){...}`."""
    return f"(const {ctype}[]){{{', '.join(str(int(v)) for v in values)}}}"
