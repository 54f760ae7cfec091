"""tg-stabilize: numerically stable forms of unstable spellings.

Rules (see tg.passes.patterns for the rule format):

- log(1+x) -> log1p(x); log(1-x) -> log1p(-x); exp(x)-1 -> expm1(x);
- 1/(1+exp(-x)), exp(x)/(1+exp(x)) -> sigmoid(x) (and c/(1+exp(x)) -> c*sigmoid(-x));
  1-sigmoid(x) -> sigmoid(-x);
- log(sigmoid(x)) -> -softplus(-x); log(1-sigmoid(x)) and log1p(-sigmoid(x)) ->
  -softplus(x); log1p(exp(x)) -> softplus(x);
- log(softmax(x)) -> logsoftmax(x), softmax being tg.tensor.nnet.softmax's
  composition exp(x - max) / sum(exp(x - max)) (or the unshifted one);
- log(sum(exp(x))) -> m + log(sum(exp(x - m))) with m = max(x);
- -log(softmax(x)[arange(n), y]) (and logsoftmax(x)[arange(n), y], as the NLL idiom
  writes it) -> tg.softmax_crossentropy(x, y);
- "stable-product": the gradients tg.grad builds for these compositions multiply
  by a derivative that saturates and divide by a value that underflows (g/p * p(1-p)
  with p = sigmoid(z) = 0). Products (mul/div/neg trees) are collected into factors;
  exp(t)/(1+exp(t)) pairs become sigmoid(t), 1/(1+exp(t)) sigmoid(-t), sigmoid
  factors cancel against equal ones (1-sigmoid(t) being sigmoid(-t)), a factor
  equal to the quotient of others cancels with them (softmax = e/sum(e)), a
  product of a scatter into zeros takes the factors cancelling its values inside
  (onehot(c/p[y]) * p = onehot(c)), and a sum factor is distributed when that lets
  its terms cancel. The rule fires only when one of these happens.

Every matcher sees through the spellings canonical forms and gradients produce:
commuted operands, neg(x) / mul(-1, x) / sub(0, x), constants as 1.0 or cast
float32 constants, reciprocal(x) / x**-1 for 1/x, and sub/add with negated terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tg.dialects.tensor_types import is_float, static_shape
from tg.passes.patterns import Match, Rule, op, splat_value, var
from tg.passes.rewrite_pass import RulePass
from tg.variable import TensorVariable
from xdsl.ir import Operation, SSAValue

# ------------------------------------------------------------------ matchers


def owner_named(v: SSAValue, *names: str) -> Operation | None:
    """The op producing `v` if it is one of `names`."""
    o = v.owner
    return o if isinstance(o, Operation) and o.name in names else None


def is_const(v: SSAValue, c: float) -> bool:
    s = splat_value(v)
    return s is not None and s == c


def neg_of(v: SSAValue) -> SSAValue | None:
    """x when `v` is -x: neg(x), mul(-1, x), mul(x, -1), sub(0, x)."""
    o = v.owner
    if not isinstance(o, Operation):
        return None
    if o.name == "tg.neg":
        return o.operands[0]
    if o.name == "tg.mul":
        a, b = o.operands
        if is_const(a, -1) and static_shape(b.type) == static_shape(v.type):
            return b
        if is_const(b, -1) and static_shape(a.type) == static_shape(v.type):
            return a
    if o.name == "tg.sub" and is_const(o.operands[0], 0) and static_shape(o.operands[1].type) == static_shape(v.type):
        return o.operands[1]
    return None


def strip_neg(v: SSAValue) -> tuple[SSAValue, int]:
    """(x, sign) with v == sign * x and x not itself a negation."""
    sign = 1
    while (inner := neg_of(v)) is not None:
        v, sign = inner, -sign
    return v, sign


def _through_double_negation(f):
    """Let matcher `f` see through an even number of negations of its value."""

    def matcher(v: SSAValue, *args: Any) -> Any:
        base, sign = strip_neg(v)
        return f(base if sign > 0 else v, *args)

    matcher.__doc__ = f.__doc__
    matcher.__name__ = f.__name__
    return matcher


@_through_double_negation
def one_plus(v: SSAValue) -> SSAValue | None:
    """t when `v` is 1 + t: add(1, t), add(t, 1), sub(t, -1), sub(1, -t)."""
    o = v.owner
    if not isinstance(o, Operation):
        return None
    if o.name == "tg.add":
        a, b = o.operands
        if is_const(a, 1) and not is_const(b, 1):
            return b
        if is_const(b, 1):
            return a
    if o.name == "tg.sub":
        a, b = o.operands
        if is_const(b, -1):
            return a
        if is_const(a, 1) and (inner := neg_of(b)) is not None:
            return inner
    return None


@_through_double_negation
def one_minus(v: SSAValue) -> SSAValue | None:
    """t when `v` is 1 - t: sub(1, t), add(1, -t), add(-t, 1)."""
    o = v.owner
    if not isinstance(o, Operation):
        return None
    if o.name == "tg.sub" and is_const(o.operands[0], 1):
        return o.operands[1]
    if o.name == "tg.add":
        a, b = o.operands
        if is_const(a, 1) and (inner := neg_of(b)) is not None:
            return inner
        if is_const(b, 1) and (inner := neg_of(a)) is not None:
            return inner
    return None


@_through_double_negation
def reciprocal_of(v: SSAValue) -> SSAValue | None:
    """x when `v` is 1/x: div(1, x), reciprocal(x), x**-1."""
    o = v.owner
    if not isinstance(o, Operation):
        return None
    if o.name == "tg.div" and is_const(o.operands[0], 1):
        return o.operands[1]
    if o.name == "tg.reciprocal":
        return o.operands[0]
    if o.name == "tg.pow" and is_const(o.operands[1], -1):
        return o.operands[0]
    return None


@_through_double_negation
def exp_key(v: SSAValue) -> tuple[SSAValue, int] | None:
    """(x, sign) when `v` is exp(sign * x)."""
    o = owner_named(v, "tg.exp")
    return strip_neg(o.operands[0]) if o is not None else None


def one_plus_exp_key(v: SSAValue) -> tuple[SSAValue, int] | None:
    """(x, sign) when `v` is 1 + exp(sign * x)."""
    t = one_plus(v)
    return exp_key(t) if t is not None else None


@_through_double_negation
def sigmoid_key(v: SSAValue, depth: int = 0) -> tuple[SSAValue, int] | None:
    """(x, sign) when `v` is sigmoid(sign * x), in any of its spellings:
    sigmoid(t), 1/(1+exp(-t)), exp(t)/(1+exp(t)), 1 - sigmoid(-t)."""
    if depth > 8:
        return None
    o = v.owner
    if not isinstance(o, Operation):
        return None
    if o.name == "tg.sigmoid":
        return strip_neg(o.operands[0])
    d = reciprocal_of(v)
    if d is not None and (k := one_plus_exp_key(d)) is not None:
        return (k[0], -k[1])
    if o.name == "tg.div":
        e, d = exp_key(o.operands[0]), one_plus_exp_key(o.operands[1])
        if e is not None and d is not None and e[0] is d[0] and e[1] == d[1]:
            return e
    if (t := one_minus(v)) is not None and (k := sigmoid_key(t, depth + 1)) is not None:
        return (k[0], -k[1])
    return None


def signed(x: SSAValue, sign: int) -> TensorVariable:
    """sign * x as a tg variable (x itself for +1)."""
    from tg.tensor import basic as T

    t = TensorVariable(x)
    return t if sign > 0 else T.neg(t)


def sigmoid_of(x: SSAValue, sign: int) -> TensorVariable:
    from tg.tensor import basic as T

    return T.sigmoid(signed(x, sign))


@dataclass(frozen=True)
class SoftmaxMatch:
    x: SSAValue
    axis: int
    value: SSAValue


def _keepdims_of(v: SSAValue, names: tuple[str, ...]) -> tuple[Operation, Any] | None:
    """(reduction, axis) when `v` is dimshuffle(reduce(..., axes)) putting the
    reduced axes back as broadcastable ones (keepdims); axis is the single reduced
    axis, or the tuple of them when there are several."""
    d = owner_named(v, "tg.dimshuffle")
    if d is None:
        return None
    r = owner_named(d.operands[0], *names)
    if r is None or not r.reduced:
        return None
    axes = list(r.reduced)
    rank = len(static_shape(r.operands[0].type))
    kept = iter(range(rank - len(axes)))
    expected = [-1 if a in axes else next(kept) for a in range(rank)]
    if list(d.dims) != expected:
        return None
    return r, (axes[0] if len(axes) == 1 else tuple(axes))


def shifted_input(t: SSAValue, axis: int) -> SSAValue:
    """x when `t` is x - max(x, axis, keepdims) (the max-shift), else t."""
    o = owner_named(t, "tg.sub")
    if o is not None:
        k = _keepdims_of(o.operands[1], ("tg.max",))
        if k is not None and k[1] == axis and isinstance(axis, int) and k[0].operands[0] is o.operands[0]:
            return o.operands[0]
    return t


def _max_shifted(t: SSAValue, axes: list[int]) -> bool:
    """Whether `t` is a - m with m = max(a, axes) kept as broadcastable dimensions
    (through a select(isinf(m), 0, m) guard)."""
    o = owner_named(t, "tg.sub")
    if o is None:
        return False
    m = o.operands[1]
    sel = owner_named(m, "tg.select")
    if sel is not None and is_const(sel.operands[1], 0):
        m = sel.operands[2]
    d = owner_named(m, "tg.dimshuffle")
    r = owner_named(d.operands[0], "tg.max") if d is not None else None
    return r is not None and list(r.reduced) == list(axes) and r.operands[0] is o.operands[0]


def is_shifted(t: SSAValue, axis: int) -> bool:
    return shifted_input(t, axis) is not t


@_through_double_negation
def softmax_match(v: SSAValue) -> SoftmaxMatch | None:
    """softmax(x) along `axis` when `v` is exp(t) / sum(exp(t), axis, keepdims) with
    t = x - max(x, axis, keepdims) or t = x."""
    o = owner_named(v, "tg.div")
    if o is None:
        return None
    e, s = o.operands
    if owner_named(e, "tg.exp") is None:
        return None
    k = _keepdims_of(s, ("tg.sum",))
    if k is None or k[0].operands[0] is not e or not isinstance(k[1], int):
        return None
    t = owner_named(e, "tg.exp").operands[0]  # type: ignore[union-attr]
    return SoftmaxMatch(shifted_input(t, k[1]), k[1], v)


def logsoftmax_match(v: SSAValue) -> SoftmaxMatch | None:
    """logsoftmax(x) when `v` is log(softmax(x)) or t - log(sum(exp(t), keepdims))
    (t the max-shifted x, as tg.tensor.nnet.logsoftmax builds it)."""
    lg = owner_named(v, "tg.log")
    if lg is not None:
        return softmax_match(lg.operands[0])
    o = owner_named(v, "tg.sub")
    if o is None:
        return None
    t, rhs = o.operands
    d = owner_named(rhs, "tg.dimshuffle")
    inner = None
    if d is not None and (lg := owner_named(d.operands[0], "tg.log")) is not None:
        # log after the reduction, keepdims dimshuffle around the log
        s = owner_named(lg.operands[0], "tg.sum")
        if s is not None and len(s.reduced) == 1:
            inner = (s, s.reduced[0])
    elif (lg := owner_named(rhs, "tg.log")) is not None:
        k = _keepdims_of(lg.operands[0], ("tg.sum",))
        if k is not None and isinstance(k[1], int):
            inner = k
    if inner is None:
        return None
    s, axis = inner
    e = owner_named(s.operands[0], "tg.exp")
    if e is None or e.operands[0] is not t:
        return None
    return SoftmaxMatch(shifted_input(t, axis), axis, v)


def row_labels(v: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue] | None:
    """(source, labels, n) when `v` is source[arange(n), labels] on a matrix."""
    o = owner_named(v, "tg.advanced_subtensor")
    if o is None or list(o.indexed_axes) != [0, 1] or len(static_shape(o.operands[0].type)) != 2:
        return None
    rows, labels = o.index_arrays
    a = owner_named(rows, "tg.arange")
    if a is None or not is_const(a.operands[0], 0) or not is_const(a.operands[2], 1):
        return None
    if len(static_shape(labels.type)) != 1 or len(static_shape(rows.type)) != 1:
        return None
    if str(labels.type.element_type).startswith("i1"):  # type: ignore[attr-defined]
        return None
    return o.operands[0], labels, a.operands[1]


# ----------------------------------------------------------------- rewrites


def _T() -> Any:
    import tg.tensor

    return tg.tensor


def _log1p(m: Match) -> TensorVariable | None:
    a = m["a"].value
    if (t := one_plus(a)) is not None:
        return _T().log1p(TensorVariable(t))
    if (t := one_minus(a)) is not None and sigmoid_key(a) is None:
        base, sign = strip_neg(t)
        return _T().log1p(signed(base, -sign))
    return None


def _expm1(m: Match) -> TensorVariable | None:
    v = m["root"].value
    o = v.owner
    if o.name == "tg.sub" and is_const(o.operands[1], 1) and owner_named(o.operands[0], "tg.exp"):
        return _T().expm1(TensorVariable(o.operands[0].owner.operands[0]))
    if o.name == "tg.add":
        for e, c in (o.operands, o.operands[::-1]):
            if is_const(c, -1) and owner_named(e, "tg.exp"):
                return _T().expm1(TensorVariable(e.owner.operands[0]))
    return None


def _sigmoid(m: Match) -> TensorVariable | None:
    v = m["root"].value
    if v.owner.name == "tg.sigmoid":
        return None
    k = sigmoid_key(v)
    if k is not None:
        return sigmoid_of(*k)
    o = v.owner
    # c / (1 + exp(t)) -> c * sigmoid(-t) for a constant c
    if o.name == "tg.div" and splat_value(o.operands[0]) is not None:
        d = one_plus_exp_key(o.operands[1])
        if d is not None:
            return TensorVariable(o.operands[0]) * sigmoid_of(d[0], -d[1])
    return None


def _log_sigmoid(m: Match) -> TensorVariable | None:
    """log(sigmoid(x)) -> -softplus(-x) (with 1 - sigmoid(x) = sigmoid(-x))."""
    k = sigmoid_key(m["a"].value)
    if k is None:
        return None
    from tg.tensor import basic as T

    return T.neg(T.softplus(signed(k[0], -k[1])))


def _log1p_rules(m: Match) -> TensorVariable | None:
    from tg.tensor import basic as T

    a = m["a"].value
    if (k := exp_key(a)) is not None:  # log1p(exp(x)) -> softplus(x)
        return T.softplus(signed(*k))
    inner = neg_of(a)
    if inner is not None and (k := sigmoid_key(inner)) is not None:  # log1p(-sigmoid(x))
        return T.neg(T.softplus(signed(*k)))
    return None


def _log_softmax(m: Match) -> TensorVariable | None:
    s = softmax_match(m["a"].value)
    if s is None:
        return None
    return _T().nnet.logsoftmax(TensorVariable(s.x), axis=s.axis)


def _logsumexp(m: Match) -> TensorVariable | None:
    """log(sum(exp(x), axes)) -> m + log(sum(exp(x - m), axes)), m = max(x, axes)
    (0 where the maximum is infinite)."""
    from tg.tensor import basic as T

    a = m["a"].value
    s = owner_named(a, "tg.sum")
    keep = None
    if s is None:
        k = _keepdims_of(a, ("tg.sum",))
        if k is None:
            return None
        s, keep = k
    e = owner_named(s.operands[0], "tg.exp")
    if e is None or not is_float(e.operands[0].type):
        return None
    x = e.operands[0]
    axes = list(s.reduced)
    if _max_shifted(x, axes):
        return None
    xv = TensorVariable(x)
    top = T.max(xv, axis=axes, keepdims=True)
    top = T.switch(_T().isinf(top), 0, top)
    out = T.log(T.sum(T.exp(xv - top), axis=axes, keepdims=True)) + top
    if keep is None:
        kept = [a for a in range(xv.ndim) if a not in axes]
        out = T.dimshuffle(out, *kept)
    return out


def _same_size(size: SSAValue, x: SSAValue, axis: int) -> bool:
    from tg.passes.canonicalize import same_size as same

    return same(size, x, axis)


def _crossentropy(m: Match) -> TensorVariable | None:
    """-log(softmax(x)[arange(n), y]), log(softmax(x)[...]), logsoftmax(x)[...] and
    -logsoftmax(x)[...] -> the fused tg.softmax_crossentropy."""
    from tg.dialects.tg_nnet import softmax_crossentropy
    from tg.tensor import basic as T

    v = m["root"].value
    sign = 1
    inner = neg_of(v)
    if inner is not None:
        v, sign = inner, -1
    lg = owner_named(v, "tg.log")
    found = None
    if lg is not None:
        r = row_labels(lg.operands[0])
        if r is not None and (s := softmax_match(r[0])) is not None:
            found = (s, r[1], r[2])
    else:
        r = row_labels(v)
        if r is not None and (s := logsoftmax_match(r[0])) is not None:
            found = (s, r[1], r[2])
    if found is None:
        return None
    s, labels, n = found
    if s.axis != 1:
        return None
    logits = TensorVariable(s.x)
    if not _same_size(n, s.x, 0):
        # the gather reads rows 0..n-1 only (softmax is per row): fuse over those
        from tg.tensor.indexing import get_item

        logits = get_item(logits, slice(None, TensorVariable(n)))
    loss = softmax_crossentropy(logits, TensorVariable(labels))
    return loss if sign < 0 else T.neg(loss)


# ------------------------------------------------------- stable products


@dataclass
class Product:
    """sign * prod(num) / prod(den) over SSA values."""

    sign: int = 1
    num: list[Any] = field(default_factory=list)
    den: list[Any] = field(default_factory=list)

    def copy(self) -> Product:
        return Product(self.sign, list(self.num), list(self.den))


def collect(v: SSAValue, p: Product, invert: bool = False, depth: int = 0) -> Product:
    """Factors of a mul/div/neg/reciprocal tree (constants +-1 become the sign)."""
    o = v.owner
    if depth < 24 and isinstance(o, Operation) and sigmoid_key(v) is None:
        if o.name == "tg.mul":
            collect(o.operands[0], p, invert, depth + 1)
            collect(o.operands[1], p, invert, depth + 1)
            return p
        if o.name == "tg.div":
            collect(o.operands[0], p, invert, depth + 1)
            collect(o.operands[1], p, not invert, depth + 1)
            return p
        if o.name == "tg.neg":
            p.sign = -p.sign
            collect(o.operands[0], p, invert, depth + 1)
            return p
        if (r := reciprocal_of(v)) is not None and o.name != "tg.div":
            collect(r, p, not invert, depth + 1)
            return p
    c = splat_value(v)
    if c is not None and c in (1.0, -1.0):
        if c < 0:
            p.sign = -p.sign
        return p
    (p.den if invert else p.num).append(v)
    return p


def _key(f: Any) -> Any:
    """Identity of a factor: sigmoids by (argument, sign), the rest by value."""
    if isinstance(f, TensorVariable):
        f = f.value
    k = sigmoid_key(f)
    return ("sigmoid", k[0], k[1]) if k is not None else f


def _remove(items: list[Any], key: Any) -> bool:
    for i, f in enumerate(items):
        if _key(f) == key:
            del items[i]
            return True
    return False


def _contains(items: list[Any], wanted: list[Any]) -> bool:
    pool = [_key(f) for f in items]
    for w in wanted:
        k = _key(w)
        if k not in pool:
            return False
        pool.remove(k)
    return True


def _value(f: Any) -> SSAValue:
    return f.value if isinstance(f, TensorVariable) else f


def _pair_sigmoids(p: Product) -> bool:
    """exp(t)/(1+exp(t)) -> sigmoid(t); 1/(1+exp(t)) -> sigmoid(-t)."""
    changed = False
    for d in list(p.den):
        k = one_plus_exp_key(_value(d))
        if k is None:
            continue
        p.den.remove(d)
        partner = next((n for n in p.num if exp_key(_value(n)) == k), None)
        if partner is not None:
            p.num.remove(partner)
            p.num.append(sigmoid_of(*k))
        else:
            p.num.append(sigmoid_of(k[0], -k[1]))
        changed = True
    # 1 + exp(t) = 1 / sigmoid(-t): cancels with a sigmoid(-t) factor
    for n in list(p.num):
        k = one_plus_exp_key(_value(n))
        if k is not None and _remove(p.num, ("sigmoid", k[0], -k[1])):
            p.num.remove(n)
            changed = True
    return changed


def saturates(f: Any) -> bool:
    """Whether a factor can underflow to 0 or overflow to inf where its partner in
    a quotient does too: sigmoids, exponentials, 1 + exp, gathers of those."""
    v = _value(f)
    sub = owner_named(v, "tg.advanced_subtensor", "tg.subtensor", "tg.dimshuffle", "tg.broadcast")
    if sub is not None:
        return saturates(sub.operands[0])
    return sigmoid_key(v) is not None or exp_key(v) is not None or one_plus_exp_key(v) is not None or softmax_match(v) is not None


def _cancel(p: Product) -> tuple[bool, bool]:
    """Cancel equal factors; returns (changed, stabilizing): cancelling factors
    that saturate (0 or inf) or quotients of them stabilizes."""
    changed = stable = False
    for n in list(p.num):
        k = _key(n)
        if n in p.num and _remove(p.den, k):
            p.num.remove(n)
            changed = True
            stable = stable or saturates(n)
    # a factor equal to a quotient of others (softmax p = e / s)
    for side, other in ((p.den, p.num), (p.num, p.den)):
        for f in list(side):
            o = _value(f).owner
            if not isinstance(o, Operation) or o.name not in ("tg.div", "tg.mul"):
                continue
            q = collect(_value(f), Product())
            if q.num + q.den == [_value(f)] or not (q.num or q.den):
                continue
            rest = [g for g in side if g is not f]
            if _contains(other, q.num) and _contains(rest, q.den):
                side.remove(f)
                for g in q.num:
                    _remove(other, _key(g))
                for g in q.den:
                    _remove(side, _key(g))
                p.sign *= q.sign
                changed = stable = True
    return changed, stable


def _absorb_scatter(p: Product) -> bool:
    """inc_subtensor(zeros, v, idx) * f1 * ... / g1 ... where v's divisor is
    q[idx] and q = (some of the f) / (some of the g): move q inside as q[idx] and
    cancel it with v's divisor (onehot(c / p[y]) * p -> onehot(c))."""
    for g in list(p.num):
        o = _value(g).owner
        if not isinstance(o, Operation) or o.name != "tg.advanced_inc_subtensor" or not is_const(o.operands[0], 0):
            continue
        inner = collect(o.operands[1], Product())
        for d in list(inner.den):
            sub = owner_named(_value(d), "tg.advanced_subtensor")
            if sub is None or list(sub.indexed_axes) != list(o.indexed_axes):
                continue
            if any(a is not b for a, b in zip(sub.index_arrays, o.index_arrays, strict=True)):
                continue
            q = sub.operands[0]
            if static_shape(q.type) != static_shape(_value(g).type):
                continue
            rest = [f for f in p.num if f is not g]
            if _key(q) in [_key(f) for f in rest]:
                _remove(p.num, _key(q))
            else:
                qp = collect(q, Product())
                if not (qp.num or qp.den) or not _contains(rest, qp.num) or not _contains(p.den, qp.den):
                    continue
                for f in qp.num:
                    _remove(p.num, _key(f))
                for f in qp.den:
                    _remove(p.den, _key(f))
                p.sign *= qp.sign
            inner.den.remove(d)
            from tg.tensor import indexing as I

            value = rebuild(inner, o.operands[1])
            zeros = TensorVariable(o.operands[0])
            new = I.advanced_put("inc", zeros, value, o.indexed_axes, [TensorVariable(i) for i in o.index_arrays])
            p.num[p.num.index(g)] = new
            return True
    return False


