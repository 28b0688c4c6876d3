"""KPU RAM: 2 MiB of 64-byte lines, and the feature-map line layout (spec k210-kpu-and-kmodel-v3.md §1.2-§1.3).

**Address unit.** Every ``addr`` in this module is in 64-byte *lines*, the unit of ``image_src_addr`` /
``image_dst_addr`` and of kmodel ``kpu_mem_out_address``: byte offset = ``addr * 64``.

**Layout.** A CxHxW uint8 map is stored with ``groups`` channels sharing each line (at ``row_pitch = 64 /
groups`` bytes apart), ``row_len`` lines per row and ``channel_switch = row_len · H`` lines per block of
``groups`` channels. Byte of (c, y, x), relative to the map base::

    (c // groups) * channel_switch * 64 + (c % groups) * row_pitch + y * row_len * 64 + x

The convention every generator uses picks groups from the width (:func:`row_layout`); the hardware follows
the registers, so :func:`upload`/:func:`download` accept an explicit :class:`RowLayout` too.
Bytes outside the addressed positions are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "KPU_LINES",
    "KPU_LINE_BYTES",
    "KPU_RAM_BYTES",
    "RowLayout",
    "byte_offsets",
    "download",
    "map_bytes",
    "map_lines",
    "new_ram",
    "row_layout",
    "upload",
]

KPU_RAM_BYTES = 2 * 1024 * 1024
KPU_LINE_BYTES = 64
KPU_LINES = KPU_RAM_BYTES // KPU_LINE_BYTES  # 32768, the range of a 15-bit address field

U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class RowLayout:
    """Line layout of one feature map: the register triple (group, row_switch, channel_switch)."""

    groups: int  # channels per line: 1, 2 or 4 (coef_group / wb_group)
    row_len: int  # lines per row (row_switch_addr / wb_row_switch_addr)
    channel_switch: int  # lines per channel block (channel_switch_addr / wb_channel_switch_addr)

    @property
    def row_pitch(self) -> int:
        """Bytes between channels sharing a line: 64 / groups."""
        return KPU_LINE_BYTES // self.groups

    def lines(self, channels: int) -> int:
        """Lines occupied by ``channels`` channels: channel_switch · ceil(channels / groups)."""
        return self.channel_switch * (-(-channels // self.groups))

    def check(self, height: int, width: int) -> None:
        """Raise ValueError if an HxW map cannot be addressed with this layout."""
        if self.groups not in (1, 2, 4):
            raise ValueError(f"KPU RAM group must be 1, 2 or 4, got {self.groups}")
        if width > self.row_pitch if self.groups > 1 else width > self.row_len * KPU_LINE_BYTES:
            raise ValueError(f"width {width} does not fit a row of the layout (groups {self.groups}, row_len {self.row_len})")
        if self.row_len < 1 or self.channel_switch < self.row_len * height:
            raise ValueError(
                f"layout row_len {self.row_len} / channel_switch {self.channel_switch} too small for height {height}"
            )


def row_layout(height: int, width: int) -> RowLayout:
    """The generator convention: W ≤ 16 → 4 groups, W ≤ 32 → 2, else 1 group and ceil(W/64) lines per row."""
    if width < 1 or height < 1:
        raise ValueError(f"feature map must be at least 1x1, got {height}x{width}")
    if width <= 16:
        groups, row_len = 4, 1
    elif width <= 32:
        groups, row_len = 2, 1
    else:
        groups, row_len = 1, -(-width // KPU_LINE_BYTES)
    return RowLayout(groups, row_len, row_len * height)


def map_lines(channels: int, height: int, width: int) -> int:
    """Lines a CxHxW map occupies with the convention layout: row_len · H · ceil(C / groups)."""
    return row_layout(height, width).lines(channels)


def map_bytes(channels: int, height: int, width: int) -> int:
    """Bytes a CxHxW map occupies with the convention layout (a multiple of 64)."""
    return map_lines(channels, height, width) * KPU_LINE_BYTES


def new_ram() -> U8:
    """A zeroed 2 MiB KPU RAM."""
    return np.zeros(KPU_RAM_BYTES, dtype=np.uint8)


def byte_offsets(addr: int, channels: int, height: int, width: int, layout: RowLayout | None = None) -> npt.NDArray[np.int64]:
    """CxHxW array of absolute byte offsets in KPU RAM of every element of a map at line ``addr``.

    Raises ValueError if the map does not fit in the 2 MiB.
    """
    lay = row_layout(height, width) if layout is None else layout
    lay.check(height, width)
    if not 0 <= addr < KPU_LINES:
        raise ValueError(f"KPU RAM line address {addr} out of range 0…{KPU_LINES - 1}")
    c = np.arange(channels, dtype=np.int64)
    base = addr * KPU_LINE_BYTES + (c // lay.groups) * (lay.channel_switch * KPU_LINE_BYTES) + (c % lay.groups) * lay.row_pitch
    rows = np.arange(height, dtype=np.int64) * (lay.row_len * KPU_LINE_BYTES)
    cols = np.arange(width, dtype=np.int64)
    off = base[:, None, None] + rows[None, :, None] + cols[None, None, :]
    last = int(off[-1, -1, -1]) if off.size else 0
    if last >= KPU_RAM_BYTES:
        raise ValueError(f"{channels}x{height}x{width} map at line {addr} ends at byte {last} beyond the 2 MiB KPU RAM")
    return off


def _check_ram(ram: npt.NDArray[np.generic]) -> None:
    if ram.dtype != np.uint8 or ram.ndim != 1 or ram.size != KPU_RAM_BYTES:
        raise ValueError(f"KPU RAM must be a 1-D uint8 array of {KPU_RAM_BYTES} bytes, got {ram.dtype} {ram.shape}")


def upload(ram: U8, addr: int, x_chw: npt.NDArray[np.generic], layout: RowLayout | None = None) -> None:
    """Write a dense uint8 CxHxW map into ``ram`` at line ``addr`` (in place).

    ``layout`` defaults to the width convention (:func:`row_layout`); pass the register values to follow a
    layer argument. Values must be in 0…255.
    """
    _check_ram(ram)
    if x_chw.ndim != 3:
        raise ValueError(f"upload expects a CxHxW array, got shape {x_chw.shape}")
    if x_chw.dtype != np.uint8:
        if x_chw.size and (int(x_chw.min()) < 0 or int(x_chw.max()) > 255):
            raise ValueError("upload: values must be in 0…255")
        x_chw = x_chw.astype(np.uint8)
    c, h, w = x_chw.shape
    lay = row_layout(h, w) if layout is None else layout
    if lay.groups == 1 and w == lay.row_len * KPU_LINE_BYTES and lay.channel_switch == lay.row_len * h:
        start = addr * KPU_LINE_BYTES
        if not addr >= 0 and start + x_chw.size <= KPU_RAM_BYTES:
            ram[start : start + x_chw.size] = x_chw.reshape(-1)
            return
    ram[byte_offsets(addr, c, h, w, lay)] = x_chw


def download(ram: U8, addr: int, channels: int, height: int, width: int, layout: RowLayout | None = None) -> U8:
    """Read a CxHxW uint8 map at line ``addr`` of ``ram`` into a new dense CHW array."""
    _check_ram(ram)
    lay = row_layout(height, width) if layout is None else layout
    if lay.groups == 1 and width == lay.row_len * KPU_LINE_BYTES and lay.channel_switch == lay.row_len * height:
        start = addr * KPU_LINE_BYTES
        n = channels * height * width
        if addr >= 0 and start + n <= KPU_RAM_BYTES:
            return ram[start : start + n].reshape(channels, height, width).copy()
    return ram[byte_offsets(addr, channels, height, width, lay)]
