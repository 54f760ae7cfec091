"""The other frameworks a workload is compared with, each set up the way its users
would: JAX through `jax.jit`, PyTensor through `pytensor.function`, PyTorch eagerly.

Every helper returns a ready-to-time callable, or for a training step a `Trainer`
(or nothing when the framework is not installed); the harness calls each twice to
warm it up before timing, so JIT compiles never count in the medians.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Call = Callable[[], object]


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def jax_call(fn: Callable[..., Any], *arrays: np.ndarray) -> Call | None:
    """`jax.jit(fn)` on `arrays` already on the (CPU) device, waiting for the result.
    With a float64 array, JAX's 64-bit mode is on for it (else JAX computes in float32)."""
    if not installed("jax"):
        return None
    import jax

    jitted = jax.jit(fn)
    if not any(a.dtype == np.float64 for a in arrays):
        on_device = [jax.device_put(a) for a in arrays]
        return lambda: jitted(*on_device).block_until_ready()
    with jax.enable_x64(True):
        wide = [jax.device_put(a) for a in arrays]

    def call_wide() -> object:
        with jax.enable_x64(True):
            return jitted(*wide).block_until_ready()

    return call_wide


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


@dataclass
class Trainer:
    """A framework's training step on fixed data: `step()` updates the parameters
    and returns the loss; `params()` reads the parameters back as numpy arrays."""

    step: Call
    params: Callable[[], list[np.ndarray]]


def jax_trainer(
    loss: Callable[..., Any], params: Sequence[np.ndarray], lr: np.float32, *arrays: np.ndarray
) -> Trainer | None:
    """One SGD step of `loss(params, *arrays)` under `jax.jit`, with `value_and_grad`
    and the parameters donated: each call's new parameters feed the next call."""
    if not installed("jax"):
        return None
    import jax

    def step(current: list[Any], *data: Any) -> tuple[Any, list[Any]]:
        value, grads = jax.value_and_grad(loss)(current, *data)
        return value, [p - lr * g for p, g in zip(current, grads)]

    jitted = jax.jit(step, donate_argnums=0)
    state = [[jax.device_put(p) for p in params]]
    on_device = [jax.device_put(a) for a in arrays]

    def call() -> object:
        value, state[0] = jitted(state[0], *on_device)
        return jax.block_until_ready((value, state[0]))[0]

    return Trainer(call, lambda: [np.asarray(p) for p in state[0]])


def pytensor_trainer(
    build: Callable[[Any, list[Any]], tuple[list[Any], Any]],
    params: Sequence[np.ndarray],
    lr: np.float32,
    *arrays: np.ndarray,
) -> Trainer | None:
    """One SGD step as a `pytensor.function` with updates: `build(pytensor.tensor,
    shared parameters)` gives the inputs and the loss, `pytensor.grad` the rest."""
    mode = pytensor_mode()
    if mode is None:
        return None
    import pytensor
    import pytensor.tensor as pt

    shared = [pytensor.shared(p.copy(), f"p{i}") for i, p in enumerate(params)]
    inputs, loss = build(pt, shared)
    grads = pytensor.grad(loss, shared)
    assert isinstance(grads, list)
    f = pytensor.function(inputs, loss, updates=[(p, p - lr * g) for p, g in zip(shared, grads)], mode=mode)
    return Trainer(lambda: f(*arrays), lambda: [p.get_value() for p in shared])


def torch_trainer(
    loss: Callable[..., Any], params: Sequence[np.ndarray], lr: np.float32, *arrays: np.ndarray
) -> Trainer | None:
    """One SGD step in eager PyTorch: `loss(params, *arrays)`, `backward()`, then
    `p -= lr * p.grad` in place under `no_grad`."""
    if not installed("torch"):
        return None
    import torch

    leaves = [torch.from_numpy(p.copy()).requires_grad_() for p in params]
    tensors = [torch.from_numpy(a) for a in arrays]

    def call() -> object:
        for p in leaves:
            p.grad = None
        value = loss(leaves, *tensors)
        value.backward()
        with torch.no_grad():
            for p in leaves:
                p.sub_(p.grad, alpha=float(lr))
        return value.detach()

    return Trainer(call, lambda: [p.detach().numpy().copy() for p in leaves])


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
