"""`tg` ops: reductions and scans (see tg.dialects.tg for the op interfaces).

`min` and `prod` reduce like `sum`/`max`; `argmax`/`argmin` give the row-major
index, over the reduced axes, of the first extreme element (the first NaN if there
is one, as numpy); `cumsum`/`cumprod` scan one axis, forward or in reverse (the
reverse scan is the forward one's adjoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import is_bool, static_shape, tensor_type
from tg.dialects.tg import (
    INDEX_ARRAY,
    TG_TENSOR,
    ConcreteShape,
    ExtremumOp,
    ReduceOp,
    ShapeError,
    TgOp,
    _restore_axes,
    _tensor,
)
from xdsl.dialects.builtin import DenseArrayBase, UnitAttr, i64
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import (
    VarConstraint,
    attr_def,
    irdl_op_definition,
    operand_def,
    opt_attr_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


def _check_not_empty(name: str, shape: ConcreteShape, axes: Sequence[int]) -> None:
    for axis in axes:
        if shape[axis] == 0:
            raise ShapeError(
                f"{name} over dimension {axis} of size 0: the {name} of no elements is undefined",
                [(0, axis)],
            )


# ------------------------------------------------------------------ min and prod


@irdl_op_definition
class MinOp(ExtremumOp):
    """Minimum over axes (NaN propagates). `%r = tg.min %x {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>`"""

    name = "tg.min"

    def compute(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        return np.min(x, axis=axes)


@irdl_op_definition
class ProdOp(ReduceOp):
    """Product over axes (1 for none). `%r = tg.prod %x {axes = array<i64: 1>} : tensor<?x?xf64> -> tensor<?xf64>`"""

    name = "tg.prod"

    def reference(self, *args: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(np.prod(args[0], axis=self.reduced, dtype=self._result_dtype()))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        # d prod / d x_i is the product of the others: prod / x_i without zeros; with
        # one zero, the product of the nonzero elements at the zero and 0 elsewhere;
        # with several zeros, 0 everywhere
        (x,) = inputs
        axes = self.reduced
        is_zero = T.eq(x, 0)
        zeros = _restore_axes(T.sum(is_zero, axis=list(axes)), x.ndim, axes)
        nonzero_prod = _restore_axes(
            T.build(ProdOp(T.switch(is_zero, T.ones_like(x), x).value, axes)), x.ndim, axes
        )
        at_zero = T.switch(T.eq(zeros, 1), nonzero_prod, 0)
        elsewhere = T.switch(T.eq(zeros, 0), nonzero_prod / T.switch(is_zero, T.ones_like(x), x), 0)
        return [_restore_axes(g, x.ndim, axes) * T.switch(is_zero, at_zero, elsewhere)]


# ------------------------------------------------------------------- arg reduce


class ArgReduceOp(TgOp):
    """Index of an extreme element over a set of axes (removed from the result): the
    row-major position within the reduced axes, as int64."""

    READS_ONCE: ClassVar[bool] = True
    NUMPY: ClassVar[Any]

    input = operand_def(TG_TENSOR)
    axes = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, axes: Sequence[int]):
        shape = static_shape(input.type)
        kept = [d for a, d in enumerate(shape) if a not in set(axes)]
        super().__init__(
            operands=[input],
            result_types=[tensor_type(i64, kept)],
            attributes={"axes": DenseArrayBase.from_list(i64, sorted(axes))},
        )

    @property
    def reduced(self) -> tuple[int, ...]:
        return tuple(self.axes.get_values())

    def verify_(self) -> None:
        t = _tensor(self.input)
        rank = len(t.get_shape())
        axes = self.reduced
        if list(axes) != sorted(set(axes)) or any(not 0 <= a < rank for a in axes):
            raise VerifyException(
                f"{self.name}: axes must be distinct, sorted and in [0, {rank}), got {list(axes)}"
            )
        if is_bool(t):
            raise VerifyException(f"{self.name}: boolean operands are not supported, got {t}")
        shape = static_shape(t)
        expected = tensor_type(i64, [d for a, d in enumerate(shape) if a not in axes])
        if self.result.type != expected:
            raise VerifyException(f"{self.name}: result type must be {expected}, got {self.result.type}")

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        _check_not_empty(self.name[3:], shapes[0], self.reduced)
        return tuple(d for a, d in enumerate(shapes[0]) if a not in self.reduced)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        kept = [a for a in range(len(static_shape(self.input.type))) if a not in self.reduced]
        return [(0, kept[axis])]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x = args[0]
        shape = self.infer_shape([x.shape])
        kept = [a for a in range(x.ndim) if a not in self.reduced]
        size = int(np.prod([x.shape[a] for a in self.reduced]))
        moved = np.transpose(x, kept + list(self.reduced)).reshape(shape + (size,))
        return np.asarray(type(self).NUMPY(moved, axis=-1), dtype=np.int64)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


@irdl_op_definition
class ArgMaxOp(ArgReduceOp):
    """Index of the first maximum (or first NaN).
    `%r = tg.argmax %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xi64>`"""

    name = "tg.argmax"
    NUMPY: ClassVar[Any] = np.argmax


@irdl_op_definition
class ArgMinOp(ArgReduceOp):
    """Index of the first minimum (or first NaN).
    `%r = tg.argmin %x {axes = array<i64: 0, 1>} : tensor<?x?xi32> -> tensor<i64>`"""

    name = "tg.argmin"
    NUMPY: ClassVar[Any] = np.argmin


# ------------------------------------------------------------------------- scans


class ScanOp(TgOp):
    """Inclusive scan along one axis: element i combines elements 0..i (i..n-1 when
    `reverse`). The result has the operand's type."""

    READS_ONCE: ClassVar[bool] = True
    NUMPY: ClassVar[Any]

    T: ClassVar = VarConstraint("T", TG_TENSOR)
    input = operand_def(T)
    axis = attr_def(INDEX_ARRAY)
    reverse = opt_attr_def(UnitAttr)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue, axis: int, reverse: bool = False):
        attributes: dict[str, Any] = {"axis": DenseArrayBase.from_list(i64, [axis])}
        if reverse:
            attributes["reverse"] = UnitAttr()
        super().__init__(operands=[input], result_types=[input.type], attributes=attributes)

    @property
    def axis_index(self) -> int:
        return self.axis.get_values()[0]

    @property
    def is_reverse(self) -> bool:
        return self.reverse is not None

    def verify_(self) -> None:
        t = _tensor(self.input)
        rank = len(t.get_shape())
        axes = self.axis.get_values()
        if len(axes) != 1 or not 0 <= axes[0] < rank:
            raise VerifyException(f"{self.name}: axis must be one index in [0, {rank}), got {list(axes)}")
        if is_bool(t):
            raise VerifyException(f"{self.name}: boolean operands are not supported, got {t}")
        if self.result.type != t:
            raise VerifyException(
                f"{self.name}: result type must equal the operand type {t}, got {self.result.type}"
            )

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, axis = args[0], self.axis_index
        if self.is_reverse:
            x = np.flip(x, axis)
        with np.errstate(all="ignore"):
            r = type(self).NUMPY(x, axis=axis, dtype=self._result_dtype())
        return np.ascontiguousarray(np.flip(r, axis) if self.is_reverse else r)


