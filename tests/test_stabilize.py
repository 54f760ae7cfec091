"""tg-stabilize: each rule fires on the spellings canonical forms and gradients
produce (property-based), results stay equal to the stable reference and finite
where the naive form overflows, and the issue's checks hold through tg.function."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xdsl.utils.exceptions import VerifyException

import tg
import tg.tensor as T
from tg.dialects.interpreter import find_function, run_function
from tg.dialects.tg_nnet import SoftmaxCrossentropyOp, softmax_crossentropy
from tg.passes.patterns import RewriteStats, apply_rules
from tg.passes.stabilize import RULES
from tg.tensor import nnet
from tg_testutil import MODES

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def stabilized(inputs, outputs):
    """(graph before, graph after tg-stabilize alone, stats)."""
    before = tg.function(inputs, outputs, mode="FAST_COMPILE")._graph
    after = before.clone()
    stats = RewriteStats()
    apply_rules(find_function(after), RULES, stats)
    after.verify()
    return find_function(before), find_function(after), stats


# ------------------------------------------------------------- spellings


def spell_one(draw, dtype):
    """The constant 1: a Python float, an int, a float32/float64 constant, a cast."""
    kind = draw(st.sampled_from(["float", "int", "const", "cast"]))
    if kind == "float":
        return 1.0
    if kind == "int":
        return 1
    if kind == "const":
        return T.constant(np.asarray(1, dtype))
    return T.cast(T.constant(np.asarray(1, "int8" if dtype == "float32" else "int32")), dtype)


def spell_neg(draw, t):
    kind = draw(st.sampled_from(["op", "unary", "mul-left", "mul-right", "sub"]))
    if kind == "op":
        return T.neg(t)
    if kind == "unary":
        return -t
    if kind == "mul-left":
        return -1 * t
    if kind == "mul-right":
        return t * -1.0
    return 0 - t


def spell_one_plus(draw, t, dtype):
    one = spell_one(draw, dtype)
    if draw(st.booleans()):
        return one + t if draw(st.booleans()) else t + one
    return one - spell_neg(draw, t)


def spell_one_minus(draw, t, dtype):
    one = spell_one(draw, dtype)
    if draw(st.booleans()):
        return one - t
    n = spell_neg(draw, t)
    return one + n if draw(st.booleans()) else n + one


def spell_sigmoid(draw, x, dtype, kinds=("op", "recip", "ratio", "one-minus")):
    """sigmoid(x): the op, 1/(1+exp(-x)), exp(x)/(1+exp(x)), 1 - sigmoid(-x)."""
    kind = draw(st.sampled_from(kinds))
    if kind == "op":
        return nnet.sigmoid(x)
    if kind == "recip":
        return spell_one(draw, dtype) / spell_one_plus(draw, T.exp(spell_neg(draw, x)), dtype)
    if kind == "ratio":
        e = T.exp(x)
        return e / spell_one_plus(draw, e, dtype)
    return spell_one_minus(draw, nnet.sigmoid(spell_neg(draw, x)), dtype)


dtypes = st.sampled_from(["float64", "float32"])


def _inputs(dtype, n=7):
    rng = np.random.default_rng(0)
    wide = np.array([-1000.0, -80.0, -30.0, 0.0, 30.0, 80.0, 1000.0], dtype)
    return wide, rng.normal(size=n).astype(dtype)


def check_rule(rule, inputs, outputs, args, want, finite=True, rtol=None):
    g0, g1, stats = stabilized(inputs, outputs)
    assert stats.fired[rule] >= 1, f"{rule} did not fire: {stats.report()}"
    got = run_function(g1, args)
    dtype = np.asarray(got[0]).dtype
    tol = rtol if rtol is not None else (1e-4 if dtype == np.float32 else 1e-10)
    for g, w in zip(got, want):
        if finite:
            assert np.all(np.isfinite(g)), g
        np.testing.assert_allclose(g, np.asarray(w, g.dtype), rtol=tol, atol=tol)
    return g0, g1


# ----------------------------------------------------------- rule properties


@SETTINGS
@given(st.data(), dtypes)
def test_log1p_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    out = T.log(spell_one_plus(data.draw, x, dtype))
    small = np.array([1e-17, -1e-20, 1e-10, 0.5, 3.0], dtype)
    check_rule("log1p", [x], out, [small], [np.log1p(small)])


@SETTINGS
@given(st.data(), dtypes)
def test_expm1_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    e = T.exp(x)
    one = spell_one(data.draw, dtype)
    out = data.draw(st.sampled_from([lambda: e - one, lambda: e + (-1.0), lambda: -1.0 + e]))()
    small = np.array([1e-17, -1e-20, 1e-9, 0.5, -3.0], dtype)
    check_rule("expm1", [x], out, [small], [np.expm1(small)])


@SETTINGS
@given(st.data(), dtypes)
def test_sigmoid_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    kind = data.draw(st.sampled_from(["recip", "ratio"]))
    if kind == "recip":
        out = spell_one(data.draw, dtype) / spell_one_plus(data.draw, T.exp(spell_neg(data.draw, x)), dtype)
    else:
        e = T.exp(x)
        out = e / spell_one_plus(data.draw, e, dtype)
    wide, _ = _inputs(dtype)
    with np.errstate(all="ignore"):
        want = 0.5 * (1 + np.tanh(wide.astype(np.float64) / 2))
    check_rule("sigmoid", [x], out, [wide], [want])


@SETTINGS
@given(st.data(), dtypes)
def test_log_sigmoid_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    out = T.log(spell_sigmoid(data.draw, x, dtype))
    wide, _ = _inputs(dtype)
    g0, g1, stats = stabilized([x], out)
    assert stats.fired["log-sigmoid"] + stats.fired["log1p-softplus"] >= 1, stats.report()
    got = run_function(g1, [wide])[0]
    np.testing.assert_allclose(got, -np.logaddexp(0, -wide.astype(np.float64)), rtol=1e-5)
    with np.errstate(all="ignore"):
        naive = run_function(g0, [wide])[0]
    assert not np.all(np.isfinite(naive)) or kind_is_op(g0)


def kind_is_op(function) -> bool:
    return any(o.name == "tg.sigmoid" for o in function.body.block.ops)


@SETTINGS
@given(st.data(), dtypes)
def test_log_one_minus_sigmoid_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    s = spell_sigmoid(data.draw, x, dtype)
    kind = data.draw(st.sampled_from(["log", "log1p"]))
    out = T.log(spell_one_minus(data.draw, s, dtype)) if kind == "log" else T.log1p(spell_neg(data.draw, s))
    wide, _ = _inputs(dtype)
    g0, g1, stats = stabilized([x], out)
    assert stats.fired["log-sigmoid"] + stats.fired["log1p-softplus"] >= 1, stats.report()
    got = run_function(g1, [wide])[0]
    np.testing.assert_allclose(got, -np.logaddexp(0, wide.astype(np.float64)), rtol=1e-5)


@SETTINGS
@given(st.data(), dtypes)
def test_softplus_fires(data, dtype):
    x = T.vector("x", dtype=dtype)
    out = data.draw(st.sampled_from([
        lambda: T.log1p(T.exp(x)),
        lambda: T.log(spell_one_plus(data.draw, T.exp(x), dtype)),
    ]))()
    wide, _ = _inputs(dtype)
    check_rule("log1p-softplus", [x], out, [wide], [np.logaddexp(0, wide.astype(np.float64))], rtol=1e-5)


@SETTINGS
@given(st.data(), dtypes)
def test_log_softmax_fires(data, dtype):
    z = T.matrix("z", dtype=dtype)
    kind = data.draw(st.sampled_from(["nnet", "unshifted"]))
    if kind == "nnet":
        p = nnet.softmax(z)
    else:
        e = T.exp(z)
        p = e / T.sum(e, axis=1, keepdims=True)
    out = T.log(p)
    args = np.array([[1000.0, 0.0, -5.0], [1.0, 2.0, 3.0]], dtype)
    m = args.max(axis=1, keepdims=True).astype(np.float64)
    want = args - m - np.log(np.sum(np.exp(args - m), axis=1, keepdims=True))
    check_rule("log-softmax", [z], out, [args], [want], rtol=1e-5)


@SETTINGS
@given(st.data(), dtypes)
def test_logsumexp_fires(data, dtype):
    z = T.matrix("z", dtype=dtype)
    axis = data.draw(st.sampled_from([0, 1, None]))
    keep = data.draw(st.booleans())
    out = T.log(T.sum(T.exp(z), axis=axis, keepdims=keep))
    args = np.array([[1000.0, 0.0, -5.0], [1.0, 2.0, 800.0]], dtype)
    m = np.max(args.astype(np.float64), axis=axis, keepdims=True)
    want = np.log(np.sum(np.exp(args - m), axis=axis, keepdims=True)) + m
    if not keep:
        want = np.squeeze(want, axis=axis) if axis is not None else want.reshape(())
    check_rule("logsumexp", [z], out, [args], [want], rtol=1e-5)


@SETTINGS
@given(st.data(), dtypes)
def test_crossentropy_fires(data, dtype):
    z = T.matrix("z", dtype=dtype)
    y = T.lvector("y")
    kind = data.draw(st.sampled_from(["nnet", "nll", "logsoftmax", "neg-mul"]))
    n = T.arange(y.shape[0])
    if kind == "nnet":
        out = nnet.categorical_crossentropy(nnet.softmax(z), y)
    elif kind == "nll":
        out = -T.mean(T.log(nnet.softmax(z))[n, y])
    elif kind == "logsoftmax":
        out = -nnet.logsoftmax(z)[n, y]
    else:
        out = -1 * T.log(nnet.softmax(z)[n, y])
    args = [np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]], dtype), np.array([2, 0])]
    x64 = args[0].astype(np.float64)
    m = x64.max(axis=1, keepdims=True)
    loss = (np.log(np.sum(np.exp(x64 - m), axis=1)) + m[:, 0]) - x64[[0, 1], args[1]]
    want = loss.mean() if kind == "nll" else loss
    check_rule("crossentropy-softmax", [z, y], out, args, [want], rtol=1e-5)


# ------------------------------------------------------------ gradients


@SETTINGS
@given(st.data())
def test_logistic_gradient_finite_for_every_spelling(data):
    """The hand-written cross-entropy of a saturated sigmoid: cost and gradient
    stay finite and equal the stable values, however p and 1 - p are spelled."""
    x = T.dmatrix("x")
    y = T.dvector("y")
    w = T.dvector("w")
    z = T.dot(x, w)
    # tg.grad differentiates the stable form of each spelling (exp(z)/(1+exp(z)) as
    # sigmoid(z)), so the quotient rule's inf/inf never appears
    p = spell_sigmoid(data.draw, z, "float64")
    cost = T.mean(-y * T.log(p) - (1 - y) * T.log(spell_one_minus(data.draw, p, "float64")))
    f = tg.function([x, y, w], [cost, tg.grad(cost, w)])
    X = np.array([[1000.0, 1.0], [-1000.0, 2.0], [1.0, 1.0], [40.0, 0.0]])
    Y = np.array([0.0, 1.0, 1.0, 1.0])
    W = np.array([1.0, 0.5])
    c, g = f(X, Y, W)
    Z = X @ W
    want_c = np.mean(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z))
    sig = 0.5 * (1 + np.tanh(Z / 2))
    np.testing.assert_allclose(c, want_c, rtol=1e-10)
    np.testing.assert_allclose(g, X.T @ (sig - Y) / len(Y), rtol=1e-8)


def test_logistic_regression_trains_on_unscaled_features():
    """The issue's logistic regression: 784 unscaled features, cost written by hand,
    finite cost and gradients from the first step, and it learns."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 784)) * 255
    Y = (X[:, :10].sum(axis=1) > 0).astype(np.float64)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = tg.shared(rng.normal(size=784), name="w")
    b = tg.shared(0.0, name="b")
    p = 1 / (1 + T.exp(-T.dot(x, w) - b))
    cost = (-y * T.log(p) - (1 - y) * T.log(1 - p)).mean()
    gw, gb = tg.grad(cost, [w, b])
    check = tg.function([x, y], [cost, gw, gb])
    c0, g0w, g0b = check(X, Y)
    assert np.isfinite(c0) and np.all(np.isfinite(g0w)) and np.isfinite(g0b)
    train = tg.function([x, y], cost, updates=[(w, w - 1e-3 * gw), (b, b - 1e-3 * gb)])
    costs = [float(train(X, Y)) for _ in range(30)]
    assert all(np.isfinite(costs))
    assert costs[-1] < 0.7 * costs[0]


