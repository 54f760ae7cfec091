"""tg-fuse: group a function's tg ops into kernels (`tg.fusion`), the `fused` level.

Each op that computes values lands in exactly one kernel; views and splat constants
cost nothing where they are read (index arithmetic, a scalar), so they are copied
into every kernel that reads them. The grouping walks the function backwards: an op
not yet placed is the root of a new kernel, and a kernel absorbs a producer when
every read of the producer is inside the kernel, each element read once (no
broadcast). Such groups are convex, the diamond fuses, and no element is computed
twice. Then:

- a reduction (sum, max) absorbs its elementwise producers, so `sum(exp(x - m))`
  reads `x` once, and elementwise consumers of its result when it reduces only the
  last axis (`log(sum(e))` applies the log as each row's total is known);
- a kernel whose elementwise result is also read elsewhere merges into a reader
  that loops over the same shape when no path through a third kernel joins them: one
  kernel with several outputs (softmax's `exp` is stored while it is summed);
- a kernel reads at most MAX_KERNEL_OPERANDS buffers and holds at most
  MAX_KERNEL_OPS ops.

With `TG_FLAGS=fusion=0` (or the pass option `fuse=false`) every op is a kernel of
its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tg.dialects import tg
from tg.dialects.tensor_types import static_shape
from tg.dialects.tg_kernel import MAX_KERNEL_OPERANDS, FusionOp, FusionYieldOp
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

MAX_KERNEL_OPS = 64
"""Most ops one kernel computes (bounds loop bodies and the recursion that emits them)."""


def is_free(op: Operation) -> bool:
    """Views and splat constants: computed where read, copied into each reader kernel."""
    if isinstance(op, tg.ConstantOp):
        return op.is_splat()
    return isinstance(op, tg.TgOp) and op.FUSION == "view"


def is_reduction(op: Operation) -> bool:
    return isinstance(op, tg.SumOp | tg.MaxOp)


def _reduces_last_axis_only(op: Operation) -> bool:
    assert isinstance(op, tg.ReduceOp)
    rank = len(static_shape(op.input.type))
    return rank > 0 and tuple(op.reduced) == (rank - 1,)


def _broadcasts(operand: SSAValue, result: SSAValue) -> bool:
    return static_shape(operand.type) != static_shape(result.type)


@dataclass
class _Group:
    ops: list[Operation]

    @property
    def reduction(self) -> Operation | None:
        return next((op for op in self.ops if is_reduction(op)), None)

    @property
    def stored(self) -> list[Operation]:
        """Members that are neither elementwise nor reductions (dot, indexing, ...)."""
        return [op for op in self.ops if not (isinstance(op, tg.TgOp) and op.FUSION == "elementwise") and not is_reduction(op)]


class Grouping:
    """The kernels of one function body, decided before any IR changes."""

    def __init__(self, block: Block, fuse: bool):
        self.block = block
        self.ops = [op for op in block.ops if not isinstance(op, func.ReturnOp)]
        self.position = {op: i for i, op in enumerate(self.ops)}
        terminator = block.last_op
        self.returned = set(terminator.operands) if isinstance(terminator, func.ReturnOp) else set()
        self.group_of: dict[Operation, _Group] = {}
        for op in reversed(self.ops):
            if op in self.group_of or not self._needs_kernel(op):
                continue
            group = _Group([op])
            self.group_of[op] = group
            if fuse:
                self._absorb(group)
        if fuse:
            self._merge_outputs()

    def _needs_kernel(self, op: Operation) -> bool:
        if isinstance(op, tg.ConstantOp) and not op.is_splat():
            return False  # stays a global, read where needed
        return not is_free(op) or op.results[0] in self.returned

    # ------------------------------------------------------------------ readers

    def readers(self, value: SSAValue) -> list[tuple[Operation, bool]]:
        """The ops that read `value` (looking through free ops), each with whether it
        reads every element at most once, at its own index."""
        found: list[tuple[Operation, bool]] = []
        for use in value.uses:
            user = use.operation
            if isinstance(user, func.ReturnOp):
                found.append((user, False))
            elif is_free(user) and user not in self.group_of:
                once = isinstance(user, tg.TgOp) and user.READS_ONCE
                found += [(op, once and o) for op, o in self.readers(user.results[0])]
            else:
                once = isinstance(user, tg.TgOp) and user.READS_ONCE
                if once and user.FUSION == "elementwise":
                    once = not _broadcasts(value, user.results[0])
                found.append((user, once))
        return found

    def _inputs(self, ops: Iterable[Operation]) -> set[SSAValue]:
        """The values a kernel of these ops reads from outside (through free ops)."""
        members = set(ops)
        inputs: set[SSAValue] = set()
        pending = [v for op in members for v in op.operands]
        seen: set[SSAValue] = set()
        while pending:
            v = pending.pop()
            if v in seen:
                continue
            seen.add(v)
            owner = v.owner
            if isinstance(owner, Operation) and owner in members:
                continue
            if isinstance(owner, Operation) and is_free(owner) and owner not in self.group_of:
                pending += owner.operands
            else:
                inputs.add(v)
        return inputs

    def _fits(self, ops: list[Operation]) -> bool:
        return len(ops) <= MAX_KERNEL_OPS and len(self._inputs(ops)) <= MAX_KERNEL_OPERANDS

    # ------------------------------------------------------------- absorption

    def _producers(self, group: _Group) -> list[Operation]:
        """Non-free ops whose results the group reads, through free ops."""
        found: list[Operation] = []
        for v in self._inputs(group.ops):
            owner = v.owner
            if isinstance(owner, Operation) and owner not in self.group_of and not is_free(owner):
                found.append(owner)
        return sorted(found, key=self.position.__getitem__, reverse=True)

    def _absorbable(self, producer: Operation, group: _Group) -> bool:
        if not isinstance(producer, tg.TgOp) or len(producer.results) != 1:
            return False
        value = producer.results[0]
        if value in self.returned:
            return False
        readers = self.readers(value)
        if not readers or not all(op in group.ops and once for op, once in readers):
            return False
        if producer.FUSION == "elementwise":
            return True
        # a reduction with elementwise consumers of its result (an epilogue) that read
        # it directly, at their own index
        return (
            is_reduction(producer)
            and all(u.operation in group.ops for u in value.uses)
            and _reduces_last_axis_only(producer)
            and group.reduction is None
            and not group.stored
            and all(op.results[0].type == value.type for op in group.ops)
        )

    def _absorb(self, group: _Group) -> None:
        if group.stored and not all(isinstance(op, tg.TgOp) and op.READS_ONCE for op in group.stored):
            return  # a dot, say, reads its operands many times: they are stored
        changed = True
        while changed:
            changed = False
            for producer in self._producers(group):
                if self._absorbable(producer, group) and self._fits([*group.ops, producer]):
                    group.ops.append(producer)
                    self.group_of[producer] = group
                    changed = True
                    break

    # -------------------------------------------------------- several outputs

    def _domain(self, group: _Group) -> tuple[object, ...] | None:
        """What fixes the sizes of the shape a kernel loops over (see `shape_key`), when
        it is a kernel that outputs can join."""
        if group.stored:
            return None
        reduction = group.reduction
        if reduction is not None:
            return _sizes(reduction.operands[0])
        return _sizes(group.ops[0].results[0])

    def _reaches(self, start: list[_Group], target: _Group) -> bool:
        """Whether a path of reads leads from any kernel in `start` to `target`."""
        seen: set[int] = set()
        pending = list(start)
        while pending:
            g = pending.pop()
            if g is target:
                return True
            if id(g) in seen:
                continue
            seen.add(id(g))
            for op in g.ops:
                for reader, _ in self.readers(op.results[0]):
                    if reader in self.group_of and self.group_of[reader] is not g:
                        pending.append(self.group_of[reader])
        return False

    def _merge_outputs(self) -> None:
        groups = sorted({id(g): g for g in self.group_of.values()}.values(), key=lambda g: self.position[g.ops[0]])
        for producer_group in groups:
            root = producer_group.ops[0]
            if producer_group.stored or producer_group.reduction is not None or root.results[0] in self.returned:
                continue
            value = root.results[0]
            shape = _sizes(value)
            readers = self.readers(value)
            for reader, _ in readers:
                target = self.group_of.get(reader)
                if target is None or target is producer_group or self._domain(target) != shape:
                    continue
                if not _reads_in_place(reader, value):
                    continue
                # no other kernel may lie on a path from this one to the target
                outside = [r for op in producer_group.ops for r, _ in self.readers(op.results[0])]
                others = [self.group_of[r] for r in outside if r in self.group_of]
                others = [g for g in others if g is not target and g is not producer_group]
                if self._reaches(others, target) or not self._fits(target.ops + producer_group.ops):
                    continue
                target.ops += producer_group.ops
                for op in producer_group.ops:
                    self.group_of[op] = target
                break

    # ---------------------------------------------------------------- results

    def kernels(self) -> list[list[Operation]]:
        """Each kernel's ops in program order, kernels ordered by their last op."""
        unique = {id(g): g for g in self.group_of.values()}.values()
        kernels = [sorted(g.ops, key=self.position.__getitem__) for g in unique]
        return sorted(kernels, key=lambda ops: self.position[ops[-1]])


