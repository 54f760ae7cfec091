"""The fallback GEMM kernels `tg_gemm_f32` and `tg_gemm_f64` (run for tg_gpu.gemm when
cuBLAS is not installed), built as gpu.funcs like every other kernel.

    tg_gemm_<t>(A, B, C, alpha, beta, m, n, k, lda, ldb, ldc, trans_a, trans_b)

computes C = alpha op(A) @ op(B) + beta C on row-major matrices (C is not read when
beta == 0), with pointers A, B, C, alpha, beta, `long long` sizes and leading
dimensions, and `int` transpose flags. One block of 256 threads computes a
`rows x cols` tile of C (`tg_gpu.gemm_tile`): per step of 8 along k it stages the
A and B tiles in shared memory (zero beyond the edges), then each thread updates its
register block of accumulators (8 x 8 for float32, 4 x 4 for float64: one fused
multiply-add per element pair, unrolled). Launch: grid (ceil(n / cols), ceil(m /
rows), 1), block (256, 1, 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from tg.dialects import tg_gpu
from tg.lowering.convert_tg_to_loops import INDEX
from tg.lowering.gpu_host import HostBuilder
from tg.lowering.gpu_kernel_builder import KernelBuilder, flat_memref
from xdsl.dialects import arith, gpu, memref
from xdsl.dialects.builtin import (
    DenseArrayBase,
    Float32Type,
    Float64Type,
    MemRefType,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, SSAValue

THREADS = 256


@dataclass(frozen=True)
class Tiling:
    rows: int  # of C per block
    cols: int
    depth: int  # along k per shared-memory stage
    per_thread: int  # rows (and cols) of C per thread

    @property
    def across(self) -> int:
        """Threads along a row of the tile."""
        return self.cols // self.per_thread


TILINGS: dict[str, Tiling] = {
    "f32": Tiling(128, 128, 8, 8),
    "f64": Tiling(64, 64, 8, 4),
}


def gemm_kernel_name(element: Attribute) -> str:
    return "tg_gemm_f32" if isinstance(element, Float32Type) else "tg_gemm_f64"


def gemm_kernel(host: HostBuilder, element: Attribute) -> gpu.FuncOp:
    """The fallback GEMM kernel for float32 or float64."""
    assert isinstance(element, Float32Type | Float64Type)
    t = TILINGS["f32" if element == f32 else "f64"]
    k = KernelBuilder(host, gemm_kernel_name(element))
    k.waits_for_status = False
    k.fixed_signature = True
    a, b, c, alpha, beta = (k.param(flat_memref(element), None) for _ in range(5))
    m, n, depth, lda, ldb, ldc = (k.param(INDEX, None) for _ in range(6))
    trans_a, trans_b = (k.param(i32, None) for _ in range(2))
    k.launch_args = []
    a_tile = k.emit(tg_gpu.SharedArrayOp(MemRefType(element, [t.depth, t.rows])))
    b_tile = k.emit(tg_gpu.SharedArrayOp(MemRefType(element, [t.depth, t.cols])))
    zero = k.scalar_constant(0.0, element)
    zero32 = k.emit(arith.ConstantOp.from_int_and_width(0, i32))
    a_t = k.emit(arith.CmpiOp(trans_a, zero32, "ne"))
    b_t = k.emit(arith.CmpiOp(trans_b, zero32, "ne"))
    tid = k.thread()
    tx = k.emit(arith.RemUIOp(tid, k.index(t.across)))
    ty = k.emit(arith.DivUIOp(tid, k.index(t.across)))
    row0 = k.emit(arith.MuliOp(k._id(gpu.BlockIdOp, "y"), k.index(t.rows)))
    col0 = k.emit(arith.MuliOp(k.block_index(), k.index(t.cols)))
    my_rows = k.emit(arith.MuliOp(ty, k.index(t.per_thread)))
    my_cols = k.emit(arith.MuliOp(tx, k.index(t.per_thread)))
    stages = k.emit(arith.CeilDivUIOp(depth, k.index(t.depth)))

    def both(x: SSAValue, y: SSAValue) -> SSAValue:
        return k.emit(arith.AndIOp(x, y))

    def below(x: SSAValue, bound: SSAValue) -> SSAValue:
        return k.emit(arith.CmpiOp(x, bound, "ult"))

    def at(row: SSAValue, col: SSAValue, ld: SSAValue) -> SSAValue:
        return k.emit(arith.AddiOp(k.emit(arith.MuliOp(row, ld)), col))

    def stage_tile(k0: SSAValue, source: SSAValue, tile: SSAValue, span: int, origin: SSAValue, bound: SSAValue,
                   ld: SSAValue, transposed: SSAValue, k_major: bool) -> None:  # fmt: skip
        """tile[kk][r] = op(source)[origin + r, k0 + kk] (A) or [k0 + kk, origin + r]
        (B), zero outside the matrix."""
        for e in range(span * t.depth // THREADS):
            flat = tid if e == 0 else k.emit(arith.AddiOp(tid, k.index(e * THREADS)))
            if k_major:  # B: consecutive threads take consecutive columns
                kk, r = (
                    k.emit(arith.DivUIOp(flat, k.index(span))),
                    k.emit(arith.RemUIOp(flat, k.index(span))),
                )
            else:  # A: consecutive threads walk a row of A along k
                r, kk = (
                    k.emit(arith.DivUIOp(flat, k.index(t.depth))),
                    k.emit(arith.RemUIOp(flat, k.index(t.depth))),
                )
            g, gk = k.emit(arith.AddiOp(origin, r)), k.emit(arith.AddiOp(k0, kk))
            inside = both(below(g, bound), below(gk, depth))
            if k_major:  # B is k x n: element (gk, g)
                index = k.emit(arith.SelectOp(transposed, at(g, gk, ld), at(gk, g, ld)))
            else:  # A is m x k: element (g, gk)
                index = k.emit(arith.SelectOp(transposed, at(gk, g, ld), at(g, gk, ld)))
            value = k.choose(inside, lambda index=index: k.emit(memref.LoadOp.get(source, [index])), lambda: zero)
            k.emit(memref.StoreOp.get(value, tile, [kk, r]))

    def stage(s: SSAValue, accumulators: list[SSAValue]) -> list[SSAValue]:
        k0 = k.emit(arith.MuliOp(s, k.index(t.depth)))
        stage_tile(k0, a, a_tile, t.rows, row0, m, lda, a_t, k_major=False)
        stage_tile(k0, b, b_tile, t.cols, col0, n, ldb, b_t, k_major=True)
        k.barrier()
        acc = list(accumulators)
        for kk in range(t.depth):
            kv = k.index(kk)
            xs = [
                k.emit(memref.LoadOp.get(a_tile, [kv, k.emit(arith.AddiOp(my_rows, k.index(i)))]))
                for i in range(t.per_thread)
            ]
            ys = [
                k.emit(memref.LoadOp.get(b_tile, [kv, k.emit(arith.AddiOp(my_cols, k.index(j)))]))
                for j in range(t.per_thread)
            ]
            for i, x in enumerate(xs):
                for j, y in enumerate(ys):
                    p = i * t.per_thread + j
                    acc[p] = k.emit(arith.AddfOp(acc[p], k.emit(arith.MulfOp(x, y))))
        k.barrier()
        return acc

    acc = k.carried_loop(k.c0, stages, k.c1, [zero] * (t.per_thread**2), stage)
    scale = k.emit(memref.LoadOp.get(alpha, [k.c0]))
    keep = k.emit(memref.LoadOp.get(beta, [k.c0]))
    reads_c = k.emit(arith.CmpfOp(keep, zero, "une"))
    for i in range(t.per_thread):
        row = k.emit(arith.AddiOp(k.emit(arith.AddiOp(row0, my_rows)), k.index(i)))
        for j in range(t.per_thread):
            col = k.emit(arith.AddiOp(k.emit(arith.AddiOp(col0, my_cols)), k.index(j)))
            product = k.emit(arith.MulfOp(scale, acc[i * t.per_thread + j]))

            def write(row: SSAValue = row, col: SSAValue = col, product: SSAValue = product) -> None:
                index = at(row, col, ldc)
                old = lambda: k.emit(arith.MulfOp(keep, k.emit(memref.LoadOp.get(c, [index]))))
                value = k.emit(arith.AddfOp(product, k.choose(reads_c, old, lambda: zero)))
                k.emit(memref.StoreOp.get(value, c, [index]))

            k.when(both(below(row, m), below(col, n)), write)
    function = k.finish()
    function.attributes[tg_gpu.GEMM_TILE] = DenseArrayBase.from_list(i64, [t.rows, t.cols])
    function.attributes["gpu.known_block_size"] = DenseArrayBase.from_list(i32, [THREADS, 1, 1])
    return function
