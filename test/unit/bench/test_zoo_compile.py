"""bench.zoo_compile (the `compile` benchmark) on the tiny keyword-spotting model: every stage of the
measurement in-process, the child-process driver, and the table rows of a failed and a successful compile."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import onnx
import pytest

from bench.zoo_compile import build_inputs, int8_weight_bytes, measure, rows_for, run_child, transitions
from kcc.backends import KModelV3, KModelV4

MODEL = "kws_dscnn"


@functools.cache
def measured_tiny() -> tuple[dict[str, Any], int]:
    """`measure` of the tiny KWS (built with `build_inputs`) and its ONNX weight count."""
    with tempfile.TemporaryDirectory() as tmp:
        path = build_inputs(MODEL, "tiny", Path(tmp))
        assert len(list((Path(tmp) / "calib").glob("*.npy"))) == 16
        weights = int8_weight_bytes(onnx.load(str(path)))
        return measure(MODEL, "tiny", Path(tmp)), weights


@functools.cache
def compiled_tiny() -> KModelV3 | KModelV4:
    from kcc.backends import read_kmodel
    from kcc.compiler.options import CompileOptions
    from kcc.compiler.pipeline import compile_model

    with tempfile.TemporaryDirectory() as tmp:
        path = build_inputs(MODEL, "tiny", Path(tmp))
        opts = CompileOptions(dataset=str(Path(tmp) / "calib"), dataset_format="raw", progress=False)
        return read_kmodel(compile_model(str(path), opts).data)


def test_transitions() -> None:
    assert transitions([]) == 0
    assert transitions([False, True, True, False]) == 2
    assert transitions([True, False, True, False, False]) == 3


def test_int8_weight_bytes_counts_conv_and_gemm_weights() -> None:
    from bench.models import MODELS

    model = MODELS[MODEL].build("onnx", "tiny")
    weights = {n.input[1] for n in model.graph.node if n.op_type in ("Conv", "Gemm", "MatMul")}
    sizes = {t.name: int(t.dims[0]) for t in model.graph.initializer}
    assert weights and int8_weight_bytes(model) > sum(sizes[w] for w in weights)  # more than one element each


def test_measure_tiny_every_stage() -> None:
    r, weights = measured_tiny()
    assert "error" not in r, r["error"]
    stages = [s for s, _ in r["stages"]]
    assert stages[0] == "import" and "calibrate" in stages and stages[-1] == "write-kmodel"
    assert r["compile_seconds"] >= sum(t for _, t in r["stages"]) > 0
    assert r["rss_peak_mib"] >= r["rss_before_mib"] > 0
    assert r["weight_bytes"] == weights and r["kmodel_bytes"] > weights
    assert r["memory"]["main_peak"] >= r["memory"]["main_lower_bound"] > 0
    assert 0 < r["kpu_nodes"] < r["nodes"] and r["transitions"] >= 1 and r["uploads"] >= 1
    assert r["latency_ms"] == pytest.approx(r["latency_kpu_ms"] + r["latency_cpu_ms"])
    assert 0.9 < r["cosine"] <= 1.0 + 1e-9
    assert r["sim_seconds"] > 0 and r["ort_seconds"] > 0


def test_rows_of_a_successful_compile() -> None:
    r, _ = measured_tiny()
    rows = rows_for(r)
    names = [m.name for m in rows]
    assert all(m.benchmark == "compile" and "(tiny)" in m.name for m in rows)
    for figure in ("import (file -> nn IR)", "compile with 16 images", "peak memory", "main RAM peak", "KPU RAM peak"):
        assert any(figure in n for n in names), figure
    for figure in ("int8 weight bytes", "KPU<->CPU transitions", "estimated K210 latency", "worst output cosine", "simulator"):
        assert any(figure in n for n in names), figure
    compile_row = next(m for m in rows if "compile with 16 images" in m.name)
    assert "calibrate" in compile_row.name and compile_row.goal == "< 60 s" and compile_row.met is True
    assert all("|" not in cell for m in rows for cell in m.cells())


def test_rows_of_a_failed_compile() -> None:
    r = {
        "model": "mobilenet_v1",
        "variant": "full",
        "error": "nn.pad (#3): mode edge | not expressible in kmodel v3\nhint=x",
        "failed_stage": "lower-to-kmodel",
        "compile_seconds": 12.5,
        "stages": [["import", 0.5], ["calibrate", 11.0]],
    }
    rows = rows_for(r)
    assert [m.met for m in rows] == [True, False]  # the import row, then the failure
    fail = rows[1]
    assert fail.name.startswith("MobileNetV1 1.0 224: FAILS at lower-to-kmodel: nn.pad (#3): mode edge / not")
    assert "\n" not in fail.name and fail.value == 12.5


def test_run_child_reports_a_crash_as_an_error() -> None:
    r = run_child("no_such_model", "tiny", timeout=120)
    assert r["error"].startswith("building the model failed: KeyError"), r
    rows = rows_for(r)
    assert len(rows) == 1 and rows[0].met is False and "FAILS" in rows[0].name
