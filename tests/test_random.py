"""Random streams: Theano's RandomStreams/MRG_RandomStreams semantics, bit-identical
draws in compiled and interpreted code, distributions, dtype and shape rules, errors."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.dialects import tg_random as R
from tg.sandbox.rng_mrg import MRG_RandomStreams
from tg.tensor import random as raw
from tg.tensor.shared_randomstreams import RandomStateArray, RandomStreams

MODES = ("FAST_RUN", "FAST_COMPILE")
N = 100_000


def _both(inputs, outputs, streams, seed, args=(), **kwargs):
    """The outputs of one call in each mode, every stream reseeded before each."""
    results = []
    for mode in MODES:
        streams.seed(seed)
        results.append(tg.function(inputs, outputs, mode=mode, **kwargs)(*args))
    return results


def _ks(sample: np.ndarray, cdf) -> float:
    """Kolmogorov-Smirnov statistic of a sample against a continuous CDF."""
    x = np.sort(sample.astype(np.float64))
    f = cdf(x)
    n = len(x)
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


def _ks_bound(n: int) -> float:
    return 1.95 / math.sqrt(n)  # p = 0.001


def _chi2_ok(counts: np.ndarray, expected_p: np.ndarray) -> bool:
    """Chi-square goodness of fit at p = 1e-4 (Wilson-Hilferty critical value)."""
    keep = expected_p > 0
    n = counts.sum()
    expected = n * expected_p[keep]
    stat = float(np.sum((counts[keep] - expected) ** 2 / expected))
    df = int(keep.sum()) - 1
    z = 3.719
    critical = df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3
    return bool(stat < critical and np.all(counts[~keep] == 0))


_erf = np.vectorize(math.erf)


def _normal_cdf(mean: float, std: float):
    return lambda x: 0.5 * (1 + _erf((x - mean) / (std * math.sqrt(2))))


# --------------------------------------------------------------- Theano semantics


@pytest.mark.parametrize("mode", MODES)
def test_tutorial_semantics(mode):
    """Theano's tutorial: new draws per call, frozen with no_default_updates, and one
    value per call however often a variable is used."""
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    rv_n = srng.normal((2, 2))
    f = tg.function([], rv_u, mode=mode)
    g = tg.function([], rv_n, no_default_updates=True, mode=mode)
    nearly_zeros = tg.function([], rv_u + rv_u - 2 * rv_u, mode=mode)
    a, b = f(), f()
    assert a.shape == (2, 2) and a.dtype == np.float64
    assert not np.array_equal(a, b)
    assert np.array_equal(g(), g())
    assert np.array_equal(nearly_zeros(), np.zeros((2, 2)))
    # each call moved rv_u's counter on by its 4 words, the other state stayed
    assert rv_u.rng.get_value()[1] == 12
    assert rv_n.rng.get_value()[1] == 0
    assert rv_u.rng.default_update is rv_u.update[1]
    assert srng.updates() == srng.state_updates and len(srng.updates()) == 2


def test_reseeding_through_the_state_value():
    """`rng.get_value(borrow=True).seed(s)` (numpy RandomState's method, as in Theano's
    tutorial) and get_state/set_state replay draws."""
    srng = RandomStreams(seed=234)
    rv = srng.uniform((3,))
    f = tg.function([], rv, mode="FAST_COMPILE")
    value = rv.rng.get_value(borrow=True)
    assert isinstance(value, RandomStateArray)
    value.seed(89234)
    rv.rng.set_value(value, borrow=True)
    first = f()
    saved = rv.rng.get_value().get_state()
    second = f()
    restored = rv.rng.get_value()
    restored.set_state(saved)
    rv.rng.set_value(restored)
    assert np.array_equal(f(), second)
    value = rv.rng.get_value()
    value.seed(89234)
    rv.rng.set_value(value)
    assert np.array_equal(f(), first)


def test_functions_share_a_stream():
    """Theano's tutorial: functions drawing the same variable advance one state, which
    can be saved and restored."""
    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    f = tg.function([], rv_u, mode="FAST_RUN")
    nearly_zeros = tg.function([], rv_u + rv_u - 2 * rv_u, mode="FAST_COMPILE")
    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()  # this advances rv_u's state too
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2 = f()
    v3 = f()
    assert not np.array_equal(v1, v2) and np.array_equal(v1, v3)


def test_copying_state_between_graphs():
    """Theano's tutorial: copying `state_updates` values makes two graphs draw alike."""
    g1, g2 = RandomStreams(seed=123), MRG_RandomStreams(seed=987)
    y1, y2 = g1.uniform(size=(1,)), g2.uniform(size=(1,))
    f1 = tg.function([], y1, mode="FAST_COMPILE")
    f2 = tg.function([], y2, mode="FAST_RUN")
    assert f1() != f2()
    for (su1, _), (su2, _) in zip(g1.state_updates, g2.state_updates):
        su2.set_value(su1.get_value())
    assert f1() == f2()


