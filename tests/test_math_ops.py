"""tg's elementwise math (tg.tensor.math, tg.dialects.tg_math) against numpy, compiled
(FAST_RUN) and interpreted (FAST_COMPILE): values including NaN, ±inf, ±0.0, halves
and large arguments, dtype rules, gradients and errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.gradient import verify_grad
from tg_testutil import FLOATS, INTS, MODES, assert_result, compile_modes, rand, upgrade_to_float

MATRIX_SHAPES = [(3, 4), (1, 1), (0, 4), (5, 0), (1, 7), (4, 1), (0, 0)]
SPECIAL = [
    np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-30, -1e-30,
    1e-45, 1e-310, 1e5, -1e5, 1e10, 1e30, -1e30, 3e38, 88.7, 89.0, -104.0, 710.0, math.pi,
    math.pi / 2, 100.0, -100.0, 0.9999999, 1.0000001, 27.0, -27.0,
]  # fmt: skip
"""Values where libm and numpy must agree exactly or to a few ulp: NaN, infinities,
signed zeros, subnormals, halves, overflow thresholds, large trigonometric arguments."""


def _erf(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(math.erf, 1, 1)(x.astype(np.float64)), np.float64).astype(x.dtype)


def _erfc(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(math.erfc, 1, 1)(x.astype(np.float64)), np.float64).astype(x.dtype)


FLOAT_FUNCTIONS = {
    "sin": (T.sin, np.sin),
    "cos": (T.cos, np.cos),
    "tan": (T.tan, np.tan),
    "arcsin": (T.arcsin, np.arcsin),
    "arccos": (T.arccos, np.arccos),
    "arctan": (T.arctan, np.arctan),
    "sinh": (T.sinh, np.sinh),
    "cosh": (T.cosh, np.cosh),
    "arcsinh": (T.arcsinh, np.arcsinh),
    "arccosh": (T.arccosh, np.arccosh),
    "arctanh": (T.arctanh, np.arctanh),
    "erf": (T.erf, _erf),
    "erfc": (T.erfc, _erfc),
    "log1p": (T.log1p, np.log1p),
    "expm1": (T.expm1, np.expm1),
    "log2": (T.log2, np.log2),
    "log10": (T.log10, np.log10),
    "exp2": (T.exp2, np.exp2),
    "inv": (T.inv, np.reciprocal),
    "reciprocal": (T.reciprocal, np.reciprocal),
    "deg2rad": (T.deg2rad, np.deg2rad),
    "rad2deg": (T.rad2deg, np.rad2deg),
}
"""Float functions of one operand: tg function and numpy reference."""


def _special_rows(dtype: str, rng: np.random.Generator) -> list[np.ndarray]:
    """The special values (and their negations) as a row, and a row of random values
    spread over many magnitudes."""
    with np.errstate(over="ignore"):
        special = np.array(SPECIAL + [-v for v in SPECIAL], dtype)[None, :]
        wide = (rng.uniform(-1, 1, 400) * 10.0 ** rng.integers(-40, 40, 400)).astype(dtype)[None, :]
    return [special, wide]


def _tiny(dtype: str) -> float:
    """An absolute tolerance for subnormal results (where one ulp is a large ratio)."""
    return float(np.finfo(dtype).tiny) * 16


def _check(inputs, outputs, arg_sets, expected, rtol=None, atol=0.0, signed_zeros=False) -> None:
    """tg_testutil.check, and also (`signed_zeros`) that where numpy gives ±0.0 tg
    gives the same sign."""
    for mode, f in compile_modes(inputs, outputs):
        for args in arg_sets:
            got = f(*args)
            with np.errstate(all="ignore"):
                want = expected(*args)
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                what = f"{mode} output {i} for inputs of shapes {[np.shape(a) for a in args]}"
                assert_result(g, w, rtol=rtol, atol=atol, what=what)
                if signed_zeros:
                    zero = (np.asarray(w) == 0) & (g == 0)
                    np.testing.assert_array_equal(np.signbit(g[zero]), np.signbit(np.asarray(w)[zero]), err_msg=what)


# ------------------------------------------------------------------ float functions


@pytest.mark.parametrize("dtype", FLOATS)
def test_float_functions(dtype):
    rng = np.random.default_rng(0)
    x = T.matrix("x", dtype=dtype)
    names = sorted(FLOAT_FUNCTIONS)
    outputs = [FLOAT_FUNCTIONS[n][0](x) for n in names]

    def expected(a):
        return [FLOAT_FUNCTIONS[n][1](a) for n in names]

    args = [[rand(shape, dtype, rng)] for shape in MATRIX_SHAPES]
    args += [[row] for row in _special_rows(dtype, rng)]
    _check([x], outputs, args, expected, atol=_tiny(dtype), signed_zeros=True)


@pytest.mark.parametrize("dtype", [*INTS, "bool"])
def test_float_functions_of_integers_upgrade_to_float(dtype):
    """bool, int8, int16 compute in float32; int32, int64 in float64 (Theano's rule)."""
    rng = np.random.default_rng(1)
    x = T.vector("x", dtype=dtype)
    names = sorted(FLOAT_FUNCTIONS)
    outputs = [FLOAT_FUNCTIONS[n][0](x) for n in names]
    target = upgrade_to_float(dtype)
    assert all(o.dtype == target for o in outputs)
    if dtype in ("int16", "int32"):
        return  # same code as int8 and int64 once converted; keep the suite fast

    def expected(a):
        return [FLOAT_FUNCTIONS[n][1](a.astype(target)) for n in names]

    args = [[rand((n,), dtype, rng, low=-3, high=3)] for n in (0, 1, 9)]
    if dtype != "bool":
        args.append([rand((50,), dtype, rng, full_range=True)])
    _check([x], outputs, args, expected, atol=_tiny(target))


@pytest.mark.parametrize("dtype", FLOATS)
def test_arctan2(dtype):
    rng = np.random.default_rng(2)
    y, x = T.matrix("y", dtype=dtype), T.matrix("x", dtype=dtype)
    values = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 1e-30, 1e30, 2.5]
    pairs = np.array(list(itertools.product(values, repeat=2)), dtype)
    args = [[rand(shape, dtype, rng), rand(shape, dtype, rng)] for shape in MATRIX_SHAPES]
    args.append([pairs[None, :, 0].copy(), pairs[None, :, 1].copy()])
    _check([y, x], [T.arctan2(y, x)], args, lambda a, b: [np.arctan2(a, b)], signed_zeros=True)


