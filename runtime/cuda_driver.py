"""A thin layer over `cuda.bindings.driver`: device memory, arrays, modules, launches.

Every driver call goes through `check`, which turns an error code into `CudaError`
with the driver's name for it. Work is queued on the device's own non-blocking
stream; copies to the host wait for it. The current context is per thread: every
entry point here makes its device's primary context current on the calling thread
first (finalizers too: they may run on any thread). `cuda.bindings` is imported on
first use.

`DeviceArray` speaks DLPack both ways (capsules built here with ctypes), so torch
and CuPy tensors come in and go out without copies, and `__cuda_array_interface__`.
"""

from __future__ import annotations

import ctypes
import functools
import math
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class CudaError(RuntimeError):
    """A driver call failed; `code` is the CUresult value, `name` its name."""

    def __init__(self, name: str, code: int, message: str) -> None:
        super().__init__(f"{name} ({code}): {message}")
        self.name = name
        self.code = code


@functools.cache
def _cu() -> Any:
    from tg.runtime.cuda_device import _driver_module

    return _driver_module()


def check(result: tuple[Any, ...]) -> Any:
    """The values of a driver call's (CUresult, *values), or CudaError."""
    err, *values = result
    if err:
        cu = _cu()
        name = cu.cuGetErrorName(err)[1]
        text = cu.cuGetErrorString(err)[1]
        raise CudaError(
            name.decode() if isinstance(name, bytes) else str(getattr(err, "name", err)),
            int(err),
            text.decode() if isinstance(text, bytes) else "",
        )
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def create_stream() -> Any:
    """A stream that does not synchronize with the legacy default stream."""
    cu = _cu()
    return check(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING.value))


def _in_context(device: int) -> Any:
    """Device `device` (a CudaDevice), its primary context made current on the calling
    thread (a thread other than the one that first used the device has none)."""
    from tg.runtime.cuda_device import get_device

    owner = get_device(device)
    owner.make_current()
    return owner


def _stream_handle(stream: Any, device: int = 0) -> int:
    """The handle of `stream` (None: the device's own), with the device's context current."""
    owner = _in_context(device)
    return int(owner.stream if stream is None else stream)


# ---------------------------------------------------------------- memory


