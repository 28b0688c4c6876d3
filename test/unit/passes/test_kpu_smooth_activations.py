"""sigmoid, tanh and hard_swish on the KPU: kpu-legalize folds them into the fake conv before them (or runs a
standalone one as an identity 1x1 fake conv), the float program is unchanged (interpreter, <= 1e-5 relative),
and `quantize` turns the fake conv into a `kpu.conv2d` whose fitted activation table computes exactly
`kcc.k210.kpu_layer` on the integers it reads, within about 1 output LSB of the float layer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, TensorType, f32
from xdsl.ir import SSAValue

from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import FakeConv2dOp
from kcc.dialects.nn.const import const_from_numpy
from kcc.interp import run
from kcc.k210.kpu_layer import kpu_layer
from kcc.k210.quantize_layer import quantize_kpu_layer
from kcc.passes.kpu_legalize import legalize
from kcc.passes.quantize import QuantizePass
from kcc.quant.calibration import calibrate

ACTS: dict[str, Callable[[SSAValue], SSAValue]] = {
    "sigmoid": lambda v: nn.SigmoidOp(v).output,
    "tanh": lambda v: nn.TanhOp(v).output,
    "hard_swish": lambda v: nn.HardSwishOp(v).output,
}


def t(*shape: int) -> TensorType:
    return TensorType(f32, list(shape))


def conv_act_module(act: str, depthwise: bool = False, pool: bool = False, seed: int = 0) -> ModuleOp:
    """x [1, 4, 8, 8] -> 3x3 conv (dense 4 -> 6, or depthwise) -> act (-> 2x2 max pool)."""
    rng = np.random.default_rng(seed)
    o = 4 if depthwise else 6
    w = (rng.standard_normal((o, 1 if depthwise else 4, 3, 3)) * 0.6).astype(np.float32)
    b = (rng.standard_normal(o) * 0.3).astype(np.float32)

    def body(x: SSAValue) -> SSAValue:
        wc, bc = const_from_numpy(w), const_from_numpy(b)
        conv = nn.Conv2dOp(x, wc.output, bc.output, t(1, o, 8, 8), (1, 1), (1, 1, 1, 1), (1, 1), 4 if depthwise else 1)
        y = ACTS[act](conv.output)
        if pool:
            y = nn.MaxPool2dOp(y, t(1, o, 4, 4), (2, 2), (2, 2), (0, 0, 0, 0)).output
        return y

    return build_module([t(1, 4, 8, 8)], body)


def fake_convs(module: ModuleOp) -> list[FakeConv2dOp]:
    return [op for op in module.walk() if isinstance(op, FakeConv2dOp)]


def compute_ops(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk() if op.name.startswith(("nn.", "kpu.")) and op.name != "nn.const"]


@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize(("depthwise", "pool"), [(False, False), (True, False), (False, True)])
def test_conv_and_smooth_activation_become_one_fake_conv(act: str, depthwise: bool, pool: bool) -> None:
    module = conv_act_module(act, depthwise, pool)
    out = module.clone()
    report = legalize(out)
    out.verify()
    assert compute_ops(out) == ["kpu.fake_conv2d"]
    (conv,) = fake_convs(out)
    assert conv.activation == act
    assert conv.pool_code == (1 if pool else 0)
    assert report.kpu_fraction == 1.0, report.text()
    assert all(r.placement == "KPU" for r in report.rows), report.text()
    rng = np.random.default_rng(5)
    for _ in range(2):
        x = (rng.standard_normal((1, 4, 8, 8)) * 2).astype(np.float32)
        (want,) = run(module, [x])
        (got,) = run(out, [x])
        assert float(np.abs(got - want).max()) <= 1e-5 * max(1.0, float(np.abs(want).max()))


@pytest.mark.parametrize("act", sorted(ACTS))
def test_standalone_smooth_activation_is_an_identity_fake_conv(act: str) -> None:
    module = build_module([t(1, 3, 4, 4)], ACTS[act])
    out = module.clone()
    report = legalize(out)
    (conv,) = fake_convs(out)
    assert conv.is_depthwise and conv.activation == act and conv.kernel_size == 1
    assert report.rows[0].placement == "KPU"
    x = np.linspace(-6, 6, 48, dtype=np.float32).reshape(1, 3, 4, 4)
    np.testing.assert_allclose(run(out, [x])[0], run(module, [x])[0], rtol=1e-6, atol=1e-7)


def _all_values(module: ModuleOp, inputs: list[np.ndarray]) -> dict[SSAValue, np.ndarray]:
    """Every op result of the entry function and its value on `inputs` (constants excluded)."""
    probe = module.clone()
    f = next(op for op in probe.ops if isinstance(op, func.FuncOp))
    block = f.body.blocks.first
    assert block is not None
    ret = block.last_op
    assert isinstance(ret, func.ReturnOp)
    values = [r for op in block.ops if op is not ret and op.name != "nn.const" for r in op.results]
    ret.operands = [*ret.operands, *values]
    f.function_type = FunctionType.from_lists(list(f.function_type.inputs.data), [v.type for v in ret.operands])
    outs = run(probe, inputs)[1:]
    g = next(op for op in module.ops if isinstance(op, func.FuncOp))
    gb = g.body.blocks.first
    assert gb is not None
    orig = [r for op in gb.ops if op is not gb.last_op and op.name != "nn.const" for r in op.results]
    return dict(zip(orig, outs, strict=True))


@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("seed", [0, 1])
def test_quantized_smooth_activation_is_bit_exact_and_close_to_float(act: str, seed: int) -> None:
    module = conv_act_module(act, pool=act == "tanh", seed=seed)
    legalize(module)
    (fake,) = fake_convs(module)
    rng = np.random.default_rng(9)
    calib = [[(rng.standard_normal((1, 4, 8, 8)) * 1.5).astype(np.float32)] for _ in range(6)]
    calibrate(module, calib)
    reference = module.clone()
    QuantizePass().apply(kcc_context(), module)
    module.verify()
    (conv,) = [op for op in module.walk() if isinstance(op, KpuConv2dOp)]
    x = (rng.standard_normal((1, 4, 8, 8)) * 1.5).astype(np.float32)
    values = _all_values(module, [x])
    # bit-exact: the layer's integers through kcc.k210's KPU model
    w = conv.weight.owner.to_numpy()  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownVariableType, reportUnknownMemberType]
    want = kpu_layer(values[conv.input][0], conv.layer_argument, w, conv.bn.table, conv.act.table)  # pyright: ignore[reportUnknownArgumentType]
    np.testing.assert_array_equal(values[conv.output][0], want)
    # the table itself: fitted within about 1 output LSB of the exact code (0.5 = perfect rounding)
    qin, qout = conv.input.type.element_type, conv.output.type.element_type  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    layer = quantize_kpu_layer(
        fake.weight.owner.to_numpy(),  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownArgumentType, reportUnknownMemberType]
        fake.bias.owner.to_numpy(),  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownArgumentType, reportUnknownMemberType]
        depthwise=False,
        act=(act, ()),
        pool=fake.pool_code,
        in_q=(qin.scale_value, qin.zp_value),  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
        out_q=(qout.scale_value, qout.zp_value),  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
        in_shape=(4, 8, 8),
    )
    assert layer.act == conv.act.table
    assert layer.fit_error <= 1.25, layer.fit_error  # measured 0.6-1.12
    # accurate: the dequantized output vs the float program on the dequantized input (no input rounding), both
    # clamped to the output's uint8 range (a held-out input may leave the calibrated range)
    q = conv.input.owner.input  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownMemberType, reportUnknownVariableType]
    x_hat = ((values[q].astype(np.float64) - qin.zp_value) * qin.scale_value).astype(np.float32)  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
    s, z = float(qout.scale_value), int(qout.zp_value)  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
    (got,) = run(module, [x])
    ref = np.clip(run(reference, [x_hat])[0].astype(np.float64), -s * z, s * (255 - z))
    cos = float(got.ravel() @ ref.ravel() / (np.linalg.norm(got) * np.linalg.norm(ref)))
    assert cos >= 0.9999, cos
    assert float(np.abs(got - ref).max()) / s <= 8.0  # table ~1 LSB + weight rounding times the slope
