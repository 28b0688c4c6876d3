#!/usr/bin/env bash
# The whole default test suite: lit (FileCheck tests of dialects and passes) then pytest (numerics).
# Slow end-to-end cases are marked `slow` and skipped here; run them with: pytest -m slow
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export PYTHONHASHSEED=0
lit -sv test/
python -m pytest -q -n 2 test/unit test/e2e
