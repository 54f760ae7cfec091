"""Symbolic variables: handles on SSA values of the `tg` dialect.

A free variable (a function input or a shared variable) is the argument of a block
of its own; every expression is an op built directly with xDSL (never parsed), whose
location records the user's source line. `tg.function` later clones the ops an
output depends on into one `func.func`.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from tg.dialects.tensor_types import dtype_of, format_type, static_shape, tensor_type
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, StringAttr
from xdsl.ir import Block, Operation, SSAValue

if TYPE_CHECKING:
    from tg.tensor.shape import SymbolicShape

_TG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TG_DIRS = {os.path.dirname(os.path.abspath(__file__))} | {
    os.path.join(_TG_DIR, d) for d in ("dialects", "passes", "lowering", "runtime", "tools")
}


def free_variable_of(value: SSAValue) -> TensorVariable | None:
    """The frontend variable (input or shared) whose free SSA value this is."""
    owner = value.owner
    return getattr(owner, "tg_variable", None) if isinstance(owner, Block) else None


@functools.lru_cache(maxsize=1024)
def _user_file(filename: str) -> StringAttr | None:
    """The attribute naming source file `filename`, or None when it is tg's own."""
    directory = os.path.dirname(os.path.abspath(filename))
    if any(directory == d or directory.startswith(d + os.sep) for d in _TG_DIRS):
        return None
    return StringAttr(filename)


_COLUMN = IntAttr(0)


def user_location() -> FileLineColLoc:
    """The innermost stack frame outside tg itself, as an IR location."""
    frame = sys._getframe(1)
    while frame is not None:
        file = _user_file(frame.f_code.co_filename)
        if file is not None:
            return FileLineColLoc(file, IntAttr(frame.f_lineno), _COLUMN)
        frame = frame.f_back  # type: ignore[assignment]
    return FileLineColLoc(StringAttr("<unknown>"), IntAttr(0), _COLUMN)


def describe_location(op: Operation) -> str:
    """`file.py:12 (source text)` for an op built by the frontend, else ''."""
    loc = op.location
    if not isinstance(loc, FileLineColLoc):
        return ""
    filename, line = loc.filename.data, loc.line.data
    text = linecache.getline(filename, line).strip()
    where = f"{os.path.basename(filename)}:{line}"
    return f"{where}: {text}" if text else where


