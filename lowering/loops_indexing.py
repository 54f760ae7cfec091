"""Loop-level rules for indexing ops (registered into convert_tg_to_loops's tables).

A basic subtensor is index arithmetic on its input: per indexed dimension a start
and a step (or a fixed index), computed once at the top of the function from the
key's operands. Gathers read their index arrays inside the consumer's loop; index
values the shape program could not check are checked here with `fail_if`, and the
access they guard is skipped (`scf.if`), so nothing is read or written out of
bounds. Scatters and nonzero have loop nests of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tg.dialects import tg_indexing as ix
from tg.dialects.tensor_types import is_bool, is_float, static_shape
from tg.lowering.convert_tg_to_loops import (
    DIM_RULES,
    ELEMENT_RULES,
    INDEX,
    MATERIALIZERS,
    LoopsBuilder,
    _add,
    _Kernel,
)
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import IntegerAttr, i64
from xdsl.ir import Attribute, Block, Operation, SSAValue

# ------------------------------------------------------------- index arithmetic


def _cmp(b: LoopsBuilder, predicate: str, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.CmpiOp(x, y, predicate))


def _select(b: LoopsBuilder, c: SSAValue, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.SelectOp(c, x, y))


def _addi(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.AddiOp(x, y))


def _subi(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.SubiOp(x, y))


def _muli(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    return b.emit(arith.MuliOp(x, y))


def _clamp(b: LoopsBuilder, x: SSAValue, low: SSAValue, high: SSAValue) -> SSAValue:
    return b.emit(arith.MaxSIOp(low, b.emit(arith.MinSIOp(x, high))))


def _to_index(b: LoopsBuilder, v: SSAValue) -> SSAValue:
    return v if v.type == INDEX else b.emit(arith.IndexCastOp(v, INDEX))


def _wrap(b: LoopsBuilder, v: SSAValue, n: SSAValue) -> SSAValue:
    """A negative index counted from the end: v < 0 ? v + n : v."""
    return _select(b, _cmp(b, "slt", v, b.c0), _addi(b, v, n), v)


def _at_entry(b: LoopsBuilder, compute: Callable[[], Any]) -> Any:
    """Emit `compute` at the top of the function (before the loop nest being built),
    as `LoopsBuilder.dims` does, so that every loop can use its values."""
    block, kernel = b.block, b.kernel
    b.block, b.kernel = b.entry, _Kernel({})
    try:
        return compute()
    finally:
        b.block, b.kernel = block, kernel


def _cached(b: LoopsBuilder, op: Operation, what: str, compute: Callable[[], Any]) -> Any:
    cache: dict[tuple[Operation, str], Any] = b.__dict__.setdefault("_tg_indexing", {})
    if (op, what) not in cache:
        cache[(op, what)] = _at_entry(b, compute)
    return cache[(op, what)]


def _guarded(b: LoopsBuilder, bad: SSAValue, element: Attribute | None, compute: Callable[[], SSAValue | None]) -> SSAValue | None:
    """`bad ? 0 : compute()` (or, with no element type, `if not bad: compute()`),
    computing inside the branch so that a bad access never runs."""
    outer_block, outer_kernel = b.block, b.kernel
    skip = Block()
    b.block = skip
    b.emit(scf.YieldOp(b.scalar_constant(0, element)) if element is not None else scf.YieldOp())
    run = Block()
    b.block, b.kernel = run, _Kernel(dict(outer_kernel.computed))  # outer values dominate the branch
    value = compute()
    b.emit(scf.YieldOp(value) if value is not None else scf.YieldOp())
    b.block, b.kernel = outer_block, outer_kernel
    return b.emit(scf.IfOp(bad, [element] if element is not None else [], [skip], [run]))


def _value_element(b: LoopsBuilder, value: SSAValue, ivs: Sequence[SSAValue]) -> SSAValue:
    """The element of a set/inc value (broadcast along its static-1 dimensions)."""
    return b.scalar(value, [b.c0 if d == 1 else iv for d, iv in zip(static_shape(value.type), ivs)])


# ------------------------------------------------------------------ basic keys


@dataclass
class _Axis:
    """One indexed dimension: position = offset + iv * step, or the fixed index
    `offset` when step is None; `length` is the result's size."""

    offset: SSAValue | None
    step: SSAValue | None
    length: SSAValue | None
    whole: bool = False
    unit: bool = False