def _sizes(value: SSAValue) -> tuple[object, ...]:
    """Per dimension, a static size or where a dynamic one comes from: values of equal
    static type may still differ (one is a transpose of the other)."""
    from tg.passes.bufferize import shape_key

    return tuple(shape_key(value, axis) for axis in range(len(static_shape(value.type))))


def _reads_in_place(reader: Operation, value: SSAValue) -> bool:
    """Whether `reader` reads `value` element i while computing its own element i
    (elementwise, same shape), or reduces it directly."""
    if is_reduction(reader):
        return reader.operands[0] == value
    if isinstance(reader, tg.TgOp) and reader.FUSION == "elementwise":
        return any(o == value for o in reader.operands) and not _broadcasts(value, reader.results[0])
    return False


# ------------------------------------------------------------------ rewriting


def _clone_free(value: SSAValue, body: Block, mapping: dict[SSAValue, SSAValue], inputs: list[SSAValue]) -> SSAValue:
    """`value` inside a kernel body: a block argument, or a copy of free ops."""
    if value in mapping:
        return mapping[value]
    owner = value.owner
    if isinstance(owner, Operation) and is_free(owner):
        for operand in owner.operands:
            _clone_free(operand, body, mapping, inputs)
        clone = owner.clone(value_mapper=mapping)
        body.add_op(clone)
        mapping[value] = clone.results[0]
        return clone.results[0]
    inputs.append(value)
    arg = body.insert_arg(value.type, len(body.args))
    arg.name_hint = value.name_hint
    mapping[value] = arg
    return arg


