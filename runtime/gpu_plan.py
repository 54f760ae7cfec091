"""The launch plan of a gpu-level function: its host `@main` as pure data.

`build_plan(module)` reads the host function once: every value gets a slot; each op
becomes a step (scalar arithmetic, allocation, launch, GEMM, copy). `LaunchPlan.
concrete(shapes)` evaluates the steps for the argument shapes of one call — sizes,
grids, blocks, scalar kernel arguments — without a device, so tests check grid and
block for any shape; `gpu_stage` executes the result (memoized per shapes).

Semantics of the index arithmetic: Python integers (no overflow); division or
remainder by zero gives 0 (only reachable for empty tensors, whose launches are
skipped: a launch with a zero grid or block dimension does nothing).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tg.dialects.tg_gpu import LAUNCH_BOUNDS
from tg.lowering.gpu_arith import CMPI_SYMBOLS, INFIX, OPERATORS, numpy_dtype
from xdsl.dialects import arith, func, gpu, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.ir import Attribute, Operation, SSAValue

MAX_BLOCK_THREADS = 1024
MAX_GRID_YZ = 65535
MAX_GRID_X = 2**31 - 1

KERNELS_MODULE = "kernels"
FALLBACK_GEMM = {np.dtype(np.float32): "tg_gemm_f32", np.dtype(np.float64): "tg_gemm_f64"}
"""tg's own GEMM kernels, used when cuBLAS is not installed."""
GEMM_TILE = "tg_gpu.gemm_tile"
KNOWN_BLOCK_SIZE = "gpu.known_block_size"


# ------------------------------------------------------------------------ steps


@dataclass(frozen=True)
class Compute:
    """slots[result] = op(slots[operands]) for a scalar op (or a constant: `value`)."""

    op: str
    result: int
    operands: tuple[int, ...] = ()
    value: Any = None


@dataclass(frozen=True)
class Dim:
    """slots[result] = shape of buffer `buffer` along slots[index]."""

    result: int
    buffer: int
    index: int


@dataclass(frozen=True)
class Aligned:
    """slots[result] = every buffer's device address is a multiple of `nbytes`."""

    result: int
    buffers: tuple[int, ...]
    nbytes: int


@dataclass(frozen=True)
class Load:
    """slots[result] = an element of a device buffer (a size computed on the device):
    the call waits for the work queued so far, then reads it."""

    result: int
    buffer: int
    indices: tuple[int, ...]


@dataclass(frozen=True)
class Alloc:
    """A device buffer: static dims from the type, dynamic ones from slots."""

    result: int
    shape: tuple[int | None, ...]
    """Static sizes; None where the size is the next of `dims`."""
    dims: tuple[int, ...]
    dtype: np.dtype


@dataclass(frozen=True)
class Dealloc:
    buffer: int


@dataclass(frozen=True)
class KernelArg:
    """One kernel argument: a buffer's device pointer, or a scalar slot of a C type."""

    slot: int
    ctype: Any
    """ctypes type: c_void_p for a buffer."""
    is_buffer: bool


@dataclass(frozen=True)
class Launch:
    kernel: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int | None
    args: tuple[KernelArg, ...]


@dataclass(frozen=True)
class Gemm:
    """C = alpha op(A) op(B) + beta C (row-major), `count` times at element strides
    (count None: a single GEMM)."""

    a: int
    b: int
    c: int
    alpha: int
    beta: int
    sizes: tuple[int, ...]
    """Slots of m, n, k, lda, ldb, ldc, then (batched) count, stride_a, stride_b, stride_c."""
    trans_a: bool
    trans_b: bool
    dtype: np.dtype
    batched: bool


@dataclass(frozen=True)
class Copy:
    """Device-to-device copy of all of `source` into `target`."""

    source: int
    target: int


Step = Compute | Dim | Aligned | Load | Alloc | Dealloc | Launch | Gemm | Copy


@dataclass(frozen=True)
class Argument:
    slot: int
    shape: tuple[int | None, ...]
    """Static sizes; None where dynamic."""
    dtype: np.dtype


@dataclass(frozen=True)
class KernelInfo:
    """What the plan needs of a gpu.func: its argument C types and launch hints."""

    name: str
    arg_ctypes: tuple[Any, ...]
    block_size: tuple[int, int, int] | None
    gemm_tile: tuple[int, int] | None
    max_threads: int | None = None
    """Its `__launch_bounds__`, when it has one: a launch with more threads per block
    fails on a device (CUDA_ERROR_INVALID_VALUE), so the plan refuses it first."""


