"""CUDA C++ to CUBIN with NVRTC, cached on disk; what ptxas and nvdisasm say about it.

`compile_cuda(source, "sm_90")` compiles for one exact architecture (SASS is
arch-exact: an sm_80 CUBIN does not load on a 9.0 device). CUBIN rather than PTX,
because a driver JIT refuses PTX newer than itself while a CUBIN from any 13.x NVRTC
loads on any 13.x driver; `choose_target` says when PTX is the only way (a device
newer than NVRTC knows). Compiled images are cached under `<cache_dir>/cuda/`,
keyed by a SHA-256 of source, options, arch and NVRTC version, written atomically
and checksummed (a torn or corrupt entry is deleted and compiled again).

Works without a GPU or driver: only `cuda.bindings.nvrtc` and the NVRTC library are
needed, imported on first use (importing this module imports neither).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tg.runtime.compile_cache import CUBIN_SUFFIX as _SUFFIX
from tg.runtime.cuda_device import CudaUnavailable

DEFAULT_OPTIONS: tuple[str, ...] = ("--std=c++17",)
"""Options every compile gets (C++17 is NVRTC's default; explicit for reproducibility)."""
PTXAS_VERBOSE = "--ptxas-options=-v"
"""Puts ptxas's resource report (registers, spills, smem) into the log: `ptxas_resources`."""
FAST_MATH = "-use_fast_math"
"""Opt-in only: flushes denormals and uses approximate MUFU functions."""

ELF_MAGIC = b"\x7fELF"
EM_CUDA = 190
"""e_machine of a CUDA ELF (CUBIN)."""


class NvrtcError(ValueError):
    """NVRTC refused a program; `log` holds its compile log."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(f"{message}\n{log}" if log else message)
        self.log = log


@dataclass(frozen=True)
class CudaBinary:
    """A compiled program: a CUBIN (ELF) for `sm_XY` or PTX text for `compute_XY`."""

    image: bytes
    arch: str
    kind: str
    """"cubin" or "ptx"."""
    log: str
    """NVRTC's log (ptxas's report with `PTXAS_VERBOSE`); empty when clean."""


# ---------------------------------------------------------------- NVRTC itself


def _nvrtc() -> Any:
    """`cuda.bindings.nvrtc`, or CudaUnavailable naming the package to install."""
    try:
        from cuda.bindings import nvrtc
    except ImportError as e:
        raise CudaUnavailable(f"NVRTC is not installed ({e}): pip install 'tg[cuda]'") from None
    return nvrtc


def _check(result: tuple[Any, ...], what: str) -> Any:
    nvrtc = _nvrtc()
    err, *values = result
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        text = nvrtc.nvrtcGetErrorString(err)[1]
        raise NvrtcError(f"{what} failed: {text.decode() if isinstance(text, bytes) else text}")
    return values[0] if len(values) == 1 else tuple(values)


@functools.cache
def nvrtc_version() -> tuple[int, int]:
    """(major, minor) of the loaded NVRTC library; CudaUnavailable without one."""
    nvrtc = _nvrtc()
    try:
        major, minor = _check(nvrtc.nvrtcVersion(), "nvrtcVersion")
    except RuntimeError as e:  # the library itself missing (cuda.pathfinder's error)
        if isinstance(e, NvrtcError):
            raise
        raise CudaUnavailable(f"the NVRTC library is not installed ({e}): pip install 'tg[cuda]'") from None
    return int(major), int(minor)


@functools.cache
def supported_archs() -> tuple[int, ...]:
    """The SM numbers NVRTC can compile for (75, 80, ..., 90, ...)."""
    nvrtc_version()
    return tuple(int(a) for a in _check(_nvrtc().nvrtcGetSupportedArchs(), "nvrtcGetSupportedArchs"))


def ptx_isa_version(nvrtc_ver: tuple[int, int]) -> tuple[int, int]:
    """The PTX ISA NVRTC 13.N emits: 9.N (12.N emitted 8.N)."""
    return nvrtc_ver[0] - 4, nvrtc_ver[1]


def choose_target(
    cc: tuple[int, int], nvrtc_ver: tuple[int, int], driver_ver: int, supported: Sequence[int]
) -> tuple[str, str]:
    """The (arch, kind) to compile for a device of compute capability `cc` with this
    NVRTC and driver (`driver_ver` as cuDriverGetVersion gives it: 13000 for 13.0).

    CUBIN for the device's own `sm_XY` whenever NVRTC knows it and is not of a newer
    major than the driver; PTX for the newest known older arch only for a device
    NVRTC does not know, and only if the driver is at least as new as NVRTC (a driver
    JIT refuses newer PTX ISA); otherwise CudaUnavailable saying why."""
    sm = cc[0] * 10 + cc[1]
    driver_major, driver_minor = driver_ver // 1000, driver_ver % 1000 // 10
    if nvrtc_ver[0] > driver_major:
        raise CudaUnavailable(
            f"NVRTC {nvrtc_ver[0]}.{nvrtc_ver[1]} is newer than the driver's CUDA {driver_major}.{driver_minor}: "
            f"install nvidia-cuda-nvrtc {driver_major}.x or update the NVIDIA driver"
        )
    if sm in supported:
        return f"sm_{sm}", "cubin"
    older = [s for s in supported if s <= sm]
    if older and (nvrtc_ver[0], nvrtc_ver[1]) <= (driver_major, driver_minor):
        return f"compute_{max(older)}", "ptx"
    raise CudaUnavailable(
        f"sm_{sm} is unknown to NVRTC {nvrtc_ver[0]}.{nvrtc_ver[1]} (it knows {', '.join(map(str, supported))}) "
        f"and PTX from it is too new for the driver's CUDA {driver_major}.{driver_minor}: update nvidia-cuda-nvrtc"
    )


def _compile(source: str, arch: str, options: Sequence[str]) -> CudaBinary:
    nvrtc = _nvrtc()
    kind = "ptx" if arch.startswith("compute_") else "cubin"
    program = _check(nvrtc.nvrtcCreateProgram(source.encode(), b"tg.cu", 0, [], []), "nvrtcCreateProgram")
    try:
        flags = [f"--gpu-architecture={arch}".encode(), *(o.encode() for o in options)]
        (err,) = nvrtc.nvrtcCompileProgram(program, len(flags), flags)
        size = _check(nvrtc.nvrtcGetProgramLogSize(program), "nvrtcGetProgramLogSize")
        buffer = bytearray(size)  # never b" " * n: that may be CPython's shared 1-byte object
        _check(nvrtc.nvrtcGetProgramLog(program, buffer), "nvrtcGetProgramLog")
        log = bytes(buffer).rstrip(b"\0").decode(errors="replace")
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            raise NvrtcError(f"NVRTC could not compile the program for {arch} ({err.name})", log)
        get_size, get = (
            (nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN) if kind == "cubin" else (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX)
        )
        image = bytearray(_check(get_size(program), "nvrtcGet" + kind.upper() + "Size"))
        _check(get(program, image), "nvrtcGet" + kind.upper())
    finally:
        nvrtc.nvrtcDestroyProgram(program)
    if kind == "ptx":
        image = image.rstrip(b"\0") + b"\0"  # one terminating NUL, as cuModuleLoadData wants
    return CudaBinary(bytes(image), arch, kind, log)


def compile_cuda(
    source: str, arch: str, *, options: Sequence[str] = (), cache: bool = True
) -> CudaBinary:
    """Compile CUDA C++ `source` for `arch` (`sm_XY`: CUBIN, `compute_XY`: PTX) with
    `DEFAULT_OPTIONS` plus `options`; NvrtcError (with the log) when it does not
    compile. With `cache`, images are read from and written to the disk cache."""
    if not re.fullmatch(r"(sm|compute)_\d+[af]?", arch):
        raise ValueError(f"arch must look like sm_90 or compute_90, got {arch!r}")
    flags = (*DEFAULT_OPTIONS, *(o for o in options if o not in DEFAULT_OPTIONS))
    key = _cache_key(source, flags, arch) if cache else None
    if key is not None:
        hit = _load(key)
        if hit is not None:
            return hit
    binary = _compile(source, arch, flags)
    if key is not None:
        _store(key, binary)
    return binary


# ---------------------------------------------------------------- disk cache

_MAGIC = b"tgcubin1"
"""The header's magic of a cached CUBIN (runtime/compile_cache.py writes and checks it)."""


