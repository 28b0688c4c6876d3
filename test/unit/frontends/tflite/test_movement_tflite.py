"""TFLite data-movement ops: kcc's import + interpreter against litert.

CONCATENATION, TRANSPOSE, PAD, PADV2, MIRROR_PAD, STRIDED_SLICE, SLICE, SPLIT, SPLIT_V, SPACE_TO_BATCH_ND,
BATCH_TO_SPACE_ND, DEPTH_TO_SPACE, SPACE_TO_DEPTH in float32 and int8 / uint8. Moving quantized values on one
shared quantization is exact; CONCATENATION of uint8 inputs with other scales requantizes them, exactly as
TFLite does (float32, round half away).
"""

from __future__ import annotations

import numpy as np
import pytest
import tflite
from tflite_graph import Graph, check_model
from tflite_import_ref import QParams, check_op, const, import_error, one_op_model, rand_q, tensor

from kcc.dialects import nn
from kcc.frontends.tflite import import_tflite
from kcc.interp import run


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _i32(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


def _nn_ops(module: object) -> list[str]:
    return [o.name for o in module.walk() if o.name.startswith("nn.")]  # type: ignore[attr-defined]


Q8 = {np.int8: QParams(0.05, -9), np.uint8: QParams(0.05, 117)}


def _q(shape: tuple[int, ...], dtype: type, seed: int = 0) -> object:
    return tensor(rand_q(np.random.default_rng(seed), shape, dtype), Q8[dtype])


# ---------------------------------------------------------------------------------------------------- CONCATENATION


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1, -3])
def test_concat_axes(axis: int) -> None:
    shape = [2, 3, 4, 5]
    a_shape, b_shape = list(shape), list(shape)
    b_shape[axis] = 2
    check_op("CONCATENATION", [_x(tuple(a_shape), 1), _x(tuple(b_shape), 2)], {"axis": axis})


def test_concat_three_inputs_and_constant() -> None:
    check_op("CONCATENATION", [_x((1, 2, 3), 1), const(_x((1, 2, 1), 2)), _x((1, 2, 4), 3)], {"axis": 2})


@pytest.mark.parametrize(("act", "lo", "hi"), [("RELU", 0.0, np.inf), ("RELU6", 0.0, 6.0), ("RELU_N1_TO_1", -1.0, 1.0)])
def test_concat_fused_activation(act: str, lo: float, hi: float) -> None:
    # The schema allows a fused activation on CONCATENATION but litert's kernel refuses any (concatenation.cc
    # checks activation == NONE), so this compares with numpy: kcc applies the clamp after the concatenation.
    a, b = _x((1, 4, 3), 1) * 5, _x((1, 4, 2), 2) * 5
    model, feeds = one_op_model("CONCATENATION", [a, b], {"axis": -1, "fused_activation_function": act}, output_shape=(1, 4, 5))
    module = import_tflite(model)
    assert _nn_ops(module)[-1] in ("nn.relu", "nn.clamp")
    (got,) = run(module, feeds)
    np.testing.assert_array_equal(got, np.clip(np.concatenate([a, b], axis=-1), lo, hi))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_concat_quantized_same_params(dtype: type) -> None:
    check_op("CONCATENATION", [_q((1, 2, 3, 4), dtype, 1), _q((1, 2, 3, 2), dtype, 2)], {"axis": 3})


def test_concat_quantized_uint8_rescaled() -> None:
    rng = np.random.default_rng(3)
    a = tensor(rand_q(rng, (1, 2, 3, 4), np.uint8), QParams(0.05, 117))
    b = tensor(rand_q(rng, (1, 2, 3, 2), np.uint8), QParams(0.021, 30))
    # TFLite requantizes uint8 inputs with other scales in float32 (round half away); kcc does the same.
    check_op("CONCATENATION", [a, b], {"axis": 3}, output_quant=QParams(0.06, 120))


# ---------------------------------------------------------------------------------------------------- TRANSPOSE


@pytest.mark.parametrize(
    ("shape", "perm"), [((3, 5), [1, 0]), ((2, 3, 4), [2, 0, 1]), ((1, 3, 4, 5), [0, 3, 1, 2]), ((2, 3, 4, 5), [3, 2, 1, 0])]
)
def test_transpose(shape: tuple[int, ...], perm: list[int]) -> None:
    module = check_op("TRANSPOSE", [_x(shape), const(_i32(perm))])
    assert _nn_ops(module) == ["nn.transpose"]


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_transpose_quantized(dtype: type) -> None:
    check_op("TRANSPOSE", [_q((1, 3, 4, 5), dtype), const(_i32([0, 2, 3, 1]))])


