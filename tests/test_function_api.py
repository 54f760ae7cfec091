"""The Theano-style API: constructors, variables, configuration, shared variables,
updates, tg.function's arguments and outputs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.tensor.constructors import KINDS, PREFIXES
from tg_testutil import MODES, assert_result, compile_modes

ENV_FLOATX = "floatX" in os.environ.get("TG_FLAGS", "")


def run_python(code: str, flags: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("TG_FLAGS", None)
    if flags is not None:
        env["TG_FLAGS"] = flags
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=120)


# ------------------------------------------------------------------- constructors


@pytest.mark.parametrize("kind", list(KINDS))
def test_constructors_every_kind_and_prefix(kind):
    pattern = KINDS[kind]
    default = getattr(T, kind)("v")
    assert default.dtype == tg.config.floatX
    assert default.broadcastable == pattern and default.ndim == len(pattern) and default.name == "v"
    assert getattr(T, kind)(dtype="int16").dtype == "int16"
    assert getattr(T, kind)().name is None
    for prefix, dtype in PREFIXES.items():
        v = getattr(T, prefix + kind)("a")
        assert (v.dtype, v.broadcastable, v.name) == (dtype, pattern, "a")
        assert isinstance(v, tg.TensorVariable)
        assert v.type == tg.TensorType(dtype, pattern)
        plural = prefix + ("matrices" if kind == "matrix" else kind + "s")
        several = getattr(T, plural)("p", "q", "r")
        assert [u.name for u in several] == ["p", "q", "r"]
        assert all(u.dtype == dtype and u.broadcastable == pattern for u in several)
        unnamed = getattr(T, plural)(2)
        assert len(unnamed) == 2 and unnamed[0] is not unnamed[1] and unnamed[0].name is None


def test_theano_names():
    a, b = T.dscalars("a", "b")
    assert (a.name, b.name, a.dtype, a.ndim) == ("a", "b", "float64", 0)
    x, y = T.dmatrices("x", "y")
    assert x.dtype == "float64" and x.broadcastable == (False, False) and y.name == "y"
    assert T.fmatrix().dtype == "float32" and T.ivector().dtype == "int32" and T.lscalar().dtype == "int64"
    assert T.bvector().dtype == "int8" and T.wvector().dtype == "int16"
    assert T.row().broadcastable == (True, False) and T.col().broadcastable == (False, True)
    assert T.tensor3().ndim == 3 and T.tensor4().ndim == 4 and T.dtensor4().dtype == "float64"
    assert T.TensorType is tg.TensorType and T.TensorVariable is tg.TensorVariable
    f = a + b
    assert tg.function([a, b], f)(1.5, 2.0) == 3.5


def test_tensor_type():
    t = tg.TensorType("float32", (False, True))
    v = t("z")
    assert (v.dtype, v.broadcastable, v.ndim, v.name) == ("float32", (False, True), 2, "z")
    assert v.type == t and hash(v.type) == hash(t) and t != tg.TensorType("float64", (False, True))
    assert (t.dtype, t.broadcastable, t.ndim, t.shape) == ("float32", (False, True), 2, (None, 1))
    assert tg.TensorType("int8", ()).ndim == 0
    assert tg.TensorType(np.float64, [True])("w").broadcastable == (True,)
    s = tg.TensorType("float64", shape=(None, 3))
    assert s.shape == (None, 3) and s.broadcastable == (False, False)
    with pytest.raises(ValueError):
        tg.TensorType("float64", (False,), shape=(None,))
    with pytest.raises(TypeError, match="not supported"):
        tg.TensorType("complex64", (False,))
    # a static size is checked at call time
    u = s("u")
    f = tg.function([u], u * 2)
    assert_result(f(np.ones((2, 3))), np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match="'u'"):
        f(np.ones((2, 4)))


# ------------------------------------------------------------------------ variables


def test_variable_attributes():
    x = T.dmatrix("x")
    assert (x.dtype, x.ndim, x.broadcastable, x.name) == ("float64", 2, (False, False), "x")
    assert isinstance(x.type, tg.TensorType) and x.type == tg.TensorType("float64", (False, False))
    assert x.owner is None and (x * 2).owner is not None
    assert "x" in repr(x)
    n = x.shape[0]
    assert (n.dtype, n.ndim) == ("int64", 0)
    assert len(x.shape) == 2 and len(list(x.shape)) == 2
    assert x.shape[-1].ndim == 0
    with pytest.raises(IndexError):
        x.shape[2]
    t = x.T
    assert t.ndim == 2 and x.T.T.ndim == 2
    d = x.dimshuffle("x", 1, 0)
    assert d.broadcastable == (True, False, False)
    assert x.astype("int32").dtype == "int32" and x.astype("float64") is x
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        iter(x)
    assert (x == x) is True and (x == T.dmatrix("x")) is False  # identity, as Theano
    f = tg.function([x], [x.shape[0], x.shape[1] * 2, x.shape[-1], t, d])
    a = np.arange(6.0).reshape(2, 3)
    rows, cols2, last, tv, dv = f(a)
    assert_result(rows, np.asarray(2, "int64"))
    assert_result(cols2, np.asarray(6, "int64"))
    assert_result(last, np.asarray(3, "int64"))
    assert_result(tv, a.T)
    assert_result(dv, a.T[None])


def test_shape_arithmetic_in_expressions():
    x = T.fvector("x")
    for mode, f in compile_modes([x], [x * x.shape[0], x.sum() / x.shape[0], x.mean()]):
        a = np.array([1.0, 2.0, 3.0, 6.0], "float32")
        scaled, avg, mean = f(a)
        assert_result(scaled, a * np.int64(4), what=mode)  # an int64 tensor: float64, as numpy
        assert_result(avg, np.asarray(a.sum() / 4, "float64"), what=mode)  # int64 shape: float64, as numpy
        assert_result(mean, np.asarray(3.0, "float32"), what=mode)


# ------------------------------------------------------------------------ configuration


@pytest.mark.skipif(ENV_FLOATX, reason="TG_FLAGS sets floatX for this run")
def test_config_defaults_and_errors():
    assert tg.config.floatX == "float64"
    assert tg.config.mode in MODES
    with pytest.raises(AttributeError, match="no flag"):
        tg.config.nope  # noqa: B018
    with pytest.raises(AttributeError, match="no flag"):
        tg.config.nope = 1
    with pytest.raises(ValueError, match="float32"):
        tg.config.floatX = "float16"


def test_config_floatx_changes_constructors(monkeypatch):
    monkeypatch.setattr(tg.config, "floatX", "float32")
    assert T.vector().dtype == "float32" and T.matrix().dtype == "float32"
    assert (T.ivector() / T.ivector()).dtype == "float32"
    assert T.dvector().dtype == "float64"
    monkeypatch.setattr(tg.config, "floatX", "float64")
    assert T.scalar().dtype == "float64"


def test_tg_flags_environment_variable():
    code = """
        import warnings
        import numpy, tg
        import tg.tensor as T
        x = T.vector("x")
        f = tg.function([x], x * 2)
        print(tg.config.floatX, x.dtype, f.mode, (T.iscalar() / 2).dtype, tg.config.opt_level)
        s = T.scalar("s")
        print(repr(tg.function([s], s * 2)(0.1)))  # a Python float is accepted for a floatX scalar
    """
    out = run_python(code, "floatX=float32,mode=FAST_COMPILE,opt_level=2")
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first.split() == ["float32", "float32", "FAST_COMPILE", "float32", "2"]
    assert "float32" in second
    default = run_python("import tg; print(tg.config.floatX, tg.config.mode)")
    assert default.stdout.split() == ["float64", "FAST_RUN"]
    bad = run_python("import tg", "floatX=float16")
    assert bad.returncode != 0 and "floatX" in bad.stderr and "float16" in bad.stderr
    unknown = run_python("import warnings; warnings.simplefilter('always'); import tg; print(tg.config.floatX)",
                         "bogus=1, floatX=float32")
    assert unknown.returncode == 0 and unknown.stdout.strip() == "float32" and "bogus" in unknown.stderr


def test_dump_ir_flag_prints_stages(monkeypatch, capsys):
    monkeypatch.setattr(tg.config, "dump_ir", "graph:loops")
    x = T.fvector("x")
    tg.function([x], x + 1)
    out = capsys.readouterr().out
    assert "// ----- graph" in out and "tg.add" in out and "// ----- loops" in out and "scf.for" in out


# ------------------------------------------------------------------------ quickstart


def test_theano_quickstart_prints_0_9():
    code = """
        import numpy
        import tg as theano
        x = theano.tensor.fvector('x')
        W = theano.shared(numpy.asarray([0.2, 0.7]), 'W')
        y = (x * W).sum()
        f = theano.function([x], y)
        print(f([1.0, 1.0]))
    """
    out = run_python(code)
    assert out.returncode == 0, out.stderr
    assert abs(float(out.stdout) - 0.9) < 1e-12


def test_tensor_nnet_is_an_attribute_as_in_theano():
    out = run_python("import tg.tensor as T; print(T.nnet.sigmoid)")
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------------- shared variables


def test_shared_get_value_copies_unless_borrowed():
    a = np.arange(3.0)
    W = tg.shared(a, "W")
    a[0] = 100  # the constructor copied
    assert_result(W.get_value(), np.arange(3.0))
    v = W.get_value()
    v[1] = 50  # a copy
    assert_result(W.get_value(), np.arange(3.0))
    inner = W.get_value(borrow=True)
    assert inner is W.get_value(borrow=True)
    assert W.get_value() is not W.get_value()
    assert W.name == "W" and W.dtype == "float64" and W.broadcastable == (False,)
    assert isinstance(W, tg.SharedVariable) and isinstance(W, tg.TensorVariable)


def test_shared_borrow_semantics():
    a = np.arange(3.0)
    B = tg.shared(a, "B", borrow=True)
    assert B.get_value(borrow=True) is a  # borrowed: the very array
    f = tg.function([], B * 1)
    a[1] = -1
    assert_result(f(), np.array([0.0, -1.0, 2.0]))
    c = np.arange(4.0)
    B.set_value(c)
    c[0] = 9  # set_value copied
    assert_result(B.get_value(), np.arange(4.0))
    B.set_value(c, borrow=True)
    c[1] = 7
    assert_result(f(), np.array([9.0, 7.0, 2.0, 3.0]))
    # a non-contiguous or other-dtype value is never borrowed as is
    d = np.arange(8.0)[::2]
    C = tg.shared(d, "C", borrow=True)
    assert C.get_value(borrow=True).flags.c_contiguous
    assert_result(C.get_value(), np.array([0.0, 2.0, 4.0, 6.0]))


def test_shared_set_value_checks_like_an_input():
    H = tg.shared(np.zeros(2, "float32"), "H")
    H.set_value([1.0, 2.0])  # a lossless list
    assert_result(H.get_value(), np.array([1.0, 2.0], "float32"))
    H.set_value(np.arange(5, dtype="int8"))  # a safe cast, and a new size
    assert_result(H.get_value(), np.arange(5, dtype="float32"))
    with pytest.raises(TypeError, match="'H'"):
        H.set_value(np.zeros(2))  # float64 into float32
    with pytest.raises(TypeError, match="'H'"):
        H.set_value(np.zeros((2, 2), "float32"))
    with pytest.raises(TypeError, match="'H'"):
        H.set_value("abc")
    assert_result(H.get_value(), np.arange(5, dtype="float32"))  # unchanged by failures
    D = tg.shared(np.zeros(2, "float32"), "D", allow_downcast=True)
    D.set_value(np.array([0.1, 0.2]))
    assert_result(D.get_value(), np.array([0.1, 0.2], "float32"))


def test_shared_constructor_variants():
    assert tg.shared(3).dtype == "int64" and tg.shared(3).ndim == 0
    assert tg.shared(True).dtype == "bool"
    assert tg.shared(np.float32(1.5)).dtype == "float32"
    with pytest.raises(TypeError):
        tg.shared("abc")
    with pytest.raises(TypeError):
        tg.shared(np.zeros(2, "complex128"))
    R = tg.shared([[1.0, 2.0]], "R", broadcastable=(True, False))
    assert R.broadcastable == (True, False)
    with pytest.raises(ValueError, match="broadcastable"):
        R.set_value([[1.0], [2.0]])
    S = tg.shared(np.zeros((2, 3)), "S", shape=(2, None))
    assert S.type.shape == (2, None)
    with pytest.raises(ValueError):
        S.set_value(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        tg.shared([1.0], broadcastable=(True,), shape=(1,))
    with pytest.raises(ValueError):
        tg.shared([1.0], broadcastable=(True, False))
    x = T.dmatrix("x")
    for mode, f in compile_modes([x], x + R):  # R is a row: it broadcasts
        assert_result(f(np.zeros((3, 2))), np.tile([1.0, 2.0], (3, 1)), what=mode)


# ------------------------------------------------------------------------------ updates


@pytest.mark.parametrize("mode", MODES)
def test_updates_use_old_values(mode):
    W = tg.shared(np.array([1.0, 2.0]), "W")
    b = tg.shared(np.float64(0.5), "b")
    x = T.dvector("x")
    f = tg.function([x], [x * W, W.sum()], updates=[(W, W + x), (b, b * 2)], mode=mode)
    out, total = f([1.0, 1.0])
    assert_result(out, np.array([1.0, 2.0]))
    assert_result(total, np.asarray(3.0))  # the old W
    assert_result(W.get_value(), np.array([2.0, 3.0]))
    assert_result(b.get_value(), np.asarray(1.0))
    A, B = tg.shared(np.array([1.0]), "A"), tg.shared(np.array([2.0]), "B")
    swap = tg.function([], [], updates={A: B, B: A}, mode=mode)
    assert swap() == []
    assert_result(A.get_value(), np.array([2.0]))
    assert_result(B.get_value(), np.array([1.0]))
    swap()
    assert_result(A.get_value(), np.array([1.0]))
    count = tg.shared(np.int64(0), "count")
    inc = tg.function([], count, updates=[(count, count + 1)], mode=mode)
    assert [int(inc()) for _ in range(3)] == [0, 1, 2]
    assert int(count.get_value()) == 3


@pytest.mark.parametrize("mode", MODES)
def test_update_can_change_shape_and_output_is_not_the_new_value(mode):
    C = tg.shared(np.zeros(3), "C")
    x = T.dvector("x")
    f = tg.function([x], C.sum(), updates=[(C, x)], mode=mode)
    assert_result(f([1.0, 2.0]), np.asarray(0.0))
    assert_result(C.get_value(), np.array([1.0, 2.0]))
    assert_result(f([5.0]), np.asarray(3.0))
    D = tg.shared(np.zeros(2), "D")
    y = D + 1
    g = tg.function([], y, updates=[(D, y)], mode=mode)
    r1 = g()
    r2 = g()
    assert_result(r1, np.ones(2))
    assert_result(r2, np.full(2, 2.0))
    assert r2 is not D.get_value(borrow=True)
    r2[0] = 100  # the caller owns its output
    assert_result(D.get_value(), np.full(2, 2.0))


@pytest.mark.parametrize("mode", MODES)
def test_failed_call_leaves_shared_variables_unchanged(mode):
    W = tg.shared(np.array([1.0, 2.0]), "W")
    k = tg.shared(np.int64(7), "k")
    x, m = T.dvector("x"), T.dmatrix("m")
    f = tg.function([x, m], [(x * W).sum(), T.dot(m, x)], updates=[(W, W + x), (k, k + 1)], mode=mode)
    for args in [([1.0, 2.0, 3.0], np.ones((2, 3))),  # x and W disagree
                 ([1.0, 2.0], np.ones((2, 3))),  # dot mismatch
                 (np.ones(2, "float32"), "bad"),  # a bad second argument after a good first
                 ([1.0, 2.0],)]:  # too few arguments
        with pytest.raises((TypeError, ValueError)):
            f(*args)
        assert_result(W.get_value(), np.array([1.0, 2.0]))
        assert_result(k.get_value(), np.asarray(7, "int64"))
    f([1.0, 1.0], np.ones((3, 2)))
    assert_result(W.get_value(), np.array([2.0, 3.0]))
    assert_result(k.get_value(), np.asarray(8, "int64"))


def test_update_errors():
    H = tg.shared(np.zeros(2, "float32"), "H")
    x = T.dvector("x")
    tg.function([], [], updates=[(H, H * 2.0)])  # a weak Python float keeps float32
    with pytest.raises(TypeError, match="dtype"):
        tg.function([], [], updates=[(H, H * np.float64(2.0))])
    with pytest.raises(TypeError, match="dimensions"):
        tg.function([], [], updates=[(H, H.sum())])
    with pytest.raises(ValueError, match="twice"):
        tg.function([], [], updates=[(H, H), (H, H)])
    with pytest.raises(TypeError, match="shared variable"):
        tg.function([x], [], updates=[(x, x)])
    with pytest.raises(TypeError):
        tg.function([], [], updates=[H])
    H2 = tg.shared(np.zeros(2), "H2")
    f = tg.function([], [], updates=[(H2, [1.0, 2.0])])  # a constant update
    f()
    assert_result(H2.get_value(), np.array([1.0, 2.0]))


# ------------------------------------------------------------------------ tg.function


@pytest.mark.parametrize("mode", MODES)
def test_outputs_single_list_tuple_none_and_constants(mode):
    x = T.dvector("x")
    a = np.array([1.0, 2.0])
    single = tg.function([x], x * 2, mode=mode)(a)
    assert isinstance(single, np.ndarray)
    assert_result(single, a * 2)
    as_list = tg.function([x], [x * 2], mode=mode)(a)
    assert isinstance(as_list, list) and len(as_list) == 1
    as_tuple = tg.function([x], (x * 2, x + 1), mode=mode)(a)
    assert isinstance(as_tuple, list) and len(as_tuple) == 2
    assert tg.function([x], [], mode=mode, on_unused_input="ignore")(a) == []
    assert tg.function([x], None, mode=mode, on_unused_input="ignore")(a) == []
    assert_result(tg.function([], 3.0, mode=mode)(), np.asarray(3.0))
    assert_result(tg.function([], np.arange(3, dtype="int16"), mode=mode)(), np.arange(3, dtype="int16"))
    f = tg.function([x], x * 2, mode=mode, name="double")
    assert f.name == "double" and f.mode == mode
    with pytest.raises(TypeError, match="'double'"):
        f()


@pytest.mark.parametrize("mode", MODES)
def test_keyword_arguments_by_input_name(mode):
    x, y = T.dvector("x"), T.dvector("y")
    f = tg.function([x, y], x - y, mode=mode)
    assert_result(f(y=[1.0], x=[3.0]), np.array([2.0]))
    assert_result(f([3.0], y=[1.0]), np.array([2.0]))
    with pytest.raises(TypeError, match="'z'"):
        f([1.0], z=[2.0])
    with pytest.raises(TypeError, match="two values"):
        f([1.0], x=[2.0])
    with pytest.raises(TypeError, match="missing"):
        f(x=[1.0])


def test_on_unused_input():
    x, z = T.dvector("x"), T.dvector("z")
    with pytest.raises(tg.UnusedInputError, match="'z'") as e:
        tg.function([x, z], x * 2)
    assert isinstance(e.value, ValueError)
    with pytest.warns(UserWarning, match="'z'"):
        f = tg.function([x, z], x * 2, on_unused_input="warn")
    assert_result(f([1.0], [5.0, 6.0]), np.array([2.0]))  # still an argument
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = tg.function([x, z], x * 2, on_unused_input="ignore")
    assert_result(g([1.0], [2.0]), np.array([2.0]))
    with pytest.raises(ValueError, match="on_unused_input"):
        tg.function([x], x, on_unused_input="bogus")


def test_missing_input_error():
    x, y = T.dvector("x"), T.dvector("y")
    with pytest.raises(tg.MissingInputError) as e:
        tg.function([x], x + y)
    assert isinstance(e.value, ValueError)
    with pytest.raises(tg.MissingInputError):
        tg.function([], x * 2)


def test_missing_input_error_names_the_variable():
    x, y = T.dvector("x"), T.dvector("y")
    with pytest.raises(tg.MissingInputError, match="'y'"):
        tg.function([x], x + y)


def test_graph_keeps_its_shared_variables_alive():
    import gc

    def layer(x, n_in, n_out):
        W = tg.shared(np.full((n_in, n_out), 0.5), "W")
        return T.dot(x, W)

    x = T.dmatrix("x")
    y = layer(x, 3, 2)
    gc.collect()
    f = tg.function([x], y)
    assert_result(f(np.ones((1, 3))), np.full((1, 2), 1.5))


def test_function_argument_errors():
    x = T.dvector("x")
    W = tg.shared(np.zeros(2), "W")
    with pytest.raises(ValueError, match="mode"):
        tg.function([x], x, mode="FAST")
    with pytest.raises(TypeError, match="symbolic"):
        tg.function([np.zeros(2)], x)
    with pytest.raises(TypeError, match="shared variable"):
        tg.function([W], W * 2)
    with pytest.raises(ValueError, match="twice"):
        tg.function([x, x], x)


@pytest.mark.parametrize("mode", MODES)
def test_results_are_fresh_on_every_call(mode):
    x = T.dvector("x")
    f = tg.function([x], [x * 2, x.sum()], mode=mode)
    a = np.array([1.0, 2.0])
    r1, s1 = f(a)
    r2, s2 = f(a)
    assert r1 is not r2 and not np.shares_memory(r1, r2)
    r1[0] = 99
    s1[...] = 99
    assert_result(f(a)[0], a * 2)
    assert_result(r2, a * 2)
    assert_result(s2, np.asarray(3.0))


def test_default_mode_follows_config(monkeypatch):
    x = T.dvector("x")
    monkeypatch.setattr(tg.config, "mode", "FAST_COMPILE")
    assert tg.function([x], x * 2).mode == "FAST_COMPILE"
    monkeypatch.setattr(tg.config, "mode", "FAST_RUN")
    assert tg.function([x], x * 2).mode == "FAST_RUN"
