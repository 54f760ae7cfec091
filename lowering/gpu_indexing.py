"""Scatter and concatenation kernels.

`set_subtensor`/`inc_subtensor` (and their advanced forms) copy the input into the
destination (unless it is updated in place), then one thread per element of the
indexed region writes (or adds) its value. Basic keys reach distinct elements; an
advanced increment adds atomically, so repeated indices accumulate (as on the CPU).
An advanced set with repeated indices keeps the last value in row-major order, as
the CPU and numpy do: first the positions of the index arrays' broadcast that write
each combination of indexed positions claim it with an atomic maximum (in a scratch
buffer with one slot per combination), then only the last claimant writes. A value
that does not vary along the index arrays' dimensions needs no claims. Index checks
are the CPU path's (loops_indexing), setting the status; a bad index's write is
skipped. Gathers are element rules and need no kernel of their own.
"""

from __future__ import annotations

from tg.dialects import tg_gpu, tg_shape
from tg.dialects import tg_indexing as ix
from tg.dialects.tensor_types import static_shape
from tg.lowering.convert_tg_to_loops import _add, _Kernel
from tg.lowering.gpu_elementwise import store_values
from tg.lowering.gpu_host import GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_kernel_builder import KernelBuilder
from tg.lowering.loops_indexing import (
    _advanced_positions,
    _basic_dims,
    _basic_plan,
    _basic_positions,
    _guarded,
    _index_dims,
    _value_element,
)
from tg.lowering.loops_shape import unravel
from xdsl.dialects import arith
from xdsl.dialects.builtin import i64
from xdsl.ir import Operation, SSAValue


def _copy_input(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    source = op.operands[0]
    if host.buffers.get(source) is not dest:
        store_values(host, [(source, dest)])


def _put(
    k: KernelBuilder,
    op: Operation,
    dest: SSAValue,
    positions: list[SSAValue],
    ivs: list[SSAValue],
    atomic: bool,
) -> None:
    value = _value_element(k, op.value, ivs)  # type: ignore[attr-defined]
    result = op.results[0]
    if op.KIND != "inc":  # type: ignore[attr-defined]
        k.store(value, dest, result, positions)
    elif atomic:
        element = dest.type.element_type  # type: ignore[attr-defined]
        if element not in tg_gpu.ATOMIC_ADD_TYPES:
            raise NotImplementedError(
                f"convert-buffers-to-gpu: {op.name} of {element} (atomic add takes f32, f64, i32, i64)"
            )
        k.written.add(dest)
        k.emit(tg_gpu.AtomicAddOp(k.device_memref(dest), k.linear(result, positions), value))
    else:
        k.store(_add(k, k.load(dest, result, positions), value), dest, result, positions)


def _basic_put(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, ix.BasicPutOp)
    _copy_input(host, op, dest)
    k = host.new_kernel("put")
    plan = _basic_plan(k, op)
    target = _basic_dims(k, op)
    static = [None] * len(target)

    def element(i: SSAValue) -> None:
        ivs = unravel(k, i, target, static)
        k.kernel = _Kernel({})
        _put(k, op, dest, _basic_positions(k, plan, ivs), ivs, atomic=False)

    k.grid_stride(k.c0, k.product(target), element)
    # a basic key selects at most every element of the input
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest))))


def _advanced_put(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, ix.AdvancedPutOp)
    _copy_input(host, op, dest)
    claims = _claims(host, op) if op.KIND != "inc" and _varies_along_index(op) else None
    k = host.new_kernel("scatter")
    target = list(ix.indexed_shape(k.dims(op.input), op.indexed_axes, _index_dims(k, op)))
    static = [None] * len(target)

    def element(i: SSAValue) -> None:
        ivs = unravel(k, i, target, static)
        k.kernel = _Kernel({})
        positions, bad = _advanced_positions(k, op, ivs)

        def put() -> None:
            if claims is None:
                _put(k, op, dest, positions, ivs, atomic=True)
                return
            claimant = k.load_flat(claims, _combination(k, op, positions))
            last = k.emit(arith.CmpiOp(claimant, _broadcast_position(k, op, ivs), "eq"))
            k.when(last, lambda: _put(k, op, dest, positions, ivs, atomic=True))

        if bad is None:
            put()
        else:
            _guarded(k, bad, None, put)  # type: ignore[arg-type, return-value]

    k.grid_stride(k.c0, k.product(target), element)
    host_target = ix.indexed_shape(host.dims(op.input), op.indexed_axes, _index_dims(host, op))
    host.launch(k, host.grid(host.numel(list(host_target))))
    if claims is not None:
        host.free(claims)


def _broadcast_axes(op: ix.AdvancedPutOp) -> range:
    """The dimensions of the indexed region that are the index arrays' broadcast."""
    b_rank = max(len(static_shape(v.type)) for v in op.index_arrays)
    axes = op.indexed_axes
    return range(axes[0], axes[0] + b_rank) if ix.adjacent(axes) else range(b_rank)


