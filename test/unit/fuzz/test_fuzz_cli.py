"""The `kcc` CLI on hostile input: corrupt models, missing files and unknown options end in exit code 2 and a
one-line `kcc: error: ...` on stderr, never a traceback. Most cases call `main()` in-process; a few run the real
command in subprocesses (started together, to keep the wall time low) to check the process exit code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kcc.tools.kcc import main

FIXTURES = Path("/work/shared/fixtures/kmodel")


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    iris_tflite = (FIXTURES / "iris.tflite").read_bytes()
    v3 = (FIXTURES / "nncase01_iris_v3.kmodel").read_bytes()
    v4 = bytearray((FIXTURES / "nncase02_iris_v4.kmodel").read_bytes())
    v4[24:28] = (1 << 31).to_bytes(4, "little")  # node count 2^31
    files = {
        "truncated.tflite": iris_tflite[:300],
        "random.onnx": bytes(range(256)) * 4,
        "empty.onnx": b"",
        "truncated_v3.kmodel": v3[:100],
        "lying_v4.kmodel": bytes(v4),
        "garbage.kmodel": b"\xff" * 64,
        "input.bin": b"\0" * 16,
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    return {name: d / name for name in files}


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert re.match(r"kcc( \w+)?: error: ", lines[0]) and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["import", "@truncated.tflite"], "corrupt"),
        (["import", "@random.onnx"], "not a valid ONNX model"),
        (["import", "@empty.onnx"], "not a valid ONNX model"),
        (["import", "-i", "onnx", "@truncated.tflite"], "ONNX"),
        (["import", "-i", "tflite", "@random.onnx"], "not a TFLite model"),
        (["inspect", "@truncated_v3.kmodel"], "runs past the end of the file"),
        (["inspect", "@lying_v4.kmodel"], "kmodel v4"),
        (["inspect", "--mlir", "@garbage.kmodel"], "neither 3"),
        (["infer", "@lying_v4.kmodel", "--input", "@input.bin"], "kmodel v4"),
        (["import", "/nonexistent/model.tflite"], "No such file"),
        (["import", "/nonexistent/model.onnx"], "No such file"),
        (["import", "/nonexistent/model.pb"], "cannot tell the model format"),
        (["inspect", "/nonexistent/model.kmodel"], "No such file"),
        (["infer", "/nonexistent/model.kmodel", "--input", "@input.bin"], "No such file"),
        (["infer", str(FIXTURES / "nncase02_iris_v4.kmodel"), "--input", "/nonexistent/x.npy"], "No such file"),
        (["import", str(FIXTURES / "iris.tflite"), "--input-shape", "1,a,3"], "bad --input-shape"),
        (["import", str(FIXTURES / "iris.tflite"), "--passes", "no-such-pass"], "bad pass pipeline"),
    ],
)
def test_bad_input_is_a_one_line_error(
    argv: list[str], words: str, bad_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(bad_files[a[1:]]) if a.startswith("@") else a for a in argv]
    assert main(args) == 2
    assert words in _one_line_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [["import", "--bogus", "m.onnx"], ["frobnicate"], ["inspect"], ["infer", "m.kmodel"], ["import", "m.onnx", "-i", "caffe"]],
)
def test_bad_options_exit_2_with_the_error_last(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert re.match(r"kcc( \w+)?: error: ", err.splitlines()[-1]) and "Traceback" not in err, err


def test_bad_options_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--bogus", "m.onnx"])
    _one_line_error(capsys)


def test_cli_processes_exit_2_with_one_stderr_line(bad_files: dict[str, Path]) -> None:
    runs = [
        ["import", str(bad_files["truncated.tflite"])],
        ["import", str(bad_files["random.onnx"])],
        ["inspect", str(bad_files["lying_v4.kmodel"])],
        ["infer", "/nonexistent/model.kmodel", "--input", str(bad_files["input.bin"])],
    ]
    procs = [
        subprocess.Popen([sys.executable, "-m", "kcc.tools.kcc", *a], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for a in runs
    ]
    for args, p in zip(runs, procs, strict=True):
        out, err = p.communicate(timeout=120)
        assert p.returncode == 2, (args, err)
        assert out == "" and len(err.splitlines()) == 1 and err.startswith("kcc: error: "), (args, err)