class DeviceBuffer:
    """`nbytes` of device memory at `ptr`, released once (on `close()` or when
    collected) by `release`: cuMemFree for memory allocated here, the owner's
    deleter for memory lent by another library."""

    __slots__ = ("__weakref__", "_finalizer", "device", "nbytes", "owner", "ptr")

    def __init__(
        self, ptr: int, nbytes: int, device: int = 0, release: Callable[[int], None] | None = None, owner: Any = None
    ) -> None:
        self.ptr = int(ptr)
        self.nbytes = int(nbytes)
        self.device = device
        self.owner = owner
        """What keeps lent memory alive (a foreign tensor), or None."""
        self._finalizer: weakref.finalize | None = None
        if release is not None and self.ptr:
            self._finalizer = weakref.finalize(self, release, self.ptr)
            self._finalizer.atexit = False  # the process exit frees device memory anyway

    @classmethod
    def allocate(cls, nbytes: int, device: int = 0) -> DeviceBuffer:
        """Fresh device memory (256-byte aligned); a zero-byte buffer has ptr 0."""
        if nbytes <= 0:
            return cls(0, 0, device)
        cu = _cu()
        _in_context(device)
        try:
            ptr = int(check(cu.cuMemAlloc(nbytes)))
        except CudaError as e:
            if e.name != "CUDA_ERROR_OUT_OF_MEMORY":
                raise
            _release_pools()  # cached blocks back to the driver, then once more
            _in_context(device)
            ptr = int(check(cu.cuMemAlloc(nbytes)))
        return cls(ptr, nbytes, device, functools.partial(_free, device=device))

    def close(self) -> None:
        """Release the memory now (idempotent)."""
        if self._finalizer is not None:
            self._finalizer()
        self.ptr = 0
        self.owner = None

    def copy_from_host(self, array: np.ndarray, stream: Any = None) -> None:
        """Copy a host array (its bytes, C order) into the start of the buffer."""
        if not array.flags.c_contiguous:
            array = np.ascontiguousarray(array)
        if array.nbytes > self.nbytes:
            raise ValueError(f"{array.nbytes} bytes do not fit a {self.nbytes}-byte device buffer")
        if array.nbytes:
            handle = _stream_handle(stream, self.device)
            check(_cu().cuMemcpyHtoDAsync(self.ptr, array.ctypes.data, array.nbytes, handle))

    def copy_to_host(self, array: np.ndarray, stream: Any = None) -> np.ndarray:
        """Fill a C-contiguous, writeable host array from the start of the buffer
        (waits for the stream's work first)."""
        if not (array.flags.c_contiguous and array.flags.writeable):
            raise ValueError("copy_to_host needs a C-contiguous, writeable array")
        if array.nbytes > self.nbytes:
            raise ValueError(f"a {self.nbytes}-byte device buffer cannot fill {array.nbytes} bytes")
        if array.nbytes:
            handle = _stream_handle(stream, self.device)
            cu = _cu()
            check(cu.cuMemcpyDtoHAsync(array.ctypes.data, self.ptr, array.nbytes, handle))
            check(cu.cuStreamSynchronize(handle))
        return array

    def copy_from_device(self, source: DeviceBuffer | int, nbytes: int, stream: Any = None) -> None:
        """Device-to-device copy of `nbytes` from `source` (a buffer or a pointer)."""
        if nbytes > self.nbytes:
            raise ValueError(f"{nbytes} bytes do not fit a {self.nbytes}-byte device buffer")
        if nbytes:
            src = source.ptr if isinstance(source, DeviceBuffer) else int(source)
            check(_cu().cuMemcpyDtoDAsync(self.ptr, src, nbytes, _stream_handle(stream, self.device)))

    def fill32(self, value: int, count: int | None = None, stream: Any = None) -> None:
        """Set `count` (default: all) 32-bit words to `value` (NaN poisoning: 0x7FC00000)."""
        count = self.nbytes // 4 if count is None else count
        if count:
            check(_cu().cuMemsetD32Async(self.ptr, value & 0xFFFFFFFF, count, _stream_handle(stream, self.device)))

    def zero(self, stream: Any = None) -> None:
        if self.nbytes:
            check(_cu().cuMemsetD8Async(self.ptr, 0, self.nbytes, _stream_handle(stream, self.device)))

    def __repr__(self) -> str:
        return f"DeviceBuffer(0x{self.ptr:x}, {self.nbytes} bytes, cuda{self.device})"


def _free(ptr: int, device: int = 0) -> None:
    try:
        _in_context(device)  # a finalizer may run on a thread with no current context
        check(_cu().cuMemFree(ptr))
    except Exception:  # noqa: BLE001, S110 - a finalizer must not raise (the context may be gone)
        pass


class BufferPool:
    """Freed blocks kept by size for the next allocation of the same size (cuMemAlloc
    and cuMemFree synchronize the device); at most `max_bytes` are held."""

    def __init__(self, device: int = 0, max_bytes: int = 1 << 30) -> None:
        self.device = device
        self.max_bytes = max_bytes
        self.held = 0
        self._free: dict[int, list[int]] = {}
        self._lock = threading.Lock()
        _POOLS.add(self)
        finalizer = weakref.finalize(self, _free_blocks, self._free, device)
        finalizer.atexit = False

    @staticmethod
    def rounded(nbytes: int) -> int:
        return (nbytes + 511) // 512 * 512

    def take(self, nbytes: int) -> DeviceBuffer:
        """A buffer of at least `nbytes` (reused when one of that size was given back)."""
        if nbytes <= 0:
            return DeviceBuffer(0, 0, self.device)
        size = self.rounded(nbytes)
        with self._lock:
            blocks = self._free.get(size)
            ptr = blocks.pop() if blocks else 0
            if ptr:
                self.held -= size
        if not ptr:
            fresh = DeviceBuffer.allocate(size, self.device)
            if fresh._finalizer is not None:
                fresh._finalizer.detach()  # the pool owns the block from now on
            ptr = fresh.ptr
        return DeviceBuffer(ptr, nbytes, self.device, functools.partial(self._give_back, size))

    def _give_back(self, size: int, ptr: int) -> None:
        with self._lock:
            if self.held + size <= self.max_bytes:
                self._free.setdefault(size, []).append(ptr)
                self.held += size
                return
        _free(ptr, self.device)

    def release(self) -> None:
        """Free every held block."""
        with self._lock:
            blocks = [p for ptrs in self._free.values() for p in ptrs]
            self._free.clear()
            self.held = 0
        for ptr in blocks:
            _free(ptr, self.device)


