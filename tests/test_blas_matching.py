"""The BLAS-shaped ops (tg.dialects.tg_blas) and the tg-blas pass: each op's numpy
reference against numpy for every transpose flag, alpha/beta values and empty or
1-sized dimensions; the pass's output against its input on random values (the
interpreter runs both) with the BLAS ops it should have made; the ops' gradients by
finite differences. Nothing here compiles the new ops (their lowering is separate)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, SSAValue
from xdsl.parser import Parser

import tg
import tg.tensor as T
from tg.dialects import tg_blas
from tg.dialects.interpreter import run_module
from tg.dialects.tensor_types import is_float, tensor_type
from tg.dialects.tg import ShapeError
from tg.gradient import verify_grad
from tg.passes.blas import TgBlas
from tg.pipeline import context
from tg.tensor.basic import build

RTOL = {"float32": 2e-5, "float64": 1e-12}


def values(dtype: str, *shapes: Sequence[int | None]) -> list[SSAValue]:
    """Fresh SSA values of these (static) shapes to build ops on."""
    return list(Block(arg_types=[tensor_type(dtype, s) for s in shapes]).args)


def rand(rng: np.random.Generator, shape: Sequence[int], dtype: str) -> np.ndarray:
    return rng.uniform(-2, 2, tuple(shape)).astype(dtype)


# ------------------------------------------------------------------ references

SIZES = [(3, 4, 5), (1, 1, 1), (0, 4, 5), (3, 0, 5), (3, 4, 0), (1, 7, 1)]
SCALARS = [(1.0, 0.0), (-1.5, 2.0), (0.0, 0.5), (2.0, 1.0), (0.0, 0.0)]


def expected(alpha: float, beta: float, product: np.ndarray, z: np.ndarray | None) -> np.ndarray:
    """BLAS's answer: beta == 0 (or no z) ignores z, alpha == 0 the product."""
    out = np.zeros(product.shape) if z is None or beta == 0 else beta * z.astype(np.float64)
    return out + (alpha * product.astype(np.float64) if alpha != 0 else 0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_z", [False, True])
def test_gemm_reference(dtype: str, with_z: bool) -> None:
    rng = np.random.default_rng(0)
    for (m, k, n), (a, b), tx, ty in itertools.product(SIZES, SCALARS, [False, True], [False, True]):
        x = rand(rng, (k, m) if tx else (m, k), dtype)
        y = rand(rng, (n, k) if ty else (k, n), dtype)
        z = rand(rng, (m, n), dtype) if with_z else None
        zv, av, xv, yv, bv = values(dtype, (None, None), (), (None, None), (None, None), ())
        op = tg_blas.GemmOp(zv if with_z else None, av, xv, yv, bv, tx, ty)
        args = [np.asarray(a, dtype), x, y, np.asarray(b, dtype)]
        got = op.reference(*([z] if with_z else []), *args)
        product = (x.T if tx else x).astype(np.float64) @ (y.T if ty else y)
        assert got.dtype == np.dtype(dtype) and got.shape == (m, n)
        np.testing.assert_allclose(got, expected(a, b, product, z), rtol=RTOL[dtype], atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemv_ger_vdot_reference(dtype: str) -> None:
    rng = np.random.default_rng(1)
    for (m, k, _), (a, b), ta, with_z in itertools.product(SIZES, SCALARS, [False, True], [False, True]):
        mat = rand(rng, (k, m) if ta else (m, k), dtype)
        x, z = rand(rng, (k,), dtype), rand(rng, (m,), dtype)
        zv, av, mv, xv, bv = values(dtype, (None,), (), (None, None), (None,), ())
        op = tg_blas.GemvOp(zv if with_z else None, av, mv, xv, bv, ta)
        got = op.reference(*([z] if with_z else []), np.asarray(a, dtype), mat, x, np.asarray(b, dtype))
        product = (mat.T if ta else mat).astype(np.float64) @ x
        assert got.dtype == np.dtype(dtype) and got.shape == (m,)
        np.testing.assert_allclose(got, expected(a, b, product, z if with_z else None), rtol=RTOL[dtype], atol=1e-5)
    for (m, _, n), (a, _) in itertools.product(SIZES, SCALARS):
        z, x, y = rand(rng, (m, n), dtype), rand(rng, (m,), dtype), rand(rng, (n,), dtype)
        op = tg_blas.GerOp(*values(dtype, (None, None), (), (None,), (None,)))
        got = op.reference(z, np.asarray(a, dtype), x, y)
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, expected(a, 1.0, np.outer(x, y), z), rtol=RTOL[dtype], atol=1e-5)
    for n in (0, 1, 9):
        x, y = rand(rng, (n,), dtype), rand(rng, (n,), dtype)
        got = tg_blas.VdotOp(*values(dtype, (None,), (None,))).reference(x, y)
        assert got.shape == () and got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, np.dot(x.astype(np.float64), y), rtol=RTOL[dtype], atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batched_gemm_reference(dtype: str) -> None:
    rng = np.random.default_rng(2)
    for batch, (m, k, n), tx, ty in itertools.product([0, 1, 3], SIZES, [False, True], [False, True]):
        x = rand(rng, (batch, k, m) if tx else (batch, m, k), dtype)
        y = rand(rng, (batch, n, k) if ty else (batch, k, n), dtype)
        op = tg_blas.BatchedGemmOp(*values(dtype, (None,) * 3, (None,) * 3), tx, ty)
        got = op.reference(x, y)
        want = np.matmul(np.swapaxes(x, 1, 2) if tx else x, np.swapaxes(y, 1, 2) if ty else y)
        assert got.shape == (batch, m, n) and got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, want, rtol=RTOL[dtype], atol=1e-5)


