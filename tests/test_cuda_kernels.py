"""Every kind of generated kernel compiles with NVRTC for sm_80 and sm_90 without
spills, and its SASS shows what it should: 16-byte loads and stores in vectorised
elementwise kernels, FFMA in the GEMM kernels, warp shuffles in block reductions and
prefix sums, atomic maxima where a scatter keeps the last value, no local memory.
No GPU needed; all kernels share one program (one compile per arch)."""

from __future__ import annotations

import functools
import re

import pytest
import tg
import tg.tensor as T
from test_gpu_lowering import ConvertBuffersToGpu, Parser, _ctx, gpu_module, mlp_step
from tg.lowering.cuda_printer import print_cuda

pytestmark = pytest.mark.nvrtc

ARCHS = ("sm_80", "sm_90")


def _cases() -> dict[str, tuple[list, object]]:
    x, y, v = T.matrix("x"), T.matrix("y"), T.vector("v")
    i, s, labels = T.lvector("i"), T.lscalar("s"), T.ivector("labels")
    n = T.ivector("n")
    d = T.dmatrix("d")
    inputs, cost, _ = mlp_step()
    return {
        "chain": ([x, y], T.tanh(x * y + 1.0) * T.exp(-x)),
        "bias": ([x, v], T.tanh(x + v)),
        "f64": ([d], T.exp(d) * 2.0),
        "softmax": ([x], T.nnet.softmax(x)),
        "columns": ([x], x.sum(axis=0)),
        "total": ([x], x.mean()),
        "argmax": ([x], T.argmax(x, axis=1)),
        "cumsum": ([x], T.cumsum(x, axis=1)),
        "take": ([x, i], x[i] * 2),
        "row": ([x, s], x[s] + 1),
        "inc": ([x, i, y], T.inc_subtensor(x[i], y)),
        "set": ([x, y], T.set_subtensor(x[1:, ::2], y)),
        "set_repeated": ([x, i, y], T.set_subtensor(x[i], y)),
        "mask": ([x], x[x > 0]),
        "concat": ([x, y], T.concatenate([x, y], axis=1)),
        "ints": ([n], n // 3 + n % 5),
        "floats": ([x, y], x % y + x // y + T.erfc(x) + T.sigmoid(y) + T.softplus(x)),
        "xent": (
            [x, labels],
            -T.log(T.nnet.softmax(x))[T.arange(labels.shape[0]), labels].mean(),
        ),
        "gemm": ([x, y], T.dot(x, y)),
        "dgemm": ([d], T.dot(d, d)),
        "mlp": (inputs, cost),
    }


@functools.cache
def _source() -> str:
    old = tg.config.floatX
    tg.config.floatX = "float32"
    try:
        return print_cuda(gpu_module(_cases()))
    finally:
        tg.config.floatX = old


@functools.cache
def _compiled(arch: str):
    from tg.runtime.nvrtc import PTXAS_VERBOSE, compile_cuda

    return compile_cuda(_source(), arch, options=[PTXAS_VERBOSE], cache=False)


def _kernel_names(source: str) -> set[str]:
    return set(re.findall(r'extern "C" __global__ void (?:__launch_bounds__\(\d+\) )?(\w+)\(', source))


@pytest.mark.parametrize("arch", ARCHS)
def test_every_kernel_compiles_without_spills(arch: str):
    from tg.runtime.nvrtc import elf_sm, ptxas_resources

    binary = _compiled(arch)
    assert binary.kind == "cubin" and elf_sm(binary.image) == int(arch[3:])
    resources = ptxas_resources(binary.log)
    names = _kernel_names(_source())
    assert names == set(resources), names ^ set(resources)
    assert {"tg_gemm_f32", "tg_gemm_f64"} <= names
    for name, r in resources.items():
        assert r.spills == 0 and r.stack_bytes == 0, (name, r)
        assert r.registers <= 255 and r.shared_bytes <= 48 * 1024, (name, r)


def test_mlp_step_source_compiles_alone():
    """The MLP step's kernels are in the shared program; here its module also goes
    through the compiler by itself (as the runtime would compile it)."""
    from tg.runtime.nvrtc import compile_cuda

    tg.config.floatX, old = "float32", tg.config.floatX
    try:
        inputs, cost, updates = mlp_step()
        f = tg.function(inputs, cost, updates=updates, mode="FAST_COMPILE")
        module = Parser(_ctx(), f.ir("buffers")).parse_module()
        ConvertBuffersToGpu().apply(_ctx(), module)
        source = print_cuda(module)
    finally:
        tg.config.floatX = old
    kernels = _kernel_names(source)
    assert len(kernels) >= 10
    assert compile_cuda(source, "sm_90").image[:4] == b"\x7fELF"


@pytest.mark.sass
@pytest.mark.parametrize("arch", ARCHS)
def test_sass(arch: str):
    from tg.runtime.nvrtc import opcode_histogram

    histograms = opcode_histogram(_compiled(arch).image)

    def ops(name: str) -> dict[str, int]:
        (found,) = [h for k, h in histograms.items() if k.startswith(name)]
        return found

    for name, histogram in histograms.items():  # no local memory anywhere
        assert not [o for o in histogram if o.startswith(("LDL", "STL"))], name
    for name in ("chain_elementwise", "f64_elementwise"):  # 16-byte vector accesses
        h = ops(name)
        assert any(o.startswith("LDG.E.128") for o in h) and any(o.startswith("STG.E.128") for o in h), (name, h)
    bias = ops("bias_elementwise")  # a broadcast read: no vector path
    assert not any(".128" in o for o in bias)
    f32 = ops("tg_gemm_f32")
    assert sum(c for o, c in f32.items() if o.startswith("FFMA")) >= 512
    assert any(o.startswith("LDS") for o in f32)
    f64 = ops("tg_gemm_f64")
    assert sum(c for o, c in f64.items() if o.startswith("DFMA")) >= 128
    softmax = ops("softmax_rows")  # one kernel, two block reductions
    assert sum(c for o, c in softmax.items() if o.startswith("SHFL.BFLY")) >= 20
    assert any(o.startswith("MUFU.EX2") for o in softmax)
    inc = ops("inc_scatter")
    assert any(o.startswith(("RED", "ATOM")) for o in inc)
    claim = ops("set_repeated_scatter_claim")  # the last writer of each row
    assert any(o.startswith(("RED", "ATOM")) and ".MAX.S64" in o for o in claim), claim
    numbering = ops("mask_nonzero_write")  # a block-wide prefix sum
    assert numbering.get("SHFL.UP", 0) == 5 and any(o.startswith("BAR") for o in numbering)


def test_vector_kernels_are_the_flat_ones():
    """A cheap check of the same program without a compiler: which kernels got the
    16-byte path."""
    source = _source()
    assert "reinterpret_cast<const float4*>" in source and "reinterpret_cast<const double2*>" in source
    module_kernels = _kernel_names(source)
    assert any(k.startswith("chain_elementwise") for k in module_kernels)
