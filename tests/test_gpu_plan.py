"""The launch plan of a gpu-level module, without a GPU: grids, blocks, sizes and
scalar arguments per argument shape (edge sizes included), GEMM and copy steps; then
a whole call through `GpuStageCode` against the mock driver (launch order, the bytes
of every argument, the status turned into the CPU path's exception).

The modules are hand-written gpu-level IR (built with xDSL's builders) with
hand-written CUDA for their kernels, so these tests need neither the gpu lowering
nor the CUDA printer."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from gpu_testutil import MOCK_LAUNCH_LOG, run_mock
from tg.dialects.tg_gpu import GEMM_TILE, BatchedGemmOp, GemmOp
from tg.runtime.gpu_plan import (
    ConcreteAlloc,
    ConcreteCopy,
    ConcreteDealloc,
    ConcreteGemm,
    ConcreteLaunch,
    arena_layout,
    build_plan,
)
from xdsl.builder import Builder
from xdsl.dialects import arith, func, gpu, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    FunctionType,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    UnitAttr,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint

INDEX = IndexType()
DYN = DYNAMIC_INDEX


def memref_t(rank: int, element: Attribute = f32) -> MemRefType:
    return MemRefType(element, [DYN] * rank)


def kernel(name: str, inputs: Sequence[Attribute], block: Sequence[int] | None = None, **attributes: Attribute) -> gpu.FuncOp:
    body = Region(Block([gpu.ReturnOp([])], arg_types=inputs))
    op = gpu.FuncOp(name, (inputs, []), body, kernel=True, known_block_size=block)
    op.attributes.update(attributes)
    return op


def module(
    kernels: Sequence[gpu.FuncOp],
    args: Sequence[Attribute],
    body: Callable[[Builder, list[SSAValue]], None],
    **attributes: Attribute,
) -> ModuleOp:
    """A gpu-level module: `kernels` in gpu.module @kernels, and @main(args) built by `body`."""
    block = Block(arg_types=args)
    builder = Builder(InsertPoint.at_end(block))
    body(builder, list(block.args))
    builder.insert(func.ReturnOp())
    main = func.FuncOp("main", FunctionType.from_lists(args, []), Region(block))
    main.attributes.update(attributes)
    kernels_module = gpu.ModuleOp(StringAttr("kernels"), Region(Block(list(kernels))))  # type: ignore[arg-type]
    result = ModuleOp([kernels_module, main])
    result.attributes["gpu.container_module"] = UnitAttr()
    result.verify()
    return result


def const(b: Builder, value: int, t: Attribute = INDEX) -> SSAValue:
    return b.insert(arith.ConstantOp(IntegerAttr(value, t))).result


def dim(b: Builder, m: SSAValue, i: int) -> SSAValue:
    return b.insert(memref.DimOp(m, const(b, i))).result


def launch(b: Builder, name: str, grid: Sequence[SSAValue], block: Sequence[SSAValue], args: Sequence[SSAValue], smem: SSAValue | None = None) -> None:
    b.insert(gpu.LaunchFuncOp(SymbolRefAttr("kernels", [name]), grid, block, None, args, dynamicSharedMemorySize=smem))


# --------------------------------------------------------------- an elementwise + row module

ERRORS = ArrayAttr([StringAttr("IndexError|index 7 is out of bounds"), StringAttr("ValueError|shapes differ")])


def elementwise_module() -> ModuleOp:
    """ew over all n = rows*cols elements into a temporary, then `rows` (one block per
    row, 32 or 256 threads by row length, 1 KB dynamic smem) from it into out."""
    flat = memref_t(1)
    kernels = [
        kernel("ew", [flat, flat, INDEX], [256, 1, 1]),
        kernel("rows", [flat, flat, INDEX, INDEX, f32, i32]),
    ]

    def body(b: Builder, args: list[SSAValue]) -> None:
        x, out, _status = args
        rows, cols = dim(b, x, 0), dim(b, x, 1)
        n = b.insert(arith.MuliOp(rows, cols)).result
        c1, c256, c32 = const(b, 1), const(b, 256), const(b, 32)
        grid = b.insert(arith.CeilDivUIOp(n, c256)).result
        tmp = b.insert(gpu.AllocOp(memref_t(2), [rows, cols])).result
        launch(b, "ew", [grid, c1, c1], [c256, c1, c1], [x, tmp, n])
        small = b.insert(arith.CmpiOp(cols, c32, "ult")).result
        threads = b.insert(arith.SelectOp(small, c32, c256)).result
        scale = b.insert(arith.ConstantOp(FloatAttr(2.5, f32))).result
        flag = const(b, -7, i32)
        smem = const(b, 1024, i32)
        launch(b, "rows", [c1, rows, c1], [threads, c1, c1], [tmp, out, rows, cols, scale, flag], smem)
        b.insert(gpu.DeallocOp(tmp))

    return module(kernels, [memref_t(2), memref_t(2), MemRefType(i32, [])], body, **{"tg.errors": ERRORS})


@pytest.mark.parametrize("rows, cols", [(0, 5), (1, 1), (1, 255), (1, 256), (1, 257), (3, 100), (4096, 1 << 15)])
def test_elementwise_grid_per_shape(rows: int, cols: int) -> None:
    plan = build_plan(elementwise_module())
    assert plan.errors == ["IndexError|index 7 is out of bounds", "ValueError|shapes differ"] and plan.inplace == {}
    concrete = plan.concrete([(rows, cols), (rows, cols), ()])
    n = rows * cols
    kinds = [type(s) for s in concrete.steps]
    launches = concrete.launches
    if n == 0:  # nothing to launch; the buffer still comes and goes
        assert kinds == [ConcreteAlloc, ConcreteDealloc] and launches == []
        return
    assert kinds == [ConcreteAlloc, ConcreteLaunch, ConcreteLaunch, ConcreteDealloc]
    alloc = concrete.steps[0]
    assert isinstance(alloc, ConcreteAlloc) and alloc.shape == (rows, cols) and alloc.nbytes == 4 * n
    ew, row = launches
    assert ew.kernel == "ew" and ew.grid == (-(-n // 256), 1, 1) and ew.block == (256, 1, 1) and ew.shared == 0
    assert ew.values == (None, None, n) and ew.ctypes == (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_longlong)
    assert ew.buffers == ((0, plan.arguments[0].slot), (1, alloc.slot))
    assert row.grid == (1, rows, 1) and row.block == ((32 if cols < 32 else 256), 1, 1) and row.shared == 1024
    assert row.values == (None, None, rows, cols, 2.5, -7)
    assert row.ctypes[4:] == (ctypes.c_float, ctypes.c_int32)
    assert row.buffers == ((0, alloc.slot), (1, plan.arguments[1].slot))


def test_grid_limits_and_shape_checks() -> None:
    plan = build_plan(elementwise_module())
    with pytest.raises(ValueError, match="exceeds the device's limits"):
        plan.concrete([(70000, 2), (70000, 2), ()])  # rows is grid.y: at most 65535
    with pytest.raises(ValueError, match="3 shapes for 3|shape"):
        plan.concrete([(2, 2, 2), (2, 2), ()])
    big = plan.concrete([(65535, 1 << 16), (65535, 1 << 16), ()]).launches[0]
    assert big.grid == ((65535 << 16) // 256, 1, 1)


def test_launch_bounds_are_respected() -> None:
    """A kernel compiled with __launch_bounds__(128) cannot be launched with 256
    threads on a device (CUDA_ERROR_INVALID_VALUE): the plan refuses it first."""
    from tg.dialects.tg_gpu import LAUNCH_BOUNDS

    source = elementwise_module()
    rows = next(op for op in source.walk() if isinstance(op, gpu.FuncOp) and op.sym_name.data == "rows")
    rows.attributes[LAUNCH_BOUNDS] = IntegerAttr(128, i64)
    plan = build_plan(source)
    assert plan.kernels["rows"].max_threads == 128 and plan.kernels["ew"].max_threads is None
    assert plan.concrete([(3, 20), (3, 20), ()]).launches[1].block == (32, 1, 1)  # 32 threads: fine
    with pytest.raises(ValueError, match="launch bounds"):
        plan.concrete([(3, 100), (3, 100), ()])  # 256 threads


def test_index_arithmetic_semantics() -> None:
    """Signed division truncates toward zero, remainders take the dividend's sign,
    ceildiv/floordiv round their way, unsigned compares see 2^64 - 1 for -1."""
    flat = memref_t(1)
    ops = ["divsi", "remsi", "floordivsi", "ceildivsi", "divui", "remui", "maxsi", "minui"]
    kernels = [kernel("k", [flat] + [INDEX] * (len(ops) + 2))]

    def body(b: Builder, args: list[SSAValue]) -> None:
        x, _ = args
        n = dim(b, x, 0)  # 7
        minus = b.insert(arith.SubiOp(const(b, 0), n)).result  # -7
        two = const(b, 2)
        values = [
            b.insert(arith.DivSIOp(minus, two)).result,
            b.insert(arith.RemSIOp(minus, two)).result,
            b.insert(arith.FloorDivSIOp(minus, two)).result,
            b.insert(arith.CeilDivSIOp(minus, two)).result,
            b.insert(arith.DivUIOp(n, two)).result,
            b.insert(arith.RemUIOp(n, const(b, 0))).result,  # by zero: 0
            b.insert(arith.MaxSIOp(minus, two)).result,
            b.insert(arith.MinUIOp(minus, two)).result,  # -1 is huge unsigned
        ]
        unsigned = b.insert(arith.CmpiOp(minus, two, "ugt")).result
        signed = b.insert(arith.CmpiOp(minus, two, "sgt")).result
        values += [b.insert(arith.SelectOp(c, const(b, 1), const(b, 0))).result for c in (unsigned, signed)]
        c1 = const(b, 1)
        launch(b, "k", [c1, c1, c1], [c1, c1, c1], [x, *values])

    plan = build_plan(module(kernels, [flat, MemRefType(i32, [])], body))
    (step,) = plan.concrete([(7,), ()]).launches
    assert step.values[1:] == (-3, -1, -4, -3, 3, 0, 2, 2, 1, 0)


def reading_module() -> ModuleOp:
    """A size computed on the device: ew writes into x, then the host reads n from
    the 0-d buffer `count` and launches ew over n elements of a fresh buffer."""
    flat = memref_t(1)

    def body(b: Builder, args: list[SSAValue]) -> None:
        count, x, _status = args
        c1, c256 = const(b, 1), const(b, 256)
        m = dim(b, x, 0)
        launch(b, "ew", [c1, c1, c1], [c256, c1, c1], [x, x, m])
        n = b.insert(memref.LoadOp.get(count, [])).res
        n_index = b.insert(arith.IndexCastOp(n, INDEX)).result
        tmp = b.insert(gpu.AllocOp(memref_t(1), [n_index])).result
        grid = b.insert(arith.CeilDivUIOp(n_index, c256)).result
        launch(b, "ew", [grid, c1, c1], [c256, c1, c1], [tmp, tmp, n_index])
        b.insert(gpu.DeallocOp(tmp))

    return module([kernel("ew", [flat, flat, INDEX], [256, 1, 1])], [MemRefType(i64, []), flat, MemRefType(i32, [])], body)


def test_sizes_read_from_the_device() -> None:
    plan = build_plan(reading_module())
    assert plan.reads_device
    with pytest.raises(ValueError, match="reads sizes from device memory"):
        plan.concrete([(), (10,), ()])
    reads = []

    def read(slot, offset, dtype, steps):  # type: ignore[no-untyped-def]
        reads.append((slot, offset, str(dtype), [type(s).__name__ for s in steps]))
        return 600

    concrete = plan.concrete([(), (10,), ()], read=read)
    assert reads == [(plan.arguments[0].slot, 0, "int64", ["ConcreteLaunch"])]  # the first launch runs before the read
    first, second = concrete.launches
    assert first.grid == (1, 1, 1) and second.grid == (3, 1, 1) and second.values[2] == 600


def gemm_op(kind: type[Operation], **operands: SSAValue) -> Operation:
    """A tg_gpu.gemm/batched_gemm with trans_b, operands given by name (in whatever
    order the op definition declares them)."""
    names = [name for name, _ in kind.get_irdl_definition().operands]  # type: ignore[attr-defined]
    return kind.create(operands=[operands[n] for n in names], attributes={"trans_b": UnitAttr()})


def gemm_module(batched: bool = False) -> ModuleOp:
    """C = A @ B^T with alpha/beta device scalars, C then copied to out."""
    rank = 3 if batched else 2
    kernels = [
        kernel("tg_gemm_f32", [memref_t(1)] * 5 + [INDEX] * 6 + [i32, i32], [16, 16, 1], **{GEMM_TILE: DenseArrayBase.from_list(i64, [64, 32])}),
    ]

    def body(b: Builder, args: list[SSAValue]) -> None:
        a, bm, alpha, beta, out, _status = args
        m, k = dim(b, a, rank - 2), dim(b, a, rank - 1)
        n = dim(b, bm, rank - 2)
        dims = [dim(b, a, 0), m, n] if batched else [m, n]
        c = b.insert(gpu.AllocOp(memref_t(rank), dims)).result
        if batched:
            count = dims[0]
            sa = b.insert(arith.MuliOp(m, k)).result
            sb = b.insert(arith.MuliOp(n, k)).result
            sc = b.insert(arith.MuliOp(m, n)).result
            named = {"count": count, "stride_a": sa, "stride_b": sb, "stride_c": sc}
            b.insert(gemm_op(BatchedGemmOp, a=a, b=bm, c=c, alpha=alpha, beta=beta, m=m, n=n, k=k, lda=k, ldb=k, ldc=n, **named))
        else:
            b.insert(gemm_op(GemmOp, a=a, b=bm, c=c, alpha=alpha, beta=beta, m=m, n=n, k=k, lda=k, ldb=k, ldc=n))
        b.insert(memref.CopyOp(c, out))
        b.insert(gpu.DeallocOp(c))

    scalar = MemRefType(f32, [])
    return module(kernels, [memref_t(rank), memref_t(rank), scalar, scalar, memref_t(rank), MemRefType(i32, [])], body)


def test_gemm_and_copy_steps() -> None:
    plan = build_plan(gemm_module())
    concrete = plan.concrete([(5, 3), (7, 3), (), (), (5, 7), ()])
    kinds = [type(s) for s in concrete.steps]
    assert kinds == [ConcreteAlloc, ConcreteGemm, ConcreteCopy, ConcreteDealloc]
    gemm = concrete.steps[1]
    assert isinstance(gemm, ConcreteGemm)
    assert (gemm.m, gemm.n, gemm.k, gemm.lda, gemm.ldb, gemm.ldc) == (5, 7, 3, 3, 3, 7)
    assert (gemm.trans_a, gemm.trans_b, gemm.count, str(gemm.dtype)) == (False, True, 1, "float32")
    copy = concrete.steps[2]
    assert isinstance(copy, ConcreteCopy) and copy.nbytes == 5 * 7 * 4
    assert plan.kernels["tg_gemm_f32"].gemm_tile == (64, 32) and plan.kernels["tg_gemm_f32"].block_size == (16, 16, 1)
    empty = plan.concrete([(0, 3), (7, 3), (), (), (0, 7), ()])
    assert [type(s) for s in empty.steps] == [ConcreteAlloc, ConcreteDealloc]  # no GEMM, no copy


def test_batched_gemm_step() -> None:
    plan = build_plan(gemm_module(batched=True))
    concrete = plan.concrete([(4, 5, 3), (4, 7, 3), (), (), (4, 5, 7), ()])
    gemm = next(s for s in concrete.steps if isinstance(s, ConcreteGemm))
    assert (gemm.count, gemm.m, gemm.n, gemm.k, gemm.strides) == (4, 5, 7, 3, (15, 21, 35))


def test_arena_layout_reuses_freed_blocks() -> None:
    def alloc(slot: int, nbytes: int) -> ConcreteAlloc:
        return ConcreteAlloc(slot, (nbytes,), np.dtype(np.uint8))

    steps = [
        alloc(1, 1000),  # [0, 1024)
        alloc(2, 100),  # [1024, 1536)
        alloc(3, 5000),  # [1536, 6656)
        ConcreteDealloc(1),
        ConcreteDealloc(2),  # merged with 1: [0, 1536) free
        alloc(4, 1500),  # fits the merged block
        alloc(5, 0),  # an empty buffer still gets its own 512 bytes
        ConcreteDealloc(3),
        alloc(6, 6000),  # [1536, 6656) is too small: on top
    ]
    offsets, size = arena_layout(steps)
    assert offsets == {1: 0, 2: 1024, 3: 1536, 4: 0, 5: 6656, 6: 7168}
    assert size == 7168 + 6144 and all(o % 512 == 0 for o in offsets.values())
    assert arena_layout([]) == ({}, 0)


def test_unsupported_host_op_is_named() -> None:
    def body(b: Builder, args: list[SSAValue]) -> None:
        b.insert(memref.AllocOp([], [], MemRefType(f32, [4])))

    with pytest.raises(ValueError, match="cannot run memref.alloc"):
        build_plan(module([], [MemRefType(i32, [])], body))


# --------------------------------------------------------------- a whole call on the mock driver

SOURCE = r"""
extern "C" __global__ void ew(const float* __restrict__ x, float* __restrict__ y, long long n) {}
extern "C" __global__ void rows(const float* __restrict__ x, float* __restrict__ y, long long r, long long c, float s, int flag) {}
extern "C" __global__ void tg_gemm_f32(const float* a, const float* b, float* c, const float* alpha, const float* beta,
    long long m, long long n, long long k, long long lda, long long ldb, long long ldc, int ta, int tb) {}