def _small_constant(v: SSAValue) -> bool:
    """A constant step too small to overflow the length arithmetic."""
    owner = v.owner
    return isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr) and abs(owner.value.value.data) < 2**31


def _slice(b: LoopsBuilder, n: SSAValue, start: SSAValue | None, stop: SSAValue | None, step: SSAValue, forward: bool) -> tuple[SSAValue, SSAValue]:
    """(first position, length) of start:stop:step over n elements, as slice.indices."""
    if forward:
        s = b.c0 if start is None else _clamp(b, _wrap(b, start, n), b.c0, n)
        e = n if stop is None else _clamp(b, _wrap(b, stop, n), b.c0, n)
        span = _subi(b, e, s)
        k = step if _small_constant(step) else _clamp(b, step, b.c1, _addi(b, n, b.c1))
    else:
        last, before = _subi(b, n, b.c1), b.index(-1)
        s = last if start is None else _clamp(b, _wrap(b, start, n), before, last)
        e = before if stop is None else _clamp(b, _wrap(b, stop, n), before, last)
        # |step| beyond n + 1 takes one element, like any step that large; clamping
        # first keeps -(-2**63) from overflowing
        if not _small_constant(step):
            step = _clamp(b, step, _subi(b, b.c0, _addi(b, n, b.c1)), b.index(-1))
        k = _subi(b, b.c0, step)
        span = _subi(b, s, e)
    # (span - 1) // k + 1 for a non-empty span, else 0: no overflow even for steps
    # near 2**63 (span + k - 1 would wrap)
    rounded = _addi(b, b.emit(arith.FloorDivSIOp(_subi(b, span, b.c1), k)), b.c1)
    empty = b.emit(arith.CmpiOp(span, b.c0, "sle"))
    return s, b.emit(arith.SelectOp(empty, b.c0, rounded))


def _basic_plan(b: LoopsBuilder, op: ix.SubtensorOp | ix.BasicPutOp) -> list[_Axis]:
    def compute() -> list[_Axis]:
        dims = b.dims(op.input)
        scalars = iter(op.indices)

        def value(v: int) -> SSAValue | None:
            if v == ix.DYNAMIC:
                return _to_index(b, b.scalar(next(scalars), []))
            return None if v == ix.NONE else b.index(v)

        plan: list[_Axis] = []
        for axis, (start, stop, step) in enumerate(op.entries):
            n = dims[axis]
            if (start, stop, step) == ix.FULL:
                plan.append(_Axis(None, b.c1, n, whole=True))
                continue
            first, last, k = value(start), value(stop), value(step)
            if step == 0:
                assert first is not None
                index = _wrap(b, first, n)
                if start == ix.DYNAMIC:
                    # checked before the call already; checked again (once per call) for
                    # bodies whose shape program ran for other operand values (tg.map)
                    outside = b.emit(arith.OrIOp(_cmp(b, "slt", index, b.c0), _cmp(b, "sge", index, n)))
                    b.fail_if(outside, "IndexError", f"{ix.location_prefix(op)}index out of bounds for axis {axis}")
                    index = _clamp(b, index, b.c0, _subi(b, n, b.c1))
                plan.append(_Axis(index, None, None))
                continue
            assert k is not None
            if step != ix.DYNAMIC:
                s, length = _slice(b, n, first, last, k, forward=step > 0)
            else:
                s_f, len_f = _slice(b, n, first, last, k, forward=True)
                s_b, len_b = _slice(b, n, first, last, k, forward=False)
                up = _cmp(b, "sgt", k, b.c0)
                s, length = _select(b, up, s_f, s_b), _select(b, up, len_f, len_b)
            plan.append(_Axis(s, k, length, unit=step == 1))
        return plan

    return _cached(b, op, "plan", compute)


def _basic_positions(b: LoopsBuilder, plan: Sequence[_Axis], ivs: Sequence[SSAValue]) -> list[SSAValue]:
    """Input indices of the element at result indices `ivs`."""
    it = iter(ivs)
    positions: list[SSAValue] = []
    for axis in plan:
        if axis.step is None:
            assert axis.offset is not None
            positions.append(axis.offset)
        elif axis.whole:
            positions.append(next(it))
        else:
            assert axis.offset is not None
            iv = next(it)
            moved = iv if axis.unit else _muli(b, iv, axis.step)
            positions.append(_addi(b, axis.offset, moved))
    return positions + list(it)


