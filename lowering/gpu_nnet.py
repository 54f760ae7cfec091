"""The fused nnet ops on the GPU: `tg.softmax_crossentropy`, one block per row.

The row's maximum m (0 when infinite, so that an all -inf row gives inf, not NaN) and
s = sum(exp(x - m)) are block reductions; thread 0 then checks the label (IndexError
outside [-classes, classes), the read clamped meanwhile) and stores
log(s) + m - x[label].
"""

from __future__ import annotations

from tg.dialects.tg_nnet import SoftmaxCrossentropyOp
from tg.lowering.convert_tg_to_loops import _Kernel, _lowest
from tg.lowering.gpu_host import GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_kernel_builder import BLOCK
from tg.lowering.gpu_reduce import block_reduce
from tg.lowering.loops_nnet import checked_label
from xdsl.dialects import arith, math
from xdsl.ir import Operation, SSAValue


def _softmax_crossentropy(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, SoftmaxCrossentropyOp)
    k = host.new_kernel("softmax_crossentropy")
    elt = op.result.type.element_type
    rows, classes = k.dims(op.logits)

    def maximum(b, x: SSAValue, y: SSAValue) -> SSAValue:  # type: ignore[no-untyped-def]
        return b.emit(arith.MaximumfOp(x, y))

    def add(b, x: SSAValue, y: SSAValue) -> SSAValue:  # type: ignore[no-untyped-def]
        return b.emit(arith.AddfOp(x, y))

    def row(i: SSAValue) -> None:
        k.kernel = _Kernel({})
        lowest = k.scalar_constant(_lowest(elt), elt)
        zero = k.scalar_constant(0.0, elt)
        inf = k.scalar_constant(float("inf"), elt)
        (top,) = k.carried_loop(
            k.thread(),
            classes,
            k.block_size(),
            [lowest],
            lambda j, acc: [maximum(k, acc[0], k.scalar(op.logits, [i, j]))],
        )
        m = block_reduce(k, top, maximum, lowest)
        m = k.emit(arith.SelectOp(k.emit(arith.CmpfOp(k.emit(math.AbsFOp(m)), inf, "oeq")), zero, m))

        def exp_sum(j: SSAValue, acc: list[SSAValue]) -> list[SSAValue]:
            shifted = k.emit(arith.SubfOp(k.scalar(op.logits, [i, j]), m))
            return [add(k, acc[0], k.emit(math.ExpOp(shifted)))]

        (partial,) = k.carried_loop(k.thread(), classes, k.block_size(), [zero], exp_sum)
        s = block_reduce(k, partial, add, zero)

        def loss() -> None:
            label = checked_label(k, k.scalar(op.labels, [i]), classes)
            picked = k.scalar(op.logits, [i, label])
            value = k.emit(arith.SubfOp(k.emit(arith.AddfOp(k.emit(math.LogOp(s)), m)), picked))
            k.store(value, dest, op.result, [i])

        k.when(k.emit(arith.CmpiOp(k.thread(), k.c0, "eq")), loss)

    k.per_block(rows, row)
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest)), 1), BLOCK)


GPU_MATERIALIZERS[SoftmaxCrossentropyOp] = _softmax_crossentropy
