"""Theano's tensor functions, each building `tg` ops with the user's source location.

Dtypes combine as numpy 2 does (NEP 50): tensors by dtype, Python numbers weakly, so
`fvector * 0.13` stays float32. Elementwise operands are aligned to one rank by
adding broadcastable dimensions on the left, as Theano's Elemwise does.
"""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from tg.config import config
from tg.dialects import tg
from tg.dialects.tensor_types import element_type
from tg.variable import TensorVariable, user_location
from xdsl.ir import Operation

_WEAK = (bool, int, float)


_built: list[list[Operation]] = []
"""Open recorders of the ops `build` makes (see `recording`)."""


def build(op: Operation, name: str | None = None) -> TensorVariable:
    """Wrap a freshly built op's result, recording where the user built it."""
    op.location = user_location()
    if _built:
        _built[-1].append(op)
    return TensorVariable(op.results[0], name)


@contextlib.contextmanager
def recording() -> Iterator[list[Operation]]:
    """Collect every op built inside the block (rewrites use it to drop what they
    built but did not keep)."""
    ops: list[Operation] = []
    _built.append(ops)
    try:
        yield ops
    finally:
        _built.pop()


def constant(value: Any, dtype: str | np.dtype | None = None, name: str | None = None) -> TensorVariable:
    """A constant tensor holding a copy of `value`."""
    array = np.asarray(value, dtype=dtype)
    if array.dtype == np.float16:
        array = array.astype(np.float32)
    element_type(array.dtype)  # TypeError for unsupported dtypes
    return build(tg.ConstantOp.from_array(array), name)


def as_tensor_variable(x: Any, dtype: str | np.dtype | None = None) -> TensorVariable:
    """`x` itself if symbolic, else a constant (of `dtype` when given)."""
    if isinstance(x, TensorVariable):
        return x if dtype is None else cast(x, dtype)
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"cannot make a tensor of {x!r}")
    return constant(x, dtype)


def _result_dtype(args: Sequence[Any]) -> np.dtype:
    parts: list[Any] = []
    for a in args:
        if isinstance(a, TensorVariable):
            parts.append(np.dtype(a.dtype))
        elif isinstance(a, _WEAK) or isinstance(a, np.ndarray | np.generic):
            parts.append(a)
        else:
            parts.append(np.asarray(a))
    return np.result_type(*parts)


def _align(args: Sequence[Any], dtype: np.dtype | str) -> list[TensorVariable]:
    """Cast every operand to `dtype` and pad ranks on the left with broadcastable dims."""
    tensors = [as_tensor_variable(a) if isinstance(a, TensorVariable) else constant(a, dtype) for a in args]
    return _pad_ranks([cast(t, dtype) for t in tensors])


def _pad_ranks(tensors: Sequence[TensorVariable]) -> list[TensorVariable]:
    """Bring tensors to one rank by adding broadcastable dimensions on the left."""
    rank = builtins.max(t.ndim for t in tensors)
    return [t if t.ndim == rank else dimshuffle(t, *(["x"] * (rank - t.ndim) + list(range(t.ndim)))) for t in tensors]


