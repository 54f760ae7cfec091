"""tg-canonicalize: algebraic simplification as rules (see tg.passes.patterns).

- factor cancellation: `x*y/x -> y`, `x/(x*y) -> 1/y`, `x/x -> 1`, `2*x/2 -> x`
  (any common factor of two products), `(a/b)*(b/c) -> a/c`, `(a/b)*b -> a`;
- add/sub cancellation: `(x+y)-x -> y`, `x-(x+y) -> -y`, `(x-y)+y -> x`,
  `x-(x-y) -> y`, `x-x -> 0`; `--x -> x`;
- neutral elements: `x*1`, `x+0`, `x-0`, `x/1`, `x**1 -> x`; `x**0 -> 1`;
- casts: to the operand's own type; `cast(cast(x))` when the middle type holds
  every value of x's type exactly;
- views: identity transposes and dimshuffles, chains of them as one (`x.T.T -> x`),
  transposes and dimshuffles lifted through a single-use elementwise op when an
  operand is itself a view (so that the views meet and merge), useless broadcasts,
  reshapes (to the operand's own sizes), reshape chains, full slices;
- reductions: a reduction of a reduction of the same kind over the union of the
  axes, reductions over static size-1 axes as dimshuffles;
- shape queries: `tg.dim` of a value answered by the earliest value with that size
  (following `dim_sources`), a broadcast's size operand, or a constant.

Rewrites that change results on purpose (cancelling a factor that is 0, inf or NaN,
or terms that are inf) say so in `Rule.changes_results`. Every rule moves views
toward the inputs or removes ops, so the rule set terminates on its own; the
per-rule cap is only a safety net.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tg.dialects import tg, tg_indexing, tg_shape
from tg.dialects.tensor_types import dtype_of, static_shape, tensor_type
from tg.passes.patterns import Match, Rule, const, op, splat_value, var
from tg.passes.rewrite_pass import RulePass
from tg.tensor import basic as T
from tg.tensor.shape import size_source
from tg.variable import TensorVariable
from xdsl.ir import Operation, SSAValue

# ------------------------------------------------------------------ helpers


def _owner(v: TensorVariable | SSAValue) -> Operation | None:
    value = v.value if isinstance(v, TensorVariable) else v
    owner = value.owner
    return owner if isinstance(owner, Operation) else None


def _dtype(v: TensorVariable | SSAValue) -> np.dtype:
    value = v.value if isinstance(v, TensorVariable) else v
    return dtype_of(value.type)


def _rank(v: SSAValue) -> int:
    return len(static_shape(v.type))


def _filled(like: TensorVariable, number: float) -> TensorVariable:
    """A broadcastable constant `number` of `like`'s dtype and rank (the rule
    framework broadcasts it to the replaced value's shape)."""
    return T.constant(np.full((1,) * like.ndim, number, dtype=_dtype(like)))


def same_size(size: SSAValue, x: SSAValue, axis: int) -> bool:
    """Whether the 0-d size operand `size` is known to equal x's dimension `axis`."""
    static = static_shape(x.type)[axis]
    c = splat_value(size)
    if c is not None:
        return static is not None and int(c) == static
    owner = _owner(size)
    if isinstance(owner, tg.DimOp):
        return size_source(owner.input, owner.axis_index) == size_source(x, axis)
    return False


# --------------------------------------------------------- factor cancellation


def _factors(value: SSAValue) -> list[SSAValue]:
    """The factors of a (possibly nested) product."""
    owner = _owner(value)
    if isinstance(owner, tg.MulOp):
        return _factors(owner.lhs) + _factors(owner.rhs)
    return [value]


def _factor_key(value: SSAValue) -> object:
    c = splat_value(value)
    return ("constant", c) if c is not None and c not in (0.0,) and np.isfinite(c) else value


def _product(values: Sequence[SSAValue]) -> TensorVariable | None:
    if not values:
        return None
    result = TensorVariable(values[0])
    for v in values[1:]:
        result = T.mul(result, TensorVariable(v))
    return result


