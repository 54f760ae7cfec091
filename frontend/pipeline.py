"""The named stages a function moves down, each a plain list of passes.

`STAGES` is ordered: each stage's passes take the IR of the stage before it to its
own level. `f.ir(stage)` and `tg-opt --to-stage` derive any stage from the graph.
Every device shares the stages up to `buffers`; then the CPU goes on to `loops`,
`llvm` and the LLVM IR text (`llvmir`), a CUDA device to `gpu` (kernels and a host
launch plan) and the CUDA C source (`cuda`).
"""

from __future__ import annotations

from collections.abc import Sequence

from tg.passes import PASSES
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Dialect
from xdsl.passes import ModulePass

_SHARED_STAGES: dict[str, tuple[str, ...]] = {
    "graph": (),
    # merge -> fold -> canonicalize -> stabilize -> specialize -> merge
    "optimized": ("tg-merge", "tg-fold", "tg-canonicalize", "tg-stabilize", "tg-specialize", "tg-merge", "dce"),
    "fused": ("tg-blas", "tg-fuse"),
    "buffers": ("tg-bufferize",),
}

STAGES: dict[str, tuple[str, ...]] = {
    **_SHARED_STAGES,
    "loops": ("convert-tg-to-loops",),
    "llvm": ("tg-outline-parallel-loops", "convert-scf-to-cf", "convert-loops-to-llvm"),
}
"""The CPU's MLIR stages in order, with the passes that produce each from the one before."""

TEXT_STAGES: tuple[str, ...] = ("llvmir",)
"""The CPU's stages that are not MLIR: the LLVM IR text handed to llvmlite."""

CUDA_STAGES: dict[str, tuple[str, ...]] = {
    **_SHARED_STAGES,
    "gpu": ("convert-buffers-to-gpu",),
}
"""A CUDA device's MLIR stages: `gpu` holds the kernels (`gpu.module`) and the host
function that allocates device buffers and launches them."""

CUDA_TEXT_STAGES: tuple[str, ...] = ("cuda",)
"""A CUDA device's text stage: the CUDA C source NVRTC compiles."""


def stages_for(device: str = "cpu") -> dict[str, tuple[str, ...]]:
    """The MLIR stages of a device kind ("cpu" or "cuda")."""
    return CUDA_STAGES if device == "cuda" else STAGES


def text_stages_for(device: str = "cpu") -> tuple[str, ...]:
    return CUDA_TEXT_STAGES if device == "cuda" else TEXT_STAGES


def stage_names(device: str = "cpu") -> list[str]:
    return [*stages_for(device), *text_stages_for(device)]


def device_of_stages(*stages: str) -> str:
    """The device kind whose pipeline holds every one of `stages` ("cpu" when both do)."""
    for device in ("cpu", "cuda"):
        if all(s in stages_for(device) for s in stages):
            return device
    known = list(dict.fromkeys([*STAGES, *CUDA_STAGES]))
    unknown = [s for s in stages if s not in known]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; stages are {', '.join(known)}")
    raise ValueError(f"stages {', '.join(map(repr, stages))} belong to different devices' pipelines")


def passes_between(start: str, stop: str, device: str | None = None) -> list[str]:
    """The pass names that take IR at stage `start` to stage `stop` (on the pipeline
    of `device`, else of the device whose pipeline has both stages)."""
    stages = stages_for(device or device_of_stages(start, stop))
    names = list(stages)
    for stage in (start, stop):
        if stage not in stages:
            raise ValueError(f"unknown stage {stage!r}; stages are {', '.join(names)}")
    i, j = names.index(start), names.index(stop)
    if j < i:
        raise ValueError(f"stage {stop!r} comes before {start!r}")
    return [p for name in names[i + 1 : j + 1] for p in stages[name]]


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
    ctx.register_dialect("gpu", _gpu_dialect)  # loaded when first needed
    ctx.register_dialect("tg_gpu", _tg_gpu_dialect)
    return ctx


def _gpu_dialect() -> Dialect:
    from xdsl.dialects.gpu import GPU

    return GPU


def _tg_gpu_dialect() -> Dialect:
    from tg.dialects.tg_gpu import TG_GPU

    return TG_GPU


def lower(
    module: ModuleOp, start: str, stop: str, exclude: frozenset[str] = frozenset(), device: str | None = None
) -> ModuleOp:
    """Run the passes from `start` to `stop` (but those in `exclude`) on `module` in
    place and return it."""
    ctx = context()
    for p in make_passes([n for n in passes_between(start, stop, device) if n not in exclude]):
        p.apply(ctx, module)
    return module
