"""The benchmark workloads; later issues append theirs to `WORKLOADS`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from harness import Workload


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


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
    contenders: dict[str, Callable[[], object]] = {"tg": lambda: f(a, b, c), "numpy": lambda: a * b + c}
    if _installed("jax"):
        import jax

        jf = jax.jit(lambda p, q, r: p * q + r)
        ja, jb, jc = (jax.device_put(v) for v in (a, b, c))
        contenders["jax"] = lambda: jf(ja, jb, jc).block_until_ready()
    if _installed("torch"):
        import torch

        ta, tb, tc = (torch.from_numpy(v) for v in (a, b, c))
        contenders["torch"] = lambda: ta * tb + tc
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


WORKLOADS: list[Callable[[], Workload]] = [elementwise_fma, call_overhead, compile_time]
