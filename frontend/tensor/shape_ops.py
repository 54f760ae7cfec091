"""`tg.tensor` functions: shape ops, under Theano's names.

Sizes may be Python ints or symbolic integer scalars (`x.shape[0]`, an `lscalar`
input), and a whole `x.shape` works wherever a shape is expected
(`T.zeros(x.shape)`, `y.reshape(x.shape)`). Static sizes stay static in the result
type; symbolic ones become 0-d int64 operands read before the call.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from tg.config import config
from tg.dialects import tg, tg_shape
from tg.dialects.tensor_types import static_shape
from tg.tensor.basic import (
    _result_dtype,
    alloc,
    as_tensor_variable,
    build,
    cast,
    constant,
    dimshuffle,
    eq,
)
from tg.tensor.shape import SymbolicShape
from tg.variable import TensorVariable

__all__: list[str] = [
    "addbroadcast",
    "arange",
    "concatenate",
    "eye",
    "fill",
    "flatten",
    "horizontal_stack",
    "identity_like",
    "join",
    "ones",
    "patternbroadcast",
    "repeat",
    "reshape",
    "roll",
    "second",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
    "split",
    "squeeze",
    "stack",
    "tile",
    "unbroadcast",
    "vertical_stack",
    "zeros",
]

Size: TypeAlias = int | TensorVariable
"""A size: a Python int, or a symbolic 0-d int64 variable."""

_INTS = ("int8", "int16", "int32", "int64")


# ------------------------------------------------------------------ size helpers


def static_or_symbolic(size: Any) -> Size:
    """`size` as a Python int when its value is known now, else as an int64 scalar."""
    if isinstance(size, bool):
        raise TypeError(f"a size must be an integer, got {size!r}")
    if isinstance(size, int | np.integer):
        return int(size)
    if isinstance(size, np.ndarray) and size.ndim == 0 and size.dtype.kind in "iu":
        return int(size)
    if not isinstance(size, TensorVariable):
        raise TypeError(f"a size must be an integer or a symbolic integer scalar, got {size!r}")
    if size.ndim != 0 or size.dtype not in _INTS:
        raise TypeError(f"a size must be an integer scalar, got {size} of type {size.type}")
    owner = size.owner
    if isinstance(owner, tg.ConstantOp):
        return int(owner.to_array())
    return cast(size, "int64")


def _size_value(size: Size) -> TensorVariable:
    return constant(size, "int64") if isinstance(size, int) else size


def add_sizes(a: Size, b: Size) -> Size:
    """a + b, folded when both are known."""
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if isinstance(a, int) and a == 0:
        return b
    if isinstance(b, int) and b == 0:
        return a
    return _size_value(a) + _size_value(b)


def sub_sizes(a: Size, b: Size) -> Size:
    """a - b, folded when both are known."""
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    if isinstance(b, int) and b == 0:
        return a
    return _size_value(a) - _size_value(b)


def mul_sizes(a: Size, b: Size) -> Size:
    """a * b, folded when both are known (or one is 1)."""
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    if isinstance(a, int) and a == 1:
        return b
    if isinstance(b, int) and b == 1:
        return a
    return _size_value(a) * _size_value(b)


def prod_sizes(sizes: Sequence[Size]) -> Size:
    """The product of sizes (1 for none)."""
    total: Size = 1
    for s in sizes:
        total = mul_sizes(total, s)
    return total


def sizes_of(x: TensorVariable) -> list[Size]:
    """x's sizes: ints where static, int64 scalars elsewhere."""
    return [static_or_symbolic(s) for s in x.shape]


def _vector_item(v: TensorVariable, i: int) -> Size:
    """Element i of a symbolic integer vector, as a size."""
    piece = narrow(v, 0, i, 1)
    return static_or_symbolic(build(tg_shape.ReshapeOp(piece.value, [], ())))


