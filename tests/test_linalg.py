"""Linear algebra against numpy, compiled (FAST_RUN) and interpreted (FAST_COMPILE):
dot for every rank, tensordot, batched_dot, batched_tensordot, matmul and `@`;
size-0 and size-1 dimensions, dtypes, errors and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.gradient import verify_grad
from tg_testutil import MODES, check, compile_modes, rand

RANKS = [0, 1, 2, 3]


def _var(rank, name, dtype="float64"):
    return T.TensorType(dtype, [False] * rank)(name)


def _shapes(ra, rb, k, lead):
    """Operand shapes for numpy's dot of ranks ra and rb with contracted size k."""
    a = lead[: ra - 1] + (k,) if ra else ()
    if rb == 0:
        b = ()
    elif rb == 1:
        b = (k,)
    else:
        b = lead[: rb - 2] + (k, lead[-1])
    return a, b


def test_tg_tensor_exports_the_all_rank_dot():
    from tg.tensor import linalg

    assert T.dot is linalg.dot
    assert T.matmul is linalg.matmul


@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_dot_every_rank(dtype):
    rng = np.random.default_rng(0)
    inputs, outputs, pairs = [], [], []
    for ra in RANKS:
        for rb in RANKS:
            a, b = _var(ra, f"a{ra}{rb}", dtype), _var(rb, f"b{ra}{rb}", dtype)
            inputs += [a, b]
            outputs.append(T.dot(a, b) if (ra + rb) % 2 else a.dot(b))
            pairs.append((ra, rb))

    def expected(*arrays):
        return [np.dot(x, y) for x, y in zip(arrays[::2], arrays[1::2])]

    args = []
    for k, lead in [(3, (2, 4, 5)), (1, (1, 1, 1)), (0, (2, 3, 2)), (4, (0, 2, 3)), (2, (3, 1, 0))]:
        arrays = []
        for ra, rb in pairs:
            sa, sb = _shapes(ra, rb, k, lead)
            arrays += [rand(sa, dtype, rng, -3, 3), rand(sb, dtype, rng, -3, 3)]
        args.append(arrays)
    check(inputs, outputs, args, expected, rtol=1e-12)


def test_dot_dtypes_promote_as_numpy():
    a, b = T.fmatrix("a"), T.dtensor3("b")
    i, j = T.bvector("i"), T.ltensor3("j")
    outputs = [T.dot(a, b), T.dot(i, j), T.dot(a, 2), T.dot(np.ones((3, 2), "float32"), a)]
    assert [o.dtype for o in outputs] == ["float64", "int64", "float32", "float32"]
    rng = np.random.default_rng(1)
    args = [
        [
            rand((2, 3), "float32", rng),
            rand((4, 3, 5), "float64", rng),
            rand((3,), "int8", rng, -5, 5),
            rand((2, 3, 4), "int64", rng, -5, 5),
        ]
    ]
    check(
        [a, b, i, j],
        outputs,
        args,
        lambda x, y, p, q: [
            np.dot(x, y),
            np.dot(p, q),
            np.dot(x, np.float32(2)),
            np.dot(np.ones((3, 2), "float32"), x),
        ],
        rtol=1e-6,
    )


def test_tensordot():
    rng = np.random.default_rng(2)
    x, y = T.dtensor3("x"), T.dtensor4("y")
    m = T.dmatrix("m")
    outputs = [
        T.tensordot(x, y, [[1, 2], [0, 3]]),
        T.tensordot(x, y, ([2], [3])),
        T.tensordot(m, m, 2),
        T.tensordot(m, m, 1),
        T.tensordot(x, m, 0),
        T.tensordot(x, y, [[-1, 0], [-1, 1]]),
        T.tensordot(m, x, [1, 1]),
    ]

    def expected(a, b, c):
        return [
            np.tensordot(a, b, [[1, 2], [0, 3]]),
            np.tensordot(a, b, ([2], [3])),
            np.tensordot(c, c, 2),
            np.tensordot(c, c, 1),
            np.tensordot(a, c, 0),
            np.tensordot(a, b, [[-1, 0], [-1, 1]]),
            np.tensordot(c, a, [1, 1]),
        ]

    # x (p, q, r), y (q, p, s, r) and m (q, q) fit every contraction above
    args = [
        [rand((p, q, r), "float64", rng), rand((q, p, s, r), "float64", rng), rand((q, q), "float64", rng)]
        for p, q, r, s in [(2, 3, 4, 5), (1, 1, 1, 1), (2, 0, 3, 4), (3, 2, 2, 0)]
    ]
    check([x, y, m], outputs, args, expected)


