"""Transformations of tg-family IR, and the registry of every pass tg runs.

`PASSES` maps a pass name to a factory that imports it lazily, so that `tg-opt`
starts without importing the world. Later passes register here.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass


def _convert_tg_to_loops() -> type[ModulePass]:
    from tg.lowering.convert_tg_to_loops import ConvertTgToLoops

    return ConvertTgToLoops


def _convert_loops_to_llvm() -> type[ModulePass]:
    from tg.lowering.convert_loops_to_llvm import ConvertLoopsToLLVM

    return ConvertLoopsToLLVM


def _convert_buffers_to_gpu() -> type[ModulePass]:
    from tg.lowering.convert_buffers_to_gpu import ConvertBuffersToGpu

    return ConvertBuffersToGpu


def _tg_outline_parallel_loops() -> type[ModulePass]:
    from tg.lowering.outline_parallel_loops import OutlineParallelLoops

    return OutlineParallelLoops


def _convert_scf_to_cf() -> type[ModulePass]:
    from tg.lowering.scf_to_cf import ConvertScfToCf

    return ConvertScfToCf


def _cse() -> type[ModulePass]:
    from xdsl.transforms.common_subexpression_elimination import (
        CommonSubexpressionElimination,
    )

    return CommonSubexpressionElimination


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


def _tg_merge() -> type[ModulePass]:
    from tg.passes.merge import TgMerge

    return TgMerge


def _tg_fold() -> type[ModulePass]:
    from tg.passes.fold import TgFold

    return TgFold


def _tg_canonicalize() -> type[ModulePass]:
    from tg.passes.canonicalize import TgCanonicalize

    return TgCanonicalize


def _tg_stabilize() -> type[ModulePass]:
    from tg.passes.stabilize import TgStabilize

    return TgStabilize


def _tg_specialize() -> type[ModulePass]:
    from tg.passes.specialize import TgSpecialize

    return TgSpecialize


def _tg_fuse() -> type[ModulePass]:
    from tg.passes.fuse import TgFuse

    return TgFuse


def _tg_blas() -> type[ModulePass]:
    from tg.passes.blas import TgBlas

    return TgBlas


def _tg_bufferize() -> type[ModulePass]:
    from tg.passes.bufferize import TgBufferize

    return TgBufferize


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "cse": _cse,
    "tg-merge": _tg_merge,
    "tg-fold": _tg_fold,
    "tg-canonicalize": _tg_canonicalize,
    "tg-stabilize": _tg_stabilize,
    "tg-specialize": _tg_specialize,
    "dce": _dce,
    "tg-blas": _tg_blas,
    "tg-fuse": _tg_fuse,
    "tg-bufferize": _tg_bufferize,
    "convert-tg-to-loops": _convert_tg_to_loops,
    "convert-buffers-to-gpu": _convert_buffers_to_gpu,
    "tg-outline-parallel-loops": _tg_outline_parallel_loops,
    "convert-scf-to-cf": _convert_scf_to_cf,
    "convert-loops-to-llvm": _convert_loops_to_llvm,
}
"""Every pass tg's pipeline uses, by name."""