def _basic_dims(b: LoopsBuilder, op: ix.SubtensorOp | ix.BasicPutOp) -> list[SSAValue]:
    """The sizes of `input[key]`."""
    plan = _basic_plan(b, op)
    dims = b.dims(op.input)
    lengths = [a.length for a in plan if a.step is not None]
    return lengths + dims[len(plan) :]  # type: ignore[operator]


def _subtensor_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, ix.SubtensorOp)
    return b.scalar(op.input, _basic_positions(b, _basic_plan(b, op), ivs))


def _subtensor_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, ix.SubtensorOp)
    static = static_shape(op.result.type)
    return [b.index(s) if s is not None else d for s, d in zip(static, _basic_dims(b, op))]


def _put(b: LoopsBuilder, kind: str, value: SSAValue, dest: SSAValue, positions: list[SSAValue], ivs: Sequence[SSAValue]) -> None:
    v = _value_element(b, value, ivs)
    if kind == "inc":
        v = _add(b, b.emit(memref.LoadOp.get(dest, positions)), v)
    b.emit(memref.StoreOp.get(v, dest, positions))


def _basic_put(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """dest = input; then dest[key] = value (or += value)."""
    assert isinstance(op, ix.BasicPutOp)
    b.store_elementwise(op.input, dest)
    plan = _basic_plan(b, op)
    target = _basic_dims(b, op)
    b.kernel = _Kernel({})

    def body(ivs: list[SSAValue]) -> None:
        _put(b, op.KIND, op.value, dest, _basic_positions(b, plan, ivs), ivs)

    b.loops(target, body)
    b.kernel = _Kernel({})


# ------------------------------------------------------------ advanced indexing


def _index_dims(b: LoopsBuilder, op: ix.AdvancedOp) -> list[SSAValue]:
    """The sizes of the index arrays' broadcast."""
    arrays = op.index_arrays
    statics = [static_shape(v.type) for v in arrays]
    rank = max(len(s) for s in statics)
    dims: list[SSAValue] = []
    for d in range(rank):
        size = b.c1
        for v, s in zip(arrays, statics):
            a = d - (rank - len(s))
            if a >= 0 and s[a] != 1:
                size = b.dims(v)[a]
                break
        dims.append(size)
    return dims


def _out_of_bounds_message(op: ix.AdvancedOp, k: int, axis: int) -> str:
    return (
        f"{ix.location_prefix(op)}index array {k} holds an index out of bounds for axis {axis} "
        f"(valid indices are -size to size-1; the index was computed by the function)"
    )


def _advanced_positions(b: LoopsBuilder, op: ix.AdvancedOp, ivs: Sequence[SSAValue]) -> tuple[list[SSAValue], SSAValue | None]:
    """Input indices of the gather's element at `ivs`, and an i1 that is true when an
    index the shape program did not check is out of bounds (None if all were)."""
    x_dims = b.dims(op.operands[0])
    axes = op.indexed_axes
    arrays = op.index_arrays
    statics = [static_shape(v.type) for v in arrays]
    b_rank = max(len(s) for s in statics)
    rank = len(x_dims)
    if ix.adjacent(axes):
        b_ivs = list(ivs[axes[0] : axes[0] + b_rank])
        rest = list(ivs[: axes[0]]) + list(ivs[axes[0] + b_rank :])
    else:
        b_ivs, rest = list(ivs[:b_rank]), list(ivs[b_rank:])
    it = iter(rest)
    positions: list[SSAValue] = [b.c0 if a in axes else next(it) for a in range(rank)]
    bad: SSAValue | None = None
    for k, (v, s, axis, checked) in enumerate(zip(arrays, statics, axes, op.python_checked())):
        offset = b_rank - len(s)
        raw = _to_index(b, b.scalar(v, [b.c0 if s[d] == 1 else b_ivs[offset + d] for d in range(len(s))]))
        n = x_dims[axis]
        index = _wrap(b, raw, n)
        if not checked:
            outside = b.emit(arith.OrIOp(_cmp(b, "slt", index, b.c0), _cmp(b, "sge", index, n)))
            b.fail_if(outside, "IndexError", _out_of_bounds_message(op, k, axis))
            bad = outside if bad is None else b.emit(arith.OrIOp(bad, outside))
        positions[axis] = index
    return positions, bad


def _advanced_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, ix.AdvancedSubtensorOp)
    positions, bad = _advanced_positions(b, op, ivs)
    if bad is None:
        return b.scalar(op.input, positions)
    element = op.result.type.element_type
    return _guarded(b, bad, element, lambda: b.scalar(op.input, positions))  # type: ignore[return-value]


