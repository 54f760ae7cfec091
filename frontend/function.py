"""`tg.function`: compile symbolic outputs (and updates) of inputs into a callable.

The outputs' ops are cloned, in dependency order, into one `func.func` whose
arguments are the inputs and then the shared variables read: that is the graph
stage. It then moves down the stages of `tg.pipeline`; the default mode compiles
every op to machine code and never falls back to the interpreter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue

from tg.config import config
from tg.dialects.tensor_types import dtype_of, static_shape
from tg.runtime.arguments import InputSpec
from tg.dialects.interpreter import find_function
from tg.runtime.function import Function
from tg.runtime.kernel import NativeKernel
from tg.runtime.staging import plan_stages
from tg.shared import SharedVariable, shared_variable_of
from tg.tensor.basic import as_tensor_variable
from tg.variable import TensorVariable, free_variable_of

MODES = ("FAST_RUN", "FAST_COMPILE")


class MissingInputError(ValueError):
    """An output depends on a free variable that is neither an input nor shared."""


class UnusedInputError(ValueError):
    """An input that no output depends on (see `on_unused_input`)."""


def _label(variable: TensorVariable, position: int) -> str:
    return f"input {variable.name!r} (argument {position})" if variable.name else f"argument {position}"


def build_graph(
    inputs: Sequence[TensorVariable], roots: Sequence[TensorVariable]
) -> tuple[ModuleOp, list[SharedVariable], set[int]]:
    """The graph-level module computing `roots` from `inputs` (+ shared variables).

    Returns the module, the shared variables it reads (its trailing arguments) and
    the positions of the inputs that were used.
    """
    input_of = {v.value: i for i, v in enumerate(inputs)}
    shared_by_value: dict[SSAValue, SharedVariable] = {}

    order: list[Operation] = []
    visited: set[Operation] = set()
    used_inputs: set[int] = set()
    shared_order: list[SSAValue] = []

    for root in roots:
        stack: list[tuple[SSAValue, bool]] = [(root.value, False)]
        while stack:
            value, expanded = stack.pop()
            if value in input_of:
                used_inputs.add(input_of[value])
                continue
            owner = value.owner
            if isinstance(owner, Block):
                if value not in shared_by_value:
                    variable = shared_variable_of(value)
                    if variable is None:
                        free = free_variable_of(value)
                        name = free.name if free is not None and free.name else "<unnamed>"
                        raise MissingInputError(
                            f"an output depends on the variable {name!r} of type "
                            f"{value.type}, which is neither an input nor a shared variable; "
                            f"add it to the inputs"
                        )
                    shared_by_value[value] = variable
                    shared_order.append(value)
                continue
            if owner in visited:
                continue
            if expanded:
                visited.add(owner)
                order.append(owner)
                continue
            stack.append((value, True))
            for operand in reversed(owner.operands):
                stack.append((operand, False))

    shared = [shared_by_value[v] for v in shared_order]
    arg_types = [v.value.type for v in inputs] + [v.type for v in shared_order]
    block = Block(arg_types=arg_types)
    mapping: dict[SSAValue, SSAValue] = {}
    for old, new in zip([v.value for v in inputs] + shared_order, block.args):
        mapping[old] = new
    for var, arg in zip(inputs, block.args):
        if var.name:
            arg.name_hint = _hint(var.name)
    for var, arg in zip(shared, block.args[len(inputs):]):
        if var.name:
            arg.name_hint = _hint(var.name)
    for op in order:
        block.add_op(op.clone(value_mapper=mapping))
    results = [mapping[r.value] for r in roots]
    block.add_op(func.ReturnOp(*results))
    function = func.FuncOp("main", (arg_types, [r.type for r in results]), Region(block))
    module = ModuleOp([function])
    return module, shared, used_inputs


def _hint(name: str) -> str | None:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else None


def _as_list(x: Any) -> tuple[list[Any], bool]:
    if x is None:
        return [], False
    if isinstance(x, list | tuple):
        return list(x), False
    return [x], True


def _updates(updates: Any) -> list[tuple[SharedVariable, TensorVariable]]:
    if updates is None:
        return []
    pairs = list(updates.items()) if isinstance(updates, dict) else list(updates)
    result = []
    seen: set[int] = set()
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise TypeError(f"updates must be (shared variable, expression) pairs, got {pair!r}")
        target, expr = pair
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


def function(
    inputs: Sequence[TensorVariable],
    outputs: Any = None,
    mode: str | None = None,
    updates: Any = None,
    givens: Any = None,
    allow_input_downcast: bool | None = None,
    on_unused_input: str | None = None,
    name: str | None = None,
) -> Function:
    """Compile a function from `inputs` to `outputs` (one variable or a list).

    `updates` (a dict or list of `(shared, expression)` pairs) are computed from the
    old values and written after the outputs, only when the whole call succeeds.
    """
    if givens:
        raise NotImplementedError("givens are not supported yet (they come with the Theano frontend issue)")
    mode = mode or config.mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    on_unused_input = on_unused_input or "raise"
    if on_unused_input not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused_input!r}")
    inputs = list(inputs)
    for i, v in enumerate(inputs):
        if not isinstance(v, TensorVariable):
            raise TypeError(f"inputs must be symbolic variables; argument {i} is {v!r}")
        if isinstance(v, SharedVariable):
            raise TypeError(f"shared variable {v.name!r} cannot be a function input; it is used implicitly")
    if len({id(v) for v in inputs}) != len(inputs):
        raise ValueError("an input variable appears twice in inputs")
    outs, single = _as_list(outputs)
    out_vars = [as_tensor_variable(o) for o in outs]
    update_pairs = _updates(updates)
    roots = out_vars + [value for _, value in update_pairs]

    module, shared, used = build_graph(inputs, roots)
    unused = [i for i in range(len(inputs)) if i not in used]
    if unused and on_unused_input != "ignore":
        message = (
            f"{', '.join(_label(inputs[i], i) for i in unused)} is not used to compute the outputs; "
            f"pass on_unused_input='ignore' (or 'warn') to allow it"
        )
        if on_unused_input == "raise":
            raise UnusedInputError(message)
        import warnings

        warnings.warn(message, stacklevel=2)
    module.verify()

    from tg.pipeline import lower

    optimized = lower(module.clone(), "graph", "optimized")
    specs = [
        InputSpec(_label(v, i), dtype_of(v.value.type), static_shape(v.value.type), allow_input_downcast)
        for i, v in enumerate(inputs)
    ]
    labels = [s.label for s in specs] + [f"shared variable {v.name or '<unnamed>'!r}" for v in shared]
    compile_stage = _compile_stage if mode == "FAST_RUN" else _interpret_stage
    stages = plan_stages(find_function(optimized), labels, compile_stage)
    compiled = Function(
        name=name,
        mode=mode,
        graph=module,
        optimized=optimized,
        specs=specs,
        input_names=[v.name for v in inputs],
        shared=shared,
        updated=[target for target, _ in update_pairs],
        n_outputs=len(out_vars),
        single_output=single,
        stages=stages,
    )
    _dump(compiled)
    return compiled


def _interpret_stage(function: func.FuncOp) -> tuple[None, list[str]]:
    return None, []


def _compile_stage(function: func.FuncOp) -> tuple[NativeKernel, list[str]]:
    """Machine code for an optimized tg function: lower to llvm, JIT, wrap the entry."""
    from xdsl.dialects.builtin import ArrayAttr, StringAttr

    from tg.lowering.jit import compile_llvmir, to_llvmir
    from tg.pipeline import lower

    module = function.parent_op()
    assert isinstance(module, ModuleOp)
    loops = lower(module.clone(), "optimized", "loops")
    errors_attr = find_function(loops).attributes.get("tg.errors")
    errors = [e.data for e in errors_attr.data] if isinstance(errors_attr, ArrayAttr) else []
    assert all(isinstance(e, StringAttr) for e in (errors_attr.data if errors_attr else []))
    llvm_module = lower(loops, "loops", "llvm")
    compiled = compile_llvmir(to_llvmir(llvm_module), config.opt_level)
    types = (*function.function_type.inputs, *function.function_type.outputs)
    ranks = [len(static_shape(t)) for t in types] + [0]  # + the status buffer
    return NativeKernel(compiled, "main", ranks), errors


def _dump(compiled: Function) -> None:
    for stage in filter(None, str(config.dump_ir).split(":")):
        print(f"// ----- {stage}\n{compiled.ir(stage)}")
