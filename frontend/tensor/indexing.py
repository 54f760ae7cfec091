"""`tg.tensor` functions: indexing (`x[key]`), set_subtensor / inc_subtensor, nonzero.

`x[key]` follows numpy: integers (negative ones count from the end), slices, `...`
and `None` make a basic subtensor (a view); integer arrays and boolean masks make an
advanced one (a gather), with numpy's placement of the broadcast index dimensions.
Every integer and slice bound may be a Python int or a symbolic integer scalar.
The result remembers `x` and the key, so that `set_subtensor(x[key], y)` and
`inc_subtensor(x[key], y)` can build the matching scatter.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
from tg.dialects import tg_indexing as ix
from tg.dialects.tensor_types import static_shape
from tg.tensor.basic import (
    add,
    as_tensor_variable,
    build,
    cast,
    constant,
    dimshuffle,
    mul,
)
from tg.variable import TensorVariable

__all__ = [
    "flatnonzero",
    "get_item",
    "inc_subtensor",
    "nonzero",
    "nonzero_values",
    "set_subtensor",
]

_INTS = ("int8", "int16", "int32", "int64")
Index: TypeAlias = int | TensorVariable
"""A key value: a static int or a symbolic int64 scalar."""


# ------------------------------------------------------------------ op builders


def _static(t: TensorVariable) -> tuple[int | None, ...]:
    return static_shape(t.value.type)


def _align_value(y: Any, target: Sequence[int | None], dtype: str, what: str) -> TensorVariable:
    """`y` cast to `dtype`, with broadcastable dimensions added on the left (or
    broadcastable leading ones dropped) to reach the rank of `target`."""
    v = cast(y if isinstance(y, TensorVariable) else constant(np.asarray(y, dtype=dtype)), dtype)
    rank = len(target)
    if v.ndim > rank:
        extra = v.ndim - rank
        if not all(v.broadcastable[:extra]):
            raise ValueError(
                f"{what}: a value of {v.ndim} dimensions {v.type.shape} cannot be written into a subtensor of "
                f"{rank} dimensions {tuple(target)}"
            )
        v = dimshuffle(v, *range(extra, v.ndim))
    elif v.ndim < rank:
        v = dimshuffle(v, *(["x"] * (rank - v.ndim) + list(range(v.ndim))))
    for axis, (s, t) in enumerate(zip(_static(v), target)):
        if s not in (None, 1) and t is not None and s != t:
            raise ValueError(
                f"{what}: a value of shape {_static(v)} cannot be broadcast to the subtensor's shape {tuple(target)}"
            )
    return v


def basic_get(x: TensorVariable, entries: Sequence[ix.Entry], scalars: Sequence[TensorVariable]) -> TensorVariable:
    """`x[key]` for a basic key (see tg.dialects.tg_indexing)."""
    return build(ix.SubtensorOp(x.value, entries, [s.value for s in scalars]))


def basic_put(
    kind: str, x: TensorVariable, y: Any, entries: Sequence[ix.Entry], scalars: Sequence[TensorVariable]
) -> TensorVariable:
    """`x` with `x[key]` set to (kind "set") or incremented by (kind "inc") `y`."""
    target = ix.basic_static_shape(entries, _static(x))
    v = _align_value(y, target, x.dtype, f"{kind}_subtensor")
    op_cls = ix.SetSubtensorOp if kind == "set" else ix.IncSubtensorOp
    if kind == "inc" and x.dtype == "bool":
        raise TypeError("inc_subtensor: boolean tensors cannot be incremented")
    return build(op_cls(x.value, v.value, entries, [s.value for s in scalars]))


def advanced_get(x: TensorVariable, axes: Sequence[int], indices: Sequence[TensorVariable]) -> TensorVariable:
    """`x` indexed by integer arrays at `axes` (a gather)."""
    return build(ix.AdvancedSubtensorOp(x.value, axes, [i.value for i in indices]))


def advanced_put(
    kind: str, x: TensorVariable, y: Any, axes: Sequence[int], indices: Sequence[TensorVariable]
) -> TensorVariable:
    """`x` with `y` written (kind "set") or added (kind "inc") at the gather `x[arrays]`."""
    b = ix.index_broadcast_static([_static(i) for i in indices])
    target = ix.indexed_shape(_static(x), list(axes), b)
    v = _align_value(y, target, x.dtype, f"{kind}_subtensor")
    op_cls = ix.AdvancedSetSubtensorOp if kind == "set" else ix.AdvancedIncSubtensorOp
    if kind == "inc" and x.dtype == "bool":
        raise TypeError("inc_subtensor: boolean tensors cannot be incremented")
    return build(op_cls(x.value, v.value, axes, [i.value for i in indices]))


# ----------------------------------------------------------------- keys


def _bound(v: Any, what: str) -> Index:
    """A slice bound or integer index: a clamped int or a symbolic int64 scalar."""
    if isinstance(v, TensorVariable):
        if v.ndim != 0 or v.dtype not in _INTS:
            raise IndexError(f"{what} must be an integer scalar, got {v!r}")
        return cast(v, "int64")
    if isinstance(v, bool | np.bool_):
        raise IndexError(f"{what} must be an integer, got the boolean {v!r}")
    try:
        n = operator.index(v)
    except TypeError:
        raise IndexError(f"{what} must be an integer, None or an integer scalar variable, got {v!r}") from None
    return max(-ix.BOUND, min(ix.BOUND, n))


@dataclass
class _Basic:
    """A basic key under construction: entries and their symbolic operands."""

    entries: list[ix.Entry] = field(default_factory=list)
    scalars: list[TensorVariable] = field(default_factory=list)

    def value(self, v: Index | None) -> int:
        if v is None:
            return ix.NONE
        if isinstance(v, TensorVariable):
            self.scalars.append(v)
            return ix.DYNAMIC
        return v

    def add_index(self, v: Index) -> None:
        self.entries.append((self.value(v), ix.NONE, 0))

    def add_slice(self, s: slice) -> None:
        start = None if s.start is None else _bound(s.start, "a slice start")
        stop = None if s.stop is None else _bound(s.stop, "a slice stop")
        step = 1 if s.step is None else _bound(s.step, "a slice step")
        if isinstance(step, int) and step == 0:
            raise ValueError("slice step cannot be zero")
        self.entries.append((self.value(start), self.value(stop), self.value(step)))

    def add_full(self) -> None:
        self.entries.append(ix.FULL)

    def trimmed(self) -> list[ix.Entry]:
        entries = list(self.entries)
        while entries and entries[-1] == ix.FULL:
            entries.pop()
        return entries


@dataclass
class _Plan:
    """How `x[key]` is built: new axes inserted (dimshuffle), a basic key, then
    integer arrays at some axes. `put` builds the matching set/inc."""

    pattern: list[Any] | None
    basic: _Basic
    axes: list[int]
    indices: list[TensorVariable]

    def expand(self, x: TensorVariable) -> TensorVariable:
        return dimshuffle(x, *self.pattern) if self.pattern is not None else x

    def get(self, x: TensorVariable) -> TensorVariable:
        y = self.expand(x)
        entries = self.basic.trimmed()
        if entries:
            y = basic_get(y, entries, self.basic.scalars)
        if self.axes:
            y = advanced_get(y, self.axes, self.indices)
        return y

    def put(self, kind: str, x: TensorVariable, y: Any) -> TensorVariable:
        x1 = self.expand(x)
        entries = self.basic.trimmed()
        if not self.axes:
            new = basic_put(kind, x1, y, entries, self.basic.scalars)
        elif not entries:
            new = advanced_put(kind, x1, y, self.axes, self.indices)
        else:  # slices, then arrays: scatter into the slice, then write it back
            inner = basic_get(x1, entries, self.basic.scalars)
            inner = advanced_put(kind, inner, y, self.axes, self.indices)
            new = basic_put("set", x1, inner, entries, self.basic.scalars)
        if self.pattern is None:
            return new
        return dimshuffle(new, *[i for i, p in enumerate(self.pattern) if p != "x"])


def _classify(item: Any) -> tuple[str, Any]:
    """One key item as (kind, payload): new, ellipsis, slice, int, array or mask."""
    if item is None:
        return "new", None
    if item is Ellipsis:
        return "ellipsis", None
    if isinstance(item, slice):
        return "slice", item
    if isinstance(item, TensorVariable):
        if item.dtype == "bool":
            if item.ndim == 0:
                raise IndexError("a 0-d boolean index is not supported; use a boolean mask of the indexed shape")
            return "mask", item
        if item.dtype not in _INTS:
            raise IndexError(f"arrays used as indices must be of integer or boolean type, got {item.dtype} ({item!r})")
        return ("int", item) if item.ndim == 0 else ("array", item)
    if isinstance(item, bool | np.bool_):
        raise IndexError("a boolean scalar index is not supported; use a boolean mask of the indexed shape")
    if isinstance(item, int | np.integer):
        return "int", int(item)
    array = np.asarray(item)
    if array.dtype == np.bool_:
        if array.ndim == 0:
            raise IndexError("a 0-d boolean index is not supported")
        return "mask", array
    if array.dtype.kind in "iu" or (array.size == 0 and array.dtype.kind == "f"):
        if array.ndim == 0:
            return "int", int(array)
        return "array", array.astype(np.int64)
    raise IndexError(
        f"only integers, slices (`:`), ellipsis (`...`), None and integer or boolean arrays are valid indices, "
        f"got {item!r}"
    )


def _width(kind: str, payload: Any) -> int:
    """How many input dimensions an item consumes."""
    if kind in ("new", "ellipsis"):
        return 0
    if kind == "mask":
        return payload.ndim
    return 1


def _check_static_index(value: int | np.ndarray, size: int | None, axis: int) -> None:
    if size is None:
        return
    values = np.asarray(value)
    if values.size == 0:
        return
    for v in (int(values.min()), int(values.max())):
        if not -size <= v < size:
            raise IndexError(f"index {v} is out of bounds for axis {axis} with size {size}")


def _plan(x: TensorVariable, key: Any) -> _Plan:
    items = [_classify(k) for k in (key if isinstance(key, tuple) else (key,))]
    if sum(kind == "ellipsis" for kind, _ in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(_width(kind, p) for kind, p in items)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for a {x.ndim}-d tensor: {consumed} dimensions were indexed")
    expanded: list[tuple[str, Any]] = []
    for kind, p in items:
        if kind == "ellipsis":
            expanded += [("slice", slice(None))] * (x.ndim - consumed)
        else:
            expanded.append((kind, p))
    advanced = any(kind in ("array", "mask") for kind, _ in expanded)

    # new axes become broadcastable dimensions of the input, indexed by a full slice
    pattern: list[Any] = []
    src = 0
    for kind, p in expanded:
        if kind == "new":
            pattern.append("x")
        else:
            width = _width(kind, p)
            pattern += list(range(src, src + width))
            src += width
    pattern += list(range(src, x.ndim))
    has_new = "x" in pattern
    shape = [1 if p == "x" else _static(x)[p] for p in pattern]

    basic = _Basic()
    axes: list[int] = []
    indices: list[TensorVariable] = []
    pos = 0
    for kind, p in expanded:
        if kind == "new":
            basic.add_full()
        elif kind == "slice":
            basic.add_slice(p)
        elif kind == "int":
            if isinstance(p, int):
                _check_static_index(p, shape[pos], pos)
            if advanced:  # an integer among arrays is a 0-d array (numpy's placement rule)
                basic.add_full()
                axes.append(pos)
                indices.append(p if isinstance(p, TensorVariable) else constant(np.int64(p)))
            else:
                basic.add_index(_bound(p, "an index"))
        elif kind == "array":
            if not isinstance(p, TensorVariable):
                _check_static_index(p, shape[pos], pos)
                p = constant(p)
            basic.add_full()
            axes.append(pos)
            indices.append(p)
        else:  # mask: the coordinates of its true elements index its dimensions
            k = p.ndim
            rows = _mask_rows(x, pattern if has_new else None, p, pos, shape[pos : pos + k])
            for d in range(k):
                basic.add_full()
                axes.append(pos + d)
                indices.append(rows[d])
        pos += _width(kind, p) if kind != "new" else 1
    if indices:
        try:
            ix.index_broadcast_static([_static(i) for i in indices])
        except ValueError:
            shapes = " ".join(str(_static(i)) for i in indices)
            raise IndexError(f"shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}") from None
    return _Plan(pattern if has_new else None, basic, axes, indices)


def _mask_rows(
    x: TensorVariable, pattern: list[Any] | None, mask: Any, axis: int, sizes: Sequence[int | None]
) -> list[TensorVariable]:
    """The coordinate vectors of a mask's true elements, the mask indexing the
    (expanded) `x` from dimension `axis` on."""
    mask_shape = mask.shape if isinstance(mask, np.ndarray) else _static(mask)
    for d, (m, n) in enumerate(zip(mask_shape, sizes)):
        if m is not None and n is not None and m != n:
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis + d}; size of axis is {n} but size of "
                f"corresponding boolean axis is {m}"
            )
    matched = None not in sizes and None not in mask_shape
    if isinstance(mask, np.ndarray) and matched:
        return [constant(c.astype(np.int64)) for c in np.nonzero(mask)]
    m = mask if isinstance(mask, TensorVariable) else constant(mask)
    if matched:
        nz = build(ix.NonzeroOp(m.value))
    else:
        expanded = dimshuffle(x, *pattern) if pattern is not None else x
        nz = build(ix.NonzeroOp(m.value, expanded.value, axis))
    return [basic_get(nz, [(r, ix.NONE, 0)], []) for r in range(m.ndim)]


# -------------------------------------------------------------------- API


def get_item(x: Any, key: Any) -> TensorVariable:
    """`x[key]` with numpy's semantics (basic and advanced indexing, boolean masks)."""
    t = as_tensor_variable(x)
    plan = _plan(t, key)
    result = plan.get(t)
    result = TensorVariable(result.value)  # its own handle, remembering where it came from
    result._tg_subtensor = (t, plan)  # type: ignore[attr-defined]
    return result