@dataclass
class LaunchPlan:
    """The host function of a gpu-level module, as data."""

    arguments: list[Argument]
    steps: list[Step]
    slots: int
    kernels: dict[str, KernelInfo]
    errors: list[str] = field(default_factory=list)
    """Errors kernels may report, by status number - 1: "Kind|message"."""
    inplace: dict[int, int] = field(default_factory=dict)
    """Outputs written into an argument's storage: output index -> argument index."""
    uses_alignment: bool = False
    """Whether steps depend on buffer addresses (then concrete() needs them)."""
    dtypes: dict[int, np.dtype] = field(default_factory=dict)
    """Element type of every buffer slot."""
    reads_device: bool = False
    """Whether sizes depend on values in device memory (`Load` steps): then a call
    evaluates and runs the plan step by step, not from a memo by shapes."""

    def concrete(
        self, shapes: Sequence[Sequence[int]], alignments: Sequence[int] | None = None, read: Reader | None = None
    ) -> ConcretePlan:
        """The plan for arguments of these shapes (and, when `uses_alignment`, these
        addresses modulo 256): every size, grid, block and scalar argument known.
        `read` answers `Load`s (see `Reader`)."""
        return _evaluate(self, shapes, alignments, read)


# ---------------------------------------------------------------- concrete plan


@dataclass(frozen=True)
class ConcreteAlloc:
    slot: int
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


@dataclass(frozen=True)
class ConcreteLaunch:
    kernel: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared: int
    values: tuple[Any, ...]
    """Scalar arguments' values; None where a buffer pointer goes."""
    buffers: tuple[tuple[int, int], ...]
    """(argument index, buffer slot) of the pointer arguments."""
    ctypes: tuple[Any, ...]


@dataclass(frozen=True)
class ConcreteGemm:
    a: int
    b: int
    c: int
    alpha: int
    beta: int
    m: int
    n: int
    k: int
    lda: int
    ldb: int
    ldc: int
    trans_a: bool
    trans_b: bool
    dtype: np.dtype
    count: int = 1
    strides: tuple[int, int, int] = (0, 0, 0)
    """Element strides between the batch's matrices of A, B, C."""


@dataclass(frozen=True)
class ConcreteCopy:
    source: int
    target: int
    nbytes: int


@dataclass(frozen=True)
class ConcreteDealloc:
    slot: int


ConcreteStep = ConcreteAlloc | ConcreteDealloc | ConcreteLaunch | ConcreteGemm | ConcreteCopy

Reader = Callable[[int, int, np.dtype, list[ConcreteStep]], Any]
"""read(buffer slot, element offset, dtype, steps so far) -> the element's value: the
caller runs the steps not yet run before reading."""


@dataclass
class ConcretePlan:
    """What one call does, in order (launches with nothing to do left out)."""

    steps: list[ConcreteStep]
    shapes: dict[int, tuple[int, ...]]
    """Shape of every buffer slot."""

    @property
    def launches(self) -> list[ConcreteLaunch]:
        return [s for s in self.steps if isinstance(s, ConcreteLaunch)]


# ------------------------------------------------------------------ evaluation

_MASK = (1 << 64) - 1


def _div(a: int, b: int) -> int:
    return 0 if b == 0 else a // b


def _sdiv(a: int, b: int) -> int:
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _srem(a: int, b: int) -> int:
    return 0 if b == 0 else a - _sdiv(a, b) * b


