"""Compiled BLAS calls against numpy (issue 6, item 3): every combination of
transpose flags, alpha/beta values and dtypes, empty and 1-sized dimensions,
non-contiguous operands (views copied or folded into flags), and in-place updates."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import tg
import tg.tensor as T

SIZES = [(3, 4, 5), (1, 1, 1), (0, 2, 3), (2, 0, 3), (2, 3, 0), (1, 7, 1), (17, 1, 9)]
RTOL = {"float32": 2e-5, "float64": 1e-12}


def _rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("tx,ty", list(itertools.product([False, True], repeat=2)))
def test_gemm_every_flag_scalar_and_size(dtype, tx, ty):
    rng = np.random.default_rng(0)
    z, x, y = T.matrix("z", dtype=dtype), T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    a, b = T.scalar("a", dtype=dtype), T.scalar("b", dtype=dtype)
    ox, oy = (x.T if tx else x), (y.T if ty else y)
    f = tg.function([z, a, x, y, b], [b * z + a * T.dot(ox, oy), T.dot(ox, oy), z - T.dot(ox, oy)])
    assert "tg.gemm" in f.ir("fused")
    assert "tg_blas_" in f.ir("loops") and "tg.dot" not in f.ir("fused")
    for m, n, k in SIZES:
        xv = _rand(rng, (k, m) if tx else (m, k), dtype)
        yv = _rand(rng, (n, k) if ty else (k, n), dtype)
        zv = _rand(rng, (m, n), dtype)
        oxv, oyv = (xv.T if tx else xv), (yv.T if ty else yv)
        for av, bv in [(1.0, 0.0), (-2.5, 1.0), (0.5, -0.75), (0.0, 2.0)]:
            got = f(zv, av, xv, yv, bv)
            want = [bv * zv + av * (oxv @ oyv), oxv @ oyv, zv - oxv @ oyv]
            for g, w in zip(got, want):
                np.testing.assert_allclose(g, w.astype(dtype), rtol=RTOL[dtype], atol=RTOL[dtype] * 10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemv_ger_and_vdot(dtype):
    rng = np.random.default_rng(1)
    A, u, v = T.matrix("A", dtype=dtype), T.vector("u", dtype=dtype), T.vector("v", dtype=dtype)
    f = tg.function([A, u, v], [T.dot(A, v), T.dot(u, A), T.dot(A.T, u), T.dot(u, u), A + 0.5 * T.outer(u, v)])
    fused = f.ir("fused")
    assert "tg.gemv" in fused and "tg.vdot" in fused and "tg.ger" in fused
    for rows, cols in [(3, 4), (1, 1), (0, 3), (3, 0), (9, 1)]:
        Av, uv, vv = _rand(rng, (rows, cols), dtype), _rand(rng, (rows,), dtype), _rand(rng, (cols,), dtype)
        got = f(Av, uv, vv)
        want = [Av @ vv, uv @ Av, Av.T @ uv, uv @ uv, Av + 0.5 * np.outer(uv, vv)]
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, np.asarray(w, dtype), rtol=RTOL[dtype], atol=RTOL[dtype] * 10)


def test_strided_operands_are_copied_or_folded():
    rng = np.random.default_rng(2)
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = tg.function([x, y], [T.dot(x[::2, 1:], y.T[1:, ::3]), T.dot(x.T, y)])
    xv, yv = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    a, b = f(xv, yv)
    np.testing.assert_allclose(a, xv[::2, 1:] @ yv.T[1:, ::3], rtol=1e-12)
    np.testing.assert_allclose(b, xv.T @ yv, rtol=1e-12)


def test_batched_dot():
    rng = np.random.default_rng(3)
    for dtype in ("float32", "float64"):
        x, y = T.tensor3("x", dtype=dtype), T.tensor3("y", dtype=dtype)
        f = tg.function([x, y], T.batched_dot(x, y))
        assert "tg.batched_gemm" in f.ir("fused")
        for b, m, k, n in [(4, 3, 5, 2), (1, 1, 1, 1), (0, 2, 2, 2), (2, 3, 0, 4)]:
            xv, yv = _rand(rng, (b, m, k), dtype), _rand(rng, (b, k, n), dtype)
            np.testing.assert_allclose(f(xv, yv), np.matmul(xv, yv), rtol=RTOL[dtype], atol=RTOL[dtype] * 10)


def test_sgd_step_is_one_in_place_gemm():
    rng = np.random.default_rng(4)
    W = tg.shared(rng.standard_normal((784, 500)).astype("float32"), name="W")
    x, d = T.fmatrix("x"), T.fmatrix("d")
    lr, lam = np.float32(0.1), np.float32(1e-4)
    f = tg.function([x, d], [], updates=[(W, W - lr * (T.dot(x.T, d) + lam * W))])
    fused = f.ir("fused")
    assert fused.count("tg.gemm") == 1 and "tg.fusion" in fused
    assert "tg.inplace_updates" in f.ir("buffers")
    assert f.buffer_plan == {"buffers": 0, "peak_bytes": 0}  # no buffer of W's size, or any
    storage = W.get_value(borrow=True)
    before = storage.copy()
    xv, dv = rng.standard_normal((64, 784)).astype("float32"), rng.standard_normal((64, 500)).astype("float32")
    f(xv, dv)
    assert W.get_value(borrow=True) is storage
    np.testing.assert_allclose(storage, before - lr * (xv.T @ dv + lam * before), rtol=1e-4, atol=1e-4)


def test_integer_products_stay_loops_and_mixed_precision_is_cast_first():
    i, j = T.lmatrix("i"), T.lmatrix("j")
    x, y = T.fmatrix("x"), T.dmatrix("y")
    f = tg.function([i, j, x, y], [T.dot(i, j), T.dot(x, y)])
    fused = f.ir("fused")
    assert fused.count("tg.dot ") == 1 and "xi64>) -> tensor<?x?xi64>" in fused
    # float32 x float64: the frontend casts x, and the product is a float64 gemm
    assert "tg.cast" in fused and "tg.gemm" in fused and "tg_blas_dgemm" in f.ir("loops")
    rng = np.random.default_rng(5)
    iv, jv = rng.integers(-5, 5, (3, 4)), rng.integers(-5, 5, (4, 2))
    xv, yv = rng.standard_normal((3, 4)).astype("float32"), rng.standard_normal((4, 2))
    a, b = f(iv, jv, xv, yv)
    np.testing.assert_array_equal(a, iv @ jv)
    np.testing.assert_allclose(b, xv.astype("float64") @ yv, rtol=1e-6)
