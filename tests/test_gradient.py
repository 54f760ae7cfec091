"""tg.grad on the IR: every core op's gradient rule against finite differences
(compiled functions), and the grad API's Theano semantics."""

from __future__ import annotations

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.gradient import (
    DisconnectedInputError,
    GradientError,
    disconnected_grad,
    grad_clip,
    grad_scale,
    verify_grad,
    zero_grad,
)
from tg.tensor import nnet

rng = np.random.default_rng(42)


def pos(*shape):
    return rng.random(shape) + 0.5


def anyv(*shape):
    return rng.standard_normal(shape)


CORE_CASES = {
    "add": (lambda a, b: a + b, [anyv(3, 4), anyv(1, 4)]),
    "sub": (lambda a, b: a - b, [anyv(3, 4), anyv(3, 1)]),
    "mul": (lambda a, b: a * b, [anyv(3, 4), anyv(4)]),
    "div": (lambda a, b: a / b, [anyv(3), pos(3)]),
    "pow": (lambda a, b: a**b, [pos(3), anyv(3)]),
    "maximum": (T.maximum, [anyv(5), anyv(5)]),
    "minimum": (T.minimum, [anyv(5), anyv(5)]),
    "neg": (T.neg, [anyv(2, 3)]),
    "abs": (T.abs_, [anyv(6)]),
    "exp": (T.exp, [anyv(4)]),
    "log": (T.log, [pos(4)]),
    "tanh": (T.tanh, [anyv(4)]),
    "sqrt": (T.sqrt, [pos(4)]),
    "sigmoid": (T.sigmoid, [anyv(4)]),
    "switch": (lambda a, b: T.switch(a > 0, a * 2, b), [anyv(5), anyv(5)]),
    "cast": (lambda a: T.cast(T.cast(a, "float32"), "float64") * 2, [anyv(3)]),
    "alloc": (lambda a: T.alloc(a, 3, 2), [anyv(2)]),
    "transpose": (lambda a: a.T * np.arange(6.0).reshape(3, 2), [anyv(2, 3)]),
    "dimshuffle": (lambda a: a.dimshuffle(1, "x", 0) * 2, [anyv(2, 3)]),
    "sum": (lambda a: a.sum(axis=0) * np.array([1.0, 2.0, 3.0]), [anyv(2, 3)]),
    "sum_keepdims": (lambda a: a.sum(axis=1, keepdims=True) * a, [anyv(2, 3)]),
    "mean": (lambda a: a.mean(axis=(0, 1)), [anyv(2, 3)]),
    "max": (lambda a: a.max(axis=1), [anyv(3, 4)]),
    "dot_mm": (T.dot, [anyv(2, 3), anyv(3, 4)]),
    "dot_mv": (T.dot, [anyv(2, 3), anyv(3)]),
    "dot_vm": (T.dot, [anyv(3), anyv(3, 4)]),
    "dot_vv": (T.dot, [anyv(3), anyv(3)]),
    "outer": (T.outer, [anyv(3), anyv(2)]),
    "softmax": (nnet.softmax, [anyv(3, 4)]),
    "logsoftmax": (nnet.logsoftmax, [anyv(3, 4)]),
    "relu": (lambda a: nnet.relu(a, 0.1), [anyv(6)]),
    "softplus": (T.softplus, [anyv(5) * 10]),
    "elu": (lambda a: nnet.elu(a, 0.7), [anyv(6)]),
    "binary_crossentropy": (lambda a: nnet.binary_crossentropy(T.sigmoid(a), np.array([0.0, 1.0, 0.3])), [anyv(3)]),
    "crossentropy_int_labels": (
        lambda a: nnet.categorical_crossentropy(nnet.softmax(a), T.constant(np.array([1, 0, 3], "int32"))),
        [anyv(3, 4)],
    ),
    "crossentropy_one_hot": (lambda a: nnet.categorical_crossentropy(nnet.softmax(a), np.eye(4)[[2, 1, 0]]), [anyv(3, 4)]),
    "composite": (lambda a, b: T.tanh(T.dot(a, b)).sum() * T.exp(b).mean(), [anyv(2, 3), anyv(3)]),
}


@pytest.mark.parametrize("name", sorted(CORE_CASES))
def test_verify_grad_core_ops(name):
    fn, point = CORE_CASES[name]
    # the float32 round trip of "cast" needs a wider step than float64 code
    eps = 1e-2 if name == "cast" else None
    verify_grad(fn, point, rng=np.random.default_rng(0), eps=eps, abs_tol=1e-3 if eps else None)


def test_verify_grad_detects_a_wrong_gradient():
    x = T.dvector()
    with pytest.raises(GradientError):
        # grad_scale changes the gradient but not the value: finite differences disagree
        verify_grad(lambda a: grad_scale(a, 2.0) * 3, [anyv(3)])
    assert x.ndim == 1


def test_grad_of_grad_and_hessian_vector_product():
    x = T.dvector("x")
    cost = T.sum(x**3)
    g = tg.grad(cost, x)
    h = tg.grad(g.sum(), x)
    f = tg.function([x], [g, h])
    gv, hv = f(np.array([1.0, 2.0]))
    np.testing.assert_allclose(gv, [3.0, 12.0])
    np.testing.assert_allclose(hv, [6.0, 12.0])


