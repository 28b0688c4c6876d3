"""Random and hand-built `nn` graphs in the shape the TFLite frontend produces (NHWC values, NCHW-only ops wrapped
in transposes), for checking rewrite passes against the interpreter.

`random_nhwc_graph(seed)` returns (module, inputs, exact): `exact` is False when the graph reduces (sums in a
different order may round differently after a layout change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, TensorType, f32
from xdsl.ir import SSAValue

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.const import const_from_numpy
from kcc.dialects.nn.types import PerChannelQuantType, QuantType

NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)
I8 = IntegerType(8)
UI8 = IntegerType(8, Signedness.UNSIGNED)


def tensor(shape, et=f32) -> TensorType:
    return TensorType(et, list(shape))


def shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType)
    return tuple(int(d) for d in t.get_shape())


def transpose(v: SSAValue, perm) -> SSAValue:
    t = v.type
    assert isinstance(t, TensorType)
    s = shape(v)
    return nn.TransposeOp(v, TensorType(t.element_type, [s[p] for p in perm]), perm).output


def const(array: np.ndarray, result_type=None) -> SSAValue:
    return const_from_numpy(array, result_type).output


def conv_nhwc(x: SSAValue, weight: np.ndarray, *, stride=1, pad=0, groups=1, act=None) -> SSAValue:
    """The frontend's wrapping: transpose to NCHW, conv, transpose back."""
    n, h, w, _ = shape(x)
    o, _, kh, kw = weight.shape
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    xt = transpose(x, NHWC_TO_NCHW)
    bias = const(np.linspace(-0.5, 0.5, o, dtype=np.float32))
    y = nn.Conv2dOp(
        xt, const(weight), bias, tensor((n, o, oh, ow)), strides=(stride, stride), pads=(pad,) * 4, groups=groups, act=act
    ).output
    return transpose(y, NCHW_TO_NHWC)


def max_pool_nhwc(x: SSAValue) -> SSAValue:
    n, h, w, c = shape(x)
    xt = transpose(x, NHWC_TO_NCHW)
    y = nn.MaxPool2dOp(xt, tensor((n, c, h, w)), kernel=(3, 3), pads=(1, 1, 1, 1)).output
    return transpose(y, NCHW_TO_NHWC)


UNARY: list[Callable[[SSAValue], SSAValue]] = [
    lambda v: nn.ReluOp(v).output,
    lambda v: nn.ClampOp(v, None, 0.0, 6.0).output,
    lambda v: nn.LeakyReluOp(v, None, 0.1).output,
    lambda v: nn.SigmoidOp(v).output,
    lambda v: nn.TanhOp(v).output,
    lambda v: nn.HardSigmoidOp(v, None, 0.2, 0.5).output,
    lambda v: nn.HardSwishOp(v).output,
    lambda v: nn.ExpOp(nn.ClampOp(v, None, -4.0, 4.0).output).output,
    lambda v: nn.LogOp(nn.AbsOp(v).output).output,
    lambda v: nn.SqrtOp(nn.AbsOp(v).output).output,
    lambda v: nn.RsqrtOp(nn.AbsOp(v).output).output,
    lambda v: nn.NegOp(v).output,
    lambda v: nn.FloorOp(v).output,
    lambda v: nn.CeilOp(v).output,
]
BINARY = [nn.AddOp, nn.SubOp, nn.MulOp, nn.DivOp, nn.MinimumOp, nn.MaximumOp, nn.PowOp, nn.SquaredDifferenceOp]