def _free_blocks(blocks: dict[int, list[int]], device: int) -> None:
    """A collected pool's blocks back to the driver."""
    for ptrs in list(blocks.values()):
        for ptr in ptrs:
            _free(ptr, device)
    blocks.clear()


_POOLS: weakref.WeakSet[BufferPool] = weakref.WeakSet()


def _release_pools() -> None:
    for pool in list(_POOLS):
        pool.release()


# ---------------------------------------------------------------- arrays


class DeviceArray:
    """An n-d array in device memory: a buffer, shape, dtype and strides (bytes;
    None when C-contiguous), starting `offset` bytes into the buffer."""

    __array_priority__ = 100

    def __init__(
        self,
        buffer: DeviceBuffer,
        shape: Sequence[int],
        dtype: Any,
        strides: Sequence[int] | None = None,
        offset: int = 0,
    ) -> None:
        self.buffer = buffer
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self.size = math.prod(self.shape)
        self.nbytes = self.size * self.dtype.itemsize
        if strides is not None and self.size > 1 and tuple(strides) != _contiguous_strides(self.shape, self.dtype.itemsize):
            self.strides: tuple[int, ...] | None = tuple(strides)
        else:
            self.strides = None
        self.offset = offset
        if self.strides is None and offset + self.nbytes > buffer.nbytes:
            raise ValueError(f"an array of {self.nbytes} bytes does not fit a {buffer.nbytes}-byte buffer")

    @classmethod
    def empty(cls, shape: Sequence[int], dtype: Any, pool: BufferPool | None = None) -> DeviceArray:
        nbytes = math.prod(int(s) for s in shape) * np.dtype(dtype).itemsize
        buffer = pool.take(nbytes) if pool is not None else DeviceBuffer.allocate(nbytes)
        return cls(buffer, shape, dtype)

    @classmethod
    def from_host(cls, array: np.ndarray, pool: BufferPool | None = None, stream: Any = None) -> DeviceArray:
        """A device copy of a host array."""
        array = np.asarray(array)
        if not array.flags.c_contiguous:
            array = array.copy()  # not ascontiguousarray: it makes 0-d arrays 1-d
        result = cls.empty(array.shape, array.dtype, pool)
        result.buffer.copy_from_host(array, stream)
        return result

    @property
    def ptr(self) -> int:
        """Device address of the first element."""
        return self.buffer.ptr + self.offset

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def is_contiguous(self) -> bool:
        return self.strides is None

    def get(self, stream: Any = None) -> np.ndarray:
        """A host copy (waits for queued work)."""
        if not self.is_contiguous:
            raise ValueError("get() of a non-contiguous device array: make it contiguous on the device first")
        out = np.empty(self.shape, self.dtype)
        if self.size:
            DeviceBuffer(self.ptr, self.nbytes, self.buffer.device).copy_to_host(out, stream)
        return out

    def set(self, array: np.ndarray, stream: Any = None) -> None:
        """Overwrite the contents from a host array of the same shape."""
        array = np.asarray(array, dtype=self.dtype)
        if array.shape != self.shape:
            raise ValueError(f"shape {array.shape} given for a device array of shape {self.shape}")
        if not self.is_contiguous:
            raise ValueError("set() of a non-contiguous device array")
        if self.size:
            DeviceBuffer(self.ptr, self.nbytes, self.buffer.device).copy_from_host(array, stream)

    def __repr__(self) -> str:
        return f"DeviceArray(shape={self.shape}, dtype={self.dtype}, cuda{self.buffer.device})"

    # ------------------------------------------------------------ interchange

    @property
    def __cuda_array_interface__(self) -> dict[str, Any]:
        return {
            "shape": self.shape,
            "typestr": self.dtype.str,
            "data": (self.ptr, False),
            "version": 3,
            "strides": self.strides,
            "stream": _stream_handle(None, self.buffer.device),
        }

    def __dlpack_device__(self) -> tuple[int, int]:
        return _DL_CUDA, self.buffer.device

    def __dlpack__(
        self, *, stream: int | None = None, max_version: tuple[int, int] | None = None, dl_device: Any = None, copy: bool | None = None
    ) -> Any:
        """A DLPack capsule viewing this array (versioned when the consumer allows
        1.x). The consumer's `stream` (None/1: legacy default, 2: per-thread, -1:
        none) is made to wait for the work queued on ours; when the consumer releases
        the view, ours waits for the consumer's (see `_after_consumer`), so the memory
        is not reused under its pending work."""
        if dl_device is not None and tuple(dl_device) != self.__dlpack_device__():
            raise BufferError("a device array can only be exported on its own device (no cross-device copy)")
        if copy:
            raise BufferError("copy=True is not supported: the export is always a view")
        consumer = _LEGACY_STREAM if stream is None else int(stream)
        if consumer != -1:
            _stream_wait(self.buffer.device, consumer, None)
        versioned = max_version is not None and max_version[0] >= 1
        return _export_capsule(self, versioned, consumer)

    @classmethod
    def from_dlpack(cls, tensor: Any) -> DeviceArray:
        """A zero-copy view of a CUDA tensor (torch, CuPy, ...) that supports DLPack;
        the tensor's memory stays alive while the view (or its buffer) does."""
        if isinstance(tensor, DeviceArray):
            return tensor
        device_type, device_id = tensor.__dlpack_device__()
        if int(device_type) not in (_DL_CUDA, _DL_CUDA_MANAGED):
            raise TypeError(f"from_dlpack needs a CUDA tensor, got DLPack device type {int(device_type)}")
        stream = _stream_handle(None, int(device_id))  # the producer makes ours wait for its work
        try:
            capsule = tensor.__dlpack__(stream=stream, max_version=(1, 0))
        except TypeError:  # a producer from before DLPack 1.0
            capsule = tensor.__dlpack__(stream=stream)
        return _import_capsule(capsule, int(device_id), tensor)


