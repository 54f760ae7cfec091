"""GEMM on the GPU through cuBLAS, called with ctypes (cuda.bindings has no cuBLAS).

libcublas comes from the `nvidia-cublas` wheel (the `cuda` extra), found with
cuda.pathfinder, else from the system's library path. Without it `available()` is
False and `unavailable_reason()` says why; the GPU path then runs tg's own GEMM
kernel instead. Matrices are row-major: cuBLAS, column-major, computes
C^T = op(B)^T op(A)^T, which is the same memory (the swap-A-and-B trick). alpha and
beta live in device memory (pointer mode device), so a call never waits for the host.
`handle_for(device)` gives the device's handle, whose `gemm` (single or strided
batched) takes row-major operands.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

import numpy as np

_OP_N, _OP_T = 0, 1
_POINTER_MODE_DEVICE = 1
_DEFAULT_MATH = 0
"""No TF32 for float32: results match the CPU's to float32 rounding."""


class CublasError(RuntimeError):
    """A cuBLAS call returned a status other than CUBLAS_STATUS_SUCCESS."""


_STATUS = {
    1: "CUBLAS_STATUS_NOT_INITIALIZED",
    3: "CUBLAS_STATUS_ALLOC_FAILED",
    7: "CUBLAS_STATUS_INVALID_VALUE",
    8: "CUBLAS_STATUS_ARCH_MISMATCH",
    11: "CUBLAS_STATUS_MAPPING_ERROR",
    13: "CUBLAS_STATUS_EXECUTION_FAILED",
    14: "CUBLAS_STATUS_INTERNAL_ERROR",
    15: "CUBLAS_STATUS_NOT_SUPPORTED",
    16: "CUBLAS_STATUS_LICENSE_ERROR",
}


def _check(status: int, call: str) -> None:
    if status:
        raise CublasError(f"{call} failed: {_STATUS.get(status, 'status')} ({status})")


@functools.cache
def _library() -> tuple[ctypes.CDLL | None, str]:
    """(libcublas, "") or (None, why it could not be loaded)."""
    reasons = []
    try:
        from cuda.pathfinder import load_nvidia_dynamic_lib

        loaded = load_nvidia_dynamic_lib("cublas")
        if loaded.abs_path:
            return _declare(ctypes.CDLL(loaded.abs_path)), ""
        if loaded._handle_uint:  # loaded before (by torch, say) from a path it cannot name
            return _declare(ctypes.CDLL("libcublas", handle=loaded._handle_uint)), ""
    except ImportError as e:
        reasons.append(f"cuda.pathfinder is not installed ({e})")
    except Exception as e:  # noqa: BLE001 - DynamicLibNotFoundError and friends
        reasons.append(str(e).splitlines()[0])
    for name in ("libcublas.so.13", "libcublas.so.12"):
        try:
            return _declare(ctypes.CDLL(name)), ""
        except OSError as e:
            reasons.append(str(e))
    return None, "cuBLAS is not installed (pip install nvidia-cublas, or 'tg[cuda]'): " + "; ".join(reasons)


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, i, i64 = ctypes.c_void_p, ctypes.c_int, ctypes.c_longlong
    signatures: dict[str, list[Any]] = {
        "cublasCreate_v2": [ctypes.POINTER(p)],
        "cublasDestroy_v2": [p],
        "cublasSetStream_v2": [p, p],
        "cublasSetPointerMode_v2": [p, i],
        "cublasSetMathMode": [p, i],
        "cublasSgemm_v2": [p, i, i, i, i, i, p, p, i, p, i, p, p, i],
        "cublasDgemm_v2": [p, i, i, i, i, i, p, p, i, p, i, p, p, i],
        "cublasSgemmStridedBatched": [p, i, i, i, i, i, p, p, i, i64, p, i, i64, p, p, i, i64, i],
        "cublasDgemmStridedBatched": [p, i, i, i, i, i, p, p, i, i64, p, i, i64, p, p, i, i64, i],
    }
    for name, argtypes in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = ctypes.c_int
    return lib


