"""Every tg op and frontend function against numpy, in compiled (FAST_RUN) and
interpreted (FAST_COMPILE) mode, on random inputs of several shapes and dtypes."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tg
import tg.tensor as T
import tg.tensor.nnet  # noqa: F401  (not imported by tg.tensor itself)
from tg_testutil import (
    ALL_DTYPES,
    FLOATS,
    INTS,
    MODES,
    assert_result,
    check,
    compile_modes,
    np_cast,
    rand,
    upgrade_to_float,
)

MATRIX_SHAPES = [(3, 4), (1, 1), (0, 4), (5, 0), (1, 7), (4, 1), (0, 0)]
SPECIAL_FLOATS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 100.0, -100.0, 0.5, -2.5, 3.0]


def _matrix_args(dtype, rng, n_inputs=2, full_range=False, **kwargs):
    return [
        [rand(shape, dtype, rng, full_range=full_range, **kwargs) for _ in range(n_inputs)]
        for shape in MATRIX_SHAPES
    ]


# ------------------------------------------------------------------ elementwise binary


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_float(dtype):
    rng = np.random.default_rng(0)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    outputs = [
        x + y,
        x - y,
        x * y,
        x / y,
        x**y,
        T.maximum(x, y),
        T.minimum(x, y),
        T.add(x, y),
        T.sub(x, y),
        T.mul(x, y),
        T.true_div(x, y),
        T.pow(x, y),
    ]

    def expected(a, b):
        ops = [np.add, np.subtract, np.multiply, np.true_divide, np.power, np.maximum, np.minimum]
        first = [op(a, b) for op in ops]
        return first + first[:3] + [first[3], first[4]]

    special = np.array(SPECIAL_FLOATS, dtype)
    args = _matrix_args(dtype, rng)
    args.append([special[None, :], special[::-1][None, :].copy()])  # NaN, inf, signed zeros
    args.append([np.abs(rand((4, 5), dtype, rng)) + 0.1, np.round(rand((4, 5), dtype, rng))])  # pow of positives
    check([x, y], outputs, args, expected)


@pytest.mark.parametrize("dtype", INTS)
def test_binary_int(dtype):
    """Integer arithmetic wraps as numpy's does; / and ** compute in floatX."""
    rng = np.random.default_rng(1)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    outputs = [x + y, x - y, x * y, T.maximum(x, y), T.minimum(x, y), x / y, x**y]

    fx = tg.config.floatX

    def expected(a, b):
        fa, fb = a.astype(fx), b.astype(fx)
        return [a + b, a - b, a * b, np.maximum(a, b), np.minimum(a, b), fa / fb, fa**fb]

    args = _matrix_args(dtype, rng, full_range=True)
    args.append([rand((3, 3), dtype, rng, -4, 4), rand((3, 3), dtype, rng, -3, 3)])  # small powers
    check([x, y], outputs, args, expected)
    assert outputs[5].dtype == tg.config.floatX and outputs[6].dtype == tg.config.floatX


def test_mixed_dtype_binary_upcasts_as_numpy():
    rng = np.random.default_rng(2)
    pairs = [("float32", "float64"), ("int8", "float32"), ("int16", "int32"), ("int32", "float32"),
             ("int64", "float32"), ("bool", "int16"), ("int8", "int64")]
    inputs, outputs, makers = [], [], []
    for i, (d1, d2) in enumerate(pairs):
        a, b = T.vector(f"a{i}", dtype=d1), T.vector(f"b{i}", dtype=d2)
        inputs += [a, b]
        outputs += [a + b, a * b, T.maximum(a, b)]
    for d1, d2 in pairs:
        makers += [d1, d2]

    def expected(*arrays):
        out = []
        for a, b in zip(arrays[::2], arrays[1::2]):
            out += [a + b, a * b, np.maximum(a, b)]
        return out

    args = [[rand((n,), d, rng, -50, 50) for d in makers] for n in (5, 0, 1)]
    check(inputs, outputs, args, expected)


def test_size_zero_constants_interpreted():
    x = T.dmatrix("x")
    f = tg.function([x], [x * np.ones((0, 3)), T.constant(np.zeros((0, 2), "int32"))], mode="FAST_COMPILE")
    a, b = f(np.ones((0, 3)))
    assert_result(a, np.ones((0, 3)))
    assert_result(b, np.zeros((0, 2), "int32"))


def test_size_zero_constants_compiled():
    x = T.dmatrix("x")
    f = tg.function([x], [x * np.ones((0, 3)), T.constant(np.zeros((0, 2), "int32"))])
    a, b = f(np.ones((0, 3)))
    assert_result(a, np.ones((0, 3)))
    assert_result(b, np.zeros((0, 2), "int32"))


# -------------------------------------------------------------------- elementwise unary