def _contiguous_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    strides, step = [], itemsize
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


_LEGACY_STREAM, _PER_THREAD_STREAM = 1, 2
"""DLPack's (and the driver's) handles of the legacy and per-thread default streams."""


def _stream_wait(device: int, waiting: int | None, recorded: int | None) -> None:
    """Make stream `waiting` wait for the work queued so far on stream `recorded`
    (None: the device's own stream), with an event; nothing when they are one stream."""
    owner = _in_context(device)
    ours = int(owner.stream)
    waiting = ours if waiting is None else waiting
    recorded = ours if recorded is None else recorded
    if waiting == recorded:
        return
    cu = _cu()
    event = check(cu.cuEventCreate(cu.CUevent_flags.CU_EVENT_DISABLE_TIMING.value))
    try:
        check(cu.cuEventRecord(event, recorded))
        check(cu.cuStreamWaitEvent(waiting, event, 0))
    finally:
        check(cu.cuEventDestroy(event))


def _after_consumer(device: int, consumer: int) -> None:
    """A DLPack consumer released its view: later work on our stream (which may reuse
    the memory: pooled blocks) waits for what it queued on `consumer`. The legacy
    stream is valid forever; any other handle may be gone by now (or, per-thread, be
    another thread's), so for those the whole context is synchronized instead."""
    if consumer == -1:
        return
    if consumer == _LEGACY_STREAM:
        _stream_wait(device, None, consumer)
    else:
        _in_context(device)
        check(_cu().cuCtxSynchronize())


# ---------------------------------------------------------------- DLPack structures

_DL_CPU, _DL_CUDA, _DL_CUDA_MANAGED = 1, 2, 13
_DL_INT, _DL_UINT, _DL_FLOAT, _DL_COMPLEX, _DL_BOOL = 0, 1, 2, 5, 6
_KIND_CODES = {"i": _DL_INT, "u": _DL_UINT, "f": _DL_FLOAT, "c": _DL_COMPLEX, "b": _DL_BOOL}


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    pass


_DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_DLManagedTensor._fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", _DELETER)]


class _DLPackVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32)]


class _DLManagedTensorVersioned(ctypes.Structure):
    _fields_ = [
        ("version", _DLPackVersion),
        ("manager_ctx", ctypes.c_void_p),
        ("deleter", _DELETER),
        ("flags", ctypes.c_uint64),
        ("dl_tensor", _DLTensor),
    ]


