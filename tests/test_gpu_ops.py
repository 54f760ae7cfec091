"""Every op family on a CUDA device against the CPU backend, on random inputs: same
dtypes and shapes, float32 within a relative L2 error of 1e-5, integers and booleans
equal. Marked `gpu`: they skip with the reason where there is no device (and fail
instead when REQUIRE_GPU=1, as on the GPU machine)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
import tg
import tg.tensor as T
import tg.tensor.nnet

pytestmark = pytest.mark.gpu

REL_L2 = {"float32": 1e-5, "float64": 1e-10}


def rel_l2(actual: np.ndarray, expected: np.ndarray) -> float:
    """||actual - expected|| / ||expected|| over the finite entries (in float64)."""
    finite = np.isfinite(expected)
    a, e = actual[finite].astype(np.float64), expected[finite].astype(np.float64)
    norm = np.linalg.norm(e)
    diff = np.linalg.norm(a - e)
    return float(diff / norm) if norm > 0 else float(diff)


def assert_same(actual: Any, expected: Any, what: str = "", tol: float | None = None) -> None:
    """A CUDA result equals the CPU's: numpy array, dtype, shape, values."""
    assert isinstance(actual, np.ndarray), f"{what}: expected an ndarray, got {type(actual)}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, the CPU gives {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, the CPU gives {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: NaNs")
        inf = np.isinf(expected)
        np.testing.assert_array_equal(actual[inf], expected[inf], err_msg=f"{what}: infinities")
        error = rel_l2(actual, expected)
        limit = REL_L2[expected.dtype.name] if tol is None else tol
        assert error <= limit, f"{what}: relative L2 error {error:.3g} > {limit:g}"
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def compare(inputs: Sequence[Any], outputs: Any, *argument_sets: Sequence[Any], tol: float | None = None,
            **kwargs: Any) -> None:
    """Compile for the CPU and for cuda, call both on each argument set, compare."""
    cpu = tg.function(inputs, outputs, device="cpu", **kwargs)
    gpu = tg.function(inputs, outputs, device="cuda", **kwargs)
    for n, args in enumerate(argument_sets):
        expected, actual = cpu(*args), gpu(*args)
        if isinstance(expected, list):
            assert isinstance(actual, list) and len(actual) == len(expected)
            for k, (a, e) in enumerate(zip(actual, expected)):
                assert_same(a, e, f"argument set {n}, output {k}", tol)
        else:
            assert_same(actual, expected, f"argument set {n}", tol)


def rand(rng: np.random.Generator, shape: Sequence[int], dtype: str = "float32", low: float = -3.0,
         high: float = 3.0) -> np.ndarray:
    if np.dtype(dtype).kind == "i":
        return rng.integers(int(low), int(high), size=tuple(shape), endpoint=True).astype(dtype)
    if np.dtype(dtype) == np.bool_:
        return rng.random(tuple(shape)) < 0.5
    return rng.uniform(low, high, tuple(shape)).astype(dtype)


SHAPES = [(37, 129), (1, 1), (0, 5), (4096, 33), (3, 100003)]
"""Odd sizes (no multiple of a block or of 4), empty and single-element, tall, long rows."""


# ------------------------------------------------------------------ elementwise


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary(dtype):
    rng = np.random.default_rng(0)
    x = T.matrix("x", dtype=dtype)
    outputs = [
        -x, abs(x), T.exp(x), T.expm1(x), T.tanh(x), T.sigmoid(x), T.softplus(x), T.sin(x), T.cos(x),
        T.floor(x), T.ceil(x), T.round(x), T.trunc(x), T.sgn(x), T.sqr(x), T.erf(x), T.arctan(x), T.cosh(x),
        T.nnet.relu(x), T.clip(x, -1.0, 2.0), T.exp2(x), T.inv(x + 10.0),
    ]
    positive = [T.log(x), T.sqrt(x), T.log1p(x), T.log2(x), T.log10(x), x**0.5, x**2.5]
    args = [(rand(rng, s, dtype),) for s in SHAPES]
    compare([x], outputs, *args)
    compare([x], positive, *[(rand(rng, s, dtype, 0.01, 50.0),) for s in SHAPES])