def simplify(p: Product, depth: int = 0) -> tuple[Product, bool] | None:
    """The product with stabilizing cancellations applied, and whether the result
    is a sum (distributed); None when no stabilizing change applies."""
    p = p.copy()
    stable = _pair_sigmoids(p)
    for _ in range(8):
        changed, s = _cancel(p)
        a = _absorb_scatter(p)
        stable = stable or s or a
        if not (changed or a):
            break
    if stable:
        return p, False
    return None


def _terms(v: SSAValue, sign: int, out: list[tuple[int, SSAValue]], depth: int = 0) -> None:
    o = v.owner
    if depth < 8 and isinstance(o, Operation) and o.name in ("tg.add", "tg.sub") and static_shape(o.operands[0].type) == static_shape(o.operands[1].type) == static_shape(v.type):
        _terms(o.operands[0], sign, out, depth + 1)
        _terms(o.operands[1], -sign if o.name == "tg.sub" else sign, out, depth + 1)
        return
    out.append((sign, v))


def rebuild(p: Product, like: SSAValue) -> TensorVariable:
    from tg.tensor import basic as T

    dtype = str(np.dtype(_dtype_name(like)))
    result: TensorVariable | None = None
    for f in p.num:
        t = f if isinstance(f, TensorVariable) else TensorVariable(f)
        result = t if result is None else T.mul(result, t)
    if result is None:
        result = T.constant(np.asarray(1, dtype))
    denominator: TensorVariable | None = None
    for f in p.den:
        t = f if isinstance(f, TensorVariable) else TensorVariable(f)
        denominator = t if denominator is None else T.mul(denominator, t)
    if denominator is not None:
        result = T.true_div(result, denominator)
    return T.neg(result) if p.sign < 0 else result


