"""`CompileOptions`: what `kcc compile` is asked to do, with ncc v0.2's option names and meanings.

    opts = CompileOptions(target="k210", dataset="examples/calib", kmodel_version="auto")
    opts.validate()          # one-line KccError (exit code 2) for the first bad option

Every field mirrors one `kcc compile` flag (`docs/compile.md`); `validate()` checks values alone (ranges,
choices, the dataset folder exists) before any work is done, so a bad option never costs a model import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from kcc.errors import KccError

INPUT_FORMATS = ("tflite", "onnx")
OUTPUT_FORMATS = ("kmodel", "c")
TARGETS = ("k210", "cpu")
KMODEL_VERSIONS = ("3", "4", "auto")
DATASET_FORMATS = ("image", "raw")
INFERENCE_TYPES = ("uint8", "float")
INPUT_TYPES = ("float", "uint8")
CALIBRATE_METHODS = ("no_clip", "l2", "kld")

# The output file's extension for each output format.
OUTPUT_SUFFIXES = {"kmodel": ".kmodel", "c": ".c"}


def _choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise KccError(f"{name} '{value}' is not one of {', '.join(choices)}", op="options")


def parse_floats(name: str, text: str) -> tuple[float, ...]:
    """`0.5` or `0.485,0.456,0.406` -> floats (one, or one per channel); one-line error otherwise."""
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise KccError(f"{name} '{text}' is not a number or a comma-separated list of numbers", op="options") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise KccError(f"{name} '{text}' needs finite numbers", op="options")
    return values


# The K210's general-purpose SRAM (6 MiB; the other 2 MiB are the KPU's). The firmware, the kmodel itself and the
# application share it, so a program whose main-RAM peak alone is above it can never run.
K210_MAIN_RAM = 6 * 1024 * 1024


@dataclass
class CompileOptions:
    """The options of one compilation (defaults: ncc v0.2's)."""

    input_format: str | None = None  # tflite | onnx; None: from the model file's extension
    output_format: str = "kmodel"  # kmodel | c
    target: str = "k210"  # k210 (KPU + CPU) | cpu (no KPU layers)
    kmodel_version: str = "auto"  # 3 | 4 | auto (v3 when every layer is expressible in v3)
    dataset: str | None = None  # calibration folder (or one file); required to quantize
    dataset_format: str = "image"  # image | raw
    inference_type: str = "uint8"  # uint8 | float (CPU ops; KPU layers are always uint8)
    input_mean: tuple[float, ...] = (0.0,)
    input_std: tuple[float, ...] = (1.0,)
    input_type: str = "float"  # float | uint8 (the kmodel's input)
    input_shapes: list[str] = field(default_factory=lambda: list[str]())  # `[name:]d0,d1,...` as kcc import
    calibrate_method: str = "no_clip"  # no_clip | l2 | kld
    max_allocator_solve_secs: int = 60  # CP-SAT time limit of plan-memory (0: first-fit only)
    main_ram_limit: int = K210_MAIN_RAM  # main-RAM bytes the program may use (0: no limit)
    weights_quantize_threshold: float = 32.0
    output_quantize_threshold: int = 1024
    no_quantized_binary: bool = False
    dump_ir: str | None = None  # directory for NN-pass.mlir files and graph.dot
    report: bool = False  # print the summary
    accuracy_report: bool = False  # per-layer float vs quantized accuracy (first ACCURACY_SAMPLES samples)
    progress: bool = True  # progress bars on stderr (terminals only)

    @property
    def quantizes(self) -> bool:
        """Whether the pipeline calibrates and quantizes (always for the KPU; for the CPU only with uint8)."""
        return self.target == "k210" or self.inference_type == "uint8"

    def validate(self) -> None:
        """Raise a one-line KccError for the first invalid option."""
        if self.input_format is not None:
            _choice("input format (-i)", self.input_format, INPUT_FORMATS)
        _choice("output format", self.output_format, OUTPUT_FORMATS)
        _choice("target (-t)", self.target, TARGETS)
        _choice("--kmodel-version", self.kmodel_version, KMODEL_VERSIONS)
        _choice("--dataset-format", self.dataset_format, DATASET_FORMATS)
        _choice("--inference-type", self.inference_type, INFERENCE_TYPES)
        _choice("--input-type", self.input_type, INPUT_TYPES)
        _choice("--calibrate-method", self.calibrate_method, CALIBRATE_METHODS)
        if any(s == 0 for s in self.input_std):
            raise KccError("--input-std must not be 0 (inputs are divided by it)", op="options")
        if self.input_type == "uint8" and (self.input_mean != (0.0,) or self.input_std != (1.0,)):
            raise KccError(
                "--input-type uint8 takes raw 0..255 pixels: --input-mean / --input-std do not apply",
                op="options",
                hint="drop --input-mean/--input-std, or use --input-type float",
            )
        if self.main_ram_limit < 0:
            raise KccError(f"--main-ram-limit {self.main_ram_limit} must be >= 0 (0: no limit)", op="options")
        if self.max_allocator_solve_secs < 0:
            raise KccError(f"--max-allocator-solve-secs {self.max_allocator_solve_secs} must be >= 0", op="options")
        if not (self.weights_quantize_threshold > 0 and math.isfinite(self.weights_quantize_threshold)):
            raise KccError(
                f"--weights-quantize-threshold {self.weights_quantize_threshold} must be a positive number", op="options"
            )
        if self.output_quantize_threshold < 0:
            raise KccError(f"--output-quantize-threshold {self.output_quantize_threshold} must be >= 0", op="options")
        if self.quantizes:
            if self.dataset is None:
                raise KccError(
                    f"target {self.target} with --inference-type {self.inference_type} quantizes the model, "
                    "and quantization needs a calibration dataset",
                    op="options",
                    hint="pass --dataset DIR (a folder of a few representative images, or .npy/.bin tensors with "
                    "--dataset-format raw); the bundled examples/calib works for the examples",
                )
            if not Path(self.dataset).exists():
                raise KccError(
                    f"dataset '{self.dataset}' does not exist", op="options", hint="--dataset takes a folder or a file"
                )
        if self.accuracy_report and not self.quantizes:
            raise KccError(
                f"--accuracy-report compares the quantized program with the float one; target {self.target} with "
                f"--inference-type {self.inference_type} does not quantize",
                op="options",
                hint="drop --accuracy-report, or use --inference-type uint8",
            )
        if self.dump_ir is not None and Path(self.dump_ir).exists() and not Path(self.dump_ir).is_dir():
            raise KccError(f"--dump-ir '{self.dump_ir}' exists and is not a directory", op="options")


def check_output_path(output: str, output_format: str) -> None:
    """The output file must carry the extension of its format and go into an existing directory."""
    p = Path(output)
    suffix = OUTPUT_SUFFIXES[output_format]
    if p.suffix.lower() != suffix:
        raise KccError(
            f"output '{output}' does not end in {suffix} (output format {output_format})",
            op="options",
            hint=f"name the file *{suffix}" + (", or pass --output-format c for C" if output_format == "kmodel" else ""),
        )
    for q in (p, p.with_suffix(".h")) if output_format == "c" else (p,):
        if q.is_dir():
            raise KccError(f"output '{q}' is a directory", op="options", hint="choose another output name")
    if not p.parent.is_dir():
        raise KccError(f"output directory '{p.parent}' does not exist", op="options", hint="create it first")
