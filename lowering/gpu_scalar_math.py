"""GPU scalar emitters: CUDA's own math functions where the CPU path emits tg's
polynomials (vector_math) or libm calls.

exp, log, tanh, erf, log1p and expm1 are `math` ops (printed expf/exp, logf/log, ...),
erfc and fmod are `tg_gpu.call`s; sigmoid and softplus are written with exp and log1p
in forms that neither overflow nor lose NaN. Float floor division and remainder follow
numpy's conventions as the CPU path does (the remainder from CUDA's fmod).
"""

from __future__ import annotations

from collections.abc import Callable

from tg.dialects import tg, tg_gpu, tg_math
from tg.dialects.tensor_types import dtype_of, is_float
from tg.lowering.convert_tg_to_loops import LoopsBuilder
from tg.lowering.gpu_kernel_builder import GPU_SCALAR_EMITTERS
from tg.lowering.loops_math import _int_floor_div, _int_mod
from xdsl.dialects import arith, math
from xdsl.ir import Operation, SSAValue

Emitter = Callable[[LoopsBuilder, Operation, list[SSAValue]], SSAValue]


def cuda_name(base: str, like: SSAValue) -> str:
    """CUDA's name of a math function for float32 (`expf`) or float64 (`exp`)."""
    return base + "f" if dtype_of(like.type).itemsize == 4 else base


def call(b: LoopsBuilder, base: str, *args: SSAValue) -> SSAValue:
    """A CUDA math function of args' type, by name."""
    return b.emit(tg_gpu.CallOp(cuda_name(base, args[0]), list(args), args[0].type))


def _unary(op: Callable[[SSAValue], Operation]) -> Emitter:
    return lambda b, o, args: b.emit(op(args[0]))


def _constant(b: LoopsBuilder, value: float, like: SSAValue) -> SSAValue:
    return b.scalar_constant(value, like.type)


def _sigmoid(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    """1 / (1 + exp(-x)): 0 for x -> -inf, 1 for x -> inf, NaN for NaN."""
    (x,) = args
    e = b.emit(math.ExpOp(b.emit(arith.NegfOp(x))))
    one = _constant(b, 1.0, x)
    return b.emit(arith.DivfOp(one, b.emit(arith.AddfOp(one, e))))


def _softplus(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    """max(x, 0) + log1p(exp(-|x|)): no overflow for large x, NaN kept."""
    (x,) = args
    tail = b.emit(math.Log1pOp(b.emit(math.ExpOp(b.emit(arith.NegfOp(b.emit(math.AbsFOp(x))))))))
    return b.emit(arith.AddfOp(b.emit(arith.MaximumfOp(x, _constant(b, 0.0, x))), tail))


def _erfc(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    return call(b, "erfc", args[0])


def _remainder(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> tuple[SSAValue, SSAValue, SSAValue]:
    """fmod(x, y), whether it is nonzero (or NaN), and whether it must move by y to take
    y's sign."""
    rem = call(b, "fmod", x, y)
    zero = _constant(b, 0.0, x)
    nonzero = b.emit(arith.CmpfOp(rem, zero, "une"))
    differ = b.emit(arith.XOrIOp(b.emit(arith.CmpfOp(y, zero, "olt")), b.emit(arith.CmpfOp(rem, zero, "olt"))))
    return rem, nonzero, b.emit(arith.AndIOp(nonzero, differ))


def _floor_divide(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    """numpy's float floor_divide (see loops_math: the same steps)."""
    rem, _, adjust = _remainder(b, x, y)
    one, half, zero = (_constant(b, v, x) for v in (1.0, 0.5, 0.0))
    quotient = b.emit(arith.DivfOp(x, y))
    div = b.emit(arith.DivfOp(b.emit(arith.SubfOp(x, rem)), y))
    div = b.emit(arith.SelectOp(adjust, b.emit(arith.SubfOp(div, one)), div))
    floor = b.emit(math.FloorOp(div))
    up = b.emit(arith.CmpfOp(b.emit(arith.SubfOp(div, floor)), half, "ogt"))
    snapped = b.emit(arith.SelectOp(up, b.emit(arith.AddfOp(floor, one)), floor))
    signed_zero = b.emit(math.CopySignOp(zero, quotient))
    result = b.emit(arith.SelectOp(b.emit(arith.CmpfOp(div, zero, "une")), snapped, signed_zero))
    return b.emit(arith.SelectOp(b.emit(arith.CmpfOp(y, zero, "oeq")), quotient, result))


def _float_mod(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    rem, nonzero, adjust = _remainder(b, x, y)
    moved = b.emit(arith.SelectOp(adjust, b.emit(arith.AddfOp(rem, y)), rem))
    signed_zero = b.emit(math.CopySignOp(_constant(b, 0.0, x), y))
    return b.emit(arith.SelectOp(nonzero, moved, signed_zero))


Binary = Callable[[LoopsBuilder, SSAValue, SSAValue], SSAValue]


def _by_kind(for_floats: Binary, for_integers: Binary) -> Emitter:
    """An emitter of a binary op whose float form is the GPU's own and whose integer
    form is the CPU path's."""

    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        x, y = args
        return (for_floats if is_float(x.type) else for_integers)(b, x, y)

    return emit


GPU_SCALAR_EMITTERS.update(
    {
        tg.ExpOp: _unary(math.ExpOp),
        tg.LogOp: _unary(math.LogOp),
        tg.TanhOp: _unary(math.TanhOp),
        tg.SigmoidOp: _sigmoid,
        tg.SoftplusOp: _softplus,
        tg_math.ErfOp: _unary(math.ErfOp),
        tg_math.ErfcOp: _erfc,
        tg_math.Log1pOp: _unary(math.Log1pOp),
        tg_math.Expm1Op: _unary(math.ExpM1Op),
        tg_math.IntDivOp: _by_kind(_floor_divide, _int_floor_div),
        tg_math.ModOp: _by_kind(_float_mod, _int_mod),
    }
)
