"""`x.shape`: the symbolic sizes of a tensor, each a 0-d int64 variable."""

from __future__ import annotations

import numpy as np
from tg.dialects import tg
from tg.dialects.tensor_types import static_shape
from tg.variable import TensorVariable
from xdsl.ir import SSAValue


def size_source(value: SSAValue, axis: int) -> tuple[SSAValue, int]:
    """The earliest value whose dimension `axis` has the same size, following each op's
    `dim_sources`, so that a shape query depends on as little of the graph as possible
    (a gradient's `x.shape` then needs no data of `x`)."""
    while static_shape(value.type)[axis] is None:
        owner = value.owner
        if not isinstance(owner, tg.TgOp):
            break
        sources = owner.dim_sources(axis)
        if not sources:
            break
        operand, axis = sources[0]
        value = owner.operands[operand]
    return value, axis


class SymbolicShape:
    """A tuple-like view of a tensor's sizes; `x.shape[0]` is an int64 scalar."""

    def __init__(self, tensor: TensorVariable):
        self.tensor = tensor

    def __len__(self) -> int:
        return self.tensor.ndim

    def __getitem__(self, axis: int) -> TensorVariable:
        from tg.tensor.basic import build, constant

        ndim = self.tensor.ndim
        if not isinstance(axis, int) or not -ndim <= axis < ndim:
            raise IndexError(f"shape index {axis!r} is out of range for a {ndim}-d tensor")
        value, axis = size_source(self.tensor.value, axis % ndim)
        static = static_shape(value.type)[axis]
        if static is not None:
            return constant(np.int64(static))
        return build(tg.DimOp(value, axis))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"Shape({self.tensor!r})"
