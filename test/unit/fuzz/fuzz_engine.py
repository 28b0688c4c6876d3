"""Seeded fuzzing of kcc's model readers: TFLite, ONNX, kmodel v3 and kmodel v4.

Each reader gets `cases` mutated inputs, made from valid seed models (the tiny zoo models of `bench.models`
and the real kmodel fixtures) by: truncation, bit flips, byte-range overwrites (random, 0x00, 0xFF), 32-bit
words overwritten with extreme values (0, 2^31, 2^32-1, the file length, ...), insertions/deletions, random
files (with and without the right magic), and structurally valid files whose size fields lie (a flatbuffer
vector length, an ONNX dims / raw_data / attribute, a kmodel count or body size of 2^31).

Every case must end in a successful import/parse or a one-line `KccError`. Anything else is a failure: another
exception, a case running longer than `CASE_SECONDS` (a SIGALRM timer interrupts it), or an allocation beyond
the address-space limit set around the run (`RLIMIT_AS` = what the process maps now + `MEMORY_HEADROOM`), which
turns an allocation from a lying size field into a `MemoryError`.

Case `i` of reader `r` with seed `s` is generated from `random.Random(f"{s}:{r}:{i}")` alone, so any case can
be replayed (`tools/fuzz.py --reader r --seed s --only i`).
"""

from __future__ import annotations

import contextlib
import functools
import random
import resource
import signal
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kcc.errors import KccError

FIXTURES = Path("/work/shared/fixtures/kmodel")
READERS = ("tflite", "onnx", "kmodel_v3", "kmodel_v4")
CASE_SECONDS = 5.0
MEMORY_HEADROOM = 1 << 30  # 1 GiB above what is mapped when the run starts

#: Values a lying 32-bit size / count / offset field takes.
EXTREME_U32 = (
    0,
    1,
    0x7F,
    0xFF,
    0xFFFF,
    0x10000,
    0x7FFFFFFF,
    0x80000000,
    0x80000001,
    0xFFFFFFFE,
    0xFFFFFFFF,
    0x40000000,
    0x3FFFFFFF,
)


class CaseTimeout(BaseException):
    """Raised by the per-case timer; a BaseException so that no reader's `except Exception` can swallow it."""


@dataclass
class Failure:
    reader: str
    index: int
    kind: str
    seed_name: str
    error: str
    data: bytes


@dataclass
class Report:
    reader: str
    cases: int = 0
    parsed: int = 0
    rejected: int = 0
    failures: list[Failure] = field(default_factory=list[Failure])
    slowest: tuple[float, int, str, str] = (0.0, -1, "", "")  # seconds, index, kind, seed
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict[str, int])

    def summary(self) -> str:
        s, i, k, seed = self.slowest
        return (
            f"{self.reader}: {self.cases} cases in {self.seconds:.1f} s: {self.parsed} parsed, {self.rejected} KccError, "
            f"{len(self.failures)} failures; slowest case #{i} ({k} of {seed}) {s * 1000:.0f} ms"
        )


# --------------------------------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    #: Byte positions of 32-bit size / count / length words (targets of the "lie" mutation).
    size_words: tuple[int, ...] = ()
    #: Byte ranges holding structure rather than bulk weights (mutations favour them).
    structure: tuple[tuple[int, int], ...] = ()
    proto: Any = None  # the parsed onnx.ModelProto of an ONNX seed
    #: How often this seed is picked relative to the others (small seeds more: their cases are cheap).
    weight: int = 1


def _zoo(fmt: str, names: tuple[str, ...]) -> list[tuple[str, bytes]]:
    from bench.models import MODELS

    out: list[tuple[str, bytes]] = []
    for name in names:
        m = MODELS[name].build(fmt, "tiny")
        out.append((f"{name}.tiny.{fmt}", m if isinstance(m, bytes) else m.SerializeToString()))
    return out