def test_arctan2_dtypes():
    i8, i32 = T.bvector("i8"), T.ivector("i32")
    assert T.arctan2(i8, i8).dtype == "float32"
    assert T.arctan2(i32, i8).dtype == "float64"
    assert T.arctan2(T.fvector(), 2).dtype == "float32"
    assert T.arctan2(T.fvector(), T.dvector()).dtype == "float64"
    f = tg.function([i32], T.arctan2(i32, 3))
    a = np.array([-3, 0, 5], np.int32)
    assert_result(f(a), np.arctan2(a.astype(np.float64), 3.0))


# ------------------------------------------------------------------------- rounding

HALVES = [
    0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 0.49999999999999994, -0.3, 0.3, 8388607.5,
    4503599627370495.5, 1e30, 0.0, -0.0, np.nan, np.inf, -np.inf, 1e-45, 2.4999999,
]  # fmt: skip


def _round_away(a: np.ndarray) -> np.ndarray:
    """C's round, from Python's exact rational arithmetic (an independent oracle)."""
    out = np.empty_like(a)
    for i, v in enumerate(a.ravel().tolist()):
        if not math.isfinite(v):
            out.flat[i] = v
            continue
        r = math.floor(abs(v) + 0.5) if abs(v) % 1 == 0.5 else builtin_round(abs(v))
        out.flat[i] = math.copysign(r, v)
    return out


builtin_round = round


