"""End-to-end check of the KPU model on a real file: the 16 KPU layers of nncase v0.1's YOLO (spec §0.2 #1,
fixtures README ground truth 2) run through run_layer on simulated KPU RAM, registers/weights/tables read
straight from the kmodel v3 file. Decoding must find bicycle 0.967 / 0.929, car 0.747 / 0.502, dog 0.595."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from voc import VOC_CLASSES as CLASSES

from kcc.k210.kpu_layer import run_layer
from kcc.k210.kpu_ram import download, new_ram, upload
from kcc.k210.layer_argument import LayerArgument
from kcc.k210.tables import ActivationTable, BatchNormTable

FIX = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel"


def test_yolo_v3_kpu_layers_find_the_dog_picture_objects() -> None:
    model, image = FIX / "nncase01_yolo20_v3.kmodel", FIX / "dog_320x240_chw_u8.bin"
    assert model.exists() and image.exists(), f"fixtures missing in {FIX} (../shared must sit beside the repo)"
    b = model.read_bytes()
    _, flags, _, n_layers, _, _, n_out = struct.unpack_from("<7I", b, 0)
    assert flags & 1  # 8-bit weights
    off = 28 + 8 * n_out
    headers = [struct.unpack_from("<2I", b, off + 8 * i) for i in range(n_layers)]
    pos = off + 8 * n_layers
    ram = new_ram()
    x = np.frombuffer(image.read_bytes(), np.uint8).reshape(3, 240, 320)
    last: LayerArgument | None = None
    dequant: tuple[int, ...] | None = None
    for i, (typ, size) in enumerate(headers):
        if typ == 10240:
            _, _, lo, wo, bo, ao = struct.unpack_from("<6I", b, pos)
            arg = LayerArgument.decode(b[lo : lo + 96])
            if i == 0:
                upload(ram, arg.image_src_addr, x)
            w = np.frombuffer(b, np.uint8, arg.weight_count, wo)
            bn = BatchNormTable.decode(b[bo : bo + 8 * arg.out_channels], arg.out_channels)
            act = ActivationTable.decode(b[ao : ao + 144])
            run_layer(ram, arg, w, bn, act)
            last = arg
        elif typ == 24:
            dequant = struct.unpack_from("<5I", b, pos)
            assert last is not None
            ch = dequant[3]
            sb = np.frombuffer(b, np.float32, 2 * ch, pos + 20).reshape(ch, 2)
            q = download(ram, last.image_dst_addr, last.out_channels, last.out_height, last.out_width)
            out = q.astype(np.float32) * sb[:, 0, None, None] + sb[:, 1, None, None]
        pos += size
    assert dequant is not None
    out = out.reshape(5, 25, 7, 10).astype(np.float64)
    found: list[tuple[float, str]] = []
    for a in range(5):
        obj = 1 / (1 + np.exp(-out[a, 4]))
        cls = np.exp(out[a, 5:] - out[a, 5:].max(axis=0))
        cls /= cls.sum(axis=0)
        score = obj * cls.max(axis=0)
        for gy, gx in zip(*np.nonzero(score > 0.5), strict=True):
            found.append((round(float(score[gy, gx]), 3), CLASSES[int(cls[:, gy, gx].argmax())]))
    found.sort(reverse=True)
    names = [n for _, n in found]
    assert names == ["bicycle", "bicycle", "car", "dog", "car"], found
    assert [s for s, _ in found] == pytest.approx([0.967, 0.929, 0.747, 0.595, 0.502], abs=1.5e-3), found
