"""Indexing against numpy in compiled (FAST_RUN) and interpreted (FAST_COMPILE) mode:
basic subtensors (views), integer-array and boolean-mask indexing, set/inc_subtensor,
nonzero, their gradients, and index errors raised before any shared variable changes."""

from __future__ import annotations

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.dialects import tg_indexing as ix
from tg.gradient import verify_grad
from tg_testutil import MODES, assert_result, check, rand


def _compare(inputs, outputs, arg_sets, expected):
    """`check` for a list of outputs whose numpy references come as one list."""
    check(inputs, list(outputs), arg_sets, expected)


# ------------------------------------------------------------------ basic indexing


BASIC_KEYS = [
    lambda i, j: (slice(1, None), slice(None, None, -1)),
    lambda i, j: (slice(None, None, 2), slice(None, None, -2)),
    lambda i, j: (slice(-3, -1), slice(10, -10, -1)),
    lambda i, j: (slice(i, j),),
    lambda i, j: (slice(j, i, -1), slice(i, None)),
    lambda i, j: (slice(None, j, 2), Ellipsis),
    lambda i, j: (Ellipsis, slice(i, i)),
    lambda i, j: (slice(5, 1),),
    lambda i, j: (slice(-100, 100), slice(None, -100, -1)),
    lambda i, j: (None, slice(1, None), None, slice(None, None, -1)),
    lambda i, j: (Ellipsis, None),
]


def test_basic_slices_shapes_and_bounds():
    """Slices with constant and symbolic (negative, out-of-range) bounds over
    matrices with size-0 and size-1 dimensions."""
    x, i, j = T.dmatrix("x"), T.lscalar("i"), T.iscalar("j")
    outputs = [x[k(i, j)] for k in BASIC_KEYS]
    rng = np.random.default_rng(0)
    args = [
        (rand(shape, "float64", rng), np.int64(a), np.int32(b))
        for shape, a, b in [((4, 5), 1, 3), ((0, 3), 0, 2), ((1, 1), -1, 5), ((6, 0), -4, -1), ((3, 7), 7, -8)]
    ]
    _compare([x, i, j], outputs, args, lambda a, p, q: [a[k(int(p), int(q))] for k in BASIC_KEYS])


def test_basic_integer_indices():
    x, i, j = T.dtensor3("x"), T.lscalar("i"), T.bscalar("j")
    keys = [
        lambda i, j: (i,),
        lambda i, j: (-1, j),
        lambda i, j: (slice(None), i, slice(None, None, -1)),
        lambda i, j: (i, j, 0),
        lambda i, j: (Ellipsis, j),
        lambda i, j: (0, None, slice(1, None)),
    ]
    outputs = [x[k(i, j)] for k in keys]
    rng = np.random.default_rng(1)
    args = [(rand((2, 3, 4), "float64", rng), np.int64(p), np.int8(q)) for p, q in [(0, 1), (-2, -3), (1, 2)]]
    _compare([x, i, j], outputs, args, lambda a, p, q: [a[k(int(p), int(q))] for k in keys])


@pytest.mark.parametrize("dtype", ["float32", "bool", "int8", "int16", "int32", "int64"])
def test_basic_dtypes(dtype):
    x = T.matrix("x", dtype=dtype)
    rng = np.random.default_rng(2)
    args = [(rand((3, 4), dtype, rng),), (rand((1, 0), dtype, rng),)]
    _compare([x], [x[::-1, 1:], x[-1], x[:, ::3]], args, lambda a: [a[::-1, 1:], a[-1], a[:, ::3]])


def test_symbolic_step():
    """A step known only at run time may be negative; the defaults follow its sign."""
    x, k, s = T.dvector("x"), T.lscalar("k"), T.lscalar("s")
    outputs = [x[::k], x[s::k], x[:s:k], x[1:-1:k]]
    rng = np.random.default_rng(3)
    args = [(rand((n,), "float64", rng), np.int64(kk), np.int64(ss)) for n, kk, ss in
            [(7, 2, 1), (7, -2, 5), (7, -1, -2), (0, -3, 0), (1, 5, 0), (10, -4, 100)]]
    _compare([x, k, s], outputs, args,
             lambda a, kk, ss: [a[::kk], a[ss::kk], a[:ss:kk], a[1:-1:kk]])


