"""The callable of a `device=cuda` function, and ahead-of-time CUDA compiles.

A call checks its arguments as the CPU's `Function` does, copies host inputs to the
device once, takes CUDA tensors (anything speaking DLPack on the function's device)
where they are, runs each stage's launch plan on the device's stream, reads one
status word at the end (generated code's errors raise the CPU path's exceptions),
and copies the outputs back once, or hands them out as device arrays. Shared
variables live on the device between calls (`DeviceCopy`); a failed call changes
none of them.

`compile_cuda(inputs, outputs, arch="sm_90")` compiles the same way for a named
architecture with no GPU or driver at all: the CUDA source, the CUBIN and the launch
plan, for tests and for inspection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from tg.device import DeviceSpec
from tg.dialects import tg
from tg.dialects.interpreter import find_function
from tg.runtime.arguments import InputSpec, convert_input
from tg.runtime.function import Function
from tg.runtime.shapes import ShapeProgram
from tg.runtime.stage import Stage, StageCode, buffers_level, code_records
from tg.runtime.staging import plan_stages
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

if TYPE_CHECKING:
    from tg.mode import Mode
    from tg.runtime.cuda_device import CudaDevice
    from tg.runtime.cuda_driver import DeviceArray

_ARCH = re.compile(r"sm_\d{2,3}a?")
_DL_CUDA_TYPES = (2, 13)
"""DLPack device types of CUDA memory: kDLCUDA, kDLCUDAManaged."""


# ------------------------------------------------------------------ compiling


@dataclass
class CudaStageCode(StageCode):
    """One stage compiled for a CUDA device (or ahead of time for an arch)."""

    gpu_module: ModuleOp | None = None
    """The stage at the `gpu` level: kernels and the host launch plan."""
    source: str = ""
    """The CUDA C source NVRTC compiled."""
    binary: Any = None
    """The `CudaBinary` NVRTC produced (CUBIN image, arch, log)."""
    plan: Any = None
    """The `LaunchPlan`: allocations, launches and GEMMs of the host function, as data."""
    program: Any = None
    """The stage loaded on its device (`GpuStageCode`); None when compiled ahead of time."""


def require_device(target: DeviceSpec) -> CudaDevice | None:
    """The device a CUDA function runs on, or CudaUnavailable saying what is missing
    (the package, the driver or the device); None for an ahead-of-time compile."""
    if target.arch is not None:
        if not _ARCH.fullmatch(target.arch):
            raise ValueError(f"arch must look like sm_90 (or sm_90a), got {target.arch!r}")
        return None
    from tg.runtime.cuda_device import get_device

    return get_device(target.ordinal)


def compile_gpu(
    module: ModuleOp, labels: list[str], chosen: Mode, target: DeviceSpec, profile: dict[str, float] | None = None
) -> tuple[ModuleOp, list[Stage]]:
    """The optimized module and the CUDA stages of a graph-level module."""
    from tg.function import _timed
    from tg.pipeline import lower

    module.verify()
    with _timed(profile, "optimized"):
        optimized = lower(module.clone(), "graph", "optimized", chosen.excluded)
    stages = plan_stages(find_function(optimized), labels, lambda fn: compile_stage(fn, target, profile))
    return optimized, stages


def compile_stage(function: func.FuncOp, target: DeviceSpec, profile: dict[str, float] | None = None) -> CudaStageCode:
    """An optimized tg function down to the gpu level, printed as CUDA C and
    compiled with NVRTC for the device's arch (or the ahead-of-time one)."""
    from tg.function import _timed
    from tg.lowering.cuda_printer import print_cuda
    from tg.pipeline import lower
    from tg.runtime.gpu_plan import build_plan
    from tg.runtime.gpu_stage import GpuStageCode
    from tg.runtime.nvrtc import compile_cuda

    buffers, count, peak = buffers_level(function, profile)
    with _timed(profile, "gpu"):
        gpu = lower(buffers, "buffers", "gpu", device="cuda")
    errors, inplace = code_records(find_function(gpu))
    with _timed(profile, "cuda"):
        source = print_cuda(gpu)
    device = require_device(target)
    code = CudaStageCode(None, errors, inplace, count, peak, gpu, source)
    with _timed(profile, "nvrtc"):
        if device is None:
            code.binary, code.plan = compile_cuda(source, target.arch), build_plan(gpu)  # type: ignore[arg-type]
        else:
            code.program = GpuStageCode(gpu, device, source=source)
            code.binary, code.plan = code.program.binary, code.program.plan
    return code


