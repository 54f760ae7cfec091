"""tg-specialize: cheaper forms of what canonicalize and stabilize left
(see tg.passes.patterns for the rule format).

- x**2 -> x*x; x**0.5 -> sqrt(x); x**-1 -> reciprocal(x);
- x * -1 (either operand order, -1 possibly a cast or broadcast constant) -> neg(x);
- sum(c * x, axes) -> c' * sum(x, axes) when c is a constant or broadcast (static
  size 1) along every summed axis (c' is c without those axes);
- argmax(softmax(x), axis) -> argmax(x, axis) (softmax is increasing along its axis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.dialects.tensor_types import is_float, static_shape
from tg.passes.patterns import Match, Rule, const, op, var
from tg.passes.rewrite_pass import RulePass
from tg.passes.stabilize import softmax_match
from tg.variable import TensorVariable


def _T():
    import tg.tensor

    return tg.tensor


def _square(m: Match) -> TensorVariable:
    x = m["x"]
    return x * x


def _sqrt(m: Match) -> TensorVariable:
    from tg.tensor import basic as T

    return T.sqrt(m["x"])


def _reciprocal(m: Match) -> TensorVariable:
    return _T().reciprocal(m["x"])


def _neg(m: Match) -> TensorVariable | None:
    from tg.tensor import basic as T

    x, root = m["x"], m["root"]
    if static_shape(x.value.type) != static_shape(root.value.type):
        return None  # the constant broadcasts x: keep the mul, which does that
    return T.neg(x)


def _sum_of_scaled(m: Match) -> TensorVariable | None:
    """sum(c * x) -> c' * sum(x): c broadcast along the summed axes."""
    from tg.tensor import basic as T

    s = m["root"].value.owner
    axes = list(s.reduced)
    product = m["p"].value.owner
    if not is_float(product.results[0].type):
        return None
    for c, x in (product.operands, product.operands[::-1]):
        cs = static_shape(c.type)
        if any(cs[a] != 1 for a in axes):
            continue
        xs = static_shape(x.type)
        if any(xs[a] == 1 and static_shape(product.results[0].type)[a] != 1 for a in axes):
            continue  # x broadcast along a summed axis: sum(x) would miss the repeats
        kept = [a for a in range(len(cs)) if a not in axes]
        scale = T.dimshuffle(TensorVariable(c), *kept) if axes else TensorVariable(c)
        total = T.sum(TensorVariable(x), axis=axes)
        return scale * total
    return None


def _argmax_softmax(m: Match) -> TensorVariable | None:

    a = m["root"].value.owner
    s = softmax_match(a.operands[0])
    if s is None or list(a.reduced) != [s.axis]:
        return None
    return _T().argmax(TensorVariable(s.x), axis=s.axis)


RULES: list[Rule] = [
    Rule("pow-2-to-mul", op("tg.pow", var("x"), const(2)), _square),
    Rule("pow-half-to-sqrt", op("tg.pow", var("x"), const(0.5)), _sqrt),
    Rule("pow-minus-1-to-reciprocal", op("tg.pow", var("x"), const(-1)), _reciprocal),
    Rule("mul-minus-1-to-neg", op("tg.mul", var("x"), const(-1), bind="root"), _neg),
    Rule("sum-of-scaled", op("tg.sum", op("tg.mul", bind="p"), bind="root"), _sum_of_scaled),
    Rule("argmax-of-softmax", op("tg.argmax", bind="root"), _argmax_softmax),
]


@dataclass(frozen=True)
class TgSpecialize(RulePass):
    """Apply the specialize rules."""

    name = "tg-specialize"

    def rules(self) -> Sequence[Rule]:
        return RULES
