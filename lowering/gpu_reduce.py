"""Reduction kernels: sum, max, min, prod (with side outputs and an epilogue), argmax
and argmin, cumulative sums and products.

- Reducing the last axis (and maybe others), with outputs left: one block per output
  element; its threads stride along the reduced elements (consecutive threads read
  consecutive elements), then combine through warp shuffles and shared memory.
- Reducing only other axes: one thread per output element (consecutive threads read
  consecutive elements of each reduced row), looping over the reduced axes.
- Reducing every axis: blocks reduce grid-strided slices into partial results, and a
  second one-block kernel combines them (deterministic, any combiner).

`side` values (of the input's shape) are stored as the input is read, and `result`,
an elementwise function of the reduction's value (an epilogue such as a mean's
division), is stored instead of it. NaN propagates as on the CPU (max/min keep NaN).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tg.dialects import tg, tg_gpu, tg_reduce
from tg.dialects.tensor_types import is_float, static_shape
from tg.lowering.convert_tg_to_loops import (
    REDUCE_COMBINERS,
    REDUCE_IDENTITIES,
    _Kernel,
    _lowest,
)
from tg.lowering.gpu_host import GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_kernel_builder import BLOCK, WARP, KernelBuilder
from tg.lowering.loops_reduce import _highest, arg_better
from tg.lowering.loops_shape import unravel
from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import IntegerType, MemRefType, i32, i64
from xdsl.ir import Attribute, Operation, SSAValue

Combine = Callable[[KernelBuilder, SSAValue, SSAValue], SSAValue]
Side = Sequence[tuple[SSAValue, SSAValue]]

PARTIALS = 1024
"""Most blocks (partial results) of a reduction over every axis."""
PER_THREAD = 8
"""Elements each thread of such a reduction reads at least, before more blocks start."""


def block_reduce(k: KernelBuilder, value: SSAValue, combine: Combine, identity: SSAValue) -> SSAValue:
    """Combine `value` over the threads of the block (blockDim.x a multiple of 32);
    every thread gets the total. Ends with a barrier, so shared memory may be reused."""
    t = value.type
    narrow = isinstance(t, IntegerType) and t.width.data < 32
    if narrow:
        value, identity = (k.emit(arith.ExtSIOp(v, i32)) for v in (value, identity))
    element = value.type
    shared = _shared(k, element)
    lane = k.emit(arith.RemUIOp(k.thread(), k.index(WARP)))
    warp = k.emit(arith.DivUIOp(k.thread(), k.index(WARP)))
    value = _warp_reduce(k, value, combine)
    k.when(
        k.emit(arith.CmpiOp(lane, k.c0, "eq")),
        lambda: k.emit(memref.StoreOp.get(value, shared, [warp])),
    )
    k.barrier()
    warps = k.emit(arith.CeilDivUIOp(k.block_size(), k.index(WARP)))
    partial = k.emit(memref.LoadOp.get(shared, [lane]))
    partial = k.emit(arith.SelectOp(k.emit(arith.CmpiOp(lane, warps, "ult")), partial, identity))
    total = _warp_reduce(k, partial, combine)
    k.barrier()
    return k.emit(arith.TruncIOp(total, t)) if narrow else total  # type: ignore[arg-type]


def block_scan(k: KernelBuilder, value: SSAValue) -> tuple[SSAValue, SSAValue]:
    """(the sum of the integer `value` over the block's threads before this one, the
    sum over all of them): a prefix sum in thread order (blockDim.x a multiple of
    32). Ends with a barrier, so shared memory may be reused."""
    shared = _shared(k, value.type)
    lane = k.emit(arith.RemUIOp(k.thread(), k.index(WARP)))
    warp = k.emit(arith.DivUIOp(k.thread(), k.index(WARP)))
    inclusive = value
    for lanes in (1, 2, 4, 8, 16):
        below = k.emit(tg_gpu.ShuffleUpOp(inclusive, k.emit(arith.ConstantOp.from_int_and_width(lanes, i32))))
        has_below = k.emit(arith.CmpiOp(lane, k.index(lanes), "uge"))
        inclusive = k.emit(arith.SelectOp(has_below, k.emit(arith.AddiOp(inclusive, below)), inclusive))
    k.when(
        k.emit(arith.CmpiOp(lane, k.index(WARP - 1), "eq")),
        lambda: k.emit(memref.StoreOp.get(inclusive, shared, [warp])),
    )
    k.barrier()
    zero = k.scalar_constant(0, value.type)

    def add_warp(w: SSAValue, sums: list[SSAValue]) -> list[SSAValue]:
        before, total = sums
        partial = k.emit(memref.LoadOp.get(shared, [w]))
        earlier = k.emit(arith.SelectOp(k.emit(arith.CmpiOp(w, warp, "ult")), partial, zero))
        return [k.emit(arith.AddiOp(before, earlier)), k.emit(arith.AddiOp(total, partial))]

    warps = k.emit(arith.CeilDivUIOp(k.block_size(), k.index(WARP)))
    before, total = k.carried_loop(k.c0, warps, k.c1, [zero, zero], add_warp)
    k.barrier()
    return k.emit(arith.AddiOp(before, k.emit(arith.SubiOp(inclusive, value)))), total


def _shared(k: KernelBuilder, element: Attribute) -> SSAValue:
    """One 32-element shared array per element type and kernel."""
    cache: dict[Attribute, SSAValue] = k.__dict__.setdefault("_shared", {})
    if element not in cache:
        block, k.block = k.block, k.entry
        cache[element] = k.emit(tg_gpu.SharedArrayOp(MemRefType(element, [WARP])))
        k.block = block
    return cache[element]


def _warp_reduce(k: KernelBuilder, value: SSAValue, combine: Combine) -> SSAValue:
    for lanes in (16, 8, 4, 2, 1):
        other = k.emit(tg_gpu.ShuffleXorOp(value, k.emit(arith.ConstantOp.from_int_and_width(lanes, i32))))
        value = combine(k, value, other)
    return value


def _merge(
    rank: int,
    axes: Sequence[int],
    kept: Sequence[SSAValue],
    reduced: Sequence[SSAValue],
) -> list[SSAValue]:
    """Input indices from the output's (kept axes) and the reduced axes' indices."""
    out, red = iter(kept), iter(reduced)
    return [next(red) if a in axes else next(out) for a in range(rank)]


def _store_side(k: KernelBuilder, side: Side, ivs: list[SSAValue]) -> None:
    for value, buffer in side:
        k.store(k.scalar(value, ivs), buffer, value, ivs)


def _finish(
    k: KernelBuilder,
    op: tg.ReduceOp,
    total: SSAValue,
    result: SSAValue,
    dest: SSAValue,
    out_ivs: list[SSAValue],
) -> None:
    """Store result (an epilogue of the total) at the output indices."""
    at = tuple(k.c0 if d == 1 else iv for d, iv in zip(static_shape(op.result.type), out_ivs))
    k.kernel = _Kernel({(op.result, tuple(out_ivs)): total, (op.result, at): total})
    k.store(k.scalar(result, out_ivs), dest, result, out_ivs)


def reduce(
    host: HostBuilder,
    op: tg.ReduceOp,
    dest: SSAValue,
    side: Side = (),
    result: SSAValue | None = None,
) -> None:
    """dest = the reduction of op.input (or `result`, an epilogue of it)."""
    result = op.result if result is None else result
    rank = len(static_shape(op.input.type))
    axes = sorted(set(op.reduced))
    if rank > 0 and len(axes) == rank:
        _every_axis(host, op, dest, side, result)
    elif rank > 0 and rank - 1 in axes:
        _per_block(host, op, dest, side, result, axes)
    else:
        _per_thread(host, op, dest, side, result, axes)


def _identity(k: KernelBuilder, op: tg.ReduceOp) -> SSAValue:
    elt = op.result.type.element_type
    return k.scalar_constant(REDUCE_IDENTITIES[type(op)](elt), elt)


def _per_block(
    host: HostBuilder,
    op: tg.ReduceOp,
    dest: SSAValue,
    side: Side,
    result: SSAValue,
    axes: list[int],
) -> None:
    k = host.new_kernel("reduce_rows")
    combine = REDUCE_COMBINERS[type(op)]
    in_static = static_shape(op.input.type)
    rank = len(in_static)
    in_dims = k.dims(op.input)
    out_static = static_shape(result.type)
    out_dims = k.buffer_dims(dest, out_static)
    red_dims = [in_dims[a] for a in axes]
    red_static = [in_static[a] for a in axes]
    length = k.product(red_dims)
    rows_only = axes == [rank - 1]

    def output(o: SSAValue) -> None:
        out_ivs = k.start_element(o, out_dims, out_static)
        base = k.emit(arith.MuliOp(o, length)) if rows_only else None
        identity = _identity(k, op)

        def step(j: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
            ivs = _merge(rank, axes, out_ivs, unravel(k, j, red_dims, red_static))
            if base is not None:
                k.set_flat(ivs, k.emit(arith.AddiOp(base, j)), in_static)
            _store_side(k, side, ivs)
            return [combine(k, acc[0], k.scalar(op.input, ivs))]

        (partial,) = k.carried_loop(k.thread(), length, k.block_size(), [identity], step)
        total = block_reduce(k, partial, combine, identity)
        k.when(
            k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")),
            lambda: _finish(k, op, total, result, dest, out_ivs),
        )

    k.per_block(k.product(out_dims), output)
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest)), 1))


def _per_thread(
    host: HostBuilder,
    op: tg.ReduceOp,
    dest: SSAValue,
    side: Side,
    result: SSAValue,
    axes: list[int],
) -> None:
    k = host.new_kernel("reduce_columns")
    combine = REDUCE_COMBINERS[type(op)]
    rank = len(static_shape(op.input.type))
    in_dims = k.dims(op.input)
    out_static = static_shape(result.type)
    out_dims = k.buffer_dims(dest, out_static)

    def output(o: SSAValue) -> None:
        out_ivs = k.start_element(o, out_dims, out_static)

        def step(red_ivs: list[SSAValue], acc: list[SSAValue]) -> list[SSAValue]:
            ivs = _merge(rank, axes, out_ivs, red_ivs)
            _store_side(k, side, ivs)
            return [combine(k, acc[0], k.scalar(op.input, ivs))]

        (total,) = nested_loops(k, [in_dims[a] for a in axes], [_identity(k, op)], step)
        _finish(k, op, total, result, dest, out_ivs)

    k.grid_stride(k.c0, k.product(out_dims), output)
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest))))


def nested_loops(
    k: KernelBuilder,
    bounds: Sequence[SSAValue],
    inits: list[SSAValue],
    step: Callable[[list[SSAValue], list[SSAValue]], list[SSAValue]],
) -> list[SSAValue]:
    """Sequential loops over [0, bound) each carrying values: carried = step(ivs,
    carried) innermost."""
    ivs: list[SSAValue] = []

    def level(depth: int, carried: list[SSAValue]) -> list[SSAValue]:
        if depth == len(bounds):
            return step(list(ivs), carried)

        def body(iv: SSAValue, inner: list[SSAValue]) -> list[SSAValue]:
            ivs.append(iv)
            out = level(depth + 1, inner)
            ivs.pop()
            return out

        return k.carried_loop(k.c0, bounds[depth], k.c1, carried, body)

    return level(0, inits)


def _every_axis(host: HostBuilder, op: tg.ReduceOp, dest: SSAValue, side: Side, result: SSAValue) -> None:
    """Two kernels: partial results of grid-strided slices, then their combination."""
    combine = REDUCE_COMBINERS[type(op)]
    elt = op.result.type.element_type
    in_static = static_shape(op.input.type)
    count = host.grid(host.numel(host.dims(op.input)), BLOCK * PER_THREAD, PARTIALS)
    partials = host.scratch(elt, count)

    k = host.new_kernel("reduce_all")
    in_dims = k.dims(op.input)
    identity = _identity(k, op)

    def step(i: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
        ivs = k.start_element(i, in_dims, in_static)
        _store_side(k, side, ivs)
        return [combine(k, acc[0], k.scalar(op.input, ivs))]

    (partial,) = k.carried_loop(k.global_thread(), k.product(in_dims), k.all_threads(), [identity], step)
    total = block_reduce(k, partial, combine, identity)
    k.when(
        k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")),
        lambda: k.store_flat(total, partials, k.block_index()),
    )
    host.launch(k, count)

    k = host.new_kernel("reduce_partials")
    identity = _identity(k, op)
    (n,) = k.buffer_dims(partials, [None])
    (partial,) = k.carried_loop(
        k.thread(),
        n,
        k.block_size(),
        [identity],
        lambda i, acc: [combine(k, acc[0], k.load_flat(partials, i))],
    )
    total = block_reduce(k, partial, combine, identity)
    k.when(
        k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")),
        lambda: _finish(k, op, total, result, dest, []),
    )
    host.launch(k, host.c1)
    host.free(partials)


# ------------------------------------------------------------------ arg reduce


def _arg_reduce(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """One thread per output element carries (best value, its position, count) over
    the reduced axes in row-major order; the first NaN wins, then the first best."""
    assert isinstance(op, tg_reduce.ArgReduceOp)
    k = host.new_kernel("arg_reduce")
    elt = op.input.type.element_type
    larger = isinstance(op, tg_reduce.ArgMaxOp)
    in_dims = k.dims(op.input)
    axes = list(op.reduced)
    rank = len(in_dims)
    out_static = static_shape(op.result.type)
    out_dims = k.buffer_dims(dest, out_static)

    def output(o: SSAValue) -> None:
        out_ivs = unravel(k, o, out_dims, out_static)
        k.kernel = _Kernel({})
        start = k.scalar_constant(_lowest(elt) if larger else _highest(elt), elt)
        zero, one = k.scalar_constant(0, i64), k.scalar_constant(1, i64)

        def step(red_ivs: list[SSAValue], carried: list[SSAValue]) -> list[SSAValue]:
            best, where, count = carried
            x = k.scalar(op.input, _merge(rank, axes, out_ivs, red_ivs))
            better = arg_better(k, x, best, larger)
            return [
                k.emit(arith.SelectOp(better, x, best)),
                k.emit(arith.SelectOp(better, count, where)),
                k.emit(arith.AddiOp(count, one)),
            ]

        _, where, _ = nested_loops(k, [in_dims[a] for a in axes], [start, zero, zero], step)
        k.store(where, dest, op.result, out_ivs)

    k.grid_stride(k.c0, k.product(out_dims), output)
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest))))


# ------------------------------------------------------------------------ scans


def _scan(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """One thread per line along the scanned axis, carrying the running value."""
    assert isinstance(op, tg_reduce.ScanOp)
    k = host.new_kernel("scan")
    total_sum = isinstance(op, tg_reduce.CumsumOp)
    elt = op.result.type.element_type
    dims = k.dims(op.input)
    static = static_shape(op.input.type)
    axis = op.axis_index
    lines = [d for a, d in enumerate(dims) if a != axis]
    line_static = [s for a, s in enumerate(static) if a != axis]
    last = k.emit(arith.SubiOp(dims[axis], k.c1))

    def line(o: SSAValue) -> None:
        rest = unravel(k, o, lines, line_static)
        k.kernel = _Kernel({})
        identity = k.scalar_constant(0 if total_sum else 1, elt)

        def step(s: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
            position = k.emit(arith.SubiOp(last, s)) if op.is_reverse else s
            ivs = rest[:axis] + [position] + rest[axis:]
            x = k.scalar(op.input, ivs)
            if is_float(elt):
                total = k.emit(arith.AddfOp(acc[0], x) if total_sum else arith.MulfOp(acc[0], x))
            else:
                total = k.emit(arith.AddiOp(acc[0], x) if total_sum else arith.MuliOp(acc[0], x))
            k.store(total, dest, op.result, ivs)
            return [total]

        k.carried_loop(k.c0, dims[axis], k.c1, [identity], step)

    k.grid_stride(k.c0, k.product(lines), line)
    sizes = host.buffer_sizes(dest)
    host.launch(k, host.grid(host.numel([d for a, d in enumerate(sizes) if a != axis])))


def _reduce(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, tg.ReduceOp)
    reduce(host, op, dest)


for _op in (tg.SumOp, tg.MaxOp, tg_reduce.MinOp, tg_reduce.ProdOp):
    GPU_MATERIALIZERS[_op] = _reduce
GPU_MATERIALIZERS[tg_reduce.ArgMaxOp] = _arg_reduce
GPU_MATERIALIZERS[tg_reduce.ArgMinOp] = _arg_reduce
GPU_MATERIALIZERS[tg_reduce.CumsumOp] = _scan
GPU_MATERIALIZERS[tg_reduce.CumprodOp] = _scan