def _find_all(data: bytes, needle: bytes) -> Iterator[int]:
    start = 0
    while (pos := data.find(needle, start)) >= 0:
        yield pos
        start = pos + 1


def tflite_size_words(data: bytes) -> tuple[int, ...]:
    """Positions of the length words of the flatbuffer's int vectors (shapes, tensor lists) and buffers (each
    vector's length followed by its first elements, searched for in the file), of tensor shape dims, and of the
    counts of table vectors."""
    from kcc.frontends.tflite.reader import read_model

    model = read_model(data)
    vectors: set[bytes] = set()
    for sg in model.subgraphs:
        vecs: list[tuple[int, ...]] = [sg.inputs, sg.outputs]
        for t in sg.tensors:
            vecs.append(t.shape)
            if t.data is not None:
                raw = t.data.tobytes()
                vectors.add(struct.pack("<I", len(raw)) + raw[:8])
        for op in sg.operators:
            vecs += [op.inputs, op.outputs]
        for v in vecs:
            if v:
                vectors.add(struct.pack("<I", len(v)) + struct.pack(f"<{min(len(v), 4)}i", *v[:4]))
    words = {p for needle in vectors for p in _find_all(data, needle) if p % 4 == 0}
    # and the dimensions of every tensor shape (a dim of 2^31 is as much a lie as a length)
    for sg in model.subgraphs:
        for t in sg.tensors:
            if t.shape:
                needle = struct.pack("<I", len(t.shape)) + struct.pack(f"<{len(t.shape)}i", *t.shape)
                words.update(p + 4 + 4 * k for p in _find_all(data, needle) if p % 4 == 0 for k in range(len(t.shape)))
    # Table-of-tables vectors (buffers, subgraphs, tensors, operators, operator codes): a small count followed
    # by that many forward offsets that land inside the file.
    for p in range(8, len(data) - 8, 4):
        n = struct.unpack_from("<I", data, p)[0]
        if 1 <= n <= 64 and p + 4 + 4 * n <= len(data):
            offs = struct.unpack_from(f"<{n}I", data, p + 4)
            if all(0 < o < len(data) and p + 4 + 4 * k + o < len(data) for k, o in enumerate(offs)):
                words.add(p)
    return tuple(sorted(words))


def tflite_seeds(full: bool = False) -> list[Seed]:
    names = ("kws_dscnn", "unet", "mobilenet_v1", "blazeface") if full else ("kws_dscnn", "unet")
    raw = [("iris.tflite", (FIXTURES / "iris.tflite").read_bytes()), *_zoo("tflite", names)]
    seeds: list[Seed] = []
    for name, data in raw:
        words = tflite_size_words(data)
        # the flatbuffer's tables and vectors sit before / between the big buffers: favour the first 4 KiB
        weight = 4 if len(data) < 2048 else 2 if len(data) < 16384 else 1
        seeds.append(Seed(name, data, words, ((0, min(len(data), 4096)),), weight=weight))
    return seeds


