"""The benchmark workloads; later issues append theirs to `WORKLOADS`.

Each builds tg's function and its contenders' on the same data, checks tg's result
against numpy, and returns them for the harness to time.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from harness import Workload
from peers import (
    add_peers,
    installed,
    jax_call,
    pytensor_call,
    pytensor_mode,
    pytensor_name,
    torch_call,
)
from training import logistic_regression_step, mlp_step


def elementwise_fma() -> Workload:
    """`a*b + c` on 10M float32: one fused, vectorized loop."""
    import tg
    import tg.tensor as T

    n = 10_000_000
    rng = np.random.default_rng(0)
    a, b, c = (rng.random(n, dtype=np.float32) for _ in range(3))
    x, y, z = T.fvectors("x", "y", "z")
    f = tg.function([x, y, z], x * y + z)
    np.testing.assert_allclose(f(a, b, c), a * b + c, rtol=1e-6)

    def pytensor_graph(pt: Any) -> tuple[list[Any], Any]:
        p, q, r = (pt.vector(name, dtype="float32") for name in "pqr")
        return [p, q, r], p * q + r

    contenders = add_peers(
        {"tg": lambda: f(a, b, c), "numpy": lambda: a * b + c},
        jax=jax_call(lambda p, q, r: p * q + r, a, b, c),
        pytensor=pytensor_call(pytensor_graph, a, b, c),
        torch=torch_call(lambda p, q, r: p * q + r, a, b, c),
    )
    return Workload("a*b + c, 10M float32", contenders, repeats=11)


def call_overhead() -> Workload:
    """Calling a compiled `a + b` on two float64 scalars (checks included)."""
    import tg
    import tg.tensor as T

    x, y = T.dscalars("x", "y")
    f = tg.function([x, y], x + y)
    one, two = np.float64(1.0), np.float64(2.0)
    return Workload(
        "call f(1.0, 2.0), two float64 scalars",
        {"tg": lambda: f(1.0, 2.0), "numpy": lambda: np.add(one, two)},
        repeats=7,
        inner=2000,
    )


COMPILE_SCRIPT = """
import time
t0 = time.perf_counter()
import tg, tg.tensor as T
t1 = time.perf_counter()
x, y, z = T.fvectors('x', 'y', 'z')
W = tg.shared(__import__('numpy').ones(3, 'float32'), 'W')
f = tg.function([x, y, z], [(tg.tensor.tanh(x * W) + y / (1 + z)).sum(), tg.tensor.exp(x).max()])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def compile_time() -> Workload:
    """Import and first compile of a small function, each in a fresh process."""
    times: dict[str, list[float]] = {"import": [], "compile": []}

    def run() -> None:
        out = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT], capture_output=True, text=True, check=True)
        imp, comp = map(float, out.stdout.split())
        times["import"].append(imp)
        times["compile"].append(comp)

    for _ in range(3):
        run()
    imp, comp = min(times["import"]), min(times["compile"])
    return Workload(
        "import tg / compile a 10-op function (fresh process)",
        {"tg": lambda: time.sleep(0)},
        repeats=1,
        notes={"import tg": f"{imp * 1e3:.0f} ms", "compile": f"{comp * 1e3:.0f} ms"},
    )


