"""tg's configuration: `tg.config.floatX` and friends, set from `TG_FLAGS`.

`TG_FLAGS="floatX=float32,mode=FAST_COMPILE"` works as Theano's `THEANO_FLAGS`.
Each flag is registered once with its default, its parser and a line of help;
later issues register theirs with `register_flag`.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tg.device import device_flag


@dataclass(frozen=True)
class Flag:
    """One configuration key: default value, parser from text, help."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    doc: str


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {text!r}")
        return text

    return parse


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(f"expected an integer in [{lo}, {hi}], got {value}")
        return value

    return parse


def _available_cores() -> int:
    """The cores this process may run on (its affinity mask, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _default_cache_dir() -> str:
    """`$XDG_CACHE_HOME/tg`, else `~/.cache/tg`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tg")


FLAGS: dict[str, Flag] = {}


def register_flag(name: str, default: Any, parse: Callable[[str], Any], doc: str) -> None:
    """Declare a configuration key (for use by later parts of tg)."""
    FLAGS[name] = Flag(name, default, parse, doc)


register_flag("floatX", "float64", _choice("float64", "float32"), "dtype of float variables built without one")
register_flag("mode", "FAST_RUN", _choice("FAST_RUN", "FAST_COMPILE"), "FAST_RUN compiles to machine code; FAST_COMPILE interprets with numpy")
register_flag("opt_level", 3, _int_in(0, 3), "LLVM optimization level")
register_flag("device", "cpu", device_flag, "where functions run: cpu, or a CUDA device: cuda (the first), cuda0, cuda1, ...")
register_flag("optimizer_excluding", "", str, "names of rewrites (passes) to leave out, separated by ':'")
register_flag("rewrite_stats", False, lambda text: text.lower() in ("1", "true", "yes"), "print how often each rewrite fired")
register_flag("fusion", True, lambda text: text.lower() in ("1", "true", "yes"), "group ops into kernels (0: one kernel per op)")
register_flag("threads", _available_cores(), _int_in(1, 1024), "threads parallel loops run on, the calling one included")
register_flag("cache_dir", _default_cache_dir(), str, "directory of the compile cache ('' or none: no cache)")
register_flag("profile", False, lambda text: text.lower() in ("1", "true", "yes"), "print the time each compile stage took")
register_flag("dump_ir", "", str, "print the IR of each compiled function at these stages (separated by ':')")


class Config:
    """Attribute access to the current flag values."""

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_watchers", {})

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in FLAGS:
            return FLAGS[name].default
        raise AttributeError(f"tg.config has no flag {name!r}; flags are {', '.join(sorted(FLAGS))}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in FLAGS:
            raise AttributeError(f"tg.config has no flag {name!r}; flags are {', '.join(sorted(FLAGS))}")
        flag = FLAGS[name]
        self._values[name] = flag.parse(value) if isinstance(value, str) and flag.parse is not str else value
        self._notify()

    def __delattr__(self, name: str) -> None:
        """Back to the flag's default value."""
        self._values.pop(name, None)
        self._notify()

    def watch(self, name: str, callback: Callable[[Any], None]) -> None:
        """Call `callback(value)` with flag `name`'s value now and after every change of
        a flag: for settings kept outside Python, such as the thread pool's size."""
        self._watchers.setdefault(name, []).append(callback)
        callback(getattr(self, name))

    def _notify(self) -> None:
        for name, callbacks in self._watchers.items():
            for callback in callbacks:
                callback(getattr(self, name))

    def read_flags(self, text: str, source: str = "TG_FLAGS") -> None:
        """Apply `key=value,key=value` settings."""
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"{source}: expected key=value, got {item!r}")
            key = key.strip()
            if key not in FLAGS:
                warnings.warn(f"{source}: unknown flag {key!r} ignored", stacklevel=2)
                continue
            try:
                self._values[key] = FLAGS[key].parse(value.strip())
            except ValueError as e:
                raise ValueError(f"{source}: bad value for {key}: {e}") from None
        self._notify()


    @contextlib.contextmanager
    def change_flags(self, **flags: Any) -> Iterator[None]:
        """Set flags for the duration of a `with` block (or a decorated function)."""
        old = dict(self._values)
        try:
            for name, value in flags.items():
                setattr(self, name, value)
            yield
        finally:
            self._values.clear()
            self._values.update(old)
            self._notify()


config = Config()
# THEANO_FLAGS is read as a fallback, so that Theano scripts' settings carry over
config.read_flags(os.environ.get("THEANO_FLAGS", ""), "THEANO_FLAGS")
config.read_flags(os.environ.get("TG_FLAGS", ""))
change_flags = config.change_flags
watch_flag = config.watch
