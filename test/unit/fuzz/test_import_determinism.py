"""`kcc import` is deterministic: byte-identical MLIR for the same model across runs and across PYTHONHASHSEED
values (separate processes, so that hash randomization and dict/set order really differ)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.models import MODELS


def test_import_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    models = {
        "unet.tflite": MODELS["unet"].build("tflite", "tiny"),
        "kws.onnx": MODELS["kws_dscnn"].build("onnx", "tiny").SerializeToString(),
    }
    runs: list[tuple[str, str, Path, subprocess.Popen[str]]] = []
    for name, data in models.items():
        (tmp_path / name).write_bytes(data)
        for hash_seed in ("0", "1"):
            out = tmp_path / f"{name}.{hash_seed}.mlir"
            env = {**os.environ, "PYTHONHASHSEED": hash_seed}
            cmd = [sys.executable, "-m", "kcc.tools.kcc", "import", str(tmp_path / name), "-o", str(out)]
            runs.append((name, hash_seed, out, subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)))
    texts: dict[str, set[bytes]] = {}
    for name, hash_seed, out, p in runs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, (name, hash_seed, err)
        texts.setdefault(name, set()).add(out.read_bytes())
    for name, outputs in texts.items():
        assert len(outputs) == 1, f"{name}: kcc import output differs between PYTHONHASHSEED values"
        text = next(iter(outputs))
        assert b"func.func @main" in text and b"nn." in text