UNARY = [
    ("exp", T.exp, np.exp),
    ("log", T.log, np.log),
    ("tanh", T.tanh, np.tanh),
    ("sqrt", T.sqrt, np.sqrt),
    ("sigmoid", T.sigmoid, lambda a: a.dtype.type(1) / (a.dtype.type(1) + np.exp(-a))),
]


@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_float(dtype):
    rng = np.random.default_rng(3)
    x = T.matrix("x", dtype=dtype)
    outputs = [-x, abs(x), T.neg(x), T.abs_(x)] + [fn(x) for _, fn, _ in UNARY]
    outputs.append(tg.tensor.nnet.sigmoid(x))

    def expected(a):
        ref = [np.negative(a), np.abs(a), np.negative(a), np.abs(a)] + [npf(a) for _, _, npf in UNARY]
        return ref + [ref[-1]]

    args = [[rand(s, dtype, rng, -5, 5)] for s in MATRIX_SHAPES]
    args.append([np.array([SPECIAL_FLOATS], dtype)])
    args.append([rand((2, 50), dtype, rng, 0, 1e3)])  # large arguments: exp overflows to inf
    check([x], outputs, args, expected, atol=1e-30)


@pytest.mark.parametrize("dtype", ("bool", *INTS))
def test_unary_int(dtype):
    """neg/abs keep integer dtypes (wrapping at the minimum); float functions upgrade
    small ints (and bool) to float32 and wide ones to float64, as Theano."""
    rng = np.random.default_rng(4)
    x = T.vector("x", dtype=dtype)
    fdt = upgrade_to_float(dtype)
    outputs = [fn(x) for _, fn, _ in UNARY]
    if dtype != "bool":
        outputs = [-x, abs(x)] + outputs

    def expected(a):
        f = a.astype(fdt)
        ref = [npf(f) for _, _, npf in UNARY]
        return ref if dtype == "bool" else [-a, np.abs(a)] + ref

    args = [[rand((n,), dtype, rng, full_range=True)] for n in (0, 1, 9)]
    if dtype != "bool":
        info = np.iinfo(dtype)
        args.append([np.array([info.min, info.max, 0, -1, 1], dtype)])
    check([x], outputs, args, expected, atol=1e-30)
    for out in outputs[-5:]:
        assert out.dtype == fdt


def test_neg_and_abs_of_bool_compute_in_int8():
    x = T.vector("x", dtype="bool")
    for mode, f in compile_modes([x], [-x, abs(x)]):
        n, a = f(np.array([True, False]))
        assert_result(n, np.array([-1, 0], "int8"), what=mode)
        assert_result(a, np.array([1, 0], "int8"), what=mode)
    assert (-x).dtype == "int8" and T.bvector("b").astype("bool").dtype == "bool"


# ------------------------------------------------------------------------ comparisons

