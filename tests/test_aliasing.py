"""The aliasing and in-place contract of compiled functions, through the public API.

A call never writes into the caller's arrays (unless an input is `In(mutable=True)`);
its results share memory with no input, no shared variable's value, no other result
and no earlier call's result (unless `Out(borrow=True)`, which allows aliasing but
does not require it); updates are computed from the old values and written only when
the whole call succeeds. Every check also compares values with numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
import tg
import tg.tensor as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODES = ("FAST_RUN", "FAST_COMPILE")
SHAPE = (4, 6)
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _matrix(seed: int, shape: Sequence[int] = SHAPE) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)


def _assert_distinct(arrays: Sequence[np.ndarray], others: Sequence[np.ndarray], what: str) -> None:
    """No array of `arrays` shares memory with another of `arrays` or with `others`."""
    for i, a in enumerate(arrays):
        for j, b in enumerate(arrays[i + 1 :], i + 1):
            assert not np.shares_memory(a, b), f"{what}: results {i} and {j} share memory"
        for j, b in enumerate(others):
            assert not np.shares_memory(a, b), f"{what}: result {i} shares memory with protected array {j}"


# (name, tg view of a (4, 6) matrix, the same view in numpy)
VIEWS: list[tuple[str, Callable[[Any], Any], Callable[[np.ndarray], np.ndarray]]] = [
    ("identity", lambda x: x, lambda a: a),
    ("T", lambda x: x.T, lambda a: a.T),
    ("dimshuffle(1,0)", lambda x: x.dimshuffle(1, 0), lambda a: a.transpose(1, 0)),
    ("dimshuffle(x,0,1)", lambda x: x.dimshuffle("x", 0, 1), lambda a: a[None]),
    ("dimshuffle(1,x,0)", lambda x: x.dimshuffle(1, "x", 0), lambda a: a.T[:, None, :]),
    ("reshape(6,4)", lambda x: x.reshape((6, 4)), lambda a: a.reshape(6, 4)),
    ("reshape(-1)", lambda x: x.reshape((-1,)), lambda a: a.reshape(-1)),
    ("reshape(symbolic)", lambda x: x.reshape((x.shape[1], x.shape[0])), lambda a: a.reshape(a.shape[1], a.shape[0])),
    ("flatten", lambda x: x.flatten(), lambda a: a.ravel()),
    ("x[1:3]", lambda x: x[1:3], lambda a: a[1:3]),
    ("x[::2]", lambda x: x[::2], lambda a: a[::2]),
    ("x[::-1]", lambda x: x[::-1], lambda a: a[::-1]),
    ("x[:,0]", lambda x: x[:, 0], lambda a: a[:, 0]),
    ("x[-1,2:]", lambda x: x[-1, 2:], lambda a: a[-1, 2:]),
    ("x[1,2]", lambda x: x[1, 2], lambda a: a[1, 2]),
    ("x[1:3].T", lambda x: x[1:3].T, lambda a: a[1:3].T),
    ("x.T[::2]", lambda x: x.T[::2], lambda a: a.T[::2]),
    ("shape_padleft", lambda x: T.shape_padleft(x), lambda a: a[None]),
    ("shape_padaxis(1)", lambda x: T.shape_padaxis(x, 1), lambda a: a[:, None]),
    ("squeeze(padded)", lambda x: T.squeeze(T.shape_padleft(x)), lambda a: a),
    ("flatten().reshape", lambda x: x.flatten().reshape((6, 4)), lambda a: a.reshape(6, 4)),
]
VIEW_IDS = [name for name, _, _ in VIEWS]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "view", "np_view"), VIEWS, ids=VIEW_IDS)
def test_view_results_are_fresh_arrays(mode, name, view, np_view):
    """`[v, v, x]` for a view `v` of the input `x`: three unaliased results, the input
    untouched, and a later call writes none of the earlier call's results."""
    x = T.fmatrix("x")
    v = view(x)
    f = tg.function([x], [v, view(x), v, x], mode=mode)
    a, b = _matrix(0), _matrix(1)
    a_before = a.copy()
    first = f(a)
    np.testing.assert_array_equal(a, a_before, err_msg="the input was modified")
    for r in first[:3]:
        np.testing.assert_array_equal(r, np_view(a))
    np.testing.assert_array_equal(first[3], a)
    _assert_distinct(first, [a], name)

    kept = [r.copy() for r in first]
    second = f(b)
    for r, k in zip(first, kept):
        np.testing.assert_array_equal(r, k, err_msg="a later call changed an earlier result")
    for r in second[:3]:
        np.testing.assert_array_equal(r, np_view(b))
    _assert_distinct(second, [a, b, *first], name)

    # the caller owns its results: writing into them changes nothing else
    for r in second:
        r[...] = 7
    np.testing.assert_array_equal(b, _matrix(1))
    np.testing.assert_array_equal(f(b)[0], np_view(b))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "view", "np_view"), VIEWS, ids=VIEW_IDS)
