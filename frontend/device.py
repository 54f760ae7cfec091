"""Where a function runs: `cpu`, or a CUDA device (`cuda`, `cuda0`, `cuda1`, ...).

The `device` flag (`TG_FLAGS=device=cuda1`) and `tg.function(..., device=...)` take
these names, as Theano's did; `cuda` is the first device, `cuda0`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"(cpu)|cuda(\d*)")


@dataclass(frozen=True)
class DeviceSpec:
    """A parsed device name: its kind and, for CUDA, the device ordinal."""

    kind: str
    """"cpu" or "cuda"."""
    ordinal: int = 0
    arch: str | None = None
    """For ahead-of-time compiles only (`compile_cuda`): the `sm_XY` to compile for,
    with no device needed; such a function cannot be called."""

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"

    def __str__(self) -> str:
        return "cpu" if self.kind == "cpu" else f"cuda{self.ordinal}"


CPU = DeviceSpec("cpu")


def parse_device(name: str | DeviceSpec) -> DeviceSpec:
    """The device a name stands for; ValueError naming the accepted forms."""
    if isinstance(name, DeviceSpec):
        return name
    text = str(name).strip().lower()
    match = _NAME.fullmatch(text)
    if match is None:
        raise ValueError(f"unknown device {name!r}: expected cpu, cuda, or cudaN (N the device ordinal: cuda0, cuda1, ...)")
    if match.group(1):
        return CPU
    digits = match.group(2)
    return DeviceSpec("cuda", int(digits) if digits else 0)


def device_flag(text: str) -> str:
    """The `device` flag's parser: the name, checked and lower-cased."""
    parse_device(text)
    return text.strip().lower()
