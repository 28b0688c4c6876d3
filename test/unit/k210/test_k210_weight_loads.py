"""kcc.k210.weight_loads.check_weight_loads: generator-made and real arguments pass, broken ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcc.backends import load_kmodel
from kcc.backends.kmodel_v3.format import K210ConvBody
from kcc.k210.layer_argument import make_layer_argument
from kcc.k210.weight_loads import check_weight_loads

FIX = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"


@pytest.mark.parametrize(
    ("ic", "oc", "k", "dw", "wb"),
    [(3, 16, 3, False, 1), (256, 512, 1, False, 1), (64, 64, 3, True, 1), (512, 128, 3, False, 2), (1024, 1024, 3, False, 1)],
)
def test_generator_arguments_pass(ic: int, oc: int, k: int, dw: bool, wb: int) -> None:
    limit = 30 * 1024 * wb
    arg = make_layer_argument(
        in_channels=ic, out_channels=oc, height=8, width=8, kernel=k, depthwise=dw, weight_bytes=wb, load_limit=limit
    )
    assert check_weight_loads(arg, wb) == []


@pytest.mark.parametrize("name", ["maixemc_cifar10_v3", "nncase01_yolo20_v3"])
def test_fixture_layers_pass(name: str) -> None:
    model = load_kmodel(FIX / f"{name}.kmodel")
    bodies = [layer.body for layer in model.layers if isinstance(layer.body, K210ConvBody)]  # pyright: ignore[reportAttributeAccessIssue]
    assert bodies
    for body in bodies:
        assert check_weight_loads(body.arg, body.weights.dtype.itemsize) == []


def test_violations_are_named() -> None:
    arg = make_layer_argument(in_channels=3, out_channels=4, height=8, width=8, kernel=3)
    assert check_weight_loads(arg, 3) == ["weights are 3 bytes wide; the KPU takes 1 (8-bit mode) or 2 (16-bit mode)"]
    assert check_weight_loads(arg.with_fields(kernel_type=2), 1) == ["kernel_type 2 is not a KPU kernel (0 = 1x1, 1 = 3x3)"]
    assert check_weight_loads(arg.with_fields(para_size=1), 1) == ["para_size 1 should be 4 channels x 27 bytes = 108"]
    assert check_weight_loads(arg.with_fields(load_time=1), 1) == [
        "load_time + 1 = 2 loads of 4 output channels, but 4 channels need 1"
    ]
    big = make_layer_argument(in_channels=1024, out_channels=8, height=4, width=4, kernel=3, load_limit=1 << 20)
    assert check_weight_loads(big, 1) == ["73728 weight bytes per load exceed the 36864-byte weight buffer"]