COMPARISONS = [
    (T.eq, np.equal),
    (T.neq, np.not_equal),
    (T.lt, np.less),
    (T.le, np.less_equal),
    (T.gt, np.greater),
    (T.ge, np.greater_equal),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_comparisons(dtype):
    rng = np.random.default_rng(5)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    outputs = [fn(x, y) for fn, _ in COMPARISONS] + [x < y, x <= y, x > y, x >= y]

    def expected(a, b):
        return [npf(a, b) for _, npf in COMPARISONS] + [a < b, a <= b, a > b, a >= b]

    args = [[rand(s, dtype, rng, -2, 2), rand(s, dtype, rng, -2, 2)] for s in MATRIX_SHAPES]
    if dtype in FLOATS:
        special = np.array(SPECIAL_FLOATS, dtype)[None, :]
        args.append([special, special[:, ::-1].copy()])
        args.append([special, special.copy()])
    if dtype in INTS:
        args.append([rand((4, 4), dtype, rng, full_range=True), rand((4, 4), dtype, rng, full_range=True)])
    check([x, y], outputs, args, expected)
    assert all(o.dtype == "bool" for o in outputs)


def test_comparisons_with_python_scalars_and_mixed_dtypes():
    rng = np.random.default_rng(6)
    i, f, d = T.ivector("i"), T.fvector("f"), T.dvector("d")
    outputs = [i < 0.5, T.eq(i, 2), f >= 1, T.neq(f, d), T.lt(d, i), T.ge(0, f)]

    def expected(a, b, c):
        return [a < 0.5, a == 2, b >= 1, b != c, c < a, 0 >= b]

    args = [[rand((n,), "int32", rng, -3, 3), rand((n,), "float32", rng), rand((n,), "float64", rng)]
            for n in (0, 1, 8)]
    check([i, f, d], outputs, args, expected)


# ---------------------------------------------------------------------------- switch


@pytest.mark.parametrize("cond_dtype", ["bool", "int8", "int32", "float32", "float64"])
def test_switch(cond_dtype):
    """switch/where: non-boolean conditions mean `!= 0`; choices upcast as numpy;
    operands broadcast along broadcastable (row, col, scalar) dimensions."""
    rng = np.random.default_rng(7)
    c = T.matrix("c", dtype=cond_dtype)
    a, b = T.fmatrix("a"), T.dmatrix("b")
    r, k = T.irow("r"), T.bcol("k")
    outputs = [
        T.switch(c, a, b),
        T.where(c, b, a),
        T.switch(c, a, 0.5),
        T.switch(c, 1.0, 0.0),
        T.switch(c, r, k),
        T.switch(c, 3, r),
        T.switch(T.gt(a, 0), a, -a),
    ]

    def expected(cv, av, bv, rv, kv):
        cb = cv != 0
        return [
            np.where(cb, av, bv),
            np.where(cb, bv, av),
            np.where(cb, av, np.float32(0.5)),
            np.where(cb, 1.0, 0.0),
            np.where(cb, rv, kv),
            np.where(cb, np.int32(3), rv),
            np.where(av > 0, av, -av),
        ]

    args = []
    for m, n in [(3, 4), (1, 1), (0, 3), (2, 0), (5, 1)]:
        cv = rand((m, n), cond_dtype, rng, -1, 1)
        if cond_dtype in FLOATS and cv.size:
            cv.flat[0] = np.nan  # NaN is true, as numpy's `!= 0`
        args.append([cv, rand((m, n), "float32", rng), rand((m, n), "float64", rng),
                     rand((1, n), "int32", rng, -9, 9), rand((m, 1), "int8", rng, -9, 9)])
    check([c, a, b, r, k], outputs, args, expected)


# ------------------------------------------------------------------------------ cast


def _cast_values(dtype: str, rng) -> np.ndarray:
    if dtype in FLOATS:
        edges = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.4, -0.6, 0.999, -1.5, 1.5, 2.7, -2.7,
                 127.0, 127.9, 128.0, -128.0, -128.9, -129.0, 255.5, 32767.5, 32768.0, -32769.0,
                 2.0**31 - 1, 2.0**31, -(2.0**31), -(2.0**31) - 1e3, 1e10, -1e10,
                 2.0**62, 9.3e18, 2.0**63, -(2.0**63), -1e19, 1e30, -1e30, 3.5e38, -3.5e38]
        with np.errstate(over="ignore"):
            return np.concatenate([np.array(edges), rng.uniform(-300, 300, 20)]).astype(dtype)
    if dtype == "bool":
        return np.array([True, False, True, True, False])
    info = np.iinfo(dtype)
    fixed = np.array([info.min, info.max, 0, 1, -1, info.min + 1, info.max - 1], dtype)
    return np.concatenate([fixed, rand((20,), dtype, rng, full_range=True)])


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize(
    "source,mode",
    [(s, m) for s in ALL_DTYPES for m in MODES],
)
def test_cast_all_pairs(source, mode):
    """cast/astype to every dtype; float to int truncates, saturates, NaN gives 0."""
    rng = np.random.default_rng(8)
    x = T.vector("x", dtype=source)
    outputs = [T.cast(x, target) for target in ALL_DTYPES] + [x.astype(np.dtype(t)) for t in ALL_DTYPES]
    f = tg.function([x], outputs, mode=mode)
    values = _cast_values(source, rng)
    for v in (values, values[:0], values[:1], values[::-3]):
        got = f(v)
        want = [np_cast(v, t) for t in ALL_DTYPES] * 2
        for i, (g, w) in enumerate(zip(got, want)):
            assert_result(g, w, rtol=0, what=f"{mode}: cast {source} -> {w.dtype} (output {i})")


@pytest.mark.parametrize("source", FLOATS)
def test_cast_float_to_int_in_range_agrees_between_modes(source):
    """Away from the upper saturation bound both modes truncate, saturate below and map NaN to 0."""
    x = T.vector("x", dtype=source)
    values = np.array([np.nan, -np.inf, -1e30, -2.0**63, -1e10, -129.5, -1.5, -0.5, 0.0, 0.7, 1.5, 126.9,
                       3e4, 2.0**30, 1e10, 2.0**62], source)
    for mode, f in compile_modes([x], [T.cast(x, t) for t in INTS]):
        for g, t in zip(f(values), INTS):
            ok = values < np.iinfo(t).max if t != "int64" else values < 2.0**62 + 1
            assert_result(g[ok], np_cast(values, t)[ok], what=f"{mode} {source}->{t}")


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("source", FLOATS)
def test_cast_float_to_int64_saturates_in_interpreter(source):
    """The numpy reference (FAST_COMPILE) must saturate at int64's maximum, as compiled code does."""
    x = T.vector("x", dtype=source)
    f = tg.function([x], T.cast(x, "int64"), mode="FAST_COMPILE")
    values = np.array([9.3e18, 2.0**63, np.inf, -np.inf, np.nan, 1.5], source)
    assert_result(f(values), np_cast(values, "int64"))