_NAME = ctypes.create_string_buffer(b"dltensor")
_NAME_VERSIONED = ctypes.create_string_buffer(b"dltensor_versioned")
_NAME_USED = ctypes.create_string_buffer(b"used_dltensor")
_NAME_USED_VERSIONED = ctypes.create_string_buffer(b"used_dltensor_versioned")
"""Capsule names outlive every capsule (the C API keeps the pointer)."""

_CAPSULE_DESTRUCTOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _CapsuleApi:
    """The PyCapsule C functions, typed: on Python objects, and on the raw pointer a
    capsule destructor gets (the capsule is being destroyed: no new reference)."""

    def __init__(self) -> None:
        api = ctypes.pythonapi
        self.new = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p, _CAPSULE_DESTRUCTOR)(
            ("PyCapsule_New", api)
        )
        self.get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_void_p)(("PyCapsule_GetPointer", api))
        self.is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_void_p)(("PyCapsule_IsValid", api))
        self.set_name = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_void_p)(("PyCapsule_SetName", api))
        self.raw_is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(("PyCapsule_IsValid", api))
        self.raw_get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
            ("PyCapsule_GetPointer", api)
        )


@functools.cache
def _capsule_api() -> _CapsuleApi:
    return _CapsuleApi()


_exports: dict[int, tuple[Any, ...]] = {}
"""Exported views by their managed-tensor address: the structures and the array,
kept alive until the consumer calls the deleter."""
_exports_lock = threading.RLock()
"""Reentrant: a collection while it is held may release a view whose deleter is ours."""


@_DELETER
def _export_deleter(address: int | None) -> None:
    if not address:
        return
    with _exports_lock:
        export = _exports.pop(address, None)
    if export is None:
        return
    array, consumer = export[-2], export[-1]
    try:
        if array.nbytes and consumer != int(_in_context(array.buffer.device).stream):
            _after_consumer(array.buffer.device, consumer)
    except Exception:  # noqa: BLE001, S110 - a C callback must not raise (the driver may be gone at exit)
        pass


def _capsule_destructor(capsule: int | None) -> None:
    """An unconsumed capsule (name unchanged) was dropped: run the deleter."""
    if not capsule:
        return
    api = _capsule_api()
    for name in (_NAME, _NAME_VERSIONED):
        if api.raw_is_valid(capsule, ctypes.addressof(name)):
            address = api.raw_get_pointer(capsule, ctypes.addressof(name))
            _export_deleter(address)
            return


_capsule_destructor_c = _CAPSULE_DESTRUCTOR(_capsule_destructor)


def _dl_dtype(dtype: np.dtype) -> _DLDataType:
    code = _KIND_CODES.get(dtype.kind)
    if code is None:
        raise BufferError(f"dtype {dtype} has no DLPack equivalent")
    return _DLDataType(code, dtype.itemsize * 8, 1)


def _export_capsule(array: DeviceArray, versioned: bool, consumer: int) -> Any:
    """The capsule of a view of `array` for a consumer working on stream `consumer`.
    Strides are always given (DLPack 1.2 forbids NULL for ndim > 0; older readers
    accept them)."""
    ndim = array.ndim
    shape = (ctypes.c_int64 * max(ndim, 1))(*array.shape)
    byte_strides = array.strides or _contiguous_strides(array.shape, array.dtype.itemsize)
    strides = (ctypes.c_int64 * max(ndim, 1))(*(s // array.dtype.itemsize for s in byte_strides)) if ndim else None
    tensor = _DLTensor(
        ctypes.c_void_p(array.ptr or None),
        _DLDevice(_DL_CUDA, array.buffer.device),
        ndim,
        _dl_dtype(array.dtype),
        ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64)),
        ctypes.cast(strides, ctypes.POINTER(ctypes.c_int64)) if strides is not None else None,
        0,
    )
    managed: ctypes.Structure
    if versioned:
        managed = _DLManagedTensorVersioned(_DLPackVersion(1, 0), None, _export_deleter, 0, tensor)
        name = _NAME_VERSIONED
    else:
        managed = _DLManagedTensor(tensor, None, _export_deleter)
        name = _NAME
    address = ctypes.addressof(managed)
    with _exports_lock:
        _exports[address] = (managed, shape, strides, array, consumer)
    return _capsule_api().new(address, ctypes.addressof(name), _capsule_destructor_c)