def test_lop_and_rop_against_numpy():
    W = T.dmatrix("W")
    v = T.dvector("v")
    u = T.dvector("u")
    y = T.tanh(T.dot(W, v))
    rop = tg.function([W, v, u], tg.Rop(y, v, u))
    lop = tg.function([W, v, u], tg.Lop(y, v, u))
    Wv, vv, uv = anyv(3, 4), anyv(4), anyv(4)
    J = (1 - np.tanh(Wv @ vv) ** 2)[:, None] * Wv
    np.testing.assert_allclose(rop(Wv, vv, uv), J @ uv, rtol=1e-10)
    u3 = anyv(3)
    np.testing.assert_allclose(lop(Wv, vv, u3), u3 @ J, rtol=1e-10)


def test_consider_constant_and_known_grads():
    x = T.dscalar("x")
    y = x * x
    g = tg.grad(y * x, x, consider_constant=[y])
    assert tg.function([x], g)(3.0) == 9.0
    h = T.dvector("h")
    out = T.tanh(h)
    g2 = tg.grad(None, h, known_grads={out: T.ones_like(out) * 2})
    np.testing.assert_allclose(tg.function([h], g2)([0.0, 1.0]), 2 * (1 - np.tanh([0.0, 1.0]) ** 2))


def test_disconnected_inputs_and_integers():
    x, y = T.dscalars("x", "y")
    with pytest.raises(DisconnectedInputError):
        tg.grad(x * 2, y)
    g = tg.grad(x * 2, [x, y], disconnected_inputs="ignore")
    assert tg.function([x, y], g, on_unused_input="ignore")(1.0, 1.0) == [2.0, 0.0]
    assert tg.grad(x * 2, y, disconnected_inputs="ignore", return_disconnected="None") is None
    with pytest.warns(UserWarning):
        tg.grad(x * 2, y, disconnected_inputs="warn")
    i = T.lscalar("i")
    gi = tg.grad(x * i, i)  # integer inputs get a zero gradient
    assert tg.function([x, i], gi, on_unused_input="ignore")(1.0, 3) == 0.0
    with pytest.raises(TypeError, match="scalar"):
        tg.grad(T.dvector("v"), x)


def test_gradient_hints():
    x = T.dvector("x")
    y = (zero_grad(x) * x).sum() + grad_clip(x * 10, -1, 1).sum() + grad_scale(x, 3).sum()
    value, g = tg.function([x], [y, tg.grad(y, x)])(np.array([1.0, 2.0]))
    assert value == 5.0 + 30.0 + 3.0
    np.testing.assert_allclose(g, [1.0 + 10 + 3, 2.0 + 10 + 3])
    g2 = tg.grad((disconnected_grad(x) * x).sum(), x)
    np.testing.assert_allclose(tg.function([x], g2)([1.0, 2.0]), [1.0, 2.0])


def test_gradients_see_saturated_sigmoid_stay_finite_with_the_stable_formulation():
    x = T.dvector("x")
    cost = nnet.softplus(x).sum()
    points = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    value, g = tg.function([x], [cost, tg.grad(cost, x)], mode="FAST_COMPILE")(points)
    np.testing.assert_allclose(g, 1 / (1 + np.exp(-points)), rtol=1e-10)
    assert np.isfinite(value)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_jacobian_and_hessian_against_numpy(mode):
    x = T.dvector("x")
    W = T.dmatrix("W")
    y = T.tanh(T.dot(W, x))
    J = tg.jacobian(y, x)
    H = tg.hessian(T.sum(T.exp(x) * x.sum()), x)
    f = tg.function([W, x], [J, H], mode=mode)
    Wv, xv = anyv(3, 4), anyv(4)
    Jv, Hv = f(Wv, xv)
    np.testing.assert_allclose(Jv, (1 - np.tanh(Wv @ xv) ** 2)[:, None] * Wv, rtol=1e-10)
    e = np.exp(xv)
    want = np.diag(e * xv.sum()) + e[:, None] + e[None, :]  # d2/dx2 of sum(exp(x)) * sum(x)
    np.testing.assert_allclose(Hv, want, rtol=1e-10)
    J0, _ = f(np.zeros((0, 4)), xv)
    assert J0.shape[0] == 0


def test_jacobian_of_a_matrix_expression_and_several_wrt():
    x = T.dvector("x")
    v = T.dvector("v")
    m = T.outer(x, v) * 2  # (n, k)
    Jx, Jv = tg.jacobian(m, [x, v])
    f = tg.function([x, v], [Jx, Jv])
    xv, vv = anyv(2), anyv(3)
    a, b = f(xv, vv)
    assert a.shape == (2, 3, 2) and b.shape == (2, 3, 3)
    np.testing.assert_allclose(a, 2 * np.eye(2)[:, None, :] * vv[None, :, None])
    np.testing.assert_allclose(b, 2 * xv[:, None, None] * np.eye(3)[None, :, :])


def test_grad_differentiates_the_stable_form_of_a_value():
    """exp(z)/(1+exp(z)) is differentiated as sigmoid(z): no inf/inf at saturation."""
    z = T.dvector("z")
    y = T.dvector("y")
    e = T.exp(z)
    p = e / (1 + e)
    cost = (-y * T.log(p) - (1 - y) * T.log(1 - p)).sum()
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        f = tg.function([z, y], [cost, tg.grad(cost, z)], mode=mode)
        zz = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
        yy = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
        c, g = f(zz, yy)
        assert np.isfinite(c)
        np.testing.assert_allclose(g, 0.5 * (1 + np.tanh(zz / 2)) - yy, atol=1e-12)