def _cancel_factors(m: Match) -> TensorVariable | None:
    num, den = m["num"].value, m["den"].value
    top, bottom = _factors(num), _factors(den)
    if len(top) == 1 and len(bottom) == 1 and top[0] is not bottom[0]:
        return None
    remaining = list(bottom)
    kept: list[SSAValue] = []
    cancelled = False
    for f in top:
        key = _factor_key(f)
        hit = next((i for i, g in enumerate(remaining) if _factor_key(g) == key), None)
        if hit is None:
            kept.append(f)
        else:
            remaining.pop(hit)
            cancelled = True
    if not cancelled:
        return None
    numerator, denominator = _product(kept), _product(remaining)
    if denominator is None:
        return numerator if numerator is not None else _filled(m["num"], 1)
    if numerator is None:
        return T.true_div(_filled(denominator, 1), denominator)
    return T.true_div(numerator, denominator)


# ------------------------------------------------------------------- casts


def _holds(a: np.dtype, b: np.dtype) -> bool:
    """Whether dtype `b` holds every value of dtype `a` exactly."""
    if a == b or a == np.bool_:
        return True
    if b == np.bool_:
        return False
    if a.kind == b.kind:
        return b.itemsize >= a.itemsize
    if a.kind == "i" and b.kind == "f":
        mantissa = {4: 24, 8: 53}[b.itemsize]
        return 8 * a.itemsize <= mantissa
    return False


def _cast_chain(m: Match) -> TensorVariable | None:
    """cast(cast(x, mid), out) -> cast(x, out) when `mid` keeps x's values and the last
    conversion works the same from either type (float to int saturates, int to int
    wraps: int32 -> float64 -> int8 must keep saturating)."""
    x, mid, out = _dtype(m["x"]), _dtype(m["mid"]), _dtype(m["out"])
    if not _holds(x, mid):
        return None
    if not (mid.kind == x.kind or out.kind in "fb" or _holds(x, out)):
        return None
    return T.cast(m["x"], out)


# ------------------------------------------------------------------- views


def _view_pattern(o: Operation) -> tuple[int, ...]:
    """A transpose's or dimshuffle's pattern (result axis -> input axis, -1 new)."""
    return o.perm if isinstance(o, tg.TransposeOp) else o.dims  # type: ignore[attr-defined]


def _apply_view(x: TensorVariable, pattern: Sequence[int], as_transpose: bool) -> TensorVariable:
    if as_transpose:
        return T.transpose(x, list(pattern))
    return T.dimshuffle(x, *["x" if p < 0 else p for p in pattern])


def _is_identity(value: SSAValue) -> bool:
    o = _owner(value)
    return o is not None and _view_pattern(o) == tuple(range(_rank(o.operands[0])))


def _compose_views(m: Match) -> TensorVariable | None:
    outer, inner = _owner(m["out"]), _owner(m["inner"])
    assert outer is not None and inner is not None
    p_in, p_out = _view_pattern(inner), _view_pattern(outer)
    composed = [-1 if p < 0 else p_in[p] for p in p_out]
    both_transposes = isinstance(outer, tg.TransposeOp) and isinstance(inner, tg.TransposeOp)
    return _apply_view(m["x"], composed, both_transposes)


def _liftable(value: SSAValue) -> bool:
    """An elementwise op read only by one view, with an operand that is a view."""
    o = _owner(value)
    if not isinstance(o, tg.TgOp) or o.FUSION != "elementwise" or isinstance(o, tg.GradientHintOp):
        return False
    if len(o.results) != 1 or o.regions or len(list(value.uses)) != 1:
        return False
    rank = _rank(value)
    if any(_rank(v) != rank for v in o.operands):
        return False
    return any(isinstance(_owner(v), tg.TransposeOp | tg.DimShuffleOp) for v in o.operands)


def _lift_view(m: Match) -> TensorVariable | None:
    view, e = _owner(m["out"]), _owner(m["e"])
    assert view is not None and e is not None
    pattern = _view_pattern(view)
    as_transpose = isinstance(view, tg.TransposeOp)
    operands = [_apply_view(TensorVariable(v), pattern, as_transpose).value for v in e.operands]
    element = e.results[0].type.element_type  # type: ignore[attr-defined]
    result_type = tensor_type(element, static_shape(m["out"].value.type))
    new = type(e).create(
        operands=operands,
        result_types=[result_type],
        properties=dict(e.properties),
        attributes=dict(e.attributes),
    )
    return TensorVariable(new.results[0])


