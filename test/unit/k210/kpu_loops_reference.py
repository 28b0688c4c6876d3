"""Plain-loop KPU layer, written straight from spec k210-kpu-and-kmodel-v3.md §3.2-§3.8.

Slow but obviously correct: Python ints everywhere (no overflow, no numpy arithmetic), one output value
at a time. Used only as the oracle for the fast kcc.k210.kpu_layer.
"""

from __future__ import annotations

from typing import Any

from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable


def rounded_shift(v: int, s: int, tie: str) -> int:
    """round(v / 2**s) with the chosen tie rule; s == 0 gives v."""
    if s == 0:
        return v
    d = 1 << s
    q, r = divmod(v, d)  # q = floor, 0 <= r < d
    if tie == "half_even":
        if 2 * r > d or (2 * r == d and q % 2 == 1):
            return q + 1
        return q
    if tie == "half_up":
        return q + 1 if 2 * r >= d else q
    if tie == "nncase_banker":
        # kmodel-v4 spec §2.3 carry_shift_banker, literally
        i = q
        f = r
        h = d // 2
        sigma = -1 if v < 0 else 1
        if f < h:
            return i
        if f > h:
            return i + sigma
        return i + sigma if i % 2 != 0 else i
    raise ValueError(tie)


def reference_layer(
    x: Any,
    arg: LayerArgument,
    weights_flat: list[int],
    bn: BatchNormTable,
    act: ActivationTable,
    *,
    tie: str = "half_even",
    boundary: str = "lt",
    sx_granularity: str = "per_channel",
    sw_granularity: str = "per_channel",
    pool6: str = "right_top",
    mean_s1_border: str = "replicate",
) -> list[list[list[int]]]:
    """x: nested C x H x W ints (or anything indexable that way). Returns OC x OH x OW nested lists."""
    ic_n = arg.i_ch_num + 1
    oc_n = arg.o_ch_num + 1
    h = arg.i_col_high + 1
    w = arg.i_row_wid + 1
    k = 1 if arg.kernel_type == 0 else 3
    dw = arg.depth_wise_layer == 1
    pad = arg.pad_value
    ax, sx, aw, sw, a_add = arg.arg_x, arg.shr_x, arg.arg_w, arg.shr_w, arg.arg_add
    r = k // 2

    def pixel(i: int, yy: int, xx: int) -> int:
        if 0 <= yy < h and 0 <= xx < w:
            return int(x[i][yy][xx])
        return pad

    def weight(o: int, i: int, ky: int, kx: int) -> int:
        if dw:
            return int(weights_flat[(o * k + ky) * k + kx])
        return int(weights_flat[((o * ic_n + i) * k + ky) * k + kx])

    act_out = [[[0] * w for _ in range(h)] for _ in range(oc_n)]
    for o in range(oc_n):
        chans = [o] if dw else list(range(ic_n))
        mul = int(bn.norm_mul[o])
        add = int(bn.norm_add[o])
        bsh = int(bn.norm_shift[o])
        for yy in range(h):
            for xx in range(w):
                s = 0
                total_sx = 0
                total_sw = 0
                for i in chans:
                    p_i = 0
                    sx_i = 0
                    sw_i = 0
                    for ky in range(k):
                        for kx in range(k):
                            xv = pixel(i, yy - r + ky, xx - r + kx)
                            wv = weight(o, i, ky, kx)
                            p_i += xv * wv
                            sx_i += xv
                            sw_i += wv
                    s += p_i + a_add
                    if sx_granularity == "per_channel":
                        s += (ax * sx_i) >> sx
                    else:
                        total_sx += sx_i
                    if sw_granularity == "per_channel":
                        s += (aw * sw_i) >> sw
                    else:
                        total_sw += sw_i
                if sx_granularity != "per_channel":
                    s += (ax * total_sx) >> sx
                if sw_granularity != "per_channel":
                    s += (aw * total_sw) >> sw
                # batch norm (floor shift)
                t = ((s * mul) >> bsh) + add
                # activation
                j = 0
                for jj in range(16):
                    st = int(act.start_x[jj])
                    if (st < t) if boundary == "lt" else (st <= t):
                        j = jj
                v = rounded_shift((t - int(act.start_x[j])) * int(act.mul[j]), int(act.shift[j]), tie) + int(act.add[j])
                act_out[o][yy][xx] = min(max(v, 0), 255)

    pt = arg.pool_type
    geom = {0: (1, 1), 1: (2, 2), 2: (2, 2), 3: (4, 4), 4: (4, 4), 5: (2, 2), 6: (2, 2), 7: (4, 4), 8: (2, 1), 9: (2, 1)}
    win, stride = geom[pt]
    oh, ow = h // stride, w // stride
    out = [[[0] * ow for _ in range(oh)] for _ in range(oc_n)]
    for o in range(oc_n):
        a = act_out[o]
        for py in range(oh):
            for px in range(ow):
                y0, x0 = py * stride, px * stride
                if pt == 0:
                    v = a[y0][x0]
                elif pt in (1, 3):
                    v = max(a[y0 + dy][x0 + dx] for dy in range(win) for dx in range(win))
                elif pt in (2, 4):
                    v = sum(a[y0 + dy][x0 + dx] for dy in range(win) for dx in range(win)) // (win * win)
                elif pt in (5, 7):
                    v = a[y0][x0]
                elif pt == 6:
                    v = a[y0 + 1][x0 + 1] if pool6 == "right_bottom" else a[y0][x0 + 1]
                elif pt == 9:
                    v = max(a[yy][xx] if yy < h and xx < w else 0 for yy in (y0, y0 + 1) for xx in (x0, x0 + 1))
                else:  # 8
                    if mean_s1_border == "replicate":
                        v = sum(a[min(yy, h - 1)][min(xx, w - 1)] for yy in (y0, y0 + 1) for xx in (x0, x0 + 1)) // 4
                    else:
                        taps = [a[yy][xx] for yy in (y0, y0 + 1) for xx in (x0, x0 + 1) if yy < h and xx < w]
                        v = sum(taps) // len(taps)
                out[o][py][px] = v
    return out
