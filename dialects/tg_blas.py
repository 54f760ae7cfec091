"""`tg` ops shaped like BLAS routines: what `tg-blas` turns products and their linear
combinations into, and what each backend lowers to its BLAS (OpenBLAS on the CPU).

The ops are device neutral and value semantic. `op(x)` is `x` or, with the op's
transpose flag, `x.T`. Scalars `alpha` and `beta` are 0-d tensors of the element type
(constants or computed values). As in BLAS, `beta == 0` means `z` is not read (NaN
and inf in it do not propagate) and `alpha == 0` means the product is not computed.
Operands are float32 or float64, all of one element type; nothing broadcasts.
`destroyable_operands()` names the accumulator `z`, so bufferization may write the
result over it (BLAS updates it in place).

    %r = tg.gemm %z, %alpha, %x, %y, %beta {trans_x} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
    %r = tg.gemv %alpha, %a, %x, %beta : (tensor<f64>, tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?xf64>
    %r = tg.ger %z, %alpha, %x, %y : (tensor<?x?xf32>, tensor<f32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
    %r = tg.vdot %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
    %r = tg.batched_gemm %x, %y {trans_y} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import (
    Shape,
    dtype_of,
    is_float,
    static_shape,
    tensor_type,
)
from tg.dialects.tg import TG_TENSOR, ConcreteShape, ShapeError, TgOp
from xdsl.dialects.builtin import TensorType, UnitAttr
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_attr_def,
    opt_operand_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

_FORMAT = "operands attr-dict `:` functional-type(operands, results)"


def _fmt(shape: Shape) -> str:
    return "x".join("?" if d is None else str(d) for d in shape) or "scalar"


def _unify(op: Operation, what: str, sizes: Sequence[int | None]) -> int | None:
    """The one static size among `sizes` (None if all dynamic); VerifyException when
    two static sizes differ."""
    static = {s for s in sizes if s is not None}
    if len(static) > 1:
        raise VerifyException(f"{op.name}: {what} differ: {' vs '.join(_fmt((s,)) for s in sizes)}")
    return static.pop() if static else None


def _equal(sizes: Sequence[tuple[int, int, int]], what: str) -> int:
    """The common concrete size of (size, operand, axis) triples; ShapeError naming
    every operand axis involved when they differ."""
    first = sizes[0][0]
    if any(s != first for s, _, _ in sizes):
        found = ", ".join(f"{s} (operand {i}, axis {a})" for s, i, a in sizes)
        raise ShapeError(f"{what} differ: {found}", [(i, a) for _, i, a in sizes])
    return first


class BlasOp(TgOp):
    """Base of the BLAS-shaped ops: stored, float32/float64 operands of one element
    type, `op(x)` per transpose flag."""

    FUSION: ClassVar[str] = "stored"
    READS_ONCE: ClassVar[bool] = False
    RANKS: ClassVar[dict[str, int]]
    """Operand (field) name -> required rank; the result's rank under "result"."""

    def _verify_types(self) -> None:
        types = [v.type for v in self.operands] + [self.results[0].type]
        elements = {t.element_type for t in types if isinstance(t, TensorType)}
        if len(elements) != 1 or not is_float(next(iter(elements))):
            raise VerifyException(
                f"{self.name}: operands and result must be float32 or float64 tensors of one element type, got "
                + ", ".join(map(str, types))
            )
        for field, rank in self.RANKS.items():
            value = self.results[0] if field == "result" else getattr(self, field)
            if value is not None and len(static_shape(value.type)) != rank:
                kind = {0: "a 0-d tensor", 1: "a vector (rank 1)", 2: "a matrix (rank 2)"}.get(rank, "a stack of matrices (rank 3)")
                raise VerifyException(f"{self.name}: {field} must be {kind}, got {value.type}")

    def _verify_result(self, expected: Shape) -> None:
        t = self.results[0].type
        assert isinstance(t, TensorType)
        want = tensor_type(t.element_type, expected)
        if t != want:
            raise VerifyException(f"{self.name}: result type must be {want}, got {t}")

    def _result(self, value: Any) -> np.ndarray:
        return np.array(value, dtype=dtype_of(self.results[0].type), order="C")