def test_special_values():
    """NaN, infinities and signed zeros as the CPU treats them (NaN propagates
    through maximum and max)."""
    values = np.array([[np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 100.0, -100.0, 0.5, -2.5, 3.0]], "float32")
    x, y = T.fmatrix("x"), T.fmatrix("y")
    outputs = [T.exp(x), T.tanh(x), T.log(abs(x)), T.maximum(x, y), T.minimum(x, y), x / y, x.max(axis=1),
               T.sigmoid(x), T.sgn(x), T.round(x), T.floor(x), abs(x), T.isnan(x), T.isinf(x)]
    compare([x, y], outputs, (values, values[:, ::-1].copy()))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_with_broadcasting(dtype):
    rng = np.random.default_rng(1)
    x, row, col = T.matrix("x", dtype=dtype), T.row("r", dtype=dtype), T.col("c", dtype=dtype)
    v, s = T.vector("v", dtype=dtype), T.scalar("s", dtype=dtype)
    outputs = [
        x + row, x - col, x * v, x / (abs(col) + 1), row * col, T.maximum(x, v), T.minimum(col, x),
        x + s, s - x, (abs(x) + 0.5) ** v, T.arctan2(x, row), x % (abs(v) + 1),
        T.switch(x > v, x, s),
    ]
    for m, n in [(37, 129), (1, 1), (256, 4), (0, 7)]:
        compare([x, row, col, v, s], outputs,
                (rand(rng, (m, n), dtype), rand(rng, (1, n), dtype), rand(rng, (m, 1), dtype), rand(rng, (n,), dtype),
                 np.asarray(rand(rng, (), dtype))))


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_arithmetic(dtype):
    rng = np.random.default_rng(2)
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    outputs = [x + y, x - y, x * y, T.maximum(x, y), x // (abs(y) + 1), x % (abs(y) + 1), abs(x), -x,
               x & y, x | y, x ^ y]
    compare([x, y], outputs, *[(rand(rng, s, dtype, -1000, 1000), rand(rng, s, dtype, -1000, 1000)) for s in SHAPES[:3]])


def test_comparisons_and_logic():
    rng = np.random.default_rng(3)
    x, y = T.fmatrix("x"), T.fvector("y")
    outputs = [x < y, x <= y, x > y, x >= y, T.eq(x, T.round(y)), T.neq(x, y), T.and_(x > 0, y > 0),
               T.or_(x > 1, y < -1), T.invert(x > 0), T.isnan(x / x), T.isinf(1 / (x * 0))]
    args = [(np.round(rand(rng, (m, n))), np.round(rand(rng, (n,)))) for m, n in [(37, 129), (1, 1), (0, 3)]]
    compare([x, y], outputs, *args)


def test_casts():
    rng = np.random.default_rng(4)
    x, i, b = T.fmatrix("x"), T.imatrix("i"), T.bmatrix("b")
    d = T.dmatrix("d")
    outputs = [x.astype("int32"), x.astype("int64"), x.astype("float64"), x.astype("int8"), i.astype("float32"),
               i.astype("float64"), (x > 0).astype("float32"), d.astype("float32"), b.astype("int32"),
               x.astype("bool"), i.astype("int16")]
    for shape in [(37, 129), (1, 1), (0, 2)]:
        compare([x, i, b, d], outputs,
                (rand(rng, shape, low=-100, high=100), rand(rng, shape, "int32", -70000, 70000),
                 rand(rng, shape, "int8", -100, 100), rand(rng, shape, "float64", -1e5, 1e5)))


def test_fused_elementwise_chain():
    """A long chain of elementwise ops in one kernel, 3 inputs, over a million elements."""
    rng = np.random.default_rng(5)
    a, b, c = T.fvector("a"), T.fvector("b"), T.fvector("c")
    out = T.tanh(a * b + c) * T.exp(-a) + T.sqrt(abs(b)) - c / (1 + a * a)
    n = 1_000_003
    compare([a, b, c], out, (rand(rng, (n,)), rand(rng, (n,)), rand(rng, (n,))))


# ------------------------------------------------------------------ reductions


@pytest.mark.parametrize("axis", [0, 1, 2, None, (0, 2), (1, 2)])
def test_reductions_over_each_axis(axis):
    rng = np.random.default_rng(6)
    x = T.ftensor3("x")
    outputs = [x.sum(axis=axis), x.max(axis=axis), x.min(axis=axis), x.mean(axis=axis),
               x.prod(axis=axis), x.sum(axis=axis, keepdims=True), (x * x).sum(axis=axis),
               x.var(axis=axis), T.any(x > 0.99, axis=axis), T.all(x > 0.01, axis=axis)]
    # positive values: sums without cancellation; near 1: products without overflow
    for shape in [(7, 33, 129), (1, 1, 1), (2, 1000, 3), (64, 2, 1025)]:
        compare([x], outputs, (rand(rng, shape, low=0.9, high=1.1),))


