"""`tg.function`: compile symbolic outputs (and updates) of inputs into a callable.

The outputs' ops are cloned, in dependency order, into one `func.func` whose
arguments are the inputs and then the shared variables read: that is the graph
stage (`givens` are substituted while cloning). It then moves down the stages of
`tg.pipeline`; the default mode compiles every op to machine code and never falls
back to the interpreter.
"""

from __future__ import annotations

import contextlib
import functools
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from tg.config import config
from tg.device import DeviceSpec, parse_device
from tg.dialects import tg
from tg.dialects.graph import topological
from tg.dialects.interpreter import find_function
from tg.dialects.tensor_types import dtype_of, format_type, static_shape
from tg.io import In, Out
from tg.mode import Mode, get_mode
from tg.runtime.arguments import InputSpec
from tg.runtime.function import Function
from tg.runtime.kernel import NativeKernel
from tg.runtime.stage import Stage, StageCode
from tg.runtime.staging import plan_stages
from tg.shared import SharedVariable, shared_variable_of
from tg.tensor.basic import as_tensor_variable
from tg.variable import TensorVariable, free_variable_of
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Region, SSAValue


class MissingInputError(ValueError):
    """An output depends on a free variable that is neither an input nor shared."""


class UnusedInputError(ValueError):
    """An input that no output depends on (see `on_unused_input`)."""


def _label(variable: TensorVariable, position: int, name: str | None = None) -> str:
    name = name or variable.name
    return f"input {name!r} (argument {position})" if name else f"argument {position}"


def _free_or_value(value: SSAValue) -> TensorVariable:
    variable = free_variable_of(value)
    return variable if variable is not None else TensorVariable(value)


def _hint(name: str) -> str | None:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else None


def _coerce(replacement: TensorVariable, target: TensorVariable) -> TensorVariable:
    """`replacement` with `target`'s exact type (for givens): static sizes it knows
    are forgotten where the target's are dynamic."""
    if replacement.dtype != target.dtype or replacement.ndim != target.ndim:
        raise TypeError(
            f"givens: {replacement} cannot replace {target}: the types differ "
            f"({format_type(replacement.value.type)} vs {format_type(target.value.type)})"
        )
    want, have = static_shape(target.value.type), static_shape(replacement.value.type)
    if want == have:
        return replacement
    for w, h in zip(want, have):
        if w is not None and w != h:
            raise TypeError(
                f"givens: {replacement} cannot replace {target}: sizes {have} do not fit {want}"
            )
    from tg.tensor.basic import build

    sizes = [s.value for s in replacement.shape]
    return build(tg.BroadcastOp(replacement.value, sizes, want))


def build_graph(
    inputs: Sequence[TensorVariable],
    roots: Sequence[TensorVariable],
    givens: dict[TensorVariable, TensorVariable] | None = None,
) -> tuple[ModuleOp, list[SharedVariable], set[int]]:
    """The graph-level module computing `roots` from `inputs` (+ shared variables).

    Returns the module, the shared variables it reads (its trailing arguments) and
    the positions of the inputs that were used.
    """
    input_of = {v.value: i for i, v in enumerate(inputs)}
    substitute = {k.value: _coerce(v, k).value for k, v in (givens or {}).items()}
    for key, replacement in (givens or {}).items():
        _, free, reached = topological([substitute[key.value]], set(substitute), {})
        if reached:
            raise ValueError(
                f"givens: the replacement for {key} depends on a replaced variable "
                f"({', '.join(str(_free_or_value(v)) for v in reached)}); replacements may "
                f"not refer to variables that givens replace"
            )
    order, free, reached = topological([r.value for r in roots], set(input_of), substitute)
    shared: list[SharedVariable] = []
    for value in free:
        variable = shared_variable_of(value)
        if variable is None:
            variable = free_variable_of(value)
            name = variable.name if variable is not None and variable.name else "<unnamed>"
            raise MissingInputError(
                f"an output depends on the variable {name!r} of type {value.type}, which is "
                f"neither an input nor a shared variable; add it to the inputs"
            )
        shared.append(variable)
    arg_types = [v.value.type for v in inputs] + [v.value.type for v in shared]
    block = Block(arg_types=arg_types)
    mapping: dict[SSAValue, SSAValue] = {}
    for var, arg in zip([*inputs, *shared], block.args):
        mapping[var.value] = arg
        if var.name:
            arg.name_hint = _hint(var.name)
    replaced_by: dict[SSAValue, list[SSAValue]] = {}
    for key, value in substitute.items():
        replaced_by.setdefault(value, []).append(key)

    def bind(value: SSAValue) -> None:
        for key in replaced_by.get(value, ()):
            if key not in input_of:
                mapping[key] = mapping[value]

    for value in list(mapping):
        bind(value)
    for op in order:
        block.add_op(op.clone(value_mapper=mapping))
        bind(op.results[0])
    results = [mapping[substitute.get(r.value, r.value)] for r in roots]
    block.add_op(func.ReturnOp(*results))
    function = func.FuncOp("main", (arg_types, [r.type for r in results]), Region(block))
    module = ModuleOp([function])
    return module, shared, {input_of[v] for v in reached}


