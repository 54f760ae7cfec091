"""tg-stabilize: rewrite rules (see tg.passes.patterns for the rule format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.passes.patterns import Rule
from tg.passes.rewrite_pass import RulePass

RULES: list[Rule] = []


@dataclass(frozen=True)
class TgStabilize(RulePass):
    """Apply the stabilize rules."""

    name = "tg-stabilize"

    def rules(self) -> Sequence[Rule]:
        return RULES
