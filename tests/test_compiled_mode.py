"""The default mode (FAST_RUN) runs machine code only: no interpreter fallback, IR at
every stage, dynamic shapes, any input layout, inputs left untouched."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xdsl.parser import Parser

import tg
import tg.dialects.interpreter
import tg.runtime.stage
import tg.runtime.function
import tg.tensor as T
from tg.pipeline import STAGES, TEXT_STAGES, context
from tg_testutil import assert_result, np_cast, rand


@pytest.fixture
def no_interpreter(monkeypatch):
    """Make any use of the numpy interpreter fail loudly."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the default mode fell back to the numpy interpreter")

    monkeypatch.setattr(tg.dialects.interpreter, "run_function", forbidden)
    monkeypatch.setattr(tg.dialects.interpreter, "run_module", forbidden)
    monkeypatch.setattr(tg.runtime.stage, "run_function", forbidden)


def _every_op_program():
    """Outputs using every frontend function (and so every tg op), and numpy's results."""
    x, y = T.fmatrix("x"), T.fmatrix("y")
    d = T.dvector("d")
    i = T.ivector("i")
    r = T.frow("r")
    bl = T.vector("bl", dtype="bool")
    W = tg.shared(np.array([0.5, -1.5, 2.0]), "W")
    outs = [
        x + y, x - y, x * y, x / y, abs(x) ** y, T.maximum(x, y), T.minimum(x, r), -x, abs(i), T.neg(i),
        T.exp(x), T.log(abs(x)), T.tanh(x), T.sqrt(abs(x)), T.sigmoid(x),
        T.eq(x, y), T.neq(i, 2), T.lt(x, r), T.le(d, 0.0), T.gt(i, i * 2), T.ge(x, 0.5),
        T.switch(T.gt(x, y), x, r), T.switch(bl, i, -i), T.where(i, d, W),
        T.cast(x, "int32"), T.cast(i, "float64"), T.cast(d, "int8"), T.cast(bl, "float32"), T.cast(i, "bool"),
        T.alloc(d.sum(), 2, d.shape[0]), x.dimshuffle(1, "x", 0), r.dimshuffle(1), x.T, i.dimshuffle("x", 0).T,
        x.sum(), x.sum(axis=0), x.mean(axis=1, keepdims=True), x.max(axis=-1), i.sum(), i.max(), d.mean(),
        T.dot(x, y.T), T.dot(d, W), T.dot(x, r.dimshuffle(1)), T.dot(r.dimshuffle(1), x.T), T.dot(i, i),
        (x * W.astype("float32").dimshuffle("x", 0)).sum(axis=1), x.shape[0] * 2 + d.shape[0],
        T.softplus(x), tg.gradient.zero_grad(x) + tg.gradient.grad_clip(x, -1.0, 1.0),
        T.assert_op(x, T.ge(x.shape[0], 0), "never fails"),
    ]

    def expected(xv, yv, dv, iv, rv, bv):
        Wv = W.get_value()
        f32 = np.float32
        return [
            xv + yv, xv - yv, xv * yv, xv / yv, np.abs(xv) ** yv, np.maximum(xv, yv), np.minimum(xv, rv), -xv,
            np.abs(iv), -iv,
            np.exp(xv), np.log(np.abs(xv)), np.tanh(xv), np.sqrt(np.abs(xv)), f32(1) / (f32(1) + np.exp(-xv)),
            xv == yv, iv != 2, xv < rv, dv <= 0.0, iv > iv * 2, xv >= 0.5,
            np.where(xv > yv, xv, rv), np.where(bv, iv, -iv), np.where(iv != 0, dv, Wv),
            np_cast(xv, "int32"), iv.astype("float64"), np_cast(dv, "int8"), bv.astype("float32"), iv != 0,
            np.broadcast_to(dv.sum(), (2, len(dv))), xv.T[:, None, :], rv[0], xv.T, iv[None, :].T,
            xv.sum(), xv.sum(axis=0), xv.mean(axis=1, keepdims=True), xv.max(axis=-1), iv.sum(dtype="int64"),
            iv.max(), dv.mean(),
            xv @ yv.T, dv @ Wv, xv @ rv[0], rv[0] @ xv.T, np.dot(iv, iv),
            (xv * Wv.astype("float32")[None, :]).sum(axis=1), np.asarray(xv.shape[0] * 2 + len(dv), "int64"),
            np.logaddexp(f32(0), xv), xv + xv, xv,
        ]

    return [x, y, d, i, r, bl], outs, expected


