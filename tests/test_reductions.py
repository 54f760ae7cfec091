"""Reductions and scans against numpy, compiled (FAST_RUN) and interpreted
(FAST_COMPILE): min, prod, argmax/argmin, max_and_argmax, var, std, all, any,
cumsum, cumprod; dtypes, NaN, empty and size-1 axes, errors and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.gradient import verify_grad
from tg_testutil import FLOATS, MODES, assert_result, check, compile_modes, rand

SHAPES = [(3, 4), (1, 1), (1, 5), (4, 1), (2, 7)]
EMPTY_SHAPES = [(0, 4), (3, 0)]
AXES = [None, 0, 1, -1, (0, 1), [1, 0]]
DTYPES = ("float32", "float64", "bool", "int8", "int64")  # int16/int32 behave as int8/int64


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _sum_dtype(dtype):
    return "int64" if dtype in ("bool", "int8", "int16", "int32") else dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_min_and_prod(dtype):
    rng = np.random.default_rng(0)
    x = T.matrix("x", dtype=dtype)
    outputs = []
    for axis in AXES:
        outputs += [T.min(x, axis), x.min(axis, keepdims=True), T.prod(x, axis), x.prod(axis, keepdims=True)]

    def expected(a):
        out = []
        for axis in AXES:
            ax = _np_axis(axis)
            out += [
                np.min(a, ax),
                np.min(a, ax, keepdims=True),
                np.prod(a, ax, dtype=_sum_dtype(dtype)),
                np.prod(a, ax, dtype=_sum_dtype(dtype), keepdims=True),
            ]
        return out

    args = [[rand(s, dtype, rng, -3, 3)] for s in SHAPES]
    check([x], outputs, args, expected)


def test_prod_over_empty_axes_and_dtype():
    x = T.dmatrix("x")
    i = T.bmatrix("i")
    outputs = [T.prod(x, 0), T.prod(x, 1), T.prod(x), T.prod(i, 1), T.prod(i, 1, dtype="int8"), T.prod(x, ())]
    assert outputs[3].dtype == "int64" and outputs[4].dtype == "int8"
    for shape in EMPTY_SHAPES:
        a, b = np.zeros(shape), np.zeros(shape, "int8")
        for mode, f in compile_modes([x, i], outputs):
            want = [np.prod(a, 0), np.prod(a, 1), np.prod(a), np.prod(b, 1), np.prod(b, 1, dtype="int8"), a]
            for got, w in zip(f(a, b), want):
                assert_result(got, w, what=f"{mode} {shape}")


def test_min_nan_inf_and_wrapping_ints():
    x = T.dmatrix("x")
    i = T.lmatrix("i")
    outputs = [T.min(x, 1), T.prod(x, 1), T.prod(i, 1), T.min(i, 0)]
    a = np.array([[1.0, np.nan, -np.inf], [np.inf, 2.0, 3.0], [-0.0, 0.0, 1e308]])
    b = np.array([[2**62, 4, -3], [np.iinfo("int64").min, 1, 1], [5, 5, 5]])
    check([x, i], outputs, [[a, b]], lambda a, b: [np.min(a, 1), np.prod(a, 1), np.prod(b, 1), np.min(b, 0)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_argmax_argmin(dtype):
    rng = np.random.default_rng(1)
    x = T.matrix("x", dtype=dtype)
    outputs = [
        x.argmax(),
        x.argmin(),
        T.argmax(x, 0),
        T.argmin(x, 1),
        T.argmax(x, -1, keepdims=True),
        T.argmin(x, keepdims=True),
        *T.max_and_argmax(x, 1),
    ]

    def expected(a):
        return [
            np.argmax(a),
            np.argmin(a),
            np.argmax(a, 0),
            np.argmin(a, 1),
            np.argmax(a, -1, keepdims=True),
            np.argmin(a, keepdims=True),
            np.max(a, 1),
            np.argmax(a, 1),
        ]

    # small ranges give ties: the first extreme element wins
    args = [[rand(s, dtype, rng, -2, 2)] for s in SHAPES]
    check([x], outputs, args, expected)
    assert all(o.dtype == "int64" for o in outputs[:6])


def test_argmax_nan_and_several_axes():
    x = T.dtensor3("x")
    outputs = [T.argmax(x, (0, 2)), T.argmin(x, [1, 2]), T.argmax(x), T.argmin(x, 1), T.max(x, 1)]

    def flat(a, axes, fn):
        kept = [d for d in range(a.ndim) if d not in axes]
        moved = np.transpose(a, kept + list(axes))
        return fn(moved.reshape(moved.shape[: len(kept)] + (-1,)), axis=-1)

    def expected(a):
        return [
            flat(a, (0, 2), np.argmax),
            flat(a, (1, 2), np.argmin),
            np.argmax(a),
            np.argmin(a, 1),
            np.max(a, 1),
        ]

    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4, 5))
    b = a.copy()
    b[1, 2, 3] = np.nan
    b[2, 0, 1] = np.nan
    b[0, 3, 4] = np.nan
    c = np.full((2, 3, 2), -np.inf)
    c[1, 1, 1] = np.nan
    check([x], outputs, [[a], [b], [c], [np.round(a)]], expected)


@pytest.mark.parametrize("mode", MODES)
def test_empty_reductions_raise(mode):
    x = T.dmatrix("x")
    for out, name in [(T.argmax(x, 1), "argmax"), (T.min(x, 0), "min"), (T.argmin(x), "argmin")]:
        f = tg.function([x], out, mode=mode)
        with pytest.raises(ValueError, match=f"{name} over dimension"):
            f(np.zeros((0, 3)) if name != "argmax" else np.zeros((3, 0)))
    f = tg.function([x], [T.argmax(x, 1), T.min(x, 1)], mode=mode)
    r = f(np.zeros((0, 3)))  # reducing a non-empty axis of an empty tensor is fine
    assert_result(r[0], np.zeros(0, "int64"), what=mode)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_var_std(dtype):
    rng = np.random.default_rng(3)
    x = T.matrix("x", dtype=dtype)
    outputs = [
        T.var(x),
        x.var(0),
        T.var(x, 1, keepdims=True),
        T.var(x, ddof=1),
        T.std(x),
        x.std(1),
        T.std(x, (0, 1), ddof=1, keepdims=True),
        T.var(x, 0, corrected=True),
    ]
    fdt = dtype if dtype in FLOATS else "float64"
    assert all(o.dtype == fdt for o in outputs)

    def expected(a):
        a = a.astype(fdt)
        return [
            np.var(a),
            np.var(a, 0),
            np.var(a, 1, keepdims=True),
            np.var(a, ddof=1),
            np.std(a),
            np.std(a, 1),
            np.std(a, (0, 1), ddof=1, keepdims=True),
            np.var(a, 0),
        ]

    args = [[rand(s, dtype, rng, -4, 4)] for s in SHAPES + EMPTY_SHAPES]
    check([x], outputs, args, expected, rtol=1e-4 if dtype == "float32" else 1e-10, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_any(dtype):
    rng = np.random.default_rng(4)
    x = T.matrix("x", dtype=dtype)
    outputs = [T.all(x), x.any(), T.all(x, 0), x.any(1), T.all(x, 1, keepdims=True), T.any(x, (0, 1))]
    assert all(o.dtype == "bool" for o in outputs)

    def expected(a):
        return [
            np.all(a),
            np.any(a),
            np.all(a, 0),
            np.any(a, 1),
            np.all(a, 1, keepdims=True),
            np.any(a, (0, 1)),
        ]

    args = [[rand(s, dtype, rng, 0, 1)] for s in SHAPES + EMPTY_SHAPES]
    if dtype in FLOATS:
        args.append([np.array([[np.nan, 0.0], [0.0, 0.0], [np.nan, np.nan]], dtype)])
    check([x], outputs, args, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cumsum_cumprod(dtype):
    rng = np.random.default_rng(5)
    x = T.tensor3("x", dtype=dtype)
    outputs = [
        T.cumsum(x),
        x.cumsum(0),
        T.cumsum(x, 1),
        T.cumsum(x, -1),
        T.cumprod(x),
        T.cumprod(x, 0),
        T.cumprod(x, 1),
        T.cumprod(x, 2),
    ]
    wide = _sum_dtype(dtype)
    assert all(o.dtype == wide for o in outputs)

    def expected(a):
        return [
            np.cumsum(a, dtype=wide),
            np.cumsum(a, 0, dtype=wide),
            np.cumsum(a, 1, dtype=wide),
            np.cumsum(a, -1, dtype=wide),
            np.cumprod(a, dtype=wide),
            np.cumprod(a, 0, dtype=wide),
            np.cumprod(a, 1, dtype=wide),
            np.cumprod(a, 2, dtype=wide),
        ]

    shapes = [(2, 3, 4), (1, 1, 1), (3, 1, 2), (0, 2, 3), (2, 3, 0)]
    check([x], outputs, [[rand(s, dtype, rng, -3, 3)] for s in shapes], expected)


def test_scan_of_computed_values_and_0d():
    x = T.dmatrix("x")
    s = T.dscalar("s")
    outputs = [T.cumsum(T.exp(x), 0), T.cumsum(x * 2, 1) + 1, T.cumsum(s), T.cumprod(s)]
    a = np.random.default_rng(6).normal(size=(3, 4))
    check(
        [x, s],
        outputs,
        [[a, 2.5]],
        lambda a, s: [np.cumsum(np.exp(a), 0), np.cumsum(a * 2, 1) + 1, np.cumsum(s), np.cumprod(s)],
    )


def test_reduction_build_errors():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="out of range"):
        T.min(x, 2)
    with pytest.raises(ValueError, match="out of range"):
        T.argmax(x, -3)
    with pytest.raises(ValueError, match="repeats"):
        T.prod(x, (0, 0))
    with pytest.raises(ValueError, match="out of range"):
        T.cumsum(x, 2)
    with pytest.raises(ValueError, match="0-d"):
        T.cumsum(T.dscalar(), 0)


def test_reductions_of_0d():
    s = T.dscalar("s")
    outputs = [T.min(s), T.prod(s), T.argmax(s), T.argmin(s), T.var(s), T.all(s), T.any(s)]
    check(
        [s],
        outputs,
        [[2.5], [0.0]],
        lambda v: [np.min(v), np.prod(v), np.argmax(v), np.argmin(v), np.var(v), np.all(v), np.any(v)],
    )


# --------------------------------------------------------------------- gradients


def _zeros(shape, positions):
    a = np.random.default_rng(7).uniform(0.5, 1.5, shape)
    for p in positions:
        a[p] = 0.0
    return a


# rows with no, one, two and three zeros: numpy-consistent gradients of products
WITH_ZEROS = _zeros((4, 3), [(1, 1), (2, 0), (2, 2), (3, 0), (3, 1), (3, 2)])

GRADIENTS = {
    "min_max": (
        lambda x: [T.min(x, 1), T.min(x), T.max_and_argmax(x, 0)[0] * T.cast(T.argmax(x, 0), "float64")],
        [_zeros((3, 4), [])],
    ),
    "prod": (lambda x: [T.prod(x, 1), T.prod(x, 0), T.prod(x, keepdims=True) * x], [WITH_ZEROS]),
    "var_std": (
        lambda x: [
            T.var(x, 0),
            T.var(x, ddof=1),
            T.var(x, 1, corrected=True, keepdims=True),
            T.std(x, 1) * T.std(x),
        ],
        [_zeros((3, 4), [])],
    ),
    "scans": (lambda x: [T.cumsum(x, 0) ** 2, T.cumsum(x), T.cumprod(x, 1), T.cumprod(x, 0)], [WITH_ZEROS]),
    "scans_without_zeros": (lambda x: [T.cumprod(x, 1), T.cumprod(x)], [_zeros((3, 4), [])]),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients(name):
    fn, point = GRADIENTS[name]
    verify_grad(fn, point, n_tests=1, mode="FAST_RUN")


def test_gradient_interpreted():
    verify_grad(
        lambda x: T.cumprod(x, 0) + T.prod(x, 1, keepdims=True) + T.std(x, 0),
        [_zeros((3, 2), [(1, 0)])],
        n_tests=1,
        mode="FAST_COMPILE",
    )


def test_prod_gradient_matches_numpy_products_of_the_others():
    x = T.dvector("x")
    g = tg.grad(T.prod(x), x)
    for mode in MODES:
        f = tg.function([x], g, mode=mode)
        for a in [np.array([2.0, 0.0, 3.0]), np.array([0.0, 0.0, 3.0]), np.array([2.0, 5.0]), np.zeros(0)]:
            want = np.array([np.prod(np.delete(a, i)) for i in range(a.size)])
            assert_result(f(a), want, what=mode)


def test_integer_valued_reductions_have_no_gradient():
    x = T.dvector("x")
    cost = (
        T.sum(x * T.cast(T.argmax(x), "float64")) + T.cast(T.any(x), "float64") + T.cast(T.all(x), "float64")
    )
    f = tg.function([x], tg.grad(cost, x))
    assert_result(f(np.array([1.0, 3.0, 2.0])), np.full(3, 1.0))
