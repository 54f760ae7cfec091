"""Theano's `In` and `Out`: per-input and per-output options of `tg.function`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tg.variable import TensorVariable

_NO_VALUE = object()


@dataclass
class In:
    """A function input with options: a keyword `name`, a default `value`, and
    `allow_downcast`. `borrow`/`mutable` say the caller lends the array; tg never
    writes into inputs, so they only document intent."""

    variable: TensorVariable
    name: str | None = None
    value: Any = _NO_VALUE
    update: Any = None
    mutable: bool = False
    strict: bool = False
    allow_downcast: bool | None = None
    autoname: bool = True
    implicit: bool = False
    borrow: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.variable, TensorVariable):
            raise TypeError(f"In: expected a symbolic variable, got {self.variable!r}")
        if self.update is not None:
            raise NotImplementedError("In(update=...) is not supported; use a shared variable and updates=")
        if self.name is None and self.autoname:
            self.name = self.variable.name

    @property
    def has_default(self) -> bool:
        return self.value is not _NO_VALUE


@dataclass
class Out:
    """A function output; `borrow=True` allows returning internal storage (tg returns
    fresh arrays either way)."""

    variable: Any
    borrow: bool = False
