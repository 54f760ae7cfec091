"""`tg.tensor.random`: random draws from a state variable, Theano's `raw_random` in
spirit.

Each function takes a random state (an int64 `[key, counter]` tensor, usually a
shared variable) and returns a `Draw`: the random variable and the number of 64-bit
words it consumes, by which `advance` moves the state's counter. The draws are the
`tg.random_*` ops' (counter-based, so a state always gives the same values, in the
interpreter and in compiled code alike); the distributions' parameters are applied
with ordinary tensor operations. `tg.tensor.shared_randomstreams.RandomStreams`
manages the states.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from tg.config import config
from tg.dialects import tg_random as R
from tg.dialects.tensor_types import element_type
from tg.tensor import basic as T
from tg.variable import TensorVariable

__all__: list[str] = []

_INTS = ("int8", "int16", "int32", "int64")


class Draw(NamedTuple):
    """A random variable and the number of words (0-d int64) drawn for it."""

    value: TensorVariable
    words: TensorVariable


# ------------------------------------------------------------------ arguments


def _is_symbolic(x: Any) -> bool:
    return isinstance(x, TensorVariable)


def _size_scalar(s: Any, what: str) -> tuple[TensorVariable, int | None]:
    """One requested size as a 0-d int64 variable and its static value (if known)."""
    if _is_symbolic(s):
        if s.ndim != 0 or s.dtype not in _INTS:
            raise TypeError(f"{what}: sizes must be integers or integer scalars, got {s}")
        return T.cast(s, "int64"), None
    if isinstance(s, bool) or not isinstance(s, int | np.integer):
        raise TypeError(f"{what}: sizes must be integers or integer scalars, got {s!r}")
    if s < 0:
        raise ValueError(f"{what}: negative size {int(s)}")
    return T.constant(np.int64(s)), int(s)


def _size_items(size: Any, what: str) -> list[Any]:
    if isinstance(size, int | np.integer) or (_is_symbolic(size) and size.ndim == 0):
        return [size]
    if _is_symbolic(size):
        if size.ndim != 1 or size.type.shape[0] is None:
            raise TypeError(f"{what}: a symbolic size must be a vector of known length, got {size}")
        return [size[i] for i in range(size.type.shape[0])]
    try:
        return list(size)
    except TypeError:
        raise TypeError(f"{what}: size must be a tuple of integers or integer scalars, got {size!r}") from None


def shape_of_size(
    size: Any, ndim: int | None, params: Sequence[TensorVariable], what: str
) -> tuple[list[TensorVariable], list[int | None]]:
    """The sizes of a draw: `size` (ints, integer scalars, `x.shape`), or with
    `size=None` the broadcast shape of the parameters. Checks `ndim` against it."""
    if size is None:
        rank = builtins.max((p.ndim for p in params), default=0)
        sizes: list[TensorVariable] = []
        static: list[int | None] = []
        for axis in range(rank):
            padded = [p for p in params if p.ndim > rank - 1 - axis]
            source = next((p for p in padded if not p.broadcastable[axis - rank + p.ndim]), padded[0])
            sizes.append(source.shape[axis - rank + source.ndim])
            d = source.type.shape[axis - rank + source.ndim]
            static.append(d)
    else:
        pairs = [_size_scalar(s, what) for s in _size_items(size, what)]
        sizes, static = [p[0] for p in pairs], [p[1] for p in pairs]
    if ndim is not None and ndim != len(sizes):
        raise ValueError(f"{what}: ndim={ndim} disagrees with the {len(sizes)} sizes {size!r}")
    for p in params:
        if p.ndim > len(sizes):
            raise ValueError(
                f"{what}: a parameter has {p.ndim} dimensions, more than the {len(sizes)} of the size {size!r}"
            )
    return sizes, static


def _count(sizes: Sequence[TensorVariable], static: Sequence[int | None], per_element: int = 1) -> TensorVariable:
    """prod(sizes) * per_element as a 0-d int64 (a constant when the sizes are static)."""
    if all(s is not None for s in static):
        return T.constant(np.int64(int(np.prod([int(s) for s in static], dtype=np.int64)) * per_element))  # type: ignore[arg-type]
    total: TensorVariable = T.constant(np.int64(per_element))
    for s in sizes:
        total = total * s
    return total


def _float_dtype(dtype: Any, params: Sequence[Any], what: str) -> str:
    """`dtype`, or floatX upcast with the symbolic parameters' dtypes (Theano's rule)."""
    if dtype is None:
        dtypes = [np.dtype(p.dtype) for p in params if _is_symbolic(p)]
        return np.result_type(np.dtype(config.floatX), *dtypes).name
    name = np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise TypeError(f"{what}: dtype must be float32 or float64, got {name}")
    return name


def _check_state(state: TensorVariable) -> TensorVariable:
    state = T.as_tensor_variable(state)
    if state.dtype != "int64" or state.ndim != 1:
        raise TypeError(f"a random state must be an int64 vector [key, counter], got {state}")
    return state


def new_state(seed: int, stream: int = 0) -> np.ndarray:
    """The state value of stream number `stream` of generator `seed` (counter 0)."""
    return np.array([R.seed_key(int(seed), int(stream)), 0], np.int64)


def advance(state: TensorVariable, words: TensorVariable) -> TensorVariable:
    """`state` with its counter moved on by `words`: the state after a draw."""
    step = T.dimshuffle(T.cast(words, "int64"), "x") * T.constant(np.array([0, 1], np.int64))
    return state + step


# ------------------------------------------------------------------ canonical draws


def _unit(op_cls: type[R.SizedRandomOp], state: Any, sizes: list[TensorVariable],
          static: list[int | None], dtype: str) -> Draw:
    state = _check_state(state)
    value = T.build(op_cls(state.value, [], [s.value for s in sizes], static, element_type(dtype)))
    return Draw(value, _count(sizes, static, op_cls.WORDS))


def _is_number(x: Any, value: float) -> bool:
    return not _is_symbolic(x) and np.ndim(x) == 0 and float(x) == value


def uniform(state: Any, size: Any = None, low: Any = 0.0, high: Any = 1.0, ndim: int | None = None,
            dtype: Any = None) -> Draw:
    """Floats uniform on [low, high): low + (high - low) * u for u uniform on [0, 1)."""
    params = [T.as_tensor_variable(x) for x in (low, high) if _is_symbolic(x) or np.ndim(x) > 0]
    dtype = _float_dtype(dtype, params, "uniform")
    sizes, static = shape_of_size(size, ndim, params, "uniform")
    u, words = _unit(R.RandomUniformOp, state, sizes, static, dtype)
    if not (_is_number(low, 0.0) and _is_number(high, 1.0)):
        lo, hi = (T.cast(T.as_tensor_variable(x, dtype if not _is_symbolic(x) else None), dtype) for x in (low, high))
        u = lo + (hi - lo) * u
    return Draw(u, words)


def normal(state: Any, size: Any = None, avg: Any = 0.0, std: Any = 1.0, ndim: int | None = None,
           dtype: Any = None) -> Draw:
    """Normal floats: avg + std * z for standard normal z (Box-Muller)."""
    params = [T.as_tensor_variable(x) for x in (avg, std) if _is_symbolic(x) or np.ndim(x) > 0]
    dtype = _float_dtype(dtype, params, "normal")
    sizes, static = shape_of_size(size, ndim, params, "normal")
    z, words = _unit(R.RandomNormalOp, state, sizes, static, dtype)
    if not (_is_number(avg, 0.0) and _is_number(std, 1.0)):
        mu, sigma = (T.cast(T.as_tensor_variable(x, dtype if not _is_symbolic(x) else None), dtype) for x in (avg, std))
        z = mu + sigma * z
    return Draw(z, words)


def _int_scalar(x: Any, what: str) -> TensorVariable:
    if _is_symbolic(x):
        if x.ndim != 0 or x.dtype not in _INTS:
            raise TypeError(f"{what} must be an integer or an integer scalar, got {x}")
        return T.cast(x, "int64")
    if isinstance(x, bool) or not isinstance(x, int | np.integer):
        raise TypeError(f"{what} must be an integer or an integer scalar, got {x!r}")
    return T.constant(np.int64(x))


def _probability(p: Any) -> TensorVariable:
    t = T.as_tensor_variable(p) if _is_symbolic(p) else T.constant(np.asarray(p, np.float64))
    return t if t.dtype in ("float32", "float64") else T.cast(t, "float64")


def binomial(state: Any, size: Any = None, n: Any = 1, p: Any = 0.5, ndim: int | None = None,
             dtype: Any = "int64") -> Draw:
    """Successes among n trials of probability p: the uniforms below p, counted
    (one float64 uniform per trial)."""
    prob = _probability(p)
    trials = _int_scalar(n, "binomial: n")
    if not _is_symbolic(n) and n < 0:
        raise ValueError(f"binomial: n must be non-negative, got {n}")
    sizes, static = shape_of_size(size, ndim, [prob], "binomial")
    if not _is_symbolic(n) and n == 1:
        u, words = _unit(R.RandomUniformOp, state, sizes, static, "float64")
        hits = T.lt(u, prob)
    else:
        n_static = None if _is_symbolic(n) else int(n)
        u, words = _unit(R.RandomUniformOp, state, [*sizes, trials], [*static, n_static], "float64")
        hits = T.sum(T.lt(u, T.dimshuffle(prob, *range(prob.ndim), "x")), axis=-1)
    return Draw(T.cast(hits, dtype), words)


def _integers_below(u: TensorVariable, span: TensorVariable) -> TensorVariable:
    """floor(u * span) for u uniform on [0, 1), kept below span (int64)."""
    scaled = T.cast(u * T.cast(span, "float64"), "int64")
    return T.minimum(scaled, span - 1)


def random_integers(state: Any, size: Any = None, low: Any = 0, high: Any = 1, ndim: int | None = None,
                    dtype: Any = "int64") -> Draw:
    """Integers uniform on [low, high], both included (one float64 uniform each)."""
    if not _is_symbolic(low) and not _is_symbolic(high) and np.ndim(low) == 0 and np.ndim(high) == 0 and high < low:
        raise ValueError(f"random_integers: high ({high}) is below low ({low})")
    lo, hi = (T.cast(T.as_tensor_variable(x, "int64" if not _is_symbolic(x) else None), "int64") for x in (low, high))
    if (_is_symbolic(low) or _is_symbolic(high)) and lo.ndim == 0 and hi.ndim == 0:
        hi = T.assert_op(hi, T.ge(hi, lo), "random_integers: high is below low")
    params = [t for t, x in zip((lo, hi), (low, high)) if _is_symbolic(x) or np.ndim(x) > 0]
    sizes, static = shape_of_size(size, ndim, params, "random_integers")
    u, words = _unit(R.RandomUniformOp, state, sizes, static, "float64")
    return Draw(T.cast(lo + _integers_below(u, hi - lo + 1), dtype), words)


def categorical(state: Any, p: Any, size: Any = None, ndim: int | None = None) -> Draw:
    """Indices in [0, len(p)) drawn with probabilities p / sum(p) (int64)."""
    prob = _probability(p)
    if prob.ndim != 1:
        raise ValueError(f"p must be a vector of probabilities, got {prob}")
    sizes, static = shape_of_size(() if size is None else size, ndim, [], "choice")
    state = _check_state(state)
    op = R.RandomCategoricalOp(state.value, prob.value, [s.value for s in sizes], static)
    return Draw(T.build(op), _count(sizes, static))


def distinct(state: Any, n: Any, size: Any, batch_dims: int) -> Draw:
    """Distinct integers in [0, n) over the dimensions from `batch_dims` on, drawn
    anew for each index of the leading ones (the first entries of a random
    permutation; Fisher-Yates)."""
    count = _int_scalar(n, "n")
    sizes, static = shape_of_size(size, None, [], "permutation")
    state = _check_state(state)
    op = R.RandomPermutationOp(state.value, count.value, [s.value for s in sizes], static, batch_dims)
    return Draw(T.build(op), _count(sizes, static))


def permutation(state: Any, size: Any = None, n: Any = 1, ndim: int | None = None, dtype: Any = "int64") -> Draw:
    """Random permutations of [0, n): shape size + (n,), one per index of size."""
    if not _is_symbolic(n) and int(n) < 0:
        raise ValueError(f"permutation: n must be non-negative, got {n}")
    items = [] if size is None else _size_items(size, "permutation")
    if ndim is not None and ndim != len(items):
        raise ValueError(f"permutation: ndim={ndim} disagrees with the {len(items)} sizes {size!r}")
    value, words = distinct(state, n, [*items, n], len(items))
    return Draw(T.cast(value, dtype), words)


def choice(state: Any, size: Any = None, a: Any = 2, replace: bool = True, p: Any = None,
           ndim: int | None = None, dtype: Any = "int64") -> Draw:
    """Elements of `a` (a vector, or range(a) for an integer), with or without
    replacement, uniformly or with probabilities p."""
    pool: TensorVariable | None = None
    if _is_symbolic(a) and a.ndim == 1 or not _is_symbolic(a) and np.ndim(a) == 1:
        pool = T.as_tensor_variable(a)
        count = pool.shape[0]
    else:
        count = _int_scalar(a, "choice: a")
    target = () if size is None else size
    if pool is None and _is_symbolic(a):
        count = T.assert_op(count, T.ge(count, 1), "choice: a must be positive")
    if pool is None and not _is_symbolic(a) and a < 1:
        empty = any(not _is_symbolic(s) and int(s) == 0 for s in _size_items(target, "choice"))
        if a < 0 or not empty:
            raise ValueError(f"choice: a must be positive unless no samples are taken, got {a}")
    if p is not None:
        if not replace:
            raise NotImplementedError("choice: drawing without replacement with probabilities p is not supported")
        index, words = categorical(state, p, target, ndim)
    elif replace:
        sizes, static = shape_of_size(target, ndim, [], "choice")
        u, words = _unit(R.RandomUniformOp, state, sizes, static, "float64")
        index = _integers_below(u, count)
    else:
        items = _size_items(target, "choice")
        if ndim is not None and ndim != len(items):
            raise ValueError(f"choice: ndim={ndim} disagrees with the {len(items)} sizes {size!r}")
        index, words = distinct(state, count, items, 0)
    if pool is None:
        return Draw(T.cast(index, dtype), words)
    from tg import tensor

    return Draw(tensor.get_item(pool, index), words)


def multinomial(state: Any, size: Any = None, n: Any = 1, pvals: Any = None, ndim: int | None = None,
                dtype: Any = "int64") -> Draw:
    """Counts of n draws over the categories of the last axis of `pvals` (rows of
    probabilities, normalized by their sums): shape size + (k,), or pvals' shape
    when size is None (Theano's MRG multinomial: one-hot rows for n = 1)."""
    probs = _probability([0.5, 0.5] if pvals is None else pvals)
    if probs.ndim < 1:
        raise ValueError(f"multinomial: pvals must have at least one dimension, got {probs}")
    if not _is_symbolic(n) and int(n) < 0:
        raise ValueError(f"multinomial: n must be non-negative, got {n}")
    draws = _int_scalar(n, "multinomial: n")
    if size is not None:
        items = _size_items(size, "multinomial")
        if ndim is not None and ndim != len(items):
            raise ValueError(f"multinomial: ndim={ndim} disagrees with the {len(items)} sizes {size!r}")
        probs = T.alloc(probs, *items, probs.shape[probs.ndim - 1])
    state = _check_state(state)
    counts = T.build(R.RandomMultinomialOp(state.value, draws.value, probs.value, element_type(np.dtype(dtype))))
    rows = [probs.shape[a] for a in range(probs.ndim - 1)]
    static = list(probs.type.shape[:-1])
    return Draw(counts, _count(rows, static) * draws)
