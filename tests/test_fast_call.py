"""The native entry point (tg.runtime.fast_call): same results as the Python path,
every uncommon call falls back to it with the usual errors, no reference leaks, and
`trust_input`."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

import tg
import tg.runtime.function as runtime_function
import tg.tensor as T
from tg.runtime import fast_call
from tg.runtime.function import Function


def is_native(f: Function) -> bool:
    return type(f).__call__ is not Function._call


class CountPython:
    """Counts the calls that went through the Python path (run_stages)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.calls = 0
        original = runtime_function.run_stages

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(runtime_function, "run_stages", counted)


@pytest.fixture
def python_calls(monkeypatch):
    return CountPython(monkeypatch)


def python_path(inputs, outputs, **kwargs) -> Function:
    """The same function without a native entry point."""
    saved, fast_call.ENABLED = fast_call.ENABLED, False
    try:
        f = tg.function(inputs, outputs, **kwargs)
    finally:
        fast_call.ENABLED = saved
    assert not is_native(f)
    return f


def same(got, expected) -> None:
    if isinstance(expected, list):
        assert type(got) is list and len(got) == len(expected)
        for g, e in zip(got, expected):
            same(g, e)
        return
    assert type(got) is np.ndarray and got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


rng = np.random.default_rng(0)

SIGNATURES = [
    ("two float64 scalars", lambda: ([T.dscalar("x"), T.dscalar("y")], lambda x, y: x * y + x), [1.5, 2.0]),
    ("0-d arrays", lambda: ([T.dscalar("x"), T.dscalar("y")], lambda x, y: x - y), [np.array(3.0), np.array(0.5)]),
    ("int64 scalars", lambda: ([T.lscalar("i"), T.lscalar("j")], lambda i, j: i * j + 1), [7, -3]),
    ("float32 scalar", lambda: ([T.fscalar("x")], lambda x: x * 2), [np.array(1.25, np.float32)]),
    ("three float32 vectors", lambda: ([T.fvector(n) for n in "abc"], lambda a, b, c: a * b + c),
     [rng.standard_normal(10).astype(np.float32) for _ in range(3)]),
    ("float64 matrices", lambda: ([T.dmatrix("m"), T.dmatrix("n")], lambda m, n: T.exp(m) - n),
     [rng.standard_normal((3, 4)), rng.standard_normal((3, 4))]),
    ("matrix and row", lambda: ([T.dmatrix("m"), T.drow("r")], lambda m, r: m * r),
     [rng.standard_normal((3, 4)), rng.standard_normal((1, 4))]),
    ("several outputs", lambda: ([T.fmatrix("m")], lambda m: [m.sum(axis=0), m.max(), m > 0]),
     [rng.standard_normal((5, 3)).astype(np.float32)]),
    ("int32 vector", lambda: ([T.ivector("v")], lambda v: v * 3 - 1), [np.arange(7, dtype=np.int32)]),
    ("mixed scalar and vector", lambda: ([T.dscalar("s"), T.dvector("v")], lambda s, v: [(s * v).sum(), v + s]),
     [0.5, rng.standard_normal(6)]),
    ("reduction to 0-d", lambda: ([T.dvector("v")], lambda v: v.sum()), [rng.standard_normal(9)]),
    ("no inputs", lambda: ([], lambda: T.constant(2.0) * 3), []),
    ("no outputs", lambda: ([T.dvector("v")], lambda v: []), [np.ones(2)], {"on_unused_input": "ignore"}),
    ("empty vector", lambda: ([T.dvector("v")], lambda v: v * 2), [np.zeros(0)]),
]


@pytest.mark.parametrize("signature", SIGNATURES, ids=[s[0] for s in SIGNATURES])
def test_native_results_equal_the_python_path(signature, python_calls):
    _, build, args, *options = signature
    kwargs = options[0] if options else {}
    inputs, graph = build()
    outputs = graph(*inputs)
    f = tg.function(inputs, outputs, **kwargs)
    slow = python_path(inputs, outputs, **kwargs)
    assert is_native(f)
    expected = slow(*args)
    same(f(*args), expected)  # fills the shape memo
    python_calls.calls = 0
    for _ in range(3):
        same(f(*args), expected)
    assert python_calls.calls == 0  # the native path ran
    assert type(f.__call__(*args)) is type(expected)