def compile_cuda(
    inputs: Sequence[Any], outputs: Any = None, *, arch: str = "sm_90", **kwargs: Any
) -> GpuFunction:
    """Compile for CUDA architecture `arch` ahead of time: no GPU, driver or device
    is needed, and the result cannot be called. It has the CUDA source
    (`cuda_source`), the CUBIN (`cubin`), the launch plan (`launch_plan`) and the
    stages (`ir("gpu")`, `ir("cuda")`, ...). Takes `tg.function`'s arguments."""
    from tg.function import function

    if "device" in kwargs:
        raise TypeError("compile_cuda compiles for an arch, not a device: pass arch='sm_XY'")
    return function(inputs, outputs, device=DeviceSpec("cuda", 0, arch), **kwargs)  # type: ignore[return-value]


# ------------------------------------------------------------------ memory


@dataclass
class DeviceCopy:
    """A shared variable's value on a device (`SharedVariable.device_copy`). `newer`:
    a CUDA function updated it since the host value was last fetched."""

    array: DeviceArray
    ordinal: int
    newer: bool = False

    def fetch(self) -> np.ndarray:
        """The value copied to the host; both copies agree from now on."""
        device = _device(self.ordinal)
        device.make_current()
        value = self.array.get(device.stream)
        self.newer = False
        return value

    def duplicate(self) -> DeviceArray:
        """A copy of the value on the same device."""
        device = _device(self.ordinal)
        device.make_current()
        return _copy(self.array, device.pool, device)


def _device(ordinal: int) -> CudaDevice:
    from tg.runtime.cuda_device import get_device

    return get_device(ordinal)


def is_cuda_array(value: Any) -> bool:
    """Whether `value` is device memory to take as it is (a DeviceArray, or a
    DLPack producer on a CUDA device such as a torch or CuPy tensor)."""
    probe = getattr(value, "__dlpack_device__", None)
    if probe is None or isinstance(value, np.ndarray | np.generic):
        return False
    try:
        return int(probe()[0]) in _DL_CUDA_TYPES
    except Exception:  # noqa: BLE001 - a producer that cannot say is not ours to take
        return False


@dataclass
class _Argument:
    """One stage argument: on the device, and on the host when it came from there
    (or its values were fetched for a shape computation)."""

    device: DeviceArray
    host: np.ndarray | None = None
    lent: bool = False
    """The caller's own device memory (a CUDA tensor), which may alias other arguments."""

    def shape_value(self, needs_value: bool, stream: Any) -> Any:
        """What the shape program gets: the host array when there is one or its values
        are needed (fetched then), else the device array (its shape is enough)."""
        if needs_value and self.host is None:
            self.host = self.device.get(stream)
        return self.host if self.host is not None else self.device


# ------------------------------------------------------------------ calling


