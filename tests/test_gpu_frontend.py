"""The CUDA frontend without a GPU: the device flag and `device=` override, the one
clear error when there is no device (never a CPU fallback), ahead-of-time compiles
for sm_80 and sm_90 with their stages, and the call path's memory traffic against the
mock libcuda.so.1. Tests marked `gpu` check the device-resident memory on a real GPU.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tg
import tg.tensor as T
import tg.tensor.nnet
from gpu_testutil import run_mock
from tg.device import CPU, DeviceSpec, parse_device
from tg.runtime.cuda_device import CudaUnavailable, probe

HAVE_GPU = probe()[0]


# ------------------------------------------------------------------ device names


@pytest.mark.parametrize(
    ("name", "spec"),
    [("cpu", CPU), ("cuda", DeviceSpec("cuda", 0)), ("cuda0", DeviceSpec("cuda", 0)), ("cuda1", DeviceSpec("cuda", 1)),
     ("CUDA12", DeviceSpec("cuda", 12)), (" cuda3 ", DeviceSpec("cuda", 3))],
)
def test_device_names(name, spec):
    assert parse_device(name) == spec
    assert str(parse_device(name)) == ("cpu" if spec.kind == "cpu" else f"cuda{spec.ordinal}")


@pytest.mark.parametrize("name", ["gpu0", "cuda-1", "cuda:1", "tpu", "", "cudax"])
def test_unknown_device_names(name):
    with pytest.raises(ValueError, match="expected cpu, cuda, or cudaN"):
        parse_device(name)


def test_device_flag():
    assert tg.config.device == "cpu"
    with tg.change_flags(device="CUDA1"):
        assert tg.config.device == "cuda1"
    assert tg.config.device == "cpu"
    with pytest.raises(ValueError, match="unknown device 'gpu0'"):
        tg.config.device = "gpu0"
    assert tg.config.device == "cpu"


def test_device_flag_from_the_environment():
    code = "import tg; print(tg.config.device)"
    for flags, expected in (("device=cuda", "cuda"), ("device=cuda2,floatX=float32", "cuda2")):
        done = subprocess.run([sys.executable, "-c", code], check=False, env=dict(os.environ, TG_FLAGS=flags), capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.strip() == expected, done.stderr
    done = subprocess.run([sys.executable, "-c", code], check=False, env=dict(os.environ, TG_FLAGS="device=opencl0"), capture_output=True, text=True)
    assert done.returncode != 0 and "bad value for device" in done.stderr


def test_cuda_pipeline_stages():
    from tg.pipeline import passes_between, stage_names

    assert stage_names("cuda") == ["graph", "optimized", "fused", "buffers", "gpu", "cuda"]
    assert stage_names() == ["graph", "optimized", "fused", "buffers", "loops", "llvm", "llvmir"]
    assert passes_between("buffers", "gpu") == ["convert-buffers-to-gpu"]
    assert passes_between("fused", "gpu")[0] == "tg-bufferize"
    with pytest.raises(ValueError, match="different devices"):
        passes_between("loops", "gpu")


# ------------------------------------------------------------------ no device: one clear error


@pytest.mark.skipif(HAVE_GPU, reason="a GPU is present")
def test_cuda_function_without_a_gpu_is_one_clear_error(monkeypatch):
    """No silent CPU fallback, and no time spent compiling first."""
    import tg.pipeline

    def forbidden(*args, **kwargs):
        raise AssertionError("compiled before finding that there is no device")

    x = T.fvector("x")
    monkeypatch.setattr(tg.pipeline, "lower", forbidden)
    with pytest.raises(CudaUnavailable) as raised:
        tg.function([x], x * 2, device="cuda")
    assert isinstance(raised.value, RuntimeError)
    why = probe()[1]
    assert why in str(raised.value) and ("driver" in why or "cuda-bindings" in why or "device" in why)
    with tg.change_flags(device="cuda1"), pytest.raises(CudaUnavailable):
        tg.function([x], x * 2)
    monkeypatch.undo()
    assert tg.function([x], x * 2, device="cpu")(np.ones(2, "float32")).tolist() == [2.0, 2.0]


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False, capture_output=True, text=True, env=environment, timeout=120)


@pytest.mark.skipif(HAVE_GPU, reason="a GPU is present")
def test_device_flag_cuda_without_a_driver_names_the_driver():
    done = _python(
        """
        import tg, tg.tensor as T
        from tg.runtime.cuda_device import CudaUnavailable
        try:
            tg.function([T.fvector("x")], T.fvector("y") * 0 + 1, on_unused_input="ignore")
        except CudaUnavailable as e:
            print("raised:", e)
        """,
        TG_FLAGS="device=cuda",
    )
    assert done.returncode == 0, done.stderr
    assert "raised: CUDA is not available" in done.stdout and "libcuda.so.1" in done.stdout


def test_missing_package_is_named(tmp_path):
    blocker = tmp_path / "cuda"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    done = _python(
        """
        import tg, tg.tensor as T
        from tg.runtime.cuda_device import CudaUnavailable
        x = T.fvector("x")
        try:
            tg.function([x], x, device="cuda0")
        except CudaUnavailable as e:
            print("raised:", e)
        """,
        PYTHONPATH=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert "cuda-bindings is not installed" in done.stdout and "pip install 'tg[cuda]'" in done.stdout


@pytest.mark.mockcuda
def test_no_device_and_ordinal_out_of_range_are_named(mock_libcuda):
    code = """
    import tg, tg.tensor as T
    from tg.runtime.cuda_device import CudaUnavailable
    x = T.fvector("x")
    try:
        tg.function([x], x, device={device!r})
    except CudaUnavailable as e:
        print("raised:", e)
    """
    printed = run_mock(mock_libcuda, code.format(device="cuda"), MOCK_NO_DEVICE="1")
    assert "raised: CUDA is not available: no CUDA device" in printed
    printed = run_mock(mock_libcuda, code.format(device="cuda3"))
    assert "raised: no CUDA device 3: the driver sees 1 device(s)" in printed


# ------------------------------------------------------------------ ahead of time


def _mlp_step_graph():
    rng = np.random.default_rng(0)
    shapes = [(784, 500), (500,), (500, 10), (10,)]
    params = [tg.shared((rng.standard_normal(s) * 0.05).astype("float32"), f"p{n}") for n, s in enumerate(shapes)]
    x, y = T.fmatrix("x"), T.ivector("y")
    h = T.tanh(T.dot(x, params[0]) + params[1])
    loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(h, params[2]) + params[3]), y).mean()
    updates = [(p, p - np.float32(0.1) * g) for p, g in zip(params, tg.grad(loss, params))]
    return [x, y], loss, updates


def _check_compiled(f, arch: str) -> None:
    from tg.runtime.gpu_plan import Launch
    from tg.runtime.nvrtc import elf_sm

    assert f.cubin[:4] == b"\x7fELF" and struct.unpack_from("<H", f.cubin, 18)[0] == 190  # a CUDA ELF
    assert elf_sm(f.cubin) == int(arch[3:])
    assert f.cuda_stages[0].binary.arch == arch and f.cuda_stages[0].binary.kind == "cubin"
    assert 'extern "C" __global__' in f.cuda_source
    launches = [s for s in f.launch_plan.steps if isinstance(s, Launch)]
    assert launches and all(f"void {s.kernel}(" in f.cuda_source or f" {s.kernel}(" in f.cuda_source for s in launches)
    gpu = f.ir("gpu")
    assert "gpu.module" in gpu and "gpu.func" in gpu and "gpu.launch_func" in gpu and "func.func @main" in gpu
    assert f.ir("cuda") == f.cuda_source  # derived again from the graph: the same text
    assert "tg.compute" in f.ir("buffers") and "tg.fusion" in f.ir("fused")
    with pytest.raises(ValueError, match="stages are graph, optimized, fused, buffers, gpu, cuda"):
        f.ir("llvm")
    with pytest.raises(CudaUnavailable, match=f"ahead of time for {arch}"):
        f()


@pytest.mark.nvrtc
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_ahead_of_time_mlp_step(arch):
    from tg.runtime.gpu_function import compile_cuda

    inputs, loss, updates = _mlp_step_graph()
    f = compile_cuda(inputs, loss, updates=updates, arch=arch)
    _check_compiled(f, arch)
    assert f.launch_plan.errors  # the labels' bounds check
    assert len(f.launch_plan.arguments) == 2 + 4 + 1 + 4 - len(f.launch_plan.inplace) + 1  # in, shared, loss, updates, status


@pytest.mark.nvrtc
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_ahead_of_time_softmax_and_indexing(arch):
    from tg.runtime.gpu_function import compile_cuda

    x, idx, i = T.fmatrix("x"), T.lvector("idx"), T.lscalar("i")
    f = compile_cuda([x], [T.nnet.softmax(x), T.nnet.logsoftmax(x)], arch=arch)
    _check_compiled(f, arch)
    g = compile_cuda([x, idx, i], [x[idx], x[i, 1:], T.inc_subtensor(x[idx], 1.0)], arch=arch)
    _check_compiled(g, arch)
    assert any("IndexError" in e for e in g.launch_plan.errors)
    plan = g.launch_plan.concrete([(100, 7), (5,), (), (5, 7), (6,), (100, 7), ()])
    assert plan.launches and all(1 <= l.block[0] * l.block[1] * l.block[2] <= 1024 for l in plan.launches)


@pytest.mark.nvrtc
def test_dump_ir_prints_each_function_its_own_stages(monkeypatch, capsys):
    """TG_FLAGS=dump_ir=...: a CUDA function prints its `gpu` stage and skips the CPU's
    `loops`; a CPU function the other way round; a name in no pipeline is an error."""
    from tg.runtime.gpu_function import compile_cuda

    x = T.fvector("x")
    monkeypatch.setattr(tg.config, "dump_ir", "graph:loops:gpu")
    compile_cuda([x], x + 1, arch="sm_80")
    out = capsys.readouterr().out
    assert "// ----- graph" in out and "// ----- gpu" in out and "gpu.launch_func" in out
    assert "// ----- loops" not in out
    tg.function([x], x + 1)
    out = capsys.readouterr().out
    assert "// ----- loops" in out and "scf.for" in out and "// ----- gpu" not in out
    monkeypatch.setattr(tg.config, "dump_ir", "lops")
    with pytest.raises(ValueError, match="unknown stage 'lops'"):
        compile_cuda([x], x + 1, arch="sm_80")


def test_compile_cuda_arguments():
    from tg.runtime.gpu_function import compile_cuda

    x = T.fvector("x")
    with pytest.raises(ValueError, match="sm_90"):
        compile_cuda([x], x, arch="hopper")
    with pytest.raises(TypeError, match="arch"):
        compile_cuda([x], x, device="cuda")


def test_tg_opt_to_stage_gpu(tmp_path, capsys):
    from tg.tools.tg_opt import main

    x = T.fmatrix("x")
    f = tg.function([x], T.exp(x).sum(axis=1), device="cpu")
    source = tmp_path / "buffers.mlir"
    source.write_text(f.ir("buffers"))
    assert main([str(source), "--from-stage", "buffers", "--to-stage", "gpu"]) == 0
    out = capsys.readouterr().out
    assert "gpu.module" in out and "gpu.launch_func" in out


# ------------------------------------------------------------------ the call path, against the mock driver

MOCK_CALLS = """
import ctypes, gc, weakref
import numpy as np
import tg, tg.tensor as T
from tg.runtime.cuda_driver import DeviceArray
from tg.runtime.gpu_function import DeviceCopy

