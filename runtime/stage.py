"""One compiled piece of a function: shape checks, then machine code (or the
interpreter), then the errors generated code reported.

Most functions are one stage. A function whose shapes depend on values that only
generated code computes (say, the number of true elements of a computed mask) runs
as several: earlier stages compute those values, later ones take them as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from tg.dialects.interpreter import run_function
from tg.dialects.tensor_types import dtype_of
from tg.runtime.kernel import NativeKernel
from tg.runtime.memory_pool import empty
from tg.runtime.shapes import ShapeProgram
from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, ModuleOp

Source = tuple[int, int]
"""Where a stage argument comes from: (-1, i) the call's i-th argument, or
(s, i) output i of stage s."""

_EXCEPTIONS: dict[str, type[Exception]] = {"IndexError": IndexError, "ValueError": ValueError}


def raise_status(status: int, errors: Sequence[str]) -> None:
    """Raise the error generated code reported with status `status` (1-based into
    `errors`, each "Kind|message"): the Python exception of that kind."""
    if not 0 < status <= len(errors):
        raise RuntimeError(f"generated code reported error {status}, which this function does not declare")
    kind, _, message = errors[status - 1].partition("|")
    raise _EXCEPTIONS.get(kind, RuntimeError)(message)


def buffers_level(function: func.FuncOp, profile: dict[str, float] | None = None) -> tuple[ModuleOp, int, int | None]:
    """An optimized stage function's module lowered through `fused` to `buffers`
    (timed into `profile`), with its buffer plan: how many intermediate buffers, and
    the most bytes live at once (None when sizes are known only at run time)."""
    from tg.dialects.interpreter import find_function
    from tg.function import _timed
    from tg.pipeline import lower

    module = function.parent_op()
    assert isinstance(module, ModuleOp)
    with _timed(profile, "fused"):
        fused = lower(module.clone(), "optimized", "fused")
    with _timed(profile, "buffers"):
        buffers = lower(fused, "fused", "buffers")
    plan = find_function(buffers).attributes
    count, peak = (plan[k].value.data if isinstance(plan.get(k), IntegerAttr) else 0 for k in ("tg.buffers", "tg.peak_bytes"))  # type: ignore[union-attr]
    return buffers, count, None if peak < 0 else peak


def code_records(lowered: func.FuncOp) -> tuple[list[str], dict[int, int]]:
    """What a function lowered below `buffers` tells its runtime: the errors its code
    may report (`tg.errors`) and the outputs it writes into an argument's storage
    (output index -> argument index)."""
    from tg.passes.bufferize import INPLACE_UPDATES, int_pairs

    errors = lowered.attributes.get("tg.errors")
    pairs = int_pairs(lowered, INPLACE_UPDATES)
    return [e.data for e in errors.data] if isinstance(errors, ArrayAttr) else [], dict(zip(pairs[0::2], pairs[1::2]))  # type: ignore[attr-defined]


@dataclass
class StageCode:
    """What compiling one stage produced (no kernel: the interpreter runs it)."""

    kernel: NativeKernel | None = None
    errors: list[str] = field(default_factory=list)
    """The errors generated code may report, by status number - 1: "Kind|message"."""
    inplace: dict[int, int] = field(default_factory=dict)
    """Outputs the kernel writes into an argument's storage (a shared variable's
    update): output index -> argument index."""
    buffers: int = 0
    """Intermediate buffers in the buffer plan."""
    peak_bytes: int | None = 0
    """Most intermediate bytes live at once (None: sizes known only at run time)."""


@dataclass
class Stage:
    """A tg-level function with its shape program and its executable form."""

    function: func.FuncOp
    sources: list[Source]
    shapes: ShapeProgram
    code: StageCode

    def __post_init__(self) -> None:
        self.result_dtypes = [dtype_of(t) for t in self.function.function_type.outputs]
        self.kernel = self.code.kernel
        self.errors = self.code.errors
        self.inplace = self.code.inplace
        self.last_shapes: list[tuple[int, ...]] = []
        """The output shapes of the last run (the native entry point's memo reads them)."""

    def run(self, arguments: list[np.ndarray]) -> list[np.ndarray]:
        out_shapes = self.last_shapes = self.shapes.run(arguments)
        if self.kernel is None:
            return [np.array(r) for r in run_function(self.function, arguments)]
        if self.inplace:
            arguments = _unshare(arguments, set(self.inplace.values()))
        results = [empty(s, d) for k, (s, d) in enumerate(zip(out_shapes, self.result_dtypes)) if k not in self.inplace]
        status = np.zeros((), np.int32)
        self.kernel([*arguments, *results, status])
        if status:
            raise_status(int(status), self.errors)
        for k in sorted(self.inplace):
            results.insert(k, arguments[self.inplace[k]])
        return results


def _unshare(arguments: list[np.ndarray], written: set[int]) -> list[np.ndarray]:
    """Arguments the kernel writes in place (shared variables' storage) copied first
    when they overlap another argument: the caller's arrays are never written."""
    arguments = list(arguments)
    for j in written:
        if any(i != j and np.may_share_memory(a, arguments[j]) for i, a in enumerate(arguments)):
            arguments[j] = arguments[j].copy()
    return arguments


def run_stages(stages: Sequence[Stage], arguments: list[np.ndarray]) -> list[np.ndarray]:
    """Run every stage in order; the last one's results are the function's."""
    if len(stages) == 1:
        return stages[0].run(arguments)
    outputs: list[list[np.ndarray]] = []
    for stage in stages:
        args = [arguments[i] if s < 0 else outputs[s][i] for s, i in stage.sources]
        outputs.append(stage.run(args))
    return outputs[-1]
