#!/usr/bin/env python3
"""Fuzz kcc's model readers (TFLite, ONNX, kmodel v3/v4) with seeded mutations of valid models.

    python tools/fuzz.py --cases 20000 --seed 7                 # every reader, 20000 cases each
    python tools/fuzz.py --reader onnx --seed 7 --only 1234     # replay one case
    python tools/fuzz.py --cases 5000 --full-seeds --save /tmp/crashes

The default CI run (`test/unit/fuzz/test_fuzz_readers.py`) runs 2,000 cases per reader with seed 0; this script
runs more, with larger seed models (`--full-seeds`), and saves each failing input to `--save`. Exit code 1 when
any case failed (an exception other than KccError, a hang or an unbounded allocation), else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "test" / "unit" / "fuzz"))

import fuzz_engine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="fuzz.py", description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=2000, help="cases per reader (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="fuzz seed (default 0)")
    p.add_argument("--start", type=int, default=0, help="first case index (default 0)")
    p.add_argument("--reader", action="append", choices=fuzz_engine.READERS, help="reader(s) to fuzz (default: all)")
    p.add_argument("--only", type=int, action="append", help="run just this case index (repeatable)")
    p.add_argument("--full-seeds", action="store_true", help="also mutate the larger zoo models")
    p.add_argument("--timeout", type=float, default=fuzz_engine.CASE_SECONDS, help="seconds per case")
    p.add_argument("--save", type=Path, help="directory for failing inputs (<reader>-s<seed>-<index>.bin)")
    args = p.parse_args(argv)
    failed = 0
    for reader in args.reader or fuzz_engine.READERS:
        report = fuzz_engine.run(
            reader,
            args.cases,
            args.seed,
            start=args.start,
            full_seeds=args.full_seeds,
            only=args.only,
            seconds=args.timeout,
            log=lambda m: print(m, flush=True),
        )
        print(report.summary(), flush=True)
        print("  mutations: " + ", ".join(f"{k} {n}" for k, n in sorted(report.kinds.items())), flush=True)
        failed += len(report.failures)
        for f in report.failures:
            print(f"--- {reader} #{f.index} ({f.kind} of {f.seed_name})\n{f.error}")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{reader}-s{args.seed}-{f.index}.bin").write_bytes(f.data)
    print(f"{failed} failing case(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