class TensorType:
    """Theano's TensorType: a dtype and a broadcastable pattern (or static shape).

    `TensorType('float32', (False, True))('x')` builds a variable.
    """

    def __init__(
        self,
        dtype: str | np.dtype,
        broadcastable: Sequence[bool] | None = None,
        shape: Sequence[int | None] | None = None,
    ):
        if broadcastable is not None and shape is not None:
            raise ValueError("TensorType: give broadcastable or shape, not both")
        if shape is None:
            shape = [1 if b else None for b in (broadcastable or ())]
        self.ir_type = tensor_type(np.dtype(dtype), list(shape))

    @staticmethod
    def from_ir(t: Any) -> TensorType:
        result = TensorType.__new__(TensorType)
        result.ir_type = t
        return result

    @property
    def dtype(self) -> str:
        return dtype_of(self.ir_type).name

    @property
    def shape(self) -> tuple[int | None, ...]:
        return static_shape(self.ir_type)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(d == 1 for d in self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __call__(self, name: str | None = None) -> TensorVariable:
        return TensorVariable.free(self.ir_type, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorType) and other.ir_type == self.ir_type

    def __hash__(self) -> int:
        return hash(self.ir_type)

    def __repr__(self) -> str:
        return f"TensorType({self.dtype}, shape={self.shape})"


class TensorVariable:
    """A symbolic tensor: the result of an op, or a free variable."""

    __array_priority__ = 1000  # numpy arrays defer to our operators

    def __init__(self, value: SSAValue, name: str | None = None):
        self.value = value
        self.name = name

    @staticmethod
    def free(ir_type: Any, name: str | None = None) -> TensorVariable:
        """A new free variable (function input) of this IR type."""
        block = Block(arg_types=[ir_type])
        variable = TensorVariable(block.args[0], name)
        block.tg_variable = variable  # type: ignore[attr-defined]
        return variable

    # ------------------------------------------------------------------ type

    @property
    def type(self) -> TensorType:
        return TensorType.from_ir(self.value.type)

    @property
    def dtype(self) -> str:
        return dtype_of(self.value.type).name

    @property
    def ndim(self) -> int:
        return len(static_shape(self.value.type))

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(d == 1 for d in static_shape(self.value.type))

    @property
    def shape(self) -> SymbolicShape:
        from tg.tensor.shape import SymbolicShape

        return SymbolicShape(self)

    @property
    def owner(self) -> Operation | None:
        owner = self.value.owner
        return owner if isinstance(owner, Operation) else None

    def __reduce__(self) -> tuple[Any, ...]:
        from tg.serialization import reduce_variable

        return reduce_variable(self)

    def __repr__(self) -> str:
        label = self.name or (self.owner.name if self.owner else "input")
        return f"<{label}: {format_type(self.value.type)}>"

    def __bool__(self) -> bool:
        raise TypeError(
            "a symbolic variable has no truth value; use tg.tensor.switch for conditions "
            "and tg.tensor.eq for elementwise equality"
        )

    def __iter__(self):
        raise TypeError("a symbolic variable cannot be iterated over")

    # -------------------------------------------------------------- operators

    def __add__(self, other: Any) -> TensorVariable:
        return _T().add(self, other)

    def __radd__(self, other: Any) -> TensorVariable:
        return _T().add(other, self)

    def __sub__(self, other: Any) -> TensorVariable:
        return _T().sub(self, other)

    def __rsub__(self, other: Any) -> TensorVariable:
        return _T().sub(other, self)

    def __mul__(self, other: Any) -> TensorVariable:
        return _T().mul(self, other)

    def __rmul__(self, other: Any) -> TensorVariable:
        return _T().mul(other, self)

    def __truediv__(self, other: Any) -> TensorVariable:
        return _T().true_div(self, other)

    def __rtruediv__(self, other: Any) -> TensorVariable:
        return _T().true_div(other, self)

    def __pow__(self, other: Any) -> TensorVariable:
        return _T().pow(self, other)

    def __rpow__(self, other: Any) -> TensorVariable:
        return _T().pow(other, self)

    def __neg__(self) -> TensorVariable:
        return _T().neg(self)

    def __abs__(self) -> TensorVariable:
        return _T().abs_(self)

    def __lt__(self, other: Any) -> TensorVariable:
        return _T().lt(self, other)

    def __le__(self, other: Any) -> TensorVariable:
        return _T().le(self, other)

    def __gt__(self, other: Any) -> TensorVariable:
        return _T().gt(self, other)

    def __ge__(self, other: Any) -> TensorVariable:
        return _T().ge(self, other)

    # `==` stays identity, as in Theano: use tg.tensor.eq for elementwise equality.
    __hash__ = object.__hash__

    # ----------------------------------------------------------------- methods

    def sum(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().max(self, axis=axis, keepdims=keepdims)

    def dimshuffle(self, *pattern: Any) -> TensorVariable:
        return _T().dimshuffle(self, *pattern)

    def transpose(self, *axes: Any) -> TensorVariable:
        if len(axes) == 1 and isinstance(axes[0], Sequence):
            axes = tuple(axes[0])
        return _T().transpose(self, axes or None)

    @property
    def T(self) -> TensorVariable:
        return _T().transpose(self)

    def astype(self, dtype: str | np.dtype) -> TensorVariable:
        return _T().cast(self, dtype)

    def dot(self, other: Any) -> TensorVariable:
        return _T().dot(self, other)

    def __matmul__(self, other: Any) -> TensorVariable:
        return _T().matmul(self, other)

    def __rmatmul__(self, other: Any) -> TensorVariable:
        return _T().matmul(other, self)

    def __floordiv__(self, other: Any) -> TensorVariable:
        return _T().int_div(self, other)

    def __rfloordiv__(self, other: Any) -> TensorVariable:
        return _T().int_div(other, self)

    def __mod__(self, other: Any) -> TensorVariable:
        return _T().mod(self, other)

    def __rmod__(self, other: Any) -> TensorVariable:
        return _T().mod(other, self)

    def __and__(self, other: Any) -> TensorVariable:
        return _T().and_(self, other)

    def __rand__(self, other: Any) -> TensorVariable:
        return _T().and_(other, self)

    def __or__(self, other: Any) -> TensorVariable:
        return _T().or_(self, other)

    def __ror__(self, other: Any) -> TensorVariable:
        return _T().or_(other, self)

    def __xor__(self, other: Any) -> TensorVariable:
        return _T().xor(self, other)

    def __rxor__(self, other: Any) -> TensorVariable:
        return _T().xor(other, self)

    def __invert__(self) -> TensorVariable:
        return _T().invert(self)

    def __getitem__(self, key: Any) -> TensorVariable:
        return _T().get_item(self, key)

    def __len__(self) -> int:
        raise TypeError("a symbolic variable has no len(); use x.shape[0]")

    def reshape(self, *shape: Any, ndim: int | None = None) -> TensorVariable:
        if len(shape) == 1 and not isinstance(shape[0], int | TensorVariable):
            shape = tuple(shape[0])
        return _T().reshape(self, shape, ndim=ndim)

    def flatten(self, ndim: int = 1) -> TensorVariable:
        return _T().flatten(self, ndim)

    def squeeze(self) -> TensorVariable:
        return _T().squeeze(self)

    def repeat(self, repeats: Any, axis: int | None = None) -> TensorVariable:
        return _T().repeat(self, repeats, axis)

    def clip(self, a_min: Any, a_max: Any) -> TensorVariable:
        return _T().clip(self, a_min, a_max)

    def round(self, mode: str | None = None) -> TensorVariable:
        return _T().round(self, mode)

    def min(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().min(self, axis=axis, keepdims=keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().prod(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().argmin(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().var(self, axis=axis, keepdims=keepdims)

    def std(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().std(self, axis=axis, keepdims=keepdims)

    def all(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().all(self, axis=axis, keepdims=keepdims)

    def any(self, axis: Any = None, keepdims: bool = False) -> TensorVariable:
        return _T().any(self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis: int | None = None) -> TensorVariable:
        return _T().cumsum(self, axis)

    def nonzero(self) -> Any:
        return _T().nonzero(self)

    def eval(self, inputs_to_values: dict[Any, Any] | None = None) -> Any:
        """Compile (once per set of inputs) and run this variable, as Theano's `eval`."""
        from tg.function import function

        given = dict(inputs_to_values or {})
        key = tuple(id(v) for v in given)
        cache = self.__dict__.setdefault("_eval_cache", {})
        if key not in cache:
            cache[key] = function(list(given), self, on_unused_input="ignore")
        return cache[key](*given.values())


def _T():
    import tg.tensor

    return tg.tensor