class GpuFunction(Function):
    """A function compiled for a CUDA device. Takes numpy arrays, Python values and
    CUDA tensors; returns numpy arrays, or device arrays (DLPack-capable) when
    `return_device_arrays` is set."""

    def __init__(self, *, target: DeviceSpec, **kwargs: Any) -> None:
        self.target = target
        self.return_device_arrays = False
        """Outputs as `DeviceArray`s on the device (torch.from_dlpack, cupy.from_dlpack
        take them without copies) rather than numpy arrays."""
        super().__init__(**kwargs)
        self._device = require_device(target)
        self._value_arguments = [_value_arguments(s.shapes, len(s.sources)) for s in self._stages]
        self._backed_up = [_backed_up(s.code) for s in self._stages]  # type: ignore[arg-type]

    # -------------------------------------------------------------- inspection

    @property
    def cuda_stages(self) -> list[CudaStageCode]:
        """Each stage's compiled code: `gpu_module`, `source`, `binary`, `plan`."""
        return [s.code for s in self._stages]  # type: ignore[misc]

    @property
    def cuda_source(self) -> str:
        """The CUDA C source of every stage."""
        return "\n".join(code.source for code in self.cuda_stages)

    @property
    def cubin(self) -> bytes:
        """The CUBIN of a one-stage function (see `cuda_stages` for several)."""
        return self._only_stage().binary.image

    @property
    def launch_plan(self) -> Any:
        """The launch plan of a one-stage function (see `cuda_stages` for several)."""
        return self._only_stage().plan

    def _only_stage(self) -> CudaStageCode:
        stages = self.cuda_stages
        if len(stages) != 1:
            raise ValueError(f"{self._label()} runs in {len(stages)} stages: see cuda_stages")
        return stages[0]

    def _derive(self, stage: str) -> str:
        from tg.lowering.cuda_printer import print_cuda
        from tg.pipeline import CUDA_STAGES, CUDA_TEXT_STAGES, lower

        if stage in CUDA_TEXT_STAGES:
            return print_cuda(lower(self._graph.clone(), "graph", "gpu", self._excluded, device="cuda"))
        if stage not in CUDA_STAGES:
            raise ValueError(f"unknown stage {stage!r} of a CUDA function; stages are {', '.join([*CUDA_STAGES, *CUDA_TEXT_STAGES])}")
        return str(lower(self._graph.clone(), "graph", stage, self._excluded, device="cuda"))

    # -------------------------------------------------------------- calling

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        device = self._device
        if device is None:
            from tg.runtime.cuda_device import CudaUnavailable

            raise CudaUnavailable(
                f"{self._label()} was compiled ahead of time for {self.target.arch} and cannot run; "
                f"compile it with device='cuda' to run it"
            )
        device.make_current()
        pool = device.pool  # inputs, outputs and updated values: cuMemAlloc/cuMemFree would synchronize
        values = self._bind(args, kwargs)
        arguments = [self._input(v, s, device, pool) for v, s in zip(values, self._specs)]
        arguments += [_Argument(self._shared_on_device(v, device, pool)) for v in self._shared]
        results = self._run(arguments, device, pool)
        for variable, value in zip(self._updated, results[self._n_outputs :]):
            variable.device_copy = DeviceCopy(value, device.ordinal, newer=True)
        outputs: list[Any] = results[: self._n_outputs]
        if not self.return_device_arrays:
            outputs = [r.get(device.stream) for r in outputs]
        if self._single:
            return outputs[0]
        return outputs

    __call__ = _call

    def _input(self, value: Any, spec: InputSpec, device: CudaDevice, pool: Any) -> _Argument:
        """A host value converted as on the CPU and copied to the device, or a CUDA
        tensor taken where it is (it must already have the input's dtype)."""
        from tg.runtime.cuda_driver import DeviceArray

        if type(value) is DeviceArray or (type(value) is not np.ndarray and is_cuda_array(value)):
            array = DeviceArray.from_dlpack(value)
            _check_device_input(array, spec, device)
            return _Argument(array, lent=True)
        host = convert_input(value, spec)
        return _Argument(DeviceArray.from_host(host, pool, device.stream), host)

    @staticmethod
    def _shared_on_device(variable: Any, device: CudaDevice, pool: Any) -> DeviceArray:
        """The variable's device copy on `device`, uploaded when the host's is newer."""
        from tg.runtime.cuda_driver import DeviceArray

        copy = variable.device_copy
        if copy is not None and copy.ordinal == device.ordinal:
            return copy.array
        host = variable.container  # fetched first when another device's copy is newer
        device.make_current()
        array = DeviceArray.from_host(host, pool, device.stream)
        variable.device_copy = DeviceCopy(array, device.ordinal)
        return array

    def _run(self, arguments: list[_Argument], device: CudaDevice, pool: Any) -> list[DeviceArray]:
        stages = self._stages
        if len(stages) == 1:
            return self._run_stage(0, arguments, device, pool)
        outputs: list[list[DeviceArray]] = []
        for n, stage in enumerate(stages):
            args = [arguments[i] if s < 0 else _Argument(outputs[s][i]) for s, i in stage.sources]
            outputs.append(self._run_stage(n, args, device, pool))
        return outputs[-1]

    def _run_stage(self, n: int, arguments: list[_Argument], device: CudaDevice, pool: Any) -> list[DeviceArray]:
        """Shapes on the host, outputs allocated, the plan run, status checked."""
        from tg.runtime.cuda_driver import DeviceArray

        stage = self._stages[n]
        code: CudaStageCode = stage.code  # type: ignore[assignment]
        needs = self._value_arguments[n]
        out_shapes = stage.shapes.run([a.shape_value(i in needs, device.stream) for i, a in enumerate(arguments)])
        device_args = [a.device for a in arguments]
        lent = [i for i, a in enumerate(arguments) if a.lent]
        if code.inplace and lent:
            device_args = _unshare(device_args, set(code.inplace.values()), lent, pool, device)
        backups = {j: _copy(device_args[j], pool, device) for j in self._backed_up[n]}
        results = [
            DeviceArray.empty(s, d, pool) for k, (s, d) in enumerate(zip(out_shapes, stage.result_dtypes)) if k not in code.inplace
        ]
        try:
            code.program([*device_args, *results])  # raises the error a kernel reported
        except BaseException:
            self._restore(stage, backups)
            raise
        for k in sorted(code.inplace):
            results.insert(k, device_args[code.inplace[k]])
        return results

    def _restore(self, stage: Stage, backups: dict[int, DeviceArray]) -> None:
        """After a failed call: shared variables written in place get their old values."""
        for j, backup in backups.items():
            source, index = stage.sources[j]
            if source < 0 and index >= len(self._specs):
                variable = self._shared[index - len(self._specs)]
                copy = variable.device_copy
                variable.device_copy = DeviceCopy(backup, copy.ordinal, copy.newer)


