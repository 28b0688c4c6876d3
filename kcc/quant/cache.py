"""The calibration cache: chosen ranges stored as JSON, keyed by what determines them.

    key = cache_key(module_text, dataset.fingerprint(), method, extra={...})
    cache = CalibrationCache(Path("~/.cache/kcc/calibration").expanduser())

The key is the sha256 of the module text before calibration, the dataset fingerprint (file names, sizes and
contents plus the preprocessing: kcc.quant.dataset.Dataset.fingerprint), the method and any extra options, so
a changed model, file, mean/std or method misses. A record is one JSON file `<key>.json` (floats round-trip
exactly), written atomically (temp file + rename); an unreadable or mismatching file is ignored (a miss).
`default_cache_dir()` is `$XDG_CACHE_HOME/kcc/calibration`, else `~/.cache/kcc/calibration`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kcc.quant.ranges import Range

FORMAT_VERSION = 1


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "kcc" / "calibration"


def cache_key(module_text: str, dataset_fingerprint: str, method: str, extra: Mapping[str, Any] | None = None) -> str:
    h = hashlib.sha256()
    h.update(f"kcc-calibration-v{FORMAT_VERSION}\0{method}\0{dataset_fingerprint}\0".encode())
    h.update(json.dumps(dict(extra or {}), sort_keys=True).encode())
    h.update(b"\0")
    h.update(module_text.encode())
    return h.hexdigest()


@dataclass
class OpRecord:
    op: str  # the op name, checked when the record is applied
    ranges: list[Range]
    minmax: list[Range]


@dataclass
class CalibrationRecord:
    """Chosen and observed ranges of the entry function's arguments (None: not float / not seen) and of its
    observed ops in walk order (kcc.quant.calibration.observed_ops)."""

    method: str
    args: list[tuple[Range, Range] | None]
    ops: list[OpRecord | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "method": self.method,
            "args": [None if a is None else {"range": list(a[0]), "minmax": list(a[1])} for a in self.args],
            "ops": [
                None if o is None else {"op": o.op, "ranges": [list(r) for r in o.ranges], "minmax": [list(r) for r in o.minmax]}
                for o in self.ops
            ],
        }

    @staticmethod
    def from_json(data: Any) -> CalibrationRecord | None:
        try:
            if data["version"] != FORMAT_VERSION:
                return None

            def rng(x: Any) -> Range:
                lo, hi = x
                return float(lo), float(hi)

            args: list[tuple[Range, Range] | None] = [
                None if a is None else (rng(a["range"]), rng(a["minmax"])) for a in data["args"]
            ]
            ops: list[OpRecord | None] = [
                None if o is None else OpRecord(str(o["op"]), [rng(r) for r in o["ranges"]], [rng(r) for r in o["minmax"]])
                for o in data["ops"]
            ]
            return CalibrationRecord(str(data["method"]), args, ops)
        except (KeyError, TypeError, ValueError):
            return None


class CalibrationCache:
    """A directory of calibration records."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> CalibrationRecord | None:
        try:
            data = json.loads(self.path(key).read_text())
        except (OSError, ValueError):
            return None
        return CalibrationRecord.from_json(data)

    def store(self, key: str, record: CalibrationRecord) -> None:
        """Write the record atomically; a cache that cannot be written is skipped silently (it is only a cache)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.directory)
            with os.fdopen(fd, "w") as out:
                json.dump(record.to_json(), out, sort_keys=True)
                out.write("\n")
            os.replace(tmp, self.path(key))
        except OSError:
            return
