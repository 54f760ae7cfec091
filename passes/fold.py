"""tg-fold: constant folding through the interpreter.

An op whose operands are all constants is replaced by a constant holding what its
`reference` (the interpreter's implementation) computes, in the op's own dtype, op
by op, so a folded value is exactly what running the op would give. Two limits:

- `max_elements` (default 1024): results with more elements stay ops, so that large
  constants (a `zeros((1000, 1000))`) are not materialized in the IR;
- accuracy: an op that is an inner part of a pattern that tg-stabilize rewrites
  (the `1 + c` of `log(1 + c)`, the `exp(c)` of `exp(c) - 1`) is left alone, since
  rounding it first would lose what the stable form keeps; stabilize rewrites it
  later, and the stable op itself may then be folded by a later fold.

Ops that draw random numbers, hold regions, or whose reference raises (an index out
of bounds, a shape error: the error belongs to the call) are never folded. A result
whose type has dynamic dimensions becomes a broadcast of the constant to those
(constant) sizes, so the users' types stay valid.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tg.dialects import tg
from tg.dialects.tensor_types import dtype_of, static_shape
from tg.passes.patterns import Match, Rule
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass

_MAX_ELEMENTS = 1024
_DEPTH = 4


def _is_random(o: Operation) -> bool:
    return type(o).__module__.endswith("tg_random")


def _foldable(o: Operation) -> bool:
    return (
        isinstance(o, tg.TgOp)
        and not isinstance(o, tg.ConstantOp)
        and len(o.results) == 1
        and not o.regions
        and not _is_random(o)
    )


def _fires(rule: Rule, value: SSAValue) -> bool:
    """Whether `rule` would rewrite `value` (its rewrite is tried, then discarded)."""
    from tg.passes.patterns import _new_ops, _wrap

    m: Match = {}
    if not rule.pattern.match(value, m):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            produced = rule.rewrite(_wrap(m))
    except Exception:  # a rule that cannot build its replacement does not fire
        return False
    if produced is None or produced.value is value:
        return False
    for built in reversed(_new_ops(produced.value)):
        built.erase(safe_erase=False)  # drop the trial ops' uses of the graph
    return True


def protected_ops(block: Block, rules: Sequence[Rule], depth: int = _DEPTH) -> set[Operation]:
    """Ops that `rules` (tg-stabilize's) would rewrite as part of a larger pattern:
    those at most `depth` uses below an op where a rule fires. Folding them first
    would round what the stable form keeps (`log(1 + 1e-17)`)."""
    by_name: dict[str | None, list[Rule]] = {}
    for rule in rules:
        names = rule.pattern.name
        for n in (names,) if isinstance(names, str) or names is None else names:
            by_name.setdefault(n, []).append(rule)
    protected: set[Operation] = set()
    verdict: dict[Operation, bool] = {}

    def rewritten(o: Operation) -> bool:
        if o not in verdict:
            candidates = [*by_name.get(o.name, ()), *by_name.get(None, ())]
            verdict[o] = bool(o.results) and any(_fires(r, o.results[0]) for r in candidates)
        return verdict[o]

    constant: set[SSAValue] = set()
    for o in block.ops:
        if isinstance(o, tg.ConstantOp):
            constant.add(o.result)
            continue
        if not _foldable(o) or not all(v in constant for v in o.operands):
            continue
        constant.add(o.results[0])  # a candidate: its whole input graph is constant
        frontier = [o]
        for _ in range(depth):
            frontier = [u.operation for f in frontier for r in f.results for u in r.uses]
            if any(rewritten(u) for u in frontier):
                protected.add(o)
                break
    return protected


def _stabilize_rules() -> list[Rule]:
    try:
        from tg.passes.stabilize import RULES
    except ImportError:  # pragma: no cover - stabilize is part of tg
        return []
    return list(RULES)


def _value_of(value: SSAValue, known: dict[SSAValue, np.ndarray]) -> np.ndarray | None:
    if value in known:
        return known[value]
    owner = value.owner
    if isinstance(owner, tg.ConstantOp):
        known[value] = owner.to_array()
        return known[value]
    return None


def fold_function(function: func.FuncOp, max_elements: int = _MAX_ELEMENTS, rules: Sequence[Rule] = ()) -> int:
    """Fold the constant ops of `function`; returns how many were folded."""
    block = function.body.block
    protected = protected_ops(block, rules)
    known: dict[SSAValue, np.ndarray] = {}
    folded = 0
    for o in list(block.ops):
        if not _foldable(o) or o in protected:
            continue
        args = [_value_of(v, known) for v in o.operands]
        if any(a is None for a in args):
            continue
        result = o.results[0]
        shape = static_shape(result.type)
        if None not in shape and int(np.prod(shape, dtype=np.int64)) > max_elements:
            continue
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                value = np.asarray(o.reference(*args))  # type: ignore[attr-defined]
        except Exception:  # the error belongs to the call, not to the compiler
            continue
        if value.size > max_elements or value.ndim != len(shape):
            continue
        value = value.astype(dtype_of(result.type), copy=False)
        constant = tg.ConstantOp.from_array(value)
        block.insert_op_before(constant, o)
        replacement: SSAValue = constant.result
        if None in shape:
            sizes = []
            for n in value.shape:
                size = tg.ConstantOp.from_array(np.asarray(n, dtype=np.int64))
                block.insert_op_before(size, o)
                sizes.append(size.result)
            broadcast = tg.BroadcastOp(constant.result, sizes, shape)
            block.insert_op_before(broadcast, o)
            replacement = broadcast.result
            known[replacement] = value
        constant.location = o.location
        result.replace_all_uses_with(replacement)
        known[constant.result] = value
        block.erase_op(o)
        folded += 1
    _remove_dead_constants(block)
    return folded




def _remove_dead_constants(block: Block) -> None:
    for o in reversed(list(block.ops)):
        if isinstance(o, tg.TgOp) and not any(r.uses for r in o.results):
            block.erase_op(o)


@dataclass(frozen=True)
class TgFold(ModulePass):
    """Replace ops whose operands are all constants by their value (results of at
    most `max_elements` elements; never the inner ops of a stabilize pattern)."""

    name = "tg-fold"
    max_elements: int = _MAX_ELEMENTS

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        rules = _stabilize_rules()
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            fold_function(function, self.max_elements, rules)
