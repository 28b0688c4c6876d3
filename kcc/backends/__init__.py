"""Target formats: kmodel v3 / v4 readers (writers and the C backend land here too)."""

from __future__ import annotations

from pathlib import Path

from kcc.backends.kmodel_v3.format import KModelV3
from kcc.backends.kmodel_v3.reader import read_kmodel_v3
from kcc.backends.kmodel_v4.format import MAGIC, KModelV4
from kcc.backends.kmodel_v4.reader import read_kmodel_v4
from kcc.errors import KccError

KModel = KModelV3 | KModelV4

__all__ = ["KModel", "KModelV3", "KModelV4", "load_kmodel", "read_kmodel"]


def read_kmodel(data: bytes) -> KModelV3 | KModelV4:
    """Parse a kmodel of either version, told apart like the SDK loader does (word 0 == 3, or 'KMDL')."""
    if len(data) < 4:
        raise KccError(f"file is {len(data)} bytes, too short for a kmodel header", op="kmodel")
    word0 = int.from_bytes(data[:4], "little")
    if word0 == MAGIC:
        return read_kmodel_v4(data)
    if word0 == 3:
        return read_kmodel_v3(data)
    raise KccError(
        f"first word {word0:#x} is neither 3 (kmodel v3) nor 'KMDL' (kmodel v4)",
        op="kmodel",
        hint="version 1 files of the old model compiler are not supported",
    )


def load_kmodel(path: str | Path) -> KModelV3 | KModelV4:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise KccError(f"cannot read {path}: {e.strerror}", op="kmodel") from None
    return read_kmodel(data)
