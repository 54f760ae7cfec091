"""LLVM optimization and code generation on two cores: a module's functions split in
two, one half compiled in a forked child while this process compiles the other.

llvmlite serializes every call into LLVM behind one lock, so threads cannot share the
work; a forked child can. The halves are ordinary LLVM IR modules: each defines its
own functions and declares the other's, and both object files are loaded into one
engine, whose linker resolves the calls between them.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

MIN_PARALLEL_CHARS = 40_000
"""LLVM IR text below this size compiles in one process: forking costs more than it saves."""

LOOP_GROUP_CHARS = 10_000
"""What an outlined loop costs LLVM beyond its text, in characters of straight-line
code: vectorizing and unrolling make loop bodies dearer than the entry's glue."""

_DEFINE = re.compile(r'^define (internal )?([^\n]*?@"([^"]+)"\([^\n]*)\n\{\n', re.M)
_TASK_SUFFIX = re.compile(r"_task$")


@dataclass(frozen=True)
class _Function:
    name: str
    internal: bool
    signature: str
    text: str


def _functions(text: str) -> tuple[str, list[_Function]]:
    """The module's text outside function definitions, and each definition."""
    outside, functions, pos = [], [], 0
    for match in _DEFINE.finditer(text):
        end = text.index("\n}\n", match.end()) + 3
        outside.append(text[pos : match.start()])
        functions.append(_Function(match.group(3), bool(match.group(1)), match.group(2), text[match.start() : end]))
        pos = end
    outside.append(text[pos:])
    return "".join(outside), functions


def split_llvmir(text: str, entry: str = "main") -> tuple[str, str] | None:
    """Two modules that together define the functions of `text`, about equal in size,
    the first holding `entry`; None when `text` has too little to split. Each outlined
    loop body stays with its task, so the body can still be inlined into it."""
    if len(text) < MIN_PARALLEL_CHARS:
        return None
    outside, functions = _functions(text)
    groups: dict[str, list[_Function]] = {}
    for f in functions:
        groups.setdefault(_TASK_SUFFIX.sub("", f.name), []).append(f)
    if len(groups) < 2 or entry not in groups:
        return None
    sizes = {k: sum(len(f.text) for f in g) + (0 if k == entry else LOOP_GROUP_CHARS) for k, g in groups.items()}
    halves: tuple[set[str], set[str]] = ({entry}, set())
    load = [sizes[entry], 0]
    for key in sorted(sizes, key=sizes.__getitem__, reverse=True):
        if key != entry:
            side = 0 if load[0] <= load[1] else 1
            halves[side].add(key)
            load[side] += sizes[key]
    if not halves[1]:
        return None

    def module(mine: set[str]) -> str:
        parts = [outside]
        for key, group in groups.items():
            for f in group:
                if key in mine:  # called from the other half: it needs a linkable name
                    parts.append(f.text.replace("define internal ", "define ", 1) if f.internal else f.text)
                else:
                    parts.append(f"declare {f.signature}\n")
        return "".join(parts)

    return module(halves[0]), module(halves[1])


def can_fork() -> bool:
    """Whether this platform forks cheaply and safely enough (Linux)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def second_core_idle() -> bool:
    """Whether another core is free for a child: fewer runnable processes, over the
    last minute, than this process may use cores less one half. On a loaded machine
    the two halves only take turns on one core, and splitting costs more than it saves."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return os.getloadavg()[0] < cores - 0.5


class ChildCompile:
    """Object code for one module, made by a forked copy of this process."""

    def __init__(self, text: str, compile_object: Callable[[str], bytes]):
        from llvmlite.binding import ffi

        read, write = os.pipe()
        llvm_lock = getattr(ffi.lib, "_lock", None) or contextlib.nullcontext()
        with llvm_lock, warnings.catch_warnings():  # no other thread is inside LLVM when it forks
            # Python 3.12 and JAX warn about forking a process that runs threads; the
            # child only runs LLVM (behind the lock held here) and leaves with _exit
            warnings.simplefilter("ignore")
            pid = os.fork()
        if pid == 0:  # the child: compile, send, leave without running any Python cleanup
            status = 1
            try:
                os.close(read)
                code = compile_object(text)
                _write_all(write, struct.pack("<Q", len(code)) + code)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self._read = pid, read

    def result(self) -> bytes | None:
        """The child's object code, or None when it could not make it."""
        try:
            data = _read_all(self._read)
        finally:
            os.close(self._read)
            _, status = os.waitpid(self.pid, 0)
        if status != 0 or len(data) < 8:
            return None
        (size,) = struct.unpack("<Q", data[:8])
        return data[8:] if len(data) == size + 8 else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
