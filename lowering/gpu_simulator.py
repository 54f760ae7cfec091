"""A reference executor of the gpu level on the CPU, to test kernels' numerics without
a GPU: `simulate(module, "main", arrays)` runs the host function on numpy arrays.

The host function's ops are evaluated in Python; a launched kernel runs one block at
a time with all of the block's threads in lockstep, every SSA value a numpy array of
one lane per thread (an active-lane mask follows `scf.if` and `scf.for`). Device
buffers are numpy arrays (new ones filled with NaN or a poison pattern, so that
reading what no kernel wrote shows). Shuffles permute lanes within warps, shared
memory is one array per block, stores and atomics apply in thread order (in reverse
order, blocks last to first, with `reverse`: a result that depends on the order
then shows), `gpu.barrier` asserts that every thread reaches it. `tg_gpu.gemm` is numpy's matmul with BLAS's beta == 0
rule. Lockstep execution cannot show a missing barrier; it is slow, for test sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tg.dialects import tg_gpu
from tg.lowering.gpu_arith import CMPI_SYMBOLS, INFIX, OPERATORS
from tg.lowering.gpu_arith import numpy_dtype as dtype
from xdsl.dialects import arith, func, gpu, memref, scf
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Block, Operation, SSAValue

WARP = 32


def _poison(shape: Sequence[int], t: np.dtype) -> np.ndarray:
    if t.kind == "f":
        return np.full(shape, np.nan, t)
    return np.full(shape, 0x5A if t.itemsize == 1 else -0x5A5A5A5A, t) if t != np.bool_ else np.ones(shape, t)


# ------------------------------------------------------------------------ host


def simulate(
    module: ModuleOp, name: str, arrays: Sequence[np.ndarray], gemm_kernels: bool = False, reverse: bool = False
) -> int:
    """Run host function `name` on `arrays` (its arguments but the status, outputs
    preallocated and written in place); returns the status. With `gemm_kernels`, GEMMs
    run the module's fallback kernels (as without cuBLAS) instead of numpy; with
    `reverse`, blocks run last to first and threads' stores and atomics apply last to
    first."""
    host = next(op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == name)
    kernels = {op.sym_name.data: op for op in module.walk() if isinstance(op, gpu.FuncOp)}
    constants = {
        op.sym_name.data: np.array(op.initial_value.get_values(), dtype(op.type.element_type))  # type: ignore[union-attr]
        for op in module.walk()
        if isinstance(op, memref.GlobalOp) and isinstance(op.initial_value, DenseIntOrFPElementsAttr)
    }
    status = np.zeros((), np.int32)
    env: dict[SSAValue, Any] = dict(zip(host.body.block.args, [*arrays, status]))
    for op in host.body.block.ops:
        if gemm_kernels and isinstance(op, tg_gpu.GemmOp | tg_gpu.BatchedGemmOp):
            _gemm_kernel(op, env, kernels, constants)
        else:
            _host_op(op, env, kernels, constants, reverse)
    return int(status)


def _host_op(
    op: Operation,
    env: dict[SSAValue, Any],
    kernels: dict[str, gpu.FuncOp],
    constants: dict[str, np.ndarray],
    reverse: bool = False,
) -> None:
    if isinstance(op, gpu.AllocOp):
        t = op.result.type
        assert isinstance(t, MemRefType)
        sizes = iter(int(env[v]) for v in op.dynamicSizes)
        shape = [d if d >= 0 else next(sizes) for d in t.get_shape()]
        env[op.result] = _poison(shape, dtype(t.element_type))
    elif isinstance(op, gpu.DeallocOp | func.ReturnOp):
        pass
    elif isinstance(op, memref.DimOp):
        env[op.result] = np.int64(env[op.source].shape[int(env[op.index])])
    elif isinstance(op, memref.CopyOp):
        env[op.destination][...] = env[op.source]
    elif isinstance(op, memref.LoadOp):
        env[op.res] = env[op.memref][tuple(int(env[i]) for i in op.indices)]
    elif isinstance(op, gpu.LaunchFuncOp):
        kernel = kernels[op.kernel.nested_references.data[0].data]
        grid = [int(env[v]) for v in (op.gridSizeX, op.gridSizeY, op.gridSizeZ)]
        block = [int(env[v]) for v in (op.blockSizeX, op.blockSizeY, op.blockSizeZ)]
        assert block[1] == block[2] == 1 and grid[2] == 1 and 0 < block[0] <= 1024 and min(grid) > 0
        launch(kernel, grid, block[0], [env[v] for v in op.kernelOperands], constants, reverse)
    elif isinstance(op, tg_gpu.GemmOp | tg_gpu.BatchedGemmOp):
        _gemm(op, env)
    else:
        env_values = [env[v] for v in op.operands]
        results = _scalar_op(op, env_values)
        for r, v in zip(op.results, results):
            env[r] = v


def _gemm(op: tg_gpu.GemmOp | tg_gpu.BatchedGemmOp, env: dict[SSAValue, Any]) -> None:
    count = int(env[op.count]) if isinstance(op, tg_gpu.BatchedGemmOp) else 1
    m, n, k, lda, ldb, ldc = (int(env[v]) for v in (op.m, op.n, op.k, op.lda, op.ldb, op.ldc))
    a, b, c = (env[v].reshape(-1) for v in (op.a, op.b, op.c))
    alpha, beta = env[op.alpha][()], env[op.beta][()]
    trans_a, trans_b = op.transposed
    strides = (
        [int(env[v]) for v in (op.stride_a, op.stride_b, op.stride_c)]
        if isinstance(op, tg_gpu.BatchedGemmOp)
        else [0, 0, 0]
    )
    for i in range(count):
        sa, sb, sc = (i * s for s in strides)

        def matrix(flat: np.ndarray, start: int, rows: int, cols: int, ld: int) -> np.ndarray:
            return np.lib.stride_tricks.as_strided(flat[start:], (rows, cols), (ld * flat.itemsize, flat.itemsize))

        x = matrix(a, sa, k, m, lda).T if trans_a else matrix(a, sa, m, k, lda)
        y = matrix(b, sb, n, k, ldb).T if trans_b else matrix(b, sb, k, n, ldb)
        out = matrix(c, sc, m, n, ldc)
        product = alpha * (x.astype(np.float64) @ y.astype(np.float64))
        out[...] = product if beta == 0 else product + beta * out


def _gemm_kernel(
    op: tg_gpu.GemmOp | tg_gpu.BatchedGemmOp,
    env: dict[SSAValue, Any],
    kernels: dict[str, gpu.FuncOp],
    constants: dict[str, np.ndarray],
) -> None:
    """A GEMM launched as the runtime does without cuBLAS: the fallback kernel for
    the element type, grid (ceil(n / cols), ceil(m / rows)), once per matrix."""
    element = op.c.type.element_type  # type: ignore[attr-defined]
    kernel = kernels["tg_gemm_f32" if isinstance(element, Float32Type) else "tg_gemm_f64"]
    rows, cols = kernel.attributes[tg_gpu.GEMM_TILE].get_values()  # type: ignore[attr-defined]
    (threads, _, _) = kernel.attributes["gpu.known_block_size"].get_values()  # type: ignore[attr-defined]
    count = int(env[op.count]) if isinstance(op, tg_gpu.BatchedGemmOp) else 1
    sizes = [np.int64(env[v]) for v in (op.m, op.n, op.k, op.lda, op.ldb, op.ldc)]
    m, n = int(sizes[0]), int(sizes[1])
    strides = (
        [int(env[v]) for v in (op.stride_a, op.stride_b, op.stride_c)]
        if isinstance(op, tg_gpu.BatchedGemmOp)
        else [0, 0, 0]
    )
    a, b, c = (env[v].reshape(-1) for v in (op.a, op.b, op.c))
    flags = [np.int32(t) for t in op.transposed]
    grid = [max(1, -(-n // cols)), max(1, -(-m // rows)), 1]
    if m == 0 or n == 0:
        return
    for i in range(count):
        matrices = [x[i * s :] for x, s in zip((a, b, c), strides)]
        launch(kernel, grid, threads, [*matrices, env[op.alpha], env[op.beta], *sizes, *flags], constants)


# --------------------------------------------------------------------- kernels


class _Block:
    """The state of one block's threads during a launch."""

    def __init__(self, threads: int, block: int, grid: int, constants: dict[str, np.ndarray], reverse: bool = False):
        self.threads = threads
        self.reverse = reverse
        self.lane = np.arange(threads, dtype=np.int64)
        self.block = block
        self.grid = grid
        self.constants = constants
        self.env: dict[SSAValue, Any] = {}


