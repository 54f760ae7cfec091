"""The shape every rule-based pass shares: a ModulePass applying a rule set to each
tg function, with a cap on firings and counters it can print."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from tg.passes.patterns import RewriteStats, Rule, apply_rules
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass


@dataclass(frozen=True)
class RulePass(ModulePass):
    """Apply `rules()` to every function. Options: `stats=true` prints how often each
    rule fired (also `TG_FLAGS=rewrite_stats=1`); `cap=N` bounds each rule's firings
    per function (default: ten per op)."""

    name = "tg-rules"
    stats: bool = False
    cap: int = -1

    def rules(self) -> Sequence[Rule]:
        raise NotImplementedError

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from tg.config import config

        stats = RewriteStats()
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            apply_rules(function, self.rules(), stats, None if self.cap < 0 else self.cap)
        if self.stats or config.rewrite_stats:
            print(f"// {self.name}:\n{stats.report()}", file=sys.stderr)
