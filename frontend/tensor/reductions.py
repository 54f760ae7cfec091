"""`tg.tensor` functions: reductions and scans, under Theano's names.

`axis` is an int (negative counts from the end), a tuple/list, or None for all axes;
`keepdims` keeps reduced axes as broadcastable dimensions. Dtypes follow numpy:
`prod`, `cumsum` and `cumprod` of booleans and small integers give int64, `var`
and `std` of integers give float64, `argmax`/`argmin` int64 and `all`/`any` bool.
`sum`, `mean` and `max` live in tg.tensor.basic.
"""

from __future__ import annotations

import builtins
from typing import Any

from tg.dialects import tg_reduce
from tg.tensor.basic import (
    _SUM_DTYPES,
    _axes,
    _keep,
    as_tensor_variable,
    build,
    cast,
    constant,
    eq,
    max,
    maximum,
    mean,
    neq,
    sqrt,
    sum,
    true_div,
    zeros_like,
)
from tg.variable import TensorVariable

__all__: list[str] = [
    "all",
    "any",
    "argmax",
    "argmin",
    "cumprod",
    "cumsum",
    "max_and_argmax",
    "min",
    "prod",
    "std",
    "var",
]


def min(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Minimum over `axis`; NaN propagates as in numpy."""
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    source = cast(t, "int8") if t.dtype == "bool" else t
    result = build(tg_reduce.MinOp(source.value, axes)) if axes else source
    result = cast(result, t.dtype)
    return _keep(result, t.ndim, axes) if keepdims else result


def prod(
    x: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    acc_dtype: Any = None,
    no_zeros_in_input: bool = False,
) -> TensorVariable:
    """Product over `axis` (1 over no elements); booleans and small integers
    multiply as int64. The gradient handles zeros in the input."""
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    t = cast(t, dtype or acc_dtype or _SUM_DTYPES.get(t.dtype, t.dtype))
    result = build(tg_reduce.ProdOp(t.value, axes)) if axes else t
    if dtype is not None:
        result = cast(result, dtype)
    return _keep(result, t.ndim, axes) if keepdims else result


def _arg_reduce(op: type[tg_reduce.ArgReduceOp], x: Any, axis: Any, keepdims: bool) -> TensorVariable:
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    if not axes:  # a 0-d tensor, or no axes: the only element is at index 0
        return zeros_like(t, "int64") if t.ndim else constant(0, "int64")
    source = cast(t, "int8") if t.dtype == "bool" else t
    result = build(op(source.value, axes))
    return _keep(result, t.ndim, axes) if keepdims else result


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Index of the first maximum over `axis` (of the row-major flattened axes when
    several or None); the first NaN wins, as in numpy."""
    return _arg_reduce(tg_reduce.ArgMaxOp, x, axis, keepdims)


def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Index of the first minimum over `axis` (see argmax)."""
    return _arg_reduce(tg_reduce.ArgMinOp, x, axis, keepdims)


def max_and_argmax(a: Any, axis: Any = None, keepdims: bool = False) -> list[TensorVariable]:
    """[max(a, axis), argmax(a, axis)]."""
    return [max(a, axis, keepdims), argmax(a, axis, keepdims)]


def _count(t: TensorVariable, axes: list[int]) -> TensorVariable | int:
    """The number of elements over `axes` (int64 scalar, or a Python int if static)."""
    from tg.tensor.shape_ops import prod_sizes, static_or_symbolic

    return prod_sizes([static_or_symbolic(t.shape[a]) for a in axes])


def var(
    input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, corrected: bool = False
) -> TensorVariable:
    """Variance over `axis`: sum((x - mean)^2) / (n - ddof); integers compute in
    float64. `corrected` subtracts the rounding error of the mean (two-pass)."""
    t = as_tensor_variable(input)
    if t.dtype[0] != "f":
        t = cast(t, "float64")
    axes = _axes(t, axis)
    d = t - mean(t, axes, keepdims=True)
    squares = sum(d * d, axes, keepdims)
    n = _count(t, axes)
    if corrected:
        squares = squares - sum(d, axes, keepdims) ** 2 / cast(n, t.dtype)
    count = builtins.max(n - ddof, 0) if isinstance(n, int) else maximum(n - ddof, 0)  # numpy clamps at 0
    return true_div(squares, cast(count, t.dtype))


def std(
    input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False, corrected: bool = False
) -> TensorVariable:
    """Standard deviation: sqrt(var(input, axis, ddof, keepdims, corrected))."""
    return sqrt(var(input, axis, ddof, keepdims, corrected))


def all(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Whether every element over `axis` is nonzero (True over no elements)."""
    t = as_tensor_variable(x)
    return eq(sum(eq(t, 0), axis, keepdims), 0)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Whether some element over `axis` is nonzero (False over no elements)."""
    t = as_tensor_variable(x)
    return neq(sum(neq(t, 0), axis, keepdims), 0)


def _scan(op: type[tg_reduce.ScanOp], x: Any, axis: int | None, what: str) -> TensorVariable:
    from tg.tensor.shape_ops import flatten

    t = as_tensor_variable(x)
    if axis is None:
        t, axis = flatten(t), 0
    if (
        isinstance(axis, builtins.bool)
        or not isinstance(axis, int)
        or not -t.ndim <= axis < builtins.max(t.ndim, 1)
    ):
        raise ValueError(f"{what}: axis {axis!r} is out of range for a {t.ndim}-d tensor")
    if t.ndim == 0:
        raise ValueError(f"{what}: a 0-d tensor has no axis {axis}; use axis=None")
    t = cast(t, _SUM_DTYPES.get(t.dtype, t.dtype))
    return build(op(t.value, axis % t.ndim))


def cumsum(x: Any, axis: int | None = None) -> TensorVariable:
    """Cumulative sum along `axis` (of the flattened tensor when None)."""
    return _scan(tg_reduce.CumsumOp, x, axis, "cumsum")


def cumprod(x: Any, axis: int | None = None) -> TensorVariable:
    """Cumulative product along `axis` (of the flattened tensor when None)."""
    return _scan(tg_reduce.CumprodOp, x, axis, "cumprod")
