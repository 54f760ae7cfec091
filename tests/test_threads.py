"""Parallel loops on tg's thread pool: results bit-identical whatever the thread
count, the `threads` flag, concurrent callers, fork and exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.config import FLAGS, Config, config
from tg.runtime.thread_pool import pool_state

COUNTS = (1, 2, 3)
rng = np.random.default_rng(0)


def _shared_loops() -> int:
    state = pool_state()
    return 0 if state is None else state.shared_loops


def _same_for_every_count(f, *args, parallel: bool = True) -> list[np.ndarray]:
    """f's results, asserted bit-identical for each thread count in COUNTS (and, if
    `parallel`, computed at least partly on several threads when there are some)."""
    runs = []
    for n in COUNTS:
        before = _shared_loops()
        with tg.config.change_flags(threads=n):
            out = f(*args)
        assert (_shared_loops() > before) == (parallel and n > 1)
        runs.append([np.asarray(o) for o in (out if isinstance(out, list) else [out])])
    for other in runs[1:]:
        for a, b in zip(runs[0], other, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            assert a.tobytes() == b.tobytes()
    return runs[0]


def _matrix(rows: int, cols: int, dtype: str = "float32") -> np.ndarray:
    return rng.standard_normal((rows, cols)).astype(dtype)


def test_elementwise_1d():
    a, b, c = (T.vector(n, dtype="float32") for n in "abc")
    f = tg.function([a, b, c], [a * b + c, T.exp(a) * b + T.tanh(c) - a * a / (1 + b * b)])
    x, y, z = (rng.standard_normal(300_000).astype("float32") for _ in range(3))
    first, second = _same_for_every_count(f, x, y, z)
    np.testing.assert_allclose(first, x * y + z, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(second, np.exp(x) * y + np.tanh(z) - x * x / (1 + y * y), rtol=1e-5, atol=1e-5)
    state = pool_state()
    assert state is not None and state.workers >= 2  # threads=3 started two workers


def test_elementwise_2d_broadcast():
    m, r = T.matrix("m", dtype="float64"), T.row("r", dtype="float64")
    f = tg.function([m, r], T.sigmoid(m) * r - m)
    x, y = _matrix(700, 300, "float64"), _matrix(1, 300, "float64")
    (out,) = _same_for_every_count(f, x, y)
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-x)) * y - x, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("axis", [1, None, 0])
def test_reductions(axis):
    m = T.matrix("m", dtype="float32")
    f = tg.function([m], [m.sum(axis=axis), m.max(axis=axis), T.exp(m).mean(axis=axis)])
    x = _matrix(640, 512)
    # reductions over axis 0 (so over all axes) run on one thread, in a fixed order
    total, high, mean = _same_for_every_count(f, x, parallel=axis == 1)
    np.testing.assert_allclose(total, x.sum(axis=axis), rtol=1e-4, atol=1e-2)
    np.testing.assert_array_equal(high, x.max(axis=axis))
    np.testing.assert_allclose(mean, np.exp(x).mean(axis=axis), rtol=1e-4)


def test_dot():
    """tg's own product loops (integers: float products go to BLAS, with its threads)."""
    a, b, v = T.lmatrix("a"), T.lmatrix("b"), T.lvector("v")
    f = tg.function([a, b, v], [T.dot(a, b), T.dot(a, v)])
    x, y, z = (rng.integers(-9, 9, s) for s in ((300, 200), (200, 170), (200,)))
    product, mv = _same_for_every_count(f, x, y, z)
    np.testing.assert_array_equal(product, x @ y)
    np.testing.assert_array_equal(mv, x @ z)


def test_softmax_crossentropy():
    x, y = T.matrix("x", dtype="float32"), T.matrix("y", dtype="float32")
    p = T.nnet.softmax(x)
    f = tg.function([x, y], [p, T.nnet.categorical_crossentropy(p, y)])
    logits = _matrix(1000, 100)
    onehot = np.eye(100, dtype="float32")[rng.integers(0, 100, 1000)]
    probs, loss = _same_for_every_count(f, logits, onehot)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss, -(onehot * np.log(expected)).sum(axis=1), rtol=1e-4, atol=1e-5)