def test_reductions_of_matrices():
    rng = np.random.default_rng(7)
    x = T.fmatrix("x")
    outputs = [x.sum(axis=0), x.sum(axis=1), x.sum(), x.max(axis=0), x.max(axis=1), x.max(), x.mean(axis=1)]
    compare([x], outputs, *[(rand(rng, s, low=0.0, high=1.0),) for s in [(37, 129), (1, 1), (4096, 33), (3, 100003), (100003, 3)]])
    i = T.imatrix("i")
    compare([i], [i.sum(axis=0), i.sum(axis=1), i.max(), i.min(axis=0), i.prod(axis=1)],
            (rand(rng, (37, 13), "int32", -3, 3),))


@pytest.mark.parametrize("axis", [0, 1, None])
def test_argmax(axis):
    rng = np.random.default_rng(8)
    x = T.fmatrix("x")
    outputs = [T.argmax(x, axis=axis), T.argmin(x, axis=axis), T.argmax(x, axis=axis, keepdims=True)]
    for shape in [(37, 129), (1, 1), (4096, 33), (3, 100003)]:
        compare([x], outputs, (rand(rng, shape),))
    # ties: the first index wins, as on the CPU
    compare([x], outputs, (np.round(rand(rng, (64, 65), low=-1, high=1)),))


# ------------------------------------------------------------------ softmax family


def test_softmax_and_log_softmax():
    rng = np.random.default_rng(9)
    x = T.fmatrix("x")
    outputs = [T.nnet.softmax(x), T.nnet.logsoftmax(x), T.nnet.softmax(x, axis=0), T.exp(x) / T.exp(x).sum(axis=1, keepdims=True)]
    for shape in [(37, 129), (1, 1), (65, 1024), (3, 100003), (2048, 10)]:
        compare([x], outputs, (rand(rng, shape, low=-20, high=20),))


def test_crossentropy():
    rng = np.random.default_rng(10)
    x, y, onehot = T.fmatrix("x"), T.ivector("y"), T.fmatrix("t")
    p = T.nnet.softmax(x)
    outputs = [T.nnet.categorical_crossentropy(p, y), T.nnet.categorical_crossentropy(p, y).mean(),
               T.nnet.categorical_crossentropy(p, onehot), -T.mean(T.log(p)[T.arange(y.shape[0]), y]),
               T.nnet.binary_crossentropy(T.nnet.sigmoid(x), (onehot > 0.5).astype("float32")).mean()]
    for m, n in [(256, 10), (1, 1), (37, 1000)]:
        labels = rng.integers(0, n, m).astype("int32")
        compare([x, y, onehot], outputs, (rand(rng, (m, n)), labels, np.eye(n, dtype="float32")[labels]))
    gradient = tg.grad(T.nnet.categorical_crossentropy(p, y).mean(), x)
    compare([x, y], gradient, (rand(rng, (256, 10)), rng.integers(0, 10, 256).astype("int32")))


# ------------------------------------------------------------------ linear algebra


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gemm(dtype):
    rng = np.random.default_rng(11)
    a, b, c = T.matrix("a", dtype=dtype), T.matrix("b", dtype=dtype), T.matrix("c", dtype=dtype)
    alpha = np.asarray(0.5, dtype)
    outputs = [T.dot(a, b), T.dot(a.T, c), T.dot(c.T, a), T.dot(b.T, a.T), alpha * T.dot(a, b) + c, a @ b]
    for m, k, n in [(37, 129, 65), (1, 1, 1), (256, 784, 500), (0, 4, 3), (5, 0, 3), (1024, 1024, 1024)]:
        compare([a, b, c], outputs, (rand(rng, (m, k), dtype), rand(rng, (k, n), dtype), rand(rng, (m, n), dtype)))


def test_gemv_dot_outer():
    rng = np.random.default_rng(12)
    A, x, y = T.fmatrix("A"), T.fvector("x"), T.fvector("y")
    outputs = [T.dot(A, x), T.dot(y, A), T.dot(x, x), T.outer(x, y), 2 * T.dot(A, x) + y, T.dot(A.T, y)]
    for m, n in [(37, 129), (1, 1), (500, 784), (4096, 3)]:
        compare([A, x, y], outputs, (rand(rng, (m, n)), rand(rng, (n,)), rand(rng, (m,))))


