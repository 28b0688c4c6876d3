"""nn movement ops (pad, concat, split, reshape, transpose, slice, space/batch/depth, resize) in the interpreter.

References: onnx.reference and onnxruntime on one-node models; space_to_batch / batch_to_space (no ONNX op) against
loops written from the TFLite SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND definitions in NHWC; symmetric pad (not in ONNX)
against a loop written from TFLite MIRROR_PAD.
"""

from __future__ import annotations

import numpy as np
import pytest
from onnx_ref import assert_matches_onnx, one_node_model, run_reference
from xdsl.dialects.builtin import IntegerType, Signedness, TensorType, f32

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.interp import run

UI8 = IntegerType(8, Signedness.UNSIGNED)
RNG = np.random.default_rng(0)


def _randn(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _t(shape, et=f32) -> TensorType:
    return TensorType(et, list(shape))


def _run1(x: np.ndarray, make, in_type=None):
    """Run `make(x_value) -> SSAValue | list` on one input."""
    module = build_module([in_type or _t(x.shape)], make)
    return run(module, [x])


# --- Pad ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode,pads,value",
    [
        ("constant", (0, 0, 1, 2, 0, 0, 3, 0), None),
        ("constant", (0, 1, 2, 0, 1, 0, 0, 2), 1.5),
        ("constant", (1, 0, 0, 0, 0, 2, 1, 1), -0.25),
        ("reflect", (0, 0, 2, 1, 0, 0, 1, 3), None),
        ("reflect", (0, 1, 0, 3, 0, 2, 3, 0), None),
        ("edge", (0, 0, 3, 5, 0, 0, 4, 1), None),
        ("edge", (1, 2, 0, 0, 0, 1, 2, 2), None),
    ],
)
def test_pad_matches_onnx(mode, pads, value):
    x = _randn(1, 3, 4, 5)
    inits: dict[str, np.ndarray] = {"pads": np.array(pads, dtype=np.int64)}
    if value is not None:
        inits["value"] = np.array(value, dtype=np.float32)
    model = one_node_model("Pad", {"x": x}, attrs={"mode": mode}, initializers=inits)
    (ref,) = run_reference(model, {"x": x})
    got = _run1(x, lambda v: nn.PadOp(v, _t(ref.shape), pads, mode, value).output)
    assert_matches_onnx(got, model, {"x": x})


def _symmetric_pad_reference(x: np.ndarray, pads) -> np.ndarray:
    """TFLite MIRROR_PAD SYMMETRIC: index -1 reads 0, -2 reads 1, size reads size - 1, ... (edge included)."""
    r = x.ndim
    out_shape = [s + pads[d] + pads[r + d] for d, s in enumerate(x.shape)]
    out = np.empty(out_shape, dtype=x.dtype)
    for idx in np.ndindex(*out_shape):
        src = []
        for d, i in enumerate(idx):
            j = i - pads[d]
            if j < 0:
                j = -j - 1
            elif j >= x.shape[d]:
                j = 2 * x.shape[d] - j - 1
            src.append(j)
        out[idx] = x[tuple(src)]
    return out


@pytest.mark.parametrize("pads", [(0, 0, 1, 2, 0, 0, 3, 1), (0, 1, 3, 0, 1, 2, 0, 4), (0, 0, 0, 0, 0, 0, 0, 0)])
def test_pad_symmetric(pads):
    x = _randn(1, 3, 3, 4)
    want = _symmetric_pad_reference(x, pads)
    (got,) = _run1(x, lambda v: nn.PadOp(v, _t(want.shape), pads, "symmetric").output)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "symmetric"])
def test_pad_quantized_passes_integers_through(mode):
    qt = nn.QuantType(UI8, 0.0235, 131)
    q = RNG.integers(0, 256, (1, 2, 4, 5), dtype=np.uint8)
    pads = (0, 0, 1, 3, 0, 0, 2, 1)
    out_shape = (1, 2, 7, 9)
    value = 0.5 if mode == "constant" else None
    module = build_module([_t(q.shape, qt)], lambda v: nn.PadOp(v, _t(out_shape, qt), pads, mode, value).output)
    (got,) = run(module, [q])
    widths = ((0, 0), (0, 0), (1, 2), (3, 1))
    fill = {"constant_values": 152} if mode == "constant" else {"mode": mode}  # 0.5 real = 131 + round(0.5 / 0.0235)
    want = np.pad(q, widths, **fill)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, want)


