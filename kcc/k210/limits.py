"""Limits of the K210 KPU as named constants, and checks returning the violated rules as readable strings
(spec k210-kpu-and-kmodel-v3.md §1.6, §2, §4.1-§4.2; kmodel-v4-and-nncase-0.2.md §3.4).

Two levels: the *register* limits (what the bitfields can express at all) and the *practical* limits the
generators enforce (nncase v0.2: 4 ≤ H ≤ 256, 4 ≤ W ≤ 512). ``check_conv_limits`` reports both unless
``practical=False``.
"""

from __future__ import annotations

from kcc.k210.kpu_ram import KPU_LINES, KPU_RAM_BYTES, RowLayout, row_layout
from kcc.k210.layer_argument import LayerArgument

__all__ = [
    "DEPTHWISE_POOL_TYPES",
    "KERNEL_SIZES",
    "MAX_CHANNELS",
    "MAX_HEIGHT_FIELD",
    "MAX_HEIGHT_PRACTICAL",
    "MAX_LOAD_TIMES",
    "MAX_ROW_LEN",
    "MAX_WEIGHT_BYTES_PER_LOAD_8BIT",
    "MAX_WEIGHT_BYTES_PER_LOAD_16BIT",
    "MAX_WIDTH_FIELD",
    "MAX_WIDTH_PRACTICAL",
    "MIN_SPATIAL",
    "POOL_TYPES",
    "check_conv_limits",
    "check_layer_limits",
    "max_out_channels_per_layer",
    "weight_load_plan",
]

MAX_CHANNELS = 1024  # 10-bit "minus one" fields, in and out
KERNEL_SIZES = (1, 3)  # kernel_type 0 / 1; square, dilation 1, stride 1
POOL_TYPES = tuple(range(10))  # codes 0…9 (spec §3.6)
DEPTHWISE_POOL_TYPES = (0,)  # depthwise layers cannot pool (hardware limitation, spec §4.2)
MAX_WIDTH_FIELD = 1024  # i_row_wid 10 bits
MAX_HEIGHT_FIELD = 512  # i_col_high 9 bits
MAX_ROW_LEN = 15  # row_switch_addr 4 bits → W ≤ 960
MAX_WIDTH_LAYOUT = MAX_ROW_LEN * 64
MAX_WIDTH_PRACTICAL = 512  # nncase v0.2 is_supported shape
MAX_HEIGHT_PRACTICAL = 256  # nncase v0.2, Maix-EMC
MIN_SPATIAL = 4  # input and output ≥ 4x4 (nncase, Maix-EMC)
MAX_LOAD_TIMES = 64  # load_time 6 bits
MAX_WEIGHT_BYTES_PER_LOAD_8BIT = 30 * 1024  # nncase rule; Maix-EMC allows 36 KiB
MAX_WEIGHT_BYTES_PER_LOAD_16BIT = 60 * 1024
MAX_PARA_SIZE = (1 << 17) - 1  # para_size 17 bits
WEIGHT_BYTES_PER_LOAD = MAX_WEIGHT_BYTES_PER_LOAD_8BIT  # what layer_argument.make_layer_argument packs per load

_POOL_STRIDE = {0: 1, 1: 2, 2: 2, 3: 4, 4: 4, 5: 2, 6: 2, 7: 4, 8: 1, 9: 1}


