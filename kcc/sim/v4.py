"""Execute a kmodel v4 node by node as nncase v0.2's host interpreter does (spec kmodel-v4 §2-§3)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kcc.backends.kmodel_v4 import format as f4
from kcc.backends.kmodel_v4.format import BINARY_OPS, KModelV4, MemoryRange, Node, Opcode
from kcc.errors import KccError
from kcc.interp.kernels.f32_math import exp_f32, log_f32
from kcc.k210 import kpu_layer as kl
from kcc.k210.kpu_ram import KPU_LINE_BYTES, download, row_layout, upload
from kcc.sim import kernels as k
from kcc.sim.memory import MemoryMap

O = Opcode
# nncase v0.2's emulator: banker's rounding with its negative-branch quirk, `start < t`, Σ shifted in total.
CPU_NHWC_OPS = (
    O.CPU_CONV2D,
    O.CPU_DEPTHWISE_CONV2D,
    O.CPU_REDUCE_WINDOW2D,
    O.CPU_QUANTIZED_CONV2D,
    O.CPU_QUANTIZED_DEPTHWISE_CONV2D,
)
V4_KPU_OPTIONS = kl.KpuOptions(tie="nncase_banker", segment_boundary="lt", sx_granularity="total", sw_granularity="total")


def _read(mem: MemoryMap, r: MemoryRange, dtype: str | None = None) -> NDArray[np.generic]:
    dt = dtype or r.dtype
    size = 4 if dt == "f32" else 1
    return mem.read(r.pool, r.start, r.size // size, dt)


def _write(mem: MemoryMap, r: MemoryRange, values: NDArray[np.generic], dtype: str | None = None) -> None:
    dt = dtype or r.dtype
    arr = np.asarray(values).reshape(-1)
    size = 4 if dt == "f32" else 1
    if arr.size * size > r.size:
        raise KccError(f"result of {arr.size * size} bytes does not fit the {r.size}-byte output range", op="simulator")
    mem.write(r.pool, r.start, arr, dt)


def _shaped(mem: MemoryMap, r: MemoryRange, shape: tuple[int, ...]) -> NDArray[np.generic]:
    return _read(mem, r)[: k.prod(shape)].reshape(shape)


def _clamp(x: NDArray[np.float32], act: f4.ValueRange) -> NDArray[np.float32]:
    return np.minimum(np.maximum(x, np.float32(act.min)), np.float32(act.max)).astype(np.float32)


def _binary_f32(op: int, a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    name = BINARY_OPS[op]
    with np.errstate(all="ignore"):
        if name == "add":
            return a + b
        if name == "sub":
            return a - b
        if name == "mul":
            return a * b
        if name == "div":
            return a / b
        return np.minimum(a, b) if name == "min" else np.maximum(a, b)


def _kpu_conv(mem: MemoryMap, b: f4.KpuConv2dBody, opts: kl.KpuOptions) -> None:
    g = b.geometry
    outs: list[NDArray[np.uint8]] = []
    w = b.weights.astype(np.int64)
    for n in range(b.batches):
        arg = b.arg.with_fields(
            image_src_addr=g.src_line + n * g.in_bytes // KPU_LINE_BYTES,
            image_dst_addr=g.dst_line + n * g.out_bytes // KPU_LINE_BYTES,
        )
        x = download(mem.kpu, arg.image_src_addr, arg.in_channels, arg.in_height, arg.in_width, kl.input_layout(arg))
        y = kl.kpu_layer(x, arg, w, b.bn, b.act, opts)
        upload(mem.kpu, arg.image_dst_addr, y, kl.output_layout(arg))
        outs.append(y)
    if b.main_mem_output.size:
        mem.write(b.main_mem_output.pool, b.main_mem_output.start, np.concatenate([o.reshape(-1) for o in outs]), "u8")


def _nnil(prog: tuple[f4.NnilInstr, ...], x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Run the NNIL stack machine on every element at once (each stack slot is a whole array)."""
    stack: list[NDArray[np.float32]] = []
    unary = {
        "abs": np.abs,
        "ceil": np.ceil,
        "cos": np.cos,
        "exp": exp_f32,
        "floor": np.floor,
        "log": log_f32,
        "neg": np.negative,
        "sin": np.sin,
        "square": np.square,
    }
    with np.errstate(all="ignore"):
        for ins in prog:
            n = ins.name
            if n == "nop":
                continue
            if n == "ret":
                break
            if n == "dup":
                stack.append(stack[-1])
            elif n == "pop":
                stack.pop()
            elif n == "lda_0":
                stack.append(x)
            elif n in ("ldc_r4_0", "ldc_r4_1", "ldc_r4"):
                c = 0.0 if n == "ldc_r4_0" else 1.0 if n == "ldc_r4_1" else float(ins.constant or 0.0)
                stack.append(np.full_like(x, np.float32(c)))
            elif n == "rsqrt":
                stack.append((np.float32(1) / np.sqrt(stack.pop())).astype(np.float32))
            elif n in unary:
                stack.append(unary[n](stack.pop()).astype(np.float32))
            elif n == "clamp":
                hi, lo, v = stack.pop(), stack.pop(), stack.pop()
                stack.append(np.minimum(np.maximum(v, lo), hi))
            else:
                bb, aa = stack.pop(), stack.pop()
                stack.append(_binary_f32(BINARY_OPS.index(n), aa, bb).astype(np.float32))
            if len(stack) > 64:
                raise KccError("NNIL stack overflow (64 slots)", op="nnil_unary_method")
    if not stack:
        raise KccError("NNIL program returns without a value", op="nnil_unary_method")
    return stack[-1]