def test_minibatch_idiom_on_shared_data():
    """`data[i*bs:(i+1)*bs]` reads `i` before the call: the result's shape is known,
    and the batch is a view fused into its consumer."""
    data = tg.shared(np.arange(30.0).reshape(10, 3), name="data")
    i = T.lscalar("i")
    bs = 4
    batch = data[i * bs : (i + 1) * bs]
    for mode in MODES:
        f = tg.function([i], [batch, batch.sum(), batch.shape[0]], mode=mode)
        for n in range(3):
            want = data.get_value()[n * bs : (n + 1) * bs]
            got = f(n)
            assert_result(got[0], want)
            assert_result(got[1], want.sum())
            assert int(got[2]) == len(want)
    loops = tg.function([i], batch.sum()).ir("loops")
    assert "memref.alloc" not in loops  # the view is index arithmetic in the sum's loop


def test_static_shapes():
    x = T.TensorType("float64", shape=(5, None, 1))("x")
    assert x[1:3].type.shape == (2, None, 1)
    assert x[::-2, 0].type.shape == (3, 1)
    assert x[:, :, :].type.shape == (5, None, 1)
    assert x[None, 4, ..., 0].type.shape == (1, None)
    assert x[T.lscalar():].type.shape == (None, None, 1)


# ------------------------------------------------------------- advanced indexing


def test_advanced_integer_arrays():
    """x[idx], x[idx, :], x[:, idx], x[rows, cols], broadcasting index arrays, integers
    among arrays, negative and repeated indices, arrays of several integer dtypes."""
    x = T.dtensor3("x")
    a, b = T.lvector("a"), T.ivector("b")
    m = T.bmatrix("m")
    keys = [
        lambda a, b, m: (a,),
        lambda a, b, m: (a, slice(None)),
        lambda a, b, m: (slice(None), b),
        lambda a, b, m: (a, b),
        lambda a, b, m: (slice(None), a, b),
        lambda a, b, m: (a, slice(None), b),
        lambda a, b, m: (0, slice(None), b),
        lambda a, b, m: (slice(None), 1, b),
        lambda a, b, m: (m,),
        lambda a, b, m: (slice(None), slice(None), m),
        lambda a, b, m: (a[:, None], b),
        lambda a, b, m: (slice(1, None), b, slice(None, None, -1)),
        lambda a, b, m: ([1, 0, -1], slice(None), [[0], [2]]),
        lambda a, b, m: (None, a, Ellipsis),
        lambda a, b, m: (a, None, b),
    ]
    outputs = [x[k(a, b, m)] for k in keys]
    rng = np.random.default_rng(4)
    args = [
        (rand((2, 3, 4), "float64", rng), np.array([0, -1, 1, 1]), np.array([2, 0, -3, 2], np.int32),
         np.array([[0, 1], [-2, 1]], np.int8)),
        (rand((3, 3, 3), "float64", rng), np.array([], np.int64), np.array([], np.int32),
         np.zeros((0, 2), np.int8)),
    ]
    _compare([x, a, b, m], outputs, args, lambda p, q, r, s: [p[k(q, r, s)] for k in keys])


def test_advanced_size_zero_dims():
    x, idx = T.dmatrix("x"), T.lvector("idx")
    rng = np.random.default_rng(5)
    args = [(rand((4, 0), "float64", rng), np.array([3, -4])), (rand((2, 3), "float64", rng), np.array([], np.int64))]
    _compare([x, idx], [x[idx], x[idx, :0], x[idx][:, ::-1]], args, lambda a, i: [a[i], a[i, :0], a[i][:, ::-1]])


@pytest.mark.parametrize("dtype", ["float32", "bool", "int16", "int64"])
def test_advanced_dtypes(dtype):
    x, idx = T.matrix("x", dtype=dtype), T.wvector("idx")
    rng = np.random.default_rng(6)
    args = [(rand((3, 4), dtype, rng), np.array([2, -1, 0], np.int16))]
    _compare([x, idx], [x[idx], x[:, idx]], args, lambda a, i: [a[i], a[:, i]])


