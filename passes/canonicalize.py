"""tg-canonicalize: rewrite rules (see tg.passes.patterns for the rule format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.passes.patterns import Rule
from tg.passes.rewrite_pass import RulePass

RULES: list[Rule] = []


@dataclass(frozen=True)
class TgCanonicalize(RulePass):
    """Apply the canonicalize rules."""

    name = "tg-canonicalize"

    def rules(self) -> Sequence[Rule]:
        return RULES
