"""Which `nn.max_pool2d` / `nn.avg_pool2d` ops are exactly one of the KPU pool codes (for `kpu-legalize`).

The KPU pools the activated stride-1 conv output of size HxW into `floor(H / stride) x floor(W / stride)`
(spec k210-kpu-and-kmodel-v3.md §3.6; float semantics in `kcc.k210.pool_float`). An nn pool is that code when it
computes the same values *and* the same output shape on its input:

| KPU code | nn op | kernel | strides | pads [t, l, b, r] | condition |
|---|---|---|---|---|---|
| `max_2_s2` | max | 2x2 | 2 | 0 | (odd last row/column dropped by both) |
| `mean_2_s2` | avg | 2x2 | 2 | 0 | no padding, so `count_include_pad` does not matter |
| `max_4_s4` | max | 4x4 | 4 | 0 | |
| `mean_4_s4` | avg | 4x4 | 4 | 0 | |
| `max_2_s1` | max | 2x2 | 1 | [0, 0, 1, 1] | TF SAME; taps past the edge never win (the KPU reads 0 there, the smallest uint8) |
| `mean_2_s1` | avg | 2x2 | 1 | [0, 0, 1, 1] | `count_include_pad false` and only with `KpuOptions.mean_s1_border="exclude"` |
| `left_top_2_s2` | max or avg | 1x1 | 2 | 0 | H and W even (else the nn pool keeps the odd last row/column) |
| `left_top_4_s4` | max or avg | 1x1 | 4 | 0 | H and W multiples of 4 |
| `bypass` | max or avg | 1x1 | 1 | 0 | the identity |

Max pools need dilations [1, 1]; avg pools must not carry `ceil_pads` (any ceil-mode padding is non-zero pads,
rejected above). `mean_2_s1` under the default `mean_s1_border="replicate"` (the nncase v0.2 emulator: the last
row/column is repeated) equals no nn pool: a zero-padded `count_include_pad true` pool divides by 4 with zeros in
the sum, a `count_include_pad false` one divides by the taps inside; so it is recognised only under `"exclude"`.
`right_top_2_s2` (pixel (2y, 2x+1)) has no nn pool form. The uint8 KPU floors mean sums; that is quantization
error of the fused layer, not a difference in the float semantics matched here. Only float pools of rank-4
tensors match (a quantized pool is already lowered).

Not decided here: whether the producer may take a pool at all (a depthwise KPU layer may not, spec §4.2) and
whether the activation between conv and pool is in the right place (the KPU pools after its activation, which
is the order conv -> activation -> pool of the nn graph).
"""

from __future__ import annotations

from kcc.dialects.nn.base import ints, shape_of
from kcc.dialects.nn.pool import AvgPool2dOp, MaxPool2dOp
from kcc.dialects.nn.types import is_float
from kcc.k210.kpu_layer import DEFAULT_OPTIONS, POOL_NAMES, KpuOptions, pool_output_size

__all__ = ["KPU_POOL_CODES", "kpu_pool_type"]

# name -> (is max, kernel, stride, pads [top, left, bottom, right]); 1x1 pools (left_top, bypass) are max or avg
_SAME_2_S1 = (0, 0, 1, 1)
_NO_PADS = (0, 0, 0, 0)
_POOLS: dict[str, tuple[bool | None, int, int, tuple[int, int, int, int]]] = {
    "bypass": (None, 1, 1, _NO_PADS),
    "max_2_s2": (True, 2, 2, _NO_PADS),
    "mean_2_s2": (False, 2, 2, _NO_PADS),
    "max_4_s4": (True, 4, 4, _NO_PADS),
    "mean_4_s4": (False, 4, 4, _NO_PADS),
    "left_top_2_s2": (None, 1, 2, _NO_PADS),
    "left_top_4_s4": (None, 1, 4, _NO_PADS),
    "mean_2_s1": (False, 2, 1, _SAME_2_S1),
    "max_2_s1": (True, 2, 1, _SAME_2_S1),
}

# KPU pool code of each name (the inverse of kcc.k210.kpu_layer.POOL_NAMES)
KPU_POOL_CODES: dict[str, int] = {name: code for code, name in POOL_NAMES.items()}


def kpu_pool_type(pool_op: MaxPool2dOp | AvgPool2dOp, options: KpuOptions = DEFAULT_OPTIONS) -> str | None:
    """The KPU pool code name (`kcc.k210.kpu_layer.POOL_NAMES`) `pool_op` computes exactly, or None."""
    if not (is_float(pool_op.input.type) and is_float(pool_op.output.type)):
        return None
    in_shape, out_shape = shape_of(pool_op.input), shape_of(pool_op.output)
    if len(in_shape) != 4:
        return None
    kernel, strides, pads = ints(pool_op.kernel), ints(pool_op.strides), ints(pool_op.pads)
    is_max = isinstance(pool_op, MaxPool2dOp)
    if is_max and ints(pool_op.dilations) != (1, 1):
        return None
    if isinstance(pool_op, AvgPool2dOp) and pool_op.ceil_pad_values != (0, 0):
        return None
    for name, (want_max, k, s, p) in _POOLS.items():
        if want_max is not None and want_max != is_max:
            continue
        if kernel != (k, k) or strides != (s, s) or pads != p:
            continue
        if name == "mean_2_s1" and (
            not isinstance(pool_op, AvgPool2dOp) or pool_op.include_pad or options.mean_s1_border != "exclude"
        ):
            return None
        h, w = in_shape[2], in_shape[3]
        if out_shape[2:] != pool_output_size(KPU_POOL_CODES[name], h, w):
            return None
        return name
    return None
