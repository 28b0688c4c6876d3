"""Output files are written atomically: a failed, interrupted or killed `kcc compile` / `kcc infer` never leaves a
partial or temporary file and never touches an existing output; a successful one replaces it whole.

Failures are run in process (`kcc.tools.kcc.main`); interruptions are real signals sent to a `kcc compile`
subprocess once it is calibrating (after import): the calibration images are large PNGs that take a while to
decode, and the test waits until the process has one of them open.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bench.tflite_writer import TFLiteGraph as Graph
from kcc.tools.kcc import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MOBILENET = EXAMPLES / "mobilenet_tiny.tflite"
CALIB = EXAMPLES / "calib"
OLD = b"the previous kmodel, which must survive"


def listing(directory: Path) -> dict[str, bytes]:
    """Every file directly in `directory` (name -> bytes): temporary files show up here too."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def compile_args(model: Path, out: Path, dataset: Path = CALIB, *extra: str) -> list[str]:
    return ["compile", "-t", "k210", str(model), "--dataset", str(dataset), "-o", str(out), *extra]


@pytest.fixture(scope="module")
def kmodel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny MobileNet compiled for kmodel v4 into a new file."""
    out = tmp_path_factory.mktemp("kmodel") / "m.kmodel"
    assert main(compile_args(MOBILENET, out, CALIB, "--kmodel-version", "4")) == 0
    return out


@pytest.fixture(scope="module")
def kmodel(kmodel_file: Path) -> bytes:
    return kmodel_file.read_bytes()


# --- failing compiles --------------------------------------------------------------------------------------


def unsupported_op_model() -> bytes:
    g = Graph()
    x = g.input("x", (1, 4, 4, 3))
    y = g.tensor("y", (1, 4, 4, 3))
    g.op("CUSTOM", [x], [y], custom_code="NotAKccOp")
    g.output(y)
    return g.build()


def nan_weights_model() -> bytes:
    w = np.ones((4, 3, 3, 3), np.float32)
    w[0, 0, 0, 0] = np.nan
    g = Graph()
    x = g.input("x", (1, 8, 8, 3))
    y = g.tensor("y", (1, 8, 8, 4))
    g.op("CONV_2D", [x, g.const("w", w), g.const("b", np.zeros(4, np.float32))], [y], padding="SAME", stride_w=1, stride_h=1)
    g.output(y)
    return g.build()


FAILURES = {
    # kind of failure (made by failing_command) -> a text its one-line error contains
    "unsupported-op": "unsupported TFLite custom op 'NotAKccOp'",
    "nan-weights": "non-finite values",
    "bad-dataset": "not a readable image",
    "bad-option": "--calibrate-method 'best' is not one of",
    "truncated-model": "kcc: error: ",
}


def failing_command(kind: str, tmp: Path, out: Path) -> list[str]:
    model = tmp / "model.tflite"
    if kind == "unsupported-op":
        model.write_bytes(unsupported_op_model())
    elif kind == "nan-weights":
        model.write_bytes(nan_weights_model())
    elif kind == "truncated-model":
        model.write_bytes(MOBILENET.read_bytes()[:5000])
    else:
        model = MOBILENET
    if kind == "bad-dataset":
        bad = tmp / "calib"
        bad.mkdir()
        (bad / "a.png").write_bytes((CALIB / "pattern_00.png").read_bytes())
        (bad / "b.png").write_bytes(b"not a png at all")
        return compile_args(model, out, bad)
    if kind == "bad-option":
        return compile_args(model, out, CALIB, "--calibrate-method", "best")
    return compile_args(model, out)


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_failed_compile_keeps_existing_output(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "m.kmodel"
    out.write_bytes(OLD)
    before = listing(outdir)
    assert main(failing_command(kind, tmp_path, out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kcc: error: ") and FAILURES[kind] in err, err
    assert listing(outdir) == before  # the old file, byte for byte, and no temporary file


def test_failed_compile_creates_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "m.kmodel"
    out.parent.mkdir()
    assert main(failing_command("bad-dataset", tmp_path, out)) == 2
    assert "not a readable image" in capsys.readouterr().err
    assert listing(out.parent) == {}


def test_late_failure_with_dump_ir_keeps_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A compile failing after calibrate (unsupported op placed after the KPU part) dumps the stages that ran
    and still leaves the old output alone."""
    g = Graph()
    x = g.input("x", (1, 8, 8, 3))
    c = g.tensor("c", (1, 8, 8, 4))
    w = np.random.default_rng(3).standard_normal((4, 3, 3, 3)).astype(np.float32)
    g.op("CONV_2D", [x, g.const("w", w), g.const("b", np.zeros(4, np.float32))], [c], padding="SAME", stride_w=1, stride_h=1)
    y = g.tensor("y", (1, 8, 8, 4))
    g.op("CUSTOM", [c], [y], custom_code="NotAKccOp")
    g.output(y)
    model = tmp_path / "late.tflite"
    model.write_bytes(g.build())
    out = tmp_path / "out" / "m.kmodel"
    out.parent.mkdir()
    out.write_bytes(OLD)
    assert main(compile_args(model, out, CALIB, "--dump-ir", str(tmp_path / "ir"))) == 2
    assert "NotAKccOp" in capsys.readouterr().err
    assert listing(out.parent) == {"m.kmodel": OLD}


