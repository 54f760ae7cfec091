"""Loop-level rules for the fused nnet ops (registered into convert_tg_to_loops's
tables).

`tg.softmax_crossentropy` walks each row of the logits twice: once for the row's
maximum m (0 when it is infinite, so that an all -inf row gives inf, not NaN), once
for s = sum(exp(x - m)); the row's loss is log(s) + m - x[label]. A label outside
[-classes, classes) raises IndexError (the read is clamped in bounds meanwhile).
"""

from __future__ import annotations

from tg.dialects.tg_nnet import SoftmaxCrossentropyOp
from tg.lowering import vector_math
from tg.lowering.convert_tg_to_loops import (
    INDEX,
    MATERIALIZERS,
    REASSOC,
    LoopsBuilder,
    _Kernel,
    _lowest,
)
from xdsl.dialects import arith, math, memref
from xdsl.ir import Operation, SSAValue


def _softmax_crossentropy(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, SoftmaxCrossentropyOp)
    elt = op.result.type.element_type
    rows, classes = b.dims(op.logits)
    lowest = b.scalar_constant(_lowest(elt), elt)
    zero = b.scalar_constant(0.0, elt)
    inf = b.scalar_constant(float("inf"), elt)
    b.kernel = _Kernel({})

    def row(ivs: list[SSAValue]) -> None:
        (i,) = ivs
        b.kernel = _Kernel({})

        def top(j: SSAValue, acc: SSAValue) -> SSAValue:
            return b.emit(arith.MaximumfOp(acc, b.scalar(op.logits, [i, j])))

        m = b.accumulate(classes, lowest, top)
        infinite = b.emit(arith.CmpfOp(b.emit(math.AbsFOp(m)), inf, "oeq"))
        m = b.emit(arith.SelectOp(infinite, zero, m))

        def total(j: SSAValue, acc: SSAValue) -> SSAValue:
            shifted = b.emit(arith.SubfOp(b.scalar(op.logits, [i, j]), m))
            return b.emit(arith.AddfOp(acc, vector_math.exp(b, shifted), REASSOC))

        s = b.accumulate(classes, zero, total)
        label = checked_label(b, b.scalar(op.labels, [i]), classes)
        picked = b.scalar(op.logits, [i, label])
        loss = b.emit(arith.SubfOp(b.emit(arith.AddfOp(vector_math.log(b, s), m)), picked))
        b.emit(memref.StoreOp.get(loss, dest, [i]))

    b.loops([rows], row, parallel=True)
    b.kernel = _Kernel({})


MATERIALIZERS[SoftmaxCrossentropyOp] = _softmax_crossentropy


def checked_label(b: LoopsBuilder, raw: SSAValue, classes: SSAValue) -> SSAValue:
    """Label `raw` as an index into the classes: a negative one counts from the end;
    one still outside [0, classes) fails the call with an IndexError (and reads
    class 0 until the call stops)."""
    label = b.emit(arith.IndexCastOp(raw, INDEX))
    negative = b.emit(arith.CmpiOp(label, b.c0, "slt"))
    label = b.emit(arith.SelectOp(negative, b.emit(arith.AddiOp(label, classes)), label))
    outside = b.emit(arith.OrIOp(b.emit(arith.CmpiOp(label, b.c0, "slt")), b.emit(arith.CmpiOp(label, classes, "sge"))))
    b.fail_if(outside, "IndexError", "softmax_crossentropy: a label is out of range for the number of classes")
    return b.emit(arith.SelectOp(outside, b.c0, label))