def test_outputs_are_fresh_and_zero_d_results_are_arrays():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = tg.function([x, y], [x + y, x * y])
    f(1.0, 2.0)
    a, b = f(1.0, 2.0)
    c, _ = f(1.0, 2.0)
    assert a.shape == () and a is not c and a.flags.writeable and a.flags.owndata
    a += 1
    assert f(1.0, 2.0)[0] == 3.0


def test_new_sizes_go_through_the_python_path_then_the_native_one(python_calls):
    a, b = T.fvector("a"), T.fvector("b")
    f = tg.function([a, b], a + b)
    for n in (3, 5, 3, 0, 1000):
        x, y = np.ones(n, np.float32), np.arange(n, dtype=np.float32)
        same(f(x, y), x + y)
        before = python_calls.calls
        same(f(x, y), x + y)
        assert python_calls.calls == before


# ------------------------------------------------------------------ fallbacks


def test_fallback_arguments_give_the_right_results(python_calls):
    x, y = T.dvector("x"), T.dvector("y")
    f = tg.function([x, y], x * y)
    v, w = np.arange(4.0), np.arange(4.0) + 1
    f(v, w)
    python_calls.calls = 0
    same(f(v, w), v * w)
    assert python_calls.calls == 0
    wide = np.arange(8.0)
    cases = [
        ([wide[::2], w], wide[::2] * w),  # not contiguous
        ([list(v), w], v * w),  # a list
        ([v.astype(np.float32), w], v * w),  # a safe cast
        ([v.astype(">f8"), w], v * w),  # another byte order
        ([v.view(type("Sub", (np.ndarray,), {})), w], v * w),  # a subclass
    ]
    for args, expected in cases:
        same(f(*args), expected)
    same(f(y=w, x=v), v * w)  # keywords
    same(f(v, y=w), v * w)
    assert python_calls.calls == len(cases) + 2


def test_fallback_errors_are_the_usual_ones():
    x, y = T.fvector("x"), T.fvector("y")
    out = T.exp(x) * y
    f = tg.function([x, y], out)
    slow = python_path([x, y], out)
    good = np.ones(3, np.float32)
    f(good, good)  # the memo holds size 3
    bad_calls = [
        ((good,), TypeError, "missing input 'y'"),
        ((good, good, good), TypeError, "takes 2 arguments, got 3"),
        ((np.ones(3), good), TypeError, "input 'x' \\(argument 0\\).*float64"),
        ((good, np.ones((3, 1), np.float32)), TypeError, "input 'y' \\(argument 1\\).*dimension"),
        ((good, np.ones(2, np.float32)), ValueError, "(?s)input 'x'.*input 'y'"),
        ((good, "abc"), TypeError, "input 'y'"),
        ((1.0, good), TypeError, "'x'.*got 0 dimensions"),
    ]
    for args, kind, pattern in bad_calls:
        with pytest.raises(kind, match=pattern) as native_error:
            f(*args)
        with pytest.raises(kind) as python_error:
            slow(*args)
        assert str(native_error.value) == str(python_error.value)
    with pytest.raises(TypeError, match="has no input named 'z'"):
        f(good, z=good)
    same(f(good, good), slow(good, good))


def test_static_sizes_are_still_checked():
    m, r = T.dmatrix("m"), T.drow("r")
    f = tg.function([m, r], m + r)
    f(np.ones((2, 3)), np.ones((1, 3)))
    with pytest.raises(ValueError, match="input 'r'.*broadcastable"):
        f(np.ones((2, 3)), np.ones((2, 3)))
    same(f(np.ones((2, 3)), np.ones((1, 3))), np.full((2, 3), 2.0))


def test_index_error_in_generated_code():
    v, idx = T.dvector("v"), T.lvector("idx")
    f = tg.function([v, idx], v[idx * 2])
    values = np.arange(6.0)
    same(f(values, np.array([0, 2])), np.array([0.0, 4.0]))
    same(f(values, np.array([1, 0])), np.array([2.0, 0.0]))
    for _ in range(2):
        with pytest.raises(IndexError):
            f(values, np.array([5, 0]))
    same(f(values, np.array([1, 2])), np.array([2.0, 4.0]))


