"""`kcc compile` end to end: options, the in-memory pipeline, --report, --dump-ir, atomic output, the examples.

Two kinds of cases:

* driver cases run the real pipeline (import ... plan-memory) with the kmodel lowering and writer replaced by
  a deterministic stand-in (`fake_backend`), so they test the driver whatever the state of the backend;
* backend cases run everything for real (lower-to-kmodel + write_kmodel), read the file back with
  `kcc.backends.load_kmodel` and run `kcc infer` on it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from kcc.tools.kcc import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MOBILENET = EXAMPLES / "mobilenet_tiny.tflite"
YOLO = EXAMPLES / "yolo_tiny.onnx"
CALIB = EXAMPLES / "calib"

PIPELINE_STAGES = [
    "import",
    "fold-constants",
    "fold-transposes",
    "nchw-inputs",
    "fuse-conv",
    "kpu-legalize",
    "calibrate",
    "quantize",
    "plan-memory",
    "lower-to-kmodel",
]


def _fake_write(module: ModuleOp) -> bytes:
    from kcc.compiler.pipeline import module_text

    return b"FAKEKMODEL" + hashlib.sha256(module_text(module).encode()).digest()


@contextmanager
def fake_backend_patch() -> Generator[None]:
    """Replace lower-to-kmodel and write_kmodel by stand-ins (version 4, bytes = a hash of the planned IR)."""
    import kcc.backends.kmodel_writer as writer
    import kcc.passes.lower_to_kmodel as lowering

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lowering, "kmodel_version_reason", lambda module: (4, "stand-in backend"))  # pyright: ignore[reportUnknownLambdaType]
        mp.setattr(lowering, "lower_to_kmodel", lambda module, version: module.clone())  # pyright: ignore[reportUnknownLambdaType]
        mp.setattr(writer, "write_kmodel", _fake_write)
        yield


@pytest.fixture
def fake_backend() -> Iterator[None]:
    with fake_backend_patch():
        yield


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


def compile_args(model: Path, output: Path, *extra: str) -> list[str]:
    return ["compile", "-t", "k210", str(model), "--dataset", str(CALIB), "-o", str(output), *extra]


# --- driver cases (stand-in backend) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def mobilenet_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The bundled MobileNet compiled once with --report and --dump-ir: (output, dump dir, stdout)."""
    tmp = tmp_path_factory.mktemp("mobilenet")
    out, dump = tmp / "m.kmodel", tmp / "ir"
    from io import StringIO

    buf, old = StringIO(), sys.stdout
    sys.stdout = buf
    try:
        with fake_backend_patch():
            rc = main(compile_args(MOBILENET, out, "--report", "--dump-ir", str(dump)))
    finally:
        sys.stdout = old
    assert rc == 0
    return out, dump, buf.getvalue()


def test_report_lines(mobilenet_report: tuple[Path, Path, str]) -> None:
    out, _, text = mobilenet_report
    lines = text.splitlines()
    assert lines[0].startswith("placement: ") and "on the KPU" in lines[0] and "KPU MACs" in lines[0]
    # the softmax is the only CPU op of the tiny MobileNet
    cpu = [line for line in lines if line.startswith("  CPU #")]
    assert len(cpu) == 1 and "nn.softmax" in cpu[0]
    assert any(line.startswith("main RAM peak: ") and "lower bound" in line for line in lines)
    assert any(line.startswith("KPU RAM peak: ") and "of 2097152" in line for line in lines)
    assert any(line.startswith("constants: ") for line in lines)
    assert f"kmodel: {out}, {out.stat().st_size} bytes" in text
    assert "kmodel version: v4 (stand-in backend)" in text
    assert "input 0 'input': [1, 3, 64, 64] f32 NCHW" in text  # nchw-inputs: the runtimes feed planar pixels
    assert "output 0 'probs': [1, 10] f32 flat" in text
    assert out.read_bytes().startswith(b"FAKEKMODEL")


def test_report_maixpy_snippet(mobilenet_report: tuple[Path, Path, str]) -> None:
    text = mobilenet_report[2]
    snippet = text[text.index("MaixPy:") :]
    assert "import KPU as kpu" in snippet
    assert 'task = kpu.load("/sd/m.kmodel")' in snippet
    assert "kpu.set_outputs(task, 0, 1, 1, 10)" in snippet
    assert "sensor.set_windowing((64, 64))" in snippet
    assert "img.pix_to_ai()" in snippet and "fmap = kpu.forward(task, img)" in snippet
    assert "run_yolo2" not in snippet


