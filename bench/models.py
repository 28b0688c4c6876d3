"""Benchmark models built in memory with random weights (seeded, so every run measures the same model).

`mobilenet_v1_onnx(alpha, size)` is MobileNetV1 (Howard et al. 2017): a 3x3/2 stem, 13 depthwise-separable blocks,
global average pool, a 1x1 classifier and softmax; BatchNorm after every conv with statistics drawn at random.
At alpha 1.0 and 224x224 it has 4.2M parameters, the size the frontend import-time goal is stated for.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (output channels at alpha 1, stride) of the 13 depthwise-separable blocks.
MOBILENET_V1_BLOCKS = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
)  # fmt: skip


class _Graph:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def weight(self, prefix: str, shape: tuple[int, ...], scale: float) -> str:
        name = self.name(prefix)
        data = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.inits.append(numpy_helper.from_array(data, name))
        return name

    def conv_bn_relu6(self, x: str, cin: int, cout: int, k: int, stride: int, groups: int) -> str:
        w = self.weight("w", (cout, cin // groups, k, k), (2.0 / (k * k * cin / groups)) ** 0.5)
        y = self.name("conv")
        pad = k // 2
        self.nodes.append(
            helper.make_node("Conv", [x, w], [y], strides=[stride] * 2, pads=[pad] * 4, group=groups, kernel_shape=[k, k])
        )
        gamma = self.name("gamma")
        self.inits.append(numpy_helper.from_array(self.rng.uniform(0.5, 1.5, cout).astype(np.float32), gamma))
        beta = self.name("beta")
        self.inits.append(numpy_helper.from_array(self.rng.normal(0, 0.1, cout).astype(np.float32), beta))
        mean = self.name("mean")
        self.inits.append(numpy_helper.from_array(self.rng.normal(0, 0.1, cout).astype(np.float32), mean))
        var = self.name("var")
        self.inits.append(numpy_helper.from_array(self.rng.uniform(0.5, 1.5, cout).astype(np.float32), var))
        z = self.name("bn")
        self.nodes.append(helper.make_node("BatchNormalization", [y, gamma, beta, mean, var], [z], epsilon=1e-3))
        lo, hi = self.name("lo"), self.name("hi")
        self.inits += [numpy_helper.from_array(np.float32(0), lo), numpy_helper.from_array(np.float32(6), hi)]
        r = self.name("relu6")
        self.nodes.append(helper.make_node("Clip", [z, lo, hi], [r]))
        return r


def mobilenet_v1_onnx(alpha: float = 1.0, size: int = 224, classes: int = 1000, seed: int = 0) -> onnx.ModelProto:
    """MobileNetV1 as an ONNX model (opset 13, NCHW float32 input 'input', output 'probs')."""
    g = _Graph(seed)
    ch = int(32 * alpha)
    x = g.conv_bn_relu6("input", 3, ch, 3, 2, 1)
    for cout, stride in MOBILENET_V1_BLOCKS:
        cout = int(cout * alpha)
        x = g.conv_bn_relu6(x, ch, ch, 3, stride, ch)
        x = g.conv_bn_relu6(x, ch, cout, 1, 1, 1)
        ch = cout
    pooled = g.name("pool")
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], [pooled]))
    w = g.weight("fc_w", (classes, ch, 1, 1), (1.0 / ch) ** 0.5)
    logits = g.name("logits")
    g.nodes.append(helper.make_node("Conv", [pooled, w], [logits], kernel_shape=[1, 1]))
    flat = g.name("flat")
    g.nodes.append(helper.make_node("Flatten", [logits], [flat], axis=1))
    g.nodes.append(helper.make_node("Softmax", [flat], ["probs"], axis=1))
    graph = helper.make_graph(
        g.nodes,
        f"mobilenet_v1_{alpha:g}_{size}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, classes])],
        g.inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kcc-bench")


def parameter_count(model: onnx.ModelProto) -> int:
    return sum(int(np.prod(t.dims)) for t in model.graph.initializer)
