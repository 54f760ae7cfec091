"""LLVM optimization and code generation on two cores: a module's functions split in
two, one half compiled by the compile's LLVM worker (`tg.lowering.llvm_worker`)
while this process compiles the other.

The halves are ordinary LLVM IR modules: each defines its own functions and declares
the other's, and both object files are loaded into one engine, whose linker resolves
the calls between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_PARALLEL_CHARS = 40_000
"""LLVM IR text below this size compiles in one process: handing half to the worker costs more than it saves."""

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
        theirs = "".join(f.text for key, group in groups.items() if key not in mine for f in group)
        parts = [outside]
        for key, group in groups.items():
            for f in group:
                if key not in mine:
                    parts.append(f"declare {f.signature}\n")
                elif f.internal and f'@"{f.name}"' in theirs:  # used by the other half: it needs a linkable name
                    parts.append(f.text.replace("define internal ", "define ", 1))
                else:  # an internal function used here alone stays internal, so LLVM drops it once inlined
                    parts.append(f.text)
        return "".join(parts)

    return module(halves[0]), module(halves[1])
