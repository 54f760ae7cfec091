"""`tg` ops: shape (see tg.dialects.tg for the op interfaces).

Reshape, concatenation, slices along one axis (`narrow`, the adjoint of
concatenation) and `arange`. Buffers are contiguous and row major, so a reshape is a
view: the lowering maps result indices to input indices through the linear index.
Sizes, starts and bounds are 0-d operands whose values the shape program reads
before any generated code runs (`value_operands`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import Shape, is_bool, static_shape, tensor_type
from tg.dialects.tg import (
    INDEX_ARRAY,
    TG_TENSOR,
    ConcreteShape,
    ShapeError,
    TgOp,
    _fmt_shape,
    _tensor,
    verify_sizes,
)
from xdsl.dialects.builtin import DenseArrayBase, TensorType, i64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    attr_def,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


def _single_axis(op: Operation, axes: DenseArrayBase, rank: int) -> int:
    values = axes.get_values()  # type: ignore[misc]
    if len(values) != 1 or not 0 <= values[0] < rank:
        raise VerifyException(f"{op.name}: axis must be one index in [0, {rank}), got {list(values)}")
    return values[0]


# ------------------------------------------------------------------------ reshape


def resolve_sizes(total: int, sizes: Sequence[int]) -> tuple[int, ...]:
    """numpy's reshape sizes: at most one -1, inferred from `total` elements; ValueError
    (ShapeError) when they do not hold exactly `total` elements."""
    sizes = [int(s) for s in sizes]
    unknown = [a for a, s in enumerate(sizes) if s == -1]
    bad = [s for s in sizes if s < -1]
    if bad or len(unknown) > 1:
        raise ShapeError(
            f"sizes {tuple(sizes)} are invalid: each must be non-negative, except one that may be -1"
        )
    known = math.prod(s for s in sizes if s != -1)
    if unknown:
        if known == 0:
            raise ShapeError(f"cannot infer the -1 in sizes {tuple(sizes)}: the other sizes hold no elements")
        if total % known:
            raise ShapeError(f"cannot reshape {total} elements into sizes {tuple(sizes)}")
        sizes[unknown[0]] = total // known
    elif known != total:
        raise ShapeError(f"cannot reshape {total} elements into shape {tuple(sizes)} ({known} elements)")
    return tuple(sizes)


@irdl_op_definition
class ReshapeOp(TgOp):
    """numpy's reshape: the same elements in row-major order under new sizes, given as
    0-d int64 operands; one size may be -1 (inferred, as in numpy).

        %r = tg.reshape %x to %n, %m : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4xf32>
    """

    FUSION: ClassVar[str] = "view"
    VIEW_OF: ClassVar[int | None] = 0
    READS_ONCE: ClassVar[bool] = True

    name = "tg.reshape"
    input = operand_def(TG_TENSOR)
    sizes = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input `to` $sizes attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, sizes: Sequence[SSAValue], result_shape: Shape):
        elt = _tensor(input).element_type
        super().__init__(operands=[input, sizes], result_types=[tensor_type(elt, result_shape)])

    def verify_(self) -> None:
        src, res = _tensor(self.input), _tensor(self.result)
        if src.element_type != res.element_type:
            raise VerifyException(
                f"tg.reshape: result element type must equal the input's {src.element_type}, "
                f"got {res.element_type}"
            )
        rank = len(res.get_shape())
        if len(self.sizes) != rank:
            raise VerifyException(
                f"tg.reshape: expected {rank} sizes for a rank-{rank} result, got {len(self.sizes)}"
            )
        verify_sizes(self, self.sizes, "sizes")
        src_shape, res_shape = static_shape(src), static_shape(res)
        if None not in src_shape and None not in res_shape and math.prod(src_shape) != math.prod(res_shape):  # type: ignore[arg-type]
            raise VerifyException(
                f"tg.reshape: {_fmt_shape(src_shape)} and {_fmt_shape(res_shape)} hold different "
                f"numbers of elements"
            )

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(1, len(self.operands)))

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        total = math.prod(shapes[0])
        try:
            result = resolve_sizes(total, [int(v) for v in values[1:]])  # type: ignore[arg-type]
        except ShapeError as e:
            raise ShapeError(
                f"input of shape {tuple(shapes[0])}: {e}", [(0, a) for a in range(len(shapes[0]))]
            ) from None
        for axis, (n, d) in enumerate(zip(result, static_shape(self.result.type))):
            if d is not None and d != n:
                raise ShapeError(f"dimension {axis} is declared of size {d} but {n} was requested")
        return result

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self.infer_shape([args[0].shape], [None, *args[1:]])
        return np.ascontiguousarray(args[0]).reshape(shape).copy()

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import shape_ops

        x = inputs[0]
        return [shape_ops.reshape(g, x.shape)] + [None] * len(self.sizes)


# -------------------------------------------------------------------- concatenate


@irdl_op_definition
class ConcatenateOp(TgOp):
    """numpy's concatenate: operands of one rank and element type joined along `axis`;
    their other dimensions must have equal sizes.

        %r = tg.concatenate %a, %b {axis = array<i64: 0>} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
    """

    READS_ONCE: ClassVar[bool] = True

    name = "tg.concatenate"
    inputs = var_operand_def(TG_TENSOR)
    axis = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def __init__(self, inputs: Sequence[SSAValue], axis: int):
        t = _tensor(inputs[0])
        shape = ConcatenateOp.static_result_shape([static_shape(v.type) for v in inputs], axis)
        super().__init__(
            operands=[inputs],
            result_types=[tensor_type(t.element_type, shape)],
            attributes={"axis": DenseArrayBase.from_list(i64, [axis])},
        )

    @staticmethod
    def static_result_shape(shapes: Sequence[Shape], axis: int) -> Shape:
        """The static result shape; ValueError when static sizes disagree."""
        result: list[int | None] = []
        for a in range(len(shapes[0])):
            dims = [s[a] for s in shapes]
            if a == axis:
                result.append(None if None in dims else sum(dims))  # type: ignore[arg-type]
                continue
            static = {d for d in dims if d is not None}
            if len(static) > 1:
                raise ValueError(f"dimension {a} has different static sizes {sorted(static)}")
            result.append(static.pop() if static else None)
        return tuple(result)

    @property
    def axis_index(self) -> int:
        return self.axis.get_values()[0]

    def verify_(self) -> None:
        if not self.inputs:
            raise VerifyException("tg.concatenate: expected at least one operand")
        types = [_tensor(v) for v in self.inputs]
        ranks = {len(t.get_shape()) for t in types}
        if len(ranks) != 1:
            raise VerifyException(
                "tg.concatenate: operands must have the same rank, got " + ", ".join(str(t) for t in types)
            )
        rank = ranks.pop()
        if rank == 0:
            raise VerifyException("tg.concatenate: 0-d operands cannot be concatenated")
        axis = _single_axis(self, self.axis, rank)
        if len({t.element_type for t in types}) != 1:
            raise VerifyException(
                "tg.concatenate: operands must have the same element type, got "
                + ", ".join(str(t.element_type) for t in types)
            )
        try:
            shape = self.static_result_shape([static_shape(t) for t in types], axis)
        except ValueError as e:
            raise VerifyException(f"tg.concatenate: {e}") from None
        expected = tensor_type(types[0].element_type, shape)
        if self.result.type != expected:
            raise VerifyException(f"tg.concatenate: result type must be {expected}, got {self.result.type}")

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        axis = self.axis_index
        first = shapes[0]
        for i, s in enumerate(shapes[1:], 1):
            for a, (n, m) in enumerate(zip(first, s)):
                if a != axis and n != m:
                    raise ShapeError(
                        f"operands are joined along dimension {axis}, so their dimension {a} "
                        f"must agree, but operand 0 has {n} and operand {i} has {m}",
                        [(0, a), (i, a)],
                    )
        return tuple(sum(s[axis] for s in shapes) if a == axis else n for a, n in enumerate(first))

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        if axis == self.axis_index:
            return []
        return [(i, axis) for i in range(len(self.inputs))]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        self.infer_shape([a.shape for a in args])
        return np.concatenate(args, axis=self.axis_index)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import shape_ops

        axis = self.axis_index
        grads = []
        start: Any = 0
        for x in inputs:
            length = shape_ops.static_or_symbolic(x.shape[axis])
            grads.append(shape_ops.narrow(g, axis, start, length))
            start = shape_ops.add_sizes(start, length)
        return grads


# ------------------------------------------------------------------------- narrow


@irdl_op_definition
class NarrowOp(TgOp):
    """The slice [start, start + length) of one axis (the gradient of concatenate):
    a view, with start and length as 0-d int64 operands.

        %r = tg.narrow %x, %start, %length {axis = array<i64: 1>}
            : (tensor<?x?xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
    """

    FUSION: ClassVar[str] = "view"
    VIEW_OF: ClassVar[int | None] = 0
    READS_ONCE: ClassVar[bool] = True

    name = "tg.narrow"
    input = operand_def(TG_TENSOR)
    start = operand_def(TG_TENSOR)
    length = operand_def(TG_TENSOR)
    axis = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $start `,` $length attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, axis: int, start: SSAValue, length: SSAValue, static_length: int | None
    ):
        t = _tensor(input)
        shape = list(static_shape(t))
        shape[axis] = static_length
        super().__init__(
            operands=[input, start, length],
            result_types=[tensor_type(t.element_type, shape)],
            attributes={"axis": DenseArrayBase.from_list(i64, [axis])},
        )

    @property
    def axis_index(self) -> int:
        return self.axis.get_values()[0]

    def verify_(self) -> None:
        src, res = _tensor(self.input), _tensor(self.result)
        rank = len(src.get_shape())
        axis = _single_axis(self, self.axis, rank)
        verify_sizes(self, [self.start, self.length], "start and length")
        src_shape, res_shape = static_shape(src), static_shape(res)
        expected = list(src_shape)
        expected[axis] = res_shape[axis] if len(res_shape) == rank else None
        if res.element_type != src.element_type or list(res_shape) != expected:
            raise VerifyException(
                f"tg.narrow: result type must be {tensor_type(src.element_type, expected)} "
                f"(the input's, but for dimension {axis}), got {res}"
            )
        n, d = res_shape[axis], src_shape[axis]
        if n is not None and d is not None and n > d:
            raise VerifyException(f"tg.narrow: a slice of {n} elements of a dimension of size {d}")

    def value_operands(self) -> tuple[int, ...]:
        return (1, 2)

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        axis = self.axis_index
        size = shapes[0][axis]
        start, length = int(values[1]), int(values[2])  # type: ignore[arg-type]
        if start < 0 or length < 0 or start + length > size:
            raise ShapeError(
                f"the slice [{start}, {start + length}) of dimension {axis} is outside [0, {size})",
                [(0, axis)],
            )
        static = static_shape(self.result.type)[axis]
        if static is not None and static != length:
            raise ShapeError(f"dimension {axis} is declared of size {static} but has {length}")
        return tuple(length if a == axis else n for a, n in enumerate(shapes[0]))

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [] if axis == self.axis_index else [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, start, length = args
        self.infer_shape([x.shape], [None, start, length])
        index = [slice(None)] * x.ndim
        index[self.axis_index] = slice(int(start), int(start) + int(length))
        return np.ascontiguousarray(x[tuple(index)])

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import shape_ops

        x, start, length = inputs
        axis = self.axis_index
        size = shape_ops.static_or_symbolic(x.shape[axis])
        start_v = shape_ops.static_or_symbolic(start)
        after = shape_ops.sub_sizes(size, shape_ops.add_sizes(start_v, shape_ops.static_or_symbolic(length)))
        return [shape_ops.pad_axis(g, axis, start_v, after), None, None]


# ------------------------------------------------------------------------- arange


def arange_length(start: Any, stop: Any, step: Any) -> int:
    """numpy's arange length: ceil((stop - start) / step), at least 0 (exact for
    integers); ShapeError for a zero step or non-finite bounds."""
    if step == 0:
        raise ShapeError("arange: the step is zero")
    if (
        isinstance(start, np.integer | int)
        and isinstance(stop, np.integer | int)
        and isinstance(step, np.integer | int)
    ):
        return max(0, -((int(start) - int(stop)) // int(step)))
    q = (float(stop) - float(start)) / float(step)
    if not math.isfinite(q):
        raise ShapeError(f"arange: cannot compute the length of [{start}, {stop}) in steps of {step}")
    return max(0, math.ceil(q))


@irdl_op_definition
class ArangeOp(TgOp):
    """numpy's arange: start + i * step for i in [0, ceil((stop - start) / step)), the
    bounds being 0-d operands of the result's element type.

        %r = tg.arange %start, %stop, %step : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    """

    FUSION: ClassVar[str] = "view"  # generated from its (0-d) operands where read
    READS_ONCE: ClassVar[bool] = False

    name = "tg.arange"
    start = operand_def(TG_TENSOR)
    stop = operand_def(TG_TENSOR)
    step = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$start `,` $stop `,` $step attr-dict `:` functional-type(operands, results)"

    def __init__(self, start: SSAValue, stop: SSAValue, step: SSAValue, length: int | None = None):
        elt = _tensor(start).element_type
        super().__init__(operands=[start, stop, step], result_types=[tensor_type(elt, [length])])

    def verify_(self) -> None:
        res = _tensor(self.result)
        if len(res.get_shape()) != 1:
            raise VerifyException(f"tg.arange: the result must be a vector, got {res}")
        if is_bool(res):
            raise VerifyException(f"tg.arange: boolean results are not supported, got {res}")
        expected: Attribute = TensorType(res.element_type, [])
        for v in (self.start, self.stop, self.step):
            if v.type != expected:
                raise VerifyException(
                    f"tg.arange: bounds must be {expected} (0-d, of the result's element type), got {v.type}"
                )

    def value_operands(self) -> tuple[int, ...]:
        return (0, 1, 2)

    def infer_shape(
        self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()
    ) -> ConcreteShape:
        start, stop, step = (np.asarray(v)[()] for v in values)
        n = arange_length(start, stop, step)
        static = static_shape(self.result.type)[0]
        if static is not None and static != n:
            raise ShapeError(f"the result is declared of length {static} but has {n}")
        return (n,)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        (n,) = self.infer_shape([(), (), ()], args)
        dtype = self._result_dtype()
        start, step = (np.asarray(a, dtype)[()] for a in (args[0], args[2]))
        with np.errstate(all="ignore"):
            return (start + np.arange(n).astype(dtype) * step).astype(dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None, None, None]


OPS: list[type[Operation]] = [ReshapeOp, ConcatenateOp, NarrowOp, ArangeOp]
"""The shape ops of the tg dialect."""