# ---------------------------------------------------------------------------- alloc


def test_alloc():
    rng = np.random.default_rng(9)
    s, v, m = T.fscalar("s"), T.dvector("v"), T.imatrix("m")
    outputs = [
        T.alloc(s, 3, 2),
        T.alloc(s, v.shape[0], 2),
        T.alloc(v, 2, v.shape[0]),
        T.alloc(v, v.shape[0]),
        T.alloc(m, m.shape[0], m.shape[1]),
        T.alloc(m, 2, m.shape[0], m.shape[1]),
        T.alloc(1.5, m.shape[1] * 2, 0),
        T.alloc(s, m.shape[0] + m.shape[1]),
        T.alloc(s, 1, 1, v.shape[0]),
        T.alloc(v.sum(), v.shape[0] - 1 + 1),
        T.alloc(s, m.shape[1], m.shape[1]),
    ]

    def expected(sv, vv, mv):
        return [
            np.full((3, 2), sv, "float32"),
            np.full((len(vv), 2), sv, "float32"),
            np.broadcast_to(vv, (2, len(vv))),
            vv,
            mv,
            np.broadcast_to(mv, (2, *mv.shape)),
            np.full((mv.shape[1] * 2, 0), 1.5),
            np.full((mv.shape[0] + mv.shape[1],), sv, "float32"),
            np.full((1, 1, len(vv)), sv, "float32"),
            np.full((len(vv),), vv.sum()),
            np.full((mv.shape[1], mv.shape[1]), sv, "float32"),
        ]

    args = [[np.float32(rng.uniform()), rand((k,), "float64", rng), rand((a, b), "int32", rng, -9, 9)]
            for k, a, b in [(3, 2, 5), (0, 0, 0), (1, 1, 1), (4, 0, 3)]]
    check([s, v, m], outputs, args, expected, atol=1e-12)


def test_alloc_with_sizes_from_input_values():
    """Sizes given by integer inputs are read before the call runs."""
    s, n = T.fscalar("s"), T.lscalar("n")
    for mode in MODES:
        f = tg.function([s, n], T.alloc(s, n, 2), mode=mode)
        assert_result(f(1.5, 3), np.full((3, 2), 1.5, np.float32))
        with pytest.raises(ValueError, match="negative"):
            f(1.5, -1)


def test_alloc_with_sizes_computed_from_data_runs_in_stages():
    """A size only generated code can compute (a sum) is computed by a first stage."""
    v = T.lvector("v")
    size = T.sum(v * 2)
    for mode in MODES:
        f = tg.function([v], [T.alloc(T.cast(v.sum(), "float32"), size), v + 1], mode=mode)
        assert len(f._stages) == 2
        got, plus = f(np.array([1, 2], np.int64))
        assert_result(got, np.full(6, 3.0, np.float32))
        assert_result(plus, np.array([2, 3], np.int64))


def test_alloc_static_sizes_types():
    s = T.fscalar("s")
    assert T.alloc(s, 3, 1).broadcastable == (False, True)
    assert T.alloc(s, 3, 1).dtype == "float32"
    assert T.alloc(s, 2).ndim == 1
    assert T.alloc(s, 0, 2).broadcastable == (False, False)


# ------------------------------------------------------------------- dimshuffle/transpose


def test_dimshuffle():
    rng = np.random.default_rng(10)
    v, m, t3 = T.fvector("v"), T.dmatrix("m"), T.itensor3("t3")
    r, c, s = T.drow("r"), T.dcol("c"), T.dscalar("s")
    b = T.TensorType("float64", (False, True, False, True))("b")
    outputs = [
        v.dimshuffle("x", 0),
        v.dimshuffle(0, "x"),
        v.dimshuffle("x", 0, "x"),
        m.dimshuffle(1, 0),
        m.dimshuffle("x", 1, "x", 0),
        t3.dimshuffle(2, 0, 1),
        t3.dimshuffle(1, "x", 2, 0),
        r.dimshuffle(1),  # drops the broadcastable dimension
        c.dimshuffle(0),
        c.dimshuffle("x", 0),
        s.dimshuffle("x", "x"),
        b.dimshuffle(2, 0),
        b.dimshuffle(0, "x", 2),
        T.dimshuffle(m, [1, 0]),
        m.dimshuffle(0, 1),
        (v.dimshuffle(0, "x") * m.dimshuffle("x", 0, 1)).sum(axis=0),  # broadcast over a new dim
    ]

    def expected(vv, mv, tv, rv, cv, sv, bv):
        return [
            vv[None, :],
            vv[:, None],
            vv[None, :, None],
            mv.T,
            mv.T[None, :, None, :],
            tv.transpose(2, 0, 1),
            tv.transpose(1, 2, 0)[:, None],
            rv[0],
            cv[:, 0],
            cv[:, 0][None, :],
            np.asarray(sv)[None, None],
            bv[:, 0, :, 0].T,
            bv[:, 0:1, :, 0] * 1.0,
            mv.T,
            mv,
            (vv.astype("float64")[:, None] * mv[None, :, :]).sum(axis=0),
        ]

    args = []
    for n, p, q in [(3, 2, 4), (1, 1, 1), (0, 2, 0), (5, 0, 2)]:
        args.append([rand((n,), "float32", rng), rand((n, q), "float64", rng),
                     rand((p, q, n), "int32", rng, -9, 9), rand((1, q), "float64", rng),
                     rand((p, 1), "float64", rng), np.float64(rng.uniform()),
                     rand((p, 1, q, 1), "float64", rng)])
    check([v, m, t3, r, c, s, b], outputs, args, expected)
    assert r.dimshuffle(1).broadcastable == (False,)
    assert v.dimshuffle("x", 0).broadcastable == (True, False)
    with pytest.raises(ValueError):
        m.dimshuffle(0)  # dropping a non-broadcastable dimension
    with pytest.raises(ValueError):
        m.dimshuffle(0, 0)
    with pytest.raises(ValueError):
        m.dimshuffle(0, 2)


