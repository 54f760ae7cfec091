"""Running a gpu-level function: its kernels compiled once, its launch plan per call.

`GpuStageCode(module, device)` prints the module's kernels as CUDA C
(`tg.lowering.cuda_printer.print_cuda`), compiles them with NVRTC for the device's
arch (cached on disk), loads the CUBIN and builds the launch plan (`gpu_plan`).

A call evaluates the plan for the arguments' shapes once per distinct shapes
(memoized): temporaries get fixed offsets in one arena (`gpu_plan.arena_layout`),
owned by the stage and freed with it, and every launch gets its prebuilt argument
array with the temporaries' addresses already in it, so a repeated call only writes
the arguments' addresses and launches. GEMMs run through cuBLAS, or tg's own
`tg_gemm_*` kernels without it. The 4-byte status comes back once at the end and
a reported error raises the exception the CPU path raises.

A plan that reads sizes from device memory (`LaunchPlan.reads_device`) is evaluated
step by step on every call instead, its temporaries taken from a pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tg.runtime.gpu_plan import (
    FALLBACK_GEMM,
    MAX_GRID_YZ,
    ConcreteAlloc,
    ConcreteCopy,
    ConcreteDealloc,
    ConcreteGemm,
    ConcreteLaunch,
    ConcreteStep,
    KernelInfo,
    LaunchPlan,
    arena_layout,
    build_plan,
)
from tg.runtime.stage import raise_status
from xdsl.dialects.builtin import ModuleOp

MEMO_SIZE = 64
"""Distinct argument shapes whose prepared plans a stage keeps."""

Action = Callable[[list[int], dict[int, Any]], None]
"""One step of a call: (buffer addresses by slot, pool blocks held by slot)."""


def cuda_source(module: ModuleOp) -> str:
    """The CUDA C of a gpu-level module's kernels."""
    from tg.lowering.cuda_printer import print_cuda

    return print_cuda(module)


def compile_module(module: ModuleOp, arch: str, *, options: Sequence[str] = ()) -> Any:
    """Ahead-of-time: the module's kernels compiled for `arch` (`sm_90`), no GPU needed."""
    from tg.runtime.nvrtc import compile_cuda

    return compile_cuda(cuda_source(module), arch, options=options)


@dataclass
class _Prepared:
    """One shape's plan turned into calls."""

    actions: list[Action]
    offsets: list[tuple[int, int]] = field(default_factory=list)
    """(slot, arena offset) of every temporary."""
    arena_bytes: int = 0
    baked: list[tuple[Any, int]] = field(default_factory=list)
    """(argument-array view, arena offset): temporaries' addresses written into the
    prebuilt argument arrays, rewritten only when the arena moves."""
    baked_base: int = -1


