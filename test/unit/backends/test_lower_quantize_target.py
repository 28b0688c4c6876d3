# ruff: noqa: E501  (IR text in the tests)
"""`quantize{target=kmodel...}` keeps uint8 only the CPU ops the kmodel runs exactly: the full-size MobileNetV1 /
V2 heads (7x7 maps -> global average pool -> fully connected -> softmax) compile to v4 and v3, where the default
target (`any`) leaves a uint8 mean that no f32 quantize scale reproduces."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from kcc.backends import read_kmodel
from kcc.backends.kmodel_writer import write_kmodel
from kcc.context import kcc_context, parse_module
from kcc.dialects.nn.pool import ReduceMeanOp
from kcc.dialects.nn.types import is_quantized
from kcc.errors import KccError
from kcc.interp import run
from kcc.passes.lower_to_kmodel import lower_to_kmodel
from kcc.passes.plan_memory import PlanMemoryPass
from kcc.passes.quantize import QuantizePass
from kcc.quant.calibration import calibrate

CTX = kcc_context()


def _hex(a: np.ndarray[Any, Any]) -> str:
    return "0x" + np.ascontiguousarray(a, dtype="<f4").tobytes().hex().upper()


def head(channels: int, hw: int = 7, classes: int = 10, seed: int = 0) -> ModuleOp:
    """The last pointwise conv (on the KPU) of a MobileNet, its global average pool, classifier and softmax."""
    rng = np.random.default_rng(seed)
    w1, b1 = rng.standard_normal((channels, 8, 1, 1)) * 0.3, rng.standard_normal(channels) * 0.1
    wf, bf = rng.standard_normal((classes, channels)) * 0.3, rng.standard_normal(classes) * 0.1
    c, k = channels, classes
    x, a = f"tensor<1x8x{hw}x{hw}xf32>", f"tensor<1x{c}x{hw}x{hw}xf32>"
    return parse_module(
        f"""func.func @main(%x: {x}) -> tensor<1x{k}xf32> {{
  %w1 = "nn.const"() <{{value = dense<"{_hex(w1)}"> : tensor<{c}x8x1x1xf32>}}> : () -> tensor<{c}x8x1x1xf32>
  %b1 = "nn.const"() <{{value = dense<"{_hex(b1)}"> : tensor<{c}xf32>}}> : () -> tensor<{c}xf32>
  %wf = "nn.const"() <{{value = dense<"{_hex(wf)}"> : tensor<{k}x{c}xf32>}}> : () -> tensor<{k}x{c}xf32>
  %bf = "nn.const"() <{{value = dense<"{_hex(bf)}"> : tensor<{k}xf32>}}> : () -> tensor<{k}xf32>
  %a = kpu.fake_conv2d %x, %w1, %b1 pool bypass act #nn.act<relu> : ({x}, tensor<{c}x8x1x1xf32>, tensor<{c}xf32>) -> {a}
  %m = nn.reduce_mean %a axes [2, 3] keepdims true : {a} -> tensor<1x{c}x1x1xf32>
  %r = nn.reshape %m : tensor<1x{c}x1x1xf32> -> tensor<1x{c}xf32>
  %f = nn.fully_connected %r, %wf, %bf : (tensor<1x{c}xf32>, tensor<{k}x{c}xf32>, tensor<{k}xf32>) -> tensor<1x{k}xf32>
  %s = nn.softmax %f axis -1 : tensor<1x{k}xf32> -> tensor<1x{k}xf32>
  func.return %s : tensor<1x{k}xf32>
}}""",
        CTX,
    )


def quantized_head(channels: int, target: str) -> ModuleOp:
    m = head(channels)
    rng = np.random.default_rng(1)
    calibrate(m, [[np.abs(rng.standard_normal((1, 8, 7, 7))).astype(np.float32)] for _ in range(4)])
    QuantizePass(input_type="uint8", target=target).apply(CTX, m)
    PlanMemoryPass(max_solve_secs=0).apply(CTX, m)
    m.verify()
    return m


def _mean(m: ModuleOp) -> ReduceMeanOp:
    return next(op for op in m.walk() if isinstance(op, ReduceMeanOp))


@pytest.mark.parametrize(("channels", "target"), [(16, "kmodel"), (32, "kmodel-v4"), (16, "kmodel-v3")])
def test_mobilenet_head_compiles_to_v4_and_v3(channels: int, target: str) -> None:
    """MobileNetV1 (1024 channels) and V2 (1280) end in a 7x7 global pool; the channel count does not change the
    rule, so the heads are built narrow. The mean runs in float; the float tail (f32 mean / fc / softmax) is
    within the float-accumulation caveat (docs/compile.md), the uint8 input of the mean is exact."""
    m = quantized_head(channels, target)
    assert not is_quantized(_mean(m).input.type.element_type)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownArgumentType]
    x = np.random.default_rng(5).integers(0, 256, (1, 8, 7, 7), dtype=np.uint8)
    want = run(m, [x])[0].reshape(-1)
    for version in (3, 4) if target == "kmodel" else (int(target[-1]),):
        got = read_kmodel(write_kmodel(lower_to_kmodel(m, version)))
        from kcc.sim import simulate

        out = simulate(got, [x]).outputs[0].reshape(-1)
        assert out.dtype == want.dtype == np.float32
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=0)


def test_default_target_keeps_the_uint8_mean_and_lowering_names_the_rule() -> None:
    m = quantized_head(16, "any")
    assert is_quantized(_mean(m).input.type.element_type)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownArgumentType]
    with pytest.raises(KccError) as e:
        lower_to_kmodel(m, 4)
    msg = str(e.value)
    assert "\n" not in msg and "nn.reduce_mean" in msg and "49 elements" in msg and "target=kmodel" in msg


def test_uint8_rules() -> None:
    """A 1x1 map's mean (MobileNetV2 tiny) has a matching scale and stays uint8; 7x7 has none; v3 has no uint8 mean;
    max pools stay uint8 for both versions, average pools for neither."""
    from kcc.backends.kmodel_lowering import uint8_reason
    from kcc.backends.kmodel_v4.uint8_mean import mean_scale

    sx, sy = float(np.float32(0.0235294122)), float(np.float32(0.02))
    assert mean_scale(1, 3, 7, sx, sy)[0] is not None
    k, why = mean_scale(49, 3, 7, sx, sy)
    assert k is None and "49 elements" in why
    m = parse_module(
        """func.func @main(%x: tensor<1x4x7x7xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %m = nn.reduce_mean %x axes [2, 3] keepdims true : tensor<1x4x7x7xf32> -> tensor<1x4x1x1xf32>
  %p = nn.max_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1] : tensor<1x4x7x7xf32> -> tensor<1x4x3x3xf32>
  %a = nn.avg_pool2d %x kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] count_include_pad false : tensor<1x4x7x7xf32> -> tensor<1x4x3x3xf32>
  func.return %m, %p, %a : tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}""",
        CTX,
    )
    mean, pool, avg = (op for op in m.walk() if op.name in ("nn.reduce_mean", "nn.max_pool2d", "nn.avg_pool2d"))
    from kcc.passes.quantize import _ui8  # pyright: ignore[reportPrivateUsage]

    q = _ui8(0.05, 3)
    assert uint8_reason(mean, [q], [q], 4).startswith("no f32 scale")
    assert uint8_reason(mean, [q], [q], 3) == "kmodel v3 has no uint8 nn.reduce_mean layer"
    assert uint8_reason(pool, [q], [q], 3) == uint8_reason(pool, [q], [q], 4) == ""
    assert uint8_reason(avg, [q], [q], 4) == "kmodel v4 has no exact uint8 nn.avg_pool2d"


def test_bad_target_is_an_error() -> None:
    with pytest.raises(KccError, match="target 'kpu'"):
        QuantizePass(target="kpu").apply(CTX, head(4))


@pytest.mark.parametrize("version", [3, 4])
def test_float_input_quantize_tie_differs_by_one(version: int) -> None:
    """Pinned, not exact: nn.quantize rounds x/s half to even, the runtimes round x·(1/s) half away from zero
    (v3 QUANTIZE, v4 quantize). A tie (1.25 / 0.5 = 2.5) gives 2 in nn and 3 on the kmodel; off-tie values agree.
    `kcc compile --input-type uint8` avoids the float input quantize altogether (docs/compile.md)."""
    t_in, t_out = "tensor<1x4xf32>", "tensor<1x4x!nn.q<ui8, 0.5, 0>>"
    m = parse_module(
        f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %q = nn.quantize %x rounding "half_even" : {t_in} -> {t_out}
  func.return %q : {t_out}
}}""",
        CTX,
    )
    PlanMemoryPass(max_solve_secs=0).apply(CTX, m)
    from kcc.sim import simulate

    x = np.array([[1.25, 1.3, 7.1, 0.2]], dtype=np.float32)
    got = simulate(read_kmodel(write_kmodel(lower_to_kmodel(m, version))), [x]).outputs[0].reshape(-1)
    want = run(m, [x])[0].reshape(-1)
    assert want.tolist() == [2, 3, 14, 0] and got.tolist() == [3, 3, 14, 0]
