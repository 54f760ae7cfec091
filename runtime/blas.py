"""The BLAS that generated code calls: the OpenBLAS numpy itself loads.

Found the first time a kernel needs it (never at `import tg`): the shared library
numpy's wheel bundles (`numpy.libs/libscipy_openblas*.so`), or, failing that, the
library numpy's own `_multiarray_umath` links against. Its CBLAS functions are
registered with LLVM under tg's own names, `tg_blas_sgemm`, `tg_blas_dgemm`, ... so
that kernels do not depend on the library's symbol decorations (`scipy_cblas_sgemm64_`
in numpy's wheels). The integer width (32 or 64 bits) is the library's; kernels ask
`blas_int_bits()` while they are lowered. Threads: the library's own setting
(OPENBLAS_NUM_THREADS, threadpoolctl, ...); BLAS calls never run inside tg's parallel
loops.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from dataclasses import dataclass

FUNCTIONS = ("sgemm", "dgemm", "sgemv", "dgemv", "sger", "dger", "sdot", "ddot")
"""The CBLAS functions kernels call (as `tg_blas_<name>`)."""

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
"""CBLAS enumerations."""


class BlasNotFound(RuntimeError):
    """No CBLAS library could be found."""


@dataclass(frozen=True)
class Blas:
    path: str
    int_bits: int
    addresses: dict[str, int]


def _candidates() -> list[str]:
    import numpy

    base = os.path.dirname(os.path.dirname(numpy.__file__))
    found = sorted(glob.glob(os.path.join(base, "numpy.libs", "*openblas*")))
    found += sorted(glob.glob(os.path.join(base, "numpy", ".dylibs", "*openblas*")))
    return found


def _resolve(library: ctypes.CDLL, name: str) -> tuple[int, int] | None:
    """(address, integer bits) of CBLAS function `name`, trying known decorations."""
    for symbol, bits in ((f"scipy_cblas_{name}64_", 64), (f"cblas_{name}64_", 64), (f"scipy_cblas_{name}", 32), (f"cblas_{name}", 32)):
        try:
            return ctypes.cast(getattr(library, symbol), ctypes.c_void_p).value or 0, bits
        except AttributeError:
            continue
    return None


@functools.cache
def find_blas() -> Blas:
    """The CBLAS library numpy uses, with the addresses of FUNCTIONS."""
    tried = _candidates()
    for path in tried:
        library = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        resolved = {name: _resolve(library, name) for name in FUNCTIONS}
        if all(resolved.values()):
            bits = {b for _, b in resolved.values()}  # type: ignore[misc]
            if len(bits) == 1:
                return Blas(path, bits.pop(), {n: a for n, (a, _) in resolved.items()})  # type: ignore[misc]
    raise BlasNotFound(
        "tg found no CBLAS library with " + ", ".join(FUNCTIONS) + " next to numpy "
        f"(looked at: {', '.join(tried) or 'nothing found'})"
    )


def blas_int_bits() -> int:
    return find_blas().int_bits


@functools.cache
def load_blas() -> Blas:
    """Register `tg_blas_*` with LLVM so that JIT-compiled kernels resolve them."""
    import llvmlite.binding as llvm

    blas = find_blas()
    for name, address in blas.addresses.items():
        llvm.add_symbol(f"tg_blas_{name}", address)
    return blas