def _elementwise_reference(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.exp(a) * b + np.tanh(c) - a * a / (1 + b * b)


def elementwise_transcendental() -> Workload:
    """`exp(a)*b + tanh(c) - a*a/(1 + b*b)` on 10M float32: transcendentals in one loop."""
    import tg
    import tg.tensor as T

    n = 10_000_000
    rng = np.random.default_rng(0)
    a, b, c = (rng.uniform(-2, 2, n).astype(np.float32) for _ in range(3))
    x, y, z = T.fvectors("x", "y", "z")
    f = tg.function([x, y, z], T.exp(x) * y + T.tanh(z) - x * x / (1 + y * y))
    np.testing.assert_allclose(f(a, b, c), _elementwise_reference(a, b, c), rtol=1e-5, atol=1e-5)

    def jax_fn(p: Any, q: Any, r: Any) -> Any:
        import jax.numpy as jnp

        return jnp.exp(p) * q + jnp.tanh(r) - p * p / (1 + q * q)

    def pytensor_graph(pt: Any) -> tuple[list[Any], Any]:
        p, q, r = (pt.vector(name, dtype="float32") for name in "pqr")
        return [p, q, r], pt.exp(p) * q + pt.tanh(r) - p * p / (1 + q * q)

    contenders = add_peers(
        {"tg": lambda: f(a, b, c), "numpy": lambda: _elementwise_reference(a, b, c)},
        jax=jax_call(jax_fn, a, b, c),
        pytensor=pytensor_call(pytensor_graph, a, b, c),
        torch=torch_call(lambda p, q, r: p.exp() * q + r.tanh() - p * p / (1 + q * q), a, b, c),
    )
    return Workload("exp(a)*b + tanh(c) - a*a/(1+b*b), 10M f32", contenders, repeats=9,
                    targets={"numpy": 5.0, "jax": 2.0})


def _crossentropy_reference(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-log_softmax(x)[i, labels[i]] per row, computed stably."""
    top = x.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(x - top).sum(axis=1)) + top[:, 0]
    return log_sum - x[np.arange(len(labels)), labels]


def softmax_crossentropy() -> Workload:
    """Softmax then categorical cross-entropy with integer labels: the loss vector of
    a (4096, 1000) float32 batch."""
    import tg
    import tg.tensor as T

    rows, classes = 4096, 1000
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((rows, classes)) * 3).astype(np.float32)
    labels = rng.integers(0, classes, rows).astype(np.int32)
    x, y = T.fmatrix("x"), T.ivector("y")
    f = tg.function([x, y], T.nnet.categorical_crossentropy(T.nnet.softmax(x), y))
    np.testing.assert_allclose(f(logits, labels), _crossentropy_reference(logits, labels), rtol=1e-5, atol=1e-5)

    def jax_fn(p: Any, q: Any) -> Any:
        import jax
        import jax.numpy as jnp

        return -jax.nn.log_softmax(p)[jnp.arange(p.shape[0]), q]

    def pytensor_graph(pt: Any) -> tuple[list[Any], Any]:
        p, q = pt.matrix("p", dtype="float32"), pt.vector("q", dtype="int32")
        return [p, q], -pt.special.log_softmax(p, axis=-1)[pt.arange(p.shape[0]), q]

    def torch_fn(p: Any, q: Any) -> Any:
        import torch

        return torch.nn.functional.cross_entropy(p, q.long(), reduction="none")

    contenders = add_peers(
        {"tg": lambda: f(logits, labels), "numpy": lambda: _crossentropy_reference(logits, labels)},
        jax=jax_call(jax_fn, logits, labels),
        pytensor=pytensor_call(pytensor_graph, logits, labels),
        torch=torch_call(torch_fn, logits, labels),
    )
    return Workload("softmax + crossentropy, (4096, 1000) f32", contenders, repeats=15, targets={"jax": 1.0})


def _row_reduction(reduction: str) -> Workload:
    """`reduction` over axis 1 of an (8192, 8192) float32 matrix, against the time to
    read the matrix once at the bandwidth of a numpy copy (a copy of N bytes moves 2N)."""
    import tg
    import tg.tensor as T

    n = 8192
    matrix = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    destination = np.empty_like(matrix)
    m = T.fmatrix("m")
    f = tg.function([m], getattr(m, reduction)(axis=1))
    reference = getattr(matrix, reduction)(axis=1)
    np.testing.assert_allclose(f(matrix), reference, rtol=1e-4, atol=1e-3)

    def pytensor_graph(pt: Any) -> tuple[list[Any], Any]:
        p = pt.matrix("p", dtype="float32")
        return [p], getattr(p, reduction)(axis=1)

    contenders = add_peers(
        {
            "tg": lambda: f(matrix),
            "read-once": lambda: np.copyto(destination, matrix),
            "numpy": lambda: getattr(matrix, reduction)(axis=1),
        },
        jax=jax_call(lambda p: getattr(p, reduction)(axis=1), matrix),
        pytensor=pytensor_call(pytensor_graph, matrix),
        torch=torch_call(lambda p: p.sum(dim=1) if reduction == "sum" else p.amax(dim=1), matrix),
    )
    return Workload(f"{reduction} over axis 1, (8192, 8192) f32", contenders, repeats=11,
                    scale={"read-once": 0.5}, targets={"read-once": 1 / 1.3})


def row_sum() -> Workload:
    """`m.sum(axis=1)` against reading `m` once."""
    return _row_reduction("sum")


def row_max() -> Workload:
    """`m.max(axis=1)` against reading `m` once."""
    return _row_reduction("max")


def _gemm(dtype: str) -> Workload:
    """`dot` of two 2048 x 2048 matrices: tg's call into numpy's own OpenBLAS."""
    import tg
    import tg.tensor as T

    n = 2048
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    x, y = T.matrix("x", dtype=dtype), T.matrix("y", dtype=dtype)
    f = tg.function([x, y], T.dot(x, y))
    tolerance = 1e-4 if dtype == "float32" else 1e-12

    def pytensor_graph(pt: Any) -> tuple[list[Any], Any]:
        p, q = pt.matrix("p", dtype=dtype), pt.matrix("q", dtype=dtype)
        return [p, q], pt.dot(p, q)

    contenders = add_peers(
        {"tg": lambda: f(a, b), "numpy": lambda: np.matmul(a, b)},
        jax=jax_call(lambda p, q: p @ q, a, b),
        pytensor=pytensor_call(pytensor_graph, a, b),
        torch=torch_call(lambda p, q: p @ q, a, b),
    )
    expected = np.matmul(a, b)
    for name, call in contenders.items():
        result = np.asarray(call())
        assert result.dtype == dtype, f"{name} computed {result.dtype}"
        np.testing.assert_allclose(result, expected, rtol=tolerance, atol=tolerance * np.sqrt(n), err_msg=name)
    return Workload(f"dot (2048, 2048) x (2048, 2048) {dtype}", contenders, repeats=11, targets={"numpy": 0.95})


def gemm_float32() -> Workload:
    """2048 x 2048 float32 GEMM against `numpy.matmul`."""
    return _gemm("float32")


def gemm_float64() -> Workload:
    """2048 x 2048 float64 GEMM against `numpy.matmul`."""
    return _gemm("float64")


MLP_SCRIPTS = {
    "tg": """
import time, numpy as np
t0 = time.perf_counter()
import tg, tg.tensor as T
t1 = time.perf_counter()
x, y = T.fmatrix("x"), T.ivector("y")
params = [tg.shared(np.zeros(s, "float32"), n) for n, s in PARAMS]
W1, b1, W2, b2 = params
loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2), y).mean()
grads = tg.grad(loss, params)
tb = time.perf_counter()
f = tg.function([x, y], loss, updates=[(p, p - np.float32(0.1) * g) for p, g in zip(params, grads)])
t2 = time.perf_counter()
print("tg.function", t2 - tb)
""",
    "jax": """
