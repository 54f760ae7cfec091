"""tg-merge: identical ops on identical operands and equal constants become one,
across the whole function (gradient graphs included); the IR computes the same."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import tg
import tg.tensor as T
from tg.dialects.interpreter import find_function, run_module
from tg.function import build_graph
from tg.passes.merge import TgMerge
from tg.pipeline import context


def graph(inputs, outputs) -> ModuleOp:
    module, _, _ = build_graph(list(inputs), [T.as_tensor_variable(o) for o in outputs])
    return module


def merged(module: ModuleOp) -> ModuleOp:
    after = module.clone()
    TgMerge().apply(context(), after)
    after.verify()
    return after


def names(module: ModuleOp) -> list[str]:
    return [o.name for o in find_function(module).body.block.ops]


def check_same(before: ModuleOp, after: ModuleOp, args) -> None:
    for w, g in zip(run_module(before, args), run_module(after, args), strict=True):
        assert w.dtype == g.dtype and w.shape == g.shape
        np.testing.assert_array_equal(w, g)


def test_identical_ops_and_constants() -> None:
    x, y = T.dvector("x"), T.dvector("y")
    before = graph([x, y], [T.exp(x * 2) + T.exp(x * 2), T.exp(x * 2) * (y + 2.0), T.exp(y * 2)])
    after = merged(before)
    assert names(after).count("tg.exp") == 2  # exp(x*2) once, exp(y*2)
    assert names(after).count("tg.constant") == 1  # every 2.0 is one constant
    assert len(names(after)) < len(names(before))
    rng = np.random.default_rng(0)
    check_same(before, after, [rng.standard_normal(4), rng.standard_normal(4)])


def test_different_ops_stay() -> None:
    a = T.dmatrix("a")
    before = graph([a], [T.sum(a, axis=0), T.sum(a, axis=1), a < 1, a <= 1, a * 2, a * 3, T.cast(a, "float32"), T.cast(a, "int32")])
    after = merged(before)
    for name, count in (("tg.sum", 2), ("tg.cmp", 2), ("tg.mul", 2), ("tg.cast", 2)):
        assert names(after).count(name) == count, (name, after)
    check_same(before, after, [np.arange(6.0).reshape(2, 3)])


def test_gradient_graph() -> None:
    """A gradient repeats the forward graph's subexpressions (and its own): merge
    makes each one op, and the gradient stays right."""
    x = T.dvector("x")
    cost = T.sum(T.sigmoid(x * 3) * T.sigmoid(x * 3)) + T.sum(T.exp(x * 3))
    g = tg.grad(cost, x)
    before = graph([x], [cost, g])
    after = merged(before)
    counts_before, counts_after = names(before), names(after)
    assert counts_after.count("tg.sigmoid") == 1 and counts_after.count("tg.exp") == 1, after
    assert len(counts_after) < len(counts_before)
    # no two ops left that are the same op on the same operands
    seen = set()
    for o in find_function(after).body.block.ops:
        key = (o.name, tuple(o.operands), str(o.properties), str(o.attributes), tuple(str(t) for t in o.result_types))
        assert key not in seen or o.name == "func.return", o
        seen.add(key)
    v = np.array([0.5, -1.0, 2.0])
    check_same(before, after, [v])
    s = 1 / (1 + np.exp(-3 * v))
    np.testing.assert_allclose(run_module(after, [v])[1], 6 * s * s * (1 - s) + 3 * np.exp(3 * v), rtol=1e-12)


def test_default_pipeline_merges() -> None:
    x = T.dvector("x")
    f = tg.function([x], [T.tanh(x) + 1, T.tanh(x) + 1])
    text = f.ir("optimized")
    assert text.count("tg.tanh") == 1 and text.count("tg.add") == 1, text
    r = f(np.array([0.0, 1.0]))
    np.testing.assert_allclose(r[0], np.tanh([0.0, 1.0]) + 1)
    np.testing.assert_allclose(r[1], r[0])
