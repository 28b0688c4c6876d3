"""v4 CPU kernels of the simulator on hand-built node bodies (ops the fixtures do not contain)."""

import numpy as np

from kcc.backends.kmodel_v4 import format as f4
from kcc.sim.memory import MemoryMap
from kcc.sim.v4 import V4_KPU_OPTIONS, _run

MAIN, F32, U8 = 1, 0, 1
NONE = f4.ValueRange(-3.4e38, 3.4e38)


def mr(start: int, nbytes: int, dt: int = F32) -> f4.MemoryRange:
    return f4.MemoryRange(MAIN, dt, start, nbytes)


def run(mem: MemoryMap, body: f4.Body) -> None:
    _run(mem, body, V4_KPU_OPTIONS)


def test_float_conv2d_matches_direct_sum() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 5, 6)).astype(np.float32)
    w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    mem = MemoryMap(4096)
    mem.write("main", 0, x, "f32")
    win = f4.Window2d(3, 3, 2, 1, 1, 1)
    body = f4.Conv2dBody(mr(0, x.nbytes), mr(1024, 4 * 4 * 3 * 6), (1, 2, 5, 6), 1, 4, f4.Padding(1, 1), f4.Padding(1, 1),
                         win, f4.ValueRange(-1.0, 1.0), w.reshape(-1), b)  # fmt: skip
    run(mem, body)
    y = mem.read("main", 1024, 4 * 3 * 6, "f32").reshape(4, 3, 6)
    xp = np.pad(x[0].astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    ref = np.zeros((4, 3, 6))
    for o in range(4):
        for i in range(3):
            for j in range(6):
                ref[o, i, j] = (xp[:, 2 * i : 2 * i + 3, j : j + 3] * w[o]).sum() + b[o]
    assert np.abs(y - np.clip(ref, -1, 1)).max() < 1e-5


def test_quantized_conv2d_integer_exact() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (1, 3, 4, 4)).astype(np.uint8)
    w = rng.integers(0, 256, (2, 3, 1, 1)).astype(np.uint8)
    bias = np.array([100, -50], dtype=np.int32)
    mem = MemoryMap(1024)
    mem.write("main", 0, x, "u8")
    body = f4.QuantizedConv2dBody(mr(0, 48, U8), mr(512, 32, U8), (1, 3, 4, 4), 1, 2, f4.Padding(0, 0), f4.Padding(0, 0),
                                  f4.Window2d(1, 1, 1, 1, 1, 1), -7, -120, 3, 10, 5, bias, w.reshape(-1))  # fmt: skip
    run(mem, body)
    y = mem.read("main", 512, 32, "u8").reshape(2, 4, 4)
    acc = np.einsum("chw,oc->ohw", x[0].astype(np.int64) - 7, w[:, :, 0, 0].astype(np.int64) - 120) + bias[:, None, None]
    ref = np.clip(((acc * 3 + (1 << 9)) >> 10) + 5, 0, 255)
    assert np.array_equal(y, ref)


def test_binary_broadcast_reduce_transpose_slice_pad() -> None:
    mem = MemoryMap(4096)
    a = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
    c = np.array([10, 20], dtype=np.float32).reshape(1, 2, 1, 1)
    mem.write("main", 0, a, "f32")
    mem.write("main", 96, c, "f32")
    run(mem, f4.BinaryBody(mr(0, 96), mr(96, 8), mr(128, 96), 2, (1, 2, 3, 4), (1, 2, 1, 1), (1, 2, 3, 4), NONE))
    assert np.array_equal(mem.read("main", 128, 24, "f32").reshape(a.shape), a * c)
    run(mem, f4.ReduceBody(mr(0, 96), mr(256, 8), 0, (1, 2, 3, 4), (1, 2, 1, 1), 0.0))
    assert np.allclose(mem.read("main", 256, 2, "f32"), a.mean(axis=(2, 3)).reshape(-1))
    run(mem, f4.TransposeBody(mr(0, 96), mr(512, 96), (1, 2, 3, 4), (0, 2, 3, 1)))
    assert np.array_equal(mem.read("main", 512, 24, "f32"), a.transpose(0, 2, 3, 1).reshape(-1))
    run(mem, f4.StridedSliceBody(mr(0, 96), mr(1024, 96), (1, 2, 3, 4), (0, 1, 0, 3), (1, 2, 3, 0), (1, 1, 2, -2),
                                 0, 0, 0, 0, 0))  # fmt: skip
    assert np.array_equal(mem.read("main", 1024, 4, "f32"), a[:, 1:2, 0:3:2, 3:0:-2].reshape(-1))
    pads = (f4.Padding(0, 0), f4.Padding(0, 0), f4.Padding(1, 0), f4.Padding(-1, 1))
    run(mem, f4.PadBody(mr(0, 96), mr(2048, 2 * 4 * 4 * 4), (1, 2, 3, 4), pads, 0, bytes(4)))
    ref = np.pad(a[:, :, :, 1:], ((0, 0), (0, 0), (1, 0), (0, 1)))
    assert np.array_equal(mem.read("main", 2048, 32, "f32"), ref.reshape(-1))


def test_nnil_leaky_relu_and_table_lookup_and_quantized_add() -> None:
    mem = MemoryMap(2048)
    x = np.array([-2.0, -0.5, 0.0, 3.0], dtype=np.float32)
    mem.write("main", 0, x, "f32")
    code = bytes([0x03, 0x03, 0x06]) + np.float32(0.1).tobytes() + bytes([0x42, 0x45, 0xA0, 0, 0])
    from kcc.backends.kmodel_v4.reader import _R, _nnil

    prog = _nnil(code, _R(code, 0, len(code), "nnil"))
    assert [i.name for i in prog] == ["lda_0", "lda_0", "ldc_r4", "mul", "max", "ret"]
    run(mem, f4.NnilUnaryBody(mr(0, 16), mr(64, 16), prog, code))
    assert np.array_equal(mem.read("main", 64, 4, "f32"), np.maximum(x, x * np.float32(0.1)))
    table = np.arange(256, dtype=np.uint8)[::-1].copy()
    mem.write("main", 256, table, "u8")
    mem.write("main", 600, np.array([0, 5, 255], dtype=np.uint8), "u8")
    run(mem, f4.TableLookupBody(mr(600, 3, U8), mr(256, 256, U8), mr(700, 3, U8)))
    assert list(mem.read("main", 700, 3, "u8")) == [255, 250, 0]
    mem.write("main", 800, np.array([10, 200], dtype=np.uint8), "u8")
    mem.write("main", 810, np.array([20, 100], dtype=np.uint8), "u8")
    shp = (1, 1, 1, 2)
    run(mem, f4.QuantizedBinaryBody(mr(800, 2, U8), mr(810, 2, U8), mr(820, 2, U8), 0, shp, shp, shp,
                                    0, 1, 0, 0, 1, 0, 0, 1, 1))  # fmt: skip
    assert list(mem.read("main", 820, 2, "u8")) == [15, 150]
