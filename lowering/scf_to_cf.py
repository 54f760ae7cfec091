"""`convert-scf-to-cf`: structured control flow (`scf.for`, `scf.if`,
`scf.index_switch`) to blocks and branches, one visit per structured op.

xDSL's rewrite patterns do the lowering; this pass only drives them. xDSL's own pass
runs them through a greedy worklist over every op of the module, which costs a
third of this pass's time again on large modules; here each structured op is
rewritten once, innermost first, and nothing else is visited twice.
"""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects import builtin, scf
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern
from xdsl.transforms.convert_scf_to_cf import ForLowering, IfLowering, SwitchLowering

_LOWERINGS: dict[type, RewritePattern] = {
    scf.ForOp: ForLowering(),
    scf.IfOp: IfLowering(),
    scf.IndexSwitchOp: SwitchLowering(),
}


class ConvertScfToCf(ModulePass):
    """Lower every `scf.for`, `scf.if` and `scf.index_switch` to `cf` branches."""

    name = "convert-scf-to-cf"

    def apply(self, ctx: Context, op: builtin.ModuleOp) -> None:
        structured = [o for o in op.walk() if type(o) in _LOWERINGS]
        for o in reversed(structured):  # inner ops before the ops holding them
            _LOWERINGS[type(o)].match_and_rewrite(o, PatternRewriter(o))
