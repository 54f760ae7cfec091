"""The buffer plan and in-place decisions of compiled functions (issue 5, items 2-3),
seen through the public API: `f.buffer_plan`, shared-variable storage, inputs."""

from __future__ import annotations

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.variable import TensorType


def _chain(x, n=10):
    y = x
    for i in range(n):
        y = T.exp(y * 0.01) if i % 3 == 0 else y * 1.5 + 1
    return y


def _chain_numpy(a, n=10):
    y = a
    for i in range(n):
        y = np.exp(y * np.float32(0.01)) if i % 3 == 0 else y * np.float32(1.5) + np.float32(1)
    return y


def test_ten_elementwise_ops_unfused_need_at_most_two_buffers():
    x = TensorType("float32", shape=(1000,))("x")
    a = np.random.default_rng(0).random(1000, dtype=np.float32)
    with tg.config.change_flags(fusion=False):
        f = tg.function([x], _chain(x))
    assert f.ir("fused").count("tg.fusion(") >= 10
    plan = f.buffer_plan
    assert 1 <= plan["buffers"] <= 2, plan
    assert plan["peak_bytes"] is not None and plan["peak_bytes"] <= 2 * 4000
    np.testing.assert_allclose(f(a), _chain_numpy(a), rtol=1e-5)
    fused = tg.function([x], _chain(x))
    assert fused.ir("fused").count("tg.fusion(") == 1
    assert fused.buffer_plan == {"buffers": 0, "peak_bytes": 0}
    np.testing.assert_allclose(fused(a), _chain_numpy(a), rtol=1e-5)


def test_dynamic_sizes_have_no_static_peak():
    x = T.fvector("x")
    with tg.config.change_flags(fusion=False):
        f = tg.function([x], _chain(x, 4))
    assert f.buffer_plan["peak_bytes"] is None and f.buffer_plan["buffers"] >= 1


def test_sgd_update_writes_into_the_shared_storage():
    rng = np.random.default_rng(1)
    W = tg.shared(rng.normal(size=(784, 500)).astype("float32"), name="W")
    g = T.fmatrix("g")
    f = tg.function([g], [], updates=[(W, W - 0.1 * (g + 1e-4 * W))])
    assert "tg.inplace_updates" in f.ir("buffers")
    assert f.buffer_plan["buffers"] == 0
    storage = W.get_value(borrow=True)
    before = storage.copy()
    gv = rng.normal(size=(784, 500)).astype("float32")
    f(gv)
    assert W.get_value(borrow=True) is storage  # updated where it lives
    np.testing.assert_allclose(storage, before - np.float32(0.1) * (gv + np.float32(1e-4) * before), rtol=1e-5)


def test_no_in_place_update_when_the_old_value_is_read_later():
    rng = np.random.default_rng(2)
    W = tg.shared(rng.normal(size=(5, 4)), name="W")
    x = T.dmatrix("x")
    # the output reads the old W after the update's kernel could have run
    f = tg.function([x], T.dot(x, W), updates=[(W, W * 2)])
    w0 = W.get_value()
    xv = rng.normal(size=(3, 5))
    np.testing.assert_allclose(f(xv), xv @ w0)
    np.testing.assert_allclose(W.get_value(), w0 * 2)


def test_failed_check_after_an_update_leaves_the_shared_variable_unchanged():
    W = tg.shared(np.arange(6.0), name="W")
    idx = T.lvector("idx")
    f = tg.function([idx], W[idx * 2].sum(), updates=[(W, W + 1)])
    # in place only when the checking kernel runs first (then a failed check skips it)
    assert f(np.array([0, 1])) == 0.0 + 2.0
    kept = W.get_value()
    with pytest.raises(IndexError):
        f(np.array([5]))
    np.testing.assert_array_equal(W.get_value(), kept)


def test_failed_check_before_an_in_place_update_skips_it():
    W = tg.shared(np.arange(6.0), name="W")
    idx = T.lvector("idx")
    picked = W[idx * 2]  # checked in generated code (computed indices)
    f = tg.function([idx], [], updates=[(W, W + picked.sum())])
    f(np.array([0, 1]))
    np.testing.assert_array_equal(W.get_value(), np.arange(6.0) + 2.0)
    kept = W.get_value()
    with pytest.raises(IndexError):
        f(np.array([7]))
    np.testing.assert_array_equal(W.get_value(), kept)


def test_the_callers_array_passed_as_an_input_and_as_shared_storage_is_not_written():
    W = tg.shared(np.ones(4), name="W")
    x = T.dvector("x")
    f = tg.function([x], x.sum(), updates=[(W, W * 3 + x)])
    mine = W.get_value(borrow=True)
    snapshot = mine.copy()
    assert f(mine) == snapshot.sum()
    np.testing.assert_array_equal(mine, snapshot)
    np.testing.assert_array_equal(W.get_value(), snapshot * 3 + snapshot)


def test_lent_mutable_input_may_be_destroyed_and_result_is_right():
    x = TensorType("float64", shape=(6,))("x")
    y = T.exp(x) * 2
    f = tg.function([tg.In(x, borrow=True, mutable=True)], (y + 1) * y)
    assert "tg.mutable" in f.ir("graph")
    a = np.linspace(0, 1, 6)
    expected = (np.exp(a) * 2 + 1) * (np.exp(a) * 2)
    np.testing.assert_allclose(f(a.copy()), expected)
