"""Programs in the style of Theano's tutorial, with only their imports changed, run
in a fresh interpreter as a new user would."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROGRAMS = {
    "adding_two_scalars": """
        import numpy
        import theano.tensor as T
        from theano import function
        x = T.dscalar('x')
        y = T.dscalar('y')
        z = x + y
        f = function([x, y], z)
        assert f(2, 3) == numpy.array(5.0)
        assert numpy.allclose(f(16.3, 12.1), 28.4)
        assert numpy.allclose(z.eval({x: 16.3, y: 12.1}), 28.4)
        x = T.dmatrix('x')
        y = T.dmatrix('y')
        f = function([x, y], x + y)
        assert numpy.array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]), [[11., 22.], [33., 44.]])
        print("ok")
    """,
    "logistic_function": """
        import numpy
        import theano
        import theano.tensor as T
        x = T.dmatrix('x')
        s = 1 / (1 + T.exp(-x))
        logistic = theano.function([x], s)
        s2 = (1 + T.tanh(x / 2)) / 2
        logistic2 = theano.function([x], s2)
        m = [[0, 1], [-1, -2]]
        assert numpy.allclose(logistic(m), logistic2(m))
        a, b = T.dmatrices('a', 'b')
        diff = a - b
        abs_diff = abs(diff)
        diff_squared = diff**2
        f = theano.function([a, b], [diff, abs_diff, diff_squared])
        out = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
        assert numpy.array_equal(out[2], [[1., 0.], [1., 4.]])
        print("ok")
    """,
    "default_values_and_shared_state": """
        import numpy
        from theano import In, function, shared
        import theano.tensor as T
        x, y, w = T.dscalars('x', 'y', 'w')
        z = (x + y) * w
        f = function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)
        assert f(33) == 68 and f(33, 2) == 70 and f(33, 0, 1) == 33
        assert f(33, w_by_name=1) == 34 and f(33, w_by_name=1, y=0) == 33
        state = shared(0)
        inc = T.iscalar('inc')
        accumulator = function([inc], state, updates=[(state, state + inc)])
        assert accumulator(1) == 0 and state.get_value() == 1
        accumulator(300)
        assert state.get_value() == 301
        state.set_value(-1)
        decrementor = function([inc], state, updates=[(state, state - inc)])
        decrementor(2)
        assert state.get_value() == -3
        fn_of_state = state * 2 + inc
        foo = T.scalar(dtype=state.dtype)
        skip_shared = function([inc, foo], fn_of_state, givens=[(state, foo)])
        assert skip_shared(1, 3) == 7 and state.get_value() == -3
        print("ok")
    """,
    "random_numbers": """
        import numpy
        from theano.tensor.shared_randomstreams import RandomStreams
        from theano import function
        srng = RandomStreams(seed=234)
        rv_u = srng.uniform((2, 2))
        rv_n = srng.normal((2, 2))
        f = function([], rv_u)
        g = function([], rv_n, no_default_updates=True)
        nearly_zeros = function([], rv_u + rv_u - 2 * rv_u)
        assert not numpy.array_equal(f(), f())
        assert numpy.array_equal(g(), g())
        assert numpy.allclose(nearly_zeros(), 0)
        print("ok")
    """,
    "gradients": """
        import numpy
        import theano
        import theano.tensor as T
        x = T.dscalar('x')
        y = x ** 2
        gy = T.grad(y, x)
        f = theano.function([x], gy)
        assert f(4) == 8.0 and numpy.allclose(f(94.2), 188.4)
        x = T.dmatrix('x')
        s = T.sum(1 / (1 + T.exp(-x)))
        gs = T.grad(s, x)
        dlogistic = theano.function([x], gs)
        expected = numpy.array([[0.25, 0.19661193], [0.19661193, 0.10499359]])
        assert numpy.allclose(dlogistic([[0, 1], [-1, -2]]), expected)
        x = T.dvector('x')
        y = x ** 2
        J = theano.gradient.jacobian(y, x)
        f = theano.function([x], J)
        assert numpy.allclose(f([4, 4]), [[8, 0], [0, 8]])
        cost = y.sum()
        H = theano.gradient.hessian(cost, x)
        assert numpy.allclose(theano.function([x], H)([4, 4]), [[2, 0], [0, 2]])
        W = T.dmatrix('W')
        V = T.dmatrix('V')
        x = T.dvector('x')
        y = T.dot(x, W)
        JV = T.Rop(y, W, V)
        f = theano.function([W, V, x], JV)
        assert numpy.allclose(f([[1, 1], [1, 1]], [[2, 2], [2, 2]], [0, 1]), [2, 2])
        v = T.dvector('v')
        VJ = T.Lop(y, W, v)
        f = theano.function([v, x], VJ)
        assert numpy.allclose(f([2, 2], [0, 1]), [[0, 0], [2, 2]])
        print("ok")
    """,
    "conditions_and_casting": """
        import numpy
        import theano
        from theano import tensor as T
        a, b = T.scalars('a', 'b')
        x, y = T.matrices('x', 'y')
        z_switch = T.switch(T.lt(a, b), T.mean(x), T.mean(y))
        f = theano.function([a, b, x, y], z_switch)
        big = numpy.ones((10, 10)) * 2
        assert f(1, 2, big, big * 3) == 2.0 and f(2, 1, big, big * 3) == 6.0
        i = T.ivector('i')
        assert theano.function([i], i / 2)([1, 3]).dtype == theano.config.floatX
        assert theano.function([i], i // 2)([1, 3]).dtype == 'int32'
        print("ok")
    """,
    "training_logistic_regression": """
        import numpy
        import theano
        import theano.tensor as T
        rng = numpy.random.default_rng(0)
        N, feats = 400, 784
        D = (rng.standard_normal((N, feats)), rng.integers(size=N, low=0, high=2))
        x = T.dmatrix("x")
        y = T.dvector("y")
        w = theano.shared(rng.standard_normal(feats) * 0.01, name="w")
        b = theano.shared(0., name="b")
        p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
        prediction = p_1 > 0.5
        xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
        cost = xent.mean() + 0.01 * (w ** 2).sum()
        gw, gb = T.grad(cost, [w, b])
        train = theano.function(inputs=[x, y], outputs=[prediction, xent],
                                updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
        predict = theano.function(inputs=[x], outputs=prediction)
        for i in range(100):
            pred, err = train(D[0], D[1])
        accuracy = (predict(D[0]) == D[1]).mean()
        assert accuracy > 0.95, accuracy
        print("ok")
    """,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tutorial_program_runs_with_only_imports_changed(name, tmp_path):
    source = textwrap.dedent(PROGRAMS[name])
    # a Theano program: its imports name theano; only these lines change
    ported = (
        source.replace("import theano.tensor as T", "import tg.tensor as T")
        .replace("from theano import tensor as T", "from tg import tensor as T")
        .replace("from theano.tensor.shared_randomstreams", "from tg.tensor.shared_randomstreams")
        .replace("from theano import", "from tg import")
        .replace("import theano\n", "import tg as theano\n")
    )
    assert "theano." not in ported.replace("theano.function", "").replace("theano.gradient", "").replace(
        "theano.config", "").replace("theano.shared", "")
    script = tmp_path / f"{name}.py"
    script.write_text(ported)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")
