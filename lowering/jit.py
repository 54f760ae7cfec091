"""llvm dialect → LLVM IR text (our printer) → optimized object code in memory (llvmlite)."""

from __future__ import annotations

import re

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp


from tg.lowering.llvm_codegen import compile_object, optimize, target_machine  # noqa: F401  (tg's LLVM entry points)


def to_llvmir(module: ModuleOp) -> str:
    """The LLVM IR text of an llvm-dialect module, as handed to llvmlite."""
    from tg.lowering.llvmir_printer import print_llvmir

    triple, data_layout = _target_description()
    return print_llvmir(module, triple, data_layout)


@functools.cache
def _target_description() -> tuple[str, str]:
    """This host's target triple and data layout."""
    tm = target_machine()
    return tm.triple, str(tm.target_data)


@dataclass
class CompiledModule:
    """Machine code for one module, kept alive with its execution engine."""

    engine: object
    llvm_module: object
    object_code: ObjectCode | None = None
    """The object file(s) the engine loaded (when asked to keep them, or loaded from them)."""

    def address(self, name: str) -> int:
        return self.engine.get_function_address(name)  # type: ignore[attr-defined]


RUNTIME_PARTS = ("thread_pool", "memory_pool", "blas")
"""Parts of tg's runtime that generated code may call, loaded before it is."""


def runtime_needs(text: str) -> tuple[str, ...]:
    """The runtime parts that LLVM IR `text` calls."""
    from tg.runtime.thread_pool import calls_thread_pool

    needs = []
    if calls_thread_pool(text):
        needs.append("thread_pool")
    if re.search(r'^declare [^\n]*@"?tg_(alloc|free)\b', text, re.M):  # not the pool's own definitions
        needs.append("memory_pool")
    if re.search(r'^declare [^\n]*@"?tg_blas_', text, re.M):
        needs.append("blas")
    return tuple(needs)


def load_runtime(needs: Sequence[str]) -> None:
    """Make the symbols of runtime parts `needs` resolvable by code loaded after."""
    if "thread_pool" in needs:
        from tg.runtime.thread_pool import load_thread_pool

        load_thread_pool()
    if "memory_pool" in needs:
        from tg.runtime.memory_pool import ensure_memory_pool

        ensure_memory_pool()
    if "blas" in needs:
        from tg.runtime.blas import load_blas

        load_blas()


def compile_llvmir(
    text: str,
    opt_level: int = 3,
    *,
    keep_object: bool = False,
    cached: bool = True,
    profile: dict[str, float] | None = None,
) -> CompiledModule:
    """Optimize LLVM IR at `opt_level` (new pass manager, loop and SLP vectorizers on) and
    JIT it to machine code. IR that calls the thread pool, the memory pool or BLAS
    loads them first.

    `cached`: look the object code up in the compile cache by a hash of `text` (and
    store it there), as the runtime's own modules are; kernels pass False, their
    function's entry holds their code. `keep_object`: keep the object code in the
    result. `profile` gets the seconds spent parsing, optimizing and generating code.
    """
    import llvmlite.binding as llvm

    needs = runtime_needs(text)
    load_runtime(needs)
    key = None
    if cached:
        from tg.lowering import llvm_worker
        from tg.runtime import compile_cache

        if compile_cache.cache_dir() is not None:
            key = compile_cache.text_key("llvmir", text, opt_level)
            entry = compile_cache.load(key)
            if isinstance(entry, compile_cache.CachedObject):
                return load_object(entry.object_code, entry.runtime)
            worker = llvm_worker.current()
            prefetched = worker.take(key) if worker is not None else None
            if prefetched is not None:
                _store(key, prefetched, needs)
                return load_object(prefetched, needs)

    started = time.perf_counter()
    halves = _halves(text)
    if halves is not None:
        return _compile_halves(halves, opt_level, needs, keep_object, key, profile)
    tm = target_machine(opt_level)
    mod = llvm.parse_assembly(text)
    mod.verify()
    parsed = time.perf_counter()
    optimize(mod, tm, opt_level)
    optimized = time.perf_counter()
    objects: list[bytes] = []
    engine = llvm.create_mcjit_compiler(mod, tm)
    if keep_object or key is not None:
        engine.set_object_cache(notify_func=lambda _module, data: objects.append(bytes(data)))
    engine.finalize_object()
    if profile is not None:
        _add(profile, "llvm parse", parsed - started)
        _add(profile, "llvm optimize", optimized - parsed)
        _add(profile, "llvm codegen", time.perf_counter() - optimized)
    object_code = objects[0] if len(objects) == 1 else None
    _store(key, object_code, needs)
    return CompiledModule(engine, mod, object_code if keep_object else None)


def _compile_halves(
    halves: tuple[str, str],
    opt_level: int,
    needs: tuple[str, ...],
    keep_object: bool,
    key: str | None,
    profile: dict[str, float] | None,
) -> CompiledModule:
    """Compile the first half here while the compile's LLVM worker (or one started for
    it) compiles the second; link both object files in one engine. If the worker fails,
    its half is compiled here."""
    from tg.lowering import llvm_worker

    started = time.perf_counter()
    worker = llvm_worker.current()
    own = worker is None and (worker := llvm_worker.start()) is not None
    ticket = worker.submit(halves[1], opt_level) if worker is not None else None
    mine = compile_object(halves[0], opt_level)
    compiled = time.perf_counter()
    theirs = worker.result(ticket) if worker is not None and ticket is not None else None
    if own and worker is not None:
        worker.close()
    if theirs is None:
        theirs = compile_object(halves[1], opt_level)
    if profile is not None:
        _add(profile, "llvm optimize + codegen", compiled - started)
        _add(profile, "llvm child wait", time.perf_counter() - compiled)
    object_code = (mine, theirs)
    _store(key, object_code, needs)
    loaded = load_object(object_code, needs)
    return CompiledModule(loaded.engine, loaded.llvm_module, object_code if keep_object else None)


def _store(key: str | None, object_code: ObjectCode | None, needs: tuple[str, ...]) -> None:
    if key is not None and object_code is not None:
        from tg.runtime import compile_cache

        compile_cache.store(key, compile_cache.CachedObject(object_code, needs))


def _halves(text: str) -> tuple[str, str] | None:
    """`text` split for two processes, when this process may use two cores."""
    from tg.lowering.llvm_worker import second_core_idle
    from tg.lowering.parallel_codegen import split_llvmir

    return split_llvmir(text) if second_core_idle() else None


def load_object(object_code: ObjectCode, needs: Sequence[str]) -> CompiledModule:
    """Load object code made by `compile_llvmir` (no LLVM optimization or codegen):
    the runtime parts it calls first, then the code into an engine of its own."""
    import llvmlite.binding as llvm

    load_runtime(needs)
    module = llvm.parse_assembly("")
    engine = llvm.create_mcjit_compiler(module, target_machine())
    for part in (object_code,) if isinstance(object_code, bytes) else object_code:
        engine.add_object_file(llvm.ObjectFileRef.from_data(part))
    engine.finalize_object()
    return CompiledModule(engine, module, object_code)


def _add(profile: dict[str, float], stage: str, seconds: float) -> None:
    profile[stage] = profile.get(stage, 0.0) + seconds