@dataclass
class RandomGraph:
    """One random NHWC graph being built inside `build_module`'s body."""

    rng: np.random.Generator
    pool: list[SSAValue] = field(default_factory=list[SSAValue])
    outputs: list[SSAValue] = field(default_factory=list[SSAValue])
    exact: bool = True

    def randn(self, *s: int) -> np.ndarray:
        return self.rng.standard_normal(s).astype(np.float32)

    def pick(self) -> SSAValue:
        return self.pool[int(self.rng.integers(len(self.pool)))]

    def broadcast_const(self, like: tuple[int, ...]) -> SSAValue:
        """A constant that broadcasts to `like`: random rank <= len(like), each dim 1 or the full size."""
        rank = int(self.rng.integers(0, len(like) + 1))
        dims = like[len(like) - rank :]
        s = tuple(d if self.rng.random() < 0.6 else 1 for d in dims)
        data = self.randn(*s)
        return const(np.abs(data) + 0.5 if self.rng.random() < 0.5 else data)

    def step(self, v: SSAValue) -> SSAValue:
        r = self.rng
        n, h, w, c = shape(v)
        kind = r.choice(
            [
                "conv",
                "conv",
                "dwconv",
                "pool",
                "unary",
                "binary_const",
                "binary_value",
                "prelu",
                "concat",
                "pad",
                "slice",
                "reduce",
                "softmax",
                "split",
                "transpose",
                "quant",
                "reshape",
                "fanout",
            ]
        )
        if kind == "conv":
            o = int(r.integers(1, 5))
            k = int(r.choice([1, 3]))
            return conv_nhwc(v, self.randn(o, c, k, k) * 0.5, pad=k // 2)
        if kind == "dwconv":
            return conv_nhwc(v, self.randn(c, 1, 3, 3) * 0.5, pad=1, groups=c)
        if kind == "pool":
            return max_pool_nhwc(v)
        if kind == "unary":
            return UNARY[int(r.integers(len(UNARY)))](v)
        if kind == "binary_const":
            op = BINARY[int(r.integers(len(BINARY)))]
            if op is nn.PowOp:
                v = nn.AbsOp(v).output
            cst = self.broadcast_const((n, h, w, c))
            return (op(v, cst) if r.random() < 0.5 else op(cst, v) if op is not nn.PowOp else op(v, cst)).output
        if kind == "binary_value":
            same = [p for p in self.pool if shape(p) == (n, h, w, c) and p is not v]
            other = same[int(r.integers(len(same)))] if same else v
            op = BINARY[int(r.integers(4))]
            return op(v, other).output
        if kind == "prelu":
            dims = tuple(d if r.random() < 0.5 else 1 for d in (h, w, c))[int(r.integers(0, 3)) :]
            slope = const(self.randn(*dims) * 0.2)
            return nn.PReluOp(v, slope).output
        if kind == "concat":
            axis = int(r.integers(4))
            extra = 1 + int(r.integers(3))
            other_shape = [n, h, w, c]
            other_shape[axis] = extra
            same = [p for p in self.pool if shape(p) == tuple(other_shape)]
            other = same[0] if same and r.random() < 0.5 else const(self.randn(*other_shape))
            out = [n, h, w, c]
            out[axis] += extra
            inputs = [v, other] if r.random() < 0.5 else [other, v]
            return nn.ConcatOp(inputs, tensor(out), axis if r.random() < 0.5 else axis - 4).output
        if kind == "pad":
            pads = [int(r.integers(0, 2)) for _ in range(8)]
            pads[0] = pads[4] = 0
            mode = str(r.choice(["constant", "edge", "reflect"]))
            if mode == "reflect":
                pads = [min(p, s - 1) for p, s in zip(pads, (n, h, w, c, n, h, w, c), strict=True)]
            out = [s + pads[d] + pads[4 + d] for d, s in enumerate((n, h, w, c))]
            return nn.PadOp(v, tensor(out), pads, mode, 0.5 if mode == "constant" else None).output
        if kind == "slice":
            starts, ends, steps = [], [], []
            for s in (n, h, w, c):
                b = int(r.integers(0, s))
                e = int(r.integers(b + 1, s + 1))
                starts.append(b)
                ends.append(e)
                steps.append(int(r.integers(1, 3)))
            out = [len(range(b, e, st)) for b, e, st in zip(starts, ends, steps, strict=True)]
            return nn.SliceOp(v, tensor(out), starts, ends, steps).output
        if kind == "reduce":
            self.exact = False
            axes = sorted({int(a) for a in r.choice(4, size=int(r.integers(1, 3)), replace=False)})
            keep = r.random() < 0.7
            cls = [nn.ReduceMeanOp, nn.ReduceMaxOp, nn.ReduceMinOp, nn.ReduceSumOp][int(r.integers(4))]
            s = (n, h, w, c)
            out = [1 if d in axes else s[d] for d in range(4)] if keep else [s[d] for d in range(4) if d not in axes]
            y = cls(v, tensor(out), axes, keep).output
            if keep:
                return y
            self.outputs.append(y)
            return v
        if kind == "softmax":
            self.exact = False
            return nn.SoftmaxOp(v, None, int(r.integers(-4, 4))).output
        if kind == "split":
            axis = int(r.integers(4))
            size = (n, h, w, c)[axis]
            if size < 2:
                return v
            first = int(r.integers(1, size))
            types = []
            for piece in (first, size - first):
                s = [n, h, w, c]
                s[axis] = piece
                types.append(tensor(s))
            a, b = nn.SplitOp(v, types, axis, [first, size - first]).outputs
            self.outputs.append(b)
            return a
        if kind == "transpose":
            perm = tuple(int(p) for p in r.permutation(4))
            t = transpose(v, perm)
            if r.random() < 0.5:
                return transpose(t, tuple(int(p) for p in np.argsort(perm)))
            self.outputs.append(t)
            return v
        if kind == "quant":
            if r.random() < 0.5:
                qt = QuantType(UI8, 0.05, 128)
            else:
                qt = PerChannelQuantType(I8, 3, [0.02 + 0.01 * i for i in range(c)], [0] * c)
            q = nn.QuantizeOp(v, tensor((n, h, w, c), qt)).output
            if isinstance(qt, QuantType) and r.random() < 0.5:
                q = nn.ReluOp(q).output
            if r.random() < 0.5:
                qt2 = QuantType(I8, 0.1, 3) if isinstance(qt, QuantType) else PerChannelQuantType(I8, 3, [0.05] * c, [1] * c)
                q = nn.RequantizeOp(q, tensor((n, h, w, c), qt2)).output
            return nn.DequantizeOp(q, tensor((n, h, w, c))).output
        if kind == "reshape":
            s = [n, h, w, c]
            choice = r.integers(3)
            if choice == 0:
                s.insert(int(r.integers(5)), 1)
            elif choice == 1:
                s = [d for d in s if d != 1] or [1]
            else:
                s = [n, h * w * c]
            self.outputs.append(nn.ReshapeOp(v, tensor(s)).output)
            return v
        # fanout: the value is also a graph output
        self.outputs.append(v)
        return v


def random_nhwc_graph(seed: int, steps: int = 6) -> tuple[ModuleOp, list[np.ndarray], bool]:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2]))
    s = (n, int(rng.integers(1, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 4)))
    g = RandomGraph(rng)

    def body(x: SSAValue):
        v = conv_nhwc(x, g.randn(2, s[3], 1, 1))  # every graph has inverse pairs to cancel
        g.pool.append(x)
        g.pool.append(v)
        for _ in range(steps):
            v = g.step(v)
            g.pool.append(v)
        return [v, *g.outputs]

    module = build_module([tensor(s)], body)
    x = rng.standard_normal(s).astype(np.float32)
    return module, [x], g.exact


def count_ops(module: ModuleOp, name: str) -> int:
    return sum(1 for op in module.walk() if op.name == name)
