"""convert-buffers-to-gpu: buffers-level functions to the gpu level.

Each `tg.compute` becomes one or more CUDA kernels (`gpu.func`s in `gpu.module
@kernels`) launched from the host function, which keeps the function's signature
and attributes (plus `tg.errors`). Intermediate buffers are `gpu.alloc`ed where
first written and freed at their `tg.release`; constant arrays become `__device__`
constants of the gpu.module. A kernel body is built as the CPU path builds a loop
body (elementwise ops and views computed inline per element), with one of the
mappings of gpu_elementwise, gpu_reduce, gpu_indexing, gpu_nonzero, gpu_nnet and
gpu_blas; consecutive row-by-row computes (softmax, log-softmax) become one kernel
(gpu_row_chain); the fallback GEMM kernels join the module when a GEMM needs them.
gpu_simulator runs the result on the CPU (for tests without a GPU).

After a check that may fail, an in-place write into the caller's storage (and every
kernel after it) runs only while the status is 0: such kernels start by reading it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.dialects import tg, tg_control, tg_gpu, tg_random, tg_reduce
from tg.dialects.tensor_types import static_shape
from tg.dialects.tg_kernel import BufferOp, ComputeOp, ReleaseOp
from tg.lowering.convert_tg_to_loops import (
    MATERIALIZERS,
    computed_inline,
    load_extensions,
)
from tg.lowering.gpu_host import GPU_MATERIALIZERS, DeviceGlobal, HostBuilder
from tg.lowering.gpu_kernel_builder import UNSUPPORTED, remove_dead_code
from tg.lowering.gpu_row_chain import find_chains, lower_chain
from xdsl.context import Context
from xdsl.dialects import func, gpu, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnitAttr,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

EXTENSIONS = (
    "tg.lowering.gpu_scalar_math",
    "tg.lowering.gpu_reduce",
    "tg.lowering.gpu_indexing",
    "tg.lowering.gpu_nonzero",
    "tg.lowering.gpu_nnet",
    "tg.lowering.gpu_blas",
)
"""Modules that register their GPU lowerings when imported."""

NO_GPU_LOWERING: tuple[type[Operation], ...] = (
    tg_random.RandomUniformOp,
    tg_random.RandomNormalOp,
    tg_random.RandomCategoricalOp,
    tg_random.RandomPermutationOp,
    tg_random.RandomMultinomialOp,
    tg_control.MapOp,
)
"""Ops the GPU path does not lower (yet): NotImplementedError naming the op."""


def load_gpu_extensions() -> None:
    import importlib

    load_extensions()
    for name in EXTENSIONS:
        importlib.import_module(name)
    UNSUPPORTED.update(NO_GPU_LOWERING)


def lower_compute(host: HostBuilder, body: Block, ins: Sequence[SSAValue], outs: Sequence[SSAValue]) -> None:
    """The kernels of one kernel body (a `tg.compute`), as LoopsBuilder.lower_kernel
    chooses its loop nests: stored ops first (each into its output or a temporary),
    then a reduction with its side outputs and epilogue, or the elementwise stores."""
    from tg.lowering.gpu_elementwise import store_values
    from tg.lowering.gpu_reduce import reduce

    for arg, buffer in zip(body.args, ins):
        host.buffers[arg] = buffer
    terminator = body.last_op
    assert terminator is not None
    yields = list(terminator.operands)
    dests = dict(zip(yields, outs))
    reduction: tg.ReduceOp | None = None
    temporaries: list[SSAValue] = []
    for op in body.ops:
        if op is terminator or computed_inline(op):
            continue
        if type(op) in UNSUPPORTED:
            raise NotImplementedError(f"convert-buffers-to-gpu: no GPU lowering for {op.name}")
        value = op.results[0]
        plain = isinstance(op, tg.ReduceOp) and type(op) in _PLAIN_REDUCTIONS and reduction is None
        if plain and (value not in dests or len(yields) > 1):
            reduction = op  # read by an epilogue, or stored with side outputs
            continue
        if isinstance(op, tg.ConstantOp):
            host.buffers[value] = host.constant_global(op)
            continue
        dest = dests.get(value)
        if dest is None:
            dest = host.allocate(value)
            temporaries.append(dest)
        materialize(host, op, dest)
        host.buffers[value] = dest
    if reduction is not None:
        rank = len(static_shape(reduction.input.type))
        side = [(y, d) for y, d in dests.items() if len(static_shape(y.type)) == rank]
        (result,) = [y for y in yields if len(static_shape(y.type)) != rank]
        reduce(host, reduction, dests[result], side, result)
    else:
        pairs = [(y, d) for y, d in dests.items() if host.buffers.get(y) is not d]
        if pairs:
            store_values(host, pairs)
    for buffer in temporaries:
        host.free(buffer)


def materialize(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """Compute a stored op's value into `dest`."""
    from tg.lowering.gpu_elementwise import store_values

    lowering = GPU_MATERIALIZERS.get(type(op))
    if lowering is not None:
        lowering(host, op, dest)
    elif type(op) in MATERIALIZERS:
        raise NotImplementedError(f"convert-buffers-to-gpu: no GPU lowering for {op.name}")
    else:
        store_values(host, [(op.results[0], dest)])


