"""The ONNX frontend's core: loading, external data, input shapes, folding, errors, shape ops, whole small nets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data
from onnx_convert_check import check_node, imported_ops
from onnx_ref import assert_matches_onnx, one_node_model

from kcc.context import parse_module
from kcc.errors import KccError
from kcc.frontends.onnx import import_onnx, supported_ops
from kcc.interp import run

RNG = np.random.default_rng(1)


def make_model(
    nodes: list[Any], inputs: list[Any], outputs: list[str], inits: dict[str, np.ndarray], opset: int = 17
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        inputs,
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def shape_chain_model() -> onnx.ModelProto:
    """x [N, 3, 4] -> Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) -> Relu."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "i0"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "ax"], ["n1"]),
        helper.make_node("Concat", ["n1", "m1"], ["sh"], axis=0),
        helper.make_node("Reshape", ["x", "sh"], ["r"]),
        helper.make_node("Relu", ["r"], ["y"]),
    ]
    inits = {"i0": np.array(0, np.int64), "ax": np.array([0], np.int64), "m1": np.array([-1], np.int64)}
    return make_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 4])], ["y"], inits)


def test_shape_subgraph_folds_to_constants() -> None:
    model = shape_chain_model()
    module = import_onnx(model, input_shapes={"x": [2, 3, 4]})
    assert imported_ops(module) == ["nn.reshape", "nn.relu"]
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    assert_matches_onnx(run(module, [x]), model, {"x": x})


def test_dynamic_batch_needs_input_shape() -> None:
    with pytest.raises(KccError) as info:
        import_onnx(shape_chain_model())
    msg = str(info.value)
    assert "graph input 'x' dim 0 is dynamic ('N'" in msg and "--input-shape x:" in msg


def test_zero_dim_is_static_not_dynamic() -> None:
    """dim_value 0 is an empty dim: no --input-shape needed, and an override may not change it."""
    x = np.zeros((0, 3, 4), np.float32)
    model = one_node_model(
        "Reshape", {"x": x}, initializers={"s": np.array([3, 4, 0], np.int64)}, attrs={"allowzero": 1}, opset=14
    )
    module = import_onnx(model)
    assert "tensor<0x3x4xf32>" in str(module)
    assert_matches_onnx(run(module, [x]), model, {"x": x})
    with pytest.raises(KccError, match="sets dim 0 to 2, but the model fixes it to 0"):
        import_onnx(model, input_shapes={"x": [2, 3, 4]})
    assert "tensor<0x3x4xf32>" in str(import_onnx(model, input_shapes={"x": [0, 3, 4]}))


def test_input_shape_first_input_key_and_bad_overrides() -> None:
    module = import_onnx(shape_chain_model(), input_shapes={"": [5, 3, 4]})
    assert "tensor<5x3x4xf32>" in str(module)
    with pytest.raises(KccError, match="model's inputs are: x"):
        import_onnx(shape_chain_model(), input_shapes={"nope": [1, 3, 4]})
    with pytest.raises(KccError, match="sets dim 1 to 7, but the model fixes it to 3"):
        import_onnx(shape_chain_model(), input_shapes={"x": [1, 7, 4]})
    with pytest.raises(KccError, match="has 2 dims but the input has rank 3"):
        import_onnx(shape_chain_model(), input_shapes={"x": [1, 3]})


def test_names_round_trip_and_verify() -> None:
    module = import_onnx(shape_chain_model(), input_shapes={"x": [2, 3, 4]})
    text = str(module)
    assert '{kcc.name = "x"}' in text and '{kcc.name = "y"}' in text
    assert str(parse_module(text)) == text


def test_unsupported_op_error_names_node() -> None:
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="r0"), helper.make_node("CumSum", ["a", "ax"], ["y"], name="my_cumsum")]
    model = make_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])], ["y"], {"ax": np.array(0, np.int64)}
    )
    with pytest.raises(KccError) as info:
        import_onnx(model)
    msg = str(info.value)
    assert msg.startswith("CumSum 'my_cumsum' (#1): unsupported ONNX op 'CumSum' (supported: ")
    assert ", ".join(supported_ops()) in msg and "Conv" in supported_ops()
    assert info.value.index == 1