def test_borrowed_view_results_are_correct(mode, name, view, np_view):
    """`Out(borrow=True)` may alias, but values are right and the (borrowed) input is
    never written."""
    x = T.fmatrix("x")
    v = view(x)
    f = tg.function(
        [tg.In(x, borrow=True)],
        [tg.Out(v, borrow=True), tg.Out(v, borrow=True), tg.Out(x, borrow=True), (v * 2).sum()],
        mode=mode,
    )
    for seed in (0, 1):
        a = _matrix(seed)
        results = f(a)
        np.testing.assert_array_equal(a, _matrix(seed), err_msg="the input was modified")
        np.testing.assert_array_equal(results[0], np_view(a))
        np.testing.assert_array_equal(results[1], np_view(a))
        np.testing.assert_array_equal(results[2], a)
        np.testing.assert_allclose(results[3], (np_view(a) * 2).sum(), **TOL)
        # the unborrowed result aliases nothing
        _assert_distinct([results[3]], [a, *results[:3]], name)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "view", "np_view"), VIEWS, ids=VIEW_IDS)
def test_views_of_shared_values(mode, name, view, np_view):
    """Results viewing a shared variable alias neither its value nor each other, and
    survive the updates of later calls."""
    W = tg.shared(_matrix(2), "W")
    f = tg.function([], [view(W), view(W), W], updates=[(W, W * 2 + 1)], mode=mode)
    old = _matrix(2)
    first = f()
    for r in first[:2]:
        np.testing.assert_array_equal(r, np_view(old))
    np.testing.assert_array_equal(first[2], old)
    _assert_distinct(first, [W.get_value(borrow=True)], name)
    kept = [r.copy() for r in first]
    second = f()
    for r, k in zip(first, kept):
        np.testing.assert_array_equal(r, k, err_msg="a later call changed an earlier result")
    np.testing.assert_allclose(second[0], np_view(old * 2 + 1), **TOL)
    np.testing.assert_allclose(W.get_value(), (old * 2 + 1) * 2 + 1, **TOL)
    _assert_distinct(second, [W.get_value(borrow=True), *first], name)


@pytest.mark.parametrize("mode", MODES)
def test_squeeze_and_drop_of_a_broadcastable_input(mode):
    t = T.TensorType("float32", (False, True, False))("t")
    f = tg.function([t], [T.squeeze(t), t.dimshuffle(0, 2), t[:, 0], t], mode=mode)
    a = _matrix(3, (4, 1, 6))
    results = f(a)
    np.testing.assert_array_equal(a, _matrix(3, (4, 1, 6)))
    for r in results[:3]:
        np.testing.assert_array_equal(r, a[:, 0])
    np.testing.assert_array_equal(results[3], a)
    _assert_distinct(results, [a], "squeeze")


@pytest.mark.parametrize("mode", MODES)
def test_shared_value_as_the_output(mode):
    """A function returning a shared variable's value returns a copy per call."""
    W = tg.shared(_matrix(4), "W")
    f = tg.function([], [W, W], mode=mode)
    first = f()
    _assert_distinct(first, [W.get_value(borrow=True)], "[W, W]")
    first[0][...] = 0
    first[1][...] = 0
    np.testing.assert_array_equal(W.get_value(), _matrix(4))
    second = f()
    np.testing.assert_array_equal(second[0], _matrix(4))
    _assert_distinct(second, [W.get_value(borrow=True), *first], "[W, W]")

    g = tg.function([], W, updates=[(W, W + 1)], mode=mode)
    results = [g() for _ in range(3)]
    for k, r in enumerate(results):
        np.testing.assert_allclose(r, _matrix(4) + k, **TOL)
    _assert_distinct(results, [W.get_value(borrow=True)], "W updated")


