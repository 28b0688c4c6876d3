"""fuse-conv against the interpreter: every pattern on random weights, random chains, fan-out, and whole imported
models (an ONNX MobileNetV1 and a TFLite conv net) after fold-constants,fold-transposes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import onnx
import pytest
from nhwc_graphs import count_ops, shape, tensor
from onnx import TensorProto, helper
from tflite_graph import Graph
from tflite_ref import run_model
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import SSAValue

from bench.models import mobilenet_v1_onnx
from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.const import const_from_numpy
from kcc.frontends.onnx import import_onnx
from kcc.frontends.tflite import import_tflite
from kcc.interp import run
from kcc.passes.fold_constants import FoldConstantsPass
from kcc.passes.fold_transposes import FoldTransposesPass
from kcc.passes.fuse_conv import FuseConvPass, per_channel_vector

CTX = kcc_context()
PRODUCERS = ("nn.conv2d", "nn.conv_transpose2d", "nn.fully_connected")
FUSED_AWAY = (
    "nn.add",
    "nn.sub",
    "nn.mul",
    "nn.div",
    "nn.batch_norm",
    "nn.relu",
    "nn.clamp",
    "nn.leaky_relu",
    "nn.sigmoid",
    "nn.tanh",
    "nn.hard_sigmoid",
    "nn.hard_swish",
    "nn.prelu",
)


def fuse(module: ModuleOp) -> ModuleOp:
    out = module.clone()
    FuseConvPass().apply(CTX, out)
    out.verify()
    return out


def assert_close(after: list[np.ndarray], before: list[np.ndarray]) -> None:
    """Equal within 1e-5 relative to the largest magnitude of each output."""
    assert len(after) == len(before)
    for a, b in zip(after, before, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        scale = max(float(np.max(np.abs(b))), 1e-30)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * scale)


def op_names(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk())


def const(array: np.ndarray) -> SSAValue:
    return const_from_numpy(np.asarray(array, dtype=np.float32)).output


# --- producers ------------------------------------------------------------------------------------------------------

Producer = Callable[[SSAValue, np.random.Generator], SSAValue]


def _randn(rng: np.random.Generator, *s: int, scale: float = 0.5) -> np.ndarray:
    return (rng.standard_normal(s) * scale).astype(np.float32)


def conv(x: SSAValue, rng: np.random.Generator) -> SSAValue:
    return nn.Conv2dOp(x, const(_randn(rng, 6, 4, 3, 3)), const(_randn(rng, 6)), tensor((1, 6, 6, 6)), pads=(1, 1, 1, 1)).output


def conv_strided(x: SSAValue, rng: np.random.Generator) -> SSAValue:
    w, b = const(_randn(rng, 6, 2, 3, 3)), const(_randn(rng, 6))
    return nn.Conv2dOp(x, w, b, tensor((1, 6, 2, 3)), strides=(2, 2), pads=(0, 1, 1, 0), dilations=(2, 1), groups=2).output


def depthwise(x: SSAValue, rng: np.random.Generator) -> SSAValue:
    w, b = const(_randn(rng, 4, 1, 3, 3)), const(_randn(rng, 4))
    return nn.Conv2dOp(x, w, b, tensor((1, 4, 6, 6)), pads=(1, 1, 1, 1), groups=4).output


def conv_transpose(x: SSAValue, rng: np.random.Generator) -> SSAValue:
    w, b = const(_randn(rng, 4, 3, 3, 3)), const(_randn(rng, 6))
    return nn.ConvTranspose2dOp(x, w, b, tensor((1, 6, 10, 10)), strides=(2, 2), pads=(1, 1, 0, 0), groups=2).output


def fully_connected(x: SSAValue, rng: np.random.Generator) -> SSAValue:
    flat = nn.ReshapeOp(x, tensor((3, 48))).output
    return nn.FullyConnectedOp(flat, const(_randn(rng, 5, 48, scale=0.2)), const(_randn(rng, 5)), tensor((3, 5))).output


PRODUCER_FNS: dict[str, Producer] = {
    "conv": conv,
    "conv_strided": conv_strided,
    "depthwise": depthwise,
    "conv_transpose": conv_transpose,
    "fully_connected": fully_connected,
}
INPUT_SHAPE = (1, 4, 6, 6)


# --- consumers --------------------------------------------------------------------------------------------------------

Consumer = Callable[[SSAValue, np.random.Generator], SSAValue]


def channel_const(v: SSAValue, rng: np.random.Generator, form: str, low: float = -1.0, high: float = 1.0) -> SSAValue:
    """A per-output-channel constant for `v` ([N, C, ...]) in one of the broadcast forms."""
    s = shape(v)
    c = s[1]
    values = rng.uniform(low, high, c).astype(np.float32) * rng.choice([-1.0, 1.0], c).astype(np.float32)
    if form == "scalar":
        return const(np.float32(values[0]))
    if form == "c":  # [C, 1, 1] for NCHW, [C] for [N, C]
        return const(values.reshape((c,) + (1,) * (len(s) - 2)))
    assert form == "1c"  # [1, C, 1, 1] / [1, C]
    return const(values.reshape((1, c) + (1,) * (len(s) - 2)))


def binary(op: type[nn.BinaryOp], form: str, const_first: bool = False, low: float = -1.0) -> Consumer:
    def make(v: SSAValue, rng: np.random.Generator) -> SSAValue:
        c = channel_const(v, rng, form, low=low)
        lhs, rhs = (c, v) if const_first else (v, c)
        return op(lhs, rhs, v.type).output

    return make


def batch_norm(v: SSAValue, rng: np.random.Generator) -> SSAValue:
    c = shape(v)[1]
    gamma, beta = rng.uniform(0.5, 1.5, c), rng.normal(0, 0.2, c)
    mean, var = rng.normal(0, 0.2, c), rng.uniform(0.5, 1.5, c)
    args = [const(a) for a in (gamma, beta, mean, var)]
    return nn.BatchNormOp(v, *args, epsilon=1e-3).output


AFFINE: dict[str, Consumer] = {
    "add_c": binary(nn.AddOp, "c"),
    "add_1c_lhs": binary(nn.AddOp, "1c", const_first=True),
    "add_scalar": binary(nn.AddOp, "scalar"),
    "sub": binary(nn.SubOp, "c"),
    "sub_lhs": binary(nn.SubOp, "1c", const_first=True),
    "mul": binary(nn.MulOp, "c"),
    "mul_lhs": binary(nn.MulOp, "1c", const_first=True),
    "mul_scalar": binary(nn.MulOp, "scalar"),
    "div": binary(nn.DivOp, "c", low=0.5),
    "batch_norm": batch_norm,
}

ACTIVATIONS: dict[str, Consumer] = {
    "relu": lambda v, _: nn.ReluOp(v).output,
    "relu6": lambda v, _: nn.ClampOp(v, None, 0.0, 6.0).output,
    "clamp": lambda v, _: nn.ClampOp(v, None, -0.5, 0.75).output,
    "clamp_min0": lambda v, _: nn.ClampOp(v, None, 0.0, None).output,
    "leaky_relu": lambda v, _: nn.LeakyReluOp(v, None, 0.1).output,
    "sigmoid": lambda v, _: nn.SigmoidOp(v).output,
    "tanh": lambda v, _: nn.TanhOp(v).output,
    "hard_sigmoid": lambda v, _: nn.HardSigmoidOp(v, None, 0.2, 0.5).output,
    "hard_swish": lambda v, _: nn.HardSwishOp(v).output,
    "prelu_scalar": lambda v, _: nn.PReluOp(v, const(np.full((1,) * (len(shape(v)) - 1), 0.25))).output,
}


def graph(producer: str, consumers: list[Consumer], seed: int) -> tuple[ModuleOp, list[np.ndarray]]:
    rng = np.random.default_rng(seed)

    def body(x: SSAValue) -> SSAValue:
        v = PRODUCER_FNS[producer](x, rng)
        for consumer in consumers:
            v = consumer(v, rng)
        return v

    in_shape = (1, 4, 5, 5) if producer == "conv_transpose" else INPUT_SHAPE
    module = build_module([tensor(in_shape)], body)
    x = np.random.default_rng(seed + 1000).standard_normal(in_shape).astype(np.float32)
    return module, [x]


def assert_fully_fused(module: ModuleOp, fused: ModuleOp, has_act: bool) -> None:
    names = op_names(fused)
    assert not any(names[n] for n in FUSED_AWAY), names
    assert sum(names[n] for n in PRODUCERS) == sum(op_names(module)[n] for n in PRODUCERS) == 1
    producer = next(op for op in fused.walk() if isinstance(op, nn.Conv2dOp | nn.ConvTranspose2dOp | nn.FullyConnectedOp))
    assert (producer.act is not None) == has_act


@pytest.mark.parametrize("producer", PRODUCER_FNS)
@pytest.mark.parametrize("affine", AFFINE)
def test_each_affine_op_folds_into_each_producer(producer: str, affine: str) -> None:
    module, inputs = graph(producer, [AFFINE[affine]], seed=len(affine))
    fused = fuse(module)
    assert_fully_fused(module, fused, has_act=False)
    assert_close(run(fused, inputs), run(module, inputs))


@pytest.mark.parametrize("producer", PRODUCER_FNS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_activation_fuses_into_each_producer(producer: str, activation: str) -> None:
    module, inputs = graph(producer, [ACTIVATIONS[activation]], seed=len(activation))
    fused = fuse(module)
    assert_fully_fused(module, fused, has_act=True)
    assert_close(run(fused, inputs), run(module, inputs))


@pytest.mark.parametrize("producer", PRODUCER_FNS)
def test_random_chains_fold_completely(producer: str) -> None:
    """Chains of 1-4 affine ops in any order, then an activation half the time, all fold into the producer."""
    affine, acts = list(AFFINE.values()), list(ACTIVATIONS.values())
    for seed in range(12):
        rng = np.random.default_rng(seed)
        chain = [affine[i] for i in rng.integers(0, len(affine), int(rng.integers(1, 5)))]
        has_act = bool(seed % 2)
        if has_act:
            chain.append(acts[int(rng.integers(0, len(acts)))])
        module, inputs = graph(producer, chain, seed)
        fused = fuse(module)
        assert_fully_fused(module, fused, has_act)
        assert_close(run(fused, inputs), run(module, inputs))
        assert str(fuse(fused)) == str(fused), f"seed {seed}: a second run changed the IR"


def test_nothing_folds_past_an_activation() -> None:
    module, inputs = graph("conv", [ACTIVATIONS["relu"], AFFINE["add_c"], ACTIVATIONS["sigmoid"]], seed=3)
    fused = fuse(module)
    names = op_names(fused)
    assert names["nn.relu"] == 0 and names["nn.add"] == 1 and names["nn.sigmoid"] == 1
    assert_close(run(fused, inputs), run(module, inputs))


def test_fan_out_keeps_the_unfused_value() -> None:
    rng = np.random.default_rng(0)

    def body(x: SSAValue) -> list[SSAValue]:
        y = conv(x, rng)
        return [AFFINE["batch_norm"](y, rng), ACTIVATIONS["relu"](y, rng), y]

    module = build_module([tensor(INPUT_SHAPE)], body)
    fused = fuse(module)
    assert str(fused) == str(module)
    x = [rng.standard_normal(INPUT_SHAPE).astype(np.float32)]
    assert_close(run(fused, x), run(module, x))


def test_shared_weights_are_not_changed_for_the_other_user() -> None:
    """Two convs share one weight constant: folding a mul into one gives it a new weight, the other keeps its own."""
    rng = np.random.default_rng(5)

    def body(x: SSAValue) -> list[SSAValue]:
        w, b = const(_randn(rng, 6, 4, 3, 3)), const(_randn(rng, 6))
        y1 = nn.Conv2dOp(x, w, b, tensor((1, 6, 6, 6)), pads=(1, 1, 1, 1)).output
        y2 = nn.Conv2dOp(x, w, b, tensor((1, 6, 6, 6)), pads=(1, 1, 1, 1)).output
        return [AFFINE["mul"](y1, rng), y2]

    module = build_module([tensor(INPUT_SHAPE)], body)
    fused = fuse(module)
    assert count_ops(fused, "nn.mul") == 0 and count_ops(fused, "nn.const") == 4
    x = [rng.standard_normal(INPUT_SHAPE).astype(np.float32)]
    assert_close(run(fused, x), run(module, x))


@pytest.mark.parametrize(
    ("array_shape", "out_shape", "ok"),
    [
        ((6, 1, 1), (1, 6, 4, 4), True),
        ((1, 6, 1, 1), (1, 6, 4, 4), True),
        ((), (1, 6, 4, 4), True),
        ((1,), (1, 6, 4, 4), True),
        ((1, 1, 1), (1, 6, 4, 4), True),
        ((6,), (2, 6), True),
        ((1, 6), (2, 6), True),
        ((6,), (1, 6, 4, 4), False),  # broadcasts along W, not C
        ((6, 1), (1, 6, 4, 4), False),
        ((1, 1, 4, 4), (1, 6, 4, 4), False),  # per spatial position
        ((2, 6, 1, 1), (1, 6, 4, 4), False),  # would broadcast the batch
        ((1, 1, 6, 1, 1), (1, 6, 4, 4), False),  # would add a dimension
        ((2, 1), (2, 6), False),  # per batch row
    ],
)
def test_per_channel_vector_accepts_exactly_the_channel_broadcasts(
    array_shape: tuple[int, ...], out_shape: tuple[int, ...], ok: bool
) -> None:
    array = np.arange(int(np.prod(array_shape)), dtype=np.float32).reshape(array_shape) + 1
    v = per_channel_vector(array, out_shape)
    if not ok:
        assert v is None
        return
    assert v is not None and v.shape == (out_shape[1],) and v.dtype == np.float64
    ones = np.ones(out_shape)
    np.testing.assert_array_equal(ones * v.reshape((1, -1) + (1,) * (len(out_shape) - 2)), ones * array)


# --- whole models -----------------------------------------------------------------------------------------------------


def prepare(module: ModuleOp) -> ModuleOp:
    FoldConstantsPass().apply(CTX, module)
    FoldTransposesPass().apply(CTX, module)
    module.verify()
    return module


def mobilenet_with_logits(alpha: float, size: int, classes: int) -> onnx.ModelProto:
    """The bench MobileNetV1 with its pre-softmax logits as a second output (softmax hides small errors)."""
    model = mobilenet_v1_onnx(alpha, size, classes)
    softmax = model.graph.node[-1]
    assert softmax.op_type == "Softmax"
    model.graph.output.append(helper.make_tensor_value_info(softmax.input[0], TensorProto.FLOAT, [1, classes]))
    return model


def check_mobilenet(alpha: float, size: int) -> None:
    model = mobilenet_with_logits(alpha, size, classes=10)
    module = prepare(import_onnx(model.SerializeToString()))
    before = op_names(module)
    assert before["nn.batch_norm"] == 27 and before["nn.clamp"] == 27
    fused = fuse(module)
    after = op_names(fused)
    assert not any(after[n] for n in FUSED_AWAY), after
    producers = [op for op in fused.walk() if isinstance(op, nn.Conv2dOp | nn.FullyConnectedOp)]
    assert [str(p.act) for p in producers] == ["#nn.act<clamp, 0.0, 6.0>"] * 27 + ["None"]  # the classifier has none
    x = [np.random.default_rng(0).standard_normal((1, 3, size, size)).astype(np.float32)]
    assert_close(run(fused, x), run(module, x))
    assert str(fuse(fused)) == str(fused)


def test_onnx_mobilenet_v1_loses_every_batch_norm_and_relu6() -> None:
    check_mobilenet(alpha=0.5, size=64)


@pytest.mark.slow
def test_onnx_mobilenet_v1_full_size() -> None:
    check_mobilenet(alpha=1.0, size=224)


def tflite_conv_net() -> bytes:
    """NHWC float net: conv+RELU, depthwise/2+RELU6, 1x1 conv + unfolded batch norm (MUL, ADD) + LEAKY_RELU,
    max pool, conv + HARD_SWISH, FC + RELU_N1_TO_1."""
    rng = np.random.default_rng(0)

    def r(*s: int) -> np.ndarray:
        return (rng.standard_normal(s) * 0.3).astype(np.float32)

    g = Graph()
    x = g.input("x", (1, 16, 16, 3))
    t1 = g.tensor("c1", (1, 16, 16, 8))
    g.op("CONV_2D", [x, g.const("w1", r(8, 3, 3, 3)), g.const("b1", r(8))], [t1], padding="SAME", stride_w=1, stride_h=1,
         fused_activation_function="RELU")  # fmt: skip
    t2 = g.tensor("dw", (1, 8, 8, 8))
    g.op("DEPTHWISE_CONV_2D", [t1, g.const("w2", r(1, 3, 3, 8)), g.const("b2", r(8))], [t2], padding="SAME", stride_w=2,
         stride_h=2, depth_multiplier=1, fused_activation_function="RELU6")  # fmt: skip
    t3 = g.tensor("pw", (1, 8, 8, 16))
    g.op("CONV_2D", [t2, g.const("w3", r(16, 1, 1, 8)), g.const("b3", r(16))], [t3], padding="VALID", stride_w=1, stride_h=1)
    t4 = g.tensor("bn_mul", (1, 8, 8, 16))
    g.op("MUL", [t3, g.const("bn_scale", rng.uniform(0.5, 1.5, 16).astype(np.float32))], [t4])
    t5 = g.tensor("bn_add", (1, 8, 8, 16))
    g.op("ADD", [t4, g.const("bn_shift", r(16))], [t5])
    t6 = g.tensor("lrelu", (1, 8, 8, 16))
    g.op("LEAKY_RELU", [t5], [t6], alpha=0.1)
    t7 = g.tensor("pool", (1, 4, 4, 16))
    g.op("MAX_POOL_2D", [t6], [t7], padding="VALID", stride_w=2, stride_h=2, filter_width=2, filter_height=2)
    t8 = g.tensor("c4", (1, 4, 4, 8))
    g.op("CONV_2D", [t7, g.const("w4", r(8, 3, 3, 16)), g.const("b4", r(8))], [t8], padding="SAME", stride_w=1, stride_h=1)
    t9 = g.tensor("hswish", (1, 4, 4, 8))
    g.op("HARD_SWISH", [t8], [t9])
    t10 = g.tensor("flat", (1, 128))
    g.op("RESHAPE", [t9, g.const("shape", np.array([1, 128], np.int32))], [t10], new_shape=[1, 128])
    t11 = g.tensor("fc", (1, 10))
    g.op("FULLY_CONNECTED", [t10, g.const("wf", r(10, 128)), g.const("bf", r(10))], [t11],
         fused_activation_function="RELU_N1_TO_1")  # fmt: skip
    g.output(t11)
    return g.build()


def test_tflite_conv_net_fuses_activations_and_the_unfolded_batch_norm() -> None:
    model = tflite_conv_net()
    module = prepare(import_tflite(model))
    assert op_names(module)["nn.mul"] == 1 and op_names(module)["nn.add"] == 1
    fused = fuse(module)
    after = op_names(fused)
    assert not any(after[n] for n in FUSED_AWAY), after
    acts = [str(op.act) for op in fused.walk() if isinstance(op, nn.Conv2dOp | nn.FullyConnectedOp)]
    assert acts == [
        "#nn.act<relu>",
        "#nn.act<clamp, 0.0, 6.0>",
        "#nn.act<leaky_relu, 0.10000000149011612>",  # TFLite stores alpha as float32
        "#nn.act<hard_swish>",
        "#nn.act<clamp, -1.0, 1.0>",
    ]
    assert after["nn.max_pool2d"] == 1  # pools are fused by kpu-legalize, not here
    x = np.random.default_rng(1).standard_normal((1, 16, 16, 3)).astype(np.float32)
    got = run(fused, [x])
    assert_close(got, run(module, [x]))
    want = run_model(model, [x])[0]
    np.testing.assert_allclose(got[0], want, rtol=1e-4, atol=1e-4 * float(np.max(np.abs(want))))