def test_other_domain_is_unsupported() -> None:
    node = helper.make_node("FusedConv", ["x"], ["y"], domain="com.microsoft", name="fc")
    model = make_model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])], ["y"], {})
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    with pytest.raises(KccError, match=r"FusedConv 'fc' \(#0\): unsupported ONNX op 'com.microsoft.FusedConv'"):
        import_onnx(model)


def test_corrupt_and_truncated_files(tmp_path: Path) -> None:
    good = one_node_model("Relu", {"x": np.zeros((1, 2), np.float32)}).SerializeToString()
    (tmp_path / "junk.onnx").write_bytes(b"\x00\xffnot a model at all" * 10)
    (tmp_path / "cut.onnx").write_bytes(good[: len(good) // 2])
    for name in ("junk.onnx", "cut.onnx"):
        with pytest.raises(KccError, match=r"not a valid ONNX model|fails the ONNX checker"):
            import_onnx(tmp_path / name)
    with pytest.raises(KccError, match="cannot read ONNX model"):
        import_onnx(tmp_path / "missing.onnx")
    with pytest.raises(KccError, match="not a valid ONNX model"):
        import_onnx(b"")


def _external_model(location: str) -> onnx.ModelProto:
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    model = make_model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        ["y"],
        {"w": w},
    )
    tensor = model.graph.initializer[0]
    set_external_data(tensor, location=location, offset=0, length=len(tensor.raw_data))
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    return model


def test_external_data_in_model_folder(tmp_path: Path) -> None:
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    (tmp_path / "weights.bin").write_bytes(w.tobytes())
    onnx.save(_external_model("weights.bin"), tmp_path / "m.onnx")
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(run(import_onnx(tmp_path / "m.onnx"), [x])[0], x @ w, rtol=1e-5)
    with pytest.raises(KccError, match=r"keeps its data in external file 'weights\.bin'"):
        import_onnx((tmp_path / "m.onnx").read_bytes())


@pytest.mark.parametrize(
    ("location", "reason"),
    [("../x.bin", "contains '..'"), ("/etc/passwd", "is an absolute path"), ("link.bin", "resolves (through a symlink)")],
)
def test_external_data_outside_folder_is_refused(tmp_path: Path, location: str, reason: str) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (tmp_path / "x.bin").write_bytes(b"\0" * 48)
    os.symlink(tmp_path / "x.bin", folder / "link.bin")
    onnx.save(_external_model(location), folder / "m.onnx")
    with pytest.raises(KccError) as info:
        import_onnx(folder / "m.onnx")
    assert f"external data location '{location}' of tensor 'w' {reason}" in str(info.value)


def test_initializer_listed_as_input_is_a_constant() -> None:
    w = RNG.standard_normal((3, 4)).astype(np.float32)
    model = make_model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("w", TensorProto.FLOAT, [3, 4]),
        ],
        ["y"],
        {"w": w},
    )
    module = import_onnx(model)
    assert len(next(iter(module.ops)).body.block.args) == 1


def small_net(opset: int) -> onnx.ModelProto:
    """Conv -> BatchNorm -> Relu -> MaxPool -> Dropout -> Flatten -> Gemm -> Reshape, valid from opset 7 to 21."""
    c = 4
    inits = {
        "w": RNG.standard_normal((c, 3, 3, 3)).astype(np.float32) * 0.3,
        "b": RNG.standard_normal(c).astype(np.float32),
        "sc": RNG.standard_normal(c).astype(np.float32),
        "bi": RNG.standard_normal(c).astype(np.float32),
        "mu": RNG.standard_normal(c).astype(np.float32),
        "va": (RNG.random(c) + 0.5).astype(np.float32),
        "fw": RNG.standard_normal((5, c * 4 * 4)).astype(np.float32) * 0.1,
        "fb": RNG.standard_normal(5).astype(np.float32),
        "shape": np.array([0, -1, 1], np.int64),
    }
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "sc", "bi", "mu", "va"], ["n"], epsilon=1e-3),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Dropout", ["p"], ["d"]),
        helper.make_node("Flatten", ["d"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["g"], transB=1),
        helper.make_node("Reshape", ["g", "shape"], ["y"]),
    ]
    return make_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8, 8])], ["y"], inits, opset)


