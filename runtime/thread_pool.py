"""tg's thread pool: native code, written here as LLVM IR, that runs parallel loops.

Compiled kernels call `tg_parallel_for(task, context, n, grain)` for each loop of
tg-outline-parallel-loops; `task(context, start, stop)` runs iterations [start, stop).
The iterations are cut into chunks of `max(grain, ceil(n / MAX_CHUNKS))`, whatever
the thread count, and `task` is called once per chunk: the iterations are independent,
and each one runs in the same code (a vectorized loop body or its remainder loop)
however the chunks are shared, so results never depend on the thread count. The
calling thread and up to `threads - 1` pool workers take chunks from a shared atomic
counter; the call returns when every chunk is done.

Workers are pthreads, started lazily and detached, that sleep on a condition
variable between loops (no spinning). A loop runs on the calling thread alone when it
has a single chunk, when `tg.config.threads` is 1, or when another loop holds the
pool (a second Python thread, or a loop inside a chunk): concurrent calls never wait
for each other and never deadlock. At exit the workers are asleep and end with the
process; their code is never freed. After `os.fork` the child's pool is reset to no
workers (the parent's do not exist there) and restarts on its first parallel loop.

The pool is compiled once per process, the first time a kernel that calls it is.
"""

from __future__ import annotations

import ctypes
import os
import re
import threading
from dataclasses import dataclass

MAX_CHUNKS = 64
"""Chunks a loop is cut into at most: enough to balance up to a few dozen threads."""

MAX_WORKERS = 255
"""Pool workers at most (the calling thread is one more)."""

OPT_LEVEL = 2
"""LLVM optimization level of the pool's code."""

_SYMBOL = "tg_parallel_for"
_SIG_SETMASK = 2
"""`how` of pthread_sigmask that replaces the mask (Linux)."""