def test_zero_scalars_do_not_read_their_operand() -> None:
    """As BLAS: beta == 0 ignores NaN in z, alpha == 0 NaN in the product."""
    zv, av, xv, yv, bv = values("float64", (None, None), (), (None, None), (None, None), ())
    op = tg_blas.GemmOp(zv, av, xv, yv, bv)
    nan, ones = np.full((2, 2), np.nan), np.ones((2, 2))
    zero, one = np.asarray(0.0), np.asarray(1.0)
    np.testing.assert_array_equal(op.reference(nan, one, ones, ones, zero), 2 * ones)
    np.testing.assert_array_equal(op.reference(ones, zero, nan, ones, one), ones)
    ger = tg_blas.GerOp(*values("float64", (None, None), (), (None,), (None,)))
    np.testing.assert_array_equal(ger.reference(ones, zero, np.full(2, np.nan), np.ones(2)), ones)


def test_shape_errors_name_the_operands() -> None:
    zv, av, xv, yv, bv = values("float32", (None, None), (), (None, None), (None, None), ())
    op = tg_blas.GemmOp(zv, av, xv, yv, bv, trans_x=True)
    assert op.infer_shape([(3, 5), (), (4, 3), (4, 5), ()]) == (3, 5)
    with pytest.raises(ShapeError) as e:
        op.infer_shape([(3, 5), (), (4, 3), (2, 5), ()])
    assert set(e.value.culprits) == {(2, 0), (3, 0)}
    with pytest.raises(ShapeError) as e:
        op.infer_shape([(3, 6), (), (4, 3), (4, 5), ()])
    assert set(e.value.culprits) == {(3, 1), (0, 1)}
    batched = tg_blas.BatchedGemmOp(*values("float32", (None,) * 3, (None,) * 3))
    with pytest.raises(ShapeError) as e:
        batched.infer_shape([(2, 3, 4), (3, 4, 5)])
    assert set(e.value.culprits) == {(0, 0), (1, 0)}
    assert tg_blas.GemmOp(zv, av, xv, yv, bv).destroyable_operands() == (0,)
    assert tg_blas.GemmOp(None, av, xv, yv, bv).destroyable_operands() == ()


def test_static_result_types() -> None:
    z, a, x, y = values("float64", (3, None), (), (5, None), (None, 4))
    assert str(tg_blas.GemmOp(z, a, x, y, a, trans_x=True).result.type) == "tensor<3x4xf64>"
    assert str(tg_blas.GemmOp(None, a, x, y, a).result.type) == "tensor<5x4xf64>"


# ------------------------------------------------------------------ the pass


def optimized(inputs: Sequence[Any], outputs: Sequence[Any], updates: Any = None) -> ModuleOp:
    f = tg.function(list(inputs), list(outputs), updates=updates, mode="FAST_COMPILE", on_unused_input="ignore")
    return Parser(context(), f.ir("optimized")).parse_module()