def test_pad_quantized_requantizes_to_a_different_type():
    qi, qo = nn.QuantType(UI8, 0.5, 10), nn.QuantType(UI8, 0.25, 0)
    q = np.array([[10, 11, 30, 200]], dtype=np.uint8)
    module = build_module([_t(q.shape, qi)], lambda v: nn.PadOp(v, _t((1, 6), qo), (0, 1, 0, 1), "constant", 1.0).output)
    (got,) = run(module, [q])
    np.testing.assert_array_equal(got, [[4, 0, 2, 40, 255, 4]])


# --- Concat / Split ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shapes,axis",
    [
        ([(1, 2, 4, 4), (1, 3, 4, 4)], 1),
        ([(2, 3, 5), (1, 3, 5), (3, 3, 5)], 0),
        ([(1, 2, 3, 1), (1, 2, 3, 4), (1, 2, 3, 2)], -1),
        ([(4, 6)], 1),
    ],
)
def test_concat_matches_onnx(shapes, axis):
    xs = {f"x{i}": _randn(*s) for i, s in enumerate(shapes)}
    model = one_node_model("Concat", xs, attrs={"axis": axis})
    (ref,) = run_reference(model, xs)
    module = build_module([_t(s) for s in shapes], lambda *vs: nn.ConcatOp(vs, _t(ref.shape), axis).output)
    got = run(module, list(xs.values()))
    assert_matches_onnx(got, model, xs)


@pytest.mark.parametrize(
    "shape,axis,sizes",
    [((1, 6, 4, 4), 1, (2, 4)), ((5, 3), 0, (1, 1, 3)), ((1, 2, 3, 7), -1, (3, 2, 2)), ((2, 4), 1, (4,))],
)
def test_split_matches_onnx(shape, axis, sizes):
    x = _randn(*shape)
    model = one_node_model(
        "Split", {"x": x}, n_outputs=len(sizes), attrs={"axis": axis}, initializers={"split": np.array(sizes, np.int64)}
    )
    refs = run_reference(model, {"x": x})
    got = _run1(x, lambda v: list(nn.SplitOp(v, [_t(r.shape) for r in refs], axis, sizes).outputs))
    assert_matches_onnx(got, model, {"x": x})


def test_concat_quantized():
    q1 = nn.QuantType(UI8, 0.5, 128)
    a = RNG.integers(0, 256, (1, 2, 3), dtype=np.uint8)
    b = RNG.integers(0, 256, (1, 1, 3), dtype=np.uint8)
    module = build_module([_t(a.shape, q1), _t(b.shape, q1)], lambda x, y: nn.ConcatOp([x, y], _t((1, 3, 3), q1), 1).output)
    (got,) = run(module, [a, b])
    np.testing.assert_array_equal(got, np.concatenate([a, b], axis=1))
    # Different input scales: requantized to the result's (b's reals 2 * (q - 0) land on result scale 1).
    q2 = nn.QuantType(UI8, 2.0, 0)
    qo = nn.QuantType(UI8, 1.0, 0)
    a2 = np.array([[10, 20]], dtype=np.uint8)
    b2 = np.array([[3, 200]], dtype=np.uint8)
    module = build_module([_t((1, 2), qo), _t((1, 2), q2)], lambda x, y: nn.ConcatOp([x, y], _t((1, 4), qo), 1).output)
    (got,) = run(module, [a2, b2])
    np.testing.assert_array_equal(got, [[10, 20, 6, 255]])


def test_split_quantized_passes_integers_through():
    qt = nn.QuantType(IntegerType(8), 0.1, -3)
    q = RNG.integers(-128, 128, (2, 7), dtype=np.int8)
    module = build_module([_t(q.shape, qt)], lambda v: list(nn.SplitOp(v, [_t((2, 3), qt), _t((2, 4), qt)], 1, (3, 4)).outputs))
    a, b = run(module, [q])
    np.testing.assert_array_equal(a, q[:, :3])
    np.testing.assert_array_equal(b, q[:, 3:])


# --- Reshape / Transpose ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,target", [((1, 8, 2, 3), (1, 48)), ((2, 3, 4), (4, 3, 2)), ((6,), (1, 2, 1, 3))])
def test_reshape_matches_onnx(shape, target):
    x = _randn(*shape)
    model = one_node_model("Reshape", {"x": x}, initializers={"shape": np.array(target, np.int64)})
    got = _run1(x, lambda v: nn.ReshapeOp(v, _t(target)).output)
    assert_matches_onnx(got, model, {"x": x})