_IR = """
; room for a pthread mutex or condition variable (40 and 48 bytes on x86-64 glibc)
%SYNC = type [64 x i8]

@lock = internal global %SYNC zeroinitializer, align 16
@work_posted = internal global %SYNC zeroinitializer, align 16
@work_done = internal global %SYNC zeroinitializer, align 16
@region = internal global %SYNC zeroinitializer, align 16
@threads = internal global i64 1, align 8
@started = internal global i64 0, align 8
@generation = internal global i64 0, align 8
@seen = internal global [MAX_WORKERS x i64] zeroinitializer, align 8
@job_task = internal global ptr null, align 8
@job_context = internal global ptr null, align 8
@job_n = internal global i64 0, align 8
@job_chunk = internal global i64 0, align 8
@job_chunks = internal global i64 0, align 8
@job_helpers = internal global i64 0, align 8
@next_chunk = internal global i64 0, align 8
@finished = internal global i64 0, align 8
@shared_loops = internal global i64 0, align 8

declare i32 @pthread_mutex_init(ptr, ptr)
declare i32 @pthread_mutex_lock(ptr)
declare i32 @pthread_mutex_trylock(ptr)
declare i32 @pthread_mutex_unlock(ptr)
declare i32 @pthread_cond_init(ptr, ptr)
declare i32 @pthread_cond_wait(ptr, ptr)
declare i32 @pthread_cond_signal(ptr)
declare i32 @pthread_cond_broadcast(ptr)
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_detach(i64)
declare i32 @sigfillset(ptr)
declare i32 @pthread_sigmask(i32, ptr, ptr)
declare i64 @llvm.umax.i64(i64, i64)
declare i64 @llvm.umin.i64(i64, i64)

; Fresh locks and no workers: at load, and in a child after fork (whose copies of
; the locks may have been held by threads that do not exist there).
define void @tg_pool_reset() {
  call i32 @pthread_mutex_init(ptr @lock, ptr null)
  call i32 @pthread_mutex_init(ptr @region, ptr null)
  call i32 @pthread_cond_init(ptr @work_posted, ptr null)
  call i32 @pthread_cond_init(ptr @work_done, ptr null)
  store i64 0, ptr @started
  ret void
}

define void @tg_pool_set_threads(i64 %n) {
  store atomic i64 %n, ptr @threads monotonic, align 8
  ret void
}

define i64 @tg_pool_threads() {
  %n = load atomic i64, ptr @threads monotonic, align 8
  ret i64 %n
}

define i64 @tg_pool_workers() {
  call i32 @pthread_mutex_lock(ptr @lock)
  %n = load i64, ptr @started
  call i32 @pthread_mutex_unlock(ptr @lock)
  ret i64 %n
}

define i64 @tg_pool_shared_loops() {
  call i32 @pthread_mutex_lock(ptr @lock)
  %n = load i64, ptr @shared_loops
  call i32 @pthread_mutex_unlock(ptr @lock)
  ret i64 %n
}

; Take chunks until none is left.
define internal void @run_chunks(ptr %task, ptr %context, i64 %n, i64 %chunk, i64 %chunks) {
entry:
  br label %take
take:
  %c = atomicrmw add ptr @next_chunk, i64 1 monotonic
  %left = icmp ult i64 %c, %chunks
  br i1 %left, label %run, label %out
run:
  %start = mul i64 %c, %chunk
  %end = add i64 %start, %chunk
  %stop = call i64 @llvm.umin.i64(i64 %end, i64 %n)
  call void %task(ptr %context, i64 %start, i64 %stop)
  br label %take
out:
  ret void
}

; The same chunks one after the other on this thread (so that each iteration runs in
; the same code, vector body or remainder loop, whatever the thread count).
define internal void @run_in_order(ptr %task, ptr %context, i64 %n, i64 %chunk, i64 %chunks) {
entry:
  br label %next
next:
  %c = phi i64 [ 0, %entry ], [ %c1, %run ]
  %left = icmp ult i64 %c, %chunks
  br i1 %left, label %run, label %out
run:
  %start = mul i64 %c, %chunk
  %end = add i64 %start, %chunk
  %stop = call i64 @llvm.umin.i64(i64 %end, i64 %n)
  call void %task(ptr %context, i64 %start, i64 %stop)
  %c1 = add i64 %c, 1
  br label %next
out:
  ret void
}

; A worker: sleeps until a loop is posted with it among the helpers, works on it,
; reports, sleeps again. Never returns.
define internal ptr @worker(ptr %arg) {
entry:
  %id = ptrtoint ptr %arg to i64
  call i32 @pthread_mutex_lock(ptr @lock)
  %seen_slot = getelementptr inbounds [MAX_WORKERS x i64], ptr @seen, i64 0, i64 %id
  %first = load i64, ptr %seen_slot
  br label %wait
wait:
  %seen = phi i64 [ %first, %entry ], [ %seen, %sleep ], [ %generation, %posted ], [ %generation, %report ]
  %generation = load i64, ptr @generation
  %new = icmp ne i64 %generation, %seen
  br i1 %new, label %posted, label %sleep
sleep:
  call i32 @pthread_cond_wait(ptr @work_posted, ptr @lock)
  br label %wait
posted:
  %helpers = load i64, ptr @job_helpers
  %mine = icmp ult i64 %id, %helpers
  br i1 %mine, label %work, label %wait
work:
  %task = load ptr, ptr @job_task
  %context = load ptr, ptr @job_context
  %n = load i64, ptr @job_n
  %chunk = load i64, ptr @job_chunk
  %chunks = load i64, ptr @job_chunks
  call i32 @pthread_mutex_unlock(ptr @lock)
  call void @run_chunks(ptr %task, ptr %context, i64 %n, i64 %chunk, i64 %chunks)
  call i32 @pthread_mutex_lock(ptr @lock)
  %done = load i64, ptr @finished
  %done1 = add i64 %done, 1
  store i64 %done1, ptr @finished
  %all = icmp eq i64 %done1, %helpers
  br i1 %all, label %signal, label %report
signal:
  call i32 @pthread_cond_signal(ptr @work_done)
  br label %report
report:
  br label %wait
}

define void @tg_parallel_for(ptr %task, ptr %context, i64 %n, i64 %grain) {
entry:
  %thread_id = alloca i64, align 8
  %all_signals = alloca [256 x i8], align 16
  %old_signals = alloca [256 x i8], align 16
  %any = icmp sgt i64 %n, 0
  br i1 %any, label %size, label %return
size:
  %min_chunk = call i64 @llvm.umax.i64(i64 %grain, i64 1)
  %n_up = add i64 %n, MAX_CHUNKS_LESS_ONE
  %even = udiv i64 %n_up, MAX_CHUNKS
  %chunk = call i64 @llvm.umax.i64(i64 %min_chunk, i64 %even)
  %chunk_less_one = sub i64 %chunk, 1
  %n_round = add i64 %n, %chunk_less_one
  %chunks = udiv i64 %n_round, %chunk
  %chunks_less_one = sub i64 %chunks, 1
  %threads = load atomic i64, ptr @threads monotonic, align 8
  %one_chunk = icmp eq i64 %chunks, 1
  %one_thread = icmp sle i64 %threads, 1
  %alone = or i1 %one_chunk, %one_thread
  br i1 %alone, label %sequential, label %claim
sequential:
  call void @run_in_order(ptr %task, ptr %context, i64 %n, i64 %chunk, i64 %chunks)
  br label %return
claim:
  %busy = call i32 @pthread_mutex_trylock(ptr @region)
  %free = icmp eq i32 %busy, 0
  br i1 %free, label %split, label %sequential
split:
  %others = sub i64 %threads, 1
  %some = call i64 @llvm.umin.i64(i64 %others, i64 %chunks_less_one)
  %wanted = call i64 @llvm.umin.i64(i64 %some, i64 MAX_WORKERS)
  call i32 @pthread_mutex_lock(ptr @lock)
  br label %spawn
spawn:
  %count = load i64, ptr @started
  %more = icmp ult i64 %count, %wanted
  br i1 %more, label %create, label %post
create:
  %now = load i64, ptr @generation
  %slot = getelementptr inbounds [MAX_WORKERS x i64], ptr @seen, i64 0, i64 %count
  store i64 %now, ptr %slot
  %id = inttoptr i64 %count to ptr
  ; workers block every signal (they inherit the mask), so signals reach Python's threads
  call i32 @sigfillset(ptr %all_signals)
  call i32 @pthread_sigmask(i32 SIG_SETMASK, ptr %all_signals, ptr %old_signals)
  %failed = call i32 @pthread_create(ptr %thread_id, ptr null, ptr @worker, ptr %id)
  call i32 @pthread_sigmask(i32 SIG_SETMASK, ptr %old_signals, ptr null)
  %created = icmp eq i32 %failed, 0
  br i1 %created, label %detach, label %post
detach:
  %handle = load i64, ptr %thread_id
  call i32 @pthread_detach(i64 %handle)
  %count1 = add i64 %count, 1
  store i64 %count1, ptr @started
  br label %spawn
post:
  %running = load i64, ptr @started
  %helpers = call i64 @llvm.umin.i64(i64 %wanted, i64 %running)
  %none = icmp eq i64 %helpers, 0
  br i1 %none, label %solo, label %dispatch
solo:
  call i32 @pthread_mutex_unlock(ptr @lock)
  call i32 @pthread_mutex_unlock(ptr @region)
  br label %sequential
dispatch:
  store ptr %task, ptr @job_task
  store ptr %context, ptr @job_context
  store i64 %n, ptr @job_n
  store i64 %chunk, ptr @job_chunk
  store i64 %chunks, ptr @job_chunks
  store i64 %helpers, ptr @job_helpers
  store atomic i64 0, ptr @next_chunk monotonic, align 8
  store i64 0, ptr @finished
  %before = load i64, ptr @generation
  %after = add i64 %before, 1
  store i64 %after, ptr @generation
  %shared = load i64, ptr @shared_loops
  %shared1 = add i64 %shared, 1
  store i64 %shared1, ptr @shared_loops
  call i32 @pthread_cond_broadcast(ptr @work_posted)
  call i32 @pthread_mutex_unlock(ptr @lock)
  call void @run_chunks(ptr %task, ptr %context, i64 %n, i64 %chunk, i64 %chunks)
  call i32 @pthread_mutex_lock(ptr @lock)
  br label %await
await:
  %done = load i64, ptr @finished
  %all = icmp uge i64 %done, %helpers
  br i1 %all, label %finish, label %wait
wait:
  call i32 @pthread_cond_wait(ptr @work_done, ptr @lock)
  br label %await
finish:
  call i32 @pthread_mutex_unlock(ptr @lock)
  call i32 @pthread_mutex_unlock(ptr @region)
  br label %return
return:
  ret void
}
"""