def _as_list(x: Any) -> tuple[list[Any], bool]:
    if x is None:
        return [], False
    if isinstance(x, list | tuple):
        return list(x), False
    return [x], True


def _pairs(mapping: Any, what: str) -> list[tuple[Any, Any]]:
    if mapping is None:
        return []
    pairs = list(mapping.items()) if isinstance(mapping, dict) else list(mapping)
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise TypeError(f"{what} must be (variable, expression) pairs, got {pair!r}")
    return [tuple(p) for p in pairs]  # type: ignore[misc]


def _updates(updates: Any) -> list[tuple[SharedVariable, TensorVariable]]:
    result = []
    seen: set[int] = set()
    for target, expr in _pairs(updates, "updates"):
        if not isinstance(target, SharedVariable):
            raise TypeError(f"an update's target must be a shared variable, got {target!r}")
        if id(target) in seen:
            raise ValueError(f"shared variable {target.name!r} is updated twice")
        seen.add(id(target))
        value = as_tensor_variable(expr, target.dtype if not isinstance(expr, TensorVariable) else None)
        if value.dtype != target.dtype:
            raise TypeError(
                f"the update of shared variable {target.name!r} has dtype {value.dtype} but the "
                f"variable is {target.dtype}; cast the expression (e.g. with .astype)"
            )
        if value.ndim != target.ndim:
            raise TypeError(
                f"the update of shared variable {target.name!r} has {value.ndim} dimensions but "
                f"the variable has {target.ndim}"
            )
        result.append((target, value))
    return result


def _default_updates(
    roots: list[TensorVariable], explicit: list[tuple[SharedVariable, TensorVariable]], no_default_updates: Any
) -> list[tuple[SharedVariable, TensorVariable]]:
    """Shared variables' `default_update`s (transitively) unless switched off."""
    if no_default_updates is True:
        return []
    skip = {id(v) for v in (no_default_updates or [])}
    done = {id(t) for t, _ in explicit}
    added: list[tuple[SharedVariable, TensorVariable]] = []
    frontier = [r.value for r in roots] + [v.value for _, v in explicit]
    while frontier:
        _, free, _ = topological(frontier, set(), {})
        frontier = []
        for value in free:
            variable = shared_variable_of(value)
            update = getattr(variable, "default_update", None)
            if variable is None or update is None or id(variable) in done | skip:
                continue
            done.add(id(variable))
            added += _updates([(variable, update)])
            frontier.append(added[-1][1].value)
    return added


