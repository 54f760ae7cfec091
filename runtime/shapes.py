"""Concrete shape checking before any generated code runs.

A `ShapeProgram` walks a tg-level function once per call with the arguments,
asking each op's `infer_shape`. It yields the outputs' shapes (the caller allocates
them) and turns an op's ShapeError into a ValueError naming the op, the user's
source line and the function inputs the offending sizes came from.

Ops whose shape depends on operand values (`value_operands()`, e.g. alloc's sizes)
get those values: the arguments' arrays, sizes, constants, and small integer
arithmetic on them are evaluated here with the ops' numpy references. A value that
only generated code can compute raises `NeedsStaging` at construction: the function
is then run in stages (see `tg.function`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tg.dialects import tg
from tg.variable import describe_location
from xdsl.dialects import func
from xdsl.ir import Block, Operation, SSAValue

Shape = tuple[int, ...]


class NeedsStaging(Exception):
    """Shapes that depend on values computed by generated code."""

    def __init__(self, values: list[SSAValue]):
        super().__init__(f"{len(values)} value(s) must be computed before the shapes are known")
        self.values = values


def _evaluable_here(op: tg.TgOp) -> bool:
    """Ops computed in Python when a shape needs their value: sizes and small results."""
    if isinstance(op, tg.DimOp | tg.ConstantOp):
        return True
    return op.FUSION in ("elementwise", "view") and op.results[0].type.get_shape() == ()


class ShapeProgram:
    """The per-call shape computation of one function."""

    def __init__(self, function: func.FuncOp, labels: Sequence[str]):
        block = function.body.block
        self.labels = list(labels)
        self.slot: dict[SSAValue, int] = {a: i for i, a in enumerate(block.args)}
        self.steps: list[tuple[tg.TgOp, list[int], int]] = []
        self.value_slots: list[tuple[int, ...]] = []
        evaluable: set[int] = set(range(len(block.args)))
        needed: list[SSAValue] = []
        for op in block.ops:
            if isinstance(op, func.ReturnOp):
                self.outputs = [self.slot[v] for v in op.arguments]
                break
            assert isinstance(op, tg.TgOp)
            index = len(self.slot)
            self.slot[op.results[0]] = index
            operands = [self.slot[v] for v in op.operands]
            self.steps.append((op, operands, index))
            if _evaluable_here(op) and (isinstance(op, tg.DimOp) or all(i in evaluable for i in operands)):
                evaluable.add(index)
            wanted = op.value_operands()
            self.value_slots.append(tuple(operands[i] for i in wanted))
            needed += [op.operands[i] for i in wanted]
        missing = [v for v in dict.fromkeys(needed) if self.slot[v] not in evaluable]
        if missing:
            raise NeedsStaging(missing)
        # evaluate only what some shape needs, and what that needs in turn
        self.evaluate: set[int] = set()
        pending = [self.slot[v] for v in needed]
        producers = {index: (op, operands) for op, operands, index in self.steps}
        while pending:
            index = pending.pop()
            if index in self.evaluate or index not in producers:
                continue
            self.evaluate.add(index)
            op, operands = producers[index]
            if not isinstance(op, tg.DimOp):
                pending += operands
        # when no shape reads an argument's values (only sizes), the shapes of the last
        # arguments' sizes are kept: a training loop's calls skip the shape program
        reads_values = set(range(len(block.args)))
        for op, operands, index in self.steps:
            if not isinstance(op, tg.DimOp | tg.ConstantOp) and any(i in reads_values for i in operands):
                reads_values.add(index)
        self.sizes_only = not any(i in reads_values for wanted in self.value_slots for i in wanted)
        self._memo: tuple[tuple[Shape, ...], list[Shape]] | None = None

    def run(self, arguments: Sequence[np.ndarray]) -> list[Shape]:
        """Every output's shape; ValueError for arguments whose shapes don't fit."""
        if self.sizes_only:
            key = tuple(a.shape for a in arguments)
            memo = self._memo
            if memo is not None and memo[0] == key:
                return memo[1]
            result = self._run(arguments)
            self._memo = (key, result)
            return result
        return self._run(arguments)

    def _run(self, arguments: Sequence[np.ndarray]) -> list[Shape]:
        shapes: list[Shape] = [a.shape for a in arguments] + [()] * len(self.steps)
        values: dict[int, np.ndarray] = dict(enumerate(arguments)) if self.evaluate or any(self.value_slots) else {}
        for (op, operands, index), wanted in zip(self.steps, self.value_slots):
            operand_shapes = [shapes[i] for i in operands]
            try:
                if wanted:
                    shapes[index] = op.infer_shape(
                        operand_shapes, [values.get(i) if i in wanted else None for i in operands]
                    )
                else:
                    shapes[index] = op.infer_shape(operand_shapes)
            except tg.ShapeError as e:
                raise ValueError(self._explain(op, e, shapes)) from None
            if index in self.evaluate:
                if isinstance(op, tg.DimOp):
                    values[index] = np.int64(operand_shapes[0][op.axis_index])
                else:
                    values[index] = op.reference(*(values[i] for i in operands))
        return [shapes[i] for i in self.outputs]

    def _explain(self, op: tg.TgOp, error: tg.ShapeError, shapes: list[Shape]) -> str:
        where = describe_location(op)
        lines = [f"{op.name}{' at ' + where if where else ''}: {error}"]
        for operand, axis in error.culprits:
            origins = self._origins(op.operands[operand], axis)
            described = ", ".join(
                f"{self.labels[arg]} (shape {shapes[arg]}) dimension {a}" for arg, a in origins
            )
            lines.append(
                f"  operand {operand} (shape {shapes[self.slot[op.operands[operand]]]}) dimension {axis}"
                + (f" comes from {described}" if described else "")
            )
        return "\n".join(lines)

    def _origins(self, value: SSAValue, axis: int) -> list[tuple[int, int]]:
        """The (function argument, axis) pairs a dimension's size is taken from."""
        found: list[tuple[int, int]] = []
        stack = [(value, axis)]
        while stack:
            v, a = stack.pop()
            if isinstance(v.owner, Block):
                found.append((self.slot[v], a))
                continue
            owner = v.owner
            assert isinstance(owner, Operation) and isinstance(owner, tg.TgOp)
            for operand, operand_axis in owner.dim_sources(a):
                stack.append((owner.operands[operand], operand_axis))
        return sorted(set(found))