def shape_sizes(shape: Any, ndim: int | None = None, what: str = "shape") -> list[Size]:
    """The sizes named by `shape`: an int, a symbolic scalar, a sequence of those, a
    whole `x.shape`, or a symbolic int vector of static length (or given `ndim`)."""
    if isinstance(shape, SymbolicShape):
        sizes = [static_or_symbolic(s) for s in shape]
    elif isinstance(shape, TensorVariable) and shape.ndim == 1:
        if shape.dtype not in _INTS:
            raise TypeError(f"{what}: a shape vector must hold integers, got {shape.type}")
        n = static_shape(shape.value.type)[0]
        if n is None:
            if ndim is None:
                raise ValueError(f"{what}: the length of the shape vector {shape} is unknown; pass ndim")
            n = ndim
        sizes = [_vector_item(shape, i) for i in range(n)]
    elif isinstance(shape, TensorVariable | int | np.integer) or (
        isinstance(shape, np.ndarray) and shape.ndim == 0
    ):
        sizes = [static_or_symbolic(shape)]
    elif isinstance(shape, Sequence | np.ndarray):
        sizes = [static_or_symbolic(s) for s in shape]
    else:
        raise TypeError(f"{what}: cannot read a shape from {shape!r}")
    if ndim is not None and len(sizes) != ndim:
        raise ValueError(f"{what}: {len(sizes)} sizes given but ndim={ndim}")
    return sizes


def _axis(axis: Any, ndim: int, what: str) -> int:
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(f"{what}: axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of range for a {ndim}-d tensor")
    return int(axis) % ndim


# ----------------------------------------------------------------------- reshape


def reshape(x: Any, shape: Any, ndim: int | None = None) -> TensorVariable:
    """numpy's reshape (a view): sizes may be ints, symbolic scalars or `y.shape`, and
    one may be -1."""
    t = as_tensor_variable(x)
    sizes = shape_sizes(shape, ndim, "reshape")
    known = [s for s in sizes if isinstance(s, int)]
    if any(s < -1 for s in known) or known.count(-1) > 1:
        raise ValueError(f"reshape: invalid sizes {_show(sizes)}: each must be non-negative, except one -1")
    in_static = static_shape(t.value.type)
    static: list[int | None] = [s if isinstance(s, int) and s >= 0 else None for s in sizes]
    if None not in in_static:
        total = math.prod(in_static)  # type: ignore[arg-type]
        if all(isinstance(s, int) for s in sizes):
            try:
                static = list(tg_shape.resolve_sizes(total, known))
            except tg.ShapeError as e:
                raise ValueError(f"reshape of a tensor of shape {in_static}: {e}") from None
    if tuple(static) == in_static and None not in in_static:
        return t
    values = [_size_value(s).value for s in sizes]
    return build(tg_shape.ReshapeOp(t.value, values, static))


def _show(sizes: Sequence[Size]) -> str:
    return "(" + ", ".join(str(s) if isinstance(s, int) else "?" for s in sizes) + ")"


def flatten(x: Any, ndim: int = 1, outdim: int | None = None) -> TensorVariable:
    """Keep the first ndim-1 dimensions and flatten the rest into the last one."""
    ndim = outdim if outdim is not None else ndim
    t = as_tensor_variable(x)
    if t.ndim == 0:
        return reshape(t, [1] * ndim) if ndim >= 1 else t
    if not 1 <= ndim <= t.ndim:
        raise ValueError(f"flatten: ndim must be in [1, {t.ndim}] for a {t.ndim}-d tensor, got {ndim}")
    sizes = sizes_of(t)
    return reshape(t, sizes[: ndim - 1] + [prod_sizes(sizes[ndim - 1 :])])


# --------------------------------------------------------------- broadcastability


def shape_padleft(t: Any, n_ones: int = 1) -> TensorVariable:
    """`t` with n_ones broadcastable dimensions added on the left."""
    x = as_tensor_variable(t)
    return dimshuffle(x, *(["x"] * n_ones + list(range(x.ndim))))


def shape_padright(t: Any, n_ones: int = 1) -> TensorVariable:
    """`t` with n_ones broadcastable dimensions added on the right."""
    x = as_tensor_variable(t)
    return dimshuffle(x, *(list(range(x.ndim)) + ["x"] * n_ones))


def shape_padaxis(t: Any, axis: int) -> TensorVariable:
    """`t` with a broadcastable dimension inserted at `axis` (numpy's expand_dims)."""
    x = as_tensor_variable(t)
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise ValueError(f"shape_padaxis: axis {axis} is out of range for a {x.ndim}-d tensor")
    axis = axis % (x.ndim + 1)
    pattern: list[Any] = list(range(x.ndim))
    pattern.insert(axis, "x")
    return dimshuffle(x, *pattern)