def test_transpose_needs_constant_perm() -> None:
    message = import_error("TRANSPOSE", [_x((2, 3)), _i32([1, 0])], output_shape=(3, 2))
    assert "TRANSPOSE" in message


# ---------------------------------------------------------------------------------------------------- PAD family

PADS = [[0, 0], [1, 2], [0, 3], [2, 0]]


def test_pad() -> None:
    check_op("PAD", [_x((1, 4, 5, 3)), const(_i32(PADS))])


def test_pad_int64_paddings_rank2() -> None:
    check_op("PAD", [_x((4, 5)), const(np.asarray([[1, 0], [2, 3]], dtype=np.int64))])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_pad_quantized_fills_zero_point(dtype: type) -> None:
    check_op("PAD", [_q((1, 4, 5, 3), dtype), const(_i32(PADS))])


def test_padv2_float_value() -> None:
    check_op("PADV2", [_x((1, 4, 5, 3)), const(_i32(PADS)), const(np.asarray([-2.5], dtype=np.float32))])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_padv2_quantized_value(dtype: type) -> None:
    fill = np.asarray([Q8[dtype].zero_point + 37], dtype=dtype)  # type: ignore[operator]
    check_op("PADV2", [_q((1, 4, 5, 3), dtype), const(_i32(PADS)), const(fill, Q8[dtype])])


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad(mode: str) -> None:
    pads = [[0, 0], [1, 3], [3, 2], [0, 0]] if mode == "REFLECT" else [[0, 0], [4, 1], [2, 5], [0, 0]]
    check_op("MIRROR_PAD", [_x((1, 4, 5, 3)), const(_i32(pads))], {"mode": getattr(tflite.MirrorPadMode, mode)})


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_mirror_pad_quantized(dtype: type) -> None:
    check_op("MIRROR_PAD", [_q((1, 4, 5, 3), dtype), const(_i32(PADS))], {"mode": tflite.MirrorPadMode.SYMMETRIC})


def test_pad_needs_constant_paddings() -> None:
    message = import_error("PAD", [_x((2, 3)), _i32([[1, 1], [0, 0]])], output_shape=(4, 3))
    assert "PAD" in message


def test_mirror_pad_too_wide() -> None:
    message = import_error(
        "MIRROR_PAD", [_x((1, 4, 5, 3)), const(_i32([[0, 0], [4, 0], [0, 0], [0, 0]]))], {"mode": 0}, output_shape=(1, 8, 5, 3)
    )
    assert "MIRROR_PAD" in message and "REFLECT" in message


# ---------------------------------------------------------------------------------------------------- STRIDED_SLICE


def _strided(x: object, begin: list[int], end: list[int], strides: list[int], **masks: int) -> object:
    return check_op("STRIDED_SLICE", [x, const(_i32(begin)), const(_i32(end)), const(_i32(strides))], masks)


X4 = (2, 6, 7, 5)


@pytest.mark.parametrize(
    ("begin", "end", "strides", "masks"),
    [
        ([0, 1, 2, 0], [2, 5, 7, 5], [1, 1, 1, 1], {}),
        ([0, 1, 0, 1], [1, 6, 7, 5], [1, 2, 3, 2], {}),
        ([0, -5, -4, 0], [2, -1, 7, 5], [1, 1, 1, 1], {}),
        ([1, 3, 5, 2], [0, 0, 0, 0], [1, 1, 1, 1], {"begin_mask": 0b0101, "end_mask": 0b1111}),
        ([0, 5, 6, 4], [2, 0, 0, 0], [1, -1, -2, -1], {"end_mask": 0b1000}),
        ([0, -1, 0, 0], [2, -7, 7, 5], [1, -2, 1, 1], {}),
        ([0, 0, 0, 0], [0, 0, 0, 0], [1, -1, -1, 1], {"begin_mask": 0b1111, "end_mask": 0b1111}),
        ([0, 100, -100, 0], [2, -100, 100, 5], [1, -1, 1, 1], {}),
    ],
)
def test_strided_slice(begin: list[int], end: list[int], strides: list[int], masks: dict[str, int]) -> None:
    module = _strided(_x(X4), begin, end, strides, **masks)
    assert _nn_ops(module)[-1] == "nn.slice"