def _varies_along_index(op: ix.AdvancedPutOp) -> bool:
    """Whether repeated indices may write different values (the value is not
    broadcast along every dimension of the index arrays)."""
    static = static_shape(op.value.type)
    return any(static[a] != 1 for a in _broadcast_axes(op))


def _broadcast_position(k: KernelBuilder, op: ix.AdvancedPutOp, ivs: list[SSAValue]) -> SSAValue:
    """The row-major position in the index arrays' broadcast of the element at `ivs`
    (of the indexed region), as an i64."""
    dims = _index_dims(k, op)
    position = k.c0
    for d, a in zip(dims, _broadcast_axes(op)):
        position = ivs[a] if position is k.c0 else k.emit(arith.AddiOp(k.emit(arith.MuliOp(position, d)), ivs[a]))
    return k.emit(arith.IndexCastOp(position, i64))


def _combination(k: KernelBuilder, op: ix.AdvancedPutOp, positions: list[SSAValue]) -> SSAValue:
    """The claims slot of the input positions along the indexed axes (row-major)."""
    dims = k.dims(op.input)
    slot = k.c0
    for a in op.indexed_axes:
        slot = positions[a] if slot is k.c0 else k.emit(arith.AddiOp(k.emit(arith.MuliOp(slot, dims[a])), positions[a]))
    return slot


def _claims(host: HostBuilder, op: ix.AdvancedPutOp) -> SSAValue:
    """Per combination of indexed positions, the last position in the index arrays'
    broadcast that writes it: every writer stores -1 there, then claims it with an
    atomic maximum (two kernels, so that every reset precedes every claim)."""
    x_dims = host.dims(op.input)
    claims = host.scratch(i64, host.numel([x_dims[a] for a in op.indexed_axes]))
    for claim in (False, True):
        _claim_kernel(host, op, claims, claim)
    return claims


def _claim_kernel(host: HostBuilder, op: ix.AdvancedPutOp, claims: SSAValue, claim: bool) -> None:
    """One thread per position of the index arrays' broadcast: claims[its slot] = -1,
    or (`claim`) the atomic maximum of it and the position."""
    k = host.new_kernel("scatter_claim" if claim else "scatter_reset")
    b_dims = _index_dims(k, op)
    axes = list(_broadcast_axes(op))
    rank = len(ix.indexed_shape(k.dims(op.input), op.indexed_axes, b_dims))

    def writer(p: SSAValue) -> None:
        b_ivs = iter(unravel(k, p, b_dims, [None] * len(b_dims)))
        ivs = [next(b_ivs) if a in axes else k.c0 for a in range(rank)]  # other axes do not matter
        k.kernel = _Kernel({})
        positions, bad = _advanced_positions(k, op, ivs)

        def write() -> None:
            slot = _combination(k, op, positions)
            if not claim:
                k.store_flat(k.scalar_constant(-1, i64), claims, slot)
                return
            k.written.add(claims)
            k.emit(tg_gpu.AtomicMaxOp(k.device_memref(claims), slot, k.emit(arith.IndexCastOp(p, i64))))

        if bad is None:
            write()
        else:
            _guarded(k, bad, None, write)  # type: ignore[arg-type, return-value]

    k.grid_stride(k.c0, k.product(b_dims), writer)
    host.launch(k, host.grid(host.numel(_index_dims(host, op))))


def _concatenate(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """One kernel per operand, writing at its offset along the axis."""
    assert isinstance(op, tg_shape.ConcatenateOp)
    for i in range(len(op.inputs)):
        _concatenate_operand(host, op, i, dest)


def _concatenate_operand(host: HostBuilder, op: tg_shape.ConcatenateOp, i: int, dest: SSAValue) -> None:
    axis = op.axis_index
    value = op.inputs[i]
    k = host.new_kernel("concatenate")
    offset = k.c0
    for before in op.inputs[:i]:
        size = k.dims(before)[axis]
        offset = size if offset is k.c0 else k.emit(arith.AddiOp(offset, size))
    dims = k.dims(value)
    static = static_shape(value.type)

    def element(j: SSAValue) -> None:
        ivs = k.start_element(j, dims, static)
        out = list(ivs)
        out[axis] = k.emit(arith.AddiOp(ivs[axis], offset))
        k.store(k.scalar(value, ivs), dest, op.result, out)

    k.grid_stride(k.c0, k.product(dims), element)
    host.launch(k, host.grid(host.numel(host.dims(value))))


for _op in (ix.SetSubtensorOp, ix.IncSubtensorOp):
    GPU_MATERIALIZERS[_op] = _basic_put
for _op in (ix.AdvancedSetSubtensorOp, ix.AdvancedIncSubtensorOp):
    GPU_MATERIALIZERS[_op] = _advanced_put
GPU_MATERIALIZERS[tg_shape.ConcatenateOp] = _concatenate
