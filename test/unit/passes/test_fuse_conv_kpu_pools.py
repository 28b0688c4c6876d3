"""kpu_pool_type: which nn pools are exactly a KPU pool code (for kpu-legalize's pool fusion).

A sweep over pool geometries checks soundness (every recognised pool computes what `kcc.k210.pool_float` computes
for that code, output shape included); explicit cases check that each code is recognised and the near misses
are not."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from nhwc_graphs import UI8, tensor
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, SSAValue
from xdsl.utils.exceptions import VerifyException

from kcc.dialects import nn
from kcc.dialects.builder import build_module
from kcc.dialects.nn.base import conv_out_dim
from kcc.dialects.nn.types import QuantType
from kcc.interp import run
from kcc.k210.kpu_layer import DEFAULT_OPTIONS, KpuOptions
from kcc.k210.pool_float import pool_float
from kcc.passes.kpu_pool_match import KPU_POOL_CODES, kpu_pool_type

EXCLUDE = KpuOptions(mean_s1_border="exclude")
Pool = nn.MaxPool2dOp | nn.AvgPool2dOp


def make_pool(
    x: SSAValue,
    kind: str,
    kernel: int,
    stride: int,
    pads: tuple[int, int, int, int] = (0, 0, 0, 0),
    dilation: int = 1,
    include_pad: bool = False,
) -> Pool:
    t = x.type
    n, c, h, w = (int(d) for d in t.get_shape())  # pyright: ignore[reportAttributeAccessIssue]
    oh = conv_out_dim(h, kernel, stride, dilation, pads[0], pads[2])
    ow = conv_out_dim(w, kernel, stride, dilation, pads[1], pads[3])
    out = tensor((n, c, oh, ow), t.element_type)  # pyright: ignore[reportAttributeAccessIssue]
    k, s = (kernel, kernel), (stride, stride)
    if kind == "max":
        return nn.MaxPool2dOp(x, out, k, s, pads, (dilation, dilation))
    return nn.AvgPool2dOp(x, out, k, s, pads, count_include_pad=include_pad)


def standalone(kind: str, size: tuple[int, int], kernel: int, stride: int, **kw: object) -> Pool:
    x = Block(arg_types=[tensor((1, 2, *size))]).args[0]
    op = make_pool(x, kind, kernel, stride, **kw)  # pyright: ignore[reportArgumentType]
    op.verify()
    return op


def pool_module(kind: str, size: tuple[int, int], kernel: int, stride: int, **kw: object) -> ModuleOp:
    return build_module([tensor((1, 3, *size))], lambda x: make_pool(x, kind, kernel, stride, **kw).output)  # pyright: ignore[reportArgumentType]


PADS = [(0, 0, 0, 0), (0, 0, 1, 1), (1, 1, 1, 1), (0, 0, 1, 0), (1, 1, 0, 0)]
SIZES = [(4, 4), (5, 7), (6, 6), (8, 8), (9, 12)]
GEOMETRIES = list(
    itertools.product(
        [("max", False), ("avg", False), ("avg", True)],  # (kind, count_include_pad)
        [1, 2, 3, 4],  # kernel
        [1, 2, 4],  # stride
        PADS,
        [1, 2],  # dilation (max only)
    )
)


@pytest.mark.parametrize("options", [DEFAULT_OPTIONS, EXCLUDE], ids=["default", "exclude"])
def test_every_recognised_pool_computes_the_kpu_pool(options: KpuOptions) -> None:
    rng = np.random.default_rng(0)
    seen: set[str] = set()
    checked = 0
    for (kind, include_pad), kernel, stride, pads, dilation in GEOMETRIES:
        if kind == "avg" and dilation != 1:
            continue
        for size in SIZES:
            kw = {"pads": pads, "include_pad": include_pad} if kind == "avg" else {"pads": pads, "dilation": dilation}
            try:
                module = pool_module(kind, size, kernel, stride, **kw)
            except VerifyException:
                continue  # pads >= kernel extent or an empty output
            op = next(o for o in module.walk() if isinstance(o, nn.MaxPool2dOp | nn.AvgPool2dOp))
            name = kpu_pool_type(op, options)
            if name is None:
                continue
            seen.add(name)
            x = rng.standard_normal((1, 3, *size)).astype(np.float32)
            (got,) = run(module, [x])
            want = pool_float(x, KPU_POOL_CODES[name], options)
            assert got.shape == want.shape, (name, kind, kernel, stride, pads, size)
            np.testing.assert_allclose(
                got, want, rtol=1e-6, atol=1e-7, err_msg=f"{name} {kind} k{kernel} s{stride} {pads} {size}"
            )
            checked += 1
    expected = {"bypass", "max_2_s2", "mean_2_s2", "max_4_s4", "mean_4_s4", "left_top_2_s2", "left_top_4_s4", "max_2_s1"}
    if options.mean_s1_border == "exclude":
        expected.add("mean_2_s1")
    assert seen == expected
    assert checked > 50


@pytest.mark.parametrize(
    ("kind", "size", "kernel", "stride", "kw", "name"),
    [
        ("max", (8, 8), 2, 2, {}, "max_2_s2"),
        ("max", (7, 9), 2, 2, {}, "max_2_s2"),  # VALID on odd sizes: both drop the last row/column
        ("avg", (8, 8), 2, 2, {}, "mean_2_s2"),
        ("avg", (8, 8), 2, 2, {"include_pad": True}, "mean_2_s2"),  # no padding: the divisor is 4 either way
        ("max", (8, 8), 4, 4, {}, "max_4_s4"),
        ("avg", (9, 10), 4, 4, {}, "mean_4_s4"),
        ("max", (5, 6), 2, 1, {"pads": (0, 0, 1, 1)}, "max_2_s1"),  # TF SAME 2x2/1
        ("max", (8, 8), 1, 2, {}, "left_top_2_s2"),
        ("avg", (8, 12), 1, 4, {}, "left_top_4_s4"),
        ("max", (5, 5), 1, 1, {}, "bypass"),
        # near misses
        ("max", (7, 7), 2, 2, {"pads": (0, 0, 1, 1)}, None),  # TF SAME on odd sizes: ceil(7 / 2) = 4 rows, KPU 3
        ("max", (8, 8), 2, 2, {"pads": (1, 1, 1, 1)}, None),
        ("max", (8, 8), 2, 2, {"dilation": 2}, None),
        ("max", (8, 8), 3, 2, {"pads": (1, 1, 1, 1)}, None),  # 3x3/2 is no KPU pool
        ("max", (7, 8), 1, 2, {}, None),  # 1x1/2 on odd height keeps 4 rows, the KPU 3
        ("max", (8, 8), 2, 1, {"pads": (1, 1, 0, 0)}, None),  # window y-1..y, not y..y+1
        ("avg", (6, 6), 2, 1, {"pads": (0, 0, 1, 1)}, None),  # mean_2_s1 under the default replicate border
        ("avg", (6, 6), 2, 1, {"pads": (0, 0, 1, 1), "include_pad": True}, None),
        ("max", (8, 8), 2, 2, {"pads": (0, 0, 0, 1)}, None),
    ],
)
def test_named_cases(kind: str, size: tuple[int, int], kernel: int, stride: int, kw: dict[str, object], name: str | None) -> None:
    assert kpu_pool_type(standalone(kind, size, kernel, stride, **kw)) == name


def test_mean_2_s1_needs_the_exclude_border_and_count_include_pad_false() -> None:
    same = standalone("avg", (6, 6), 2, 1, pads=(0, 0, 1, 1))
    assert kpu_pool_type(same) is None
    assert kpu_pool_type(same, EXCLUDE) == "mean_2_s1"
    counted = standalone("avg", (6, 6), 2, 1, pads=(0, 0, 1, 1), include_pad=True)
    assert kpu_pool_type(counted, EXCLUDE) is None


def test_ceil_mode_avg_pool_is_not_a_kpu_pool() -> None:
    x = Block(arg_types=[tensor((1, 2, 7, 7))]).args[0]
    op = nn.AvgPool2dOp(x, tensor((1, 2, 4, 4)), (2, 2), (2, 2), (0, 0, 1, 1), ceil_pads=(1, 1))
    op.verify()
    assert kpu_pool_type(op) is None


def test_quantized_pools_are_not_matched() -> None:
    q = QuantType(UI8, 0.5, 0)
    x = Block(arg_types=[tensor((1, 2, 8, 8), q)]).args[0]
    op = nn.MaxPool2dOp(x, tensor((1, 2, 4, 4), q), (2, 2), (2, 2))
    op.verify()
    assert kpu_pool_type(op) is None


def test_names_are_the_kpu_pool_codes() -> None:
    from kcc.k210.kpu_layer import POOL_NAMES

    assert all(POOL_NAMES[code] == name for name, code in KPU_POOL_CODES.items())
