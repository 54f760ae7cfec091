"""The `tg` dialect: Theano's tensor operations on value-semantic tensors.

Every op keeps its meaning in one place: a verifier, a static shape rule (used by
the builders and the verifier), a concrete shape rule (`infer_shape`, used to check
a call's inputs before any generated code runs) and a numpy reference
implementation (`reference`, used by the interpreter and the tests).

Types are builtin tensors; a static 1 marks a broadcastable dimension. Elementwise
operands have equal rank and broadcast only along static-1 dimensions.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import (
    ELEMENT_TYPES,
    Shape,
    broadcast_shapes,
    dtype_of,
    is_bool,
    is_float,
    static_shape,
    tensor_type,
)
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    StringAttr,
    TensorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    AttrSetConstraint,
    EqAttrConstraint,
    IRDLOperation,
    ParamAttrConstraint,
    VarConstraint,
    attr_def,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException

ConcreteShape = tuple[int, ...]

TG_TENSOR = TensorType.constr(AttrSetConstraint(frozenset(ELEMENT_TYPES)))
"""A tensor of one of the element types tg supports."""
INDEX_ARRAY = DenseArrayBase.constr(EqAttrConstraint(i64))
"""`array<i64: ...>`: axes, permutations and patterns."""


class ShapeError(ValueError):
    """Concrete shapes that an op cannot accept.

    `culprits` lists (operand index, axis) pairs whose sizes are to blame, so that the
    caller can name the function inputs those sizes came from.
    """

    def __init__(self, message: str, culprits: Sequence[tuple[int, int]] = ()):
        super().__init__(message)
        self.culprits = tuple(culprits)


SIZE_TYPE = tensor_type(i64, ())
"""The type of size, index, start and count operands: a 0-d int64 tensor."""


def verify_sizes(op: Operation, values: Sequence[SSAValue], what: str) -> None:
    """VerifyException unless every value is a 0-d int64 tensor."""
    for v in values:
        if v.type != SIZE_TYPE:
            raise VerifyException(f"{op.name}: {what} must be tensor<i64>, got {v.type}")


def _tensor(value: SSAValue) -> TensorType:
    assert isinstance(value.type, TensorType)
    return value.type


class TgOp(IRDLOperation, abc.ABC):
    """Base of all `tg` ops: the interfaces every op answers.

    - FUSION says how lowering computes the op: "elementwise" (one element from the
      operands' elements at the same, broadcast, index: computed inline where it is
      read once), "view" (index arithmetic on one operand: always inline) or "stored"
      (its own loop nest into a buffer).
    - READS_ONCE says whether computing the result reads each operand element at
      most once (then an elementwise producer computed inline costs nothing extra).
    - `value_operands()` lists operands whose values (not only shapes) fix the
      result's shape; `infer_shape` then receives them in `values`.
    """

    FUSION: ClassVar[str] = "stored"
    READS_ONCE: ClassVar[bool] = False
    EXPENSIVE: ClassVar[bool] = False
    """Whether one element costs far more than an add (a transcendental function, a
    division): fusion never computes such an element more than once."""
    CHECKS_AT_RUN_TIME: ClassVar[bool] = False
    """Whether generated code may find this op's input invalid (an index out of range,
    a bad probability) and report an error after the shape checks passed: nothing
    irreversible (an in-place write into a shared variable) may run before it."""
    VIEW_OF: ClassVar[int | None] = None
    """The operand a view op rearranges (its result may read that operand's buffer in
    place, at other indices), or None."""

    def destroyable_operands(self) -> tuple[int, ...]:
        """The operands whose buffer the result may be written into: each element of
        such an operand is read only to compute the result's element at the same
        index, before it is written. Elementwise ops answer every operand of the
        result's own type; other ops none."""
        if self.FUSION != "elementwise":
            return ()
        result = self.results[0].type
        return tuple(i for i, o in enumerate(self.operands) if o.type == result)

    def value_operands(self) -> tuple[int, ...]:
        """Indices of the operands whose values fix the result's shape."""
        return ()

    @abc.abstractmethod
    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        """The result's shape for operands of these shapes (and, for
        `value_operands()`, values); ShapeError if invalid."""

    def vjp(self, inputs: list[Any], output: Any, output_grad: Any) -> list[Any]:
        """Gradients of the inputs (tg variables, None where there is none) given the
        output's gradient: the op's rule for `tg.grad`."""
        raise NotImplementedError(f"{self.name} has no gradient")

    @abc.abstractmethod
    def reference(self, *args: np.ndarray) -> np.ndarray:
        """numpy implementation; the oracle for the interpreter and the tests."""

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        """The (operand index, operand axis) pairs whose size the result's dimension
        `axis` takes; empty when it comes from no operand's shape."""
        return []

    def _result_dtype(self) -> np.dtype:
        return dtype_of(self.result_types[0])