def overflowing_model() -> bytes:
    """A 1x1 conv on a 1024x1024 RGB image: too large for the KPU (CPU conv) and 24 MiB of float maps in main
    RAM, which the K210 (6 MiB of SRAM) does not have."""
    g = Graph()
    x = g.input("x", (1, 1024, 1024, 3))
    y = g.tensor("y", (1, 1024, 1024, 3))
    w = np.eye(3, dtype=np.float32).reshape(3, 1, 1, 3)
    g.op("CONV_2D", [x, g.const("w", w), g.const("b", np.zeros(3, np.float32))], [y], padding="VALID", stride_w=1, stride_h=1)
    g.output(y)
    return g.build()


def test_overflowing_main_ram_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "wide.tflite"
    model.write_bytes(overflowing_model())
    calib = tmp_path / "calib"
    calib.mkdir()
    (calib / "a.png").write_bytes((CALIB / "pattern_00.png").read_bytes())
    out = tmp_path / "out" / "m.kmodel"
    out.parent.mkdir()
    out.write_bytes(OLD)
    rc = main(compile_args(model, out, calib))
    err = capsys.readouterr().err
    assert listing(out.parent) == {"m.kmodel": OLD}, "the 24 MiB model was compiled"
    assert rc == 2 and err.count("\n") == 1 and "main RAM" in err


def test_failed_c_compile_keeps_existing_c_and_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`-o model.c` writes model.c and model.h; a failing compile touches neither."""
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "model.c").write_bytes(b"/* old c */")
    (outdir / "model.h").write_bytes(b"/* old h */")
    before = listing(outdir)
    assert main(failing_command("bad-dataset", tmp_path, outdir / "model.c")) == 2
    assert "not a readable image" in capsys.readouterr().err
    assert listing(outdir) == before


def test_c_header_path_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "model.c").write_bytes(b"/* old c */")
    (tmp_path / "model.h").mkdir()
    rc = main(compile_args(MOBILENET, tmp_path / "model.c"))
    err = capsys.readouterr().err
    assert (tmp_path / "model.c").read_bytes() == b"/* old c */" and listing(tmp_path) == {"model.c": b"/* old c */"}
    assert rc == 2 and err.count("\n") == 1 and "model.h" in err


@pytest.mark.parametrize("when", ["write", "replace"])
def test_interrupt_while_writing_keeps_existing_output(
    when: str, kmodel: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (KeyboardInterrupt) in the middle of writing the file, or just before the rename: the temporary
    file is removed and the old output is untouched."""
    out = tmp_path / "m.kmodel"
    out.write_bytes(OLD)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if when == "replace":
        monkeypatch.setattr(os, "replace", interrupted)
    else:
        real_fdopen = os.fdopen

        class HalfWritten:
            """A file object that writes half of the data, then is interrupted."""

            def __init__(self, fd: int) -> None:
                self.fh = real_fdopen(fd, "wb")

            def __enter__(self) -> HalfWritten:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()

            def write(self, data: bytes) -> int:
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                raise KeyboardInterrupt

        monkeypatch.setattr(os, "fdopen", lambda fd, mode="r": HalfWritten(fd))  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
    assert main(compile_args(MOBILENET, out, CALIB, "--kmodel-version", "4")) == 130  # "kcc: interrupted"
    monkeypatch.undo()
    assert listing(tmp_path) == {"m.kmodel": OLD}


