"""A second process for LLVM, so that a compile uses both cores.

llvmlite serializes every call into LLVM behind one lock, so threads cannot share
LLVM's work. A worker is a fresh interpreter running `tg.lowering.llvm_codegen`
(which imports llvmlite alone): it starts in about 40 ms, shares no memory with this
process (a forked copy would make every page this process writes afterwards a
copy-on-write fault), and answers requests for object code in order.

A cold compile (`session`) starts one while a second core is idle and the compile
will use it: then it compiles the runtime's modules missing from the compile cache
(thread pool, memory pool) while this process runs the Python passes, and the half of
a large module that `tg.lowering.parallel_codegen` splits off. Nothing depends on
the worker: when it fails, or none runs, this process compiles the code itself.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

from tg.lowering.llvm_codegen import REPLY, REQUEST

BIG_GRAPH_OPS = 40
"""Graph-level ops from which a compile starts a worker for the halves of its module."""

_BOOT = (
    "import importlib.util as u, sys; s = u.spec_from_file_location('tg_llvm_codegen', sys.argv[1]); "
    "m = u.module_from_spec(s); s.loader.exec_module(m); m.serve(sys.stdin.buffer, sys.stdout.buffer)"
)


class LlvmWorker:
    """One worker process and the replies it has sent; safe to use from several threads."""

    def __init__(self) -> None:
        import tg.lowering.llvm_codegen as codegen

        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, codegen.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._replies: list[bytes | None] = []
        self._sent = 0
        self._ended = False
        self._changed = threading.Condition()
        self._writing = threading.Lock()
        self._prefetched: dict[str, tuple[int, tuple[str, ...]]] = {}
        threading.Thread(target=self._read_replies, name="tg-llvm-worker", daemon=True).start()

    def submit(self, text: str, opt_level: int) -> int:
        """Ask for the object code of `text` at `opt_level`; the ticket for `result`."""
        data = text.encode()
        with self._writing:
            ticket, self._sent = self._sent, self._sent + 1
            try:
                self.process.stdin.write(REQUEST.pack(len(data), opt_level) + data)  # type: ignore[union-attr]
                self.process.stdin.flush()  # type: ignore[union-attr]
            except (OSError, ValueError):  # the worker is gone: its tickets come back empty
                self._end()
        return ticket

    def result(self, ticket: int) -> bytes | None:
        """The object code of request `ticket` (waiting for it), or None if the worker
        failed to make it."""
        with self._changed:
            self._changed.wait_for(lambda: ticket < len(self._replies) or self._ended)
            return self._replies[ticket] if ticket < len(self._replies) else None

    def prefetch(self, key: str, text: str, opt_level: int) -> None:
        """Start compiling a module that will be looked up by compile-cache `key`."""
        from tg.lowering.jit import runtime_needs

        self._prefetched[key] = (self.submit(text, opt_level), runtime_needs(text))

    def take(self, key: str) -> bytes | None:
        """The object code prefetched under `key` (waiting for it), or None."""
        ticket, _ = self._prefetched.pop(key, (None, ()))
        return None if ticket is None else self.result(ticket)

    def close(self) -> None:
        """No more requests: the worker ends after its current one. Object code it has
        already prefetched and nobody took is stored in the compile cache."""
        from tg.runtime import compile_cache

        with self._writing:
            with contextlib.suppress(OSError, ValueError):
                self.process.stdin.close()  # type: ignore[union-attr]
        for key, (ticket, needs) in list(self._prefetched.items()):
            with self._changed:
                code = self._replies[ticket] if ticket < len(self._replies) else None
            if code is not None:
                compile_cache.store(key, compile_cache.CachedObject(code, needs))
        self._prefetched.clear()

    def _read_replies(self) -> None:
        out = self.process.stdout
        assert out is not None
        try:
            while len(header := out.read(REPLY.size)) == REPLY.size:
                status, size = REPLY.unpack(header)
                payload = out.read(size)
                if len(payload) < size:
                    break
                with self._changed:
                    self._replies.append(payload if status == 0 else None)
                    self._changed.notify_all()
        finally:
            self._end()
            out.close()
            self.process.wait()

    def _end(self) -> None:
        with self._changed:
            self._ended = True
            self._changed.notify_all()


_current: LlvmWorker | None = None
_lock = threading.Lock()


def current() -> LlvmWorker | None:
    """The worker of the compile under way, if it has one."""
    return _current


def second_core_idle() -> bool:
    """Whether a worker would get a core of its own: threads allowed, and fewer runnable
    processes over the last minute than this process's cores less one half. On a
    loaded machine the two processes only take turns on one core, and the worker
    costs more than it saves."""
    from tg import config

    if config.threads < 2:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    try:
        return os.getloadavg()[0] < cores - 0.5
    except (AttributeError, OSError):
        return False


def start() -> LlvmWorker | None:
    """A new worker, or None when none can be started (no interpreter to run, or
    the process could not be created)."""
    if not sys.executable:
        return None
    try:
        return LlvmWorker()
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def session(graph_ops: int) -> Iterator[LlvmWorker | None]:
    """A worker for the compile in the block (when no other compile holds one, a
    second core is idle, and the compile will use it: the runtime's modules are
    missing from the cache, or the graph has `BIG_GRAPH_OPS` ops or more)."""
    global _current
    from tg.runtime import compile_cache

    worker = None
    with _lock:
        if _current is None and compile_cache.cache_dir() is not None and second_core_idle():
            missing = _missing_runtime_modules()
            if missing or graph_ops >= BIG_GRAPH_OPS:
                worker = _current = start()
                if worker is not None:
                    for key, text, level in missing:
                        worker.prefetch(key, text, level)
    try:
        yield worker
    finally:
        if worker is not None:
            with _lock:
                _current = None
            worker.close()


def _missing_runtime_modules() -> list[tuple[str, str, int]]:
    """The cache key, LLVM IR text and optimization level of each runtime module this
    process has not loaded and the compile cache does not hold."""
    from tg.runtime import compile_cache, memory_pool, thread_pool

    modules = []  # the memory pool first: every compiled function loads it, not every one the thread pool
    if not memory_pool.memory_pool_loaded():
        modules.append((memory_pool.memory_pool_ir(), memory_pool.OPT_LEVEL))
    if not thread_pool.thread_pool_loaded():
        modules.append((thread_pool.thread_pool_ir(), thread_pool.OPT_LEVEL))
    keyed = [(compile_cache.text_key("llvmir", text, level), text, level) for text, level in modules]
    return [(key, text, level) for key, text, level in keyed if compile_cache.load(key) is None]
