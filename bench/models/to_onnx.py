"""Emit a `Net` as an ONNX model (opset 13, NCHW float32), as a PyTorch or tf2onnx export would look.

Tensor names are stable: layer i's output is `t{i}` (a conv with BatchNorm: `t{i}_conv` before the BN,
`t{i}_bn` after it, `t{i}` after the activation), graph inputs and outputs keep their given names.
`calibration=True` turns every BatchNorm's mean/var into graph inputs named `t{i}_mean` / `t{i}_var` and makes
the batch dimension symbolic: that is the model `set_batchnorm_from_data` runs.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from bench.models.net import BN_EPSILON, LEAKY_ALPHA, Layer, Net, folded_conv

OPSET = 13


class _Emitter:
    def __init__(self, net: Net, fold_bn: bool, calibration: bool) -> None:
        self.net = net
        self.fold_bn = fold_bn
        self.calibration = calibration
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.names: list[str] = []
        self.out_names = {i: name for name, i in net.outputs}
        self.shared: set[str] = set()

    def init(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def const(self, name: str, value: np.ndarray) -> str:
        """An initializer shared by every node that uses the same constant (Clip bounds, ...)."""
        if name not in self.shared:
            self.shared.add(name)
            self.init(name, value)
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: object) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=f"{op}_{len(self.nodes)}", **attrs))
        return output

    def activation(self, x: str, act: str | None, out: str) -> str:
        if act is None:
            return x
        if act == "relu":
            return self.node("Relu", [x], out)
        if act == "relu6":
            return self.node("Clip", [x, self.const("zero", np.float32(0)), self.const("six", np.float32(6))], out)
        return self.node("LeakyRelu", [x], out, alpha=LEAKY_ALPHA)

    def emit(self) -> onnx.ModelProto:
        for i, layer in enumerate(self.net.layers):
            self.names.append(self.layer(i, layer, self.out_names.get(i, f"t{i}")))
        outputs = [(name, self.net.layers[i].shape) for name, i in self.net.outputs]
        if self.calibration:  # every BatchNorm's input is an output too
            outputs += [(f"t{i}_conv", layer.shape) for i, layer in enumerate(self.net.layers) if layer.has_bn]
        batch: int | str = "N" if self.calibration else 1
        infos = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [batch, *shape[1:]]) for n, shape in outputs]
        graph = helper.make_graph(self.nodes, self.net.name, self.inputs, infos, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kcc-bench")
        model.ir_version = 8
        return model

    def layer(self, i: int, layer: Layer, out: str) -> str:
        xs = [self.names[j] for j in layer.inputs]
        a = layer.attrs
        if layer.kind == "input":
            batch: int | str = "N" if self.calibration else 1
            self.inputs.append(helper.make_tensor_value_info(a["name"], TensorProto.FLOAT, [batch, *layer.shape[1:]]))
            return a["name"]
        if layer.kind == "conv":
            return self.conv(i, layer, xs[0], out)
        if layer.kind == "deconv":
            w = self.init(f"t{i}_w", layer.weights["w"])
            b = self.init(f"t{i}_b", layer.weights["b"])
            y = self.node("ConvTranspose", [xs[0], w, b], f"t{i}_deconv" if a["act"] else out, strides=list(a["stride"]))
            return self.activation(y, a["act"], out)
        if layer.kind == "add":
            y = self.node("Add", xs, f"t{i}_add" if a["act"] else out)
            return self.activation(y, a["act"], out)
        if layer.kind == "maxpool":
            t, lft, bot, r = a["pads"]
            return self.node("MaxPool", xs, out, kernel_shape=list(a["kernel"]), strides=list(a["stride"]), pads=[t, lft, bot, r])
        if layer.kind == "gap":
            y = self.node("GlobalAveragePool", xs, f"t{i}_gap")
            return self.node("Flatten", [y], out, axis=1)
        if layer.kind == "fc":
            w = self.init(f"t{i}_w", layer.weights["w"])
            b = self.init(f"t{i}_b", layer.weights["b"])
            y = self.node("Gemm", [xs[0], w, b], f"t{i}_fc" if a["act"] else out, transB=1)
            return self.activation(y, a["act"], out)
        if layer.kind == "softmax":
            return self.node("Softmax", xs, out, axis=-1)
        if layer.kind == "pad_channels":
            pads = self.init(f"t{i}_pads", np.array([0, 0, 0, 0, 0, a["extra"], 0, 0], np.int64))
            return self.node("Pad", [xs[0], pads], out)
        if layer.kind == "concat":
            return self.node("Concat", xs, out, axis=a["axis"])
        if layer.kind == "rows":
            y = self.node("Transpose", xs, f"t{i}_nhwc", perm=[0, 2, 3, 1])
            shape = self.init(f"t{i}_shape", np.array([-1, *layer.shape[1:]], np.int64))
            return self.node("Reshape", [y, shape], out)
        raise ValueError(f"no ONNX form for layer kind {layer.kind!r}")

    def conv(self, i: int, layer: Layer, x: str, out: str) -> str:
        a = layer.attrs
        if self.fold_bn:
            w, b = folded_conv(layer)
            inputs = [x, self.init(f"t{i}_w", w), self.init(f"t{i}_b", b)]
        else:
            inputs = [x, self.init(f"t{i}_w", layer.weights["w"])]
            if "b" in layer.weights:
                inputs.append(self.init(f"t{i}_b", layer.weights["b"]))
        bn = layer.has_bn and not self.fold_bn
        y = self.node(
            "Conv",
            inputs,
            f"t{i}_conv" if bn or a["act"] else out,
            kernel_shape=list(a["kernel"]),
            strides=list(a["stride"]),
            pads=[a["pads"][0], a["pads"][1], a["pads"][2], a["pads"][3]],
            group=a["groups"],
        )
        if bn:
            ws = layer.weights
            gamma = self.init(f"t{i}_gamma", ws["bn_gamma"])
            beta = self.init(f"t{i}_beta", ws["bn_beta"])
            if self.calibration:
                c = layer.shape[1]
                mean, var = f"t{i}_mean", f"t{i}_var"
                self.inputs += [helper.make_tensor_value_info(n, TensorProto.FLOAT, [c]) for n in (mean, var)]
            else:
                mean = self.init(f"t{i}_mean", ws["bn_mean"])
                var = self.init(f"t{i}_var", ws["bn_var"])
            y = self.node("BatchNormalization", [y, gamma, beta, mean, var], f"t{i}_bn" if a["act"] else out, epsilon=BN_EPSILON)
        return self.activation(y, a["act"], out)


def to_onnx(net: Net, fold_bn: bool = False, calibration: bool = False) -> onnx.ModelProto:
    """The net as an ONNX ModelProto; `fold_bn` writes convs with their BatchNorm folded into weights and bias."""
    return _Emitter(net, fold_bn, calibration).emit()