import time, numpy as np
t0 = time.perf_counter()
import jax, jax.numpy as jnp
t1 = time.perf_counter()
def loss(params, x, y):
    W1, b1, W2, b2 = params
    logits = jnp.tanh(x @ W1 + b1) @ W2 + b2
    return -jax.nn.log_softmax(logits)[jnp.arange(x.shape[0]), y].mean()
def step(params, x, y):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    return value, [p - 0.1 * g for p, g in zip(params, grads)]
params = [jnp.zeros(s, "float32") for _, s in PARAMS]
f = jax.jit(step).lower(params, jnp.zeros((128, 784), "float32"), jnp.zeros(128, "int32")).compile()
t2 = time.perf_counter()
""",
    "pytensor": """
import sys, time, numpy as np
t0 = time.perf_counter()
import pytensor, pytensor.tensor as pt
t1 = time.perf_counter()
pytensor.config.mode = sys.argv[1]
x, y = pt.matrix("x", dtype="float32"), pt.vector("y", dtype="int32")
params = [pytensor.shared(np.zeros(s, "float32"), n) for n, s in PARAMS]
W1, b1, W2, b2 = params
logits = pt.dot(pt.tanh(pt.dot(x, W1) + b1), W2) + b2
loss = -pt.special.log_softmax(logits, axis=-1)[pt.arange(x.shape[0]), y].mean()
grads = pytensor.grad(loss, params)
f = pytensor.function([x, y], loss, updates=[(p, p - np.float32(0.1) * g) for p, g in zip(params, grads)])
t2 = time.perf_counter()
""",
}
MLP_PARAMS = 'PARAMS = [("W1", (784, 500)), ("b1", (500,)), ("W2", (500, 10)), ("b2", (10,))]\n'


def _fresh_process_times(script: str, *args: str, cache_dir: str | None = None) -> tuple[float, float]:
    """The import seconds (`t0` to `t1`) and the build-and-compile seconds (`t1` to
    `t2`) of `script`, run in a new interpreter."""
    out = _fresh_process_output(script, *args, cache_dir=cache_dir)
    imported, compiled = out.split()[-2:]
    return float(imported), float(compiled)


def _fresh_process_output(script: str, *args: str, cache_dir: str | None = None) -> str:
    """What `script` prints, then its import and build-and-compile seconds, run in a
    new interpreter (tg's compile cache in `cache_dir` when given)."""
    code = MLP_PARAMS + script + "print(t1 - t0, t2 - t1)\n"
    env = dict(os.environ)
    if cache_dir is not None:
        env["TG_FLAGS"] = ",".join(filter(None, [env.get("TG_FLAGS", ""), f"cache_dir={cache_dir}"]))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env).stdout


