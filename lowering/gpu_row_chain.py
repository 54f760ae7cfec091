"""Row chains: consecutive kernel bodies that each work row by row over the same rows
(softmax: the row maximum; exp(x - max) and its sum; the division) become one
kernel, one block per row, so that the row is read from memory once.

A chain starts with a reduction over the last axis (rank >= 2) and goes on while the
next `tg.compute` reads a buffer of the chain and is such a reduction or elementwise,
each value it yields either full rows (the input's shape) or one element per row.
Buffers only the chain reads (released by its end) are not stored at all: a per-row
value stays in a register (every thread gets a block reduction's total), a full-row
value is computed again where it is read (one more exp instead of a write and a
read). A chain with an in-place write, or whose per-row values are read at another
row, is lowered compute by compute instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tg.dialects import tg, tg_reduce
from tg.dialects.tensor_types import static_shape
from tg.dialects.tg_kernel import BufferOp, ComputeOp, ReleaseOp
from tg.lowering.convert_tg_to_loops import (
    REDUCE_COMBINERS,
    REDUCE_IDENTITIES,
    computed_inline,
)
from tg.lowering.gpu_host import HostBuilder
from tg.lowering.gpu_kernel_builder import KernelBuilder
from tg.lowering.gpu_reduce import block_reduce
from xdsl.dialects import arith, func
from xdsl.ir import Block, SSAValue

PLAIN = (tg.SumOp, tg.MaxOp, tg_reduce.MinOp, tg_reduce.ProdOp)


class NotFusable(Exception):
    """The chain cannot be one kernel; its computes are lowered one by one."""


@dataclass
class Stage:
    compute: ComputeOp
    reduction: tg.ReduceOp | None
    """The stage's reduction over the last axis, or None for an elementwise stage."""


@dataclass
class Chain:
    stages: list[Stage]
    rank: int
    virtual: set[SSAValue] = field(default_factory=set)
    """Buffers (buffers-level values) the chain alone reads: never stored."""


def _reduction(body: Block) -> tuple[bool, tg.ReduceOp | None]:
    """(whether the body can be a stage, its one plain reduction over the last axis
    of a rank >= 2 input, or None when it has only inline ops)."""
    stored = [op for op in body.ops if op is not body.last_op and not computed_inline(op)]
    if not stored:
        return True, None
    op = stored[0]
    if len(stored) != 1 or not isinstance(op, PLAIN):
        return False, None
    rank = len(static_shape(op.input.type))
    return (True, op) if rank >= 2 and sorted(set(op.reduced)) == [rank - 1] else (False, None)


def _stage(compute: ComputeOp, rank: int | None) -> Stage | None:
    possible, reduction = _reduction(compute.body.block)
    if not possible:
        return None
    yields = [static_shape(y.type) for y in compute.yielded]
    if reduction is not None:
        r = len(static_shape(reduction.input.type))
        if rank is not None and r != rank:
            return None
        per_row = [s for s in yields if len(s) == r - 1]
        if len(per_row) != 1 or any(len(s) not in (r - 1, r) for s in yields):
            return None
        return Stage(compute, reduction)
    if rank is None or len(set(yields)) != 1 or len(yields[0]) not in (rank - 1, rank):
        return None
    return Stage(compute, None)


def find_chains(function: func.FuncOp) -> dict[ComputeOp, Chain]:
    """The row chains of a buffers-level function, by their first compute."""
    ops = [op for op in function.body.block.ops if not isinstance(op, BufferOp | ReleaseOp)]
    chains: dict[ComputeOp, Chain] = {}
    i = 0
    while i < len(ops):
        first = ops[i]
        stage = _stage(first, None) if isinstance(first, ComputeOp) else None
        if stage is None or stage.reduction is None:
            i += 1
            continue
        rank = len(static_shape(stage.reduction.input.type))
        stages = [stage]
        written = set(first.outs)
        for op in ops[i + 1 :]:
            nxt = _stage(op, rank) if isinstance(op, ComputeOp) else None
            if nxt is None or not written & set(op.ins):
                break
            stages.append(nxt)
            written |= set(op.outs)
        overwrites = any(
            set(s.compute.outs) & set(t.compute.ins) for a, s in enumerate(stages) for t in stages[: a + 1]
        )  # a buffer written after (or while) a stage reads it
        if len(stages) > 1 and not overwrites:
            chain = Chain(stages, rank)
            chain.virtual = _virtual(function, chain, written)
            chains[first] = chain
        i += len(stages)
    return chains


def _virtual(function: func.FuncOp, chain: Chain, written: set[SSAValue]) -> set[SSAValue]:
    computes = {s.compute for s in chain.stages}
    virtual = set()
    for buffer in written:
        if not isinstance(buffer.owner, BufferOp):
            continue  # the function's own outputs
        if all(use.operation in computes or isinstance(use.operation, ReleaseOp) for use in buffer.uses):
            virtual.add(buffer)
    return virtual


# ------------------------------------------------------------------ the kernel


def lower_chain(host: HostBuilder, chain: Chain, values: dict[SSAValue, object]) -> bool:
    """The chain as one kernel (its stored outputs allocated where not yet); False,
    with nothing emitted, when it cannot be one. `values` maps buffers-level values to
    host buffers."""
    checkpoint = host.checkpoint()
    saved = dict(values)
    try:
        _lower_chain(host, chain, values)
        return True
    except NotFusable:
        host.rollback(checkpoint)
        values.clear()
        values.update(saved)
        return False


