"""Rewrite rules as data: a pattern over tg ops and the expression replacing it.

    Rule("mul-by-one", op("tg.mul", var("x"), const(1)), lambda m: m["x"])

A pattern matches an op by name (commutative ops in either operand order), its
operands by sub-pattern, captures values by name, and may check a `where`
predicate. The replacement is built with the frontend's own functions (so dtype
and broadcasting rules are the frontend's), from tg variables wrapping the matched
values; `apply_rules` inserts the new ops before the matched one, gives them its
source location, and redirects its uses. Each rule fires at most `cap` times per
function, and every firing is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tg.dialects import tg
from tg.dialects.tensor_types import dtype_of, static_shape
from tg.tensor.basic import recording
from tg.variable import TensorVariable
from xdsl.dialects import func
from xdsl.ir import Block, Operation, SSAValue

COMMUTATIVE = frozenset({"tg.add", "tg.mul", "tg.maximum", "tg.minimum"})

Match = dict[str, Any]


@dataclass(frozen=True)
class Pattern:
    """Matches a value: produced by op `name` (any op if None) with operands matching
    `operands`, captured as `bind`, accepted by `where`."""

    name: str | tuple[str, ...] | None = None
    operands: tuple[Pattern, ...] | None = None
    bind: str | None = None
    where: Callable[[SSAValue], bool] | None = None
    constant: float | None = None
    is_constant: bool = False

    def match(self, value: SSAValue, m: Match) -> bool:
        """Whether `value` matches; on success `m` holds the captures. Commutative
        operands are tried in both orders, backtracking across the whole pattern (so
        `(x + y) - y` matches `sub(add(var x, var y), var y)`)."""
        for found in self.matches(value, m):
            m.clear()
            m.update(found)
            return True
        return False

    def matches(self, value: SSAValue, m: Match) -> Iterator[Match]:
        """Every way `value` matches, each as a new capture dict extending `m`."""
        if self.is_constant:
            c = splat_value(value)
            if c is None or (self.constant is not None and not _same(c, self.constant)):
                return
            candidates: Iterable[Match] = [dict(m)]
        elif self.name is not None:
            owner = value.owner
            names = (self.name,) if isinstance(self.name, str) else self.name
            if not isinstance(owner, Operation) or owner.name not in names:
                return
            candidates = [dict(m)] if self.operands is None else self._match_operands(owner, m)
        else:
            candidates = [dict(m)]
        for trial in candidates:
            if self.where is not None and not self.where(value):
                return
            if self.bind is not None:
                if self.bind in trial and trial[self.bind] is not value:
                    continue
                trial[self.bind] = value
            yield trial

    def _match_operands(self, owner: Operation, m: Match) -> Iterator[Match]:
        assert self.operands is not None
        operands = list(owner.operands)
        if len(operands) != len(self.operands):
            return
        orders = [operands]
        if owner.name in COMMUTATIVE and len(operands) == 2 and operands[0] is not operands[1]:
            orders.append(operands[::-1])
        for order in orders:
            yield from _match_all(self.operands, order, dict(m))


def _match_all(patterns: Sequence[Pattern], values: Sequence[SSAValue], m: Match) -> Iterator[Match]:
    if not patterns:
        yield m
        return
    for trial in patterns[0].matches(values[0], m):
        yield from _match_all(patterns[1:], values[1:], trial)


def op(name: str | tuple[str, ...], *operands: Pattern, bind: str | None = None, where: Callable[[SSAValue], bool] | None = None) -> Pattern:
    """A value produced by op `name` whose operands match `operands`."""
    return Pattern(name, tuple(operands) if operands else None, bind, where)


def var(bind: str, where: Callable[[SSAValue], bool] | None = None) -> Pattern:
    """Any value, captured as `bind`."""
    return Pattern(bind=bind, where=where)


def const(value: float | None = None, bind: str | None = None) -> Pattern:
    """A constant with every element equal (to `value` if given), seen through casts
    and broadcasting views."""
    return Pattern(bind=bind, constant=value, is_constant=True)


def _same(a: float, b: float) -> bool:
    return bool(a == b or (np.isnan(a) and np.isnan(b)))


def splat_value(value: SSAValue) -> float | None:
    """The single value every element of `value` has, if it is a constant (through
    dimshuffles, broadcasts, transposes and casts of one)."""
    owner = value.owner
    while isinstance(owner, tg.DimShuffleOp | tg.BroadcastOp | tg.TransposeOp | tg.CastOp):
        if isinstance(owner, tg.CastOp):
            inner = splat_value(owner.input)
            if inner is None:
                return None
            return float(owner.reference(np.asarray(inner, dtype=dtype_of(owner.input.type))))
        owner = owner.operands[0].owner
    if not isinstance(owner, tg.ConstantOp):
        return None
    data = owner.to_array()
    if data.size == 0:
        return None
    first = data.flat[0]
    if not np.all((data == first) | (np.isnan(data) & np.isnan(first) if data.dtype.kind == "f" else False)):
        return None
    return float(first)




@dataclass(frozen=True)
class Rule:
    """A named rewrite: where `pattern` matches an op's result, use `rewrite(match)`
    (a tg variable, or None to decline)."""

    name: str
    pattern: Pattern
    rewrite: Callable[[Match], TensorVariable | None]
    changes_results: str = ""
    """Non-empty for rewrites that change results on purpose (say how)."""


@dataclass
class RewriteStats:
    """How often each rule fired (and which hit their cap)."""

    fired: Counter[str] = field(default_factory=Counter)
    capped: set[str] = field(default_factory=set)

    def report(self) -> str:
        lines = [f"{count:6d}  {name}{'  (capped)' if name in self.capped else ''}" for name, count in sorted(self.fired.items())]
        return "\n".join(lines) if lines else "no rewrite fired"


def _wrap(m: Match) -> Match:
    return {k: TensorVariable(v) if isinstance(v, SSAValue) else v for k, v in m.items()}


def _new_ops(result: SSAValue) -> list[Operation]:
    """The detached ops (built by the rewrite) `result` depends on, operands first;
    ops already in a block and block arguments end the walk."""
    order: list[Operation] = []
    seen: set[Operation] = set()
    stack: list[tuple[SSAValue, bool]] = [(result, False)]
    while stack:
        value, expanded = stack.pop()
        owner = value.owner
        if isinstance(owner, Block) or owner.parent is not None or owner in seen:
            continue
        if expanded:
            seen.add(owner)
            order.append(owner)
            continue
        stack.append((value, True))
        stack.extend((o, False) for o in reversed(owner.operands))
    return order


def _coerce(result: TensorVariable, like: SSAValue) -> TensorVariable | None:
    """`result` with exactly `like`'s type, or None when that cannot be had."""
    from tg.tensor import basic as T

    want = like.type
    if result.value.type == want:
        return result
    result = T.cast(result, dtype_of(like.type).name)
    have_shape, want_shape = static_shape(result.value.type), static_shape(want)
    if have_shape == want_shape:
        return result
    if len(have_shape) > len(want_shape):
        return None
    if any(h is not None and w is not None and h != w and h != 1 for h, w in zip(have_shape[::-1], want_shape[::-1])):
        return None
    sizes = [TensorVariable(like).shape[a] for a in range(len(want_shape))]
    if any(isinstance(s.value.owner, tg.DimOp) and s.value.owner.input is like for s in sizes):
        return None  # the sizes would be read from the value being replaced: a cycle
    coerced = T.build(tg.BroadcastOp(result.value, [s.value for s in sizes], want_shape))
    return coerced if coerced.value.type == want else None


