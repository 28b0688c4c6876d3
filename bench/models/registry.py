"""The model zoo: every benchmark/test model, its formats, and a full-size and a tiny variant.

    from bench.models import MODELS

    spec = MODELS["mobilenet_v2"]
    model = spec.build("tflite")            # full size: .tflite bytes
    tiny = spec.build("onnx", "tiny")       # tiny variant: onnx.ModelProto (fast, for default tests)

The full variants are the sizes kcc's later work (legalization, quantization, memory planning, benchmarks)
is measured on; the tiny ones keep every layer kind with few channels and small inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.models.blazeface import blazeface_onnx, blazeface_tflite
from bench.models.kws import kws_dscnn_onnx, kws_dscnn_tflite
from bench.models.mobilenet import mobilenet_v1_onnx, mobilenet_v1_tflite, mobilenet_v2_onnx, mobilenet_v2_tflite
from bench.models.unet import unet_onnx, unet_tflite
from bench.models.yolo import yolov2_tiny_onnx

VARIANTS = ("full", "tiny")


@dataclass(frozen=True)
class ModelSpec:
    """A zoo model: `builders[format](**kwargs, seed=...)` gives an onnx.ModelProto ("onnx") or .tflite bytes
    ("tflite"); `variants[variant]` are the keyword arguments of each size, `input_shapes[variant]` the
    shape of the single input in NCHW (TFLite takes it transposed to NHWC)."""

    name: str
    title: str
    source: str
    builders: Mapping[str, Callable[..., Any]]
    variants: Mapping[str, Mapping[str, Any]]
    input_shapes: Mapping[str, tuple[int, int, int, int]]
    outputs: tuple[str, ...]

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.builders)

    def build(self, fmt: str, variant: str = "full", seed: int = 0) -> Any:
        """The model in format `fmt` ("onnx" / "tflite") at size `variant` ("full" / "tiny")."""
        if fmt not in self.builders:
            raise KeyError(f"{self.name} has no {fmt} form; it has {', '.join(self.formats)}")
        return self.builders[fmt](**self.variants[variant], seed=seed)

    def input_shape(self, fmt: str, variant: str = "full") -> tuple[int, int, int, int]:
        n, c, h, w = self.input_shapes[variant]
        return (n, h, w, c) if fmt == "tflite" else (n, c, h, w)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "mobilenet_v1",
            "MobileNetV1 1.0 224",
            "Howard et al. 2017, arXiv:1704.04861: 13 depthwise-separable blocks, 4.2M parameters",
            {"onnx": mobilenet_v1_onnx, "tflite": mobilenet_v1_tflite},
            # tiny at 64x64: the last blocks run on 2x2 maps (at 32x32 they are 1x1, where a 3x3 depthwise conv
            # only uses its centre tap and each BatchNorm channel sees one value per input)
            {"full": {"alpha": 1.0, "size": 224}, "tiny": {"alpha": 0.25, "size": 64, "classes": 10}},
            {"full": (1, 3, 224, 224), "tiny": (1, 3, 64, 64)},
            ("probs",),
        ),
        ModelSpec(
            "mobilenet_v2",
            "MobileNetV2 1.0 224",
            "Sandler et al. 2018, arXiv:1801.04381: inverted residuals (expansion 6, linear bottlenecks), 3.5M parameters",
            {"onnx": mobilenet_v2_onnx, "tflite": mobilenet_v2_tflite},
            {"full": {"alpha": 1.0, "size": 224}, "tiny": {"alpha": 0.25, "size": 64, "classes": 10}},  # 2x2 last maps
            {"full": (1, 3, 224, 224), "tiny": (1, 3, 64, 64)},
            ("probs",),
        ),
        ModelSpec(
            "yolov2_tiny",
            "YOLOv2-tiny (VOC) 320x240",
            "Redmon & Farhadi 2016, arXiv:1612.08242 (tiny-yolo-voc.cfg): 3x3 convs + leaky ReLU 0.1, 2x2 max pools "
            "(one of stride 1), 1x1 conv to 125 = 5 x (20 + 5); 10x8 grid at 320x240",
            {"onnx": yolov2_tiny_onnx},
            {"full": {"width": 1.0, "size": (240, 320)}, "tiny": {"width": 0.0625, "size": (48, 64), "outputs": 25}},
            {"full": (1, 3, 240, 320), "tiny": (1, 3, 48, 64)},
            ("grid",),
        ),
        ModelSpec(
            "blazeface",
            "BlazeFace front 128x128",
            "Bazarevsky et al. 2019, arXiv:1907.05047 (MediaPipe face_detection_front): 5x5 depthwise BlazeBlocks, "
            "channel-padded residuals, 896 anchors from 16x16 and 8x8 heads",
            {"tflite": blazeface_tflite, "onnx": blazeface_onnx},
            {"full": {"width": 1.0, "size": 128}, "tiny": {"width": 0.25, "size": 32}},
            {"full": (1, 3, 128, 128), "tiny": (1, 3, 32, 32)},
            ("regressors", "classificators"),
        ),
        ModelSpec(
            "unet",
            "UNet-like encoder-decoder 128x128",
            "after Ronneberger et al. 2015, arXiv:1505.04597: 3 stages of width 16/32/64, ConvTranspose 2x2/2 "
            "upsampling, skip concats",
            {"onnx": unet_onnx, "tflite": unet_tflite},
            {"full": {"base": 16, "size": 128, "depth": 3}, "tiny": {"base": 4, "size": 16, "depth": 2}},
            {"full": (1, 3, 128, 128), "tiny": (1, 3, 16, 16)},
            ("mask",),
        ),
        ModelSpec(
            "kws_dscnn",
            "Keyword-spotting DS-CNN 49x10",
            "Zhang et al. 2017, arXiv:1711.07128 (DS-CNN-S): 10x4/2 conv, 4 depthwise-separable blocks, 12 classes",
            {"tflite": kws_dscnn_tflite, "onnx": kws_dscnn_onnx},
            {"full": {"width": 64}, "tiny": {"width": 8, "blocks": 2}},
            {"full": (1, 1, 49, 10), "tiny": (1, 1, 49, 10)},
            ("probs",),
        ),
    )
}