@pytest.mark.parametrize(
    ("begin", "end", "strides", "masks"),
    [
        ([0, 2, 0, 0], [1, 3, 7, 5], [1, 1, 1, 1], {"shrink_axis_mask": 0b0011}),
        ([1, -1, 0, -2], [2, 0, 7, 0], [1, 1, 1, 1], {"shrink_axis_mask": 0b1011}),
        ([1, 4, 0, 0], [0, 0, 7, 5], [1, 1, 2, 1], {"shrink_axis_mask": 0b0011, "begin_mask": 0b0011}),  # masked start: 0
        ([0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1], {"shrink_axis_mask": 0b1111}),  # a 0-d result
    ],
)
def test_strided_slice_shrink_axis(begin: list[int], end: list[int], strides: list[int], masks: dict[str, int]) -> None:
    module = _strided(_x(X4), begin, end, strides, **masks)
    assert _nn_ops(module)[-1] == "nn.reshape"


def test_strided_slice_offset() -> None:
    _strided(_x(X4), [0, 1, 2, 0], [2, 3, 4, 5], [1, 1, 1, 1], offset=True)


def test_strided_slice_ellipsis() -> None:
    # x[..., 1:4] (begin/end/strides of length 2: the ellipsis then the last axis)
    _strided(_x(X4), [0, 1], [0, 4], [1, 1], ellipsis_mask=0b01)
    # x[1, ..., ::2] with a shrink on the first axis
    _strided(_x(X4), [1, 0, 0], [2, 0, 0], [1, 1, 2], ellipsis_mask=0b010, shrink_axis_mask=0b001, end_mask=0b100)


def test_strided_slice_new_axis() -> None:
    # x[:, None, 2:5] on a rank-3 input
    _strided(_x((3, 6, 4)), [0, 0, 2], [3, 0, 5], [1, 1, 1], new_axis_mask=0b010)


def test_strided_slice_shorter_spec() -> None:
    _strided(_x(X4), [1, 2], [2, 5], [1, 1])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_strided_slice_quantized(dtype: type) -> None:
    _strided(_q(X4, dtype), [0, 5, 1, 0], [2, 0, 7, 5], [1, -2, 2, 1], end_mask=0b0010)


def test_strided_slice_empty_result_rejected() -> None:
    operands = [_x(X4), const(_i32([0, 4, 0, 0])), const(_i32([2, 2, 7, 5])), const(_i32([1, 1, 1, 1]))]
    message = import_error("STRIDED_SLICE", operands, output_shape=(2, 0, 7, 5))
    assert "STRIDED_SLICE" in message and "empty" in message


# Specs litert computes nothing meaningful for (it reads out of bounds or departs from TensorFlow's rule).
@pytest.mark.parametrize(
    ("begin", "end", "strides", "masks", "words"),
    [
        ([0, 3, 0, 0], [1, 2, 7, 5], [1, -1, 1, 1], {"shrink_axis_mask": 0b0010}, "negative stride"),
        ([0, 6, 0, 0], [1, 7, 7, 5], [1, 1, 1, 1], {"shrink_axis_mask": 0b0010}, "out of range"),
        ([0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], {}, "names 5 dimensions"),
        ([0, 0, 0, 0, 0], [2, 6, 7, 5, 1], [1, 1, 1, 1, 1], {"ellipsis_mask": 0b10000}, "ellipsis"),
        ([0, -2, 0, 0], [1, 1, 7, 5], [1, 1, 1, 1], {"offset": True}, "offset"),
        ([0, 4, 0, 0], [1, 3, 7, 5], [1, 1, 1, 1], {"offset": True}, "past the input"),
    ],
)
def test_strided_slice_unsupported_specs(
    begin: list[int], end: list[int], strides: list[int], masks: dict[str, int], words: str
) -> None:
    operands = [_x(X4), const(_i32(begin)), const(_i32(end)), const(_i32(strides))]
    message = import_error("STRIDED_SLICE", operands, masks, output_shape=(1, 1, 1, 1))
    assert "STRIDED_SLICE" in message and words in message


def test_strided_slice_needs_constant_bounds() -> None:
    operands = [_x(X4), _i32([0, 1, 0, 0]), const(_i32([2, 2, 7, 5])), const(_i32([1, 1, 1, 1]))]
    message = import_error("STRIDED_SLICE", operands, output_shape=(2, 1, 7, 5))
    assert "STRIDED_SLICE" in message and "constant" in message


# ---------------------------------------------------------------------------------------------------- SLICE