def run_node_v4(mem: MemoryMap, node: Node, opts: kl.KpuOptions) -> None:
    b = node.body
    if node.opcode in CPU_NHWC_OPS:
        raise KccError(
            "the cpu_* NHWC kernels are never emitted by ncc 0.2 and are not simulated", op=node.name, index=node.index
        )
    try:
        _run(mem, b, opts)
    except IndexError as e:
        raise KccError(f"stack underflow or bad index while executing: {e}", op=node.name, index=node.index) from None
    except (ValueError, ZeroDivisionError, FloatingPointError) as e:
        raise KccError(f"cannot execute: {e}", op=node.name, index=node.index) from None


def _run(mem: MemoryMap, b: f4.Body, opts: kl.KpuOptions) -> None:
    if isinstance(b, f4.KpuConv2dBody):
        _kpu_conv(mem, b, opts)
    elif isinstance(b, f4.KpuUploadBody):
        n, c, h, w = b.in_shape
        x = _shaped(mem, b.input, b.in_shape).astype(np.uint8)
        lines = row_layout(h, w).lines(c)
        for i in range(n):
            upload(mem.kpu, b.output.start // KPU_LINE_BYTES + i * lines, x[i])
    elif isinstance(b, f4.BinaryBody):
        a = _shaped(mem, b.in_a, b.a_shape).astype(np.float32)
        c = _shaped(mem, b.in_b, b.b_shape).astype(np.float32)
        ia, ib = k.broadcast_index(b.out_shape, b.a_shape), k.broadcast_index(b.out_shape, b.b_shape)
        _write(mem, b.out, _clamp(_binary_f32(b.op, a[ia], c[ib]).astype(np.float32), b.fused_activation))
    elif isinstance(b, f4.QuantizedBinaryBody):
        a = _shaped(mem, b.in_a, b.a_shape).astype(np.int64)
        c = _shaped(mem, b.in_b, b.b_shape).astype(np.int64)
        ia, ib = k.broadcast_index(b.out_shape, b.a_shape), k.broadcast_index(b.out_shape, b.b_shape)
        av = k.mul_and_carry_shift(a[ia] + b.a_offset, b.a_mul, b.a_shift)
        bv = k.mul_and_carry_shift(c[ib] + b.b_offset, b.b_mul, b.b_shift)
        name = BINARY_OPS[b.op]
        if name == "div":
            if np.any(bv == 0):
                raise KccError("quantized division by zero (the runtime traps)", op="quantized_binary")
            num = av + np.sign(bv) * (np.abs(bv) // 2)  # C's B / 2 truncates toward 0 too
            r = np.sign(num) * np.sign(bv) * (np.abs(num) // np.abs(bv))  # C truncation toward 0
        else:
            r = {"add": av + bv, "sub": av - bv, "mul": av * bv, "min": np.minimum(av, bv), "max": np.maximum(av, bv)}[name]
        out = k.mul_and_carry_shift(r, b.out_mul, b.out_shift) + b.out_offset
        _write(mem, b.out, np.clip(out, 0, 255))
    elif isinstance(b, f4.ConcatBody):
        out = bytearray()
        for o in range(b.outer_size):
            for r_in, d in zip(b.inputs, b.dims, strict=True):
                chunk = b.inner_size * d
                out += mem.read_bytes(r_in.pool, r_in.start + o * chunk, chunk)
        mem.write_bytes(b.out.pool, b.out.start, bytes(out))
    elif isinstance(b, f4.Conv2dBody):
        n, c, h, w = b.in_shape
        x = _shaped(mem, b.input, b.in_shape).astype(np.float32)
        wts = b.weights.reshape(b.out_channels, c // b.groups, b.window.filter_h, b.window.filter_w)
        outs = [
            k.conv2d_f32(
                x[i],
                wts,
                b.bias,
                b.groups,
                (b.padding_h.before, b.padding_h.after),
                (b.padding_w.before, b.padding_w.after),
                (b.window.stride_h, b.window.stride_w),
                (b.window.dilation_h, b.window.dilation_w),
            )
            for i in range(n)
        ]
        _write(mem, b.output, _clamp(np.stack(outs), b.fused_activation))
    elif isinstance(b, f4.QuantizedConv2dBody):
        n, c, h, w = b.in_shape
        x = _shaped(mem, b.input, b.in_shape).astype(np.int64) + b.input_offset
        wts = (b.weights.astype(np.int64) + b.filter_offset).reshape(
            b.out_channels, c // b.groups, b.window.filter_h, b.window.filter_w
        )
        outs = []
        for i in range(n):
            # zero padding of (x + input_offset) == skipping the tap; float64 products are exact below 2^53
            acc = k.conv2d_f32(
                x[i].astype(np.float64),
                wts.astype(np.float64),
                b.bias.astype(np.float64),
                b.groups,  # type: ignore[arg-type]
                (b.padding_h.before, b.padding_h.after),
                (b.padding_w.before, b.padding_w.after),
                (b.window.stride_h, b.window.stride_w),
                (b.window.dilation_h, b.window.dilation_w),
            )
            outs.append(np.rint(acc).astype(np.int64))
        acc_all = np.stack(outs)
        out = k.mul_and_carry_shift(acc_all, b.output_mul, b.output_shift) + b.output_offset
        _write(mem, b.output, np.clip(out, 0, 255))
    elif isinstance(b, f4.Conv2dTransposeBody):
        _conv_transpose(mem, b)
    elif isinstance(b, f4.QuantParamBody):
        zp, scale = b.quant.zero_point, np.float32(b.quant.scale)
        if b.input.dtype == "u8":  # dequantize (host): (q - zp) * (1/scale)
            q = _read(mem, b.input, "u8").astype(np.int64) - zp
            inv = np.float32(1) / scale
            _write(mem, b.output, (q.astype(np.float32) * inv).astype(np.float32), "f32")
        else:  # quantize (host): clamp(roundf(x*scale + zp))
            x = _read(mem, b.input, "f32").astype(np.float32)
            q = k.round_half_away(((x * scale).astype(np.float32) + np.float32(zp)).astype(np.float32))
            _write(mem, b.output, np.clip(q, 0, 255), "u8")
    elif isinstance(b, f4.MatmulBody):
        a = _shaped(mem, b.in_a, (b.a_rows, b.a_cols)).astype(np.float32)
        bm = _shaped(mem, b.in_b, (b.a_cols, b.b_cols)).astype(np.float32)
        prods = a[:, :, None] * bm[None, :, :]  # [r, k, c]
        y = k.seq_sum(prods, axis=1, init=np.broadcast_to(b.bias[None, :], (b.a_rows, b.b_cols)))
        _write(mem, b.out, _clamp(y, b.fused_activation))
    elif isinstance(b, f4.QuantizedMatmulBody):
        a = _shaped(mem, b.in_a, (b.a_rows, b.a_cols)).astype(np.int64) + b.a_offset
        bm = _shaped(mem, b.in_b, (b.a_cols, b.b_cols)).astype(np.int64) + b.b_offset
        acc = a @ bm + b.bias.astype(np.int64)[None, :]
        _write(mem, b.out, np.clip(k.mul_and_carry_shift(acc, b.out_mul, b.out_shift) + b.out_offset, 0, 255))
    elif isinstance(b, f4.PadBody):
        x = _shaped(mem, b.input, b.in_shape)
        for ax, p in enumerate(b.paddings):  # negative = crop
            if p.before < 0:
                x = np.take(x, range(-p.before, x.shape[ax]), axis=ax)
            if p.after < 0:
                x = np.take(x, range(0, x.shape[ax] + p.after), axis=ax)
        pw = [(max(p.before, 0), max(p.after, 0)) for p in b.paddings]
        fill = np.frombuffer(b.pad_value, dtype=np.float32 if b.input.dtype == "f32" else np.uint8)[0]
        _write(mem, b.output, np.pad(x, pw, constant_values=fill))
    elif isinstance(b, f4.ReduceBody):
        _reduce(mem, b)
    elif isinstance(b, f4.ReduceWindow2dBody):
        _reduce_window(mem, b)
    elif isinstance(b, f4.MemoryCopyBody):
        n = b.input.size // 4 * 4
        mem.write_bytes(b.output.pool, b.output.start, mem.read_bytes(b.input.pool, b.input.start, n))
    elif isinstance(b, f4.ResizeImageBody):
        n, c, h, w = b.in_shape
        x = _shaped(mem, b.input, b.in_shape)
        if b.mode == 1:
            y = k.resize_nearest(x, b.out_h, b.out_w)
        else:
            y = k.resize_bilinear(x, b.out_h, b.out_w, b.align_corners)
            if b.input.dtype == "u8":
                y = np.clip(np.trunc(y), 0, 255)
        _write(mem, b.output, y)
    elif isinstance(b, f4.SoftmaxBody):
        x = _shaped(mem, b.input, (b.outer_size, b.inner_size)).astype(np.float32)
        _write(mem, b.output, k.softmax_rows(x, b.beta))
    elif isinstance(b, f4.TransposeBody):
        _write(mem, b.output, _shaped(mem, b.input, b.in_shape).transpose(b.perm))
    elif isinstance(b, f4.StridedSliceBody):
        x = _shaped(mem, b.input, b.in_shape)
        idx = [np.arange(s, e, st, dtype=np.int64) for s, e, st in zip(b.begin, b.end, b.strides, strict=True)]
        for ax, ii in enumerate(idx):
            if ii.size and (ii.min() < 0 or ii.max() >= x.shape[ax]):
                raise KccError(f"slice index out of range on axis {ax}", op="strided_slice")
        _write(mem, b.output, x[np.ix_(*idx)])
    elif isinstance(b, f4.UnaryBody):
        prog = (f4.NnilInstr(0x03, "lda_0"), f4.NnilInstr(0x20 + b.op, f4.UNARY_OPS[b.op]))
        _write(mem, b.output, _nnil(prog, _read(mem, b.input, "f32").astype(np.float32)))
    elif isinstance(b, f4.NnilUnaryBody):
        _write(mem, b.output, _nnil(b.program, _read(mem, b.input, "f32").astype(np.float32)))
    elif isinstance(b, f4.TableLookupBody):
        if b.input.dtype != "u8":
            raise KccError("table_lookup1d input must be uint8", op="table_lookup1d")
        table = _read(mem, b.table, "u8")[:256]
        _write(mem, b.output, table[_read(mem, b.input, "u8").astype(np.int64)], "u8")
    else:
        raise KccError(f"{type(b).__name__} is not simulated", op="simulator")


def _conv_transpose(mem: MemoryMap, b: f4.Conv2dTransposeBody) -> None:
    n, ic, h, w = b.in_shape
    _, oc, oh, ow = b.out_shape
    win = b.window
    icg, ocg = ic // b.groups, oc // b.groups
    wts = b.weights.reshape(oc, icg, win.filter_h, win.filter_w)
    x = _shaped(mem, b.input, b.in_shape).astype(np.float32)
    out = np.zeros((n, oc, oh, ow), dtype=np.float32)
    iy, ix = np.arange(h), np.arange(w)
    for g in range(b.groups):
        for o in range(g * ocg, (g + 1) * ocg):
            for c in range(icg):
                for ky in range(win.filter_h):
                    oy = iy * win.stride_h - b.padding_h.before + win.dilation_h * ky
                    vy = (oy >= 0) & (oy < oh)
                    for kx in range(win.filter_w):
                        ox = ix * win.stride_w - b.padding_w.before + win.dilation_w * kx
                        vx = (ox >= 0) & (ox < ow)
                        contrib = x[:, g * icg + c][:, vy][:, :, vx] * wts[o, c, ky, kx]
                        sub = out[:, o][:, oy[vy]][:, :, ox[vx]]
                        out[:, o, oy[vy][:, None], ox[vx][None, :]] = sub + contrib
    # the runtime reads the bias but never adds it (spec §2.4)
    if not (b.fused_activation.min <= -3.4e38 and b.fused_activation.max >= 3.4e38):
        out = _clamp(out, b.fused_activation)
    _write(mem, b.output, out)


def _reduce(mem: MemoryMap, b: f4.ReduceBody) -> None:
    x = _shaped(mem, b.input, b.in_shape).astype(np.float32)
    red = tuple(i for i in range(4) if b.out_shape[i] == 1 and b.in_shape[i] != 1)
    keep = tuple(i for i in range(4) if i not in red)
    xt = x.transpose(keep + red).reshape(k.prod(tuple(b.in_shape[i] for i in keep)), -1)
    op = f4.REDUCE_OPS[b.op]
    init = np.float32(b.init_value)
    if op in ("sum", "mean"):
        y = k.seq_sum(xt, axis=1, init=float(init))
        if op == "mean":
            y = (y * (np.float32(k.prod(b.out_shape)) / np.float32(k.prod(b.in_shape)))).astype(np.float32)
    elif op == "min":
        y = np.minimum(xt.min(axis=1, initial=np.inf), init)
    else:
        y = np.maximum(xt.max(axis=1, initial=-np.inf), init)
    _write(mem, b.output, y.astype(np.float32))


def _reduce_window(mem: MemoryMap, b: f4.ReduceWindow2dBody) -> None:
    n, _, h, w = b.in_shape
    x = _shaped(mem, b.input, b.in_shape).astype(np.float32)
    if b.window.dilation_h * b.window.dilation_w != 1:
        raise KccError("dilated reduce_window2d is not simulated", op="reduce_window2d")
    win = b.window
    oh = k.windowed_out(h, win.filter_h, win.stride_h, 1, b.padding_h.before, b.padding_h.after)
    ow = k.windowed_out(w, win.filter_w, win.stride_w, 1, b.padding_w.before, b.padding_w.after)
    mode = f4.REDUCE_OPS[b.op]
    ys = []
    for i in range(n):
        # v = fold(init_value, in-bounds taps); mean divides that by the tap count (spec §2.4)
        y = k.pool2d_f32(
            x[i], oh, ow, win.filter_h, win.filter_w, win.stride_h, win.stride_w, b.padding_h.before, b.padding_w.before, mode,
            init=b.init_value,
        )  # fmt: skip
        ys.append(y)
    _write(mem, b.output, _clamp(np.stack(ys), b.fused_activation))


def load_input_v4(mem: MemoryMap, model: KModelV4, index: int, x: NDArray[np.generic]) -> None:
    r = model.inputs[index]
    shape = model.input_shapes[index]
    arr = np.asarray(x).reshape(shape)
    if r.pool == "kpu":
        n, c, h, w = shape
        lines = row_layout(h, w).lines(c)
        for i in range(n):
            upload(mem.kpu, r.start // KPU_LINE_BYTES + i * lines, arr[i].astype(np.uint8))
    else:
        mem.write(r.pool, r.start, arr.reshape(-1), r.dtype)
