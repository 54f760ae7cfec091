"""`tg.tensor` functions: linear algebra, under Theano's (and numpy's) names.

`dot` has numpy's semantics for every rank: ranks 1 and 2 are one `tg.dot`, higher
ranks are reshaped to matrices around it (reshapes are views, so no copies).
`batched_dot` and `matmul` of stacks contract with a broadcast product summed over
the contracted axis, computed in one loop nest; their batch dimensions broadcast
where they are broadcastable (static 1), as elementwise operands do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tg.dialects import tg
from tg.dialects.tensor_types import static_shape
from tg.tensor import basic
from tg.tensor.basic import (
    _arith_dtype,
    _pad_ranks,
    as_tensor_variable,
    build,
    cast,
    dimshuffle,
    mul,
    transpose,
)
from tg.tensor.shape_ops import Size, prod_sizes, reshape, sizes_of
from tg.variable import TensorVariable

__all__: list[str] = ["batched_dot", "batched_tensordot", "dot", "matmul", "tensordot"]


def _operands(a: Any, b: Any) -> tuple[TensorVariable, TensorVariable]:
    """Both operands as tensors of their common arithmetic dtype."""
    dtype = _arith_dtype([a, b])
    x, y = (v if isinstance(v, TensorVariable) else as_tensor_variable(v, dtype) for v in (a, b))
    return cast(x, dtype), cast(y, dtype)


def _check_contracted(what: str, x: TensorVariable, x_axis: int, y: TensorVariable, y_axis: int) -> None:
    n, m = static_shape(x.value.type)[x_axis], static_shape(y.value.type)[y_axis]
    if n is not None and m is not None and n != m:
        raise ValueError(
            f"{what}: contracted dimensions differ: dimension {x_axis} of the first operand has "
            f"size {n}, dimension {y_axis} of the second has {m}"
        )


def _require_sizes(y: TensorVariable, axes: Sequence[int], sizes: Sequence[Size]) -> TensorVariable:
    """`y`, checked at run time to have `sizes` along `axes` where its own sizes are
    not static (a view: Theano's alloc check)."""
    static = list(static_shape(y.value.type))
    current = sizes_of(y)
    wanted = list(current)
    for a, s in zip(axes, sizes):
        if static[a] is None and s is not current[a]:
            wanted[a] = s
    if all(w is c for w, c in zip(wanted, current)):
        return y
    values = [basic.constant(s, "int64") if isinstance(s, int) else s for s in wanted]
    target = [s if isinstance(s, int) else None for s in wanted]
    return build(tg.BroadcastOp(y.value, [v.value for v in values], target))


def _agree(
    x: TensorVariable, x_axes: Sequence[int], y: TensorVariable, y_axes: Sequence[int]
) -> tuple[TensorVariable, TensorVariable]:
    """x and y, checked at run time to have equal sizes along paired axes (each takes
    the other's static sizes)."""
    xs, ys = static_shape(x.value.type), static_shape(y.value.type)
    x_sizes = sizes_of(x)
    y = _require_sizes(y, y_axes, [x_sizes[i] for i in x_axes])
    static_pairs = [(i, ys[j]) for i, j in zip(x_axes, y_axes) if xs[i] is None and ys[j] is not None]
    x = _require_sizes(x, [i for i, _ in static_pairs], [n for _, n in static_pairs])  # type: ignore[misc]
    return x, y


def dot(a: Any, b: Any) -> TensorVariable:
    """numpy's dot: products of scalars, inner products, matrix products, and for
    higher ranks the sum over a's last axis and b's second-to-last."""
    x, y = _operands(a, b)
    if x.ndim == 0 or y.ndim == 0:
        return mul(x, y)
    y_axis = 0 if y.ndim == 1 else y.ndim - 2
    _check_contracted("dot", x, x.ndim - 1, y, y_axis)
    if x.ndim <= 2 and y.ndim <= 2:
        return basic.dot(x, y)
    x, y = _agree(x, [x.ndim - 1], y, [y_axis])
    x_sizes, y_sizes = sizes_of(x), sizes_of(y)
    k = x_sizes[-1]
    x2 = x if x.ndim <= 2 else reshape(x, [prod_sizes(x_sizes[:-1]), k])
    y_free = [a for a in range(y.ndim) if a != y_axis]
    y2 = (
        y
        if y.ndim == 1
        else reshape(transpose(y, [y_axis] + y_free), [k, prod_sizes([y_sizes[a] for a in y_free])])
    )
    return reshape(basic.dot(x2, y2), x_sizes[:-1] + [y_sizes[a] for a in y_free])


def _normalize_axes(
    axes: Any, x: TensorVariable, y: TensorVariable, what: str, first: int = 0
) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        if axes < 0 or axes > x.ndim - first or axes > y.ndim - first:
            raise ValueError(f"{what}: cannot contract {axes} axes of tensors of ranks {x.ndim} and {y.ndim}")
        return list(range(x.ndim - axes, x.ndim)), list(range(first, first + axes))
    try:
        x_axes, y_axes = axes
    except (TypeError, ValueError):
        raise ValueError(f"{what}: axes must be an int or a pair of axis lists, got {axes!r}") from None
    x_axes = [x_axes] if isinstance(x_axes, int) else list(x_axes)
    y_axes = [y_axes] if isinstance(y_axes, int) else list(y_axes)
    if len(x_axes) != len(y_axes):
        raise ValueError(f"{what}: {len(x_axes)} axes of the first operand but {len(y_axes)} of the second")
    result = []
    for t, items in ((x, x_axes), (y, y_axes)):
        normalized = []
        for a in items:
            if not -t.ndim <= a < t.ndim:
                raise ValueError(f"{what}: axis {a} is out of range for a {t.ndim}-d tensor")
            normalized.append(a % t.ndim)
        if len(set(normalized)) != len(normalized) or any(a < first for a in normalized):
            raise ValueError(f"{what}: invalid axes {items} for a {t.ndim}-d tensor")
        result.append(normalized)
    return result[0], result[1]


def tensordot(a: Any, b: Any, axes: Any = 2) -> TensorVariable:
    """numpy's tensordot: sum over a's `axes[0]` and b's `axes[1]` (an int n means
    a's last n and b's first n); the result has a's free axes then b's."""
    x, y = _operands(a, b)
    x_axes, y_axes = _normalize_axes(axes, x, y, "tensordot")
    for i, j in zip(x_axes, y_axes):
        _check_contracted("tensordot", x, i, y, j)
    x, y = _agree(x, x_axes, y, y_axes)
    x_sizes, y_sizes = sizes_of(x), sizes_of(y)
    x_free = [i for i in range(x.ndim) if i not in x_axes]
    y_free = [j for j in range(y.ndim) if j not in y_axes]
    k = prod_sizes([x_sizes[i] for i in x_axes])
    x2 = reshape(transpose(x, x_free + x_axes), [prod_sizes([x_sizes[i] for i in x_free]), k])
    y2 = reshape(transpose(y, y_axes + y_free), [k, prod_sizes([y_sizes[j] for j in y_free])])
    return reshape(basic.dot(x2, y2), [x_sizes[i] for i in x_free] + [y_sizes[j] for j in y_free])


def _contract(x: TensorVariable, y: TensorVariable, batch: int) -> TensorVariable:
    """sum_k x[B.., I.., k] * y[B.., k, J..] over stacks of `batch` leading axes,
    as one broadcast product reduced over k (in the operands' dtype)."""
    n_i = x.ndim - batch - 1
    n_j = y.ndim - batch - 1
    bx = list(range(batch))
    xs = dimshuffle(x, *(bx + list(range(batch, x.ndim)) + ["x"] * n_j))
    ys = dimshuffle(y, *(bx + ["x"] * n_i + list(range(batch, y.ndim))))
    product = mul(xs, ys)
    return build(tg.SumOp(product.value, [batch + n_i]))


def batched_dot(a: Any, b: Any) -> TensorVariable:
    """Theano's batched_dot: result[i] = dot(a[i], b[i]) over the first (batch) axis,
    contracting a's last axis with b's second-to-last (its last when b is 2-d)."""
    x, y = _operands(a, b)
    if x.ndim == 0 or y.ndim == 0:
        raise TypeError("batched_dot: both operands need a batch axis (rank at least 1)")
    if x.ndim == 1:
        return mul(dimshuffle(x, 0, *["x"] * (y.ndim - 1)), y)
    if y.ndim == 1:
        return mul(x, dimshuffle(y, 0, *["x"] * (x.ndim - 1)))
    y_axis = max(1, y.ndim - 2)
    return batched_tensordot(x, y, [[x.ndim - 1], [y_axis]])


def batched_tensordot(x: Any, y: Any, axes: Any = 2) -> TensorVariable:
    """Theano's batched_tensordot: tensordot(x[i], y[i], axes) for each i of the
    first axis (axes count from the batch axis, which is never contracted)."""
    a, b = _operands(x, y)
    if a.ndim < 1 or b.ndim < 1:
        raise TypeError("batched_tensordot: both operands need a batch axis")
    a_axes, b_axes = _normalize_axes(axes, a, b, "batched_tensordot", first=1)
    for i, j in zip(a_axes, b_axes):
        _check_contracted("batched_tensordot", a, i, b, j)
    _check_contracted("batched_tensordot", a, 0, b, 0)
    a, b = _agree(a, a_axes, b, b_axes)
    a_sizes, b_sizes = sizes_of(a), sizes_of(b)
    a_free = [i for i in range(1, a.ndim) if i not in a_axes]
    b_free = [j for j in range(1, b.ndim) if j not in b_axes]
    k = prod_sizes([a_sizes[i] for i in a_axes])
    batch = a_sizes[0]
    a3 = reshape(transpose(a, [0] + a_free + a_axes), [batch, prod_sizes([a_sizes[i] for i in a_free]), k])
    b3 = reshape(
        transpose(b, [0] + b_axes + b_free), [b_sizes[0], k, prod_sizes([b_sizes[j] for j in b_free])]
    )
    out = _contract(a3, b3, 1)
    return reshape(out, [batch] + [a_sizes[i] for i in a_free] + [b_sizes[j] for j in b_free])


def matmul(a: Any, b: Any) -> TensorVariable:
    """numpy's matmul (the `@` operator): matrix products over stacks of matrices;
    a vector operand is a row (left) or column (right) matrix, dropped afterwards."""
    x, y = _operands(a, b)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("matmul: operands must have at least one dimension (use * for scalars)")
    if x.ndim <= 2 and y.ndim <= 2:
        _check_contracted("matmul", x, x.ndim - 1, y, 0)
        return basic.dot(x, y)
    drop = []
    if x.ndim == 1:
        x = dimshuffle(x, "x", 0)
        drop.append(-2)
    if y.ndim == 1:
        y = dimshuffle(y, 0, "x")
        drop.append(-1)
    _check_contracted("matmul", x, x.ndim - 1, y, y.ndim - 2)
    x, y = _pad_ranks([x, y])
    batch = x.ndim - 2
    for axis in range(batch):
        n, m = static_shape(x.value.type)[axis], static_shape(y.value.type)[axis]
        if n is not None and m is not None and 1 not in (n, m) and n != m:
            raise ValueError(f"matmul: batch dimension {axis} has sizes {n} and {m}")
    result = _contract(x, y, batch)
    if drop:
        rank = result.ndim
        removed = {rank + d for d in drop}
        result = dimshuffle(result, *[a for a in range(rank) if a not in removed])
    return result
