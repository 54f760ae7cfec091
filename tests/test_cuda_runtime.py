"""The CUDA runtime without a GPU: the probe and its messages, and the driver layer
against the mock libcuda.so.1 (tests/mockcuda) in subprocesses — memory round
trips, launches with their exact argument bytes, module loading rules, DLPack."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gpu_testutil import MOCK_LAUNCH_LOG, run_mock

PRELUDE = (
    """
import ctypes, gc, numpy as np
from tg.runtime import cuda_driver as cd, nvrtc
from tg.runtime.cuda_device import CudaUnavailable, get_device, probe
"""
    + MOCK_LAUNCH_LOG
    + "mock.mock_bytes.restype = ctypes.c_uint64\n"
)


def run(mock, code: str, **env: str) -> str:  # type: ignore[no-untyped-def]
    return run_mock(mock, code, PRELUDE, **env)


def test_import_tg_loads_no_cuda() -> None:
    code = "import sys, tg, tg.tensor; import tg.runtime.cuda_device, tg.runtime.cuda_driver, tg.runtime.nvrtc, tg.runtime.cublas, tg.runtime.gpu_stage\n"
    code += "print(sorted(m for m in sys.modules if m.startswith('cuda')))"
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_probe_without_a_driver_says_so() -> None:
    """This machine has no libcuda.so.1: the probe names the driver, get_device raises."""
    code = """
from tg.runtime.cuda_device import CudaUnavailable, get_device, probe
ok, why = probe()
assert not ok and "libcuda.so.1" in why and "driver" in why, why
assert probe() == (ok, why)
try:
    get_device()
except CudaUnavailable as e:
    assert "libcuda.so.1" in str(e) and isinstance(e, RuntimeError)
    print("raised")
"""
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60, env=_no_driver_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "raised"


def test_missing_package_is_named(tmp_path) -> None:
    """Without cuda-bindings the message says which package to install."""
    blocker = tmp_path / "cuda"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    code = """
from tg.runtime.cuda_device import CudaUnavailable, get_device, probe
ok, why = probe()
assert not ok and "pip install 'tg[cuda]'" in why and "cuda-bindings" in why, why
from tg.runtime import nvrtc
try:
    nvrtc.compile_cuda("", "sm_90")
except CudaUnavailable as e:
    assert "tg[cuda]" in str(e)
    print("named")