def _every_op_args(rng, rows):
    return [rand((rows, 3), "float32", rng), rand((rows, 3), "float32", rng), rand((3,), "float64", rng) * 100,
            rand((3,), "int32", rng, -5, 5), rand((1, 3), "float32", rng), rand((3,), "bool", rng)]


def test_default_mode_never_uses_the_interpreter(no_interpreter):
    rng = np.random.default_rng(0)
    inputs, outs, expected = _every_op_program()
    f = tg.function(inputs, outs)
    assert f.mode == "FAST_RUN" and all(stage.kernel is not None for stage in f._stages)
    for rows in (4, 1, 0):
        args = _every_op_args(rng, rows)
        got = f(*args)
        with np.errstate(all="ignore"):
            want = expected(*args)
        assert len(got) == len(want)
        for k, (g, w) in enumerate(zip(got, want)):
            assert_result(g, w, atol=1e-5, what=f"output {k}: {outs[k]!r}")
    with pytest.raises(AssertionError, match="interpreter"):
        tg.function(inputs, outs, mode="FAST_COMPILE")(*_every_op_args(rng, 2))


def test_every_tg_op_appears_in_the_program():
    from tg.dialects.tg import TG_OPS

    inputs, outs, _ = _every_op_program()
    graph = tg.function(inputs, outs, mode="FAST_COMPILE").ir("graph")
    for op in TG_OPS:
        assert f" {op.name} " in graph, op.name


def test_compiled_code_at_every_opt_level(monkeypatch, no_interpreter):
    rng = np.random.default_rng(1)
    x, m = T.dvector("x"), T.dmatrix("m")
    outs = [T.dot(m, x), T.tanh(m).sum(axis=0), (m * x).max(axis=1)]
    args = [rand((5,), "float64", rng), rand((4, 5), "float64", rng)]
    want = [args[1] @ args[0], np.tanh(args[1]).sum(axis=0), (args[1] * args[0]).max(axis=1)]
    for level in (0, 1, 2, 3):
        monkeypatch.setattr(tg.config, "opt_level", level)
        for g, w in zip(tg.function([x, m], outs)(*args), want):
            assert_result(g, w, atol=1e-12, what=f"opt_level={level}")


# ------------------------------------------------------------------------ IR stages


def _sample_function():
    x, m = T.fvector("x"), T.dmatrix("m")
    W = tg.shared(np.array([0.2, 0.7]), "W")
    c = np.array([True, False])
    outs = [(x * W).sum(), T.switch(c, x * 0.13, 1.5), T.dot(m, W), m.T.max(axis=0, keepdims=True),
            T.alloc(x.sum(), x.shape[0], 2), T.eq(x, 0.5), m.mean(), T.sigmoid(x) ** 2.5,
            T.constant(np.array([[1, 2], [3, 4]], "int16")) * 3]
    return tg.function([x, m], outs)


def test_ir_stages_are_text():
    f = _sample_function()
    assert list(STAGES) == ["graph", "optimized", "fused", "buffers", "loops", "llvm"] and TEXT_STAGES == ("llvmir",)
    graph = f.ir("graph")
    assert graph == f.ir() and "func.func @main" in graph and "tg.sum" in graph and "%x" in graph
    assert "tg." in f.ir("optimized")
    assert "tg.fusion(" in f.ir("fused") and "tg.compute" not in f.ir("fused")
    buffers = f.ir("buffers")
    assert "tg.compute ins(" in buffers and "memref<" in buffers and "tg.fusion(" not in buffers
    loops = f.ir("loops")
    assert "scf.for" in loops and "memref" in loops and "= tg." not in loops
    llvm = f.ir("llvm")
    assert "llvm.func @main" in llvm and "scf." not in llvm
    llvmir = f.ir("llvmir")
    assert re.search(r'define void @"?main"?\(', llvmir), llvmir[:300]
    assert "target triple" in llvmir
    for stage in ("graph", "optimized", "fused", "buffers", "loops", "llvm", "llvmir"):
        assert isinstance(f.ir(stage), str) and f.ir(stage) == f.ir(stage)  # deterministic
    x = T.dvector("x")
    interp = tg.function([x], x * 2, mode="FAST_COMPILE")
    assert "llvm.func" in interp.ir("llvm")


