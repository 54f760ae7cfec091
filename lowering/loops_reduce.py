"""Loop-level rules for reduce ops (registered into convert_tg_to_loops's tables).

`min` and `prod` use LoopsBuilder.reduce. `argmax`/`argmin` carry (best value,
its position, position counter) through loops over the reduced axes for each
result element. A scan along the innermost axis carries its running value in a
register; along another axis it reads the previous row back from the result, so
the loops still walk memory in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tg.dialects import tg_reduce
from tg.dialects.tensor_types import dtype_of, is_float
from tg.lowering.convert_tg_to_loops import (
    INDEX,
    MATERIALIZERS,
    REDUCE_COMBINERS,
    REDUCE_IDENTITIES,
    LoopsBuilder,
    _Kernel,
    _lowest,
    _min,
    _mul,
)
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import i64
from xdsl.ir import Attribute, Block, Operation, SSAValue


def _highest(element: Attribute) -> float | int:
    if is_float(element):
        return float("inf")
    return 2 ** (dtype_of(element).itemsize * 8 - 1) - 1


def carried_loops(
    b: LoopsBuilder,
    bounds: Sequence[SSAValue],
    inits: list[SSAValue],
    step: Callable[[list[SSAValue], list[SSAValue]], list[SSAValue]],
) -> list[SSAValue]:
    """Nested `scf.for` loops over [0, bound) each, carrying values:
    carried = step(ivs, carried) innermost; returns the final values."""
    ivs: list[SSAValue] = []

    def nest(depth: int, carried: list[SSAValue]) -> list[SSAValue]:
        if depth == len(bounds):
            return step(list(ivs), carried)
        body = Block(arg_types=[INDEX, *(c.type for c in carried)])
        outer = b.block
        b.block = body
        ivs.append(body.args[0])
        b.emit(scf.YieldOp(*nest(depth + 1, list(body.args[1:]))))
        ivs.pop()
        b.block = outer
        loop = scf.ForOp(b.c0, bounds[depth], b.c1, carried, body)
        b.emit(loop)
        return list(loop.results)

    return nest(0, inits)


# -------------------------------------------------------------------- arg reduce


def _arg_reduce(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, tg_reduce.ArgReduceOp)
    elt = op.input.type.element_type
    larger = isinstance(op, tg_reduce.ArgMaxOp)
    in_dims = b.dims(op.input)
    axes = op.reduced
    kept = [a for a in range(len(in_dims)) if a not in axes]
    start = b.scalar_constant(_lowest(elt) if larger else _highest(elt), elt)
    zero = b.scalar_constant(0, i64)
    one = b.scalar_constant(1, i64)
    b.kernel = _Kernel({})

    def element(out_ivs: list[SSAValue]) -> None:
        b.kernel = _Kernel({})

        def step(red_ivs: list[SSAValue], carried: list[SSAValue]) -> list[SSAValue]:
            best, where, count = carried
            ivs = [b.c0] * len(in_dims)
            for a, iv in zip(kept, out_ivs):
                ivs[a] = iv
            for a, iv in zip(axes, red_ivs):
                ivs[a] = iv
            x = b.scalar(op.input, ivs)
            better = arg_better(b, x, best, larger)
            return [
                b.emit(arith.SelectOp(better, x, best)),
                b.emit(arith.SelectOp(better, count, where)),
                b.emit(arith.AddiOp(count, one)),
            ]

        _, where, _ = carried_loops(b, [in_dims[a] for a in axes], [start, zero, zero], step)
        b.emit(memref.StoreOp.get(where, dest, out_ivs))

    b.loops([in_dims[a] for a in kept], element)
    b.kernel = _Kernel({})


# ------------------------------------------------------------------------- scans


def _sum(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """x + y, in order (no reassociation: each partial result is observable)."""
    return b.emit(arith.AddfOp(x, y) if is_float(x.type) else arith.AddiOp(x, y))


def _product(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.MulfOp(x, y) if is_float(x.type) else arith.MuliOp(x, y))


def _scan(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, tg_reduce.ScanOp)
    combine = _sum if isinstance(op, tg_reduce.CumsumOp) else _product
    elt = op.result.type.element_type
    dims = b.dims(op.input)
    axis = op.axis_index
    n = dims[axis]
    last = b.emit(arith.SubiOp(n, b.c1))
    b.kernel = _Kernel({})

    def position(k: SSAValue) -> SSAValue:
        """The element the scan reaches at step k."""
        return b.emit(arith.SubiOp(last, k)) if op.is_reverse else k

    if axis == len(dims) - 1:
        identity = b.scalar_constant(0 if isinstance(op, tg_reduce.CumsumOp) else 1, elt)

        def row(ivs: list[SSAValue]) -> None:
            b.kernel = _Kernel({})

            def step(k: SSAValue, acc: SSAValue) -> SSAValue:
                index = ivs + [position(k)]
                total = combine(b, acc, b.scalar(op.input, index))
                b.emit(memref.StoreOp.get(total, dest, index))
                return total

            b.accumulate(n, identity, step)

        b.loops(dims[:-1], row)
    else:
        # dest[.., i, ..] = dest[.., i - 1, ..] (op) x[.., i, ..], inner axes innermost
        def body(ivs: list[SSAValue]) -> None:
            k = ivs[axis]
            here = position(k)
            first = b.emit(arith.CmpiOp(k, b.c0, "eq"))
            previous = b.emit(arith.SelectOp(first, here, position(b.emit(arith.SubiOp(k, b.c1)))))
            index = ivs[:axis] + [here] + ivs[axis + 1 :]
            x = b.scalar(op.input, index)
            before = b.emit(memref.LoadOp.get(dest, ivs[:axis] + [previous] + ivs[axis + 1 :]))
            total = b.emit(arith.SelectOp(first, x, combine(b, before, x)))
            b.emit(memref.StoreOp.get(total, dest, index))

        b.loops(dims, body)
    b.kernel = _Kernel({})


REDUCE_COMBINERS[tg_reduce.MinOp] = _min
REDUCE_COMBINERS[tg_reduce.ProdOp] = _mul
REDUCE_IDENTITIES[tg_reduce.MinOp] = _highest
REDUCE_IDENTITIES[tg_reduce.ProdOp] = lambda element: 1
MATERIALIZERS[tg_reduce.MinOp] = lambda b, op, dest: b.reduce(op, dest)  # type: ignore[arg-type]
MATERIALIZERS[tg_reduce.ProdOp] = lambda b, op, dest: b.reduce(op, dest)  # type: ignore[arg-type]
MATERIALIZERS[tg_reduce.ArgMaxOp] = _arg_reduce
MATERIALIZERS[tg_reduce.ArgMinOp] = _arg_reduce
MATERIALIZERS[tg_reduce.CumsumOp] = _scan
MATERIALIZERS[tg_reduce.CumprodOp] = _scan


def arg_better(b: LoopsBuilder, x: SSAValue, best: SSAValue, larger: bool) -> SSAValue:
    """Whether `x` takes `best`'s place in an argmax (`larger`) or argmin: it is
    better, or it is the first NaN (x unordered while best is not), as numpy's."""
    if not is_float(x.type):
        return b.emit(arith.CmpiOp(x, best, "sgt" if larger else "slt"))
    better = b.emit(arith.CmpfOp(x, best, "ogt" if larger else "olt"))
    nan = b.emit(arith.CmpfOp(x, x, "uno"))
    return b.emit(arith.SelectOp(nan, b.emit(arith.CmpfOp(best, best, "ord")), better))