"""
    env = _no_driver_env()
    env["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "named"


def _no_driver_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    return env


@pytest.mark.mockcuda
def test_probe_no_device(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    out = run(
        mock_libcuda,
        """
        ok, why = probe()
        assert not ok and "no CUDA device" in why and "CUDA_ERROR_NO_DEVICE" in why, why
        try:
            get_device()
        except CudaUnavailable as e:
            print("unavailable:", e)
        """,
        MOCK_NO_DEVICE="1",
    )
    assert "unavailable: CUDA is not available: no CUDA device" in out


@pytest.mark.mockcuda
def test_device_and_ordinal_out_of_range(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run(
        mock_libcuda,
        """
        assert probe() == (True, "1 CUDA device(s)")
        d = get_device()
        assert d is get_device(0)
        assert (d.name, d.arch, d.compute_capability, d.sm_count) == ("Mock GPU sm_90", "sm_90", (9, 0), 132)
        assert d.driver_version == 13000 and d.max_shared_optin == 232448 and int(d.stream) != 0
        assert d.compile_target() == ("sm_90", "cubin")
        try:
            get_device(1)
            raise AssertionError("no error")
        except CudaUnavailable as e:
            assert "no CUDA device 1" in str(e) and "1 device" in str(e), e
        """,
    )


@pytest.mark.mockcuda
def test_memory_round_trip_and_pool(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run(
        mock_libcuda,
        """
        d = get_device()
        x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
        a = cd.DeviceArray.from_host(x)
        assert a.shape == (2, 3, 4) and a.dtype == np.float64 and a.nbytes == 192 and a.is_contiguous
        assert np.array_equal(a.get(), x) and a.ptr % 256 == 0
        assert mock.mock_bytes(0) == 192 and mock.mock_bytes(1) == 192
        a.set(-x)
        assert np.array_equal(a.get(), -x)
        b = cd.DeviceArray.empty((2, 3, 4), np.float64)
        b.buffer.copy_from_device(a.buffer, a.nbytes)
        assert np.array_equal(b.get(), -x) and mock.mock_bytes(2) == 192
        b.buffer.fill32(0x7FC00000)
        assert np.isnan(cd.DeviceArray(b.buffer, (48,), np.float32).get()).all()
        b.buffer.zero()
        assert not b.get().any()
        empty = cd.DeviceArray.empty((0, 5), np.float32)
        assert empty.ptr == 0 and empty.get().shape == (0, 5)
        try:
            a.set(np.zeros((4, 3, 2)))
            raise AssertionError("no error")
        except ValueError:
            pass

        frees = mock.mock_frees()
        del a
        gc.collect()
        assert mock.mock_frees() == frees + 1  # freed when collected
        b.buffer.close(); b.buffer.close()
        assert mock.mock_frees() == frees + 2

        pool = cd.BufferPool(max_bytes=4096)
        allocations = mock.mock_allocations()
        p = pool.take(1000); ptr = p.ptr
        del p; gc.collect()
        q = pool.take(900)  # same 1024-byte class: the same block, no cuMemAlloc
        assert q.ptr == ptr and mock.mock_allocations() == allocations + 1 and pool.held == 0
        big = pool.take(8192); del big; gc.collect()
        assert pool.held == 0  # over max_bytes: freed, not kept
        del q; gc.collect(); assert pool.held == 1024
        pool.release(); assert pool.held == 0

        frees = mock.mock_frees()
        pool = cd.BufferPool(max_bytes=4096)
        r = pool.take(100); del r; gc.collect(); assert pool.held == 512
        s = pool.take(3000)  # a block still lent out keeps the pool alive
        del pool; gc.collect()
        assert mock.mock_frees() == frees
        del s; gc.collect()  # back to the pool, which goes with it: both blocks freed
        assert mock.mock_frees() == frees + 2
        kept = cd.BufferPool(); t = kept.take(64); del t  # held at exit: not freed then
        """,
    )


SOURCE = r"""
extern "C" __global__ void k(float* __restrict__ out, long long n, float scale, int flag, double d) {}
extern "C" __global__ void other(int* status) {}
template <typename T> __global__ void tmpl(T* p) {}
template __global__ void tmpl<float>(float*);
"""


@pytest.mark.mockcuda
def test_launch_records_grid_block_and_argument_bytes(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run(
        mock_libcuda,
        f"""
        import struct
        d = get_device()
        binary = nvrtc.compile_cuda({SOURCE!r}, d.arch)
        module = cd.Module.load(binary.image)
        k = module.function("k")
        assert module.function("k") is k
        out = cd.DeviceArray.empty((1000,), np.float32)
        args = cd.KernelArgs([ctypes.c_void_p, ctypes.c_longlong, ctypes.c_float, ctypes.c_int, ctypes.c_double])
        args.set_all([out.ptr, -(1 << 40) - 3, 1.5, -7, 2.25])
        mock.mock_set_nparams(5)
        cd.launch(k, (4, 2), (256,), args, shared_bytes=1024)
        log = mock.mock_launch(mock.mock_launch_count() - 1).contents
        assert log.name == b"k" and tuple(log.grid) == (4, 2, 1) and tuple(log.block) == (256, 1, 1)
        assert log.smem == 1024 and log.stream == int(d.stream)
        p = list(log.params[:5])
        assert p[0] == out.ptr
        assert struct.unpack("<q", struct.pack("<Q", p[1]))[0] == -(1 << 40) - 3
        assert struct.unpack("<f", struct.pack("<I", p[2] & 0xFFFFFFFF))[0] == 1.5
        assert struct.unpack("<i", struct.pack("<I", p[3] & 0xFFFFFFFF))[0] == -7
        assert struct.unpack("<d", struct.pack("<Q", p[4]))[0] == 2.25
        args.set(1, 5)  # the same array, the next call's value
        cd.launch(k, (1,), (32,), args)
        assert mock.mock_launch(mock.mock_launch_count() - 1).contents.params[1] == 5
        cd.launch(k, (1,), (1,), [(out.ptr, ctypes.c_void_p), (3, ctypes.c_longlong), (0.5, ctypes.c_float), (0, ctypes.c_int), (0.0, ctypes.c_double)])
        assert mock.mock_launch(mock.mock_launch_count() - 1).contents.params[1] == 3
        try:
            cd.launch(k, (1,), (2048,), args)
            raise AssertionError("no error")
        except cd.CudaError as e:
            assert e.name == "CUDA_ERROR_INVALID_VALUE" and e.code == 1
        try:
            module.function("tmpl")  # a template's unmangled name is not a symbol
            raise AssertionError("no error")
        except cd.CudaError as e:
            assert e.name == "CUDA_ERROR_NOT_FOUND"
        times = cd.time_ms(lambda: cd.launch(k, (1,), (1,), args), repeat=3, warmup=1)
        assert times == [1.0, 1.0, 1.0]
        """,
    )


@pytest.mark.mockcuda
def test_dynamic_shared_memory_limit_only_grows(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    """Over 48 KB of dynamic shared memory needs the function's opt-in attribute; a
    smaller later request must not lower it under a launch prepared for more."""
    run(
        mock_libcuda,
        f"""
        d = get_device()
        k = cd.Module.load(nvrtc.compile_cuda({SOURCE!r}, d.arch).image).function("other")
        args = cd.KernelArgs([ctypes.c_void_p])
        def raw(smem):  # as gpu_stage launches: straight to the driver with the prepared array
            cd.check(cd._cu().cuLaunchKernel(k.handle, 1, 1, 1, 32, 1, 1, smem, int(d.stream), args.address, 0))
        try:
            raw(64 * 1024)
            raise AssertionError("64 KB without the opt-in was accepted")
        except cd.CudaError as e:
            assert e.name == "CUDA_ERROR_INVALID_VALUE"
        k.set_max_dynamic_shared(64 * 1024)
        k.set_max_dynamic_shared(50 * 1024)  # a smaller shape prepared later
        raw(64 * 1024)  # the first shape's launch still works
        assert k.max_dynamic_shared == 64 * 1024
        cd.launch(k, (1,), (32,), args, shared_bytes=100 * 1024)  # launch() opts in itself
        assert k.max_dynamic_shared == 100 * 1024
        """,
    )


@pytest.mark.mockcuda
def test_other_threads_get_the_context(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    """The current context is per thread: a thread that did not create the device
    has none (the mock answers CUDA_ERROR_INVALID_CONTEXT as a driver does), so every
    entry point makes the device's current first, finalizers included."""
    run(
        mock_libcuda,
        f"""
        import threading
        d = get_device()
        module = cd.Module.load(nvrtc.compile_cuda({SOURCE!r}, d.arch).image)
        a = cd.DeviceArray.from_host(np.arange(6.0))
        errors = []
        def work():
            try:
                b = cd.DeviceArray.from_host(np.ones(3))
                assert b.get().tolist() == [1.0, 1.0, 1.0] and a.get().tolist() == list(range(6))
                b.buffer.zero(); b.buffer.fill32(0, 2)
                cd.launch(module.function("other"), (1,), (32,), [(b.ptr, ctypes.c_void_p)])
                view = cd._import_capsule(a.__dlpack__(stream=1), 0, None)
                assert view.get().tolist() == list(range(6))
                del view
                frees = mock.mock_frees()
                del b; gc.collect()
                assert mock.mock_frees() == frees + 1  # cuMemFree in the collecting thread
                cd.Event().record()
                cd.Module.load(nvrtc.compile_cuda({SOURCE!r}, d.arch).image).function("k")
            except Exception as e:
                errors.append(repr(e))
        thread = threading.Thread(target=work)
        thread.start(); thread.join()
        assert not errors, errors
        """,
    )


