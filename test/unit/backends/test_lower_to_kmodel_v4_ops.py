"""kmodel v4 lowering of CPU ops, op by op: planned IR -> lower -> write -> read back -> simulate equals
`kcc.interp.run` of the planned IR bit for bit (edge pad, depth_to_space, transpose, split, max pool, uint8 mean,
dequantize whose scale has no f32 reciprocal), and plan-memory's download liveness."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from kcc.backends import read_kmodel
from kcc.backends.kmodel_writer import write_kmodel
from kcc.context import kcc_context, parse_module
from kcc.interp import run
from kcc.passes.lower_to_kmodel import lower_to_kmodel
from kcc.passes.plan_memory import PlanMemoryPass
from kcc.sim import simulate

CTX = kcc_context()
Q = "!nn.q<ui8, 0.05, 12>"


def _planned(text: str) -> ModuleOp:
    m = parse_module(text, CTX)
    PlanMemoryPass(max_solve_secs=0).apply(CTX, m)
    m.verify()
    return m


def _exact(text: str, *inputs: np.ndarray[Any, Any]) -> list[str]:
    """Run both and compare byte for byte; returns the v4 node names."""
    m = _planned(text)
    program = lower_to_kmodel(m, 4)
    model = read_kmodel(write_kmodel(program))
    got = simulate(model, list(inputs)).outputs
    want = run(m, list(inputs))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.reshape(-1).tobytes() == np.ascontiguousarray(w).reshape(-1).tobytes()
    return [n.name for n in model.nodes]


def _u8(shape: tuple[int, ...], seed: int = 0) -> np.ndarray[Any, Any]:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


@pytest.mark.parametrize("pads", [[0, 0, 0, 0, 0, 0, 1, 0], [0, 0, 2, 1, 0, 0, 1, 3]])
def test_edge_pad(pads: list[int]) -> None:
    h, w = 3 + pads[2] + pads[6], 4 + pads[3] + pads[7]
    t_in, t_out = f"tensor<1x5x3x4x{Q}>", f"tensor<1x5x{h}x{w}x{Q}>"
    names = _exact(
        f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %p = nn.pad %x pads {pads} mode "edge" : {t_in} -> {t_out}
  func.return %p : {t_out}
}}""",
        _u8((1, 5, 3, 4)),
    )
    assert "concat" in names and "strided_slice" in names


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
def test_depth_to_space(mode: str) -> None:
    t_in, t_out = f"tensor<1x12x3x5x{Q}>", f"tensor<1x3x6x10x{Q}>"
    names = _exact(
        f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %y = nn.depth_to_space %x block 2 mode "{mode}" : {t_in} -> {t_out}
  func.return %y : {t_out}
}}""",
        _u8((1, 12, 3, 5)),
    )
    assert names == ["transpose", "transpose"]


def test_transpose_split_max_pool() -> None:
    t_in = f"tensor<1x4x6x6x{Q}>"
    names = _exact(
        f"""func.func @main(%x: {t_in}) -> (tensor<1x6x6x4x{Q}>, tensor<1x1x6x6x{Q}>, tensor<1x4x3x3x{Q}>) {{
  %t = nn.transpose %x perm [0, 2, 3, 1] : {t_in} -> tensor<1x6x6x4x{Q}>
  %a, %b = nn.split %x axis 1 sizes [1, 3] : {t_in} -> tensor<1x1x6x6x{Q}>, tensor<1x3x6x6x{Q}>
  %p = nn.max_pool2d %x kernel [3, 3] strides [2, 2] pads [1, 1, 0, 0] dilations [1, 1] : {t_in} -> tensor<1x4x3x3x{Q}>
  func.return %t, %a, %p : tensor<1x6x6x4x{Q}>, tensor<1x1x6x6x{Q}>, tensor<1x4x3x3x{Q}>
}}""",
        _u8((1, 4, 6, 6)),
    )
    assert names.count("strided_slice") == 2 and "transpose" in names and "reduce_window2d" in names


def _mean(t_in: str, t_out: str) -> str:
    return f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %m = nn.reduce_mean %x axes [2, 3] keepdims false : {t_in} -> {t_out}
  func.return %m : {t_out}
}}"""