def test_nll_idiom():
    """`-mean(log(p)[arange(n), y])`: the gather reads only the picked log-probabilities."""
    p, y, rows = T.dmatrix("p"), T.ivector("y"), T.lvector("rows")
    rng = np.random.default_rng(7)
    probs = rng.uniform(0.1, 1.0, (5, 3))
    labels = np.array([0, 2, 1, 1, 2], np.int32)

    def nll(q, lab):
        return -np.mean(np.log(q)[np.arange(len(lab)), lab])

    check([p, rows, y], -T.mean(T.log(p)[rows, y]), [(probs, np.arange(5), labels)], lambda q, r, lab: nll(q, lab))
    if hasattr(T, "arange"):
        cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
        check([p, y], cost, [(probs, labels), (probs[:0], labels[:0])], nll)
        loops = tg.function([p, y], cost).ir("loops")
        # log(p) is computed inline at the picked elements: no buffer holds all of it
        assert not [line for line in loops.splitlines() if "memref.alloc" in line and "?x?" in line]
        verify_grad(lambda q: -T.mean(T.log(q)[T.arange(labels.shape[0]), labels]), [probs])
    verify_grad(lambda q: -T.mean(T.log(q)[np.arange(5), labels]), [probs])


# ------------------------------------------------------------------ boolean masks


def test_masks_and_nonzero():
    """Masks of the full shape and of leading dimensions (arguments, constants and
    computed ones, which run the function in stages), nonzero and friends."""
    x = T.dmatrix("x")
    m = T.TensorType("bool", (False, False))("m")
    r = T.TensorType("bool", (False,))("r")
    const = np.array([True, False, True, True])
    outputs = [
        x[m], x[r], x[r, 1:], x[x > 0], x[x > 0].sum(),
        x[const], x[T.lt(x, 0)], *T.nonzero(x > 0.5), T.nonzero(m, return_matrix=True),
        T.nonzero_values(x * (x > 0)), T.flatnonzero(x > 0), x[r][m[r]],
    ]

    def want(a, mm, rr):
        return [a[mm], a[rr], a[rr, 1:], a[a > 0], a[a > 0].sum(), a[const], a[a < 0], *np.nonzero(a > 0.5),
                np.array(np.nonzero(mm)), (a * (a > 0))[np.nonzero(a * (a > 0))], np.flatnonzero(a > 0),
                a[rr][mm[rr]]]

    rng = np.random.default_rng(8)
    args = []
    for shape in [(4, 3), (4, 1)]:
        args.append((rand(shape, "float64", rng), rng.random(shape) < 0.5, rng.random(shape[0]) < 0.5))
    args.append((rand((4, 2), "float64", rng), np.zeros((4, 2), bool), np.ones(4, bool)))
    _compare([x, m, r], outputs, args, want)


def test_mask_on_later_dimension_and_newaxis():
    x = T.dtensor3("x")
    m = T.TensorType("bool", (False, False))("m")
    keys = [lambda m: (slice(None), m), lambda m: (None, 0, m), lambda m: (1, m), lambda m: (slice(None, None, -1), m)]
    rng = np.random.default_rng(9)
    args = [(rand((2, 3, 4), "float64", rng), rng.random((3, 4)) < 0.5)]
    _compare([x, m], [x[k(m)] for k in keys], args, lambda a, mm: [a[k(mm)] for k in keys])


# -------------------------------------------------------------- set / inc_subtensor


def test_set_inc_basic():
    x, y, v = T.dmatrix("x"), T.dmatrix("y"), T.dvector("v")
    i = T.lscalar("i")
    outputs = [
        T.set_subtensor(x[1:3], y),
        T.inc_subtensor(x[::-2, i], 1.5),
        T.set_subtensor(x[i], v),
        T.inc_subtensor(x[:, i:], 2.0),
        T.set_subtensor(x[...], 0.0),
        T.inc_subtensor(x[-1:, None, 1], 3.0),
        T.set_subtensor(x[5:], 9.0),
        T.inc_subtensor(x[1:3], y[0]),
        T.inc_subtensor(x[i, ::-1], v),
    ]

    def want(a, b, c, k):
        results = []
        for key, value, inc in [
            ((slice(1, 3),), b, False), ((slice(None, None, -2), k), 1.5, True), ((k,), c, False),
            ((slice(None), slice(k, None)), 2.0, True), ((Ellipsis,), 0.0, False), ((slice(-1, None), 1), 3.0, True),
            ((slice(5, None),), 9.0, False), ((slice(1, 3),), b[0], True), ((k, slice(None, None, -1)), c, True),
        ]:
            out = a.copy()
            if inc:
                out[key] += value
            else:
                out[key] = value
            results.append(out)
        return results

    rng = np.random.default_rng(10)
    args = [(rand((4, 3), "float64", rng), rand((2, 3), "float64", rng), rand((3,), "float64", rng), np.int64(1)),
            (rand((3, 3), "float64", rng), rand((2, 3), "float64", rng), rand((3,), "float64", rng), np.int64(-1))]
    _compare([x, y, v, i], outputs, args, want)


