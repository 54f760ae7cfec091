"""The named stages a function moves down, each a plain list of passes.

`STAGES` is ordered: each stage's passes take the IR of the stage before it to its
own level. `f.ir(stage)` and `tg-opt --to-stage` derive any stage from the graph.
Later issues insert their stages (cuda) here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tg.passes import PASSES
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

STAGES: dict[str, tuple[str, ...]] = {
    "graph": (),
    # merge -> fold -> canonicalize -> stabilize -> specialize -> merge
    "optimized": ("tg-merge", "tg-fold", "tg-canonicalize", "tg-stabilize", "tg-specialize", "tg-merge", "dce"),
    "fused": ("tg-blas", "tg-fuse"),
    "buffers": ("tg-bufferize",),
    "loops": ("convert-tg-to-loops",),
    "llvm": ("tg-outline-parallel-loops", "convert-scf-to-cf", "convert-loops-to-llvm"),
}
"""MLIR stages in order, with the passes that produce each from the one before."""

TEXT_STAGES: tuple[str, ...] = ("llvmir",)
"""Stages that are not MLIR: the LLVM IR text handed to llvmlite."""


def stage_names() -> list[str]:
    return [*STAGES, *TEXT_STAGES]


def passes_between(start: str, stop: str) -> list[str]:
    """The pass names that take IR at stage `start` to stage `stop`."""
    names = list(STAGES)
    for stage in (start, stop):
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages are {', '.join(names)}")
    i, j = names.index(start), names.index(stop)
    if j < i:
        raise ValueError(f"stage {stop!r} comes before {start!r}")
    return [p for name in names[i + 1 : j + 1] for p in STAGES[name]]


def make_passes(names: Sequence[str]) -> list[ModulePass]:
    return [PASSES[name]()() for name in names]


def context() -> Context:
    """A context with every dialect tg's stages use."""
    from tg.dialects.dialect import TG
    from xdsl.dialects import arith, cf, func, llvm, math, memref, scf
    from xdsl.dialects.builtin import Builtin

    ctx = Context()
    for dialect in (Builtin, TG, func.Func, arith.Arith, math.Math, memref.MemRef, scf.Scf, cf.Cf, llvm.LLVM):
        ctx.load_dialect(dialect)
    return ctx


def lower(module: ModuleOp, start: str, stop: str, exclude: frozenset[str] = frozenset()) -> ModuleOp:
    """Run the passes from `start` to `stop` (but those in `exclude`) on `module` in
    place and return it."""
    ctx = context()
    for p in make_passes([n for n in passes_between(start, stop) if n not in exclude]):
        p.apply(ctx, module)
    return module
