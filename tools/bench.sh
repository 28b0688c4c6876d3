#!/usr/bin/env bash
# Run every kcc benchmark and record the table in docs/benchmarks.md (issue 9: under 10 minutes on 2 cores).
# Extra arguments go to `python -m bench` (e.g. --only compile, or drop the recording with --no-write).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
if [[ "${1:-}" == "--no-write" ]]; then
  shift
  exec python -m bench "$@"
fi
exec python -m bench --write "$@"
