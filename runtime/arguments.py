"""Checking a call's arguments against the function's input types, Theano's way.

numpy arrays are judged by dtype (a safe cast is accepted, a lossy one needs
`allow_input_downcast=True`); Python numbers and lists are judged by value (a
conversion that loses nothing is accepted). Every failure is a TypeError or
ValueError that names the input and says what was expected and what was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tg.config import config


@dataclass(frozen=True)
class InputSpec:
    """What one function input accepts."""

    label: str
    """How messages name the input: `input 'x' (argument 0)`."""
    dtype: np.dtype
    shape: tuple[int | None, ...]
    allow_downcast: bool | None
    any_size: bool = field(init=False)
    """Whether every dimension is dynamic (no size to check)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "any_size", all(d is None for d in self.shape))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def describe(self) -> str:
        dims = ", ".join("?" if d is None else str(d) for d in self.shape)
        return f"{self.dtype.name} tensor of shape ({dims}{',' if self.ndim == 1 else ''})"


def _lossless(original: np.ndarray, converted: np.ndarray) -> bool:
    with np.errstate(all="ignore"):
        back = converted.astype(original.dtype)
        same = back == original
        if original.dtype.kind == "f":
            same |= np.isnan(original) & np.isnan(back)
        if original.dtype.kind in "iuf" and converted.dtype.kind in "iuf":
            same &= (converted < 0) == (original < 0)  # a wrapped-around integer round-trips
    return bool(np.all(same))


def convert_input(value: Any, spec: InputSpec) -> np.ndarray:
    """`value` as a C-contiguous array of the input's dtype and rank, or a clear error."""
    if (
        type(value) is np.ndarray
        and value.dtype == spec.dtype
        and value.ndim == spec.ndim
        and value.flags.c_contiguous
        and spec.any_size
    ):
        return value  # the common case: nothing to convert or check
    if type(value) in (float, int) and spec.ndim == 0 and spec.dtype.kind in "fi":
        scalar = _convert_scalar(value, spec)
        if scalar is not None:
            return scalar
    if isinstance(value, np.ndarray | np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{spec.label} expects a {spec.describe()}, got an array of dtype {array.dtype}")
        if array.dtype != spec.dtype:
            if not (np.can_cast(array.dtype, spec.dtype, "safe") or spec.allow_downcast):
                raise TypeError(
                    f"{spec.label} expects a {spec.describe()}, got a {array.dtype} array; "
                    f"converting it could lose precision. Cast it to {spec.dtype.name} or pass "
                    f"allow_input_downcast=True"
                )
            with np.errstate(all="ignore"):
                array = array.astype(spec.dtype)
    else:
        try:
            original = np.asarray(value)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{spec.label} expects a {spec.describe()}, got {type(value).__name__}: {e}") from None
        if original.dtype.kind not in "biuf":
            raise TypeError(
                f"{spec.label} expects a {spec.describe()}, got {type(value).__name__} "
                f"{_short(value)}"
            )
        with np.errstate(all="ignore"):
            array = original.astype(spec.dtype)
        floatx_scalar = isinstance(value, float) and spec.dtype.name == config.floatX
        if not (spec.allow_downcast or floatx_scalar or _lossless(original, array)):
            raise TypeError(
                f"{spec.label} expects a {spec.describe()}; {_short(value)} cannot be converted "
                f"to {spec.dtype.name} without loss. Pass allow_input_downcast=True to accept that"
            )
    if array.ndim != spec.ndim:
        raise TypeError(
            f"{spec.label} expects a {spec.describe()} ({spec.ndim} dimension"
            f"{'' if spec.ndim == 1 else 's'}), got {array.ndim} dimension"
            f"{'' if array.ndim == 1 else 's'} (shape {array.shape})"
        )
    for axis, (declared, size) in enumerate(zip(spec.shape, array.shape)):
        if declared is not None and declared != size:
            kind = "broadcastable (size 1)" if declared == 1 else f"of size {declared}"
            raise ValueError(
                f"{spec.label}: dimension {axis} is declared {kind} but the value has shape {array.shape}"
            )
    return array if array.flags.c_contiguous else array.copy(order="C")


def _convert_scalar(value: float | int, spec: InputSpec) -> np.ndarray | None:
    """A Python number for a 0-d input, when its conversion is plainly lossless."""
    if spec.dtype.kind == "i":
        if type(value) is not int:
            return None
        info = np.iinfo(spec.dtype)
        return np.array(value, spec.dtype) if info.min <= value <= info.max else None
    converted = spec.dtype.type(value)
    if float(converted) == value or spec.allow_downcast or (type(value) is float and spec.dtype.name == config.floatX):
        return np.array(converted)
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
