"""plan-memory on whole programs: every plan verified, zoo models (tiny variants, legalized in float) within 5%
of the lower bound, and each planned program executed in one flat arena at its offsets equals the interpreter."""

from __future__ import annotations

import numpy as np
import pytest
from arena import run_in_arena
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, DictionaryAttr, IntegerAttr, ModuleOp, i64

from kcc.context import kcc_context
from kcc.frontends.onnx import import_onnx
from kcc.interp import entry_function, run
from kcc.memory import check_plan
from kcc.passes.plan_memory import PlanMemoryPass, plan_function
from kcc.universe import KCC_PASSES

CTX = kcc_context()
PRE = ("fold-constants", "fold-transposes", "fuse-conv", "kpu-legalize")


def _prepared(name: str) -> ModuleOp:
    from bench.models import MODELS

    module = import_onnx(MODELS[name].build("onnx", "tiny").SerializeToString())
    for p in PRE:
        KCC_PASSES[p]()().apply(CTX, module)
    return module


def _inputs(module: ModuleOp, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    f = entry_function(module)
    return [rng.standard_normal(tuple(a.type.get_shape())).astype(np.float32) for a in f.body.block.args]  # pyright: ignore


def _figures(module: ModuleOp) -> dict[str, int]:
    mem = module.attributes["kcc.memory"]
    assert isinstance(mem, DictionaryAttr)
    out: dict[str, int] = {}
    for k, v in mem.data.items():
        assert isinstance(v, IntegerAttr)
        out[k] = int(v.value.data)
    return out


@pytest.mark.parametrize("name", ["mobilenet_v1", "yolov2_tiny", "blazeface"])
def test_zoo_model_plan_near_lower_bound_and_runs_in_one_arena(name: str) -> None:
    module = _prepared(name)
    inputs = _inputs(module)
    expected = run(module, inputs)
    f = entry_function(module)
    fp = plan_function(f, max_solve_secs=10)
    for pool, plan in fp.plans.items():
        check_plan(plan.buffers, plan.offsets)
        print(f"{name} {pool}: peak {plan.peak}, lower bound {plan.lower_bound}, first-fit {plan.first_fit_peak}, {plan.status}")
    PlanMemoryPass(max_solve_secs=10).apply(CTX, module)
    module.verify()
    fig = _figures(module)
    print(name, fig)
    assert fig["main_lower_bound"] <= fig["main_peak"] <= 1.05 * fig["main_lower_bound"]
    got = run_in_arena(module, inputs)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(g, e)


def test_arena_executor_catches_an_overlap() -> None:
    """The end-to-end check is not vacuous: with every result at offset 0, BlazeFace's residual branches read
    bytes that later ops overwrote, and the outputs change."""
    module = _prepared("blazeface")
    inputs = _inputs(module)
    expected = run(module, inputs)
    PlanMemoryPass(max_solve_secs=0).apply(CTX, module)
    f = entry_function(module)
    for op in f.body.block.ops:
        if "kcc.offset" in op.attributes and not isinstance(op, func.ReturnOp):
            op.attributes["kcc.offset"] = DenseArrayBase.from_list(i64, [0] * len(op.results))
    got = run_in_arena(module, inputs)
    assert any(not np.array_equal(g, e) for g, e in zip(got, expected, strict=True))