def _flag(value: bool) -> UnitAttr | None:
    return UnitAttr() if value else None


def _operands_of(z: SSAValue | None, *rest: SSAValue) -> list[Any]:
    return [[z] if z is not None else [], *rest]


@irdl_op_definition
class GemmOp(BlasOp):
    """`beta * z + alpha * op(x) @ op(y)` on matrices; without `z`, `alpha * op(x) @
    op(y)` (beta is not read).

        %r = tg.gemm %z, %alpha, %x, %y, %beta {trans_x, trans_y} : (tensor<?x?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
        %r = tg.gemm %alpha, %x, %y, %beta : (tensor<f64>, tensor<3x?xf64>, tensor<?x4xf64>, tensor<f64>) -> tensor<3x4xf64>
    """

    name = "tg.gemm"
    z = opt_operand_def(TG_TENSOR)
    alpha = operand_def(TG_TENSOR)
    x = operand_def(TG_TENSOR)
    y = operand_def(TG_TENSOR)
    beta = operand_def(TG_TENSOR)
    trans_x = opt_attr_def(UnitAttr)
    trans_y = opt_attr_def(UnitAttr)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = _FORMAT
    RANKS: ClassVar[dict[str, int]] = {"z": 2, "alpha": 0, "x": 2, "y": 2, "beta": 0, "result": 2}

    def __init__(
        self,
        z: SSAValue | None,
        alpha: SSAValue,
        x: SSAValue,
        y: SSAValue,
        beta: SSAValue,
        trans_x: bool = False,
        trans_y: bool = False,
        result_type: Attribute | None = None,
    ):
        if result_type is None:
            m = static_shape(x.type)[1 if trans_x else 0]
            n = static_shape(y.type)[0 if trans_y else 1]
            if z is not None:
                zm, zn = static_shape(z.type)
                m, n = (m if m is not None else zm), (n if n is not None else zn)
            result_type = tensor_type(x.type.element_type, (m, n))  # type: ignore[attr-defined]
        super().__init__(
            operands=_operands_of(z, alpha, x, y, beta),
            result_types=[result_type],
            attributes={"trans_x": _flag(trans_x), "trans_y": _flag(trans_y)},
        )

    @property
    def x_transposed(self) -> bool:
        return self.trans_x is not None

    @property
    def y_transposed(self) -> bool:
        return self.trans_y is not None

    @property
    def first(self) -> int:
        """Index of `alpha` among the operands (1 when `z` is present)."""
        return 0 if self.z is None else 1

    def verify_(self) -> None:
        self._verify_types()
        (xm, xk), (yk, yn) = _op_shape(self.x, self.x_transposed), _op_shape(self.y, self.y_transposed)
        _unify(self, "contracted dimensions (columns of op(x), rows of op(y))", [xk, yk])
        zm, zn = static_shape(self.z.type) if self.z is not None else (None, None)
        m = _unify(self, "rows of op(x) and z", [xm, zm])
        n = _unify(self, "columns of op(y) and z", [yn, zn])
        self._verify_result((m, n))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        i = self.first
        xa, ya = (1, 0) if self.x_transposed else (0, 1), (1, 0) if self.y_transposed else (0, 1)
        x, y = shapes[i + 1], shapes[i + 2]
        _equal([(x[xa[1]], i + 1, xa[1]), (y[ya[0]], i + 2, ya[0])], "contracted dimensions of op(x) and op(y)")
        m, n = [(x[xa[0]], i + 1, xa[0])], [(y[ya[1]], i + 2, ya[1])]
        if self.z is not None:
            m.append((shapes[0][0], 0, 0))
            n.append((shapes[0][1], 0, 1))
        return (_equal(m, "rows of op(x) and z"), _equal(n, "columns of op(y) and z"))

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        i = self.first
        trans = self.x_transposed if axis == 0 else self.y_transposed
        source = (i + 1, 1 if trans else 0) if axis == 0 else (i + 2, 0 if trans else 1)
        return [source] + ([(0, axis)] if self.z is not None else [])

    def destroyable_operands(self) -> tuple[int, ...]:
        return () if self.z is None else (0,)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self.infer_shape([a.shape for a in args])
        z = args[0] if self.z is not None else None
        alpha, x, y, beta = args[-4:]
        x, y = (x.T if self.x_transposed else x), (y.T if self.y_transposed else y)
        return self._result(_accumulate(shape, z, alpha, beta, lambda: np.matmul(x, y)))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        z = inputs[0] if self.z is not None else None
        alpha, x, y, beta = inputs[-4:]
        ox, oy = (x.T if self.x_transposed else x), (y.T if self.y_transposed else y)
        d_ox, d_oy = alpha * T.dot(g, oy.T), alpha * T.dot(ox.T, g)
        grads = [
            T.sum(g * T.dot(ox, oy)),
            d_ox.T if self.x_transposed else d_ox,
            d_oy.T if self.y_transposed else d_oy,
            T.sum(g * z) if z is not None else None,
        ]
        return [beta * g, *grads] if z is not None else grads


