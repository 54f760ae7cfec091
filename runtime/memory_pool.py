"""Where generated code gets its large intermediate buffers: a small cache of freed
blocks, written here as LLVM IR.

A fresh `malloc` of tens of megabytes is a fresh `mmap`: every page faults on first
touch (about 20 ms for 40 MB on these machines), on every call. Kernels therefore
call `tg_alloc(bytes)` and `tg_free(pointer, bytes)`: blocks of at least
`THRESHOLD` bytes are kept, up to `SLOTS` of them, and handed back to the next
allocation of the same size (the next call of the same function), already mapped.
Smaller blocks go straight to malloc/free. A spin lock (held for a few loads)
guards the slots. `release()` frees the cached blocks.

Large function outputs come from the same pool (`empty`): the array owns its block
and gives it back when it is garbage collected, so a loop that calls a function and
drops the previous result reuses two blocks instead of faulting in new pages.

The pool is compiled once per process, the first time a kernel that calls it is.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

THRESHOLD = 1 << 16
"""Blocks smaller than this are not cached."""
SLOTS = 16
"""Freed blocks kept at most."""
OPT_LEVEL = 2
"""LLVM optimization level of the pool's code."""

_IR = f"""
@pointers = internal global [{SLOTS} x ptr] zeroinitializer, align 8
@sizes = internal global [{SLOTS} x i64] zeroinitializer, align 8
@held = internal global i32 0, align 4

declare ptr @malloc(i64)
declare void @free(ptr)
declare i32 @sched_yield()

define internal void @acquire() {{
entry:
  br label %try
try:
  %old = cmpxchg ptr @held, i32 0, i32 1 acquire monotonic
  %ok = extractvalue {{ i32, i1 }} %old, 1
  br i1 %ok, label %done, label %wait
wait:
  %y = call i32 @sched_yield()
  br label %try
done:
  ret void
}}

define internal void @release_lock() {{
  store atomic i32 0, ptr @held release, align 4
  ret void
}}

define ptr @tg_alloc(i64 %n) {{
entry:
  %small = icmp ult i64 %n, {THRESHOLD}
  br i1 %small, label %fresh, label %search
search:
  call void @acquire()
  br label %loop
loop:
  %i = phi i64 [ 0, %search ], [ %next, %skip ]
  %size_at = getelementptr inbounds [{SLOTS} x i64], ptr @sizes, i64 0, i64 %i
  %size = load i64, ptr %size_at, align 8
  %match = icmp eq i64 %size, %n
  br i1 %match, label %take, label %skip
take:
  %pointer_at = getelementptr inbounds [{SLOTS} x ptr], ptr @pointers, i64 0, i64 %i
  %p = load ptr, ptr %pointer_at, align 8
  store ptr null, ptr %pointer_at, align 8
  store i64 0, ptr %size_at, align 8
  call void @release_lock()
  ret ptr %p
skip:
  %next = add i64 %i, 1
  %more = icmp ult i64 %next, {SLOTS}
  br i1 %more, label %loop, label %miss
miss:
  call void @release_lock()
  br label %fresh
fresh:
  %q = call ptr @malloc(i64 %n)
  ret ptr %q
}}

define void @tg_free(ptr %p, i64 %n) {{
entry:
  %small = icmp ult i64 %n, {THRESHOLD}
  %null = icmp eq ptr %p, null
  %direct = or i1 %small, %null
  br i1 %direct, label %drop, label %search
search:
  call void @acquire()
  br label %loop
loop:
  %i = phi i64 [ 0, %search ], [ %next, %skip ]
  %size_at = getelementptr inbounds [{SLOTS} x i64], ptr @sizes, i64 0, i64 %i
  %size = load i64, ptr %size_at, align 8
  %empty = icmp eq i64 %size, 0
  br i1 %empty, label %keep, label %skip
keep:
  %pointer_at = getelementptr inbounds [{SLOTS} x ptr], ptr @pointers, i64 0, i64 %i
  store ptr %p, ptr %pointer_at, align 8
  store i64 %n, ptr %size_at, align 8
  call void @release_lock()
  ret void
skip:
  %next = add i64 %i, 1
  %more = icmp ult i64 %next, {SLOTS}
  br i1 %more, label %loop, label %full
full:
  call void @release_lock()
  br label %drop
drop:
  call void @free(ptr %p)
  ret void
}}

define void @tg_pool_release() {{
entry:
  call void @acquire()
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %pointer_at = getelementptr inbounds [{SLOTS} x ptr], ptr @pointers, i64 0, i64 %i
  %p = load ptr, ptr %pointer_at, align 8
  call void @free(ptr %p)
  store ptr null, ptr %pointer_at, align 8
  %size_at = getelementptr inbounds [{SLOTS} x i64], ptr @sizes, i64 0, i64 %i
  store i64 0, ptr %size_at, align 8
  %next = add i64 %i, 1
  %more = icmp ult i64 %next, {SLOTS}
  br i1 %more, label %loop, label %done
done:
  call void @release_lock()
  ret void
}}
"""


OUTPUT_THRESHOLD = 1 << 20
"""Outputs of at least this many bytes come from the pool."""


@dataclass
class _Pool:
    engine: object
    release: object
    alloc: object
    free: object


_pool: _Pool | None = None
_lock = threading.Lock()


def ensure_memory_pool() -> None:
    """Compile the pool (once per process) and make `tg_alloc`/`tg_free` resolvable
    by the kernels compiled after."""
    global _pool
    with _lock:
        if _pool is not None:
            return
        import llvmlite.binding as llvm
        from tg.lowering.jit import compile_llvmir

        compiled = compile_llvmir(_IR, OPT_LEVEL)  # object code cached like every runtime module
        for name in ("tg_alloc", "tg_free"):
            llvm.add_symbol(name, compiled.address(name))
        release_fn = ctypes.CFUNCTYPE(None)(compiled.address("tg_pool_release"))
        alloc = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)(compiled.address("tg_alloc"))
        free = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64)(compiled.address("tg_free"))
        _pool = _Pool(compiled, release_fn, alloc, free)


def memory_pool_ir() -> str:
    """The pool's LLVM IR."""
    return _IR


def memory_pool_loaded() -> bool:
    """Whether this process has compiled (or loaded) the pool."""
    return _pool is not None


def release() -> None:
    """Free the blocks the pool keeps (they are allocated again when next needed)."""
    if _pool is not None:
        _pool.release()  # type: ignore[operator]


class _Block:
    """A pool block seen by numpy; given back to the pool when the array dies."""

    __slots__ = ("__array_interface__", "address", "nbytes", "pool")

    def __init__(self, pool: _Pool, shape: tuple[int, ...], dtype: np.dtype, nbytes: int):
        self.pool = pool
        self.nbytes = nbytes
        self.address = pool.alloc(nbytes)  # type: ignore[operator]
        if not self.address:
            raise MemoryError(f"cannot allocate {nbytes} bytes for an output")
        self.__array_interface__ = {
            "shape": shape, "typestr": dtype.str, "data": (self.address, False), "version": 3,
        }

    def __del__(self) -> None:
        self.pool.free(self.address, self.nbytes)  # type: ignore[operator]


def empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialized C-contiguous array: from the pool when it is large."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < OUTPUT_THRESHOLD or _pool is None:
        return np.empty(shape, dtype)
    return np.asarray(_Block(_pool, tuple(shape), dtype, nbytes))
