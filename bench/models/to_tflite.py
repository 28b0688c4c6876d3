"""Emit a `Net` as a float32 TFLite model, as the TensorFlow Lite converter writes one.

NHWC tensors; BatchNorm folded into CONV_2D / DEPTHWISE_CONV_2D weights and bias; RELU / RELU6 fused into the
conv, ADD and FULLY_CONNECTED; leaky ReLU as a LEAKY_RELU op; SAME or VALID padding where that is the
layer's padding, otherwise an explicit PAD before a VALID conv; global average pooling as AVERAGE_POOL_2D +
RESHAPE or as MEAN; ConvTranspose as TRANSPOSE_CONV (weights [O, kh, kw, I], output_shape input, bias).
"""

from __future__ import annotations

import numpy as np

from bench.models.net import LEAKY_ALPHA, Layer, Net, Pads, folded_conv, same_pads
from bench.tflite_writer import TFLiteGraph

_FUSED = {None: "NONE", "relu": "RELU", "relu6": "RELU6", "leaky": "NONE"}


def _nhwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[0], shape[2], shape[3], shape[1]) if len(shape) == 4 else shape


class _Emitter:
    def __init__(self, net: Net) -> None:
        self.net = net
        self.g = TFLiteGraph()
        self.ids: list[int] = []
        self.out_names = {i: name for name, i in net.outputs}

    def emit(self) -> bytes:
        for i, layer in enumerate(self.net.layers):
            self.ids.append(self.layer(i, layer, self.out_names.get(i, f"t{i}")))
        self.g.output(*(self.ids[i] for _, i in self.net.outputs))
        return self.g.build(description=self.net.name)

    def out(self, name: str, layer: Layer) -> int:
        return self.g.tensor(name, _nhwc(layer.shape))

    def leaky(self, y: int, act: str | None, layer: Layer, name: str) -> int:
        """A LEAKY_RELU after `y` when the activation could not be fused."""
        if act != "leaky":
            return y
        z = self.out(name, layer)
        self.g.op("LEAKY_RELU", [y], [z], alpha=LEAKY_ALPHA)
        return z

    def padding(
        self, x: int, i: int, pads: Pads, size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int]
    ) -> tuple[int, str]:
        """(input, padding option) for a windowed op: SAME / VALID, else a PAD op and VALID."""
        if pads == same_pads(size, kernel, stride):
            return x, "SAME"
        if pads == (0, 0, 0, 0):
            return x, "VALID"
        t, lft, b, r = pads
        shape = self.g.tensors[x].shape
        padded = self.g.tensor(f"t{i}_pad", (shape[0], shape[1] + t + b, shape[2] + lft + r, shape[3]))
        paddings = self.g.const(f"t{i}_paddings", np.array([[0, 0], [t, b], [lft, r], [0, 0]], np.int32))
        self.g.op("PAD", [x, paddings], [padded])
        return padded, "VALID"

    def layer(self, i: int, layer: Layer, name: str) -> int:
        xs = [self.ids[j] for j in layer.inputs]
        a = layer.attrs
        if layer.kind == "input":
            return self.g.input(a["name"], _nhwc(layer.shape))
        if layer.kind == "conv":
            return self.conv(i, layer, xs[0], name)
        if layer.kind == "deconv":
            w = np.ascontiguousarray(layer.weights["w"].transpose(1, 2, 3, 0))  # [I, O, kh, kw] -> [O, kh, kw, I]
            y = self.out(name if a["act"] is None else f"t{i}_deconv", layer)
            shape = self.g.const(f"t{i}_output_shape", np.array(_nhwc(layer.shape), np.int32))
            ins = [shape, self.g.const(f"t{i}_w", w), xs[0], self.g.const(f"t{i}_b", layer.weights["b"])]
            self.g.op("TRANSPOSE_CONV", ins, [y], padding="VALID", stride_h=a["stride"][0], stride_w=a["stride"][1])
            if a["act"] is None:
                return y
            z = self.out(name, layer)
            if a["act"] == "leaky":
                self.g.op("LEAKY_RELU", [y], [z], alpha=LEAKY_ALPHA)
            else:
                self.g.op(a["act"].upper(), [y], [z])
            return z
        if layer.kind == "add":
            y = self.out(name if a["act"] != "leaky" else f"t{i}_add", layer)
            self.g.op("ADD", xs, [y], fused_activation_function=_FUSED[a["act"]])
            return self.leaky(y, a["act"], layer, name)
        if layer.kind == "maxpool":
            size = (self.net.shape(layer.inputs[0])[2], self.net.shape(layer.inputs[0])[3])
            padding = "SAME" if a["pads"] == same_pads(size, a["kernel"], a["stride"]) else "VALID"
            if padding == "VALID" and a["pads"] != (0, 0, 0, 0):
                raise ValueError(f"layer {i}: TFLite max pooling pads SAME or VALID only, not {a['pads']}")
            y = self.out(name, layer)
            kh, kw = a["kernel"]
            sh, sw = a["stride"]
            self.g.op("MAX_POOL_2D", xs, [y], padding=padding, stride_h=sh, stride_w=sw, filter_height=kh, filter_width=kw)
            return y
        if layer.kind == "gap":
            _, c, h, w = self.net.shape(layer.inputs[0])
            y = self.out(name, layer)
            if a["tflite_op"] == "MEAN":
                axes = self.g.const(f"t{i}_axes", np.array([1, 2], np.int32))
                self.g.op("MEAN", [xs[0], axes], [y], keep_dims=False)
                return y
            pooled = self.g.tensor(f"t{i}_pool", (1, 1, 1, c))
            self.g.op("AVERAGE_POOL_2D", xs, [pooled], padding="VALID", stride_h=1, stride_w=1, filter_height=h, filter_width=w)
            shape = self.g.const(f"t{i}_shape", np.array(layer.shape, np.int32))
            self.g.op("RESHAPE", [pooled, shape], [y], new_shape=list(layer.shape))
            return y
        if layer.kind == "fc":
            y = self.out(name if a["act"] != "leaky" else f"t{i}_fc", layer)
            ins = [xs[0], self.g.const(f"t{i}_w", layer.weights["w"]), self.g.const(f"t{i}_b", layer.weights["b"])]
            self.g.op("FULLY_CONNECTED", ins, [y], fused_activation_function=_FUSED[a["act"]])
            return self.leaky(y, a["act"], layer, name)
        if layer.kind == "softmax":
            y = self.out(name, layer)
            self.g.op("SOFTMAX", xs, [y], beta=1.0)
            return y
        if layer.kind == "pad_channels":
            y = self.out(name, layer)
            paddings = self.g.const(f"t{i}_paddings", np.array([[0, 0], [0, 0], [0, 0], [0, a["extra"]]], np.int32))
            self.g.op("PAD", [xs[0], paddings], [y])
            return y
        if layer.kind == "concat":
            axis = {1: 3, 2: 1, 3: 2}[a["axis"]] if len(layer.shape) == 4 else a["axis"]
            y = self.out(name, layer)
            self.g.op("CONCATENATION", xs, [y], axis=axis, fused_activation_function="NONE")
            return y
        if layer.kind == "rows":
            y = self.out(name, layer)
            shape = self.g.const(f"t{i}_shape", np.array(layer.shape, np.int32))
            self.g.op("RESHAPE", [xs[0], shape], [y], new_shape=list(layer.shape))
            return y
        raise ValueError(f"no TFLite form for layer kind {layer.kind!r}")

    def conv(self, i: int, layer: Layer, x: int, name: str) -> int:
        a = layer.attrs
        _, cin, h, w = self.net.shape(layer.inputs[0])
        cout = layer.shape[1]
        weights, bias = folded_conv(layer)
        x, padding = self.padding(x, i, a["pads"], (h, w), a["kernel"], a["stride"])
        y = self.out(name if a["act"] != "leaky" else f"t{i}_conv", layer)
        sh, sw = a["stride"]
        options = {"padding": padding, "stride_h": sh, "stride_w": sw, "fused_activation_function": _FUSED[a["act"]]}
        b = self.g.const(f"t{i}_b", bias)
        if a["groups"] == 1:
            wt = self.g.const(f"t{i}_w", np.ascontiguousarray(weights.transpose(0, 2, 3, 1)))  # OIHW -> OHWI
            self.g.op("CONV_2D", [x, wt, b], [y], **options)
        elif a["groups"] == cin:
            wt = self.g.const(f"t{i}_w", np.ascontiguousarray(weights.transpose(1, 2, 3, 0)))  # [O,1,kh,kw] -> [1,kh,kw,O]
            self.g.op("DEPTHWISE_CONV_2D", [x, wt, b], [y], depth_multiplier=cout // cin, **options)
        else:
            raise ValueError(f"layer {i}: TFLite has no grouped conv with {a['groups']} groups of {cin} channels")
        return self.leaky(y, a["act"], layer, name)


def to_tflite(net: Net) -> bytes:
    """The net as .tflite file bytes (float32, NHWC)."""
    return _Emitter(net).emit()
