"""Every v4 opcode's hand-built program (test/unit/kmodel_dialect/all_ops.py) as C: compiled with -Werror, run,
and compared with the simulator: outputs, main RAM and KPU RAM byte for byte (ulp-bounded only where the C
library's sin/cos flow; exp, log and softmax use kcc's own float32 functions on both sides and are bit-exact).
Opcodes the simulator refuses are refused by the C backend too, with a one-line KccError."""

from __future__ import annotations

import pytest
from c_build import CModel, assert_matches_sim, build_shared
from kmodel_dialect.all_ops import CASES, Case

from kcc.backends.c import emit_c
from kcc.backends.kmodel_dialect import module_to_model
from kcc.backends.kmodel_v4.format import KModelV4
from kcc.errors import KccError

V4 = [c for c in CASES if c.name.startswith("v4.")]
RUNNABLE = [c for c in V4 if not isinstance(c.expect, str)]
REFUSED = [c for c in V4 if isinstance(c.expect, str)]


def _model(case: Case) -> KModelV4:
    m = module_to_model(case.module)
    assert isinstance(m, KModelV4)
    return m


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CModel]:
    """Every runnable case in one executable (one link; the objects compile two at a time)."""
    return build_shared({c.name: _model(c) for c in RUNNABLE}, tmp_path_factory, "nodes")


@pytest.mark.parametrize("case", RUNNABLE, ids=[c.name for c in RUNNABLE])
def test_node_matches_simulator(case: Case, built: dict[str, CModel]) -> None:
    cm = built[case.name]
    assert_matches_sim(cm.model, case.inputs, cm(case.inputs))


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_refused_like_the_simulator(case: Case) -> None:
    with pytest.raises(KccError) as e:
        emit_c(_model(case))
    text = str(e.value)
    assert "\n" not in text and "(#0)" in text


def test_every_v4_kind_is_covered() -> None:
    kinds = {n.name for c in RUNNABLE for n in _model(c).nodes}
    assert kinds >= {
        "binary", "quantized_binary", "concat", "conv2d", "quantized_conv2d", "conv2d_transpose", "quantize",
        "dequantize", "matmul", "quantized_matmul", "pad", "reduce", "reduce_window2d", "memory_copy", "resize_image",
        "softmax", "transpose", "strided_slice", "unary", "nnil_unary_method", "table_lookup1d", "kpu_upload", "kpu_conv2d",
    }  # fmt: skip