@irdl_op_definition
class GemvOp(BlasOp):
    """`beta * z + alpha * op(a) @ x`, `a` a matrix and `x`, `z` vectors; without `z`,
    `alpha * op(a) @ x` (beta is not read).

        %r = tg.gemv %z, %alpha, %a, %x, %beta {trans_a} : (tensor<?xf32>, tensor<f32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
    """

    name = "tg.gemv"
    z = opt_operand_def(TG_TENSOR)
    alpha = operand_def(TG_TENSOR)
    a = operand_def(TG_TENSOR)
    x = operand_def(TG_TENSOR)
    beta = operand_def(TG_TENSOR)
    trans_a = opt_attr_def(UnitAttr)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = _FORMAT
    RANKS: ClassVar[dict[str, int]] = {"z": 1, "alpha": 0, "a": 2, "x": 1, "beta": 0, "result": 1}

    def __init__(
        self,
        z: SSAValue | None,
        alpha: SSAValue,
        a: SSAValue,
        x: SSAValue,
        beta: SSAValue,
        trans_a: bool = False,
        result_type: Attribute | None = None,
    ):
        if result_type is None:
            m = static_shape(a.type)[1 if trans_a else 0]
            if m is None and z is not None:
                m = static_shape(z.type)[0]
            result_type = tensor_type(a.type.element_type, (m,))  # type: ignore[attr-defined]
        super().__init__(
            operands=_operands_of(z, alpha, a, x, beta),
            result_types=[result_type],
            attributes={"trans_a": _flag(trans_a)},
        )

    @property
    def a_transposed(self) -> bool:
        return self.trans_a is not None

    @property
    def first(self) -> int:
        """Index of `alpha` among the operands (1 when `z` is present)."""
        return 0 if self.z is None else 1

    def verify_(self) -> None:
        self._verify_types()
        am, ak = _op_shape(self.a, self.a_transposed)
        _unify(self, "contracted dimensions (columns of op(a), length of x)", [ak, static_shape(self.x.type)[0]])
        zm = static_shape(self.z.type)[0] if self.z is not None else None
        self._verify_result((_unify(self, "rows of op(a) and the length of z", [am, zm]),))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        i = self.first
        rows, cols = (1, 0) if self.a_transposed else (0, 1)
        a = shapes[i + 1]
        _equal([(a[cols], i + 1, cols), (shapes[i + 2][0], i + 2, 0)], "contracted dimensions of op(a) and x")
        m = [(a[rows], i + 1, rows)] + ([(shapes[0][0], 0, 0)] if self.z is not None else [])
        return (_equal(m, "rows of op(a) and the length of z"),)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(self.first + 1, 1 if self.a_transposed else 0)] + ([(0, 0)] if self.z is not None else [])

    def destroyable_operands(self) -> tuple[int, ...]:
        return () if self.z is None else (0,)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self.infer_shape([a.shape for a in args])
        z = args[0] if self.z is not None else None
        alpha, a, x, beta = args[-4:]
        a = a.T if self.a_transposed else a
        return self._result(_accumulate(shape, z, alpha, beta, lambda: np.matmul(a, x)))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        z = inputs[0] if self.z is not None else None
        alpha, a, x, beta = inputs[-4:]
        oa = a.T if self.a_transposed else a
        d_oa = alpha * T.outer(g, x)
        grads = [
            T.sum(g * T.dot(oa, x)),
            d_oa.T if self.a_transposed else d_oa,
            alpha * T.dot(oa.T, g),
            T.sum(g * z) if z is not None else None,
        ]
        return [beta * g, *grads] if z is not None else grads