def upgrade_to_float(dtype: np.dtype | str) -> np.dtype:
    """Theano's rule for float-only functions of integers: small ints to float32,
    wide ones to float64."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return dtype
    if dtype in (np.dtype(np.bool_), np.dtype(np.int8), np.dtype(np.int16)):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _arith_dtype(args: Sequence[Any]) -> np.dtype:
    dtype = _result_dtype(args)
    return np.dtype(np.int8) if dtype == np.bool_ else dtype


def _binary(op_cls: type[tg.BinaryOp], a: Any, b: Any, dtype: np.dtype | None = None) -> TensorVariable:
    x, y = _align([a, b], dtype if dtype is not None else _arith_dtype([a, b]))
    return build(op_cls(x.value, y.value))


def add(a: Any, b: Any) -> TensorVariable:
    return _binary(tg.AddOp, a, b)


def sub(a: Any, b: Any) -> TensorVariable:
    return _binary(tg.SubOp, a, b)


def mul(a: Any, b: Any) -> TensorVariable:
    return _binary(tg.MulOp, a, b)


def true_div(a: Any, b: Any) -> TensorVariable:
    """`a / b`; integers divide as floats of `config.floatX`, as in Theano."""
    dtype = _result_dtype([a, b])
    return _binary(tg.DivOp, a, b, dtype if dtype.kind == "f" else np.dtype(config.floatX))


def pow(a: Any, b: Any) -> TensorVariable:
    """`a ** b` on floats (integers are raised as `floatX`)."""
    dtype = _result_dtype([a, b])
    return _binary(tg.PowOp, a, b, dtype if dtype.kind == "f" else np.dtype(config.floatX))


def maximum(a: Any, b: Any) -> TensorVariable:
    return _binary(tg.MaximumOp, a, b)


def minimum(a: Any, b: Any) -> TensorVariable:
    return _binary(tg.MinimumOp, a, b)


def _unary(op_cls: type[tg.UnaryOp], x: Any, floating: bool) -> TensorVariable:
    t = as_tensor_variable(x)
    if floating:
        t = cast(t, upgrade_to_float(t.dtype))
    elif t.dtype == "bool":
        t = cast(t, "int8")
    return build(op_cls(t.value))


def neg(x: Any) -> TensorVariable:
    return _unary(tg.NegOp, x, floating=False)


def abs_(x: Any) -> TensorVariable:
    return _unary(tg.AbsOp, x, floating=False)


def exp(x: Any) -> TensorVariable:
    return _unary(tg.ExpOp, x, floating=True)


def log(x: Any) -> TensorVariable:
    return _unary(tg.LogOp, x, floating=True)


def tanh(x: Any) -> TensorVariable:
    return _unary(tg.TanhOp, x, floating=True)


def sqrt(x: Any) -> TensorVariable:
    return _unary(tg.SqrtOp, x, floating=True)


def sigmoid(x: Any) -> TensorVariable:
    return _unary(tg.SigmoidOp, x, floating=True)


def softplus(x: Any) -> TensorVariable:
    """log(1 + exp(x)) without overflow."""
    return _unary(tg.SoftplusOp, x, floating=True)


def _compare(predicate: str, a: Any, b: Any) -> TensorVariable:
    x, y = _align([a, b], _result_dtype([a, b]))
    return build(tg.CmpOp(predicate, x.value, y.value))


def eq(a: Any, b: Any) -> TensorVariable:
    return _compare("eq", a, b)


def neq(a: Any, b: Any) -> TensorVariable:
    return _compare("ne", a, b)


def lt(a: Any, b: Any) -> TensorVariable:
    return _compare("lt", a, b)


def le(a: Any, b: Any) -> TensorVariable:
    return _compare("le", a, b)


def gt(a: Any, b: Any) -> TensorVariable:
    return _compare("gt", a, b)


def ge(a: Any, b: Any) -> TensorVariable:
    return _compare("ge", a, b)


def switch(condition: Any, on_true: Any, on_false: Any) -> TensorVariable:
    """Elementwise `on_true if condition else on_false` (both sides are computed)."""
    c = as_tensor_variable(condition)
    if c.dtype != "bool":
        c = neq(c, 0)
    dtype = _result_dtype([on_true, on_false])
    a, b = _align([on_true, on_false], dtype)
    c, a, b = _pad_ranks([c, a, b])
    return build(tg.SelectOp(c.value, a.value, b.value))


where = switch


def cast(x: Any, dtype: str | np.dtype) -> TensorVariable:
    """`x` converted to `dtype` (float to int truncates and saturates)."""
    t = as_tensor_variable(x)
    dtype = np.dtype(dtype)
    if t.dtype == dtype.name:
        return t
    return build(tg.CastOp(t.value, element_type(dtype)))


# -------------------------------------------------------------------- shapes


def dimshuffle(x: Any, *pattern: Any) -> TensorVariable:
    """Theano's dimshuffle: e.g. `dimshuffle(v, 'x', 0)` makes a row of a vector."""
    t = as_tensor_variable(x)
    if len(pattern) == 1 and isinstance(pattern[0], Sequence) and not isinstance(pattern[0], str):
        pattern = tuple(pattern[0])
    dims: list[int] = []
    for p in pattern:
        if p == "x":
            dims.append(-1)
        elif isinstance(p, int | np.integer) and 0 <= p < t.ndim:
            dims.append(int(p))
        else:
            raise ValueError(f"dimshuffle: {p!r} is neither 'x' nor a dimension of a {t.ndim}-d tensor")
    if len(set(d for d in dims if d >= 0)) != len([d for d in dims if d >= 0]):
        raise ValueError(f"dimshuffle: pattern {pattern} repeats a dimension")
    for axis in set(range(t.ndim)) - set(dims):
        if not t.broadcastable[axis]:
            raise ValueError(
                f"dimshuffle: dimension {axis} is dropped but is not broadcastable "
                f"(its type is {t.type})"
            )
    if dims == list(range(t.ndim)):
        return t
    return build(tg.DimShuffleOp(t.value, dims))


