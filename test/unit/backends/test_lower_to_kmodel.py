"""lower-to-kmodel + write_kmodel end to end: a tiny conv net through the in-memory pipeline (fold-constants,
fold-transposes, fuse-conv, kpu-legalize, calibrate, quantize, plan-memory), lowered to v3 and v4, written,
read back (re-encodes to the same bytes) and simulated: outputs equal `kcc.interp.run` of the planned IR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from kcc.backends import read_kmodel
from kcc.backends.kmodel_dialect import model_to_program, program_to_bytes
from kcc.backends.kmodel_writer import write_kmodel
from kcc.context import kcc_context, parse_module
from kcc.dialects.nn.quant import DequantizeOp
from kcc.interp import run
from kcc.passes.lower_to_kmodel import kmodel_version_reason, lower_to_kmodel
from kcc.quant.calibration import calibrate
from kcc.sim import simulate
from kcc.universe import KCC_PASSES

CTX = kcc_context()

X = "tensor<1x3x16x16xf32>"
M16 = "tensor<1x8x16x16xf32>"
M8 = "tensor<1x8x8x8xf32>"
CONV = "strides [1, 1] pads [1, 1, 1, 1] dilations [1, 1] groups 1"
POOL = "kernel [2, 2] strides [2, 2] pads [0, 0, 0, 0] dilations [1, 1]"

CONV_NET = f"""
func.func @main(%x: {X}) -> {M8} {{
  %wt = nn.const dense<0.1> : tensor<8x3x3x3xf32>
  %b1 = nn.const dense<[0.05, -0.1, 0.2, 0.0, 0.3, -0.2, 0.1, 0.15]> : tensor<8xf32>
  %y = nn.conv2d %x, %wt, %b1 {CONV} : ({X}, tensor<8x3x3x3xf32>, tensor<8xf32>) -> {M16}
  %r = nn.relu %y : {M16} -> {M16}
  %w2 = nn.const dense<-0.07> : tensor<8x8x3x3xf32>
  %b2 = nn.const dense<0.3> : tensor<8xf32>
  %z = nn.conv2d %r, %w2, %b2 {CONV} : ({M16}, tensor<8x8x3x3xf32>, tensor<8xf32>) -> {M16}
  %p = nn.max_pool2d %z {POOL} : {M16} -> {M8}
  func.return %p : {M8}
}}
"""

# small maps: kpu-legalize adds uint8 pad / slice glue around the KPU layers (v4 only), then a KPU head
GLUE_NET = f"""
func.func @main(%x: {X}) -> tensor<1x10xf32> {{
  %w1 = nn.const dense<0.1> : tensor<8x3x3x3xf32>
  %b1 = nn.const dense<0.05> : tensor<8xf32>
  %y = nn.conv2d %x, %w1, %b1 {CONV} : ({X}, tensor<8x3x3x3xf32>, tensor<8xf32>) -> {M16}
  %r = nn.relu %y : {M16} -> {M16}
  %p = nn.max_pool2d %r {POOL} : {M16} -> {M8}
  %g = nn.reduce_mean %p axes [2, 3] keepdims true : {M8} -> tensor<1x8x1x1xf32>
  %f = nn.reshape %g : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %wf = nn.const dense<0.2> : tensor<10x8xf32>
  %bf = nn.const dense<0.1> : tensor<10xf32>
  %o = nn.fully_connected %f, %wf, %bf : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  func.return %o : tensor<1x10xf32>
}}
"""

SHAPE = (1, 3, 16, 16)


def _apply(module: ModuleOp, name: str, **options: Any) -> None:
    KCC_PASSES[name]()(**options).apply(CTX, module)
    module.verify()


def _strip_output_dequantize(module: ModuleOp) -> None:
    """Return the uint8 values instead of their dequantized floats (a uint8-output model)."""
    f = next(o for o in module.ops if isinstance(o, func.FuncOp))
    ret = f.body.block.last_op
    assert isinstance(ret, func.ReturnOp)
    for i, v in enumerate(list(ret.operands)):
        if isinstance(v.owner, DequantizeOp):
            deq = v.owner
            ret.operands[i] = deq.input
            deq.detach()
            deq.erase()
    f.update_function_type()


def planned(text: str, *, uint8_output: bool) -> ModuleOp:
    module = parse_module(text, CTX)
    for p in ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize"):
        _apply(module, p)
    rng = np.random.default_rng(0)
    calibrate(module, [[rng.standard_normal(SHAPE).astype(np.float32)] for _ in range(3)])
    _apply(module, "quantize", input_type="uint8")
    if uint8_output:
        _strip_output_dequantize(module)
    _apply(module, "plan-memory", max_solve_secs=0)
    return module


def _inputs(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, SHAPE).astype(np.uint8) for _ in range(n)]


def _compile(module: ModuleOp, version: int) -> bytes:
    data = write_kmodel(lower_to_kmodel(module, version))
    model = read_kmodel(data)
    assert program_to_bytes(model_to_program(model)) == data  # the re-read file re-encodes to the same bytes
    return data


def _sim(data: bytes, x: np.ndarray) -> list[np.ndarray]:
    model = read_kmodel(data)
    return [np.asarray(o) for o in simulate(model, [x]).outputs]


@pytest.fixture(scope="module")
def conv_net_u8() -> ModuleOp:
    return planned(CONV_NET, uint8_output=True)


@pytest.mark.parametrize("version", [3, 4])
def test_conv_net_bit_exact(conv_net_u8: ModuleOp, version: int) -> None:
    data = _compile(conv_net_u8, version)
    assert data == _compile(conv_net_u8, version)  # deterministic
    for x in _inputs(3):
        want = run(conv_net_u8, [x])
        got = _sim(data, x)
        assert len(got) == len(want) == 1
        assert got[0].dtype == np.uint8
        np.testing.assert_array_equal(got[0].reshape(-1), want[0].reshape(-1))


def test_conv_net_v3_layout(conv_net_u8: ModuleOp) -> None:
    """v3: the input upload is the runtime's; nncase's 8/128/128/256 conv block alignment; 8-bit flag."""
    model = read_kmodel(_compile(conv_net_u8, 3))
    names = [layer.name for layer in model.layers]
    assert names == ["KL_K210_CONV", "KL_K210_CONV"]
    assert model.header.flags == 1
    for layer in model.layers:
        b: Any = layer.body
        assert b.layer_offset % 8 == 0 and b.weights_offset % 128 == 0 and b.bn_offset % 128 == 0 and b.act_offset % 256 == 0
    assert [layer.body.main_mem_out for layer in model.layers] == [False, True]


def test_conv_net_v4_layout(conv_net_u8: ModuleOp) -> None:
    data = _compile(conv_net_u8, 4)
    model: Any = read_kmodel(data)
    assert [n.name for n in model.nodes] == ["kpu_upload", "kpu_conv2d", "kpu_conv2d"]
    assert model.inputs[0].pool == "main" and model.input_shapes[0] == (1, 3, 16, 16)
    for n in model.nodes[1:]:  # BN, activation, weights at absolute 256-aligned offsets (nncase v0.2)
        a = n.body.arg
        bn = n.offset + 120 + a.bwsx_base_addr
        act = bn + len(n.body.bn_raw) + a.active_addr
        w = act + 144 + a.para_start_addr
        assert bn % 256 == act % 256 == w % 256 == 0
        assert data[w : w + n.body.weights.size] == n.body.weights.astype(np.uint8).tobytes()
    assert model.nodes[2].body.main_mem_output.size == 8 * 8 * 8


@pytest.mark.parametrize("version", [3, 4])
def test_float_output_dequantize(version: int) -> None:
    """A float output, bit for bit: v3 computes q·s + bias (split by sign when -zp·s is not a float32), v4
    (q - zp)·(1/k) (a multiply by s when no f32 k has f32(1/k) == s)."""
    module = planned(CONV_NET, uint8_output=False)
    data = _compile(module, version)
    for x in _inputs(2):
        want = run(module, [x])[0].reshape(-1)
        got = _sim(data, x)[0].reshape(-1)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("version", [3, 4])
def test_glue_net_bit_exact(version: int) -> None:
    """uint8 pad / slice glue around KPU layers on small maps: v4 pad / strided_slice nodes, v3 a fill
    (REQUANTIZE to the pad byte) plus CONCAT gathers; auto picks v3 (every op is expressible)."""
    module = planned(GLUE_NET, uint8_output=True)
    data = _compile(module, version)
    for x in _inputs(2):
        np.testing.assert_array_equal(_sim(data, x)[0].reshape(-1), run(module, [x])[0].reshape(-1))
    if version == 3:
        layers = [type(layer.body).__name__ for layer in read_kmodel(data).layers]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType, reportUnknownArgumentType]
        assert "RequantizeBody" in layers and "ConcatBody" in layers
        assert kmodel_version_reason(module)[0] == 3


def test_auto_picks_v3_when_expressible(conv_net_u8: ModuleOp) -> None:
    assert kmodel_version_reason(conv_net_u8)[0] == 3


def test_v3_float_input_starts_with_a_loader_layer() -> None:
    """v3's runtime starts with a K210_CONV on the uploaded image or a FULLY_CONNECTED on float input: a float
    input quantized on the CPU gets an empty FULLY_CONNECTED (out_channels 0) that only loads the input."""
    module = parse_module(CONV_NET, CTX)
    for p in ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize"):
        _apply(module, p)
    calibrate(module, [[np.random.default_rng(0).standard_normal(SHAPE).astype(np.float32)]])
    _apply(module, "quantize")
    _apply(module, "plan-memory", max_solve_secs=0)
    assert kmodel_version_reason(module)[0] == 3
    data = _compile(module, 3)
    first: Any = read_kmodel(data).layers[0]  # pyright: ignore[reportAttributeAccessIssue]
    assert type(first.body).__name__ == "FullyConnectedBody" and first.body.out_channels == 0
    for x in _inputs(2):
        np.testing.assert_array_equal(_sim(data, x)[0].reshape(-1), run(module, [x])[0].reshape(-1))


IRIS = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel" / "iris.tflite"
IRIS_REFERENCE = [  # the fixtures README: nncase v0.2's runtime and ai-edge-litert on iris.tflite
    ((5.1, 3.5, 1.4, 0.2), (18.587677, 5.5538826, -2.2286901)),
    ((5.9, 3.0, 4.2, 1.5), (-1.9094219, 10.983703, 0.95099187)),
    ((6.3, 3.3, 6.0, 2.5), (-26.87547, -5.9565105, 15.7317295)),
]


@pytest.mark.parametrize("version", [3, 4])
def test_iris_tflite(version: int) -> None:
    """iris.tflite (two FULLY_CONNECTED): the FCs run as 1x1 KPU layers on 4x4 maps with uint8 pad/slice glue;
    both versions agree with the interpreter and with ai-edge-litert's logits up to uint8 quantization."""
    from kcc.frontends import import_model

    module = import_model(IRIS)
    for p in ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize"):
        _apply(module, p)
    xs = [np.asarray(x, np.float32).reshape(1, 4) for x, _ in IRIS_REFERENCE]
    calibrate(module, [[x] for x in xs])
    _apply(module, "quantize")
    _apply(module, "plan-memory", max_solve_secs=0)
    data = _compile(module, version)
    for x, (_, want) in zip(xs, IRIS_REFERENCE, strict=True):
        got = _sim(data, x)[0].reshape(-1)
        np.testing.assert_array_equal(got, run(module, [x])[0].reshape(-1))
        assert np.abs(got - np.asarray(want)).max() < 0.2  # uint8 quantization error of the 3 logits
        assert int(np.argmax(got)) == int(np.argmax(want))
