"""llvm dialect → LLVM IR (xDSL's translator) → optimized object code in memory (llvmlite)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp


@functools.cache
def _initialized() -> bool:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return True


def target_machine(opt_level: int = 3):
    """A target machine for this host's CPU and features (each engine owns its own)."""
    import llvmlite.binding as llvm

    _initialized()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt_level,
        codemodel="jitdefault",
    )


def to_llvmir(module: ModuleOp) -> str:
    """The LLVM IR text of an llvm-dialect module, as handed to llvmlite."""
    from xdsl.backend.llvm.convert import convert_module
    from xdsl.dialects import llvm

    tm = target_machine()
    ir_module = convert_module(module, fallback_target_triple=tm.triple, data_layout=str(tm.target_data))
    for op in module.ops:  # the translator declares every function external
        if isinstance(op, llvm.FuncOp) and op.linkage.linkage.data in ("internal", "private"):
            ir_module.get_global(op.sym_name.data).linkage = op.linkage.linkage.data
    return str(ir_module)


@dataclass
class CompiledModule:
    """Machine code for one module, kept alive with its execution engine."""

    engine: object
    llvm_module: object

    def address(self, name: str) -> int:
        return self.engine.get_function_address(name)  # type: ignore[attr-defined]


def compile_llvmir(text: str, opt_level: int = 3) -> CompiledModule:
    """Optimize LLVM IR at `opt_level` (new pass manager, loop and SLP vectorizers on) and
    JIT it to machine code. IR that calls the thread pool, the memory pool or BLAS
    loads them first."""
    import llvmlite.binding as llvm
    from tg.runtime.thread_pool import calls_thread_pool, load_thread_pool

    if calls_thread_pool(text):
        load_thread_pool()
    if "tg_alloc" in text or "tg_free" in text:
        from tg.runtime.memory_pool import ensure_memory_pool

        ensure_memory_pool()
    if "tg_blas_" in text:
        from tg.runtime.blas import load_blas

        load_blas()

    tm = target_machine(opt_level)
    mod = llvm.parse_assembly(text)
    mod.verify()
    if opt_level > 0:
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
    engine = llvm.create_mcjit_compiler(mod, tm)
    engine.finalize_object()
    return CompiledModule(engine, mod)