def test_batched():
    rng = np.random.default_rng(13)
    a, b = T.ftensor3("a"), T.ftensor3("b")
    outputs = [T.batched_dot(a, b), T.matmul(a, b), T.batched_dot(a, b.dimshuffle(0, 2, 1).dimshuffle(0, 2, 1))]
    for batch, m, k, n in [(8, 37, 129, 65), (1, 1, 1, 1), (64, 16, 16, 16)]:
        compare([a, b], outputs, (rand(rng, (batch, m, k)), rand(rng, (batch, k, n))))


# ------------------------------------------------------------------ indexing


def test_basic_indexing():
    rng = np.random.default_rng(14)
    x, i = T.fmatrix("x"), T.lscalar("i")
    outputs = [x[1:30:3], x[::-1, ::2], x[i], x[:, i], x[-1], x[i, i + 1], x[2:, :-3].T, x.reshape((-1,)),
               x.flatten()[5:100]]
    compare([x, i], outputs, (rand(rng, (37, 129)), 4), (rand(rng, (37, 129)), -5))


def test_advanced_indexing():
    rng = np.random.default_rng(15)
    x, idx, jdx = T.fmatrix("x"), T.lvector("idx"), T.lvector("jdx")
    outputs = [x[idx], x[:, jdx], x[idx, jdx[: idx.shape[0]]], x[idx][:, 3], x[T.arange(idx.shape[0]), idx % 7]]
    m, n = 1000, 129
    idx_value = rng.integers(-m, m, 300).astype("int64")
    jdx_value = rng.integers(0, n, 400).astype("int64")
    compare([x, idx, jdx], outputs, (rand(rng, (m, n)), idx_value, jdx_value))


def test_boolean_mask():
    """A mask's true count sizes the result: the function runs in stages."""
    rng = np.random.default_rng(16)
    x = T.fmatrix("x")
    compare([x], [x[x > 0], T.nonzero_values(x), x[(x > 0).any(axis=1)]], (rand(rng, (37, 129)),), (rand(rng, (3, 3)) * 0 - 1,))


def test_index_out_of_range_is_the_same_error():
    """Checked on the host before any kernel (an index input) or in a kernel (a
    computed index, a label): the CPU's exception and message either way."""
    x, i, idx, y = T.fvector("x"), T.lscalar("i"), T.lvector("idx"), T.ivector("y")
    m = T.fmatrix("m")
    cases = [
        ([x, i], x[i], (np.arange(5, dtype="float32"), 7), (np.arange(5, dtype="float32"), 3)),
        ([x, idx], x[idx * 2], (np.arange(5, dtype="float32"), np.array([1, 3])), (np.arange(5, dtype="float32"), np.array([1, 2]))),
        ([m, y], T.nnet.categorical_crossentropy(T.nnet.softmax(m), y),
         (np.zeros((2, 3), "float32"), np.array([1, 3], "int32")), (np.zeros((2, 3), "float32"), np.array([1, 2], "int32"))),
    ]
    for inputs, output, bad, good in cases:
        cpu, gpu = tg.function(inputs, output, device="cpu"), tg.function(inputs, output, device="cuda")
        with pytest.raises(IndexError) as expected:
            cpu(*bad)
        with pytest.raises(IndexError) as actual:
            gpu(*bad)
        assert str(actual.value) == str(expected.value)
        assert_same(gpu(*good), cpu(*good), "a call after the failed one")


def test_set_and_inc_subtensor():
    rng = np.random.default_rng(17)
    x, y, idx = T.fmatrix("x"), T.fmatrix("y"), T.lvector("idx")
    v = T.fvector("v")
    outputs = [
        T.set_subtensor(x[2:9], y[:7]),
        T.inc_subtensor(x[2:9], y[:7]),
        T.set_subtensor(x[:, 3], v[: x.shape[0]]),
        T.inc_subtensor(x[idx], y[: idx.shape[0]]),  # repeated indices accumulate
        T.set_subtensor(x[idx[:1]], y[:1]),
        T.set_subtensor(x[idx], y[: idx.shape[0]]),  # repeated indices: the last value stays
        T.set_subtensor(x[idx, idx % 7], v[: idx.shape[0]]),
        T.inc_subtensor(x[:, idx % x.shape[1]], 1.0),
    ]
    idx_value = rng.integers(0, 50, 200).astype("int64")  # many repeats
    compare([x, y, idx, v], outputs, (rand(rng, (50, 129)), rand(rng, (200, 129)), idx_value, rand(rng, (300,))))