def _advanced_put(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """dest = input; then, in row-major order of the gather, dest[positions] = value
    (or += value)."""
    assert isinstance(op, ix.AdvancedPutOp)
    b.store_elementwise(op.input, dest)
    x_dims = b.dims(op.input)
    target = list(ix.indexed_shape(x_dims, op.indexed_axes, _index_dims(b, op)))
    b.kernel = _Kernel({})

    def body(ivs: list[SSAValue]) -> None:
        positions, bad = _advanced_positions(b, op, ivs)
        if bad is None:
            _put(b, op.KIND, op.value, dest, positions, ivs)
        else:
            _guarded(b, bad, None, lambda: _put(b, op.KIND, op.value, dest, positions, ivs))

    b.loops(target, body)
    b.kernel = _Kernel({})


# --------------------------------------------------------------------- nonzero


def _is_nonzero(b: LoopsBuilder, v: SSAValue) -> SSAValue:
    if is_bool(v.type):
        return v
    zero = b.scalar_constant(0, v.type)
    if is_float(v.type):
        return b.emit(arith.CmpfOp(v, zero, "une"))
    return _cmp(b, "ne", v, zero)


def _scan(b: LoopsBuilder, op: ix.NonzeroOp, visit: Callable[[list[SSAValue], SSAValue, SSAValue], None] | None) -> SSAValue:
    """Walk the input in row-major order carrying the count of nonzero elements seen;
    `visit(ivs, is_nonzero, count_before)` runs at each element."""
    dims = b.dims(op.input)

    def level(depth: int, ivs: list[SSAValue], count: SSAValue) -> SSAValue:
        if depth == len(dims):
            hit = _is_nonzero(b, b.scalar(op.input, ivs))
            if visit is not None:
                visit(ivs, hit, count)
            return _addi(b, count, _select(b, hit, b.c1, b.c0))
        return b.accumulate(dims[depth], count, lambda iv, acc: level(depth + 1, ivs + [iv], acc))

    b.kernel = _Kernel({})
    count = level(0, [], b.c0)
    b.kernel = _Kernel({})
    return count


def _nonzero_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, ix.NonzeroOp)
    return [b.index(len(static_shape(op.input.type))), _scan(b, op, None)]


def _nonzero(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """dest[d, j] = coordinate d of the j-th nonzero element."""
    assert isinstance(op, ix.NonzeroOp)

    def visit(ivs: list[SSAValue], hit: SSAValue, column: SSAValue) -> None:
        stores: list[Operation] = []
        for d, iv in enumerate(ivs):
            row = arith.ConstantOp.from_int_and_width(d, INDEX)
            coordinate = arith.IndexCastOp(iv, i64)
            stores += [row, coordinate, memref.StoreOp.get(coordinate.result, dest, [row.result, column])]
        b.emit(scf.IfOp(hit, [], [*stores, scf.YieldOp()]))

    _scan(b, op, visit)


ELEMENT_RULES[ix.SubtensorOp] = _subtensor_element
ELEMENT_RULES[ix.AdvancedSubtensorOp] = _advanced_element
DIM_RULES[ix.SubtensorOp] = _subtensor_dims
DIM_RULES[ix.NonzeroOp] = _nonzero_dims
for _op in (ix.SetSubtensorOp, ix.IncSubtensorOp):
    MATERIALIZERS[_op] = _basic_put
for _op in (ix.AdvancedSetSubtensorOp, ix.AdvancedIncSubtensorOp):
    MATERIALIZERS[_op] = _advanced_put
MATERIALIZERS[ix.NonzeroOp] = _nonzero
