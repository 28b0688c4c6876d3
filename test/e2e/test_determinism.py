"""`kcc compile` is deterministic: byte-identical output files, `--dump-ir` files and report text (minus the
timing line) across runs and across PYTHONHASHSEED values.

Every case compiles the same model in separate processes, one per hash seed (so hash randomization, and with
it set and dict-of-hashed-key order, really differs), each in its own directory with the same relative file
names, and compares everything the runs wrote. To cover a new output kind or model, add a `Case` to CASES.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CALIB = EXAMPLES / "calib"

HASH_SEEDS = ("0", "1", "12345")


@dataclass(frozen=True)
class Case:
    """One compilation: the model, the output file name (its suffix picks the output format) and extra flags."""

    model: str  # relative to examples/
    output: str
    flags: tuple[str, ...] = ()


SLOW = pytest.mark.slow

# The default run compiles one model through every stage to both output formats; the other cases are slow.
CASES = [
    pytest.param(Case("mobilenet_tiny.tflite", "model.kmodel", ("--kmodel-version", "4")), id="mobilenet-v4"),
    pytest.param(Case("mobilenet_tiny.tflite", "model.c"), id="mobilenet-c"),  # reference C: model.c + model.h
    pytest.param(Case("mobilenet_tiny.tflite", "model.kmodel", ("--kmodel-version", "3")), id="mobilenet-v3", marks=SLOW),
    pytest.param(
        Case("yolo_tiny.onnx", "model.kmodel", ("--kmodel-version", "3", "--input-type", "uint8")), id="yolo-v3", marks=SLOW
    ),
    pytest.param(Case("yolo_tiny.onnx", "model.kmodel", ("--accuracy-report",)), id="yolo-auto-accuracy", marks=SLOW),
]


def _env(hash_seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _tree(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (relative path -> bytes)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _report(stdout: str) -> str:
    """The report without its one timing line (`time: 1.21 s (import 0.15, ...)`)."""
    kept = [line for line in stdout.splitlines() if not line.startswith("time: ")]
    assert len(kept) == len(stdout.splitlines()) - 1, "the report has no timing line (or several)"
    return "\n".join(kept)


@pytest.mark.parametrize("case", CASES)
def test_compile_is_byte_identical_across_hash_seeds(case: Case, tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "kcc.tools.kcc", "compile", "-t", "k210", str(EXAMPLES / case.model)]
    cmd += ["--dataset", str(CALIB), "-o", case.output, "--report", "--dump-ir", "ir", *case.flags]
    runs: list[tuple[str, Path, subprocess.Popen[str]]] = []
    for seed in HASH_SEEDS:
        cwd = tmp_path / f"seed-{seed}"
        cwd.mkdir()
        p = subprocess.Popen(cmd, cwd=cwd, env=_env(seed), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs.append((seed, cwd, p))
    results: list[tuple[str, dict[str, bytes], str]] = []
    for seed, cwd, p in runs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, f"PYTHONHASHSEED={seed}: {err}"
        results.append((seed, _tree(cwd), _report(out)))
    first_seed, first_files, first_report = results[0]
    assert (
        case.output in first_files
        and (not case.output.endswith(".c") or "model.h" in first_files)
        and any(name.startswith("ir/") for name in first_files)
    )
    assert "ir/graph.dot" in first_files and "ir/00-import.mlir" in first_files
    assert "placement: " in first_report
    if case.output.endswith(".c"):  # the C summary names both files and how to build them, no MaixPy snippet
        assert "reference C: " in first_report and "kcc_model_run" in first_report and "MaixPy:" not in first_report
    else:
        assert "MaixPy:" in first_report and "kmodel version: v" in first_report
    if "--accuracy-report" in case.flags:
        assert "cosine" in first_report
    for seed, files, report in results[1:]:
        assert sorted(files) == sorted(first_files), f"PYTHONHASHSEED={seed} wrote other files than {first_seed}"
        differ = [name for name in first_files if files[name] != first_files[name]]
        assert not differ, f"PYTHONHASHSEED={seed} and {first_seed} differ in {differ}"
        assert report == first_report, f"the report differs between PYTHONHASHSEED={seed} and {first_seed}"
