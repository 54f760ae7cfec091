"""NVRTC without a GPU: CUBINs for the asked arch, errors with their log, the disk
cache, the PTX ISA rule, the arch/version policy, ptxas's report and SASS."""

from __future__ import annotations

import pytest
from tg.runtime import nvrtc
from tg.runtime.cuda_device import CudaUnavailable

SAXPY = """
extern "C" __global__ void saxpy(const float* __restrict__ x, float* __restrict__ y, float a, long long n)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = fmaf(a, x[i], y[i]);
}
"""

VEC4 = """
extern "C" __global__ void scale4(const float4* __restrict__ x, float4* __restrict__ y, long long n4)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n4) { float4 v = x[i]; v.x *= 3.f; v.y *= 3.f; v.z *= 3.f; v.w *= 3.f; y[i] = v; }
}
"""


@pytest.mark.nvrtc
@pytest.mark.parametrize("arch, sm", [("sm_80", 80), ("sm_90", 90)])
def test_cubin_is_a_cuda_elf_for_the_arch(arch: str, sm: int) -> None:
    binary = nvrtc.compile_cuda(SAXPY, arch, cache=False)
    assert binary.kind == "cubin" and binary.arch == arch
    assert binary.image[:4] == b"\x7fELF"
    assert int.from_bytes(binary.image[18:20], "little") == nvrtc.EM_CUDA
    assert nvrtc.elf_sm(binary.image) == sm
    assert b"saxpy\0" in binary.image


@pytest.mark.nvrtc
def test_errors_carry_the_log() -> None:
    with pytest.raises(nvrtc.NvrtcError) as caught:
        nvrtc.compile_cuda('extern "C" __global__ void k() { undefined_name = 1; }', "sm_90", cache=False)
    assert isinstance(caught.value, ValueError)
    assert 'identifier "undefined_name" is undefined' in caught.value.log
    assert "undefined_name" in str(caught.value)


@pytest.mark.nvrtc
def test_bad_arch_is_refused() -> None:
    with pytest.raises(ValueError, match="sm_90 or compute_90"):
        nvrtc.compile_cuda(SAXPY, "90")


@pytest.mark.nvrtc
def test_ptx_version_is_nine_dot_nvrtc_minor() -> None:
    binary = nvrtc.compile_cuda(SAXPY, "compute_90", cache=False)
    assert binary.kind == "ptx" and binary.image.endswith(b"\0") and not binary.image.endswith(b"\0\0")
    major, minor = nvrtc.nvrtc_version()
    assert major == 13
    assert nvrtc.ptx_version(binary.image) == (9, minor) == nvrtc.ptx_isa_version((major, minor))
    assert ".entry saxpy" in binary.image.decode()


@pytest.mark.nvrtc
def test_supported_archs_include_ampere_and_hopper() -> None:
    assert {80, 90} <= set(nvrtc.supported_archs())