def test_dump_ir(mobilenet_report: tuple[Path, Path, str]) -> None:
    dump = mobilenet_report[1]
    names = sorted(p.name for p in dump.iterdir())
    assert names == [f"{i:02d}-{s}.mlir" for i, s in enumerate(PIPELINE_STAGES)] + ["graph.dot"]
    assert "nn.transpose" in (dump / "00-import.mlir").read_text()
    assert "nn.transpose" not in (dump / "03-nchw-inputs.mlir").read_text()
    assert "kpu.fake_conv2d" in (dump / "05-kpu-legalize.mlir").read_text()
    assert "kcc.ranges" in (dump / "06-calibrate.mlir").read_text()
    assert "kcc.memory" in (dump / "08-plan-memory.mlir").read_text()
    dot = (dump / "graph.dot").read_text()
    assert dot.startswith("digraph kcc {") and dot.rstrip().endswith("}")
    assert "kpu.conv2d" in dot and "->" in dot and "nn.const" not in dot


def test_yolo_snippet_and_positional_output(fake_backend: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "y.kmodel"
    rc, text, err = run(["compile", str(YOLO), str(out), "--dataset", str(CALIB), "--report"], capsys)  # ncc's IN OUT form
    assert rc == 0, err
    assert "output 0 'grid': [1, 30, 4, 5] f32 NCHW" in text
    assert "kpu.set_outputs(task, 0, 5, 4, 30)" in text
    assert "kpu.init_yolo2(task, 0.5, 0.3, 5, anchors)   # classes: 1" in text
    assert "kpu.run_yolo2(task, img)" in text
    assert "sensor.set_windowing((80, 64))" in text
    assert out.exists()


def test_accuracy_report(fake_backend: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    rc, text, err = run(compile_args(MOBILENET, out, "--report", "--accuracy-report"), capsys)
    assert rc == 0, err
    lines = text.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("accuracy report: "))
    assert title > next(i for i, line in enumerate(lines) if line == "MaixPy:")  # after the summary
    assert lines[title].endswith("layers, quantized vs float over 8 samples")
    assert lines[title + 1].split() == ["layer", "op", "name", "cosine", "SQNR", "dB", "max", "err", "clipped", "cause"]
    rows = [line.split() for line in lines[title + 2 :]]
    assert len(rows) == int(lines[title].split()[2]) > 0
    layers = [int(r[0]) for r in rows]
    assert len(set(layers)) == len(layers)  # one row per tagged layer
    kpu = int(lines[0].split(", ")[1].split()[0])  # "placement: N ops, K on the KPU, ..."
    assert sum(1 for r in rows if r[1] == "kpu.conv2d") == kpu == 15
    cosines = [float(r[2]) for r in rows]  # no value names in the tiny MobileNet: cosine is the third column
    assert cosines == sorted(cosines) and cosines[0] < 1.0  # worst first
    assert all(0.99 < c <= 1.0 for c in cosines)


def test_compile_twice_identical_driver(fake_backend: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.kmodel", tmp_path / "b.kmodel"
    assert run(compile_args(MOBILENET, a), capsys)[0] == 0
    assert run(compile_args(MOBILENET, b), capsys)[0] == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--calibrate-method", "minmax"], "--calibrate-method 'minmax' is not one of no_clip, l2, kld"),
        (["--kmodel-version", "5"], "--kmodel-version '5' is not one of 3, 4, auto"),
        (["-t", "gpu"], "target (-t) 'gpu' is not one of k210, cpu"),
        (["--input-std", "0"], "--input-std must not be 0"),
        (["--input-mean", "a"], "--input-mean 'a' is not a number"),
        (["--input-shape", "1,a,3"], "bad --input-shape '1,a,3'"),
        (["--max-allocator-solve-secs", "x"], "--max-allocator-solve-secs 'x' is not an integer"),
        (["-t", "cpu", "--inference-type", "float", "--accuracy-report"], "--accuracy-report compares the quantized"),
    ],
)
def test_bad_options(extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    rc, _, err = run(compile_args(MOBILENET, out, *extra), capsys)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("kcc: error: ") and message in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_dataset_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    rc, _, err = run(["compile", str(MOBILENET), "--dataset", str(tmp_path / "nope"), "-o", str(out)], capsys)
    assert rc == 2 and err.count("\n") == 1 and "does not exist" in err and not out.exists()


def test_no_dataset_for_k210(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    rc, _, err = run(["compile", str(MOBILENET), "-o", str(out)], capsys)
    assert rc == 2 and err.count("\n") == 1 and "quantization needs a calibration dataset" in err
    assert "--dataset DIR" in err and not out.exists()


def test_wrong_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.bin"
    rc, _, err = run(compile_args(MOBILENET, out), capsys)
    assert rc == 2 and err.count("\n") == 1 and "does not end in .kmodel" in err and not out.exists()


def test_failing_compile_keeps_existing_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    out.write_bytes(b"previous kmodel")
    bad = tmp_path / "calib"
    bad.mkdir()
    (bad / "broken.png").write_bytes(b"not a png")
    rc, _, err = run(["compile", str(MOBILENET), "--dataset", str(bad), "-o", str(out)], capsys)
    assert rc == 2 and err.count("\n") == 1 and "broken.png" in err
    assert out.read_bytes() == b"previous kmodel"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calib", "m.kmodel"]  # no temporary file left


def test_make_examples_reproducible(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_examples  # pyright: ignore[reportMissingImports]
    finally:
        sys.path.remove(str(ROOT / "tools"))
    written: list[Path] = make_examples.write_examples(tmp_path)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    assert len(written) == 10  # pyright: ignore[reportUnknownArgumentType]
    for p in written:  # pyright: ignore[reportUnknownVariableType]
        rel = Path(p).relative_to(tmp_path)  # pyright: ignore[reportUnknownArgumentType]
        assert (EXAMPLES / rel).read_bytes() == Path(p).read_bytes(), f"{rel} differs from the committed file"  # pyright: ignore[reportUnknownArgumentType]
    assert MOBILENET.stat().st_size < 200_000 and YOLO.stat().st_size < 200_000


# --- backend cases (real lower-to-kmodel + write_kmodel) --------------------------------------------------


def _compile_ok(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    rc, out, err = run(args, capsys)
    assert rc == 0, err
    return out


@pytest.mark.parametrize("version", ["3", "4"])
def test_compile_example_backend(version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kcc.backends import load_kmodel

    out = tmp_path / "m.kmodel"
    text = _compile_ok(compile_args(MOBILENET, out, "--kmodel-version", version, "--report"), capsys)
    assert f"kmodel version: v{version} (asked for with --kmodel-version {version})" in text
    assert "KPU RAM peak" in text and "import KPU as kpu" in text
    assert ("kpu.set_outputs(task, 0, 1, 1, 10)" in text) == (version == "4")
    model = load_kmodel(out)
    assert type(model).__name__ == f"KModelV{version}"
    # kcc infer on the written file
    x = np.random.default_rng(0).random((1, 3, 64, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    rc, _, err = run(["infer", str(out), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / "res")], capsys)
    assert rc == 0, err
    probs = np.load(tmp_path / "res" / "x_0.npy")
    assert probs.size == 10 and np.all(np.isfinite(probs))
    # a second compile gives the same bytes
    again = tmp_path / "again.kmodel"
    assert run(compile_args(MOBILENET, again, "--kmodel-version", version), capsys)[0] == 0
    assert again.read_bytes() == out.read_bytes()


def test_compile_yolo_backend_auto(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kcc.backends import load_kmodel

    out = tmp_path / "y.kmodel"
    text = _compile_ok(["compile", str(YOLO), "-o", str(out), "--dataset", str(CALIB), "--report"], capsys)
    assert "kmodel version: v" in text
    load_kmodel(out)


ZOO_CASES = [
    pytest.param("mobilenet_v2", "tflite"),
    pytest.param("yolov2_tiny", "onnx"),
    pytest.param("blazeface", "tflite"),
    pytest.param("unet", "onnx"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "fmt"), ZOO_CASES)
def test_compile_zoo_tiny(name: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.models import MODELS
    from kcc.backends import load_kmodel

    model = MODELS[name].build(fmt, "tiny")
    src = tmp_path / f"{name}.{fmt}"
    src.write_bytes(model if isinstance(model, bytes) else model.SerializeToString())
    out = tmp_path / f"{name}.kmodel"
    _compile_ok(["compile", str(src), "-o", str(out), "--dataset", str(CALIB), "--report"], capsys)
    load_kmodel(out)


def test_main_sh_command_line() -> None:
    """tools/main.sh runs exactly the README's main job on the bundled files."""
    text = (ROOT / "tools" / "main.sh").read_text()
    assert (
        "kcc compile -t k210 examples/mobilenet_tiny.tflite --dataset examples/calib -o out/mobilenet_tiny.kmodel --report"
        in text
    )
    assert MOBILENET.exists() and len([p for p in CALIB.iterdir() if p.suffix == ".png"]) == 8
    assert os.access(ROOT / "tools" / "make_examples.py", os.R_OK)


def test_infer_feeds_an_image_to_a_float_input_kmodel_as_compile_calibrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A float-input kmodel takes an image as `kcc compile` read the calibration images: RGB / 255, then
    (x - mean) / std with the same --input-mean / --input-std (not the raw 0..255 pixels)."""
    from PIL import Image

    out = tmp_path / "m.kmodel"
    norm = ("--input-mean", "0.5", "--input-std", "0.25")
    _compile_ok(compile_args(MOBILENET, out, "--kmodel-version", "4", *norm), capsys)
    image = CALIB / "pattern_00.png"
    with Image.open(image) as im:
        rgb = np.asarray(im.convert("RGB").resize((64, 64), Image.Resampling.BILINEAR), dtype=np.uint8)
    x = ((rgb.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0) - np.float32(0.5)) / np.float32(0.25)).astype(
        np.float32
    )
    np.save(tmp_path / "x.npy", x)
    for name, args in (("image", [str(image), *norm]), ("tensor", [str(tmp_path / "x.npy")])):
        rc, _, err = run(["infer", str(out), "--input", args[0], *args[1:], "-o", str(tmp_path / name)], capsys)
        assert rc == 0, err
    a = np.load(tmp_path / "image" / "pattern_00_0.npy")
    b = np.load(tmp_path / "tensor" / "x_0.npy")
    np.testing.assert_array_equal(a, b)
    rc, _, err = run(["infer", str(out), "--input", str(image), "--input-std", "0", "-o", str(tmp_path / "z")], capsys)
    assert rc == 2 and "--input-std must not be 0" in err


IRIS = ROOT.parent / "shared" / "fixtures" / "kmodel" / "iris.tflite"


def _iris_like(count: int, seed: int, widen: float = 1.0) -> np.ndarray:
    """Iris-like flowers: per-class means and spreads (times `widen`) of Fisher's measurements (sepal/petal
    length/width, cm)."""
    means = np.array([[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]], np.float32)
    spread = np.array([[0.35, 0.38, 0.17, 0.1], [0.5, 0.3, 0.47, 0.2], [0.6, 0.3, 0.55, 0.27]], np.float32)
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 3, count)
    x = means[cls] + widen * spread[cls] * rng.standard_normal((count, 4)).astype(np.float32)
    return np.clip(x, 0.1, None).astype(np.float32)


@pytest.mark.parametrize("version", ["3", "4"])
def test_iris_tflite_agrees_with_litert(version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fixture's float iris.tflite, compiled with `kcc compile` on 64 iris-like flowers (raw dataset, drawn
    1.5x wider than the test flowers so that the calibrated ranges cover them), written,
    and run by `kcc infer`: on 16 held-out flowers the logits are within the uint8 quantization error of
    ai-edge-litert's and the predicted class is litert's wherever litert's top two logits are not a near tie."""
    from ai_edge_litert.interpreter import Interpreter

    calib = tmp_path / "calib"
    calib.mkdir()
    for i, x in enumerate(_iris_like(64, seed=1, widen=1.5)):
        np.save(calib / f"flower_{i:02d}.npy", x.reshape(1, 4))
    out = tmp_path / "iris.kmodel"
    args = ["compile", str(IRIS), "--dataset", str(calib), "--dataset-format", "raw", "-o", str(out)]
    _compile_ok([*args, "--kmodel-version", version], capsys)
    interp = Interpreter(model_path=str(IRIS), num_threads=1)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    wants: list[np.ndarray] = []
    gots: list[np.ndarray] = []
    for i, x in enumerate(_iris_like(16, seed=2)):
        interp.set_tensor(inp["index"], x.reshape(inp["shape"]))
        interp.invoke()
        wants.append(interp.get_tensor(outp["index"]).reshape(-1).copy())
        np.save(tmp_path / f"x{i}.npy", x.reshape(1, 4))
        rc, _, err = run(["infer", str(out), "--input", str(tmp_path / f"x{i}.npy"), "-o", str(tmp_path / "res")], capsys)
        assert rc == 0, err
        gots.append(np.load(tmp_path / "res" / f"x{i}_0.npy").reshape(-1))
    want, got = np.stack(wants), np.stack(gots)
    # uint8 logits: a few output steps of the logit range (~0.4% each) plus the hidden layer's rounding
    assert np.abs(got - want).max() <= 0.02 * float(want.max() - want.min()), (got, want)
    top2 = np.sort(want, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 0.5
    assert clear.sum() >= 12
    np.testing.assert_array_equal(got[clear].argmax(axis=1), want[clear].argmax(axis=1))


def test_fit_warning_when_kmodel_and_main_ram_exceed_the_sram() -> None:
    """The runtime loads the whole kmodel into the K210's 6 MiB SRAM next to its main-RAM arena."""
    from kcc.compiler.pipeline import CompileResult
    from kcc.compiler.summary import fit_warning, summary_text

    def result(size: int, main_peak: int) -> CompileResult:
        return CompileResult(b"\0" * size, 3, "asked", None, {"main_peak": main_peak}, [], [], "onnx")

    assert fit_warning(result(5 * 1024 * 1024, 1024 * 1024)) == ""  # exactly 6 MiB fits
    big = result(5 * 1024 * 1024, 1024 * 1024 + 1)
    text = fit_warning(big)
    assert text.startswith("warning: the kmodel (5242880 bytes") and "6 MiB" in text and "\n" not in text
    assert text in summary_text(big, "m.kmodel")
