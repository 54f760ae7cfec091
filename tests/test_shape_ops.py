"""Shape ops against numpy, compiled (FAST_RUN) and interpreted (FAST_COMPILE):
reshape, flatten, concatenate/join/stack, padding and broadcastability, zeros/ones/
fill, arange, eye, tile, repeat, split, roll; their errors and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.gradient import verify_grad
from tg_testutil import MODES, assert_result, check, compile_modes, rand

SHAPES = [(2, 6), (1, 1), (0, 4), (3, 0), (4, 1), (1, 5)]


# ------------------------------------------------------------------------ reshape


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool"])
def test_reshape_and_flatten(dtype):
    rng = np.random.default_rng(0)
    x = T.matrix("x", dtype=dtype)
    outputs = [
        x.reshape((-1,)),
        x.reshape((x.shape[1], x.shape[0])),
        x.reshape([x.shape[0] * x.shape[1]]),
        x.reshape((x.shape[0], 1, x.shape[1], 1)),
        T.reshape(x, (1, -1)),
        x.reshape(x.shape),
        T.flatten(x),
        x.flatten(2),
        T.flatten(x.reshape((x.shape[0], 1, x.shape[1])), 2),
        x.T.reshape((-1,)),
    ]

    def expected(a):
        m, n = a.shape
        return [
            a.reshape(-1),
            a.reshape(n, m),
            a.reshape(m * n),
            a.reshape(m, 1, n, 1),
            a.reshape(1, -1),
            a,
            a.flatten(),
            a,
            a,
            a.T.reshape(-1),
        ]

    check([x], outputs, [[rand(s, dtype, rng)] for s in SHAPES], expected)


def test_reshape_of_computed_values_and_views():
    rng = np.random.default_rng(1)
    x = T.tensor3("x")
    y = x * 2 + 1
    outputs = [
        y.reshape((x.shape[0], -1)),
        (y.reshape((-1, x.shape[2])) * 3).sum(axis=0),
        x.dimshuffle(2, 0, 1).reshape((x.shape[2], -1)),
        T.exp(x).reshape((-1,)) + T.exp(x).reshape((-1,)),
        x.reshape((x.shape[0] * x.shape[1], x.shape[2])).T,
    ]

    def expected(a):
        b = a * 2 + 1
        return [
            b.reshape(a.shape[0], -1),
            (b.reshape(-1, a.shape[2]) * 3).sum(0),
            a.transpose(2, 0, 1).reshape(a.shape[2], -1),
            2 * np.exp(a).reshape(-1),
            a.reshape(-1, a.shape[2]).T,
        ]

    shapes = [(2, 3, 4), (1, 1, 1), (3, 1, 2), (2, 0, 3), (1, 5, 1)]
    check([x], outputs, [[rand(s, "float64", rng)] for s in shapes], expected)


def test_reshape_symbolic_sizes():
    x = T.dvector("x")
    n, m = T.lscalars("n", "m")
    k = T.iscalar("k")
    a = np.arange(12.0)
    for mode, f in compile_modes([x, n, m, k], [x.reshape((n, m)), T.reshape(x, (k, -1, 1))]):
        for nv, mv, kv in [(3, 4, 2), (2, 6, 3), (12, 1, 12), (-1, 3, 1), (4, -1, 6)]:
            r0, r1 = f(a, nv, mv, kv)
            assert_result(r0, a.reshape(nv, mv), what=mode)
            assert_result(r1, a.reshape(kv, -1, 1), what=mode)
        for bad in [(5, 3), (-1, -1), (-1, 5), (-2, -6)]:
            with pytest.raises(ValueError, match="tg.reshape"):
                f(a, *bad, 1)
        z = np.zeros(0)
        assert_result(f(z, 0, 5, 3)[0], z.reshape(0, 5), what=mode)
        with pytest.raises(ValueError, match="cannot infer the -1"):
            f(z, 0, -1, 1)


def test_reshape_static_types_and_build_errors():
    x = T.TensorType("float32", shape=(2, 6))("x")
    assert x.reshape((3, 4)).type.shape == (3, 4)
    assert x.reshape((-1, 3)).type.shape == (4, 3)
    assert x.reshape((2, 6)) is x
    v = T.vector("v")
    n = T.lscalar("n")
    assert v.reshape((n, 3)).type.shape == (None, 3)
    assert v.reshape((1, -1)).type.shape == (1, None)
    with pytest.raises(ValueError, match="cannot reshape 12 elements"):
        x.reshape((5, 3))
    with pytest.raises(ValueError, match="except one -1"):
        v.reshape((-1, -1))
    with pytest.raises(ValueError, match="except one -1"):
        v.reshape((-3, 2))
    with pytest.raises(TypeError, match="integer"):
        v.reshape((2.5, 2))
    with pytest.raises(TypeError, match="integer"):
        v.reshape((T.dscalar(), 2))
    with pytest.raises(ValueError, match="ndim"):
        T.reshape(v, (2, 3), ndim=3)


def test_reshape_to_and_from_0d():
    x = T.dvector("x")
    s = T.dscalar("s")
    outputs = [x.reshape(()), s.reshape((1, 1)), T.flatten(s)]
    for mode, f in compile_modes([x, s], outputs):
        r = f(np.array([4.0]), 2.0)
        assert_result(r[0], np.float64(4.0).reshape(()), what=mode)
        assert_result(r[1], np.full((1, 1), 2.0), what=mode)
        assert_result(r[2], np.array([2.0]), what=mode)
        with pytest.raises(ValueError):
            f(np.array([1.0, 2.0]), 1.0)


def test_reshape_with_a_shape_vector():
    x = T.dvector("x")
    shape = T.lvector("shape")
    for mode, f in compile_modes([x, shape], T.reshape(x, shape, ndim=2)):
        a = np.arange(6.0)
        assert_result(f(a, np.array([2, 3])), a.reshape(2, 3), what=mode)
        assert_result(f(a, np.array([-1, 1])), a.reshape(-1, 1), what=mode)
    with pytest.raises(ValueError, match="pass ndim"):
        T.reshape(x, shape)


# --------------------------------------------------------------------- joining


def test_concatenate_join_stack():
    rng = np.random.default_rng(2)
    a, b = T.matrix("a", dtype="float32"), T.matrix("b", dtype="int32")
    outputs = [
        T.concatenate([a, b]),
        T.concatenate([a, a * 2, a], axis=0),
        T.join(0, a, b),
        T.stack([a, b]),
        T.stack([a, a], axis=-1),
        T.stack(a, a, a),
        T.stack([a, b], 1),
        T.vertical_stack(a, a),
    ]

    def expected(x, y):
        f = np.float64
        return [
            np.concatenate([x, y]).astype(f),
            np.concatenate([x, 2 * x, x]),
            np.concatenate([x, y]).astype(f),
            np.stack([x, y]).astype(f),
            np.stack([x, x], -1),
            np.stack([x, x, x]),
            np.stack([x, y], 1).astype(f),
            np.vstack([x, x]),
        ]

    shapes = [(2, 3), (1, 1), (0, 3), (3, 0)]
    check(
        [a, b], outputs, [[rand(s, "float32", rng), rand(s, "int32", rng, -9, 9)] for s in shapes], expected
    )


def test_concatenate_ragged_sizes_and_axis_1():
    rng = np.random.default_rng(3)
    a, b, c = T.dmatrices("a", "b", "c")
    outputs = [T.concatenate([a, b, c], axis=1), T.concatenate([a, b, c], axis=-1), T.horizontal_stack(a, b)]

    def expected(x, y, z):
        return [np.concatenate([x, y, z], 1)] * 2 + [np.hstack([x, y])]

    args = [
        [rand((2, n1), "float64", rng), rand((2, n2), "float64", rng), rand((2, n3), "float64", rng)]
        for n1, n2, n3 in [(1, 2, 3), (0, 4, 0), (0, 0, 0), (5, 1, 1)]
    ]
    check([a, b, c], outputs, args, expected)


def test_stack_scalars_and_bools():
    x, y = T.dscalars("x", "y")
    p = T.vector("p", dtype="bool")
    outputs = [T.stack([x, y, x + y]), T.concatenate([p, ~p]), T.stack([p, p], axis=1)]
    for mode, f in compile_modes([x, y, p], outputs):
        pv = np.array([True, False, True])
        r = f(1.5, 2.0, pv)
        assert_result(r[0], np.array([1.5, 2.0, 3.5]), what=mode)
        assert_result(r[1], np.concatenate([pv, ~pv]), what=mode)
        assert_result(r[2], np.stack([pv, pv], 1), what=mode)


def test_stack_of_a_whole_shape():
    x = T.dtensor3("x")
    for mode, f in compile_modes([x], [T.stack(x.shape), T.zeros(list(x.shape)[1:])]):
        a = np.ones((2, 0, 3))
        s, z = f(a)
        assert_result(s, np.array([2, 0, 3]), what=mode)
        assert_result(z, np.zeros((0, 3)), what=mode)


def test_concatenate_static_shapes():
    a = T.TensorType("float64", shape=(2, 3))("a")
    b = T.TensorType("float64", shape=(None, 3))("b")
    assert T.concatenate([a, a]).type.shape == (4, 3)
    assert T.concatenate([a, b]).type.shape == (None, 3)
    assert T.concatenate([a, b], axis=1).type.shape == (2, 6)
    assert T.concatenate([b, b], axis=1).type.shape == (None, 6)
    assert T.stack([a, a]).type.shape == (2, 2, 3)


def test_concatenate_errors():
    a, b = T.dmatrix("a"), T.dmatrix("b")
    v = T.dvector("v")
    with pytest.raises(ValueError, match="same rank"):
        T.concatenate([a, v])
    with pytest.raises(ValueError, match="out of range"):
        T.concatenate([a, b], axis=2)
    with pytest.raises(ValueError, match="at least one"):
        T.concatenate([])
    with pytest.raises(ValueError, match="0-d"):
        T.concatenate([T.dscalar(), T.dscalar()])
    with pytest.raises(ValueError, match="different static sizes"):
        T.concatenate([T.TensorType("float64", shape=(2, 3))(), T.TensorType("float64", shape=(2, 4))()])
    with pytest.raises(TypeError, match="list"):
        T.concatenate(a)
    for mode, f in compile_modes([a, b], T.concatenate([a, b])):
        with pytest.raises(
            ValueError, match=r"tg.concatenate at test_shape_ops.py:\d+.*dimension 1 must agree"
        ) as info:
            f(np.ones((2, 3)), np.ones((2, 4)))
        assert "input 'a'" in str(info.value) and "input 'b'" in str(info.value), mode


def test_split_and_roll():
    rng = np.random.default_rng(4)
    x = T.dmatrix("x")
    s = T.lscalar("s")
    pieces = T.split(x, [1, 2, x.shape[0] - 3], 3, axis=0)
    outputs = pieces + [T.roll(x, 2, 1), T.roll(x, -1, 0), T.roll(x, 3), T.roll(x, s, 1), T.roll(x, s)]

    def expected(a, sv):
        return [
            a[:1],
            a[1:3],
            a[3:],
            np.roll(a, 2, 1),
            np.roll(a, -1, 0),
            np.roll(a, 3),
            np.roll(a, sv, 1),
            np.roll(a, sv),
        ]

    args = [
        [rand((5, 4), "float64", rng), 3],
        [rand((3, 1), "float64", rng), -7],
        [rand((4, 0), "float64", rng), 2],
        [rand((3, 2), "float64", rng), 0],
    ]
    check([x, s], outputs, args, expected)
    with pytest.raises(ValueError, match="add up"):
        T.split(T.TensorType("float64", shape=(4,))(), [1, 2], 2)


# ----------------------------------------------------------- broadcastable patterns


def test_padding_and_squeeze():
    x = T.dmatrix("x")
    r = T.drow("r")
    assert T.shape_padleft(x).broadcastable == (True, False, False)
    assert T.shape_padright(x, 2).broadcastable == (False, False, True, True)
    assert T.shape_padaxis(x, 1).broadcastable == (False, True, False)
    assert T.shape_padaxis(x, -1).broadcastable == (False, False, True)
    assert T.squeeze(r).broadcastable == (False,)
    assert r.squeeze().ndim == 1
    with pytest.raises(ValueError, match="out of range"):
        T.shape_padaxis(x, 3)
    outputs = [
        T.shape_padleft(x),
        T.shape_padright(x, 2),
        T.shape_padaxis(x, 1),
        T.squeeze(r),
        T.squeeze(x, 1),
    ]
    for mode, f in compile_modes([x, r], outputs):
        a, b = np.arange(3.0).reshape(3, 1), np.arange(4.0).reshape(1, 4)
        res = f(a, b)
        for got, want in zip(res, [a[None], a[:, :, None, None], a[:, None], b[0], a[:, 0]]):
            assert_result(got, want, what=mode)
        with pytest.raises(ValueError, match="cannot be broadcast to 1"):
            f(np.ones((3, 2)), b)


def test_addbroadcast_unbroadcast_patternbroadcast():
    x = T.dmatrix("x")
    y = T.addbroadcast(x, 0)
    assert y.broadcastable == (True, False)
    assert T.unbroadcast(y, 0).broadcastable == (False, False)
    assert T.patternbroadcast(x, (False, True)).broadcastable == (False, True)
    assert T.unbroadcast(x, 0) is x
    out = [y + x, T.unbroadcast(y, 0) * 2]
    for mode, f in compile_modes([x], out):
        a = np.arange(4.0).reshape(1, 4)
        assert_result(f(a)[0], a + a, what=mode)
        assert_result(f(a)[1], a * 2, what=mode)
        with pytest.raises(ValueError, match="cannot be broadcast to 1"):
            f(np.ones((2, 4)))
    with pytest.raises(ValueError, match="not 1"):
        T.squeeze(T.TensorType("float64", shape=(2, 3))(), 0)
    with pytest.raises(ValueError, match="flags"):
        T.patternbroadcast(x, (True,))


# ------------------------------------------------------------------- generators


def test_zeros_ones_fill():
    x = T.matrix("x", dtype="float32")
    n = T.lscalar("n")
    outputs = [
        T.zeros(x.shape),
        T.ones((n, 3), "int32"),
        T.zeros((), "int8"),
        T.ones(n, "bool"),
        T.zeros((x.shape[1], n)),
        T.fill(x, 3.5),
        T.fill(x, T.constant(np.array([1, 2, 3], "int64"))),
        T.second(x, 2),
        T.zeros_like(x),
    ]

    def expected(a, k):
        return [
            np.zeros(a.shape, "float64"),
            np.ones((k, 3), "int32"),
            np.zeros((), "int8"),
            np.ones(k, bool),
            np.zeros((a.shape[1], k)),
            np.full(a.shape, 3.5, "float32"),
            np.broadcast_to(np.array([1, 2, 3]), a.shape).copy(),
            np.full(a.shape, 2, "float32"),
            np.zeros_like(a),
        ]

    rng = np.random.default_rng(5)
    check(
        [x, n],
        outputs,
        [
            [rand((2, 3), "float32", rng), 4],
            [rand((0, 3), "float32", rng), 0],
            [rand((1, 3), "float32", rng), 1],
        ],
        expected,
    )
    with pytest.raises(ValueError, match="negative"):
        T.zeros((2, -1))
    for _, f in compile_modes([n], T.zeros((n, 2))):
        with pytest.raises(ValueError, match="negative"):
            f(-3)


ARANGE_CASES = [
    (5,),
    (0,),
    (-3,),
    (2, 9),
    (9, 2),
    (2, 9, 3),
    (9, 2, -2),
    (0, 1, 0.1),
    (1.5, -2.25, -0.5),
    (0.0, 1.0, 0.3),
    (-1, 1, 0.25),
    (3, 3),
]


def test_arange_static_bounds():
    outputs = [T.arange(*args) for args in ARANGE_CASES]
    outputs += [T.arange(5, dtype="float32"), T.arange(1, 4, dtype="int8"), T.arange(0.5, 3, dtype="int32")]
    for out, args in zip(outputs, ARANGE_CASES):
        assert out.type.shape == (len(np.arange(*args)),)
    for mode, f in compile_modes([], outputs):
        results = f()
        want = [np.arange(*args) for args in ARANGE_CASES]
        want += [
            np.arange(5, dtype="float32"),
            np.arange(1, 4, dtype="int8"),
            np.arange(0.5, 3).astype("int32"),
        ]
        for i, (got, w) in enumerate(zip(results, want)):
            assert_result(got, w, what=f"{mode} case {i}")
    with pytest.raises(ValueError, match="step is zero"):
        T.arange(0, 5, 0)


def test_arange_symbolic_bounds():
    a, b = T.lscalars("a", "b")
    s = T.iscalar("s")
    lo, hi, st = T.dscalars("lo", "hi", "st")
    f32 = T.fscalar("f")
    outputs = [
        T.arange(b),
        T.arange(a, b),
        T.arange(a, b, s),
        T.arange(lo, hi, st),
        T.arange(a, hi, 0.5),
        T.arange(f32),
        T.arange(a, b, dtype="float64"),
        T.arange(b) * 2,
    ]
    assert [o.dtype for o in outputs[:6]] == [
        "int64",
        "int64",
        "int64",
        "float64",
        "float64",
        "float32" if tg.config.floatX == "float32" else "float64",
    ]

    def expected(av, bv, sv, lov, hiv, stv, fv):
        return [
            np.arange(bv),
            np.arange(av, bv),
            np.arange(av, bv, sv),
            np.arange(lov, hiv, stv),
            np.arange(av, hiv, 0.5),
            np.arange(np.float64(fv)).astype(outputs[5].dtype),
            np.arange(av, bv).astype("float64"),
            np.arange(bv) * 2,
        ]

    args = [
        [2, 9, 3, 0.0, 1.0, 0.3, 2.5],
        [5, -3, -2, 1.0, -1.0, -0.25, 0.0],
        [0, 0, 1, 0.0, 0.0, 1.0, 1.0],
        [-4, 4, 5, -1.5, 2.5, 2.0, 3.0],
    ]
    check([a, b, s, lo, hi, st, f32], outputs, args, expected)
    for _, f in compile_modes([a, b, s], T.arange(a, b, s)):
        with pytest.raises(ValueError, match="step is zero"):
            f(0, 5, 0)
    for _, f in compile_modes([lo, hi, st], T.arange(lo, hi, st)):
        with pytest.raises(ValueError, match="cannot compute the length"):
            f(0.0, np.inf, 1.0)


def test_eye_and_identity_like():
    n, m, k = T.lscalars("n", "m", "k")
    x = T.imatrix("x")
    outputs = [
        T.eye(3),
        T.eye(n),
        T.eye(n, m, k),
        T.eye(n, m, -1, "int32"),
        T.eye(2, 4, 1, dtype="bool"),
        T.identity_like(x),
    ]
    assert outputs[0].type.shape == (3, 3)

    def expected(nv, mv, kv, xv):
        return [
            np.eye(3),
            np.eye(nv),
            np.eye(nv, mv, kv),
            np.eye(nv, mv, -1, "int32"),
            np.eye(2, 4, 1, bool),
            np.eye(*xv.shape, dtype="int32"),
        ]

    rng = np.random.default_rng(6)
    args = [
        [3, 4, 1, rand((2, 3), "int32", rng)],
        [0, 2, 0, rand((0, 0), "int32", rng)],
        [1, 1, -2, rand((1, 4), "int32", rng)],
        [4, 2, 5, rand((3, 3), "int32", rng)],
    ]
    check([n, m, k, x], outputs, args, expected)


# ------------------------------------------------------------------- repetition


def test_tile():
    rng = np.random.default_rng(7)
    x = T.matrix("x", dtype="int16")
    r = T.lscalar("r")
    outputs = [
        T.tile(x, (2, 3)),
        T.tile(x, (2,)),
        T.tile(x, (2, 1, 2)),
        T.tile(x, (r, 2)),
        T.tile(x, (1, 1)),
        T.tile(x, [r]),
    ]

    def expected(a, rv):
        return [
            np.tile(a, (2, 3)),
            np.tile(a, 2),
            np.tile(a, (2, 1, 2)),
            np.tile(a, (rv, 2)),
            a,
            np.tile(a, rv),
        ]

    args = [
        [rand(s, "int16", rng, -50, 50), rv] for s, rv in [((2, 3), 3), ((1, 1), 0), ((0, 2), 2), ((3, 1), 1)]
    ]
    check([x, r], outputs, args, expected)
    with pytest.raises(ValueError, match="negative"):
        T.tile(x, (-1, 2))


def test_repeat():
    rng = np.random.default_rng(8)
    x = T.tensor3("x", dtype="float32")
    r = T.iscalar("r")
    outputs = [
        T.repeat(x, 2),
        T.repeat(x, 3, axis=1),
        x.repeat(2, -1),
        x.repeat(r, 0),
        T.repeat(x, [2], 2),
        x.repeat(1, 1),
        T.repeat(x, np.array([2, 2]), axis=2),
        T.repeat(x, [3, 0], axis=2),
    ]

    def expected(a, rv):
        return [
            np.repeat(a, 2),
            np.repeat(a, 3, 1),
            np.repeat(a, 2, -1),
            np.repeat(a, rv, 0),
            np.repeat(a, 2, 2),
            a,
            np.repeat(a, 2, 2),
            np.repeat(a, [3, 0], 2),
        ]

    args = [
        [rand((2, 3, 2), "float32", rng), 2],
        [rand((1, 1, 2), "float32", rng), 0],
        [rand((2, 0, 2), "float32", rng), 3],
    ]
    check([x, r], outputs, args, expected)
    with pytest.raises(ValueError, match="negative"):
        T.repeat(x, -2)
    with pytest.raises(ValueError, match="non-negative integers"):
        T.repeat(x, [1, -2], axis=2)
    for _, f in compile_modes([x, r], x.repeat(r, 1)):
        with pytest.raises(ValueError, match="negative"):
            f(np.ones((1, 2, 2), "float32"), -1)


def test_repeat_with_a_count_per_element():
    x = T.dmatrix("x")
    counts = T.lvector("counts")
    outputs = [T.repeat(x, counts, axis=1), x.repeat(counts, 0)]
    rng = np.random.default_rng(11)
    for mode, f in compile_modes([x, counts], outputs[0]):
        for shape, c in [((2, 3), [1, 0, 2]), ((1, 1), [4]), ((2, 0), []), ((3, 2), [0, 0])]:
            a, cv = rand(shape, "float64", rng), np.array(c, "int64")
            assert_result(f(a, cv), np.repeat(a, cv, 1), what=f"{mode} {shape}")
        with pytest.raises(ValueError, match="cannot be broadcast to 3"):
            f(np.ones((2, 3)), np.array([1, 2]))
    with pytest.raises(TypeError, match="integers"):
        T.repeat(x, T.dvector(), 0)


# --------------------------------------------------------------------- gradients


GRADIENTS = {
    "reshape": lambda a: [
        a.reshape((2, -1)) * np.arange(6.0),
        a.T.reshape((a.shape[0], a.shape[1])) ** 2,
        T.flatten(T.exp(a)),
        T.tile(a, (2, 3)),
        T.repeat(a, 2, axis=1) ** 2,
    ],
    "join": lambda a: [
        T.concatenate([a, a * a, T.zeros((1, 4))], axis=0),
        T.join(1, a, T.tanh(a)),
        T.stack([a, a * 2], axis=1),
        T.split(a, [1, 2], 2, axis=0)[1] * T.split(T.roll(a, 1, 1), [2, 1], 2)[0],
    ],
    "broadcast": lambda a: [
        T.fill(a, T.shape_padright(a.sum(1))) * a + T.squeeze(T.shape_padleft(a)),
        T.addbroadcast(a.sum(0, keepdims=True).T.T, 0) * a,
    ],
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients(name):
    a = np.random.default_rng(9).uniform(0.5, 1.5, (3, 4))
    verify_grad(GRADIENTS[name], [a], n_tests=1, mode="FAST_RUN")


def test_gradient_interpreted():
    a = np.random.default_rng(10).uniform(0.5, 1.5, (3, 4))
    verify_grad(
        lambda x: T.concatenate([T.tile(x, (1, 2)), x.reshape((4, 3)).T], axis=1),
        [a],
        n_tests=1,
        mode="FAST_COMPILE",
    )


@pytest.mark.parametrize("mode", MODES)
def test_gradient_through_dynamic_shapes(mode):
    """The gradient of a reshape to sizes from another input flows back to x's shape."""
    x, y = T.dmatrices("x", "y")
    cost = (x.reshape(y.shape) * y).sum()
    g = tg.grad(cost, x)
    f = tg.function([x, y], g, mode=mode)
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2)
    assert_result(f(a, b), b.reshape(2, 3), what=mode)
