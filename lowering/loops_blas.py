"""Loop-level rules for the BLAS ops: calls of the CBLAS that numpy loads.

`tg.gemm`, `tg.gemv`, `tg.ger`, `tg.vdot` and `tg.batched_gemm` become `llvm.call`s of
`tg_blas_<s|d><name>` (tg.runtime.blas registers them with LLVM), row-major, with the
operands' buffers passed as pointers (a memref operand of a call is its base
pointer). Operands are contiguous buffers: transposes were folded into the transpose
flags by tg-blas, and an operand that is not stored (a view, or an inline value) is
first copied into a temporary. An accumulator (`z`) not already in the destination
is copied there; tg-bufferize writes the result into `z`'s own buffer when it may.
Leading dimensions are at least 1, as BLAS requires, also for empty operands.
"""

from __future__ import annotations

from collections.abc import Callable

from tg.dialects import tg_blas as blas
from tg.dialects.tensor_types import dtype_of
from tg.lowering.convert_tg_to_loops import MATERIALIZERS, LoopsBuilder
from tg.runtime.blas import NO_TRANS, ROW_MAJOR, TRANS, blas_int_bits
from xdsl.dialects import arith, llvm, memref, scf
from xdsl.dialects.builtin import IntegerType, i32, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

PTR = llvm.LLVMPointerType()


def _name(op: Operation, base: str) -> str:
    return f"tg_blas_{'s' if dtype_of(op.results[0].type).itemsize == 4 else 'd'}{base}"


def _int(b: LoopsBuilder, v: SSAValue) -> SSAValue:
    """A size as BLAS's integer."""
    return b.emit(arith.IndexCastOp(v, IntegerType(blas_int_bits())))


def _leading(b: LoopsBuilder, cols: SSAValue) -> SSAValue:
    """max(1, cols): BLAS rejects a leading dimension of 0."""
    small = b.emit(arith.CmpiOp(cols, b.c1, "ult"))
    return _int(b, b.emit(arith.SelectOp(small, b.c1, cols)))


def _flag(b: LoopsBuilder, transposed: bool) -> SSAValue:
    return b.scalar_constant(TRANS if transposed else NO_TRANS, i32)


def _stored(b: LoopsBuilder, value: SSAValue, temporaries: list[SSAValue]) -> SSAValue:
    """A row-major buffer holding `value`: its own, or a temporary copy."""
    if value in b.buffers:
        return b.buffers[value]
    buffer = b.allocate(value)
    b.store_elementwise(value, buffer)
    temporaries.append(buffer)
    return buffer


def _into(b: LoopsBuilder, z: SSAValue | None, dest: SSAValue) -> None:
    """dest = z, unless z already lives in dest (updated in place)."""
    if z is not None and b.buffers.get(z) is not dest:
        b.store_elementwise(z, dest)


def _call(b: LoopsBuilder, name: str, args: list[SSAValue], result: Attribute | None = None) -> SSAValue | None:
    b.declare_external(name, [PTR if isinstance(a.type, memref.MemRefType) else a.type for a in args], result)
    return b.emit(llvm.CallOp(name, *args, return_type=result))


def _when_contracting(
    b: LoopsBuilder, k: SSAValue, dest: SSAValue, dims: list[SSAValue], beta: SSAValue | None, call: Callable[[], None]
) -> None:
    """`call()` when the contracted size k is not 0; else dest = beta*dest (0 without
    an accumulator, set by one `memset`), which BLAS leaves undone for k = 0."""
    empty = b.emit(arith.CmpiOp(k, b.c0, "eq"))
    then, otherwise = Block(), Block()
    outer = b.block
    b.block = then
    if beta is None:  # a loop nest here would cost LLVM as much as any kernel, for a case that rarely runs
        size = b.index(dtype_of(dest.type.element_type).itemsize)  # type: ignore[attr-defined]
        for d in dims:
            size = b.emit(arith.MuliOp(size, d))
        nbytes = b.emit(arith.IndexCastOp(size, i64))
        _call(b, "memset", [dest, b.scalar_constant(0, i32), nbytes], PTR)
    else:

        def scale(ivs: list[SSAValue]) -> None:
            value = b.emit(arith.MulfOp(beta, b.emit(memref.LoadOp.get(dest, ivs))))
            b.emit(memref.StoreOp.get(value, dest, ivs))

        b.loops(dims, scale)
    b.emit(scf.YieldOp())
    b.block = otherwise
    call()
    b.emit(scf.YieldOp())
    b.block = outer
    b.emit(scf.IfOp(empty, [], Region(then), Region(otherwise)))


def _free(b: LoopsBuilder, temporaries: list[SSAValue]) -> None:
    for buffer in temporaries:
        b.emit(memref.DeallocOp.get(buffer))


def _gemm_call(
    b: LoopsBuilder, op: Operation, x: SSAValue, y: SSAValue, c: SSAValue, sizes: tuple[SSAValue, SSAValue, SSAValue],
    lds: tuple[SSAValue, SSAValue, SSAValue], flags: tuple[bool, bool], alpha: SSAValue, beta: SSAValue,
) -> None:
    m, n, k = sizes
    args = [
        b.scalar_constant(ROW_MAJOR, i32), _flag(b, flags[0]), _flag(b, flags[1]),
        _int(b, m), _int(b, n), _int(b, k), alpha, x, _leading(b, lds[0]), y, _leading(b, lds[1]), beta, c, _leading(b, lds[2]),
    ]
    _call(b, _name(op, "gemm"), args)