def test_batched_dot_theano_semantics():
    rng = np.random.default_rng(3)
    x3, y3 = T.dtensor3("x3"), T.dtensor3("y3")
    x2, y2 = T.dmatrix("x2"), T.dmatrix("y2")
    v = T.dvector("v")
    x4 = T.dtensor4("x4")
    outputs = [
        T.batched_dot(x3, y3),
        T.batched_dot(x2, y2),
        T.batched_dot(x2, y3),
        T.batched_dot(x3, y2),
        T.batched_dot(v, x3),
        T.batched_dot(x4, y3),
    ]

    def expected(a3, b3, a2, b2, c, a4):
        return [
            np.matmul(a3, b3),
            np.einsum("bi,bi->b", a2, b2),
            np.einsum("bi,bij->bj", a2, b3),
            np.einsum("bij,bj->bi", a3, b2),
            c[:, None, None] * a3,
            np.einsum("bpqk,bkj->bpqj", a4, b3),
        ]

    args = []
    for n, i, k, j in [(2, 3, 4, 5), (1, 1, 1, 1), (0, 2, 3, 2), (3, 2, 0, 2), (2, 0, 3, 1)]:
        args.append(
            [
                rand((n, i, k), "float64", rng),
                rand((n, k, j), "float64", rng),
                rand((n, k), "float64", rng),
                rand((n, k), "float64", rng),
                rand((n,), "float64", rng),
                rand((n, 2, i, k), "float64", rng),
            ]
        )
    check([x3, y3, x2, y2, v, x4], outputs, args, expected)


def test_batched_tensordot():
    rng = np.random.default_rng(4)
    x, y = T.dtensor3("x"), T.dtensor4("y")
    outputs = [T.batched_tensordot(x, y, [[2], [1]]), T.batched_tensordot(x, y, [[1, 2], [3, 1]])]

    args = [
        [rand((2, 3, 4), "float64", rng), rand((2, 4, 5, 3), "float64", rng)],
        [rand((1, 1, 1), "float64", rng), rand((1, 1, 2, 1), "float64", rng)],
    ]
    check(
        [x, y],
        outputs,
        args,
        lambda a, b: [np.einsum("bij,bjkl->bikl", a, b), np.einsum("bij,bjki->bk", a, b)],
    )


def test_matmul_and_the_at_operator():
    rng = np.random.default_rng(5)
    a3, b3 = T.dtensor3("a3"), T.dtensor3("b3")
    m, v = T.dmatrix("m"), T.dvector("v")
    r = T.TensorType("float64", (True, False, False))("r")  # a stack of one matrix, broadcast
    outputs = [
        a3 @ b3,
        T.matmul(m, m),
        v @ m,
        m @ v,
        v @ v,
        a3 @ m,
        m @ a3,
        a3 @ v,
        v @ a3,
        r @ b3,
        b3 @ r,
        np.eye(3) @ m,
    ]

    def expected(x3, y3, mm, vv, rr):
        return [
            x3 @ y3,
            mm @ mm,
            vv @ mm,
            mm @ vv,
            vv @ vv,
            x3 @ mm,
            mm @ x3,
            x3 @ vv,
            vv @ x3,
            rr @ y3,
            y3 @ rr,
            np.eye(3) @ mm,
        ]

    args = []
    for n, k in [(2, 3), (1, 3), (0, 3)]:
        args.append(
            [
                rand((n, k, k), "float64", rng),
                rand((n, k, k), "float64", rng),
                rand((k, k), "float64", rng),
                rand((k,), "float64", rng),
                rand((1, k, k), "float64", rng),
            ]
        )
    check([a3, b3, m, v, r], outputs, args, expected)


