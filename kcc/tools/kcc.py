"""`kcc`: the user-facing compiler driver.

kcc compile -t k210 model.tflite -o model.kmodel
kcc import model.tflite -o model.mlir
kcc infer model.kmodel --input x.npy
kcc inspect model.kmodel
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np
from numpy.typing import NDArray
from xdsl.dialects.builtin import ModuleOp

from kcc.compiler.options import K210_MAIN_RAM
from kcc.errors import KccError

if TYPE_CHECKING:
    from kcc.compiler.options import CompileOptions
    from kcc.compiler.pipeline import StageRecord

IMAGE_SUFFIXES = (".bmp", ".png", ".jpg", ".jpeg")


def _compile_options(args: argparse.Namespace) -> CompileOptions:
    from kcc.compiler.options import CompileOptions, parse_floats

    def integer(name: str, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise KccError(f"{name} '{text}' is not an integer", op="options") from None

    def number(name: str, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise KccError(f"{name} '{text}' is not a number", op="options") from None

    return CompileOptions(
        input_format=args.input_format,
        output_format=args.output_format or "kmodel",
        target=args.target,
        kmodel_version=args.kmodel_version,
        dataset=args.dataset,
        dataset_format=args.dataset_format,
        inference_type=args.inference_type,
        input_mean=parse_floats("--input-mean", args.input_mean),
        input_std=parse_floats("--input-std", args.input_std),
        input_type=args.input_type,
        input_shapes=list(args.input_shape),
        calibrate_method=args.calibrate_method,
        max_allocator_solve_secs=integer("--max-allocator-solve-secs", args.max_allocator_solve_secs),
        main_ram_limit=integer("--main-ram-limit", args.main_ram_limit),
        weights_quantize_threshold=number("--weights-quantize-threshold", args.weights_quantize_threshold),
        output_quantize_threshold=integer("--output-quantize-threshold", args.output_quantize_threshold),
        no_quantized_binary=args.no_quantized_binary,
        dump_ir=args.dump_ir,
        report=args.report,
        accuracy_report=args.accuracy_report,
    )


def _write_dumps(directory: str, stages: Sequence[StageRecord], dot: str) -> None:
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KccError(f"cannot create --dump-ir directory {out}: {e.strerror}", op="options") from None
    recorded = [s for s in stages if s.ir is not None]
    for i, s in enumerate(recorded):
        _atomic_write(out / f"{i:02d}-{s.name}.mlir", (s.ir or "").encode())
    if dot:
        _atomic_write(out / "graph.dot", dot.encode())


def _cmd_compile(args: argparse.Namespace) -> int:
    from kcc.compiler.options import check_output_path
    from kcc.compiler.pipeline import compile_model
    from kcc.compiler.summary import accuracy_text, fit_warning, summary_text

    if args.output and args.output_positional:
        raise KccError("give the output once: either OUT or -o OUT", op="options")
    output = args.output or args.output_positional
    if not output:
        raise KccError("no output file", op="options", hint="kcc compile MODEL -o OUT.kmodel")
    if args.output_format is None and Path(output).suffix.lower() == ".c":
        args.output_format = "c"  # `-o model.c`: the reference C backend (writes model.c and model.h)
    options = _compile_options(args)
    options.validate()
    check_output_path(output, options.output_format)
    trace: list[StageRecord] = []
    try:
        result = compile_model(args.model, options, trace)
    except KccError:
        if options.dump_ir is not None:  # show how far it got
            _write_dumps(options.dump_ir, trace, "")
        raise
    if options.dump_ir is not None:
        _write_dumps(options.dump_ir, result.stages, result.graph_dot)
    if options.output_format == "c":
        header = Path(output).with_suffix(".h")
        _atomic_write_all([(Path(output), result.data), (header, result.c_header)])
        if options.report:
            sys.stdout.write(summary_text(result, output))
        else:
            print(f"{output}, {header}: reference C (kmodel v4 program), {len(result.data)} + {len(result.c_header)} bytes")
            sys.stdout.write(accuracy_text(result))
        return 0
    _atomic_write(Path(output), result.data)
    if options.report:
        sys.stdout.write(summary_text(result, output))
    else:
        print(f"{output}: kmodel v{result.kmodel_version}, {len(result.data)} bytes")
        sys.stdout.write(accuracy_text(result))
    warning = fit_warning(result)
    if warning and not options.report:
        print(f"kcc: {warning}", file=sys.stderr)
    return 0


DEFAULT_IMPORT_PASSES = "fold-constants,fold-transposes"


def run_passes(module: ModuleOp, pipeline: str) -> None:
    """Run a comma-separated pass pipeline (kcc-opt names, `name{opt=v}` allowed) on `module` in place."""
    from xdsl.passes import PassPipeline
    from xdsl.transforms import get_all_passes

    from kcc.context import kcc_context
    from kcc.tools.kcc_opt import UPSTREAM_PASSES
    from kcc.universe import KCC_PASSES

    if not pipeline:
        return
    upstream = get_all_passes()
    available = {name: upstream[name] for name in UPSTREAM_PASSES} | dict(KCC_PASSES)
    try:
        passes = PassPipeline.parse_spec(available, pipeline)
    except Exception as e:  # xdsl raises plain exceptions for unknown names and bad options
        raise KccError(f"bad pass pipeline '{pipeline}': {e}", hint=f"passes: {', '.join(sorted(available))}") from None
    passes.apply(kcc_context(), module)


def module_text(module: ModuleOp) -> str:
    """The module in MLIR text form, as kcc-opt prints it."""
    import io

    from xdsl.printer import Printer

    buf = io.StringIO()
    Printer(stream=buf).print_op(module)
    return buf.getvalue() + "\n"


def _cmd_import(args: argparse.Namespace) -> int:
    from kcc.frontends import import_model, parse_input_shapes

    module = import_model(args.model, kind=args.input_format, input_shapes=parse_input_shapes(args.input_shape))
    run_passes(module, args.passes)
    text = module_text(module)
    if args.output:
        _atomic_write(Path(args.output), text.encode())
    else:
        sys.stdout.write(text)
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from kcc.backends import load_kmodel
    from kcc.sim.inspect import inspect_text

    model = load_kmodel(args.model)
    if args.mlir:
        from kcc.backends.kmodel_dialect import model_to_module

        sys.stdout.write(module_text(model_to_module(model)))
        return 0
    sys.stdout.write(inspect_text(model, args.model))
    return 0


def load_input(
    path: str,
    shape: tuple[int, ...],
    dtype: np.dtype[np.generic],
    mean: tuple[float, ...] = (0.0,),
    std: tuple[float, ...] = (1.0,),
) -> NDArray[np.generic]:
    """Read an input file: .npy (any shape with the right element count), raw .bin (exact byte size of the
    model input), or an image (RGB, resized to the model's HxW if needed, planar CHW). A uint8 model input takes
    the image's 0..255 pixels; a float one takes them as `kcc compile` calibrated: RGB in [0, 1], then
    `(x - mean) / std` (one value or one per channel)."""
    p = Path(path)
    count = int(np.prod(shape))
    suffix = p.suffix.lower()
    try:
        if suffix == ".npy":
            arr = np.load(p, allow_pickle=False)
        elif suffix in IMAGE_SUFFIXES:
            from PIL import Image

            chw = tuple(shape[1:]) if len(shape) == 4 and shape[0] == 1 else tuple(shape)  # batch 1 allowed
            if len(chw) != 3 or chw[0] != 3:
                raise KccError(f"an image input needs a 3xHxW model input, the model takes {list(shape)}", op="input")
            with Image.open(p) as im:
                rgb = im.convert("RGB")
                if rgb.size != (chw[2], chw[1]):
                    rgb = rgb.resize((chw[2], chw[1]), Image.Resampling.BILINEAR)
                arr = np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1).copy()
            if dtype != np.uint8:
                m = np.asarray(mean, np.float32).reshape(-1, 1, 1)
                d = np.asarray(std, np.float32).reshape(-1, 1, 1)
                if m.shape[0] not in (1, 3) or d.shape[0] not in (1, 3):
                    raise KccError("--input-mean / --input-std take one value or one per channel (3)", op="input")
                arr = ((arr.astype(np.float32) / np.float32(255.0) - m) / d).astype(dtype)
        else:
            data = p.read_bytes()
            if len(data) != count * dtype.itemsize:
                raise KccError(
                    f"{path} has {len(data)} bytes, the model input is {count} x {dtype.name} = {count * dtype.itemsize} bytes",
                    op="input",
                )
            arr = np.frombuffer(data, dtype=dtype.newbyteorder("<")).copy()
    except KccError:
        raise
    except (OSError, ValueError) as e:
        raise KccError(f"cannot read input {path}: {e}", op="input") from None
    return arr


def _file_mode() -> int:
    """The mode open() would give a new file (0666 less the umask); mkstemp's own 0600 would survive the rename."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _atomic_write(path: Path, data: bytes) -> None:
    _atomic_write_all([(path, data)])


def _atomic_write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files all or nothing: every temp file first (flushed to disk), then the renames. A path
    that cannot take the file (a directory, no permission) is found before anything is renamed."""
    for path, _ in files:
        if path.is_dir():
            raise KccError(f"cannot write {path}: it is a directory", op="output", hint="choose another output name")
    temps: list[tuple[str, Path]] = []
    mode = _file_mode()
    try:
        for path, data in files:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            temps.append((tmp, path))
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fd)
        for tmp, path in temps:
            os.replace(tmp, path)
    except OSError as e:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise KccError(f"cannot write {e.filename or 'the output'}: {e.strerror}", op="output") from None
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise


def _npy_bytes(arr: NDArray[np.generic]) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _cmd_infer(args: argparse.Namespace) -> int:
    from kcc.backends import load_kmodel
    from kcc.sim import input_specs, simulate

    model = load_kmodel(args.model)
    specs = input_specs(model)
    from kcc.compiler.options import parse_floats

    mean = parse_floats("--input-mean", args.input_mean)
    std = parse_floats("--input-std", args.input_std)
    if any(v == 0 for v in std):
        raise KccError("--input-std must not be 0 (inputs are divided by it)", op="options")
    x = load_input(args.input, specs[0].shape, specs[0].np_dtype, mean, std)
    result = simulate(model, [x], timing=args.timing)
    outdir = Path(args.output_dir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KccError(f"cannot create output directory {outdir}: {e.strerror}", op="infer") from None
    stem = Path(args.input).stem
    little = [np.ascontiguousarray(o, dtype=o.dtype.newbyteorder("<")) for o in result.outputs]
    files = [(outdir / f"{stem}.bin", b"".join(o.tobytes() for o in little))]
    for i, o in enumerate(little):
        files += [(outdir / f"{stem}_{i}.npy", _npy_bytes(o)), (outdir / f"{stem}_{i}.bin", o.tobytes())]
    _atomic_write_all(files)  # all outputs of this run or none: never a mix of old and new
    for i, o in enumerate(little):
        print(f"output {i}: {o.dtype}[{o.size}] -> {outdir / f'{stem}_{i}.npy'}")
    if args.timing:
        for t in result.timings:
            print(f"  #{t.index:<3} {t.name:<32} {'KPU' if t.kpu else 'CPU'} {t.seconds * 1000:9.3f} ms")
        print(f"total: {result.total_seconds * 1000:.3f} ms")
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """Bad command lines are one `kcc: error:` line (no usage block), exit code 2, like every other user error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="kcc", description="Neural-network compiler for the Kendryte K210")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("compile", help="compile a TFLite or ONNX model to a kmodel (ncc-compatible options)")
    c.add_argument("model", help="input model (.tflite or .onnx)")
    c.add_argument("output_positional", nargs="?", metavar="OUT", help="output file (as ncc's `compile IN OUT`; or -o)")
    c.add_argument("-o", "--output", help="output file (.kmodel)")
    c.add_argument("-i", "--input-format", help="tflite or onnx (default: from the extension)")
    c.add_argument(
        "--output-format", default=None, help="kmodel (default) or c (reference C: OUT.c + OUT.h; the default for -o *.c)"
    )
    c.add_argument("-t", "--target", default="k210", help="k210 (default): KPU + CPU; cpu: no KPU")
    c.add_argument("--kmodel-version", default="auto", help="3, 4 or auto (default: v3 when every layer fits v3)")
    c.add_argument("--dataset", help="calibration images (a folder) or tensors (--dataset-format raw); needed to quantize")
    c.add_argument("--dataset-format", default="image", help="image (default: jpg/png/bmp) or raw (.npy/.bin)")
    c.add_argument("--inference-type", default="uint8", help="uint8 (default) or float: the CPU ops' arithmetic")
    c.add_argument("--input-mean", default="0", help="image normalization (x - mean) / std, x in [0, 1]; one or per channel")
    c.add_argument("--input-std", default="1", help="see --input-mean (default 1)")
    c.add_argument("--input-type", default="float", help="float (default) or uint8 (raw 0..255 pixels in)")
    c.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="[NAME:]D0,D1,...",
        help="fix an input's shape (dynamic dimensions); repeat for several inputs",
    )
    c.add_argument("--calibrate-method", default="no_clip", help="no_clip (default), l2 or kld")
    c.add_argument("--max-allocator-solve-secs", default="60", help="CP-SAT time for the memory plan (default 60; 0 first-fit)")
    c.add_argument(
        "--main-ram-limit",
        default=str(K210_MAIN_RAM),
        help=f"main-RAM bytes the program may use (default {K210_MAIN_RAM}, the K210's 6 MiB; 0: no limit)",
    )
    c.add_argument("--weights-quantize-threshold", default="32", help="wider weight ranges run in float on the CPU (32)")
    c.add_argument("--output-quantize-threshold", default="1024", help="smaller CPU binary ops stay float (1024)")
    c.add_argument("--no-quantized-binary", action="store_true", help="CPU binary ops always in float")
    c.add_argument("--dump-ir", metavar="DIR", help="write the IR after every stage (NN-stage.mlir) and graph.dot to DIR")
    c.add_argument("--report", action="store_true", help="print the summary: placement, memory, size, MaixPy snippet")
    c.add_argument(
        "--accuracy-report",
        action="store_true",
        help="per-layer accuracy of the quantized program against the float one (first 8 dataset samples), worst first",
    )
    c.set_defaults(func=_cmd_compile)
    m = sub.add_parser("import", help="read a TFLite or ONNX model into nn-dialect IR (MLIR text)")
    m.add_argument("model", help="input model (.tflite or .onnx)")
    m.add_argument("-i", "--input-format", choices=["tflite", "onnx"], help="model format (default: from the extension)")
    m.add_argument("-o", "--output", help="output .mlir file (default: stdout)")
    m.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="[NAME:]D0,D1,...",
        help="fix an input's shape (needed for dynamic dimensions); repeat for several inputs",
    )
    m.add_argument(
        "--passes",
        default=DEFAULT_IMPORT_PASSES,
        help=f"cleanup passes run after import (default: {DEFAULT_IMPORT_PASSES}; '' for the raw import)",
    )
    m.set_defaults(func=_cmd_import)
    i = sub.add_parser("inspect", help="print the header, sections and every node of a kmodel v3/v4")
    i.add_argument("model", help="kmodel file")
    i.add_argument("--mlir", action="store_true", help="print the file as a kmodel-dialect module (MLIR text) instead")
    i.set_defaults(func=_cmd_inspect)
    f = sub.add_parser("infer", help="run a kmodel on the simulated K210 and write its outputs")
    f.add_argument("model", help="kmodel file (v3 or v4)")
    f.add_argument("--input", required=True, help="input: .npy, raw .bin, or an image (.bmp/.png/.jpg -> RGB CHW uint8)")
    f.add_argument("-o", "--output-dir", default=".", help="directory for <stem>.bin (all outputs) and <stem>_<i>.npy/.bin")
    f.add_argument("--timing", action="store_true", help="print per-node simulation times")
    f.add_argument("--input-mean", default="0", help="float-input models: an image is fed as (rgb/255 - mean) / std (default 0)")
    f.add_argument("--input-std", default="1", help="float-input models: see --input-mean (default 1)")
    f.set_defaults(func=_cmd_infer)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KccError as e:
        print(f"kcc: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("kcc: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