def test_transpose():
    rng = np.random.default_rng(11)
    m, t3, v, s = T.fmatrix("m"), T.ltensor3("t3"), T.dvector("v"), T.dscalar("s")
    r = T.frow("r")
    outputs = [m.T, T.transpose(m), m.transpose(), t3.T, T.transpose(t3), v.T, s.T, r.T, (m.T + 1).T,
               m.T.sum(axis=1), t3.T.max(axis=0)]

    def expected(mv, tv, vv, sv, rv):
        return [mv.T, mv.T, mv.T, tv.transpose(2, 1, 0), tv.transpose(2, 1, 0), vv, np.asarray(sv), rv.T,
                mv + np.float32(1), mv.sum(axis=0), tv.transpose(2, 1, 0).max(axis=0)]

    args = [[rand((a, b), "float32", rng), rand((a, b, c), "int64", rng, -99, 99), rand((c,), "float64", rng),
             np.float64(2.5), rand((1, b), "float32", rng)]
            for a, b, c in [(2, 3, 4), (1, 1, 1), (3, 1, 2), (4, 5, 1)]]
    check([m, t3, v, s, r], outputs, args, expected, atol=1e-5)
    assert r.T.broadcastable == (False, True)


def test_transpose_with_explicit_axes():
    rng = np.random.default_rng(11)
    m, t3 = T.fmatrix("m"), T.ltensor3("t3")
    outputs = [m.transpose(1, 0), t3.transpose(0, 2, 1), t3.transpose((2, 0, 1)), T.transpose(t3, [1, 0, 2]),
               t3.transpose(-1, 0, 1), m.transpose(0, 1)]

    def expected(mv, tv):
        return [mv.T, tv.transpose(0, 2, 1), tv.transpose(2, 0, 1), tv.transpose(1, 0, 2), tv.transpose(2, 0, 1),
                mv]

    args = [[rand((a, b), "float32", rng), rand((a, b, c), "int64", rng, -99, 99)]
            for a, b, c in [(2, 3, 4), (1, 1, 1), (0, 3, 2)]]
    check([m, t3], outputs, args, expected)


# ------------------------------------------------------------------------ reductions

AXES = [None, 0, 1, -1, (0, 2), (-1, -3), (1, 2), (), (0, 1, 2)]


def _reduction_atol(*arrays):
    """Room for reassociated float sums: 1e-5 * (number of terms) * (largest |term|)."""
    tol = 0.0
    for a in arrays:
        a = np.asarray(a, dtype="float64")
        scale = float(np.nanmax(np.abs(a))) if a.size else 0.0
        if np.isfinite(scale):
            tol = max(tol, 1e-5 * max(1, a.size) * scale)
    return tol


