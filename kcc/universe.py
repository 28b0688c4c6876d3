"""kcc's registries: dialects and passes as lazy factories (imports stay cheap), plus the xdsl plugin entry."""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import Dialect
from xdsl.passes import ModulePass
from xdsl.universe import Universe


def _nn() -> Dialect:
    from kcc.dialects.nn import NN

    return NN


def _kpu() -> Dialect:
    from kcc.dialects.kpu import KPU

    return KPU


def _kmodel() -> Dialect:
    from kcc.dialects.kmodel import KMODEL

    return KMODEL


KCC_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "nn": _nn,
    "kpu": _kpu,
    "kmodel": _kmodel,
}


def _fold_constants() -> type[ModulePass]:
    from kcc.passes.fold_constants import FoldConstantsPass

    return FoldConstantsPass


def _fold_transposes() -> type[ModulePass]:
    from kcc.passes.fold_transposes import FoldTransposesPass

    return FoldTransposesPass


def _fuse_conv() -> type[ModulePass]:
    from kcc.passes.fuse_conv import FuseConvPass

    return FuseConvPass


def _calibrate() -> type[ModulePass]:
    from kcc.passes.calibrate import CalibratePass

    return CalibratePass


def _decompose_conv_transpose() -> type[ModulePass]:
    from kcc.passes.decompose_conv_transpose import DecomposeConvTransposePass

    return DecomposeConvTransposePass


def _decompose_dilated_conv() -> type[ModulePass]:
    from kcc.passes.decompose_dilated_conv import DecomposeDilatedConvPass

    return DecomposeDilatedConvPass


def _decompose_fully_connected() -> type[ModulePass]:
    from kcc.passes.decompose_fully_connected import DecomposeFullyConnectedPass

    return DecomposeFullyConnectedPass


def _decompose_large_kernel() -> type[ModulePass]:
    from kcc.passes.decompose_large_kernel import DecomposeLargeKernelPass

    return DecomposeLargeKernelPass


def _kpu_legalize() -> type[ModulePass]:
    from kcc.passes.kpu_legalize import KpuLegalizePass

    return KpuLegalizePass


def _plan_memory() -> type[ModulePass]:
    from kcc.passes.plan_memory import PlanMemoryPass

    return PlanMemoryPass


def _lower_to_kmodel() -> type[ModulePass]:
    from kcc.passes.lower_to_kmodel import LowerToKmodelPass

    return LowerToKmodelPass


def _quantize() -> type[ModulePass]:
    from kcc.passes.quantize import QuantizePass

    return QuantizePass


def _nchw_inputs() -> type[ModulePass]:
    from kcc.passes.nchw_inputs import NchwInputsPass

    return NchwInputsPass


# Pass name -> factory returning the pass class. One entry per file in kcc/passes/.
KCC_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "calibrate": _calibrate,
    "decompose-conv-transpose": _decompose_conv_transpose,
    "decompose-dilated-conv": _decompose_dilated_conv,
    "decompose-fully-connected": _decompose_fully_connected,
    "decompose-large-kernel": _decompose_large_kernel,
    "fold-constants": _fold_constants,
    "fold-transposes": _fold_transposes,
    "fuse-conv": _fuse_conv,
    "kpu-legalize": _kpu_legalize,
    "lower-to-kmodel": _lower_to_kmodel,
    "nchw-inputs": _nchw_inputs,
    "quantize": _quantize,
    "plan-memory": _plan_memory,
}

KCC_UNIVERSE = Universe(all_dialects=KCC_DIALECTS, all_passes=KCC_PASSES)
