"""Shared helpers of tg's pytest suites: random inputs, compiling in every mode, and
comparing results with numpy (dtype, shape and values)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tg

MODES = ("FAST_RUN", "FAST_COMPILE")
FLOATS = ("float32", "float64")
INTS = ("int8", "int16", "int32", "int64")
ALL_DTYPES = ("float32", "float64", "bool", "int8", "int16", "int32", "int64")

RTOL = {"float32": 1e-5, "float64": 1e-12}


def rand(shape: Sequence[int], dtype: str, rng: np.random.Generator, low: float = -3.0, high: float = 3.0,
         full_range: bool = False) -> np.ndarray:
    """Random values of `dtype`: floats in [low, high), ints over their whole range
    (`full_range`) or in [low, high], bools at random."""
    shape = tuple(shape)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind == "i":
        if full_range:
            info = np.iinfo(dtype)
            return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
        return rng.integers(int(low), int(high), size=shape, endpoint=True).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


def compile_modes(inputs: Sequence[Any], outputs: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    """The function compiled in every mode, as (mode, function) pairs."""
    return [(mode, tg.function(inputs, outputs, mode=mode, **kwargs)) for mode in MODES]


def assert_result(actual: Any, expected: Any, rtol: float | None = None, atol: float = 0.0,
                  what: str = "") -> None:
    """`actual` is a fresh ndarray of `expected`'s dtype and shape with equal values
    (floats: close, NaN where numpy has NaN)."""
    expected = np.asarray(expected)
    assert isinstance(actual, np.ndarray), f"{what}: expected an ndarray, got {type(actual)}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, numpy gives {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, numpy gives {expected.shape}"
    if expected.dtype.kind == "f":
        tol = RTOL[expected.dtype.name] if rtol is None else rtol
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=atol, equal_nan=True, err_msg=what)
        # NaN exactly where numpy has NaN, infinities of the same sign
        np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=what)
        inf = np.isinf(expected)
        np.testing.assert_array_equal(actual[inf], expected[inf], err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def check(
    inputs: Sequence[Any],
    outputs: Any,
    arg_sets: Sequence[Sequence[Any]],
    expected: Callable[..., Any],
    rtol: float | None = None,
    atol: float | Callable[..., float] = 0.0,
    **kwargs: Any,
) -> None:
    """Compile `outputs` in every mode and compare each call on `arg_sets` with
    `expected(*args)` (one array, or a list for a list of outputs)."""
    for mode, f in compile_modes(inputs, outputs, **kwargs):
        for args in arg_sets:
            copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
            got = f(*args)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                want = expected(*args)
            shapes = [np.shape(a) for a in args]
            if isinstance(outputs, list | tuple):
                assert isinstance(got, list) and len(got) == len(want)
                pairs = list(zip(got, want))
            else:
                pairs = [(got, want)]
            for i, (g, w) in enumerate(pairs):
                tol = atol(*args) if callable(atol) else atol
                assert_result(g, w, rtol=rtol, atol=tol, what=f"{mode} output {i} for inputs of shapes {shapes}")
            for a, c in zip(args, copies):
                if isinstance(a, np.ndarray):
                    np.testing.assert_array_equal(a, c, err_msg=f"{mode}: an input array was modified")


def np_cast(x: np.ndarray, dtype: str) -> np.ndarray:
    """numpy's astype, except that float to integer truncates toward zero, saturates at
    the integer range and maps NaN to 0 (tg's documented cast semantics)."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    if x.dtype.kind == "f" and dtype.kind == "i":
        info = np.iinfo(dtype)
        out = np.empty(x.shape, dtype)
        flat_in, flat_out = x.ravel(), out.reshape(-1)
        for i, v in enumerate(flat_in.tolist()):
            if v != v:
                flat_out[i] = 0
            elif v >= info.max:
                flat_out[i] = info.max
            elif v <= info.min:
                flat_out[i] = info.min
            else:
                flat_out[i] = int(v)  # truncates toward zero; exact for in-range values
        return out
    with np.errstate(all="ignore"):
        return x.astype(dtype)


def upgrade_to_float(dtype: str) -> str:
    """tg's float dtype for float-only functions of `dtype`."""
    if dtype in FLOATS:
        return dtype
    return "float32" if dtype in ("bool", "int8", "int16") else "float64"
