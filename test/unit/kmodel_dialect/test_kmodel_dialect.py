"""The kmodel dialect against the real kmodel files: file -> dialect -> file is byte-exact, the printed
module parses back, and running the dialect module equals running the file (and `kcc infer`)."""

from pathlib import Path

import numpy as np
import pytest
from small_programs import v3_program, v4_program

from kcc.backends import load_kmodel, read_kmodel
from kcc.backends.kmodel_dialect import find_program, model_to_module, module_to_model, program_to_bytes
from kcc.context import parse_module
from kcc.errors import KccError
from kcc.interp.kmodel import run_program
from kcc.sim import simulate
from kcc.tools.kcc import main, module_text

FIX = (Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "kmodel").resolve()
assert FIX.is_dir(), f"kmodel fixtures not found at {FIX} (../shared must sit beside the repo)"
KMODELS = sorted(p.name for p in FIX.glob("*.kmodel"))


def test_all_fixtures_found() -> None:
    assert len(KMODELS) == 5


@pytest.mark.parametrize("name", KMODELS)
def test_file_dialect_file_is_exact(name: str) -> None:
    data = (FIX / name).read_bytes()
    model = read_kmodel(data)
    module = model_to_module(model)
    module.verify()
    assert program_to_bytes(find_program(module)) == data
    assert module_to_model(module) == model


@pytest.mark.parametrize("name", KMODELS)
def test_printed_module_parses_back(name: str) -> None:
    data = (FIX / name).read_bytes()
    text = module_text(model_to_module(read_kmodel(data)))
    parsed = parse_module(text)
    assert module_text(parsed) == text
    assert program_to_bytes(find_program(parsed)) == data


def test_v3_run_equals_file_and_board() -> None:
    model = load_kmodel(FIX / "maixemc_cifar10_v3.kmodel")
    x = np.fromfile(FIX / "maixemc_cifar10_input_chw_3x32x32.bin", dtype=np.uint8).reshape(3, 32, 32)
    (got,) = run_program(model_to_module(model), [x])
    (want,) = simulate(model, [x]).outputs
    np.testing.assert_array_equal(got, want)
    board = [1.181304, -5.381746, 1.580029, 0.045343, 0.511492, -0.656629, -3.597826, 0.561016, -0.733270, -3.771462]
    np.testing.assert_allclose(got, board, atol=2e-6)


def test_v4_run_equals_file() -> None:
    model = load_kmodel(FIX / "nncase02_iris_v4.kmodel")
    x = np.array([5.9, 3.0, 4.2, 1.5], dtype=np.float32).reshape(1, 1, 1, 4)
    (got,) = run_program(parse_module(module_text(model_to_module(model))), [x])
    np.testing.assert_array_equal(got, simulate(model, [x]).outputs[0])
    np.testing.assert_allclose(got, [-1.9094219, 10.983703, 0.95099187], rtol=1e-5)


def test_run_matches_kcc_infer(tmp_path: Path) -> None:
    src = FIX / "maixemc_cifar10_input_chw_3x32x32.bin"
    assert main(["infer", str(FIX / "maixemc_cifar10_v3.kmodel"), "--input", str(src), "-o", str(tmp_path)]) == 0
    infer = np.load(tmp_path / f"{src.stem}_0.npy")
    x = np.fromfile(src, dtype=np.uint8).reshape(3, 32, 32)
    (got,) = run_program(model_to_module(load_kmodel(FIX / "maixemc_cifar10_v3.kmodel")), [x])
    np.testing.assert_array_equal(got, infer)


def test_inspect_mlir_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(FIX / "nncase01_iris_v3.kmodel"), "--mlir"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("builtin.module {\n  kmodel.program version 3 ")
    assert program_to_bytes(find_program(parse_module(out))) == (FIX / "nncase01_iris_v3.kmodel").read_bytes()


@pytest.mark.parametrize("build", [v3_program, v4_program])
def test_hand_built_program_round_trips_through_a_file(build) -> None:
    module = build()
    module.verify()
    data = program_to_bytes(find_program(module))
    again = model_to_module(read_kmodel(data))
    assert program_to_bytes(find_program(again)) == data
    assert module_text(again) == module_text(module)


def test_hand_built_programs_run() -> None:
    (v4,) = run_program(v4_program(), [np.array([0.1, 0.5, 1.0, -3.0], dtype=np.float32).reshape(1, 1, 1, 4)])
    # quantize (scale 4 quanta per unit, zero point 10), dequantize, + [1, 2, 3, 4]
    np.testing.assert_array_equal(v4, [1.0, 2.5, 4.0, 1.5])
    (v3,) = run_program(v3_program(), [np.arange(16, dtype=np.uint8).reshape(1, 4, 4)])
    # zero activation table -> 0, dequantized 0 * 0.5 - 1 = -1, added to itself
    np.testing.assert_array_equal(v3, np.full(16, -2.0, dtype=np.float32))


def test_invalid_program_is_a_kcc_error() -> None:
    module = v4_program()
    program = find_program(module)
    program.properties["main_mem"] = type(program.properties["main_mem"])(8, program.properties["main_mem"].type)  # type: ignore[call-arg]
    with pytest.raises(KccError, match=r"invalid kmodel program: .*runs past the main pool"):
        program_to_bytes(program)


def test_interp_run_dispatches_programs_to_the_simulator() -> None:
    from kcc.interp import run

    model = load_kmodel(FIX / "nncase02_iris_v4.kmodel")
    x = np.array([5.9, 3.0, 4.2, 1.5], dtype=np.float32).reshape(1, 1, 1, 4)
    (got,) = run(model_to_module(model), [x])
    np.testing.assert_array_equal(got, simulate(model, [x]).outputs[0])