mock = ctypes.CDLL("libcuda.so.1")
mock.mock_bytes.restype = ctypes.c_uint64
H2D, D2H = 0, 1

def traffic(call):
    before = mock.mock_bytes(H2D), mock.mock_bytes(D2H)
    result = call()
    return result, mock.mock_bytes(H2D) - before[0], mock.mock_bytes(D2H) - before[1]

W = tg.shared(np.arange(64 * 32, dtype="float32").reshape(64, 32), "W")
x = T.fmatrix("x")
f = tg.function([x], [T.dot(x, W).sum(axis=1), T.dot(x, W).max()], updates=[(W, W * 2)], device="cuda")
value = np.ones((8, 64), "float32")

# first call: x and W go up once each; the outputs and the status word come back
(out, top), up, down = traffic(lambda: f(value))
assert isinstance(out, np.ndarray) and out.shape == (8,) and out.dtype == np.float32
assert isinstance(top, np.ndarray) and top.shape == () and top.dtype == np.float32
assert up >= value.nbytes + 64 * 32 * 4, up
first_up = up
assert down >= 8 * 4 + 4, down
assert isinstance(W.device_copy, DeviceCopy) and W.device_copy.newer

# second call: W stays on the device
_, up, down = traffic(lambda: f(value))
assert first_up - up == 64 * 32 * 4, (first_up, up)