def build_fusion(ops: list[Operation], grouping: Grouping) -> FusionOp:
    """A `tg.fusion` computing `ops` (in program order), yielding each result read
    outside them; uses outside are redirected to it and `ops` erased."""
    members = set(ops)
    body = Block()
    mapping: dict[SSAValue, SSAValue] = {}
    inputs: list[SSAValue] = []
    for op in ops:
        for operand in op.operands:
            if not (isinstance(operand.owner, Operation) and operand.owner in members):
                _clone_free(operand, body, mapping, inputs)
        clone = op.clone(value_mapper=mapping)
        body.add_op(clone)
        for old, new in zip(op.results, clone.results):
            mapping[old] = new
            new.name_hint = old.name_hint
    outputs = [
        op.results[0]
        for op in ops
        if op.results[0] in grouping.returned or any(r not in members for r, _ in grouping.readers(op.results[0]))
    ]
    body.add_op(FusionYieldOp(*(mapping[v] for v in outputs)))
    fusion = FusionOp(inputs, Region(body), [v.type for v in outputs])
    for old, new in zip(outputs, fusion.outputs):
        new.name_hint = old.name_hint
    last = ops[-1]
    last.parent_block().insert_op_after(fusion, last)  # type: ignore[union-attr]
    for old, new in zip(outputs, fusion.outputs):
        old.replace_uses_with_if(new, lambda use: use.operation not in members)
    for op in reversed(ops):
        op.detach()
        op.erase(safe_erase=False)
    return fusion


def _sort_block(block: Block) -> None:
    """Reorder a block's ops so that each follows its operands (kernels built at
    their last op may read values defined after their first)."""
    ops = list(block.ops)
    order: list[Operation] = []
    placed: set[Operation] = set()

    def place(op: Operation) -> None:
        if op in placed:
            return
        placed.add(op)
        for v in op.operands:
            if isinstance(v.owner, Operation) and v.owner.parent_block() is block:
                place(v.owner)
        order.append(op)

    for op in ops:
        place(op)
    if order != ops:
        for op in ops:
            op.detach()
        for op in order:
            block.add_op(op)


def fuse_function(function: func.FuncOp, fuse: bool = True) -> None:
    block = function.body.block
    if any(isinstance(op, FusionOp) for op in block.ops):
        return  # already at the fused level
    grouping = Grouping(block, fuse)
    for ops in grouping.kernels():
        build_fusion(ops, grouping)
    for op in reversed(list(block.ops)):
        if is_free(op) and not op.results[0].uses:
            block.erase_op(op)
    _sort_block(block)


@dataclass(frozen=True)
class TgFuse(ModulePass):
    """Group tg ops into `tg.fusion` kernels (the `fused` level)."""

    name = "tg-fuse"

    fuse: bool | None = None
    """False: one kernel per op. Default: the `fusion` flag (TG_FLAGS=fusion=0 turns it off)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        fuse = self.fuse
        if fuse is None:
            from tg.config import config

            fuse = bool(config.fusion)
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            fuse_function(function, fuse)
