"""A small UNet-like encoder-decoder (after Ronneberger et al. 2015, arXiv:1505.04597) at 128x128.

`depth` encoder stages of two 3x3 convs (BN + ReLU, width base * 2^d) and a 2x2 max pool, a bottleneck of
two convs, and `depth` decoder stages: a 2x2 stride-2 ConvTranspose (with bias) halving the width, a skip
Concat with the encoder map of the same size, two 3x3 convs; a final 1x1 conv to `classes` logits.
"""

from __future__ import annotations

import onnx

from bench.models.calibrate import set_batchnorm_from_data
from bench.models.net import Net
from bench.models.to_onnx import to_onnx
from bench.models.to_tflite import to_tflite


def unet(base: int = 16, size: int = 128, depth: int = 3, classes: int = 2, seed: int = 0) -> Net:
    """The encoder-decoder as a `Net` with BatchNorm set from data (input 'image' [1, 3, size, size], output 'mask')."""
    if size % 2**depth:
        raise ValueError(f"size {size} must be divisible by 2^{depth}")
    net = Net(f"unet_{base}_{size}_d{depth}", seed)
    x = net.input("image", 3, size, size)
    skips: list[int] = []
    for d in range(depth):
        x = net.conv(net.conv(x, base << d, 3, act="relu"), base << d, 3, act="relu")
        skips.append(x)
        x = net.maxpool(x, 2, 2)
    x = net.conv(net.conv(x, base << depth, 3, act="relu"), base << depth, 3, act="relu")
    for d in reversed(range(depth)):
        up = net.deconv(x, base << d, 2, 2)
        x = net.concat([skips[d], up], 1)
        x = net.conv(net.conv(x, base << d, 3, act="relu"), base << d, 3, act="relu")
    net.output("mask", net.conv(x, classes, 1, bn=False, bias=True))
    return set_batchnorm_from_data(net)


def unet_onnx(base: int = 16, size: int = 128, depth: int = 3, classes: int = 2, seed: int = 0) -> onnx.ModelProto:
    """The encoder-decoder as ONNX (Conv + BatchNormalization + Relu, MaxPool, ConvTranspose, Concat)."""
    return to_onnx(unet(base, size, depth, classes, seed))


def unet_tflite(base: int = 16, size: int = 128, depth: int = 3, classes: int = 2, seed: int = 0) -> bytes:
    """The encoder-decoder as TFLite (CONV_2D with fused RELU, MAX_POOL_2D, TRANSPOSE_CONV, CONCATENATION)."""
    return to_tflite(unet(base, size, depth, classes, seed))