def _import_capsule(capsule: Any, device: int, owner: Any) -> DeviceArray:
    api = _capsule_api()
    if api.is_valid(capsule, ctypes.addressof(_NAME_VERSIONED)):
        address = api.get_pointer(capsule, ctypes.addressof(_NAME_VERSIONED))
        managed: Any = _DLManagedTensorVersioned.from_address(address)
        if managed.version.major > 1:
            raise BufferError(f"DLPack {managed.version.major}.{managed.version.minor} is newer than this reader (1.x)")
        used = _NAME_USED_VERSIONED
    elif api.is_valid(capsule, ctypes.addressof(_NAME)):
        address = api.get_pointer(capsule, ctypes.addressof(_NAME))
        managed = _DLManagedTensor.from_address(address)
        used = _NAME_USED
    else:
        raise BufferError("not a DLPack capsule, or one already consumed")
    tensor = managed.dl_tensor
    dtype = _np_dtype(tensor.dtype)
    ndim = tensor.ndim
    shape = tuple(tensor.shape[i] for i in range(ndim))
    strides = None if not tensor.strides else tuple(tensor.strides[i] * dtype.itemsize for i in range(ndim))
    data = (tensor.data or 0) + tensor.byte_offset
    api.set_name(capsule, ctypes.addressof(used))  # consumed: its destructor does nothing now
    deleter = managed.deleter

    def release(_ptr: int, address: int = address, deleter: Any = deleter) -> None:
        if deleter:
            deleter(address)

    extent = _extent(shape, strides, dtype.itemsize)
    buffer = DeviceBuffer(data, extent, device, release, owner)
    if not data:  # an empty tensor: nothing to release through the buffer
        release(0)
    return DeviceArray(buffer, shape, dtype, strides)


def _extent(shape: tuple[int, ...], strides: tuple[int, ...] | None, itemsize: int) -> int:
    """Bytes from the first element to one past the last."""
    if any(s == 0 for s in shape):
        return 0
    if strides is None:
        return math.prod(shape) * itemsize
    return sum((n - 1) * s for n, s in zip(shape, strides) if s > 0) + itemsize


def _np_dtype(dl: _DLDataType) -> np.dtype:
    if dl.lanes != 1:
        raise BufferError("vector DLPack dtypes (lanes > 1) are not supported")
    kinds = {_DL_INT: "i", _DL_UINT: "u", _DL_FLOAT: "f", _DL_COMPLEX: "c"}
    if dl.code == _DL_BOOL and dl.bits == 8:
        return np.dtype(bool)
    if dl.code in kinds:
        return np.dtype(f"{kinds[dl.code]}{dl.bits // 8}")
    raise BufferError(f"DLPack dtype code {dl.code} ({dl.bits} bits) has no numpy equivalent")


# ---------------------------------------------------------------- code


class Function:
    """A kernel in a loaded module."""

    __slots__ = ("handle", "max_dynamic_shared", "module", "name")

    def __init__(self, module: Module, name: str, handle: Any) -> None:
        self.module = module  # keeps the module loaded
        self.name = name
        self.handle = handle
        self.max_dynamic_shared = 48 * 1024
        """Dynamic shared memory a launch may ask for (raised by `set_max_dynamic_shared`)."""

    def set_max_dynamic_shared(self, nbytes: int) -> None:
        """Allow at least `nbytes` of dynamic shared memory per block (more than 48 KB
        needs the opt-in). Only ever raised: a launch prepared earlier for a larger
        size must keep working."""
        if nbytes <= self.max_dynamic_shared:
            return
        cu = _cu()
        _in_context(self.module.device)
        attribute = cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
        check(cu.cuFuncSetAttribute(self.handle, attribute, nbytes))
        self.max_dynamic_shared = nbytes

    def __repr__(self) -> str:
        return f"Function({self.name!r})"