@pytest.mark.parametrize(
    "shape,perm", [((1, 3, 4, 5), (0, 2, 3, 1)), ((1, 4, 5, 3), (0, 3, 1, 2)), ((2, 3, 4), (2, 0, 1)), ((3, 5), (1, 0))]
)
def test_transpose_matches_onnx(shape, perm):
    x = _randn(*shape)
    model = one_node_model("Transpose", {"x": x}, attrs={"perm": list(perm)})
    out_shape = tuple(shape[p] for p in perm)
    got = _run1(x, lambda v: nn.TransposeOp(v, _t(out_shape), perm).output)
    assert_matches_onnx(got, model, {"x": x})


def test_transpose_and_reshape_quantized_pass_integers_through():
    qt = nn.QuantType(UI8, 0.0235, 128)
    q = RNG.integers(0, 256, (1, 3, 4, 5), dtype=np.uint8)

    def body(v):
        t = nn.TransposeOp(v, _t((1, 4, 5, 3), qt), (0, 2, 3, 1)).output
        return nn.ReshapeOp(t, _t((20, 3), qt)).output

    module = build_module([_t(q.shape, qt)], body)
    (got,) = run(module, [q])
    np.testing.assert_array_equal(got, q.transpose(0, 2, 3, 1).reshape(20, 3))


# --- Slice ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,starts,ends,axes,steps",
    [
        ((1, 3, 8, 9), (1, 2), (3, 7), (1, 2), (1, 1)),
        ((1, 4, 9, 10), (0, 1), (9, 10), (2, 3), (2, 2)),
        ((1, 4, 9, 10), (-1, 7), (-100, 1), (2, 3), (-1, -2)),
        ((2, 5, 6), (4, 0, 5), (0, 6, -7), (1, 0, 2), (-2, 1, -3)),
        ((6, 7), (-3, -1), (100, -8), (0, 1), (1, -1)),
    ],
)
def test_slice_matches_onnx(shape, starts, ends, axes, steps):
    x = _randn(*shape)
    inits = {
        "starts": np.array(starts, np.int64),
        "ends": np.array(ends, np.int64),
        "axes": np.array(axes, np.int64),
        "steps": np.array(steps, np.int64),
    }
    model = one_node_model("Slice", {"x": x}, initializers=inits)
    # Normalize ONNX bounds the way a frontend does: Python slice semantics over every dimension.
    n_starts, n_ends, n_steps = [0] * len(shape), list(shape), [1] * len(shape)
    for b, e, a, s in zip(starts, ends, axes, steps, strict=True):
        n_starts[a], n_ends[a], n_steps[a] = slice(b, e, s).indices(shape[a])
    (ref,) = run_reference(model, {"x": x})
    got = _run1(x, lambda v: nn.SliceOp(v, _t(ref.shape), n_starts, n_ends, n_steps).output)
    assert_matches_onnx(got, model, {"x": x})


def test_slice_quantized_passes_integers_through():
    qt = nn.QuantType(UI8, 0.3, 7)
    q = RNG.integers(0, 256, (1, 2, 7, 6), dtype=np.uint8)
    module = build_module(
        [_t(q.shape, qt)], lambda v: nn.SliceOp(v, _t((1, 2, 3, 3), qt), (0, 1, 6, 1), (1, -1, 0, 6), (1, -1, -2, 2)).output
    )
    (got,) = run(module, [q])
    np.testing.assert_array_equal(got, q[:, ::-1, 6:0:-2, 1:6:2])


# --- SpaceToBatch / BatchToSpace -----------------------------------------------------------------------------------


def _space_to_batch_tflite(x_nhwc: np.ndarray, block, pads) -> np.ndarray:
    """TFLite SPACE_TO_BATCH_ND: zero-pad H, W; output[(i * bw + j) * N + n, h, w, c] = padded[n, h*bh + i, w*bw + j, c]."""
    bh, bw = block
    pt, pl, pb, pr = pads
    n, h, w, c = x_nhwc.shape
    padded = np.zeros((n, h + pt + pb, w + pl + pr, c), x_nhwc.dtype)
    padded[:, pt : pt + h, pl : pl + w, :] = x_nhwc
    oh, ow = padded.shape[1] // bh, padded.shape[2] // bw
    out = np.empty((n * bh * bw, oh, ow, c), x_nhwc.dtype)
    for i in range(bh):
        for j in range(bw):
            for b in range(n):
                for y in range(oh):
                    for x in range(ow):
                        out[(i * bw + j) * n + b, y, x, :] = padded[b, y * bh + i, x * bw + j, :]
    return out


