"""The host function of the gpu level: device buffers, sizes and kernel launches.

HostBuilder builds `@main`'s body, which holds only what a Python launch plan runs:
index (and small integer) arithmetic, `memref.dim`, `gpu.alloc`/`gpu.dealloc`,
`gpu.launch_func`, `tg_gpu.gemm`/`tg_gpu.batched_gemm`, `memref.copy` and
`func.return`. Sizes of values are derived as the CPU path derives them (DIM_RULES),
from `memref.dim`s of the buffers; a size that depends on data (a reshape to a
size held in a device scalar) reads that 0-d buffer with `memref.load`, as does a
size that kernels count (GPU_DIM_RULES: tg.nonzero's). Kernels are built by
KernelBuilder and placed in the `gpu.module`; each op kind's lowering is in
GPU_MATERIALIZERS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tg.dialects import tg
from tg.dialects.tensor_types import memref_type, static_shape
from tg.lowering.convert_tg_to_loops import INDEX, LoopsBuilder
from tg.lowering.gpu_kernel_builder import BLOCK, KernelBuilder
from xdsl.dialects import arith, gpu, memref
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    MemRefType,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
    i32,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

MAX_GRID = 1 << 20
"""Most blocks of a grid-stride launch (each thread then loops)."""


@dataclass(frozen=True)
class DeviceGlobal:
    """A constant array in the gpu.module (`__device__ const`), flat."""

    name: str
    type: MemRefType


Materializer = Callable[["HostBuilder", Operation, SSAValue], None]

GPU_MATERIALIZERS: dict[type[Operation], Materializer] = {}
"""Stored ops' GPU lowerings: kernels (and host ops) computing the op into a buffer."""

DimRule = Callable[["HostBuilder", Operation], list[SSAValue]]

GPU_DIM_RULES: dict[type[Operation], DimRule] = {}
"""Sizes the host derives otherwise than the CPU's DIM_RULES (with kernels, for a size
that depends on data)."""


