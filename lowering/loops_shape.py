"""Loop-level rules for shape ops (registered into convert_tg_to_loops's tables).

A reshape is index arithmetic: the result index is linearized (row major) and
unraveled over the input's sizes, except for trailing dimensions both share, which
pass through unchanged (so flattening leading dimensions costs no division). A
narrow shifts one index; an arange computes start + i * step where it is read. A
concatenation is stored: one loop nest per operand, writing at its offset.
"""

from __future__ import annotations

from collections.abc import Sequence

from tg.dialects import tg, tg_shape
from tg.dialects.tensor_types import is_float, static_shape
from tg.lowering.convert_tg_to_loops import (
    DIM_RULES,
    ELEMENT_RULES,
    INDEX,
    MATERIALIZERS,
    LoopsBuilder,
    _Kernel,
)
from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import i1, i64
from xdsl.ir import Operation, SSAValue

# ------------------------------------------------------------- index arithmetic


def add(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.AddiOp(x, y))


def sub(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.SubiOp(x, y))


def mul(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.MuliOp(x, y))


def select(b: LoopsBuilder, cond: SSAValue, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.SelectOp(cond, x, y))


def cmp(b: LoopsBuilder, x: SSAValue, y: SSAValue, predicate: str) -> SSAValue:
    return b.emit(arith.CmpiOp(x, y, predicate))


def as_index(b: LoopsBuilder, value: SSAValue) -> SSAValue:
    """The value of a 0-d int64 tg value, as an index."""
    return b.emit(arith.IndexCastOp(b.scalar(value, []), INDEX))


def linearize(
    b: LoopsBuilder, ivs: Sequence[SSAValue], dims: Sequence[SSAValue], static: Sequence[int | None]
) -> SSAValue:
    """The row-major linear index of `ivs` in a box of sizes `dims`."""
    linear: SSAValue | None = None
    for iv, d, s in zip(ivs, dims, static):
        if s == 1:
            continue
        linear = iv if linear is None else add(b, mul(b, linear, d), iv)
    return b.c0 if linear is None else linear


def unravel(
    b: LoopsBuilder, linear: SSAValue, dims: Sequence[SSAValue], static: Sequence[int | None]
) -> list[SSAValue]:
    """The indices of row-major linear index `linear` in a box of sizes `dims`."""
    varying = [a for a, s in enumerate(static) if s != 1]
    ivs = [b.c0] * len(dims)
    rest = linear
    for a in reversed(varying):
        if a == varying[0]:
            ivs[a] = rest
        else:
            ivs[a] = b.emit(arith.RemUIOp(rest, dims[a]))
            rest = b.emit(arith.DivUIOp(rest, dims[a]))
    return ivs


# ------------------------------------------------------------------------ reshape


def _size_source(value: SSAValue, axis: int) -> tuple[SSAValue, int]:
    """The earliest value with the same size along `axis` (see TgOp.dim_sources)."""
    while static_shape(value.type)[axis] is None:
        owner = value.owner
        if not isinstance(owner, tg.TgOp):
            break
        sources = owner.dim_sources(axis)
        if not sources:
            break
        operand, axis = sources[0]
        value = owner.operands[operand]
    return value, axis


def _same_size(op: tg_shape.ReshapeOp, in_axis: int, out_axis: int) -> bool:
    """Whether result dimension `out_axis` provably has input dimension `in_axis`'s size."""
    in_static = static_shape(op.input.type)[in_axis]
    out_static = static_shape(op.result.type)[out_axis]
    if in_static is not None or out_static is not None:
        return in_static == out_static
    size = op.sizes[out_axis].owner
    if not isinstance(size, tg.DimOp):
        return False
    return _size_source(size.input, size.axis_index) == _size_source(op.input, in_axis)


def shared_dims(op: tg_shape.ReshapeOp) -> tuple[int, int]:
    """How many leading and trailing dimensions the input and the result provably
    share (their indices pass through a reshape unchanged)."""
    n_in, n_out = len(static_shape(op.input.type)), len(static_shape(op.result.type))
    trailing = 0
    while trailing < min(n_in, n_out) and _same_size(op, n_in - 1 - trailing, n_out - 1 - trailing):
        trailing += 1
    leading = 0
    while leading < min(n_in, n_out) - trailing and _same_size(op, leading, leading):
        leading += 1
    return leading, trailing


def _reshape_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg_shape.ReshapeOp)
    in_static, out_static = static_shape(op.input.type), static_shape(op.result.type)
    lead, trail = shared_dims(op)
    in_end, out_end = len(in_static) - trail, len(out_static) - trail
    out_dims, in_dims = b.dims(op.result), b.dims(op.input)
    linear = linearize(b, ivs[lead:out_end], out_dims[lead:out_end], out_static[lead:out_end])
    middle = unravel(b, linear, in_dims[lead:in_end], in_static[lead:in_end])
    return b.scalar(op.input, ivs[:lead] + middle + ivs[out_end:])


def _known_non_negative(size: SSAValue) -> bool:
    """Whether a size operand is never -1: a dimension's size, a non-negative
    constant, or sums and products of those."""
    owner = size.owner
    if isinstance(owner, tg.DimOp):
        return True
    if isinstance(owner, tg.ConstantOp):
        return bool((owner.to_array() >= 0).all())
    if isinstance(owner, tg.AddOp | tg.MulOp):
        return all(_known_non_negative(v) for v in owner.operands)
    if isinstance(owner, tg.CastOp):
        return _known_non_negative(owner.input)
    return False


