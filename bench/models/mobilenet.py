"""MobileNetV1 (Howard et al. 2017, arXiv:1704.04861) and MobileNetV2 (Sandler et al. 2018, arXiv:1801.04381).

V1: a 3x3/2 stem, 13 depthwise-separable blocks (3x3 depthwise + 1x1 pointwise, each BN + ReLU6), global
average pool, fully connected classifier, softmax; 4.2M parameters at alpha 1.0 (224x224, 1000 classes).
V2: a 3x3/2 stem, 17 inverted-residual bottlenecks (1x1 expansion x6, 3x3 depthwise, linear 1x1 projection;
ADD of the input where stride 1 and widths match), a 1x1 conv to 1280, global average pool, classifier,
softmax; 3.5M parameters at alpha 1.0.

`padding` is "same" (TensorFlow's: stride-2 convs pad 0 before / 1 after on even sizes, as in a converted
TFLite model) or "symmetric" (k // 2 on every side, as a PyTorch export has). The ONNX forms default to
symmetric, the TFLite forms to same.

The BatchNorms before a ReLU6 get the shift `bn_beta` (default 1.0: ReLU6 passes 84% of the normalised
pre-activations). A chain of BN + ReLU layers with random weights and beta 0 is chaotic: each layer
multiplies the power of a small relative perturbation of its input by E[relu'(h)^2] / Var(relu(h)) = 1.47
for h ~ N(0, 1) (the mean-field view of batch-normalised nets), so over MobileNetV1's 27 layers the float
model itself turns uint8 input rounding (41 dB) into an output cosine below 0.99, as no trained classifier
does. With beta 1 the gain is 1.12 per layer. MobileNetV1's BatchNorm statistics come from
`batchnorm_input_count` inputs (at least 64 values per channel everywhere).
"""

from __future__ import annotations

import onnx

from bench.models.calibrate import batchnorm_input_count, calibration_inputs, set_batchnorm_from_data
from bench.models.net import Net
from bench.models.to_onnx import to_onnx
from bench.models.to_tflite import to_tflite

# (output channels at alpha 1, stride) of MobileNetV1's 13 depthwise-separable blocks.
MOBILENET_V1_BLOCKS = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
)  # fmt: skip

# (expansion t, output channels c at alpha 1, repeats n, first stride s) of MobileNetV2's bottleneck stages.
MOBILENET_V2_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _pad(padding: str, k: int) -> str | int:
    if padding not in ("same", "symmetric"):
        raise ValueError(f"padding must be 'same' or 'symmetric', not {padding!r}")
    return "same" if padding == "same" else k // 2


def mobilenet_v1(
    alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "same", bn_beta: float = 1.0
) -> Net:
    """MobileNetV1 as a `Net` with BatchNorm set from data (input 'input' [1, 3, size, size], output 'probs');
    every BatchNorm shifts by `bn_beta` (see the module docstring)."""
    net = Net(f"mobilenet_v1_{alpha:g}_{size}", seed)
    ch = int(32 * alpha)
    x = net.conv(net.input("input", 3, size, size), ch, 3, 2, pad=_pad(padding, 3), act="relu6")
    for cout, stride in MOBILENET_V1_BLOCKS:
        x = net.conv(x, ch, 3, stride, groups=ch, pad=_pad(padding, 3), act="relu6")
        ch = int(cout * alpha)
        x = net.conv(x, ch, 1, act="relu6")
    x = net.fc(net.global_avgpool(x, "AVERAGE_POOL_2D"), classes)
    net.output("probs", net.softmax(x))
    for layer in net.layers:
        if layer.has_bn:
            layer.weights["bn_beta"][:] = bn_beta
    return set_batchnorm_from_data(net, calibration_inputs((1, 3, size, size), batchnorm_input_count(net)))


def _divisible(v: float, d: int = 8) -> int:
    """MobileNetV2's channel rounding: to a multiple of 8, never below 90% of `v`."""
    new = max(d, int(v + d / 2) // d * d)
    return new + d if new < 0.9 * v else new


def mobilenet_v2(
    alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "same", bn_beta: float = 1.0
) -> Net:
    """MobileNetV2 as a `Net` with BatchNorm set from data (input 'input' [1, 3, size, size], output 'probs');
    the BatchNorms before a ReLU6 shift by `bn_beta` (the linear bottlenecks keep 0; see the module docstring)."""
    net = Net(f"mobilenet_v2_{alpha:g}_{size}", seed)
    ch = _divisible(32 * alpha)
    x = net.conv(net.input("input", 3, size, size), ch, 3, 2, pad=_pad(padding, 3), act="relu6")
    for t, c, n, s in MOBILENET_V2_STAGES:
        cout = _divisible(c * alpha)
        for j in range(n):
            stride = s if j == 0 else 1
            y = net.conv(x, ch * t, 1, act="relu6") if t != 1 else x
            y = net.conv(y, ch * t, 3, stride, groups=ch * t, pad=_pad(padding, 3), act="relu6")
            y = net.conv(y, cout, 1)  # linear bottleneck
            x = net.add(x, y) if stride == 1 and ch == cout else y
            ch = cout
    x = net.conv(x, _divisible(1280 * alpha) if alpha > 1.0 else 1280, 1, act="relu6")
    x = net.fc(net.global_avgpool(x, "MEAN"), classes)
    net.output("probs", net.softmax(x))
    for layer in net.layers:
        if layer.has_bn and layer.attrs["act"] == "relu6":
            layer.weights["bn_beta"][:] = bn_beta
    return set_batchnorm_from_data(net)


def mobilenet_v1_onnx(
    alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "symmetric"
) -> onnx.ModelProto:
    """MobileNetV1 as ONNX (opset 13, NCHW, BatchNormalization + Clip after every conv, Gemm classifier)."""
    return to_onnx(mobilenet_v1(alpha, size, classes, seed, padding))


def mobilenet_v1_tflite(alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "same") -> bytes:
    """MobileNetV1 as TFLite (NHWC, BN folded, fused RELU6, AVERAGE_POOL_2D + RESHAPE + FULLY_CONNECTED + SOFTMAX)."""
    return to_tflite(mobilenet_v1(alpha, size, classes, seed, padding))


def mobilenet_v2_onnx(
    alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "symmetric"
) -> onnx.ModelProto:
    """MobileNetV2 as ONNX (opset 13, NCHW, BatchNormalization after every conv, Add residuals, Gemm classifier)."""
    return to_onnx(mobilenet_v2(alpha, size, classes, seed, padding))


def mobilenet_v2_tflite(alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0, padding: str = "same") -> bytes:
    """MobileNetV2 as TFLite (NHWC, BN folded, fused RELU6, ADD residuals, MEAN + FULLY_CONNECTED + SOFTMAX)."""
    return to_tflite(mobilenet_v2(alpha, size, classes, seed, padding))
