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


def _convert_scf_to_cf() -> type[ModulePass]:
    from xdsl.transforms.convert_scf_to_cf import ConvertScfToCf

    return ConvertScfToCf


def _cse() -> type[ModulePass]:
    from xdsl.transforms.common_subexpression_elimination import (
        CommonSubexpressionElimination,
    )

    return CommonSubexpressionElimination


def _dce() -> type[ModulePass]:
    from xdsl.transforms.dead_code_elimination import DeadCodeElimination

    return DeadCodeElimination


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "cse": _cse,
    "dce": _dce,
    "convert-tg-to-loops": _convert_tg_to_loops,
    "convert-scf-to-cf": _convert_scf_to_cf,
    "convert-loops-to-llvm": _convert_loops_to_llvm,
}
"""Every pass tg's pipeline uses, by name."""