def cuda_cache_dir() -> Path | None:
    """`<cache_dir>/cuda`, or None when the compile cache is off."""
    from tg.runtime.compile_cache import CUDA_SUBDIR, cache_dir

    directory = cache_dir()
    return None if directory is None else directory / CUDA_SUBDIR


@functools.cache
def _nvrtc_identity() -> str:
    """The NVRTC version, with the wheel's full version when known (patch releases
    may change code)."""
    major, minor = nvrtc_version()
    try:
        from importlib.metadata import version

        wheel = version(f"nvidia-cuda-nvrtc-cu{major}") if major < 13 else version("nvidia-cuda-nvrtc")
    except Exception:  # noqa: BLE001 - not installed as a wheel
        wheel = "?"
    return f"nvrtc {major}.{minor} wheel {wheel}"


def _cache_key(source: str, options: Sequence[str], arch: str) -> str | None:
    if cuda_cache_dir() is None:
        return None
    h = hashlib.sha256()
    for part in (source, "\0".join(options), arch, _nvrtc_identity()):
        data = part.encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _encode(binary: CudaBinary) -> bytes:
    fields = [binary.arch.encode(), binary.kind.encode(), binary.log.encode(), binary.image]
    return b"".join(len(f).to_bytes(8, "little") + f for f in fields)


