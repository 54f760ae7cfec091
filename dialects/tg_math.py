"""`tg` ops: elementwise math (see tg.dialects.tg for the op interfaces).

Trigonometric, hyperbolic and special functions, rounding, clipping, floor division
and remainder with numpy's semantics, bitwise/logical operations and float-class
predicates. Each op's `reference` is the numpy function it matches; the lowering's
scalar code (tg.lowering.loops_math) computes the same values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import is_float, static_shape, tensor_type
from tg.dialects.tg import (
    TG_TENSOR,
    BinaryOp,
    ConcreteShape,
    TgOp,
    UnaryOp,
    _elementwise_shape,
    _elementwise_sources,
    _tensor,
    _verify_elementwise,
    elementwise_result_type,
)
from xdsl.dialects.builtin import StringAttr, i1
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

# ------------------------------------------------------------ float unary functions


class FloatUnaryOp(UnaryOp):
    """A float function of one float operand (integers are converted by the frontend)."""

    FLOAT_ONLY: ClassVar[bool] = True
    EXPENSIVE: ClassVar[bool] = True
    NUMPY: ClassVar[Any]

    def compute(self, x: np.ndarray) -> np.ndarray:
        return type(self).NUMPY(x)


@irdl_op_definition
class SinOp(FloatUnaryOp):
    """Sine. `%r = tg.sin %x : tensor<?xf32>`"""

    name = "tg.sin"
    NUMPY: ClassVar[Any] = np.sin

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import math as M

        return [g * M.cos(inputs[0])]


@irdl_op_definition
class CosOp(FloatUnaryOp):
    """Cosine. `%r = tg.cos %x : tensor<?xf32>`"""

    name = "tg.cos"
    NUMPY: ClassVar[Any] = np.cos

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import math as M

        return [-(g * M.sin(inputs[0]))]


@irdl_op_definition
class TanOp(FloatUnaryOp):
    """Tangent. `%r = tg.tan %x : tensor<?xf32>`"""

    name = "tg.tan"
    NUMPY: ClassVar[Any] = np.tan

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * (1 + output * output)]


@irdl_op_definition
class ArcsinOp(FloatUnaryOp):
    """Inverse sine (NaN outside [-1, 1]). `%r = tg.arcsin %x : tensor<?xf32>`"""

    name = "tg.arcsin"
    NUMPY: ClassVar[Any] = np.arcsin

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [g / T.sqrt(1 - x * x)]


@irdl_op_definition
class ArccosOp(FloatUnaryOp):
    """Inverse cosine (NaN outside [-1, 1]). `%r = tg.arccos %x : tensor<?xf32>`"""

    name = "tg.arccos"
    NUMPY: ClassVar[Any] = np.arccos

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [-(g / T.sqrt(1 - x * x))]


@irdl_op_definition
class ArctanOp(FloatUnaryOp):
    """Inverse tangent. `%r = tg.arctan %x : tensor<?xf32>`"""

    name = "tg.arctan"
    NUMPY: ClassVar[Any] = np.arctan

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        (x,) = inputs
        return [g / (1 + x * x)]


@irdl_op_definition
class SinhOp(FloatUnaryOp):
    """Hyperbolic sine. `%r = tg.sinh %x : tensor<?xf32>`"""

    name = "tg.sinh"
    NUMPY: ClassVar[Any] = np.sinh

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import math as M

        return [g * M.cosh(inputs[0])]


@irdl_op_definition
class CoshOp(FloatUnaryOp):
    """Hyperbolic cosine. `%r = tg.cosh %x : tensor<?xf32>`"""

    name = "tg.cosh"
    NUMPY: ClassVar[Any] = np.cosh

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import math as M

        return [g * M.sinh(inputs[0])]


@irdl_op_definition
class ArcsinhOp(FloatUnaryOp):
    """Inverse hyperbolic sine. `%r = tg.arcsinh %x : tensor<?xf32>`"""

    name = "tg.arcsinh"
    NUMPY: ClassVar[Any] = np.arcsinh

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [g / T.sqrt(x * x + 1)]


@irdl_op_definition
class ArccoshOp(FloatUnaryOp):
    """Inverse hyperbolic cosine (NaN below 1). `%r = tg.arccosh %x : tensor<?xf32>`"""

    name = "tg.arccosh"
    NUMPY: ClassVar[Any] = np.arccosh

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [g / T.sqrt(x * x - 1)]


@irdl_op_definition
class ArctanhOp(FloatUnaryOp):
    """Inverse hyperbolic tangent (±inf at ±1). `%r = tg.arctanh %x : tensor<?xf32>`"""

    name = "tg.arctanh"
    NUMPY: ClassVar[Any] = np.arctanh

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        (x,) = inputs
        return [g / (1 - x * x)]


_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


@irdl_op_definition
class ErfOp(FloatUnaryOp):
    """Error function. `%r = tg.erf %x : tensor<?xf64>`"""

    name = "tg.erf"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(_erf(x.astype(np.float64)), dtype=np.float64)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [g * (2 / math.sqrt(math.pi)) * T.exp(-(x * x))]


@irdl_op_definition
class ErfcOp(FloatUnaryOp):
    """Complementary error function 1 - erf(x), accurate where erf(x) is near 1.
    `%r = tg.erfc %x : tensor<?xf64>`"""

    name = "tg.erfc"

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(_erfc(x.astype(np.float64)), dtype=np.float64)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T

        (x,) = inputs
        return [g * (-2 / math.sqrt(math.pi)) * T.exp(-(x * x))]


@irdl_op_definition
class Log1pOp(FloatUnaryOp):
    """log(1 + x), accurate for small x. `%r = tg.log1p %x : tensor<?xf32>`"""

    name = "tg.log1p"
    NUMPY: ClassVar[Any] = np.log1p

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g / (1 + inputs[0])]


@irdl_op_definition
class Expm1Op(FloatUnaryOp):
    """exp(x) - 1, accurate for small x. `%r = tg.expm1 %x : tensor<?xf32>`"""

    name = "tg.expm1"
    NUMPY: ClassVar[Any] = np.expm1

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * (output + 1)]


@irdl_op_definition
class Log2Op(FloatUnaryOp):
    """Base-2 logarithm. `%r = tg.log2 %x : tensor<?xf32>`"""

    name = "tg.log2"
    NUMPY: ClassVar[Any] = np.log2

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g / (inputs[0] * math.log(2.0))]


@irdl_op_definition
class Log10Op(FloatUnaryOp):
    """Base-10 logarithm. `%r = tg.log10 %x : tensor<?xf32>`"""

    name = "tg.log10"
    NUMPY: ClassVar[Any] = np.log10

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g / (inputs[0] * math.log(10.0))]


@irdl_op_definition
class Exp2Op(FloatUnaryOp):
    """2 ** x. `%r = tg.exp2 %x : tensor<?xf32>`"""

    name = "tg.exp2"
    NUMPY: ClassVar[Any] = np.exp2

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * output * math.log(2.0)]


@irdl_op_definition
class ReciprocalOp(FloatUnaryOp):
    """1 / x (Theano's `inv`). `%r = tg.reciprocal %x : tensor<?xf32>`"""

    name = "tg.reciprocal"
    NUMPY: ClassVar[Any] = np.reciprocal

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [-(g * output * output)]


# ------------------------------------------------------------------------- rounding


class RoundingOp(FloatUnaryOp):
    """Rounding to an integral float: piecewise constant, so its gradient is zero
    (None: tg.grad gives zeros)."""

    EXPENSIVE: ClassVar[bool] = False

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


@irdl_op_definition
class FloorOp(RoundingOp):
    """Largest integral value not above x. `%r = tg.floor %x : tensor<?xf32>`"""

    name = "tg.floor"
    NUMPY: ClassVar[Any] = np.floor


@irdl_op_definition
class CeilOp(RoundingOp):
    """Smallest integral value not below x. `%r = tg.ceil %x : tensor<?xf32>`"""

    name = "tg.ceil"
    NUMPY: ClassVar[Any] = np.ceil


@irdl_op_definition
class TruncOp(RoundingOp):
    """Integral part (rounds toward zero). `%r = tg.trunc %x : tensor<?xf32>`"""

    name = "tg.trunc"
    NUMPY: ClassVar[Any] = np.trunc


ROUND_MODES: tuple[str, ...] = ("half_to_even", "half_away_from_zero")
"""How tg.round breaks ties: numpy's `round` (half_to_even) or C's `round`."""


def round_half_away_from_zero(x: np.ndarray) -> np.ndarray:
    """C's `round`: nearest integral value, ties away from zero, sign kept (so -0.3
    gives -0.0)."""
    t = np.trunc(x)
    with np.errstate(invalid="ignore"):
        up = np.abs(x - t) >= 0.5  # exact: x - trunc(x) has no rounding error
    return np.copysign(t + np.where(up, np.sign(x), 0).astype(x.dtype), x)


@irdl_op_definition
class RoundOp(RoundingOp):
    """Nearest integral value; `mode` says how ties go: "half_to_even" (numpy's
    `round`) or "half_away_from_zero".

        %r = tg.round "half_to_even", %x : tensor<?xf32>
    """

    name = "tg.round"
    mode = prop_def(StringAttr)
    assembly_format = "$mode `,` $input attr-dict `:` type($input)"

    def __init__(self, input: SSAValue, mode: str = "half_to_even"):
        IRDLOperation.__init__(
            self, operands=[input], result_types=[input.type], properties={"mode": StringAttr(mode)}
        )

    def verify_(self) -> None:
        if self.mode.data not in ROUND_MODES:
            raise VerifyException(
                f"tg.round: unknown mode {self.mode.data!r}; expected one of " + ", ".join(ROUND_MODES)
            )
        super().verify_()

    def compute(self, x: np.ndarray) -> np.ndarray:
        if self.mode.data == "half_to_even":
            return np.round(x)
        return round_half_away_from_zero(x)


# ------------------------------------------------------------ integer or float unary


@irdl_op_definition
class SqrOp(UnaryOp):
    """x * x, integers wrapping as numpy's. `%r = tg.sqr %x : tensor<?xi32>`"""

    name = "tg.sqr"
    FLOAT_ONLY: ClassVar[bool] = False

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.multiply(x, x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [g * 2 * inputs[0]]


@irdl_op_definition
class SgnOp(UnaryOp):
    """numpy's `sign`: -1, 0 or 1 (NaN stays NaN, -0.0 gives 0.0); zero gradient.
    `%r = tg.sgn %x : tensor<?xf64>`"""

    name = "tg.sgn"
    FLOAT_ONLY: ClassVar[bool] = False

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.sign(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


# ------------------------------------------------------------------ bool or integer


def _verify_bitwise(op: Operation) -> None:
    types = [_tensor(v) for v in op.operands]
    elts = {t.element_type for t in types}
    if len(elts) != 1:
        raise VerifyException(
            f"{op.name}: operands must have the same element type, got "
            + " and ".join(str(t.element_type) for t in types)
        )
    if is_float(types[0]):
        raise VerifyException(f"{op.name}: operands must be integers or booleans, got {types[0]}")


@irdl_op_definition
class InvertOp(UnaryOp):
    """Bitwise not of integers, logical not of booleans. `%r = tg.invert %x : tensor<?xi1>`"""

    name = "tg.invert"
    FLOAT_ONLY: ClassVar[bool] = False

    def verify_(self) -> None:
        if self.result.type != self.input.type:
            raise VerifyException(f"tg.invert: result type must equal operand type {self.input.type}")
        _verify_bitwise(self)

    def compute(self, x: np.ndarray) -> np.ndarray:
        return np.invert(x)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


class BitwiseOp(BinaryOp):
    """Elementwise bitwise op of integers, logical op of booleans; no gradient."""

    NUMPY: ClassVar[Any]

    def verify_(self) -> None:
        _verify_bitwise(self)
        _verify_elementwise(self, _tensor(self.lhs).element_type)

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return type(self).NUMPY(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None, None]


@irdl_op_definition
class AndOp(BitwiseOp):
    """Bitwise/logical and. `%r = tg.and %a, %b : (tensor<?xi1>, tensor<?xi1>) -> tensor<?xi1>`"""

    name = "tg.and"
    NUMPY: ClassVar[Any] = np.bitwise_and


@irdl_op_definition
class OrOp(BitwiseOp):
    """Bitwise/logical or. `%r = tg.or %a, %b : (tensor<?xi8>, tensor<?xi8>) -> tensor<?xi8>`"""

    name = "tg.or"
    NUMPY: ClassVar[Any] = np.bitwise_or


@irdl_op_definition
class XorOp(BitwiseOp):
    """Bitwise/logical exclusive or. `%r = tg.xor %a, %b : (tensor<?xi32>, tensor<1xi32>) -> tensor<?xi32>`"""

    name = "tg.xor"
    NUMPY: ClassVar[Any] = np.bitwise_xor


# ----------------------------------------------------------------------- predicates


class FloatClassOp(TgOp):
    """A boolean property of each element (of any type; integers and booleans are
    never NaN or infinite)."""

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True
    NUMPY: ClassVar[Any]

    input = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `->` type($result)"

    def __init__(self, input: SSAValue):
        super().__init__(operands=[input], result_types=[tensor_type(i1, static_shape(input.type))])

    def verify_(self) -> None:
        expected = tensor_type(i1, static_shape(self.input.type))
        if self.result.type != expected:
            raise VerifyException(f"{self.name}: result type must be {expected}, got {self.result.type}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x = args[0]
        if not np.issubdtype(x.dtype, np.floating):
            return np.zeros(x.shape, np.bool_)
        return np.asarray(type(self).NUMPY(x), dtype=np.bool_)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None]


@irdl_op_definition
class IsNanOp(FloatClassOp):
    """Whether each element is NaN. `%r = tg.isnan %x : tensor<?xf32> -> tensor<?xi1>`"""

    name = "tg.isnan"
    NUMPY: ClassVar[Any] = np.isnan


@irdl_op_definition
class IsInfOp(FloatClassOp):
    """Whether each element is +inf or -inf. `%r = tg.isinf %x : tensor<?xf32> -> tensor<?xi1>`"""

    name = "tg.isinf"
    NUMPY: ClassVar[Any] = np.isinf


# ------------------------------------------------------------------ binary arithmetic


@irdl_op_definition
class Arctan2Op(BinaryOp):
    """Angle of the point (rhs, lhs): numpy's `arctan2(y, x)` with y = lhs.

        %r = tg.arctan2 %y, %x : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    """

    name = "tg.arctan2"
    FLOAT_ONLY: ClassVar[bool] = True

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.arctan2(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        y, x = inputs
        scale = g / (x * x + y * y)
        return [scale * x, -(scale * y)]


@irdl_op_definition
class IntDivOp(BinaryOp):
    """Floor division, numpy's `floor_divide` (Python's `//`). Integer division by
    zero gives 0, and the lowest integer divided by -1 wraps to itself, as in numpy;
    float division by zero gives ±inf or NaN. Zero gradient.

        %r = tg.int_div %a, %b : (tensor<?xi32>, tensor<?xi32>) -> tensor<?xi32>
    """

    name = "tg.int_div"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.floor_divide(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None, None]


@irdl_op_definition
class ModOp(BinaryOp):
    """Remainder with the divisor's sign, numpy's `remainder` (Python's `%`); an
    integer remainder by zero is 0, a float one NaN.

        %r = tg.mod %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
    """

    name = "tg.mod"

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.remainder(a, b)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import math as M

        x, y = inputs
        # a % b = a - b * (a // b), with a // b piecewise constant
        return [g, -(g * M.int_div(x, y))]


# -------------------------------------------------------------------------- ternary


@irdl_op_definition
class ClipOp(TgOp):
    """numpy's `clip`: x raised to a_min, then lowered to a_max (which wins when the
    bounds cross); NaN in x or a bound propagates. Booleans clip as (x or a_min) and
    a_max.

        %r = tg.clip %x, %lo, %hi : (tensor<?xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?xf32>
    """

    FUSION: ClassVar[str] = "elementwise"
    READS_ONCE: ClassVar[bool] = True

    name = "tg.clip"
    input = operand_def(TG_TENSOR)
    a_min = operand_def(TG_TENSOR)
    a_max = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$input `,` $a_min `,` $a_max attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, a_min: SSAValue, a_max: SSAValue):
        operands = [input, a_min, a_max]
        elt = _tensor(input).element_type
        super().__init__(operands=operands, result_types=[elementwise_result_type(elt, operands)])

    def verify_(self) -> None:
        types = [_tensor(v) for v in self.operands]
        if len({t.element_type for t in types}) != 1:
            raise VerifyException(
                "tg.clip: operands must have the same element type, got "
                + ", ".join(str(t.element_type) for t in types)
            )
        _verify_elementwise(self, types[0].element_type)

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return _elementwise_shape(self, shapes)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return _elementwise_sources(self, axis)

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, lo, hi = args
        dtype = self._result_dtype()
        if dtype == np.bool_:
            return np.asarray((x | lo) & hi, dtype=dtype)
        return np.asarray(np.clip(x, lo, hi), dtype=dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T
        from tg.tensor import math as M

        x, lo, hi = inputs
        inside = M.and_(T.ge(x, lo), T.le(x, hi))
        below = M.and_(T.lt(x, lo), T.le(lo, hi))  # the result is a_min
        return [T.switch(inside, g, 0), T.switch(below, g, 0), T.switch(M.or_(inside, below), 0, g)]


OPS: list[type[Operation]] = [
    SinOp,
    CosOp,
    TanOp,
    ArcsinOp,
    ArccosOp,
    ArctanOp,
    SinhOp,
    CoshOp,
    ArcsinhOp,
    ArccoshOp,
    ArctanhOp,
    ErfOp,
    ErfcOp,
    Log1pOp,
    Expm1Op,
    Log2Op,
    Log10Op,
    Exp2Op,
    ReciprocalOp,
    FloorOp,
    CeilOp,
    TruncOp,
    RoundOp,
    SqrOp,
    SgnOp,
    InvertOp,
    AndOp,
    OrOp,
    XorOp,
    IsNanOp,
    IsInfOp,
    Arctan2Op,
    IntDivOp,
    ModOp,
    ClipOp,
]
"""The math ops of the tg dialect."""