def check_pass(inputs: Sequence[Any], outputs: Sequence[Any], args: Sequence[np.ndarray], made: dict[str, int],
               updates: Any = None, combine: bool = True) -> ModuleOp:
    """tg-blas on the optimized IR makes the BLAS ops in `made` (and no others, no
    float dots) and computes what the IR before it computes."""
    before = optimized(inputs, outputs, updates)
    after = before.clone()
    TgBlas(combine=combine).apply(context(), after)
    after.verify()
    counts = Counter(op.name for op in after.walk())
    blas = {name: n for name, n in counts.items() if name.removeprefix("tg.") in ("gemm", "gemv", "ger", "vdot", "batched_gemm")}
    assert blas == made, after
    assert not any(op.name == "tg.dot" and is_float(op.results[0].type) for op in after.walk())
    for want, got in zip(run_module(before, args), run_module(after, args), strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        dtype = str(want.dtype)
        np.testing.assert_allclose(got, want, rtol=10 * RTOL.get(dtype, 0), atol={"float32": 1e-5, "float64": 1e-12}.get(dtype, 0))
    return after


def _inputs(dtype: str) -> tuple[Any, ...]:
    return T.matrix("x", dtype), T.matrix("y", dtype), T.matrix("z", dtype), T.scalar("s", dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sgd_update_is_one_gemm(dtype: str) -> None:
    rng = np.random.default_rng(3)
    x, d, _, lr = _inputs(dtype)
    w = tg.shared(rand(rng, (4, 3), dtype), name="W")
    update = w - lr * (T.dot(x.T, d) + np.asarray(0.01, dtype) * w)
    after = check_pass([x, d, lr], [], [rand(rng, (6, 4), dtype), rand(rng, (6, 3), dtype),
                                        np.asarray(0.3, dtype), w.get_value()], {"tg.gemm": 1}, updates=[(w, update)])
    gemm = next(op for op in after.walk() if isinstance(op, tg_blas.GemmOp))
    assert gemm.z is not None and gemm.x_transposed and not gemm.y_transposed
    assert Counter(op.name for op in after.walk())["tg.mul"] == 1  # lr * 0.01, nothing elementwise


def _m(rng: np.random.Generator, dtype: str, *shape: int) -> np.ndarray:
    return rand(rng, shape, dtype)


CASES: dict[str, tuple[Callable[..., Any], Callable[..., list[np.ndarray]], dict[str, int]]] = {
    # name: (outputs from (x, y, z, s), argument values, BLAS ops made)
    "product": (
        lambda x, y, z, s: [T.dot(x, y)],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
    "transposes": (
        lambda x, y, z, s: [T.dot(x.T, y.T)],
        lambda r, t: [_m(r, t, 4, 3), _m(r, t, 5, 4), _m(r, t, 3, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
    "scaled": (
        lambda x, y, z, s: [0.5 * z - T.dot(-x, y * s) / 4, -T.dot(x, y) * s],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 5), np.asarray(1.5, t)],
        {"tg.gemm": 2},
    ),
    "z_divided": (
        lambda x, y, z, s: [z / s + s * T.dot(x, y.T)],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 5, 4), _m(r, t, 3, 5), np.asarray(-0.7, t)],
        {"tg.gemm": 1},
    ),
    "z_shared_subexpression": (
        lambda x, y, z, s: [(T.dot(x, y) + z) * s + (T.dot(x, y) + z)],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
    "product_read_elsewhere": (
        lambda x, y, z, s: [z - T.dot(x, y), T.dot(x, y) * s],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
    "intermediate_z_read_elsewhere": (
        lambda x, y, z, s: [T.exp(z) + T.dot(x, y), T.exp(z)],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
    "two_products": (
        lambda x, y, z, s: [T.dot(x, y) + T.dot(z, y.T.T)],
        lambda r, t: [_m(r, t, 3, 4), _m(r, t, 4, 5), _m(r, t, 3, 4), np.asarray(2.0, t)],
        {"tg.gemm": 2},
    ),
    "empty_and_unit": (
        lambda x, y, z, s: [z + s * T.dot(x, y)],
        lambda r, t: [_m(r, t, 1, 0), _m(r, t, 0, 5), _m(r, t, 1, 5), np.asarray(2.0, t)],
        {"tg.gemm": 1},
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_pass_matrix_cases(name: str, dtype: str) -> None:
    outputs, args, made = CASES[name]
    inputs = _inputs(dtype)
    check_pass(inputs, outputs(*inputs), args(np.random.default_rng(4), dtype), made)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pass_vector_cases(dtype: str) -> None:
    rng = np.random.default_rng(5)
    a, u, v, s = T.matrix("a", dtype), T.vector("u", dtype), T.vector("v", dtype), T.scalar("s", dtype)
    args = [_m(rng, dtype, 4, 3), _m(rng, dtype, 3), _m(rng, dtype, 4), np.asarray(-1.25, dtype)]
    check_pass([a, u, v, s], [v * s - T.dot(a, u), T.dot(v, a) * 2, T.dot(u, a.T)], args, {"tg.gemv": 3})
    check_pass([a, u, v, s], [T.dot(u, u), T.dot(v, v) * s], args, {"tg.vdot": 2})
    outer = T.outer(v, u)
    check_pass([a, u, v, s], [a - s * T.outer(v * 2, u) / 3, a + outer], args, {"tg.ger": 2})
    check_pass([a, u, v, s], [outer * s, a * 2 + outer], args, {})  # no accumulator, or one scaled


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pass_batched(dtype: str) -> None:
    rng = np.random.default_rng(6)
    x, y = T.tensor3("x", dtype), T.tensor3("y", dtype)
    args = [_m(rng, dtype, 2, 3, 4), _m(rng, dtype, 2, 4, 5)]
    check_pass([x, y], [T.batched_dot(x, y), T.matmul(x, y)], args, {"tg.batched_gemm": 2})
    args = [_m(rng, dtype, 2, 4, 3), _m(rng, dtype, 2, 5, 4)]
    check_pass([x, y], [T.matmul(x.transpose(0, 2, 1), y.transpose(0, 2, 1))], args, {"tg.batched_gemm": 1})
    check_pass([x, y], [T.batched_dot(x, y)], [_m(rng, dtype, 0, 3, 4), _m(rng, dtype, 0, 4, 1)], {"tg.batched_gemm": 1})


def test_pass_declines() -> None:
    rng = np.random.default_rng(7)
    i = T.matrix("i", "int32")
    check_pass([i], [T.dot(i, i) + i], [rng.integers(-3, 4, (3, 3)).astype("int32")], {})
    x, w = T.matrix("x", "float32"), T.matrix("w", "float64")
    args = [_m(rng, "float32", 3, 3), _m(rng, "float64", 3, 3)]
    after = check_pass([x, w], [w + T.cast(T.dot(x, x), "float64")], args, {"tg.gemm": 1})
    (gemm,) = [op for op in after.walk() if isinstance(op, tg_blas.GemmOp)]
    assert gemm.z is None  # the float64 w is no accumulator of a float32 product
    b = T.row("b", "float32")
    check_pass([x, b], [T.dot(x, x) + b], [args[0], _m(rng, "float32", 1, 3)], {"tg.gemm": 1})
    x3 = T.tensor3("x3", "float32")
    stack = T.TensorType("float32", (True, False, False))("one")
    args3 = [_m(rng, "float32", 1, 3, 4), _m(rng, "float32", 2, 4, 5)]
    check_pass([stack, x3], [T.matmul(stack, x3)], args3, {})  # the batch axis broadcasts


def test_combine_false_converts_products_only() -> None:
    rng = np.random.default_rng(8)
    x, y, z, s = _inputs("float64")
    args = [_m(rng, "float64", 3, 4), _m(rng, "float64", 4, 5), _m(rng, "float64", 3, 5), np.asarray(0.5, "float64")]
    after = check_pass([x, y, z, s], [z - s * T.dot(x, y.T.T)], args, {"tg.gemm": 1}, combine=False)
    (gemm,) = [op for op in after.walk() if isinstance(op, tg_blas.GemmOp)]
    assert gemm.z is None


# ------------------------------------------------------------------ gradients


def _blas(op: type, *args: Any, **flags: bool) -> Any:
    return build(op(*[a.value if a is not None else None for a in args], **flags))


@pytest.mark.parametrize("tx,ty", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_gradient(tx: bool, ty: bool) -> None:
    rng = np.random.default_rng(9)
    x, y = _m(rng, "float64", *((4, 3) if tx else (3, 4))), _m(rng, "float64", *((5, 4) if ty else (4, 5)))
    z, a, b = _m(rng, "float64", 3, 5), np.asarray(1.3), np.asarray(-0.6)
    verify_grad(lambda *v: _blas(tg_blas.GemmOp, *v, trans_x=tx, trans_y=ty), [z, a, x, y, b], mode="FAST_COMPILE", rng=rng)
    verify_grad(lambda *v: _blas(tg_blas.GemmOp, None, *v, trans_x=tx, trans_y=ty), [a, x, y, b], mode="FAST_COMPILE", rng=rng)


def test_vector_and_batched_gradients() -> None:
    rng = np.random.default_rng(10)
    a, s = _m(rng, "float64", 3, 4), np.asarray(0.7)
    for ta in (False, True):
        x = _m(rng, "float64", 3 if ta else 4)
        z = _m(rng, "float64", 4 if ta else 3)
        verify_grad(lambda *v, ta=ta: _blas(tg_blas.GemvOp, *v, trans_a=ta), [z, s, a, x, s], mode="FAST_COMPILE", rng=rng)
    verify_grad(lambda *v: _blas(tg_blas.GerOp, *v), [a, s, _m(rng, "float64", 3), _m(rng, "float64", 4)],
                mode="FAST_COMPILE", rng=rng)
    verify_grad(lambda *v: _blas(tg_blas.VdotOp, *v), [_m(rng, "float64", 5), _m(rng, "float64", 5)],
                mode="FAST_COMPILE", rng=rng)
    x3, y3 = _m(rng, "float64", 2, 4, 3), _m(rng, "float64", 2, 5, 4)
    verify_grad(lambda *v: _blas(tg_blas.BatchedGemmOp, *v, trans_x=True, trans_y=True), [x3, y3],
                mode="FAST_COMPILE", rng=rng)
