"""Shared variables: symbolic variables whose value lives between calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tg.dialects.tensor_types import tensor_type
from tg.runtime.arguments import InputSpec, convert_input
from tg.variable import TensorVariable, free_variable_of
from xdsl.ir import SSAValue


def shared_variable_of(value: SSAValue) -> SharedVariable | None:
    """The shared variable whose free SSA value this is, if any."""
    variable = free_variable_of(value)
    return variable if isinstance(variable, SharedVariable) else None


class SharedVariable(TensorVariable):
    """A variable with a stored value that every function using it reads (and may update)."""

    def __init__(self, value: np.ndarray, name: str | None, shape: Sequence[int | None], allow_downcast: bool | None):
        block_var = TensorVariable.free(tensor_type(value.dtype, list(shape)), name)
        super().__init__(block_var.value, name)
        self._allow_downcast = allow_downcast
        self.container = value
        self.default_update: TensorVariable | None = None
        """An update applied by every function reading this variable (unless it says
        no_default_updates), as in Theano."""
        # the graph's ops reference the block, so they keep this variable alive
        block_var.value.owner.tg_variable = self  # type: ignore[union-attr]

    def _spec(self) -> InputSpec:
        t = self.type
        return InputSpec(f"shared variable {self.name or '<unnamed>'!r}", np.dtype(t.dtype), t.shape, self._allow_downcast)

    # ------------------------------------------------------------ storage

    @property
    def container(self) -> np.ndarray:
        """The value on the host. When a CUDA function updated it last, the device copy
        is fetched first (once)."""
        copy = self.__dict__.get("device_copy")
        if copy is not None and copy.newer:
            self.__dict__["_host_value"] = copy.fetch()
        return self.__dict__["_host_value"]

    @container.setter
    def container(self, value: np.ndarray) -> None:
        self.__dict__["_host_value"] = value
        self.__dict__["device_copy"] = None  # stale now; its device memory is freed

    @property
    def device_copy(self) -> Any:
        """The value on a CUDA device (`tg.runtime.gpu_function.DeviceCopy`), kept between
        calls of CUDA functions; None when it lives on the host only."""
        return self.__dict__.get("device_copy")

    @device_copy.setter
    def device_copy(self, copy: Any) -> None:
        self.__dict__["device_copy"] = copy

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The value; a copy unless `borrow=True`. With `return_internal_type`, a value
        whose newest copy is on a CUDA device is that `DeviceArray` (copied on the
        device unless `borrow=True`), not fetched to the host."""
        copy = self.device_copy
        if return_internal_type and copy is not None and copy.newer:
            return copy.array if borrow else copy.duplicate()
        return self.container if borrow else self.container.copy()

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value (checked like a function input); copied unless `borrow=True`."""
        converted = convert_input(value, self._spec())
        if converted is value and not borrow:
            converted = converted.copy()
        self.container = converted

    def __reduce__(self) -> tuple[Any, ...]:
        # the value goes in the constructor's arguments, the default update (which
        # usually refers to this variable) in the state, so that cycles pickle
        state = {"default_update": getattr(self, "default_update", None)}
        return (_rebuild_shared, (self.container, self.name, self.type.shape, self._allow_downcast), state)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.default_update = state["default_update"]

    def __repr__(self) -> str:
        return f"<shared {self.name or ''}: {self.type.dtype} {self.container.shape}>"


def _rebuild_shared(value: np.ndarray, name: str | None, shape: Sequence[int | None], allow_downcast: bool | None) -> SharedVariable:
    return SharedVariable(value, name, shape, allow_downcast)


def shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    broadcastable: Sequence[bool] | None = None,
    shape: Sequence[int | None] | None = None,
) -> SharedVariable:
    """Theano's `shared`: a variable holding `value` (copied unless `borrow=True`).

    Its static shape is unknown in every dimension unless `broadcastable` (Theano) or
    `shape` (PyTensor) says otherwise.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"shared: cannot hold a value of dtype {array.dtype}")
    if not borrow or not array.flags.c_contiguous:
        array = np.array(array, copy=True, order="C")
    if broadcastable is not None and shape is not None:
        raise ValueError("shared: give broadcastable or shape, not both")
    static: list[int | None] = [None] * array.ndim
    if broadcastable is not None:
        static = [1 if b else None for b in broadcastable]
    elif shape is not None:
        static = list(shape)
    if len(static) != array.ndim:
        raise ValueError(f"shared: {len(static)} dimensions declared for a {array.ndim}-d value")
    variable = SharedVariable(array, name, static, allow_downcast)
    variable.container = convert_input(array, variable._spec())
    return variable
