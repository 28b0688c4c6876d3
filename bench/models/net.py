"""A small layer graph that the benchmark models are written in once and emitted as ONNX and as TFLite.

Feature maps have logical NCHW shapes [1, C, H, W] (the ONNX layout; the TFLite emitter writes them NHWC);
vectors are [1, N]; `rows` tensors are [1, R, K]. Weights are numpy arrays in ONNX layout, drawn from one
seeded generator in construction order, so a (builder, arguments, seed) triple always gives the same net.

Every `conv` may carry a BatchNorm (gamma 1, beta 0, eps 1e-3) whose mean/var are set from data by
`bench.models.calibrate.set_batchnorm_from_data`; the ONNX emitter writes it as BatchNormalization (or folds
it), the TFLite emitter always folds it into the conv's weights and bias, as TFLite converters do.

Padding is given as "same" (TensorFlow's rule: total = max((out - 1) * stride + k - in, 0), the smaller half
first, out = ceil(in / stride)), "valid", an int p (p on every side) or explicit (top, left, bottom, right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Pads = tuple[int, int, int, int]  # top, left, bottom, right
BN_EPSILON = 1e-3
ACTIVATIONS = (None, "relu", "relu6", "leaky")
LEAKY_ALPHA = 0.1


@dataclass
class Layer:
    """One layer: `kind`, input layer indices, logical output shape, attributes and weights."""

    kind: str
    inputs: tuple[int, ...]
    shape: tuple[int, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def has_bn(self) -> bool:
        return "bn_mean" in self.weights


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def same_pads(size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int]) -> Pads:
    """TensorFlow SAME padding of a (h, w) input."""
    begin: list[int] = []
    end: list[int] = []
    for n, k, s in zip(size, kernel, stride, strict=True):
        out = math.ceil(n / s)
        total = max((out - 1) * s + k - n, 0)
        begin.append(total // 2)
        end.append(total - total // 2)
    return (begin[0], begin[1], end[0], end[1])


def resolve_pads(pad: str | int | Pads, size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int]) -> Pads:
    if pad == "same":
        return same_pads(size, kernel, stride)
    if pad == "valid":
        return (0, 0, 0, 0)
    if isinstance(pad, int):
        return (pad, pad, pad, pad)
    if isinstance(pad, tuple) and len(pad) == 4:
        return pad
    raise ValueError(f"bad padding {pad!r}")


def window_out(size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int], pads: Pads) -> tuple[int, int]:
    h = (size[0] + pads[0] + pads[2] - kernel[0]) // stride[0] + 1
    w = (size[1] + pads[1] + pads[3] - kernel[1]) // stride[1] + 1
    return h, w


class Net:
    """A model under construction; methods append a layer and return its index."""

    def __init__(self, name: str, seed: int) -> None:
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.outputs: list[tuple[str, int]] = []

    def _add(self, layer: Layer) -> int:
        self.layers.append(layer)
        return len(self.layers) - 1

    def shape(self, x: int) -> tuple[int, ...]:
        return self.layers[x].shape

    def input(self, name: str, c: int, h: int, w: int) -> int:
        return self._add(Layer("input", (), (1, c, h, w), {"name": name}))

    def output(self, name: str, x: int) -> None:
        self.outputs.append((name, x))

    def conv(
        self,
        x: int,
        cout: int,
        kernel: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        groups: int = 1,
        pad: str | int | Pads = "same",
        bn: bool = True,
        bias: bool = False,
        act: str | None = None,
    ) -> int:
        """Conv2d (+ BatchNorm) (+ activation). groups == cin == cout is a depthwise conv."""
        _, cin, h, w = self.shape(x)
        k, s = _pair(kernel), _pair(stride)
        if cin % groups or cout % groups:
            raise ValueError(f"conv: {cin} -> {cout} channels not divisible by groups {groups}")
        if act not in ACTIVATIONS:
            raise ValueError(f"conv: unknown activation {act!r}")
        pads = resolve_pads(pad, (h, w), k, s)
        oh, ow = window_out((h, w), k, s, pads)
        fan_in = cin // groups * k[0] * k[1]
        gain = 1.0 if bn or act is None else 2.0  # He init when no BN rescales the output
        weights = {"w": (self.rng.standard_normal((cout, cin // groups, *k)) * (gain / fan_in) ** 0.5).astype(np.float32)}
        if bias:
            weights["b"] = self.rng.normal(0.0, 0.1, cout).astype(np.float32)
        if bn:
            weights["bn_gamma"] = np.ones(cout, np.float32)
            weights["bn_beta"] = np.zeros(cout, np.float32)
            weights["bn_mean"] = np.zeros(cout, np.float32)
            weights["bn_var"] = np.ones(cout, np.float32)
        attrs = {"kernel": k, "stride": s, "groups": groups, "pads": pads, "act": act}
        return self._add(Layer("conv", (x,), (1, cout, oh, ow), attrs, weights))

    def deconv(self, x: int, cout: int, kernel: int, stride: int, act: str | None = None) -> int:
        """ConvTranspose2d with bias and kernel == stride (no overlap, no padding): out = in * stride."""
        _, cin, h, w = self.shape(x)
        if kernel != stride:
            raise ValueError("deconv: only kernel == stride is supported")
        weights = {
            "w": (self.rng.standard_normal((cin, cout, kernel, kernel)) * (1.0 / cin) ** 0.5).astype(np.float32),
            "b": self.rng.normal(0.0, 0.1, cout).astype(np.float32),
        }
        attrs = {"kernel": (kernel, kernel), "stride": (stride, stride), "act": act}
        return self._add(Layer("deconv", (x,), (1, cout, h * stride, w * stride), attrs, weights))

    def add(self, a: int, b: int, act: str | None = None) -> int:
        if self.shape(a) != self.shape(b):
            raise ValueError(f"add: shapes {self.shape(a)} and {self.shape(b)} differ")
        return self._add(Layer("add", (a, b), self.shape(a), {"act": act}))

    def maxpool(self, x: int, kernel: int, stride: int, pad: str | int | Pads = "valid") -> int:
        _, c, h, w = self.shape(x)
        k, s = _pair(kernel), _pair(stride)
        pads = resolve_pads(pad, (h, w), k, s)
        oh, ow = window_out((h, w), k, s, pads)
        return self._add(Layer("maxpool", (x,), (1, c, oh, ow), {"kernel": k, "stride": s, "pads": pads}))

    def global_avgpool(self, x: int, tflite_op: str = "AVERAGE_POOL_2D") -> int:
        """Mean over H and W, giving [1, C]; in TFLite as AVERAGE_POOL_2D + RESHAPE or as MEAN."""
        if tflite_op not in ("AVERAGE_POOL_2D", "MEAN"):
            raise ValueError(f"global_avgpool: tflite_op {tflite_op!r}")
        return self._add(Layer("gap", (x,), (1, self.shape(x)[1]), {"tflite_op": tflite_op}))

    def fc(self, x: int, n: int, act: str | None = None) -> int:
        """Fully connected with bias on a [1, C] vector."""
        _, c = self.shape(x)
        weights = {
            "w": (self.rng.standard_normal((n, c)) * (1.0 / c) ** 0.5).astype(np.float32),
            "b": self.rng.normal(0.0, 0.1, n).astype(np.float32),
        }
        return self._add(Layer("fc", (x,), (1, n), {"act": act}, weights))

    def softmax(self, x: int) -> int:
        return self._add(Layer("softmax", (x,), self.shape(x)))

    def pad_channels(self, x: int, cout: int) -> int:
        """Zero channels appended after the existing ones (BlazeFace's residual channel padding)."""
        _, c, h, w = self.shape(x)
        return self._add(Layer("pad_channels", (x,), (1, cout, h, w), {"extra": cout - c}))

    def concat(self, xs: list[int], axis: int) -> int:
        """Concatenate on logical axis (1 = channels of feature maps, or axis 1 of rows)."""
        shape = list(self.shape(xs[0]))
        shape[axis] = sum(self.shape(x)[axis] for x in xs)
        return self._add(Layer("concat", tuple(xs), tuple(shape), {"axis": axis}))

    def rows(self, x: int, k: int) -> int:
        """Reshape a feature map read in NHWC order into [1, H*W*C/k, k] (detection head outputs)."""
        _, c, h, w = self.shape(x)
        if (h * w * c) % k:
            raise ValueError(f"rows: {h}x{w}x{c} not divisible by {k}")
        return self._add(Layer("rows", (x,), (1, h * w * c // k, k)))

    def parameter_count(self) -> int:
        """Trainable parameters (BatchNorm gamma/beta counted, running statistics not)."""
        skip = ("bn_mean", "bn_var")
        return sum(int(a.size) for layer in self.layers for n, a in layer.weights.items() if n not in skip)


def folded_conv(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """The conv's weights and bias with its BatchNorm folded in (bias zero if it had neither)."""
    w = layer.weights["w"].astype(np.float64)
    b = layer.weights.get("b", np.zeros(w.shape[0], np.float32)).astype(np.float64)
    if layer.has_bn:
        ws = layer.weights
        scale = ws["bn_gamma"].astype(np.float64) / np.sqrt(ws["bn_var"].astype(np.float64) + BN_EPSILON)
        w = w * scale[:, None, None, None]
        b = (b - ws["bn_mean"]) * scale + ws["bn_beta"]
    return w.astype(np.float32), b.astype(np.float32)