def test_random_graph():
    """A fixed pseudo-random chain of elementwise ops, broadcasts and reductions."""
    graph_rng = np.random.default_rng(7)
    m, r, c = T.matrix("m"), T.row("r"), T.col("c")
    values = [m, r, c, m * 2]
    unary = [T.exp, T.tanh, T.sigmoid, lambda v: T.log(1 + T.abs_(v)), lambda v: v.sum(axis=-1, keepdims=True)]
    binary = [T.add, T.mul, T.maximum, lambda a, b: a / (1 + b * b)]
    for _ in range(14):
        if graph_rng.random() < 0.4:
            values.append(unary[graph_rng.integers(len(unary))](values[graph_rng.integers(len(values))]))
        else:
            a, b = (values[graph_rng.integers(len(values))] for _ in range(2))
            values.append(binary[graph_rng.integers(len(binary))](a, b))
    f = tg.function([m, r, c], values[-3:])
    x, y, z = _matrix(400, 300, "float64"), _matrix(1, 300, "float64"), _matrix(400, 1, "float64")
    compiled = _same_for_every_count(f, x, y, z)
    reference = tg.function([m, r, c], values[-3:], mode="FAST_COMPILE")(x, y, z)
    for got, want in zip(compiled, reference, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_small_loops_stay_on_the_calling_thread():
    a = T.vector("a", dtype="float32")
    f = tg.function([a], T.exp(a) + 1)
    x = rng.standard_normal(10).astype("float32")
    (out,) = _same_for_every_count(f, x, parallel=False)
    np.testing.assert_allclose(out, np.exp(x) + 1, rtol=1e-6)
    (empty,) = _same_for_every_count(f, np.zeros(0, "float32"), parallel=False)
    assert empty.shape == (0,)


def test_llvmir_shows_outlined_loop_and_pool_call():
    m = T.matrix("m", dtype="float32")
    f = tg.function([m], T.exp(m) * 2)
    text = f.ir("llvmir")
    assert 'define internal void @"main_par0"(' in text
    assert 'define internal void @"main_par0_task"(ptr' in text
    assert 'call ccc void @"tg_parallel_for"' in text
    assert 'declare void @"tg_parallel_for"(ptr' in text


def test_threads_flag():
    assert FLAGS["threads"].default >= 1
    local = Config()
    local.read_flags("threads=3")
    assert local.threads == 3
    for bad in ("threads=0", "threads=two", "threads=-1"):
        with pytest.raises(ValueError, match="threads"):
            Config().read_flags(bad)
    local.threads = "5"
    assert local.threads == 5


def _pool_threads() -> int:
    state = pool_state()
    assert state is not None
    return state.threads


def test_changing_threads_reaches_the_pool():
    a = T.vector("a")
    tg.function([a], a + 1)(np.zeros(3))  # the pool is loaded by any parallel loop
    before = config.threads
    config.threads = 3
    try:
        assert _pool_threads() == 3
        with config.change_flags(threads=1):
            assert _pool_threads() == 1
        assert _pool_threads() == 3
    finally:
        config.threads = before
    assert _pool_threads() == before


def test_concurrent_python_threads():
    """Several Python threads calling tg functions at once: no deadlock, right results
    (a loop that finds the pool busy runs on its own thread)."""
    m = T.matrix("m", dtype="float32")
    rows = tg.function([m], [T.exp(m).sum(axis=1), m * 3])
    x = _matrix(500, 400)
    expected = [np.asarray(o) for o in rows(x)]

    def work(k: int) -> bool:
        for _ in range(15):
            out = rows(x)
            if not all(np.array_equal(o, e) for o, e in zip(out, expected)):
                return False
        return True

    with tg.config.change_flags(threads=2), ThreadPoolExecutor(4) as executor:
        results = [executor.submit(work, k) for k in range(4)]
        assert all(r.result(timeout=120) for r in results)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_child_uses_a_fresh_pool():
    m = T.matrix("m", dtype="float32")
    f = tg.function([m], T.tanh(m) * 2)
    x = _matrix(600, 300)
    with tg.config.change_flags(threads=2):
        expected = f(x)  # the parent's pool has a worker now
        pid = os.fork()
        if pid == 0:  # the child: its pool must not wait for the parent's workers
            signal.alarm(60)
            ok = np.array_equal(f(x), expected) and np.array_equal(f(x), expected)
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_process_exits_with_workers_asleep():
    """TG_FLAGS=threads=3 sizes the pool; the process ends with its workers asleep."""
    script = textwrap.dedent(
        """
        import numpy as np, tg, tg.tensor as T
        from tg.runtime.thread_pool import pool_state
        m = T.matrix("m")
        f = tg.function([m], T.exp(m))
        f(np.ones((400, 400)))
        state = pool_state()
        print(tg.config.threads, state.threads, state.workers, state.shared_loops)
        """
    )
    env = {**os.environ, "TG_FLAGS": "threads=3"}
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "3", "2", "1"]
