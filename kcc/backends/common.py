"""Types shared by the kmodel v3 and v4 readers, `kcc inspect` and the simulator."""

from __future__ import annotations

from dataclasses import dataclass

POOL_MAIN = "main"
POOL_KPU = "kpu"
POOL_CONST = "const"

DTYPE_SIZE = {"f32": 4, "u8": 1, "u16": 2, "i32": 4}


@dataclass(frozen=True)
class MemRef:
    """A byte range a node reads or writes: pool ('main', 'kpu', 'const'), byte start/size, element type."""

    role: str
    pool: str
    start: int
    size: int
    dtype: str

    @property
    def end(self) -> int:
        return self.start + self.size

    def __str__(self) -> str:
        return f"{self.role}={self.pool}[{self.start:#x}..{self.end:#x}) {self.dtype} {self.size}B"


def main(role: str, start: int, count: int, dtype: str) -> MemRef:
    return MemRef(role, POOL_MAIN, start, count * DTYPE_SIZE[dtype], dtype)