def test_matmul_batch_broadcast_of_static_dims():
    rng = np.random.default_rng(6)
    a = T.TensorType("float32", (False, True, False, False))("a")
    b = T.TensorType("float32", (True, False, False, False))("b")
    out = T.matmul(a, b)
    assert out.broadcastable == (False, False, False, False)
    check(
        [a, b],
        out,
        [[rand((2, 1, 3, 4), "float32", rng), rand((1, 5, 4, 2), "float32", rng)]],
        lambda x, y: np.matmul(x, y),
        rtol=1e-5,
    )


def test_integer_matmul_keeps_its_dtype():
    a, b = T.itensor3("a"), T.itensor3("b")
    out = T.batched_dot(a, b)
    assert out.dtype == "int32"
    rng = np.random.default_rng(7)
    check(
        [a, b],
        [out, a @ b],
        [[rand((2, 3, 4), "int32", rng, -9, 9), rand((2, 4, 2), "int32", rng, -9, 9)]],
        lambda x, y: [np.matmul(x, y)] * 2,
    )


def test_static_mismatches_fail_when_built():
    a, b = T.TensorType("float64", shape=(None, 3))("a"), T.TensorType("float64", shape=(4, None))("b")
    for fn in (T.dot, T.matmul):
        with pytest.raises(ValueError, match="contracted dimensions differ"):
            fn(a, b)
    with pytest.raises(ValueError, match="contracted dimensions differ"):
        T.tensordot(a, b, 1)
    with pytest.raises(ValueError, match="0-d|at least one dimension"):
        T.matmul(T.dscalar(), a)
    with pytest.raises(TypeError, match="batch axis"):
        T.batched_dot(T.dscalar(), a)
    with pytest.raises(ValueError, match="axes"):
        T.tensordot(a, b, [[0, 1], [0]])
    with pytest.raises(ValueError, match="cannot contract"):
        T.tensordot(a, b, 3)


@pytest.mark.parametrize("mode", MODES)
def test_dynamic_mismatches_raise(mode):
    x3, y3 = T.dtensor3("x3"), T.dtensor3("y3")
    m = T.dmatrix("m")
    f = tg.function(
        [x3, y3, m], [T.dot(x3, y3), T.tensordot(x3, m, [[1, 2], [0, 1]]), T.batched_dot(x3, y3)], mode=mode
    )
    good = [np.ones((2, 3, 4)), np.ones((2, 4, 5)), np.ones((3, 4))]
    f(*good)
    for bad in (
        [np.ones((2, 3, 4)), np.ones((2, 5, 5)), good[2]],  # dot: 4 vs 5
        [good[0], good[1], np.ones((4, 3))],  # tensordot: (3, 4) vs (4, 3), equal products
        [np.ones((2, 3, 4)), np.ones((3, 4, 5)), good[2]],
    ):  # batch 2 vs 3
        with pytest.raises(ValueError):
            f(*bad)


# --------------------------------------------------------------------- gradients


GRADIENTS = {
    "dot": (
        lambda x, y, v: [T.dot(x, y), T.dot(x, v), T.dot(v, y.dimshuffle(2, 1, 0))],
        [(2, 3, 4), (3, 4, 2), (4,)],
    ),
    "tensordot": (lambda x, y, v: T.tensordot(x, y, [[0, 2], [2, 1]]), [(2, 3, 4), (3, 4, 2), (4,)]),
    "batched": (
        lambda x, y, v: [
            T.batched_dot(x, y.dimshuffle(2, 1, 0)),
            T.batched_dot(x.sum(1), y.dimshuffle(2, 1, 0)),
            T.matmul(x, v),
        ],
        [(2, 3, 4), (3, 4, 2), (4,)],
    ),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients(name):
    fn, shapes = GRADIENTS[name]
    rng = np.random.default_rng(8)
    verify_grad(fn, [rng.normal(size=s) for s in shapes], n_tests=1, mode="FAST_RUN")


def test_gradient_interpreted():
    rng = np.random.default_rng(9)
    verify_grad(
        lambda x, y: T.matmul(x, y) + T.dot(x, y[0]),
        [rng.normal(size=(2, 2, 3)), rng.normal(size=(2, 3, 2))],
        n_tests=1,
        mode="FAST_COMPILE",
    )


def test_compiled_functions_run_once_per_mode():
    x, y = T.dtensor3("x"), T.dtensor3("y")
    modes = compile_modes([x, y], T.dot(x, y))
    assert [mode for mode, _ in modes] == list(MODES)
