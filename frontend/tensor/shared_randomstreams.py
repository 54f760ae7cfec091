"""`tg.tensor.shared_randomstreams`: Theano's `RandomStreams`.

    srng = RandomStreams(seed=234)
    rv_u = srng.uniform((2, 2))
    f = tg.function([], rv_u)      # a new draw on every call
    g = tg.function([], rv_u, no_default_updates=True)   # the same draw every call

Each random variable gets a state of its own, a shared int64 `[key, counter]`
(`rv.rng`), whose `default_update` moves the counter past the words the draw used,
so that every function computing `rv` draws anew on each call; within one call `rv`
is one value however often it is used. The key comes from the stream's seed and the
variable's number, so a seed reproduces the same draws in every process and mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from tg.shared import SharedVariable
from tg.tensor import random
from tg.variable import TensorVariable

__all__ = ["RandomStateArray", "RandomStateSharedVariable", "RandomStreams"]


class RandomStateArray(np.ndarray):
    """A random state's value, `[key, counter]` (int64), with numpy RandomState's
    `seed`, `get_state` and `set_state`, which change it in place (so Theano's
    `v = rv.rng.get_value(borrow=True); v.seed(1); rv.rng.set_value(v, borrow=True)`
    works)."""

    def seed(self, seed: int | None = None) -> None:
        """Restart at counter 0 of the stream that `seed` names."""
        self[...] = random.new_state(_fresh_seed() if seed is None else seed)

    def get_state(self) -> np.ndarray:
        return np.array(self, np.int64)

    def set_state(self, state: Any) -> None:
        self[...] = np.asarray(state, np.int64)


class RandomStateSharedVariable(SharedVariable):
    """The shared state of one random variable (its `rng`)."""

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> np.ndarray:
        return super().get_value(borrow, return_internal_type).view(RandomStateArray)

    def __reduce__(self) -> tuple[Any, ...]:
        state = {"default_update": getattr(self, "default_update", None)}
        return (_rebuild_state, (np.array(self.container), self.name), state)


def _rebuild_state(value: np.ndarray, name: str | None) -> RandomStateSharedVariable:
    variable = RandomStateSharedVariable(value, name, (2,), None)
    variable.set_value(value)
    return variable


def _fresh_seed() -> int:
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])


class RandomStreams:
    """Theano's RandomStreams: a factory of random variables sharing a seed.

    Each method returns a random variable `rv` with `rv.rng` (its state, a shared
    variable) and `rv.update` (the `(rng, new_state)` pair, also `rng.default_update`).
    `seed=None` draws a seed from the operating system.
    """

    def __init__(self, seed: int | None = None):
        self.default_instance_seed = _fresh_seed() if seed is None else int(seed)
        self.state_updates: list[tuple[SharedVariable, TensorVariable]] = []
        """(state, new state) of every random variable made so far."""

    def updates(self) -> list[tuple[SharedVariable, TensorVariable]]:
        """The update pairs of every random variable made so far."""
        return list(self.state_updates)

    def seed(self, seed: int | None = None) -> None:
        """Reseed every random variable made so far (and those made later)."""
        self.default_instance_seed = _fresh_seed() if seed is None else int(seed)
        for i, (state, _) in enumerate(self.state_updates):
            state.set_value(random.new_state(self.default_instance_seed, i))

    def gen(self, draw: Callable[..., random.Draw], *args: Any, **kwargs: Any) -> TensorVariable:
        """A random variable from `draw(state, *args, **kwargs)` (a function of
        `tg.tensor.random`) on a new state of this stream."""
        stream = len(self.state_updates)
        state = RandomStateSharedVariable(np.zeros(2, np.int64), f"rng{stream}", (2,), None)
        state.set_value(random.new_state(self.default_instance_seed, stream))
        value, words = draw(state, *args, **kwargs)
        new_state = random.advance(state, words)
        state.default_update = new_state
        value.rng = state  # type: ignore[attr-defined]
        value.update = (state, new_state)  # type: ignore[attr-defined]
        self.state_updates.append((state, new_state))
        return value

    def uniform(self, size: Any = None, low: Any = 0.0, high: Any = 1.0, ndim: int | None = None,
                dtype: Any = None, nstreams: Any = None) -> TensorVariable:
        """Floats uniform on [low, high) (dtype: floatX unless a parameter is wider)."""
        return self.gen(random.uniform, size, low, high, ndim, dtype)

    def normal(self, size: Any = None, avg: Any = 0.0, std: Any = 1.0, ndim: int | None = None,
               dtype: Any = None, nstreams: Any = None) -> TensorVariable:
        """Normal floats of mean avg and standard deviation std."""
        return self.gen(random.normal, size, avg, std, ndim, dtype)

    def binomial(self, size: Any = None, n: Any = 1, p: Any = 0.5, ndim: int | None = None,
                 dtype: Any = "int64", prob: Any = None, nstreams: Any = None) -> TensorVariable:
        """Successes among n trials of probability p (`binomial(size=x.shape, n=1,
        p=1 - corruption, dtype=floatX)` is the denoising autoencoder's mask)."""
        return self.gen(random.binomial, size, n, p if prob is None else prob, ndim, dtype)

    def random_integers(self, size: Any = None, low: Any = 0, high: Any = 1, ndim: int | None = None,
                        dtype: Any = "int64") -> TensorVariable:
        """Integers uniform on [low, high], both included."""
        return self.gen(random.random_integers, size, low, high, ndim, dtype)

    def choice(self, size: Any = None, a: Any = 2, replace: bool = True, p: Any = None,
               ndim: int | None = None, dtype: Any = "int64") -> TensorVariable:
        """Elements of a (or of range(a)), with or without replacement, uniformly or
        with probabilities p."""
        return self.gen(random.choice, size, a, replace, p, ndim, dtype)

    def permutation(self, size: Any = None, n: Any = 1, ndim: int | None = None,
                    dtype: Any = "int64") -> TensorVariable:
        """Permutations of range(n): shape size + (n,)."""
        return self.gen(random.permutation, size, n, ndim, dtype)

    def multinomial(self, size: Any = None, n: Any = 1, pvals: Any = None, ndim: int | None = None,
                    dtype: Any = "int64", nstreams: Any = None) -> TensorVariable:
        """Counts of n draws per row of pvals (one-hot rows for n = 1)."""
        return self.gen(random.multinomial, size, n, pvals, ndim, dtype)
