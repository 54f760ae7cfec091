"""exp, log, tanh, sigmoid, softplus, log1p, expm1 and erf as branch-free `arith` code.

Each function emits, through a LoopsBuilder, the computation of one float32 or float64
element: a range reduction, a polynomial and `arith.select`s for the special cases
(±inf, NaN, ±0, subnormal arguments and results, overflow). There are no calls, branches
or loops, so LLVM vectorizes the loops that use them. Every function is within 4 ulp of
the correctly rounded result over its whole domain (tests/test_vector_math.py measures
it on millions of points); most are within 1 or 2.

Only `contract` fast-math flags are used (on polynomials and reductions, where a fused
multiply-add is at least as accurate): nothing may assume away NaN or inf.

Polynomial coefficients are our own weighted minimax fits: a Remez exchange run offline
with mpmath at 50 digits, weighting each fit by how its error reaches the function's
relative error, then rounded to the target precision. Each table names the function it
approximates, on what interval, and the fit's weighted error.

These call libm (directly or through an LLVM intrinsic that becomes a libm call): sin,
cos, tan, arcsin, arccos, arctan, arctan2, sinh, cosh, arcsinh, arccosh, arctanh, erfc,
log2, log10, exp2 and pow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tg.lowering.convert_tg_to_loops import LoopsBuilder
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import Float32Type, Float64Type, IntegerType
from xdsl.dialects.utils.fast_math import FastMathFlag
from xdsl.ir import Attribute, SSAValue

CONTRACT = arith.FastMathFlagsAttr([FastMathFlag.ALLOW_CONTRACT])
"""Lets LLVM fuse a multiply and an add into one FMA (one rounding instead of two)."""


@dataclass(frozen=True)
class _Format:
    """The constants of one float format."""

    width: int
    mantissa: int  # fraction bits
    bias: int  # exponent bias
    ln2_hi: float  # ln 2 with trailing zero bits: k * ln2_hi is exact for every k used
    ln2_lo: float  # ln 2 - ln2_hi
    log2e: float
    exp_lo: float  # exp rounds to 0 below (x is clamped here, keeping k in range)
    exp_hi: float  # exp overflows above
    expm1_lo: float  # expm1 rounds to -1 below
    tiny: float  # |x| below which log1p(x) and expm1(x) round to x
    tanh_one: float  # tanh(x) rounds to 1 above
    erf_one: float  # erf(x) rounds to 1 above
    expm1_q: tuple[float, ...]
    log_p: tuple[float, ...]
    erf_regions: tuple[tuple[float, float, tuple[float, ...]], ...]

    @property
    def shift(self) -> float:
        """1.5 * 2**mantissa: adding it rounds to an integer, held in the low bits."""
        return 1.5 * 2.0**self.mantissa

    @property
    def sign_bit(self) -> int:
        return -(2 ** (self.width - 1))


# e^r = 1 + r + r^2 q(r) and expm1(r) = r + r^2 q(r) on |r| <= 1.01 ln2/2, fitted for the
# relative error of expm1(r) (weight r^2 / |expm1(r)|): 2^-31.9 (float32), 2^-61.6 (float64).
_EXPM1_Q32 = (0.5, 0.16666666, 0.041666348, 0.0083333915, 0.0013941652, 0.00019845959)
_EXPM1_Q64 = (
    0.5, 0.16666666666666677, 0.04166666666666649, 0.008333333333320737, 0.0013888888888968394,
    0.00019841269888684973, 2.480158716468357e-05, 2.755724136757156e-06, 2.755740599472811e-07,
    2.5110110384414534e-08, 2.087530161871008e-09,
)  # fmt: skip

# log1p(f) = 2 atanh(s) = 2s + s z p(z), s = f / (2 + f), z = s^2 <= (3 - 2 sqrt 2)^2, for
# m = 1 + f in [sqrt(1/2), sqrt(2)); weight z / 2 (the relative error of log1p(f)):
# 2^-30.2 (float32), 2^-59.5 (float64).
_LOG_P32 = (0.66666776, 0.39977497, 0.29873073)
_LOG_P64 = (
    0.6666666666666735, 0.3999999999941109, 0.2857142874326285, 0.22222198475969254,
    0.18183569740652247, 0.1531390322601011, 0.1479750790670723,
)  # fmt: skip

# erf by regions of a = |x|, as (start, centre, coefficients). The first region (a < 1)
# is erf(a) = a + a p(a^2), weighted for erf's relative error; the others are
# erf(a) = 1 - exp(q(a - centre)), q fitting log(erfc(a)) with weight erfc(a) / erf(a).
# float32: 2^-34.8, then 2^-37.7 on [1, 2], 2^-42.6 on [2, 3.95].
# float64: 2^-62.7, then 2^-67.2 on [1, 1.5], 2^-64.8 on [1.5, 2.3], 2^-62.4 on [2.3, 6].
_ERF32 = (
    (0.0, 0.0, (0.12837917, -0.37612638, 0.11283782, -0.0268654, 0.0052209455, -0.0008482829,
                0.00011256949, -9.64152e-06)),
    (1.0, 1.5, (-3.3844922, -3.5088007, -0.89264035, -0.025824048, 0.006006802, -0.0012582093,
                0.00021501577, -1.9203631e-05)),
    (2.0, 2.975, (-10.563368, -6.255898, -0.95683306, -0.007547663, 0.0013862874, -0.00025298755,
                  3.9521547e-05, -1.1758813e-05)),
)  # fmt: skip
_ERF64 = (
    (0.0, 0.0, (0.1283791670955126, -0.3761263890318375, 0.11283791670954857, -0.026866170645072896,
                0.005223977624780862, -0.0008548326978741898, 0.00012055331036887857,
                -1.4925593506594884e-05, 1.6460972812120367e-06, -1.635002516936542e-07,
                1.465787947828906e-08, -1.1365664544718623e-09, 5.945259349644249e-11)),
    (1.0, 1.25, (-2.5626536619221256, -3.0677239416692395, -0.8708101640587786, -0.032687008682628166,
                 0.007791961611600789, -0.0016069509615675949, 0.0002467839931164605,
                 -1.0041697962910377e-05, -1.0830843267401336e-05, 5.166811050098764e-06,
                 -1.4463207633321602e-06, 2.4712818051220917e-07, 2.4042337126768858e-09)),
    (1.5, 1.9, (-4.932345862780269, -4.233919248663888, -0.9185895296419025, -0.017969440346931344,
                0.003957990534477918, -0.0008180396322206229, 0.00015032943366417878,
                -2.217204447490456e-05, 1.6806411301618273e-06, 4.1165329656440193e-07,
                -2.462994806064987e-07, 7.792442112471643e-08, -1.8495224304902827e-08)),
    (2.3, 4.15, (-19.24514986316037, -8.528658671339016, -0.9750758785310917, -0.0034634084919404526,
                 0.0005184191009062487, -7.927092073830441e-05, 1.2005857304189378e-05,
                 -1.911500868274736e-06, 1.5572221399292447e-07, -9.978537754487337e-08,
                 -2.0042788748362e-08, -6.084958068708862e-09, -5.234883929544605e-10)),
)  # fmt: skip

_F32 = _Format(
    width=32, mantissa=23, bias=127, ln2_hi=0.693145751953125, ln2_lo=1.4286068e-06,
    log2e=1.442695, exp_lo=-104.0, exp_hi=89.0, expm1_lo=-20.0, tiny=2.0**-30,
    tanh_one=10.0, erf_one=3.95, expm1_q=_EXPM1_Q32, log_p=_LOG_P32, erf_regions=_ERF32,
)  # fmt: skip
_F64 = _Format(
    width=64, mantissa=52, bias=1023, ln2_hi=0.6931471803691238, ln2_lo=1.9082149292705877e-10,
    log2e=1.4426950408889634, exp_lo=-746.0, exp_hi=710.0, expm1_lo=-40.0, tiny=2.0**-60,
    tanh_one=22.0, erf_one=6.0, expm1_q=_EXPM1_Q64, log_p=_LOG_P64, erf_regions=_ERF64,
)  # fmt: skip


class _Code:
    """Emits scalar ops on one float type and the integer type of its bits."""

    def __init__(self, b: LoopsBuilder, t: Attribute):
        assert isinstance(t, (Float32Type, Float64Type)), f"no vector math for {t}"
        self.b = b
        self.t = t
        self.fmt = _F64 if isinstance(t, Float64Type) else _F32
        self.int = IntegerType(self.fmt.width)
        self.constants: dict[tuple[str, str | int], SSAValue] = {}

    def f(self, value: float) -> SSAValue:
        """A float constant (one per value and function)."""
        key = ("f", float(value).hex())
        if key not in self.constants:
            self.constants[key] = self.b.scalar_constant(value, self.t)
        return self.constants[key]

    def i(self, value: int) -> SSAValue:
        key = ("i", value)
        if key not in self.constants:
            self.constants[key] = self.b.scalar_constant(value, self.int)
        return self.constants[key]

    # float arithmetic: `fma` and `horner` may fuse, the others round each operation
    def add(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.AddfOp(x, y))

    def sub(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.SubfOp(x, y))

    def mul(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.MulfOp(x, y))

    def div(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.DivfOp(x, y))

    def fma(self, x: SSAValue, y: SSAValue, z: SSAValue) -> SSAValue:
        """x * y + z, fused where the target has an FMA."""
        return self.b.emit(arith.AddfOp(self.b.emit(arith.MulfOp(x, y, CONTRACT)), z, CONTRACT))

    def horner(self, x: SSAValue, coefficients: Sequence[float | SSAValue]) -> SSAValue:
        """sum(c[j] * x**j)."""
        *rest, last = coefficients
        acc = self.f(last) if isinstance(last, float) else last
        for c in reversed(rest):
            acc = self.fma(acc, x, self.f(c) if isinstance(c, float) else c)
        return acc

    def abs(self, x: SSAValue) -> SSAValue:
        return self.b.emit(math.AbsFOp(x))

    def cmp(self, x: SSAValue, predicate: str, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.CmpfOp(x, y, predicate))

    def select(self, condition: SSAValue, x: SSAValue, y: SSAValue) -> SSAValue:
        return self.b.emit(arith.SelectOp(condition, x, y))

    def clamp(self, x: SSAValue, lo: float, hi: float) -> SSAValue:
        """x limited to [lo, hi]; NaN stays NaN."""
        x = self.select(self.cmp(x, "olt", self.f(lo)), self.f(lo), x)
        return self.select(self.cmp(x, "ogt", self.f(hi)), self.f(hi), x)

    # the bits of a float as an integer, and integer arithmetic on them
    def bits(self, x: SSAValue) -> SSAValue:
        return self.b.emit(arith.BitcastOp(x, self.int))

    def from_bits(self, n: SSAValue) -> SSAValue:
        return self.b.emit(arith.BitcastOp(n, self.t))

    def iadd(self, m: SSAValue, n: SSAValue) -> SSAValue:
        return self.b.emit(arith.AddiOp(m, n))

    def isub(self, m: SSAValue, n: SSAValue) -> SSAValue:
        return self.b.emit(arith.SubiOp(m, n))

    def imul(self, m: SSAValue, n: SSAValue) -> SSAValue:
        return self.b.emit(arith.MuliOp(m, n))

    def shift_up(self, n: SSAValue, bits: int) -> SSAValue:
        """n << bits, as a multiplication (which LLVM turns back into a shift)."""
        return self.imul(n, self.i(2**bits))

    def copysign(self, magnitude: SSAValue, sign: SSAValue) -> SSAValue:
        """`magnitude` (not negative) with the sign bit of `sign`."""
        sign_bit = self.b.emit(arith.AndIOp(self.bits(sign), self.i(self.fmt.sign_bit)))
        return self.from_bits(self.b.emit(arith.OrIOp(self.bits(magnitude), sign_bit)))


# ------------------------------------------------------------------ exponentials


def _reduce_exp(c: _Code, x: SSAValue) -> tuple[SSAValue, SSAValue]:
    """k (as an integer) and r with x = k ln2 + r, |r| <= ln2/2 (x clamped by the caller)."""
    fmt = c.fmt
    shifted = c.fma(x, c.f(fmt.log2e), c.f(fmt.shift))  # k in the low bits
    k = c.sub(shifted, c.f(fmt.shift))
    r = c.fma(k, c.f(-fmt.ln2_hi), x)  # exact
    r = c.fma(k, c.f(-fmt.ln2_lo), r)
    return c.isub(c.bits(shifted), c.bits(c.f(fmt.shift))), r


def _expm1_reduced(c: _Code, r: SSAValue) -> SSAValue:
    """expm1(r) for |r| <= ln2/2."""
    return c.fma(c.mul(r, r), c.horner(r, c.fmt.expm1_q), r)


def _scale(c: _Code, x: SSAValue, k: SSAValue) -> SSAValue:
    """x * 2**k for k in [-2 bias - 2, 2 bias + 2], in two exact steps of 2**(k/2) so
    that an overflow gives inf and a subnormal result is rounded once."""
    fmt = c.fmt
    half = c.b.emit(arith.ShRUIOp(c.iadd(k, c.i(2 * fmt.bias + 2)), c.i(1)))  # floor(k/2) + bias + 1
    first = c.from_bits(c.shift_up(c.isub(half, c.i(1)), fmt.mantissa))
    second = c.from_bits(c.shift_up(c.iadd(c.isub(k, half), c.i(2 * fmt.bias + 1)), fmt.mantissa))
    return c.mul(c.mul(x, first), second)


def _exp(c: _Code, x: SSAValue) -> SSAValue:
    k, r = _reduce_exp(c, c.clamp(x, c.fmt.exp_lo, c.fmt.exp_hi))
    return _scale(c, c.add(_expm1_reduced(c, r), c.f(1.0)), k)


def _expm1_clamped(c: _Code, x: SSAValue, may_overflow: bool = True) -> SSAValue:
    """expm1(x) for x in [expm1_lo, exp_hi] (or NaN): 2**k expm1(r) + (2**k - 1), with
    2**k taken as 2 * 2**bias where k = bias + 1 (only `may_overflow`)."""
    fmt = c.fmt
    k, r = _reduce_exp(c, x)
    finite_k = c.b.emit(arith.MinSIOp(k, c.i(fmt.bias))) if may_overflow else k
    power = c.from_bits(c.shift_up(c.iadd(finite_k, c.i(fmt.bias)), fmt.mantissa))
    result = c.fma(power, _expm1_reduced(c, r), c.sub(power, c.f(1.0)))
    if not may_overflow:
        return result
    over = c.b.emit(arith.CmpiOp(k, c.i(fmt.bias), "sgt"))
    return c.mul(result, c.select(over, c.f(2.0), c.f(1.0)))


def _expm1(c: _Code, x: SSAValue) -> SSAValue:
    result = _expm1_clamped(c, c.clamp(x, c.fmt.expm1_lo, c.fmt.exp_hi))
    return c.select(c.cmp(c.abs(x), "olt", c.f(c.fmt.tiny)), x, result)  # keeps -0.0


def _tanh(c: _Code, x: SSAValue) -> SSAValue:
    """expm1(2|x|) / (expm1(2|x|) + 2), with the sign of x."""
    a = c.abs(x)
    a = c.select(c.cmp(a, "ogt", c.f(c.fmt.tanh_one)), c.f(c.fmt.tanh_one), a)
    e = _expm1_clamped(c, c.add(a, a), may_overflow=False)
    return c.copysign(c.div(e, c.add(e, c.f(2.0))), x)


def _sigmoid(c: _Code, x: SSAValue) -> SSAValue:
    """1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below (no overflow, subnormal tails)."""
    z = _exp(c, c.b.emit(arith.NegfOp(c.abs(x))))
    numerator = c.select(c.cmp(x, "oge", c.f(0.0)), c.f(1.0), z)
    return c.div(numerator, c.add(c.f(1.0), z))


# ------------------------------------------------------------------- logarithms


def _split(c: _Code, y: SSAValue) -> tuple[SSAValue, SSAValue]:
    """(e, f) with y = 2**e (1 + f) and 1 + f in [sqrt(1/2), sqrt(2)), for a positive
    normal finite y; e is an integer."""
    fmt = c.fmt
    sqrt_half = c.bits(c.f(0.7071067811865476))
    offset = c.iadd(c.isub(c.bits(y), sqrt_half), c.i((fmt.bias + 1) << fmt.mantissa))  # not negative
    e = c.isub(c.b.emit(arith.ShRUIOp(offset, c.i(fmt.mantissa))), c.i(fmt.bias + 1))
    m = c.from_bits(c.isub(c.bits(y), c.shift_up(e, fmt.mantissa)))
    return e, c.sub(m, c.f(1.0))


def _log_split(c: _Code, e: SSAValue, f: SSAValue, correction: SSAValue | None = None) -> SSAValue:
    """e ln2 + log1p(f) + correction (a term below ulp(1 + f), added with the low-order
    parts): log1p(f) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f), R = s^2 p(s^2)."""
    fmt = c.fmt
    ef = c.b.emit(arith.SIToFPOp(e, c.t))
    s = c.div(f, c.add(f, c.f(2.0)))
    z = c.mul(s, s)
    tail = c.mul(z, c.horner(z, fmt.log_p))
    half_square = c.mul(c.mul(c.f(0.5), f), f)
    low = c.mul(ef, c.f(fmt.ln2_lo))
    if correction is not None:
        low = c.add(low, correction)
    small = c.fma(s, c.add(half_square, tail), low)
    return c.fma(ef, c.f(fmt.ln2_hi), c.sub(f, c.sub(half_square, small)))


def _log(c: _Code, x: SSAValue) -> SSAValue:
    fmt = c.fmt
    subnormal = c.cmp(x, "olt", c.f(2.0 ** (1 - fmt.bias)))
    scaled = c.select(subnormal, c.mul(x, c.f(2.0 ** (fmt.mantissa + 2))), x)
    e, f = _split(c, scaled)
    e = c.select(subnormal, c.isub(e, c.i(fmt.mantissa + 2)), e)
    result = _log_split(c, e, f)
    result = c.select(c.cmp(x, "oeq", c.f(float("inf"))), x, result)
    result = c.select(c.cmp(x, "oeq", c.f(0.0)), c.f(float("-inf")), result)
    return c.select(c.cmp(x, "ult", c.f(0.0)), c.f(float("nan")), result)  # below 0, or NaN


def _log1p_finite(c: _Code, x: SSAValue, large: SSAValue | None) -> SSAValue:
    """log1p(x) for finite x > -1: log(u) + (1 + x - u) / u for u = 1 + x rounded; the
    rounding error 1 + x - u is exact by Fast2Sum (x may exceed 1 only where `large`)."""
    one = c.f(1.0)
    u = c.add(one, x)
    error = c.sub(x, c.sub(u, one))
    if large is not None:
        error = c.select(large, c.sub(one, c.sub(u, x)), error)
    e, f = _split(c, u)
    return _log_split(c, e, f, c.div(error, u))


def _log1p(c: _Code, x: SSAValue) -> SSAValue:
    result = _log1p_finite(c, x, c.cmp(x, "ogt", c.f(1.0)))
    result = c.select(c.cmp(c.abs(x), "olt", c.f(c.fmt.tiny)), x, result)  # keeps -0.0
    result = c.select(c.cmp(x, "oeq", c.f(float("inf"))), x, result)
    result = c.select(c.cmp(x, "oeq", c.f(-1.0)), c.f(float("-inf")), result)
    return c.select(c.cmp(x, "ult", c.f(-1.0)), c.f(float("nan")), result)  # below -1, or NaN


def _softplus(c: _Code, x: SSAValue) -> SSAValue:
    """max(x, 0) + log1p(exp(-|x|)); exp(-|x|) is in [0, 1], so log1p needs no special cases."""
    tail = _log1p_finite(c, _exp(c, c.b.emit(arith.NegfOp(c.abs(x)))), None)
    return c.add(c.b.emit(arith.MaximumfOp(x, c.f(0.0))), tail)


# ------------------------------------------------------------------------- erf


def _erf(c: _Code, x: SSAValue) -> SSAValue:
    """The polynomial of a = |x|'s region (coefficients and centre chosen by selects, so
    one Horner evaluation serves every region), with the sign of x."""
    regions = c.fmt.erf_regions
    a = c.abs(x)
    a = c.select(c.cmp(a, "ogt", c.f(c.fmt.erf_one)), c.f(c.fmt.erf_one), a)
    degree = max(len(coefficients) for _, _, coefficients in regions)
    padded = [coefficients + (0.0,) * (degree - len(coefficients)) for _, _, coefficients in regions]
    centre = c.f(regions[1][1])
    chosen: list[SSAValue] = [c.f(v) for v in padded[1]]
    for (start, middle, _), values in zip(regions[2:], padded[2:]):
        inside = c.cmp(a, "oge", c.f(start))
        centre = c.select(inside, c.f(middle), centre)
        chosen = [c.select(inside, c.f(v), old) for v, old in zip(values, chosen)]
    small = c.cmp(a, "olt", c.f(regions[1][0]))
    chosen = [c.select(small, c.f(v), old) for v, old in zip(padded[0], chosen)]
    variable = c.select(small, c.mul(a, a), c.sub(a, centre))
    y = c.horner(variable, chosen)
    near_zero = c.fma(a, y, a)
    far = c.sub(c.f(1.0), _exp(c, y))
    return c.copysign(c.select(small, near_zero, far), x)


# ------------------------------------------------------------------ entry points


def exp(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """e**x."""
    return _exp(_Code(b, x.type), x)


def expm1(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """e**x - 1, accurate near 0."""
    return _expm1(_Code(b, x.type), x)


def log(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """The natural logarithm."""
    return _log(_Code(b, x.type), x)


def log1p(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """log(1 + x), accurate near 0."""
    return _log1p(_Code(b, x.type), x)


def tanh(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    return _tanh(_Code(b, x.type), x)


def sigmoid(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """1 / (1 + e**-x)."""
    return _sigmoid(_Code(b, x.type), x)


def softplus(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """log(1 + e**x), without overflow."""
    return _softplus(_Code(b, x.type), x)


def erf(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    """The error function."""
    return _erf(_Code(b, x.type), x)
