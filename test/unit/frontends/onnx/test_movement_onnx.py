"""ONNX data movement ops through kcc's frontend + interpreter vs onnx.reference and onnxruntime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from onnx_convert_check import check_node, import_error, imported_ops
from onnx_ref import assert_matches_onnx, one_node_model
from xdsl.dialects.builtin import TensorType, f32

from kcc.dialects.builder import build_module
from kcc.dialects.nn.movement import ResizeOp
from kcc.interp import run

RNG = np.random.default_rng(5)
X = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
INT_MAX = np.iinfo(np.int64).max
INT_MIN = np.iinfo(np.int64).min


def _i64(*v: int) -> np.ndarray:
    return np.array(v, dtype=np.int64)


# --- Concat ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1, 3])
def test_concat(axis: int) -> None:
    shape_b = list(X.shape)
    shape_b[axis] = 2
    b = RNG.standard_normal(shape_b).astype(np.float32)
    check_node("Concat", {"a": X, "b": b, "c": X}, {"axis": axis}, opset=13)


def test_concat_with_a_constant_input() -> None:
    c = RNG.standard_normal((2, 1, 4, 5)).astype(np.float32)
    m = check_node("Concat", {"a": X}, {"axis": 1}, initializers={"c": c}, opset=11)
    assert imported_ops(m) == ["nn.const", "nn.concat"]


def test_concat_of_one_input_is_identity() -> None:
    assert imported_ops(check_node("Concat", {"a": X}, {"axis": 1}, opset=13)) == []


# --- Split ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("attrs", "n"), [({"axis": 1, "split": [1, 2]}, 2), ({"axis": -1}, 5), ({"split": [1, 1]}, 2)])
def test_split_attribute_form(attrs: dict[str, Any], n: int) -> None:
    check_node("Split", {"x": X}, attrs, opset=11, n_outputs=n)


@pytest.mark.parametrize("opset", [13, 18])
def test_split_input_form(opset: int) -> None:
    check_node("Split", {"x": X}, {"axis": 3}, initializers={"split": _i64(2, 1, 2)}, opset=opset, n_outputs=3)


def test_split_equal_parts_opset13() -> None:
    check_node("Split", {"x": X}, {"axis": 2}, opset=13, n_outputs=2)


@pytest.mark.parametrize(("num", "axis"), [(2, 3), (3, 2), (5, -1)])
def test_split_num_outputs_opset18(num: int, axis: int) -> None:
    """num_outputs parts of ceil(dim / num), the last smaller (5 into 2: 3 + 2; 4 into 3: 2 + 2 + 0 is refused by onnx)."""
    x = RNG.standard_normal((2, 3, 7, 5)).astype(np.float32) if (num, axis) == (3, 2) else X  # 7 = 3 + 3 + 1
    check_node("Split", {"x": x}, {"axis": axis, "num_outputs": num}, opset=18, n_outputs=num)


def test_split_unequal_without_sizes_is_an_error() -> None:
    msg = import_error(one_node_model("Split", {"x": X}, n_outputs=2, attrs={"axis": 1}, opset=13))
    assert msg.startswith("Split") and "does not split into 2 equal parts" in msg


# --- Squeeze / Unsqueeze --------------------------------------------------------------------------------------------

Y = RNG.standard_normal((1, 3, 1, 5)).astype(np.float32)


# onnx.reference mishandles unsorted axes of the opset-11 Squeeze / Unsqueeze (it inserts / drops them one by one
# in the given order), so those cases compare with onnxruntime only.
ORT = ("onnxruntime",)


@pytest.mark.parametrize("axes", [[0], [2, 0], [-2]])
def test_squeeze_attribute_form(axes: list[int]) -> None:
    assert imported_ops(check_node("Squeeze", {"x": Y}, {"axes": axes}, opset=11, runtimes=ORT)) == ["nn.reshape"]


@pytest.mark.parametrize("axes", [[0], [-4, 2]])
def test_squeeze_input_form(axes: list[int]) -> None:
    check_node("Squeeze", {"x": Y}, initializers={"axes": _i64(*axes)}, opset=13)


@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze_all_ones_without_axes(opset: int) -> None:
    check_node("Squeeze", {"x": Y}, opset=opset)


def test_squeeze_non_one_axis_is_an_error() -> None:
    msg = import_error(one_node_model("Squeeze", {"x": Y}, initializers={"axes": _i64(1)}, opset=13))
    assert "Squeeze" in msg


@pytest.mark.parametrize("axes", [[0], [4, 0], [-1]])
def test_unsqueeze_attribute_form(axes: list[int]) -> None:
    check_node("Unsqueeze", {"x": X}, {"axes": axes}, opset=11, runtimes=ORT)


@pytest.mark.parametrize("axes", [[1], [5, -1, 0]])
def test_unsqueeze_input_form(axes: list[int]) -> None:
    check_node("Unsqueeze", {"x": X}, initializers={"axes": _i64(*axes)}, opset=13)


# --- Transpose ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("perm", [None, [0, 2, 3, 1], [3, 1, 0, 2]])
def test_transpose(perm: list[int] | None) -> None:
    check_node("Transpose", {"x": X}, {} if perm is None else {"perm": perm}, opset=13)


def test_identity_transpose_emits_nothing() -> None:
    assert imported_ops(check_node("Transpose", {"x": X}, {"perm": [0, 1, 2, 3]}, opset=13)) == []


# --- Pad ------------------------------------------------------------------------------------------------------------

PADS = [0, 1, 2, 0, 0, 2, 1, 3]


@pytest.mark.parametrize(
    "attrs",
    [{"pads": PADS}, {"pads": PADS, "value": 1.5}, {"pads": PADS, "mode": "reflect"}, {"pads": PADS, "mode": "edge"}],
)
def test_pad_attribute_form(attrs: dict[str, Any]) -> None:
    check_node("Pad", {"x": X}, attrs, opset=9)


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("opset", [11, 13])
def test_pad_input_form(mode: str, opset: int) -> None:
    check_node("Pad", {"x": X}, {"mode": mode}, initializers={"pads": _i64(*PADS)}, opset=opset)


def test_pad_constant_value_input() -> None:
    inits = {"pads": _i64(*PADS), "v": np.array(-2.5, np.float32)}
    check_node("Pad", {"x": X}, initializers=inits, opset=13)


@pytest.mark.parametrize("axes", [[1, 3], [-1, 0]])
def test_pad_axes_opset18(axes: list[int]) -> None:
    inits = {"pads": _i64(1, 2, 3, 0), "v": np.array(0.5, np.float32), "axes": _i64(*axes)}
    check_node("Pad", {"x": X}, initializers=inits, opset=18)


@pytest.mark.parametrize("mode", ["constant", "edge"])
def test_pad_negative_pads_crop(mode: str) -> None:
    """onnx.reference cannot run negative pads (numpy.pad refuses them): onnxruntime only."""
    inits = {"pads": _i64(0, -1, 2, 0, 0, 1, -2, -1)}
    check_node("Pad", {"x": X}, {"mode": mode}, initializers=inits, opset=13, runtimes=ORT)


def test_pad_zero_pads_is_identity() -> None:
    assert imported_ops(check_node("Pad", {"x": X}, initializers={"pads": _i64(*[0] * 8)}, opset=13)) == []


@pytest.mark.parametrize("pads", [PADS, [0, 0, 5, 7, 0, 0, 9, 11]])
def test_pad_wrap_opset19(pads: list[int]) -> None:
    """Wrap continues periodically from the other end, even for pads larger than the dimension."""
    check_node("Pad", {"x": X}, {"mode": "wrap"}, initializers={"pads": _i64(*pads)}, opset=19)


def test_pad_unknown_mode_is_an_error() -> None:
    m = one_node_model("Pad", {"x": X}, attrs={"mode": "circular"}, initializers={"pads": _i64(*PADS)}, opset=19)
    msg = import_error(m)
    assert "Pad" in msg and "circular" in msg


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
def test_pad_integers(mode: str) -> None:
    x = RNG.integers(-1000, 1000, (3, 4)).astype(np.int32)
    inits = {"pads": _i64(1, 2, 2, 1)}
    if mode == "constant":
        inits["v"] = np.array(-7, np.int32)
    check_node("Pad", {"x": x}, {"mode": mode}, initializers=inits, opset=19)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64])
def test_integer_movement(dtype: type) -> None:
    """Transpose, Concat, Slice, Split, Unsqueeze move integer tensors unchanged."""
    x = RNG.integers(0, 100, (2, 3, 4)).astype(dtype)
    check_node("Transpose", {"x": x}, {"perm": [2, 0, 1]}, opset=13)
    check_node("Concat", {"a": x, "b": x}, {"axis": 1}, opset=13)
    check_node("Slice", {"x": x}, initializers={"s": _i64(1), "e": _i64(-1), "a": _i64(2)}, opset=13)
    check_node("Split", {"x": x}, {"axis": 2}, initializers={"split": _i64(1, 3)}, opset=13, n_outputs=2)
    check_node("Unsqueeze", {"x": x}, initializers={"axes": _i64(0)}, opset=13)


def test_pad_runtime_pads_is_an_error() -> None:
    msg = import_error(one_node_model("Pad", {"x": X, "p": _i64(*PADS)}, opset=13))
    assert "pads" in msg and "must be a constant" in msg


# --- Slice ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attrs",
    [
        {"starts": [1, 0], "ends": [3, 2], "axes": [2, 1]},
        {"starts": [0, -3], "ends": [1, INT_MAX]},
        {"starts": [-100], "ends": [100], "axes": [3]},
    ],
)
def test_slice_attribute_form(attrs: dict[str, Any]) -> None:
    check_node("Slice", {"x": X}, attrs, opset=9)


@pytest.mark.parametrize(
    ("starts", "ends", "axes", "steps"),
    [
        ([1], [3], None, None),
        ([0, 1], [INT_MAX, -1], [3, 2], None),
        ([-1], [INT_MIN], [3], [-1]),
        ([4, 2], [0, -100], [-1, 1], [-2, -1]),
        ([0, 1, 0, 0], [2, 3, 4, 5], [0, 1, 2, 3], [1, 2, 3, 2]),
        ([10], [-10], [2], [-1]),
    ],
)
def test_slice_input_form(starts: list[int], ends: list[int], axes: list[int] | None, steps: list[int] | None) -> None:
    inits = {"starts": _i64(*starts), "ends": _i64(*ends)}
    order = ["x", "starts", "ends"]
    if axes is not None:
        inits["axes"] = _i64(*axes)
        order.append("axes")
    if steps is not None:
        if axes is None:
            order.append("")
        inits["steps"] = _i64(*steps)
        order.append("steps")
    check_node("Slice", {"x": X}, initializers=inits, input_order=order, opset=13)


def test_slice_empty_result_is_a_constant() -> None:
    inits = {"starts": _i64(5), "ends": _i64(9), "axes": _i64(2)}
    m = check_node("Slice", {"x": X}, initializers=inits, opset=13)
    assert imported_ops(m) == ["nn.const"]


def test_slice_everything_is_identity() -> None:
    inits = {"starts": _i64(0), "ends": _i64(INT_MAX)}
    assert imported_ops(check_node("Slice", {"x": X}, initializers=inits, opset=13)) == []


# --- nn.resize with ONNX scales (the form the Resize converter can emit for `scales` inputs) -----------------------


@pytest.mark.parametrize(
    ("mode", "coord", "scales"),
    [
        ("linear", "half_pixel", (0.6, 0.6)),
        ("linear", "align_corners", (0.6, 2.3)),
        ("linear", "half_pixel_symmetric", (2.3, 0.6)),
        ("linear", "pytorch_half_pixel", (0.3, 1.7)),
        ("nearest", "asymmetric", (2.3, 0.6)),
        ("nearest", "half_pixel_symmetric", (0.6, 2.3)),
        ("nearest", "align_corners", (1.7, 0.8)),
    ],
)
def test_nn_resize_with_onnx_scales(mode: str, coord: str, scales: tuple[float, float]) -> None:
    """nn.resize `scales` run by the interpreter vs ONNX Resize with the same scales (onnx.reference)."""
    x = RNG.standard_normal((1, 2, 5, 4)).astype(np.float32)
    sc = np.array([1.0, 1.0, *scales], dtype=np.float32)
    out_hw = [int(np.floor(d * float(s))) for d, s in zip(x.shape[2:], sc[2:], strict=True)]
    out_t = TensorType(f32, [1, 2, *out_hw])
    nn_mode = "bilinear" if mode == "linear" else "nearest"
    module = build_module(
        [TensorType(f32, list(x.shape))],
        lambda v: ResizeOp(v, out_t, nn_mode, coord, None, [float(s) for s in sc[2:]]).output,
    )
    got = run(module, [x])
    attrs = {"mode": mode, "coordinate_transformation_mode": coord}
    inits = {"roi": np.array([], np.float32), "scales": sc}
    model = one_node_model("Resize", {"x": x}, attrs=attrs, initializers=inits, opset=19)
    assert_matches_onnx(got, model, {"x": x}, runtimes=("reference",))