@pytest.mark.parametrize("dtype", ("float32", "float64", "int8", "int32", "int64", "bool"))
def test_sum_mean_max(dtype):
    """sum/mean/max with axis None/int/tuple/negative/empty and keepdims. Small ints
    sum as int64 and average as float64; max keeps the dtype."""
    rng = np.random.default_rng(12)
    x = T.tensor3("x", dtype=dtype)
    outputs, refs = [], []
    for axis in AXES:
        for keepdims in (False, True):
            outputs += [x.sum(axis=axis, keepdims=keepdims), x.mean(axis=axis, keepdims=keepdims)]
            refs += [("sum", axis, keepdims), ("mean", axis, keepdims)]
    outputs += [T.sum(x, 1), T.mean(x, axis=[0, 1]), T.sum(x, axis=(2,), keepdims=True)]
    refs += [("sum", 1, False), ("mean", (0, 1), False), ("sum", (2,), True)]

    def expected(a):
        out = []
        for kind, axis, keepdims in refs:
            if kind == "sum":
                out.append(np.sum(a, axis=axis, keepdims=keepdims))
            elif a.dtype.kind == "f":
                out.append(np.mean(a, axis=axis, keepdims=keepdims))
            else:
                out.append(np.mean(a, axis=axis, keepdims=keepdims, dtype="float64"))
        return out

    args = [[rand(s, dtype, rng, -50, 50)] for s in [(2, 3, 4), (1, 1, 1), (0, 3, 2), (3, 0, 1), (4, 1, 5)]]
    if dtype in INTS:
        args.append([rand((3, 4, 5), dtype, rng, full_range=True)])
    check([x], outputs, args, expected, atol=_reduction_atol)

    max_outputs, max_refs = [], []
    for axis in AXES:
        for keepdims in (False, True):
            max_outputs.append(x.max(axis=axis, keepdims=keepdims))
            max_refs.append((axis, keepdims))
    max_outputs.append(T.max(x, axis=-2))
    max_refs.append((-2, False))

    def expected_max(a):
        return [np.max(a, axis=axis, keepdims=keepdims) for axis, keepdims in max_refs]

    max_args = [[rand(s, dtype, rng, -50, 50, full_range=True)] for s in [(2, 3, 4), (1, 1, 1), (4, 1, 5)]]
    check([x], max_outputs, max_args, expected_max)
    for o in outputs[::2]:
        assert o.dtype == {"float32": "float32", "float64": "float64"}.get(dtype, "int64")
    for o in max_outputs:
        assert o.dtype == dtype


def test_reductions_of_vectors_matrices_and_scalars():
    rng = np.random.default_rng(13)
    v, m, s = T.fvector("v"), T.dmatrix("m"), T.iscalar("s")
    outputs = [v.sum(), v.mean(), v.max(), v.sum(axis=0, keepdims=True), m.sum(axis=0), m.max(axis=1),
               m.mean(axis=-1, keepdims=True), m.max(axis=(0, 1)), s.sum(), s.mean(), s.max(),
               s.sum(keepdims=True)]

    def expected(vv, mv, sv):
        si = np.asarray(sv)
        return [vv.sum(), vv.mean(), vv.max(), vv.sum(axis=0, keepdims=True), mv.sum(axis=0), mv.max(axis=1),
                mv.mean(axis=-1, keepdims=True), mv.max(axis=(0, 1)), si.astype("int64"),
                si.astype("float64"), si, si.astype("int64")]

    args = [[rand((n,), "float32", rng), rand((3, k), "float64", rng), np.int32(k)] for n, k in [(7, 2), (1, 1), (300, 5)]]
    check([v, m, s], outputs, args, expected, atol=_reduction_atol)


def test_sum_empty_is_zero_and_mean_empty_is_nan():
    x = T.fmatrix("x")
    for mode, f in compile_modes([x], [x.sum(), x.sum(axis=0), x.mean(), x.mean(axis=1)]):
        a, b, c, d = f(np.zeros((0, 3), "float32"))
        assert_result(a, np.float32(0), what=mode)
        assert_result(b, np.zeros(3, "float32"), what=mode)
        assert np.isnan(c) and c.dtype == np.float32
        assert_result(d, np.zeros(0, "float32"), what=mode)


def test_long_float32_sum_is_accurate():
    """A float32 sum of many elements stays close to the exact (float64) sum."""
    rng = np.random.default_rng(14)
    x = T.fvector("x")
    a = rng.uniform(0, 1, 100_000).astype("float32")
    for mode, f in compile_modes([x], [x.sum(), x.mean()]):
        total, mean = f(a)
        exact = a.astype("float64").sum()
        assert abs(float(total) - exact) <= 1e-4 * exact, mode
        assert abs(float(mean) - exact / a.size) <= 1e-4 * exact / a.size, mode


# --------------------------------------------------------------------------- dot


@pytest.mark.parametrize("dtype", ("float32", "float64", "int32", "int64", "int8"))
def test_dot_all_ranks(dtype):
    rng = np.random.default_rng(15)
    v, w = T.vector("v", dtype=dtype), T.vector("w", dtype=dtype)
    a, b = T.matrix("a", dtype=dtype), T.matrix("b", dtype=dtype)
    outputs = [T.dot(v, w), T.dot(v, b), T.dot(a, w), T.dot(a, b), v.dot(w), a.dot(b), T.dot(a.T, a)]

    def expected(vv, wv, av, bv):
        return [np.dot(vv, wv), np.dot(vv, bv), np.dot(av, wv), np.dot(av, bv), np.dot(vv, wv),
                np.dot(av, bv), np.dot(av.T, av)]

    args = []
    for m, k, n in [(2, 3, 4), (1, 1, 1), (0, 3, 2), (3, 0, 2), (2, 3, 0), (5, 7, 1), (1, 17, 9)]:
        args.append([rand((k,), dtype, rng, -5, 5), rand((k,), dtype, rng, -5, 5),
                     rand((m, k), dtype, rng, -5, 5), rand((k, n), dtype, rng, -5, 5)])
    if dtype == "int8":  # wraps as numpy does
        args.append([rand((4,), dtype, rng, full_range=True), rand((4,), dtype, rng, full_range=True),
                     rand((3, 4), dtype, rng, full_range=True), rand((4, 2), dtype, rng, full_range=True)])
    check([v, w, a, b], outputs, args, expected, atol=1e-4)


