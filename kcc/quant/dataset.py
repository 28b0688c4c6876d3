"""Calibration datasets, like nncase's `ncc --dataset`: a folder of images or of raw tensors.

    ds = load_dataset("calib/", (1, 3, 224, 224), format="image", mean=[0.485, 0.456, 0.406], std=0.229)
    for x in ds.iterate(progress=True):      # float32 arrays of exactly the input's shape, sorted file order
        outputs = run(module, [x])

* `format="image"`: every `.jpg/.jpeg/.png/.bmp` file of the folder (case-insensitive, sorted by name; other
  files are ignored). Each image is converted to RGB (to grayscale for a 1-channel input), resized to the
  input's H x W with Pillow's bilinear filter (which antialiases when shrinking), scaled to [0, 1] and
  normalized as `(x - mean) / std`; `mean` and `std` are one number or one per channel.
* `format="raw"`: every `.npy` / `.bin` file (sorted). A `.npy` array must have the input's shape (a leading
  batch dimension of 1 may be left out) and a numeric dtype; a `.bin` file is little-endian float32 (uint8 with
  `input_type="uint8"`) of exactly the input's size in bytes. Raw tensors are used as they are: no mean/std.
* `input_type="uint8"`: the model's input is raw 0..255 pixels. Images are not scaled nor normalized
  (passing a mean or std is an error); raw tensors must hold values in 0..255.
* Layout: a 4-D input `[1, C, H, W]` is NCHW (ONNX and kcc IR), `[1, H, W, C]` is NHWC (an imported TFLite
  model keeps its NHWC input). `input_layout="auto"` decides from the shape: the layout whose channel
  dimension is 1 or 3 while the other candidate is not; when both or neither qualify, NCHW (say
  `input_layout="NHWC"` for a TFLite model with such an input). 3-D inputs `[C, H, W]` / `[H, W, C]` work alike.

Samples are float32 arrays of the input's exact shape, loaded lazily (one at a time) in sorted file order.
Every problem is a one-line KccError naming the file and the rule: an empty folder, an unreadable or corrupt
file, a shape or size mismatch, a value out of 0..255 for a uint8 input.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kcc.errors import KccError

IMAGE_SUFFIXES = (".bmp", ".jpeg", ".jpg", ".png")
RAW_SUFFIXES = (".bin", ".npy")
FORMATS = ("image", "raw")
INPUT_TYPES = ("float", "uint8")
LAYOUTS = ("auto", "NCHW", "NHWC")
_CHANNEL_COUNTS = (1, 3)

Normalization = float | Sequence[float]


def _fmt(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def resolve_layout(shape: Sequence[int], layout: str = "auto") -> str:
    """ "NCHW" or "NHWC" for an input of `shape` (see the module docstring for the `auto` rule)."""
    if layout not in LAYOUTS:
        raise KccError(f"input layout '{layout}' is not one of {', '.join(LAYOUTS)}")
    if layout != "auto":
        return layout
    if len(shape) not in (3, 4):
        return "NCHW"
    first, last = shape[-3], shape[-1]
    if last in _CHANNEL_COUNTS and first not in _CHANNEL_COUNTS:
        return "NHWC"
    return "NCHW"


@dataclass(frozen=True)
class InputGeometry:
    """Where C, H and W are in the input shape."""

    shape: tuple[int, ...]
    layout: str

    @property
    def channels(self) -> int:
        return self.shape[-3] if self.layout == "NCHW" else self.shape[-1]

    @property
    def height(self) -> int:
        return self.shape[-2] if self.layout == "NCHW" else self.shape[-3]

    @property
    def width(self) -> int:
        return self.shape[-1] if self.layout == "NCHW" else self.shape[-2]


def _per_channel(name: str, value: Normalization, channels: int) -> NDArray[np.float32]:
    values = [float(value)] if isinstance(value, int | float) else [float(v) for v in value]
    if len(values) not in (1, channels):
        raise KccError(
            f"--input-{name} has {len(values)} values; the input has {channels} channels",
            hint=f"give one value or {channels}",
        )
    if not all(math.isfinite(v) for v in values):
        raise KccError(f"--input-{name} {values} is not finite")
    if name == "std" and any(v == 0.0 for v in values):
        raise KccError(f"--input-std {values} contains 0", hint="the standard deviation divides the input")
    return np.asarray(values * (channels if len(values) == 1 else 1), dtype=np.float32)


class Dataset:
    """The sorted files of a calibration folder and how to turn each into an input tensor."""

    def __init__(
        self,
        files: Sequence[Path],
        shape: Sequence[int],
        *,
        format: str,
        mean: Normalization = 0.0,
        std: Normalization = 1.0,
        input_type: str = "float",
        input_layout: str = "auto",
    ):
        self.files = tuple(files)
        self.shape = tuple(int(d) for d in shape)
        self.format = format
        self.input_type = input_type
        self.geometry = InputGeometry(self.shape, resolve_layout(self.shape, input_layout))
        if format == "image":
            if len(self.shape) not in (3, 4) or (len(self.shape) == 4 and self.shape[0] != 1):
                raise KccError(
                    f"image datasets need a [1, C, H, W] or [1, H, W, C] input; the model's input is {_fmt(self.shape)}",
                    hint="use --dataset-format raw with tensors of the input's shape",
                )
            if self.geometry.channels not in (1, 3):
                raise KccError(
                    f"image datasets feed 1 (grayscale) or 3 (RGB) channels; the input {_fmt(self.shape)} "
                    f"({self.geometry.layout}) has {self.geometry.channels}",
                    hint="set --input-layout, or use --dataset-format raw",
                )
        channels = self.geometry.channels if len(self.shape) >= 3 else 1
        self.mean = _per_channel("mean", mean, channels)
        self.std = _per_channel("std", std, channels)

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[NDArray[np.float32]]:
        return (self.load(i) for i in range(len(self.files)))

    def iterate(self, progress: bool = True, desc: str = "calibrate") -> Iterator[NDArray[np.float32]]:
        """The samples in order, with a progress bar on stderr when `progress` and stderr is a terminal."""
        from tqdm import tqdm

        disable = not progress or not sys.stderr.isatty()
        for i in tqdm(range(len(self.files)), desc=desc, unit="sample", file=sys.stderr, disable=disable):
            yield self.load(i)

    def fingerprint(self) -> str:
        """sha256 over the file names, sizes and contents and the preprocessing: the dataset's cache identity."""
        h = hashlib.sha256()
        h.update(
            repr((self.format, self.shape, self.geometry.layout, self.input_type, self.mean.tolist(), self.std.tolist())).encode()
        )
        for f in self.files:
            data = _read_bytes(f)
            h.update(f"{f.name}\0{len(data)}\0".encode())
            h.update(hashlib.sha256(data).digest())
        return h.hexdigest()

    def load(self, i: int) -> NDArray[np.float32]:
        f = self.files[i]
        return self._image(f) if self.format == "image" else self._raw(f)

    def _image(self, f: Path) -> NDArray[np.float32]:
        from PIL import Image, UnidentifiedImageError

        g = self.geometry
        try:
            with Image.open(f) as img:
                img = img.convert("L" if g.channels == 1 else "RGB")
                if img.size != (g.width, g.height):
                    img = img.resize((g.width, g.height), Image.Resampling.BILINEAR)
                pixels = np.asarray(img, dtype=np.float32)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
            raise KccError(
                f"dataset file '{f}': not a readable image ({_one_line(e)})", hint="remove or replace the file"
            ) from None
        hwc = pixels.reshape(g.height, g.width, g.channels)
        if self.input_type == "float":
            hwc = (hwc / np.float32(255.0) - self.mean) / self.std
        chw_or_hwc = hwc.transpose(2, 0, 1) if g.layout == "NCHW" else hwc
        return np.ascontiguousarray(chw_or_hwc, dtype=np.float32).reshape(self.shape)

    def _raw(self, f: Path) -> NDArray[np.float32]:
        n = math.prod(self.shape)
        if f.suffix.lower() == ".npy":
            try:
                arr = np.load(f, allow_pickle=False)
            except (OSError, ValueError, EOFError) as e:
                raise KccError(f"dataset file '{f}': not a readable .npy file ({_one_line(e)})") from None
            if arr.dtype.kind not in "fiub":
                raise KccError(f"dataset file '{f}': dtype {arr.dtype} is not numeric", hint="save float32 arrays")
            shape = tuple(arr.shape)
            if shape != self.shape and (1, *shape) != self.shape:
                raise KccError(
                    f"dataset file '{f}': shape {_fmt(shape)} does not match the model input {_fmt(self.shape)}",
                    hint="save arrays of the input's shape (in its layout)",
                )
        else:
            data = _read_bytes(f)
            dtype = np.uint8 if self.input_type == "uint8" else np.dtype("<f4")
            itemsize = np.dtype(dtype).itemsize
            if len(data) != n * itemsize:
                kind = "uint8" if self.input_type == "uint8" else "float32"
                raise KccError(
                    f"dataset file '{f}': {len(data)} bytes, the model input {_fmt(self.shape)} needs "
                    f"{n * itemsize} ({n} {kind} values)",
                    hint="write the tensor in the input's shape and layout",
                )
            arr = np.frombuffer(data, dtype=dtype)
        out = np.asarray(arr, dtype=np.float32).reshape(self.shape)
        if not np.isfinite(out).all():
            raise KccError(f"dataset file '{f}': contains NaN or Inf values")
        if self.input_type == "uint8" and (float(out.min()) < 0.0 or float(out.max()) > 255.0):
            raise KccError(
                f"dataset file '{f}': values [{float(out.min())}, {float(out.max())}] are outside 0..255 of a uint8 input",
                hint="use --input-type float",
            )
        return out