def test_python_numbers_for_scalar_inputs():
    i, x = T.lscalar("i"), T.dscalar("x")
    f = tg.function([i, x], x * i)
    slow = python_path([i, x], x * i)
    f(2, 1.5)
    for args in [(3, 0.5), (-(2**63), 1.0), (2**62, 2.0), (True, 1.0), (np.int64(4), 1.0), (3, 2), (3, np.float64(2))]:
        same(f(*args), slow(*args))
    for args in [(2**63, 1.0), (1.5, 1.0), (3, "x")]:
        with pytest.raises(TypeError) as native_error:
            f(*args)
        with pytest.raises(TypeError) as python_error:
            slow(*args)
        assert str(native_error.value) == str(python_error.value)


def test_defaults_fall_back():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = tg.function([x, tg.In(y, value=10.0)], x + y)
    same(f(1.0), np.array(11.0))
    same(f(1.0, 2.0), np.array(3.0))
    same(f(1.0), np.array(11.0))


def test_functions_without_an_entry_point_still_work():
    w = tg.shared(np.ones(3), name="w")
    x = T.dvector("x")
    g = tg.function([x], (w * x).sum(), updates=[(w, w + 1)])
    assert not is_native(g)
    assert g(np.ones(3)) == 3.0 and g(np.ones(3)) == 6.0
    interpreted = tg.function([x], x * 2, mode="FAST_COMPILE")
    assert not is_native(interpreted)
    same(interpreted(np.ones(2)), np.full(2, 2.0))


def test_large_outputs_come_from_the_python_path(python_calls):
    x = T.dvector("x")
    f = tg.function([x], x + 1)
    big = np.zeros(300_000)
    for _ in range(3):
        same(f(big), big + 1)
    assert python_calls.calls == 3


# ------------------------------------------------------------- reference counts


def test_no_reference_leaks():
    a, b, c = (T.fvector(n) for n in "abc")
    f = tg.function([a, b, c], [a * b + c, (a - c).sum()])
    arrays = [np.ones(10, np.float32) for _ in range(3)]
    f(*arrays)
    before = [sys.getrefcount(x) for x in arrays]
    for _ in range(1000):
        out = f(*arrays)
    assert [sys.getrefcount(x) for x in arrays] == before
    assert sys.getrefcount(out) == 2 and [sys.getrefcount(out[0]), sys.getrefcount(out[1])] == [2, 2]
    x, y = T.dscalar("x"), T.dscalar("y")
    g = tg.function([x, y], x / y)
    one, two = 1.25, 2.5
    g(one, two)
    before = [sys.getrefcount(one), sys.getrefcount(two)]
    for _ in range(1000):
        result = g(one, two)
    assert [sys.getrefcount(one), sys.getrefcount(two)] == before and sys.getrefcount(result) == 2
    bad = np.ones(10)
    before = sys.getrefcount(bad)
    for _ in range(100):
        with pytest.raises(TypeError):
            f(bad, *arrays[1:])
    assert sys.getrefcount(bad) == before


def test_repeated_calls_do_not_grow_memory():
    a, b, c = (T.fvector(n) for n in "abc")
    f = tg.function([a, b, c], [a * b + c, c - a])
    arrays = [np.ones(10, np.float32) for _ in range(3)]
    f(*arrays)
    tracemalloc.start()
    try:
        for _ in range(200):
            f(*arrays)
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(20_000):
            f(*arrays)
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 20_000


# ------------------------------------------------------------------ trust_input


def test_trust_input():
    a, b = T.fvector("a"), T.fvector("b")
    f = tg.function([a, b], a * b)
    assert f.trust_input is False
    f.trust_input = True
    assert f.trust_input is True and is_native(f)
    x, y = np.arange(4, dtype=np.float32), np.full(4, 2.0, np.float32)
    for _ in range(3):
        same(f(x, y), x * y)
    same(f([1.0, 2.0], [3.0, 4.0]), np.array([3.0, 8.0], np.float32))  # lists are still converted
    same(f(x[:2], y[:2]), x[:2] * y[:2])  # new sizes
    f.trust_input = False
    with pytest.raises(TypeError, match="input 'a'"):
        f(np.arange(4.0), y)
    s, t = T.dscalar("s"), T.dscalar("t")
    g = tg.function([s, t], s + t)
    g.trust_input = True
    for _ in range(3):
        same(g(1.0, 2.0), np.array(3.0))
    same(g(np.array(1.0), 2.0), np.array(3.0))
