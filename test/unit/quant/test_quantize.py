# ruff: noqa: E501  (IR text in the tests)
"""`quantize` (kcc/passes/quantize.py): KPU layers bit-exact to kcc.k210, quantized vs float accuracy, conversion
folding, and the inference-type / input-type options.

Ranges come from running the float program (min/max of every value over a few inputs: `minmax_ranges`), so
these tests do not depend on the calibration methods. While `kcc.k210.quantize_layer.quantize_kpu_layer` is
still a stub, `_standin_quantize_kpu_layer` (per-channel weight scales through BN; none / relu / clamp only) stands in.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, TensorType
from xdsl.ir import SSAValue

import kcc.k210.quantize_layer as quantize_layer_module
from kcc.context import kcc_context
from kcc.dialects.kpu.ops import Conv2dOp as KpuConv2dOp
from kcc.dialects.kpu.ops import DownloadOp, FakeConv2dOp, UploadOp
from kcc.dialects.nn.quant import DequantizeOp, QuantizeOp, RequantizeOp
from kcc.dialects.nn.types import is_quantized
from kcc.interp import run
from kcc.k210.kpu_layer import kpu_layer
from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.tables import ActivationTable, BatchNormTable
from kcc.quant.ranges import set_arg_range, set_ranges
from kcc.universe import KCC_PASSES

CTX = kcc_context()
POOL_CODES = {"bypass": 0, "max_2_s2": 1, "mean_2_s2": 2, "max_4_s4": 3, "mean_4_s4": 4, "left_top_2_s2": 5}


# ---------------------------------------------------------------------------------------------- stand-in


def _standin_quantize_kpu_layer(
    weights_f32: np.ndarray,
    bias_f32: np.ndarray,
    *,
    depthwise: bool,
    act: tuple[str, tuple[float, ...]],
    pool: str,
    in_q: tuple[float, int],
    out_q: tuple[float, int],
    in_shape: tuple[int, int, int],
    weight_bits: int = 8,
    per_channel: bool = True,
) -> Any:
    """Weights with one zero point and per-channel scales; ALU = sum (x - zx)(w - zw) through arg_x/arg_w/arg_add; BN to the output
    scale refined by 2^A; the activation table divides by 2^A, adds the zero point and clamps."""
    sx, zx = in_q
    so, zo = out_q
    levels = (1 << weight_bits) - 1
    w = np.asarray(weights_f32, dtype=np.float64)
    o, _, k, _ = w.shape
    zw = (levels + 1) // 2  # one zero point (arg_x is per layer); a scale per output channel, absorbed by BN
    absmax = np.abs(w.reshape(o, -1)).max(axis=1)
    sw = np.where(absmax > 0, absmax / (zw - 1), 1.0)
    wq = np.clip(np.rint(w / sw[:, None, None, None]) + zw, 0, levels).astype(np.uint16 if weight_bits == 16 else np.uint8)
    c, h, wd = in_shape
    m = sx * sw / so
    a = max(0, min(20, math.floor(math.log2(2.0**7 / float(m.max())))))
    bn = BatchNormTable(
        norm_mul=np.rint(m * 2.0**a * 2.0**15).astype(np.int64),
        norm_add=np.rint(np.asarray(bias_f32, dtype=np.float64) / so * 2.0**a).astype(np.int64),
        norm_shift=np.full(o, 15),
    )
    kind, params = act
    lo_q, _hi_q = -(1 << 35), (1 << 35) - 1
    starts, muls, adds = [0] * 16, [1] * 16, [zo] * 16
    if kind in ("relu", "clamp"):
        floor_t = 0.0 if kind == "relu" else params[0]
        starts = [lo_q] + [round(floor_t / so * 2.0**a)] * 15
        muls = [0] + [1] * 15
        adds = [int(np.clip(zo + round(floor_t / so), 0, 255))] + [zo] * 15
        if kind == "clamp":
            starts[15] = round(params[1] / so * 2.0**a)
            muls[15], adds[15] = 0, int(np.clip(zo + round(params[1] / so), 0, 255))
    elif kind != "none":
        raise NotImplementedError(f"stand-in: activation {kind}")
    table = ActivationTable(start_x=starts, mul=muls, shift=[a] * 16, add=adds)
    arg = make_layer_argument(
        in_channels=c,
        out_channels=o,
        height=h,
        width=wd,
        kernel=k,
        pool_type=POOL_CODES[pool],
        depthwise=depthwise,
        pad_value=zx,
        arg_x=-zw,
        arg_w=-zx,
        arg_add=zx * zw * k * k,
        weight_bytes=weight_bits // 8,
    )
    return quantize_layer_module.QuantizedKpuLayer(arg=arg, weights=wq, bn=bn, act=table)


def _q3_ready() -> bool:
    try:
        quantize_layer_module.quantize_kpu_layer(
            np.zeros((1, 1, 1, 1), np.float32),
            np.zeros(1, np.float32),
            depthwise=False,
            act=("none", ()),
            pool="bypass",
            in_q=(1.0, 0),
            out_q=(1.0, 0),
            in_shape=(1, 4, 4),
        )
    except NotImplementedError:
        return False
    return True


@pytest.fixture(autouse=True)
def kpu_math(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not _q3_ready():
        monkeypatch.setattr(quantize_layer_module, "quantize_kpu_layer", _standin_quantize_kpu_layer)
    yield


# ---------------------------------------------------------------------------------------------- helpers


def _main(module: ModuleOp) -> func.FuncOp:
    return next(op for op in module.ops if isinstance(op, func.FuncOp))


def run_all_values(module: ModuleOp, inputs: list[np.ndarray]) -> tuple[list[SSAValue], list[np.ndarray]]:
    """Every op result of @main (constants excluded) and its value on `inputs`, in program order."""
    probe = module.clone()
    f = _main(probe)
    block = f.body.blocks.first
    assert block is not None
    ret = block.last_op
    assert isinstance(ret, func.ReturnOp)
    values = [r for op in block.ops if op is not ret and op.name != "nn.const" for r in op.results]
    n = len(ret.operands)
    ret.operands = [*ret.operands, *values]
    f.function_type = FunctionType.from_lists(list(f.function_type.inputs.data), [v.type for v in ret.operands])
    out = run(probe, inputs)[n:]
    # map back onto the original module's values by position
    orig_block = _main(module).body.blocks.first
    assert orig_block is not None
    orig = [r for op in orig_block.ops if op is not orig_block.last_op and op.name != "nn.const" for r in op.results]
    return orig, out


def minmax_ranges(module: ModuleOp, inputs: list[list[np.ndarray]]) -> None:
    """Set `kcc.ranges` / `kcc.range` to the min/max over `inputs` of every float value of @main."""
    f = _main(module)
    lo: dict[SSAValue, float] = {}
    hi: dict[SSAValue, float] = {}
    for sample in inputs:
        values, arrays = run_all_values(module, sample)
        for v, a in zip(values, arrays, strict=True):
            if a.dtype.kind == "f":
                lo[v] = min(lo.get(v, math.inf), float(a.min()))
                hi[v] = max(hi.get(v, -math.inf), float(a.max()))
    block = f.body.blocks.first
    assert block is not None
    for op in block.ops:
        if op.results and all(r in lo for r in op.results):
            set_ranges(op, [(lo[r], hi[r]) for r in op.results])
    for i in range(len(block.args)):
        x = np.stack([s[i] for s in inputs])
        set_arg_range(f, i, (float(x.min()), float(x.max())))


def _option_value(v: str) -> Any:
    if v in ("true", "false"):
        return v == "true"
    for kind in (int, float):
        try:
            return kind(v)
        except ValueError:
            pass
    return v


def apply(module: ModuleOp, spec: str) -> None:
    name, _, opts = spec.partition("{")
    kwargs: dict[str, Any] = {}
    for item in opts.rstrip("}").split():
        k, v = item.split("=")
        kwargs[k.replace("-", "_")] = _option_value(v)
    KCC_PASSES[name]()(**kwargs).apply(CTX, module)
    module.verify()


def ops_named(module: ModuleOp, name: str) -> list[Any]:
    return [op for op in module.walk() if op.name == name]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def _parse(text: str) -> ModuleOp:
    from xdsl.parser import Parser

    return Parser(CTX, text).parse_module()


def _f32_hex(a: np.ndarray) -> str:
    return "0x" + np.ascontiguousarray(a, dtype="<f4").tobytes().hex().upper()


def chain_module(seed: int = 0) -> ModuleOp:
    """x [1,3,8,8] -> fake 3x3 relu -> fake 1x1 max_2_s2 -> reshape -> fake 1x1 (a second chain, after CPU glue
    that is not quantized: sigmoid) -> result."""
    rng = np.random.default_rng(seed)
    w1, b1 = rng.standard_normal((4, 3, 3, 3)) * 0.3, rng.standard_normal(4) * 0.1
    w2, b2 = rng.standard_normal((6, 4, 1, 1)) * 0.5, rng.standard_normal(6) * 0.1
    w3, b3 = rng.standard_normal((5, 6, 1, 1)) * 0.5, rng.standard_normal(5) * 0.1
    return _parse(f"""