def small_onnx() -> bytes:
    """A 1 KiB ONNX model (conv, batch norm, relu, pool, add, concat, reshape, gemm, softmax): the cheap seed."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def init(name: str, arr: Any) -> Any:
        return numpy_helper.from_array(np.asarray(arr), name)

    inits = [
        init("w", rng.standard_normal((4, 3, 3, 3)).astype(np.float32)),
        init("b", rng.standard_normal(4).astype(np.float32)),
        *(init(n, rng.uniform(0.5, 1.5, 4).astype(np.float32)) for n in ("scale", "bias", "mean", "var")),
        init("shape", np.array([1, -1], dtype=np.int64)),
        init("fc", rng.standard_normal((5, 32)).astype(np.float32)),
        init("fcb", rng.standard_normal(5).astype(np.float32)),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], strides=[1, 1], kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"], epsilon=1e-5),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("AveragePool", ["r"], ["q"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Add", ["p", "q"], ["s"]),
        helper.make_node("Concat", ["s", "p"], ["k"], axis=1),
        helper.make_node("MaxPool", ["k"], ["k2"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Reshape", ["k2", "shape"], ["f"]),
        helper.make_node("Gemm", ["f", "fc", "fcb"], ["g"], transB=1),
        helper.make_node("Softmax", ["g"], ["y"], axis=1),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])
    graph = helper.make_graph(nodes, "small", [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def onnx_seeds(full: bool = False) -> list[Seed]:
    import onnx

    names = ("kws_dscnn", "unet", "yolov2_tiny", "blazeface", "mobilenet_v2") if full else ("kws_dscnn", "unet")
    seeds: list[Seed] = []
    for name, data in [("small.onnx", small_onnx()), *_zoo("onnx", names)]:
        proto = onnx.ModelProto()
        proto.ParseFromString(data)
        weight = 4 if len(data) < 2048 else 2 if len(data) < 16384 else 1
        seeds.append(Seed(name, data, (), ((0, min(len(data), 4096)),), proto, weight=weight))
    return seeds


def kmodel_seeds(version: int) -> list[Seed]:
    from kcc.backends import read_kmodel

    files = sorted(FIXTURES.glob(f"*_v{version}.kmodel"))
    seeds: list[Seed] = []
    for f in files:
        data = f.read_bytes()
        model = read_kmodel(data)
        words: set[int] = set()
        structure: list[tuple[int, int]] = []
        if version == 3:
            body_start = model.body_start  # type: ignore[union-attr]
            layers = model.layers  # type: ignore[union-attr]
            words.update(range(12, 28, 4))  # layers_length, max_start_address, main_mem_usage, output_count
            words.update(range(28, body_start, 4))  # output table and layer heads (sizes, addresses)
            for layer in layers:
                words.update(range(layer.offset, min(layer.offset + 64, layer.offset + layer.body_size) - 3, 4))
                structure.append((layer.offset, min(layer.offset + 128, layer.offset + layer.body_size)))
        else:
            body_start = model.bodies_start  # type: ignore[union-attr]
            nodes = model.nodes  # type: ignore[union-attr]
            words.update(range(16, 40, 4))  # constants, main_mem, nodes, inputs, outputs
            words.update(range(40, min(body_start, 40 + 512), 4))
            words.update(range(body_start - 8 * len(nodes), body_start, 4))  # node heads
            for node in nodes:
                words.update(range(node.offset, min(node.offset + 128, node.offset + node.body_size) - 3, 4))
                structure.append((node.offset, min(node.offset + 160, node.offset + node.body_size)))
        structure.append((0, body_start))
        weight = 3 if len(data) < 16384 else 2 if len(data) < 1 << 20 else 1
        seeds.append(Seed(f.name, data, tuple(sorted(words)), tuple(structure), weight=weight))
    return seeds


# --------------------------------------------------------------------------------------------------- mutations


def _pos(rng: random.Random, seed: Seed, size: int) -> int:
    """A position for an `size`-byte edit: inside a structure range 3 times out of 4, else anywhere."""
    n = len(seed.data)
    if seed.structure and rng.random() < 0.75:
        lo, hi = rng.choice(seed.structure)
        return rng.randrange(lo, max(lo + 1, min(hi, n) - size + 1))
    return rng.randrange(0, max(1, n - size + 1))


def _u32(rng: random.Random, n: int) -> int:
    if rng.random() < 0.7:
        return rng.choice(EXTREME_U32)
    return rng.choice((n, n + 1, n - 1, n * 2, n // 2, rng.getrandbits(32), rng.getrandbits(16))) & 0xFFFFFFFF


def truncate(rng: random.Random, seed: Seed) -> bytes:
    n = len(seed.data)
    k = rng.randrange(0, min(n, 256)) if rng.random() < 0.3 else rng.randrange(0, n)
    return seed.data[:k]


def bit_flips(rng: random.Random, seed: Seed) -> bytes:
    data = bytearray(seed.data)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        p = _pos(rng, seed, 1)
        data[p] ^= 1 << rng.randrange(8)
    return bytes(data)


def overwrite(rng: random.Random, seed: Seed) -> bytes:
    data = bytearray(seed.data)
    size = rng.choice((1, 2, 4, 8, 16, 64))
    p = _pos(rng, seed, size)
    fill = rng.choice(("zero", "ff", "random", "7f"))
    if fill == "random":
        chunk = bytes(rng.getrandbits(8) for _ in range(size))
    else:
        chunk = {"zero": b"\0", "ff": b"\xff", "7f": b"\x7f"}[fill] * size
    data[p : p + size] = chunk[: len(data) - p]
    return bytes(data)


def word(rng: random.Random, seed: Seed) -> bytes:
    """A 4-aligned 32-bit word set to an extreme value (flatbuffers and kmodels are 4-aligned)."""
    data = bytearray(seed.data)
    if len(data) < 4:
        return bytes(data)
    p = _pos(rng, seed, 4) & ~3
    data[p : p + 4] = struct.pack("<I", _u32(rng, len(data)))
    return bytes(data)


def lie(rng: random.Random, seed: Seed) -> bytes:
    """A known size / count / length word set to an extreme value (e.g. 2^31)."""
    if not seed.size_words:
        return word(rng, seed)
    data = bytearray(seed.data)
    for _ in range(rng.choice((1, 1, 2))):
        p = rng.choice(seed.size_words)
        data[p : p + 4] = struct.pack("<I", _u32(rng, len(data)))
    return bytes(data)


def splice(rng: random.Random, seed: Seed) -> bytes:
    data = bytearray(seed.data)
    p = _pos(rng, seed, 1)
    if rng.random() < 0.5:
        del data[p : p + rng.choice((1, 3, 4, 16))]
    else:
        data[p:p] = bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 4, 7))))
    return bytes(data)


def random_file(rng: random.Random, seed: Seed, magic: Callable[[random.Random, bytearray], None] | None = None) -> bytes:
    n = rng.choice((0, 1, 3, 4, 7, 8, 12, 40, 100, 1000, rng.randrange(0, 4096)))
    data = bytearray(rng.getrandbits(8) for _ in range(n))
    if magic is not None and rng.random() < 0.7:
        magic(rng, data)
    return bytes(data)


def _tflite_magic(rng: random.Random, data: bytearray) -> None:
    if len(data) >= 8:
        data[4:8] = b"TFL3"
        data[0:4] = struct.pack("<I", rng.choice((8, 12, 16, 20, rng.randrange(0, len(data)))))


def _kmodel_magic(version: int) -> Callable[[random.Random, bytearray], None]:
    def magic(rng: random.Random, data: bytearray) -> None:
        if len(data) >= 4:
            data[0:4] = b"LDMK" if version == 4 else struct.pack("<I", 3)
        if version == 4 and len(data) >= 8:
            data[4:8] = struct.pack("<I", 4)
        if version == 3 and len(data) >= 12:
            data[4:12] = bytes(8)

    return magic


def onnx_lie(rng: random.Random, seed: Seed) -> bytes:
    """A structurally valid ModelProto with one field lying: initializer dims / raw_data / data_type, an input
    dimension, a node attribute, an opset version or a node's inputs."""
    import onnx
    from onnx import TensorProto

    m = onnx.ModelProto()
    m.CopyFrom(seed.proto)
    g = m.graph
    big = rng.choice((1 << 31, (1 << 31) - 1, 1 << 32, 1 << 40, (1 << 63) - 1, -1, -(1 << 31), 0))
    what = rng.choice(
        ("dims", "dims2", "raw", "dtype", "input_dim", "attr_int", "attr_ints", "opset", "node_io", "typed", "name")
    )
    inits = list(g.initializer)
    if what in ("dims", "dims2", "raw", "dtype", "typed") and inits:
        t = rng.choice(inits)
        if what == "dims" and t.dims:
            t.dims[rng.randrange(len(t.dims))] = big
        elif what == "dims2":
            del t.dims[:]
            t.dims.extend([big, big] if rng.random() < 0.5 else [big])
        elif what == "raw":
            raw = t.raw_data
            t.raw_data = raw[: rng.randrange(0, len(raw) + 1)] if rng.random() < 0.5 else raw + bytes(rng.randrange(1, 9))
        elif what == "dtype":
            t.data_type = rng.choice((0, 8, 13, 16, 17, 21, 22, 23, 999, -1 & 0x7FFFFFFF))
        else:  # typed data fields instead of raw_data, with the wrong count
            t.ClearField("raw_data")
            t.data_type = TensorProto.INT64
            t.int64_data.extend(rng.choice(([big], [1, 2, 3], [])))
    elif what == "input_dim" and g.input:
        vi = rng.choice(list(g.input))
        dims = vi.type.tensor_type.shape.dim
        if dims:
            d = dims[rng.randrange(len(dims))]
            if rng.random() < 0.8:
                d.dim_value = big
            else:
                d.dim_param = rng.choice(("N", "", "\0"))
    elif what in ("attr_int", "attr_ints") and g.node:
        node = rng.choice(list(g.node))
        if node.attribute:
            a = rng.choice(list(node.attribute))
            if a.ints:
                a.ints[rng.randrange(len(a.ints))] = big
            elif a.type == onnx.AttributeProto.INT:
                a.i = big
            elif a.type == onnx.AttributeProto.FLOAT:
                a.f = rng.choice((float("nan"), float("inf"), -1e38, 0.0))
    elif what == "name" and g.node:
        node = rng.choice(list(g.node))
        bad = rng.choice(("\n", "\r", "\0", "\u2028", "\x1b[2J"))
        if rng.random() < 0.5:
            node.name = "n" + bad + "x"
        elif node.output:
            old = node.output[0]
            node.output[0] = old + bad
            for other in g.node:
                for k, n in enumerate(other.input):
                    if n == old:
                        other.input[k] = old + bad
    elif what == "opset":
        m.opset_import[0].version = rng.choice((0, 1, 6, 22, 99, (1 << 62)))
    elif what == "node_io" and g.node:
        node = rng.choice(list(g.node))
        if node.input and rng.random() < 0.5:
            node.input[rng.randrange(len(node.input))] = rng.choice(("", "nope", node.output[0] if node.output else ""))
        elif node.input:
            node.input.append(rng.choice(list(node.input)))
        else:
            node.op_type = "Reshape"
    return m.SerializeToString()