"""

RUN_PRELUDE = """
import ctypes, struct, numpy as np
from tg.runtime.cuda_device import get_device
from tg.runtime.cuda_driver import DeviceArray
from tg.runtime.gpu_stage import GpuStageCode
import test_gpu_plan as t
""" + MOCK_LAUNCH_LOG + """
for name, count in ((b"ew", 3), (b"rows", 6), (b"tg_gemm_f32", 13)):
    mock.mock_set_kernel_nparams(name, count)
def launches():
    return [mock.mock_launch(i).contents for i in range(mock.mock_launch_count())]
device = get_device()
"""


def run_on_mock(mock_libcuda, code: str) -> str:  # type: ignore[no-untyped-def]
    import os

    tests = os.path.dirname(__file__)
    return run_mock(mock_libcuda, code, f"import sys; sys.path.insert(0, {tests!r})\n" + RUN_PRELUDE)


@pytest.mark.mockcuda
@pytest.mark.nvrtc
def test_call_on_the_mock_driver(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run_on_mock(
        mock_libcuda,
        f"""
        stage = GpuStageCode(t.elementwise_module(), device, source={SOURCE!r}, use_cublas=False)
        x = np.arange(600, dtype=np.float32).reshape(3, 200)
        for call in range(2):  # the second call reuses the memoized plan and the pooled temporary
            mock.mock_reset()
            (out,) = stage.run([x], [(3, 200)])
            assert isinstance(out, DeviceArray) and out.shape == (3, 200) and out.dtype == np.float32
            ew, row = launches()
            assert (ew.name, tuple(ew.grid), tuple(ew.block), ew.smem) == (b"ew", (3, 1, 1), (256, 1, 1), 0)
            assert ew.stream == int(device.stream)
            assert (row.name, tuple(row.grid), tuple(row.block), row.smem) == (b"rows", (1, 3, 1), (256, 1, 1), 1024)
            temporary = ew.params[1]
            assert ew.params[2] == 600 and row.params[0] == temporary and row.params[1] == out.ptr
            assert row.params[2:4] == [3, 200]
            assert struct.unpack("<f", struct.pack("<I", row.params[4] & 0xFFFFFFFF))[0] == 2.5
            assert struct.unpack("<i", struct.pack("<I", row.params[5] & 0xFFFFFFFF))[0] == -7
            if call == 0:
                first_temporary = temporary
            else:  # the output's block came back to the device's pool when out was dropped
                assert temporary == first_temporary and mock.mock_allocations() == 0
            del out
        assert len(stage._memo) == 1

        mock.mock_reset()
        stage.run([np.zeros((30, 200), np.float32)], [(30, 200)])  # a larger temporary: the arena grows
        grown = launches()[0].params[1]
        assert grown == stage.arena.ptr and mock.mock_allocations() >= 1
        mock.mock_reset()
        stage.run([x], [(3, 200)])  # the first shape's prepared launches now point into the new arena
        assert launches()[0].params[1] == grown == launches()[1].params[0]
        assert len(stage._memo) == 2

        mock.mock_reset()
        (out,) = stage.run([np.zeros((0, 4), np.float32)], [(0, 4)])
        assert launches() == [] and out.shape == (0, 4)  # nothing to launch

        mock.mock_reset()
        from tg.runtime.cuda_driver import DeviceBuffer

        class Reporting(DeviceBuffer):  # its "zeroing" leaves a kernel's error code in it
            code = 1
            def zero(self, stream=None):
                self.fill32(self.code, 1, stream)

        real_status = stage.status
        stage.status = Reporting(real_status.ptr, 4)
        try:
            stage.run([x], [(3, 200)])
            raise AssertionError("no error")
        except IndexError as e:
            assert str(e) == "index 7 is out of bounds"
        Reporting.code = 9
        try:
            stage.run([x], [(3, 200)])
            raise AssertionError("no error")
        except RuntimeError as e:
            assert "error 9" in str(e)
        stage.status = real_status
        stage.run([x], [(3, 200)])
        """,
    )


@pytest.mark.mockcuda
@pytest.mark.nvrtc
def test_gemm_fallback_kernel_on_the_mock_driver(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run_on_mock(
        mock_libcuda,
        f"""
        stage = GpuStageCode(t.gemm_module(), device, source={SOURCE!r}, use_cublas=False)
        a = DeviceArray.from_host(np.ones((100, 3), np.float32))
        b = DeviceArray.from_host(np.ones((70, 3), np.float32))
        alpha, beta = (DeviceArray.from_host(np.array(v, np.float32)) for v in (1.0, 0.0))
        out = DeviceArray.empty((100, 70), np.float32)
        mock.mock_reset()
        stage([a, b, alpha, beta, out])
        (g,) = launches()
        assert g.name == b"tg_gemm_f32" and tuple(g.grid) == (3, 2, 1) and tuple(g.block) == (16, 16, 1)
        assert g.params[0] == a.ptr and g.params[1] == b.ptr and g.params[3] == alpha.ptr and g.params[4] == beta.ptr
        assert g.params[5:11] == [100, 70, 3, 3, 3, 70]
        assert [p & 0xFFFFFFFF for p in g.params[11:13]] == [0, 1]
        assert mock.mock_bytes(2) == 100 * 70 * 4  # the copy into out

        batched = GpuStageCode(t.gemm_module(batched=True), device, source={SOURCE!r}, use_cublas=False)
        a3 = DeviceArray.from_host(np.ones((2, 5, 3), np.float32))
        b3 = DeviceArray.from_host(np.ones((2, 7, 3), np.float32))
        out3 = DeviceArray.empty((2, 5, 7), np.float32)
        mock.mock_reset()
        batched([a3, b3, alpha, beta, out3])
        first, second = launches()
        assert second.params[0] - first.params[0] == 15 * 4 and second.params[1] - first.params[1] == 21 * 4
        assert second.params[2] - first.params[2] == 35 * 4

        import tg.runtime.gpu_stage as gpu_stage  # more row tiles than grid.y takes: row bands
        gpu_stage.MAX_GRID_YZ = 3  # bands of 3 row tiles
        rows, ldc = 1000, 70
        tall = GpuStageCode(t.gemm_module(), device, source={SOURCE!r}, use_cublas=False)
        a = DeviceArray.from_host(np.ones((rows, 3), np.float32))
        out = DeviceArray.empty((rows, ldc), np.float32)
        mock.mock_reset()
        tall([a, b, alpha, beta, out])
        bands = launches()
        band = bands[0].params[5]
        starts = list(range(0, rows, band))
        assert len(bands) == len(starts) > 1 and band % 3 == 0 and all(tuple(g.grid)[1] == 3 for g in bands[:-1])
        assert [g.params[5] for g in bands] == [min(band, rows - r) for r in starts]
        assert [g.params[0] - a.ptr for g in bands] == [r * 3 * 4 for r in starts]
        assert [g.params[2] - bands[0].params[2] for g in bands] == [r * ldc * 4 for r in starts]
        assert all(g.params[1] == b.ptr for g in bands)
        """,
    )


@pytest.mark.mockcuda
@pytest.mark.nvrtc
def test_device_read_sizes_on_the_mock_driver(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run_on_mock(
        mock_libcuda,
        f"""
        stage = GpuStageCode(t.reading_module(), device, source={SOURCE!r}, use_cublas=False)
        count = DeviceArray.from_host(np.array(1000, np.int64))
        x = DeviceArray.from_host(np.zeros(10, np.float32))
        for n in (1000, 3):
            count.set(np.array(n, np.int64))
            mock.mock_reset()
            stage([count, x])
            first, second = launches()
            assert tuple(first.grid) == (1, 1, 1) and first.params[2] == 10
            assert tuple(second.grid) == (-(-n // 256), 1, 1) and second.params[2] == n
        assert stage._memo == {{}}  # evaluated per call
        """,
    )


@pytest.mark.mockcuda
def test_cublas_not_installed_is_reported(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    code = """
import cuda.pathfinder as pathfinder
def missing(name):
    raise RuntimeError(f"Failure finding {name}: not installed (test)")
pathfinder.load_nvidia_dynamic_lib = missing
import ctypes
real = ctypes.CDLL
class Blocked:
    def __new__(cls, name, *a, **k):
        if "cublas" in str(name):
            raise OSError(f"{name}: cannot open shared object file")
        return real(name, *a, **k)
ctypes.CDLL = Blocked
from tg.runtime import cublas
assert cublas.available() is False
why = cublas.unavailable_reason()
assert "cuBLAS is not installed" in why and "nvidia-cublas" in why, why
try:
    cublas.CublasHandle(0)
    raise AssertionError("no error")
except cublas.CublasError as e:
    assert "nvidia-cublas" in str(e)
print("ok")
"""
    assert run_mock(mock_libcuda, code).strip() == "ok"


class _FakeCublas:
    """Stands in for libcublas: records each call and checks the leading dimensions
    the way cuBLAS does (column-major: lda >= max(1, rows of op's stored matrix))."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., int]:
        def call(*args: object) -> int:
            self.calls.append((name, args))
            if "gemm" in name:
                _h, ta, tb, m, n, k, _alpha, _a, lda, *rest = args
                ldb, ldc = (rest[1], rest[4]) if "Strided" not in name else (rest[2], rest[6])
                need_a = m if ta == 0 else k
                need_b = k if tb == 0 else n
                if lda < max(1, need_a) or ldb < max(1, need_b) or ldc < max(1, m):  # type: ignore[operator]
                    return 7  # CUBLAS_STATUS_INVALID_VALUE
            return 0

        return call


@pytest.mark.parametrize(
    "trans_a, trans_b, m, n, k",
    [(False, False, 4, 5, 3), (True, False, 4, 5, 3), (False, True, 4, 5, 3), (True, True, 4, 5, 3),
     (False, False, 4, 5, 0), (True, True, 4, 5, 0), (False, False, 1, 5, 3), (False, True, 4, 1, 3), (True, False, 1, 1, 7)],
)  # fmt: skip
def test_cublas_row_major_call(trans_a: bool, trans_b: bool, m: int, n: int, k: int) -> None:
    """Row-major C = op(A) op(B) goes to cuBLAS as C^T = op(B)^T op(A)^T (operands and
    transposes swapped, n and m swapped), with leading dimensions cuBLAS accepts even
    for empty or single-row matrices (k == 0 gives a row length of 0)."""
    from tg.runtime import cublas

    handle = object.__new__(cublas.CublasHandle)
    handle.lib = _FakeCublas()  # type: ignore[assignment]
    handle.handle = ctypes.c_void_p(1)
    lda = m if trans_a else k  # row lengths as stored
    ldb = k if trans_b else n
    handle.gemm(np.float32, trans_a, trans_b, m, n, k, 0xA1, 0xA, lda, 0xB, ldb, 0xBE, 0xC, n)
    handle.gemm(np.float64, trans_a, trans_b, m, n, k, 0xA1, 0xA, lda, 0xB, ldb, 0xBE, 0xC, n, 3, (m * k, k * n, m * n))
    (single, one), (strided, many) = handle.lib.calls  # type: ignore[attr-defined]
    assert single == "cublasSgemm_v2" and strided == "cublasDgemmStridedBatched"
    fixed_a, fixed_b, fixed_c = cublas.leading_dimensions(trans_a, trans_b, m, n, k, lda, ldb, n)
    swapped = (int(trans_b), int(trans_a), n, m, k, 0xA1)
    assert one[1:] == (*swapped, 0xB, fixed_b, 0xA, fixed_a, 0xBE, 0xC, fixed_c)
    assert many[1:] == (*swapped, 0xB, fixed_b, k * n, 0xA, fixed_a, m * k, 0xBE, 0xC, fixed_c, m * n, 3)
    if min(m, n, k) > 1:  # nothing degenerate: the row lengths as given
        assert (fixed_a, fixed_b, fixed_c) == (lda, ldb, n)
    assert cublas.leading_dimensions(False, False, 5, 7, 3, 2, 7, 7) == (2, 7, 7)  # a wrong one stays wrong


@pytest.mark.gpu
def test_cublas_gemm_numerics() -> None:
    """On a GPU with cuBLAS: row-major C = alpha A @ op(B) + beta C, both dtypes."""
    import numpy as np
    from tg.runtime import cublas
    from tg.runtime.cuda_device import get_device
    from tg.runtime.cuda_driver import DeviceArray

    if not cublas.available():
        pytest.skip(cublas.unavailable_reason())
    device = get_device()
    handle = cublas.handle_for(device)
    rng = np.random.default_rng(0)
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        for trans_a, trans_b in ((False, False), (True, False), (False, True), (True, True)):
            m, n, k = 37, 53, 29
            a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
            b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
            c = rng.standard_normal((m, n)).astype(dtype)
            da, db, dc = (DeviceArray.from_host(v) for v in (a, b, c))
            alpha, beta = (DeviceArray.from_host(np.array(v, dtype)) for v in (1.5, 0.5))
            handle.gemm(dtype, trans_a, trans_b, m, n, k, alpha.ptr, da.ptr, a.shape[1], db.ptr, b.shape[1], beta.ptr, dc.ptr, n)
            expected = 1.5 * (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b) + 0.5 * c
            got = dc.get()
            assert np.linalg.norm(got - expected) / np.linalg.norm(expected) < tol