def _useless_broadcast(m: Match) -> TensorVariable | None:
    b = _owner(m["out"])
    assert isinstance(b, tg.BroadcastOp)
    x = b.input
    if _rank(x) != len(b.sizes):
        return None
    if all(same_size(s, x, a) for a, s in enumerate(b.sizes)):
        return TensorVariable(x)
    return None


def _useless_reshape(m: Match) -> TensorVariable | None:
    r = _owner(m["out"])
    assert isinstance(r, tg_shape.ReshapeOp)
    x = r.input
    if _rank(x) != len(r.sizes):
        return None
    unknown = 0
    for a, s in enumerate(r.sizes):
        if splat_value(s) == -1:
            unknown += 1
        elif not same_size(s, x, a):
            return None
    return TensorVariable(x) if unknown <= 1 else None


def _reshape_chain(m: Match) -> TensorVariable | None:
    outer = _owner(m["out"])
    assert isinstance(outer, tg_shape.ReshapeOp)
    inner = _owner(outer.input)
    if not isinstance(inner, tg_shape.ReshapeOp):
        return None
    x = inner.input
    return T.build(tg_shape.ReshapeOp(x, list(outer.sizes), static_shape(outer.result.type)))


def _full_slice(m: Match) -> TensorVariable | None:
    s = _owner(m["out"])
    assert isinstance(s, tg_indexing.SubtensorOp)
    if s.indices or any(e != tg_indexing.FULL for e in s.entries):
        return None
    return TensorVariable(s.input)


def _full_narrow(m: Match) -> TensorVariable | None:
    n = _owner(m["out"])
    assert isinstance(n, tg_shape.NarrowOp)
    if splat_value(n.start) != 0 or not same_size(n.length, n.input, n.axis_index):
        return None
    return TensorVariable(n.input)


# -------------------------------------------------------------- reductions

REDUCTIONS = ("tg.sum", "tg.max", "tg.min", "tg.prod")


def _single_use(value: SSAValue) -> bool:
    return len(list(value.uses)) == 1


def _reduce_chain(m: Match) -> TensorVariable | None:
    outer, inner = _owner(m["out"]), _owner(m["inner"])
    assert isinstance(outer, tg.ReduceOp) and isinstance(inner, tg.ReduceOp)
    if outer.name != inner.name or not _single_use(m["inner"].value):
        return None
    kept = [a for a in range(_rank(inner.input)) if a not in inner.reduced]
    axes = sorted(set(inner.reduced) | {kept[a] for a in outer.reduced})
    return T.build(type(outer)(inner.input, axes))


def _reduce_size_one(m: Match) -> TensorVariable | None:
    r = _owner(m["out"])
    assert isinstance(r, tg.ReduceOp)
    shape = static_shape(r.input.type)
    ones = [a for a in r.reduced if shape[a] == 1]
    if not ones:
        return None
    x = TensorVariable(r.input)
    dropped = T.dimshuffle(x, *[a for a in range(len(shape)) if a not in ones])
    rest = [a for a in r.reduced if a not in ones]
    if not rest:
        return dropped
    position = {a: i for i, a in enumerate(a for a in range(len(shape)) if a not in ones)}
    return T.build(type(r)(dropped.value, [position[a] for a in rest]))


# ------------------------------------------------------------ shape queries


def _dim_from_source(m: Match) -> TensorVariable | None:
    d = _owner(m["out"])
    assert isinstance(d, tg.DimOp)
    source, axis = size_source(d.input, d.axis_index)
    static = static_shape(source.type)[axis]
    if static is not None:
        return T.constant(np.int64(static))
    owner = _owner(source)
    if isinstance(owner, tg.BroadcastOp) and not owner.dim_sources(axis):
        return TensorVariable(owner.sizes[axis])
    if source is d.input and axis == d.axis_index:
        return None
    return T.build(tg.DimOp(source, axis))


# -------------------------------------------------------------------- rules

