"""BatchNorm statistics set from data, so activations of a random-weight net stay well scaled through it.

`set_batchnorm_from_data(net)` runs the net (as ONNX, with onnxruntime) on a few random and structured
inputs and, layer by layer in graph order, sets each BatchNorm's running mean / variance to the measured
per-channel mean / variance of its input (over batch, height and width). Later layers are measured with the
earlier ones already set, so every BatchNorm output is normalised: per-channel mean 0 and variance 1 on the
calibration inputs (before gamma / beta).

Four inputs are enough where every map is large; a net that ends in small maps (2x2 at the end of a 64x64
MobileNetV1) sees only a few values per channel there, so its builder asks `batchnorm_input_count(net)` for
enough inputs that every BatchNorm measures at least `BN_VALUES_PER_CHANNEL` values per channel.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from bench.models.net import Net
from bench.models.to_onnx import to_onnx

BN_VALUES_PER_CHANNEL = 64


def calibration_inputs(shape: tuple[int, ...], count: int = 4, seed: int = 0) -> np.ndarray:
    """`count` inputs of `shape` [1, C, H, W] stacked on axis 0: white noise and smooth random patterns
    (sums of a few low-frequency sinusoids plus a little noise), each about zero-mean with unit variance."""
    rng = np.random.default_rng(seed)
    _, c, h, w = shape
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    samples: list[np.ndarray] = []
    for i in range(count):
        if i % 2 == 0:
            samples.append(rng.standard_normal((c, h, w)))
            continue
        img = np.zeros((c, h, w))
        for ch in range(c):
            for _ in range(3):
                fy, fx = rng.uniform(0.5, 4.0, 2)
                img[ch] += np.sin(2 * np.pi * (fy * yy + fx * xx) + rng.uniform(0, 2 * np.pi))
        img += 0.1 * rng.standard_normal((c, h, w))
        samples.append((img - img.mean()) / img.std())
    return np.stack(samples).astype(np.float32)


def batchnorm_input_count(net: Net, values: int = BN_VALUES_PER_CHANNEL, minimum: int = 4) -> int:
    """How many calibration inputs give every BatchNorm of `net` at least `values` values per channel (its
    map's H x W per input), and at least `minimum`."""
    pixels = [layer.shape[2] * layer.shape[3] for layer in net.layers if layer.kind == "conv" and layer.has_bn]
    return max(minimum, -(-values // min(pixels))) if pixels else minimum


def calibration_session(net: Net) -> ort.InferenceSession:
    """An onnxruntime session of `to_onnx(net, calibration=True)`: outputs `t{i}_conv`, the input of each
    BatchNorm; inputs the image and every BatchNorm's `t{i}_mean` / `t{i}_var`. One thread, so runs repeat
    bit for bit."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    model = to_onnx(net, calibration=True)
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def set_batchnorm_from_data(net: Net, inputs: np.ndarray | None = None) -> Net:
    """Set every BatchNorm's mean/var in `net` (in place) from the statistics of its input on `inputs`
    (default: `calibration_inputs` of the net's single input); returns `net`."""
    bn_layers = [i for i, layer in enumerate(net.layers) if layer.kind == "conv" and layer.has_bn]
    if not bn_layers:
        return net
    (input_layer,) = [layer for layer in net.layers if layer.kind == "input"]
    x = calibration_inputs(input_layer.shape) if inputs is None else inputs
    session = calibration_session(net)
    for i in bn_layers:
        feeds: dict[str, np.ndarray] = {input_layer.attrs["name"]: x}
        for j in bn_layers:
            feeds[f"t{j}_mean"] = net.layers[j].weights["bn_mean"]
            feeds[f"t{j}_var"] = net.layers[j].weights["bn_var"]
        (pre,) = session.run([f"t{i}_conv"], feeds)
        pre = np.asarray(pre, np.float64)
        net.layers[i].weights["bn_mean"] = pre.mean(axis=(0, 2, 3)).astype(np.float32)
        net.layers[i].weights["bn_var"] = pre.var(axis=(0, 2, 3)).astype(np.float32)
    return net