@irdl_op_definition
class CumsumOp(ScanOp):
    """Cumulative sum. `%r = tg.cumsum %x {axis = array<i64: 0>} : tensor<?x?xf32>`"""

    name = "tg.cumsum"
    NUMPY: ClassVar[Any] = np.cumsum

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        return [T.build(CumsumOp(T.cast(g, output.dtype).value, self.axis_index, not self.is_reverse))]


@irdl_op_definition
class CumprodOp(ScanOp):
    """Cumulative product. `%r = tg.cumprod %x {axis = array<i64: 1>, reverse} : tensor<?x?xf64>`"""

    name = "tg.cumprod"
    NUMPY: ClassVar[Any] = np.cumprod

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        # grad_i = sum_{j >= i} g_j * prod_{k <= j, k != i} x_k (forward scan). Before
        # the first zero z that is revcumsum(g * out)_i / x_i; at z it is
        # revcumsum(g * out')_z with x_z replaced by 1 in out'; after z it is 0.
        (x,) = inputs
        axis, reverse = self.axis_index, self.is_reverse
        g = T.cast(g, x.dtype)

        def scan(op: type[ScanOp], v: Any, backward: bool) -> Any:
            return T.build(op(v.value, axis, backward))

        is_zero = T.eq(x, 0)
        zeros_so_far = scan(CumsumOp, T.cast(is_zero, "int64"), reverse)
        before = T.eq(zeros_so_far, 0)
        first_zero = T.switch(is_zero, T.eq(zeros_so_far, 1), False)
        safe_x = T.switch(is_zero, T.ones_like(x), x)
        plain = scan(CumsumOp, g * output, not reverse) / safe_x
        patched = scan(
            CumsumOp, g * scan(CumprodOp, T.switch(first_zero, T.ones_like(x), x), reverse), not reverse
        )
        return [T.switch(before, plain, T.switch(first_zero, patched, 0))]


OPS: list[type[Operation]] = [MinOp, ProdOp, ArgMaxOp, ArgMinOp, CumsumOp, CumprodOp]
"""The reduction and scan ops of the tg dialect."""
