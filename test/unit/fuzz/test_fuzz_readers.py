"""Seeded fuzzing of the TFLite, ONNX, kmodel v3 and kmodel v4 readers (2,000 cases each, seed 0).

Every case must end in a successful import/parse or a one-line KccError; no other exception, no case over
`CASE_SECONDS`, no allocation past the address-space cap. Longer runs: `python tools/fuzz.py --cases N --seed S`.
The harness's own failure detection is tested too (a fuzz test that cannot fail proves nothing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fuzz_engine as fe

from kcc.errors import KccError

CASES_PER_READER = 2000
CHUNKS = 4  # per reader, so that pytest-xdist can spread a reader over both cores
CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("reader", fe.READERS)
def test_fuzz_reader(reader: str, chunk: int) -> None:
    size = CASES_PER_READER // CHUNKS
    report = fe.run(reader, size, 0, start=chunk * size)
    print(report.summary())
    assert report.cases == size
    # every mutation kind ran, and both outcomes occur (the cases reach past the first checks)
    assert set(report.kinds) == {name for name, _, _ in fe.mutations(reader)}
    assert report.parsed > 0 and report.rejected > 0
    details = "\n".join(
        f"case #{f.index} ({f.kind} of {f.seed_name}); replay: python tools/fuzz.py --reader {reader} --seed 0 --only {f.index}"
        f"\n{f.error}"
        for f in report.failures[:5]
    )
    assert not report.failures, f"{len(report.failures)} failing case(s):\n{details}"
    assert report.slowest[0] < fe.CASE_SECONDS


def test_cases_are_reproducible() -> None:
    seeds = fe.seeds_for("kmodel_v4")
    a = [fe.make_case("kmodel_v4", seeds, 3, i) for i in range(50)]
    b = [fe.make_case("kmodel_v4", seeds, 3, i) for i in range(50)]
    assert a == b
    assert len({data for _, _, data in a}) > 40


def test_lies_hit_size_fields() -> None:
    """The structure-aware mutation has targets: TFLite vector lengths are found in every seed."""
    for seed in fe.seeds_for("tflite"):
        assert len(seed.size_words) >= 10, seed.name


# ------------------------------------------------------------------------------------ the harness can fail


def _raise_value_error(data: bytes) -> None:
    raise ValueError("not a KccError")


def _two_line_error(data: bytes) -> None:
    raise KccError("first line\nsecond line")


def _hang(data: bytes) -> None:
    while True:
        pass


def _huge_allocation(data: bytes) -> None:
    bytearray(16 << 30)  # what a reader trusting a lying 2^34 size would do


def test_harness_flags_other_exceptions_and_multiline_errors() -> None:
    assert fe.run_case(_raise_value_error, b"")[0] == "failure"
    assert fe.run_case(_two_line_error, b"")[0] == "failure"
    assert fe.run_case(lambda d: None, b"") == ("parsed", "")
    assert fe.run_case(lambda d: (_ for _ in ()).throw(KccError("bad")), b"") == ("rejected", "bad")


def test_harness_flags_a_hang() -> None:
    outcome, detail = fe.run_case(_hang, b"", seconds=0.2)
    assert outcome == "failure" and detail.startswith("hang")


def _huge_allocation_caught(data: bytes) -> None:
    try:
        _huge_allocation(data)
    except Exception as e:
        raise KccError(f"could not do it: {type(e).__name__}") from None


def test_harness_flags_an_unbounded_allocation() -> None:
    with fe.memory_limit():
        outcome, detail = fe.run_case(_huge_allocation, b"")
        outcome2, detail2 = fe.run_case(_huge_allocation_caught, b"")
    assert outcome == "failure" and detail.startswith("unbounded allocation")
    assert outcome2 == "failure" and detail2.startswith("unbounded allocation")


def test_onnx_constant_folding_does_not_allocate_what_a_tiny_model_asks() -> None:
    """101 bytes of ONNX asking ConstantOfShape for 2^31 floats (8 GiB): must be refused before allocating."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    shape = numpy_helper.from_array(np.array([1 << 31], dtype=np.int64), "s")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    nodes = [helper.make_node("ConstantOfShape", ["s"], ["c"]), helper.make_node("Add", ["x", "c"], ["y"])]
    model = helper.make_model(helper.make_graph(nodes, "g", [x], [y], [shape]), opset_imports=[helper.make_opsetid("", 13)])
    with fe.memory_limit(256 << 20):
        outcome, detail = fe.run_case(fe.target("onnx"), model.SerializeToString())
    assert outcome == "rejected", detail


# ------------------------------------------------------------------------------------ regression corpus


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".tflite", ".onnx", ".kmodel"))


def test_corpus_is_present() -> None:
    assert len(_corpus()) >= 1


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_corpus_case_is_a_clean_error(path: Path) -> None:
    """Inputs that once crashed a reader: each must now be a one-line KccError."""
    reader = {".tflite": "tflite", ".onnx": "onnx"}.get(path.suffix) or ("kmodel_v4" if "v4" in path.name else "kmodel_v3")
    with fe.memory_limit():
        outcome, detail = fe.run_case(fe.target(reader), path.read_bytes())
    assert outcome == "rejected", detail
