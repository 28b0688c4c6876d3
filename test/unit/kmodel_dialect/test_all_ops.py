"""Every kmodel op of both versions: a hand-built program goes to bytes, through the reader and back to an
identical module and identical bytes; the simulator's result equals a numpy reference written from the specs
(or, for ops no runtime defines / the simulator does not run, `simulate` raises a clean KccError)."""

from __future__ import annotations

import numpy as np
import pytest
from all_ops import CASES, Case

from kcc.backends import read_kmodel
from kcc.backends.kmodel_dialect import find_program, model_to_module, module_to_model, program_to_bytes
from kcc.backends.kmodel_v3.reader import read_kmodel_v3
from kcc.context import parse_module
from kcc.dialects.kmodel import v3, v4
from kcc.errors import KccError
from kcc.sim import simulate
from kcc.tools.kcc import module_text

IDS = [c.name for c in CASES]


def test_every_op_has_a_case() -> None:
    used = {op.name for c in CASES for op in find_program(c.module).nodes}
    missing = sorted(op.name for op in (*v3.OPS, *v4.OPS) if op.name not in used)
    assert not missing, f"ops without a hand-built program: {missing}"
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("c", CASES, ids=IDS)
def test_program_bytes_reader_module_round_trip(c: Case) -> None:
    c.module.verify()
    text = module_text(c.module)
    data = program_to_bytes(find_program(c.module))
    model = read_kmodel_v3(data, check_first_layer=False) if find_program(c.module).kmodel_version == 3 else read_kmodel(data)
    again = model_to_module(model)
    again.verify()
    assert module_text(again) == text
    assert program_to_bytes(find_program(again)) == data
    parsed = parse_module(text)
    assert program_to_bytes(find_program(parsed)) == data
    assert module_to_model(parsed) == model


@pytest.mark.parametrize("c", CASES, ids=IDS)
def test_simulator_matches_spec_reference(c: Case) -> None:
    model = module_to_model(c.module)
    if isinstance(c.expect, str):
        with pytest.raises(KccError, match=c.expect):
            simulate(model, c.inputs)
        return
    res = simulate(model, c.inputs)
    if callable(c.expect):
        c.expect(res)
        return
    assert len(res.outputs) == len(c.expect)
    for got, want in zip(res.outputs, c.expect, strict=True):
        want = np.asarray(want)
        assert got.shape == want.reshape(-1).shape
        if c.exact:
            np.testing.assert_array_equal(got, want.reshape(-1).astype(got.dtype))
        else:
            np.testing.assert_allclose(got, want.reshape(-1), rtol=1e-5, atol=1e-6)