def _source(r: Any, what: str) -> tuple[TensorVariable, _Plan]:
    remembered = getattr(r, "_tg_subtensor", None)
    if remembered is not None:
        return remembered
    owner = r.owner if isinstance(r, TensorVariable) else None
    if isinstance(owner, ix.SubtensorOp):
        basic = _Basic(owner.entries, [TensorVariable(v) for v in owner.indices])
        return TensorVariable(owner.input), _Plan(None, basic, [], [])
    if isinstance(owner, ix.AdvancedSubtensorOp):
        indices = [TensorVariable(v) for v in owner.indices]
        return TensorVariable(owner.input), _Plan(None, _Basic(), owner.indexed_axes, indices)
    raise TypeError(f"{what}: the first argument must be an indexed tensor such as x[key], got {r!r}")


def set_subtensor(x: Any, y: Any, inplace: bool = False, tolerate_inplace_aliasing: bool = False) -> TensorVariable:
    """A copy of the tensor that `x = t[key]` indexes, with `t[key]` replaced by `y`
    (broadcast to its shape); for repeated array indices the last write wins."""
    source, plan = _source(x, "set_subtensor")
    return plan.put("set", source, y)


def inc_subtensor(
    x: Any,
    y: Any,
    inplace: bool = False,
    set_instead_of_inc: bool = False,
    tolerate_inplace_aliasing: bool = False,
    ignore_duplicates: bool = False,
) -> TensorVariable:
    """A copy of the tensor that `x = t[key]` indexes, with `y` (broadcast) added to
    `t[key]`; repeated array indices accumulate, unless `ignore_duplicates` (then, as
    numpy's `t[key] += y`, each element gets one increment)."""
    source, plan = _source(x, "inc_subtensor")
    if set_instead_of_inc:
        return plan.put("set", source, y)
    if ignore_duplicates and plan.axes:
        return plan.put("set", source, add(plan.get(source), y))
    return plan.put("inc", source, y)


