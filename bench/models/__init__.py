"""Benchmark and test models built in memory with seeded random weights, as ONNX and TFLite.

Each model is written once as a `Net` (bench/models/net.py), its BatchNorm statistics are set from data
(calibrate.py) and it is emitted as ONNX (to_onnx.py) and/or TFLite (to_tflite.py). `MODELS` (registry.py)
lists them with their formats and a full-size and a tiny variant.
"""

from __future__ import annotations

from bench.models.count import parameter_count, tflite_parameter_count
from bench.models.mobilenet import mobilenet_v1_onnx, mobilenet_v1_tflite, mobilenet_v2_onnx, mobilenet_v2_tflite
from bench.models.registry import MODELS, VARIANTS, ModelSpec

__all__ = [
    "MODELS",
    "VARIANTS",
    "ModelSpec",
    "mobilenet_v1_onnx",
    "mobilenet_v1_tflite",
    "mobilenet_v2_onnx",
    "mobilenet_v2_tflite",
    "parameter_count",
    "tflite_parameter_count",
]