def squeeze(x: Any, axis: Any = None) -> TensorVariable:
    """Remove broadcastable dimensions (all of them, or those in `axis`; a named
    dimension that is not broadcastable is checked to have size 1 at run time)."""
    t = as_tensor_variable(x)
    if axis is None:
        axes = [a for a, b in enumerate(t.broadcastable) if b]
    else:
        items = [axis] if isinstance(axis, int | np.integer) else list(axis)
        axes = sorted({_axis(a, t.ndim, "squeeze") for a in items})
        t = addbroadcast(t, *axes)
    return dimshuffle(t, *[a for a in range(t.ndim) if a not in axes])


def _rebroadcast(x: TensorVariable, pattern: Sequence[bool]) -> TensorVariable:
    """`x` with static 1 exactly where `pattern` says (checked at run time)."""
    current = static_shape(x.value.type)
    target = [1 if b else (None if d == 1 else d) for d, b in zip(current, pattern)]
    if tuple(target) == current:
        return x
    sizes = [constant(1, "int64") if b else _size_value(s) for s, b in zip(sizes_of(x), pattern)]
    return build(tg.BroadcastOp(x.value, [s.value for s in sizes], target))


def addbroadcast(x: Any, *axes: int) -> TensorVariable:
    """`x` with `axes` made broadcastable; their sizes must be 1 at run time."""
    t = as_tensor_variable(x)
    chosen = {_axis(a, t.ndim, "addbroadcast") for a in axes}
    static = static_shape(t.value.type)
    for a in sorted(chosen):
        if static[a] not in (None, 1):
            raise ValueError(f"addbroadcast: dimension {a} has size {static[a]}, not 1 (type {t.type})")
    return _rebroadcast(t, [b or a in chosen for a, b in enumerate(t.broadcastable)])


def unbroadcast(x: Any, *axes: int) -> TensorVariable:
    """`x` with `axes` no longer broadcastable (their size stays 1)."""
    t = as_tensor_variable(x)
    chosen = {_axis(a, t.ndim, "unbroadcast") for a in axes}
    return _rebroadcast(t, [b and a not in chosen for a, b in enumerate(t.broadcastable)])


def patternbroadcast(x: Any, broadcastable: Sequence[bool]) -> TensorVariable:
    """`x` with the broadcastable pattern `broadcastable`."""
    t = as_tensor_variable(x)
    if len(broadcastable) != t.ndim:
        raise ValueError(f"patternbroadcast: {len(broadcastable)} flags for a {t.ndim}-d tensor")
    return _rebroadcast(t, [bool(b) for b in broadcastable])


# ------------------------------------------------------------------- joining


def concatenate(tensor_list: Sequence[Any], axis: int = 0) -> TensorVariable:
    """numpy's concatenate: tensors of one rank joined along `axis` (dtypes promote)."""
    if isinstance(tensor_list, TensorVariable) or not isinstance(tensor_list, Sequence):
        raise TypeError("concatenate: expected a list or tuple of tensors")
    if not tensor_list:
        raise ValueError("concatenate: need at least one tensor")
    tensors = [as_tensor_variable(t) for t in tensor_list]
    ranks = {t.ndim for t in tensors}
    if len(ranks) != 1:
        raise ValueError(
            f"concatenate: tensors must have the same rank, got ranks {[t.ndim for t in tensors]}"
        )
    rank = ranks.pop()
    if rank == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated (use stack)")
    axis = _axis(axis, rank, "concatenate")
    dtype = _result_dtype(tensors)
    tensors = [cast(t, dtype) for t in tensors]
    if len(tensors) == 1:
        return tensors[0]
    try:
        tg_shape.ConcatenateOp.static_result_shape([static_shape(t.value.type) for t in tensors], axis)
    except ValueError as e:
        raise ValueError(f"concatenate along axis {axis}: {e}") from None
    return build(tg_shape.ConcatenateOp([t.value for t in tensors], axis))


def join(axis: int, *tensors_list: Any) -> TensorVariable:
    """Theano's join: concatenate(tensors_list, axis)."""
    if isinstance(axis, TensorVariable):
        raise TypeError("join: the axis must be a Python int")
    return concatenate(list(tensors_list), axis)


