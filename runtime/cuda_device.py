"""The CUDA device a function runs on: whether there is one, and its handles.

`probe()` answers (ok, why) once per process and never raises; `get_device(n)`
returns the device with its primary context retained and a stream of tg's own, or
raises `CudaUnavailable` naming what is missing: the package (`pip install
'tg[cuda]'`), the driver (libcuda.so.1) or the device. `cuda.bindings` is imported
only here, on first use: `import tg` never loads it.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tg.runtime.cuda_driver import DeviceBuffer

INSTALL_HINT = "pip install 'tg[cuda]'"
POOL_BYTES = 1 << 30
"""Freed device memory each device keeps for reuse at most."""


class CudaUnavailable(RuntimeError):
    """No usable CUDA device: the message says what is missing."""


def _driver_module() -> Any:
    """`cuda.bindings.driver`, or CudaUnavailable naming the package."""
    try:
        from cuda.bindings import driver
    except ImportError as e:
        raise CudaUnavailable(f"cuda-bindings is not installed ({e}): {INSTALL_HINT}") from None
    return driver


@functools.cache
def _initialized() -> tuple[bool, str, int]:
    """(ok, why, device count) after cuInit, once per process."""
    try:
        cu = _driver_module()
    except CudaUnavailable as e:
        return False, str(e), 0
    try:
        (err,) = cu.cuInit(0)
    except RuntimeError as e:  # cuda.pathfinder's DynamicLibNotFoundError: no libcuda.so.1
        return False, f"no NVIDIA driver: libcuda.so.1 could not be loaded ({e})", 0
    if err != cu.CUresult.CUDA_SUCCESS:
        if err == cu.CUresult.CUDA_ERROR_NO_DEVICE:
            return False, "no CUDA device: the NVIDIA driver is loaded but sees no GPU (CUDA_ERROR_NO_DEVICE)", 0
        return False, f"the NVIDIA driver failed to initialize: cuInit returned {err.name} ({int(err)})", 0
    err, count = cu.cuDeviceGetCount()
    if err != cu.CUresult.CUDA_SUCCESS:
        return False, f"cuDeviceGetCount returned {err.name} ({int(err)})", 0
    if count == 0:
        return False, "no CUDA device: the NVIDIA driver reports 0 devices", 0
    return True, f"{count} CUDA device(s)", int(count)


def probe() -> tuple[bool, str]:
    """(True, "N CUDA device(s)") or (False, what is missing); cached, never raises."""
    ok, why, _ = _initialized()
    return ok, why


def device_count() -> int:
    """How many devices the driver sees (0 when there is no driver or package)."""
    return _initialized()[2]


class CudaDevice:
    """One device with its primary context (shared with torch and CuPy in the same
    process), current on the thread that made it, and a non-blocking stream."""

    def __init__(self, ordinal: int) -> None:
        from tg.runtime.cuda_driver import BufferPool, check, create_stream

        cu = _driver_module()
        self.ordinal = ordinal
        self.handle = check(cu.cuDeviceGet(ordinal))
        attribute = cu.CUdevice_attribute
        major = check(cu.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self.handle))
        minor = check(cu.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self.handle))
        self.compute_capability: tuple[int, int] = (int(major), int(minor))
        self.arch = f"sm_{major}{minor}"
        self.sm_count = int(check(cu.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, self.handle)))
        self.max_shared_optin = int(
            check(cu.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, self.handle))
        )
        raw = check(cu.cuDeviceGetName(256, self.handle))
        self.name = bytes(raw).split(b"\0")[0].decode(errors="replace") or f"CUDA device {ordinal}"
        self.driver_version = int(check(cu.cuDriverGetVersion()))
        """13000 for CUDA 13.0."""
        self.context = check(cu.cuDevicePrimaryCtxRetain(self.handle))
        self._check = check
        self._set_current = cu.cuCtxSetCurrent
        self.make_current()
        self.stream = create_stream()
        self.pool = BufferPool(ordinal, max_bytes=POOL_BYTES)
        """Blocks of collected arrays (function outputs), kept for the next of their size."""

    def make_current(self) -> None:
        """Make this device's primary context current on the calling thread."""
        self._check(self._set_current(self.context))

    def alloc(self, nbytes: int) -> DeviceBuffer:
        """`nbytes` of device memory from the device's pool (given back when the buffer
        is closed or collected)."""
        return self.pool.take(nbytes)

    def release_cached(self) -> None:
        """Free the pool's cached blocks."""
        self.pool.release()

    def synchronize(self) -> None:
        """Wait for everything queued on the device's stream."""
        from tg.runtime.cuda_driver import check

        check(_driver_module().cuStreamSynchronize(self.stream))

    def compile_target(self) -> tuple[str, str]:
        """The (arch, kind) NVRTC compiles this device's kernels for (`nvrtc.choose_target`)."""
        from tg.runtime.nvrtc import choose_target, nvrtc_version, supported_archs

        return choose_target(self.compute_capability, nvrtc_version(), self.driver_version, supported_archs())

    def __repr__(self) -> str:
        return f"CudaDevice({self.ordinal}, {self.name!r}, {self.arch})"


_devices: dict[int, CudaDevice] = {}
_lock = threading.Lock()


def get_device(ordinal: int = 0) -> CudaDevice:
    """Device `ordinal` (made once per process), or CudaUnavailable saying what is
    missing: the package, the driver, or the device."""
    device = _devices.get(ordinal)
    if device is not None:
        return device
    ok, why, count = _initialized()
    if not ok:
        raise CudaUnavailable(f"CUDA is not available: {why}")
    if not 0 <= ordinal < count:
        raise CudaUnavailable(f"no CUDA device {ordinal}: the driver sees {count} device(s) (cuda0..cuda{count - 1})")
    with _lock:
        if ordinal not in _devices:
            _devices[ordinal] = CudaDevice(ordinal)
        return _devices[ordinal]
