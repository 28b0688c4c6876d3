"""Parameter counts of emitted models: the values of their float weight and bias tensors."""

from __future__ import annotations

import numpy as np
import onnx
import tflite


def parameter_count(model: onnx.ModelProto) -> int:
    """Values in the ONNX model's float tensor initializers (weights, biases, BatchNorm gamma / beta), BatchNorm
    running mean / variance (statistics, not parameters), scalars (Clip bounds) and integer shapes excluded."""
    stats = {name for node in model.graph.node if node.op_type == "BatchNormalization" for name in node.input[3:5]}
    return sum(
        int(np.prod(t.dims))
        for t in model.graph.initializer
        if t.name not in stats and t.data_type == onnx.TensorProto.FLOAT and len(t.dims) > 0
    )


def tflite_parameter_count(model: bytes) -> int:
    """Values in the TFLite model's float32 constant tensors (weights and biases; int32 shapes not counted)."""
    m = tflite.Model.GetRootAs(model, 0)
    g = m.Subgraphs(0)
    count = 0
    for i in range(g.TensorsLength()):
        t = g.Tensors(i)
        if t.Type() == tflite.TensorType.FLOAT32 and m.Buffers(t.Buffer()).DataLength() > 0:
            count += int(np.prod(t.ShapeAsNumpy()))
    return count