# ------------------------------------------------------------------ mutable inputs


@pytest.mark.parametrize("mode", MODES)
def test_mutable_input_results_are_correct(mode):
    x, y = T.fmatrices("x", "y")
    mutable = tg.In(x, borrow=True, mutable=True)
    f = tg.function([mutable, y], [x * 2 + y, x[::-1] * 3 - y, (x * x).sum(), x.T + 1], mode=mode)
    for seed in (0, 1, 2):
        a, b = _matrix(seed), _matrix(seed + 10)
        want = [a * 2 + b, a[::-1] * 3 - b, (a * a).sum(), a.T + 1]
        got = f(a, b)  # `a` may be destroyed
        np.testing.assert_array_equal(b, _matrix(seed + 10), err_msg="the non-mutable input was modified")
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, **TOL)


@pytest.mark.parametrize("mode", MODES)
def test_mutable_input_passed_twice(mode):
    """The same array as a mutable input and as another input: still correct."""
    x, y = T.fmatrices("x", "y")
    f = tg.function([tg.In(x, borrow=True, mutable=True), y], [x[::-1] * 2 + y, x + y.T.T], mode=mode)
    a = _matrix(5)
    want = [a[::-1] * 2 + a, a + a]
    for g, w in zip(f(a, a), want):
        np.testing.assert_allclose(g, w, **TOL)


@pytest.mark.parametrize("mode", MODES)
def test_mutable_input_returned(mode):
    x = T.fvector("x")
    f = tg.function([tg.In(x, borrow=True, mutable=True)], [x, x * 2], mode=mode)
    for seed in (0, 1):
        a = _matrix(seed, (7,))
        want = [a.copy(), a * 2]
        for g, w in zip(f(a), want):
            np.testing.assert_allclose(g, w, **TOL)


# ------------------------------------------------------------------ shared variables