def _dtype_name(v: SSAValue) -> str:
    from tg.dialects.tensor_types import dtype_of

    return dtype_of(v.type).name


def _stable_product(m: Match) -> TensorVariable | None:
    from tg.tensor import basic as T

    v = m["root"].value
    if not is_float(v.type):
        return None
    p = collect(v, Product())
    if len(p.num) + len(p.den) < 2 and not any(one_plus_exp_key(_value(d)) for d in p.den):
        return None
    done = simplify(p)
    if done is not None:
        return rebuild(done[0], v)
    # distribute over a sum factor when that lets its terms cancel
    for f in p.num:
        terms: list[tuple[int, SSAValue]] = []
        _terms(_value(f), 1, terms)
        if len(terms) < 2:
            continue
        rest = p.copy()
        rest.num.remove(f)
        pieces, any_stable = [], False
        for sign, t in terms:
            q = collect(t, rest.copy())
            q.sign *= sign
            s = simplify(q)
            any_stable = any_stable or s is not None
            pieces.append(rebuild(s[0] if s is not None else q, v))
        if any_stable:
            total = pieces[0]
            for piece in pieces[1:]:
                total = T.add(total, piece)
            return total
    return None


# ------------------------------------------------------------------ rules

_CHANGES = "cancels factors that are 0 or inf in the naive form (e.g. g/p * p with p underflowing to 0), giving the limit"