def test_softmax_crossentropy_gradient_stable():
    z, y = T.dmatrix("z"), T.lvector("y")
    n = T.arange(y.shape[0])
    costs = [
        nnet.categorical_crossentropy(nnet.softmax(z), y).mean(),
        -T.mean(T.log(nnet.softmax(z))[n, y]),
    ]
    Z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1.0, 2.0]])
    Y = np.array([2, 0])
    m = Z.max(axis=1, keepdims=True)
    p = np.exp(Z - m) / np.exp(Z - m).sum(axis=1, keepdims=True)
    onehot = np.eye(3)[Y]
    for cost in costs:
        for mode in MODES:
            f = tg.function([z, y], [cost, tg.grad(cost, z)], mode=mode)
            c, g = f(Z, Y)
            np.testing.assert_allclose(c, 1001.2038029815, rtol=1e-10)
            np.testing.assert_allclose(g, (p - onehot) / 2, rtol=1e-10, atol=1e-15)


# ------------------------------------------------------ the issue's checks


@pytest.mark.parametrize("mode", MODES)
def test_issue_checks(mode):
    x, z = T.dvector("x"), T.dmatrix("z")
    f = tg.function([x], [T.log(nnet.sigmoid(x)), T.log(1 + x)], mode=mode)
    ls, l1 = f(np.array([-1000.0, 1e-17]))
    assert ls[0] == -1000.0
    assert l1[1] == 1e-17
    g = tg.function([z], T.log(nnet.softmax(z)), mode=mode)
    np.testing.assert_array_equal(g(np.array([[1000.0, 0.0]])), [[0.0, -1000.0]])