@pytest.mark.parametrize("dtype", FLOATS)
def test_rounding(dtype):
    rng = np.random.default_rng(3)
    x = T.matrix("x", dtype=dtype)
    outputs = [
        T.floor(x),
        T.ceil(x),
        T.trunc(x),
        T.round(x),
        T.round(x, "half_to_even"),
        T.round(x, "half_away_from_zero"),
        T.round_half_to_even(x),
        T.round_half_away_from_zero(x),
        x.round(),
        x.round("half_away_from_zero"),
    ]

    def expected(a):
        even, away = np.round(a), _round_away(a)
        return [np.floor(a), np.ceil(a), np.trunc(a), even, even, away, even, away, even, away]

    halves = np.array(HALVES + [-v for v in HALVES], dtype)[None, :]
    args = [[rand(shape, dtype, rng, low=-5, high=5)] for shape in MATRIX_SHAPES]
    args += [[halves], [(rng.integers(-20, 20, (3, 40)) / 2).astype(dtype)]]
    _check([x], outputs, args, expected, rtol=0, signed_zeros=True)


@pytest.mark.parametrize("dtype", [*INTS, "bool"])
def test_rounding_returns_integers_unchanged(dtype):
    x = T.vector("x", dtype=dtype)
    for f in (T.floor, T.ceil, T.trunc, T.round, T.round_half_to_even, T.round_half_away_from_zero):
        assert f(x) is x
    assert T.round(x, "half_away_from_zero") is x
    assert x.round() is x


def test_round_rejects_unknown_modes():
    x = T.dvector()
    with pytest.raises(ValueError, match="unknown mode 'half_up'.*'half_to_even', 'half_away_from_zero'"):
        T.round(x, "half_up")
    with pytest.raises(ValueError, match="unknown mode"):
        x.round("up")


# ------------------------------------------------------------ floor division, modulo

DIVISION_VALUES = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.1, 1e-30, 1e30, 3.0, -7.0, 1e-45, 1e308, 2.5]