@pytest.mark.parametrize("mode", MODES)
def test_sgd_update(mode):
    """`W - lr*g` for a least-squares loss, against the gradient worked out by hand."""
    rng = np.random.default_rng(6)
    w0 = rng.standard_normal((3, 2)).astype(np.float32)
    W = tg.shared(w0, "W")
    x, y = T.fmatrix("x"), T.fmatrix("y")
    loss = ((T.dot(x, W) - y) ** 2).mean()
    lr = np.float32(0.1)
    f = tg.function([x, y], loss, updates=[(W, W - lr * tg.grad(loss, W))], mode=mode)
    a = rng.standard_normal((5, 3)).astype(np.float32)
    b = rng.standard_normal((5, 2)).astype(np.float32)
    w = w0.copy()
    for _ in range(3):
        residual = a @ w - b
        want_loss = (residual**2).mean()
        got = f(a, b)
        w = w - lr * (2 / residual.size) * (a.T @ residual)
        np.testing.assert_allclose(got, want_loss, rtol=1e-5)
        np.testing.assert_allclose(W.get_value(), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(w0, np.random.default_rng(6).standard_normal((3, 2)).astype(np.float32))


@pytest.mark.parametrize("mode", MODES)
def test_updates_read_old_values(mode):
    """Swaps, transposes and reversals in place would read half-written values."""
    a0, b0, c0, d0 = _matrix(7), _matrix(8), _matrix(9, (5, 5)), _matrix(10, (9,))
    A, B, C, D = (tg.shared(v, n) for v, n in ((a0, "A"), (b0, "B"), (c0, "C"), (d0, "D")))
    E = tg.shared(c0, "E")
    f = tg.function(
        [],
        [A.sum(), C.T],
        updates=[(A, B), (B, A), (C, C.T), (D, D[::-1]), (E, E + E.T)],
        mode=mode,
    )
    outputs = f()
    np.testing.assert_allclose(outputs[0], a0.sum(), **TOL)
    np.testing.assert_array_equal(outputs[1], c0.T)
    np.testing.assert_array_equal(A.get_value(), b0)
    np.testing.assert_array_equal(B.get_value(), a0)
    np.testing.assert_array_equal(C.get_value(), c0.T)
    np.testing.assert_array_equal(D.get_value(), d0[::-1])
    np.testing.assert_allclose(E.get_value(), c0 + c0.T, **TOL)
    values = [v.get_value(borrow=True) for v in (A, B, C, D, E)]
    _assert_distinct([*values, *outputs], [], "shared values after swaps")
    f()
    np.testing.assert_array_equal(A.get_value(), a0)
    np.testing.assert_array_equal(C.get_value(), c0)
    np.testing.assert_array_equal(D.get_value(), d0)


@pytest.mark.parametrize("mode", MODES)
def test_update_from_an_input_does_not_keep_the_callers_array(mode):
    W, V = tg.shared(_matrix(11), "W"), tg.shared(_matrix(12).T.copy(), "V")
    x = T.fmatrix("x")
    f = tg.function([tg.In(x, borrow=True)], [], updates=[(W, x), (V, x.T)], mode=mode)
    a = _matrix(13)
    f(a)
    for value in (W.get_value(borrow=True), V.get_value(borrow=True)):
        assert not np.shares_memory(value, a)
    a[...] = 0
    np.testing.assert_array_equal(W.get_value(), _matrix(13))
    np.testing.assert_array_equal(V.get_value(), _matrix(13).T)


@pytest.mark.parametrize("mode", MODES)
def test_update_from_another_shared_variable(mode):
    """`W <- V` leaves W its own copy: later updates of V do not reach it."""
    W, V = tg.shared(_matrix(14), "W"), tg.shared(_matrix(15), "V")
    copy = tg.function([], [], updates=[(W, V), (V, V + 1)], mode=mode)
    bump = tg.function([], [], updates=[(V, V * 2)], mode=mode)
    copy()
    assert not np.shares_memory(W.get_value(borrow=True), V.get_value(borrow=True))
    bump()
    np.testing.assert_array_equal(W.get_value(), _matrix(15))
    np.testing.assert_allclose(V.get_value(), (_matrix(15) + 1) * 2, **TOL)


@pytest.mark.parametrize("mode", MODES)
def test_get_value_and_set_value(mode):
    W = tg.shared(_matrix(16), "W")
    f = tg.function([], W.sum(), updates=[(W, W * 3)], mode=mode)
    copy = W.get_value()
    borrowed = W.get_value(borrow=True)
    np.testing.assert_array_equal(borrowed, _matrix(16))
    assert not np.shares_memory(copy, borrowed)
    f()
    # a copy never changes; a borrowed value may (Theano: it may alias internal storage)
    np.testing.assert_array_equal(copy, _matrix(16))
    np.testing.assert_allclose(W.get_value(borrow=True), _matrix(16) * 3, **TOL)
    copy[...] = 0
    np.testing.assert_allclose(W.get_value(), _matrix(16) * 3, **TOL)

    new = _matrix(17)
    W.set_value(new)
    new[...] = 0  # set_value copied it
    np.testing.assert_allclose(f(), _matrix(17).sum(), rtol=1e-5)
    np.testing.assert_allclose(W.get_value(), _matrix(17) * 3, **TOL)
    np.testing.assert_array_equal(new, 0)

    lent = _matrix(18)
    W.set_value(lent, borrow=True)
    np.testing.assert_array_equal(W.get_value(), _matrix(18))
    np.testing.assert_allclose(f(), _matrix(18).sum(), rtol=1e-5)
    np.testing.assert_allclose(W.get_value(), _matrix(18) * 3, **TOL)

    original = _matrix(19)
    S = tg.shared(original)
    g = tg.function([], [], updates=[(S, S + 1)], mode=mode)
    g()
    np.testing.assert_array_equal(original, _matrix(19), err_msg="tg.shared did not copy its value")


def _values(variables: Sequence[tg.SharedVariable]) -> list[np.ndarray]:
    return [v.get_value() for v in variables]


def _assert_unchanged(variables: Sequence[tg.SharedVariable], before: Sequence[np.ndarray]) -> None:
    for v, b in zip(variables, before):
        np.testing.assert_array_equal(v.get_value(), b, err_msg=f"a failing call changed {v.name}")


@pytest.mark.parametrize("mode", MODES)
def test_failing_shape_check_changes_no_shared_variable(mode):
    A = tg.shared(np.zeros(2, np.float32), "A")
    W = tg.shared(np.ones(3, np.float32), "W")
    x = T.fvector("x")
    f = tg.function([x], x + W, updates=[(A, A + 1), (W, W - np.float32(0.1) * x)], mode=mode)
    before = _values([A, W])
    with pytest.raises(ValueError):
        f(np.ones(4, np.float32))
    _assert_unchanged([A, W], before)
    np.testing.assert_allclose(f(np.full(3, 2, np.float32)), np.full(3, 3.0), **TOL)
    np.testing.assert_allclose(A.get_value(), [1, 1])
    np.testing.assert_allclose(W.get_value(), np.full(3, 0.8), **TOL)


@pytest.mark.parametrize("mode", MODES)
def test_failing_generated_index_check_changes_no_shared_variable(mode):
    """The index vector is computed, so only generated code can check it; the updates
    of A and W come before the gather in the graph."""
    A = tg.shared(np.zeros(2, np.float32), "A")
    W = tg.shared(np.arange(4, dtype=np.float32), "W")
    B = tg.shared(np.zeros((), np.float32), "B")
    i = T.ivector("i")
    f = tg.function([i], A.sum(), updates=[(A, A + 1), (W, W * 2), (B, B + W[i * 2].sum())], mode=mode)
    variables = [A, W, B]
    before = _values(variables)
    for bad in ([0, 2], [-3, 0], [1, 0, 5]):
        with pytest.raises(IndexError):
            f(np.array(bad, np.int32))
        _assert_unchanged(variables, before)
    f(np.array([1, -1], np.int32))  # W[2] + W[-2]
    np.testing.assert_array_equal(A.get_value(), [1, 1])
    np.testing.assert_array_equal(W.get_value(), [0, 2, 4, 6])
    np.testing.assert_array_equal(B.get_value(), 4.0)


@pytest.mark.parametrize("mode", MODES)
def test_failing_check_after_a_computed_shape_changes_no_shared_variable(mode):
    """The indices' count depends on a computed mask (so the function runs in steps)
    and their values are checked last."""
    A = tg.shared(np.zeros(2, np.float32), "A")
    W = tg.shared(np.arange(3, dtype=np.float32), "W")
    B = tg.shared(np.zeros((), np.float32), "B")
    y = T.ivector("y")
    f = tg.function([y], [], updates=[(A, A + 1), (W, W + 10), (B, B + W[y[y >= 0]].sum())], mode=mode)
    variables = [A, W, B]
    before = _values(variables)
    with pytest.raises(IndexError):
        f(np.array([-1, 5, 0], np.int32))
    _assert_unchanged(variables, before)
    f(np.array([-1, 2, 1], np.int32))
    np.testing.assert_array_equal(A.get_value(), [1, 1])
    np.testing.assert_array_equal(W.get_value(), [10, 11, 12])
    np.testing.assert_array_equal(B.get_value(), 3.0)


# ------------------------------------------------------------------ random graphs

UNARY = [
    (lambda v: -v, np.negative),
    (T.tanh, np.tanh),
    (lambda v: v * 2 + 1, lambda a: a * 2 + 1),
    (abs, np.abs),
]
BINARY = [
    (lambda p, q: p + q, np.add),
    (lambda p, q: p * q, np.multiply),
    (T.maximum, np.maximum),
    (lambda p, q: p - q, np.subtract),
]
MATRIX_VIEWS = [
    (view, np_view)
    for name, view, np_view in VIEWS
    if name in ("T", "x[1:3]", "x[::2]", "x[::-1]", "x[:,0]", "reshape(6,4)", "flatten")
]
VECTOR_VIEWS = [
    (lambda x: x[::-1], lambda a: a[::-1]),
    (lambda x: x[1:], lambda a: a[1:]),
    (lambda x: x.dimshuffle("x", 0), lambda a: a[None]),
]


@st.composite
def graphs(draw: Any) -> tuple[list[tuple[Any, ...]], list[tuple[int, bool]], list[bool]]:
    """Steps over the values so far, then (value, borrow) outputs and per-input borrow."""
    step = st.one_of(
        st.tuples(st.just("unary"), st.integers(0, len(UNARY) - 1), st.integers(0, 99)),
        st.tuples(st.just("binary"), st.integers(0, len(BINARY) - 1), st.integers(0, 99), st.integers(0, 99)),
        st.tuples(st.just("view"), st.integers(0, 99), st.integers(0, 99)),
        st.tuples(st.just("sum"), st.integers(0, 99)),
    )
    steps = draw(st.lists(step, min_size=0, max_size=6))
    outputs = draw(st.lists(st.tuples(st.integers(0, 99), st.booleans()), min_size=1, max_size=4))
    in_borrow = draw(st.lists(st.booleans(), min_size=2, max_size=2))
    return steps, outputs, in_borrow


def _build(steps: list[tuple[Any, ...]], values: list[Any], arrays: list[np.ndarray]) -> None:
    """Extend `values` (tg) and `arrays` (numpy, the same values) by `steps`."""
    for kind, *args in steps:
        pick = args[-1] % len(values) if kind != "binary" else args[1] % len(values)
        v, a = values[pick], arrays[pick]
        if kind == "unary":
            fn, np_fn = UNARY[args[0]]
            values.append(fn(v))
            arrays.append(np_fn(a))
        elif kind == "binary":
            other = args[2] % len(values)
            if arrays[other].shape != a.shape and arrays[other].ndim:
                other = pick
            fn, np_fn = BINARY[args[0]]
            values.append(fn(v, values[other]))
            arrays.append(np_fn(a, arrays[other]))
        elif kind == "view":
            options = MATRIX_VIEWS if a.ndim == 2 else VECTOR_VIEWS if a.ndim == 1 and a.shape[0] > 1 else []
            if options:
                fn, np_fn = options[args[0] % len(options)]
                values.append(fn(v))
                arrays.append(np_fn(a))
        else:
            values.append(v.sum(axis=-1) if a.ndim else v * 1)
            arrays.append(a.sum(axis=-1) if a.ndim else a * 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.sampled_from(MODES))
def test_random_graphs_keep_the_contract(recipe, mode):
    steps, outputs, in_borrow = recipe
    x, v = T.fmatrix("x"), T.fvector("v")
    W = tg.shared(_matrix(20), "W")
    a, b = _matrix(21), _matrix(22, (6,))
    values: list[Any] = [x, v, W, x.T, W[0]]
    arrays = [a, b, _matrix(20), a.T, _matrix(20)[0]]
    _build(steps, values, arrays)
    chosen = [(i % len(values), borrow) for i, borrow in outputs]
    f = tg.function(
        [tg.In(x, borrow=in_borrow[0]), tg.In(v, borrow=in_borrow[1])],
        [tg.Out(values[i], borrow=borrow) for i, borrow in chosen],
        on_unused_input="ignore",
        mode=mode,
    )
    results = f(a, b)
    np.testing.assert_array_equal(a, _matrix(21), err_msg="input x was modified")
    np.testing.assert_array_equal(b, _matrix(22, (6,)), err_msg="input v was modified")
    np.testing.assert_array_equal(W.get_value(), _matrix(20), err_msg="W was modified")
    for r, (i, _) in zip(results, chosen):
        np.testing.assert_allclose(r, arrays[i], **TOL)
    protected = [a, b, W.get_value(borrow=True)]
    fresh = [r for r, (_, borrow) in zip(results, chosen) if not borrow]
    for k, (r, (_, borrow)) in enumerate(zip(results, chosen)):
        if borrow:
            continue
        _assert_distinct([r], protected, f"result {k}")
        for j, other in enumerate(results):
            assert j == k or not np.shares_memory(r, other), f"results {k} and {j} share memory"
    kept = [r.copy() for r in fresh]
    f(_matrix(23), _matrix(24, (6,)))
    for r, k in zip(fresh, kept):
        np.testing.assert_array_equal(r, k, err_msg="a later call changed an unborrowed result")