def transpose(x: Any, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute dimensions; reverses them by default."""
    t = as_tensor_variable(x)
    perm = list(reversed(range(t.ndim))) if axes is None else [int(a) % builtins.max(t.ndim, 1) for a in axes]
    if sorted(perm) != list(range(t.ndim)):
        raise ValueError(f"transpose: {list(axes or [])} is not a permutation of {t.ndim} dimensions")
    if perm == list(range(t.ndim)):
        return t
    return build(tg.TransposeOp(t.value, perm))


def alloc(value: Any, *shape: Any) -> TensorVariable:
    """`value` broadcast to `shape` (ints or symbolic int scalars)."""
    v = as_tensor_variable(value)
    if len(shape) < v.ndim:
        raise ValueError(f"alloc: {len(shape)} sizes given for a {v.ndim}-d value")
    sizes, static = [], []
    for s in shape:
        if isinstance(s, TensorVariable):
            if s.ndim != 0 or s.dtype not in ("int8", "int16", "int32", "int64"):
                raise TypeError(f"alloc: sizes must be integer scalars, got {s}")
            sizes.append(cast(s, "int64"))
            static.append(None)
        else:
            n = int(s)
            if n < 0:
                raise ValueError(f"alloc: negative size {n}")
            sizes.append(constant(n, "int64"))
            static.append(n)
    return build(tg.BroadcastOp(v.value, [s.value for s in sizes], static))


# ---------------------------------------------------------------- reductions


def _axes(t: TensorVariable, axis: Any) -> list[int]:
    if axis is None:
        return list(range(t.ndim))
    items = [axis] if isinstance(axis, int | np.integer) else list(axis)
    axes = []
    for a in items:
        a = int(a)
        if not -t.ndim <= a < t.ndim:
            raise ValueError(f"axis {a} is out of range for a {t.ndim}-d tensor")
        axes.append(a % t.ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis {axis} repeats a dimension")
    return sorted(axes)


def _keep(result: TensorVariable, rank: int, axes: list[int]) -> TensorVariable:
    pattern: list[Any] = []
    kept = iter(range(result.ndim))
    for a in range(rank):
        pattern.append("x" if a in axes else next(kept))
    return dimshuffle(result, *pattern)


_SUM_DTYPES = {"bool": "int64", "int8": "int64", "int16": "int64", "int32": "int64"}


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Sum over `axis` (int, tuple or None for all); small integers sum as int64."""
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    t = cast(t, _SUM_DTYPES.get(t.dtype, t.dtype))
    result = build(tg.SumOp(t.value, axes)) if axes else t
    return _keep(result, t.ndim, axes) if keepdims else result


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Mean over `axis`; integers average as float64, as in Theano."""
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    if t.dtype[0] != "f":
        t = cast(t, "float64")
    total = sum(t, axes, keepdims)
    if not axes:
        return total
    count = t.shape[axes[0]]
    for a in axes[1:]:
        count = count * t.shape[a]
    return true_div(total, cast(count, t.dtype))


def max(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Maximum over `axis`; NaN propagates as in numpy."""
    t = as_tensor_variable(x)
    axes = _axes(t, axis)
    source = cast(t, "int8") if t.dtype == "bool" else t
    result = build(tg.MaxOp(source.value, axes)) if axes else source
    result = cast(result, t.dtype)
    return _keep(result, t.ndim, axes) if keepdims else result


# ------------------------------------------------------------ linear algebra


def dot(a: Any, b: Any) -> TensorVariable:
    """numpy's dot for operands of rank 1 or 2."""
    dtype = _arith_dtype([a, b])
    x, y = (as_tensor_variable(v, dtype if not isinstance(v, TensorVariable) else None) for v in (a, b))
    x, y = cast(x, dtype), cast(y, dtype)
    if x.ndim == 0 or y.ndim == 0:
        return mul(x, y)
    if x.ndim > 2 or y.ndim > 2:
        raise NotImplementedError(f"dot of ranks {x.ndim} and {y.ndim}: only ranks 1 and 2 so far")
    return build(tg.DotOp(x.value, y.value))


def outer(x: Any, y: Any) -> TensorVariable:
    """Outer product of two vectors."""
    a, b = as_tensor_variable(x), as_tensor_variable(y)
    return mul(dimshuffle(a, 0, "x"), dimshuffle(b, "x", 0))


def _filled_like(x: Any, value: float, dtype: str | np.dtype | None) -> TensorVariable:
    t = as_tensor_variable(x)
    dtype = np.dtype(dtype or t.dtype)
    if t.ndim == 0:
        return constant(np.asarray(value, dtype))
    return alloc(constant(np.asarray(value, dtype)), *t.shape)


def zeros_like(x: Any, dtype: str | np.dtype | None = None) -> TensorVariable:
    """Zeros of `x`'s shape (and dtype unless given)."""
    return _filled_like(x, 0, dtype)


def ones_like(x: Any, dtype: str | np.dtype | None = None) -> TensorVariable:
    """Ones of `x`'s shape (and dtype unless given)."""
    return _filled_like(x, 1, dtype)


def assert_op(x: Any, condition: Any, message: str = "assertion failed") -> TensorVariable:
    """`x`, once the scalar `condition` holds; otherwise the call raises ValueError
    with `message` before any generated code runs (Theano's Assert)."""
    t = as_tensor_variable(x)
    c = as_tensor_variable(condition)
    if c.ndim != 0:
        raise ValueError(f"assert_op: the condition must be a scalar, got {c}")
    if c.dtype != "bool":
        c = neq(c, 0)
    return build(tg.AssertOp(t.value, c.value, message))
