"""`kcc import`: model files to nn IR on the command line, with the cleanup passes, shapes and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from tflite_graph import Graph
from tflite_ref import run_model

from bench.models import mobilenet_v1_onnx
from kcc.context import parse_module
from kcc.interp import run
from kcc.tools.kcc import main


def _import(tmp_path: Path, model: Path, *extra: str) -> str:
    out = tmp_path / "out.mlir"
    assert main(["import", str(model), "-o", str(out), *extra]) == 0
    return out.read_text()


def _nhwc_conv_relu_model() -> bytes:
    rng = np.random.default_rng(0)
    g = Graph()
    x = g.input("image", (1, 6, 6, 3))
    w1 = g.const("w1", rng.standard_normal((4, 3, 3, 3)).astype(np.float32))
    b1 = g.const("b1", np.zeros(4, np.float32))
    y1 = g.tensor("y1", (1, 6, 6, 4))
    g.op("CONV_2D", [x, w1, b1], [y1], padding="SAME", stride_w=1, stride_h=1, fused_activation_function="RELU")
    w2 = g.const("w2", rng.standard_normal((2, 1, 1, 4)).astype(np.float32))
    b2 = g.const("b2", np.ones(2, np.float32))
    y2 = g.tensor("y2", (1, 6, 6, 2))
    g.op("CONV_2D", [y1, w2, b2], [y2], padding="VALID", stride_w=1, stride_h=1)
    g.output(y2)
    return g.build()


def test_tflite_import_folds_layout_transposes_and_matches_litert(tmp_path: Path) -> None:
    model = tmp_path / "net.tflite"
    model.write_bytes(_nhwc_conv_relu_model())
    raw = _import(tmp_path, model, "--passes", "")
    clean = _import(tmp_path, model)
    assert raw.count("nn.transpose") == 4  # two per conv, as imported
    assert clean.count("nn.transpose") == 2  # only at the graph edges after fold-transposes
    assert '{kcc.name = "image"}' in clean
    x = np.random.default_rng(1).standard_normal((1, 6, 6, 3)).astype(np.float32)
    (want,) = run_model(model.read_bytes(), [x])
    for text in (raw, clean):
        (got,) = run(parse_module(text), [x])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_onnx_import_to_stdout_runs_like_onnxruntime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import onnxruntime as ort

    proto = mobilenet_v1_onnx(0.25, 32, classes=10)
    model = tmp_path / "mobilenet.onnx"
    onnx.save(proto, model)
    assert main(["import", str(model)]) == 0
    text = capsys.readouterr().out
    x = np.random.default_rng(2).random((1, 3, 32, 32), dtype=np.float32)
    (got,) = run(parse_module(text), [x])
    (want,) = ort.InferenceSession(proto.SerializeToString()).run(None, {"input": x})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert "nn.transpose" not in text


def test_input_shape_override_fixes_a_dynamic_batch(tmp_path: Path) -> None:
    proto = mobilenet_v1_onnx(0.25, 32, classes=10)
    proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    model = tmp_path / "dynamic.onnx"
    onnx.save(proto, model)
    assert main(["import", str(model)]) == 2
    text = _import(tmp_path, model, "--input-shape", "input:2,3,32,32")
    assert "tensor<2x3x32x32xf32>" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "model.pb"], "cannot tell the model format of 'model.pb'"),
        (["import", "x.onnx", "--input-shape", "input:1,a"], "bad --input-shape 'input:1,a'"),
        (["import", "x.onnx", "--input-shape", "0,3"], "dimensions must be positive"),
    ],
)
def test_bad_arguments_give_one_line_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_bad_pass_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "absent.tflite")]) == 2
    assert "absent.tflite" in capsys.readouterr().err
    model = tmp_path / "net.tflite"
    model.write_bytes(_nhwc_conv_relu_model())
    assert main(["import", str(model), "--passes", "no-such-pass"]) == 2
    err = capsys.readouterr().err
    assert "bad pass pipeline 'no-such-pass'" in err and "fold-transposes" in err


def test_failed_import_leaves_no_output(tmp_path: Path) -> None:
    out = tmp_path / "out.mlir"
    out.write_text("old")
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    assert main(["import", str(bad), "-o", str(out)]) == 2
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tflite", "out.mlir"]  # no temp file left behind