def function(
    inputs: Sequence[TensorVariable | In],
    outputs: Any = None,
    mode: str | Mode | None = None,
    updates: Any = None,
    givens: Any = None,
    no_default_updates: Any = False,
    accept_inplace: bool = False,
    name: str | None = None,
    rebuild_strict: bool = True,
    allow_input_downcast: bool | None = None,
    profile: Any = None,
    on_unused_input: str | None = None,
    device: str | DeviceSpec | None = None,
) -> Function:
    """Compile a function from `inputs` to `outputs` (one variable, a list, or none).

    `updates` (a dict or list of `(shared, expression)` pairs) and shared variables'
    `default_update`s are computed from the old values and written only when the
    whole call succeeds; `givens` replaces variables by expressions (the minibatch
    idiom `givens={x: data[i*bs:(i+1)*bs]}`). `device` ("cpu", "cuda", "cuda1", ...)
    overrides the `device` flag; a CUDA function raises `CudaUnavailable` saying what
    is missing when there is no usable device, and never falls back to the CPU.
    """
    started = time.perf_counter()
    recipe = dict(
        inputs=list(inputs), outputs=outputs, mode=mode, updates=updates, givens=givens,
        no_default_updates=no_default_updates, name=name,
        allow_input_downcast=allow_input_downcast, on_unused_input=on_unused_input, device=device,
    )
    chosen = get_mode(mode)
    target = parse_device(config.device if device is None else device)
    if target.is_cuda:
        from tg.runtime.gpu_function import require_device

        require_device(target)  # before any compiling: CudaUnavailable names what is missing
    on_unused_input = on_unused_input or "raise"
    if on_unused_input not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused_input!r}")
    ins = [i if isinstance(i, In) else In(i) if isinstance(i, TensorVariable) else i for i in inputs]
    for i, v in enumerate(ins):
        if not isinstance(v, In):
            raise TypeError(f"inputs must be symbolic variables; argument {i} is {v!r}")
        if isinstance(v.variable, SharedVariable):
            raise TypeError(f"shared variable {v.variable.name!r} cannot be a function input; it is used implicitly")
    variables = [i.variable for i in ins]
    if len({id(v) for v in variables}) != len(variables):
        raise ValueError("an input variable appears twice in inputs")
    outs, single = _as_list(outputs)
    out_vars = [as_tensor_variable(o.variable if isinstance(o, Out) else o) for o in outs]
    update_pairs = _updates(updates)
    update_pairs += _default_updates(out_vars, update_pairs, no_default_updates)
    given = {k: as_tensor_variable(v) for k, v in _pairs(givens, "givens")}
    for key in given:
        if not isinstance(key, TensorVariable):
            raise TypeError(f"givens: {key!r} is not a symbolic variable")
    roots = out_vars + [value for _, value in update_pairs]

    module, shared, used = build_graph(variables, roots, given)
    unused = [i for i in range(len(variables)) if i not in used]
    if unused and on_unused_input != "ignore":
        message = (
            f"{', '.join(_label(variables[i], i, ins[i].name) for i in unused)} is not used to compute "
            f"the outputs; pass on_unused_input='ignore' (or 'warn') to allow it"
        )
        if on_unused_input == "raise":
            raise UnusedInputError(message)
        warnings.warn(message, stacklevel=2)
    _mark_destroyable(module, ins, shared, [target for target, _ in update_pairs], len(out_vars))

    specs = [
        InputSpec(
            _label(v.variable, i, v.name),
            dtype_of(v.variable.value.type),
            static_shape(v.variable.value.type),
            v.allow_downcast if v.allow_downcast is not None else allow_input_downcast,
        )
        for i, v in enumerate(ins)
    ]
    labels = [s.label for s in specs] + [f"shared variable {v.name or '<unnamed>'!r}" for v in shared]
    profile: dict[str, float] = {"graph": time.perf_counter() - started}
    make: Any = Function
    if target.is_cuda:
        from tg.runtime.gpu_function import GpuFunction, compile_gpu

        optimized, stages = compile_gpu(module, labels, chosen, target, profile)
        make = functools.partial(GpuFunction, target=target)
    else:
        optimized, stages = _compile(module, labels, chosen, profile)
    compiled = make(
        name=name,
        mode=chosen.name,
        graph=module,
        optimized=optimized,
        specs=specs,
        input_names=[v.name for v in ins],
        defaults=[v.value if v.has_default else None for v in ins],
        has_default=[v.has_default for v in ins],
        shared=shared,
        updated=[target for target, _ in update_pairs],
        n_outputs=len(out_vars),
        single_output=single,
        stages=stages,
        recipe=recipe,
        excluded=chosen.excluded,
    )
    profile["total"] = time.perf_counter() - started
    compiled.compile_profile = profile
    _dump(compiled)
    if config.profile:
        print(format_profile(profile, compiled.name))
    return compiled


