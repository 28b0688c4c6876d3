"""A BlazeFace-shaped face detector (Bazarevsky et al. 2019, arXiv:1907.05047; MediaPipe's 128x128 front model).

A 5x5/2 conv (24 channels), 16 BlazeBlocks (5x5 depthwise conv + 1x1 conv, ReLU after a residual ADD; on
stride-2 blocks the residual is a 2x2 max pool, and where the width grows it is zero-padded in channels with
PAD), TensorFlow SAME padding (stride 2 on even sizes pads 1 before and 2 after), and two heads on the 16x16
(88 channels) and 8x8 (96 channels) maps: 1x1 convs to 2 / 6 scores and 32 / 96 box values, reshaped in NHWC
order and concatenated into 'classificators' [1, 896, 1] and 'regressors' [1, 896, 16]. Convs have bias and
no BatchNorm, as in the released model (here BN set from data and folded, which gives such biases).
"""

from __future__ import annotations

import onnx

from bench.models.calibrate import set_batchnorm_from_data
from bench.models.net import Net
from bench.models.to_onnx import to_onnx
from bench.models.to_tflite import to_tflite

# (output channels, stride) of the BlazeBlocks after the 24-channel stem; the first 11 make the 16x16 map.
BLAZEFACE_BLOCKS = (
    (24, 1), (28, 1), (32, 2), (36, 1), (42, 1), (48, 2), (56, 1), (64, 1), (72, 1), (80, 1), (88, 1),
    (96, 2), (96, 1), (96, 1), (96, 1), (96, 1),
)  # fmt: skip


def _blaze_block(net: Net, x: int, cout: int, stride: int) -> int:
    cin = net.shape(x)[1]
    y = net.conv(x, cin, 5, stride, groups=cin, pad="same")
    y = net.conv(y, cout, 1)
    skip = net.maxpool(x, 2, 2) if stride == 2 else x
    if cout > cin:
        skip = net.pad_channels(skip, cout)
    return net.add(y, skip, act="relu")


def blazeface(width: float = 1.0, size: int = 128, seed: int = 0) -> Net:
    """BlazeFace as a `Net` with BatchNorm set from data (input 'input' [1, 3, size, size])."""
    net = Net(f"blazeface_{width:g}_{size}", seed)
    x = net.conv(net.input("input", 3, size, size), max(1, int(24 * width)), 5, 2, pad="same", act="relu")
    maps: list[int] = []
    for i, (cout, stride) in enumerate(BLAZEFACE_BLOCKS):
        x = _blaze_block(net, x, max(1, int(cout * width)), stride)
        if i in (10, len(BLAZEFACE_BLOCKS) - 1):
            maps.append(x)
    scores = [net.rows(net.conv(m, n, 1, bn=False, bias=True), 1) for m, n in zip(maps, (2, 6), strict=True)]
    boxes = [net.rows(net.conv(m, n, 1, bn=False, bias=True), 16) for m, n in zip(maps, (32, 96), strict=True)]
    net.output("regressors", net.concat(boxes, 1))
    net.output("classificators", net.concat(scores, 1))
    return set_batchnorm_from_data(net)


def blazeface_tflite(width: float = 1.0, size: int = 128, seed: int = 0) -> bytes:
    """BlazeFace as TFLite (its native form: SAME stride-2 depthwise convs, MAX_POOL_2D + PAD + ADD residuals,
    RESHAPE + CONCATENATION heads)."""
    return to_tflite(blazeface(width, size, seed))


def blazeface_onnx(width: float = 1.0, size: int = 128, seed: int = 0) -> onnx.ModelProto:
    """BlazeFace as ONNX, as tf2onnx converts it: convs with bias and explicit asymmetric pads, channel Pad,
    Transpose to NHWC + Reshape + Concat heads."""
    return to_onnx(blazeface(width, size, seed), fold_bn=True)
