"""Kernels (tg-fuse) and buffers (tg-bufferize) change how values are computed and
stored, never what they are.

Differential tests: the interpreter gives the same results on the optimized IR and
on the fused IR (it runs each tg.fusion body), with fusion on and off; compiled
functions, with fusion on and off, agree with numpy; in-place writes never touch
the caller's arrays, read through a view or not.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tg
import tg.tensor as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_random_graphs import _build, graphs
from tg.dialects.interpreter import find_function, run_module
from tg.dialects.tg_kernel import MAX_KERNEL_OPERANDS, FusionOp
from tg.passes.fuse import is_free
from tg.pipeline import lower
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

ROWS, COLS = 5, 7
SIDE = 6
N_WIDE = 35


def _fused(optimized: ModuleOp, fusion: bool) -> ModuleOp:
    with tg.config.change_flags(fusion=fusion):
        return lower(optimized.clone(), "optimized", "fused")


def _kernels(module: ModuleOp) -> list[FusionOp]:
    return [op for op in find_function(module).body.block.ops if isinstance(op, FusionOp)]


def _check_fused_level(fused: ModuleOp, fusion: bool) -> None:
    """Only kernels and non-splat constants remain outside kernels; each kernel reads
    at most MAX_KERNEL_OPERANDS values; without fusion, one kernel per computing op."""
    fused.verify()
    block = find_function(fused).body.block
    for op in block.ops:
        assert isinstance(op, FusionOp | func.ReturnOp) or op.name == "tg.constant", f"{op.name} outside a kernel"
    kernels = _kernels(fused)
    assert all(len(k.inputs) <= MAX_KERNEL_OPERANDS for k in kernels)
    if not fusion:
        for k in kernels:
            computing = [op for op in k.body.block.ops if not is_free(op) and op is not k.body.block.last_op]
            assert len(computing) <= 1, [op.name for op in k.body.block.ops]


def _interpreted_agree(f: Any, args: list[np.ndarray]) -> list[np.ndarray]:
    """The optimized IR's results, after checking that the fused IR (fusion on and
    off) gives exactly the same."""
    optimized = lower(f._graph.clone(), "graph", "optimized")
    want = run_module(optimized, args)
    for fusion in (True, False):
        fused = _fused(optimized, fusion)
        _check_fused_level(fused, fusion)
        got = run_module(fused, args)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_array_equal(g, w, err_msg=f"fusion={fusion}")
    return want


def _close(got: Any, want: Any, what: str) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    tol = 2e-5 if got.dtype == np.float32 else 1e-11
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)


# -------------------------------------------------------- hand-written graphs


def _x(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-2, 2, (ROWS, COLS))


def _softmax(x: Any, lib: Any) -> Any:
    e = lib.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _wide_np(*xs: np.ndarray) -> np.ndarray:
    acc = xs[0]
    for i, v in enumerate(xs[1:]):
        acc = acc + v if i % 3 else acc * 0.5 + np.tanh(v)
    return acc


def _wide_tg(*xs: Any) -> Any:
    acc = xs[0]
    for i, v in enumerate(xs[1:]):
        acc = acc + v if i % 3 else acc * 0.5 + T.tanh(v)
    return acc


Case = tuple[str, Callable[[], list[Any]], Callable[..., Any], Callable[..., list[Any]], Callable[[np.random.Generator], list[np.ndarray]]]
"""(name, symbolic inputs, tg outputs of the inputs, numpy outputs of the arrays, arrays)."""

CASES: list[Case] = [
    (
        "diamond",
        lambda: [T.dmatrix("x")],
        lambda x: [T.exp(T.sqrt(abs(x))) - T.sqrt(abs(x)) * 2],
        lambda x: [np.exp(np.sqrt(np.abs(x))) - np.sqrt(np.abs(x)) * 2],
        lambda rng: [_x(rng)],
    ),
    (
        "softmax",
        lambda: [T.dmatrix("x")],
        lambda x: [_softmax(x, T)],
        lambda x: [_softmax(x, np)],
        lambda rng: [_x(rng) * 10],
    ),
    (
        "logsumexp",
        lambda: [T.dmatrix("x")],
        lambda x: [T.log(T.exp(x - x.max(axis=1, keepdims=True)).sum(axis=1)) + x.max(axis=1)],
        lambda x: [np.log(np.exp(x - x.max(axis=1, keepdims=True)).sum(axis=1)) + x.max(axis=1)],
        lambda rng: [_x(rng) * 30],
    ),
    (
        "column_logsumexp",
        lambda: [T.dmatrix("x")],
        lambda x: [T.log(T.exp(x).sum(axis=0))],
        lambda x: [np.log(np.exp(x).sum(axis=0))],
        lambda rng: [_x(rng)],
    ),
    (
        "wide",
        lambda: [T.dvector(f"x{i}") for i in range(N_WIDE)],
        lambda *xs: [_wide_tg(*xs)],
        lambda *xs: [_wide_np(*xs)],
        lambda rng: [rng.uniform(-1, 1, COLS) for _ in range(N_WIDE)],
    ),
    (
        "broadcasting",
        lambda: [T.dmatrix("x"), T.drow("r"), T.dcol("c")],
        lambda x, r, c: [T.tanh(x + r) * c, T.exp(c) + x, T.exp(c) * r],
        lambda x, r, c: [np.tanh(x + r) * c, np.exp(c) + x, np.exp(c) * r],
        lambda rng: [_x(rng), rng.uniform(-1, 1, (1, COLS)), rng.uniform(-1, 1, (ROWS, 1))],
    ),
    (
        "returned_and_reduced",
        lambda: [T.dmatrix("x")],
        lambda x: [T.exp(x), T.exp(x).sum(axis=1), T.exp(x).max(axis=1)],
        lambda x: [np.exp(x), np.exp(x).sum(axis=1), np.exp(x).max(axis=1)],
        lambda rng: [_x(rng)],
    ),
    (
        "not_convex",
        lambda: [T.dmatrix("x")],
        lambda x: [T.tanh(x) + T.dot(T.tanh(x), T.tanh(x).T).sum(axis=1, keepdims=True)],
        lambda x: [np.tanh(x) + np.dot(np.tanh(x), np.tanh(x).T).sum(axis=1, keepdims=True)],
        lambda rng: [_x(rng)],
    ),
    (
        "centered",
        lambda: [T.fmatrix("x")],
        lambda x: [(x - x.mean()) / T.sqrt(((x - x.mean()) ** 2).mean(axis=0) + 1e-3)],
        lambda x: [(x - x.mean()) / np.sqrt(((x - x.mean()) ** 2).mean(axis=0) + np.float32(1e-3))],
        lambda rng: [_x(rng).astype(np.float32)],
    ),
    (
        "chain_of_ten",
        lambda: [T.dmatrix("x")],
        lambda x: [T.log(T.sigmoid(T.sqrt(abs(T.tanh(-T.exp(x)))) + x) ** 2) - x],
        lambda x: [np.log(1 / (1 + np.exp(-(np.sqrt(np.abs(np.tanh(-np.exp(x)))) + x))) ** 2) - x],
        lambda rng: [_x(rng)],
    ),
]
CASE_IDS = [c[0] for c in CASES]

VIEW_CASES: list[Case] = [
    (
        "side_output_through_transpose",
        lambda: [T.dmatrix("x"), T.dmatrix("y")],
        lambda x, y: [T.sqrt(T.exp(x)).T + 1, T.dot(T.exp(x), y)],
        lambda x, y: [np.sqrt(np.exp(x)).T + 1, np.exp(x) @ y],
        lambda rng: [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3, 2))],
    ),
    (
        "reduction_side_output_through_transpose",
        lambda: [T.dmatrix("x"), T.dmatrix("y")],
        lambda x, y: [T.sqrt(T.exp(x)).T.sum(axis=1), T.dot(T.exp(x), y)],
        lambda x, y: [np.sqrt(np.exp(x)).T.sum(axis=1), np.exp(x) @ y],
        lambda rng: [rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3, 2))],
    ),
]
"""Non-square values read through a transpose by a kernel that another kernel's output
could join."""


@pytest.mark.parametrize(("name", "inputs", "build", "reference", "arrays"), CASES + VIEW_CASES,
                         ids=CASE_IDS + [c[0] for c in VIEW_CASES])
def test_fused_ir_interprets_like_the_optimized_ir(name, inputs, build, reference, arrays):
    xs = inputs()
    f = tg.function(xs, build(*xs), mode="FAST_COMPILE")
    args = arrays(np.random.default_rng(0))
    for got, want in zip(_interpreted_agree(f, args), reference(*args)):
        _close(got, want, name)


def _compiled_params() -> list[Any]:
    """Every case with fusion on and off; the view cases only without fusion (with it,
    they write out of bounds: see test_outputs_joined_through_a_view)."""
    return [
        pytest.param(*case, fusion, id=f"{case[0]}-{'fused' if fusion else 'unfused'}")
        for case in CASES + VIEW_CASES
        for fusion in (True, False)
        if not (fusion and case in VIEW_CASES)
    ]


@pytest.mark.parametrize(("name", "inputs", "build", "reference", "arrays", "fusion"), _compiled_params())
def test_compiled_matches_numpy(name, inputs, build, reference, arrays, fusion):
    xs = inputs()
    with tg.config.change_flags(fusion=fusion):
        f = tg.function(xs, build(*xs))
    for seed in (1, 2):
        args = arrays(np.random.default_rng(seed))
        copies = [a.copy() for a in args]
        got = f(*args)
        for g, w in zip(got, reference(*args)):
            _close(g, w, f"{name}, fusion={fusion}")
        for a, c in zip(args, copies):
            np.testing.assert_array_equal(a, c, err_msg=f"{name}: an input was written")


def test_outputs_joined_through_a_view():
    """The view cases compiled with fusion, in a child process: the bug writes out of
    bounds, which may abort the process."""
    script = textwrap.dedent(
        """
        import numpy as np, tg, tg.tensor as T
        x, y = T.dmatrix("x"), T.dmatrix("y")
        a, b = np.arange(6.0).reshape(2, 3) / 6, np.ones((3, 2))
        f = tg.function([x, y], [T.sqrt(T.exp(x)).T + 1, T.dot(T.exp(x), y)])
        r, d = f(a, b)
        assert np.allclose(r, np.sqrt(np.exp(a)).T + 1) and np.allclose(d, np.exp(a) @ b)
        g = tg.function([x, y], [T.sqrt(T.exp(x)).T.sum(axis=1), T.dot(T.exp(x), y)])
        s, d = g(a, b)
        assert np.allclose(s, np.sqrt(np.exp(a)).T.sum(axis=1)) and np.allclose(d, np.exp(a) @ b)
        """
    )
    child = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]


def test_epilogue_on_a_result_with_a_static_one():
    r = T.drow("r")
    f = tg.function([r], T.exp(r.sum(axis=1)))
    a = np.random.default_rng(7).uniform(-1, 1, (1, COLS))
    _close(f(a), np.exp(a.sum(axis=1)), "exp(sum)")


def test_row_max_of_values_with_a_broadcast_scalar():
    m, s = T.dmatrix("m"), T.dscalar("s")
    f = tg.function([m, s], [(m + s).max(axis=1), (m - s).min(axis=1)])
    a = np.random.default_rng(8).uniform(-1, 1, (3, 20))
    hi, lo = f(a, 0.5)
    _close(hi, (a + 0.5).max(axis=1), "max")
    _close(lo, (a - 0.5).min(axis=1), "min")


def test_fusion_flag_changes_the_kernels():
    """fusion=False compiles one kernel per op (softmax: five instead of three)."""
    x = T.dmatrix("x")
    outputs = [_softmax(x, T)]
    counts = {}
    for fusion in (True, False):
        with tg.config.change_flags(fusion=fusion):
            f = tg.function([x], outputs)
        counts[fusion] = f.ir("fused").count("tg.fusion(")
    assert counts[True] == 3  # max; exp(x - max) with its sum; the division
    assert counts[False] == 5  # max, sub, exp, sum, div


def test_wide_kernel_is_split():
    xs = [T.dvector(f"x{i}") for i in range(N_WIDE)]
    f = tg.function(xs, _wide_tg(*xs), mode="FAST_COMPILE")
    fused = _fused(lower(f._graph.clone(), "graph", "optimized"), True)
    kernels = _kernels(fused)
    assert len(kernels) >= 2
    assert max(len(k.inputs) for k in kernels) <= MAX_KERNEL_OPERANDS


def test_static_peak_bytes():
    """A chain of float64 4x4 products: two 128-byte buffers live at once."""
    x = T.TensorType("float64", shape=(4, 4))("x")
    y = T.dot(T.dot(T.dot(T.dot(x, x), x), x), x)
    f = tg.function([x], y)
    assert f.buffer_plan == {"buffers": 2, "peak_bytes": 256}
    a = np.random.default_rng(4).uniform(-1, 1, (4, 4))
    _close(f(a), a @ a @ a @ a @ a, "dots")


@pytest.mark.parametrize("fusion", [True, False], ids=["fused", "unfused"])
def test_shared_update_and_reads_of_the_old_value(fusion):
    """w <- w - 0.1 (w - t), and outputs reading both the old and the new value (so
    their kernels run after the update's): in place or not, every read of w sees the
    old value and w ends up updated."""
    w = tg.shared(np.linspace(-1, 1, COLS), name="w")
    t = T.dvector("t")
    new = w - 0.1 * (w - t)
    with tg.config.change_flags(fusion=fusion):
        f = tg.function([t], [T.dot(w, new), T.exp(w) + new], updates=[(w, new)])
    target = np.random.default_rng(5).uniform(-1, 1, COLS)
    value = np.linspace(-1, 1, COLS)
    for _ in range(3):
        updated = value - 0.1 * (value - target)
        d, e = f(target)
        _close(d, np.dot(value, updated), "dot")
        _close(e, np.exp(value) + updated, "exp")
        value = updated
        _close(w.get_value(), value, "update")


# ------------------------------------------------------------ random graphs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 5))
def test_random_graphs_interpret_alike_fused(recipe, n):
    m, r, c = T.dmatrix("m"), T.drow("r"), T.dcol("c")
    f = tg.function([m, r, c], _build(recipe, m, r, c), mode="FAST_COMPILE", on_unused_input="ignore")
    rng = np.random.default_rng(n)
    _interpreted_agree(f, [rng.standard_normal((n, n)), rng.standard_normal((1, n)), rng.standard_normal((n, 1))])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 5), st.booleans())
def test_random_graphs_compiled_with_and_without_fusion(recipe, n, fusion):
    m, r, c = T.dmatrix("m"), T.drow("r"), T.dcol("c")
    outputs = _build(recipe, m, r, c)
    with tg.config.change_flags(fusion=fusion):
        f = tg.function([m, r, c], outputs, on_unused_input="ignore")
    rng = np.random.default_rng(n)
    args = [rng.standard_normal((n, n)), rng.standard_normal((1, n)), rng.standard_normal((n, 1))]
    copies = [a.copy() for a in args]
    want = run_module(lower(f._graph.clone(), "graph", "optimized"), args)
    for got, w in zip(f(*args), want):
        _close(got, w, f"fusion={fusion}")
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)


# -------------------------------------------------------------------- views

VIEWS: list[tuple[str, Callable[[Any], Any], Callable[[np.ndarray], np.ndarray]]] = [
    ("T", lambda x: x.T, lambda a: a.T),
    ("dimshuffle", lambda x: x.dimshuffle(1, "x", 0), lambda a: a.T[:, None, :]),
    ("reshape", lambda x: x.reshape((x.shape[1] // 2, x.shape[0] * 2)), lambda a: a.reshape(a.shape[1] // 2, -1)),
    ("flatten", lambda x: x.flatten(), lambda a: a.ravel()),
    ("reversed", lambda x: x[::-1], lambda a: a[::-1]),
    ("reversed_columns", lambda x: x[:, ::-1], lambda a: a[:, ::-1]),
    ("strided", lambda x: x[1::2, ::3], lambda a: a[1::2, ::3]),
    ("row", lambda x: x[2], lambda a: a[2]),
    ("column", lambda x: x[:, -1], lambda a: a[:, -1]),
]
VIEW_IDS = [v[0] for v in VIEWS]


def _through_view(x: Any, view: Callable[[Any], Any], lib: Any) -> list[Any]:
    """Intermediates read through a view where their source dies (candidates for
    writing in place), each read by two reductions so that it is stored."""
    tanh, exp = (np.tanh, np.exp) if lib is np else (T.tanh, T.exp)
    z = exp(view(x)) * 2 + view(x)
    v = view(tanh(x) * 3) - 1
    return [(z * z).sum(), z.max(), (v * v).sum(), v.min(), v * 2]


@pytest.mark.parametrize("fusion", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize(("name", "view", "np_view"), VIEWS, ids=VIEW_IDS)
def test_views_of_dying_values(name, view, np_view, fusion):
    """The same graph on an input lent for destruction (In(mutable=True)) and on a
    plain one, both square with static sizes (a transposed or reversed value has the
    shape of its source, so only the kernel's reads tell in-place writes apart):
    results are right, and the plain input is unchanged."""
    square = T.TensorType("float64", shape=(SIDE, SIDE))
    x, y = square("x"), square("y")
    with tg.config.change_flags(fusion=fusion):
        f = tg.function([tg.In(x, borrow=True, mutable=True), y], _through_view(x, view, T) + _through_view(y, view, T))
    rng = np.random.default_rng(6)
    a, b = rng.uniform(-1, 1, (SIDE, SIDE)), rng.uniform(-1, 1, (SIDE, SIDE))
    want = _through_view(a, np_view, np) + _through_view(b, np_view, np)
    b0 = b.copy()
    for k, (got, w) in enumerate(zip(f(a.copy(), b), want)):
        _close(got, w, f"{name}: output {k}")
    np.testing.assert_array_equal(b, b0, err_msg=f"{name}: the input was written")