def stack(*tensors: Any, axis: int = 0) -> TensorVariable:
    """numpy's stack: tensors of one shape joined along a new axis; `stack([a, b])`,
    `stack([a, b], axis)` and `stack(a, b)` all work (and `stack(x.shape)`)."""
    if len(tensors) >= 1 and isinstance(tensors[0], list | tuple | SymbolicShape):
        if len(tensors) == 2:
            axis = tensors[1]
        elif len(tensors) > 2:
            raise TypeError("stack: give a list of tensors and an axis")
        items = list(tensors[0])
    else:
        items = list(tensors)
    if not items:
        raise ValueError("stack: need at least one tensor")
    ts = [as_tensor_variable(t) for t in items]
    return concatenate([shape_padaxis(t, axis) for t in ts], axis)


def horizontal_stack(*args: Any) -> TensorVariable:
    """Matrices side by side (numpy's hstack for 2-d)."""
    return concatenate(list(args), axis=1)


def vertical_stack(*args: Any) -> TensorVariable:
    """Matrices one above the other (numpy's vstack for 2-d)."""
    return concatenate(list(args), axis=0)


def narrow(x: Any, axis: int, start: Any, length: Any) -> TensorVariable:
    """The slice [start, start + length) of `axis` (a view; bounds checked per call)."""
    t = as_tensor_variable(x)
    axis = _axis(axis, t.ndim, "narrow")
    start, length = static_or_symbolic(start), static_or_symbolic(length)
    size = static_shape(t.value.type)[axis]
    if isinstance(start, int) and isinstance(length, int):
        if start < 0 or length < 0 or (size is not None and start + length > size):
            raise ValueError(
                f"narrow: [{start}, {start + length}) is outside dimension {axis} of size {size}"
            )
        if start == 0 and length == size:
            return t
    static = length if isinstance(length, int) else None
    return build(
        tg_shape.NarrowOp(t.value, axis, _size_value(start).value, _size_value(length).value, static)
    )


def pad_axis(x: TensorVariable, axis: int, before: Size, after: Size) -> TensorVariable:
    """`x` with `before` zeros in front and `after` behind along `axis`."""
    sizes = sizes_of(x)
    pieces: list[TensorVariable | None] = []
    for n in (before, after):
        if isinstance(n, int) and n == 0:
            pieces.append(None)
            continue
        pieces.append(zeros(sizes[:axis] + [n] + sizes[axis + 1 :], x.dtype))
    parts = [p for p in (pieces[0], x, pieces[1]) if p is not None]
    return concatenate(parts, axis) if len(parts) > 1 else x


def split(x: Any, splits_size: Any, n_splits: int, axis: int = 0) -> list[TensorVariable]:
    """Theano's split: `n_splits` consecutive pieces of `axis` with the sizes given."""
    t = as_tensor_variable(x)
    axis = _axis(axis, t.ndim, "split")
    sizes = shape_sizes(splits_size, n_splits, "split")
    total = static_or_symbolic(t.shape[axis])
    if all(isinstance(s, int) for s in sizes) and isinstance(total, int) and builtins.sum(sizes) != total:  # type: ignore[arg-type]
        raise ValueError(f"split: sizes {sizes} do not add up to the size {total} of dimension {axis}")
    pieces: list[TensorVariable] = []
    start: Size = 0
    for s in sizes:
        pieces.append(narrow(t, axis, start, s))
        start = add_sizes(start, s)
    return pieces


def roll(x: Any, shift: Any, axis: int | None = None) -> TensorVariable:
    """numpy's roll: elements shifted by `shift` along `axis` (of the flattened
    tensor when None), wrapping around."""
    t = as_tensor_variable(x)
    if axis is None:
        return reshape(roll(flatten(t), shift, 0), t.shape)
    axis = _axis(axis, t.ndim, "roll")
    n = static_or_symbolic(t.shape[axis])
    s = static_or_symbolic(shift)
    if isinstance(s, int) and isinstance(n, int):
        s = s % n if n else 0
    else:
        from tg.tensor.math import mod

        s = mod(_size_value(s), _size_value(n))
    rest = sub_sizes(n, s)
    return concatenate([narrow(t, axis, rest, s), narrow(t, axis, 0, rest)], axis)


# ------------------------------------------------------------------ generators