@pytest.mark.parametrize("dtype", FLOATS)
def test_float_floor_div_and_mod(dtype):
    """Bit for bit numpy's floor_divide and remainder (its divmod algorithm), signed
    zeros and division by zero included."""
    rng = np.random.default_rng(4)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    outputs = [x // y, x % y, T.int_div(x, y), T.floor_div(x, y), T.mod(x, y), x // 0.7, 3.0 % x, x % -2]

    def expected(a, b):
        c = np.asarray(0.7, dtype)
        return [
            np.floor_divide(a, b), np.remainder(a, b), np.floor_divide(a, b), np.floor_divide(a, b),
            np.remainder(a, b), np.floor_divide(a, c), np.remainder(np.asarray(3.0, dtype), a),
            np.remainder(a, np.asarray(-2, dtype)),
        ]  # fmt: skip

    with np.errstate(over="ignore"):
        values = np.array(DIVISION_VALUES + [-v for v in DIVISION_VALUES], dtype)
    pairs = np.array(list(itertools.product(values, repeat=2)), dtype)
    args = [[rand(shape, dtype, rng, low=-50, high=50), rand(shape, dtype, rng)] for shape in MATRIX_SHAPES]
    args.append([pairs[None, :, 0].copy(), pairs[None, :, 1].copy()])
    ints = rng.integers(-30, 30, (2, 4, 50)).astype(dtype)
    args.append([ints[0, :, :], ints[1, :, :] / 4])  # exact quotients and remainders of 0
    _check([x, y], outputs, args, expected, rtol=0, signed_zeros=True)


@pytest.mark.parametrize("dtype", INTS)
def test_integer_floor_div_and_mod(dtype):
    """numpy's results, also where hardware division traps: x // 0 and x % 0 give 0,
    MIN // -1 wraps to MIN."""
    rng = np.random.default_rng(5)
    info = np.iinfo(dtype)
    x, y = T.vector("x", dtype=dtype), T.vector("y", dtype=dtype)
    outputs = [x // y, x % y, T.int_div(x, y), T.mod(x, y), x // 3, 7 // x, x % -4, -9 % x]

    def expected(a, b):
        k = lambda v: np.asarray(v, dtype)
        return [
            np.floor_divide(a, b), np.remainder(a, b), np.floor_divide(a, b), np.remainder(a, b),
            np.floor_divide(a, k(3)), np.floor_divide(k(7), a), np.remainder(a, k(-4)),
            np.remainder(k(-9), a),
        ]  # fmt: skip

    edges = np.array([info.min, info.min, info.max, info.max, 0, 0, 5, -5, -7, 7, info.min, -1], dtype)
    divisors = np.array([-1, 0, -1, 0, 0, -1, 0, 3, 2, -2, info.max, info.min], dtype)
    args = [
        [edges, divisors],
        [rand((0,), dtype, rng), rand((0,), dtype, rng)],
        [rand((1,), dtype, rng), rand((1,), dtype, rng)],
        [rand((300,), dtype, rng, full_range=True), rand((300,), dtype, rng, full_range=True)],
        [rand((200,), dtype, rng, low=-20, high=20), rand((200,), dtype, rng, low=-4, high=4)],
    ]
    _check([x, y], outputs, args, expected)


def test_floor_div_and_mod_dtypes():
    p, q = T.vector("p", dtype="bool"), T.vector("q", dtype="bool")
    assert (p // q).dtype == "int8" and (p % q).dtype == "int8"  # as numpy
    assert (T.ivector() // T.fscalar()).dtype == "float64"
    assert (T.bvector() // 2).dtype == "int8"
    assert (T.fvector() % 2).dtype == "float32"
    f = tg.function([p, q], [p // q, p % q])
    a, b = np.array([True, True, False, False]), np.array([True, False, True, False])
    with np.errstate(all="ignore"):
        for got, want in zip(f(a, b), [np.floor_divide(a, b), np.remainder(a, b)], strict=True):
            assert_result(got, want)


# ----------------------------------------------------------------- bitwise / logical


@pytest.mark.parametrize("dtype", INTS)
def test_bitwise_integers(dtype):
    rng = np.random.default_rng(6)
    x, y = T.matrix("x", dtype=dtype), T.row("y", dtype=dtype)
    outputs = [
        x & y, x | y, x ^ y, ~x, T.and_(x, y), T.or_(x, y), T.xor(x, y), T.invert(x),
        T.bitwise_and(x, y), T.bitwise_or(x, y), T.bitwise_xor(x, y), T.bitwise_not(y),
        x & 5, 3 | x, x ^ -1,
    ]  # fmt: skip

    def expected(a, b):
        k = lambda v: np.asarray(v, dtype)
        return [
            a & b, a | b, a ^ b, ~a, a & b, a | b, a ^ b, ~a, a & b, a | b, a ^ b, ~b,
            a & k(5), k(3) | a, a ^ k(-1),
        ]  # fmt: skip

    args = [
        [rand(shape, dtype, rng, full_range=True), rand((1, shape[1]), dtype, rng, full_range=True)]
        for shape in MATRIX_SHAPES
    ]
    _check([x, y], outputs, args, expected)


def test_logical_booleans():
    rng = np.random.default_rng(7)
    p, q = T.matrix("p", dtype="bool"), T.row("q", dtype="bool")
    outputs = [p & q, p | q, p ^ q, ~p, ~(p & q) | (p ^ True), T.and_(p, False), T.invert(q)]
    assert all(o.dtype == "bool" for o in outputs)

    def expected(a, b):
        return [a & b, a | b, a ^ b, ~a, ~(a & b) | (a ^ True), a & False, ~b]

    args = [[rand(shape, "bool", rng), rand((1, shape[1]), "bool", rng)] for shape in MATRIX_SHAPES]
    _check([p, q], outputs, args, expected)


def test_bitwise_dtype_rules_and_errors():
    assert (T.vector(dtype="bool") & T.bvector()).dtype == "int8"  # numpy's promotion
    assert (T.ivector() | T.lvector()).dtype == "int64"
    assert (T.vector(dtype="bool") | 1).dtype == "int64"
    for bad in (lambda: T.fvector() & 1, lambda: T.ivector() | T.dvector(), lambda: T.xor(1.5, T.ivector())):
        with pytest.raises(TypeError, match="bitwise operations take integers or booleans, got float"):
            bad()
    with pytest.raises(TypeError, match="invert: bitwise operations take integers or booleans, got float32"):
        ~T.fvector()


# ----------------------------------------------------------------------- predicates


@pytest.mark.parametrize("dtype", [*FLOATS, *INTS, "bool"])
def test_isnan_isinf(dtype):
    rng = np.random.default_rng(8)
    x = T.matrix("x", dtype=dtype)
    outputs = [T.isnan(x), T.isinf(x), T.isnan(x) | T.isinf(x)]
    assert all(o.dtype == "bool" for o in outputs)

    def expected(a):
        if a.dtype.kind != "f":
            zero = np.zeros(a.shape, bool)
            return [zero, zero, zero]
        return [np.isnan(a), np.isinf(a), np.isnan(a) | np.isinf(a)]

    args = [[rand(shape, dtype, rng, full_range=True)] for shape in MATRIX_SHAPES]
    if dtype in FLOATS:
        args += [[row] for row in _special_rows(dtype, rng)]
    _check([x], outputs, args, expected)


# --------------------------------------------------------------- sqr, sgn, abs alias


@pytest.mark.parametrize("dtype", [*FLOATS, *INTS])
def test_sqr_sgn_abs(dtype):
    rng = np.random.default_rng(9)
    x = T.matrix("x", dtype=dtype)
    outputs = [T.sqr(x), T.sgn(x), T.abs(x), abs(x)]
    assert T.abs is T.abs_
    assert all(o.dtype == dtype for o in outputs)

    def expected(a):
        with np.errstate(over="ignore"):
            return [a * a, np.sign(a), np.abs(a), np.abs(a)]

    args = [[rand(shape, dtype, rng, full_range=True)] for shape in MATRIX_SHAPES]
    if dtype in FLOATS:
        args += [[row] for row in _special_rows(dtype, rng)]
    _check([x], outputs, args, expected, signed_zeros=True)


def test_sqr_sgn_of_booleans_are_int8():
    p = T.vector("p", dtype="bool")
    f = tg.function([p], [T.sqr(p), T.sgn(p)])
    a = np.array([True, False])
    for got in f(a):
        assert_result(got, a.astype(np.int8))


# ----------------------------------------------------------------------------- clip


@pytest.mark.parametrize("dtype", FLOATS)
def test_clip_float(dtype):
    """numpy's clip: NaN in x or a bound propagates, a_max wins when the bounds cross,
    ±0.0 as numpy orders them."""
    rng = np.random.default_rng(10)
    x, lo, hi = T.matrix("x", dtype=dtype), T.row("lo", dtype=dtype), T.scalar("hi", dtype=dtype)
    outputs = [T.clip(x, lo, hi), x.clip(lo, hi), T.clip(x, -1, 1), T.clip(x, 0.5, -0.5), T.clip(x, lo, np.inf)]
    assert all(o.dtype == dtype for o in outputs)

    def expected(a, b, c):
        k = lambda v: np.asarray(v, dtype)
        return [np.clip(a, b, c), np.clip(a, b, c), np.clip(a, k(-1), k(1)), np.clip(a, k(0.5), k(-0.5)), np.clip(a, b, k(np.inf))]

    args = [
        [rand(shape, dtype, rng), rand((1, shape[1]), dtype, rng, low=-2, high=0), np.asarray(1.5, dtype)]
        for shape in MATRIX_SHAPES
    ]
    special = np.array(SPECIAL[:12], dtype)
    n = special.size
    args.append([np.tile(special, (n, 1)), special[None, :], np.asarray(0.0, dtype)])
    args.append([np.tile(special, (n, 1)), special[None, :], np.asarray(np.nan, dtype)])
    args.append([np.tile(special, (n, 1)), np.full((1, n), -0.0, dtype), np.asarray(-0.0, dtype)])
    _check([x, lo, hi], outputs, args, expected, rtol=0, signed_zeros=True)


@pytest.mark.parametrize("dtype", [*INTS, "bool"])
def test_clip_integers_and_booleans(dtype):
    rng = np.random.default_rng(11)
    x, lo, hi = T.matrix("x", dtype=dtype), T.row("lo", dtype=dtype), T.col("hi", dtype=dtype)
    outputs = [T.clip(x, lo, hi), x.clip(lo, hi)]

    def expected(a, b, c):
        if a.dtype == np.bool_:
            return [(a | b) & c] * 2
        return [np.clip(a, b, c)] * 2

    args = [
        [rand(shape, dtype, rng, full_range=True), rand((1, shape[1]), dtype, rng, full_range=True),
         rand((shape[0], 1), dtype, rng, full_range=True)]
        for shape in MATRIX_SHAPES
    ]  # fmt: skip
    _check([x, lo, hi], outputs, args, expected)


def test_clip_dtype_rules():
    assert T.clip(T.bvector(), -3, 3).dtype == "int8"
    assert T.clip(T.ivector(), 0.0, 1.0).dtype == "float64"  # numpy promotion
    assert T.clip(T.fvector(), 0, T.dscalar()).dtype == "float64"
    x = T.ivector("x")
    f = tg.function([x], T.clip(x, -2.5, 2.5))
    a = np.array([-5, -2, 0, 3], np.int32)
    assert_result(f(a), np.clip(a, -2.5, 2.5))


# ------------------------------------------------------------------ shapes and errors


@pytest.mark.parametrize("mode", MODES)
def test_mismatched_shapes_raise_value_errors(mode):
    x, y = T.dvector("x"), T.dvector("y")
    f = tg.function([x, y], [T.clip(x, y, 1.0), T.arctan2(x, y), x // y, x % y])
    with pytest.raises(ValueError, match="dimension 0 has size 3 .* but 2"):
        f(np.zeros(3), np.zeros(2))
    g = tg.function([x, y], T.clip(x, 0.0, y))
    with pytest.raises(ValueError, match="dimension 0"):
        g(np.zeros(4), np.zeros(5))


@pytest.mark.parametrize("mode", MODES)
def test_integer_division_by_zero_never_crashes(mode):
    x, y = T.lvector("x"), T.lvector("y")
    f = tg.function([x, y], [x // y, x % y, x // 0, x % 0], mode=mode)
    a = np.array([np.iinfo(np.int64).min, -1, 0, 7], np.int64)
    zeros = np.zeros(4, np.int64)
    for got in f(a, zeros):
        assert_result(got, zeros)


# ------------------------------------------------------------------------ gradients

rng = np.random.default_rng(42)


def _uniform(low: float, high: float, shape=(3, 4)) -> np.ndarray:
    return rng.uniform(low, high, shape)


def _away_from_multiples(y: np.ndarray) -> np.ndarray:
    """x values whose x / y is at least 0.2 from an integer (mod is smooth there)."""
    k = rng.integers(-3, 3, y.shape)
    return (k + rng.uniform(0.2, 0.8, y.shape)) * y


_divisors = _uniform(0.5, 2.0)
_lo, _hi = _uniform(-1.0, -0.5), _uniform(0.5, 1.0)
_clip_x = np.where(rng.random((3, 4)) < 0.5, _uniform(-0.4, 0.4), _uniform(1.5, 2.0) * rng.choice([-1, 1], (3, 4)))

GRADIENT_CASES = {
    "sin": (T.sin, [_uniform(-3, 3)]),
    "cos": (T.cos, [_uniform(-3, 3)]),
    "tan": (T.tan, [_uniform(-1.2, 1.2)]),
    "arcsin": (T.arcsin, [_uniform(-0.9, 0.9)]),
    "arccos": (T.arccos, [_uniform(-0.9, 0.9)]),
    "arctan": (T.arctan, [_uniform(-3, 3)]),
    "arctan2": (T.arctan2, [_uniform(-2, 2), _uniform(-2, 2)]),
    "sinh": (T.sinh, [_uniform(-2, 2)]),
    "cosh": (T.cosh, [_uniform(-2, 2)]),
    "arcsinh": (T.arcsinh, [_uniform(-3, 3)]),
    "arccosh": (T.arccosh, [_uniform(1.2, 4)]),
    "arctanh": (T.arctanh, [_uniform(-0.9, 0.9)]),
    "erf": (T.erf, [_uniform(-2, 2)]),
    "erfc": (T.erfc, [_uniform(-2, 2)]),
    "log1p": (T.log1p, [_uniform(-0.5, 3)]),
    "expm1": (T.expm1, [_uniform(-2, 2)]),
    "log2": (T.log2, [_uniform(0.2, 4)]),
    "log10": (T.log10, [_uniform(0.2, 4)]),
    "exp2": (T.exp2, [_uniform(-2, 2)]),
    "inv": (T.inv, [_uniform(0.5, 2) * rng.choice([-1, 1], (3, 4))]),
    "sqr": (T.sqr, [_uniform(-2, 2)]),
    "deg2rad": (T.deg2rad, [_uniform(-90, 90)]),
    "rad2deg": (T.rad2deg, [_uniform(-2, 2)]),
    "clip": (T.clip, [_clip_x, _lo, _hi]),
    "clip_crossed_bounds": (T.clip, [_clip_x, _hi, _lo]),
    "mod": (T.mod, [_away_from_multiples(_divisors), _divisors]),
    "mod_negative_divisor": (T.mod, [_away_from_multiples(-_divisors), -_divisors]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_verify_grad(name):
    fn, point = GRADIENT_CASES[name]
    verify_grad(fn, point, n_tests=1, rng=np.random.default_rng(0), mode="FAST_COMPILE")


def test_verify_grad_compiled():
    """Every gradient rule at once, in compiled code (on a few elements of each point,
    since each element costs two calls)."""
    names = sorted(GRADIENT_CASES)
    points = [p[0, :2].copy() for n in names for p in GRADIENT_CASES[n][1]]

    def fn(*xs):
        it = iter(xs)
        return [GRADIENT_CASES[n][0](*[next(it) for _ in GRADIENT_CASES[n][1]]) for n in names]

    verify_grad(fn, points, n_tests=1, rng=np.random.default_rng(0), mode="FAST_RUN")


def test_piecewise_constant_functions_have_zero_gradients():
    x, y = T.dvector("x"), T.dvector("y")
    pieces = [
        T.floor(x), T.ceil(x), T.trunc(x), T.round(x), T.round(x, "half_away_from_zero"), T.sgn(x),
        x // y, T.cast(T.isnan(x) | T.isinf(y), "float64"),
    ]  # fmt: skip
    cost = sum(p.sum() for p in pieces[1:]) + pieces[0].sum()
    gx, gy = tg.grad(cost, [x, y])
    f = tg.function([x, y], [gx, gy])
    for got in f(np.array([0.3, -1.7, 2.5]), np.array([1.5, 2.0, -0.5])):
        assert_result(got, np.zeros(3))


def test_gradients_of_mod_and_clip_bounds():
    x, y = T.dvector("x"), T.dvector("y")
    gx, gy = tg.grad(T.mod(x, y).sum(), [x, y])
    a, b = np.array([5.5, -5.5, 7.0, 0.3]), np.array([2.0, 2.0, -3.0, 1.0])
    f = tg.function([x, y], [gx, gy])
    got_x, got_y = f(a, b)
    assert_result(got_x, np.ones(4))
    assert_result(got_y, -np.floor_divide(a, b))

    lo, hi = T.dvector("lo"), T.dvector("hi")
    grads = tg.grad(T.clip(x, lo, hi).sum(), [x, lo, hi])
    f = tg.function([x, lo, hi], grads)
    a = np.array([-2.0, 0.0, 2.0, -1.0, 1.0, 0.5])
    low = np.array([-1.0, -1.0, -1.0, -1.0, -1.0, 1.0])
    high = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # the last pair crosses: a_max wins
    expected = [[0, 1, 0, 1, 1, 0], [1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 1]]
    for got, want in zip(f(a, low, high), expected, strict=True):
        assert_result(got, np.array(want, np.float64))


def test_bitwise_and_predicates_are_not_differentiable():
    x = T.dvector("x")
    cost = T.switch(T.isnan(x) & ~T.isinf(x), x, 2 * x).sum()
    f = tg.function([x], tg.grad(cost, x))
    assert_result(f(np.array([1.0, np.nan])), np.array([2.0, 1.0]))