@irdl_op_definition
class GerOp(BlasOp):
    """Rank-1 update `z + alpha * outer(x, y)`.

        %r = tg.ger %z, %alpha, %x, %y : (tensor<?x?xf64>, tensor<f64>, tensor<?xf64>, tensor<?xf64>) -> tensor<?x?xf64>
    """

    name = "tg.ger"
    z = operand_def(TG_TENSOR)
    alpha = operand_def(TG_TENSOR)
    x = operand_def(TG_TENSOR)
    y = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = _FORMAT
    RANKS: ClassVar[dict[str, int]] = {"z": 2, "alpha": 0, "x": 1, "y": 1, "result": 2}

    def __init__(self, z: SSAValue, alpha: SSAValue, x: SSAValue, y: SSAValue, result_type: Attribute | None = None):
        if result_type is None:
            zm, zn = static_shape(z.type)
            m, n = static_shape(x.type)[0], static_shape(y.type)[0]
            result_type = tensor_type(z.type.element_type, (m if m is not None else zm, n if n is not None else zn))  # type: ignore[attr-defined]
        super().__init__(operands=[z, alpha, x, y], result_types=[result_type])

    def verify_(self) -> None:
        self._verify_types()
        zm, zn = static_shape(self.z.type)
        m = _unify(self, "rows of z and the length of x", [zm, static_shape(self.x.type)[0]])
        n = _unify(self, "columns of z and the length of y", [zn, static_shape(self.y.type)[0]])
        self._verify_result((m, n))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        z, x, y = shapes[0], shapes[2], shapes[3]
        return (
            _equal([(z[0], 0, 0), (x[0], 2, 0)], "rows of z and the length of x"),
            _equal([(z[1], 0, 1), (y[0], 3, 0)], "columns of z and the length of y"),
        )

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis), (2 + axis, 0)]

    def destroyable_operands(self) -> tuple[int, ...]:
        return (0,)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self.infer_shape([a.shape for a in args])
        z, alpha, x, y = args
        one = np.ones((), z.dtype)
        return self._result(_accumulate(shape, z, alpha, one, lambda: np.outer(x, y)))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        _, alpha, x, y = inputs
        gy = T.dot(g, y)
        return [g, T.dot(x, gy), alpha * gy, alpha * T.dot(x, g)]


@irdl_op_definition
class VdotOp(BlasOp):
    """Inner product of two vectors, a 0-d tensor.

        %r = tg.vdot %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
    """

    name = "tg.vdot"
    x = operand_def(TG_TENSOR)
    y = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = _FORMAT
    RANKS: ClassVar[dict[str, int]] = {"x": 1, "y": 1, "result": 0}

    def __init__(self, x: SSAValue, y: SSAValue):
        super().__init__(operands=[x, y], result_types=[tensor_type(x.type.element_type, ())])  # type: ignore[attr-defined]

    def verify_(self) -> None:
        self._verify_types()
        _unify(self, "vector lengths", [static_shape(self.x.type)[0], static_shape(self.y.type)[0]])

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        _equal([(shapes[0][0], 0, 0), (shapes[1][0], 1, 0)], "vector lengths")
        return ()

    def reference(self, *args: np.ndarray) -> np.ndarray:
        self.infer_shape([a.shape for a in args])
        return self._result(np.dot(args[0], args[1]))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        x, y = inputs
        return [g * y, g * x]