class HostBuilder(LoopsBuilder):
    """Builds the host function; `new_kernel()` starts a kernel, `launch()` places it."""

    def __init__(self, block: Block, kernels: Block, prefix: str, status: SSAValue):
        super().__init__(block, [], status)
        self.kernels = kernels
        self.prefix = prefix
        self.waits_for_status = False
        """Whether kernels built from now on run only while the status is 0."""
        self.count = 0
        self._buffer_dims: dict[tuple[SSAValue, int], SSAValue] = {}
        self.constants: dict[tuple[float, Attribute], SSAValue] = {}

    # ------------------------------------------------------------------- values

    def buffer_dim(self, buffer: SSAValue, axis: int) -> SSAValue:
        """memref.dim of a host buffer (emitted once)."""
        key = (buffer, axis)
        if key not in self._buffer_dims:
            self._buffer_dims[key] = self.emit(memref.DimOp(buffer, self.index(axis)))
        return self._buffer_dims[key]

    def buffer_sizes(self, buffer: SSAValue) -> list[SSAValue]:
        t = buffer.type
        assert isinstance(t, MemRefType)
        return [self.index(d) if d >= 0 else self.buffer_dim(buffer, a) for a, d in enumerate(t.get_shape())]

    def _dims(self, value: SSAValue) -> list[SSAValue]:
        buffer = self.buffers.get(value)
        if isinstance(buffer, SSAValue):
            dims = self.buffer_sizes(buffer)
            self.dim_cache[value] = dims
            return dims
        return super()._dims(value)

    def _derived_dims(self, value: SSAValue, static: tuple[int | None, ...]) -> list[SSAValue]:
        rule = GPU_DIM_RULES.get(type(value.owner))  # type: ignore[arg-type]
        if rule is not None:
            return rule(self, value.owner)  # type: ignore[arg-type]
        return super()._derived_dims(value, static)

    def _scalar(self, value: SSAValue, ivs: list[SSAValue]) -> SSAValue:
        if isinstance(self.buffers.get(value), DeviceGlobal):
            raise NotImplementedError("convert-buffers-to-gpu: a size read from a constant array")
        return super()._scalar(value, ivs)

    def fail_if(self, bad: SSAValue, error: str, message: str) -> None:
        """Checks are the kernels': they compute the same conditions."""

    def numel(self, dims: Sequence[SSAValue]) -> SSAValue:
        total = self.c1
        for d in dims:
            total = d if total is self.c1 else self.emit(arith.MuliOp(total, d))
        return total

    def checkpoint(self) -> tuple:
        """What `rollback` needs to undo everything emitted from now on."""
        caches = (dict(self.dim_cache), dict(self._buffer_dims), dict(self.entry_indices), dict(self.buffers))
        return self.block.last_op, len(self.errors), self.count, caches, len(self.kernels.ops)

    def rollback(self, checkpoint: tuple) -> None:
        last, errors, count, caches, kernels = checkpoint
        while self.block.last_op is not last:
            op = self.block.last_op
            assert op is not None
            op.detach()
            op.erase(safe_erase=False)
        while len(self.kernels.ops) > kernels:
            self.kernels.last_op.detach()  # type: ignore[union-attr]
        del self.errors[errors:]
        self.count = count
        self.dim_cache, self._buffer_dims, self.entry_indices, self.buffers = (dict(c) for c in caches)

    # ------------------------------------------------------------------ memory

    def allocate(self, value: SSAValue) -> SSAValue:
        t = memref_type(value.type)
        dynamic = [d for d, s in zip(self.dims(value), static_shape(value.type)) if s is None]
        return self.emit(gpu.AllocOp(t, dynamic))

    def allocate_for(self, value: SSAValue, t: Attribute, ins: Sequence[SSAValue], body: Block) -> SSAValue:
        for arg, buffer in zip(body.args, ins):
            self.buffers[arg] = buffer
        assert isinstance(t, MemRefType)
        dynamic = [d for d, s in zip(self.dims(value), t.get_shape()) if s < 0]
        return self.emit(gpu.AllocOp(t, dynamic))

    def scratch(self, element: Attribute, size: SSAValue | None) -> SSAValue:
        """A device buffer of `size` elements (a 0-d one without a size)."""
        if size is None:
            return self.emit(gpu.AllocOp(MemRefType(element, []), []))
        return self.emit(gpu.AllocOp(MemRefType(element, [DYNAMIC_INDEX]), [size]))

    def constant_scalar(self, value: float, element: Attribute) -> SSAValue:
        """A 0-d device buffer holding `value` for the rest of the function (filled
        when first needed, freed by `free_constants`)."""
        key = (value, element)
        if key not in self.constants:
            buffer = self.scratch(element, None)
            k = self.new_kernel("constant")
            k.store_flat(k.scalar_constant(value, element), buffer, k.c0)
            self.launch(k, self.c1, 1)
            self.constants[key] = buffer
        return self.constants[key]

    def free_constants(self) -> None:
        for buffer in self.constants.values():
            self.free(buffer)
        self.constants = {}

    def free(self, buffer: SSAValue) -> None:
        self.emit(gpu.DeallocOp(buffer))

    def device_global(self, name: str, element: Attribute, values: Sequence[float | int]) -> DeviceGlobal:
        """A constant array in the gpu.module."""
        flat = TensorType(element, [len(values)])
        t = MemRefType(element, [len(values)])
        data = DenseIntOrFPElementsAttr.from_list(flat, list(values))  # type: ignore[type-var]
        self.kernels.add_op(memref.GlobalOp.get(StringAttr(name), t, data, constant=UnitAttr()))
        return DeviceGlobal(name, t)

    def constant_global(self, op: tg.ConstantOp) -> DeviceGlobal:
        values = op.to_array().reshape(-1).tolist()
        self.count += 1
        return self.device_global(f"{self.prefix}_constant{self.count}", op.result.type.element_type, values)

    # ----------------------------------------------------------------- kernels

    def new_kernel(self, kind: str) -> KernelBuilder:
        self.count += 1
        return KernelBuilder(self, f"{self.prefix}_{kind}{self.count}")

    def launch(
        self,
        kernel: KernelBuilder,
        grid: SSAValue | Sequence[SSAValue],
        block: int | Sequence[int] = BLOCK,
        shared_bytes: SSAValue | None = None,
    ) -> None:
        """Place the kernel in the gpu.module and launch it."""
        self.kernels.add_op(kernel.finish())
        grid = [grid, self.c1, self.c1] if isinstance(grid, SSAValue) else list(grid)
        block = [block, 1, 1] if isinstance(block, int) else list(block)
        threads = [self.index(b) for b in block]
        ref = SymbolRefAttr("kernels", [kernel.name])
        self.emit(
            gpu.LaunchFuncOp(
                ref,
                grid,
                threads,
                kernelOperands=kernel.launch_args,
                dynamicSharedMemorySize=shared_bytes,
            )
        )

    def grid(self, work: SSAValue, per_block: int = BLOCK, limit: int = MAX_GRID) -> SSAValue:
        """Blocks for `work` items, `per_block` each: ceil(work / per_block) within
        [1, limit] (kernels loop over what a smaller grid leaves)."""
        blocks = work if per_block == 1 else self.emit(arith.CeilDivUIOp(work, self.index(per_block)))
        blocks = self.emit(arith.MinUIOp(blocks, self.index(limit)))
        return self.emit(arith.MaxUIOp(blocks, self.c1))

    def i32_constant(self, value: int) -> SSAValue:
        return self.emit(arith.ConstantOp(IntegerAttr(value, i32)))


def host_index(builder: LoopsBuilder, value: int) -> SSAValue:
    return builder.emit(arith.ConstantOp(IntegerAttr(value, INDEX)))