def test_set_inc_advanced_and_masks():
    """Repeated indices accumulate for inc and the last write wins for set."""
    x, v = T.dmatrix("x"), T.dvector("v")
    idx, cols = T.lvector("idx"), T.ivector("cols")
    outputs = [
        T.inc_subtensor(x[idx], 1.0),
        T.set_subtensor(x[idx], 7.0),
        T.inc_subtensor(x[:, cols], 2.0),
        T.inc_subtensor(x[idx, cols], v),
        T.set_subtensor(x[idx, cols], v),
        T.set_subtensor(x[x > 0], 0.0),
        T.inc_subtensor(x[x < 0], -x[x < 0]),
        T.inc_subtensor(x[1:, cols], 1.0),
        T.set_subtensor(x[None, idx], 3.0),
    ]

    def want(a, b, i, c):
        out = []
        r = a.copy(); np.add.at(r, i, 1.0); out.append(r)
        r = a.copy(); r[i] = 7.0; out.append(r)
        r = a.copy(); np.add.at(r, (slice(None), c), 2.0); out.append(r)
        r = a.copy(); np.add.at(r, (i, c), b); out.append(r)
        r = a.copy(); r[i, c] = b; out.append(r)
        r = a.copy(); r[r > 0] = 0.0; out.append(r)
        r = a.copy(); r[r < 0] += -a[a < 0]; out.append(r)
        r = a.copy(); sub = r[1:]; np.add.at(sub, (slice(None), c), 1.0); out.append(r)
        r = a.copy(); r[i] = 3.0; out.append(r)
        return out

    rng = np.random.default_rng(11)
    args = [(rand((4, 3), "float64", rng), rand((4,), "float64", rng), np.array([0, 2, 0, -1]),
             np.array([1, 1, -3, 2], np.int32)),
            (rand((2, 3), "float64", rng), rand((0,), "float64", rng), np.array([], np.int64), np.zeros(0, np.int32))]
    _compare([x, v, idx, cols], outputs, args, want)


def test_set_last_write_wins_in_row_major_order():
    x, idx, y = T.dvector("x"), T.lvector("idx"), T.dvector("y")
    check([x, idx, y], T.set_subtensor(x[idx], y), [(np.zeros(3), np.array([1, 1, -2, 0]), np.arange(4.0))],
          lambda a, i, b: np.array([3.0, 2.0, 0.0]))


def test_nested_gathers_with_computed_indices_and_ignore_duplicates():
    x, idx = T.dmatrix("x"), T.lvector("idx")
    outputs = [
        x[idx + 0][idx[::-1] - 1],
        x[idx][:, idx + 1],
        T.inc_subtensor(x[idx], 1.0, ignore_duplicates=True),
        T.inc_subtensor(x[idx], 1.0, set_instead_of_inc=True),
    ]

    def want(a, i):
        b = a.copy()
        b[i] += 1.0
        c = a.copy()
        c[i] = 1.0
        return [a[i][i[::-1] - 1], a[i][:, i + 1], b, c]

    rng = np.random.default_rng(13)
    _compare([x, idx], outputs, [(rand((4, 5), "float64", rng), np.array([3, 0, 1, 1]))], want)


def test_set_subtensor_of_an_op_built_without_get_item():
    x, idx = T.dvector("x"), T.lvector("idx")
    r = T.TensorVariable((x[1:]).value)  # a fresh handle: the op itself says what was indexed
    s = T.TensorVariable((x[idx]).value)
    check([x, idx], [T.set_subtensor(r, 1.0), T.inc_subtensor(s, 1.0)], [(np.zeros(3), np.array([0, 0]))],
          lambda a, i: [np.array([0.0, 1, 1]), np.array([2.0, 0, 0])])
    with pytest.raises(TypeError, match="indexed tensor"):
        T.set_subtensor(x + 1, 0.0)