# return_internal_type: the device array itself (borrowed) or a copy made on the device
internal, up, down = traffic(lambda: W.get_value(borrow=True, return_internal_type=True))
assert internal is W.device_copy.array and up == down == 0
copies = mock.mock_bytes(2)
internal, up, down = traffic(lambda: W.get_value(return_internal_type=True))
assert isinstance(internal, DeviceArray) and internal is not W.device_copy.array and internal.shape == (64, 32)
assert up == down == 0
assert mock.mock_bytes(2) - copies == 64 * 32 * 4 and W.device_copy.newer

# get_value copies back once, then both copies agree
_, up, down = traffic(lambda: W.get_value())
assert down == 64 * 32 * 4 and up == 0, (up, down)
_, up, down = traffic(lambda: W.get_value())
assert down == 0 and not W.device_copy.newer

# set_value replaces the device copy: the next call uploads W again
W.set_value(np.zeros((64, 32), "float32"))
assert W.device_copy is None
_, up, _ = traffic(lambda: f(value))
assert up == first_up, (up, first_up)

# a device array input is taken where it is; outputs can stay on the device
on_device = DeviceArray.from_host(value)
f.return_device_arrays = True
(out, top), up, down = traffic(lambda: f(on_device))
assert up == first_up - value.nbytes - 64 * 32 * 4, (up, first_up)
assert isinstance(out, DeviceArray) and out.shape == (8,) and isinstance(top, DeviceArray) and top.shape == ()
assert down == 4, down  # the status word only
assert out.__dlpack_device__() == (2, 0)
f.return_device_arrays = False

