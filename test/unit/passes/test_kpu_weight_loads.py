"""The KPU's weight-load limit (load_time is 6 bits: at most 64 loads of at most 30 KiB of whole output channels):
kpu-legalize splits a dense conv's output channels into layers that fit, the split program computes what the conv
computes, and a layer that still breaks the limit (16-bit weights) is a one-line error in quantize, not a raw
bitfield ValueError."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType, f32
from xdsl.ir import SSAValue

from kcc.context import kcc_context
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.kpu.ops import FakeConv2dOp
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.dialects.nn.const import const_from_numpy
from kcc.errors import KccError
from kcc.interp import run
from kcc.k210.limits import MAX_LOAD_TIMES, check_conv_limits, max_out_channels_per_layer, weight_load_plan
from kcc.k210.quantize_layer import quantize_kpu_layer
from kcc.passes.kpu_legalize import legalize
from kcc.passes.quantize import QuantizePass
from kcc.quant.calibration import calibrate


def t(*shape: int) -> TensorType:
    return TensorType(f32, list(shape))


def conv_module(c: int, o: int, k: int = 3, hw: int = 4, seed: int = 0, act: ActivationAttr | None = None) -> ModuleOp:
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal((o, c, k, k)) / np.sqrt(c * k * k)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32) * 0.1
    p = k // 2

    def body(x: SSAValue) -> SSAValue:
        wc, bc = const_from_numpy(w), const_from_numpy(b)
        conv = nn.Conv2dOp(x, wc.output, bc.output, t(1, o, hw, hw), (1, 1), (p, p, p, p), (1, 1), 1, act)
        return conv.output

    return build_module([t(1, c, hw, hw)], body)


def fake_convs(module: ModuleOp) -> list[FakeConv2dOp]:
    return [op for op in module.walk() if isinstance(op, FakeConv2dOp)]


def test_load_limit_figures() -> None:
    # 3x3 over 512 inputs: 4608 bytes per output channel, 6 per 30 KiB load, 64 loads -> 384 channels
    assert weight_load_plan(512, 1024, 3) == (171, 6, 4608)
    assert max_out_channels_per_layer(512, 3) == 384
    assert max_out_channels_per_layer(256, 3) == 832
    assert max_out_channels_per_layer(1024, 3, weight_bytes=2) == 64
    assert max_out_channels_per_layer(1024, 1) == 1024  # 1x1 convs never reach the limit below 1024 channels
    assert check_conv_limits(512, 384, 8, 8, 3) == []
    (err,) = check_conv_limits(512, 385, 8, 8, 3)
    assert err == (
        "output channels 385 need 65 weight loads (6 channels of 4608 bytes per 30720-byte load), above the 64 of the"
        " 6-bit load_time (at most 384 output channels per layer)"
    )
    assert check_conv_limits(1024, 1024, 8, 8, 3, depthwise=True) == []  # depthwise: one load


@pytest.mark.parametrize(("c", "o", "groups"), [(256, 832, 1), (256, 833, 2), (512, 1024, 3), (1024, 1024, 6)])
def test_dense_conv_is_split_by_weight_loads(c: int, o: int, groups: int) -> None:
    module = conv_module(c, o, act=ActivationAttr("leaky_relu", (0.1,)) if o == 1024 else ActivationAttr("relu"))
    out = module.clone()
    report = legalize(out)
    out.verify()
    convs = fake_convs(out)
    assert len(convs) == groups
    assert report.kpu_fraction == 1.0, report.text()
    for op in convs:
        ci, oc = op.weight.type.get_shape()[1], op.weight.type.get_shape()[0]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
        loads, _, _ = weight_load_plan(int(ci), int(oc), 3)  # pyright: ignore[reportUnknownArgumentType]
        assert loads <= MAX_LOAD_TIMES
    x = np.random.default_rng(1).standard_normal((1, c, 4, 4)).astype(np.float32)
    (want,) = run(module, [x])
    (got,) = run(out, [x])
    assert float(np.abs(got - want).max()) <= 1e-5 * max(1.0, float(np.abs(want).max()))


def test_quantize_layer_reports_too_many_loads_in_one_line() -> None:
    w = np.full((832, 256, 3, 3), 0.01, np.float32)
    kwargs = dict(depthwise=False, act=("relu", ()), pool="bypass", in_q=(0.1, 0), out_q=(0.1, 0), in_shape=(256, 4, 4))
    layer = quantize_kpu_layer(w, np.zeros(832, np.float32), weight_bits=8, **kwargs)  # pyright: ignore[reportArgumentType]
    assert layer.arg.load_time == MAX_LOAD_TIMES - 1
    with pytest.raises(ValueError) as e:
        quantize_kpu_layer(w, np.zeros(832, np.float32), weight_bits=16, **kwargs)  # pyright: ignore[reportArgumentType]
    assert str(e.value) == (
        "832 output channels of 4608 weight bytes need 139 weight loads of 6 channels, above the KPU's 64 (load_time"
        " is 6 bits); split the output channels (kpu-legalize does for 8-bit weights) or use 8-bit weights"
    )


def test_quantize_pass_names_the_layer_over_the_load_limit() -> None:
    module = conv_module(256, 832)
    legalize(module)
    rng = np.random.default_rng(3)
    calibrate(module, [[rng.standard_normal((1, 256, 4, 4)).astype(np.float32)] for _ in range(2)])
    QuantizePass(weight_bits=8).apply(kcc_context(), module.clone())  # 8-bit weights: 64 loads, fine
    with pytest.raises(KccError) as e:
        QuantizePass(weight_bits=16).apply(kcc_context(), module)
    text = str(e.value)
    assert "\n" not in text
    assert text.startswith("kpu.fake_conv2d")
    assert "need 139 weight loads of 6 channels, above the KPU's 64" in text
