"""The KPU parts of the generated C: KPU RAM extents, and one layer's constant tables with the int64 proof.

The C kernel (`runtime.py`, `kcc_kpu_conv2d`) computes in int64. Python's model (`kcc.k210.kpu_layer`) uses
unbounded integers, so before emitting a layer we bound every intermediate from the layer's own constants
(weights, layer argument, BN table; inputs are uint8) and refuse a layer whose values could leave the range
where int64 arithmetic is exact. Real layers sit far inside it (|ALU| < 2^40); only hand-made tables hit it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kcc.backends.kmodel_v4 import format as f4
from kcc.errors import KccError
from kcc.k210.kpu_ram import KPU_LINE_BYTES, RowLayout, row_layout

# |t| below this keeps (t - start) * mul (|start| <= 2^35, |mul| <= 2^15) inside int64, as the Python model's
# int64 branch requires ((|t| + 2^35 + 1) * 2^15 < 2^60)
T_LIMIT = 1 << 44
PRODUCT_LIMIT = 1 << 62
POOL_STRIDES = (1, 2, 2, 4, 4, 2, 2, 4, 1, 1)


@dataclass(frozen=True)
class Extent:
    """Bytes [lo, hi) of KPU RAM a map touches."""

    lo: int
    hi: int


def map_extent(line: int, channels: int, height: int, width: int, layout: RowLayout) -> Extent:
    """KPU RAM bytes touched by a CxHxW map at `line` with `layout` (first to one past the last byte)."""
    base = line * KPU_LINE_BYTES
    last = (
        base
        + ((channels - 1) // layout.groups) * layout.channel_switch * KPU_LINE_BYTES
        + ((channels - 1) % layout.groups) * layout.row_pitch
        + (height - 1) * layout.row_len * KPU_LINE_BYTES
        + (width - 1)
    )
    return Extent(base, last + 1)


def conv_layouts(b: f4.KpuConv2dBody) -> tuple[RowLayout, RowLayout]:
    a = b.arg
    return RowLayout(a.coef_group, a.row_switch_addr, a.channel_switch_addr), RowLayout(
        a.wb_group, a.wb_row_switch_addr, a.wb_channel_switch_addr
    )


def batch_bytes(b: f4.KpuConv2dBody) -> tuple[int, int]:
    """Bytes between consecutive batches of the input and the output map (whole lines, as the simulator)."""
    g = b.geometry
    return g.in_bytes // KPU_LINE_BYTES * KPU_LINE_BYTES, g.out_bytes // KPU_LINE_BYTES * KPU_LINE_BYTES


def conv_extents(b: f4.KpuConv2dBody) -> list[Extent]:
    a = b.arg
    lin, lout = conv_layouts(b)
    bin_, bout = batch_bytes(b)
    out: list[Extent] = []
    for n in range(b.batches):
        out.append(map_extent(b.geometry.src_line + n * bin_ // 64, a.in_channels, a.in_height, a.in_width, lin))
        out.append(map_extent(b.geometry.dst_line + n * bout // 64, a.out_channels, a.out_height, a.out_width, lout))
    return out


def upload_extents(start: int, shape: tuple[int, int, int, int]) -> list[Extent]:
    n, c, h, w = shape
    lay = row_layout(h, w)
    lines = lay.lines(c)
    return [map_extent(start // KPU_LINE_BYTES + i * lines, c, h, w, lay) for i in range(n)]


@dataclass(frozen=True)
class KpuTables:
    """What `kcc_kpu_conv` points at, as Python ints (the emitter prints them)."""

    wbias: list[int]  # per output channel: floor(arg_w * sum(w[o]) / 2^shr_w) + groups * arg_add
    bn_mul: list[int]
    bn_add: list[int]
    bn_shift: list[int]
    act_start: list[int]
    act_mul: list[int]
    act_shift: list[int]
    act_add: list[int]


def _fail(index: int, msg: str) -> KccError:
    return KccError(msg, op="kpu_conv2d", index=index, hint="the layer cannot be emitted as C; report the model")


def check_layer(b: f4.KpuConv2dBody, index: int) -> None:
    """The layer-argument checks `kcc.k210.kpu_layer` makes before running a layer."""
    a = b.arg
    if a.bypass_conv or a.first_stride or a.full_add:
        raise _fail(index, "bypass_conv / first_stride / full_add are set: semantics unknown (spec §7 G)")
    if a.kernel_type not in (0, 1):
        raise _fail(index, f"kernel_type {a.kernel_type} is not 0 (1x1) or 1 (3x3)")
    if a.pool_type >= len(POOL_STRIDES):
        raise _fail(index, f"pool_type {a.pool_type} is not a KPU pool code (0..9)")
    if a.depthwise and a.in_channels != a.out_channels:
        raise _fail(index, f"depthwise layer with {a.in_channels} in and {a.out_channels} out channels")
    s = POOL_STRIDES[a.pool_type]
    if (a.in_height // s, a.in_width // s) != (a.out_height, a.out_width):
        raise _fail(index, f"pool {a.pool_type} of {a.in_height}x{a.in_width} does not give {a.out_height}x{a.out_width}")
    if b.weights.size != a.weight_count:
        raise _fail(index, f"layer needs {a.weight_count} weights, got {b.weights.size}")
    if b.bn.channels < a.out_channels:
        raise _fail(index, f"BN table has {b.bn.channels} entries, layer has {a.out_channels} output channels")


def layer_tables(b: f4.KpuConv2dBody, index: int) -> KpuTables:
    """The per-channel constants of a layer, after proving the C kernel's int64 arithmetic exact for it."""
    check_layer(b, index)
    a = b.arg
    oc, ic, k2 = a.out_channels, a.in_channels, a.kernel_size * a.kernel_size
    groups = 1 if a.depthwise else ic
    w = b.weights.astype(np.int64).reshape(oc, groups * k2)
    wsum = [int(v) for v in w.sum(axis=1).tolist()]
    wbias = [((a.arg_w * s) >> a.shr_w) + groups * a.arg_add for s in wsum]
    bn_mul = [int(v) for v in b.bn.norm_mul[:oc].tolist()]
    bn_add = [int(v) for v in b.bn.norm_add[:oc].tolist()]
    bn_shift = [int(v) for v in b.bn.norm_shift[:oc].tolist()]
    sx_max = 255 * k2 * groups
    tx_max = (abs(a.arg_x) * sx_max >> a.shr_x) + 1
    if abs(a.arg_x) * sx_max >= PRODUCT_LIMIT:
        raise _fail(index, f"arg_x {a.arg_x} times the input sum bound {sx_max} leaves int64")
    for o in range(oc):
        alu_max = 255 * wsum[o] + tx_max + abs(wbias[o])
        if alu_max * (abs(bn_mul[o]) + 1) >= PRODUCT_LIMIT:
            raise _fail(index, f"channel {o}: |ALU| <= {alu_max} times BN mul {bn_mul[o]} may leave int64")
        t_max = (alu_max * abs(bn_mul[o]) >> bn_shift[o]) + abs(bn_add[o]) + 1
        if t_max >= T_LIMIT:
            raise _fail(index, f"channel {o}: |BN output| may reach {t_max}, beyond the 2^44 the C kernel handles exactly")
    act = b.act
    return KpuTables(
        wbias=wbias,
        bn_mul=bn_mul,
        bn_add=bn_add,
        bn_shift=bn_shift,
        act_start=[int(v) for v in act.start_x.tolist()],
        act_mul=[int(v) for v in act.mul.tolist()],
        act_shift=[int(v) for v in act.shift.tolist()],
        act_add=[int(v) for v in act.add.tolist()],
    )
