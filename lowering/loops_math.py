"""Loop-level rules for math ops (registered into convert_tg_to_loops's tables).

Each op computes one element from its operands' elements with `arith`/`math` ops.
exp, log, tanh, sigmoid, softplus, log1p, expm1 and erf are tg's own vectorizable code
(tg.lowering.vector_math); the other transcendental functions are LLVM intrinsics or
libm calls. Two functions have no op there and use the llvm dialect directly:
floating-point remainder is `llvm.frem` (C's fmod) and erfc calls libm's `erfc`/`erfcf`,
declared once per module as an `llvm.func`.
"""

from __future__ import annotations

from collections.abc import Callable

from tg.dialects import tg, tg_math
from tg.dialects.tensor_types import dtype_of, is_bool, is_float
from tg.lowering import vector_math
from tg.lowering.convert_tg_to_loops import SCALAR_EMITTERS, LoopsBuilder
from xdsl.dialects import arith, llvm, math
from xdsl.dialects.builtin import i1
from xdsl.ir import Attribute, Operation, SSAValue

Emitter = Callable[[LoopsBuilder, Operation, list[SSAValue]], SSAValue]


def _unary(math_op: Callable[[SSAValue], Operation]) -> Emitter:
    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        return b.emit(math_op(args[0]))

    return emit


def _vector_math(function: Callable[[LoopsBuilder, SSAValue], SSAValue]) -> Emitter:
    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        return function(b, args[0])

    return emit


def _float(b: LoopsBuilder, value: float, like: SSAValue) -> SSAValue:
    return b.scalar_constant(value, like.type)


def _libm_call(b: LoopsBuilder, base: str, args: list[SSAValue]) -> SSAValue:
    """A call of libm's `base` (double) or `base` + "f" (float), declared once per module."""
    t = args[0].type
    name = base if dtype_of(t).itemsize == 8 else base + "f"
    b.declare_external(name, [t] * len(args), t)
    return b.emit(llvm.CallOp(name, *args, return_type=t))


