"""Interpreter of the `kpu` dialect: fake_conv2d against nn ops in float, conv2d / upload / download bit-exact
against direct calls into kcc.k210, and the first KPU layer of the Maix-EMC cifar10 kmodel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, TensorType, f32
from xdsl.ir import Attribute, SSAValue

from kcc.backends import load_kmodel
from kcc.backends.kmodel_v3.format import K210ConvBody
from kcc.context import parse_module
from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.kpu import (
    ActivationTableAttr,
    BatchNormTableAttr,
    Conv2dOp,
    DownloadOp,
    FakeConv2dOp,
    KpuRamType,
    UploadOp,
)
from kcc.dialects.nn.attrs import ActivationAttr
from kcc.interp import run
from kcc.interp.kpu.values import KpuMap
from kcc.k210.kpu_layer import conv_alu, kpu_layer, run_layer
from kcc.k210.kpu_ram import byte_offsets, download, map_lines, new_ram, upload
from kcc.k210.layer_argument import LayerArgument, make_layer_argument
from kcc.k210.tables import SEGMENT0_START, ActivationTable, BatchNormTable

FIX = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"
UI8 = IntegerType(8, Signedness.UNSIGNED)
UI16 = IntegerType(16, Signedness.UNSIGNED)


def _f32(*shape: int) -> TensorType:
    return TensorType(f32, list(shape))


# ---------------------------------------------------------------------------------------------- fake_conv2d


def _nn_pool(y: SSAValue, code: int) -> SSAValue:
    """The nn ops that compute KPU pool code `code` in float."""
    t = y.type
    assert isinstance(t, TensorType)
    n, c, h, w = (int(d) for d in t.get_shape())
    if code == 0:
        return y
    if code in (1, 2, 3, 4):
        k = 2 if code in (1, 2) else 4
        out = _f32(n, c, h // k, w // k)
        if code in (1, 3):
            return nn.MaxPool2dOp(y, out, (k, k), (k, k)).output
        return nn.AvgPool2dOp(y, out, (k, k), (k, k)).output
    if code in (5, 6, 7):
        s = 4 if code == 7 else 2
        x0 = 1 if code == 6 else 0
        oh, ow = h // s, w // s
        return nn.SliceOp(y, _f32(n, c, oh, ow), (0, 0, 0, x0), (n, c, oh * s, x0 + (ow - 1) * s + 1), (1, 1, s, s)).output
    if code == 9:  # taps past the bottom/right edge never win
        return nn.MaxPool2dOp(y, _f32(n, c, h, w), (2, 2), (1, 1), (0, 0, 1, 1)).output
    # code 8: the last row/column replicated
    p = nn.PadOp(y, _f32(n, c, h + 1, w + 1), (0, 0, 0, 0, 0, 0, 1, 1), mode="edge").output
    return nn.AvgPool2dOp(p, _f32(n, c, h, w), (2, 2), (1, 1)).output


POOL_STRIDE = {0: 1, 1: 2, 2: 2, 3: 4, 4: 4, 5: 2, 6: 2, 7: 4, 8: 1, 9: 1}


@pytest.mark.parametrize("code", range(10))
@pytest.mark.parametrize(
    ("act", "k", "hw"),
    [
        (None, 3, (16, 16)),
        (ActivationAttr("leaky_relu", [0.1]), 3, (17, 19)),
        (ActivationAttr("clamp", [-1.0, 2.0]), 1, (16, 20)),
    ],
)
def test_fake_conv2d_is_nn_conv_then_pool(code: int, act: ActivationAttr | None, k: int, hw: tuple[int, int]) -> None:
    rng = np.random.default_rng(code)
    c, o = 3, 5
    h, w = hw
    s = POOL_STRIDE[code]
    wt = rng.normal(size=(o, c, k, k)).astype(np.float32)
    bias = rng.normal(size=(o,)).astype(np.float32)
    x = rng.normal(size=(1, c, h, w)).astype(np.float32)
    p = (k - 1) // 2

    def fake(xv: SSAValue) -> SSAValue:
        wv = nn.const_from_numpy(wt).output
        bv = nn.const_from_numpy(bias).output
        return FakeConv2dOp(xv, wv, bv, _f32(1, o, h // s, w // s), pool=code, act=act).output

    def reference(xv: SSAValue) -> SSAValue:
        wv = nn.const_from_numpy(wt).output
        bv = nn.const_from_numpy(bias).output
        y = nn.Conv2dOp(xv, wv, bv, _f32(1, o, h, w), pads=(p, p, p, p), act=act).output
        return _nn_pool(y, code)

    got = run(build_module([_f32(1, c, h, w)], fake), [x])[0]
    want = run(build_module([_f32(1, c, h, w)], reference), [x])[0]
    assert got.shape == want.shape == (1, o, h // s, w // s)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_fake_conv2d_depthwise() -> None:
    rng = np.random.default_rng(7)
    wt = rng.normal(size=(4, 1, 3, 3)).astype(np.float32)
    bias = rng.normal(size=(4,)).astype(np.float32)
    x = rng.normal(size=(1, 4, 8, 8)).astype(np.float32)
    relu = ActivationAttr("relu")

    def body(reference: bool) -> Callable[[SSAValue], SSAValue]:
        def f(xv: SSAValue) -> SSAValue:
            wv, bv = nn.const_from_numpy(wt).output, nn.const_from_numpy(bias).output
            if reference:
                return nn.Conv2dOp(xv, wv, bv, _f32(1, 4, 8, 8), pads=(1, 1, 1, 1), groups=4, act=relu).output
            return FakeConv2dOp(xv, wv, bv, _f32(1, 4, 8, 8), depthwise=True, act=relu).output

        return f

    got = run(build_module([_f32(1, 4, 8, 8)], body(False)), [x])[0]
    want = run(build_module([_f32(1, 4, 8, 8)], body(True)), [x])[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert (got >= 0).all() and (got > 0).any()


# ---------------------------------------------------------------------------------------------- upload / download


@pytest.mark.parametrize(
    ("c", "h", "w", "line"), [(3, 8, 8, None), (5, 6, 20, 7), (2, 5, 40, None), (3, 4, 100, 1000), (1, 4, 64, 3)]
)
def test_upload_download_round_trip(c: int, h: int, w: int, line: int | None) -> None:
    rng = np.random.default_rng(c * h * w)
    x = rng.integers(0, 256, size=(1, c, h, w), dtype=np.uint8)
    t = TensorType(UI8, [1, c, h, w])
    ram_t = KpuRamType.of_tensor(t, line)

    def body(xv: SSAValue) -> SSAValue:
        return DownloadOp(UploadOp(xv, ram_t).output).output

    got = run(build_module([t], body), [x])[0]
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, x)
    # the interpreter's RAM holds the bytes where kcc.k210.kpu_ram puts them, and nothing else
    m = KpuMap.upload(x, line or 0)
    ram = new_ram()
    upload(ram, line or 0, x[0])
    np.testing.assert_array_equal(m.ram, ram)
    touched = np.zeros(ram.size, bool)
    touched[byte_offsets(line or 0, c, h, w)] = True
    assert not m.ram[~touched].any()
    assert touched.sum() == x.size and map_lines(c, h, w) * 64 >= x.size


# ---------------------------------------------------------------------------------------------- conv2d


def _random_tables(rng: np.random.Generator, alu: np.ndarray) -> tuple[BatchNormTable, ActivationTable]:
    """BN mapping each channel's ALU range onto about 0…2^14, and a 16-segment table spreading that over 0…255."""
    oc = alu.shape[0]
    lo = alu.reshape(oc, -1).min(axis=1)
    span = alu.reshape(oc, -1).max(axis=1) - lo + 1
    mul = np.clip((1 << 24) // span, 1, (1 << 23) - 1)
    bn = BatchNormTable(mul, -((lo * mul) >> 10) + rng.integers(-64, 64, oc), np.full(oc, 10))
    starts = np.sort(rng.integers(0, 1 << 14, 16))
    starts[0] = SEGMENT0_START
    act = ActivationTable(starts, rng.integers(100, 300, 16), np.full(16, 14), rng.integers(0, 32, 16))
    return bn, act


def _conv_module(
    arg: LayerArgument, weights: np.ndarray, bn: BatchNormTable, act: ActivationTable, in_line: int | None, out_line: int | None
) -> ModuleOp:
    c, h, wd = arg.in_channels, arg.in_height, arg.in_width
    t_in = TensorType(UI8, [1, c, h, wd])
    r_in = KpuRamType.of_tensor(t_in, in_line)
    r_out = KpuRamType((1, arg.out_channels, arg.out_height, arg.out_width), UI8, out_line)
    wtype: Attribute = TensorType(UI16 if weights.dtype == np.uint16 else UI8, list(weights.shape))

    def body(xv: SSAValue) -> SSAValue:
        wv = nn.const_from_numpy(weights, wtype).output
        up = UploadOp(xv, r_in).output
        y = Conv2dOp(up, wv, r_out, arg, BatchNormTableAttr(bn), ActivationTableAttr(act)).output
        return DownloadOp(y).output

    return build_module([t_in], body)


@pytest.mark.parametrize(
    ("ic", "oc", "h", "w", "k", "pool", "dw", "wbytes", "lines"),
    [
        (3, 8, 8, 8, 3, 1, False, 1, None),
        (8, 8, 12, 20, 3, 0, True, 1, (0, 200)),
        (16, 4, 10, 40, 1, 9, False, 1, (300, 10)),
        (4, 6, 8, 8, 3, 6, False, 2, None),
        (5, 7, 9, 9, 3, 8, False, 1, (0, 100)),
    ],
)
def test_conv2d_is_kpu_layer(
    ic: int, oc: int, h: int, w: int, k: int, pool: int, dw: bool, wbytes: int, lines: tuple[int, int] | None
) -> None:
    rng = np.random.default_rng(ic * oc + pool)
    src, dst = lines if lines is not None else (0, 0)
    arg = make_layer_argument(
        in_channels=ic, out_channels=oc, height=h, width=w, kernel=k, pool_type=pool, depthwise=dw, src_addr=src,
        dst_addr=dst, pad_value=int(rng.integers(0, 256)), arg_x=-int(rng.integers(0, 1 << 12)), shr_x=3,
        arg_w=-int(rng.integers(0, 1 << 10)), shr_w=2, arg_add=int(rng.integers(0, 1 << 16)), weight_bytes=wbytes,
    )  # fmt: skip
    wdtype = np.uint16 if wbytes == 2 else np.uint8
    weights = rng.integers(0, 256 if wbytes == 1 else 4096, size=(oc, 1 if dw else ic, k, k)).astype(wdtype)
    x = rng.integers(0, 256, size=(1, ic, h, w), dtype=np.uint8)
    alu = conv_alu(
        x[0], weights, kernel=k, depthwise=dw, pad_value=arg.pad_value, arg_x=arg.arg_x, shr_x=arg.shr_x,
        arg_w=arg.arg_w, shr_w=arg.shr_w, arg_add=arg.arg_add, out_channels=oc,
    )  # fmt: skip
    bn, act = _random_tables(rng, alu)
    module = _conv_module(arg, weights, bn, act, *(lines if lines is not None else (None, None)))
    got = run(module, [x])[0]
    want = kpu_layer(x[0], arg, weights, bn, act)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got[0], want)
    assert len(np.unique(want)) > 20  # the tables produce a non-trivial output
    # printing and parsing the module keeps every attribute
    again = parse_module(str(module))
    assert str(again) == str(module)
    np.testing.assert_array_equal(run(again, [x])[0], got)