func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x5x4x4xf32> {{
  %w1 = "nn.const"() <{{value = dense<"{_f32_hex(w1)}"> : tensor<4x3x3x3xf32>}}> : () -> tensor<4x3x3x3xf32>
  %b1 = "nn.const"() <{{value = dense<"{_f32_hex(b1)}"> : tensor<4xf32>}}> : () -> tensor<4xf32>
  %w2 = "nn.const"() <{{value = dense<"{_f32_hex(w2)}"> : tensor<6x4x1x1xf32>}}> : () -> tensor<6x4x1x1xf32>
  %b2 = "nn.const"() <{{value = dense<"{_f32_hex(b2)}"> : tensor<6xf32>}}> : () -> tensor<6xf32>
  %w3 = "nn.const"() <{{value = dense<"{_f32_hex(w3)}"> : tensor<5x6x1x1xf32>}}> : () -> tensor<5x6x1x1xf32>
  %b3 = "nn.const"() <{{value = dense<"{_f32_hex(b3)}"> : tensor<5xf32>}}> : () -> tensor<5xf32>
  %a = kpu.fake_conv2d %x, %w1, %b1 pool bypass act #nn.act<relu> : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %b = kpu.fake_conv2d %a, %w2, %b2 pool max_2_s2 : (tensor<1x4x8x8xf32>, tensor<6x4x1x1xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %s = nn.sigmoid %b : tensor<1x6x4x4xf32> -> tensor<1x6x4x4xf32>
  %c = kpu.fake_conv2d %s, %w3, %b3 pool bypass : (tensor<1x6x4x4xf32>, tensor<5x6x1x1xf32>, tensor<5xf32>) -> tensor<1x5x4x4xf32>
  func.return %c : tensor<1x5x4x4xf32>
}}
""")


def _inputs(module: ModuleOp, count: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    args = _main(module).body.blocks.first.args  # pyright: ignore[reportOptionalMemberAccess]
    shapes = [tuple(a.type.get_shape()) for a in args]  # pyright: ignore[reportAttributeAccessIssue]
    return [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(count)]


# ---------------------------------------------------------------------------------------------- tests


def test_chain_structure_and_float_agreement() -> None:
    module = chain_module()
    calib = _inputs(module, 4, 1)
    minmax_ranges(module, calib)
    reference = module.clone()
    apply(module, "quantize")
    assert not ops_named(module, "kpu.fake_conv2d")
    assert len(ops_named(module, "kpu.conv2d")) == 3
    # the first two layers chain in KPU RAM: one upload before, one download after (for the CPU sigmoid)
    names = [op.name for op in _main(module).body.ops if op.name != "nn.const"]
    assert names == [
        "nn.quantize",
        "kpu.upload",
        "kpu.conv2d",
        "kpu.conv2d",
        "kpu.download",
        "nn.dequantize",
        "nn.sigmoid",
        "nn.quantize",
        "kpu.upload",
        "kpu.conv2d",
        "kpu.download",
        "nn.dequantize",
        "func.return",
    ]
    conv2 = ops_named(module, "kpu.conv2d")[1]
    assert isinstance(conv2.input.owner, KpuConv2dOp)
    # signature unchanged (float in, float out)
    assert _main(module).function_type == _main(reference).function_type
    for sample in _inputs(module, 3, 7):
        want = run(reference, sample)[0]
        got = run(module, sample)[0]
        assert cosine(want, got) > 0.995


def test_kpu_conv2d_exact_against_kpu_layer() -> None:
    """The issue's "done when": every kpu.conv2d `quantize` made computes exactly kcc.k210's kpu_layer on the
    integers it reads (bytes uploaded / produced by the previous layer)."""
    module = chain_module(3)
    minmax_ranges(module, _inputs(module, 4, 2))
    apply(module, "quantize")
    sample = _inputs(module, 1, 11)[0]
    values, arrays = run_all_values(module, sample)
    by_value = dict(zip(values, arrays, strict=True))
    convs = ops_named(module, "kpu.conv2d")
    assert len(convs) == 3
    for conv in convs:
        assert isinstance(conv, KpuConv2dOp)
        x = by_value[conv.input][0]
        w = conv.weight.owner.to_numpy()  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess]
        want = kpu_layer(x, conv.layer_argument, w, conv.bn.table, conv.act.table)
        got = by_value[conv.output][0]
        np.testing.assert_array_equal(got, want)
        # and the layer's integers mean the fake conv's reals: within a few output steps
        assert conv.input.type.element_type.zp_value == conv.layer_argument.pad_value


def test_upload_reads_the_quantized_input_and_pad_value_is_its_zero_point() -> None:
    module = chain_module()
    minmax_ranges(module, _inputs(module, 2, 1))
    apply(module, "quantize")
    up = ops_named(module, "kpu.upload")[0]
    assert isinstance(up, UploadOp)
    q = up.input.owner
    assert isinstance(q, QuantizeOp)
    et = q.output.type.element_type  # pyright: ignore[reportAttributeAccessIssue]
    f = _main(module)
    from kcc.quant.params import uint8_params
    from kcc.quant.ranges import get_arg_range

    r = get_arg_range(f, 0)
    assert r is not None
    scale, zp = uint8_params(*r)
    assert et.zp_value == zp
    assert et.scale_value == pytest.approx(scale, rel=1e-7)


def test_missing_range_is_an_error() -> None:
    from kcc.errors import KccError

    module = chain_module()
    with pytest.raises(KccError, match=r"kpu.fake_conv2d \(#\d+\): the input has no calibrated range.*calibrate"):
        apply(module, "quantize")


def _cpu_glue_module() -> ModuleOp:
    """Two KPU layers joined by CPU ops with uint8 forms (reshape, max pool, add)."""
    rng = np.random.default_rng(5)
    w1, b1 = rng.standard_normal((4, 4, 1, 1)) * 0.5, rng.standard_normal(4) * 0.1
    w2, b2 = rng.standard_normal((4, 4, 1, 1)) * 0.5, rng.standard_normal(4) * 0.1
    return _parse(f"""