def _compile(
    module: ModuleOp, labels: list[str], chosen: Mode, profile: dict[str, float]
) -> tuple[ModuleOp, list[Stage]]:
    """The optimized module and the stages of a graph-level module: from the compile
    cache when it holds them, else through the pipeline (then stored)."""
    from tg.pipeline import lower
    from tg.runtime import compile_cache

    key = None
    if chosen.linker == "compiled" and not config.rewrite_stats and compile_cache.cache_dir() is not None:
        with _timed(profile, "cache key"):
            key = compile_cache.function_key(module, chosen.excluded)
        with _timed(profile, "cache lookup"):
            entry = compile_cache.load(key)
        if isinstance(entry, compile_cache.CachedFunction):
            try:
                return entry.optimized, _load_stages(entry, labels, profile)
            except _StaleEntry:
                pass
    module.verify()  # a cached graph was verified when it was stored
    if chosen.linker != "compiled":
        with _timed(profile, "optimized"):
            optimized = lower(module.clone(), "graph", "optimized", chosen.excluded)
        return optimized, plan_stages(find_function(optimized), labels, _interpret_stage)
    from tg.lowering import llvm_worker

    # a second process compiles the runtime's modules and half the kernel's, when it can
    with llvm_worker.session(_op_count(module)):
        with _timed(profile, "optimized"):
            optimized = lower(module.clone(), "graph", "optimized", chosen.excluded)
        records: list[compile_cache.CachedStage | None] | None = [] if key is not None else None
        stages = plan_stages(
            find_function(optimized), labels, lambda fn: _compile_stage(fn, profile=profile, records=records)
        )
    if key is not None and records is not None and None not in records:
        with _timed(profile, "cache store"):
            compile_cache.store(key, compile_cache.CachedFunction(optimized, records))  # type: ignore[arg-type]
    return optimized, stages


def _op_count(module: ModuleOp) -> int:
    """The ops in the graph-level function."""
    return sum(1 for _ in find_function(module).body.walk())


class _StaleEntry(Exception):
    """A cache entry whose stages do not match the plan made from its graph."""


def _load_stages(entry: Any, labels: list[str], profile: dict[str, float]) -> list[Stage]:
    """The stages of a cached function: its object code loaded, no pass or LLVM run."""
    from tg.lowering.jit import load_object

    pending = list(entry.stages)

    def load_stage(function: func.FuncOp) -> StageCode:
        if not pending:
            raise _StaleEntry
        stage = pending.pop(0)
        with _timed(profile, "cache load"):
            kernel = NativeKernel(load_object(stage.object_code, stage.runtime), "main", stage.ranks)
        return StageCode(kernel, list(stage.errors), dict(stage.inplace), stage.buffers, stage.peak_bytes)

    with _timed(profile, "staging"):
        stages = plan_stages(find_function(entry.optimized), labels, load_stage)
    if pending:
        raise _StaleEntry
    return stages


