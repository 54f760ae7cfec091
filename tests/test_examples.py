"""The examples train to the same error as a plain numpy implementation of the same
training on the same data (within one percentage point)."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
sys.path.insert(0, EXAMPLES)

from datasets import make_dataset  # noqa: E402


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def numpy_logistic_sgd(datasets, learning_rate=0.13, n_epochs=30, batch_size=60) -> float:
    (tx, ty), _, (sx, sy) = datasets
    n_out = int(ty.max()) + 1
    W = np.zeros((tx.shape[1], n_out))
    b = np.zeros(n_out)
    for _ in range(n_epochs):
        for i in range(tx.shape[0] // batch_size):
            x, y = tx[i * batch_size : (i + 1) * batch_size], ty[i * batch_size : (i + 1) * batch_size]
            p = _softmax(x @ W + b)
            d = p.copy()
            d[np.arange(len(y)), y] -= 1
            d /= len(y)
            W, b = W - learning_rate * x.T @ d, b - learning_rate * d.sum(axis=0)
    return float(np.mean(np.argmax(sx @ W + b, axis=1) != sy))


def numpy_mlp(datasets, learning_rate=0.05, L1_reg=0.0001, L2_reg=0.0001, n_epochs=20, batch_size=20,
              n_hidden=32, seed=1234) -> float:
    (tx, ty), _, (sx, sy) = datasets
    n_in, n_out = tx.shape[1], int(ty.max()) + 1
    rng = np.random.RandomState(seed)
    bound = np.sqrt(6.0 / (n_in + n_hidden))
    W1 = rng.uniform(low=-bound, high=bound, size=(n_in, n_hidden))
    b1 = np.zeros(n_hidden)
    W2 = np.zeros((n_hidden, n_out))
    b2 = np.zeros(n_out)
    for _ in range(n_epochs):
        for i in range(tx.shape[0] // batch_size):
            x, y = tx[i * batch_size : (i + 1) * batch_size], ty[i * batch_size : (i + 1) * batch_size]
            h = np.tanh(x @ W1 + b1)
            p = _softmax(h @ W2 + b2)
            d2 = p.copy()
            d2[np.arange(len(y)), y] -= 1
            d2 /= len(y)
            dh = (d2 @ W2.T) * (1 - h * h)
            gW2 = h.T @ d2 + L1_reg * np.sign(W2) + 2 * L2_reg * W2
            gW1 = x.T @ dh + L1_reg * np.sign(W1) + 2 * L2_reg * W1
            W1, b1 = W1 - learning_rate * gW1, b1 - learning_rate * dh.sum(axis=0)
            W2, b2 = W2 - learning_rate * gW2, b2 - learning_rate * d2.sum(axis=0)
    h = np.tanh(sx @ W1 + b1)
    return float(np.mean(np.argmax(h @ W2 + b2, axis=1) != sy))


@pytest.fixture(scope="module")
def data():
    return make_dataset(n_in=20, n_out=4, n_samples=1500, seed=7)


def test_logistic_regression_matches_numpy(data):
    from logistic_sgd import sgd_optimization

    tg_error, validation = sgd_optimization(n_epochs=10, datasets=data, verbose=False)
    np_error = numpy_logistic_sgd(data, n_epochs=10)
    assert len(validation) == 10
    assert abs(tg_error - np_error) <= 0.01, (tg_error, np_error)
    assert tg_error < 0.5  # it learned (4 classes: chance is 75 % error)


def test_mlp_matches_numpy(data):
    from mlp import test_mlp

    tg_error, validation = test_mlp(n_epochs=8, datasets=data, verbose=False)
    np_error = numpy_mlp(data, n_epochs=8)
    assert abs(tg_error - np_error) <= 0.01, (tg_error, np_error)
    assert tg_error < 0.5
