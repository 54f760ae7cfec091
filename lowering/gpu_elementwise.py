"""Elementwise kernels: one thread per output element (grid-stride over the flat
index), several outputs of one shape in one kernel.

Operands read at the output's own indices are read at the flat index (coalesced, no
index arithmetic); broadcast operands decompose the flat index into the indices they
need. When every buffer is read at the flat index (or is a scalar) and all have one
element size of 4 or 8 bytes, the kernel also has a 16-byte vector path (float4,
double2, ...) that it takes when every pointer is 16-byte aligned; the elements past
the last whole vector, or all of them on misaligned pointers, take the scalar path.
"""

from __future__ import annotations

from collections.abc import Sequence

from tg.dialects import tg_gpu
from tg.dialects.tensor_types import static_shape
from tg.lowering.gpu_host import HostBuilder
from tg.lowering.gpu_kernel_builder import BLOCK, KernelBuilder
from xdsl.dialects import arith
from xdsl.dialects.builtin import MemRefType
from xdsl.ir import SSAValue

VECTOR_BYTES = 16

Pairs = Sequence[tuple[SSAValue, SSAValue]]


def store_values(host: HostBuilder, pairs: Pairs) -> None:
    """dest[...] = value[...] for each (value, dest) pair: one kernel when the values
    have one shape (every element is computed before any is stored: a destination
    may be an input read at the same index)."""
    if len({static_shape(v.type) for v, _ in pairs}) != 1:
        for pair in pairs:
            store_values(host, [pair])
        return
    errors = len(host.errors)
    kernel = _build(host, pairs, 0, [])
    width = _vector_width(kernel, pairs)
    if width:
        del host.errors[errors:]  # the scalar build's checks are built again
        host.count -= 1  # and its name reused
        kernel = _build(host, pairs, width, kernel.flat_reads)
    n = host.numel(host.buffer_sizes(pairs[0][1]))
    host.launch(kernel, host.grid(n, BLOCK * max(width, 1)))


def _vector_width(scalar: KernelBuilder, pairs: Pairs) -> int:
    """Elements per vector access when the kernel can use 16-byte accesses, else 0."""
    if scalar.other_reads or not static_shape(pairs[0][0].type):
        return 0
    sizes = set()
    for b in [*scalar.flat_reads, *(d for _, d in pairs)]:
        t = b.type if isinstance(b, SSAValue) else None
        if not isinstance(t, MemRefType):
            return 0  # a constant array: read through the scalar path
        sizes.add(tg_gpu.itemsize(t.element_type))
    if len(sizes) != 1:
        return 0
    size = sizes.pop()
    return VECTOR_BYTES // size if size in (4, 8) else 0


def _build(host: HostBuilder, pairs: Pairs, width: int, reads: Sequence[object]) -> KernelBuilder:
    """The kernel; with `width`, also the vector path reading `reads` (the buffers
    the scalar path reads at the flat index)."""
    k = host.new_kernel("elementwise")
    value0, dest0 = pairs[0]
    static = static_shape(value0.type)
    dims = k.buffer_dims(dest0, static)
    n = k.product(dims)

    def element(i: SSAValue) -> tuple[list[SSAValue], list[SSAValue]]:
        ivs = k.start_element(i, dims, static)
        return [k.scalar(v, ivs) for v, _ in pairs], ivs

    def scalar_body(i: SSAValue) -> None:
        xs, ivs = element(i)
        for x, (v, d) in zip(xs, pairs):
            k.store(x, d, v, ivs)

    start = k.c0
    if width:
        memrefs = [k.device_memref(b) for b in dict.fromkeys([*reads, *(d for _, d in pairs)])]
        aligned = k.emit(tg_gpu.AlignedOp(memrefs, VECTOR_BYTES))
        w = k.index(width)
        vectors = k.emit(arith.DivUIOp(n, w))
        start = k.emit(arith.SelectOp(aligned, k.emit(arith.MuliOp(vectors, w)), k.c0))

        def vector_body(i: SSAValue) -> None:
            base = k.emit(arith.MuliOp(i, w))
            k.vector = {}
            for b in reads:
                load = tg_gpu.VectorLoadOp(k.device_memref(b), base, width)
                k.emit(load)
                k.vector[b] = list(load.results)
            lanes: list[list[SSAValue]] = []
            for lane in range(width):
                k.lane = lane
                lanes.append(element(base if lane == 0 else k.emit(arith.AddiOp(base, k.index(lane))))[0])
            k.vector = None
            for j, (_, d) in enumerate(pairs):
                k.written.add(d)
                k.emit(tg_gpu.VectorStoreOp([xs[j] for xs in lanes], k.device_memref(d), base))

        k.when(aligned, lambda: k.grid_stride(k.c0, vectors, vector_body))
    k.grid_stride(start, n, scalar_body)
    return k
