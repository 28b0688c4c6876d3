"""`kcc`: the user-facing compiler driver.

kcc compile -t k210 model.tflite -o model.kmodel
kcc infer model.kmodel --input x.npy
kcc inspect model.kmodel
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kcc.errors import KccError


def _cmd_compile(args: argparse.Namespace) -> int:
    raise KccError(
        f"nothing to compile yet: the compile pipeline has not landed (asked to compile {args.model})",
        hint="see the README's status section",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kcc", description="Neural-network compiler for the Kendryte K210")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    c = sub.add_parser("compile", help="compile a TFLite or ONNX model to a kmodel or C")
    c.add_argument("model", help="input model (.tflite or .onnx)")
    c.add_argument("-o", "--output", help="output file")
    c.add_argument("-t", "--target", default="k210", choices=["k210", "cpu"], help="target (default k210)")
    c.set_defaults(func=_cmd_compile)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KccError as e:
        print(f"kcc: error: {e}", file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":
    sys.exit(main())
