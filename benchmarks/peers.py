"""The other frameworks a workload is compared with, each set up the way its users
would: JAX through `jax.jit`, PyTensor through `pytensor.function`, PyTorch eagerly.

Every helper returns a ready-to-time callable (or nothing when the framework is not
installed); the harness calls each once to warm it up before timing, so JIT compiles
never count in the medians.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np

Call = Callable[[], object]


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def jax_call(fn: Callable[..., Any], *arrays: np.ndarray) -> Call | None:
    """`jax.jit(fn)` on `arrays` already on the (CPU) device, waiting for the result."""
    if not installed("jax"):
        return None
    import jax

    jitted = jax.jit(fn)
    on_device = [jax.device_put(a) for a in arrays]
    return lambda: jitted(*on_device).block_until_ready()


@functools.cache
def pytensor_mode() -> str | None:
    """PyTensor's default backend (numba) when it compiles here, else its C backend.

    numba pins an older llvmlite than tg, so next to tg numba usually cannot compile.
    The choice becomes PyTensor's default too, for the functions it compiles inside
    others (`OpFromGraph`, as in `log_softmax`).
    """
    if not installed("pytensor"):
        return None
    import pytensor
    import pytensor.tensor as pt

    x = pt.vector("x", dtype="float32")
    try:
        pytensor.function([x], x * 2, mode="NUMBA")(np.ones(2, np.float32))
        mode = "NUMBA"
    except Exception:  # noqa: BLE001 -- any failure means: use the C backend
        mode = "CVM"
    pytensor.config.mode = mode
    return mode


def pytensor_name() -> str:
    return "pytensor-numba" if pytensor_mode() == "NUMBA" else "pytensor-c"


def pytensor_call(build: Callable[[Any], tuple[list[Any], Any]], *arrays: np.ndarray) -> Call | None:
    """`pytensor.function(*build(pytensor.tensor))` called on `arrays`."""
    mode = pytensor_mode()
    if mode is None:
        return None
    import pytensor
    import pytensor.tensor as pt

    inputs, outputs = build(pt)
    f = pytensor.function(inputs, outputs, mode=mode)
    return lambda: f(*arrays)


def torch_call(fn: Callable[..., Any], *arrays: np.ndarray) -> Call | None:
    """`fn` on tensors sharing `arrays`' memory, without autograd."""
    if not installed("torch"):
        return None
    import torch

    tensors = [torch.from_numpy(a) for a in arrays]

    def call() -> object:
        with torch.no_grad():
            return fn(*tensors)

    return call


def add_peers(
    contenders: dict[str, Call],
    *,
    jax: Call | None = None,
    pytensor: Call | None = None,
    torch: Call | None = None,
) -> dict[str, Call]:
    """`contenders` with the installed peers appended."""
    for name, call in (("jax", jax), (pytensor_name(), pytensor), ("torch", torch)):
        if call is not None:
            contenders[name] = call
    return contenders
