#!/usr/bin/env bash
# The main job: set up, then compile the bundled example model to a kmodel and print its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
. .venv/bin/activate
mkdir -p out
kcc compile -t k210 examples/mobilenet_tiny.tflite --dataset examples/calib -o out/mobilenet_tiny.kmodel --report
