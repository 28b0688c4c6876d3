"""`kcc-opt`: the xdsl-opt driver with kcc's dialects and passes.

kcc-opt in.mlir --kpu-legalize                      MLIR-style pass flags, applied in order
kcc-opt in.mlir -p 'fuse-conv,kpu-legalize{max-channels=512}'
kcc-opt in.mlir --print-ir-after-all --kpu-legalize
kcc-opt in.mlir --run --input x.npy                 interpret the entry function, print the outputs
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from typing import IO, Any

import numpy as np
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass, PassPipeline
from xdsl.printer import Printer
from xdsl.transforms import get_all_passes
from xdsl.utils.exceptions import DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from kcc.context import UPSTREAM_DIALECTS
from kcc.errors import KccError
from kcc.universe import KCC_DIALECTS, KCC_PASSES

UPSTREAM_PASSES = ("canonicalize", "cse", "dce")


class _PassFlag(argparse.Action):
    """`--kpu-legalize` or `--kpu-legalize="max-channels=512 fuse-relu=false"` -> a `-p` spec entry."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        assert option_string is not None
        name = option_string.lstrip("-")
        spec = f"{name}{{{values}}}" if values else name
        flags: list[str] = list(getattr(namespace, "pass_flags", None) or [])
        flags.append(spec)
        namespace.pass_flags = flags


class KccOptMain(xDSLOptMain):
    version_format = "kcc-opt, built on xdsl {xdsl_version}"

    def register_all_dialects(self) -> None:
        upstream = get_all_dialects()
        for name in UPSTREAM_DIALECTS:
            self.ctx.register_dialect(name, upstream[name])
        for name, factory in KCC_DIALECTS.items():
            self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        upstream = get_all_passes()
        for name in UPSTREAM_PASSES:
            self.register_pass(name, upstream[name])
        for name, factory in KCC_PASSES.items():
            self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--print-ir-after-all",
            action="store_true",
            help="print the IR after every pass (to stderr, MLIR style)",
        )
        arg_parser.add_argument(
            "--report",
            action="store_true",
            help="print the report of every reporting pass in the pipeline (kpu-legalize: KPU/CPU placement, to stderr)",
        )
        run = arg_parser.add_argument_group("interpreting (the numpy oracle)")
        run.add_argument(
            "--run",
            "--interpret",
            dest="run",
            nargs="?",
            const="",
            default=None,
            metavar="FUNC",
            help="after the passes, run FUNC (default: @main or the only public function) and print its outputs",
        )
        run.add_argument("--input", action="append", default=[], metavar="X.npy", help="an input array (repeat, in order)")
        run.add_argument("--save-outputs", metavar="DIR", help="also save outputs as DIR/output<i>.npy")
        group = arg_parser.add_argument_group("passes (MLIR-style flags, applied in order after -p)")
        for name in sorted(self.available_passes):
            factory = self.available_passes[name]
            doc = (factory().__doc__ or "").strip().splitlines()
            group.add_argument(
                f"--{name}",
                nargs="?",
                const="",
                action=_PassFlag,
                dest="pass_flags",
                metavar="OPTS",
                help=doc[0] if doc else None,
            )

    def setup_pipeline(self) -> None:
        flags: list[str] = getattr(self.args, "pass_flags", None) or []
        if flags:
            self.args.passes = ",".join(p for p in (self.args.passes, *flags) if p)
        super().setup_pipeline()
        if self.args.report:
            reporting = [p for p in self.pipeline.passes if "report" in {f.name for f in dataclasses.fields(p)}]
            if not reporting:
                raise KccError("--report needs a pass that reports in the pipeline", hint="e.g. --kpu-legalize --report")
            passes = tuple(dataclasses.replace(p, report=True) if p in reporting else p for p in self.pipeline.passes)
            self.pipeline = PassPipeline(passes, self.pipeline.callback)
        if self.args.print_ir_after_all:
            inner = self.pipeline.callback

            def callback(prev: ModulePass | None, module: ModuleOp, nxt: ModulePass | None) -> None:
                if inner is not None:
                    inner(prev, module, nxt)
                if prev is not None:
                    sys.stderr.write(f"// -----// IR Dump After {prev.name} //----- //\n")
                    Printer(stream=sys.stderr).print_op(module)
                    sys.stderr.write("\n\n")

            self.pipeline = PassPipeline(self.pipeline.passes, callback)

    def output_resulting_program(self, prog: ModuleOp) -> str:
        if self.args.run is None:
            return super().output_resulting_program(prog)
        return run_and_format(prog, self.args.run or None, self.args.input, self.args.save_outputs)


def run_and_format(module: ModuleOp, function: str | None, input_files: Sequence[str], save_dir: str | None) -> str:
    """Interpret `function` on .npy inputs and format each output for FileCheck."""
    from pathlib import Path

    from kcc.interp import run

    inputs = []
    for path in input_files:
        try:
            inputs.append(np.load(path, allow_pickle=False))
        except (OSError, ValueError) as e:
            raise KccError(f"cannot read input {path}: {e}") from None
    outputs = run(module, inputs, function)
    lines: list[str] = []
    with np.printoptions(precision=6, suppress=True, threshold=10_000, linewidth=120):
        for i, y in enumerate(outputs):
            lines.append(f"output {i}: {'x'.join(map(str, y.shape)) or 'scalar'} {y.dtype}")
            lines.append(np.array2string(y, separator=", "))
            if save_dir:
                Path(save_dir).mkdir(parents=True, exist_ok=True)
                np.save(Path(save_dir) / f"output{i}.npy", y)
    return "\n".join(lines) + "\n"


def main(args: Sequence[str] | None = None, stdout: IO[str] | None = None) -> None:
    del stdout
    try:
        tool = KccOptMain(description="kcc's modular optimizer driver", args=args)
        tool.run()
    except KccError as e:
        print(f"kcc-opt: error: {e}", file=sys.stderr)
        raise SystemExit(e.exit_code) from None
    except (ValueError, ParseError, DiagnosticException) as e:
        print(f"kcc-opt: error: {e}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