def thread_pool_ir() -> str:
    """The pool's LLVM IR."""
    return (
        _IR.replace("MAX_CHUNKS_LESS_ONE", str(MAX_CHUNKS - 1))
        .replace("MAX_CHUNKS", str(MAX_CHUNKS))
        .replace("MAX_WORKERS", str(MAX_WORKERS))
        .replace("SIG_SETMASK", str(_SIG_SETMASK))
    )


class _Pool:
    """The compiled pool and its entry points (kept for the life of the process)."""

    def __init__(self) -> None:
        import llvmlite.binding as llvm
        from tg.config import watch_flag
        from tg.lowering.jit import compile_llvmir

        self.compiled = compile_llvmir(thread_pool_ir(), OPT_LEVEL)
        self.reset = ctypes.CFUNCTYPE(None)(self.compiled.address("tg_pool_reset"))
        self.set_threads = ctypes.CFUNCTYPE(None, ctypes.c_int64)(self.compiled.address("tg_pool_set_threads"))
        self.threads = ctypes.CFUNCTYPE(ctypes.c_int64)(self.compiled.address("tg_pool_threads"))
        self.workers = ctypes.CFUNCTYPE(ctypes.c_int64)(self.compiled.address("tg_pool_workers"))
        self.shared_loops = ctypes.CFUNCTYPE(ctypes.c_int64)(self.compiled.address("tg_pool_shared_loops"))
        self.reset()
        llvm.add_symbol(_SYMBOL, self.compiled.address(_SYMBOL))
        watch_flag("threads", lambda n: self.set_threads(max(1, int(n))))
        os.register_at_fork(after_in_child=self.reset)
        # workers may sleep in this code until the process ends: never free it
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(self.compiled))