def test_set_inc_value_checks():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="cannot be broadcast"):
        T.set_subtensor(T.TensorType("float64", shape=(4, 3))()[:2], np.ones((3, 3)))
    with pytest.raises(ValueError, match="cannot be written"):
        T.set_subtensor(x[0], np.ones((2, 3)))
    b = T.TensorType("bool", (False,))("b")
    with pytest.raises(TypeError, match="boolean"):
        T.inc_subtensor(b[1:], True)
    y = T.dvector("y")
    f = tg.function([x, y], T.set_subtensor(x[1:], y))
    with pytest.raises(ValueError, match="the indexed subtensor has size"):
        f(np.zeros((3, 4)), np.zeros(3))


# ------------------------------------------------------------------- gradients


@pytest.mark.parametrize("mode", MODES)
def test_gradients(mode):
    """Gradients of every indexing op (checked together: verify_grad projects all
    outputs onto one random cost)."""
    rng = np.random.default_rng(12)
    a = rng.standard_normal((4, 3))
    rows = np.array([0, 0, 3, -1])

    def gathers(x):
        return [x[1:, ::-2] * x[:-1, ::2], x[rows], x[rows, [2, 1, 0, 0]] ** 2, x[x > 0], x[2]]

    def puts(x, y, v, w, c):
        return [
            T.set_subtensor(x[1:3], y) ** 2,
            T.inc_subtensor(x[:, 1], v) ** 2,
            T.inc_subtensor(x[rows], w) ** 2,
            T.set_subtensor(x[:, [0, 2]], c) ** 2,
        ]

    verify_grad(gathers, [a], n_tests=1, mode=mode)
    pt = [a, rng.standard_normal((2, 3)), rng.standard_normal(4), rng.standard_normal((4, 3)), rng.standard_normal((4, 1))]
    verify_grad(puts, pt, n_tests=1, mode=mode)


# ---------------------------------------------------------------------- errors


def test_out_of_bounds_checked_before_the_call():
    """Indices from arguments and constants are checked by the shape program; the
    message names the index and the dimension's size."""
    x, i, idx = T.dmatrix("x"), T.lscalar("i"), T.lvector("idx")
    a = np.zeros((3, 4))
    for mode in MODES:
        f = tg.function([x, i, idx], [x[i], x[:, idx], x[-1, idx]], mode=mode)
        f(a, 2, np.array([3, -4]))
        with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
            f(a, 3, np.array([0]))
        with pytest.raises(IndexError, match="index -4 is out of bounds for axis 0 with size 3"):
            f(a, -4, np.array([0]))
        with pytest.raises(IndexError, match="index 4 is out of bounds for axis 1 with size 4"):
            f(a, 0, np.array([4]))
        with pytest.raises(IndexError, match="index -5 is out of bounds for axis 1 with size 4"):
            f(a, 0, np.array([-5]))
        with pytest.raises(IndexError, match="out of bounds for axis 0 with size 0"):
            f(np.zeros((0, 4)), 0, np.array([], np.int64))


def test_out_of_bounds_computed_indices_leave_shared_variables_unchanged():
    """Indices computed by generated code are checked there; nothing is read or
    written out of bounds and updates are applied only after success."""
    w = tg.shared(np.arange(6.0).reshape(3, 2), name="w")
    idx = T.lvector("idx")
    for mode in MODES:
        f = tg.function([idx], w[idx + 1].sum(), updates=[(w, T.inc_subtensor(w[idx * 2], 1.0))], mode=mode)
        before = w.get_value()
        f(np.array([0, 1]))
        expected = before.copy()
        np.add.at(expected, np.array([0, 2]), 1.0)
        np.testing.assert_array_equal(w.get_value(), expected)
        for bad in (np.array([2]), np.array([-5])):
            kept = w.get_value()
            with pytest.raises(IndexError, match="out of bounds for axis 0"):
                f(bad)
            np.testing.assert_array_equal(w.get_value(), kept)
        g = tg.function([idx], T.set_subtensor(w[idx * 2], 0.0), mode=mode)
        with pytest.raises(IndexError, match="out of bounds for axis 0"):
            g(np.array([0, 2]))
        z = T.dvector("z")
        h = tg.function([z, idx], z[idx - 1], mode=mode)  # an empty dimension: any index is out of bounds
        with pytest.raises(IndexError, match="out of bounds for axis 0"):
            h(np.zeros(0), np.array([0]))