class Module:
    """A CUBIN (or PTX) loaded into a device's primary context; unloaded when collected."""

    def __init__(self, handle: Any, device: int = 0) -> None:
        self.handle = handle
        self.device = device
        self.functions: dict[str, Function] = {}
        finalizer = weakref.finalize(self, _unload, handle, device)
        finalizer.atexit = False

    @classmethod
    def load(cls, image: bytes, device: int = 0) -> Module:
        """cuModuleLoadData; CudaError `CUDA_ERROR_NO_BINARY_FOR_GPU` for a CUBIN of
        another arch, `CUDA_ERROR_UNSUPPORTED_PTX_VERSION` for too new PTX."""
        _in_context(device)
        return cls(check(_cu().cuModuleLoadData(image)), device)

    def function(self, name: str) -> Function:
        found = self.functions.get(name)
        if found is None:
            _in_context(self.device)
            found = self.functions[name] = Function(self, name, check(_cu().cuModuleGetFunction(self.handle, name.encode())))
        return found


def _unload(handle: Any, device: int) -> None:
    try:
        _in_context(device)  # a finalizer may run on a thread with no current context
        check(_cu().cuModuleUnload(handle))
    except Exception:  # noqa: BLE001, S110 - a finalizer must not raise
        pass


class KernelArgs:
    """A prebuilt `void*[]` for cuLaunchKernel: one 8-byte slot per argument,
    written with the argument's exact C type (pitfall: `int` vs `long long`)."""

    def __init__(self, types: Sequence[Any]) -> None:
        count = len(types)
        self.types = tuple(types)
        self.slots = (ctypes.c_uint64 * max(count, 1))()
        base = ctypes.addressof(self.slots)
        self.pointers = (ctypes.c_void_p * max(count, 1))(*(base + 8 * i for i in range(count)))
        self.address = ctypes.addressof(self.pointers)
        self.views = [t.from_buffer(self.slots, 8 * i) for i, t in enumerate(types)]

    def set(self, index: int, value: Any) -> None:
        self.views[index].value = value

    def set_all(self, values: Sequence[Any]) -> None:
        for view, value in zip(self.views, values, strict=True):
            view.value = value

    def values(self) -> list[Any]:
        return [view.value for view in self.views]


def launch(
    function: Function,
    grid: Sequence[int],
    block: Sequence[int],
    args: KernelArgs | Sequence[tuple[Any, Any]],
    shared_bytes: int = 0,
    stream: Any = None,
) -> None:
    """Queue `function` on `stream` (default: the device's). `args` is a prebuilt
    KernelArgs or (value, ctypes type) pairs."""
    if not isinstance(args, KernelArgs):
        packed = KernelArgs([t for _, t in args])
        packed.set_all([v for v, _ in args])
        args = packed
    gx, gy, gz = (*grid, 1, 1)[:3]
    bx, by, bz = (*block, 1, 1)[:3]
    if shared_bytes > function.max_dynamic_shared:
        function.set_max_dynamic_shared(shared_bytes)
    handle = _stream_handle(stream, function.module.device)
    check(_cu().cuLaunchKernel(function.handle, gx, gy, gz, bx, by, bz, shared_bytes, handle, args.address, 0))


class Event:
    """A CUDA event for timing work on a stream."""

    def __init__(self, device: int = 0) -> None:
        self.device = device
        _in_context(device)
        self.handle = check(_cu().cuEventCreate(0))
        finalizer = weakref.finalize(self, _destroy_event, self.handle)
        finalizer.atexit = False

    def record(self, stream: Any = None) -> Event:
        check(_cu().cuEventRecord(self.handle, _stream_handle(stream, self.device)))
        return self

    def synchronize(self) -> None:
        check(_cu().cuEventSynchronize(self.handle))

    def elapsed_ms(self, end: Event) -> float:
        """Milliseconds from this event to `end` (waits for `end`)."""
        end.synchronize()
        return float(check(_cu().cuEventElapsedTime(self.handle, end.handle)))


def _destroy_event(handle: Any) -> None:
    try:
        check(_cu().cuEventDestroy(handle))
    except Exception:  # noqa: BLE001, S110 - a finalizer must not raise
        pass


def time_ms(work: Callable[[], Any], stream: Any = None, repeat: int = 10, warmup: int = 2) -> list[float]:
    """Event-timed milliseconds of `work()` (which queues on `stream`), per repeat."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeat):
        start = Event().record(stream)
        work()
        end = Event().record(stream)
        times.append(start.elapsed_ms(end))
    return times