def test_seed_reproduces_every_stream():
    def build(seed):
        s = RandomStreams(seed)
        return s, [s.uniform((4,)), s.normal((3,)), s.random_integers((5,), 0, 9)]

    s1, outs1 = build(17)
    _, outs2 = build(99)
    f1 = tg.function([], outs1, mode="FAST_COMPILE")
    f2 = tg.function([], outs2, mode="FAST_COMPILE")
    first = f1()
    f1()
    s1.seed(99)  # now the same streams as s2's
    for x, y in zip(f1(), f2()):
        assert np.array_equal(x, y)
    s1.seed(17)
    for x, y in zip(f1(), first):
        assert np.array_equal(x, y)
    # different variables of one stream draw differently
    assert not np.array_equal(first[0][:3], first[1])


def test_explicit_updates_and_no_default_updates_list():
    srng = RandomStreams(seed=5)
    u = srng.uniform((2,))
    v = srng.uniform((2,))
    f = tg.function([], [u, v], no_default_updates=[u.rng], mode="FAST_COMPILE")
    a, b = f(), f()
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[1], b[1])
    g = tg.function([], u, updates=[u.update], no_default_updates=True, mode="FAST_COMPILE")
    assert not np.array_equal(g(), g())


GOLDEN_SEED_234 = [0.5918255147661936, 0.10588296601368141, 0.22171607690331452]


def test_draws_are_fixed_by_the_seed():
    """The generator is part of the interface: a seed gives these draws in every
    process, mode and version."""
    srng = RandomStreams(seed=234)
    rv = srng.uniform((3,))
    for mode in MODES:
        srng.seed(234)
        assert tg.function([], rv, mode=mode)().tolist() == GOLDEN_SEED_234