def _lower_chain(host: HostBuilder, chain: Chain, values: dict[SSAValue, object]) -> None:
    producers: dict[SSAValue, SSAValue] = {}  # a virtual buffer -> the body value it holds
    for stage in chain.stages:
        _bind_arguments(host, chain, stage, values, producers)
        for value, buffer in zip(stage.compute.yielded, stage.compute.outs):
            producers[buffer] = value
            if buffer not in chain.virtual and buffer not in values:
                values[buffer] = host.allocate(value)
    k = host.new_kernel("rows")
    for stage in chain.stages:
        _bind_arguments(k, chain, stage, values, producers)
    first = chain.stages[0].reduction
    assert first is not None
    out_static = static_shape(first.result.type)
    out_dims = k.dims(first.result)

    def row(o: SSAValue) -> None:
        out_ivs = k.start_element(o, out_dims, out_static)
        for stage in chain.stages:
            _lower_stage(k, chain, stage, o, out_ivs, values)

    k.per_block(k.product(out_dims), row)
    host.launch(k, host.grid(host.numel(host.dims(first.result)), 1))


def _bind_arguments(
    b: HostBuilder | KernelBuilder,
    chain: Chain,
    stage: Stage,
    values: dict[SSAValue, object],
    producers: dict[SSAValue, SSAValue],
) -> None:
    """A stage's arguments: their buffers, or for a virtual one the sizes of what it
    holds (its elements are bound while the kernel is built)."""
    for arg, buffer in zip(stage.compute.body.block.args, stage.compute.ins):
        if buffer in chain.virtual:
            b.dim_cache[arg] = b.dims(producers[buffer])
        else:
            b.buffers[arg] = values[buffer]


def _row_reader(k: KernelBuilder, register: SSAValue, out_ivs: list[SSAValue]) -> Callable[[list[SSAValue]], SSAValue]:
    """A per-row value read at indices: only the current row's."""

    def read(ivs: list[SSAValue]) -> SSAValue:
        if any(iv is not own for iv, own in zip(ivs[: len(out_ivs)], out_ivs)):
            raise NotFusable("a per-row value read at another row")
        return register

    return read


def _bind(k: KernelBuilder, chain: Chain, buffer: SSAValue, read: Callable[[list[SSAValue]], SSAValue]) -> None:
    """Later stages read `buffer`'s elements through `read`."""
    for stage in chain.stages:
        for arg, source in zip(stage.compute.body.block.args, stage.compute.ins):
            if source is buffer:
                k.bound[arg] = read


def _is_per_row(t: object, rank: int) -> bool:
    shape = static_shape(t)  # type: ignore[arg-type]
    return len(shape) == rank - 1 or (len(shape) == rank and shape[-1] == 1)


def _lower_stage(
    k: KernelBuilder, chain: Chain, stage: Stage, o: SSAValue, out_ivs: list[SSAValue], values: dict[SSAValue, object]
) -> None:
    """One stage inside the row's body: its loop along the row (threads striding),
    then its per-row values in registers."""
    rank = chain.rank
    pairs = list(zip(stage.compute.yielded, stage.compute.outs))
    per_row = [(v, b) for v, b in pairs if _is_per_row(v.type, rank)]
    full = [(v, b) for v, b in pairs if not _is_per_row(v.type, rank)]
    stored = [(v, b) for v, b in full if b not in chain.virtual]

    def along_row(
        value: SSAValue, inits: Sequence[SSAValue], body: Callable[[list[SSAValue], list[SSAValue]], list[SSAValue]]
    ) -> list[SSAValue]:
        """Threads stride along the row of full-row `value`: body(ivs, carried)."""
        length = k.dims(value)[-1]
        row_static = static_shape(value.type)
        base = k.emit(arith.MuliOp(o, length))

        def step(j: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
            ivs = [*out_ivs, j]
            k.set_flat(ivs, k.emit(arith.AddiOp(base, j)), row_static)
            for v, b in stored:
                k.store(k.scalar(v, ivs), values[b], v, ivs)
            return body(ivs, carried)

        return k.carried_loop(k.thread(), length, k.block_size(), list(inits), step)

    op = stage.reduction
    if op is not None:
        combine = REDUCE_COMBINERS[type(op)]
        elt = op.result.type.element_type
        identity = k.scalar_constant(REDUCE_IDENTITIES[type(op)](elt), elt)
        (partial,) = along_row(op.input, [identity], lambda ivs, acc: [combine(k, acc[0], k.scalar(op.input, ivs))])
        total = block_reduce(k, partial, combine, identity)
        at = tuple(k.c0 if d == 1 else iv for d, iv in zip(static_shape(op.result.type), out_ivs))
        k.kernel.computed[(op.result, tuple(out_ivs))] = total
        k.kernel.computed[(op.result, at)] = total
    elif stored:
        along_row(stored[0][0], [], lambda ivs, carried: [])
    for v, b in per_row:
        ivs = list(out_ivs) if len(static_shape(v.type)) == rank - 1 else [*out_ivs, k.c0]
        register = k.scalar(v, ivs)
        if b not in chain.virtual:
            first_thread = k.emit(arith.CmpiOp(k.thread(), k.c0, "eq"))
            k.when(first_thread, lambda v=v, b=b, ivs=ivs, register=register: k.store(register, values[b], v, ivs))
        _bind(k, chain, b, _row_reader(k, register, out_ivs))
    for v, b in full:
        _bind(k, chain, b, _recomputed(k, v))


def _recomputed(k: KernelBuilder, value: SSAValue) -> Callable[[list[SSAValue]], SSAValue]:
    """A full-row value read at indices: computed again there."""
    return lambda ivs: k.scalar(value, ivs)