@irdl_op_definition
class BatchedGemmOp(BlasOp):
    """A stack of matrix products, `result[b] = op(x[b]) @ op(y[b])` (op transposes
    the last two axes); the batch sizes are equal (no broadcasting).

        %r = tg.batched_gemm %x, %y {trans_x} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
    """

    name = "tg.batched_gemm"
    x = operand_def(TG_TENSOR)
    y = operand_def(TG_TENSOR)
    trans_x = opt_attr_def(UnitAttr)
    trans_y = opt_attr_def(UnitAttr)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = _FORMAT
    RANKS: ClassVar[dict[str, int]] = {"x": 3, "y": 3, "result": 3}

    def __init__(
        self, x: SSAValue, y: SSAValue, trans_x: bool = False, trans_y: bool = False, result_type: Attribute | None = None
    ):
        if result_type is None:
            xb, yb = static_shape(x.type)[0], static_shape(y.type)[0]
            m = static_shape(x.type)[2 if trans_x else 1]
            n = static_shape(y.type)[1 if trans_y else 2]
            result_type = tensor_type(x.type.element_type, (xb if xb is not None else yb, m, n))  # type: ignore[attr-defined]
        super().__init__(
            operands=[x, y],
            result_types=[result_type],
            attributes={"trans_x": _flag(trans_x), "trans_y": _flag(trans_y)},
        )

    @property
    def x_transposed(self) -> bool:
        return self.trans_x is not None

    @property
    def y_transposed(self) -> bool:
        return self.trans_y is not None

    def verify_(self) -> None:
        self._verify_types()
        (xb, *xs), (yb, *ys) = static_shape(self.x.type), static_shape(self.y.type)
        (m, xk), (yk, n) = _swap(tuple(xs), self.x_transposed), _swap(tuple(ys), self.y_transposed)
        b = _unify(self, "batch sizes", [xb, yb])
        _unify(self, "contracted dimensions (columns of op(x), rows of op(y))", [xk, yk])
        self._verify_result((b, m, n))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        x, y = shapes
        (xm, xk), (yk, yn) = (2, 1) if self.x_transposed else (1, 2), (2, 1) if self.y_transposed else (1, 2)
        b = _equal([(x[0], 0, 0), (y[0], 1, 0)], "batch sizes")
        _equal([(x[xk], 0, xk), (y[yk], 1, yk)], "contracted dimensions of op(x) and op(y)")
        return (b, x[xm], y[yn])

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        if axis == 0:
            return [(0, 0), (1, 0)]
        if axis == 1:
            return [(0, 2 if self.x_transposed else 1)]
        return [(1, 1 if self.y_transposed else 2)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        self.infer_shape([a.shape for a in args])
        x, y = args
        x, y = (np.swapaxes(x, 1, 2) if self.x_transposed else x), (np.swapaxes(y, 1, 2) if self.y_transposed else y)
        return self._result(np.matmul(x, y))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import linalg

        x, y = inputs
        ox = x.transpose(0, 2, 1) if self.x_transposed else x
        oy = y.transpose(0, 2, 1) if self.y_transposed else y
        d_ox = linalg.batched_dot(g, oy.transpose(0, 2, 1))
        d_oy = linalg.batched_dot(ox.transpose(0, 2, 1), g)
        return [
            d_ox.transpose(0, 2, 1) if self.x_transposed else d_ox,
            d_oy.transpose(0, 2, 1) if self.y_transposed else d_oy,
        ]


def _swap(pair: tuple[int | None, ...], swapped: Any) -> tuple[int | None, ...]:
    return pair[::-1] if swapped else pair


def _op_shape(value: SSAValue, trans: Any) -> tuple[int | None, ...]:
    """The static shape of op(value): its transpose when `trans` is set."""
    return _swap(static_shape(value.type), trans)


def _accumulate(
    shape: ConcreteShape, z: np.ndarray | None, alpha: np.ndarray, beta: np.ndarray, product: Callable[[], np.ndarray]
) -> np.ndarray:
    """beta * z + alpha * product() with BLAS's zero rules: beta == 0 (or no z) does
    not read z, alpha == 0 does not compute the product."""
    dtype = alpha.dtype
    a, b = dtype.type(alpha), dtype.type(beta)
    with np.errstate(all="ignore"):
        kept = np.zeros(shape, dtype) if z is None or b == 0 else z if b == 1 else b * z
        return kept if a == 0 else kept + a * np.asarray(product(), dtype)


OPS: list[type[Operation]] = [GemmOp, GemvOp, GerOp, VdotOp, BatchedGemmOp]
"""The BLAS-shaped ops of the tg dialect."""