def test_differential_on_random_inputs():
    """Before and after the pass agree on ordinary inputs (every rule at once)."""
    x = T.dvector("x")
    z = T.dmatrix("z")
    y = T.lvector("y")
    n = T.arange(y.shape[0])
    outs = [
        T.log(1 + x), T.exp(x) - 1, 1 / (1 + T.exp(-x)), T.exp(x) / (1 + T.exp(x)),
        T.log(nnet.sigmoid(x)), T.log(1 - nnet.sigmoid(x)), T.log1p(T.exp(x)),
        T.log(nnet.softmax(z)), T.log(T.sum(T.exp(z), axis=1)),
        nnet.categorical_crossentropy(nnet.softmax(z), y), 3.0 / (1 + T.exp(x)),
    ]
    g0, g1, stats = stabilized([x, z, y], outs)
    assert len(stats.fired) >= 8, stats.report()
    rng = np.random.default_rng(1)
    for _ in range(3):
        args = [rng.normal(size=5) * 3, rng.normal(size=(4, 3)) * 3, rng.integers(-3, 3, size=4)]
        for a, b in zip(run_function(g0, args), run_function(g1, args)):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_rules_that_must_not_fire():
    x = T.dvector("x")
    z = T.dmatrix("z")
    y = T.lvector("y")
    outs = [
        T.log(2 + x), T.exp(x) - 2, 2 / (1 + T.exp(x * 2) * 3), T.log(T.sum(T.exp(z) * 2)),
        T.log(T.nnet.softmax(z))[1:, 0], -T.log(nnet.softmax(z)[y, y]),
    ]
    _, _, stats = stabilized([x, z, y], outs)
    for name in ("log1p", "expm1", "sigmoid", "logsumexp", "crossentropy-softmax"):
        assert stats.fired[name] == 0, stats.report()