def _value_arguments(shapes: ShapeProgram, count: int) -> set[int]:
    """The arguments whose values (not only sizes) the shape program reads."""
    wanted = {i for slots in shapes.value_slots for i in slots}
    for op, operands, index in shapes.steps:
        if index in shapes.evaluate and not isinstance(op, tg.DimOp):
            wanted.update(operands)
    return {i for i in wanted if i < count}


def _backed_up(code: CudaStageCode) -> set[int]:
    """The arguments a stage writes in place where a failed check cannot stop it: a
    kernel after a check that may fail does nothing once the status is set, but a
    GEMM (cuBLAS) or a copy into the storage runs regardless. Their old values are
    copied before each call, and restored if it fails."""
    from tg.runtime.gpu_plan import Copy, Gemm

    if not code.errors or not code.inplace or code.plan is None:
        return set()
    position = {a.slot: i for i, a in enumerate(code.plan.arguments)}
    written = {s.c for s in code.plan.steps if isinstance(s, Gemm)} | {s.target for s in code.plan.steps if isinstance(s, Copy)}
    return {position[slot] for slot in written if slot in position} & set(code.inplace.values())


def _check_device_input(array: DeviceArray, spec: InputSpec, device: CudaDevice) -> None:
    """A CUDA tensor input: on the function's device, of the input's dtype, rank and
    declared sizes, C-contiguous (nothing is converted or copied on the device)."""
    if array.buffer.device != device.ordinal:
        raise ValueError(f"{spec.label} is on cuda{array.buffer.device} but the function runs on cuda{device.ordinal}")
    if array.dtype != spec.dtype:
        raise TypeError(
            f"{spec.label} expects a {spec.describe()}, got a {array.dtype} CUDA tensor; cast it on the device "
            f"(device inputs are not converted)"
        )
    if array.ndim != spec.ndim:
        raise TypeError(f"{spec.label} expects a {spec.describe()}, got a CUDA tensor of shape {array.shape}")
    for axis, (declared, size) in enumerate(zip(spec.shape, array.shape)):
        if declared is not None and declared != size:
            kind = "broadcastable (size 1)" if declared == 1 else f"of size {declared}"
            raise ValueError(f"{spec.label}: dimension {axis} is declared {kind} but the value has shape {array.shape}")
    if not array.is_contiguous:
        raise ValueError(f"{spec.label}: a CUDA tensor input must be C-contiguous (call .contiguous() first)")


def _overlaps(a: DeviceArray, b: DeviceArray) -> bool:
    a_end, b_end = a.ptr + a.buffer.nbytes, b.ptr + b.buffer.nbytes  # a view's buffer covers its extent
    return a.ptr < b_end and b.ptr < a_end and a.buffer.nbytes > 0 and b.buffer.nbytes > 0


def _copy(array: DeviceArray, pool: Any, device: CudaDevice) -> DeviceArray:
    """A device-to-device copy."""
    from tg.runtime.cuda_driver import DeviceArray

    result = DeviceArray.empty(array.shape, array.dtype, pool)
    result.buffer.copy_from_device(array.ptr, array.nbytes, device.stream)
    return result


def _unshare(
    arguments: list[DeviceArray], written: set[int], lent: list[int], pool: Any, device: CudaDevice
) -> list[DeviceArray]:
    """Arguments written in place copied first when they overlap one of the caller's
    device arrays (tg's own buffers never overlap each other)."""
    arguments = list(arguments)
    for j in written:
        if any(i != j and _overlaps(arguments[i], arguments[j]) for i in lent):
            arguments[j] = _copy(arguments[j], pool, device)
    return arguments


__all__ = ["CudaStageCode", "DeviceCopy", "GpuFunction", "compile_cuda", "compile_gpu", "is_cuda_array", "require_device"]