def apply_rules(function: func.FuncOp, rules: Sequence[Rule], stats: RewriteStats, cap: int | None = None) -> bool:
    """Rewrite `function` with `rules` until none applies (each rule at most `cap`
    times). Returns whether anything changed."""
    block = function.body.block
    by_name: dict[str | None, list[Rule]] = {}
    for rule in rules:
        names = rule.pattern.name
        for n in (names,) if isinstance(names, str) or names is None else names:
            by_name.setdefault(n, []).append(rule)
    limit = cap if cap is not None else 10 * sum(1 for _ in block.ops) + 100
    fired: Counter[str] = Counter()
    changed = False
    sweep_changed = True
    # sweeps until one changes nothing: a rewrite deep in a pattern (a view chain
    # merged under a mul) can enable a rule at an op that is not its direct user
    while sweep_changed:
        sweep_changed = False
        worklist = [o for o in block.ops if not isinstance(o, func.ReturnOp)]
        while worklist:
            root = worklist.pop()
            if root.parent is not block or not root.results:
                continue
            value = root.results[0]
            for rule in [*by_name.get(root.name, ()), *by_name.get(None, ())]:
                if fired[rule.name] >= limit:
                    stats.capped.add(rule.name)
                    continue
                m: Match = {}
                if not rule.pattern.match(value, m):
                    continue
                with recording() as built:
                    produced = rule.rewrite(_wrap(m))
                    if produced is not None:
                        produced = _coerce(produced, value)
                if produced is None or produced.value is value:
                    _drop_detached(built, keep=())
                    continue
                new = _new_ops(produced.value)
                _drop_detached(built, keep=new)
                for new_op in new:
                    new_op.location = root.location
                    block.insert_op_before(new_op, root)
                users = [u.operation for u in value.uses]
                value.replace_all_uses_with(produced.value)
                if not value.uses:
                    block.erase_op(root)
                fired[rule.name] += 1
                stats.fired[rule.name] += 1
                worklist.extend(new)
                worklist.extend(u for u in users if u.parent is block)
                changed = True
                sweep_changed = True
                break
        _remove_dead(block)
    return changed


def _drop_detached(built: list[Operation], keep: Sequence[Operation]) -> None:
    """Erase ops a rewrite built but does not use, so that they stop counting as
    users of the function's values (which would block fusion)."""
    kept = set(keep)
    for o in reversed(built):
        if o not in kept and o.parent is None and not any(r.uses for r in o.results):
            o.erase()


def _remove_dead(block: Block) -> None:
    for o in reversed(list(block.ops)):
        if isinstance(o, tg.TgOp) and not any(r.uses for r in o.results):
            block.erase_op(o)


def rules_by_name(rules: Iterable[Rule]) -> dict[str, Rule]:
    return {r.name: r for r in rules}