def _ceildiv(a: int, b: int) -> int:
    return 0 if b == 0 else -(-a // b)


def _u(a: int) -> int:
    return a & _MASK


_BINARY: dict[str, Callable[[Any, Any], Any]] = {op.name: OPERATORS[symbol] for op, symbol in INFIX.items()} | {
    "arith.divui": lambda a, b: _div(_u(a), _u(b)),
    "arith.divsi": _sdiv,
    "arith.floordivsi": _div,
    "arith.ceildivui": lambda a, b: _ceildiv(_u(a), _u(b)),
    "arith.ceildivsi": _ceildiv,
    "arith.remui": lambda a, b: 0 if b == 0 else _u(a) % _u(b),
    "arith.remsi": _srem,
    "arith.maxui": lambda a, b: a if _u(a) >= _u(b) else b,
    "arith.minui": lambda a, b: a if _u(a) <= _u(b) else b,
    "arith.maxsi": max,
    "arith.minsi": min,
    "arith.shrui": lambda a, b: _u(a) >> b,
    "arith.divf": lambda a, b: a / b if b else float("nan") if a == 0 else float("inf") * (1 if a > 0 else -1),
}
_UNARY: dict[str, Callable[[Any], Any]] = {
    "arith.index_cast": lambda a: int(a),
    "arith.index_castui": lambda a: int(a),
    "arith.extui": lambda a: int(a),
    "arith.extsi": lambda a: int(a),
    "arith.trunci": lambda a: int(a),
    "arith.sitofp": float,
    "arith.uitofp": float,
    "arith.fptosi": lambda a: int(a),
    "arith.fptoui": lambda a: int(a),
    "arith.extf": float,
    "arith.truncf": lambda a: float(np.float32(a)),
}
def _comparison(predicate: str) -> Callable[[int, int], bool]:
    compare = OPERATORS[CMPI_SYMBOLS[predicate]]
    return (lambda a, b: compare(_u(a), _u(b))) if predicate.startswith("u") else compare


_PREDICATES: dict[int, Callable[[int, int], bool]] = {
    i: _comparison(predicate) for i, predicate in enumerate(arith.CMPI_COMPARISON_OPERATIONS)
}


def _evaluate(
    plan: LaunchPlan, shapes: Sequence[Sequence[int]], alignments: Sequence[int] | None, read: Reader | None
) -> ConcretePlan:
    if len(shapes) != len(plan.arguments):
        raise ValueError(f"{len(shapes)} shapes for {len(plan.arguments)} arguments")
    slots: list[Any] = [None] * plan.slots
    buffer_shapes: dict[int, tuple[int, ...]] = {}
    alignment: dict[int, int] = {}
    for k, (argument, shape) in enumerate(zip(plan.arguments, shapes)):
        shape = tuple(int(s) for s in shape)
        if len(shape) != len(argument.shape) or any(s is not None and s != d for s, d in zip(argument.shape, shape)):
            raise ValueError(f"argument {k}: shape {shape} does not match {argument.shape}")
        buffer_shapes[argument.slot] = shape
        alignment[argument.slot] = 0 if alignments is None else int(alignments[k])
    steps: list[ConcreteStep] = []
    for step in plan.steps:
        if isinstance(step, Compute):
            if step.op == "arith.constant":
                slots[step.result] = step.value
            elif step.op == "arith.cmpi":
                a, b = (slots[i] for i in step.operands)
                slots[step.result] = _PREDICATES[step.value](a, b)
            elif step.op == "arith.select":
                c, a, b = (slots[i] for i in step.operands)
                slots[step.result] = a if c else b
            elif step.op in _BINARY:
                a, b = (slots[i] for i in step.operands)
                slots[step.result] = _BINARY[step.op](a, b)
            else:
                slots[step.result] = _UNARY[step.op](slots[step.operands[0]])
        elif isinstance(step, Dim):
            slots[step.result] = buffer_shapes[step.buffer][slots[step.index]]
        elif isinstance(step, Aligned):
            slots[step.result] = all(alignment[b] % step.nbytes == 0 for b in step.buffers)
        elif isinstance(step, Load):
            if read is None:
                raise ValueError("this plan reads sizes from device memory: evaluate it with a reader")
            offset = 0
            for size, index in zip(buffer_shapes[step.buffer], step.indices):
                offset = offset * size + int(slots[index])
            slots[step.result] = read(step.buffer, offset, plan.dtypes[step.buffer], steps)
        elif isinstance(step, Alloc):
            dims = iter(slots[d] for d in step.dims)
            shape = tuple(int(next(dims)) if s is None else s for s in step.shape)
            buffer_shapes[step.result] = shape
            alignment[step.result] = 0  # the allocator's blocks are 512-byte aligned
            steps.append(ConcreteAlloc(step.result, shape, step.dtype))
        elif isinstance(step, Dealloc):
            steps.append(ConcreteDealloc(step.buffer))
        elif isinstance(step, Launch):
            launch = _concrete_launch(step, slots, plan.kernels.get(step.kernel))
            if launch is not None:
                steps.append(launch)
        elif isinstance(step, Gemm):
            sizes = [int(slots[s]) for s in step.sizes]
            m, n, k, lda, ldb, ldc = sizes[:6]
            count, strides = (sizes[6], (sizes[7], sizes[8], sizes[9])) if step.batched else (1, (0, 0, 0))
            if m and n and count:
                operands = (step.a, step.b, step.c, step.alpha, step.beta)
                gemm = ConcreteGemm(*operands, m, n, k, lda, ldb, ldc, step.trans_a, step.trans_b, step.dtype, count, strides)
                steps.append(gemm)
        elif isinstance(step, Copy):
            shape = buffer_shapes[step.source]
            nbytes = int(np.prod(shape, dtype=np.int64)) * plan.dtypes[step.source].itemsize
            if nbytes:
                steps.append(ConcreteCopy(step.source, step.target, nbytes))
    return ConcretePlan(steps, buffer_shapes)


def _concrete_launch(step: Launch, slots: list[Any], info: KernelInfo | None = None) -> ConcreteLaunch | None:
    grid = tuple(int(slots[g]) for g in step.grid)
    block = tuple(int(slots[b]) for b in step.block)
    if 0 in grid or 0 in block:
        return None  # nothing to do (an empty tensor)
    if any(d < 0 for d in (*grid, *block)):
        raise ValueError(f"internal error: launch of {step.kernel} with grid {grid}, block {block}")
    limit = MAX_BLOCK_THREADS if info is None or info.max_threads is None else min(info.max_threads, MAX_BLOCK_THREADS)
    if block[0] * block[1] * block[2] > limit:
        raise ValueError(f"internal error: {step.kernel}: block {block} has more than {limit} threads (its launch bounds)")
    if grid[0] > MAX_GRID_X or grid[1] > MAX_GRID_YZ or grid[2] > MAX_GRID_YZ:
        raise ValueError(f"{step.kernel}: grid {grid} exceeds the device's limits ({MAX_GRID_X}, {MAX_GRID_YZ}, {MAX_GRID_YZ})")
    shared = 0 if step.shared is None else int(slots[step.shared])
    values = tuple(None if a.is_buffer else _scalar(slots[a.slot], a.ctype) for a in step.args)
    buffers = tuple((i, a.slot) for i, a in enumerate(step.args) if a.is_buffer)
    grid3 = (grid[0], grid[1], grid[2])
    block3 = (block[0], block[1], block[2])
    return ConcreteLaunch(step.kernel, grid3, block3, shared, values, buffers, tuple(a.ctype for a in step.args))


def _scalar(value: Any, ctype: Any) -> Any:
    if ctype in (ctypes.c_float, ctypes.c_double):
        return float(value)
    if ctype is ctypes.c_bool:
        return bool(value)
    return int(value)


# ------------------------------------------------------------------ building


def find_host_function(module: ModuleOp) -> func.FuncOp:
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == "main":
            return op
    for op in module.ops:
        if isinstance(op, func.FuncOp):
            return op
    raise ValueError("no host function (func.func) in the gpu-level module")


def kernels_of(module: ModuleOp) -> dict[str, KernelInfo]:
    """Every gpu.func of every gpu.module, by name."""
    found: dict[str, KernelInfo] = {}
    for op in module.ops:
        if not isinstance(op, gpu.ModuleOp):
            continue
        for kernel in op.body.block.ops:
            if not isinstance(kernel, gpu.FuncOp):
                continue
            name = kernel.sym_name.data
            block = _int_list(kernel.attributes.get(KNOWN_BLOCK_SIZE))
            tile = _int_list(kernel.attributes.get(GEMM_TILE))
            bounds = kernel.attributes.get(LAUNCH_BOUNDS)
            found[name] = KernelInfo(
                name,
                tuple(c_type(t) for t in kernel.function_type.inputs.data),
                (tuple(block) + (1, 1))[:3] if block else None,  # type: ignore[arg-type]
                (tile[0], tile[1]) if tile and len(tile) >= 2 else None,
                int(bounds.value.data) if isinstance(bounds, IntegerAttr) else None,
            )
    return found


def _int_list(attribute: Attribute | None) -> list[int] | None:
    if attribute is None:
        return None
    if isinstance(attribute, DenseArrayBase):
        return [int(x) for x in attribute.get_values()]
    if isinstance(attribute, ArrayAttr):
        return [int(x.value.data) for x in attribute.data if isinstance(x, IntegerAttr)]
    return None


def c_type(t: Attribute) -> Any:
    """The ctypes type a kernel argument of IR type `t` is passed as."""
    if isinstance(t, MemRefType):
        return ctypes.c_void_p
    if isinstance(t, IndexType):
        return ctypes.c_longlong
    if isinstance(t, Float32Type):
        return ctypes.c_float
    if isinstance(t, Float64Type):
        return ctypes.c_double
    if isinstance(t, IntegerType):
        width = t.width.data
        return {1: ctypes.c_bool, 8: ctypes.c_int8, 16: ctypes.c_int16, 32: ctypes.c_int32, 64: ctypes.c_int64}[width]
    raise TypeError(f"no kernel argument type for {t}")


def _static_shape(t: MemRefType) -> tuple[int | None, ...]:
    return tuple(None if d < 0 else d for d in t.get_shape())


def build_plan(module: ModuleOp) -> LaunchPlan:
    """The launch plan of a gpu-level module's host function; ValueError naming an
    op the host side cannot run."""
    function = find_host_function(module)
    kernels = kernels_of(module)
    slot: dict[SSAValue, int] = {}

    def new(value: SSAValue) -> int:
        slot[value] = len(slot)
        return slot[value]

    arguments = []
    for arg in function.body.block.args:
        if not isinstance(arg.type, MemRefType):
            raise TypeError(f"host function argument of type {arg.type}: only memrefs are supported")
        arguments.append(Argument(new(arg), _static_shape(arg.type), numpy_dtype(arg.type.element_type)))
    steps: list[Step] = []
    uses_alignment = False
    for op in function.body.block.ops:
        step = _step(op, slot, new, kernels)
        if step is None:
            continue
        uses_alignment |= isinstance(step, Aligned)
        steps.append(step)
    dtypes = {a.slot: a.dtype for a in arguments} | {s.result: s.dtype for s in steps if isinstance(s, Alloc)}
    reads = any(isinstance(s, Load) for s in steps)
    return LaunchPlan(arguments, steps, len(slot), kernels, _errors(function), _inplace(function), uses_alignment, dtypes, reads)


def _step(op: Operation, slot: dict[SSAValue, int], new: Callable[[SSAValue], int], kernels: dict[str, KernelInfo]) -> Step | None:
    name = op.name
    if isinstance(op, func.ReturnOp):
        return None
    if isinstance(op, arith.ConstantOp):
        value = op.value
        if isinstance(value, IntegerAttr):
            constant: Any = int(value.value.data)
            if isinstance(value.type, IntegerType) and value.type.width.data == 1:
                constant = bool(constant & 1)
        elif isinstance(value, FloatAttr):
            constant = float(value.value.data)
        else:
            raise TypeError(f"host function: unsupported constant {value}")
        return Compute(name, new(op.results[0]), (), constant)
    if isinstance(op, arith.CmpiOp):
        predicate = op.predicate.value.data
        return Compute(name, new(op.results[0]), tuple(slot[o] for o in op.operands), predicate)
    if name == "arith.select" or name in _BINARY or name in _UNARY:
        return Compute(name, new(op.results[0]), tuple(slot[o] for o in op.operands))
    if isinstance(op, memref.DimOp):
        return Dim(new(op.results[0]), slot[op.source], slot[op.index])
    if isinstance(op, memref.LoadOp):
        return Load(new(op.results[0]), slot[op.memref], tuple(slot[i] for i in op.indices))
    if name == "tg_gpu.aligned":
        nbytes = op.attributes["bytes"]
        assert isinstance(nbytes, IntegerAttr)
        return Aligned(new(op.results[0]), tuple(slot[o] for o in op.operands), int(nbytes.value.data))
    if isinstance(op, gpu.AllocOp):
        t = op.result.type
        assert isinstance(t, MemRefType)
        if op.asyncToken is not None or op.asyncDependencies:
            raise ValueError("host function: async gpu.alloc is not supported")
        return Alloc(new(op.result), _static_shape(t), tuple(slot[d] for d in op.dynamicSizes), numpy_dtype(t.element_type))
    if isinstance(op, gpu.DeallocOp):
        return Dealloc(slot[op.buffer])
    if isinstance(op, gpu.LaunchFuncOp):
        return _launch(op, slot, kernels)
    if name in ("tg_gpu.gemm", "tg_gpu.batched_gemm"):
        batched = name == "tg_gpu.batched_gemm"
        fields = ["m", "n", "k", "lda", "ldb", "ldc"] + (["count", "stride_a", "stride_b", "stride_c"] if batched else [])
        a, b, c, alpha, beta = (slot[getattr(op, f)] for f in ("a", "b", "c", "alpha", "beta"))
        t = getattr(op, "c").type  # noqa: B009 - a tg_gpu op, typed as Operation here
        assert isinstance(t, MemRefType)
        return Gemm(
            a, b, c, alpha, beta, tuple(slot[getattr(op, f)] for f in fields),
            "trans_a" in op.attributes, "trans_b" in op.attributes, numpy_dtype(t.element_type), batched,
        )  # fmt: skip
    if isinstance(op, memref.CopyOp):
        return Copy(slot[op.source], slot[op.destination])
    if isinstance(op, gpu.MemcpyOp):
        return Copy(slot[op.src], slot[op.dst])
    raise ValueError(f"the host function of a gpu-level module cannot run {name}")


def _launch(op: gpu.LaunchFuncOp, slot: dict[SSAValue, int], kernels: dict[str, KernelInfo]) -> Launch:
    reference = op.kernel
    nested = [r.data for r in reference.nested_references.data]
    kernel = nested[-1] if nested else reference.root_reference.data
    if kernel not in kernels:
        raise ValueError(f"gpu.launch_func of {kernel}: no such gpu.func")
    if op.asyncToken is not None or op.asyncDependencies or op.clusterSizeX is not None:
        raise ValueError("host function: async or clustered launches are not supported")
    declared = kernels[kernel].arg_ctypes
    operands = list(op.kernelOperands)
    if len(operands) != len(declared):
        raise ValueError(f"gpu.launch_func of {kernel}: {len(operands)} arguments for {len(declared)} parameters")
    args = tuple(KernelArg(slot[v], t, isinstance(v.type, MemRefType)) for v, t in zip(operands, declared))
    grid = (slot[op.gridSizeX], slot[op.gridSizeY], slot[op.gridSizeZ])
    block = (slot[op.blockSizeX], slot[op.blockSizeY], slot[op.blockSizeZ])
    shared = None if op.dynamicSharedMemorySize is None else slot[op.dynamicSharedMemorySize]
    return Launch(kernel, grid, block, shared, args)


def _errors(function: func.FuncOp) -> list[str]:
    errors = function.attributes.get("tg.errors")
    if isinstance(errors, ArrayAttr):
        return [e.data for e in errors.data if isinstance(e, StringAttr)]
    return []


def _inplace(function: func.FuncOp) -> dict[int, int]:
    pairs = _int_list(function.attributes.get("tg.inplace_updates")) or []
    return dict(zip(pairs[0::2], pairs[1::2]))


# ------------------------------------------------------------------ memory layout

ARENA_ALIGNMENT = 512
"""Every temporary starts at a multiple of this many bytes (16-byte vector access,
and cuBLAS's preferred 256-byte alignment)."""


def arena_layout(steps: Sequence[ConcreteStep]) -> tuple[dict[int, int], int]:
    """Offsets of the temporaries (`ConcreteAlloc`s) in one arena, and its size: a
    block freed by `ConcreteDealloc` is reused by a later allocation that fits
    (first fit; the device runs the steps in order on one stream, so reuse is safe)."""
    offsets: dict[int, int] = {}
    sizes: dict[int, int] = {}
    free: list[tuple[int, int]] = []
    """(offset, size) of freed blocks, by offset."""
    top = 0
    for step in steps:
        if isinstance(step, ConcreteAlloc):
            size = max(ARENA_ALIGNMENT, -(-step.nbytes // ARENA_ALIGNMENT) * ARENA_ALIGNMENT)
            for i, (offset, room) in enumerate(free):
                if room >= size:
                    free[i : i + 1] = [(offset + size, room - size)] if room > size else []
                    break
            else:
                offset, top = top, top + size
            offsets[step.slot], sizes[step.slot] = offset, size
        elif isinstance(step, ConcreteDealloc) and step.slot in sizes:
            free.append((offsets[step.slot], sizes.pop(step.slot)))
            free.sort()
            merged: list[tuple[int, int]] = []
            for offset, room in free:  # neighbours become one block
                if merged and merged[-1][0] + merged[-1][1] == offset:
                    merged[-1] = (merged[-1][0], merged[-1][1] + room)
                else:
                    merged.append((offset, room))
            free = merged
    return offsets, top