def _decode(payload: bytes) -> CudaBinary:
    fields, at = [], 0
    for _ in range(4):
        n = int.from_bytes(payload[at : at + 8], "little")
        fields.append(payload[at + 8 : at + 8 + n])
        at += 8 + n
    if at != len(payload):
        raise ValueError("trailing bytes")
    arch, kind, log, image = fields
    return CudaBinary(bytes(image), arch.decode(), kind.decode(), log.decode())


def _load(key: str) -> CudaBinary | None:
    from tg.runtime.compile_cache import read_checked

    directory = cuda_cache_dir()
    if directory is None:
        return None
    path = directory / (key + _SUFFIX)
    payload = read_checked(path, _MAGIC)
    if payload is None:
        return None
    try:
        return _decode(payload)
    except (ValueError, UnicodeDecodeError):
        path.unlink(missing_ok=True)  # intact but unreadable: compile again
        return None


def _store(key: str, binary: CudaBinary) -> bool:
    """Write atomically (temporary file, fsync, rename); False when it cannot."""
    from tg.runtime.compile_cache import write_checked

    directory = cuda_cache_dir()
    return directory is not None and write_checked(directory / (key + _SUFFIX), _encode(binary), _MAGIC)


# ---------------------------------------------------------------- inspecting images


def elf_sm(image: bytes) -> int:
    """The SM number (90 for sm_90) in a CUBIN's ELF header (bits 8-15 of e_flags);
    ValueError when `image` is not a CUDA ELF."""
    if len(image) < 52 or image[:4] != ELF_MAGIC:
        raise ValueError("not an ELF image")
    (machine,) = struct.unpack_from("<H", image, 18)
    if machine != EM_CUDA:
        raise ValueError(f"ELF e_machine {machine}, not CUDA ({EM_CUDA})")
    (flags,) = struct.unpack_from("<I", image, 48)
    return (flags >> 8) & 0xFF


def ptx_version(ptx: bytes | str) -> tuple[int, int]:
    """The `.version X.Y` a PTX text declares."""
    text = ptx.decode(errors="replace") if isinstance(ptx, bytes) else ptx
    found = re.search(r"^\s*\.version\s+(\d+)\.(\d+)", text, re.MULTILINE)
    if found is None:
        raise ValueError("no .version directive in the PTX")
    return int(found.group(1)), int(found.group(2))


