"""`tg.tensor.nnet`: Theano's neural-network functions, written with tg.tensor ops
(their gradients follow from the ops' rules)."""

from __future__ import annotations

from typing import Any

from tg.tensor import basic as B
from tg.variable import TensorVariable


def _T() -> Any:
    import tg.tensor

    return tg.tensor


def sigmoid(x: Any) -> TensorVariable:
    """1 / (1 + exp(-x))."""
    return B.sigmoid(x)


def softmax(x: Any, axis: int = -1) -> TensorVariable:
    """Softmax along the last axis (rows of a matrix, as Theano's), max-shifted so
    that large inputs do not overflow."""
    t = B.as_tensor_variable(x)
    shifted = t - B.max(t, axis=axis, keepdims=True)
    e = B.exp(shifted)
    return e / B.sum(e, axis=axis, keepdims=True)


def logsoftmax(x: Any, axis: int = -1) -> TensorVariable:
    """log(softmax(x)) computed stably: x - max - log(sum(exp(x - max)))."""
    t = B.as_tensor_variable(x)
    shifted = t - B.max(t, axis=axis, keepdims=True)
    return shifted - B.log(B.sum(B.exp(shifted), axis=axis, keepdims=True))


log_softmax = logsoftmax


def relu(x: Any, alpha: Any = 0) -> TensorVariable:
    """max(x, 0), or a leaky x * alpha below zero."""
    t = B.as_tensor_variable(x)
    return B.switch(B.gt(t, 0), t, t * alpha)


def softplus(x: Any) -> TensorVariable:
    """log(1 + exp(x)) without overflow."""
    return B.softplus(x)


def elu(x: Any, alpha: float = 1.0) -> TensorVariable:
    """x above zero, alpha * (exp(x) - 1) below."""
    t = B.as_tensor_variable(x)
    return B.switch(B.gt(t, 0), t, alpha * _T().expm1(t))


def binary_crossentropy(output: Any, target: Any) -> TensorVariable:
    """-(target * log(output) + (1 - target) * log(1 - output)), elementwise."""
    o, t = B.as_tensor_variable(output), target
    return B.neg(t * B.log(o) + (1 - t) * B.log(1 - o))


def categorical_crossentropy(coding_dist: Any, true_dist: Any) -> TensorVariable:
    """Cross-entropy of each row of `coding_dist` (probabilities) against `true_dist`:
    integer class labels (a vector) or one-hot / probability rows."""
    p = B.as_tensor_variable(coding_dist)
    y = B.as_tensor_variable(true_dist)
    if y.dtype.startswith("int") and y.ndim == p.ndim - 1:
        T = _T()
        return B.neg(B.log(p[T.arange(y.shape[0]), y]))
    return B.neg(B.sum(y * B.log(p), axis=-1))


__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "elu",
    "log_softmax",
    "logsoftmax",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
]
