"""`tg.tensor` functions: elementwise math, under Theano's names.

Dtype rules: float functions of integers or booleans compute in float32 (bool, int8,
int16) or float64 (int32, int64), as Theano's `upgrade_to_float`; rounding functions
return integer inputs unchanged; bitwise functions take integers and booleans only
(logical on booleans); `//` and `%` follow numpy's `floor_divide` and `remainder`
(integer division or remainder by zero gives 0; see tg.dialects.tg_math).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from tg.dialects import tg_math
from tg.dialects.tg import UnaryOp
from tg.tensor.basic import (
    _align,
    _binary,
    _result_dtype,
    _unary,
    abs_,
    as_tensor_variable,
    build,
    cast,
    upgrade_to_float,
)
from tg.variable import TensorVariable

__all__: list[str] = [
    "abs",
    "and_",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "ceil",
    "clip",
    "cos",
    "cosh",
    "deg2rad",
    "erf",
    "erfc",
    "exp2",
    "expm1",
    "floor",
    "floor_div",
    "int_div",
    "inv",
    "invert",
    "isinf",
    "isnan",
    "log1p",
    "log2",
    "log10",
    "mod",
    "or_",
    "rad2deg",
    "reciprocal",
    "round",
    "round_half_away_from_zero",
    "round_half_to_even",
    "sgn",
    "sin",
    "sinh",
    "sqr",
    "tan",
    "trunc",
    "xor",
]


def _float_unary(op_cls: type[UnaryOp], x: Any) -> TensorVariable:
    return _unary(op_cls, x, floating=True)


# ----------------------------------------------------------- trigonometric, hyperbolic


def sin(x: Any) -> TensorVariable:
    """Elementwise sine."""
    return _float_unary(tg_math.SinOp, x)


def cos(x: Any) -> TensorVariable:
    """Elementwise cosine."""
    return _float_unary(tg_math.CosOp, x)


def tan(x: Any) -> TensorVariable:
    """Elementwise tangent."""
    return _float_unary(tg_math.TanOp, x)


def arcsin(x: Any) -> TensorVariable:
    """Elementwise inverse sine (NaN outside [-1, 1])."""
    return _float_unary(tg_math.ArcsinOp, x)


def arccos(x: Any) -> TensorVariable:
    """Elementwise inverse cosine (NaN outside [-1, 1])."""
    return _float_unary(tg_math.ArccosOp, x)


def arctan(x: Any) -> TensorVariable:
    """Elementwise inverse tangent."""
    return _float_unary(tg_math.ArctanOp, x)


def arctan2(a: Any, b: Any) -> TensorVariable:
    """Elementwise angle of the point (b, a), numpy's `arctan2(a, b)`."""
    return _binary(tg_math.Arctan2Op, a, b, upgrade_to_float(_result_dtype([a, b])))


def sinh(x: Any) -> TensorVariable:
    """Elementwise hyperbolic sine."""
    return _float_unary(tg_math.SinhOp, x)


def cosh(x: Any) -> TensorVariable:
    """Elementwise hyperbolic cosine."""
    return _float_unary(tg_math.CoshOp, x)


def arcsinh(x: Any) -> TensorVariable:
    """Elementwise inverse hyperbolic sine."""
    return _float_unary(tg_math.ArcsinhOp, x)


def arccosh(x: Any) -> TensorVariable:
    """Elementwise inverse hyperbolic cosine (NaN below 1)."""
    return _float_unary(tg_math.ArccoshOp, x)


def arctanh(x: Any) -> TensorVariable:
    """Elementwise inverse hyperbolic tangent (NaN outside [-1, 1])."""
    return _float_unary(tg_math.ArctanhOp, x)


def deg2rad(x: Any) -> TensorVariable:
    """Degrees to radians."""
    t = as_tensor_variable(x)
    return cast(t, upgrade_to_float(t.dtype)) * (math.pi / 180)


def rad2deg(x: Any) -> TensorVariable:
    """Radians to degrees."""
    t = as_tensor_variable(x)
    return cast(t, upgrade_to_float(t.dtype)) * (180 / math.pi)


# --------------------------------------------------------- exponentials, logs, special


def erf(x: Any) -> TensorVariable:
    """Elementwise error function."""
    return _float_unary(tg_math.ErfOp, x)


def erfc(x: Any) -> TensorVariable:
    """Elementwise complementary error function, 1 - erf(x) without cancellation."""
    return _float_unary(tg_math.ErfcOp, x)


def log1p(x: Any) -> TensorVariable:
    """Elementwise log(1 + x), accurate for small x."""
    return _float_unary(tg_math.Log1pOp, x)


def expm1(x: Any) -> TensorVariable:
    """Elementwise exp(x) - 1, accurate for small x."""
    return _float_unary(tg_math.Expm1Op, x)


def log2(x: Any) -> TensorVariable:
    """Elementwise base-2 logarithm."""
    return _float_unary(tg_math.Log2Op, x)


def log10(x: Any) -> TensorVariable:
    """Elementwise base-10 logarithm."""
    return _float_unary(tg_math.Log10Op, x)


def exp2(x: Any) -> TensorVariable:
    """Elementwise 2 ** x."""
    return _float_unary(tg_math.Exp2Op, x)


def inv(x: Any) -> TensorVariable:
    """Elementwise 1 / x (integers compute in float, as Theano's `inv`)."""
    return _float_unary(tg_math.ReciprocalOp, x)


