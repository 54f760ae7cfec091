"""`tg.nonzero` (boolean masks) on the GPU: the coordinates of the nonzero elements
in row-major order, as numpy's nonzero.

The input is cut into chunks of CHUNK elements, ITEMS consecutive ones per thread.
Sizing the result (a GPU_DIM_RULE) takes two kernels: one block per chunk counts
its nonzero elements, then one block turns the counts into every chunk's first
output column (an exclusive prefix sum, with the total after the last chunk),
which the host reads back as the result's size (a `memref.load`: the call waits
there). Filling the result takes a third: one block per chunk numbers its nonzero
elements with a block-wide prefix sum and writes their coordinates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tg.dialects import tg_indexing as ix
from tg.dialects.tensor_types import static_shape
from tg.lowering.convert_tg_to_loops import INDEX, _Kernel
from tg.lowering.gpu_host import GPU_DIM_RULES, GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_kernel_builder import BLOCK, KernelBuilder
from tg.lowering.gpu_reduce import block_reduce, block_scan
from tg.lowering.loops_indexing import _is_nonzero
from tg.lowering.loops_shape import unravel
from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import i1, i32, i64
from xdsl.ir import Operation, SSAValue

ITEMS = 4
"""Consecutive elements each thread reads per chunk."""
CHUNK = BLOCK * ITEMS
"""Elements one block numbers at a time."""


Item = tuple[list[SSAValue], SSAValue]
"""An element's indices, and whether it is nonzero."""


def _items(k: KernelBuilder, op: ix.NonzeroOp, chunk: SSAValue, size: SSAValue) -> list[Item]:
    """(indices, is nonzero) of the thread's elements of `chunk` (false from `size`,
    the input's element count, on)."""
    dims = k.dims(op.input)
    static = static_shape(op.input.type)
    first = k.emit(
        arith.AddiOp(
            k.emit(arith.MuliOp(chunk, k.index(CHUNK))),
            k.emit(arith.MuliOp(k.thread(), k.index(ITEMS))),
        )
    )
    items = []
    for j in range(ITEMS):
        i = first if j == 0 else k.emit(arith.AddiOp(first, k.index(j)))
        ivs = unravel(k, i, dims, static)  # index arithmetic only: harmless past the end
        k.flat = {}
        k.set_flat(ivs, i, static)
        inside = k.emit(arith.CmpiOp(i, size, "ult"))
        hit = k.choose(
            inside,
            lambda ivs=ivs: _is_nonzero(k, k.scalar(op.input, ivs)),
            lambda: k.scalar_constant(False, i1),
        )
        items.append((ivs, hit))
    k.flat = {}
    return items


def _count(k: KernelBuilder, flags: Sequence[SSAValue]) -> SSAValue:
    """How many of `flags` are true, as an i32."""
    one, zero = k.scalar_constant(1, i32), k.scalar_constant(0, i32)
    total = zero
    for flag in flags:
        bit = k.emit(arith.SelectOp(flag, one, zero))
        total = bit if total is zero else k.emit(arith.AddiOp(total, bit))
    return total


def _per_chunk(k: KernelBuilder, op: ix.NonzeroOp, body: Callable[[SSAValue, SSAValue], None]) -> None:
    """body(chunk, the input's element count) for every chunk, one block each."""
    size = k.product(k.dims(op.input))

    def chunk(c: SSAValue) -> None:
        k.kernel = _Kernel({})
        body(c, size)

    k.per_block(k.emit(arith.CeilDivUIOp(size, k.index(CHUNK))), chunk)


def _count_chunks(host: HostBuilder, op: ix.NonzeroOp, offsets: SSAValue, chunks: SSAValue) -> None:
    """offsets[c] = the number of nonzero elements in chunk c."""
    k = host.new_kernel("nonzero_count")

    def chunk(c: SSAValue, size: SSAValue) -> None:
        mine = _count(k, [hit for _, hit in _items(k, op, c, size)])
        total = block_reduce(k, mine, lambda k, a, b: k.emit(arith.AddiOp(a, b)), k.scalar_constant(0, i32))
        k.when(
            k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")),
            lambda: k.store_flat(k.emit(arith.ExtSIOp(total, i64)), offsets, c),
        )

    _per_chunk(k, op, chunk)
    host.launch(k, host.grid(chunks, 1))


