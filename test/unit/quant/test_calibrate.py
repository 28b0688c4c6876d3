"""The calibrate pass and kcc.quant.calibration.calibrate: ranges on the IR, the cache, a legalized MobileNet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter, PythonValues
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.utils.arg_spec import parse_pipeline

import kcc.quant.calibration as calibration
from kcc.context import kcc_context
from kcc.errors import KccError
from kcc.interp.runner import entry_function, make_interpreter
from kcc.quant.cache import CalibrationCache, cache_key
from kcc.quant.calibration import calibrate, observed_ops
from kcc.quant.ranges import get_arg_minmax, get_arg_range, get_minmax, get_ranges
from kcc.universe import KCC_PASSES

CTX = kcc_context()

PROGRAM = """
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %c = nn.const dense<[[[[2.0]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %m = nn.mul %x, %c : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %m : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}
"""


def _module(text: str = PROGRAM) -> ModuleOp:
    return Parser(CTX, text).parse_module()


def _samples(n: int = 3, seed: int = 0) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal((1, 2, 4, 4)).astype(np.float32)] for _ in range(n)]


def _ops(module: ModuleOp) -> dict[str, Operation]:
    return {op.name: op for op in observed_ops(module)}


def test_no_clip_ranges_are_the_min_max() -> None:
    module = _module()
    samples = _samples()
    calibrate(module, samples, "no_clip")
    xs = np.stack([s[0] for s in samples])
    m = xs * np.array([2.0, -1.0], np.float32).reshape(1, 2, 1, 1)
    ops = _ops(module)
    assert "nn.const" not in ops
    assert get_ranges(ops["nn.mul"]) == [(float(m.min()), float(m.max()))]
    assert get_ranges(ops["nn.relu"]) == [(0.0, float(m.max()))]
    f = entry_function(module)
    assert get_arg_range(f, 0) == get_arg_minmax(f, 0) == (float(xs.min()), float(xs.max()))
    module.verify()


@pytest.mark.parametrize("method", ["l2", "kld"])
def test_clipping_methods_stay_inside_min_max(method: str) -> None:
    module = _module()
    calibrate(module, _samples(8), method)
    for op in observed_ops(module):
        (lo, hi), (mlo, mhi) = get_ranges(op)[0], get_minmax(op)[0]  # pyright: ignore[reportOptionalSubscript]
        assert mlo <= lo <= 0.0 <= hi <= mhi


def test_cache_hit_skips_the_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    real = calibration._run_one  # pyright: ignore[reportPrivateUsage]

    def counting(*args: Any) -> None:
        runs.append(1)
        real(*args)

    monkeypatch.setattr(calibration, "_run_one", counting)
    cache = CalibrationCache(tmp_path / "cache")
    key = cache_key(str(_module()), "dataset-fingerprint", "l2")
    first = _module()
    calibrate(first, _samples(), "l2", cache=cache, key=key)
    assert len(runs) == 3 and len(list((tmp_path / "cache").glob("*.json"))) == 1

    def no_samples() -> Any:
        raise AssertionError("a cache hit must not read the dataset")
        yield

    second = _module()
    calibrate(second, no_samples(), "l2", cache=cache, key=key)
    assert len(runs) == 3  # no interpreter run
    assert str(second) == str(first)
    other = _module()
    calibrate(other, _samples(), "kld", cache=cache, key=cache_key(str(_module()), "dataset-fingerprint", "kld"))
    assert len(runs) == 6  # another method: another key


def test_pass_reads_a_raw_dataset_and_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    samples = _samples(2)
    for i, (x,) in enumerate(samples):
        np.save(data / f"{i}.npy", x)
    runs: list[int] = []
    real = calibration._run_one  # pyright: ignore[reportPrivateUsage]
    monkeypatch.setattr(calibration, "_run_one", lambda *a: (runs.append(1), real(*a))[1])  # pyright: ignore[reportUnknownLambdaType]
    from xdsl.passes import PassPipeline

    spec = f'calibrate{{dataset="{data}" dataset-format=raw method=no_clip cache="{tmp_path / "c"}" progress=false}}'
    pipeline = PassPipeline.parse_spec(
        {"calibrate": lambda: KCC_PASSES["calibrate"]()},
        spec,  # pyright: ignore[reportArgumentType]
    )
    outs = []
    for _ in range(2):
        module = _module()
        pipeline.apply(CTX, module)
        outs.append(str(module))
    assert len(runs) == 2 and outs[0] == outs[1]
    expect = _module()
    calibrate(expect, samples, "no_clip")
    assert outs[0] == str(expect)


def test_pass_options() -> None:
    cls = KCC_PASSES["calibrate"]()
    spec = next(iter(parse_pipeline("calibrate{input-mean=0.5,0.25,0.125 input-std=2 method=kld}")))
    p = cls.from_pass_spec(spec)  # pyright: ignore[reportAttributeAccessIssue]
    assert p.input_mean == (0.5, 0.25, 0.125) and tuple(p.input_std) == (2,) and p.method == "kld"


def test_errors() -> None:
    with pytest.raises(KccError, match="calibration dataset is empty"):
        calibrate(_module(), [], "no_clip")
    with pytest.raises(KccError, match=r"input #0: shape 1x2x2x2 does not match the model input 1x2x4x4"):
        calibrate(_module(), [[np.zeros((1, 2, 2, 2), np.float32)]], "no_clip")


class _Capture(Interpreter.Listener):
    def __init__(self) -> None:
        self.seen: dict[Operation, list[tuple[float, float]]] = {}

    def did_interpret_op(self, op: Operation, results: PythonValues) -> None:
        if op.name == "kpu.fake_conv2d":
            r = np.asarray(results[0])
            lo, hi = self.seen.get(op, [(np.inf, -np.inf)])[0]
            self.seen[op] = [(min(lo, float(r.min())), max(hi, float(r.max())))]


def test_legalized_mobilenet_every_fake_conv_has_a_range(tmp_path: Path) -> None:
    from bench.models import MODELS
    from kcc.frontends import import_model
    from kcc.passes.kpu_legalize import legalize

    path = tmp_path / "m.onnx"
    onnx.save(MODELS["mobilenet_v1"].build("onnx", "tiny"), str(path))
    module = import_model(path)
    for p in ("fold-constants", "fold-transposes", "fuse-conv"):
        KCC_PASSES[p]()().apply(CTX, module)
    legalize(module)
    rng = np.random.default_rng(0)
    shape = MODELS["mobilenet_v1"].input_shape("onnx", "tiny")
    samples = [[rng.standard_normal(shape).astype(np.float32)] for _ in range(2)]
    calibrate(module, samples, "no_clip")
    module.verify()
    convs = [op for op in module.walk() if op.name == "kpu.fake_conv2d"]
    assert len(convs) >= 20
    capture = _Capture()
    interp = make_interpreter(module)
    interp.listeners = (capture,)
    f = entry_function(module)
    for (x,) in samples:
        interp.call_op(f.sym_name.data, (x,))
    for op in convs:
        ranges = get_ranges(op)
        assert ranges is not None and len(ranges) == 1
        (lo, hi), (slo, shi) = ranges[0], capture.seen[op][0]
        assert lo == slo and hi == shi  # no_clip: exactly the observed extremes
    for op in f.body.walk():
        if op.name != "nn.const" and op.results:
            assert get_ranges(op) is not None, op.name