def test_successful_compile_replaces_whole_file(kmodel: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.kmodel"
    out.write_bytes(OLD * 5000)  # longer than the new file: no stale tail may survive
    assert main(compile_args(MOBILENET, out, CALIB, "--kmodel-version", "4")) == 0
    assert listing(tmp_path) == {"m.kmodel": kmodel}


def test_output_file_mode_follows_umask(kmodel_file: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    assert kmodel_file.stat().st_mode & 0o777 == 0o666 & ~umask


# --- killed compiles ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 calibration images of 1600x1600 pixels (small files, ~0.1 s each to decode and resize)."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("slow_calib")
    y, x = np.mgrid[0:1600, 0:1600]
    pixels = np.stack([x * 255 // 1600, y * 255 // 1600, (x + y) % 256], axis=-1).astype(np.uint8)
    Image.fromarray(pixels).save(folder / "img_00.png")
    data = (folder / "img_00.png").read_bytes()
    for i in range(1, 40):
        (folder / f"img_{i:02d}.png").write_bytes(data)
    return folder


def _open_files(pid: int) -> Iterator[str]:
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:
        return
    for entry in entries:
        try:
            yield os.readlink(entry)
        except OSError:
            continue


def _start_and_signal(out: Path, dataset: Path, sig: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start `kcc compile`, wait until it has a dataset image open (calibrating), send `sig`, wait for the end."""
    cmd = [sys.executable, "-m", "kcc.tools.kcc", *compile_args(MOBILENET, out, dataset, "--kmodel-version", "4")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix = f"{dataset}{os.sep}"
    deadline = time.monotonic() + 120
    try:
        while not any(f.startswith(prefix) for f in _open_files(p.pid)):
            assert p.poll() is None, f"kcc compile ended before calibrating: {p.communicate()}"
            assert time.monotonic() < deadline, "kcc compile did not start calibrating in 120 s"
            time.sleep(0.002)
        p.send_signal(sig)
        stdout, stderr = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return subprocess.CompletedProcess(cmd, p.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def interrupted(slow_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A compile interrupted with SIGINT (Ctrl-C) while calibrating, over an existing output: (dir, process)."""
    outdir = tmp_path_factory.mktemp("sigint")
    (outdir / "m.kmodel").write_bytes(OLD)
    return outdir, _start_and_signal(outdir / "m.kmodel", slow_dataset, signal.SIGINT)


def test_sigint_keeps_existing_output(interrupted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    outdir, proc = interrupted
    assert proc.returncode != 0
    assert listing(outdir) == {"m.kmodel": OLD}


def test_sigint_is_one_line(interrupted: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, proc = interrupted
    assert proc.returncode == 130 and proc.stderr == "kcc: interrupted\n"


def test_sigkill_keeps_existing_output(slow_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.kmodel"
    out.write_bytes(OLD)
    proc = _start_and_signal(out, slow_dataset, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert listing(tmp_path) == {"m.kmodel": OLD}


# --- kcc infer ---------------------------------------------------------------------------------------------


def test_infer_failure_keeps_existing_outputs(kmodel: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.kmodel"
    model.write_bytes(kmodel)
    outdir = tmp_path / "res"
    x = np.random.default_rng(0).random((1, 3, 64, 64)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    assert main(["infer", str(model), "--input", str(tmp_path / "x.npy"), "-o", str(outdir)]) == 0
    good = listing(outdir)
    assert sorted(good) == ["x.bin", "x_0.bin", "x_0.npy"]
    # a .bin input of the wrong size with the same stem: one-line error, the outputs stay as they were
    (tmp_path / "x.bin").write_bytes(b"\0" * 100)
    capsys.readouterr()
    assert main(["infer", str(model), "--input", str(tmp_path / "x.bin"), "-o", str(outdir)]) == 2
    assert "100 bytes" in capsys.readouterr().err
    assert listing(outdir) == good
    # a corrupt model: the same
    (tmp_path / "bad.kmodel").write_bytes(kmodel[: len(kmodel) // 3])
    assert main(["infer", str(tmp_path / "bad.kmodel"), "--input", str(tmp_path / "x.npy"), "-o", str(outdir)]) == 2
    assert listing(outdir) == good


def test_infer_interrupted_write_leaves_no_temp_file(
    kmodel: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C before the first output is renamed: the old outputs stay, no temporary file is left."""
    model = tmp_path / "m.kmodel"
    model.write_bytes(kmodel)
    outdir = tmp_path / "res"
    outdir.mkdir()
    old = {"x.bin": b"old all", "x_0.npy": b"old npy", "x_0.bin": b"old bin"}
    for name, data in old.items():
        (outdir / name).write_bytes(data)
    np.save(tmp_path / "x.npy", np.zeros((1, 3, 64, 64), np.float32))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    assert main(["infer", str(model), "--input", str(tmp_path / "x.npy"), "-o", str(outdir)]) == 130
    monkeypatch.undo()
    assert listing(outdir) == old