@pytest.mark.nvrtc
def test_cache_hit_and_corruption(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tg

    monkeypatch.setattr(tg.config, "cache_dir", str(tmp_path))
    calls: list[str] = []
    real = nvrtc._compile

    def counting(source: str, arch: str, options):  # type: ignore[no-untyped-def]
        calls.append(arch)
        return real(source, arch, options)

    monkeypatch.setattr(nvrtc, "_compile", counting)
    first = nvrtc.compile_cuda(SAXPY, "sm_90", options=[nvrtc.PTXAS_VERBOSE])
    entries = list((tmp_path / "cuda").glob("*.cubin"))
    assert len(entries) == 1 and calls == ["sm_90"]
    assert nvrtc.compile_cuda(SAXPY, "sm_90", options=[nvrtc.PTXAS_VERBOSE]) == first
    assert calls == ["sm_90"]  # a hit
    nvrtc.compile_cuda(SAXPY, "sm_80", options=[nvrtc.PTXAS_VERBOSE])
    nvrtc.compile_cuda(SAXPY, "sm_90")  # other options: another entry
    assert calls == ["sm_90", "sm_80", "sm_90"] and len(list((tmp_path / "cuda").glob("*.cubin"))) == 3

    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # torn write
    assert nvrtc.compile_cuda(SAXPY, "sm_90", options=[nvrtc.PTXAS_VERBOSE]).image == first.image
    assert calls[-1] == "sm_90" and len(calls) == 4
    flipped = bytearray(entries[0].read_bytes())
    flipped[-10] ^= 0xFF  # one corrupt byte in the image
    entries[0].write_bytes(bytes(flipped))
    assert nvrtc.compile_cuda(SAXPY, "sm_90", options=[nvrtc.PTXAS_VERBOSE]).image == first.image
    assert len(calls) == 5
    assert not list((tmp_path / "cuda").glob(".*.tmp"))  # no temporary left behind


@pytest.mark.nvrtc
def test_cache_off(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tg

    monkeypatch.setattr(tg.config, "cache_dir", "none")
    assert nvrtc.cuda_cache_dir() is None
    assert nvrtc.compile_cuda(SAXPY, "sm_90").kind == "cubin"


def test_choose_target_policy() -> None:
    supported = (75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121)
    assert nvrtc.choose_target((9, 0), (13, 5), 13000, supported) == ("sm_90", "cubin")
    assert nvrtc.choose_target((8, 0), (13, 0), 13000, supported) == ("sm_80", "cubin")
    # a device NVRTC does not know: PTX of the newest older arch, if the driver takes its ISA
    assert nvrtc.choose_target((13, 0), (13, 0), 13020, supported) == ("compute_121", "ptx")
    with pytest.raises(CudaUnavailable, match="too new for the driver"):
        nvrtc.choose_target((13, 0), (13, 5), 13000, supported)
    with pytest.raises(CudaUnavailable, match="newer than the driver"):
        nvrtc.choose_target((9, 0), (14, 0), 13000, supported)
    with pytest.raises(CudaUnavailable, match="unknown to NVRTC"):
        nvrtc.choose_target((6, 0), (13, 0), 13000, supported)


def test_ptxas_log_parser() -> None:
    log = """ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'gemm' for 'sm_90'
ptxas info    : Function properties for gemm
ptxas         .     16 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 127 registers, used 1 barriers, 8320 bytes smem, 400 bytes cmem[0]
ptxas info    : Compile time = 12.0 ms
ptxas info    : Compiling entry function 'ew' for 'sm_90'
ptxas info    : Function properties for ew
ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers
"""
    found = nvrtc.ptxas_resources(log)
    assert found["gemm"] == nvrtc.KernelResources(127, 1, 8320, 400, 16, 8, 4)
    assert found["gemm"].spills == 12
    assert found["ew"] == nvrtc.KernelResources(registers=12)


@pytest.mark.nvrtc
def test_ptxas_report_of_a_real_compile() -> None:
    binary = nvrtc.compile_cuda(SAXPY + VEC4, "sm_90", options=[nvrtc.PTXAS_VERBOSE], cache=False)
    found = nvrtc.ptxas_resources(binary.log)
    assert set(found) == {"saxpy", "scale4"}
    assert all(0 < r.registers <= 32 and r.spills == 0 and r.shared_bytes == 0 for r in found.values())


@pytest.mark.sass
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_opcode_histogram(arch: str) -> None:
    binary = nvrtc.compile_cuda(SAXPY + VEC4, arch)
    histogram = nvrtc.opcode_histogram(binary.image)
    assert set(histogram) == {"saxpy", "scale4"}
    assert histogram["saxpy"]["FFMA"] == 1
    assert histogram["saxpy"]["LDG.E.CONSTANT"] == 1  # const __restrict__: the read-only path
    assert histogram["scale4"]["LDG.E.128.CONSTANT"] == 1 and histogram["scale4"]["STG.E.128"] == 1
    assert histogram["scale4"]["FMUL"] == 4
    for kernel in histogram.values():
        assert not {"LDL", "STL"} & {op.split(".")[0] for op in kernel}  # no local memory


def test_elf_sm_refuses_other_images() -> None:
    with pytest.raises(ValueError):
        nvrtc.elf_sm(b"// PTX\n.version 9.0\n")
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[18] = 62  # x86-64
    with pytest.raises(ValueError, match="not CUDA"):
        nvrtc.elf_sm(bytes(header))