def _scan_chunks(host: HostBuilder, offsets: SSAValue) -> None:
    """offsets[c] = the counts of the chunks before c; offsets[chunks] = all of them
    (one block, in place: each thread reads and writes its own elements)."""
    k = host.new_kernel("nonzero_offsets")
    (size,) = k.buffer_dims(offsets, [None])
    chunks = k.emit(arith.SubiOp(size, k.c1))
    zero = k.scalar_constant(0, i64)

    def tile(start: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
        (running,) = carried
        c = k.emit(arith.AddiOp(start, k.thread()))
        inside = k.emit(arith.CmpiOp(c, chunks, "ult"))
        count = k.choose(inside, lambda: k.load_flat(offsets, c), lambda: zero)
        before, total = block_scan(k, count)
        k.when(inside, lambda: k.store_flat(k.emit(arith.AddiOp(running, before)), offsets, c))
        return [k.emit(arith.AddiOp(running, total))]

    (total,) = k.carried_loop(k.c0, chunks, k.block_size(), [zero], tile)
    k.when(k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")), lambda: k.store_flat(total, offsets, chunks))
    host.launch(k, host.c1)


def _nonzero_dims(host: HostBuilder, op: Operation) -> list[SSAValue]:
    """(rank, the count of nonzero elements), the count read back from the device."""
    assert isinstance(op, ix.NonzeroOp)
    chunks = _host_chunks(host, op)
    offsets = host.scratch(i64, host.emit(arith.AddiOp(chunks, host.c1)))
    _count_chunks(host, op, offsets, chunks)
    _scan_chunks(host, offsets)
    total = host.emit(memref.LoadOp.get(offsets, [chunks]))
    return [host.index(len(static_shape(op.input.type))), host.emit(arith.IndexCastOp(total, INDEX))]


def _offsets_of(host: HostBuilder, op: ix.NonzeroOp) -> SSAValue:
    """The chunk offsets the op's size was read from (see _nonzero_dims)."""
    cast = host.dims(op.result)[1].owner
    assert isinstance(cast, arith.IndexCastOp) and isinstance(cast.input.owner, memref.LoadOp)
    return cast.input.owner.memref


def _nonzero(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """dest[d, j] = coordinate d of the j-th nonzero element."""
    assert isinstance(op, ix.NonzeroOp)
    offsets = _offsets_of(host, op)
    k = host.new_kernel("nonzero_write")
    rank = len(static_shape(op.input.type))
    _, columns = k.buffer_dims(dest, [rank, None])

    def chunk(c: SSAValue, size: SSAValue) -> None:
        items = _items(k, op, c, size)
        before, _ = block_scan(k, _count(k, [hit for _, hit in items]))
        start = k.emit(arith.AddiOp(k.load_flat(offsets, c), k.emit(arith.ExtSIOp(before, i64))))
        column = k.emit(arith.IndexCastOp(start, INDEX))
        for ivs, hit in items:
            k.when(hit, lambda ivs=ivs, column=column: _store_coordinates(k, dest, ivs, column, columns))
            column = k.emit(arith.AddiOp(column, k.emit(arith.SelectOp(hit, k.c1, k.c0))))

    _per_chunk(k, op, chunk)
    host.launch(k, host.grid(_host_chunks(host, op), 1))
    host.free(offsets)


def _host_chunks(host: HostBuilder, op: ix.NonzeroOp) -> SSAValue:
    return host.emit(arith.CeilDivUIOp(host.numel(host.dims(op.input)), host.index(CHUNK)))


def _store_coordinates(
    k: KernelBuilder, dest: SSAValue, ivs: Sequence[SSAValue], column: SSAValue, columns: SSAValue
) -> None:
    """dest[d, column] = ivs[d] (dest has `columns` columns)."""
    for d, iv in enumerate(ivs):
        row = column if d == 0 else k.emit(arith.AddiOp(k.emit(arith.MuliOp(k.index(d), columns)), column))
        k.store_flat(k.emit(arith.IndexCastOp(iv, i64)), dest, row)


GPU_DIM_RULES[ix.NonzeroOp] = _nonzero_dims
GPU_MATERIALIZERS[ix.NonzeroOp] = _nonzero
