"""TFLite RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: kcc's import + interpreter against litert.

Every align_corners / half_pixel_centers combination TFLite accepts, up- and downsampling, float32 and
int8 / uint8. Nearest only picks input values; quantized bilinear runs TFLite's reference arithmetic in
kcc's interpreter (float32 weights for uint8, 1/1024 fixed-point ones for int8): all exact.
"""

from __future__ import annotations

import numpy as np
import pytest
from tflite_import_ref import QParams, check_op, const, import_error, rand_q, tensor

from kcc.dialects import nn

FLAGS = [(False, False), (True, False), (False, True)]
SIZES = [((4, 5), (8, 10)), ((4, 5), (7, 3)), ((3, 3), (9, 9)), ((6, 8), (3, 4)), ((5, 7), (1, 1)), ((1, 1), (3, 2))]


def _x(hw: tuple[int, int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((2, *hw, 3)).astype(np.float32)


def _options(align: bool, half: bool) -> dict[str, bool]:
    return {"align_corners": align, "half_pixel_centers": half}


def _resize_op(module: object) -> nn.ResizeOp:
    (op,) = [o for o in module.walk() if isinstance(o, nn.ResizeOp)]  # type: ignore[attr-defined]
    return op


@pytest.mark.parametrize(("in_hw", "out_hw"), SIZES)
@pytest.mark.parametrize(("align", "half"), FLAGS)
def test_bilinear(align: bool, half: bool, in_hw: tuple[int, int], out_hw: tuple[int, int]) -> None:
    module = check_op("RESIZE_BILINEAR", [_x(in_hw), const(np.asarray(out_hw, dtype=np.int32))], _options(align, half))
    assert [o.name for o in module.walk() if o.name.startswith("nn.")] == ["nn.transpose", "nn.resize", "nn.transpose"]
    assert _resize_op(module).mode.data == "bilinear"


@pytest.mark.parametrize(("in_hw", "out_hw"), SIZES)
@pytest.mark.parametrize(("align", "half"), FLAGS)
def test_nearest(align: bool, half: bool, in_hw: tuple[int, int], out_hw: tuple[int, int]) -> None:
    module = check_op("RESIZE_NEAREST_NEIGHBOR", [_x(in_hw), const(np.asarray(out_hw, dtype=np.int32))], _options(align, half))
    assert _resize_op(module).mode.data == "nearest"


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize(("align", "half"), FLAGS)
def test_bilinear_quantized(dtype: type, align: bool, half: bool) -> None:
    q = QParams(0.05, -9 if dtype == np.int8 else 117)
    x = tensor(rand_q(np.random.default_rng(1), (1, 4, 5, 3), dtype), q)
    check_op("RESIZE_BILINEAR", [x, const(np.asarray([7, 9], dtype=np.int32))], _options(align, half))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
@pytest.mark.parametrize(("align", "half"), FLAGS)
def test_nearest_quantized(dtype: type, align: bool, half: bool) -> None:
    q = QParams(0.05, -9 if dtype == np.int8 else 117)
    x = tensor(rand_q(np.random.default_rng(2), (1, 4, 5, 3), dtype), q)
    check_op("RESIZE_NEAREST_NEIGHBOR", [x, const(np.asarray([9, 7], dtype=np.int32))], _options(align, half))


@pytest.mark.parametrize("op", ["RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"])
def test_align_corners_with_half_pixel_rejected(op: str) -> None:
    # TFLite refuses the pair for bilinear; for nearest it rounds (x + 0.5) * (in - 1) / (out - 1), which no
    # nn.resize coordinate mode expresses.
    operands = [_x((4, 5)), const(np.asarray([8, 10], dtype=np.int32))]
    message = import_error(op, operands, _options(True, True), output_shape=(2, 8, 10, 3))
    assert op in message and "half_pixel_centers" in message


def test_resize_needs_constant_size() -> None:
    operands = [_x((4, 5)), np.asarray([8, 10], dtype=np.int32)]
    message = import_error("RESIZE_NEAREST_NEIGHBOR", operands, output_shape=(2, 8, 10, 3))
    assert "RESIZE_NEAREST_NEIGHBOR" in message and "constant" in message