# (litert checks SLICE's declared output shape instead of computing it, hence the explicit shapes)
@pytest.mark.parametrize(
    ("begin", "size", "out"), [([0, 1, 2, 0], [2, 3, 4, 5], (2, 3, 4, 5)), ([1, 2, 0, 3], [-1, -1, 7, -1], (1, 4, 7, 2))]
)
def test_slice(begin: list[int], size: list[int], out: tuple[int, ...]) -> None:
    check_op("SLICE", [_x(X4), const(_i32(begin)), const(_i32(size))], output_shape=out)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_slice_quantized(dtype: type) -> None:
    check_op("SLICE", [_q(X4, dtype), const(_i32([0, 2, 1, 1])), const(_i32([1, -1, 3, 2]))], output_shape=(1, 4, 3, 2))


def test_slice_out_of_range_rejected() -> None:
    operands = [_x(X4), const(_i32([0, 5, 0, 0])), const(_i32([2, 3, 7, 5]))]
    message = import_error("SLICE", operands, output_shape=(2, 3, 7, 5))
    assert "SLICE" in message


# ---------------------------------------------------------------------------------------------------- SPLIT / SPLIT_V


@pytest.mark.parametrize(("axis", "num"), [(3, 5), (1, 3), (-2, 7), (0, 2)])
def test_split(axis: int, num: int) -> None:
    module = check_op("SPLIT", [const(_i32(axis)), _x(X4)], {"num_splits": num}, output_dtype=np.float32, num_outputs=num)
    assert _nn_ops(module)[-1] == "nn.split"


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_split_quantized(dtype: type) -> None:
    check_op(
        "SPLIT", [const(_i32(1)), _q(X4, dtype)], {"num_splits": 2}, output_dtype=dtype, output_quant=Q8[dtype], num_outputs=2
    )


@pytest.mark.parametrize(("sizes", "axis"), [([1, 4, 2], 2), ([2, -1], -1), ([3, 3], 1)])
def test_split_v(sizes: list[int], axis: int) -> None:
    check_op("SPLIT_V", [_x(X4), const(_i32(sizes)), const(_i32(axis))], {"num_splits": len(sizes)}, num_outputs=len(sizes))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_split_v_quantized(dtype: type) -> None:
    check_op("SPLIT_V", [_q(X4, dtype), const(_i32([2, -1, 1])), const(_i32(3))], {"num_splits": 3}, num_outputs=3)


def test_split_uneven_rejected() -> None:
    message = import_error(
        "SPLIT", [const(_i32(1)), _x(X4)], {"num_splits": 4}, output_shape=(2, 1, 7, 5), output_dtype=np.float32, num_outputs=4
    )
    assert "SPLIT" in message and "6" in message


# ---------------------------------------------------------------------------------------------------- space / batch / depth


def _wrapped(module: object, core: str) -> None:
    assert _nn_ops(module) == ["nn.transpose", core, "nn.transpose"]


@pytest.mark.parametrize(("block", "pads"), [([2, 2], [[0, 0], [0, 0]]), ([2, 3], [[1, 1], [2, 1]]), ([3, 1], [[0, 2], [0, 0]])])
def test_space_to_batch(block: list[int], pads: list[list[int]]) -> None:
    module = check_op("SPACE_TO_BATCH_ND", [_x((2, 4, 6, 3)), const(_i32(block)), const(_i32(pads))])
    _wrapped(module, "nn.space_to_batch")


@pytest.mark.parametrize(("block", "crops"), [([2, 2], [[0, 0], [0, 0]]), ([2, 3], [[1, 0], [2, 1]])])
def test_batch_to_space(block: list[int], crops: list[list[int]]) -> None:
    module = check_op("BATCH_TO_SPACE_ND", [_x((12, 3, 4, 2)), const(_i32(block)), const(_i32(crops))])
    _wrapped(module, "nn.batch_to_space")


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_space_batch_quantized(dtype: type) -> None:
    check_op("SPACE_TO_BATCH_ND", [_q((1, 4, 5, 3), dtype), const(_i32([2, 2])), const(_i32([[0, 0], [1, 0]]))])
    check_op("BATCH_TO_SPACE_ND", [_q((8, 3, 2, 3), dtype), const(_i32([2, 2])), const(_i32([[1, 0], [0, 1]]))])