def launch(
    kernel: gpu.FuncOp,
    grid: Sequence[int],
    threads: int,
    args: Sequence[Any],
    constants: dict[str, np.ndarray],
    reverse: bool = False,
) -> None:
    """Run a kernel: every block of the grid, in order (last to first with `reverse`)."""
    flat = [a.reshape(-1) if isinstance(a, np.ndarray) and a.ndim != 0 else a for a in args]
    flat = [a.reshape(1) if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in flat]
    order = (lambda n: range(n - 1, -1, -1)) if reverse else range
    for by in order(grid[1]):
        for bx in order(grid[0]):
            state = _Block(threads, bx, grid[0], constants, reverse)
            state.block_y = by  # type: ignore[attr-defined]
            state.env.update(zip(kernel.body.block.args, flat))
            _run(kernel.body.block, state, np.ones(threads, bool))


def _run(block: Block, s: _Block, mask: np.ndarray) -> list[Any] | None:
    for op in block.ops:
        if isinstance(op, scf.YieldOp | gpu.ReturnOp):
            return [s.env[v] for v in op.operands]
        handler = _KERNEL_OPS.get(type(op))
        if handler is not None:
            handler(op, s, mask)
            continue
        values = _scalar_op(op, [s.env[v] for v in op.operands])
        for r, v in zip(op.results, values):
            s.env[r] = v
    return None


