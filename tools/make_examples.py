"""Build the bundled examples under examples/ (committed; this script reproduces them byte for byte).

    python tools/make_examples.py            # writes examples/
    python tools/make_examples.py --out DIR  # writes the same files into DIR (the test compares them)

* `mobilenet_tiny.tflite`: a MobileNetV1-style classifier (the zoo's `bench.models.mobilenet` layers: 3x3/2
  stem, the first 6 depthwise-separable blocks of MobileNetV1 at alpha 0.25, global average pool, fully
  connected, softmax) for 64x64 RGB and 10 classes, seeded random weights, BatchNorm statistics set from data
  and folded by the TFLite writer (about 80 KB).
* `yolo_tiny.onnx`: a YOLOv2-tiny-shaped detector (3x3 convs + BN + leaky ReLU 0.1, 2x2/2 max pools, 1x1 head
  to 5 anchors x (5 + 1 class) = 30 channels) for 64x80 RGB, a 4x5 grid.
* `calib/*.png`: 8 calibration images, 96x96 RGB, generated from seeded numpy patterns (gradients, stripes,
  checkerboards, discs, smooth noise); no photographs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.models.calibrate import set_batchnorm_from_data  # noqa: E402
from bench.models.mobilenet import MOBILENET_V1_BLOCKS  # noqa: E402
from bench.models.net import Net  # noqa: E402
from bench.models.to_onnx import to_onnx  # noqa: E402
from bench.models.to_tflite import to_tflite  # noqa: E402

SEED = 0
CALIB_COUNT = 8
CALIB_SIZE = 96


def mobilenet_tiny(alpha: float = 0.25, size: int = 64, classes: int = 10, blocks: int = 6) -> Net:
    """MobileNetV1's stem and first `blocks` depthwise-separable blocks, then pool, classifier, softmax."""
    net = Net(f"mobilenet_tiny_{alpha:g}_{size}", SEED)
    ch = int(32 * alpha)
    x = net.conv(net.input("input", 3, size, size), ch, 3, 2, pad="same", act="relu6")
    for cout, stride in MOBILENET_V1_BLOCKS[:blocks]:
        x = net.conv(x, ch, 3, stride, groups=ch, pad="same", act="relu6")
        ch = int(cout * alpha)
        x = net.conv(x, ch, 1, act="relu6")
    x = net.fc(net.global_avgpool(x, "AVERAGE_POOL_2D"), classes)
    net.output("probs", net.softmax(x))
    return set_batchnorm_from_data(net)


def yolo_tiny(size: tuple[int, int] = (64, 80), filters: tuple[int, ...] = (8, 16, 32, 32, 64), classes: int = 1) -> Net:
    """A YOLOv2-tiny-shaped detector: 3x3 conv + BN + leaky per stage, 2x2/2 max pools between, a 1x1 head."""
    net = Net(f"yolo_tiny_{size[1]}x{size[0]}", SEED)
    x = net.input("image", 3, *size)
    for i, f in enumerate(filters):
        x = net.conv(x, f, 3, pad=1, act="leaky")
        if i < len(filters) - 1:
            x = net.maxpool(x, 2, 2, "same")
    net.output("grid", net.conv(x, 5 * (5 + classes), 1, pad=0, bn=False, bias=True))
    return set_batchnorm_from_data(net)


def calibration_image(index: int, size: int = CALIB_SIZE) -> np.ndarray:
    """A deterministic structured RGB image (uint8 HxWx3), a different pattern family per index."""
    rng = np.random.default_rng(1000 + index)
    yy, xx = np.meshgrid(np.linspace(0.0, 1.0, size), np.linspace(0.0, 1.0, size), indexing="ij")
    kind = index % 4
    channels: list[np.ndarray] = []
    for _ in range(3):
        a, b, phase = rng.uniform(1.0, 6.0), rng.uniform(1.0, 6.0), rng.uniform(0.0, 2 * np.pi)
        if kind == 0:  # gradients
            c = a / 6.0 * xx + b / 6.0 * yy
        elif kind == 1:  # stripes
            c = 0.5 + 0.5 * np.sin(2 * np.pi * (a * xx + b * yy) + phase)
        elif kind == 2:  # checkerboard
            c = ((np.floor(xx * a * 2) + np.floor(yy * b * 2)) % 2) * 0.8 + 0.1
        else:  # discs on smooth noise
            cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.1, 0.3)
            c = 0.3 + 0.4 * np.sin(2 * np.pi * (a * xx * yy) + phase) ** 2
            c = np.where((yy - cy) ** 2 + (xx - cx) ** 2 < r * r, 0.95, c)
        channels.append(c)
    img = np.stack(channels, axis=-1) / np.maximum(np.stack(channels, axis=-1).max(), 1e-6)
    img = img + rng.normal(0.0, 0.02, img.shape)
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def write_examples(out: Path) -> list[Path]:
    """Write every example file into `out`; the paths written, sorted."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "mobilenet_tiny.tflite", out / "yolo_tiny.onnx"]
    written[0].write_bytes(to_tflite(mobilenet_tiny()))
    written[1].write_bytes(to_onnx(yolo_tiny()).SerializeToString())
    calib = out / "calib"
    calib.mkdir(exist_ok=True)
    for i in range(CALIB_COUNT):
        path = calib / f"pattern_{i:02d}.png"
        Image.fromarray(calibration_image(i), "RGB").save(path, format="PNG", optimize=False, compress_level=9)
        written.append(path)
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the bundled examples under examples/.")
    parser.add_argument("--out", type=Path, default=ROOT / "examples", help="output directory (default: examples/)")
    args = parser.parse_args(argv)
    for p in write_examples(args.out):
        print(f"{p}: {p.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
