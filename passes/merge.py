"""tg-merge: identical ops on identical operands (equal constants included) become
one, across the whole function. xDSL's common-subexpression elimination does the
work; tg's ops are pure."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.transforms.common_subexpression_elimination import (
    CommonSubexpressionElimination,
)


@dataclass(frozen=True)
class TgMerge(CommonSubexpressionElimination):
    """Merge identical ops and equal constants."""

    name = "tg-merge"
