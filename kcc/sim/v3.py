"""Execute a kmodel v3 layer by layer as the SDK runtime (`kpu.c`) does (spec §5.6-§5.8)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kcc.backends.common import POOL_MAIN
from kcc.backends.kmodel_v3 import format as f3
from kcc.backends.kmodel_v3.format import KModelV3, Layer, LayerType
from kcc.errors import KccError
from kcc.k210 import kpu_layer as kl
from kcc.k210.kpu_ram import RowLayout, download, upload
from kcc.sim import kernels as k
from kcc.sim.memory import MemoryMap

T = LayerType
M = POOL_MAIN


def _kpu_conv(mem: MemoryMap, b: f3.K210ConvBody, opts: kl.KpuOptions) -> None:
    arg = b.arg
    x = download(mem.kpu, arg.image_src_addr, arg.in_channels, arg.in_height, arg.in_width, kl.input_layout(arg))
    w = b.weights.astype(np.int64)
    y = kl.kpu_layer(x, arg, w, b.bn, b.act, opts)
    upload(mem.kpu, arg.image_dst_addr, y, kl.output_layout(arg))
    if b.main_mem_out:
        mem.write(M, b.main_mem_out_address, y, "u8")


def _pool2d(mem: MemoryMap, b: f3.Pool2dBody, ltype: int) -> None:
    dt = "u8" if b.quantized else "f32"
    x = mem.read(M, b.in_addr, b.in_c * b.in_h * b.in_w, dt).reshape(b.in_c, b.in_h, b.in_w)
    if b.in_c != b.out_c:
        raise KccError(f"in_c {b.in_c} != out_c {b.out_c}", op=f3.type_name(ltype))
    args = (b.out_h, b.out_w, b.kernel_h, b.kernel_w, b.stride_h, b.stride_w, b.pad_h, b.pad_w)
    if ltype == T.QUANTIZED_MAX_POOL2D:
        v, _ = k.pool2d_clipped(x, *args, mode="max")
        y = np.maximum(v, 0).astype(np.uint8)  # initial value 0
    elif ltype == T.QUANTIZED_AVERAGE_POOL2D:  # no runtime implements it: floor of the valid-tap mean
        v, cnt = k.pool2d_clipped(x, *args, mode="sum")
        y = (v // np.maximum(cnt, 1)[None]).astype(np.uint8)
    else:
        y = k.pool2d_f32(x.astype(np.float32), *args, mode="max" if ltype == T.MAX_POOL2D else "mean")
    mem.write(M, b.out_addr, y, dt)


def run_layer_v3(mem: MemoryMap, layer: Layer, opts: kl.KpuOptions) -> None:
    b = layer.body
    t = layer.type
    if isinstance(b, f3.K210ConvBody):
        _kpu_conv(mem, b, opts)
    elif isinstance(b, f3.AddBody):
        y = mem.read(M, b.in_a, b.count, "f32").astype(np.float32) + mem.read(M, b.in_b, b.count, "f32").astype(np.float32)
        mem.write(M, b.out, y, "f32")
    elif isinstance(b, f3.QuantizedAddBody):
        a = (mem.read(M, b.in_a, b.count, "u8").astype(np.int64) + b.a_offset) * b.a_mul
        c = (mem.read(M, b.in_b, b.count, "u8").astype(np.int64) + b.b_offset) * b.b_mul
        v = (a + c) >> b.a_shift if b.a_shift == b.b_shift else (a >> b.a_shift) + (c >> b.b_shift)
        v = k.sdk_carry_shift(v * b.out_mul, b.out_shift) + b.out_offset
        mem.write(M, b.out, np.clip(v, 0, 255), "u8")
    elif isinstance(b, f3.GlobalPoolBody):
        dt = "u8" if b.quantized else "f32"
        x = mem.read(M, b.in_addr, b.kernel_size * b.channels, dt).reshape(b.channels, b.kernel_size)
        if t in (T.GLOBAL_MAX_POOL2D, T.QUANTIZED_GLOBAL_MAX_POOL2D):
            y = x.max(axis=1) if b.kernel_size else np.zeros(b.channels, x.dtype)
        elif b.quantized:
            y = x.astype(np.int64).sum(axis=1) // max(b.kernel_size, 1)
        else:
            y = k.seq_sum(x.astype(np.float32), axis=1) / np.float32(b.kernel_size)
        mem.write(M, b.out_addr, y, dt)
    elif isinstance(b, f3.Pool2dBody):
        _pool2d(mem, b, t)
    elif isinstance(b, f3.QuantParamBody):
        if b.dequantize:
            q = mem.read(M, b.in_addr, b.count, "u8").astype(np.float32)
            mem.write(M, b.out_addr, k.fma_f32(q, np.float32(b.scale), np.float32(b.bias)), "f32")
        else:
            x = mem.read(M, b.in_addr, b.count, "f32").astype(np.float32)
            inv = np.float32(1) / np.float32(b.scale)
            q = k.round_half_away(((x - np.float32(b.bias)) * inv).astype(np.float32))
            mem.write(M, b.out_addr, np.clip(q, 0, 255), "u8")
    elif isinstance(b, f3.RequantizeBody):
        table = np.frombuffer(b.table, dtype=np.uint8)
        mem.write(M, b.out_addr, table[mem.read(M, b.in_addr, b.count, "u8").astype(np.int64)], "u8")
    elif isinstance(b, f3.ChannelsBody):
        x = mem.read(M, b.in_addr, b.channels, "f32").astype(np.float32)
        if t == T.L2_NORMALIZATION:
            s = max(k.seq_sum(x * x), np.float32(1e-10))
            y = x * (np.float32(1) / np.sqrt(np.float32(s)))
        elif t == T.SOFTMAX:
            y = k.softmax_rows(x, 1.0, max_init=float(k.FLT_MIN))
        else:
            y = k.logistic(x)
        mem.write(M, b.out_addr, y, "f32")
    elif isinstance(b, f3.ConcatBody):
        data = b"".join(mem.read_bytes(M, s, n) for s, n in b.inputs)
        mem.write_bytes(M, b.out_addr, data)
    elif isinstance(b, f3.FullyConnectedBody):
        x = mem.read(M, b.in_addr, b.in_channels, "f32").astype(np.float32)
        mem.write(M, b.out_addr, k.fully_connected(x, b.weights, b.bias, b.act), "f32")
    elif isinstance(b, f3.FlattenBody):
        dt = "u8" if b.quantized else "f32"
        x = mem.read(M, b.in_addr, b.width * b.height * b.channels, dt).reshape(b.channels, b.height, b.width)
        mem.write(M, b.out_addr, x.transpose(1, 2, 0), dt)
    elif isinstance(b, f3.ResizeNearestBody):
        dt = "u8" if b.quantized else "f32"
        x = mem.read(M, b.in_addr, b.in_w * b.in_h * b.channels, dt).reshape(b.channels, b.in_h, b.in_w)
        mem.write(M, b.out_addr, k.resize_nearest(x, b.out_h, b.out_w), dt)
    elif isinstance(b, f3.ChannelwiseDequantizeBody):
        q = mem.read(M, b.in_addr, b.channels * b.channel_size, "u8").astype(np.float32).reshape(b.channels, -1)
        mem.write(M, b.out_addr, k.fma_f32(q, b.scales[:, None], b.biases[:, None]), "f32")
    elif isinstance(b, f3.AddPaddingBody):
        x = mem.read(M, b.main_in, b.channels, "u8")
        c = np.arange(b.channels)
        mem.kpu[b.kpu_out_line * 64 + (c // 4) * 256 + (c % 4) * 16] = x
    elif isinstance(b, f3.RemovePaddingBody):
        x = mem.read(M, b.main_in, b.channels * 16, "u8")
        mem.write(M, b.main_out, x[::16], "u8")
    elif isinstance(b, f3.UploadBody):
        x = mem.read(M, b.main_in, b.channels * b.height * b.width, "u8").reshape(b.channels, b.height, b.width)
        upload(mem.kpu, b.kpu_out_line, x.astype(np.uint8))
    else:
        raise KccError("no runtime defines what this layer computes", op=layer.name, index=layer.index)


def load_input_v3(mem: MemoryMap, model: KModelV3, x: NDArray[np.generic]) -> None:
    """Place the user input where the SDK runtime puts it: uploaded to the first conv's image_src_addr (u8 CHW),
    or copied to the first layer's main input address."""
    first = model.layers[0].body
    if isinstance(first, f3.K210ConvBody):
        a = first.arg
        lay = RowLayout(a.coef_group, a.row_switch_addr, a.channel_switch_addr)
        upload(mem.kpu, a.image_src_addr, x.reshape(a.in_channels, a.in_height, a.in_width).astype(np.uint8), lay)
        return
    ref = first.ranges()[0]
    mem.write(ref.pool, ref.start, x.reshape(-1), ref.dtype)