def mlp_compile_time() -> Workload:
    """Building and compiling a 784-500-10 tanh MLP's training step (gradient and SGD
    updates, float32) in a fresh process; the best of three. PyTensor's C backend keeps
    compiled modules on disk, so its number is a warm-cache one."""
    runs: dict[str, list[str]] = {"tg": []}
    if installed("jax"):
        runs["jax"] = []
    mode = pytensor_mode()
    if mode is not None:
        runs[pytensor_name()] = [mode]
    measured = {}
    cold, warm, warm_function = [], [], []
    for _ in range(3):  # tg: an empty compile cache, then the same cache again
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_fresh_process_times(MLP_SCRIPTS["tg"], cache_dir=cache))
            words = _fresh_process_output(MLP_SCRIPTS["tg"], cache_dir=cache).split()
            warm.append(float(words[-1]))
            warm_function.append(float(words[words.index("tg.function") + 1]))
    measured["tg"] = min(c for _, c in cold)
    with_import = {"tg": min(i + c for i, c in cold)}
    for name, args in runs.items():
        if name == "tg":
            continue
        script = MLP_SCRIPTS["pytensor" if name.startswith("pytensor") else name]
        times = [_fresh_process_times(script, *args) for _ in range(3)]
        measured[name] = min(c for _, c in times)
        with_import[name] = min(i + c for i, c in times)
    notes = {
        "tg, warm cache (build + compile)": f"{min(warm) * 1e3:.0f} ms",
        "tg, warm cache (tg.function alone)": f"{min(warm_function) * 1e3:.0f} ms",
    }
    notes.update({f"{name}, import + compile": f"{t * 1e3:.0f} ms" for name, t in with_import.items()})
    return Workload(
        "compile 784-500-10 MLP train step (fresh, empty tg cache)",
        {},
        measured=measured,
        notes=notes,
    )


WORKLOADS: list[Callable[[], Workload]] = [
    elementwise_fma,
    elementwise_transcendental,
    softmax_crossentropy,
    row_sum,
    row_max,
    gemm_float32,
    gemm_float64,
    logistic_regression_step,
    mlp_step,
    call_overhead,
    compile_time,
    mlp_compile_time,
]
