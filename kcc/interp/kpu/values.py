"""The interpreter's value of a `!kpu.ram` map: a simulated 2 MiB KPU RAM holding the map at its line.

Each SSA value owns its RAM (values never alias), so the interpreter keeps SSA semantics while every byte
still goes through the line layout of `kcc.k210.kpu_ram` (upload / download / `run_layer`). An unplaced map
sits at line 0. `np.asarray(value)` gives the dense `1xCxHxW` uint8 array, so results and debugging dumps
read like tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kcc.dialects.kpu.types import KpuRamType
from kcc.k210.kpu_ram import download, new_ram, upload

__all__ = ["KpuMap", "as_kpu_map"]


@dataclass(frozen=True)
class KpuMap:
    """`ram` (2 MiB uint8) holds a `channels x height x width` map at 64-byte line `line` (convention layout)."""

    ram: npt.NDArray[np.uint8]
    line: int
    channels: int
    height: int
    width: int

    @staticmethod
    def upload(x_nchw: npt.NDArray[Any], line: int) -> KpuMap:
        """A fresh RAM with the dense `1xCxHxW` uint8 array written at `line`."""
        _, c, h, w = x_nchw.shape
        ram = new_ram()
        upload(ram, line, np.asarray(x_nchw[0]))
        return KpuMap(ram, line, c, h, w)

    def download(self) -> npt.NDArray[np.uint8]:
        """The map as a dense `1xCxHxW` uint8 array."""
        return download(self.ram, self.line, self.channels, self.height, self.width)[None]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        a = self.download()
        return a if dtype is None else a.astype(dtype)


def as_kpu_map(value: object, t: KpuRamType) -> KpuMap:
    """`value` as a KpuMap of type `t`: a KpuMap passes through; a dense array (a function argument of
    `!kpu.ram` type) is uploaded at the type's line."""
    if isinstance(value, KpuMap):
        return value
    return KpuMap.upload(np.asarray(value), t.line_value or 0)