def test_uint8_mean_is_exact_for_every_input() -> None:
    """The global average pool of the tiny MobileNetV2 (a 1x1 map, other parameters out): checked for every sum."""
    t_in, t_out = "tensor<1x6x1x1x!nn.q<ui8, 0.0235294122, 3>>", "tensor<1x6x!nn.q<ui8, 0.02, 7>>"
    x = np.array([0, 3, 100, 200, 254, 255], dtype=np.uint8).reshape(1, 6, 1, 1)
    assert _exact(_mean(t_in, t_out), x) == ["dequantize", "reduce", "quantize"]


def test_uint8_mean_without_matching_scale_is_an_error() -> None:
    """TFLite's MEAN over 16 elements rounds twice (a doubling high multiply, then a rounding shift): no single
    f32 scale of the quantize node reproduces it, so the lowering refuses instead of being off by one."""
    from kcc.errors import KccError

    m = _planned(_mean("tensor<1x6x4x4x!nn.q<ui8, 0.0235294122, 3>>", "tensor<1x6x!nn.q<ui8, 0.02, 7>>"))
    with pytest.raises(KccError) as e:
        lower_to_kmodel(m, 4)
    msg = str(e.value)
    assert "\n" not in msg and "nn.reduce_mean" in msg and "#0" in msg and "16 elements" in msg and "float" in msg


def test_dequantize_without_f32_reciprocal() -> None:
    from kcc.backends.kmodel_v4.lowering import inverse_scale

    s = 0.04564078524708748  # no f32 k has f32(1/k) == f32(s)
    assert np.float32(1) / np.float32(inverse_scale(s)) != np.float32(s)
    t_in, t_out = f"tensor<1x10x!nn.q<ui8, {s}, 120>>", "tensor<1x10xf32>"
    names = _exact(
        f"""func.func @main(%x: {t_in}) -> {t_out} {{
  %y = nn.dequantize %x : {t_in} -> {t_out}
  func.return %y : {t_out}
}}""",
        np.arange(0, 250, 25, dtype=np.uint8).reshape(1, 10),
    )
    assert names == ["dequantize", "binary"]


def test_download_is_live_from_its_layer() -> None:
    """A download placed after other ops is written by the runtime at its KPU layer: plan-memory keeps its buffer
    apart from every main-RAM tensor live in between."""
    from test_lower_to_kmodel import CONV_NET, SHAPE, _apply  # pyright: ignore[reportMissingImports, reportUnknownVariableType]

    from kcc.dialects.kpu.ops import DownloadOp
    from kcc.passes.plan_memory import plan_function
    from kcc.quant.calibration import calibrate

    m = parse_module(CONV_NET, CTX)
    for name in ("fuse-conv", "kpu-legalize"):
        _apply(m, name)  # pyright: ignore[reportUnknownArgumentType]
    calibrate(m, [[np.random.default_rng(i).random(SHAPE, dtype=np.float32)] for i in range(2)])
    _apply(m, "quantize")  # pyright: ignore[reportUnknownArgumentType]
    f = next(iter(m.ops))
    fp = plan_function(f, max_solve_secs=0)  # pyright: ignore[reportArgumentType]
    ops = list(f.body.block.ops)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownArgumentType]
    downloads = [o for o in ops if isinstance(o, DownloadOp)]
    assert downloads
    main = fp.plans["main"]
    for d in downloads:
        layer = d.input.owner
        b = next(b for b in main.buffers if b.name == f"%{ops.index(d)}" or b.name.endswith(d.output.name_hint or "\0"))
        assert b.start == ops.index(layer)
