"""The simulated K210 memory map: main RAM (the model's main buffer), 2 MiB KPU RAM and (v4) the constants."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kcc.backends.common import POOL_CONST, POOL_KPU, POOL_MAIN
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_RAM_BYTES

NP_DTYPES: dict[str, np.dtype[np.generic]] = {
    "f32": np.dtype("<f4"),
    "u8": np.dtype("u1"),
    "i32": np.dtype("<i4"),
    "u16": np.dtype("<u2"),
}


class MemoryMap:
    """Byte pools addressed like the device: main buffer offsets, KPU RAM byte offsets, constant offsets.

    `fill` seeds main RAM: the SDK mallocs it without zeroing, so a model that reads memory it never wrote is
    a bug the simulator should be able to expose (`fill=0xCD`)."""

    def __init__(self, main_bytes: int, constants: bytes = b"", fill: int = 0):
        self.pools: dict[str, NDArray[np.uint8]] = {
            POOL_MAIN: np.full(main_bytes, fill, dtype=np.uint8),
            POOL_KPU: np.zeros(KPU_RAM_BYTES, dtype=np.uint8),
            POOL_CONST: np.frombuffer(constants, dtype=np.uint8).copy(),
        }

    @property
    def main(self) -> NDArray[np.uint8]:
        return self.pools[POOL_MAIN]

    @property
    def kpu(self) -> NDArray[np.uint8]:
        return self.pools[POOL_KPU]

    def _span(self, pool: str, start: int, nbytes: int) -> NDArray[np.uint8]:
        buf = self.pools[pool]
        if start < 0 or nbytes < 0 or start + nbytes > buf.size:
            raise KccError(f"access [{start}, {start + nbytes}) outside the {pool} pool ({buf.size} bytes)", op="simulator")
        return buf[start : start + nbytes]

    def read(self, pool: str, start: int, count: int, dtype: str) -> NDArray[np.generic]:
        """A copy of `count` elements of `dtype` at byte `start` of `pool`."""
        dt = NP_DTYPES[dtype]
        return self._span(pool, start, count * dt.itemsize).view(dt).copy()

    def write(self, pool: str, start: int, values: NDArray[np.generic], dtype: str) -> None:
        if pool == POOL_CONST:
            raise KccError("a node writes into the constants section", op="simulator")
        dt = NP_DTYPES[dtype]
        arr = np.ascontiguousarray(np.asarray(values).reshape(-1), dtype=dt)
        self._span(pool, start, arr.nbytes)[:] = arr.view(np.uint8)

    def read_bytes(self, pool: str, start: int, nbytes: int) -> bytes:
        return self._span(pool, start, nbytes).tobytes()

    def write_bytes(self, pool: str, start: int, data: bytes | NDArray[np.uint8]) -> None:
        raw = np.frombuffer(bytes(data), dtype=np.uint8) if isinstance(data, bytes | bytearray) else data
        self._span(pool, start, raw.size)[:] = raw
