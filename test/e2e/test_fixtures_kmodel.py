"""The kmodel simulator against ground truth not produced by kcc (../shared/fixtures/kmodel/README.md)."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from voc import VOC_CLASSES as VOC

from kcc.backends import load_kmodel
from kcc.sim import simulate
from kcc.tools.kcc import load_input, main

FIX = (Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "kmodel").resolve()
assert FIX.is_dir(), f"kmodel fixtures not found at {FIX} (../shared must sit beside the repo)"

ANCHORS = np.array([1.08, 1.19, 3.42, 4.41, 6.63, 11.38, 9.42, 5.11, 16.62, 10.52]).reshape(5, 2)
CIFAR_BOARD = np.array([1.181304, -5.381746, 1.580029, 0.045343, 0.511492, -0.656629, -3.597826, 0.561016, -0.733270, -3.771462])
IRIS = [
    ((5.1, 3.5, 1.4, 0.2), (18.587677, 5.5538826, -2.2286901)),
    ((5.9, 3.0, 4.2, 1.5), (-1.9094219, 10.983703, 0.95099187)),
    ((6.3, 3.3, 6.0, 2.5), (-26.87547, -5.9565105, 15.7317295)),
]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[0] + a[2] / 2, b[0] + b[2] / 2) - max(a[0] - a[2] / 2, b[0] - b[2] / 2))
    iy = max(0.0, min(a[1] + a[3] / 2, b[1] + b[3] / 2) - max(a[1] - a[3] / 2, b[1] - b[3] / 2))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def decode_yolo(out: np.ndarray, threshold: float = 0.5, nms: float = 0.2) -> list[tuple[str, float]]:
    """Region-layer decode of a 125x7x10 YOLOv2 output (5 anchors x 25 fields), per-class NMS."""
    o = out.astype(np.float64).reshape(5, 25, 7, 10)
    rows, cols = np.meshgrid(np.arange(7), np.arange(10), indexing="ij")
    dets: list[tuple[int, float, np.ndarray]] = []
    for a in range(5):
        x = (cols + _sigmoid(o[a, 0])) / 10
        y = (rows + _sigmoid(o[a, 1])) / 7
        w = np.exp(o[a, 2]) * ANCHORS[a, 0] / 10
        h = np.exp(o[a, 3]) * ANCHORS[a, 1] / 7
        obj = _sigmoid(o[a, 4])
        cls = np.exp(o[a, 5:] - o[a, 5:].max(axis=0))
        cls /= cls.sum(axis=0)
        score = obj[None] * cls
        for c, r, q in zip(*np.nonzero(score > threshold), strict=True):
            dets.append((int(c), float(score[c, r, q]), np.array([x[r, q], y[r, q], w[r, q], h[r, q]])))
    dets.sort(key=lambda d: -d[1])
    kept: list[tuple[int, float, np.ndarray]] = []
    for d in dets:
        if all(k[0] != d[0] or _iou(k[2], d[2]) <= nms for k in kept):
            kept.append(d)
    return [(VOC[c], s) for c, s, _ in kept]


def test_cifar10_v3_matches_board_measurement() -> None:
    model = load_kmodel(FIX / "maixemc_cifar10_v3.kmodel")
    x = np.fromfile(FIX / "maixemc_cifar10_input_chw_3x32x32.bin", dtype=np.uint8).reshape(3, 32, 32)
    y = simulate(model, [x]).outputs[0]
    err = float(np.abs(y - CIFAR_BOARD).max())
    print(f"cifar10 v3 max |sim - board| = {err:.3g}")
    assert err <= 2e-6


def test_yolo_v3_finds_bicycle_car_dog() -> None:
    model = load_kmodel(FIX / "nncase01_yolo20_v3.kmodel")
    x = load_input(str(FIX / "dog_320x240.bmp"), (3, 240, 320), np.dtype(np.uint8))
    assert np.array_equal(x, np.fromfile(FIX / "dog_320x240_chw_u8.bin", dtype=np.uint8).reshape(3, 240, 320))
    t0 = time.perf_counter()
    out = simulate(model, [x]).outputs[0]
    print(f"YOLO v3 simulation {time.perf_counter() - t0:.2f} s")
    dets = decode_yolo(out)
    names = [n for n, _ in dets]
    assert sorted(names) == ["bicycle", "car", "dog"]
    scores = dict(dets)
    assert scores["bicycle"] == pytest.approx(0.967, abs=1e-3)
    assert scores["car"] == pytest.approx(0.747, abs=1e-3)
    assert scores["dog"] == pytest.approx(0.595, abs=1e-3)
    before_nms = sorted(round(s, 3) for _, s in decode_yolo(out, nms=1.0))
    assert 0.929 in before_nms and 0.502 in before_nms


def test_yolo_v4_bit_exact_to_nncase_runtime() -> None:
    model = load_kmodel(FIX / "nncase02_yolo20_v4.kmodel")
    x = np.fromfile(FIX / "dog_320x240_chw_u8.bin", dtype=np.uint8)
    out = simulate(model, [x]).outputs[0]
    ref = np.fromfile(FIX / "nncase02_yolo20_v4_dog_output0_f32.bin", dtype="<f4")
    assert out.dtype == np.float32 and out.shape == ref.shape == (8750,)
    assert out.tobytes() == ref.tobytes()
    scores = dict(decode_yolo(out))
    assert scores["bicycle"] == pytest.approx(0.921, abs=1e-3) and scores["car"] == pytest.approx(0.838, abs=1e-3)
    assert "dog" not in scores


@pytest.mark.parametrize("name", ["nncase01_iris_v3.kmodel", "nncase02_iris_v4.kmodel"])
def test_iris_matches_tflite(name: str) -> None:
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_path=str(FIX / "iris.tflite"))
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    model = load_kmodel(FIX / name)
    for x, readme in IRIS:
        xs = np.array(x, dtype=np.float32)
        y = simulate(model, [xs]).outputs[0]
        interp.set_tensor(inp["index"], xs.reshape(1, 4))
        interp.invoke()
        ref = interp.get_tensor(outp["index"]).reshape(-1)
        assert int(np.argmax(y)) == int(np.argmax(ref))
        assert np.abs(y - ref).max() <= 1e-5
        if "v4" in name:
            assert np.abs(y - np.array(readme, dtype=np.float32)).max() <= 1e-5


# ------------------------------------------------------------------------------------------- CLI


def test_cli_inspect_every_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    for name in (
        "maixemc_cifar10_v3.kmodel",
        "nncase01_yolo20_v3.kmodel",
        "nncase01_iris_v3.kmodel",
        "nncase02_iris_v4.kmodel",
        "nncase02_yolo20_v4.kmodel",
    ):
        assert main(["inspect", str(FIX / name)]) == 0
        text = capsys.readouterr().out
        assert "header:" in text and "summary:" in text and "sections:" in text
    assert main(["inspect", str(FIX / "nncase01_yolo20_v3.kmodel")]) == 0
    text = capsys.readouterr().out
    assert "summary: 16 KPU node(s), 1 CPU node(s)" in text and "pool=max_2_s1" in text


def test_cli_inspect_bad_file_subprocess(tmp_path: Path) -> None:
    bad = tmp_path / "bad.kmodel"
    bad.write_bytes((FIX / "nncase01_yolo20_v3.kmodel").read_bytes()[:5000])
    r = subprocess.run([sys.executable, "-m", "kcc.tools.kcc", "inspect", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith("kcc: error: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "kcc.tools.kcc", "inspect", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_cli_infer_writes_npy_and_bin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = FIX / "maixemc_cifar10_input_chw_3x32x32.bin"
    assert main(["infer", str(FIX / "maixemc_cifar10_v3.kmodel"), "--input", str(src), "-o", str(tmp_path), "--timing"]) == 0
    assert "KL_FULLY_CONNECTED" in capsys.readouterr().out
    y = np.load(tmp_path / f"{src.stem}_0.npy")
    assert y.dtype == np.float32 and np.abs(y - CIFAR_BOARD).max() <= 2e-6
    assert (tmp_path / f"{src.stem}.bin").read_bytes() == y.tobytes() == (tmp_path / f"{src.stem}_0.bin").read_bytes()
    # .npy input for a float model
    xin = tmp_path / "iris.npy"
    np.save(xin, np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32))
    assert main(["infer", str(FIX / "nncase02_iris_v4.kmodel"), "--input", str(xin), "-o", str(tmp_path)]) == 0
    logits = np.fromfile(tmp_path / "iris.bin", dtype="<f4")
    assert np.abs(logits - np.array(IRIS[0][1], dtype=np.float32)).max() <= 1e-5


def test_cli_infer_image_resized(tmp_path: Path) -> None:
    from PIL import Image

    img = tmp_path / "small.png"
    Image.open(FIX / "dog_320x240.bmp").resize((64, 48)).save(img)
    x = load_input(str(img), (3, 240, 320), np.dtype(np.uint8))
    assert x.shape == (3, 240, 320) and x.dtype == np.uint8


def test_cli_infer_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(bytes(10))
    assert main(["infer", str(FIX / "maixemc_cifar10_v3.kmodel"), "--input", str(wrong), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kcc: error: input: ") and err.count("\n") == 1
