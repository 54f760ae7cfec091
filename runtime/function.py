"""The compiled function object that `tg.function` returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tg.config import change_flags, config
from tg.runtime.arguments import InputSpec, convert_input
from tg.runtime.fast_call import ShapeMemo
from tg.runtime.stage import Stage, run_stages
from xdsl.dialects.builtin import ModuleOp


class Function:
    """A callable compiled from a graph: checks its arguments, runs machine code (or
    the numpy interpreter in FAST_COMPILE mode), applies updates, returns fresh arrays.
    """

    def __init__(
        self,
        *,
        name: str | None,
        mode: str,
        graph: ModuleOp,
        optimized: ModuleOp,
        specs: Sequence[InputSpec],
        input_names: Sequence[str | None],
        defaults: Sequence[Any],
        has_default: Sequence[bool],
        shared: Sequence[Any],
        updated: Sequence[Any],
        n_outputs: int,
        single_output: bool,
        stages: Sequence[Stage],
        recipe: dict[str, Any],
        excluded: frozenset[str] = frozenset(),
    ):
        self.name = name
        self.mode = mode
        self._graph = graph
        self._optimized = optimized
        self._specs = list(specs)
        names = [n for n in input_names if n]
        self._names = {n: i for i, n in enumerate(input_names) if n and names.count(n) == 1}
        self._shared = list(shared)
        self._updated = list(updated)
        self._n_outputs = n_outputs
        self._single = single_output
        self._stages = list(stages)
        self._defaults = [convert_input(d, sp) if h else _MISSING for d, h, sp in zip(defaults, has_default, specs)]
        self._recipe = recipe
        self._excluded = excluded
        self._fusion = bool(config.fusion)
        self.compile_profile: dict[str, float] = {}
        """Seconds spent in each stage of compilation (set by tg.function)."""
        self._trust = False
        self._memo: ShapeMemo | None = None
        self._entries: dict[bool, Any] = {}
        self._install_entry_point()

    # ------------------------------------------------------------------ calling

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        """The Python call path (and the native entry point's fallback)."""
        specs = self._specs
        if kwargs or len(args) != len(specs):
            arrays = self._convert(args, kwargs)
        elif self._trust:
            arrays = [a if type(a) is np.ndarray else convert_input(a, s) for a, s in zip(args, specs)]
        else:
            arrays = [convert_input(a, s) for a, s in zip(args, specs)]
        if self._shared:
            arrays += [v.container for v in self._shared]
        results = run_stages(self._stages, arrays)
        if self._memo is not None:
            self._memo.remember([a.shape for a in arrays], self._stages[0].last_shapes, self._stages[0].result_dtypes)
        for variable, value in zip(self._updated, results[self._n_outputs :]):
            variable.container = value
        if self._single:
            return results[0]
        return results[: self._n_outputs] if self._updated else results

    __call__ = _call
    """A plain function's class replaces it with its native entry point (see
    `tg.runtime.fast_call`), which calls `_call` for anything but the common case."""

    @property
    def trust_input(self) -> bool:
        """Skip argument checks (PyTensor's `trust_input`). The caller guarantees that
        every numpy array argument is C-contiguous and aligned, with the input's exact
        dtype, rank and declared sizes; Python numbers and lists are still converted."""
        return self._trust

    @trust_input.setter
    def trust_input(self, value: bool) -> None:
        self._trust = bool(value)
        if self._memo is not None:
            entry = self._entry_point(self._trust)
            if entry is not None:
                type(self).__call__ = entry.builtin  # type: ignore[method-assign]

    def _install_entry_point(self) -> None:
        """Give this function its native entry point when it is a plain one: one compiled
        stage, no shared variables or updates, shapes that depend on sizes alone."""
        from tg.runtime import fast_call

        stages = self._stages
        if not fast_call.ENABLED or len(stages) != 1 or self._shared or self._updated:
            return
        stage = stages[0]
        address = getattr(stage.kernel, "address", None)
        if address is None or stage.inplace or stage.shapes.evaluate or any(stage.shapes.value_slots):
            return
        if len(stage.result_dtypes) != self._n_outputs:
            return
        output_ranks = [len(t.get_shape()) for t in stage.function.function_type.outputs]  # type: ignore[attr-defined]
        self._signature = fast_call.Signature(
            tuple(s.dtype for s in self._specs), tuple(s.ndim for s in self._specs),
            tuple(stage.result_dtypes), tuple(output_ranks), self._single,
        )
        self._memo = fast_call.ShapeMemo(self._signature.input_ranks, self._signature.output_ranks)
        entry = self._entry_point(False)
        if entry is None:
            self._memo = None
            return
        self.__class__ = type("Function", (Function,), {"__call__": entry.builtin, "__module__": __name__})

    def _entry_point(self, trust: bool) -> Any:
        from tg.runtime import fast_call

        if trust not in self._entries:
            assert self._memo is not None
            address = self._stages[0].kernel.address  # type: ignore[union-attr]
            self._entries[trust] = fast_call.build_entry_point(self._signature, address, self._memo, self._call, trust)
        return self._entries[trust]

    def _convert(self, args: Sequence[Any], kwargs: dict[str, Any]) -> list[np.ndarray]:
        """Every input's value (see `_bind`) converted to its array."""
        return [convert_input(v, s) for v, s in zip(self._bind(args, kwargs), self._specs)]

    def _bind(self, args: Sequence[Any], kwargs: dict[str, Any]) -> list[Any]:
        """The value of every input: positional, by name, or its default; TypeError
        naming what is extra, repeated or missing."""
        n = len(self._specs)
        if not kwargs and len(args) == n:
            return list(args)
        if len(args) > n:
            raise TypeError(f"{self._label()} takes {n} argument{'s' if n != 1 else ''}, got {len(args)}")
        values: list[Any] = list(args) + self._defaults[len(args) :]
        for key, value in kwargs.items():
            if key not in self._names:
                raise TypeError(f"{self._label()} has no input named {key!r}")
            i = self._names[key]
            if i < len(args):
                raise TypeError(f"{self._label()} got two values for input {key!r}")
            values[i] = value
        missing = [self._specs[i].label for i, v in enumerate(values) if v is _MISSING]
        if missing:
            raise TypeError(f"{self._label()} is missing {', '.join(missing)}")
        return values

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the arguments of tg.function (graphs travel as IR text, shared
        variables with their values) and compiled again when loaded."""
        return (_rebuild, (self._recipe,))

    def _label(self) -> str:
        return f"function {self.name!r}" if self.name else "the function"

    # --------------------------------------------------------------- inspection

    @property
    def buffer_plan(self) -> dict[str, int | None]:
        """The compiled plan's intermediate buffers: how many, and the most bytes live at
        once (None when a size is known only at run time), summed over stages."""
        peaks = [s.code.peak_bytes for s in self._stages]
        return {
            "buffers": sum(s.code.buffers for s in self._stages),
            "peak_bytes": None if None in peaks else sum(peaks),  # type: ignore[arg-type]
        }

    def ir(self, stage: str = "graph") -> str:
        """The function's IR at a stage, derived on demand from the graph (with the
        flags it was compiled with)."""
        if stage == "graph":
            return str(self._graph)
        with change_flags(fusion=self._fusion):  # as it was compiled
            return self._derive(stage)

    def _derive(self, stage: str) -> str:
        from tg.lowering.jit import to_llvmir
        from tg.pipeline import STAGES, TEXT_STAGES, lower

        if stage in TEXT_STAGES:
            return to_llvmir(lower(self._graph.clone(), "graph", "llvm", self._excluded))
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; stages are {', '.join([*STAGES, *TEXT_STAGES])}")
        return str(lower(self._graph.clone(), "graph", stage, self._excluded))


def _rebuild(recipe: dict[str, Any]) -> Function:
    from tg.function import function

    return function(**recipe)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()
