"""Loop-level rules for ops with regions: `tg.map` runs its body once per index."""

from __future__ import annotations

from tg.dialects import tg
from tg.dialects.tg_control import MapOp, YieldOp
from tg.lowering.convert_tg_to_loops import (
    DIM_RULES,
    MATERIALIZERS,
    LoopsBuilder,
    _Kernel,
    plan_buffers,
)
from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import IndexType, IntegerType, MemRefType
from xdsl.ir import Operation, SSAValue


def _bind(b: LoopsBuilder, op: MapOp) -> list[SSAValue]:
    """Give the body's arguments buffers (once per op): the captured operands' (stored
    first when they are computed inline) and a 0-d buffer for the index. Returns the
    buffers allocated here, to free after the loop."""
    bindings: dict[MapOp, list[SSAValue]] = b.__dict__.setdefault("map_bindings", {})
    if op in bindings:
        return bindings[op]
    body = op.body.block
    allocated = []
    for arg, value in zip(body.args[1:], op.captures):
        if value in b.buffers:
            b.buffers[arg] = b.buffers[value]
        else:  # a view or an inline value: store it once for the whole loop
            buf = b.allocate(value)
            b.store_elementwise(value, buf)
            b.buffers[arg] = buf
            allocated.append(buf)
    index_buf = b.emit(memref.AllocOp([], [], MemRefType(IntegerType(64), [])))
    b.buffers[body.args[0]] = index_buf
    allocated.append(index_buf)
    bindings[op] = allocated
    return allocated


def _map_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    """(count, *the row's sizes): rows have the same sizes at every index."""
    assert isinstance(op, MapOp)
    _bind(b, op)
    count = b.emit(arith.IndexCastOp(b.scalar(op.count, []), IndexType()))
    return [count, *b.dims(op.row)]


def _materialize_map(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """for i in [0, count): run the body (its own buffers, freed each iteration) and
    copy the row it yields into dest[i, ...]."""
    assert isinstance(op, MapOp)
    body = op.body.block
    allocated = _bind(b, op)
    index_buf = b.buffers[body.args[0]]
    count = b.dims(op.result)[0]
    stored = plan_buffers(body)

    def iteration(ivs: list[SSAValue]) -> None:
        (i,) = ivs
        # sizes and indices computed for the body may change with i: compute them at
        # the top of each iteration, not once before the loop
        outer = (b.entry, b.entry_indices, dict(b.dim_cache))
        b.entry, b.entry_indices = b.block, {}
        b.emit(memref.StoreOp.get(b.emit(arith.IndexCastOp(i, IntegerType(64))), index_buf, []))
        temporaries = []
        for inner in body.ops:
            if isinstance(inner, YieldOp):
                break
            value = inner.results[0]
            if isinstance(inner, tg.ConstantOp) and value in stored:
                b.buffers[value] = b.global_constant(inner)
            elif value in stored:
                buf = b.allocate(value)
                b.materialize(value, buf)
                b.buffers[value] = buf
                temporaries.append(buf)
        row = op.row
        b.kernel = _Kernel({})

        def copy(jv: list[SSAValue]) -> None:
            b.emit(memref.StoreOp.get(b.scalar(row, jv), dest, [i, *jv]))

        b.loops(b.dims(row), copy)
        b.kernel = _Kernel({})
        for buf in temporaries:
            b.emit(memref.DeallocOp.get(buf))
        b.entry, b.entry_indices, b.dim_cache = outer

    b.loops([count], iteration)
    for buf in allocated:
        b.emit(memref.DeallocOp.get(buf))


MATERIALIZERS[MapOp] = _materialize_map
DIM_RULES[MapOp] = _map_dims