# device inputs are checked like host ones, never converted
for bad, kind in ((DeviceArray.from_host(value.astype("float64")), TypeError),
                  (DeviceArray.from_host(np.ones((8, 64, 1), "float32")), TypeError),
                  (DeviceArray(on_device.buffer, (64, 8), np.float32, strides=(4, 256)), ValueError)):
    try:
        f(bad)
        raise AssertionError("no error")
    except kind as e:
        assert "input 'x' (argument 0)" in str(e), e

# argument binding as on the CPU
g = tg.function([tg.In(x, value=value)], x.sum(), device="cuda")
assert g().shape == () and g(x=value).shape == ()
try:
    g(value, x=value)
    raise AssertionError("no error")
except TypeError as e:
    assert "two values" in str(e)

# device memory goes away with the function, a replaced value, and the variable
module = weakref.ref(f.cuda_stages[0].program.module)
old = weakref.ref(W.device_copy.array.buffer)
W.set_value(np.ones((64, 32), "float32"))
del f, out, top
gc.collect()
assert module() is None and old() is None

def scope():
    V = tg.shared(np.ones(100, "float32"))
    h = tg.function([], updates=[(V, V + 1)], device="cuda")
    h()
    return weakref.ref(V.device_copy.array.buffer)

buffer = scope()
gc.collect()
assert buffer() is None
print("ok")
"""


@pytest.mark.mockcuda
@pytest.mark.nvrtc
def test_call_path_memory_traffic(mock_libcuda):
    """Against the mock driver (kernels do not run there): what is copied when."""
    assert run_mock(mock_libcuda, MOCK_CALLS).strip().endswith("ok")


# ------------------------------------------------------------------ on a GPU: device-resident memory


@pytest.fixture
def uploads(monkeypatch):
    """Counts host-to-device copies (calls of DeviceBuffer.copy_from_host)."""
    from tg.runtime import cuda_driver

    calls: list[int] = []
    original = cuda_driver.DeviceBuffer.copy_from_host

    def counting(self, array, stream=None):
        calls.append(np.asarray(array).nbytes)
        return original(self, array, stream)

    monkeypatch.setattr(cuda_driver.DeviceBuffer, "copy_from_host", counting)
    return calls


@pytest.mark.gpu
def test_shared_variables_stay_on_the_device(uploads):
    w0 = np.random.default_rng(0).standard_normal((300, 40)).astype("float32")
    W = tg.shared(w0.copy(), "W")
    x = T.fmatrix("x")
    f = tg.function([x], T.dot(x, W).sum(), updates=[(W, W * np.float32(0.5))], device="cuda")
    value = np.ones((7, 300), "float32")
    f(value)
    assert W.device_copy.newer and sum(uploads) >= w0.nbytes
    uploads.clear()
    for _ in range(3):
        f(value)
    assert w0.nbytes not in uploads  # only x goes up
    np.testing.assert_allclose(W.get_value(), w0 * np.float32(0.5**4), rtol=1e-6)
    assert isinstance(W.get_value(), np.ndarray) and not W.device_copy.newer
    W.set_value(w0)
    uploads.clear()
    expected = float((value @ w0).sum())
    np.testing.assert_allclose(f(value), expected, rtol=1e-5)
    assert w0.nbytes in uploads  # set_value's value went up
    cpu = tg.function([x], T.dot(x, W).sum(), device="cpu")  # the CPU reads the device's newer value
    np.testing.assert_allclose(cpu(value), expected * 0.5, rtol=1e-5)


@pytest.mark.gpu
def test_failed_call_changes_no_shared_variable():
    """Kernels after a failed check skip their in-place writes; an in-place GEMM
    (cuBLAS cannot read the status) is undone from the copy taken before the call."""
    W = tg.shared(np.arange(10, dtype="float32"), "W")
    idx = T.lvector("idx")
    f = tg.function([idx], W[idx * 2], updates=[(W, W + 1)], device="cuda")
    np.testing.assert_array_equal(f([0, 1]), [0.0, 2.0])
    before = W.get_value()
    with pytest.raises(IndexError):
        f([1, 5])  # index 10: found by a kernel
    np.testing.assert_array_equal(W.get_value(), before)

    V = tg.shared(np.random.default_rng(0).standard_normal((20, 5)).astype("float32"), "V")
    x, y = T.fmatrix("x"), T.ivector("y")
    loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(x, V)), y).mean()
    step = tg.function([x, y], loss, updates=[(V, V - np.float32(0.1) * tg.grad(loss, V))], device="cuda")
    data = np.ones((8, 20), "float32")
    step(data, np.zeros(8, "int32"))
    before = V.get_value()
    with pytest.raises(IndexError, match="label is out of range"):
        step(data, np.full(8, 5, "int32"))
    np.testing.assert_array_equal(V.get_value(), before)
    step(data, np.zeros(8, "int32"))
    assert not np.array_equal(V.get_value(), before)


@pytest.mark.gpu
def test_device_memory_is_freed_with_the_variable_and_the_function():
    import gc
    import weakref

    def scope():
        W = tg.shared(np.ones((256, 256), "float32"), "W")
        f = tg.function([], updates=[(W, W + 1)], device="cuda")
        f()
        return weakref.ref(W.device_copy.array.buffer), weakref.ref(f.cuda_stages[0].program.module)

    buffer, module = scope()
    gc.collect()
    assert buffer() is None and module() is None


@pytest.mark.gpu
def test_torch_tensors_in_and_out_without_copies(uploads):
    torch = pytest.importorskip("torch")
    x, y = T.fmatrix("x"), T.fvector("y")
    f = tg.function([x, y], [T.tanh(x) + y, (x * y).sum(axis=0)], device="cuda")
    a = torch.randn(64, 33, device="cuda")
    b = torch.randn(33, device="cuda")
    out, total = f(a, b)
    assert not uploads  # nothing went through the host
    np.testing.assert_allclose(out, np.tanh(a.cpu().numpy()) + b.cpu().numpy(), rtol=1e-5, atol=1e-6)
    f.return_device_arrays = True
    out, total = f(a, b)
    t = torch.from_dlpack(out)
    assert t.device.type == "cuda" and t.shape == (64, 33)
    torch.testing.assert_close(t, torch.tanh(a) + b)
    torch.testing.assert_close(torch.from_dlpack(total), (a * b).sum(dim=0), rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match="cast it on the device"):
        f(a.double(), b)
    with pytest.raises(ValueError, match="C-contiguous"):
        f(a.t().contiguous().t(), b)


@pytest.mark.gpu
def test_cupy_arrays_in_and_out():
    cupy = pytest.importorskip("cupy")
    x = T.fvector("x")
    f = tg.function([x], T.exp(x) * 2, device="cuda")
    f.return_device_arrays = True
    a = cupy.arange(1000, dtype=cupy.float32) / 1000
    result = cupy.from_dlpack(f(a))
    cupy.testing.assert_allclose(result, cupy.exp(a) * 2, rtol=1e-6)


@pytest.mark.gpu
def test_scalars_and_python_values_as_on_the_cpu():
    x, s = T.fvector("x"), T.fscalar("s")
    f = tg.function([x, s], [(x * s).sum(), x * s], device="cuda")
    total, scaled = f([1.0, 2.0, 3.0], 2.0)
    assert isinstance(total, np.ndarray) and total.shape == () and total == 12.0
    np.testing.assert_array_equal(scaled, [2.0, 4.0, 6.0])
    with pytest.raises(TypeError, match="argument 1"):
        f([1.0], np.float64(1.5))  # a lossy downcast, refused as on the CPU


MOCK_FAILED_CALL = """
import numpy as np
import tg, tg.tensor as T, tg.tensor.nnet

