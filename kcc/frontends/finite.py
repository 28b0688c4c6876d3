"""Refusing non-finite weights: NaN or Inf in the weights, biases or batch-norm parameters of a layer.

A float weight that is NaN or +-Inf makes every value downstream NaN (or saturates it), and calibration then
picks meaningless quantization ranges; such a file is damaged or comes from a diverged training run. Both
frontends check the constant inputs listed here before converting the op and refuse the model with one line
naming the op, its index, the tensor and how many of its values are not finite.

Only the inputs that are weights are checked: a constant elsewhere may hold an infinity on purpose (a clamp
bound, a `-inf` pad value, a mask), and those stay accepted.
"""

from __future__ import annotations

import numpy as np

# TFLite operator name -> (input index, role) of its weight inputs.
TFLITE_WEIGHT_INPUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "CONV_2D": ((1, "weights"), (2, "bias")),
    "DEPTHWISE_CONV_2D": ((1, "weights"), (2, "bias")),
    "TRANSPOSE_CONV": ((1, "weights"), (3, "bias")),
    "Convolution2DTransposeBias": ((1, "weights"), (2, "bias")),
    "FULLY_CONNECTED": ((1, "weights"), (2, "bias")),
    "PRELU": ((1, "alpha"),),
}

# ONNX op type -> (input index, role) of its weight inputs (checked when constant).
ONNX_WEIGHT_INPUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "Conv": ((1, "weights"), (2, "bias")),
    "ConvTranspose": ((1, "weights"), (2, "bias")),
    "Gemm": ((0, "A"), (1, "B (weights)"), (2, "C (bias)")),
    "MatMul": ((0, "A"), (1, "B (weights)")),
    "BatchNormalization": ((1, "scale"), (2, "B (bias)"), (3, "mean"), (4, "var")),
    "PRelu": ((1, "slope"),),
}

NON_FINITE_HINT = "weights must be finite numbers: the file is damaged or the training diverged; re-export the model"


def non_finite_message(array: np.ndarray, role: str, input_index: int, tensor: str) -> str | None:
    """None when `array` is not a float array or holds only finite values; else the error message naming the
    tensor and the counts of NaN and infinite values."""
    if array.dtype.kind != "f" or array.size == 0:
        return None
    nan = int(np.count_nonzero(np.isnan(array)))
    inf = int(np.count_nonzero(np.isinf(array)))
    if nan == 0 and inf == 0:
        return None
    return f"{role} '{tensor}' (input #{input_index}) has {nan + inf} non-finite values of {array.size} ({nan} NaN, {inf} Inf)"