def _reshape_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, tg_shape.ReshapeOp)
    static = static_shape(op.result.type)
    raw = [b.index(d) if d is not None else as_index(b, s) for d, s in zip(static, op.sizes)]
    if all(d is not None or _known_non_negative(s) for d, s in zip(static, op.sizes)):
        return raw
    # one size may be -1: the product of all is then minus the product of the others
    total = b.c1
    for d in b.dims(op.input):
        total = mul(b, total, d)
    product = b.c1
    for r in raw:
        product = mul(b, product, r)
    negative = cmp(b, product, b.c0, "slt")
    known = select(b, negative, sub(b, b.c0, product), b.c1)
    known = select(b, cmp(b, known, b.c0, "eq"), b.c1, known)
    inferred = b.emit(arith.DivUIOp(total, known))
    return [
        r if d is not None else select(b, cmp(b, r, b.c0, "slt"), inferred, r) for d, r in zip(static, raw)
    ]


# ------------------------------------------------------------------------- narrow


def _narrow_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg_shape.NarrowOp)
    axis = op.axis_index
    src = list(ivs)
    src[axis] = add(b, ivs[axis], as_index(b, op.start))
    return b.scalar(op.input, src)


def _narrow_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, tg_shape.NarrowOp)
    static = static_shape(op.result.type)
    dims = list(b.dims(op.input))
    axis = op.axis_index
    dims[axis] = b.index(static[axis]) if static[axis] is not None else as_index(b, op.length)
    return dims


# -------------------------------------------------------------------- concatenate


def _concatenate(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, tg_shape.ConcatenateOp)
    axis = op.axis_index
    offset = b.c0
    for i, value in enumerate(op.inputs):
        dims = b.dims(value)
        b.kernel = _Kernel({})

        def body(ivs: list[SSAValue], value: SSAValue = value, offset: SSAValue = offset) -> None:
            out = list(ivs)
            out[axis] = add(b, ivs[axis], offset)
            b.emit(memref.StoreOp.get(b.scalar(value, ivs), dest, out))

        b.loops(dims, body)
        if i + 1 < len(op.inputs):
            offset = add(b, offset, dims[axis])
    b.kernel = _Kernel({})


def _concatenate_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, tg_shape.ConcatenateOp)
    axis = op.axis_index
    dims: list[SSAValue] = []
    for a, d in enumerate(static_shape(op.result.type)):
        if d is not None:
            dims.append(b.index(d))
        elif a == axis:
            total = b.c0
            for value in op.inputs:
                total = add(b, total, b.dims(value)[axis])
            dims.append(total)
        else:
            dims.append(b.dims(op.inputs[0])[a])
    return dims


# ------------------------------------------------------------------------- arange


def _arange_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg_shape.ArangeOp)
    elt = op.result.type.element_type
    start, step = b.scalar(op.start, []), b.scalar(op.step, [])
    i = b.emit(arith.IndexCastOp(ivs[0], i64))
    if is_float(elt):
        i = b.emit(arith.SIToFPOp(i, elt))
        return b.emit(arith.AddfOp(start, b.emit(arith.MulfOp(i, step))))
    if elt != i64:
        i = b.emit(arith.TruncIOp(i, elt))
    return b.emit(arith.AddiOp(start, b.emit(arith.MuliOp(i, step))))


def _arange_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, tg_shape.ArangeOp)
    static = static_shape(op.result.type)[0]
    if static is not None:
        return [b.index(static)]
    elt = op.result.type.element_type
    start, stop, step = (b.scalar(v, []) for v in (op.start, op.stop, op.step))
    if is_float(elt):
        q = b.emit(arith.DivfOp(b.emit(arith.SubfOp(stop, start)), step))
        t = b.emit(arith.FPToSIOp(q, i64))
        below = b.emit(arith.CmpfOp(b.emit(arith.SIToFPOp(t, elt)), q, "olt"))
        n = add(b, t, b.emit(arith.ExtUIOp(below, i64)))
    else:
        if elt != i64:
            start, stop, step = (b.emit(arith.ExtSIOp(v, i64)) for v in (start, stop, step))
        zero = b.scalar_constant(0, i64)
        diff = b.emit(arith.SubiOp(stop, start))
        q = b.emit(arith.DivSIOp(diff, step))
        r = b.emit(arith.RemSIOp(diff, step))
        same_sign = cmp(b, cmp(b, r, zero, "sgt"), cmp(b, step, zero, "sgt"), "eq")
        up = select(b, cmp(b, r, zero, "ne"), same_sign, b.scalar_constant(0, i1))
        n = add(b, q, b.emit(arith.ExtUIOp(up, i64)))
    n = select(b, cmp(b, n, b.scalar_constant(0, i64), "slt"), b.scalar_constant(0, i64), n)
    return [b.emit(arith.IndexCastOp(n, INDEX))]


ELEMENT_RULES[tg_shape.ReshapeOp] = _reshape_element
ELEMENT_RULES[tg_shape.NarrowOp] = _narrow_element
ELEMENT_RULES[tg_shape.ArangeOp] = _arange_element
DIM_RULES[tg_shape.ReshapeOp] = _reshape_dims
DIM_RULES[tg_shape.NarrowOp] = _narrow_dims
DIM_RULES[tg_shape.ConcatenateOp] = _concatenate_dims
DIM_RULES[tg_shape.ArangeOp] = _arange_dims
MATERIALIZERS[tg_shape.ConcatenateOp] = _concatenate