def _filled(value: Any, shape: Any, dtype: Any, what: str) -> TensorVariable:
    dtype = np.dtype(dtype or config.floatX)
    sizes = shape_sizes(shape, what=what)
    for s in sizes:
        if isinstance(s, int) and s < 0:
            raise ValueError(f"{what}: negative size in shape {_show(sizes)}")
    scalar = constant(np.asarray(value, dtype))
    if not sizes:
        return scalar
    return alloc(scalar, *sizes)


def zeros(shape: Any, dtype: Any = None) -> TensorVariable:
    """A tensor of zeros of `shape` (ints, symbolic scalars or `x.shape`); floatX by default."""
    return _filled(0, shape, dtype, "zeros")


def ones(shape: Any, dtype: Any = None) -> TensorVariable:
    """A tensor of ones of `shape` (ints, symbolic scalars or `x.shape`); floatX by default."""
    return _filled(1, shape, dtype, "ones")


def fill(model: Any, value: Any) -> TensorVariable:
    """`value` broadcast to the shape of `model` (and `value`): Theano's fill/second.
    The dtype is value's (a Python number takes model's kind, as numpy's weak scalars)."""
    m = as_tensor_variable(model)
    if isinstance(value, TensorVariable):
        v = value
    else:
        v = constant(np.asarray(value, _result_dtype([m, value])))
    rank = builtins.max(m.ndim, v.ndim)
    m, v = shape_padleft(m, rank - m.ndim), shape_padleft(v, rank - v.ndim)
    sizes = [vs if mb else ms for ms, vs, mb in zip(sizes_of(m), sizes_of(v), m.broadcastable)]
    if rank == 0:
        return v
    return alloc(v, *sizes)


second = fill


def _bound(value: Any) -> TensorVariable:
    t = as_tensor_variable(value)
    if t.ndim != 0:
        raise TypeError(f"arange: bounds must be scalars, got {t.type}")
    return cast(t, "int8") if t.dtype == "bool" else t


def _known(value: Any) -> Any:
    """A bound's value when known now (a number or a constant), else None."""
    if isinstance(value, bool | int | float | np.number):
        return value
    if isinstance(value, TensorVariable) and isinstance(value.owner, tg.ConstantOp):
        return value.owner.to_array()[()]
    return None


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> TensorVariable:
    """numpy's arange with scalar (possibly symbolic) bounds. Integer bounds give
    int64, float bounds float64 (float32 when floatX is float32 and no bound is
    float64); the length is numpy's ceil((stop - start) / step)."""
    if stop is None:
        start, stop = 0, start
    bounds = [_bound(b) if isinstance(b, TensorVariable) else b for b in (start, stop, step)]
    kinds = [np.dtype(b.dtype) if isinstance(b, TensorVariable) else np.asarray(b).dtype for b in bounds]
    integral = all(k.kind in "iub" for k in kinds)
    if dtype is not None:
        target = np.dtype(dtype)
    elif integral:
        target = np.dtype("int64")
    else:
        wide = config.floatX == "float64" or any(
            isinstance(b, TensorVariable) and b.dtype == "float64" for b in bounds
        )
        target = np.dtype("float64" if wide else "float32")
    compute = target if target.kind == "f" else np.dtype("int64" if integral else "float64")
    values = [
        cast(b, compute) if isinstance(b, TensorVariable) else constant(np.asarray(b).astype(compute))
        for b in bounds
    ]
    known = [_known(b) for b in bounds]
    length = None
    if all(k is not None for k in known):
        typed = [np.asarray(k).astype(compute)[()] for k in known]
        try:
            length = tg_shape.arange_length(*[int(k) if compute.kind == "i" else k for k in typed])
        except tg.ShapeError as e:
            raise ValueError(str(e)) from None
    result = build(tg_shape.ArangeOp(values[0].value, values[1].value, values[2].value, length))
    return cast(result, target)


