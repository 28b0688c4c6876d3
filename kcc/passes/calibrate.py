"""`calibrate`: run the float program over a dataset and record the range of every float value on the IR.

Run it on the legalized float program (after `kpu-legalize`), before `quantize`. The ranges land on the IR as
discardable attributes (kcc.quant.ranges): `kcc.ranges` (the chosen clipping range, one `array<f64: lo, hi>`
per result) and `kcc.minmax` (the observed min/max) on every op with a float result but `nn.const`, and
`kcc.range` / `kcc.minmax` argument attributes on the float inputs of the entry function.

Options (kcc-opt `-p 'calibrate{dataset=DIR method=kld}'`):

* `dataset`: a folder of images or raw tensors, or one file (kcc.quant.dataset); required.
* `dataset-format`: `image` (jpg/png/bmp, resized, RGB, [0, 1], `(x - mean) / std`) or `raw` (.npy/.bin).
* `method`: `no_clip` (min/max), `l2` (least squared quantization error), `kld` (entropy); kcc.quant.methods.
* `input-mean`, `input-std`: one value or one per channel (image datasets).
* `input-type`: `float` (default) or `uint8` (raw 0..255 pixels: no scaling nor mean/std, and the input's range
  is recorded as exactly [0, 255]).
* `input-layout`: `auto` (default; from the input shape), `NCHW` or `NHWC` (an imported TFLite input).
* `cache`: empty (no cache, default), `default` (`~/.cache/kcc/calibration`) or a directory; a second run with
  the same module text, dataset files, preprocessing and method reads the stored ranges instead of running.
* `progress`: a progress bar on stderr (only when stderr is a terminal); default true.

The program must have one input per dataset sample (multi-input models calibrate through the Python API,
`kcc.quant.calibration.calibrate`, with samples as lists of arrays).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.passes import ModulePass

from kcc.errors import KccError
from kcc.interp.runner import entry_function
from kcc.quant.cache import CalibrationCache, cache_key, default_cache_dir
from kcc.quant.calibration import calibrate
from kcc.quant.dataset import load_dataset
from kcc.quant.methods import check_method
from kcc.quant.ranges import Range


def _cache(option: str) -> CalibrationCache | None:
    if not option:
        return None
    return CalibrationCache(default_cache_dir() if option == "default" else Path(option).expanduser())


@dataclass(frozen=True)
class CalibratePass(ModulePass):
    """Record per-value calibration ranges (kcc.ranges) from a dataset run through the float interpreter."""

    name = "calibrate"
    dataset: str = ""
    dataset_format: str = "image"
    method: str = "no_clip"
    input_mean: tuple[int | float, ...] = (0.0,)
    input_std: tuple[int | float, ...] = (1.0,)
    input_type: str = "float"
    input_layout: str = "auto"
    cache: str = ""
    progress: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_method(self.method)
        if not self.dataset:
            raise KccError("calibrate needs a dataset", hint="pass dataset=DIR (a folder of images or .npy/.bin tensors)")
        f = entry_function(op)
        inputs = f.function_type.inputs.data
        if len(inputs) != 1 or not isinstance(inputs[0], TensorType):
            raise KccError(
                f"calibrate with a dataset needs a program with one tensor input; @{f.sym_name.data} has {len(inputs)}",
                hint="calibrate multi-input models with kcc.quant.calibration.calibrate",
            )
        shape = tuple(inputs[0].get_shape())
        ds = load_dataset(
            self.dataset,
            shape,
            format=self.dataset_format,
            mean=tuple(float(v) for v in self.input_mean),
            std=tuple(float(v) for v in self.input_std),
            input_type=self.input_type,
            input_layout=self.input_layout,
        )
        cache = _cache(self.cache)
        key = cache_key(str(op), ds.fingerprint(), self.method) if cache is not None else None
        fixed: list[Range | None] = [(0.0, 255.0) if self.input_type == "uint8" else None]
        calibrate(
            op,
            ([x] for x in ds.iterate(progress=self.progress)),
            self.method,
            cache=cache,
            key=key,
            fixed_arg_ranges=fixed,
        )