def _erfc(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    return _libm_call(b, "erfc", args)


def _reciprocal(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    return b.emit(arith.DivfOp(_float(b, 1.0, x), x))


def _round(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg_math.RoundOp)
    if op.mode.data == "half_to_even":
        return b.emit(math.RoundEvenOp(args[0]))
    return b.emit(math.RoundOp(args[0]))


def _sqr(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    return b.emit(arith.MulfOp(x, x) if is_float(x.type) else arith.MuliOp(x, x))


def _sgn(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    """numpy's sign: 1 above zero, -1 below, else 0 (+0.0 for ±0.0) or NaN."""
    (x,) = args
    zero, one, minus_one = (b.scalar_constant(v, x.type) for v in (0, 1, -1))
    if is_float(x.type):
        positive = b.emit(arith.CmpfOp(x, zero, "ogt"))
        negative = b.emit(arith.CmpfOp(x, zero, "olt"))
        nan = b.emit(arith.CmpfOp(x, x, "uno"))
        rest = b.emit(arith.SelectOp(nan, x, zero))
    else:
        positive = b.emit(arith.CmpiOp(x, zero, "sgt"))
        negative = b.emit(arith.CmpiOp(x, zero, "slt"))
        rest = zero
    return b.emit(arith.SelectOp(positive, one, b.emit(arith.SelectOp(negative, minus_one, rest))))


def _all_ones(b: LoopsBuilder, t: Attribute) -> SSAValue:
    return b.scalar_constant(1 if t == i1 else -1, t)


def _invert(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    return b.emit(arith.XOrIOp(x, _all_ones(b, x.type)))


def _isnan(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    if not is_float(x.type):
        return b.scalar_constant(0, i1)
    return b.emit(arith.CmpfOp(x, x, "uno"))


def _isinf(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    if not is_float(x.type):
        return b.scalar_constant(0, i1)
    return b.emit(arith.CmpfOp(b.emit(math.AbsFOp(x)), _float(b, float("inf"), x), "oeq"))


def _bitwise(arith_op: Callable[[SSAValue, SSAValue], Operation]) -> Emitter:
    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        return b.emit(arith_op(args[0], args[1]))

    return emit


def _kept(b: LoopsBuilder, x: SSAValue, bound: SSAValue, predicate: str) -> SSAValue:
    """x `predicate` bound, or x is NaN: whether x (not the bound) is kept."""
    nan = b.emit(arith.CmpfOp(x, x, "uno"))
    return b.emit(arith.OrIOp(nan, b.emit(arith.CmpfOp(x, bound, predicate))))


def _clip(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    x, lo, hi = args
    if is_float(x.type):
        # numpy's order of comparisons: a NaN x (or bound) propagates, ±0.0 ties go to the bound
        raised = b.emit(arith.SelectOp(_kept(b, x, lo, "ogt"), x, lo))
        return b.emit(arith.SelectOp(_kept(b, raised, hi, "olt"), raised, hi))
    if is_bool(x.type):
        return b.emit(arith.AndIOp(b.emit(arith.OrIOp(x, lo)), hi))
    return b.emit(arith.MinSIOp(b.emit(arith.MaxSIOp(x, lo)), hi))


# ---------------------------------------------------------- floor division, remainder


def _float_remainder(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue]:
    """C's fmod(x, y), whether it is nonzero (or NaN), and whether it must move by y to
    take y's sign (numpy's divmod convention)."""
    rem = b.emit(llvm.FRemOp(x, y))
    zero = _float(b, 0.0, x)
    nonzero = b.emit(arith.CmpfOp(rem, zero, "une"))
    signs_differ = b.emit(
        arith.XOrIOp(b.emit(arith.CmpfOp(y, zero, "olt")), b.emit(arith.CmpfOp(rem, zero, "olt")))
    )
    return rem, nonzero, b.emit(arith.AndIOp(nonzero, signs_differ))


def _float_floor_div(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """numpy's float floor_divide: (x - fmod(x, y)) / y, moved down one where the
    remainder changes sign, snapped to the nearest integer; x / y when y is zero."""
    rem, _, adjust = _float_remainder(b, x, y)
    quotient = b.emit(arith.DivfOp(x, y))
    div = b.emit(arith.DivfOp(b.emit(arith.SubfOp(x, rem)), y))
    div = b.emit(arith.SelectOp(adjust, b.emit(arith.SubfOp(div, _float(b, 1.0, x))), div))
    floor = b.emit(math.FloorOp(div))
    up = b.emit(arith.CmpfOp(b.emit(arith.SubfOp(div, floor)), _float(b, 0.5, x), "ogt"))
    snapped = b.emit(arith.SelectOp(up, b.emit(arith.AddfOp(floor, _float(b, 1.0, x))), floor))
    zero = _float(b, 0.0, x)
    signed_zero = b.emit(math.CopySignOp(zero, quotient))
    result = b.emit(arith.SelectOp(b.emit(arith.CmpfOp(div, zero, "une")), snapped, signed_zero))
    return b.emit(arith.SelectOp(b.emit(arith.CmpfOp(y, zero, "oeq")), quotient, result))


def _float_mod(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """numpy's float remainder: fmod moved by y where its sign differs from y's; a
    zero remainder takes y's sign; NaN for y == 0 (from fmod)."""
    rem, nonzero, adjust = _float_remainder(b, x, y)
    moved = b.emit(arith.SelectOp(adjust, b.emit(arith.AddfOp(rem, y)), rem))
    signed_zero = b.emit(math.CopySignOp(_float(b, 0.0, x), y))
    return b.emit(arith.SelectOp(nonzero, moved, signed_zero))


def _safe_divisor(b: LoopsBuilder, y: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue]:
    """y with 0 and -1 replaced by 1 (the hardware traps on x / 0 and MIN / -1), and
    the two masks."""
    by_zero = b.emit(arith.CmpiOp(y, b.scalar_constant(0, y.type), "eq"))
    by_minus_one = b.emit(arith.CmpiOp(y, b.scalar_constant(-1, y.type), "eq"))
    unsafe = b.emit(arith.OrIOp(by_zero, by_minus_one))
    return b.emit(arith.SelectOp(unsafe, b.scalar_constant(1, y.type), y)), by_zero, by_minus_one


def _int_floor_div(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """Floor division; x // 0 is 0 and x // -1 is -x (wrapping), as numpy's."""
    safe, by_zero, by_minus_one = _safe_divisor(b, y)
    zero = b.scalar_constant(0, x.type)
    q = b.emit(arith.FloorDivSIOp(x, safe))
    q = b.emit(arith.SelectOp(by_minus_one, b.emit(arith.SubiOp(zero, x)), q))
    return b.emit(arith.SelectOp(by_zero, zero, q))


def _int_mod(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """Remainder with y's sign; x % 0 is 0 and x % -1 is 0, as numpy's."""
    safe, by_zero, _ = _safe_divisor(b, y)
    zero = b.scalar_constant(0, x.type)
    rem = b.emit(arith.RemSIOp(x, safe))  # 0 where y is -1 (safe is 1 there)
    nonzero = b.emit(arith.CmpiOp(rem, zero, "ne"))
    signs_differ = b.emit(arith.CmpiOp(b.emit(arith.XOrIOp(rem, y)), zero, "slt"))
    adjust = b.emit(arith.AndIOp(nonzero, signs_differ))
    moved = b.emit(arith.SelectOp(adjust, b.emit(arith.AddiOp(rem, y)), rem))
    return b.emit(arith.SelectOp(by_zero, zero, moved))


def _int_div(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    x, y = args
    return _float_floor_div(b, x, y) if is_float(x.type) else _int_floor_div(b, x, y)


def _mod(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    x, y = args
    return _float_mod(b, x, y) if is_float(x.type) else _int_mod(b, x, y)


def _atan2(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    y, x = args
    return b.emit(math.Atan2Op(y, x))


SCALAR_EMITTERS.update(
    {
        tg.ExpOp: _vector_math(vector_math.exp),
        tg.LogOp: _vector_math(vector_math.log),
        tg.TanhOp: _vector_math(vector_math.tanh),
        tg.SigmoidOp: _vector_math(vector_math.sigmoid),
        tg.SoftplusOp: _vector_math(vector_math.softplus),
        tg_math.SinOp: _unary(math.SinOp),
        tg_math.CosOp: _unary(math.CosOp),
        tg_math.TanOp: _unary(math.TanOp),
        tg_math.ArcsinOp: _unary(math.AsinOp),
        tg_math.ArccosOp: _unary(math.AcosOp),
        tg_math.ArctanOp: _unary(math.AtanOp),
        tg_math.SinhOp: _unary(math.SinhOp),
        tg_math.CoshOp: _unary(math.CoshOp),
        tg_math.ArcsinhOp: _unary(math.AsinhOp),
        tg_math.ArccoshOp: _unary(math.AcoshOp),
        tg_math.ArctanhOp: _unary(math.AtanhOp),
        tg_math.ErfOp: _vector_math(vector_math.erf),
        tg_math.ErfcOp: _erfc,
        tg_math.Log1pOp: _vector_math(vector_math.log1p),
        tg_math.Expm1Op: _vector_math(vector_math.expm1),
        tg_math.Log2Op: _unary(math.Log2Op),
        tg_math.Log10Op: _unary(math.Log10Op),
        tg_math.Exp2Op: _unary(math.Exp2Op),
        tg_math.ReciprocalOp: _reciprocal,
        tg_math.FloorOp: _unary(math.FloorOp),
        tg_math.CeilOp: _unary(math.CeilOp),
        tg_math.TruncOp: _unary(math.TruncOp),
        tg_math.RoundOp: _round,
        tg_math.SqrOp: _sqr,
        tg_math.SgnOp: _sgn,
        tg_math.InvertOp: _invert,
        tg_math.AndOp: _bitwise(arith.AndIOp),
        tg_math.OrOp: _bitwise(arith.OrIOp),
        tg_math.XorOp: _bitwise(arith.XOrIOp),
        tg_math.IsNanOp: _isnan,
        tg_math.IsInfOp: _isinf,
        tg_math.Arctan2Op: _atan2,
        tg_math.IntDivOp: _int_div,
        tg_math.ModOp: _mod,
        tg_math.ClipOp: _clip,
    }
)