@contextlib.contextmanager
def _timed(profile: dict[str, float] | None, stage: str) -> Iterator[None]:
    """Add the seconds the block takes to `profile[stage]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if profile is not None:
            profile[stage] = profile.get(stage, 0.0) + time.perf_counter() - started


def format_profile(profile: dict[str, float], name: str | None = None) -> str:
    """The compile profile as lines of `stage: milliseconds`."""
    title = f"tg compile profile ({name})" if name else "tg compile profile"
    width = max(len(k) for k in profile)
    return "\n".join([title, *(f"  {k:<{width}}  {v * 1e3:9.2f} ms" for k, v in profile.items())])


def _mark_destroyable(
    module: ModuleOp, ins: Sequence[In], shared: Sequence[SharedVariable], updated: Sequence[Any], n_outputs: int
) -> None:
    """Tell tg-bufferize which arguments it may write: a shared variable's storage by
    the output that is its update (`tg.updates`), and inputs lent with
    `In(..., borrow=True, mutable=True)` (`tg.mutable`)."""
    from tg.dialects.tg_kernel import MUTABLE, UPDATES
    from xdsl.dialects.builtin import DenseArrayBase, i64

    function = find_function(module)
    position = {id(v): len(ins) + n for n, v in enumerate(shared)}
    pairs = [x for u, v in enumerate(updated) if id(v) in position for x in (n_outputs + u, position[id(v)])]
    if pairs:
        function.attributes[UPDATES] = DenseArrayBase.from_list(i64, pairs)
    lent = [i for i, v in enumerate(ins) if v.mutable and v.borrow]
    if lent:
        function.attributes[MUTABLE] = DenseArrayBase.from_list(i64, lent)


def _interpret_stage(function: func.FuncOp) -> StageCode:
    return StageCode()


def _compile_stage(
    function: func.FuncOp, profile: dict[str, float] | None = None, records: list[Any] | None = None
) -> StageCode:
    """Machine code for an optimized tg function: lower to llvm, JIT, wrap the entry;
    with the buffer plan, the errors generated code may report and the outputs it
    writes in place. Times its stages into `profile`; appends what the compile cache
    stores of it to `records`."""
    from tg.lowering.jit import compile_llvmir, runtime_needs, to_llvmir
    from tg.pipeline import lower
    from tg.runtime.memory_pool import ensure_memory_pool
    from tg.runtime.stage import buffers_level, code_records

    buffers, count, peak_bytes = buffers_level(function, profile)
    with _timed(profile, "loops"):
        loops = lower(buffers, "buffers", "loops")
    errors, inplace = code_records(find_function(loops))
    with _timed(profile, "llvm"):
        llvm_module = lower(loops, "loops", "llvm")
    with _timed(profile, "llvmir"):
        text = to_llvmir(llvm_module)
    ensure_memory_pool()  # kernels' large buffers and outputs come from it
    compiled = compile_llvmir(text, config.opt_level, keep_object=records is not None, cached=False, profile=profile)
    outputs = [t for k, t in enumerate(function.function_type.outputs) if k not in inplace]
    ranks = [len(static_shape(t)) for t in (*function.function_type.inputs, *outputs)] + [0]  # + status
    kernel = NativeKernel(compiled, "main", ranks)
    if records is not None:
        from tg.runtime.compile_cache import CachedStage

        code = compiled.object_code
        records.append(None if code is None else CachedStage(code, runtime_needs(text), tuple(ranks), errors, inplace, count, peak_bytes))
    return StageCode(kernel, errors, inplace, count, peak_bytes)


def _dump(compiled: Function) -> None:
    """Print the stages the `dump_ir` flag names that are in the function's own
    pipeline (a CPU function has no `gpu` stage, a CUDA one no `loops`); a name in
    no pipeline is an error."""
    from tg.pipeline import stage_names

    target = getattr(compiled, "target", None)
    own = stage_names(target.kind if isinstance(target, DeviceSpec) else "cpu")
    known = {*stage_names("cpu"), *stage_names("cuda")}
    for stage in filter(None, str(config.dump_ir).split(":")):
        if stage in own or stage not in known:
            print(f"// ----- {stage}\n{compiled.ir(stage)}")


__all__ = ["In", "MissingInputError", "Out", "UnusedInputError", "function"]