def test_cifar10_first_kpu_layer_matches_run_layer() -> None:
    model = load_kmodel(FIX / "maixemc_cifar10_v3.kmodel")
    body = next(layer.body for layer in model.layers if isinstance(layer.body, K210ConvBody))  # pyright: ignore[reportAttributeAccessIssue]
    assert isinstance(body, K210ConvBody)
    arg = body.arg
    x_chw = np.fromfile(FIX / "maixemc_cifar10_input_chw_3x32x32.bin", np.uint8).reshape(3, 32, 32)
    weights = np.asarray(body.weights).reshape(arg.out_channels, arg.in_channels, arg.kernel_size, arg.kernel_size)
    module = _conv_module(arg, weights, body.bn, body.act, arg.image_src_addr, arg.image_dst_addr)
    text = str(module)
    assert f"!kpu.ram<1x32x32x32xui8, line {arg.image_dst_addr}>" in text
    # the real layer's argument and tables survive print -> parse exactly
    again = parse_module(text)
    conv = next(op for op in again.walk() if isinstance(op, Conv2dOp))
    assert conv.layer_argument.encode() == body.arg_raw
    assert conv.bn.table.encode() == body.bn_raw
    assert conv.act.table.encode() == body.act_raw
    got = run(again, [x_chw[None]])[0]
    ram = new_ram()
    upload(ram, arg.image_src_addr, x_chw)
    run_layer(ram, arg, body.weights, body.bn, body.act)
    want = download(ram, arg.image_dst_addr, arg.out_channels, arg.out_height, arg.out_width)
    np.testing.assert_array_equal(got[0], want)
    assert want.std() > 0