func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {{
  %w1 = "nn.const"() <{{value = dense<"{_f32_hex(w1)}"> : tensor<4x4x1x1xf32>}}> : () -> tensor<4x4x1x1xf32>
  %b1 = "nn.const"() <{{value = dense<"{_f32_hex(b1)}"> : tensor<4xf32>}}> : () -> tensor<4xf32>
  %w2 = "nn.const"() <{{value = dense<"{_f32_hex(w2)}"> : tensor<4x4x1x1xf32>}}> : () -> tensor<4x4x1x1xf32>
  %b2 = "nn.const"() <{{value = dense<"{_f32_hex(b2)}"> : tensor<4xf32>}}> : () -> tensor<4xf32>
  %a = kpu.fake_conv2d %x, %w1, %b1 pool bypass : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %p = nn.max_pool2d %a kernel [3, 3] strides [2, 2] pads [1, 1, 0, 0] dilations [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %b = kpu.fake_conv2d %p, %w2, %b2 pool bypass : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %s = nn.add %b, %p : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  func.return %s : tensor<1x4x4x4xf32>
}}
""")


def test_uint8_inference_quantizes_cpu_ops() -> None:
    module = _cpu_glue_module()
    minmax_ranges(module, _inputs(module, 4, 3))
    reference = module.clone()
    apply(module, "quantize{output-quantize-threshold=16}")
    pool = ops_named(module, "nn.max_pool2d")[0]
    add = ops_named(module, "nn.add")[0]
    assert is_quantized(pool.output.type) and is_quantized(add.output.type)
    # the pool keeps its input's parameters: no requantization between the download and the next upload
    assert pool.output.type.element_type == pool.input.type.element_type
    assert not ops_named(module, "nn.requantize")
    assert [op.name for op in ops_named(module, "nn.dequantize")] == ["nn.dequantize"]  # only the result
    for sample in _inputs(module, 2, 9):
        assert cosine(run(reference, sample)[0], run(module, sample)[0]) > 0.99


def test_float_inference_keeps_cpu_ops_float() -> None:
    module = _cpu_glue_module()
    minmax_ranges(module, _inputs(module, 4, 3))
    reference = module.clone()
    apply(module, "quantize{inference-type=float}")
    assert len(ops_named(module, "kpu.conv2d")) == 2
    for name in ("nn.max_pool2d", "nn.add"):
        (op,) = ops_named(module, name)
        assert not any(is_quantized(v.type) for v in (*op.operands, *op.results))
    assert len(ops_named(module, "kpu.download")) == 2
    for sample in _inputs(module, 2, 9):
        assert cosine(run(reference, sample)[0], run(module, sample)[0]) > 0.99


def test_thresholds_and_no_quantized_binary() -> None:
    for spec in ("quantize", "quantize{no-quantized-binary=true output-quantize-threshold=0}"):
        module = _cpu_glue_module()
        minmax_ranges(module, _inputs(module, 2, 3))
        apply(module, spec)  # 64 outputs < the default 1024; or binary ops disabled
        (add,) = ops_named(module, "nn.add")
        assert not is_quantized(add.output.type)
    module = _cpu_glue_module()
    minmax_ranges(module, _inputs(module, 2, 3))
    reference = module.clone()
    apply(module, "quantize{weights-quantize-threshold=0.01}")  # every conv's weights are "divergent"
    assert not ops_named(module, "kpu.conv2d")
    assert len(ops_named(module, "nn.conv2d")) == 2
    sample = _inputs(module, 1, 4)[0]
    np.testing.assert_allclose(run(module, sample)[0], run(reference, sample)[0], rtol=1e-5, atol=1e-6)


def test_input_type_uint8_changes_the_signature() -> None:
    module = chain_module()
    minmax_ranges(module, _inputs(module, 2, 1))
    apply(module, "quantize{input-type=uint8}")
    arg_t = _main(module).function_type.inputs.data[0]
    assert isinstance(arg_t, TensorType) and is_quantized(arg_t)
    first = next(op for op in _main(module).body.ops if op.name != "nn.const")
    assert isinstance(first, UploadOp)
    x = np.random.default_rng(0).integers(0, 256, (1, 3, 8, 8), dtype=np.uint8)
    assert run(module, [x])[0].shape == (1, 5, 4, 4)


# ---------------------------------------------------------------------------------------------- folding


FOLD_IR = """
func.func @main(%q: tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>) -> (tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>) {
  %d = nn.dequantize %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4xf32>
  %same = nn.quantize %d rounding "half_even" : tensor<1x4x4x4xf32> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %other = nn.quantize %d rounding "half_even" : tensor<1x4x4x4xf32> -> tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>
  %r = nn.requantize %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %u = kpu.upload %q : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> !kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  %dl = kpu.download %u : !kpu.ram<1x4x4x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
  func.return %same, %other, %r, %dl : tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.25, 3>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>, tensor<1x4x4x4x!nn.q<ui8, 0.5, 10>>
}
"""


def test_fold_rules() -> None:
    from kcc.passes.quantize import fold_quantization_pairs

    module = _parse(FOLD_IR)
    x = np.random.default_rng(0).integers(0, 256, (1, 4, 4, 4), dtype=np.uint8)
    before = run(module, [x])
    assert fold_quantization_pairs(module) == 4
    module.verify()
    ops = [op for op in _main(module).body.ops]
    assert [type(op) for op in ops] == [RequantizeOp, func.ReturnOp]
    ret = ops[-1]
    arg = _main(module).body.blocks.first.args[0]  # pyright: ignore[reportOptionalMemberAccess]
    assert ret.operands[0] is arg and ret.operands[2] is arg and ret.operands[3] is arg
    after = run(module, [x])
    for i in (0, 2, 3):
        np.testing.assert_array_equal(after[i], before[i])
    # the requantize may differ from dequantize + quantize by one step (fixed-point vs float rounding)
    assert np.abs(after[1].astype(int) - before[1].astype(int)).max() <= 1


def test_fold_rules_inside_quantize_pass_and_dequantize_quantize_kept() -> None:
    """A pair left in the input by a QDQ model folds in the pass too; dequantize(quantize(x)) rounds, so it stays."""
    module = _parse(FOLD_IR)
    apply(module, "quantize")
    assert [op.name for op in _main(module).body.ops] == ["nn.requantize", "func.return"]
    keep = _parse("""
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = nn.quantize %x rounding "half_away" : tensor<1x4xf32> -> tensor<1x4x!nn.q<ui8, 0.5, 10>>
  %d = nn.dequantize %q : tensor<1x4x!nn.q<ui8, 0.5, 10>> -> tensor<1x4xf32>
  func.return %d : tensor<1x4xf32>
}
""")
    apply(keep, "quantize")
    assert [op.name for op in _main(keep).body.ops] == ["nn.quantize", "nn.dequantize", "func.return"]
    assert isinstance(next(iter(_main(keep).body.ops)), QuantizeOp)
    assert isinstance(list(_main(keep).body.ops)[1], DequantizeOp)


def test_already_quantized_scales_are_reused() -> None:
    """dequantize(int8 x) -> fake conv: the KPU input reuses x's scale (zero point + 128), exactly."""
    rng = np.random.default_rng(2)
    w, b = rng.standard_normal((4, 4, 1, 1)) * 0.5, np.zeros(4)
    module = _parse(f"""
func.func @main(%q: tensor<1x4x4x4x!nn.q<i8, 0.05, -3>>) -> tensor<1x4x4x4xf32> {{
  %w = "nn.const"() <{{value = dense<"{_f32_hex(w)}"> : tensor<4x4x1x1xf32>}}> : () -> tensor<4x4x1x1xf32>
  %b = "nn.const"() <{{value = dense<"{_f32_hex(b)}"> : tensor<4xf32>}}> : () -> tensor<4xf32>
  %d = nn.dequantize %q : tensor<1x4x4x4x!nn.q<i8, 0.05, -3>> -> tensor<1x4x4x4xf32>
  %c = kpu.fake_conv2d %d, %w, %b pool bypass : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  func.return %c : tensor<1x4x4x4xf32>
}}
""")
    minmax_ranges_from = [[rng.integers(-128, 128, (1, 4, 4, 4)).astype(np.int8)] for _ in range(3)]
    values, _ = run_all_values(module, minmax_ranges_from[0])
    conv = ops_named(module, "kpu.fake_conv2d")[0]
    set_ranges(conv, [(-3.0, 3.0)])
    del values
    apply(module, "quantize")
    up = ops_named(module, "kpu.upload")[0]
    req = up.input.owner
    assert isinstance(req, RequantizeOp)
    et = req.output.type.element_type  # pyright: ignore[reportAttributeAccessIssue]
    assert (et.scale_value, et.zp_value) == (pytest.approx(0.05), 125)
    assert not ops_named(module, "nn.dequantize")[:-1] or ops_named(module, "nn.dequantize")[0].input.owner is not None
    x = minmax_ranges_from[1][0]
    assert run(module, [x])[0].shape == (1, 4, 4, 4)
    assert DownloadOp  # imported for the structure checks above
    assert FakeConv2dOp
