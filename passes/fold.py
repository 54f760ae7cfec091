"""tg-fold: constant folding (see the module docstring once written)."""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass


@dataclass(frozen=True)
class TgFold(ModulePass):
    """Replace ops whose operands are all constants by their value."""

    name = "tg-fold"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        return None
