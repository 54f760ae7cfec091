"""tg-specialize: rewrite rules (see tg.passes.patterns for the rule format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.passes.patterns import Rule
from tg.passes.rewrite_pass import RulePass

RULES: list[Rule] = []


@dataclass(frozen=True)
class TgSpecialize(RulePass):
    """Apply the specialize rules."""

    name = "tg-specialize"

    def rules(self) -> Sequence[Rule]:
        return RULES
