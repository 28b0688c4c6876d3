"""A keyword-spotting DS-CNN (Zhang et al. 2017, "Hello Edge", arXiv:1711.07128; the DS-CNN-S shape).

Input: 49 frames x 10 MFCC coefficients, one channel ([1, 1, 49, 10] NCHW / [1, 49, 10, 1] NHWC). A 10x4
stride-2 conv (SAME: 25x5), four depthwise-separable blocks (3x3 depthwise + 1x1 pointwise, BN + ReLU each),
global average pool, a fully connected layer to 12 classes and softmax. 24K parameters at width 64.
"""

from __future__ import annotations

import onnx

from bench.models.calibrate import set_batchnorm_from_data
from bench.models.net import Net
from bench.models.to_onnx import to_onnx
from bench.models.to_tflite import to_tflite


def kws_dscnn(width: int = 64, blocks: int = 4, classes: int = 12, seed: int = 0) -> Net:
    """The DS-CNN as a `Net` with BatchNorm set from data (input 'mfcc' [1, 1, 49, 10], output 'probs')."""
    net = Net(f"kws_dscnn_{width}", seed)
    x = net.conv(net.input("mfcc", 1, 49, 10), width, (10, 4), 2, pad="same", act="relu")
    for _ in range(blocks):
        x = net.conv(x, width, 3, groups=width, pad="same", act="relu")
        x = net.conv(x, width, 1, act="relu")
    x = net.fc(net.global_avgpool(x, "AVERAGE_POOL_2D"), classes)
    net.output("probs", net.softmax(x))
    return set_batchnorm_from_data(net)


def kws_dscnn_tflite(width: int = 64, blocks: int = 4, classes: int = 12, seed: int = 0) -> bytes:
    """The DS-CNN as TFLite (CONV_2D / DEPTHWISE_CONV_2D with fused RELU, AVERAGE_POOL_2D, FULLY_CONNECTED, SOFTMAX)."""
    return to_tflite(kws_dscnn(width, blocks, classes, seed))


def kws_dscnn_onnx(width: int = 64, blocks: int = 4, classes: int = 12, seed: int = 0) -> onnx.ModelProto:
    """The DS-CNN as ONNX (Conv with explicit asymmetric pads + BatchNormalization + Relu, Gemm, Softmax)."""
    return to_onnx(kws_dscnn(width, blocks, classes, seed))
