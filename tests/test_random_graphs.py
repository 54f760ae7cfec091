"""Property tests: random graphs give the same results compiled, interpreted at the
graph stage and interpreted after the optimized stage's passes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tg
import tg.tensor as T
from tg.dialects.interpreter import run_module
from tg.pipeline import lower

UNARY = [T.exp, T.tanh, T.sigmoid, T.neg, T.abs_, lambda v: T.sqrt(T.abs_(v)), lambda v: T.log(1 + T.abs_(v))]
BINARY = [T.add, T.sub, T.mul, T.maximum, T.minimum, lambda a, b: a / (1 + b * b)]


@st.composite
def graphs(draw):
    """A recipe: a list of steps building values from a (rows, cols) matrix, a row
    vector and a column vector, in the spirit of a small Theano program."""
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("unary"), st.integers(0, len(UNARY) - 1), st.integers(0, 50)),
                st.tuples(st.just("binary"), st.integers(0, len(BINARY) - 1), st.integers(0, 50), st.integers(0, 50)),
                st.tuples(st.just("reduce"), st.sampled_from(["sum", "max", "mean"]), st.integers(0, 50), st.booleans()),
                st.tuples(st.just("transpose"), st.integers(0, 50)),
                st.tuples(st.just("switch"), st.integers(0, 50), st.integers(0, 50)),
            ),
            min_size=1,
            max_size=8,
        )
    )
    n_outputs = draw(st.integers(1, 3))
    return steps, n_outputs


def _build(recipe, m, r, c):
    steps, n_outputs = recipe
    values = [m, r, c, m * 2]
    for step in steps:
        pick = lambda i: values[i % len(values)]  # noqa: E731
        kind = step[0]
        if kind == "unary":
            values.append(UNARY[step[1]](pick(step[2])))
        elif kind == "binary":
            a, b = pick(step[2]), pick(step[3])
            if a.ndim != b.ndim:
                b = b.sum() if b.ndim else b
            values.append(BINARY[step[1]](a, b))
        elif kind == "reduce":
            v = pick(step[2])
            axis = None if v.ndim == 0 else v.ndim - 1
            values.append(getattr(v, step[1])(axis=axis, keepdims=step[3]))
        elif kind == "transpose":
            values.append(pick(step[1]).T)
        else:
            a = pick(step[1])
            values.append(T.switch(a > 0, a, pick(step[2]).sum() * 0.5))
    return values[-n_outputs:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 6), st.sampled_from(["float32", "float64"]))
def test_compiled_matches_interpreter(recipe, n, dtype):
    """Square inputs, so that transposed values combine with the others."""
    rows = cols = n
    m = T.matrix("m", dtype=dtype)
    r = T.row("r", dtype=dtype)
    c = T.col("c", dtype=dtype)
    outputs = _build(recipe, m, r, c)
    f = tg.function([m, r, c], outputs, on_unused_input="ignore")
    rng = np.random.default_rng(n)
    args = [
        rng.standard_normal((rows, cols)).astype(dtype),
        rng.standard_normal((1, cols)).astype(dtype),
        rng.standard_normal((rows, 1)).astype(dtype),
    ]
    compiled = f(*args)
    graph = run_module(f._graph, args)
    optimized = run_module(lower(f._graph.clone(), "graph", "optimized"), args)
    tol = 2e-4 if dtype == "float32" else 1e-10
    for got, want, opt in zip(compiled, graph, optimized):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
        # the optimized stage's rewrites may round differently (log1p for log(1 + x)...)
        np.testing.assert_allclose(opt, want, rtol=tol, atol=tol)