@dataclass(frozen=True)
class KernelResources:
    """ptxas's report on one kernel (`PTXAS_VERBOSE`)."""

    registers: int = 0
    barriers: int = 0
    shared_bytes: int = 0
    constant_bytes: int = 0
    stack_bytes: int = 0
    spill_stores: int = 0
    spill_loads: int = 0

    @property
    def spills(self) -> int:
        return self.spill_stores + self.spill_loads


_FUNCTION = re.compile(r"(?:Compiling entry function|Function properties for) '?([\w$.]+)'?")
_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers")
_BARRIERS = re.compile(r"used (\d+) barriers")
_SMEM = re.compile(r"(\d+) bytes smem")
_CMEM = re.compile(r"(\d+) bytes cmem\[0\]")


def ptxas_resources(log: str) -> dict[str, KernelResources]:
    """Registers, barriers, shared/constant memory, stack and spill bytes per kernel,
    read from an NVRTC log compiled with `PTXAS_VERBOSE`."""
    found: dict[str, dict[str, int]] = {}
    current: dict[str, int] | None = None
    for line in log.splitlines():
        named = _FUNCTION.search(line)
        if named is not None:
            current = found.setdefault(named.group(1), {})
        if current is None:
            continue
        stack = _STACK.search(line)
        if stack is not None:
            current.update(stack_bytes=int(stack[1]), spill_stores=int(stack[2]), spill_loads=int(stack[3]))
        for pattern, field in ((_USED, "registers"), (_BARRIERS, "barriers"), (_SMEM, "shared_bytes"), (_CMEM, "constant_bytes")):
            match = pattern.search(line)
            if match is not None and "Used" in line:
                current[field] = int(match[1])
    return {name: KernelResources(**fields) for name, fields in found.items()}


@functools.cache
def nvdisasm_path() -> str | None:
    """The nvdisasm executable: the nvidia-cuda-nvdisasm wheel's, else one on PATH."""
    try:
        from cuda.pathfinder import find_nvidia_binary_utility

        found = find_nvidia_binary_utility("nvdisasm")
        if found:
            return found
    except Exception:  # noqa: BLE001, S110 - an older cuda.pathfinder without it, or none
        pass
    for entry in sys.path:
        for major in ("cu13", "cu12"):
            candidate = os.path.join(entry, "nvidia", major, "bin", "nvdisasm")
            if os.access(candidate, os.X_OK):
                return candidate
    return shutil.which("nvdisasm")


def disassemble(image: bytes) -> str:
    """nvdisasm's SASS listing of a CUBIN (`-c`: code sections only)."""
    tool = nvdisasm_path()
    if tool is None:
        raise FileNotFoundError("nvdisasm not found: pip install nvidia-cuda-nvdisasm")
    with tempfile.NamedTemporaryFile(suffix=".cubin") as file:
        file.write(image)
        file.flush()
        done = subprocess.run([tool, "-c", file.name], check=False, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise ValueError(f"nvdisasm failed: {done.stderr.strip()}")
    return done.stdout


_SECTION = re.compile(r"^\s*\.section\s+\.text\.([\w$.]+)")
_INSTRUCTION = re.compile(r"/\*[0-9a-f]{4,}\*/\s+(?:@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*)")


def opcode_histogram(image: bytes) -> dict[str, Counter[str]]:
    """Per kernel, how often each SASS opcode (with its modifiers, e.g. `LDG.E.128`)
    occurs in the CUBIN."""
    histograms: dict[str, Counter[str]] = {}
    current: Counter[str] | None = None
    for line in disassemble(image).splitlines():
        section = _SECTION.match(line)
        if section is not None:
            current = histograms.setdefault(section.group(1), Counter())
            continue
        if current is None:
            continue
        instruction = _INSTRUCTION.search(line)
        if instruction is not None:
            current[instruction.group(1)] += 1
    return histograms
