"""kcc-opt as a user runs it: exit codes, one-line errors, --run on .npy inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

SRC = """
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %r = nn.relu %x : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  %a = nn.add %r, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  func.return %a : tensor<1x2x3x3xf32>
}
"""


def kcc_opt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "kcc-opt"
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_run_prints_and_saves_outputs(tmp_path: Path) -> None:
    x = np.arange(-9, 9, dtype=np.float32).reshape(1, 2, 3, 3)
    np.save(tmp_path / "x.npy", x)
    src = tmp_path / "m.mlir"
    src.write_text(SRC)
    r = kcc_opt(str(src), "--run", "--input", str(tmp_path / "x.npy"), "--save-outputs", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("output 0: 1x2x3x3 float32")
    y = np.load(tmp_path / "out" / "output0.npy")
    np.testing.assert_array_equal(y, np.maximum(x, 0) + x)


def test_wrong_input_shape_is_one_line_error(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.zeros((1, 2, 3), np.float32))
    src = tmp_path / "m.mlir"
    src.write_text(SRC)
    r = kcc_opt(str(src), "--run", "--input", str(tmp_path / "x.npy"))
    assert r.returncode == 2
    assert r.stderr.strip() == "kcc-opt: error: input #0: shape 1x2x3 does not match the function's 1x2x3x3"
    assert "Traceback" not in r.stderr


def test_unknown_pass_is_an_error() -> None:
    r = kcc_opt("-p", "no-such-pass", stdin=SRC)
    assert r.returncode != 0
    assert "no-such-pass" in r.stderr
    assert "Traceback" not in r.stderr


def test_verifier_error_names_the_op() -> None:
    bad = """
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x4xf32> {
  %a = nn.add %x, %x : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x4xf32>
  func.return %a : tensor<1x2x3x4xf32>
}
"""
    r = kcc_opt(stdin=bad)
    assert r.returncode != 0
    assert "nn.add: result #0 has shape 1x2x3x4 but the op computes 1x2x3x3" in r.stderr
    assert "Traceback" not in r.stderr


def test_mlir_style_flags_and_print_ir_after_all() -> None:
    r = kcc_opt("--cse", "--canonicalize", "--print-ir-after-all", stdin=SRC)
    assert r.returncode == 0, r.stderr
    assert "IR Dump After cse" in r.stderr
    assert "IR Dump After canonicalize" in r.stderr
    assert "nn.relu" in r.stdout
