"""`x.shape`: the symbolic sizes of a tensor, each a 0-d int64 variable."""

from __future__ import annotations

from tg.dialects import tg
from tg.variable import TensorVariable


class SymbolicShape:
    """A tuple-like view of a tensor's sizes; `x.shape[0]` is an int64 scalar."""

    def __init__(self, tensor: TensorVariable):
        self.tensor = tensor

    def __len__(self) -> int:
        return self.tensor.ndim

    def __getitem__(self, axis: int) -> TensorVariable:
        from tg.tensor.basic import build

        ndim = self.tensor.ndim
        if not isinstance(axis, int) or not -ndim <= axis < ndim:
            raise IndexError(f"shape index {axis!r} is out of range for a {ndim}-d tensor")
        return build(tg.DimOp(self.tensor.value, axis % ndim))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return f"Shape({self.tensor!r})"