_PLAIN_REDUCTIONS: tuple[type[Operation], ...] = (
    tg.SumOp,
    tg.MaxOp,
    tg_reduce.MinOp,
    tg_reduce.ProdOp,
)
"""Reductions with side outputs and epilogues (gpu_reduce.reduce)."""


def lower_function(function: func.FuncOp, kernels: Block, globals_: dict[str, memref.GlobalOp]) -> func.FuncOp:
    """The host function of a buffers-level function, its kernels added to `kernels`."""
    old = function.body.block
    block = Block(arg_types=[a.type for a in old.args])
    host = HostBuilder(block, kernels, function.sym_name.data, block.args[-1])
    values: dict[SSAValue, object] = {}
    for a, new in zip(old.args, block.args):
        new.name_hint = a.name_hint
        values[a] = new
    external = set(block.args[:-1])
    may_fail = False
    chains = find_chains(function)
    fused: set[ComputeOp] = set()
    virtual: set[SSAValue] = set()
    for op in old.ops:
        errors = len(host.errors)
        if isinstance(op, BufferOp) or op in fused:
            continue  # allocated by its first writer; or lowered with its row chain
        if isinstance(op, memref.GetGlobalOp):
            values[op.memref] = _device_global(host, globals_[op.name_.root_reference.data])
        elif isinstance(op, ComputeOp) and op in chains and lower_chain(host, chains[op], values):
            fused.update(s.compute for s in chains[op].stages)
            virtual |= chains[op].virtual
            may_fail = may_fail or len(host.errors) > errors
        elif isinstance(op, ComputeOp):
            ins = [values[v] for v in op.ins]
            outs: list[SSAValue] = []
            for v, y in zip(op.outs, op.yielded):
                if v not in values:
                    values[v] = host.allocate_for(y, v.type, ins, op.body.block)  # type: ignore[arg-type]
                outs.append(values[v])  # type: ignore[arg-type]
            if may_fail and any(o in external and o in ins for o in outs):
                host.waits_for_status = True  # an in-place write into the caller's storage
            lower_compute(host, op.body.block, ins, outs)  # type: ignore[arg-type]
            may_fail = may_fail or len(host.errors) > errors
        elif isinstance(op, ReleaseOp):
            if op.buffer not in virtual:
                host.free(values[op.buffer])  # type: ignore[arg-type]
        elif isinstance(op, func.ReturnOp):
            host.free_constants()
            host.emit(func.ReturnOp())
        else:
            raise NotImplementedError(f"convert-buffers-to-gpu: unexpected {op.name} at the buffers level")
    remove_dead_code(block)  # sizes only a discarded kernel build asked for
    lowered = func.FuncOp(function.sym_name.data, ([a.type for a in old.args], []), Region(block))
    for name, attr in function.attributes.items():
        if name not in ("sym_name", "function_type"):
            lowered.attributes[name] = attr
    if host.errors:
        lowered.attributes["tg.errors"] = ArrayAttr([StringAttr(e) for e in host.errors])
    return lowered


def _device_global(host: HostBuilder, op: memref.GlobalOp) -> DeviceGlobal:
    t = op.type
    assert isinstance(t, MemRefType) and isinstance(op.initial_value, DenseIntOrFPElementsAttr)
    count = 1
    for d in t.get_shape():
        count *= d
    values = list(op.initial_value.get_values())
    if len(values) == 1 and count != 1:
        values *= count  # a splat
    return host.device_global(f"{host.prefix}_{op.sym_name.data}", t.element_type, values)


def _add_gemm_kernels(module: ModuleOp, kernels: Block, host: HostBuilder) -> None:
    from tg.lowering.gpu_gemm_kernel import gemm_kernel, gemm_kernel_name

    elements = {}
    for op in module.walk():
        if isinstance(op, tg_gpu.GemmOp | tg_gpu.BatchedGemmOp):
            t = op.a.type
            assert isinstance(t, MemRefType)
            elements[gemm_kernel_name(t.element_type)] = t.element_type
    for element in elements.values():
        kernels.add_op(gemm_kernel(host, element))


@dataclass(frozen=True)
class ConvertBuffersToGpu(ModulePass):
    """Lower every buffers-level function of the module to the gpu level (a tg-level
    function is fused and bufferized first)."""

    name = "convert-buffers-to-gpu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from tg.passes.bufferize import to_buffers_level

        load_gpu_extensions()
        to_buffers_level(op)
        functions = [f for f in op.ops if isinstance(f, func.FuncOp)]
        globals_ = {g.sym_name.data: g for g in op.ops if isinstance(g, memref.GlobalOp)}
        kernels = Block()
        lowered = [lower_function(f, kernels, globals_) for f in functions]
        for old in [*functions, *globals_.values()]:
            op.body.block.erase_op(old)
        module = gpu.ModuleOp(StringAttr("kernels"), Region(kernels))  # type: ignore[arg-type]
        op.body.block.add_op(module)
        for f in lowered:
            op.body.block.add_op(f)
        if lowered:
            host = HostBuilder(Block(), kernels, "gemm", lowered[0].body.block.args[-1])
            _add_gemm_kernels(op, kernels, host)
        op.attributes["gpu.container_module"] = UnitAttr()