class GpuStageCode:
    """A compiled gpu-level function on one device."""

    def __init__(self, module: ModuleOp, device: Any, *, source: str | None = None, use_cublas: bool | None = None) -> None:
        from tg.runtime import cublas
        from tg.runtime.cuda_driver import BufferPool, DeviceBuffer, Module
        from tg.runtime.nvrtc import compile_cuda

        self.device = device
        self.plan: LaunchPlan = build_plan(module)
        self.errors = self.plan.errors
        self.inplace = self.plan.inplace
        self.source = cuda_source(module) if source is None else source
        arch, _kind = device.compile_target()
        self.binary = compile_cuda(self.source, arch)
        device.make_current()
        self.module = Module.load(self.binary.image, device.ordinal)
        self.use_cublas = cublas.available() if use_cublas is None else use_cublas
        self.arena = DeviceBuffer(0, 0, device.ordinal)
        """The temporaries of a call (as large as the largest call needed so far)."""
        self.pool = BufferPool(device.ordinal, max_bytes=1 << 62)
        """Temporaries of plans that read sizes from the device."""
        self.status = DeviceBuffer.allocate(4, device.ordinal)
        self._status_host = np.zeros((), np.int32)
        self._memo: dict[Any, _Prepared] = {}
        self._status_slot = self.plan.arguments[-1].slot
        self._argument_slots = [a.slot for a in self.plan.arguments[:-1]]
        self._lock = threading.Lock()

    # ------------------------------------------------------------ calls

    def run(self, arguments: Sequence[Any], out_shapes: Sequence[Sequence[int]]) -> list[Any]:
        """The function's results for `arguments` (DeviceArrays; numpy arrays are
        copied in) with outputs of `out_shapes` (inplace outputs included: their
        shapes are ignored): fresh DeviceArrays, or the argument written in place."""
        from tg.runtime.cuda_driver import DeviceArray

        pool, stream = self.device.pool, self.device.stream
        args = [a if isinstance(a, DeviceArray) else DeviceArray.from_host(np.asarray(a), pool, stream) for a in arguments]
        outputs: list[DeviceArray] = []
        for k, shape in enumerate(out_shapes):
            if k not in self.inplace:
                dtype = self.plan.arguments[len(args) + len(outputs)].dtype
                outputs.append(DeviceArray.empty(tuple(shape), dtype, pool))
        self([*args, *outputs])
        results: list[Any] = list(outputs)
        for k in sorted(self.inplace):
            results.insert(k, args[self.inplace[k]])
        return results

    def __call__(self, buffers: Sequence[Any]) -> None:
        """Run the plan on device arrays for @main's arguments but the status
        (inputs, then outputs); raises the error a kernel reported. Calls from
        several threads take turns (they share argument arrays and the arena)."""
        with self._lock:
            self._call(buffers)

    def _call(self, buffers: Sequence[Any]) -> None:
        plan = self.plan
        if len(buffers) != len(self._argument_slots):
            raise RuntimeError(f"internal error: {len(buffers)} buffers for {len(self._argument_slots)} arguments")
        shapes = []
        for buffer, argument in zip(buffers, plan.arguments):
            if buffer.strides is not None:
                raise ValueError("GPU functions take C-contiguous arrays (make the tensor contiguous first)")
            if buffer.dtype != argument.dtype:
                raise RuntimeError(f"internal error: a {buffer.dtype} buffer for a {argument.dtype} argument")
            shapes.append(buffer.shape)
        shapes.append(())
        alignments = [b.ptr % 256 for b in buffers] + [0] if plan.uses_alignment else None
        self.device.make_current()
        pointers = [0] * plan.slots
        for buffer, slot in zip(buffers, self._argument_slots):
            pointers[slot] = buffer.ptr
        pointers[self._status_slot] = self.status.ptr
        stream = self.device.stream
        held: dict[int, Any] = {}
        try:
            if plan.reads_device:
                self.status.zero(stream)
                self._run_reading(shapes, alignments, pointers, held)
            else:
                prepared = self._prepared(shapes, alignments)
                base = self._arena_for(prepared)
                for slot, offset in prepared.offsets:
                    pointers[slot] = base + offset
                self.status.zero(stream)
                for action in prepared.actions:
                    action(pointers, held)
        finally:
            for buffer in held.values():
                buffer.close()  # back to the pool, after the queued work (same stream)
        self.status.copy_to_host(self._status_host, stream)
        code = int(self._status_host)
        if code:
            raise_status(code, self.errors)

    def _prepared(self, shapes: list[Any], alignments: list[int] | None) -> _Prepared:
        key: Any = tuple(shapes) if alignments is None else (tuple(shapes), tuple(alignments))
        prepared = self._memo.get(key)
        if prepared is None:
            steps = self.plan.concrete(shapes, alignments).steps
            offsets, size = arena_layout(steps)
            prepared = _Prepared([], sorted(offsets.items()), size)
            prepared.actions = self._actions(steps, offsets, prepared.baked)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = prepared
        return prepared

    def _arena_for(self, prepared: _Prepared) -> int:
        """The arena's address, grown to the plan's size; the plan's argument arrays
        rewritten when the arena moved since they were written."""
        from tg.runtime.cuda_driver import DeviceBuffer

        if prepared.arena_bytes > self.arena.nbytes:
            self.arena.close()  # cuMemFree waits for the work that may still use it
            self.arena = DeviceBuffer.allocate(prepared.arena_bytes, self.device.ordinal)
        base = self.arena.ptr
        if prepared.baked_base != base:
            for view, offset in prepared.baked:
                view.value = base + offset
            prepared.baked_base = base
        return base

    def _run_reading(self, shapes: list[Any], alignments: list[int] | None, pointers: list[int], held: dict[int, Any]) -> None:
        """Evaluate and run a plan that reads sizes from device memory: the steps
        before each read run first, then one element comes back (synchronizing)."""
        from tg.runtime.cuda_driver import DeviceBuffer

        done = 0

        def flush(steps: list[ConcreteStep]) -> None:
            nonlocal done
            for action in self._actions(steps[done:], None, None):
                action(pointers, held)
            done = len(steps)

        def read(slot: int, offset: int, dtype: np.dtype, steps: list[ConcreteStep]) -> Any:
            flush(steps)
            value = np.zeros((), dtype)
            element = DeviceBuffer(pointers[slot] + offset * dtype.itemsize, dtype.itemsize, self.device.ordinal)
            element.copy_to_host(value, self.device.stream)
            return value.item()

        flush(self.plan.concrete(shapes, alignments, read).steps)

    # ------------------------------------------------------------ preparing

    def _actions(
        self, steps: Sequence[ConcreteStep], offsets: dict[int, int] | None, baked: list[tuple[Any, int]] | None
    ) -> list[Action]:
        """The calls that run `steps`. With `offsets` (an arena layout) temporaries
        need no action and their addresses go into `baked`; without, they come from
        the pool as the steps run."""
        actions: list[Action] = []
        for step in steps:
            if isinstance(step, ConcreteAlloc):
                if offsets is None:
                    actions.append(self._alloc_action(step))
            elif isinstance(step, ConcreteDealloc):
                if offsets is None:
                    actions.append(_dealloc_action(step.slot))
            elif isinstance(step, ConcreteLaunch):
                actions.append(self._launch_action(step, offsets, baked))
            elif isinstance(step, ConcreteGemm):
                actions.extend(self._gemm_actions(step, offsets, baked))
            elif isinstance(step, ConcreteCopy):
                actions.append(self._copy_action(step))
        return actions

    def _alloc_action(self, step: ConcreteAlloc) -> Action:
        pool, nbytes, slot = self.pool, step.nbytes, step.slot

        def alloc(pointers: list[int], held: dict[int, Any]) -> None:
            buffer = held[slot] = pool.take(nbytes)
            pointers[slot] = buffer.ptr

        return alloc

    def _launch_action(
        self,
        step: ConcreteLaunch,
        offsets: dict[int, int] | None,
        baked: list[tuple[Any, int]] | None,
        shifts: dict[int, int] | None = None,
    ) -> Action:
        """A launch with its argument array built now; `shifts` adds a byte offset
        to some pointer arguments (by argument index: one matrix of a batch)."""
        from tg.runtime.cuda_driver import KernelArgs, _cu, check

        function = self.module.function(step.kernel)
        if step.shared > 48 * 1024:
            function.set_max_dynamic_shared(step.shared)
        args = KernelArgs(step.ctypes)
        for i, value in enumerate(step.values):
            if value is not None:
                args.set(i, value)
        shifts = shifts or {}
        patched = []
        for i, slot in step.buffers:
            view, shift = args.views[i], shifts.get(i, 0)
            if offsets is not None and baked is not None and slot in offsets:
                baked.append((view, offsets[slot] + shift))
            else:
                patched.append((view, slot, shift))
        launch = _cu().cuLaunchKernel
        handle, address, stream = function.handle, args.address, int(self.device.stream)
        (gx, gy, gz), (bx, by, bz), shared = step.grid, step.block, step.shared

        def run(pointers: list[int], held: dict[int, Any], args: Any = args) -> None:
            for view, slot, shift in patched:
                view.value = pointers[slot] + shift
            check(launch(handle, gx, gy, gz, bx, by, bz, shared, stream, address, 0))

        return run

    def _copy_action(self, step: ConcreteCopy) -> Action:
        from tg.runtime.cuda_driver import _cu, check

        copy = _cu().cuMemcpyDtoDAsync
        stream = int(self.device.stream)
        source, target, nbytes = step.source, step.target, step.nbytes

        def run(pointers: list[int], held: dict[int, Any]) -> None:
            check(copy(pointers[target], pointers[source], nbytes, stream))

        return run

    def _gemm_actions(self, step: ConcreteGemm, offsets: dict[int, int] | None, baked: list[tuple[Any, int]] | None) -> list[Action]:
        if self.use_cublas:
            return [self._cublas_action(step)]
        sa, sb, sc = (s * step.dtype.itemsize for s in step.strides)
        return [
            action
            for i in range(step.count)
            for action in self._fallback_gemm(step, offsets, baked, {0: i * sa, 1: i * sb, 2: i * sc})
        ]

    def _cublas_action(self, step: ConcreteGemm) -> Action:
        from tg.runtime.cublas import handle_for

        handle = handle_for(self.device)
        slots = (step.a, step.b, step.c, step.alpha, step.beta)
        dtype, ta, tb, m, n, k = step.dtype, step.trans_a, step.trans_b, step.m, step.n, step.k
        lda, ldb, ldc = step.lda, step.ldb, step.ldc
        strides, count = step.strides, step.count

        def run(pointers: list[int], held: dict[int, Any]) -> None:
            a, b, c, alpha, beta = (pointers[s] for s in slots)
            handle.gemm(dtype, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, count, strides)

        return run

    def _fallback_gemm(
        self, step: ConcreteGemm, offsets: dict[int, int] | None, baked: list[tuple[Any, int]] | None, shifts: dict[int, int]
    ) -> list[Action]:
        """One GEMM with tg's own kernel (A, B, C, alpha, beta, m, n, k, lda, ldb, ldc,
        trans_a, trans_b); grid from its tile, block from its known block size. Row
        tiles go on grid.y, so a product of more rows than 65535 tiles is launched in
        row bands, each with A and C moved to its first row."""
        name = FALLBACK_GEMM[step.dtype]
        info: KernelInfo | None = self.plan.kernels.get(name)
        if info is None:
            raise RuntimeError(f"cuBLAS is not installed and the module has no {name} kernel for tg_gpu.gemm")
        rows, cols = info.gemm_tile or (16, 16)
        block = info.block_size or (256, 1, 1)
        buffers = tuple(enumerate((step.a, step.b, step.c, step.alpha, step.beta)))
        band = MAX_GRID_YZ * rows
        actions = []
        for first in range(0, max(step.m, 1), band):
            m = min(band, step.m - first)
            a_row = first * (1 if step.trans_a else step.lda) * step.dtype.itemsize
            moved = {**shifts, 0: shifts.get(0, 0) + a_row, 2: shifts.get(2, 0) + first * step.ldc * step.dtype.itemsize}
            values = (None, None, None, None, None, m, step.n, step.k, step.lda, step.ldb, step.ldc, int(step.trans_a), int(step.trans_b))
            grid = (-(-step.n // cols), -(-m // rows), 1)
            launch = ConcreteLaunch(name, grid, block, 0, values, buffers, info.arg_ctypes)
            actions.append(self._launch_action(launch, offsets, baked, moved))
        return actions


def _dealloc_action(slot: int) -> Action:
    def dealloc(pointers: list[int], held: dict[int, Any]) -> None:
        buffer = held.pop(slot, None)
        if buffer is not None:
            buffer.close()

    return dealloc


__all__ = ["GpuStageCode", "compile_module", "cuda_source"]