def test_dot_mixed_dtypes_and_scalars():
    rng = np.random.default_rng(16)
    v, m, s = T.fvector("v"), T.dmatrix("m"), T.dscalar("s")
    i = T.ivector("i")
    outputs = [T.dot(v, m), T.dot(m, i), T.dot(s, m), T.dot(v, np.float32(2.0)), T.dot(2, m)]

    def expected(vv, mv, sv, iv):
        return [np.dot(vv, mv), np.dot(mv, iv), np.dot(sv, mv), vv * np.float32(2.0), np.dot(2, mv)]

    args = [[rand((3,), "float32", rng), rand((3, 4), "float64", rng), np.float64(1.5),
             rand((4,), "int32", rng, -3, 3)]]
    check([v, m, s, i], outputs, args, expected)


# ------------------------------------------------------------------------ broadcasting


def test_broadcasting_with_row_col_and_scalar_types():
    rng = np.random.default_rng(17)
    m, r, c, s = T.dmatrix("m"), T.drow("r"), T.dcol("c"), T.dscalar("s")
    v = T.dvector("v")
    outputs = [m + r, c * m, r + c, T.maximum(r, c), m - s, v + m, m / c, T.switch(r > 0, c, m),
               (r * c).sum(axis=0), T.eq(r, c), s * v, s + 1]

    def expected(mv, rv, cv, sv, vv):
        return [mv + rv, cv * mv, rv + cv, np.maximum(rv, cv), mv - sv, vv + mv, mv / cv,
                np.where(rv > 0, cv, mv), (rv * cv).sum(axis=0), rv == cv, sv * vv, np.asarray(sv + 1)]

    args = [[rand((p, q), "float64", rng), rand((1, q), "float64", rng), rand((p, 1), "float64", rng),
             np.float64(rng.uniform()), rand((q,), "float64", rng)]
            for p, q in [(3, 4), (1, 1), (0, 5), (4, 0), (1, 6), (6, 1)]]
    check([m, r, c, s, v], outputs, args, expected, atol=1e-12)
    assert (r + c).broadcastable == (False, False)
    assert (r + r).broadcastable == (True, False)


# ------------------------------------------------------------------------ dtype rules


def test_python_scalars_are_weakly_typed():
    """fvector * 0.13 stays float32, as numpy 2 (NEP 50) and Theano's autocast."""
    rng = np.random.default_rng(18)
    f, b, i, d = T.fvector("f"), T.bvector("b"), T.ivector("i"), T.dvector("d")
    exprs = [
        lambda f, b, i, d: f * 0.13,
        lambda f, b, i, d: f + 1,
        lambda f, b, i, d: 2 - f,
        lambda f, b, i, d: f / 3,
        lambda f, b, i, d: 0.5 / f,
        lambda f, b, i, d: f**2,
        lambda f, b, i, d: b + 1,
        lambda f, b, i, d: b * -3,
        lambda f, b, i, d: i * 0.5,
        lambda f, b, i, d: i + 7,
        lambda f, b, i, d: d * 0.13,
        lambda f, b, i, d: f + True,
        lambda f, b, i, d: i - np.float32(1.5),
        lambda f, b, i, d: f * np.float64(2.0),
        lambda f, b, i, d: f + np.array([1.0, 2.0, 3.0], "float32"),
    ]
    outputs = [e(f, b, i, d) for e in exprs]
    expected_dtypes = ["float32", "float32", "float32", "float32", "float32", "float32", "int8", "int8",
                       "float64", "int32", "float64", "float32", "float64", "float64", "float32"]
    assert [o.dtype for o in outputs] == expected_dtypes

    def expected(fv, bv, iv, dv):
        return [e(fv, bv, iv, dv) for e in exprs]

    args = [[rand((3,), "float32", rng), rand((3,), "int8", rng, -9, 9), rand((3,), "int32", rng, -9, 9),
             rand((3,), "float64", rng)]]
    check([f, b, i, d], outputs, args, expected)