def nonzero(a: Any, return_matrix: bool = False) -> Any:
    """The coordinates of the nonzero elements: a tuple of int64 vectors, one per
    dimension (or, with `return_matrix`, the (ndim, count) matrix)."""
    t = as_tensor_variable(a)
    if t.ndim == 0:
        raise ValueError("nonzero of a 0-d tensor is not supported; index a 1-d tensor instead")
    nz = build(ix.NonzeroOp(t.value))
    if return_matrix:
        return nz
    return tuple(basic_get(nz, [(r, ix.NONE, 0)], []) for r in range(t.ndim))


def nonzero_values(a: Any) -> TensorVariable:
    """The nonzero elements of `a`, in row-major order (a vector)."""
    t = as_tensor_variable(a)
    if t.ndim == 0:
        raise ValueError("nonzero_values of a 0-d tensor is not supported")
    return advanced_get(t, list(range(t.ndim)), list(nonzero(t)))


def flatnonzero(a: Any) -> TensorVariable:
    """The indices of the nonzero elements of `a` flattened (row-major)."""
    t = as_tensor_variable(a)
    if t.ndim == 0:
        raise ValueError("flatnonzero of a 0-d tensor is not supported")
    rows = nonzero(t)
    flat = rows[0]
    for axis in range(1, t.ndim):
        flat = add(mul(flat, t.shape[axis]), rows[axis])
    return flat
