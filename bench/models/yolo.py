"""A YOLOv2-tiny-shaped detector (Redmon & Farhadi 2016, arXiv:1612.08242; darknet's tiny-yolo-voc.cfg).

Nine 3x3 convs (16, 32, 64, 128, 256, 512, 1024, 1024 filters at width 1; BN + leaky ReLU 0.1, darknet's
pad 1), 2x2 max pools of stride 2 after the first five and one of stride 1 after the sixth (darknet pads
the bottom/right edge, so odd sizes round up and the stride-1 pool keeps the size), and a final 1x1 conv
to 125 channels (5 anchors x (20 VOC classes + 5)) with bias and no activation. At 320x240 the grid is
10x8 and the net has 15.9M parameters. ONNX only (a darknet model reaches kcc through ONNX).
"""

from __future__ import annotations

import onnx

from bench.models.calibrate import set_batchnorm_from_data
from bench.models.net import Net
from bench.models.to_onnx import to_onnx

YOLOV2_TINY_FILTERS = (16, 32, 64, 128, 256, 512, 1024, 1024)


def yolov2_tiny(width: float = 1.0, size: tuple[int, int] = (240, 320), outputs: int = 125, seed: int = 0) -> Net:
    """YOLOv2-tiny as a `Net` with BatchNorm set from data (input 'image' [1, 3, *size], output 'grid').
    `width` multiplies the filter counts, `size` is (height, width) of the image."""
    net = Net(f"yolov2_tiny_{width:g}_{size[1]}x{size[0]}", seed)
    x = net.input("image", 3, *size)
    for i, filters in enumerate(YOLOV2_TINY_FILTERS):
        x = net.conv(x, max(1, int(filters * width)), 3, pad=1, act="leaky")
        if i < 5:
            x = net.maxpool(x, 2, 2, "same")
        elif i == 5:
            x = net.maxpool(x, 2, 1, "same")
    net.output("grid", net.conv(x, outputs, 1, pad=0, bn=False, bias=True))
    return set_batchnorm_from_data(net)


def yolov2_tiny_onnx(
    width: float = 1.0, size: tuple[int, int] = (240, 320), outputs: int = 125, seed: int = 0
) -> onnx.ModelProto:
    """YOLOv2-tiny as ONNX (Conv + BatchNormalization + LeakyRelu, MaxPool with bottom/right pads)."""
    return to_onnx(yolov2_tiny(width, size, outputs, seed))
