"""Bad calls raise TypeError/ValueError naming the input (never crash), and results
never alias inputs or each other."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg_testutil import MODES, assert_result


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


# ------------------------------------------------------------------- argument count


def test_wrong_number_of_arguments(mode):
    x, y = T.fvector("x"), T.fvector("y")
    f = tg.function([x, y], x + y, mode=mode)
    with pytest.raises(TypeError, match="takes 2 arguments, got 3"):
        f([1.0], [1.0], [1.0])
    with pytest.raises(TypeError, match="missing input 'y' \\(argument 1\\)"):
        f([1.0])
    with pytest.raises(TypeError, match="missing input 'x'.*input 'y'"):
        f()
    g = tg.function([], T.constant(1.0), mode=mode)
    with pytest.raises(TypeError, match="takes 0 arguments, got 1"):
        g(1.0)


# ---------------------------------------------------------------------------- dtypes


def test_dtype_rules_for_numpy_arrays(mode):
    x = T.fvector("x")
    f = tg.function([x], x * 2, mode=mode)
    with pytest.raises(TypeError, match="input 'x' \\(argument 0\\).*float64") as e:
        f(np.array([1.0, 2.0]))
    assert "allow_input_downcast" in str(e.value)
    assert_result(f(np.array([1, 2], "int8")), np.array([2.0, 4.0], "float32"))  # safe
    assert_result(f(np.array([1, 2], "int16")), np.array([2.0, 4.0], "float32"))
    assert_result(f(np.array([1.5], "float16")), np.array([3.0], "float32"))
    assert_result(f(np.array([True, False])), np.array([2.0, 0.0], "float32"))
    with pytest.raises(TypeError, match="'x'"):
        f(np.array([1, 2], "int32"))  # int32 -> float32 is not safe
    with pytest.raises(TypeError, match="'x'.*complex"):
        f(np.array([1j]))
    i = T.ivector("i")
    g = tg.function([i], i + 1, mode=mode)
    assert_result(g(np.array([1, 2], "uint8")), np.array([2, 3], "int32"))
    with pytest.raises(TypeError, match="'i'.*uint64"):
        g(np.array([1], "uint64"))
    with pytest.raises(TypeError, match="'i'"):
        g(np.array([1.0]))


def test_allow_input_downcast(mode):
    x = T.fvector("x")
    f = tg.function([x], x * 1, allow_input_downcast=True, mode=mode)
    assert_result(f(np.array([0.1, 0.2])), np.array([0.1, 0.2], "float32"))
    assert_result(f([0.1]), np.array([0.1], "float32"))
    i = T.bvector("i")
    g = tg.function([i], i * 1, allow_input_downcast=True, mode=mode)
    assert g(np.array([3.7])).dtype == np.int8


def test_dtype_rules_for_python_values(mode):
    x = T.fvector("x")
    f = tg.function([x], x * 2, mode=mode)
    assert_result(f([1.0, 1.0]), np.array([2.0, 2.0], "float32"))  # lossless
    assert_result(f([1, 2]), np.array([2.0, 4.0], "float32"))
    assert_result(f([float("nan"), float("inf")]), np.array([np.nan, np.inf], "float32"))
    with pytest.raises(TypeError, match="input 'x'.*0.1.*without loss"):
        f([0.1])
    with pytest.raises(TypeError, match="'x'"):
        f([2**24 + 1])
    b = T.bscalar("b")
    g = tg.function([b], b * 1, mode=mode)
    assert_result(g(3), np.asarray(3, "int8"))
    assert_result(g(3.0), np.asarray(3, "int8"))
    assert_result(g(True), np.asarray(1, "int8"))
    with pytest.raises(TypeError, match="'b'.*300"):
        g(300)
    with pytest.raises(TypeError, match="'b'.*3.5"):
        g(3.5)
    s = T.fscalar("s")
    h = tg.function([s], s * 2, mode=mode)
    assert_result(h(1.5), np.asarray(3.0, "float32"))
    assert_result(h(2), np.asarray(4.0, "float32"))
    with pytest.raises(TypeError, match="'s'"):
        h(np.float64(1.0))  # a numpy float64 is judged by dtype
    with pytest.raises(TypeError, match="'s'"):
        h(np.array(0.1))
    d = T.dscalar("d")
    assert_result(tg.function([d], d * 1, mode=mode)(0.1), np.asarray(0.1))


@pytest.mark.parametrize("value", [0.1, 2**24 + 1, 10**30])
def test_lossy_python_scalar_into_fscalar_is_rejected(value):
    if tg.config.floatX == "float32" and isinstance(value, float):
        pytest.skip("floatX=float32 accepts Python floats, as Theano")
    s = T.fscalar("s")
    f = tg.function([s], s * 1)
    with pytest.raises(TypeError, match="'s'"):
        f(value)


# ------------------------------------------------------------------------ ranks and shapes


def test_wrong_ndim(mode):
    x, m = T.fvector("x"), T.dmatrix("m")
    f = tg.function([x, m], [x * 2, m.sum()], mode=mode)
    with pytest.raises(TypeError, match="input 'x' \\(argument 0\\).*1 dimension.*got 2 dimensions"):
        f(np.ones((2, 2), "float32"), np.ones((2, 2)))
    with pytest.raises(TypeError, match="input 'm' \\(argument 1\\).*got 1 dimension"):
        f(np.ones(2, "float32"), np.ones(2))
    with pytest.raises(TypeError, match="'x'.*got 0 dimensions"):
        f(1.0, np.ones((2, 2)))


def test_size_one_dimension_does_not_broadcast_unless_declared(mode):
    x, y = T.fvector("x"), T.fvector("y")
    f = tg.function([x, y], x + y, mode=mode)
    with pytest.raises(ValueError) as e:
        f(np.ones(3, "float32"), np.ones(1, "float32"))
    msg = str(e.value)
    assert "input 'x'" in msg and "input 'y'" in msg and "broadcastable" in msg
    m, r = T.dmatrix("m"), T.dmatrix("r")
    g = tg.function([m, r], m * r, mode=mode)
    with pytest.raises(ValueError, match="input 'r'"):
        g(np.ones((3, 4)), np.ones((1, 4)))
    row = T.drow("row")
    h = tg.function([m, row], m * row, mode=mode)
    assert_result(h(np.ones((3, 4)), np.full((1, 4), 2.0)), np.full((3, 4), 2.0))


def test_mismatched_shapes_name_both_inputs_and_the_source_line(mode):
    x, y = T.dvector("x"), T.dvector("y")
    z = T.exp(x) * y  # the line the message must quote
    f = tg.function([x, y], z.sum(), mode=mode)
    with pytest.raises(ValueError) as e:
        f(np.ones(3), np.ones(2))
    msg = str(e.value)
    assert "input 'x' (argument 0)" in msg and "input 'y' (argument 1)" in msg
    assert "(3,)" in msg and "(2,)" in msg
    assert "test_errors.py:" in msg and "z = T.exp(x) * y" in msg
    assert "tg.mul" in msg


def test_mismatch_through_views_names_the_original_input(mode):
    m, v = T.dmatrix("m"), T.dvector("v")
    f = tg.function([m, v], m.T + v.dimshuffle("x", 0), mode=mode)
    with pytest.raises(ValueError) as e:
        f(np.ones((2, 3)), np.ones(3))  # m.T is (3, 2), v is 3
    msg = str(e.value)
    assert "input 'm' (argument 0) (shape (2, 3)) dimension 0" in msg and "input 'v'" in msg
    assert_result(f(np.ones((2, 3)), np.arange(2.0)), np.ones((3, 2)) + np.arange(2.0))


def test_shared_variable_shape_mismatch_names_it(mode):
    W = tg.shared(np.zeros(3), "W")
    x = T.dvector("x")
    f = tg.function([x], x * W, mode=mode)
    with pytest.raises(ValueError, match="shared variable 'W'"):
        f(np.ones(2))


def test_dot_contracted_dimension_mismatch(mode):
    a, b, v = T.fmatrix("a"), T.fmatrix("b"), T.fvector("v")
    f = tg.function([a, b, v], [T.dot(a, b), T.dot(a, v)], mode=mode)
    with pytest.raises(ValueError) as e:
        f(np.ones((2, 3), "float32"), np.ones((4, 5), "float32"), np.ones(3, "float32"))
    msg = str(e.value)
    assert "tg.dot" in msg and "contracted" in msg and "input 'a'" in msg and "input 'b'" in msg
    with pytest.raises(ValueError, match="input 'v'"):
        f(np.ones((2, 3), "float32"), np.ones((3, 5), "float32"), np.ones(4, "float32"))


def test_max_over_an_empty_axis(mode):
    m = T.dmatrix("m")
    f = tg.function([m], [m.max(axis=0), m.max(axis=1)], mode=mode)
    with pytest.raises(ValueError, match="(?s)max.*size 0.*input 'm'"):
        f(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="input 'm'"):
        tg.function([m], m.max(), mode=mode)(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="input 'm'"):
        f(np.zeros((3, 0)))


def test_alloc_errors(mode):
    x = T.dvector("x")
    f = tg.function([x], T.alloc(x, 2, 4), mode=mode)
    with pytest.raises(ValueError, match="input 'x'"):
        f(np.ones(3))
    g = tg.function([x], T.alloc(1.0, x.shape[0] - 5), mode=mode)
    with pytest.raises(ValueError, match="negative"):
        g(np.ones(2))
    with pytest.raises(ValueError):
        T.alloc(1.0, -1)
    with pytest.raises(ValueError):
        T.alloc(T.dmatrix(), 3)


def test_broadcastable_input_given_a_non_one_size(mode):
    r, c = T.frow("r"), T.fcol("c")
    f = tg.function([r, c], r + c, mode=mode)
    with pytest.raises(ValueError, match="input 'r' \\(argument 0\\): dimension 0 is declared broadcastable"):
        f(np.ones((2, 3), "float32"), np.ones((3, 1), "float32"))
    with pytest.raises(ValueError, match="input 'c'.*dimension 1"):
        f(np.ones((1, 3), "float32"), np.ones((3, 2), "float32"))
    assert f(np.ones((1, 3), "float32"), np.ones((2, 1), "float32")).shape == (2, 3)


@pytest.mark.parametrize(
    "value",
    [None, "abc", b"abc", object(), [[1.0], [1.0, 2.0]], [1.0, "a"], {"a": 1}, 1j, [None], np.array(["a"])],
    ids=["None", "str", "bytes", "object", "ragged", "mixed", "dict", "complex", "list-None", "str-array"],
)
def test_non_numeric_inputs_are_type_errors(value, mode):
    x = T.fvector("x")
    f = tg.function([x], x * 2, mode=mode)
    with pytest.raises(TypeError, match="input 'x' \\(argument 0\\)"):
        f(value)


def test_bad_symbolic_programs_fail_when_built():
    x, m = T.fvector("x"), T.fmatrix("m")
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        T.as_tensor_variable(None)
    with pytest.raises(ValueError, match="axis"):
        x.sum(axis=1)
    with pytest.raises(ValueError, match="repeats"):
        m.sum(axis=(0, 0))
    with pytest.raises(ValueError):
        m.dimshuffle(0)
    with pytest.raises(TypeError):
        T.cast(x, "complex64")
    with pytest.raises(OverflowError):
        T.bvector() + 300
    with pytest.raises(TypeError):
        T.alloc(1.0, x)  # a size must be an integer scalar


# --------------------------------------------------------------------- no crashes


def test_bad_calls_never_crash_the_process():
    """Every bad call above, in a fresh process: each raises, and the process survives."""
    code = """
        import numpy as np, tg
        import tg.tensor as T
        for mode in ("FAST_RUN", "FAST_COMPILE"):
            x, y, m = T.fvector("x"), T.fvector("y"), T.fmatrix("m")
            r = T.frow("r")
            f = tg.function([x, y, m, r], [x + y, T.dot(m, x), m.max(axis=0), m + r], mode=mode)
            good = [np.ones(3, "f"), np.ones(3, "f"), np.ones((2, 3), "f"), np.ones((1, 3), "f")]
            bad = [
                [np.ones(3), *good[1:]],
                [np.ones(3, "f"), np.ones(1, "f"), *good[2:]],
                [np.ones(3, "f"), np.ones(3, "f"), np.ones((2, 4), "f"), good[3]],
                [*good[:2], np.ones((0, 3), "f"), good[3]],
                [*good[:3], np.ones((2, 3), "f")],
                [None, *good[1:]], ["abc", *good[1:]], [[[1.0], [1.0, 2.0]], *good[1:]],
                [object(), *good[1:]], good[:2], good + [good[0]],
                [np.ones((3, 3), "f"), *good[1:]],
                [np.ones(10**6, "f"), *good[1:]],
            ]
            n = 0
            for args in bad:
                try:
                    f(*args)
                except (TypeError, ValueError):
                    n += 1
            out = f(*good)
            assert n == len(bad), (mode, n)
        print("survived", n)
    """
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "survived 13"


# ------------------------------------------------------------------ fresh outputs


def test_outputs_are_fresh_arrays(mode):
    x = T.dvector("x")
    a = np.array([1.0, 2.0, 3.0])
    f = tg.function([x], [x, x], mode=mode)
    r1, r2 = f(a)
    assert_result(r1, a)
    assert_result(r2, a)
    assert r1 is not a and r2 is not a and r1 is not r2
    assert not np.shares_memory(r1, a) and not np.shares_memory(r2, a) and not np.shares_memory(r1, r2)
    r1[0] = 100
    assert a[0] == 1.0 and r2[0] == 1.0
    single = tg.function([x], x, mode=mode)(a)
    assert single is not a and not np.shares_memory(single, a)
    for expr in (x.astype("float64"), x.T, x.dimshuffle(0), x.sum(axis=()), T.cast(x, "float64")):
        out = tg.function([x], expr, mode=mode)(a)
        assert_result(out, a)
        assert not np.shares_memory(out, a)
    y = x * 2
    p, q = tg.function([x], [y, y], mode=mode)(a)
    assert p is not q and not np.shares_memory(p, q)
    assert_result(p, a * 2)
    assert_result(q, a * 2)


def test_shared_outputs_are_copies(mode):
    W = tg.shared(np.array([1.0, 2.0]), "W")
    f = tg.function([], [W, W.T], mode=mode)
    w1, w2 = f()
    inner = W.get_value(borrow=True)
    assert not np.shares_memory(w1, inner) and not np.shares_memory(w2, inner)
    w1[0] = 50
    assert_result(W.get_value(), np.array([1.0, 2.0]))


def test_input_arrays_are_not_modified_by_errors_or_calls(mode):
    x, y = T.dvector("x"), T.dvector("y")
    f = tg.function([x, y], [x * y, (x + y).sum()], mode=mode)
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    f(a, b)
    with pytest.raises(ValueError):
        f(a, np.ones(3))
    assert_result(a, np.array([1.0, 2.0]))
    assert_result(b, np.array([3.0, 4.0]))