@pytest.mark.parametrize("stage", ["bogus", "", "LLVM", "tg"])
def test_unknown_stage_is_a_value_error(stage):
    x = T.dvector("x")
    f = tg.function([x], x * 2)
    with pytest.raises(ValueError, match="stage"):
        f.ir(stage)


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_text_round_trips_through_the_parser(stage):
    text = _sample_function().ir(stage)
    module = Parser(context(), text).parse_module()
    module.verify()
    assert str(module) == text


# -------------------------------------------------------------------- dynamic shapes


def test_one_compiled_function_serves_every_size(no_interpreter):
    rng = np.random.default_rng(2)
    x, m = T.dvector("x"), T.dmatrix("m")
    f = tg.function([x, m], [T.dot(m, x), (m * x).sum(axis=0), m.T + 1, x.mean()])
    for rows, cols in [(3, 4), (1, 1), (0, 5), (7, 0), (1, 200), (50, 3), (2, 2)]:
        xv, mv = rand((cols,), "float64", rng), rand((rows, cols), "float64", rng)
        got = f(xv, mv)
        with np.errstate(all="ignore"):
            want = [mv @ xv, (mv * xv).sum(axis=0), mv.T + 1, xv.mean() if cols else np.float64(np.nan)]
        for g, w in zip(got, want):
            assert_result(g, w, atol=1e-12, what=f"{rows}x{cols}")


_DYNAMIC = {}


def _dynamic_function():
    if not _DYNAMIC:
        t = T.ftensor3("t")
        _DYNAMIC["f"] = tg.function([t], [t.sum(axis=1), t.sum(axis=(0, 2)),
                                          t.dimshuffle(2, 0, 1) * 2, T.exp(t).mean(axis=-1, keepdims=True)])
    return _DYNAMIC["f"]


@settings(max_examples=30, deadline=None)
@given(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)), st.integers(0, 2**32 - 1))
def test_dynamic_shapes_property(shape, seed):
    f = _dynamic_function()
    a = rand(shape, "float32", np.random.default_rng(seed))
    got = f(a)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of empty slices
        want = [a.sum(axis=1), a.sum(axis=(0, 2)), a.transpose(2, 0, 1) * 2, np.exp(a).mean(axis=-1, keepdims=True)]
    for g, w in zip(got, want):
        assert_result(g, w, atol=1e-4, rtol=1e-5)


# ------------------------------------------------------------------ layouts, no writes


def _layouts(base: np.ndarray):
    """The same kind of data as views of every layout numpy offers."""
    big = np.concatenate([base, base], axis=0)
    yield "contiguous", base
    yield "step slice", big[::2]
    yield "negative step", base[::-1, ::-1]
    yield "transposed", np.ascontiguousarray(base.T).T
    yield "fortran", np.asfortranarray(base)
    yield "column slice", np.concatenate([base, base], axis=1)[:, 1::2]
    yield "broadcast view", np.broadcast_to(base[:1], base.shape)
    ro = base.copy()
    ro.flags.writeable = False
    yield "read-only", ro


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_non_contiguous_inputs(mode):
    rng = np.random.default_rng(3)
    m, v = T.dmatrix("m"), T.dvector("v")
    f = tg.function([m, v], [m * 2, m.sum(axis=0), T.dot(m, v), m.T, m.dimshuffle("x", 0, 1)],
                    mode=mode)
    base = rand((4, 3), "float64", rng)
    vec = np.arange(6.0)[::2]  # non-contiguous vector too
    for name, a in _layouts(base):
        before = np.array(a, copy=True)
        got = f(a, vec)
        want = [a * 2, a.sum(axis=0), a @ vec, a.T, a[None]]
        for g, w in zip(got, want):
            assert_result(g, w, atol=1e-12, what=name)
            assert g.flags.c_contiguous and g.flags.writeable
        np.testing.assert_array_equal(a, before, err_msg=f"{name}: the input was modified")