_AT_ZERO = "cancelling a factor that is 0, inf or NaN gives a number where the original gives NaN"
_AT_INF = "cancelling a term that is inf or NaN gives a number where the original gives NaN"
_VIEWS = ("tg.transpose", "tg.dimshuffle")

RULES: list[Rule] = [
    # factors
    Rule("div-cancel-factors", op("tg.div", var("num"), var("den")), _cancel_factors, changes_results=_AT_ZERO + "; 2*x/2 -> x also where 2*x overflows"),
    Rule("mul-div-div", op("tg.mul", op("tg.div", var("a"), var("b")), op("tg.div", var("b"), var("c"))), lambda m: T.true_div(m["a"], m["c"]), changes_results=_AT_ZERO),
    Rule("mul-div-restore", op("tg.mul", op("tg.div", var("a"), var("b")), var("b")), lambda m: m["a"], changes_results=_AT_ZERO),
    # terms
    Rule("sub-add-cancel", op("tg.sub", op("tg.add", var("x"), var("y")), var("x")), lambda m: m["y"], changes_results=_AT_INF),
    Rule("sub-add-cancel-rhs", op("tg.sub", var("x"), op("tg.add", var("x"), var("y"))), lambda m: T.neg(m["y"]), changes_results=_AT_INF),
    Rule("add-sub-cancel", op("tg.add", op("tg.sub", var("x"), var("y")), var("y")), lambda m: m["x"], changes_results=_AT_INF),
    Rule("sub-sub-cancel", op("tg.sub", var("x"), op("tg.sub", var("x"), var("y"))), lambda m: m["y"], changes_results=_AT_INF),
    Rule("sub-self", op("tg.sub", var("x"), var("x")), lambda m: _filled(m["x"], 0), changes_results=_AT_INF),
    Rule("neg-neg", op("tg.neg", op("tg.neg", var("x"))), lambda m: m["x"]),
    # neutral elements
    Rule("mul-one", op("tg.mul", var("x"), const(1)), lambda m: m["x"]),
    Rule("add-zero", op("tg.add", var("x"), const(0)), lambda m: m["x"]),
    Rule("sub-zero", op("tg.sub", var("x"), const(0)), lambda m: m["x"]),
    Rule("div-one", op("tg.div", var("x"), const(1)), lambda m: m["x"]),
    Rule("pow-one", op("tg.pow", var("x"), const(1)), lambda m: m["x"]),
    Rule("pow-zero", op("tg.pow", var("x"), const(0)), lambda m: _filled(m["x"], 1)),
    # casts
    Rule("cast-same-type", op("tg.cast", var("x"), where=lambda v: v.type == v.owner.operands[0].type), lambda m: m["x"]),
    Rule("cast-chain", op("tg.cast", op("tg.cast", var("x"), bind="mid"), bind="out"), _cast_chain),
    # views
    Rule("view-identity", op(_VIEWS, var("x"), where=_is_identity), lambda m: m["x"]),
    Rule("view-chain", op(_VIEWS, op(_VIEWS, var("x"), bind="inner"), bind="out"), _compose_views),
    Rule("view-lift-elementwise", op(_VIEWS, var("e", where=_liftable), bind="out"), _lift_view),
    Rule("broadcast-useless", op("tg.broadcast", bind="out"), _useless_broadcast),
    Rule("reshape-useless", op("tg.reshape", bind="out"), _useless_reshape),
    Rule("reshape-chain", op("tg.reshape", bind="out"), _reshape_chain),
    Rule("slice-full", op("tg.subtensor", bind="out"), _full_slice),
    Rule("narrow-full", op("tg.narrow", bind="out"), _full_narrow),
    # reductions
    Rule("reduce-chain", op(REDUCTIONS, op(REDUCTIONS, var("x"), bind="inner"), bind="out"), _reduce_chain),
    Rule("reduce-size-one", op(REDUCTIONS, bind="out"), _reduce_size_one),
    # shapes
    Rule("dim-from-shapes", op("tg.dim", bind="out"), _dim_from_source),
]
"""The canonicalize rules, in the order they are tried at each op."""


@dataclass(frozen=True)
class TgCanonicalize(RulePass):
    """Apply the canonicalize rules."""

    name = "tg-canonicalize"

    def rules(self) -> Sequence[Rule]:
        return RULES