def _batch_to_space_tflite(x_nhwc: np.ndarray, block, crops) -> np.ndarray:
    """TFLite BATCH_TO_SPACE_ND: full[n, h*bh + i, w*bw + j, c] = input[(i * bw + j) * N + n, h, w, c], then crop."""
    bh, bw = block
    ct, cl, cb, cr = crops
    nb, h, w, c = x_nhwc.shape
    n = nb // (bh * bw)
    full = np.empty((n, h * bh, w * bw, c), x_nhwc.dtype)
    for i in range(bh):
        for j in range(bw):
            for b in range(n):
                for y in range(h):
                    for x in range(w):
                        full[b, y * bh + i, x * bw + j, :] = x_nhwc[(i * bw + j) * n + b, y, x, :]
    return full[:, ct : h * bh - cb, cl : w * bw - cr, :]


_NCHW_TO_NHWC = (0, 2, 3, 1)
_NHWC_TO_NCHW = (0, 3, 1, 2)


@pytest.mark.parametrize(
    "shape,block,pads",
    [((1, 3, 4, 6), (2, 2), (0, 0, 0, 0)), ((2, 2, 5, 3), (2, 3), (1, 2, 0, 1)), ((1, 1, 3, 3), (3, 1), (2, 0, 1, 1))],
)
def test_space_to_batch_and_back(shape, block, pads):
    x = _randn(*shape)
    want = _space_to_batch_tflite(x.transpose(_NCHW_TO_NHWC), block, pads).transpose(_NHWC_TO_NCHW)
    (got,) = _run1(x, lambda v: nn.SpaceToBatchOp(v, _t(want.shape), block, pads).output)
    np.testing.assert_array_equal(got, want)

    back_want = _batch_to_space_tflite(want.transpose(_NCHW_TO_NHWC), block, pads).transpose(_NHWC_TO_NCHW)
    np.testing.assert_array_equal(back_want, x)  # the two references are inverses

    def round_trip(v):
        s = nn.SpaceToBatchOp(v, _t(want.shape), block, pads).output
        return nn.BatchToSpaceOp(s, _t(shape), block, pads).output

    (back,) = _run1(x, round_trip)
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("shape,block,crops", [((8, 2, 3, 2), (2, 2), (1, 0, 0, 1)), ((6, 3, 2, 4), (3, 2), (2, 3, 1, 0))])
def test_batch_to_space_matches_tflite_definition(shape, block, crops):
    x = _randn(*shape)
    want = _batch_to_space_tflite(x.transpose(_NCHW_TO_NHWC), block, crops).transpose(_NHWC_TO_NCHW)
    (got,) = _run1(x, lambda v: nn.BatchToSpaceOp(v, _t(want.shape), block, crops).output)
    np.testing.assert_array_equal(got, want)


def test_space_to_batch_quantized_pads_with_zero_point():
    qt = nn.QuantType(UI8, 0.5, 77)
    q = RNG.integers(0, 256, (1, 2, 3, 3), dtype=np.uint8)
    block, pads = (2, 2), (1, 0, 0, 1)
    want = _space_to_batch_tflite(
        np.pad(q, ((0, 0), (0, 0), (1, 0), (0, 1)), constant_values=77).transpose(_NCHW_TO_NHWC), block, (0, 0, 0, 0)
    ).transpose(_NHWC_TO_NCHW)
    module = build_module([_t(q.shape, qt)], lambda v: nn.SpaceToBatchOp(v, _t(want.shape, qt), block, pads).output)
    (got,) = run(module, [q])
    np.testing.assert_array_equal(got, want)


# --- DepthToSpace / SpaceToDepth ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
@pytest.mark.parametrize("shape,block", [((1, 8, 3, 4), 2), ((2, 18, 2, 3), 3), ((1, 4, 2, 2), 1)])
def test_depth_to_space_matches_onnx(shape, block, mode):
    x = _randn(*shape)
    model = one_node_model("DepthToSpace", {"x": x}, attrs={"blocksize": block, "mode": mode})
    (ref,) = run_reference(model, {"x": x})
    got = _run1(x, lambda v: nn.DepthToSpaceOp(v, _t(ref.shape), block, mode).output)
    assert_matches_onnx(got, model, {"x": x})