Mutation = Callable[[random.Random, Seed], bytes]


def mutations(reader: str) -> list[tuple[str, Mutation, int]]:
    """(name, mutation, weight) for a reader."""
    common: list[tuple[str, Mutation, int]] = [
        ("truncate", truncate, 3),
        ("bitflip", bit_flips, 4),
        ("overwrite", overwrite, 3),
        ("word", word, 3),
        ("splice", splice, 2),
        ("lie", lie, 4),
    ]
    if reader == "tflite":
        return [*common, ("random", lambda r, s: random_file(r, s, _tflite_magic), 1)]
    if reader == "onnx":
        return [*common, ("random", lambda r, s: random_file(r, s), 1), ("onnx_lie", onnx_lie, 6)]
    version = 3 if reader == "kmodel_v3" else 4
    return [*common, ("random", lambda r, s: random_file(r, s, _kmodel_magic(version)), 1)]


# --------------------------------------------------------------------------------------------------- targets


def target(reader: str) -> Callable[[bytes], object]:
    """What a case runs: the reader's whole Python API path (the import for TFLite/ONNX; parse + `kcc inspect`'s
    text for kmodels)."""
    if reader == "tflite":
        from kcc.frontends.tflite import import_tflite

        return import_tflite
    if reader == "onnx":
        from kcc.frontends.onnx import import_onnx

        return import_onnx
    from kcc.backends import read_kmodel
    from kcc.sim.inspect import inspect_text

    def kmodel(data: bytes) -> object:
        return inspect_text(read_kmodel(data))

    return kmodel