def test_int_division_gives_floatx(monkeypatch):
    i, j = T.ivector("i"), T.bvector("j")
    assert (i / j).dtype == tg.config.floatX
    assert (i / 2).dtype == tg.config.floatX
    monkeypatch.setattr(tg.config, "floatX", "float64")
    assert (i / j).dtype == "float64" and (i**j).dtype == "float64"
    monkeypatch.setattr(tg.config, "floatX", "float32")
    q = i / j
    p = i**2
    assert q.dtype == "float32" and p.dtype == "float32"
    assert T.vector("v").dtype == "float32"
    for mode, f in compile_modes([i, j], [q, p]):
        a, b = np.array([1, 2, 7], "int32"), np.array([2, 4, -2], "int8")
        got_q, got_p = f(a, b)
        assert_result(got_q, (a / b).astype("float32"), what=mode)
        assert_result(got_p, (a.astype("float32") ** 2), what=mode)


def test_nan_propagation_of_max_and_maximum():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    fx, fy = T.fvector("fx"), T.fvector("fy")
    outputs = [x.max(), x.max(axis=0), x.max(axis=1), T.maximum(x, y), T.minimum(x, y),
               fx.max(), T.maximum(fx, fy), T.minimum(fx, fy), T.maximum(x, 0.0)]

    def expected(a, b, fa, fb):
        return [a.max(), a.max(axis=0), a.max(axis=1), np.maximum(a, b), np.minimum(a, b),
                fa.max(), np.maximum(fa, fb), np.minimum(fa, fb), np.maximum(a, 0.0)]

    nan = np.nan
    a = np.array([[nan, 1.0, 2.0], [3.0, nan, -np.inf], [1.0, 2.0, nan], [-1.0, -2.0, -3.0]])
    b = np.array([[0.0, nan, 5.0], [nan, nan, 1.0], [-np.inf, 2.0, 3.0], [nan, -2.5, 7.0]])
    all_nan = np.full((2, 2), nan)
    fa = np.array([1, nan, 3, -np.inf, nan], "float32")
    fb = np.array([nan, 2, 1, nan, 0], "float32")
    check([x, y, fx, fy], outputs,
          [[a, b, fa, fb], [all_nan, all_nan, fa[::-1].copy(), fb], [b, a, fb, fa],
           [np.array([[-np.inf]]), np.array([[nan]]), fa[:1], fb[:1]]],
          expected)


# ---------------------------------------------------------------- property-based


@functools.cache
def _elementwise_functions(dtype: str):
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    r = T.row("r", dtype=dtype)
    outs = [x + y, x - y, x * y, T.maximum(x, y), T.minimum(x, y), T.lt(x, y), T.eq(x, y),
            T.switch(T.ge(x, y), x, r), x.sum(axis=0), x.max(axis=0), (x * r).sum(axis=1)]
    if dtype in FLOATS:
        outs += [x / y, T.exp(x) * 0 + T.sqrt(abs(y)), T.tanh(x - r)]
    return [x, y, r], {mode: f for mode, f in compile_modes([x, y, r], outs)}


def _np_elementwise(dtype, a, b, c):
    out = [a + b, a - b, a * b, np.maximum(a, b), np.minimum(a, b), a < b, a == b,
           np.where(a >= b, a, c), a.sum(axis=0), a.max(axis=0), (a * c).sum(axis=1)]
    if dtype in FLOATS:
        out += [a / b, np.exp(a) * 0 + np.sqrt(np.abs(b)), np.tanh(a - c)]
    return out


@st.composite
def _operands(draw):
    dtype = draw(st.sampled_from(["float32", "float64", "int16", "int64"]))
    rows = draw(st.integers(1, 5))
    cols = draw(st.integers(0, 6))
    if dtype in FLOATS:
        elements = st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from([np.nan, np.inf, -np.inf]))
    else:
        elements = st.integers(-1000, 1000)
    make = lambda shape: draw(hnp.arrays(dtype, shape, elements=elements))  # noqa: E731
    return dtype, make((rows, cols)), make((rows, cols)), make((1, cols))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_operands())
def test_elementwise_property(operands):
    dtype, a, b, c = operands
    _, functions = _elementwise_functions(dtype)
    with np.errstate(all="ignore"):
        want = _np_elementwise(dtype, a, b, c)
    for mode in MODES:
        with np.errstate(all="ignore"):  # the interpreter sums inf and -inf as numpy does
            got = functions[mode](a, b, c)
        for i, (g, w) in enumerate(zip(got, want)):
            if i in (8, 10) and dtype in FLOATS:  # sums: reassociation changes rounding
                assert g.shape == w.shape
                finite = np.isfinite(w)
                assert_result(g[finite], w[finite], rtol=1e-4, atol=1e-2, what=f"{mode} output {i}")
                np.testing.assert_array_equal(np.isfinite(g), finite)
            else:
                assert_result(g, w, what=f"{mode} output {i}", atol=1e-30)
