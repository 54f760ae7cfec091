"""One SGD step of a small float32 classifier in every framework: tanh hidden layers
(none: logistic regression), softmax and the mean categorical cross-entropy of int32
labels, then `p - lr * grad` for every weight and bias.

Each framework spells the step its users' way: tg and PyTensor as a function with
shared variables and updates, JAX as a jitted `value_and_grad` with the parameters
donated, PyTorch eagerly with `backward()`, numpy as a hand-written forward and
backward pass updating in place. All
start from the same parameters; their losses and updated parameters after one step
are checked against tg's before the timing starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from harness import Workload
from peers import Trainer, jax_trainer, pytensor_name, pytensor_trainer, torch_trainer

LEARNING_RATE = np.float32(0.1)
CLASSES = 10


def _initial_params(rng: np.random.Generator, sizes: Sequence[int]) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] for layer widths `sizes`, Glorot-scaled weights."""
    params = []
    for fan_in, fan_out in pairwise(sizes):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / (fan_in + fan_out))).astype(np.float32))
        params.append((rng.standard_normal(fan_out) * 0.01).astype(np.float32))
    return params


def _tg_trainer(params: Sequence[np.ndarray], x_value: np.ndarray, y_value: np.ndarray) -> Trainer:
    import tg
    import tg.tensor as T

    shared = [tg.shared(p.copy(), f"p{i}") for i, p in enumerate(params)]
    x, y = T.fmatrix("x"), T.ivector("y")
    h = x
    for W, b in zip(shared[0:-2:2], shared[1:-2:2]):
        h = T.tanh(T.dot(h, W) + b)
    probabilities = T.nnet.softmax(T.dot(h, shared[-2]) + shared[-1])
    loss = T.nnet.categorical_crossentropy(probabilities, y).mean()
    grads = tg.grad(loss, shared)
    f = tg.function([x, y], loss, updates=[(p, p - LEARNING_RATE * g) for p, g in zip(shared, grads)])
    return Trainer(lambda: f(x_value, y_value), lambda: [p.get_value() for p in shared])


def _numpy_trainer(params: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray) -> Trainer:
    """Forward, backward and update by hand, in place where numpy allows it."""
    current = [p.copy() for p in params]
    rows = np.arange(len(y))
    scale = LEARNING_RATE / np.float32(len(y))

    def step() -> np.float32:
        activations = [x]
        for W, b in zip(current[0:-2:2], current[1:-2:2]):
            a = activations[-1] @ W
            a += b
            activations.append(np.tanh(a, out=a))
        z = activations[-1] @ current[-2]
        z += current[-1]
        z -= z.max(axis=1, keepdims=True)
        picked = z[rows, y]
        np.exp(z, out=z)
        total = z.sum(axis=1)
        loss = np.mean(np.log(total) - picked)
        z /= total[:, None]
        z[rows, y] -= 1
        z *= scale  # lr times the loss's gradient with respect to the logits
        delta = z
        for layer in reversed(range(len(current) // 2)):
            W, b, a = current[2 * layer], current[2 * layer + 1], activations[layer]
            below = None
            if layer > 0:  # through W before it changes, then through tanh
                below = delta @ W.T
                below *= 1 - a * a
            W -= a.T @ delta
            b -= delta.sum(axis=0)
            delta = below
        return loss

    return Trainer(step, lambda: [p.copy() for p in current])


def _jax_loss(params: list[Any], x: Any, y: Any) -> Any:
    import jax
    import jax.numpy as jnp

    h = x
    for W, b in zip(params[0:-2:2], params[1:-2:2]):
        h = jnp.tanh(h @ W + b)
    logits = h @ params[-2] + params[-1]
    return -jax.nn.log_softmax(logits)[jnp.arange(x.shape[0]), y].mean()


def _pytensor_loss(pt: Any, shared: list[Any]) -> tuple[list[Any], Any]:
    x, y = pt.matrix("x", dtype="float32"), pt.vector("y", dtype="int32")
    h = x
    for W, b in zip(shared[0:-2:2], shared[1:-2:2]):
        h = pt.tanh(pt.dot(h, W) + b)
    logits = pt.dot(h, shared[-2]) + shared[-1]
    return [x, y], -pt.special.log_softmax(logits, axis=-1)[pt.arange(x.shape[0]), y].mean()


def _torch_loss(params: list[Any], x: Any, y: Any) -> Any:
    import torch

    h = x
    for W, b in zip(params[0:-2:2], params[1:-2:2]):
        h = torch.tanh(h @ W + b)
    return torch.nn.functional.cross_entropy(h @ params[-2] + params[-1], y.long())


def _check(trainers: dict[str, Trainer]) -> None:
    """One step of each from the same start: losses and parameters agree with tg's."""
    losses = {name: float(np.asarray(t.step())) for name, t in trainers.items()}
    expected = trainers["tg"].params()
    for name, trainer in trainers.items():
        np.testing.assert_allclose(losses[name], losses["tg"], rtol=1e-5, err_msg=name)
        for i, (got, want) in enumerate(zip(trainer.params(), expected)):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=f"{name}, parameter {i}")


def _sgd_step(name: str, batch: int, sizes: Sequence[int], repeats: int, inner: int) -> Workload:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch).astype(np.int32)
    params = _initial_params(rng, sizes)
    trainers = {"tg": _tg_trainer(params, x, y), "numpy": _numpy_trainer(params, x, y)}
    for peer, trainer in (
        ("jax", jax_trainer(_jax_loss, params, LEARNING_RATE, x, y)),
        (pytensor_name(), pytensor_trainer(_pytensor_loss, params, LEARNING_RATE, x, y)),
        ("torch", torch_trainer(_torch_loss, params, LEARNING_RATE, x, y)),
    ):
        if trainer is not None:
            trainers[peer] = trainer
    _check(trainers)
    contenders = {peer: trainer.step for peer, trainer in trainers.items()}
    return Workload(name, contenders, repeats=repeats, inner=inner,
                    targets={peer: 1.0 for peer in contenders if peer != "tg"})


def logistic_regression_step() -> Workload:
    """One SGD step of logistic regression: 600 x 784 float32 batch, 10 classes."""
    return _sgd_step("logreg SGD step, 600x784 -> 10 f32", 600, (784, CLASSES), repeats=21, inner=5)


def mlp_step() -> Workload:
    """One SGD step of a 784-500-10 tanh MLP on a 256-row float32 batch."""
    return _sgd_step("MLP 784-500-10 SGD step, batch 256 f32", 256, (784, 500, CLASSES), repeats=15, inner=2)