@functools.cache
def seeds_for(reader: str, full: bool = False) -> list[Seed]:
    if reader == "tflite":
        return tflite_seeds(full)
    if reader == "onnx":
        return onnx_seeds(full)
    return kmodel_seeds(3 if reader == "kmodel_v3" else 4)


def make_case(reader: str, seeds: list[Seed], fuzz_seed: int, index: int) -> tuple[str, str, bytes]:
    """(mutation name, seed model name, input bytes) of case `index`."""
    rng = random.Random(f"{fuzz_seed}:{reader}:{index}")
    muts = mutations(reader)
    name, fn, _ = rng.choices(muts, weights=[w for _, _, w in muts])[0]
    seed = rng.choices(seeds, weights=[s.weight for s in seeds])[0]
    return name, seed.name, fn(rng, seed)


# --------------------------------------------------------------------------------------------------- limits


def _mapped_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextlib.contextmanager
def memory_limit(headroom: int = MEMORY_HEADROOM) -> Iterator[int]:
    """Cap the address space at what is mapped now + `headroom` (restored on exit); yields the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _mapped_bytes() + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with `CaseTimeout` after `seconds` (SIGALRM; main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the per-case timer needs the main thread")

    def on_alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"case ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------------------------------- running


def run_case(fn: Callable[[bytes], object], data: bytes, seconds: float = CASE_SECONDS) -> tuple[str, str]:
    """("parsed" | "rejected" | "failure", detail) of one input."""
    try:
        with time_limit(seconds):
            fn(data)
    except KccError as e:
        msg = str(e)
        if "\n" in msg or "\r" in msg or not msg:
            return "failure", f"KccError message is not one non-empty line: {msg!r}"
        cause: BaseException | None = e
        while cause is not None:  # a broad `except Exception` turning a MemoryError into a KccError still failed
            if isinstance(cause, MemoryError):
                return "failure", f"unbounded allocation: MemoryError under the address-space limit, re-raised as: {msg}"
            cause = cause.__cause__ or cause.__context__
        return "rejected", msg
    except CaseTimeout as e:
        return "failure", f"hang: {e}"
    except MemoryError:
        return "failure", "unbounded allocation: MemoryError under the address-space limit\n" + traceback.format_exc()
    except Exception as e:
        return "failure", f"{type(e).__name__}: {e}\n" + traceback.format_exc()
    return "parsed", ""


def run(
    reader: str,
    cases: int,
    fuzz_seed: int = 0,
    *,
    start: int = 0,
    full_seeds: bool = False,
    only: list[int] | None = None,
    seconds: float = CASE_SECONDS,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Run cases `start .. start + cases - 1` (or just `only`) of `reader` under the time and memory limits."""
    seeds = seeds_for(reader, full_seeds)
    fn = target(reader)
    report = Report(reader)
    indices = only if only is not None else list(range(start, start + cases))
    t0 = time.perf_counter()
    with memory_limit():
        for i in indices:
            kind, seed_name, data = make_case(reader, seeds, fuzz_seed, i)
            t = time.perf_counter()
            outcome, detail = run_case(fn, data, seconds)
            dt = time.perf_counter() - t
            report.cases += 1
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
            if dt > report.slowest[0]:
                report.slowest = (dt, i, kind, seed_name)
            if outcome == "parsed":
                report.parsed += 1
            elif outcome == "rejected":
                report.rejected += 1
            else:
                report.failures.append(Failure(reader, i, kind, seed_name, detail, data))
                if log:
                    log(f"FAIL {reader} #{i} ({kind} of {seed_name}): {detail.splitlines()[0]}")
    report.seconds = time.perf_counter() - t0
    return report
