"""tg-specialize: each rule fires (FileCheck shows the IR), results agree before
and after the pass, and rules that must not fire do not."""

from __future__ import annotations

import numpy as np

import tg
import tg.tensor as T
from tg.dialects.interpreter import find_function, run_function
from tg.passes.patterns import RewriteStats, apply_rules
from tg.passes.specialize import RULES
from tg.tensor import nnet


def specialized(inputs, outputs):
    before = tg.function(inputs, outputs, mode="FAST_COMPILE")._graph
    after = before.clone()
    stats = RewriteStats()
    apply_rules(find_function(after), RULES, stats)
    after.verify()
    return find_function(before), find_function(after), stats


def test_every_rule_fires_and_agrees():
    x = T.dvector("x")
    m = T.dmatrix("m")
    r = T.drow("r") if hasattr(T, "drow") else T.dimshuffle(T.dvector("r"), "x", 0)
    f32 = T.fvector("f")
    outs = [
        x ** 2, x ** 0.5, x ** -1, x * -1, -1 * x, f32 * np.float32(-1), f32 ** 2,
        T.sum(2 * m), T.sum(m * 3.0, axis=1), T.sum(T.dimshuffle(x, 0, "x") * m, axis=1),
        T.argmax(nnet.softmax(m), axis=1),
    ]
    inputs = [x, m, f32]
    g0, g1, stats = specialized(inputs, outs)
    for rule in ("pow-2-to-mul", "pow-half-to-sqrt", "pow-minus-1-to-reciprocal", "mul-minus-1-to-neg",
                 "sum-of-scaled", "argmax-of-softmax"):
        assert stats.fired[rule] >= 1, stats.report()
    assert stats.fired["sum-of-scaled"] == 3, stats.report()
    names = [o.name for o in g1.body.block.ops]
    assert "tg.pow" not in names
    rng = np.random.default_rng(0)
    for _ in range(3):
        args = [rng.uniform(0.1, 3, size=5), rng.normal(size=(5, 4)), rng.normal(size=3).astype(np.float32)]
        for a, b in zip(run_function(g0, args), run_function(g1, args)):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_rules_that_must_not_fire():
    x = T.dvector("x")
    m = T.dmatrix("m")
    outs = [
        x ** 3, x ** -0.5, x * -2, T.sum(m * T.dimshuffle(x, 0, "x"), axis=0),  # x varies along axis 0
        T.argmax(nnet.softmax(m), axis=0), T.sum(m * m),
    ]
    _, _, stats = specialized([x, m], outs)
    assert not stats.fired, stats.report()


def test_through_tg_function():
    x = T.dmatrix("x")
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        f = tg.function([x], [T.sum(2 * x ** 2, axis=1), T.argmax(nnet.softmax(x), axis=1)], mode=mode)
        X = np.array([[1.0, -2.0, 3.0], [1000.0, 0.0, 5.0]])
        s, a = f(X)
        np.testing.assert_allclose(s, np.sum(2 * X ** 2, axis=1))
        np.testing.assert_array_equal(a, [2, 0])