def _gemm(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.GemmOp)
    elt = op.result.type.element_type
    m, n = b.dims(op.result)
    xd, yd = b.dims(op.x), b.dims(op.y)
    k = xd[0] if op.x_transposed else xd[1]
    _into(b, op.z, dest)
    beta = b.scalar(op.beta, []) if op.z is not None else b.scalar_constant(0.0, elt)
    alpha = b.scalar(op.alpha, [])
    temporaries: list[SSAValue] = []
    x, y = _stored(b, op.x, temporaries), _stored(b, op.y, temporaries)
    flags = (op.x_transposed, op.y_transposed)
    _when_contracting(
        b, k, dest, [m, n], beta if op.z is not None else None,
        lambda: _gemm_call(b, op, x, y, dest, (m, n, k), (xd[1], yd[1], n), flags, alpha, beta),
    )
    _free(b, temporaries)


def _gemv(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.GemvOp)
    elt = op.result.type.element_type
    rows, cols = b.dims(op.a)
    _into(b, op.z, dest)
    beta = b.scalar(op.beta, []) if op.z is not None else b.scalar_constant(0.0, elt)
    alpha = b.scalar(op.alpha, [])
    temporaries: list[SSAValue] = []
    a, x = _stored(b, op.a, temporaries), _stored(b, op.x, temporaries)
    one = _int(b, b.c1)
    args = [b.scalar_constant(ROW_MAJOR, i32), _flag(b, op.a_transposed), _int(b, rows), _int(b, cols),
            alpha, a, _leading(b, cols), x, one, beta, dest, one]
    k = rows if op.a_transposed else cols
    _when_contracting(b, k, dest, b.dims(op.result), beta if op.z is not None else None, lambda: _call(b, _name(op, "gemv"), args))
    _free(b, temporaries)


def _ger(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.GerOp)
    rows, cols = b.dims(op.result)
    _into(b, op.z, dest)
    temporaries: list[SSAValue] = []
    x, y = _stored(b, op.x, temporaries), _stored(b, op.y, temporaries)
    one = _int(b, b.c1)
    args = [b.scalar_constant(ROW_MAJOR, i32), _int(b, rows), _int(b, cols), b.scalar(op.alpha, []),
            x, one, y, one, dest, _leading(b, cols)]
    _call(b, _name(op, "ger"), args)
    _free(b, temporaries)


def _vdot(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.VdotOp)
    elt = op.result.type.element_type
    (n,) = b.dims(op.x)
    temporaries: list[SSAValue] = []
    x, y = _stored(b, op.x, temporaries), _stored(b, op.y, temporaries)
    one = _int(b, b.c1)
    total = _call(b, _name(op, "dot"), [_int(b, n), x, one, y, one], elt)
    b.emit(memref.StoreOp.get(total, dest, []))  # type: ignore[arg-type]
    _free(b, temporaries)


def _offset(b: LoopsBuilder, buffer: SSAValue, elt: Attribute, i: SSAValue, stride: SSAValue) -> SSAValue:
    """A pointer to element i*stride of `buffer` (a matrix of a stack)."""
    offset = b.emit(arith.IndexCastOp(b.emit(arith.MuliOp(i, stride)), i64))
    return b.emit(llvm.GEPOp(buffer, [llvm.GEP_USE_SSA_VAL], elt, ssa_indices=[offset], result_type=PTR))


def _batched_gemm(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """One gemm per matrix of the stack (OpenBLAS's batched entry points are not part
    of every build)."""
    assert isinstance(op, blas.BatchedGemmOp)
    elt = op.result.type.element_type
    count, m, n = b.dims(op.result)
    xd, yd = b.dims(op.x), b.dims(op.y)
    k = xd[1] if op.x_transposed else xd[2]
    temporaries: list[SSAValue] = []
    x, y = _stored(b, op.x, temporaries), _stored(b, op.y, temporaries)
    alpha, beta = b.scalar_constant(1.0, elt), b.scalar_constant(0.0, elt)
    strides = [b.emit(arith.MuliOp(d[1], d[2])) for d in (xd, yd, b.dims(op.result))]

    def each(ivs: list[SSAValue]) -> None:
        (i,) = ivs
        xi, yi, ci = (_offset(b, buf, elt, i, s) for buf, s in zip((x, y, dest), strides))
        _gemm_call(b, op, xi, yi, ci, (m, n, k), (xd[2], yd[2], n), (op.x_transposed, op.y_transposed), alpha, beta)

    b.loops([count], each)
    _free(b, temporaries)


MATERIALIZERS[blas.GemmOp] = _gemm
MATERIALIZERS[blas.GemvOp] = _gemv
MATERIALIZERS[blas.GerOp] = _ger
MATERIALIZERS[blas.VdotOp] = _vdot
MATERIALIZERS[blas.BatchedGemmOp] = _batched_gemm

