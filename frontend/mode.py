"""Compilation modes: Theano's `Mode` with named rewrites switched off.

`mode="FAST_RUN"` (the default) compiles to machine code, `mode="FAST_COMPILE"` runs
the numpy interpreter; `Mode(...).excluding("tg-merge")` or the `optimizer_excluding` flag
drop passes of the optimized stage by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tg.config import config

LINKERS = {"FAST_RUN": "compiled", "FAST_COMPILE": "interpreter"}


@dataclass(frozen=True)
class Mode:
    """How tg.function builds a function: its linker and the rewrites it leaves out."""

    linker: str = "compiled"
    """'compiled' (machine code) or 'interpreter' (numpy)."""
    excluded: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.linker not in ("compiled", "interpreter", "cvm", "c", "py", "vm"):
            raise ValueError(f"Mode: unknown linker {self.linker!r}")
        if self.linker in ("cvm", "c", "vm"):
            object.__setattr__(self, "linker", "compiled")
        elif self.linker == "py":
            object.__setattr__(self, "linker", "interpreter")

    def excluding(self, *names: str) -> Mode:
        return replace(self, excluded=self.excluded | frozenset(names))

    def including(self, *names: str) -> Mode:
        return replace(self, excluded=self.excluded - frozenset(names))

    @property
    def name(self) -> str:
        return "FAST_RUN" if self.linker == "compiled" else "FAST_COMPILE"


def get_mode(mode: str | Mode | None) -> Mode:
    """The Mode for tg.function's `mode` argument (None: the `mode` flag)."""
    if mode is None:
        mode = config.mode
    if isinstance(mode, str):
        if mode not in LINKERS:
            raise ValueError(f"mode must be one of {', '.join(LINKERS)} or a tg.Mode, got {mode!r}")
        mode = Mode(LINKERS[mode])
    if not isinstance(mode, Mode):
        raise TypeError(f"mode must be a string or a tg.Mode, got {mode!r}")
    excluded = frozenset(filter(None, str(config.optimizer_excluding).split(":")))
    return mode.excluding(*excluded) if excluded else mode