@pytest.mark.parametrize("opset", [7, 21])
def test_small_net_opset_variants(opset: int) -> None:
    model = small_net(opset)
    module = import_onnx(model)
    assert imported_ops(module).count("nn.conv2d") == 1 and "nn.fully_connected" in imported_ops(module)
    x = RNG.standard_normal((2, 3, 8, 8)).astype(np.float32)
    assert_matches_onnx(run(module, [x]), model, {"x": x}, runtimes=("onnxruntime",))


@pytest.mark.parametrize(
    "attr",
    [
        {"value": numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3))},
        {"value_float": 2.5},
        {"value_floats": [1.0, 2.0, 3.0]},
        {"value_int": 4},
        {"value_ints": [1, 2, 3]},
        {
            "sparse_value": helper.make_sparse_tensor(
                numpy_helper.from_array(np.array([5.0, 6.0], np.float32)),
                numpy_helper.from_array(np.array([1, 4], np.int64)),
                [2, 3],
            )
        },
    ],
)
def test_constant_values(attr: dict[str, Any]) -> None:
    node = helper.make_node("Constant", [], ["y"], **attr)
    graph = helper.make_graph([node], "c", [], [helper.make_tensor_value_info("y", TensorProto.UNDEFINED, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    got = run(import_onnx(model), [])
    if "sparse_value" in attr:  # neither reference returns a sparse constant densely
        np.testing.assert_array_equal(got[0], np.array([[0, 5, 0], [0, 6, 0]], np.float32))
    else:
        assert_matches_onnx(got, model, {})


def test_identity_and_dropout_forms() -> None:
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    assert imported_ops(check_node("Identity", {"x": x})) == []
    assert imported_ops(check_node("Dropout", {"x": x}, {"ratio": 0.3}, opset=7)) == []
    inits = {"ratio": np.float32(0.5), "training_mode": np.bool_(False)}
    model = one_node_model("Dropout", {"x": x}, n_outputs=2, initializers=inits, opset=13, output_dtypes=[np.float32, np.bool_])
    assert_matches_onnx(run(import_onnx(model), [x]), model, {"x": x})
    inits["training_mode"] = np.bool_(True)
    with pytest.raises(KccError, match="Dropout in training mode \\(with a ratio other than 0\\)"):
        import_onnx(one_node_model("Dropout", {"x": x}, initializers=inits, opset=13))


@pytest.mark.parametrize(
    ("shape", "allowzero"), [([0, -1], 0), ([6, 2], 0), ([-1], 0), ([0, 2, 2], 0), ([3, 4, 1], 1), ([1, -1, 2, 1], 0)]
)
def test_reshape(shape: list[int], allowzero: int) -> None:
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    check_node(
        "Reshape",
        {"x": x},
        {"allowzero": allowzero} if allowzero else {},
        initializers={"s": np.array(shape, np.int64)},
        opset=14,
    )


def test_reshape_errors() -> None:
    x = np.zeros((3, 4), np.float32)
    with pytest.raises(
        KccError, match=r"Reshape \(unnamed\) \(#0\): cannot infer the -1 of shape \[5, -1\] for an input of 12 elements"
    ):
        import_onnx(one_node_model("Reshape", {"x": x}, initializers={"s": np.array([5, -1], np.int64)}))
    with pytest.raises(KccError, match="must be a constant"):
        import_onnx(one_node_model("Reshape", {"x": x, "s": np.array([12], np.int64)}))


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1])
def test_flatten(axis: int) -> None:
    check_node("Flatten", {"x": RNG.standard_normal((2, 3, 4)).astype(np.float32)}, {"axis": axis}, opset=13 if axis < 0 else 9)


def test_outputs_that_are_inputs_constants_or_repeated() -> None:
    """Graph outputs may be a graph input, a constant, an initializer or the same value twice (declared shapeless)."""
    nodes = [
        helper.make_node("Constant", [], ["c"], value_floats=[1.0, 2.0]),
        helper.make_node("Relu", ["x"], ["r"]),
        helper.make_node("Identity", ["r"], ["r2"]),
    ]
    inits = {"w": np.ones((2, 2), np.float32)}
    model = make_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])], ["x", "c", "r", "r2", "w"], inits)
    x = np.array([-1.0, 2.0], np.float32)
    assert_matches_onnx(run(import_onnx(model), [x]), model, {"x": x})
