"""Compiling a tg-level function into stages (see `tg.runtime.stage`).

`plan_stages` splits a function whose shapes need values that only generated code
can compute: a first function computes those values from the same arguments, and
the rest takes them as extra arguments. Each piece is then compiled on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tg.runtime.shapes import NeedsStaging, ShapeProgram
from tg.runtime.stage import Source, Stage, StageCode
from tg.variable import describe_location
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue


def _function_of(block_ops: Sequence[Operation], arg_types: list, args: list[SSAValue], results: Sequence[SSAValue]) -> func.FuncOp:
    """A new `@main` cloning `block_ops` over new arguments standing for `args`."""
    block = Block(arg_types=arg_types)
    mapping: dict[SSAValue, SSAValue] = dict(zip(args, block.args))
    for old, new in zip(args, block.args):
        new.name_hint = old.name_hint
    live: set[Operation] = set()
    pending = [r for r in results if r not in mapping]
    while pending:
        value = pending.pop()
        owner = value.owner
        if isinstance(owner, Operation) and owner not in live and value not in mapping:
            live.add(owner)
            pending += owner.operands
    for op in block_ops:
        if op not in live:
            continue
        if op.results[0] in mapping:  # now an argument
            continue
        if all(o in mapping for o in op.operands):
            block.add_op(op.clone(value_mapper=mapping))
    block.add_op(func.ReturnOp(*(mapping[r] for r in results)))
    return func.FuncOp("main", (arg_types, [r.type for r in results]), Region(block))


def _split(function: func.FuncOp, values: list[SSAValue]) -> tuple[func.FuncOp, func.FuncOp]:
    """(a function computing `values`, the function taking them as extra arguments)."""
    block = function.body.block
    ops = [op for op in block.ops if not isinstance(op, func.ReturnOp)]
    args = list(block.args)
    arg_types = [a.type for a in args]
    first = _function_of(ops, arg_types, args, values)
    returned = list(block.last_op.operands)  # type: ignore[union-attr]
    second = _function_of(ops, arg_types + [v.type for v in values], args + values, returned)
    return first, second


def plan_stages(
    function: func.FuncOp,
    labels: list[str],
    compile_stage: Callable[[func.FuncOp], StageCode],
) -> list[Stage]:
    """The stages that run `function`, the last one computing its results."""
    stages: list[Stage] = []

    def plan(fn: func.FuncOp, sources: list[Source], names: list[str], depth: int = 0) -> int:
        try:
            shapes = ShapeProgram(fn, names)
        except NeedsStaging as e:
            if depth > 16:
                raise NotImplementedError("shapes depend on values through more than 16 stages") from None
            first, rest = _split(fn, e.values)
            k = plan(first, sources, names, depth + 1)
            extra = [f"the value of {v.owner.name if isinstance(v.owner, Operation) else 'an argument'}"
                     f"{' at ' + describe_location(v.owner) if isinstance(v.owner, Operation) else ''}"
                     for v in e.values]
            return plan(rest, sources + [(k, j) for j in range(len(e.values))], names + extra, depth + 1)
        if fn.parent is None:
            ModuleOp([fn])  # a stage is a module of its own, as every pass expects
        stages.append(Stage(fn, sources, shapes, compile_stage(fn)))
        return len(stages) - 1

    plan(function, [(-1, i) for i in range(len(function.body.block.args))], labels)
    return stages