def _lanes(value: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value), (n,))


def _for(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, scf.ForOp)
    n = s.threads
    iv = _lanes(s.env[op.lb], n).astype(np.int64).copy()
    ub, step = _lanes(s.env[op.ub], n), _lanes(s.env[op.step], n)
    carried = [_lanes(s.env[v], n).copy() for v in op.iter_args]
    body = op.body.block
    while True:
        active = mask & (iv < ub)
        if not active.any():
            break
        s.env[body.args[0]] = iv.copy()
        for arg, value in zip(body.args[1:], carried):
            s.env[arg] = value
        yielded = _run(body, s, active) or []
        carried = [np.where(active, _lanes(y, n), c) for y, c in zip(yielded, carried)]
        iv = np.where(active, iv + step, iv)
    for r, value in zip(op.results, carried):
        s.env[r] = value


def _if(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, scf.IfOp)
    n = s.threads
    condition = _lanes(s.env[op.cond], n).astype(bool)
    results: list[list[Any]] = []
    for region, lanes in ((op.true_region, mask & condition), (op.false_region, mask & ~condition)):
        if region.blocks and lanes.any():
            results.append([_lanes(v, n) for v in (_run(region.block, s, lanes) or [])])
        else:
            results.append([_lanes(np.zeros((), dtype(r.type)), n) for r in op.results])
    for k, r in enumerate(op.results):
        s.env[r] = np.where(condition, results[0][k], results[1][k])


def _index(s: _Block, memory: np.ndarray, indices: Sequence[SSAValue], mask: np.ndarray) -> np.ndarray:
    n = s.threads
    if not indices:
        return np.zeros(n, np.int64)
    position = _lanes(s.env[indices[0]], n).astype(np.int64)
    for axis, i in enumerate(indices[1:], start=1):
        position = position * memory.shape[axis] + _lanes(s.env[i], n)
    flat_size = memory.size
    bad = mask & ((position < 0) | (position >= flat_size))
    if bad.any():
        raise IndexError(f"gpu simulator: access at {position[bad][:4]} of {flat_size} elements")
    return np.where(mask, position, 0)


def _load(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, memref.LoadOp)
    memory = s.env[op.memref]
    s.env[op.res] = memory.reshape(-1)[_index(s, memory, list(op.indices), mask)]


def _store(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, memref.StoreOp)
    memory = s.env[op.memref]
    position = _index(s, memory, list(op.indices), mask)[mask]
    values = _lanes(s.env[op.value], s.threads)[mask]
    if s.reverse:
        position, values = position[::-1], values[::-1]
    memory.reshape(-1)[position] = values  # the last of repeated positions wins


def _shared(op: Operation, s: _Block, mask: np.ndarray) -> None:
    t = op.results[0].type
    assert isinstance(t, MemRefType)
    s.env[op.results[0]] = _poison(t.get_shape(), dtype(t.element_type))


def _get_global(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, memref.GetGlobalOp)
    s.env[op.memref] = s.constants[op.name_.root_reference.data]


