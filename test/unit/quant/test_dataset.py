"""kcc.quant.dataset: image and raw calibration datasets, layouts, normalization and the one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kcc.errors import KccError
from kcc.quant.dataset import load_dataset, resolve_layout


def _rgb(path: Path, pixels: np.ndarray) -> None:
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)


def test_images_resized_normalized_nchw(tmp_path: Path) -> None:
    px = np.zeros((4, 4, 3), np.uint8)
    px[..., 0], px[..., 1], px[..., 2] = 255, 51, 0
    _rgb(tmp_path / "b.png", px)
    _rgb(tmp_path / "a.bmp", np.full((8, 8, 3), 102, np.uint8))  # resized to 4x4 (constant stays constant)
    (tmp_path / "notes.txt").write_text("ignored")
    ds = load_dataset(tmp_path, (1, 3, 4, 4), mean=[0.5, 0.0, 0.0], std=0.5)
    assert [f.name for f in ds.files] == ["a.bmp", "b.png"]  # sorted, only images
    a, b = list(ds.iterate(progress=False))
    assert a.shape == b.shape == (1, 3, 4, 4) and a.dtype == np.float32
    np.testing.assert_allclose(a[0, 0], (0.4 - 0.5) / 0.5, rtol=1e-6)
    np.testing.assert_allclose(a[0, 1], 0.4 / 0.5, rtol=1e-6)
    np.testing.assert_allclose(b[0, :, 1, 2], [(1.0 - 0.5) / 0.5, 0.2 / 0.5, 0.0], rtol=1e-6)


def test_images_nhwc_uint8_and_grayscale(tmp_path: Path) -> None:
    px = np.arange(4 * 6 * 3).reshape(4, 6, 3).astype(np.uint8)
    _rgb(tmp_path / "x.jpg", px)
    _rgb(tmp_path / "y.png", px)
    (nhwc,) = [x for x in load_dataset(tmp_path / "y.png", (1, 4, 6, 3), input_type="uint8")]
    np.testing.assert_array_equal(nhwc[0], px.astype(np.float32))  # raw 0..255, no scaling, HWC order kept
    gray = load_dataset(tmp_path / "y.png", (1, 1, 4, 6)).load(0)
    assert gray.shape == (1, 1, 4, 6) and float(gray.min()) >= 0.0 and float(gray.max()) <= 1.0
    assert load_dataset(tmp_path, (1, 3, 4, 6)).load(0).shape == (1, 3, 4, 6)  # jpeg decodes


def test_layout_rule() -> None:
    assert resolve_layout((1, 3, 224, 224)) == "NCHW"
    assert resolve_layout((1, 224, 224, 3)) == "NHWC"
    assert resolve_layout((1, 3, 4, 3)) == "NCHW"  # ambiguous: NCHW unless told
    assert resolve_layout((1, 3, 4, 3), "NHWC") == "NHWC"


def test_raw_npy_and_bin(tmp_path: Path) -> None:
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
    np.save(tmp_path / "0.npy", x[0])  # batch dim left out
    (tmp_path / "1.bin").write_bytes((x + 1).astype("<f4").tobytes())
    ds = load_dataset(tmp_path, (1, 2, 3, 4), format="raw", mean=9.0)  # mean/std never apply to raw tensors
    got = list(ds)
    np.testing.assert_array_equal(got[0], x)
    np.testing.assert_array_equal(got[1], x + 1)
    (tmp_path / "2.bin").write_bytes(np.arange(24, dtype=np.uint8).tobytes())
    assert load_dataset(tmp_path / "2.bin", (1, 2, 3, 4), format="raw", input_type="uint8").load(0).max() == 23.0


def test_fingerprint_follows_content_and_preprocessing(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.zeros((2, 2), np.float32))
    fp = load_dataset(tmp_path, (2, 2), format="raw").fingerprint()
    assert fp == load_dataset(tmp_path, (2, 2), format="raw").fingerprint()
    np.save(tmp_path / "a.npy", np.ones((2, 2), np.float32))
    assert load_dataset(tmp_path, (2, 2), format="raw").fingerprint() != fp


@pytest.mark.parametrize(
    ("setup", "shape", "kwargs", "message"),
    [
        (lambda d: None, (1, 3, 4, 4), {}, "has no .bmp/.jpeg/.jpg/.png files"),
        (lambda d: (d / "bad.jpg").write_bytes(b"not a jpeg"), (1, 3, 4, 4), {}, "bad.jpg': not a readable image"),
        (
            lambda d: np.save(d / "a.npy", np.zeros((3, 3), np.float32)),
            (1, 2, 2),
            {"format": "raw"},
            "shape [3, 3] does not match",
        ),
        (
            lambda d: (d / "a.bin").write_bytes(b"\0" * 12),
            (1, 2, 2),
            {"format": "raw"},
            "12 bytes, the model input [1, 2, 2] needs 16",
        ),
        (lambda d: (d / "a.npy").write_bytes(b"junk"), (1, 2, 2), {"format": "raw"}, "not a readable .npy file"),
        (
            lambda d: np.save(d / "a.npy", np.full((2, 2), 300.0)),
            (2, 2),
            {"format": "raw", "input_type": "uint8"},
            "outside 0..255",
        ),
        (lambda d: None, (1, 3, 4, 4), {"mean": [1.0, 2.0]}, "--input-mean has 2 values; the input has 3 channels"),
        (lambda d: None, (1, 3, 4, 4), {"std": 0.0}, "--input-std [0.0] contains 0"),
        (lambda d: None, (1, 3, 4, 4), {"input_type": "uint8", "mean": 0.5}, "do not apply to --input-type uint8"),
        (lambda d: None, (1, 5, 4, 4), {"format": "image"}, "feed 1 (grayscale) or 3 (RGB) channels"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, setup, shape, kwargs, message) -> None:
    setup(tmp_path)
    if not any(tmp_path.iterdir()) and "has no" not in message:
        _rgb(tmp_path / "ok.png", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(KccError) as e:
        for _ in load_dataset(tmp_path, shape, **kwargs):
            pass
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_missing_dataset(tmp_path: Path) -> None:
    with pytest.raises(KccError, match="does not exist"):
        load_dataset(tmp_path / "nope", (1, 3, 4, 4))
