"""Concrete shape checking before any generated code runs.

A `ShapeProgram` walks a tg-level function once per call with the inputs' shapes,
asking each op's `infer_shape`. It yields the outputs' shapes (the caller allocates
them) and turns an op's ShapeError into a ValueError naming the op, the user's
source line and the function inputs the offending sizes came from.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.ir import Block, Operation, SSAValue

from tg.dialects import tg
from tg.dialects.tensor_types import is_integer
from tg.variable import describe_location

Shape = tuple[int, ...]


class ShapeProgram:
    """The per-call shape computation of one function."""

    def __init__(self, function: func.FuncOp, labels: Sequence[str]):
        block = function.body.block
        self.labels = list(labels)
        self.slot: dict[SSAValue, int] = {a: i for i, a in enumerate(block.args)}
        self.steps: list[tuple[tg.TgOp, list[int], int]] = []
        self.known: set[int] = set()
        """Slots holding 0-d integers computable from shapes alone (sizes for alloc)."""
        for op in block.ops:
            if isinstance(op, func.ReturnOp):
                self.outputs = [self.slot[v] for v in op.arguments]
                break
            assert isinstance(op, tg.TgOp)
            result = op.results[0]
            index = len(self.slot)
            self.slot[result] = index
            operands = [self.slot[v] for v in op.operands]
            self.steps.append((op, operands, index))
            if self._computable(op, operands):
                self.known.add(index)
            if isinstance(op, tg.BroadcastOp) and not all(i in self.known for i in operands[1:]):
                raise NotImplementedError(
                    f"alloc at {describe_location(op)}: sizes computed from tensor data are not "
                    f"supported yet; use shapes (x.shape[i]), constants and arithmetic on them"
                )

    def _computable(self, op: tg.TgOp, operands: list[int]) -> bool:
        result = op.results[0]
        if result.type.get_shape() != () or not is_integer(result.type):
            return False
        if isinstance(op, tg.DimOp | tg.ConstantOp):
            return True
        return isinstance(op, tg.BinaryOp | tg.UnaryOp | tg.CastOp) and all(i in self.known for i in operands)

    def run(self, input_shapes: Sequence[Shape]) -> list[Shape]:
        """Every output's shape; ValueError for inputs whose shapes don't fit."""
        shapes: list[Shape] = list(input_shapes) + [()] * len(self.steps)
        values: dict[int, np.ndarray] = {}
        for op, operands, index in self.steps:
            operand_shapes = [shapes[i] for i in operands]
            try:
                if isinstance(op, tg.BroadcastOp):
                    sizes = [int(values[i]) for i in operands[1:]]
                    shapes[index] = op.shape_from_values(operand_shapes[0], sizes)
                else:
                    shapes[index] = op.infer_shape(operand_shapes)
            except tg.ShapeError as e:
                raise ValueError(self._explain(op, e, shapes)) from None
            if index in self.known:
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