RULES: list[Rule] = [
    Rule("crossentropy-softmax", op(("tg.neg", "tg.mul", "tg.sub", "tg.log", "tg.advanced_subtensor"), bind="root"), _crossentropy,
         changes_results="raises a ShapeError when there are fewer labels than rows (the gather would drop rows)"),
    Rule("log-softmax", op("tg.log", var("a")), _log_softmax),
    Rule("log-sigmoid", op("tg.log", var("a")), _log_sigmoid),
    Rule("logsumexp", op("tg.log", var("a")), _logsumexp),
    Rule("log1p", op("tg.log", var("a")), _log1p),
    Rule("log1p-softplus", op("tg.log1p", var("a")), _log1p_rules),
    Rule("expm1", op(("tg.sub", "tg.add"), bind="root"), _expm1),
    Rule("sigmoid", op(("tg.div", "tg.reciprocal", "tg.pow", "tg.sub", "tg.add"), bind="root"), _sigmoid),
    Rule("stable-product", op(("tg.mul", "tg.div", "tg.neg"), bind="root"), _stable_product, changes_results=_CHANGES),
]


@dataclass(frozen=True)
class TgStabilize(RulePass):
    """Apply the stabilize rules."""

    name = "tg-stabilize"

    def rules(self) -> Sequence[Rule]:
        return RULES
