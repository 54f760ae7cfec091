"""Scatter and concatenation kernels.

`set_subtensor`/`inc_subtensor` (and their advanced forms) copy the input into the
destination (unless it is updated in place), then one thread per element of the
indexed region writes (or adds) its value. Basic keys reach distinct elements; an
advanced increment adds atomically, so repeated indices accumulate (as on the CPU);
an advanced set with repeated indices keeps one of the values (the CPU keeps the
last; which one is unspecified on the GPU). Index checks are the CPU path's
(loops_indexing), setting the status; a bad index's write is skipped. Gathers are
element rules and need no kernel of their own.
"""

from __future__ import annotations

from tg.dialects import tg_gpu, tg_shape
from tg.dialects import tg_indexing as ix
from tg.dialects.tensor_types import static_shape
from tg.lowering.convert_tg_to_loops import _add, _Kernel
from tg.lowering.gpu_elementwise import store_values
from tg.lowering.gpu_host import GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_kernel_builder import KernelBuilder
from tg.lowering.loops_indexing import (
    _advanced_positions,
    _basic_dims,
    _basic_plan,
    _basic_positions,
    _guarded,
    _index_dims,
    _value_element,
)
from tg.lowering.loops_shape import unravel
from xdsl.dialects import arith
from xdsl.ir import Operation, SSAValue


def _copy_input(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    source = op.operands[0]
    if host.buffers.get(source) is not dest:
        store_values(host, [(source, dest)])


def _put(
    k: KernelBuilder,
    op: Operation,
    dest: SSAValue,
    positions: list[SSAValue],
    ivs: list[SSAValue],
    atomic: bool,
) -> None:
    value = _value_element(k, op.value, ivs)  # type: ignore[attr-defined]
    result = op.results[0]
    if op.KIND != "inc":  # type: ignore[attr-defined]
        k.store(value, dest, result, positions)
    elif atomic:
        element = dest.type.element_type  # type: ignore[attr-defined]
        if element not in tg_gpu.ATOMIC_ADD_TYPES:
            raise NotImplementedError(
                f"convert-buffers-to-gpu: {op.name} of {element} (atomic add takes f32, f64, i32, i64)"
            )
        k.written.add(dest)
        k.emit(tg_gpu.AtomicAddOp(k.device_memref(dest), k.linear(result, positions), value))
    else:
        k.store(_add(k, k.load(dest, result, positions), value), dest, result, positions)


def _basic_put(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, ix.BasicPutOp)
    _copy_input(host, op, dest)
    k = host.new_kernel("put")
    plan = _basic_plan(k, op)
    target = _basic_dims(k, op)
    static = [None] * len(target)

    def element(i: SSAValue) -> None:
        ivs = unravel(k, i, target, static)
        k.kernel = _Kernel({})
        _put(k, op, dest, _basic_positions(k, plan, ivs), ivs, atomic=False)

    k.grid_stride(k.c0, k.product(target), element)
    # a basic key selects at most every element of the input
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest))))


def _advanced_put(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, ix.AdvancedPutOp)
    _copy_input(host, op, dest)
    k = host.new_kernel("scatter")
    target = list(ix.indexed_shape(k.dims(op.input), op.indexed_axes, _index_dims(k, op)))
    static = [None] * len(target)

    def element(i: SSAValue) -> None:
        ivs = unravel(k, i, target, static)
        k.kernel = _Kernel({})
        positions, bad = _advanced_positions(k, op, ivs)
        if bad is None:
            _put(k, op, dest, positions, ivs, atomic=True)
        else:
            _guarded(k, bad, None, lambda: _put(k, op, dest, positions, ivs, atomic=True))

    k.grid_stride(k.c0, k.product(target), element)
    host_target = ix.indexed_shape(host.dims(op.input), op.indexed_axes, _index_dims(host, op))
    host.launch(k, host.grid(host.numel(list(host_target))))


def _concatenate(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """One kernel per operand, writing at its offset along the axis."""
    assert isinstance(op, tg_shape.ConcatenateOp)
    for i in range(len(op.inputs)):
        _concatenate_operand(host, op, i, dest)


def _concatenate_operand(host: HostBuilder, op: tg_shape.ConcatenateOp, i: int, dest: SSAValue) -> None:
    axis = op.axis_index
    value = op.inputs[i]
    k = host.new_kernel("concatenate")
    offset = k.c0
    for before in op.inputs[:i]:
        size = k.dims(before)[axis]
        offset = size if offset is k.c0 else k.emit(arith.AddiOp(offset, size))
    dims = k.dims(value)
    static = static_shape(value.type)

    def element(j: SSAValue) -> None:
        ivs = unravel(k, j, dims, static)
        k.flat = {}
        k.set_flat(ivs, j, static)
        k.kernel = _Kernel({})
        out = list(ivs)
        out[axis] = k.emit(arith.AddiOp(ivs[axis], offset))
        k.store(k.scalar(value, ivs), dest, op.result, out)

    k.grid_stride(k.c0, k.product(dims), element)
    host.launch(k, host.grid(host.numel(host.dims(value))))


for _op in (ix.SetSubtensorOp, ix.IncSubtensorOp):
    GPU_MATERIALIZERS[_op] = _basic_put
for _op in (ix.AdvancedSetSubtensorOp, ix.AdvancedIncSubtensorOp):
    GPU_MATERIALIZERS[_op] = _advanced_put
GPU_MATERIALIZERS[tg_shape.ConcatenateOp] = _concatenate