def eye(n: Any, m: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """An n x m matrix with ones on diagonal k (sizes may be symbolic); floatX by default."""
    dtype = np.dtype(dtype or config.floatX)
    m = n if m is None else m
    rows = arange(static_or_symbolic(n))
    cols = arange(static_or_symbolic(m))
    k = static_or_symbolic(k)
    shifted = rows + k if not (isinstance(k, int) and k == 0) else rows
    return cast(eq(shape_padright(shifted), shape_padleft(cols)), dtype)


def identity_like(x: Any) -> TensorVariable:
    """The identity matrix of a matrix's shape and dtype."""
    t = as_tensor_variable(x)
    if t.ndim != 2:
        raise ValueError(f"identity_like: expected a matrix, got {t.type}")
    return eye(t.shape[0], t.shape[1], 0, t.dtype)


# ------------------------------------------------------------------ repetition


def tile(x: Any, reps: Any, ndim: int | None = None) -> TensorVariable:
    """numpy's tile: `x` repeated reps[i] times along each dimension (reps may be
    symbolic; shorter reps apply to the last dimensions, longer ones add dimensions)."""
    t = as_tensor_variable(x)
    counts = shape_sizes(reps, what="tile")
    if any(isinstance(r, int) and r < 0 for r in counts):
        raise ValueError(f"tile: negative repetitions {_show(counts)}")
    d = builtins.max(len(counts), t.ndim, ndim or 0)
    counts = [1] * (d - len(counts)) + list(counts)
    t = shape_padleft(t, d - t.ndim)
    pattern: list[Any] = []
    alloc_sizes: list[Size] = []
    out_sizes: list[Size] = []
    for a, (r, n) in enumerate(zip(counts, sizes_of(t))):
        if isinstance(r, int) and r == 1:
            pattern.append(a)
            alloc_sizes.append(n)
            out_sizes.append(n)
        else:
            pattern += ["x", a]
            alloc_sizes += [r, n]
            out_sizes.append(mul_sizes(r, n))
    if len(pattern) == t.ndim:
        return t
    return reshape(alloc(dimshuffle(t, *pattern), *alloc_sizes), out_sizes)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> TensorVariable:
    """numpy's repeat: each element repeated `repeats` times along `axis` (of the
    flattened tensor when None). `repeats` is a count (possibly symbolic) or a vector
    of counts, one per element of the axis."""
    t = as_tensor_variable(x)
    if axis is None:
        t, axis = flatten(t), 0
    axis = _axis(axis, t.ndim, "repeat")
    if not isinstance(repeats, TensorVariable) and np.ndim(repeats) == 1:
        counts = np.asarray(repeats) if len(repeats) else np.zeros(0, np.int64)
        if counts.dtype.kind not in "iu" or (counts < 0).any():
            raise ValueError(f"repeat: repetition counts must be non-negative integers, got {counts}")
        repeats = int(counts[0]) if counts.size == 1 else constant(counts.astype(np.int64))
    if isinstance(repeats, TensorVariable) and repeats.ndim == 1:
        return _repeat_each(t, repeats, axis)
    r = static_or_symbolic(repeats)
    if isinstance(r, int) and r < 0:
        raise ValueError(f"repeat: negative repetition count {r}")
    if isinstance(r, int) and r == 1:
        return t
    sizes = sizes_of(t)
    pattern: list[Any] = list(range(t.ndim))
    pattern.insert(axis + 1, "x")
    spread = alloc(dimshuffle(t, *pattern), *(sizes[: axis + 1] + [r] + sizes[axis + 1 :]))
    return reshape(spread, sizes[:axis] + [mul_sizes(sizes[axis], r)] + sizes[axis + 1 :])


def _repeat_each(t: TensorVariable, counts: TensorVariable, axis: int) -> TensorVariable:
    """numpy's repeat with one count per element of `axis`: a gather of the element
    whose running total of counts first exceeds each output position."""
    from tg.tensor import basic
    from tg.tensor.indexing import get_item
    from tg.tensor.reductions import cumsum

    if counts.dtype not in _INTS:
        raise TypeError(f"repeat: repetition counts must be integers, got {counts.type}")
    if static_shape(counts.value.type)[0] == 1:
        return repeat(t, build(tg_shape.ReshapeOp(counts.value, [], ())), axis)
    size = static_or_symbolic(t.shape[axis])
    counts = build(
        tg.BroadcastOp(counts.value, [_size_value(size).value], [size if isinstance(size, int) else None])
    )
    ends = cumsum(counts)
    positions = arange(basic.sum(counts))
    # source index of output position p: how many running totals are <= p
    source = basic.sum(basic.ge(shape_padright(positions), shape_padleft(ends)), axis=1)
    return get_item(t, (slice(None),) * axis + (source,))
