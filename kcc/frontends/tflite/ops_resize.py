"""TFLite RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR -> `nn.resize` wrapped in NHWC <-> NCHW transposes.

The output size is the constant `size` input [new_height, new_width]. TFLite's coordinate rules
(reference_ops ResizeBilinear / ResizeNearestNeighbor) map to nn.resize's ONNX coordinate modes:

    align_corners, half_pixel_centers -> bilinear coordinate mode / nearest coordinate mode and rounding
    false, false   x * in / out              asymmetric     floor(x * in / out)          asymmetric, floor
    true,  false   x * (in-1) / (out-1)      align_corners  round(x * (in-1) / (out-1))  align_corners, round_prefer_ceil
    false, true    (x + 0.5) * in / out - 0.5 half_pixel    floor((x + 0.5) * in / out)  tf_half_pixel_for_nn, floor
    true,  true    refused by TFLite (bilinear); nearest rounds (x + 0.5) * (in-1) / (out-1): no nn form, refused

TFLite rounds half away from zero (TfLiteRound); the coordinates are non-negative, so that is
`round_prefer_ceil`. Bilinear's clamping of the neighbours to the input matches ONNX's. TFLite computes
the coordinates in float32 and kcc's interpreter in float64: an index that lands exactly on an integer could
round differently in principle (not seen on the tested sizes).
"""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType

from kcc.dialects.nn.movement import ResizeOp
from kcc.frontends.tflite.builder import OpContext
from kcc.frontends.tflite.ops_elementwise import expect_real
from kcc.frontends.tflite.registry import converter

# (align_corners, half_pixel_centers) -> (coordinate mode, nearest rounding)
_NEAREST = {
    (False, False): ("asymmetric", "floor"),
    (True, False): ("align_corners", "round_prefer_ceil"),
    (False, True): ("tf_half_pixel_for_nn", "floor"),
}
_BILINEAR = {(False, False): "asymmetric", (True, False): "align_corners", (False, True): "half_pixel"}


@converter("RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR")
def convert_resize(ctx: OpContext) -> None:
    """Resize H and W of a 4-D NHWC input to the constant `size` (input 1)."""
    ctx.expect_inputs(2)
    expect_real(ctx, 0)
    shape = ctx.input_shape(0)
    if len(shape) != 4:
        raise ctx.error(f"kcc converts {ctx.name} on 4-D NHWC inputs only, got shape {list(shape)}")
    size = ctx.const_input(1, "size")
    if size.dtype.kind not in "iu" or size.size != 2 or (size <= 0).any():
        raise ctx.error(f"size must hold 2 positive integers [height, width], got {size.reshape(-1).tolist()}")
    oh, ow = (int(s) for s in size.reshape(-1))
    flags = (bool(ctx.option("align_corners", False)), bool(ctx.option("half_pixel_centers", False)))
    nearest = ctx.name == "RESIZE_NEAREST_NEIGHBOR"
    if flags == (True, True):
        raise ctx.error(
            "align_corners and half_pixel_centers are both set",
            hint="TFLite refuses this pair for bilinear; kcc supports at most one of them",
        )
    n, _, _, c = shape
    out = TensorType(ctx.output_type(0).element_type, [n, oh, ow, c])
    if nearest:
        coord, rounding = _NEAREST[flags]
        y = ctx.nchw_op(ctx.input(0), lambda x, t: ResizeOp(x, t, "nearest", coord, rounding), out)
    else:
        coord = _BILINEAR[flags]
        y = ctx.nchw_op(ctx.input(0), lambda x, t: ResizeOp(x, t, "bilinear", coord), out)
    ctx.set_output(0, y)