def test_mask_shape_mismatch():
    x = T.dmatrix("x")
    r = T.TensorType("bool", (False,))("r")
    for mode in MODES:
        f = tg.function([x, r], x[r], mode=mode)
        with pytest.raises(IndexError, match="boolean index did not match indexed array along axis 0; size of axis is 3"):
            f(np.zeros((3, 2)), np.ones(2, bool))
    with pytest.raises(IndexError, match="boolean index did not match"):
        T.TensorType("float64", shape=(3, None))()[np.ones(2, bool)]


def test_key_errors():
    x = T.dmatrix("x")
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match="integer or boolean type"):
        x[T.dvector()]
    with pytest.raises(IndexError, match="valid indices"):
        x[1.5]
    with pytest.raises(IndexError, match="integer"):
        x[T.dscalar():]
    with pytest.raises(ValueError, match="step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match="could not be broadcast"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError, match="out of bounds for axis 1 with size 3"):
        T.TensorType("float64", shape=(None, 3))()[:, 3]
    with pytest.raises(ValueError, match="0-d"):
        T.nonzero(T.dscalar())
    k = T.lscalar("k")
    for mode in MODES:
        f = tg.function([x, k], x[::k], mode=mode)
        with pytest.raises(ValueError, match="step of dimension 0 is zero"):
            f(np.zeros((2, 2)), 0)


def test_key_encoding_helpers():
    entries = [(1, ix.NONE, 0), (ix.DYNAMIC, ix.NONE, -1), ix.FULL]
    assert ix.resolve_key(entries, [np.int64(3)]) == [1, slice(3, None, -1), slice(None, None, 1)]
    assert ix.basic_static_shape(entries, (4, 6, 5)) == (None, 5)
    assert ix.indexed_shape((2, 3, 4), [0, 2], (5,)) == (5, 3)
    assert ix.indexed_shape((2, 3, 4), [1, 2], (5, 6)) == (2, 5, 6)


# ------------------------------------------------------------------ IR syntax


def _parse(text: str):
    from tg.pipeline import context
    from xdsl.parser import Parser

    return Parser(context(), text).parse_module()


def test_frontend_graphs_print_and_parse_back():
    x, i, idx = T.dtensor3("x"), T.lscalar("i"), T.ivector("idx")
    m = T.TensorType("bool", (False,))("m")
    outputs = [x[i:, ::-2, -1], T.inc_subtensor(x[idx, 1:], 1.0), x[0, m], T.set_subtensor(x[:, idx], 0.0)]
    text = tg.function([x, i, idx, m], outputs).ir("graph")
    module = _parse(text)
    module.verify()
    assert str(module) == text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("%r = tg.subtensor %x[1:3] : tensor<5xf32>", "expected `: input type -> result type`"),
        ("%r = tg.subtensor %x[1:3, ] : tensor<5xf32> -> tensor<2xf32>", "expected an integer, an operand or a slice"),
        ("%r = tg.set_subtensor %x[1:3], %x : tensor<5xf32> -> tensor<5xf32>", "expected `: input type, value type`"),
        ("%r = tg.advanced_subtensor %x[%x] : tensor<5xf32> -> tensor<5xf32>", "expected `: input type, index types"),
        ("%r = tg.nonzero %x for %x : tensor<5xf32>, tensor<5xf32> -> tensor<1x?xi64>", "at"),
    ],
)
def test_custom_syntax_errors(source, message):
    from xdsl.utils.exceptions import ParseError

    text = f"func.func @f(%x: tensor<5xf32>) {{\n  {source}\n  func.return\n}}"
    with pytest.raises(ParseError, match=message):
        _parse(text)


def test_huge_symbolic_steps_match_numpy():
    """Steps near +-2**63 must not overflow the slice-length arithmetic."""
    x = T.dvector("x")
    s = T.lscalar("s")
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        f = tg.function([x, s], x[::s], mode=mode)
        for a in (np.arange(5.0), np.arange(0.0), np.arange(1.0)):
            for step in (2**63 - 1, -(2**63 - 1), -(2**63), 1, -1, 2, -2, 7, -7):
                np.testing.assert_array_equal(f(a, step), a[::step])