@pytest.mark.parametrize("shape,block", [((1, 3, 4, 6), 2), ((2, 2, 6, 3), 3), ((1, 5, 4, 4), 4)])
def test_space_to_depth_matches_onnx(shape, block):
    x = _randn(*shape)
    model = one_node_model("SpaceToDepth", {"x": x}, attrs={"blocksize": block})
    (ref,) = run_reference(model, {"x": x})
    got = _run1(x, lambda v: nn.SpaceToDepthOp(v, _t(ref.shape), block).output)
    assert_matches_onnx(got, model, {"x": x})


# --- Resize ---------------------------------------------------------------------------------------------------------

COORD_MODES = ["half_pixel", "align_corners", "asymmetric", "pytorch_half_pixel", "tf_half_pixel_for_nn"]
NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
# (input H, W) -> (output H, W): integer and fractional up- and downsampling.
SIZES = [((4, 6), (8, 12)), ((3, 5), (7, 13)), ((8, 12), (4, 6)), ((9, 11), (4, 5)), ((5, 4), (1, 3))]


def _check_resize(x, out_hw, onnx_mode, coord, nearest_mode=None):
    sizes = np.array([*x.shape[:2], *out_hw], np.int64)
    attrs = {"mode": onnx_mode, "coordinate_transformation_mode": coord}
    if nearest_mode is not None:
        attrs["nearest_mode"] = nearest_mode
    if coord == "tf_half_pixel_for_nn":
        # Dropped from the ONNX spec in opset 13 and from onnx.reference: opset 11 under onnxruntime only.
        empty = np.array([], np.float32)
        inits = {"roi": empty, "scales": empty, "sizes": sizes}
        model = one_node_model("Resize", {"x": x}, attrs=attrs, initializers=inits, opset=11)
        runtimes: tuple[str, ...] = ("onnxruntime",)
    else:
        inputs = ["x", "", "", "sizes"]
        model = one_node_model("Resize", {"x": x}, attrs=attrs, initializers={"sizes": sizes}, input_order=inputs)
        runtimes = ("reference", "onnxruntime")
    out_type = _t((*x.shape[:2], *out_hw))
    mode = "nearest" if onnx_mode == "nearest" else "bilinear"
    got = _run1(x, lambda v: nn.ResizeOp(v, out_type, mode, coord, nearest_mode).output)
    assert_matches_onnx(got, model, {"x": x}, runtimes=runtimes)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("nearest_mode", NEAREST_MODES)
@pytest.mark.parametrize("coord", COORD_MODES)
def test_resize_nearest_matches_onnx(coord, nearest_mode, sizes):
    in_hw, out_hw = sizes
    _check_resize(_randn(1, 2, *in_hw), out_hw, "nearest", coord, nearest_mode)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("coord", COORD_MODES)
def test_resize_bilinear_matches_onnx(coord, sizes):
    in_hw, out_hw = sizes
    _check_resize(_randn(2, 3, *in_hw), out_hw, "linear", coord)


def test_resize_nearest_default_is_round_prefer_floor():
    x = _randn(1, 1, 4, 4)
    _check_resize(x, (6, 6), "nearest", "asymmetric")


def test_resize_quantized():
    qt = nn.QuantType(UI8, 0.1, 100)
    q = RNG.integers(0, 256, (1, 2, 3, 4), dtype=np.uint8)
    # nearest moves the integers
    module = build_module([_t(q.shape, qt)], lambda v: nn.ResizeOp(v, _t((1, 2, 6, 8), qt), "nearest", "asymmetric").output)
    (got,) = run(module, [q])
    np.testing.assert_array_equal(got, q.repeat(2, axis=2).repeat(2, axis=3))
    # bilinear interpolates the reals and rounds half to even into the result type
    module = build_module(
        [_t((1, 1, 1, 2), qt)], lambda v: nn.ResizeOp(v, _t((1, 1, 1, 4), qt), "bilinear", "align_corners").output
    )
    (got,) = run(module, [np.array([[[[0, 3]]]], dtype=np.uint8)])
    np.testing.assert_array_equal(got, [[[[0, 1, 2, 3]]]])
