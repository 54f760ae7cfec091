"""tg-outline-parallel-loops: move each `tg.parallel` loop into a function of its own.

A loop marked `tg.parallel` by convert-tg-to-loops (iterations independent) becomes a
private function `@<fn>_par<k>(captured..., %lo, %hi)` running the same loop over
[lo, hi), and, in its place, an `scf.parallel` over chunks of `grain` iterations that
calls it once per chunk:

    scf.parallel (%c) = (%c0) to (%n) step (%grain) {
      %e = arith.minui (%c + %grain), %n
      func.call @main_par0(%a, %out, %c, %e)
    }

convert-loops-to-llvm turns that into one call of the thread pool's `tg_parallel_for`
(which may merge neighbouring chunks, each call covering a range). `grain` is chosen
so that a chunk runs at least `MIN_CHUNK_WORK` ops, estimated from the loop body and
the trip counts of nested loops: smaller loops stay on the calling thread. Values
the loop reads from outside are the function's arguments, but constants and globals,
which are cloned into it so that LLVM still sees static trip counts. Runs before
convert-scf-to-cf, which drops the marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from tg.lowering.convert_tg_to_loops import PARALLEL
from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

MIN_CHUNK_WORK = 1 << 20
"""Scalar ops (loads, stores, arithmetic) a chunk must run, roughly, for a loop to be
split across threads: waking a sleeping worker costs some microseconds, and LLVM runs
the counted scalar ops 8 or 16 to a vector instruction."""

_FREE = (arith.ConstantOp, scf.YieldOp)
"""Ops that the work estimate does not count."""

_CLONED = (arith.ConstantOp, memref.GetGlobalOp)
"""Ops without operands that are cloned into an outlined function, not passed to it."""

Size = int | SSAValue
"""A trip count or a product of them: known at compile time, or computed at run time."""


def _int_constant(value: SSAValue) -> int | None:
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return op.value.value.data
    return None


def _outermost_marked_loops(function: func.FuncOp) -> list[scf.ForOp]:
    """Marked loops not nested in another marked loop, in program order."""
    found: list[scf.ForOp] = []
    for op in function.walk():
        if not isinstance(op, scf.ForOp) or PARALLEL not in op.attributes:
            continue
        if not any(outer.is_ancestor(op) for outer in found):
            found.append(op)
    return found


def _captured_values(loop: scf.ForOp) -> list[SSAValue]:
    """Values defined outside `loop` that its body uses, in order of first use."""
    captured: dict[SSAValue, None] = {}
    for op in loop.body.walk():
        for operand in op.operands:
            owner = operand.owner
            defining = owner if isinstance(owner, Operation) else owner.parent_op()
            if defining is None or not loop.is_ancestor(defining):
                captured.setdefault(operand, None)
    return list(captured)


class _CallSite:
    """Index arithmetic emitted just before the loop being outlined."""

    def __init__(self, loop: scf.ForOp):
        self.loop = loop

    def emit(self, op: Operation) -> SSAValue:
        parent = self.loop.parent_block()
        assert parent is not None
        parent.insert_op_before(op, self.loop)
        return op.results[0]

    def value(self, size: Size) -> SSAValue:
        if isinstance(size, int):
            return self.emit(arith.ConstantOp(IntegerAttr(size, IndexType())))
        return size

    def mul(self, a: Size, b: Size) -> Size:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if a == 1 or b == 1:
            return b if a == 1 else a
        return self.emit(arith.MuliOp(self.value(a), self.value(b)))

    def add(self, a: Size, b: Size) -> Size:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        if a == 0 or b == 0:
            return b if a == 0 else a
        return self.emit(arith.AddiOp(self.value(a), self.value(b)))

    def trip_count(self, inner: scf.ForOp) -> Size:
        """Iterations of `inner` when its bounds are known outside the outlined loop
        (else 1: an estimate that keeps such loops from being split too finely)."""
        lb, ub = inner.lb, inner.ub
        step = _int_constant(inner.step)
        if step is None or step < 1 or any(self._defined_inside(v) for v in (lb, ub)):
            return 1
        low, high = _int_constant(lb), _int_constant(ub)
        if low is not None and high is not None:
            return max(-(-(high - low) // step), 0)
        span: Size = ub if low == 0 else self.emit(arith.SubiOp(ub, lb))
        if step == 1:
            return span
        return self.emit(arith.DivUIOp(self.value(span), self.value(step)))  # rounded down: an estimate

    def _defined_inside(self, value: SSAValue) -> bool:
        owner = value.owner
        defining = owner if isinstance(owner, Operation) else owner.parent_op()
        return defining is not None and self.loop.is_ancestor(defining)

    def work(self, block: Block) -> Size:
        """The ops one pass over `block` runs, roughly: its own (each op in a nested
        region once), those of its nested loops times their trip counts, and one for
        the pass itself (so the estimate is never 0)."""
        own = 1
        loops: Size = 0
        for op in block.ops:
            if isinstance(op, scf.ForOp):
                loops = self.add(loops, self.mul(self.trip_count(op), self.work(op.body.block)))
            else:
                own += sum(1 for nested in op.walk() if not isinstance(nested, _FREE))
        return self.add(own, loops)

    def grain(self) -> SSAValue:
        """Iterations per chunk: enough for MIN_CHUNK_WORK ops."""
        work = self.work(self.loop.body.block)
        if isinstance(work, int):
            return self.value(max(1, -(-MIN_CHUNK_WORK // max(work, 1))))
        rounded_up = self.add(MIN_CHUNK_WORK - 1, work)  # work >= 1: the division rounds up
        return self.emit(arith.DivUIOp(self.value(rounded_up), work))


def outline(loop: scf.ForOp, name: str) -> func.FuncOp | None:
    """Replace `loop` by chunked calls of a new function `name` running it over a
    range, and return that function (None, leaving the loop as it is, unless the loop
    steps by 1 and carries no values)."""
    del loop.attributes[PARALLEL]
    if _int_constant(loop.step) != 1 or loop.iter_args:
        return None
    grain = _CallSite(loop).grain()
    captured = [v for v in _captured_values(loop) if not isinstance(v.owner, _CLONED)]
    index = IndexType()
    entry = Block(arg_types=[*(v.type for v in captured), index, index])
    *arguments, lo, hi = entry.args
    replacements: dict[SSAValue, SSAValue] = dict(zip(captured, arguments))
    for value in _captured_values(loop):
        if isinstance(value.owner, _CLONED) and value not in replacements:
            clone = value.owner.clone()
            entry.add_op(clone)
            replacements[value] = clone.results[0]
    if loop.step not in replacements:
        entry.add_op(step := arith.ConstantOp(IntegerAttr(1, index)))
        replacements[loop.step] = step.result
    body = loop.detach_region(loop.body)
    for op in body.walk():
        for i, operand in enumerate(op.operands):
            if operand in replacements:
                op.operands[i] = replacements[operand]
        if isinstance(op, scf.ForOp):
            op.attributes.pop(PARALLEL, None)
    entry.add_ops([scf.ForOp(lo, hi, replacements[loop.step], [], body), func.ReturnOp()])
    outlined = func.FuncOp(name, (list(entry.arg_types), []), Region([entry]), "private")

    chunk = Block(arg_types=[index])
    start = chunk.args[0]
    stop = arith.AddiOp(start, grain)
    end = arith.MinUIOp(stop, loop.ub)
    chunk.add_ops([stop, end, func.CallOp(name, [*captured, start, end.result], []), scf.ReduceOp()])
    parent = loop.parent_block()
    assert parent is not None
    parent.insert_op_before(scf.ParallelOp([loop.lb], [loop.ub], [grain], Region([chunk])), loop)
    parent.erase_op(loop)
    return outlined


@dataclass(frozen=True)
class OutlineParallelLoops(ModulePass):
    """Outline every outermost `tg.parallel` loop into a function called per chunk."""

    name = "tg-outline-parallel-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        block = op.body.block
        for function in list(block.ops):
            if not isinstance(function, func.FuncOp) or function.is_declaration:
                continue
            after: Operation = function
            count = 0
            for loop in _outermost_marked_loops(function):
                outlined = outline(loop, f"{function.sym_name.data}_par{count}")
                if outlined is not None:
                    block.insert_op_after(outlined, after)
                    after = outlined
                    count += 1
