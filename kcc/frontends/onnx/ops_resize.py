"""ONNX Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9) of the H and W axes as `nn.resize`.

`nn.resize` takes its scale from the sizes (out / in). ONNX uses the given `scales` when there are any (even
align_corners uses in * scale as the output length), so a `scales` operand whose value differs from out / in
(e.g. 0.6 for 5 -> 3) is refused. Upsample and Resize-10 use ONNX's old semantics: asymmetric coordinates,
nearest = floor. `half_pixel_symmetric` equals `half_pixel` when the scale is out / in, so it maps to it.

Not supported (errors): cubic mode, tf_crop_and_resize, resizing N or C, ranks other than 4, antialias when
downsampling, keep_aspect_ratio_policy that changes the scale away from out / in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kcc.dialects.nn.movement import COORDINATE_MODES, NEAREST_MODES, ResizeOp
from kcc.frontends.onnx.builder import NodeContext
from kcc.frontends.onnx.registry import converter

_SCALE_FREE_MODES: tuple[str, ...] = ()


def _emit_resize(ctx: NodeContext, mode: str, coord: str, nearest_mode: str | None, scales: Sequence[float] | None) -> None:
    in_shape = ctx.input_shape(0)
    if len(in_shape) != 4:
        raise ctx.error(f"only 4-D (N, C, H, W) inputs can be resized, got rank {len(in_shape)} {list(in_shape)}")
    out_type = ctx.output_type_like(0)
    out_shape = tuple(int(d) for d in out_type.get_shape())
    if out_shape[:2] != in_shape[:2]:
        raise ctx.error(f"resizing N or C is not supported: {list(in_shape)} -> {list(out_shape)}")
    if any(d <= 0 for d in out_shape):
        raise ctx.error(f"empty output shape {list(out_shape)}")
    if scales is not None and coord not in _SCALE_FREE_MODES:
        for axis in (2, 3):
            s, implied = float(scales[axis]), out_shape[axis] / in_shape[axis]
            if abs(s - implied) > 1e-6 * max(1.0, abs(s)):
                raise ctx.error(
                    f"scale {s:g} of axis {axis} differs from output/input = {out_shape[axis]}/{in_shape[axis]} = {implied:g};"
                    " nn.resize derives the scale from the sizes",
                    hint="export with sizes, or scales that divide the input size exactly",
                )
    if mode == "linear":
        nn_mode, nearest_mode = "bilinear", None
    elif mode == "nearest":
        nn_mode = "nearest"
    else:
        raise ctx.error(f"mode {mode!r} is not supported", hint="supported: 'nearest', 'linear'")
    if coord == "half_pixel_symmetric":
        coord = "half_pixel"  # identical when scale == out / in (checked above)
    if coord not in COORDINATE_MODES:
        raise ctx.error(
            f"coordinate_transformation_mode {coord!r} is not supported", hint="supported: " + ", ".join(COORDINATE_MODES)
        )
    if nearest_mode is not None and nearest_mode not in NEAREST_MODES:
        raise ctx.error(f"nearest_mode {nearest_mode!r} is not supported", hint="supported: " + ", ".join(NEAREST_MODES))
    if out_shape == in_shape and coord != "tf_half_pixel_for_nn":
        ctx.set_output(0, ctx.input(0))
        return
    op = ResizeOp(ctx.input(0), out_type, nn_mode, coord, nearest_mode if nn_mode == "nearest" else None)
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
    if coord == "tf_crop_and_resize":
        raise ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' is not supported")
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
    if ctx.since_version >= 18 and ctx.attr_int("antialias", 0):
        out_shape = ctx.output_shape(0)
        if any(o < i for o, i in zip(out_shape, in_shape, strict=True)):
            raise ctx.error("antialias=1 when downsampling is not supported")
    _emit_resize(ctx, mode, coord, nearest_mode, scales)
