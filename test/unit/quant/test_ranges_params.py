"""kcc.quant.ranges (IR attributes) and kcc.quant.params (uint8 parameters)."""

from __future__ import annotations

import pytest
from xdsl.parser import Parser

from kcc.context import kcc_context
from kcc.errors import KccError
from kcc.interp.runner import entry_function
from kcc.quant.params import int8_symmetric, uint8_dequantize, uint8_params, uint8_quantize
from kcc.quant.ranges import get_arg_range, get_ranges, set_arg_range, set_ranges

TEXT = """
func.func @main(%x: tensor<2xf32> {kcc.name = "in"}, %y: tensor<2xf32>) -> tensor<2xf32> {
  %r = nn.relu %x : tensor<2xf32> -> tensor<2xf32>
  return %r : tensor<2xf32>
}
"""


def test_ranges_round_trip_through_text() -> None:
    ctx = kcc_context()
    module = Parser(ctx, TEXT).parse_module()
    f = entry_function(module)
    relu = next(op for op in f.body.walk() if op.name == "nn.relu")
    assert get_ranges(relu) is None and get_arg_range(f, 1) is None
    set_ranges(relu, [(0.0, 6.25)])
    set_arg_range(f, 1, (-1.5, 2.0))
    text = str(module)
    assert 'kcc.name = "in"' in text  # other arg attributes are kept
    again = Parser(ctx, text).parse_module()
    f2 = entry_function(again)
    assert get_ranges(next(op for op in f2.body.walk() if op.name == "nn.relu")) == [(0.0, 6.25)]
    assert get_arg_range(f2, 1) == (-1.5, 2.0) and get_arg_range(f2, 0) is None


def test_uint8_params() -> None:
    assert uint8_params(0.0, 6.0) == (6.0 / 255, 0)
    assert uint8_params(-1.0, 1.0) == (2.0 / 255, 128)  # 127.5 rounds half to even
    assert uint8_params(2.0, 4.0) == (4.0 / 255, 0)  # widened to include 0
    assert uint8_params(-4.0, -2.0) == (4.0 / 255, 255)
    assert uint8_params(0.0, 0.0) == (1.0, 0)
    scale, zp = uint8_params(-1.0, 3.0)
    q = uint8_quantize(__import__("numpy").array([-1.0, 0.0, 3.0, 9.0]), scale, zp)
    assert q.tolist() == [0, zp, 255, 255]
    assert uint8_dequantize(q, scale, zp)[1] == 0.0  # zero is exact
    assert int8_symmetric(2.54) == (0.02, 0)
    with pytest.raises(KccError, match="not finite"):
        uint8_params(float("nan"), 1.0)