def _geometry(op: Operation, s: _Block, mask: np.ndarray) -> None:
    dimension = op.properties["dimension"].data.value  # type: ignore[attr-defined]
    value: Any
    if isinstance(op, gpu.ThreadIdOp):
        value = s.lane if dimension == "x" else np.zeros(s.threads, np.int64)
    elif isinstance(op, gpu.BlockIdOp):
        value = np.int64(s.block if dimension == "x" else getattr(s, "block_y", 0) if dimension == "y" else 0)
    elif isinstance(op, gpu.BlockDimOp):
        value = np.int64(s.threads if dimension == "x" else 1)
    else:
        value = np.int64(s.grid if dimension == "x" else 1)
    s.env[op.results[0]] = value


def _barrier(op: Operation, s: _Block, mask: np.ndarray) -> None:
    if not mask.all():
        raise AssertionError("gpu simulator: __syncthreads() in divergent code")


def _shuffle(op: Operation, s: _Block, mask: np.ndarray) -> None:
    if not mask.all():
        raise AssertionError("gpu simulator: a full-warp shuffle with inactive lanes")
    value = _lanes(s.env[op.operands[0]], s.threads)
    lanes = int(s.env[op.operands[1]])
    lane = s.lane % WARP
    base = s.lane - lane
    if isinstance(op, tg_gpu.ShuffleXorOp):
        source = lane ^ lanes
    elif isinstance(op, tg_gpu.ShuffleDownOp):
        source = lane + lanes
    else:
        source = lane - lanes
    source = np.where((source >= 0) & (source < WARP), source, lane)
    s.env[op.results[0]] = value[base + source]


def _atomic(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, tg_gpu.AtomicUpdateOp | tg_gpu.AtomicCasOp)
    memory = s.env[op.memref].reshape(-1)
    position = _index(s, memory, [op.index], mask)
    old = np.zeros(s.threads, memory.dtype)
    if isinstance(op, tg_gpu.AtomicUpdateOp):
        values = _lanes(s.env[op.value], s.threads)
        larger = isinstance(op, tg_gpu.AtomicMaxOp)
        for t in _in_order(s, mask):
            old[t] = memory[position[t]]
            memory[position[t]] = max(old[t], values[t]) if larger else old[t] + values[t]
    else:
        compare, values = _lanes(s.env[op.compare], s.threads), _lanes(s.env[op.value], s.threads)
        for t in _in_order(s, mask):
            old[t] = memory[position[t]]
            if old[t] == compare[t]:
                memory[position[t]] = values[t]
    s.env[op.result] = old


def _in_order(s: _Block, mask: np.ndarray) -> np.ndarray:
    """The active threads in the order their atomics apply."""
    active = np.nonzero(mask)[0]
    return active[::-1] if s.reverse else active


def _vector_load(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, tg_gpu.VectorLoadOp)
    memory = s.env[op.memref].reshape(-1)
    base = _index(s, memory, [op.index], mask)
    for j, r in enumerate(op.values):
        s.env[r] = memory[np.where(mask, base + j, 0)]


def _vector_store(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, tg_gpu.VectorStoreOp)
    memory = s.env[op.memref].reshape(-1)
    base = _index(s, memory, [op.index], mask)
    for j, v in enumerate(op.values):
        memory[(base + j)[mask]] = _lanes(s.env[v], s.threads)[mask]


def _aligned(op: Operation, s: _Block, mask: np.ndarray) -> None:
    assert isinstance(op, tg_gpu.AlignedOp)
    alignment = op.bytes.value.data
    s.env[op.result] = np.bool_(all(s.env[m].ctypes.data % alignment == 0 for m in op.memrefs))


_KERNEL_OPS: dict[type[Operation], Callable[[Operation, _Block, np.ndarray], None]] = {
    scf.ForOp: _for,
    scf.IfOp: _if,
    memref.LoadOp: _load,
    memref.StoreOp: _store,
    memref.GetGlobalOp: _get_global,
    tg_gpu.SharedArrayOp: _shared,
    gpu.ThreadIdOp: _geometry,
    gpu.BlockIdOp: _geometry,
    gpu.BlockDimOp: _geometry,
    gpu.GridDimOp: _geometry,
    gpu.BarrierOp: _barrier,
    tg_gpu.ShuffleXorOp: _shuffle,
    tg_gpu.ShuffleDownOp: _shuffle,
    tg_gpu.ShuffleUpOp: _shuffle,
    tg_gpu.AtomicAddOp: _atomic,
    tg_gpu.AtomicMaxOp: _atomic,
    tg_gpu.AtomicCasOp: _atomic,
    tg_gpu.VectorLoadOp: _vector_load,
    tg_gpu.VectorStoreOp: _vector_store,
    tg_gpu.AlignedOp: _aligned,
}


