"""Tensor types of the `tg` dialect: builtin `tensor<?x1xf32>` with Theano's meaning.

A dimension is either dynamic (`?`) or static; a static 1 marks a broadcastable
dimension, as Theano's `broadcastable` flags did. Element types map one to one onto
numpy dtypes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    Float32Type,
    Float64Type,
    IntegerType,
    MemRefType,
    TensorType,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute

Shape = tuple[int | None, ...]
"""A static shape: an int per known dimension, None per dynamic one."""

_ELEMENT_TYPES: dict[str, Attribute] = {
    "float32": f32,
    "float64": f64,
    "bool": i1,
    "int8": i8,
    "int16": i16,
    "int32": i32,
    "int64": i64,
}
_DTYPES: dict[Attribute, np.dtype] = {t: np.dtype(name) for name, t in _ELEMENT_TYPES.items()}

SUPPORTED_DTYPES: tuple[str, ...] = tuple(_ELEMENT_TYPES)
ELEMENT_TYPES: tuple[Attribute, ...] = tuple(_ELEMENT_TYPES.values())


def element_type(dtype: str | np.dtype | type) -> Attribute:
    """The IR element type of a numpy dtype; TypeError for dtypes tg does not support."""
    name = np.dtype(dtype).name
    try:
        return _ELEMENT_TYPES[name]
    except KeyError:
        raise TypeError(
            f"dtype {name} is not supported; tg supports {', '.join(SUPPORTED_DTYPES)}"
        ) from None


def dtype_of(t: Attribute) -> np.dtype:
    """The numpy dtype of an IR element type or tensor type."""
    if isinstance(t, TensorType):
        t = t.element_type
    return _DTYPES[t]


def tensor_type(dtype: str | np.dtype | Attribute, shape: Sequence[int | None]) -> TensorType:
    """`tensor<...>` of `dtype` with `None` for each dynamic dimension."""
    elt = dtype if isinstance(dtype, Attribute) else element_type(dtype)
    return TensorType(elt, [DYNAMIC_INDEX if d is None else d for d in shape])


def static_shape(t: Attribute) -> Shape:
    """The static shape of a tensor type, None for dynamic dimensions."""
    assert isinstance(t, TensorType)
    return tuple(None if d == DYNAMIC_INDEX else d for d in t.get_shape())


def is_float(t: Attribute) -> bool:
    """Whether a tensor or element type holds floating-point numbers."""
    if isinstance(t, TensorType):
        t = t.element_type
    return isinstance(t, Float32Type | Float64Type)


def is_bool(t: Attribute) -> bool:
    """Whether a tensor or element type holds booleans (i1)."""
    if isinstance(t, TensorType):
        t = t.element_type
    return t == i1


def is_integer(t: Attribute) -> bool:
    """Whether a tensor or element type holds (non-boolean) integers."""
    if isinstance(t, TensorType):
        t = t.element_type
    return isinstance(t, IntegerType) and t != i1


def format_type(t: Attribute) -> str:
    """Theano-style text for a tensor type: `float32 (?, 1)`."""
    dims = ", ".join("?" if d is None else str(d) for d in static_shape(t))
    return f"{dtype_of(t).name} ({dims}{',' if len(static_shape(t)) == 1 else ''})"


def broadcast_shapes(shapes: Sequence[Shape]) -> Shape:
    """The static result shape of elementwise operands of equal rank.

    Only a static 1 broadcasts. Raises ValueError when two static sizes other than 1
    disagree.
    """
    result: list[int | None] = []
    for axis, dims in enumerate(zip(*shapes, strict=True)):
        sizes = {d for d in dims if d != 1}
        static = {d for d in sizes if d is not None}
        if len(static) > 1:
            raise ValueError(f"dimension {axis} has incompatible static sizes {sorted(static)}")
        if not sizes:
            result.append(1)
        elif static:
            result.append(static.pop())
        else:
            result.append(None)
    return tuple(result)


def memref_type(t: Attribute) -> MemRefType:
    """The contiguous row-major buffer type of a tensor type."""
    assert isinstance(t, TensorType)
    return MemRefType(t.element_type, t.get_shape())
