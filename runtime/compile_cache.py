"""The persistent compile cache: compiled functions on disk, keyed by what they are.

An entry's key is a SHA-256 over a structural hash of the function's graph-level IR
(values named by what computes them, not by SSA number or op order), the flags that
change the generated code, and the environment that produced it: tg's version and
the source of its dialects, passes, lowering and runtime, the xDSL, llvmlite and
numpy versions, and the target triple, CPU and features. A hit skips every pass and
LLVM: the entry holds the optimized function (pickled) and, per stage, the object
code with the metadata its `StageCode` needs.

Location: `TG_FLAGS=cache_dir=...` (default `$XDG_CACHE_HOME/tg`, else
`~/.cache/tg`; empty or `none` switches the cache off). Entries are written to a
temporary file in the same directory, synced, then renamed over the entry, so
processes compiling the same function at once all succeed and leave one entry.
Each carries its payload's length and SHA-256: a truncated or corrupted entry is
deleted and recompiled, never loaded. Like Python's `__pycache__`, the directory is
trusted: payloads are pickles.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, SSAValue

MAGIC = b"tgcache1"
_HEADER = struct.Struct("<8sQ32s")
"""magic, payload length, payload SHA-256."""
SUFFIX = ".tgc"
PIPELINE_VERSION = "1"
"""Bump when compiled entries must be dropped for a reason the hashed sources miss."""
_SOURCE_DIRS = ("dialects", "passes", "lowering", "runtime")
"""Directories (next to this package's) whose `.py` files shape compiled code."""


def cache_dir() -> Path | None:
    """The directory of the cache (`cache_dir` flag), or None when it is off."""
    from tg.config import config

    text = str(config.cache_dir).strip()
    if not text or text.lower() == "none":
        return None
    return Path(os.path.expanduser(text))


# ------------------------------------------------------------------------- keys


class _Namer:
    """Structural names for the values of one function, with printed attributes
    remembered (printing dominates the cost)."""

    def __init__(self) -> None:
        self.texts: dict[Attribute, str] = {}

    def text(self, attribute: Attribute) -> str:
        try:
            return self.texts[attribute]
        except KeyError:
            text = self.texts[attribute] = str(attribute)
            return text
        except TypeError:  # unhashable attribute
            return str(attribute)


def structural_digest(module: ModuleOp) -> str:
    """A hash of the module's single function that equal graphs share whatever order
    their ops were built in: each value is named by its op's name, properties,
    attributes, result types, source location and operands' names (an argument by
    its position, type and name), and the function by its type, attributes and the
    names of the values it returns. Ops no result depends on do not count."""
    function = next(op for op in module.ops if isinstance(op, func.FuncOp))
    namer = _Namer()
    name: dict[SSAValue, bytes] = {}
    block = function.body.block
    for i, arg in enumerate(block.args):
        name[arg] = _digest("arg", str(i), namer.text(arg.type), arg.name_hint or "")
    returned: list[SSAValue] = []
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            returned = list(op.operands)
            continue
        parts = [op.name]
        parts += [f"{k}={namer.text(v)}" for k, v in sorted(op.properties.items())]
        parts += [f"{k}:{namer.text(v)}" for k, v in sorted(op.attributes.items())]
        parts += [namer.text(r.type) for r in op.results]
        parts.append(_location(op))
        parts += [str(region) for region in op.regions]
        signature = _digest(*parts, *(name[o] for o in op.operands))
        for k, result in enumerate(op.results):
            name[result] = _digest(signature, str(k))
    attributes = [f"{k}:{namer.text(v)}" for k, v in sorted(function.attributes.items()) if k not in ("sym_name",)]
    whole = _digest(namer.text(function.function_type), *attributes, *(name[v] for v in returned))
    return whole.hex()


def _location(op: Any) -> str:
    location = getattr(op, "location", None)
    return "" if location is None else str(location)


def _digest(*parts: str | bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(4, "little"))
        h.update(data)
    return h.digest()


@functools.cache
def _sources_digest() -> str:
    """SHA-256 over the sources of the compiler (once per process)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for directory in _SOURCE_DIRS:
        for path in sorted((root / directory).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def environment() -> str:
    """Everything besides the graph and flags that the compiled code depends on."""
    import llvmlite
    import llvmlite.binding as llvm
    import numpy
    from tg import __version__
    from tg.lowering.jit import target_machine

    tm = target_machine()
    return "\n".join([
        f"tg {__version__} pipeline {PIPELINE_VERSION} sources {_sources_digest()}",
        f"xdsl {_xdsl_version()} llvmlite {llvmlite.__version__} numpy {numpy.__version__}",
        f"python {sys.version_info[:2]}",
        f"target {tm.triple} {llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}",
    ])


def _xdsl_version() -> str:
    """xDSL's version from its dist-info directory's name (`xdsl.__version__` reads the
    package metadata: 13 ms)."""
    import glob

    import xdsl

    site = os.path.dirname(os.path.dirname(os.path.abspath(xdsl.__file__)))
    found = glob.glob(os.path.join(site, "xdsl-*.dist-info"))
    if len(found) == 1:
        return os.path.basename(found[0])[len("xdsl-") : -len(".dist-info")]
    return str(xdsl.__version__)


def code_flags(excluded: frozenset[str]) -> str:
    """The flags that change compiled code (not `threads`: the pool reads it per call)."""
    from tg.config import config

    return (
        f"opt_level={config.opt_level} fusion={bool(config.fusion)} floatX={config.floatX} "
        f"excluded={':'.join(sorted(excluded))} optimizer_excluding={config.optimizer_excluding}"
    )


def function_key(module: ModuleOp, excluded: frozenset[str]) -> str:
    """The cache key of a graph-level module compiled with the current flags."""
    return _digest("function", structural_digest(module), code_flags(excluded), environment()).hex()


def text_key(kind: str, text: str, opt_level: int) -> str:
    """The cache key of LLVM IR text compiled at `opt_level` (the runtime's modules)."""
    return _digest(kind, text, str(opt_level), environment()).hex()


# ----------------------------------------------------------------------- values


@dataclass
class CachedStage:
    """One compiled stage: object code and what its `StageCode` holds."""

    object_code: bytes | tuple[bytes, ...]
    """One object file, or the two halves of a module compiled on two cores."""
    runtime: tuple[str, ...]
    """Runtime parts the code calls (see `tg.lowering.jit.runtime_needs`)."""
    ranks: tuple[int, ...]
    errors: list[str]
    inplace: dict[int, int]
    buffers: int
    peak_bytes: int | None


@dataclass
class CachedFunction:
    """A compiled function: its optimized graph and its stages in plan order."""

    optimized: ModuleOp
    stages: list[CachedStage]


@dataclass
class CachedObject:
    """Object code for a module of LLVM IR text."""

    object_code: bytes | tuple[bytes, ...]
    runtime: tuple[str, ...]


# ------------------------------------------------------------------------ files


def entry_path(directory: Path, key: str) -> Path:
    return directory / (key + SUFFIX)


def load(key: str) -> Any | None:
    """The cached value of `key`, or None (missing, off, or corrupt: then deleted)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = entry_path(directory, key)
    payload = read_checked(path)
    if payload is not None:
        try:
            return pickle.loads(payload)
        except Exception:  # a payload from an incompatible tg slipped through the key
            _remove(path)
    return None


def read_checked(path: Path, magic: bytes = MAGIC) -> bytes | None:
    """The payload of the entry file at `path`, or None: missing, or not a whole,
    intact entry (then deleted, so that it is made again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = _payload(data, magic)
    if payload is None:
        _remove(path)
    return payload


def _payload(data: bytes, magic: bytes = MAGIC) -> bytes | None:
    """The payload of an entry's bytes, or None if they are not a whole, intact entry."""
    if len(data) < _HEADER.size:
        return None
    found, length, checksum = _HEADER.unpack_from(data)
    payload = data[_HEADER.size :]
    if found != magic or length != len(payload) or hashlib.sha256(payload).digest() != checksum:
        return None
    return payload


def store(key: str, value: Any) -> bool:
    """Write `value` under `key` atomically; False when the cache is off or the value
    cannot be written (compiling never fails because of the cache)."""
    directory = cache_dir()
    if directory is None:
        return False
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return False
    return write_checked(entry_path(directory, key), payload)


def write_checked(path: Path, payload: bytes, magic: bytes = MAGIC) -> bool:
    """Write `payload` with a header (magic, length, SHA-256) to `path` atomically:
    a temporary file in the same directory, fsync, rename. False when it cannot."""
    data = _HEADER.pack(magic, len(payload), hashlib.sha256(payload).digest()) + payload
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        return True
    except OSError:
        if temporary is not None:
            _remove(Path(temporary))
        return False


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


CUDA_SUBDIR = "cuda"
"""Where NVRTC's CUBINs are cached, inside the cache directory (see runtime/nvrtc.py)."""
CUBIN_SUFFIX = ".cubin"


@dataclass(frozen=True)
class EntryInfo:
    """An entry as `tg-cache list` shows it."""

    key: str
    size: int
    age_s: float
    kind: str


def entries(directory: Path) -> list[EntryInfo]:
    """The entries in `directory`, newest first (their kind read from the payload)."""
    found = []
    now = time.time()
    for path in directory.glob("*" + SUFFIX):
        try:
            stat = path.stat()
            payload = _payload(path.read_bytes())
        except OSError:
            continue
        kind = "corrupt"
        if payload is not None:
            kind = "function" if b"CachedFunction" in payload[:200] else "object" if b"CachedObject" in payload[:200] else "unknown"
        found.append(EntryInfo(path.name[: -len(SUFFIX)], stat.st_size, now - stat.st_mtime, kind))
    for path in (directory / CUDA_SUBDIR).glob("*" + CUBIN_SUFFIX):  # GPU kernels (runtime/nvrtc.py)
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append(EntryInfo(path.name[: -len(CUBIN_SUFFIX)], stat.st_size, now - stat.st_mtime, "cubin"))
    return sorted(found, key=lambda e: e.age_s)


def clear(directory: Path) -> int:
    """Delete every entry (and left-over temporary files); the number deleted."""
    count = 0
    for folder, patterns in ((directory, ("*" + SUFFIX, ".*.tmp")), (directory / CUDA_SUBDIR, ("*" + CUBIN_SUFFIX, ".*.tmp"))):
        for pattern in patterns:
            for path in folder.glob(pattern):
                _remove(path)
                count += 1
    return count