def test_non_contiguous_float32_and_int_inputs():
    rng = np.random.default_rng(4)
    x, i = T.fmatrix("x"), T.imatrix("i")
    f = tg.function([x, i], [x.T * i.T, (x + i).max(axis=1)])
    big = rand((6, 8), "float32", rng)
    ints = rand((8, 6), "int32", rng, -9, 9)
    a, b = big[::2, ::2], ints.T[::2, ::2]  # both (3, 4), neither contiguous
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    got = f(a, b)
    assert_result(got[0], a.T * b.T, atol=1e-6)
    assert_result(got[1], (a + b).max(axis=1), atol=1e-6)


def test_caller_arrays_are_never_modified():
    """Inputs shared with outputs' shapes, repeated arguments, shared variables and updates."""
    rng = np.random.default_rng(5)
    x, y = T.dvector("x"), T.dvector("y")
    W = tg.shared(rand((3,), "float64", rng), "W")
    f = tg.function([x, y], [x * 0, y + x, x, (x * W).sum()], updates=[(W, W * 2 + x)])
    a = rand((3,), "float64", rng)
    w_before = W.get_value()
    a_before = a.copy()
    got = f(a, a)  # the same array for both inputs
    np.testing.assert_array_equal(a, a_before)
    assert_result(got[1], a + a)
    assert_result(got[3], (a * w_before).sum(), atol=1e-12)
    assert_result(W.get_value(), w_before * 2 + a)
    inner = W.get_value(borrow=True)
    snapshot = inner.copy()
    f(inner, a)  # the shared variable's own array as an input
    np.testing.assert_array_equal(inner, snapshot)


# ------------------------------------------------------------------------ deep graphs


def _deep_chain(depth):
    x = T.dvector("x")
    y = x
    for _ in range(depth):
        y = T.tanh(y) * 0.9 + 0.05
    return x, y


def _deep_chain_numpy(a, depth):
    for _ in range(depth):
        a = np.tanh(a) * 0.9 + 0.05
    return a


def test_moderately_deep_graph_compiles():
    x, y = _deep_chain(60)  # 180 elementwise ops, fused into one loop
    a = np.linspace(-2, 2, 7)
    assert_result(tg.function([x], y)(a), _deep_chain_numpy(a, 60), rtol=1e-12)
    assert_result(tg.function([x], y, mode="FAST_COMPILE")(a), _deep_chain_numpy(a, 60), rtol=1e-12)


def test_deep_graph_compiles():
    x, y = _deep_chain(200)
    a = np.linspace(-2, 2, 7)
    assert_result(tg.function([x], y, mode="FAST_COMPILE")(a), _deep_chain_numpy(a, 200), rtol=1e-12)
    assert_result(tg.function([x], y)(a), _deep_chain_numpy(a, 200), rtol=1e-12)


def test_shape_memo_still_checks_new_sizes():
    """The shape program's results are kept for the last argument sizes (training
    loops); other sizes are checked again, and value-dependent shapes never kept."""
    W = tg.shared(np.ones((3, 2)), name="W")
    x = T.dmatrix("x")
    f = tg.function([x], T.dot(x, W).sum(), updates=[(W, W * 0.5)])
    assert f(np.ones((4, 3))) == 4 * 2 * 3
    with pytest.raises(ValueError):
        f(np.ones((4, 5)))
    assert f(np.ones((4, 3))) == 4 * 2 * 3 * 0.5
    n = T.lscalar("n")
    g = tg.function([x, n], x[:n].sum(axis=0))
    a = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(g(a, 2), a[:2].sum(axis=0))
    np.testing.assert_array_equal(g(a, 3), a[:3].sum(axis=0))  # same sizes, other value