# --------------------------------------------------------------------------- constants


@irdl_op_definition
class ConstantOp(TgOp):
    """A dense tensor constant.

        %c = tg.constant dense<[0.2, 0.7]> : tensor<2xf64>
    """

    name = "tg.constant"
    T: ClassVar = VarConstraint("T", TG_TENSOR)
    value = prop_def(ParamAttrConstraint(DenseIntOrFPElementsAttr, (T, AnyAttr())))
    result = result_def(T)
    traits = traits_def(Pure(), ConstantLike())
    assembly_format = "attr-dict $value"

    def __init__(self, value: DenseIntOrFPElementsAttr):
        super().__init__(result_types=[value.type], properties={"value": value})

    def is_splat(self) -> bool:
        """Whether every element is equal (an empty constant counts: it is never read)."""
        data = self.value.data.data
        width = len(data) // max(1, len(self.value))
        return len(data) <= width or data == data[:width] * (len(data) // width)

    @staticmethod
    def from_array(array: np.ndarray) -> ConstantOp:
        """A constant holding a copy of `array` (its dtype and full static shape)."""
        array = np.asarray(array, order="C")
        t = tensor_type(array.dtype, array.shape)
        # builtin i1 dense data holds one byte per element
        raw = array.astype(np.int8).tobytes() if array.dtype == np.bool_ else array.tobytes()
        return ConstantOp(DenseIntOrFPElementsAttr(t, BytesAttr(raw)))

    def verify_(self) -> None:
        if self.value.type != self.result.type:
            raise VerifyException(
                f"tg.constant: value has type {self.value.type} but the result is declared "
                f"{self.result.type}"
            )
        if any(d is None for d in static_shape(self.result.type)):
            raise VerifyException("tg.constant: the result type must have a static shape")

    def to_array(self) -> np.ndarray:
        """The constant's value as a fresh numpy array."""
        t = self.result.type
        dtype = dtype_of(t)
        shape = tuple(d for d in static_shape(t) if d is not None)
        raw = np.frombuffer(self.value.data.data, dtype=np.int8 if dtype == np.bool_ else dtype)
        values = raw.astype(dtype) if dtype == np.bool_ else raw.copy()
        size = int(np.prod(shape))
        if values.size == 1 and size != 1:
            values = np.full(size, values[0], dtype)
        return values.reshape(shape)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return tuple(d for d in static_shape(self.result.type) if d is not None)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return self.to_array()

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return []


# ------------------------------------------------------------------------- elementwise


def _operand_statics(op: Operation) -> list[Shape]:
    """The operands' static shapes, remembered on the op (this runs on every call)."""
    statics = op.__dict__.get("_tg_statics")
    if statics is None:
        statics = [static_shape(v.type) for v in op.operands]
        op.__dict__["_tg_statics"] = statics
    return statics


def _elementwise_shape(op: Operation, shapes: Sequence[ConcreteShape]) -> ConcreteShape:
    """Concrete broadcasting: only operands whose static dimension is 1 broadcast."""
    statics = _operand_statics(op)
    rank = len(statics[0])
    out: list[int] = []
    for axis in range(rank):
        size: int | None = None
        owner = -1
        for i, (shape, static) in enumerate(zip(shapes, statics)):
            if static[axis] == 1:
                if shape[axis] != 1:
                    raise ShapeError(
                        f"dimension {axis} is declared broadcastable (size 1) but has size "
                        f"{shape[axis]}",
                        [(i, axis)],
                    )
                continue
            if size is None:
                size, owner = shape[axis], i
            elif shape[axis] != size:
                hint = (
                    " (only dimensions declared broadcastable broadcast, as in Theano)"
                    if 1 in (size, shape[axis])
                    else ""
                )
                raise ShapeError(
                    f"dimension {axis} has size {size} in operand {owner} but "
                    f"{shape[axis]} in operand {i}{hint}",
                    [(owner, axis), (i, axis)],
                )
        out.append(1 if size is None else size)
    return tuple(out)


def _elementwise_sources(op: Operation, axis: int) -> list[tuple[int, int]]:
    return [(i, axis) for i, v in enumerate(op.operands) if static_shape(v.type)[axis] != 1]


def _verify_elementwise(op: Operation, result_elt: Attribute | None = None) -> None:
    types = [_tensor(v) for v in op.operands]
    ranks = {len(t.get_shape()) for t in types}
    if len(ranks) != 1:
        raise VerifyException(
            f"{op.name}: operands must have the same rank, got "
            + ", ".join(str(t) for t in types)
        )
    try:
        expected = broadcast_shapes([static_shape(t) for t in types])
    except ValueError as e:
        raise VerifyException(f"{op.name}: operands do not broadcast: {e}") from None
    result = _tensor(op.results[0])
    if static_shape(result) != expected:
        raise VerifyException(
            f"{op.name}: result shape must be {_fmt_shape(expected)} (the broadcast of the "
            f"operands), got {result}"
        )
    if result_elt is not None and result.element_type != result_elt:
        raise VerifyException(
            f"{op.name}: result element type must be {result_elt}, got {result.element_type}"
        )


def _fmt_shape(shape: Shape) -> str:
    return "x".join("?" if d is None else str(d) for d in shape) or "scalar"


def elementwise_result_type(element: Attribute, operands: Sequence[SSAValue]) -> TensorType:
    """The result type of an elementwise op over `operands` with `element` type."""
    return tensor_type(element, broadcast_shapes([static_shape(v.type) for v in operands]))


class BinaryOp(TgOp, abc.ABC):
    """Elementwise binary op on operands of one element type."""

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    lhs = operand_def(TG_TENSOR)
    rhs = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    FLOAT_ONLY: ClassVar[bool] = False

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        elt = _tensor(lhs).element_type
        super().__init__(operands=[lhs, rhs], result_types=[elementwise_result_type(elt, [lhs, rhs])])

    def verify_(self) -> None:
        lt, rt = _tensor(self.lhs), _tensor(self.rhs)
        if lt.element_type != rt.element_type:
            raise VerifyException(
                f"{self.name}: operands must have the same element type, got "
                f"{lt.element_type} and {rt.element_type}"
            )
        if self.FLOAT_ONLY and not is_float(lt):
            raise VerifyException(f"{self.name}: operands must be floating point, got {lt}")
        if not self.FLOAT_ONLY and is_bool(lt):
            raise VerifyException(f"{self.name}: boolean operands are not supported, got {lt}")
        _verify_elementwise(self, lt.element_type)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return _elementwise_shape(self, shapes)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.compute(*args), dtype=self._result_dtype())

    @abc.abstractmethod
    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The op on two numpy arrays."""


@irdl_op_definition
class AddOp(BinaryOp):
    """Elementwise sum. `%r = tg.add %a, %b : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>`"""

    name = "tg.add"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.add(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g, g]


@irdl_op_definition
class SubOp(BinaryOp):
    """Elementwise difference. `%r = tg.sub %a, %b : (...) -> tensor<?xf32>`"""

    name = "tg.sub"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.subtract(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        return [g, T.neg(g)]


@irdl_op_definition
class MulOp(BinaryOp):
    """Elementwise product. `%r = tg.mul %a, %b : (...) -> tensor<?xf32>`"""

    name = "tg.mul"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.multiply(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        x, y = inputs
        return [g * y, g * x]


@irdl_op_definition
class DivOp(BinaryOp):
    """Elementwise true division of floats. `%r = tg.div %a, %b : (...) -> tensor<?xf64>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.div"
    FLOAT_ONLY: ClassVar[bool] = True

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.true_divide(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        x, y = inputs
        return [g / y, T.neg(g) * x / (y * y)]


@irdl_op_definition
class PowOp(BinaryOp):
    """Elementwise power of floats. `%r = tg.pow %a, %b : (...) -> tensor<?xf64>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.pow"
    FLOAT_ONLY: ClassVar[bool] = True

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.power(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        x, y = inputs
        return [g * y * x ** (y - 1), g * T.log(x) * output]


@irdl_op_definition
class MaximumOp(BinaryOp):
    """Elementwise maximum; NaN propagates as in numpy. `tg.maximum %a, %b : (...) -> ...`"""

    name = "tg.maximum"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.maximum(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        x, y = inputs
        pick = T.ge(x, y)
        return [T.switch(pick, g, 0), T.switch(pick, 0, g)]


@irdl_op_definition
class MinimumOp(BinaryOp):
    """Elementwise minimum; NaN propagates as in numpy. `tg.minimum %a, %b : (...) -> ...`"""

    name = "tg.minimum"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.minimum(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        x, y = inputs
        pick = T.le(x, y)
        return [T.switch(pick, g, 0), T.switch(pick, 0, g)]


class UnaryOp(TgOp, abc.ABC):
    """Elementwise unary op whose result has the operand's type."""

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    T: ClassVar = VarConstraint("T", TG_TENSOR)
    input = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input)"

    FLOAT_ONLY: ClassVar[bool] = True

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[input.type])

    def verify_(self) -> None:
        t = _tensor(self.input)
        if self.result.type != t:
            raise VerifyException(f"{self.name}: result type must equal operand type {t}")
        if self.FLOAT_ONLY and not is_float(t):
            raise VerifyException(f"{self.name}: operand must be floating point, got {t}")
        if is_bool(t):
            raise VerifyException(f"{self.name}: boolean operands are not supported, got {t}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    @abc.abstractmethod
    def compute(self, x: np.ndarray) -> np.ndarray:
        """The op on one numpy array."""

    def reference(self, *args: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.compute(args[0]), dtype=self._result_dtype())


@irdl_op_definition
class NegOp(UnaryOp):
    """Negation. `%r = tg.neg %x : tensor<?xf32>`"""

    name = "tg.neg"
    FLOAT_ONLY: ClassVar[bool] = False

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.negative(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        return [T.neg(g)]


@irdl_op_definition
class AbsOp(UnaryOp):
    """Absolute value. `%r = tg.abs %x : tensor<?xi32>`"""

    name = "tg.abs"
    FLOAT_ONLY: ClassVar[bool] = False

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [T.switch(T.lt(x, 0), T.neg(g), T.switch(T.gt(x, 0), g, 0))]


@irdl_op_definition
class ExpOp(UnaryOp):
    """Exponential. `%r = tg.exp %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.exp"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * output]


@irdl_op_definition
class LogOp(UnaryOp):
    """Natural logarithm. `%r = tg.log %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.log"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g / inputs[0]]


@irdl_op_definition
class TanhOp(UnaryOp):
    """Hyperbolic tangent. `%r = tg.tanh %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.tanh"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * (1 - output * output)]


@irdl_op_definition
class SqrtOp(UnaryOp):
    """Square root. `%r = tg.sqrt %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.sqrt"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.sqrt(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * 0.5 / output]


@irdl_op_definition
class SigmoidOp(UnaryOp):
    """Logistic function 1 / (1 + exp(-x)). `%r = tg.sigmoid %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.sigmoid"

    def compute(self, x: np.ndarray) -> np.ndarray:
        one = x.dtype.type(1)
        return one / (one + np.exp(-x))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * output * (1 - output)]


@irdl_op_definition
class SoftplusOp(UnaryOp):
    """log(1 + exp(x)), computed without overflow. `%r = tg.softplus %x : tensor<?xf32>`"""

    EXPENSIVE: ClassVar[bool] = True

    name = "tg.softplus"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.logaddexp(x.dtype.type(0), x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        return [g * T.sigmoid(inputs[0])]


CMP_PREDICATES: dict[str, np.ufunc] = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


@irdl_op_definition
class CmpOp(TgOp):
    """Elementwise comparison giving booleans.

        %r = tg.cmp "lt", %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
    """

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.cmp"
    predicate = prop_def(StringAttr)
    lhs = operand_def(TG_TENSOR)
    rhs = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, predicate: str, lhs: SSAValue, rhs: SSAValue):
        super().__init__(
            operands=[lhs, rhs],
            result_types=[elementwise_result_type(i1, [lhs, rhs])],
            properties={"predicate": StringAttr(predicate)},
        )

    def verify_(self) -> None:
        if self.predicate.data not in CMP_PREDICATES:
            raise VerifyException(
                f"tg.cmp: unknown predicate {self.predicate.data!r}; expected one of "
                + ", ".join(CMP_PREDICATES)
            )
        lt, rt = _tensor(self.lhs), _tensor(self.rhs)
        if lt.element_type != rt.element_type:
            raise VerifyException(
                f"tg.cmp: operands must have the same element type, got {lt.element_type} "
                f"and {rt.element_type}"
            )
        _verify_elementwise(self, i1)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return _elementwise_shape(self, shapes)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.asarray(CMP_PREDICATES[self.predicate.data](*args), dtype=np.bool_)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None, None]


@irdl_op_definition
class SelectOp(TgOp):
    """Elementwise choice: `cond ? a : b` (Theano's `switch`).

        %r = tg.select %c, %a, %b : (tensor<?xi1>, tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
    """

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.select"
    condition = operand_def(TG_TENSOR)
    on_true = operand_def(TG_TENSOR)
    on_false = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = (
        "$condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, condition: SSAValue, on_true: SSAValue, on_false: SSAValue):
        elt = _tensor(on_true).element_type
        operands = [condition, on_true, on_false]
        super().__init__(operands=operands, result_types=[elementwise_result_type(elt, operands)])

    def verify_(self) -> None:
        if not is_bool(self.condition.type):
            raise VerifyException(f"tg.select: condition must be i1, got {self.condition.type}")
        a, b = _tensor(self.on_true), _tensor(self.on_false)
        if a.element_type != b.element_type:
            raise VerifyException(
                f"tg.select: both choices must have the same element type, got "
                f"{a.element_type} and {b.element_type}"
            )
        _verify_elementwise(self, a.element_type)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return _elementwise_shape(self, shapes)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.asarray(np.where(*args), dtype=self._result_dtype())

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        return [None, T.switch(inputs[0], g, 0), T.switch(inputs[0], 0, g)]


@irdl_op_definition
class CastOp(TgOp):
    """Elementwise conversion to another element type, as numpy's `astype`.

    Float to integer truncates toward zero and saturates (NaN gives 0).

        %r = tg.cast %x : tensor<?xf32> to tensor<?xi32>
    """

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.cast"
    input = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `to` type($result)"

    def __init__(self, input: SSAValue, element: Attribute):
        t = _tensor(input)
        super().__init__(operands=[input], result_types=[tensor_type(element, static_shape(t))])

    def verify_(self) -> None:
        a, r = _tensor(self.input), _tensor(self.result)
        if static_shape(a) != static_shape(r):
            raise VerifyException(
                f"tg.cast: result shape must equal the operand's, got {a} to {r}"
            )

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, dtype = args[0], self._result_dtype()
        if np.issubdtype(x.dtype, np.floating) and np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            bound = 2.0 ** (info.bits - 1)  # exact in float32 and float64
            x = np.trunc(x.astype(np.float64))
            inside = np.where(np.isnan(x) | (x >= bound) | (x <= -bound), 0.0, x).astype(dtype)
            out = np.where(x >= bound, info.max, np.where(x <= -bound, info.min, inside))
            return np.where(np.isnan(x), 0, out).astype(dtype)
        return x.astype(dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [T.cast(g, x.dtype)] if x.dtype.startswith("float") else [None]


GRADIENT_HINTS = ("zero", "disconnected", "clip", "scale")


@irdl_op_definition
class GradientHintOp(TgOp):
    """The identity, with a gradient rule of its own: "zero" (zero_grad),
    "disconnected" (disconnected_grad), "clip" (grad_clip, operands lower and upper
    bound) or "scale" (grad_scale, operand the factor).

        %r = tg.gradient_hint "zero", %x : (tensor<?xf32>) -> tensor<?xf32>
    """

    name = "tg.gradient_hint"
    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True
    kind = prop_def(StringAttr)
    input = operand_def(TG_TENSOR)
    parameters = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$kind `,` $input (`,` $parameters^)? attr-dict `:` functional-type(operands, results)"

    def __init__(self, kind: str, input: SSAValue, parameters: Sequence[SSAValue] = ()):
        super().__init__(
            operands=[input, parameters], result_types=[input.type], properties={"kind": StringAttr(kind)}
        )

    def verify_(self) -> None:
        kind = self.kind.data
        if kind not in GRADIENT_HINTS:
            raise VerifyException(f"tg.gradient_hint: unknown kind {kind!r}; expected one of {', '.join(GRADIENT_HINTS)}")
        wanted = {"clip": 2, "scale": 1}.get(kind, 0)
        if len(self.parameters) != wanted:
            raise VerifyException(f"tg.gradient_hint: {kind!r} takes {wanted} parameters, got {len(self.parameters)}")
        for p in self.parameters:
            if static_shape(p.type) != ():
                raise VerifyException(f"tg.gradient_hint: parameters must be 0-d tensors, got {p.type}")
        if self.result.type != self.input.type:
            raise VerifyException("tg.gradient_hint: the result type must equal the input type")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return args[0].copy()

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        kind = self.kind.data
        rest: list[Any] = [None] * len(self.parameters)
        if kind == "zero":
            return [T.zeros_like(g), *rest]
        if kind == "disconnected":
            return [None, *rest]
        if kind == "clip":
            return [T.minimum(T.maximum(g, inputs[1]), inputs[2]), *rest]
        return [g * inputs[1], *rest]


@irdl_op_definition
class AssertOp(TgOp):
    """`input`, unchanged, once the 0-d boolean `condition` holds; a call where it
    does not raises ValueError with `message` before any generated code runs.

        %r = tg.assert %x, %ok, "high is below low" : (tensor<i64>, tensor<i1>) -> tensor<i64>
    """

    name = "tg.assert"
    FUSION: ClassVar[str] = "view"
    READS_ONCE: ClassVar[bool] = True
    input = operand_def(TG_TENSOR)
    condition = operand_def(TG_TENSOR)
    message = prop_def(StringAttr)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $condition `,` $message attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, condition: SSAValue, message: str):
        super().__init__(operands=[input, condition], result_types=[input.type], properties={"message": StringAttr(message)})

    def verify_(self) -> None:
        if self.condition.type != tensor_type(i1, ()):
            raise VerifyException(f"tg.assert: the condition must be tensor<i1>, got {self.condition.type}")
        if self.result.type != self.input.type:
            raise VerifyException("tg.assert: the result type must equal the input type")

    def value_operands(self) -> tuple[int, ...]:
        return (1,)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        if len(values) > 1 and values[1] is not None and not bool(values[1]):
            raise ShapeError(self.message.data)
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        if not bool(args[1]):
            raise ValueError(self.message.data)
        return args[0].copy()

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g, None]


# ----------------------------------------------------------------------- shapes


@irdl_op_definition
class DimOp(TgOp):
    """The size of one dimension as a 0-d int64 tensor.

        %n = tg.dim %x {axis = array<i64: 1>} : tensor<?x?xf32> -> tensor<i64>
    """

    FUSION: ClassVar[str] = "view"

    name = "tg.dim"
    input = operand_def(TG_TENSOR)
    axis = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, axis: int):
        super().__init__(
            operands=[input],
            result_types=[tensor_type(i64, ())],
            attributes={"axis": DenseArrayBase.from_list(i64, [axis])},
        )

    @property
    def axis_index(self) -> int:
        return self.axis.get_values()[0]

    def verify_(self) -> None:
        axes = self.axis.get_values()
        rank = len(_tensor(self.input).get_shape())
        if len(axes) != 1 or not 0 <= axes[0] < rank:
            raise VerifyException(f"tg.dim: axis must be one index in [0, {rank}), got {list(axes)}")
        if self.result.type != tensor_type(i64, ()):
            raise VerifyException(f"tg.dim: result must be tensor<i64>, got {self.result.type}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return ()

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.asarray(args[0].shape[self.axis_index], dtype=np.int64)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


@irdl_op_definition
class BroadcastOp(TgOp):
    """Broadcast a tensor to a shape given by 0-d int64 operands (Theano's `alloc`).

    The input's dimensions align with the trailing result dimensions; each is either a
    static 1 (broadcast) or equal to the requested size.

        %r = tg.broadcast %x to %n, %m : (tensor<1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x?xf32>
    """

    VIEW_OF: ClassVar[int | None] = 0

    FUSION: ClassVar[str] = "view"

    name = "tg.broadcast"
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
            raise VerifyException("tg.broadcast: result element type must equal the input's")
        rank = len(res.get_shape())
        if len(self.sizes) != rank:
            raise VerifyException(
                f"tg.broadcast: expected {rank} sizes for a rank-{rank} result, got {len(self.sizes)}"
            )
        verify_sizes(self, self.sizes, "sizes")
        src_shape, res_shape = static_shape(src), static_shape(res)
        if len(src_shape) > rank:
            raise VerifyException(
                f"tg.broadcast: input rank {len(src_shape)} exceeds result rank {rank}"
            )
        for s, r in zip(reversed(src_shape), reversed(res_shape)):
            if s not in (1, None) and r not in (None, s):
                raise VerifyException(
                    f"tg.broadcast: input dimension of size {s} cannot become {r}"
                )

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return self.shape_from_values(shapes[0], [int(v) for v in values[1:]])  # type: ignore[arg-type]

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(1, len(self.operands)))

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        in_static = static_shape(self.input.type)
        in_axis = axis - (len(self.sizes) - len(in_static))
        return [(0, in_axis)] if in_axis >= 0 and in_static[in_axis] != 1 else []

    def shape_from_values(self, input_shape: ConcreteShape, sizes: Sequence[int]) -> ConcreteShape:
        """The concrete result shape, checked against the input and the result type."""
        res_static = static_shape(_tensor(self.result))
        src_static = static_shape(_tensor(self.input))
        offset = len(sizes) - len(input_shape)
        for axis, n in enumerate(sizes):
            if n < 0:
                raise ShapeError(f"requested size {n} for dimension {axis} is negative")
            if res_static[axis] is not None and res_static[axis] != n:
                raise ShapeError(
                    f"dimension {axis} is declared of size {res_static[axis]} but {n} was requested"
                )
        for axis, (s, st) in enumerate(zip(input_shape, src_static)):
            if st != 1 and s != sizes[axis + offset]:
                raise ShapeError(
                    f"input dimension {axis} has size {s}, which cannot be broadcast to "
                    f"{sizes[axis + offset]}",
                    [(0, axis)],
                )
        return tuple(int(n) for n in sizes)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        sizes = [int(s) for s in args[1:]]
        shape = self.shape_from_values(args[0].shape, sizes)
        return np.array(np.broadcast_to(args[0], shape))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g] + [None] * len(self.sizes)  # tg.grad sums g over the broadcast axes


@irdl_op_definition
class TransposeOp(TgOp):
    """Permute dimensions: result dimension i is input dimension permutation[i].

        %r = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x3xf32> -> tensor<3x?xf32>
    """

    VIEW_OF: ClassVar[int | None] = 0

    FUSION: ClassVar[str] = "view"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.transpose"
    input = operand_def(TG_TENSOR)
    permutation = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, permutation: Sequence[int]):
        t = _tensor(input)
        shape = static_shape(t)
        super().__init__(
            operands=[input],
            result_types=[tensor_type(t.element_type, [shape[p] for p in permutation])],
            attributes={"permutation": DenseArrayBase.from_list(i64, list(permutation))},
        )

    @property
    def perm(self) -> tuple[int, ...]:
        return tuple(self.permutation.get_values())

    def verify_(self) -> None:
        t, r = _tensor(self.input), _tensor(self.result)
        rank = len(t.get_shape())
        if sorted(self.perm) != list(range(rank)):
            raise VerifyException(
                f"tg.transpose: {list(self.perm)} is not a permutation of the {rank} dimensions"
            )
        shape = static_shape(t)
        expected = tensor_type(t.element_type, [shape[p] for p in self.perm])
        if r != expected:
            raise VerifyException(f"tg.transpose: result type must be {expected}, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return tuple(shapes[0][p] for p in self.perm)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, self.perm[axis])]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.transpose(args[0], self.perm).copy(order="C")

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        inverse = [self.perm.index(a) for a in range(len(self.perm))]
        return [T.transpose(g, inverse)]


@irdl_op_definition
class DimShuffleOp(TgOp):
    """Theano's dimshuffle: permute, insert broadcastable dimensions (-1, Theano's 'x'),
    and drop dimensions of static size 1.

        %r = tg.dimshuffle %x {pattern = array<i64: -1, 0>} : tensor<?xf32> -> tensor<1x?xf32>
    """

    VIEW_OF: ClassVar[int | None] = 0

    FUSION: ClassVar[str] = "view"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.dimshuffle"
    input = operand_def(TG_TENSOR)
    pattern = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, pattern: Sequence[int]):
        t = _tensor(input)
        shape = static_shape(t)
        super().__init__(
            operands=[input],
            result_types=[tensor_type(t.element_type, [1 if p < 0 else shape[p] for p in pattern])],
            attributes={"pattern": DenseArrayBase.from_list(i64, list(pattern))},
        )

    @property
    def dims(self) -> tuple[int, ...]:
        return tuple(self.pattern.get_values())

    def verify_(self) -> None:
        t, r = _tensor(self.input), _tensor(self.result)
        shape = static_shape(t)
        kept = [p for p in self.dims if p >= 0]
        if any(p < -1 for p in self.dims) or any(p >= len(shape) for p in kept):
            raise VerifyException(
                f"tg.dimshuffle: pattern {list(self.dims)} names a dimension outside "
                f"[0, {len(shape)}) (use -1 for a new broadcastable dimension)"
            )
        if len(set(kept)) != len(kept):
            raise VerifyException(f"tg.dimshuffle: pattern {list(self.dims)} repeats a dimension")
        for axis in set(range(len(shape))) - set(kept):
            if shape[axis] != 1:
                raise VerifyException(
                    f"tg.dimshuffle: dimension {axis} is dropped but is not broadcastable "
                    f"(static size 1)"
                )
        expected = tensor_type(t.element_type, [1 if p < 0 else shape[p] for p in self.dims])
        if r != expected:
            raise VerifyException(f"tg.dimshuffle: result type must be {expected}, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return tuple(1 if p < 0 else shapes[0][p] for p in self.dims)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        p = self.dims[axis]
        return [] if p < 0 else [(0, p)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        kept = [p for p in self.dims if p >= 0]
        dropped = sorted(set(range(args[0].ndim)) - set(kept))  # all of size 1
        moved = np.transpose(args[0], kept + dropped)
        return moved.reshape(self.infer_shape([args[0].shape])).copy(order="C")

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        back = [self.dims.index(a) if a in self.dims else "x" for a in range(x.ndim)]
        return [T.dimshuffle(g, *back)]


# ------------------------------------------------------------------- reductions


class ReduceOp(TgOp, abc.ABC):
    """Reduction over a set of axes, which are removed from the result."""

    READS_ONCE: ClassVar[bool] = True

    input = operand_def(TG_TENSOR)
    axes = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue, axes: Sequence[int]):
        t = _tensor(input)
        shape = static_shape(t)
        kept = [d for a, d in enumerate(shape) if a not in set(axes)]
        super().__init__(
            operands=[input],
            result_types=[tensor_type(t.element_type, kept)],
            attributes={"axes": DenseArrayBase.from_list(i64, sorted(axes))},
        )

    @property
    def reduced(self) -> tuple[int, ...]:
        return tuple(self.axes.get_values())

    def verify_(self) -> None:
        t, r = _tensor(self.input), _tensor(self.result)
        rank = len(t.get_shape())
        axes = self.reduced
        if list(axes) != sorted(set(axes)) or any(not 0 <= a < rank for a in axes):
            raise VerifyException(
                f"{self.name}: axes must be distinct, sorted and in [0, {rank}), got {list(axes)}"
            )
        if is_bool(t):
            raise VerifyException(f"{self.name}: boolean operands are not supported, got {t}")
        shape = static_shape(t)
        expected = tensor_type(t.element_type, [d for a, d in enumerate(shape) if a not in axes])
        if r != expected:
            raise VerifyException(f"{self.name}: result type must be {expected}, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return tuple(d for a, d in enumerate(shapes[0]) if a not in self.reduced)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        kept = [a for a in range(len(static_shape(self.input.type))) if a not in self.reduced]
        return [(0, kept[axis])]


@irdl_op_definition
class SumOp(ReduceOp):
    """Sum over axes. `%r = tg.sum %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>`"""

    name = "tg.sum"

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.asarray(np.sum(args[0], axis=self.reduced, dtype=self._result_dtype()))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [T.alloc(_restore_axes(g, x.ndim, self.reduced), *x.shape)]


class ExtremumOp(ReduceOp, abc.ABC):
    """Maximum or minimum over axes: undefined over no elements; the gradient goes to
    every element equal to the extremum (NaN propagates as in numpy)."""

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        what = self.name.removeprefix("tg.")
        for axis in self.reduced:
            if shapes[0][axis] == 0:
                raise ShapeError(
                    f"{what} over dimension {axis} of size 0: the {what}imum of no elements is undefined",
                    [(0, axis)],
                )
        return super().infer_shape(shapes, values)

    @abc.abstractmethod
    def compute(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        """np.max or np.min."""

    def reference(self, *args: np.ndarray) -> np.ndarray:
        self.infer_shape([args[0].shape])
        return np.asarray(self.compute(args[0], self.reduced))

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        kept = _restore_axes(output, x.ndim, self.reduced)
        return [T.switch(T.eq(x, kept), _restore_axes(g, x.ndim, self.reduced), 0)]


@irdl_op_definition
class MaxOp(ExtremumOp):
    """Maximum over axes (NaN propagates). `%r = tg.max %x {axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?xf32>`"""

    name = "tg.max"

    def compute(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        return np.max(x, axis=axes)


# --------------------------------------------------------------- linear algebra


@irdl_op_definition
class DotOp(TgOp):
    """numpy's `dot` for operands of rank 1 or 2: inner, matrix-vector and matrix products.

        %r = tg.dot %a, %b : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
    """

    name = "tg.dot"
    lhs = operand_def(TG_TENSOR)
    rhs = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        a, b = static_shape(lhs.type), static_shape(rhs.type)
        super().__init__(
            operands=[lhs, rhs],
            result_types=[tensor_type(_tensor(lhs).element_type, a[:-1] + b[1:])],
        )

    def verify_(self) -> None:
        a, b, r = _tensor(self.lhs), _tensor(self.rhs), _tensor(self.result)
        sa, sb = static_shape(a), static_shape(b)
        if len(sa) not in (1, 2) or len(sb) not in (1, 2):
            raise VerifyException(
                f"tg.dot: operands must have rank 1 or 2, got ranks {len(sa)} and {len(sb)}"
            )
        if a.element_type != b.element_type:
            raise VerifyException(
                f"tg.dot: operands must have the same element type, got {a.element_type} "
                f"and {b.element_type}"
            )
        if is_bool(a):
            raise VerifyException("tg.dot: boolean operands are not supported")
        k1, k2 = sa[-1], sb[0]
        if k1 is not None and k2 is not None and k1 != k2:
            raise VerifyException(
                f"tg.dot: contracted dimensions differ: {k1} (lhs) and {k2} (rhs)"
            )
        expected = tensor_type(a.element_type, sa[:-1] + sb[1:])
        if r != expected:
            raise VerifyException(f"tg.dot: result type must be {expected}, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        a, b = shapes
        if a[-1] != b[0]:
            raise ShapeError(
                f"contracted dimensions differ: lhs has {a[-1]} in its last dimension, rhs "
                f"has {b[0]} in its first",
                [(0, len(a) - 1), (1, 0)],
            )
        return a[:-1] + b[1:]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        lhs_kept = len(static_shape(self.lhs.type)) - 1
        return [(0, axis)] if axis < lhs_kept else [(1, axis - lhs_kept + 1)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        return np.asarray(np.dot(*args), dtype=self._result_dtype())

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        x, y = inputs
        if x.ndim == 2 and y.ndim == 2:
            return [T.dot(g, y.T), T.dot(x.T, g)]
        if x.ndim == 2:
            return [T.outer(g, y), T.dot(x.T, g)]
        if y.ndim == 2:
            return [T.dot(y, g), T.outer(x, g)]
        return [g * y, g * x]


def _restore_axes(value: Any, rank: int, axes: Sequence[int]) -> Any:
    """Reinsert reduced axes as broadcastable dimensions."""
    from tg.tensor import basic as T

    kept = iter(range(value.ndim))
    return T.dimshuffle(value, *["x" if a in axes else next(kept) for a in range(rank)])


TG_OPS: list[type[Operation]] = [
    ConstantOp,
    AddOp,
    SubOp,
    MulOp,
    DivOp,
    PowOp,
    MaximumOp,
    MinimumOp,
    NegOp,
    AbsOp,
    ExpOp,
    LogOp,
    TanhOp,
    SqrtOp,
    SigmoidOp,
    SoftplusOp,
    CmpOp,
    SelectOp,
    CastOp,
    GradientHintOp,
    AssertOp,
    DimOp,
    BroadcastOp,
    TransposeOp,
    DimShuffleOp,
    SumOp,
    MaxOp,
    DotOp,
]
"""The core ops; tg.dialects.dialect.TG adds the other op modules'."""