@pytest.mark.parametrize("block", [2, 3])
def test_depth_to_space(block: int) -> None:
    module = check_op("DEPTH_TO_SPACE", [_x((2, 3, 4, 2 * block * block))], {"block_size": block})
    _wrapped(module, "nn.depth_to_space")
    (d2s,) = [o for o in module.walk() if isinstance(o, nn.DepthToSpaceOp)]
    assert d2s.mode.data == "DCR"


@pytest.mark.parametrize("block", [2, 3])
def test_space_to_depth(block: int) -> None:
    module = check_op("SPACE_TO_DEPTH", [_x((2, 2 * block, 3 * block, 3))], {"block_size": block})
    _wrapped(module, "nn.space_to_depth")


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_depth_space_quantized(dtype: type) -> None:
    check_op("DEPTH_TO_SPACE", [_q((1, 3, 4, 8), dtype)], {"block_size": 2})
    check_op("SPACE_TO_DEPTH", [_q((1, 4, 6, 3), dtype)], {"block_size": 2})


def test_space_to_batch_rank3_rejected() -> None:
    message = import_error("SPACE_TO_BATCH_ND", [_x((1, 4, 3)), const(_i32([2])), const(_i32([[0, 0]]))], output_shape=(2, 2, 3))
    assert "SPACE_TO_BATCH_ND" in message and "4" in message


# ---------------------------------------------------------------------------------------------------- graphs


def test_constant_shape_arithmetic_is_folded() -> None:
    """int32 STRIDED_SLICE / MUL / CONCATENATION / MAXIMUM / SLICE of constants are computed at import (nn has no
    integer arithmetic); RESIZE then sees a constant size."""
    g = Graph()
    x = g.input("x", (1, 4, 5, 3))
    shape = g.const("shape", _i32([1, 4, 5, 3]))
    hw = g.tensor("hw", (2,), np.int32)
    g.op("STRIDED_SLICE", [shape, g.const("b", _i32([1])), g.const("e", _i32([3])), g.const("s", _i32([1]))], [hw])
    hw2 = g.tensor("hw2", (2,), np.int32)
    g.op("MUL", [hw, g.const("two", _i32([2, 3]))], [hw2])
    cat = g.tensor("cat", (2,), np.int32)
    g.op("CONCATENATION", [g.const("h", _i32([9])), g.const("w", _i32([0]))], [cat], axis=0)
    biggest = g.tensor("biggest", (2,), np.int32)
    g.op("MAXIMUM", [hw2, cat], [biggest])  # [9, 15]
    size = g.tensor("size", (2,), np.int32)
    g.op("SLICE", [biggest, g.const("b2", _i32([0])), g.const("n2", _i32([2]))], [size])
    y = g.tensor("y", (1, 9, 15, 3))
    g.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [y])
    g.output(y)
    module = check_model(g.build(), [_x((1, 4, 5, 3))])
    assert _nn_ops(module) == ["nn.transpose", "nn.resize", "nn.transpose"]


def test_dynamic_batch_override() -> None:
    """A model with a dynamic batch, imported with --input-shape: kcc's shapes follow the given batch."""
    g = Graph()
    x = g.input("x", (1, 4, 5, 3), signature=(-1, 4, 5, 3))
    y = g.tensor("y", (1, 4, 5, 3), signature=(-1, 4, 5, 3))
    g.op("ADD", [x, g.const("c", _x((3,), 7))], [y], fused_activation_function="RELU")
    z = g.tensor("z", (1, 2, 5, 3), signature=(-1, 2, 5, 3))
    begin, end, ones = g.const("b", _i32([0, 1, 0, 0])), g.const("e", _i32([0, 3, 5, 3])), g.const("s", _i32([1, 1, 1, 1]))
    g.op("STRIDED_SLICE", [y, begin, end, ones], [z], begin_mask=1, end_mask=1)
    w = g.tensor("w", (1, 2, 5, 6), signature=(-1, 2, 5, 6))
    g.op("CONCATENATION", [z, z], [w], axis=-1)
    t = g.tensor("t", (1, 6, 2, 5), signature=(-1, 6, 2, 5))
    g.op("TRANSPOSE", [w, g.const("perm", _i32([0, 3, 1, 2]))], [t])
    g.output(t)
    xv = _x((3, 4, 5, 3), 8)
    yv = np.maximum(xv + _x((3,), 7), 0)[:, 1:3]
    want = np.concatenate([yv, yv], axis=-1).transpose(0, 3, 1, 2)
    check_model(g.build(), [xv], input_shapes={"x": [3, 4, 5, 3]}, reference=[want])