@pytest.mark.mockcuda
def test_dlpack_strides_and_stream_order(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    """Exports always carry strides (in elements); the consumer's stream waits for
    ours at export, and ours waits for the consumer's when it releases the view (a
    pooled block is reused only after the consumer's queued work)."""
    run(
        mock_libcuda,
        """
        mock.mock_wait.restype = ctypes.c_uint64
        d = get_device()
        ours = int(d.stream)
        a = cd.DeviceArray.from_host(np.zeros((2, 3), np.float32))
        for versioned in (False, True):
            capsule = a.__dlpack__(stream=1, max_version=(1, 0) if versioned else None)
            managed = next(iter(cd._exports.values()))[0]
            tensor = managed.dl_tensor
            assert bool(tensor.strides) and [tensor.strides[i] for i in range(2)] == [3, 1]
            assert tensor.device.device_type == 2 and tensor.byte_offset == 0 and tensor.data == a.ptr
            mock.mock_reset()
            view = cd._import_capsule(capsule, 0, None)
            assert view.is_contiguous and view.strides is None
            del view; gc.collect()
            assert mock.mock_wait_count() == 1 and (mock.mock_wait(0, 0), mock.mock_wait(0, 1)) == (ours, 1)
        mock.mock_reset()
        capsule = a.__dlpack__(stream=1)
        assert (mock.mock_wait(0, 0), mock.mock_wait(0, 1)) == (1, ours)  # the consumer waits for us
        del capsule; gc.collect()
        mock.mock_reset()
        capsule = a.__dlpack__(stream=0x5000)  # a stream of the consumer's own: it may be gone at release
        del capsule; gc.collect()
        assert mock.mock_synchronizations() == 1
        mock.mock_reset()
        capsule = a.__dlpack__(stream=-1)  # no synchronization asked for
        del capsule; gc.collect()
        assert mock.mock_wait_count() == 0 and mock.mock_synchronizations() == 0
        scalar = cd.DeviceArray.from_host(np.array(2.0))
        capsule = scalar.__dlpack__(stream=-1)
        assert not next(iter(cd._exports.values()))[0].dl_tensor.strides  # 0-d: NULL strides are fine
        """,
    )


@pytest.mark.mockcuda
def test_module_loading_rules(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run(
        mock_libcuda,
        f"""
        d = get_device()
        isa = nvrtc.ptx_isa_version(nvrtc.nvrtc_version())  # 9.N from NVRTC 13.N; the mock driver is 13.0
        expectations = [("sm_80", "CUDA_ERROR_NO_BINARY_FOR_GPU")]
        if isa > (9, 0):
            expectations.append(("compute_90", "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"))  # PTX ISA 9.N on a 13.0 driver
        for arch, expected in expectations:
            try:
                cd.Module.load(nvrtc.compile_cuda({SOURCE!r}, arch).image)
                raise AssertionError("no error for " + arch)
            except cd.CudaError as e:
                assert e.name == expected, (arch, e)
        version = ".version %d.%d" % isa
        ptx = nvrtc.compile_cuda({SOURCE!r}, "compute_90").image.replace(version.encode(), b".version 9.0")
        cd.Module.load(ptx).function("k")  # PTX the driver understands
        """,
    )
    run(
        mock_libcuda,
        f"""
        d = get_device()
        assert d.arch == "sm_80"
        cd.Module.load(nvrtc.compile_cuda({SOURCE!r}, "sm_80").image).function("other")
        """,
        MOCK_SM="80",
    )


@pytest.mark.mockcuda
def test_dlpack_both_ways(mock_libcuda) -> None:  # type: ignore[no-untyped-def]
    run(
        mock_libcuda,
        """
        d = get_device()
        x = np.arange(12, dtype=np.float32).reshape(3, 4)
        a = cd.DeviceArray.from_host(x)
        assert a.__dlpack_device__() == (2, 0)
        for versioned in (False, True):
            capsule = a.__dlpack__(stream=1, max_version=(1, 0) if versioned else None)
            assert len(cd._exports) == 1
            view = cd._import_capsule(capsule, 0, None)
            assert view.ptr == a.ptr and view.shape == (3, 4) and view.dtype == np.float32 and view.is_contiguous
            assert np.array_equal(view.get(), x)
            del view; gc.collect()
            assert len(cd._exports) == 0  # the consumer's release ran the deleter
            capsule2 = a.__dlpack__()
            del capsule2; gc.collect()
            assert len(cd._exports) == 0  # an unconsumed capsule cleans up too
            try:
                cd._import_capsule(capsule, 0, None)
                raise AssertionError("a consumed capsule was accepted twice")
            except BufferError:
                pass

        class Foreign:  # a producer such as torch: only the protocol
            def __init__(self, array): self.array = array
            def __dlpack_device__(self): return self.array.__dlpack_device__()
            def __dlpack__(self, stream=None): return self.array.__dlpack__(stream=stream)

        strided = cd.DeviceArray(a.buffer, (4, 3), np.float32, strides=(4, 16))
        view = cd.DeviceArray.from_dlpack(Foreign(strided))
        assert view.shape == (4, 3) and view.strides == (4, 16) and not view.is_contiguous
        assert view.buffer.owner is not None and view.ptr == a.ptr
        booleans = cd.DeviceArray.from_host(np.array([True, False]))
        assert cd.DeviceArray.from_dlpack(Foreign(booleans)).get().tolist() == [True, False]
        class OnHost:
            def __dlpack_device__(self): return (1, 0)
        try:
            cd.DeviceArray.from_dlpack(OnHost())
            raise AssertionError("no error")
        except TypeError as e:
            assert "CUDA tensor" in str(e)
        cai = a.__cuda_array_interface__
        assert cai["shape"] == (3, 4) and cai["typestr"] == "<f4" and cai["data"] == (a.ptr, False)
        """,
    )