V = tg.shared(np.arange(100, dtype="float32").reshape(20, 5), "V")
x, y = T.fmatrix("x"), T.ivector("y")
loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(x, V)), y).mean()
step = tg.function([x, y], loss, updates=[(V, V - np.float32(0.1) * tg.grad(loss, V))], device="cuda")
stage = step.cuda_stages[0]
assert step._backed_up == [{2}], step._backed_up  # the in-place GEMM's target, V

class Failing:
    '''The stage as a GPU would run it when a label is out of range: the in-place
    GEMM scribbles on V, then the status says IndexError.'''
    def __init__(self, program):
        self.program = program
    def __call__(self, buffers):
        buffers[2].buffer.fill32(0x7FC00000)
        raise IndexError("softmax_crossentropy: a label is out of range for the number of classes")

before = V.get_value()
stage.program = Failing(stage.program)
try:
    step(np.ones((8, 20), "float32"), np.full(8, 9, "int32"))
    raise AssertionError("no error")
except IndexError:
    pass
np.testing.assert_array_equal(V.device_copy.array.get(), before)  # the copy taken before the call
np.testing.assert_array_equal(V.get_value(), before)
print("ok")
"""


@pytest.mark.mockcuda
@pytest.mark.nvrtc
def test_failed_call_restores_in_place_updates(mock_libcuda):
    assert run_mock(mock_libcuda, MOCK_FAILED_CALL).strip().endswith("ok")