# ------------------------------------------------------------------ shared variables and training


def _linear_regression(device: str, w0: np.ndarray) -> tuple[Any, Any]:
    W = tg.shared(w0.copy(), "W")
    x, y = T.fmatrix("x"), T.fmatrix("y")
    error = T.dot(x, W) - y
    loss = (error**2).mean()
    step = tg.function([x, y], loss, updates=[(W, W - np.float32(0.01) * tg.grad(loss, W))], device=device)
    return step, W


def test_shared_updates_match_the_cpu():
    rng = np.random.default_rng(18)
    w0 = rand(rng, (129, 17), low=-0.1, high=0.1)
    batches = [(rand(rng, (64, 129)), rand(rng, (64, 17))) for _ in range(5)]
    cpu_step, cpu_W = _linear_regression("cpu", w0)
    gpu_step, gpu_W = _linear_regression("cuda", w0)
    for n, (x, y) in enumerate(batches):
        assert_same(gpu_step(x, y), cpu_step(x, y), f"loss of step {n}")
    assert_same(gpu_W.get_value(), cpu_W.get_value(), "W after the steps")


def test_updates_without_outputs_and_default_updates():
    rng = np.random.default_rng(19)
    values = rand(rng, (1000,))
    results = {}
    for device in ("cpu", "cuda"):
        counter = tg.shared(np.int64(0), "counter")
        counter.default_update = counter + 1
        acc = tg.shared(values.copy(), "acc")
        f = tg.function([], updates=[(acc, T.tanh(acc) * 2)], device=device)
        for _ in range(3):
            f()
        results[device] = (acc.get_value(), counter.get_value())
    assert_same(results["cuda"][0], results["cpu"][0], "acc")
    assert_same(results["cuda"][1], results["cpu"][1], "counter")


@pytest.fixture(scope="module")
def mlp_data():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))
    from datasets import make_dataset

    return make_dataset(n_in=20, n_out=4, n_samples=1500, seed=7)


def test_mlp_example_trains_to_the_cpu_error(mlp_data):
    """examples/mlp.py in float32 with device=cuda: the same test error and per-epoch
    validation errors as on the CPU."""
    from mlp import test_mlp

    runs = {}
    for device in ("cpu", "cuda"):
        with tg.change_flags(device=device, floatX="float32"):
            runs[device] = test_mlp(n_epochs=5, datasets=mlp_data, verbose=False)
    (cpu_error, cpu_validation), (gpu_error, gpu_validation) = runs["cpu"], runs["cuda"]
    assert abs(gpu_error - cpu_error) <= 0.01, (gpu_error, cpu_error)
    np.testing.assert_allclose(gpu_validation, cpu_validation, atol=0.01)
    assert gpu_error < 0.5  # it learned (4 classes: chance is 75 % error)


def _mlp_step(device: str, params: Sequence[np.ndarray]) -> tuple[Callable[..., Any], list[Any]]:
    shared = [tg.shared(p.copy(), f"p{n}") for n, p in enumerate(params)]
    x, y = T.fmatrix("x"), T.ivector("y")
    h = T.tanh(T.dot(x, shared[0]) + shared[1])
    p = T.nnet.softmax(T.dot(h, shared[2]) + shared[3])
    loss = T.nnet.categorical_crossentropy(p, y).mean()
    grads = tg.grad(loss, shared)
    step = tg.function([x, y], loss, updates=[(v, v - np.float32(0.1) * g) for v, g in zip(shared, grads)], device=device)
    return step, shared


def test_mlp_784_500_10_steps_match_the_cpu():
    rng = np.random.default_rng(20)
    params = [rand(rng, (784, 500), low=-0.05, high=0.05), np.zeros(500, "float32"),
              rand(rng, (500, 10), low=-0.05, high=0.05), np.zeros(10, "float32")]
    x, y = rand(rng, (256, 784)), rng.integers(0, 10, 256).astype("int32")
    cpu_step, cpu_params = _mlp_step("cpu", params)
    gpu_step, gpu_params = _mlp_step("cuda", params)
    for n in range(10):
        assert_same(gpu_step(x, y), cpu_step(x, y), f"loss of step {n}")
    for n, (g, c) in enumerate(zip(gpu_params, cpu_params)):
        assert_same(g.get_value(), c.get_value(), f"parameter {n} after 10 steps", tol=1e-4)