def _read_bytes(f: Path) -> bytes:
    try:
        return f.read_bytes()
    except OSError as e:
        raise KccError(f"dataset file '{f}': cannot read ({_one_line(e)})") from None


def load_dataset(
    path: str | Path,
    shape: Sequence[int],
    *,
    format: str = "image",
    mean: Normalization = 0.0,
    std: Normalization = 1.0,
    input_type: str = "float",
    input_layout: str = "auto",
) -> Dataset:
    """The dataset in `path` (a folder, or one file) for a model input of `shape` (see the module docstring)."""
    if format not in FORMATS:
        raise KccError(f"dataset format '{format}' is not one of {', '.join(FORMATS)}")
    if input_type not in INPUT_TYPES:
        raise KccError(f"input type '{input_type}' is not one of {', '.join(INPUT_TYPES)}")
    if input_type == "uint8" and (not _is_default(mean, 0.0) or not _is_default(std, 1.0)):
        raise KccError("--input-mean/--input-std do not apply to --input-type uint8", hint="the input is raw 0..255 pixels")
    root = Path(path)
    suffixes = IMAGE_SUFFIXES if format == "image" else RAW_SUFFIXES
    if root.is_file():
        files = [root]
        if root.suffix.lower() not in suffixes:
            raise KccError(f"dataset file '{root}': not a {'/'.join(suffixes)} file for --dataset-format {format}")
    elif root.is_dir():
        try:
            files = sorted((p for p in root.iterdir() if p.is_file() and p.suffix.lower() in suffixes), key=lambda p: p.name)
        except OSError as e:
            raise KccError(f"dataset folder '{root}': cannot list ({_one_line(e)})") from None
        if not files:
            raise KccError(
                f"dataset folder '{root}' has no {'/'.join(suffixes)} files",
                hint=f"put calibration samples there (--dataset-format {format})",
            )
    else:
        raise KccError(f"dataset '{root}' does not exist")
    return Dataset(files, shape, format=format, mean=mean, std=std, input_type=input_type, input_layout=input_layout)


def _is_default(value: Normalization, default: float) -> bool:
    values = [float(value)] if isinstance(value, int | float) else [float(v) for v in value]
    return all(v == default for v in values)