def test_draws_are_the_same_in_another_process():
    code = (
        "import tg\nfrom tg.tensor.shared_randomstreams import RandomStreams\n"
        "s = RandomStreams(seed=234)\n"
        "print(repr(tg.function([], s.uniform((3,)), mode='FAST_COMPILE')().tolist()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert eval(out.stdout) == GOLDEN_SEED_234


def test_mrg_random_streams_is_the_same_generator():
    mrg = MRG_RandomStreams(seed=234)
    assert isinstance(mrg, RandomStreams)
    assert MRG_RandomStreams().default_instance_seed == 12345
    rv = mrg.uniform((3,), nstreams=4)
    assert tg.function([], rv, mode="FAST_COMPILE")().tolist() == GOLDEN_SEED_234
    onehot = mrg.multinomial(pvals=np.array([[0.2, 0.8], [1.0, 0.0], [0.0, 1.0]], np.float32), dtype="float32")
    got = tg.function([], onehot, mode="FAST_RUN")()
    assert got.dtype == np.float32 and got.shape == (3, 2)
    assert np.array_equal(got.sum(axis=1), np.ones(3)) and got[1, 0] == 1 and got[2, 1] == 1


# ------------------------------------------------------- compiled == interpreted


def test_all_draws_bit_identical_in_both_modes():
    """Every distribution, dtype and shape kind (static, symbolic, 0-d, empty) gives
    the same bits compiled and interpreted."""
    x = T.matrix("x")
    k = T.lscalar("k")
    s = RandomStreams(7)
    many = np.random.default_rng(0).random(40)
    many[::3] = 0
    outs = [
        s.uniform((300, 7)),
        s.uniform((50,), dtype="float32", low=-2, high=3),
        s.uniform(()),
        s.uniform((0, 3)),
        s.normal((3000,)),
        s.normal((100, 3), dtype="float32", avg=1, std=2),
        s.normal((1,)),
        s.binomial(size=x.shape, n=1, p=0.3, dtype="float64"),
        s.binomial((100,), n=5, p=0.5),
        s.binomial((4,), n=k, p=0.25, dtype="int32"),
        s.random_integers((200,), -3, 4),
        s.random_integers((k,), 0, 0),
        s.choice((200,), a=5, p=[0.1, 0.2, 0.3, 0.4, 0.0]),
        s.choice((3,), a=10, replace=False),
        s.choice((0,), a=3, replace=False),
        s.choice((7,), a=10),
        s.permutation((4,), n=6),
        s.permutation(n=1),
        s.multinomial(n=3, pvals=np.array([[0.2, 0.3, 0.5], [0.9, 0.1, 0.0]])),
        s.multinomial(size=(5,), n=1, pvals=[0.5, 0.25, 0.25], dtype="float32"),
        s.choice((500,), a=40, p=many),  # many categories: bisection
        s.multinomial(n=7, pvals=np.tile(many, (3, 1)).astype(np.float32), dtype="int8"),
    ]
    fast, interp = _both([x, k], outs, s, 7, (np.zeros((20, 30)), 3))
    for i, (a, b) in enumerate(zip(fast, interp)):
        assert a.dtype == b.dtype and a.shape == b.shape, i
        assert np.array_equal(a, b), i
    shapes = [a.shape for a in fast]
    assert shapes[2] == () and shapes[3] == (0, 3) and shapes[6] == (1,) and shapes[7] == (20, 30)
    assert shapes[11] == (3,) and shapes[14] == (0,) and shapes[16] == (4, 6) and shapes[17] == (1,)


def test_draws_follow_the_reference_generator():
    """The op's values are the documented words: uniform = top 53 bits / 2^53."""
    srng = RandomStreams(seed=11)
    rv = srng.uniform((5,))
    got = tg.function([], rv, mode="FAST_RUN")()
    words = R.numpy_words(raw.new_state(11, 0), np.arange(5, dtype=np.uint64))
    assert np.array_equal(got, (words >> np.uint64(11)).astype(np.float64) / 2.0**53)


def test_symbolic_size_from_an_input():
    n = T.lscalar("n")
    x = T.matrix("x")
    srng = RandomStreams(seed=3)
    rv = srng.normal((n, x.shape[1]))
    for mode in MODES:
        got = tg.function([n, x], rv, mode=mode)(4, np.zeros((2, 5)))
        assert got.shape == (4, 5)
    assert rv.rng.get_value()[1] == 2 * 2 * 20  # two words per normal draw, two calls


# --------------------------------------------------------------- distributions


@pytest.fixture(scope="module")
def samples():
    """Large samples of every distribution from one compiled function."""
    s = RandomStreams(seed=2024)
    outs = {
        "uniform": s.uniform((N,)),
        "uniform32": s.uniform((N,), low=-1.0, high=3.0, dtype="float32"),
        "normal": s.normal((N,), avg=1.0, std=2.0),
        "normal32": s.normal((N,), dtype="float32"),
        "bernoulli": s.binomial((N,), p=0.3),
        "binomial": s.binomial((N // 10,), n=5, p=0.4),
        "integers": s.random_integers((N,), -3, 4),
        "choice_p": s.choice((N,), a=5, p=[0.1, 0.2, 0.3, 0.4, 0.0]),
        "choice": s.choice((N,), a=7),
        "permutation": s.permutation((N // 5,), n=4),
        "sample": s.gen(raw.distinct, 3, (20_000, 2), 1),
        "multinomial": s.multinomial((N // 10,), n=4, pvals=[0.5, 0.3, 0.2, 0.0]),
    }
    values = tg.function([], list(outs.values()), mode="FAST_RUN")()
    return dict(zip(outs, values))


def test_uniform_distribution(samples):
    u = samples["uniform"]
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 4.5 * math.sqrt(1 / 12 / N)
    assert abs(u.var() - 1 / 12) < 0.002
    assert _ks(u, lambda x: x) < _ks_bound(N)
    v = samples["uniform32"]
    assert v.dtype == np.float32 and v.min() >= -1 and v.max() <= 3
    assert _ks(v, lambda x: (x + 1) / 4) < _ks_bound(N)


def test_normal_distribution(samples):
    z = samples["normal"]
    assert abs(z.mean() - 1) < 4.5 * 2 / math.sqrt(N)
    assert abs(z.std() - 2) < 0.03
    assert abs(np.mean(((z - 1) / 2) ** 3)) < 0.05  # skew
    assert abs(np.mean(((z - 1) / 2) ** 4) - 3) < 0.1  # kurtosis
    assert _ks(z, _normal_cdf(1.0, 2.0)) < _ks_bound(N)
    w = samples["normal32"]
    assert w.dtype == np.float32 and _ks(w, _normal_cdf(0.0, 1.0)) < _ks_bound(N)


def test_binomial_distribution(samples):
    b = samples["bernoulli"]
    assert b.dtype == np.int64 and set(np.unique(b)) == {0, 1}
    assert abs(b.mean() - 0.3) < 4.5 * math.sqrt(0.21 / N)
    c = samples["binomial"]
    pmf = np.array([math.comb(5, i) * 0.4**i * 0.6 ** (5 - i) for i in range(6)])
    assert _chi2_ok(np.bincount(c, minlength=6), pmf)


def test_integer_and_choice_distributions(samples):
    i = samples["integers"]
    assert i.min() == -3 and i.max() == 4
    assert _chi2_ok(np.bincount(i + 3, minlength=8), np.full(8, 1 / 8))
    c = samples["choice_p"]
    assert _chi2_ok(np.bincount(c, minlength=5), np.array([0.1, 0.2, 0.3, 0.4, 0.0]))
    assert _chi2_ok(np.bincount(samples["choice"], minlength=7), np.full(7, 1 / 7))


def test_permutation_distribution(samples):
    p = samples["permutation"]
    assert p.shape == (N // 5, 4)
    assert np.array_equal(np.sort(p, axis=1), np.broadcast_to(np.arange(4), p.shape))
    codes = p @ np.array([64, 16, 4, 1])
    observed = np.unique(codes, return_counts=True)[1]
    assert len(observed) == 24 and _chi2_ok(observed, np.full(24, 1 / 24))
    pairs = samples["sample"]  # 2 distinct of 3: 6 ordered pairs, equally likely
    assert np.all(pairs[:, 0] != pairs[:, 1])
    assert _chi2_ok(np.bincount(pairs[:, 0] * 3 + pairs[:, 1], minlength=9),
                    np.array([0, 1, 1, 1, 0, 1, 1, 1, 0]) / 6)


def test_multinomial_distribution(samples):
    m = samples["multinomial"]
    assert m.shape == (N // 10, 4) and m.dtype == np.int64
    assert np.all(m.sum(axis=1) == 4)
    assert _chi2_ok(m.sum(axis=0), np.array([0.5, 0.3, 0.2, 0.0]))


# ------------------------------------------------------------- dtypes and shapes


def test_dtypes_follow_floatx_and_arguments():
    with tg.config.change_flags(floatX="float32"):
        s = RandomStreams(seed=1)
        assert s.uniform((2,)).dtype == "float32"
        assert s.normal((2,)).dtype == "float32"
        assert s.uniform((2,), low=T.dscalar("lo")).dtype == "float64"
        assert s.binomial((2,), p=0.5, dtype=tg.config.floatX).dtype == "float32"
    s = RandomStreams(seed=1)
    assert s.uniform((2,)).dtype == "float64"
    assert s.uniform((2,), dtype="float32").dtype == "float32"
    assert s.binomial((2,)).dtype == "int64"
    assert s.random_integers((2,), 0, 3, dtype="int8").dtype == "int8"
    assert s.permutation((3,), n=5).type.shape == (3, 5)
    assert s.multinomial(n=2, pvals=T.matrix("p")).ndim == 2
    assert s.choice((2,), a=np.array([1.5, 2.5], np.float32)).dtype == "float32"
    assert s.uniform(size=(3, T.lscalar("n"))).type.shape == (3, None)
    # size=None takes the parameters' shape
    assert s.normal(avg=T.dmatrix("m")).ndim == 2


def test_denoising_autoencoder_idiom():
    """`theano_rng.binomial(size=x.shape, n=1, p=1 - corruption, dtype=floatX)` masks
    the input; the mask is the same in both modes and keeps about 1 - corruption."""
    floatx = tg.config.floatX
    x = T.matrix("x")
    corruption = T.scalar("corruption")
    theano_rng = RandomStreams(seed=123)
    mask = theano_rng.binomial(size=x.shape, n=1, p=1 - corruption, dtype=floatx)
    data = np.arange(1, 401, dtype=floatx).reshape(20, 20)
    fast, interp = _both([x, corruption], mask * x, theano_rng, 123, (data, 0.3))
    assert np.array_equal(fast, interp) and fast.dtype == data.dtype
    kept = fast != 0
    assert np.array_equal(fast[kept], data[kept])
    assert abs(kept.mean() - 0.7) < 0.1


def test_gradients_flow_through_parameters_only():
    """A draw has no gradient; avg + std * z differentiates in avg and std."""
    mu, sigma = T.dscalar("mu"), T.dscalar("sigma")
    srng = RandomStreams(seed=9)
    z = srng.normal((50,))
    y = mu + sigma * z
    cost = T.sum(y * y)
    gmu, gsigma = tg.grad(cost, [mu, sigma])
    f = tg.function([mu, sigma], [y, z, gmu, gsigma], no_default_updates=True, mode="FAST_RUN")
    yv, zv, gm, gs = f(0.5, 2.0)
    np.testing.assert_allclose(gm, 2 * yv.sum(), rtol=1e-12)
    np.testing.assert_allclose(gs, 2 * (yv * zv).sum(), rtol=1e-12)
    op = z.owner
    assert op.vjp([None] * len(op.operands), z, None) == [None] * len(op.operands)


# ------------------------------------------------------------------------ errors


def test_argument_errors():
    s = RandomStreams(seed=0)
    with pytest.raises(TypeError, match="sizes must be integers"):
        s.uniform((2.5,))
    with pytest.raises(ValueError, match="negative size"):
        s.uniform((-1,))
    with pytest.raises(ValueError, match="ndim=3 disagrees"):
        s.normal((2, 2), ndim=3)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        s.uniform((2,), dtype="int32")
    with pytest.raises(NotImplementedError, match="without replacement with probabilities"):
        s.choice((2,), a=3, replace=False, p=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="high .* is below low"):
        s.random_integers((2,), 5, 1)
    with pytest.raises(ValueError, match="dimensions, more than the 1"):
        s.binomial((3,), p=T.dmatrix("p"))
    with pytest.raises(ValueError, match="a must be positive"):
        s.choice((2,), a=0)
    assert s.choice((0,), a=0).type.shape == (0,)
    with pytest.raises(ValueError, match="n must be non-negative"):
        s.binomial((2,), n=-1)
    with pytest.raises(TypeError, match="n must be an integer"):
        s.binomial((2,), n=1.5)
    with pytest.raises(TypeError, match="int64 vector"):
        raw.uniform(T.dvector("not_a_state"), (2,))


@pytest.mark.parametrize("mode", MODES)
def test_call_time_errors(mode):
    srng = RandomStreams(seed=0)
    k = T.lscalar("k")
    p = T.dvector("p")
    sample = tg.function([k], srng.choice((k,), a=3, replace=False), mode=mode)
    assert len(set(sample(3).tolist())) == 3
    with pytest.raises(ValueError, match="cannot take 4 distinct values from 3"):
        sample(4)
    cat = srng.choice((4,), a=3, p=p)
    before = cat.rng.get_value()
    picks = tg.function([p], cat, mode=mode)
    with pytest.raises(ValueError, match="non-negative"):
        picks(np.array([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match="positive, finite sum"):
        picks(np.zeros(3))
    with pytest.raises(ValueError, match="no category"):
        picks(np.zeros(0))
    assert np.array_equal(cat.rng.get_value(), before)  # a failed call updates nothing
    n = T.lscalar("n")
    counts = tg.function([n], srng.multinomial(n=n, pvals=[0.5, 0.5]), mode=mode)
    assert counts(3).sum() == 3
    with pytest.raises(ValueError, match="non-negative"):
        counts(-1)
    with pytest.raises((TypeError, ValueError)):
        cat.rng.set_value(np.zeros(3, np.int64))