# -------------------------------------------------------------- scalar ops


def _constant(op: arith.ConstantOp) -> Any:
    value = op.value
    t = dtype(op.result.type)
    if isinstance(value, IntegerAttr | FloatAttr):
        data = value.value.data
        if t.kind in "iu":
            bits = t.itemsize * 8
            data = (int(data) + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
        return np.array(data).astype(t)[()]
    raise NotImplementedError(f"gpu simulator: constant {value}")


def _unsigned(x: Any) -> Any:
    x = np.asarray(x)
    return x.view(np.dtype(f"u{x.dtype.itemsize}")) if x.dtype.kind == "i" else x


def _cmpf(predicate: str, a: Any, b: Any) -> Any:
    unordered = np.isnan(a) | np.isnan(b)
    table = {"oeq": np.equal, "ogt": np.greater, "oge": np.greater_equal, "olt": np.less, "ole": np.less_equal,
             "one": np.not_equal}  # fmt: skip
    if predicate in table:
        return table[predicate](a, b) & ~unordered
    if predicate == "ord":
        return ~unordered
    if predicate == "uno":
        return unordered
    if predicate == "une":
        return np.not_equal(a, b) | unordered
    base = {"ueq": np.equal, "ugt": np.greater, "uge": np.greater_equal, "ult": np.less, "ule": np.less_equal}
    return base[predicate](a, b) | unordered


def _maximum(a: Any, b: Any, larger: bool) -> Any:
    nan = np.isnan(a) | np.isnan(b)
    return np.where(nan, a + b, np.maximum(a, b) if larger else np.minimum(a, b))


_SPECIAL = {
    "erf": np.vectorize(math.erf, otypes=[np.float64]),
    "erfc": np.vectorize(math.erfc, otypes=[np.float64]),
}


def _round_half_away(x: Any) -> Any:
    return np.copysign(np.floor(np.abs(x) + 0.5), x)


def _math(name: str) -> Callable[..., Any]:
    functions: dict[str, Callable[..., Any]] = {"exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2, "log10": np.log10,
                 "log1p": np.log1p, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x), "cbrt": np.cbrt,
                 "fabs": np.abs, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": _round_half_away,
                 "rint": np.rint, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
                 "atan": np.arctan, "atan2": np.arctan2, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
                 "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "pow": np.power,
                 "copysign": np.copysign, "fmod": np.fmod, "fma": lambda a, b, c: a * b + c}  # fmt: skip
    if name in _SPECIAL:
        special = _SPECIAL[name]
        return lambda x: special(x).astype(np.asarray(x).dtype)
    return functions[name]


_MATH_NAMES = {xmath.ExpOp: "exp", xmath.Exp2Op: "exp2", xmath.ExpM1Op: "expm1", xmath.LogOp: "log",
               xmath.Log2Op: "log2", xmath.Log10Op: "log10", xmath.Log1pOp: "log1p", xmath.SqrtOp: "sqrt",
               xmath.RsqrtOp: "rsqrt", xmath.CbrtOp: "cbrt", xmath.AbsFOp: "fabs", xmath.FloorOp: "floor",
               xmath.CeilOp: "ceil", xmath.TruncOp: "trunc", xmath.RoundOp: "round", xmath.RoundEvenOp: "rint",
               xmath.SinOp: "sin", xmath.CosOp: "cos", xmath.TanOp: "tan", xmath.AsinOp: "asin", xmath.AcosOp: "acos",
               xmath.AtanOp: "atan", xmath.Atan2Op: "atan2", xmath.SinhOp: "sinh", xmath.CoshOp: "cosh",
               xmath.TanhOp: "tanh", xmath.AsinhOp: "asinh", xmath.AcoshOp: "acosh", xmath.AtanhOp: "atanh",
               xmath.ErfOp: "erf", xmath.PowFOp: "pow", xmath.CopySignOp: "copysign", xmath.FmaOp: "fma"}  # fmt: skip


def _scalar_op(op: Operation, args: list[Any]) -> list[Any]:
    """An arith/math/tg_gpu.call op on lane arrays (or scalars)."""
    with np.errstate(all="ignore"):
        if isinstance(op, arith.ConstantOp):
            return [_constant(op)]
        t = dtype(op.results[0].type) if op.results else None
        result = _evaluate(op, args)
        if t is not None and not isinstance(op, tg_gpu.CallOp) and type(op) not in _MATH_NAMES:
            result = np.asarray(result).astype(t, copy=False)
        return [result]