# ---------------------------------------------------------- the fused op


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows,classes", [(0, 3), (1, 1), (3, 4), (5, 2)])
def test_softmax_crossentropy_op(dtype, rows, classes):
    z = T.matrix("z", dtype=dtype)
    y = T.lvector("y")
    rng = np.random.default_rng(rows * 10 + classes)
    Z = (rng.normal(size=(rows, classes)) * 5).astype(dtype)
    Y = rng.integers(-classes, classes, size=rows)
    x64 = Z.astype(np.float64)
    m = x64.max(axis=1, keepdims=True) if rows else np.zeros((0, 1))
    want = (np.log(np.exp(x64 - m).sum(axis=1)) + m[:, 0] - x64[np.arange(rows), Y]).astype(dtype)
    for mode in MODES:
        f = tg.function([z, y], softmax_crossentropy(z, y), mode=mode)
        got = f(Z, Y)
        assert got.dtype == np.dtype(dtype) and got.shape == (rows,)
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6)


def test_softmax_crossentropy_grad():
    Y = np.array([1, 0, 2])
    tg.verify_grad(lambda z: softmax_crossentropy(z, T.constant(Y)).sum(), [np.random.default_rng(0).normal(size=(3, 3))])


@pytest.mark.parametrize("mode", MODES)
def test_softmax_crossentropy_errors(mode):
    z, y = T.dmatrix("z"), T.lvector("y")
    f = tg.function([z, y], softmax_crossentropy(z, y), mode=mode)
    with pytest.raises(IndexError, match="label"):
        f(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="labels"):
        f(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(VerifyException, match="logits must be a matrix"):
        SoftmaxCrossentropyOp(T.dvector("v").value, y.value).verify()


def test_crossentropy_rule_with_fewer_labels_than_rows_matches_numpy():
    """The NLL gather reads only the first len(y) rows: the fused op must too."""
    import tg
    from tg.tensor import nnet

    x = T.dmatrix("x")
    y = T.ivector("y")
    loss = -T.log(nnet.softmax(x)[T.arange(y.shape[0]), y])
    f = tg.function([x, y], [loss, tg.grad(loss.sum(), x)])
    assert "tg.softmax_crossentropy" in f.ir("optimized")
    X = np.random.default_rng(3).standard_normal((4, 3))
    Y = np.array([0, 2], "int32")
    p = np.exp(X - X.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    got, grad = f(X, Y)
    np.testing.assert_allclose(got, -np.log(p[[0, 1], [0, 2]]))
    want = np.zeros_like(X)
    want[:2] = p[:2]
    want[0, 0] -= 1
    want[1, 2] -= 1
    np.testing.assert_allclose(grad, want, atol=1e-12)
