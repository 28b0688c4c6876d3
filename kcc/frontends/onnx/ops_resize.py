"""ONNX Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9) of the H and W axes as `nn.resize`.

Modes nearest, linear (nn `bilinear`) and cubic (nn `bicubic`, with `cubic_coeff_a` and `exclude_outside`), every
coordinate transformation incl. `tf_crop_and_resize` (roi + extrapolation_value), `antialias` (opset 18) and
`keep_aspect_ratio_policy`. When the node has `scales`, their float32 values go to nn.resize's `scales` (ONNX uses
the given scale, not out / in, in the coordinate transforms); with a keep_aspect_ratio_policy the common scale of
H and W goes there too. Upsample and Resize-10 use ONNX's old semantics: asymmetric coordinates, nearest = floor.

Not supported (errors): resizing N or C, ranks other than 4.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kcc.dialects.nn.movement import COORDINATE_MODES, NEAREST_MODES, ResizeOp
from kcc.frontends.onnx.builder import NodeContext
from kcc.frontends.onnx.registry import converter

_NN_MODES = {"nearest": "nearest", "linear": "bilinear", "cubic": "bicubic"}


def _emit_resize(
    ctx: NodeContext,
    mode: str,
    coord: str,
    nearest_mode: str | None,
    scales: Sequence[float] | None,
    roi: Sequence[float] | None = None,
) -> None:
    in_shape = ctx.input_shape(0)
    if len(in_shape) != 4:
        raise ctx.error(f"only 4-D (N, C, H, W) inputs can be resized, got rank {len(in_shape)} {list(in_shape)}")
    out_type = ctx.output_type_like(0)
    out_shape = tuple(int(d) for d in out_type.get_shape())
    if out_shape[:2] != in_shape[:2]:
        raise ctx.error(f"resizing N or C is not supported: {list(in_shape)} -> {list(out_shape)}")
    if any(d <= 0 for d in out_shape):
        raise ctx.error(f"empty output shape {list(out_shape)}")
    nn_mode = _NN_MODES.get(mode)
    if nn_mode is None:
        raise ctx.error(f"mode {mode!r} is not supported", hint="supported: 'nearest', 'linear', 'cubic'")
    if nn_mode != "nearest":
        nearest_mode = None
    if coord not in COORDINATE_MODES:
        raise ctx.error(
            f"coordinate_transformation_mode {coord!r} is not supported", hint="supported: " + ", ".join(COORDINATE_MODES)
        )
    if nearest_mode is not None and nearest_mode not in NEAREST_MODES:
        raise ctx.error(f"nearest_mode {nearest_mode!r} is not supported", hint="supported: " + ", ".join(NEAREST_MODES))
    hw_scales: list[float] | None = None
    if scales is not None:
        hw_scales = [float(scales[2]), float(scales[3])]
        if hw_scales == [o / i for o, i in zip(out_shape[2:], in_shape[2:], strict=True)]:
            hw_scales = None  # the default: no need to spell it out
    antialias = nn_mode != "nearest" and ctx.since_version >= 18 and ctx.attr_int("antialias", 0) != 0
    exclude = nn_mode != "nearest" and ctx.since_version >= 11 and ctx.attr_int("exclude_outside", 0) != 0
    cubic_a = ctx.attr_float("cubic_coeff_a", -0.75) if nn_mode == "bicubic" else None
    crop = coord == "tf_crop_and_resize"
    fill = ctx.attr_float("extrapolation_value", 0.0) if crop else None
    identity = out_shape == in_shape and hw_scales is None and coord not in ("tf_half_pixel_for_nn", "tf_crop_and_resize")
    if identity:
        ctx.set_output(0, ctx.input(0))
        return
    op = ResizeOp(
        ctx.input(0),
        out_type,
        nn_mode,
        coord,
        nearest_mode,
        hw_scales,
        cubic_coeff_a=None if cubic_a == -0.75 else cubic_a,
        exclude_outside=exclude,
        antialias=antialias,
        roi=roi,
        extrapolation_value=fill or None,
    )
    ctx.set_output(0, ctx.emit(op).output)


def _nonempty(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None or a.size == 0 else a


@converter("Upsample")
def _upsample(ctx: NodeContext) -> None:
    scales = [float(s) for s in ctx.const(1, "scales").reshape(-1)] if ctx.since_version >= 9 else ctx.attr_floats("scales") or []
    if len(scales) != len(ctx.input_shape(0)):
        raise ctx.error(f"scales {scales} must have one value per input dim ({len(ctx.input_shape(0))})")
    mode = ctx.attr_str("mode", "nearest")
    _emit_resize(ctx, "linear" if mode in ("linear", "bilinear") else mode, "asymmetric", "floor", scales)


def _roi(ctx: NodeContext, axes: Sequence[int], rank: int) -> list[float]:
    """[h_start, w_start, h_end, w_end] from the roi input (one start and one end per resized axis)."""
    raw = ctx.maybe_const(1) if ctx.has_input(1) else None
    if raw is None:
        if ctx.has_input(1):
            raise ctx.error("roi must be a constant")
        raise ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' needs the roi input")
    values = [float(v) for v in raw.reshape(-1)]
    if len(values) != 2 * len(axes):
        raise ctx.error(f"roi has {len(values)} values, expected {2 * len(axes)} (start and end of each of {len(axes)} axes)")
    full = [0.0] * rank + [1.0] * rank
    for i, a in enumerate(axes):
        full[a], full[rank + a] = values[i], values[len(axes) + i]
    for a in range(2):
        if (full[a], full[rank + a]) != (0.0, 1.0):
            raise ctx.error(f"roi crops axis {a} ({full[a]:g}..{full[rank + a]:g}); only H and W can be cropped")
    return [full[2], full[3], full[rank + 2], full[rank + 3]]


@converter("Resize")
def _resize(ctx: NodeContext) -> None:
    rank = len(ctx.input_shape(0))
    mode = ctx.attr_str("mode", "nearest")
    if ctx.since_version < 11:
        scales = [float(s) for s in ctx.const(1, "scales").reshape(-1)]
        _emit_resize(ctx, mode, "asymmetric", "floor", scales)
        return
    coord = ctx.attr_str("coordinate_transformation_mode", "half_pixel")
    nearest_mode = ctx.attr_str("nearest_mode", "round_prefer_floor")
    scales_arr = _nonempty(ctx.maybe_const(2)) if ctx.has_input(2) else None
    sizes_arr = _nonempty(ctx.maybe_const(3)) if ctx.has_input(3) else None
    if ctx.has_input(2) and scales_arr is None and ctx.maybe_const(2) is None:
        raise ctx.error("scales must be a constant")
    if ctx.has_input(3) and sizes_arr is None and ctx.maybe_const(3) is None:
        raise ctx.error("sizes must be a constant")
    axes = ctx.attr_ints("axes") if ctx.since_version >= 18 else None
    axes = list(range(rank)) if axes is None else [a % rank for a in axes]
    in_shape = ctx.input_shape(0)
    scales: list[float] | None = None
    if scales_arr is not None:
        if scales_arr.size != len(axes):
            raise ctx.error(f"scales has {scales_arr.size} values for {len(axes)} axes")
        scales = [1.0] * rank
        for a, s in zip(axes, scales_arr.reshape(-1), strict=True):
            scales[a] = float(s)
    elif sizes_arr is None:
        raise ctx.error("Resize needs scales or sizes")
    policy = ctx.attr_str("keep_aspect_ratio_policy", "stretch") if ctx.since_version >= 18 else "stretch"
    if sizes_arr is not None and policy != "stretch":
        wanted = [int(s) for s in sizes_arr.reshape(-1)]
        ratios = [w / in_shape[a] for a, w in zip(axes, wanted, strict=True)]
        s = min(ratios) if policy == "not_larger" else max(ratios)
        scales = [1.0] * rank
        for a in axes:
            scales[a] = s
    roi = _roi(ctx, axes, rank) if coord == "tf_crop_and_resize" and rank == 4 else None
    _emit_resize(ctx, mode, coord, nearest_mode, scales, roi)