_pool: _Pool | None = None
_loading = threading.Lock()


def _new_loading_lock() -> None:
    """In a child after fork: the parent's lock may have been held by another thread."""
    global _loading
    _loading = threading.Lock()


os.register_at_fork(after_in_child=_new_loading_lock)


def thread_pool_loaded() -> bool:
    """Whether this process has compiled (or loaded) the pool."""
    return _pool is not None


def load_thread_pool() -> None:
    """Compile the pool and make `tg_parallel_for` resolvable by later JIT'd modules
    (once per process; safe to call from several threads)."""
    global _pool
    with _loading:
        if _pool is None:
            _pool = _Pool()


@dataclass(frozen=True)
class PoolState:
    """What the pool reports: for tests and diagnostics."""

    threads: int
    workers: int
    """Workers started (they live until the process ends)."""
    shared_loops: int
    """Loops split across threads so far (not those run by the calling thread alone)."""


def pool_state() -> PoolState | None:
    """The pool's state, or None before it is loaded."""
    if _pool is None:
        return None
    return PoolState(_pool.threads(), _pool.workers(), _pool.shared_loops())


_DECLARATION = re.compile(rf'^declare [^@\n]*@"?{_SYMBOL}"?\(', re.MULTILINE)


def calls_thread_pool(llvm_ir: str) -> bool:
    """Whether LLVM IR text declares `tg_parallel_for` (so needs the pool loaded)."""
    return _DECLARATION.search(llvm_ir) is not None
