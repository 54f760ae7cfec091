"""`tg` ops with regions: `tg.map` stacks the results of a body run once per index
(what `jacobian` and `hessian` are built from) and `tg.yield` ends the body.

    %J = tg.map %n, %x {
    ^bb0(%i: tensor<i64>, %x1: tensor<?xf64>):
      ...
      tg.yield %row : tensor<?xf64>
    } : (tensor<i64>, tensor<?xf64>) -> tensor<?x?xf64>

The body is isolated: it reads only its block arguments, the index and one argument
per captured operand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import dtype_of, static_shape, tensor_type
from tg.dialects.tg import (
    SIZE_TYPE,
    TG_TENSOR,
    ConcreteShape,
    ShapeError,
    TgOp,
    verify_sizes,
)
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import HasParent, IsolatedFromAbove, IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

INDEX_TYPE = SIZE_TYPE


@irdl_op_definition
class MapOp(TgOp):
    """Run the body for i = 0 .. count-1 and stack the rows it yields."""

    name = "tg.map"
    FUSION: ClassVar[str] = "stored"
    count = operand_def(TG_TENSOR)
    captures = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove())
    assembly_format = "$count (`,` $captures^)? $body attr-dict `:` functional-type(operands, results)"

    def __init__(self, count: SSAValue, captures: Sequence[SSAValue], body: Region, result_type: TensorType):
        super().__init__(operands=[count, captures], result_types=[result_type], regions=[body])

    @property
    def row(self) -> SSAValue:
        terminator = self.body.block.last_op
        assert isinstance(terminator, YieldOp)
        return terminator.value

    def verify_(self) -> None:
        verify_sizes(self, [self.count], "the count")
        block = self.body.block
        expected = [INDEX_TYPE, *(c.type for c in self.captures)]
        if [a.type for a in block.args] != expected:
            raise VerifyException(
                "tg.map: the body's arguments must be the index (tensor<i64>) and one per captured "
                f"operand ({', '.join(map(str, expected))}), got {', '.join(str(a.type) for a in block.args)}"
            )
        if not isinstance(block.last_op, YieldOp):
            raise VerifyException("tg.map: the body must end with tg.yield")
        row = self.row.type
        assert isinstance(row, TensorType)
        want = tensor_type(row.element_type, [None, *static_shape(row)])
        if self.result.type != want:
            raise VerifyException(f"tg.map: the result type must be {want} (rows of the yielded type), got {self.result.type}")

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(len(self.operands)))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        n = int(values[0])  # type: ignore[arg-type]
        if n < 0:
            raise ShapeError(f"tg.map: negative count {n}")
        try:
            return (n, *self.row_shape(list(values[1:])))  # type: ignore[arg-type]
        except (IndexError, ValueError):
            if n:
                raise
            # no rows: the body may not even run for index 0 (say it indexes a row);
            # the rows' unknown sizes are then 0
            return (0, *(d or 0 for d in static_shape(self.row.type)))

    def row_shape(self, captured: list[np.ndarray]) -> ConcreteShape:
        """The shape every row has (the body run for index 0 by the shape program)."""
        from tg.runtime.shapes import ShapeProgram

        program = ShapeProgram(_as_function(self), ["index", *(f"capture {i}" for i in range(len(captured)))])
        (shape,) = program.run([np.int64(0), *captured])
        return shape

    def reference(self, *args: np.ndarray) -> np.ndarray:
        from tg.dialects.interpreter import run_block

        n, captured = int(args[0]), list(args[1:])
        out = np.empty(self.infer_shape([a.shape for a in args], list(args)), dtype_of(self.result.type))
        for i in range(n):
            out[i] = run_block(self.body.block, [np.int64(i), *captured])[0]
        return out

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return []

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        raise NotImplementedError("tg.map has no gradient yet (jacobian of a jacobian)")




def _as_function(op: MapOp) -> Any:
    """The body as a `func.func` (cloned), for the shape program."""
    from xdsl.dialects import func

    block = op.body.block
    new = Block(arg_types=[a.type for a in block.args])
    mapping: dict[SSAValue, SSAValue] = dict(zip(block.args, new.args))
    for inner in block.ops:
        if isinstance(inner, YieldOp):
            new.add_op(func.ReturnOp(mapping[inner.value]))
        else:
            new.add_op(inner.clone(value_mapper=mapping))
    return func.FuncOp("body", ([a.type for a in block.args], [op.row.type]), Region(new))


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends a tg.map body with the row it computes. `tg.yield %row : tensor<?xf64>`"""

    name = "tg.yield"
    value = operand_def(TG_TENSOR)
    traits = traits_def(IsTerminator(), HasParent(MapOp), Pure())
    assembly_format = "$value attr-dict `:` type($value)"

    def __init__(self, value: SSAValue):
        super().__init__(operands=[value])


OPS: list[type[Operation]] = [MapOp, YieldOp]