_BINARY: dict[type[Operation], Callable[[Any, Any], Any]] = {op: OPERATORS[symbol] for op, symbol in INFIX.items()} | {
    arith.DivfOp: np.divide,
    arith.MaxSIOp: np.maximum,
    arith.MinSIOp: np.minimum,
}


def _evaluate(op: Operation, a: list[Any]) -> Any:
    if type(op) in _BINARY:
        return _BINARY[type(op)](a[0], a[1])
    if isinstance(op, arith.DivSIOp | arith.RemSIOp):
        safe = np.where(np.asarray(a[1]) == 0, 1, a[1])
        q = _trunc_div(a[0], safe)
        return q if isinstance(op, arith.DivSIOp) else np.asarray(a[0]) - q * safe
    if isinstance(
        op, arith.DivUIOp | arith.RemUIOp | arith.CeilDivUIOp | arith.MaxUIOp | arith.MinUIOp | arith.ShRUIOp
    ):
        x, y = _unsigned(a[0]), _unsigned(a[1])
        if isinstance(op, arith.MaxUIOp | arith.MinUIOp):
            pick = (x > y) if isinstance(op, arith.MaxUIOp) else (x < y)
            return np.where(pick, a[0], a[1])
        if isinstance(op, arith.ShRUIOp):
            return np.right_shift(x, y)
        safe = np.where(y == 0, 1, y)
        if isinstance(op, arith.DivUIOp):
            return x // safe
        if isinstance(op, arith.RemUIOp):
            return x % safe
        return x // safe + (x % safe != 0)
    if isinstance(op, arith.FloorDivSIOp):
        return np.floor_divide(a[0], np.where(np.asarray(a[1]) == 0, 1, a[1]))
    if isinstance(op, arith.CeilDivSIOp):
        return -np.floor_divide(-np.asarray(a[0]), np.where(np.asarray(a[1]) == 0, 1, a[1]))
    if isinstance(op, arith.CmpiOp):
        predicate = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
        x, y = (_unsigned(a[0]), _unsigned(a[1])) if predicate.startswith("u") else (a[0], a[1])
        return OPERATORS[CMPI_SYMBOLS[predicate]](x, y)
    if isinstance(op, arith.CmpfOp):
        return _cmpf(arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data], a[0], a[1])
    if isinstance(op, arith.SelectOp):
        return np.where(a[0], a[1], a[2])
    if isinstance(op, arith.NegfOp):
        return np.negative(a[0])
    if isinstance(op, arith.MaximumfOp | arith.MinimumfOp):
        return _maximum(a[0], a[1], isinstance(op, arith.MaximumfOp))
    if isinstance(op, arith.MaxnumfOp):
        return np.fmax(a[0], a[1])
    if isinstance(op, arith.MinnumfOp):
        return np.fmin(a[0], a[1])
    if isinstance(op, arith.ExtSIOp | arith.SIToFPOp | arith.IndexCastOp) and dtype(op.operands[0].type) == np.bool_:
        return -np.asarray(a[0]).astype(np.int64)
    if isinstance(op, arith.ExtUIOp | arith.UIToFPOp):
        return _unsigned(a[0])
    if isinstance(op, arith.TruncIOp) and dtype(op.results[0].type) == np.bool_:
        return np.asarray(a[0]) & 1
    if isinstance(
        op,
        arith.ExtFOp
        | arith.TruncFOp
        | arith.FPToSIOp
        | arith.SIToFPOp
        | arith.IndexCastOp
        | arith.TruncIOp
        | arith.ExtSIOp
        | arith.FPToUIOp,
    ):
        return a[0]
    if isinstance(op, xmath.AbsIOp):
        return np.abs(a[0])
    if type(op) in _MATH_NAMES:
        return _math(_MATH_NAMES[type(op)])(*a)
    if isinstance(op, tg_gpu.CallOp):
        name = op.callee.data
        base = name[:-1] if isinstance(op.result.type, Float32Type) and name.endswith("f") else name
        return np.asarray(_math(base)(*a)).astype(dtype(op.result.type))
    raise NotImplementedError(f"gpu simulator: {op.name}")


def _trunc_div(x: Any, y: Any) -> Any:
    """C's integer division (toward zero)."""
    x, y = np.asarray(x), np.asarray(y)
    q = np.floor_divide(x, y)
    return np.where((q < 0) & (q * y != x), q + 1, q)
