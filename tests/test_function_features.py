"""tg.function's Theano features: givens, In/Out, default updates, modes, flags,
pickling, printing and eval."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tg
import tg.tensor as T

MODES = ["FAST_RUN", "FAST_COMPILE"]


@pytest.mark.parametrize("mode", MODES)
def test_givens_replace_an_input_by_an_expression(mode):
    x, y = T.dvectors("x", "y")
    z = T.dvector("z")
    f = tg.function([z], x * y, givens={x: z + 1, y: z * 2}, mode=mode)
    np.testing.assert_allclose(f([1.0, 2.0]), [4.0, 12.0])


@pytest.mark.parametrize("mode", MODES)
def test_givens_static_sizes_are_forgotten_where_the_target_is_dynamic(mode):
    x = T.dvector("x")
    c = T.constant(np.array([1.0, 2.0, 3.0]))  # static (3,)
    f = tg.function([], [x.sum(), x * 2], givens={x: c}, mode=mode)
    total, doubled = f()
    assert total == 6.0
    np.testing.assert_allclose(doubled, [2.0, 4.0, 6.0])


def test_givens_type_mismatch_is_a_type_error():
    x = T.dvector("x")
    m = T.dmatrix("m")
    with pytest.raises(TypeError, match="givens"):
        tg.function([m], x.sum(), givens={x: m})
    f32 = T.fvector("f")
    with pytest.raises(TypeError, match="givens"):
        tg.function([f32], x.sum(), givens={x: f32})


@pytest.mark.parametrize("mode", MODES)
def test_in_defaults_and_keyword_names(mode):
    x, y = T.dscalars("x", "y")
    f = tg.function([x, tg.In(y, value=1.0, name="w_by_name")], x + y, mode=mode)
    assert f(33) == 34.0
    assert f(33, 2) == 35.0
    assert f(33, w_by_name=3) == 36.0
    with pytest.raises(TypeError, match="two values"):
        f(1, 2, w_by_name=3)


@pytest.mark.parametrize("mode", MODES)
def test_out_borrow_still_gives_an_array(mode):
    x = T.dvector("x")
    f = tg.function([x], tg.Out(x * 2, borrow=True), mode=mode)
    np.testing.assert_allclose(f([1.0, 2.0]), [2.0, 4.0])


@pytest.mark.parametrize("mode", MODES)
def test_intermediate_variables_as_inputs(mode):
    x = T.dvector("x")
    hidden = T.tanh(x)
    out = hidden * 2
    f = tg.function([hidden], out, mode=mode)
    np.testing.assert_allclose(f([0.5, 1.0]), [1.0, 2.0])


@pytest.mark.parametrize("mode", MODES)
def test_default_updates_and_no_default_updates(mode):
    counter = tg.shared(np.int64(0), "counter")
    counter.default_update = counter + 1
    f = tg.function([], counter * 10, mode=mode)
    assert f() == 0 and f() == 10 and counter.get_value() == 2
    frozen = tg.function([], counter * 10, no_default_updates=True, mode=mode)
    assert frozen() == 20 and frozen() == 20 and counter.get_value() == 2
    explicit = tg.function([], counter, updates={counter: counter + 5}, mode=mode)
    explicit()
    assert counter.get_value() == 7


@pytest.mark.parametrize("mode", MODES)
def test_outputs_none_runs_updates_only(mode):
    s = tg.shared(np.float64(1.0), "s")
    f = tg.function([], [], updates=[(s, s * 3)], mode=mode)
    assert f() == []
    assert s.get_value() == 3.0


def test_mode_excluding_switches_a_rewrite_off():
    x = T.dvector("x")
    y = T.exp(x) + T.exp(x)
    merged = tg.function([x], y)
    kept = tg.function([x], y, mode=tg.Mode().excluding("tg-merge"))
    assert merged.ir("optimized").count("tg.exp") == 1
    assert kept.ir("optimized").count("tg.exp") == 2
    np.testing.assert_allclose(kept([0.0]), merged([0.0]))
    with tg.change_flags(optimizer_excluding="tg-merge"):
        assert tg.function([x], y).ir("optimized").count("tg.exp") == 2


def test_change_flags_is_a_context_manager_and_a_decorator():
    with tg.change_flags(floatX="float32"):
        assert T.vector().dtype == "float32"
    assert T.vector().dtype == tg.config.floatX

    @tg.config.change_flags(floatX="float32")
    def make():
        return T.matrix()

    assert make().dtype == "float32"


def test_theano_flags_is_read_as_a_fallback():
    code = "import tg; print(tg.config.floatX, tg.config.opt_level)"
    env = dict(os.environ, THEANO_FLAGS="floatX=float32,opt_level=1", TG_FLAGS="opt_level=2")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["float32", "2"]


def test_unknown_device_is_a_clear_error():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="tpu"):
        tg.function([x], x, device="tpu")


def test_eval():
    x = T.dvector("x")
    np.testing.assert_allclose((x * 3).eval({x: np.array([1.0, 2.0])}), [3.0, 6.0])
    W = tg.shared(np.array([1.0, 2.0]), "W")
    assert (W.sum() * 2).eval() == 6.0


def test_pickled_function_loads_and_runs_in_a_new_process(tmp_path):
    x = T.dmatrix("x")
    W = tg.shared(np.arange(6.0).reshape(3, 2), "W")
    b = tg.shared(np.zeros(2), "b")
    out = T.tanh(T.dot(x, W) + b)
    f = tg.function([x], out, updates={b: b + 1})
    f(np.ones((1, 3)))
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps((f, W, b, out, x)))
    script = textwrap.dedent(
        f"""
        import pickle, numpy as np
        f, W, b, out, x = pickle.loads(open({str(path)!r}, "rb").read())
        print(b.get_value().tolist())
        print(f(np.ones((1, 3))).round(6).tolist())
        print(b.get_value().tolist())
        import tg
        print(tg.function([x], out)(np.ones((1, 3))).round(6).tolist())
        """
    )
    lines = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    expected = np.tanh(np.ones((1, 3)) @ np.arange(6.0).reshape(3, 2) + 1)
    assert lines[0] == "[1.0, 1.0]"
    np.testing.assert_allclose(eval(lines[1]), expected, rtol=1e-6)
    assert lines[2] == "[2.0, 2.0]"
    np.testing.assert_allclose(eval(lines[3]), np.tanh(np.ones((1, 3)) @ np.arange(6.0).reshape(3, 2) + 2), rtol=1e-6)


def test_pickled_shared_variable_keeps_its_default_update():
    s = tg.shared(np.float64(1.0), "s")
    s.default_update = s * 2
    loaded = pickle.loads(pickle.dumps(s))
    f = tg.function([], loaded)
    f()
    assert loaded.get_value() == 2.0 and s.get_value() == 1.0


def test_debugprint_and_pp():
    x = T.dvector("x")
    W = tg.shared(np.ones(2), "W")
    y = (x * W).sum() + T.exp(x * W).max()
    text = tg.debugprint(y, file="str")
    assert "tg.add [id A]" in text and " | |x" in text and "W" in text
    f = tg.function([x], y)
    compiled = tg.debugprint(f, file="str")
    assert compiled.count("tg.mul") == 2 and "[id C]" in compiled.splitlines()[-1]  # merged: referenced twice
    assert tg.pp(y) == "(sum{axes=[0]}((x * W)) + max{axes=[0]}(exp((x * W))))"


def test_givens_that_refer_to_a_replaced_variable_are_rejected():
    x, y = T.dvectors("x", "y")
    for givens in ({x: T.ones_like(x)}, {x: x + 1}, {x: y + 1, y: T.ones_like(y)}):
        with pytest.raises(ValueError, match="depends on a replaced variable"):
            tg.function([], x * 2, givens=givens)


def test_cast_chain_keeps_saturation():
    x = T.ivector("x")
    for mode in MODES:
        f = tg.function([x], T.cast(T.cast(x, "float64"), "int8"), mode=mode)
        np.testing.assert_array_equal(f(np.array([300, -300, 5], "int32")), [127, -128, 5])


@pytest.mark.parametrize("mode", MODES)
def test_assert_op_checks_before_the_call(mode):
    x = T.dvector("x")
    n = T.lscalar("n")
    y = T.assert_op(x * 2, T.gt(n, 0), "n must be positive") + n
    f = tg.function([x, n], y, mode=mode)
    np.testing.assert_allclose(f([1.0, 2.0], 3), [5.0, 7.0])
    with pytest.raises(ValueError, match="n must be positive"):
        f([1.0, 2.0], 0)


def test_symbolic_random_bounds_are_checked():
    from tg.tensor.shared_randomstreams import RandomStreams

    srng = RandomStreams(1)
    h, k = T.lscalars("h", "k")
    f = tg.function([h], srng.random_integers(size=(4,), low=5, high=h))
    assert set(f(9)) <= set(range(5, 10))
    with pytest.raises(ValueError, match="high is below low"):
        f(2)
    g = tg.function([k], srng.choice(size=(3,), a=k))
    assert set(g(5)) <= set(range(5))
    with pytest.raises(ValueError, match="a must be positive"):
        g(0)


def test_pp_of_deep_and_shared_graphs_stays_small():
    x = T.dvector("x")
    z = x
    for _ in range(30):
        z = z * z  # each level uses the one below twice
    assert len(tg.pp(z)) < 5000 and "$1" in tg.pp(z)
    d = x
    for _ in range(3000):
        d = d + 1
    assert tg.pp(d).count("+") == 3000