def weight_load_plan(
    in_channels: int, out_channels: int, kernel: int, depthwise: bool = False, weight_bytes: int = 1
) -> tuple[int, int, int]:
    """(loads, output channels per load, bytes per output channel) of a layer's weights as
    `layer_argument.make_layer_argument` packs them: whole output channels, at most WEIGHT_BYTES_PER_LOAD bytes
    per load (at least one channel), a depthwise layer in one load."""
    k2 = kernel * kernel
    if depthwise:
        return 1, out_channels, k2 * weight_bytes
    per_oc = k2 * in_channels * weight_bytes
    per_load = max(1, min(out_channels, WEIGHT_BYTES_PER_LOAD // per_oc))
    return -(-out_channels // per_load), per_load, per_oc


def max_out_channels_per_layer(in_channels: int, kernel: int, weight_bytes: int = 1) -> int:
    """The most output channels one dense KPU layer with these inputs can have: MAX_CHANNELS, or fewer when their
    weights would need more than MAX_LOAD_TIMES loads (load_time is a 6-bit field)."""
    per_oc = kernel * kernel * in_channels * weight_bytes
    return min(MAX_CHANNELS, MAX_LOAD_TIMES * max(1, WEIGHT_BYTES_PER_LOAD // per_oc))


def _load_errors(in_channels: int, out_channels: int, kernel: int, weight_bytes: int) -> list[str]:
    loads, per_load, per_oc = weight_load_plan(in_channels, out_channels, kernel, False, weight_bytes)
    errs: list[str] = []
    if per_oc > WEIGHT_BYTES_PER_LOAD:
        errs.append(f"one output channel's weights ({per_oc} bytes) exceed the {WEIGHT_BYTES_PER_LOAD}-byte weight load")
    if loads > MAX_LOAD_TIMES:
        errs.append(
            f"output channels {out_channels} need {loads} weight loads ({per_load} channels of {per_oc} bytes per"
            f" {WEIGHT_BYTES_PER_LOAD}-byte load), above the {MAX_LOAD_TIMES} of the 6-bit load_time"
            f" (at most {max_out_channels_per_layer(in_channels, kernel, weight_bytes)} output channels per layer)"
        )
    return errs


def check_conv_limits(
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel: int,
    pool_type: int = 0,
    depthwise: bool = False,
    *,
    practical: bool = True,
    weight_bytes: int = 1,
) -> list[str]:
    """Rules a KPU conv with these shapes breaks (empty list = legal). Height/width are the input's;
    `weight_bytes` (1: 8-bit, 2: 16-bit weights) counts the weight loads."""
    errs: list[str] = []
    for name, c in (("input channels", in_channels), ("output channels", out_channels)):
        if not 1 <= c <= MAX_CHANNELS:
            errs.append(f"{name} {c} outside 1…{MAX_CHANNELS}")
    if kernel not in KERNEL_SIZES:
        errs.append(f"kernel {kernel}x{kernel} not supported (KPU kernels are 1x1 or 3x3)")
    if pool_type not in POOL_TYPES:
        errs.append(f"pool type {pool_type} is not a KPU pool code (0…9)")
    if depthwise:
        if in_channels != out_channels:
            errs.append(f"depthwise needs equal in/out channels, got {in_channels} and {out_channels}")
        if pool_type not in DEPTHWISE_POOL_TYPES:
            errs.append(f"depthwise layers cannot pool or down-sample (pool type {pool_type}; must be 0)")
    if not depthwise and kernel in KERNEL_SIZES and all(1 <= c <= MAX_CHANNELS for c in (in_channels, out_channels)):
        errs += _load_errors(in_channels, out_channels, kernel, weight_bytes)
    if not 1 <= width <= MAX_WIDTH_FIELD:
        errs.append(f"input width {width} outside the register range 1…{MAX_WIDTH_FIELD}")
    elif width > MAX_WIDTH_LAYOUT:
        errs.append(f"input width {width} needs more than {MAX_ROW_LEN} lines per row (max width {MAX_WIDTH_LAYOUT})")
    if not 1 <= height <= MAX_HEIGHT_FIELD:
        errs.append(f"input height {height} outside the register range 1…{MAX_HEIGHT_FIELD}")
    stride = _POOL_STRIDE.get(pool_type, 1)
    oh, ow = height // stride, width // stride
    if oh < 1 or ow < 1:
        errs.append(f"pool type {pool_type} of a {height}x{width} input leaves an empty output")
    if practical:
        if width > MAX_WIDTH_PRACTICAL:
            errs.append(f"input width {width} above the supported {MAX_WIDTH_PRACTICAL}")
        if height > MAX_HEIGHT_PRACTICAL:
            errs.append(f"input height {height} above the supported {MAX_HEIGHT_PRACTICAL}")
        if height < MIN_SPATIAL or width < MIN_SPATIAL:
            errs.append(f"input {height}x{width} smaller than {MIN_SPATIAL}x{MIN_SPATIAL}")
        if 1 <= oh < MIN_SPATIAL or 1 <= ow < MIN_SPATIAL:
            errs.append(f"output {oh}x{ow} smaller than {MIN_SPATIAL}x{MIN_SPATIAL}")
    if (
        1 <= in_channels <= MAX_CHANNELS
        and 1 <= out_channels <= MAX_CHANNELS
        and height >= 1
        and width >= 1
        and oh >= 1
        and ow >= 1
    ):
        in_bytes = row_layout(height, width).lines(in_channels) * 64
        out_bytes = row_layout(oh, ow).lines(out_channels) * 64
        if in_bytes + out_bytes > KPU_RAM_BYTES:
            errs.append(f"input ({in_bytes} bytes) + output ({out_bytes} bytes) exceed the {KPU_RAM_BYTES}-byte KPU RAM")
    return errs


def _ranges_overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def check_layer_limits(arg: LayerArgument, *, practical: bool = False) -> list[str]:
    """Rules a layer argument breaks: shape limits, register consistency (layouts, pool output size, DMA
    counts), maps inside the 2 MiB KPU RAM and input/output not overlapping. Empty list = OK."""
    try:
        k = arg.kernel_size
    except ValueError as e:
        return [str(e)]
    errs = check_conv_limits(
        arg.in_channels,
        arg.out_channels,
        arg.in_height,
        arg.in_width,
        k,
        arg.pool_type,
        arg.depthwise,
        practical=practical,
    )
    for name in ("bypass_conv", "first_stride", "full_add"):
        if getattr(arg, name):
            errs.append(f"{name} = 1 has no defined semantics")
    stride = _POOL_STRIDE.get(arg.pool_type)
    if stride is not None:
        oh, ow = arg.in_height // stride, arg.in_width // stride
        if (oh, ow) != (arg.out_height, arg.out_width):
            errs.append(f"output size {arg.out_height}x{arg.out_width} should be {oh}x{ow} for pool type {arg.pool_type}")
    spans: list[tuple[str, int, int]] = []
    for side, lay, c, h, w, addr in (
        (
            "input",
            RowLayout(arg.coef_group, arg.row_switch_addr, arg.channel_switch_addr),
            arg.in_channels,
            arg.in_height,
            arg.in_width,
            arg.image_src_addr,
        ),
        (
            "output",
            RowLayout(arg.wb_group, arg.wb_row_switch_addr, arg.wb_channel_switch_addr),
            arg.out_channels,
            arg.out_height,
            arg.out_width,
            arg.image_dst_addr,
        ),
    ):
        try:
            lay.check(h, w)
        except ValueError as e:
            errs.append(f"{side} layout: {e}")
            continue
        end = addr + lay.lines(c)
        if end > KPU_LINES:
            errs.append(f"{side} map (lines {addr}…{end - 1}) runs past the end of KPU RAM (line {KPU_LINES - 1})")
        spans.append((side, addr, end))
    if len(spans) == 2 and _ranges_overlap(spans[0][1], spans[0][2], spans[1][1], spans[1][2]):
        errs.append(f"input lines {spans[0][1]}…{spans[0][2] - 1} and output lines {spans[1][1]}…{spans[1][2] - 1} overlap")
    n_out = arg.out_height * arg.out_width
    if arg.channel_byte_num not in (0, n_out - 1):
        errs.append(f"channel_byte_num {arg.channel_byte_num} should be OW·OH-1 = {n_out - 1}")
    if arg.dma_total_byte not in (0, n_out * arg.out_channels - 1):
        errs.append(f"dma_total_byte {arg.dma_total_byte} should be OW·OH·OC-1 = {n_out * arg.out_channels - 1}")
    return errs