reciprocal = inv


def sqr(x: Any) -> TensorVariable:
    """Elementwise x * x (booleans as int8)."""
    return _unary(tg_math.SqrOp, x, floating=False)


def sgn(x: Any) -> TensorVariable:
    """Elementwise sign, numpy's `sign`: -1, 0 or 1 of x's dtype; NaN stays NaN
    (booleans as int8)."""
    return _unary(tg_math.SgnOp, x, floating=False)


abs = abs_


# ------------------------------------------------------------------------- rounding


def _rounding(op_cls: type[UnaryOp], x: Any) -> TensorVariable:
    t = as_tensor_variable(x)
    if not t.dtype.startswith("float"):
        return t  # integers and booleans are already integral
    return build(op_cls(t.value))


def floor(x: Any) -> TensorVariable:
    """Elementwise floor; integers are returned unchanged. Zero gradient."""
    return _rounding(tg_math.FloorOp, x)


def ceil(x: Any) -> TensorVariable:
    """Elementwise ceiling; integers are returned unchanged. Zero gradient."""
    return _rounding(tg_math.CeilOp, x)


def trunc(x: Any) -> TensorVariable:
    """Elementwise rounding toward zero; integers are returned unchanged. Zero gradient."""
    return _rounding(tg_math.TruncOp, x)


def round(x: Any, mode: str | None = None) -> TensorVariable:
    """Elementwise rounding to the nearest integral value; ties go to the even
    neighbour (mode "half_to_even", numpy's `round`, the default) or away from zero
    ("half_away_from_zero"). Integers are returned unchanged. Zero gradient."""
    mode = "half_to_even" if mode is None else mode
    if mode not in tg_math.ROUND_MODES:
        raise ValueError(
            f"round: unknown mode {mode!r}; expected one of " + ", ".join(map(repr, tg_math.ROUND_MODES))
        )
    t = as_tensor_variable(x)
    if not t.dtype.startswith("float"):
        return t
    return build(tg_math.RoundOp(t.value, mode))


def round_half_to_even(x: Any) -> TensorVariable:
    """`round(x, "half_to_even")`."""
    return round(x, "half_to_even")


def round_half_away_from_zero(x: Any) -> TensorVariable:
    """`round(x, "half_away_from_zero")`."""
    return round(x, "half_away_from_zero")


def clip(x: Any, a_min: Any, a_max: Any) -> TensorVariable:
    """Elementwise numpy `clip`: minimum(maximum(x, a_min), a_max). The gradient
    passes to x where a_min <= x <= a_max, else to the bound taken."""
    dtype = _result_dtype([x, a_min, a_max])
    t, lo, hi = _align([x, a_min, a_max], dtype)
    return build(tg_math.ClipOp(t.value, lo.value, hi.value))


# ------------------------------------------------------------ floor division, modulo


def int_div(a: Any, b: Any) -> TensorVariable:
    """`a // b`, numpy's `floor_divide` for integers and floats (booleans as int8).
    Integer division by zero gives 0; the lowest integer // -1 wraps to itself."""
    return _binary(tg_math.IntDivOp, a, b)


floor_div = int_div


def mod(a: Any, b: Any) -> TensorVariable:
    """`a % b`, numpy's `remainder`: the result has b's sign. Integer remainder by
    zero gives 0, float remainder by zero NaN."""
    return _binary(tg_math.ModOp, a, b)


# ----------------------------------------------------------------- bitwise / logical


def _bitwise_dtype(name: str, args: list[Any]) -> np.dtype:
    dtype = _result_dtype(args)
    if dtype.kind == "f":
        raise TypeError(
            f"{name}: bitwise operations take integers or booleans, got {dtype.name} "
            f"(compare floats first, e.g. with tg.tensor.neq(x, 0))"
        )
    return dtype


def and_(a: Any, b: Any) -> TensorVariable:
    """`a & b`: bitwise and of integers, logical and of booleans."""
    return _binary(tg_math.AndOp, a, b, _bitwise_dtype("and_", [a, b]))


def or_(a: Any, b: Any) -> TensorVariable:
    """`a | b`: bitwise or of integers, logical or of booleans."""
    return _binary(tg_math.OrOp, a, b, _bitwise_dtype("or_", [a, b]))


def xor(a: Any, b: Any) -> TensorVariable:
    """`a ^ b`: bitwise exclusive or of integers, logical one of booleans."""
    return _binary(tg_math.XorOp, a, b, _bitwise_dtype("xor", [a, b]))


def invert(x: Any) -> TensorVariable:
    """`~x`: bitwise not of integers, logical not of booleans."""
    t = as_tensor_variable(x)
    _bitwise_dtype("invert", [t])
    return build(tg_math.InvertOp(t.value))


bitwise_and = and_
bitwise_or = or_
bitwise_xor = xor
bitwise_not = invert


# --------------------------------------------------------------------- predicates


def isnan(x: Any) -> TensorVariable:
    """Elementwise test for NaN (booleans; always False for integers)."""
    return build(tg_math.IsNanOp(as_tensor_variable(x).value))


def isinf(x: Any) -> TensorVariable:
    """Elementwise test for ±inf (booleans; always False for integers)."""
    return build(tg_math.IsInfOp(as_tensor_variable(x).value))