def available() -> bool:
    """Whether libcublas can be loaded (does not touch the driver)."""
    return _library()[0] is not None


def unavailable_reason() -> str:
    """Why `available()` is False ("" when it is True)."""
    return _library()[1]


class CublasHandle:
    """A cuBLAS handle bound to a stream, pointer mode device, TF32 off."""

    def __init__(self, stream: Any) -> None:
        lib, why = _library()
        if lib is None:
            raise CublasError(why)
        self.lib = lib
        handle = ctypes.c_void_p()
        self._call("cublasCreate_v2", ctypes.byref(handle))
        self.handle = handle
        self._call("cublasSetStream_v2", handle, int(stream))
        self._call("cublasSetPointerMode_v2", handle, _POINTER_MODE_DEVICE)
        self._call("cublasSetMathMode", handle, _DEFAULT_MATH)

    def gemm(
        self,
        dtype: Any,
        trans_a: bool,
        trans_b: bool,
        m: int,
        n: int,
        k: int,
        alpha: int,
        a: int,
        lda: int,
        b: int,
        ldb: int,
        beta: int,
        c: int,
        ldc: int,
        batch: int = 1,
        strides: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        """Row-major C (m x n, leading dimension ldc) = alpha op(A) op(B) + beta C,
        op(A) m x k, op(B) k x n; lda/ldb are the row lengths of A and B as stored;
        alpha, beta, a, b, c are device addresses. With `batch` > 1, that many GEMMs
        whose matrices of A, B, C are `strides` elements apart (one strided-batched call)."""
        if m == 0 or n == 0 or batch == 0:
            return
        precision = "S" if np.dtype(dtype) == np.float32 else "D"
        swapped = (self.handle, _op(trans_b), _op(trans_a), n, m, k, alpha)  # C^T = op(B)^T op(A)^T
        lda, ldb, ldc = leading_dimensions(trans_a, trans_b, m, n, k, lda, ldb, ldc)
        if batch == 1:
            self._call(f"cublas{precision}gemm_v2", *swapped, b, ldb, a, lda, beta, c, ldc)
        else:
            stride_a, stride_b, stride_c = strides
            self._call(
                f"cublas{precision}gemmStridedBatched",
                *swapped, b, ldb, stride_b, a, lda, stride_a, beta, c, ldc, stride_c, batch,
            )  # fmt: skip

    def _call(self, name: str, *args: Any) -> None:
        _check(getattr(self.lib, name)(*args), name)

    def close(self) -> None:
        if self.handle:
            self.lib.cublasDestroy_v2(self.handle)
            self.handle = ctypes.c_void_p()


def _op(transposed: bool) -> int:
    return _OP_T if transposed else _OP_N


def leading_dimensions(
    trans_a: bool, trans_b: bool, m: int, n: int, k: int, lda: int, ldb: int, ldc: int
) -> tuple[int, int, int]:
    """lda, ldb, ldc (row lengths of the row-major A, B, C as stored) as cuBLAS accepts
    them. It wants each at least max(1, the row length), even where the leading
    dimension is never used: a matrix of one row, or of empty rows (k == 0 gives
    lda = 0: CUBLAS_STATUS_INVALID_VALUE); there it is raised to that minimum. Other
    matrices keep theirs (a wrong one is an error worth seeing)."""

    def fixed(ld: int, rows: int, length: int) -> int:
        return max(ld, length, 1) if rows <= 1 or length == 0 else ld

    a_rows, a_length = (k, m) if trans_a else (m, k)
    b_rows, b_length = (n, k) if trans_b else (k, n)
    return fixed(lda, a_rows, a_length), fixed(ldb, b_rows, b_length), fixed(ldc, m, n)


_handles: dict[int, CublasHandle] = {}
_lock = threading.Lock()


def handle_for(device: Any) -> CublasHandle:
    """The device's cuBLAS handle (made once, on the device's stream)."""
    with _lock:
        handle = _handles.get(device.ordinal)
        if handle is None:
            device.make_current()
            handle = _handles[device.ordinal] = CublasHandle(device.stream)
        return handle

