"""A native CPython entry point per compiled function: the common call, natively.

`f(a, b)` on a plain single-stage function costs a few hundred nanoseconds instead of
microseconds: a METH_FASTCALL builtin, written here as LLVM IR and JIT-compiled with
llvmlite, checks each argument (exact `numpy.ndarray` of the input's dtype and rank,
C-contiguous and aligned; or a Python float / int for a 0-d float64 / int64 input),
compares the argument sizes with the last sizes the Python path accepted (a one-entry
memo of the shape program's answer), allocates the outputs with numpy's C API, calls the
kernel and returns the results. Anything else (keywords, other counts or types, new
sizes, an error status from the kernel) calls the Python path with the same arguments,
which converts, checks, raises the usual errors and refreshes the memo.

The memo is only kept for functions whose shapes depend on argument sizes alone (no
values), and only when every output is small (large ones come from the memory pool).

The wrapper reads CPython and numpy structures at fixed offsets; it is built only when a
probe at import time confirms those offsets on this interpreter and numpy.
"""

from __future__ import annotations

import ctypes
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tg.runtime.memory_pool import OUTPUT_THRESHOLD

_ARRAY_DATA, _ARRAY_ND, _ARRAY_DIMS, _ARRAY_DESCR, _ARRAY_FLAGS = 16, 24, 32, 56, 64
"""PyArrayObject field offsets (numpy 1.x/2.x on 64-bit CPython)."""
_OB_TYPE, _FLOAT_VALUE = 8, 16
"""PyObject.ob_type and PyFloatObject.ob_fval offsets."""
_CONTIGUOUS_ALIGNED = 0x0001 | 0x0100
"""NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED."""
_PYARRAY_NEW = 93
"""PyArray_New's slot in numpy's C API table."""
_METH_FASTCALL_KEYWORDS = 0x0080 | 0x0002
ENABLED = True
"""Build native entry points (tests turn it off to compare with the Python path)."""


@dataclass(frozen=True)
class Signature:
    """What the entry point expects and produces."""

    inputs: tuple[np.dtype, ...]
    input_ranks: tuple[int, ...]
    outputs: tuple[np.dtype, ...]
    output_ranks: tuple[int, ...]
    single: bool
    """Return the one output itself rather than a list."""


class ShapeMemo:
    """The last argument sizes the Python path accepted and the output shapes it
    computed for them, in a native int64 buffer: [valid, input dims..., output dims...]."""

    def __init__(self, input_ranks: Sequence[int], output_ranks: Sequence[int]):
        self.n_in = sum(input_ranks)
        self.n_out = sum(output_ranks)
        self.buffer = (ctypes.c_int64 * (1 + self.n_in + self.n_out))()
        self.address = ctypes.addressof(self.buffer)
        self.key: tuple[int, ...] | None = None

    def remember(self, in_shapes: Sequence[tuple[int, ...]], out_shapes: Sequence[tuple[int, ...]],
                 out_dtypes: Sequence[np.dtype]) -> None:
        key = tuple(d for s in (*in_shapes, *out_shapes) for d in s)
        if key == self.key:
            return
        small = all(  # larger outputs come from the memory pool, on the Python path
            int(np.prod(s, dtype=np.int64)) * t.itemsize < OUTPUT_THRESHOLD for s, t in zip(out_shapes, out_dtypes))
        if len(key) != self.n_in + self.n_out or not small:
            self.buffer[0], self.key = 0, None
            return
        self.buffer[0] = 0
        self.buffer[1:] = key  # type: ignore[index]
        self.buffer[0], self.key = 1, key


class _PyMethodDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("meth", ctypes.c_void_p), ("flags", ctypes.c_int), ("doc", ctypes.c_char_p)]


class EntryPoint:
    """The builtin and everything its machine code refers to (kept alive by it)."""

    def __init__(self, builtin_factory: Callable[[EntryPoint], Any], keep: tuple[Any, ...]):
        self.keep = keep
        self.builtin = builtin_factory(self)


# --------------------------------------------------------------------- platform


@dataclass(frozen=True)
class _Platform:
    array_type: int
    float_type: int
    long_type: int
    pyarray_new: int
    vectorcall: int
    long_as_long_long: int
    list_new: int
    list_set_item: int
    decref: int


def _probe_layout() -> bool:
    """Whether this interpreter and numpy lay out objects as the IR assumes."""
    if sys.implementation.name != "cpython" or sys.maxsize != 2**63 - 1 or sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    if not (3, 10) <= sys.version_info[:2] <= (3, 13):
        return False
    read_ptr = lambda a, o: ctypes.c_void_p.from_address(id(a) + o).value  # noqa: E731
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    for a in (base, base[:, ::2], base.T, np.empty((), np.int64), np.empty(5, np.int8)[1:]):
        if read_ptr(a, _OB_TYPE) != id(np.ndarray) or read_ptr(a, _ARRAY_DATA) != a.ctypes.data:
            return False
        if ctypes.c_int.from_address(id(a) + _ARRAY_ND).value != a.ndim or read_ptr(a, _ARRAY_DESCR) != id(a.dtype):
            return False
        dims = read_ptr(a, _ARRAY_DIMS)
        if a.ndim and tuple((ctypes.c_int64 * a.ndim).from_address(dims)) != a.shape:
            return False
        flags = ctypes.c_int.from_address(id(a) + _ARRAY_FLAGS).value
        if bool(flags & 1) != a.flags.c_contiguous or bool(flags & 0x100) != a.flags.aligned:
            return False
    x = 1.2345
    if read_ptr(x, _OB_TYPE) != id(float) or ctypes.c_double.from_address(id(x) + _FLOAT_VALUE).value != x:
        return False
    return all(np.empty(2, t).dtype is np.dtype(t) for t in (np.float32, np.float64, np.int64, np.int32, np.bool_))


def _platform() -> _Platform | None:
    if _PLATFORM:
        return _PLATFORM[0]
    found = None
    try:
        if _probe_layout():
            api = ctypes.pythonapi
            capsule = np._core._multiarray_umath._ARRAY_API  # type: ignore[attr-defined]
            api.PyCapsule_GetName.restype = ctypes.c_char_p
            api.PyCapsule_GetName.argtypes = [ctypes.py_object]
            api.PyCapsule_GetPointer.restype = ctypes.c_void_p
            api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
            table = api.PyCapsule_GetPointer(capsule, api.PyCapsule_GetName(capsule))
            if ctypes.c_void_p.from_address(table + 2 * 8).value == id(np.ndarray):  # PyArray_Type
                address = lambda f: ctypes.cast(f, ctypes.c_void_p).value  # noqa: E731
                found = _Platform(
                    id(np.ndarray), id(float), id(int),
                    ctypes.c_void_p.from_address(table + _PYARRAY_NEW * 8).value or 0,
                    address(api.PyObject_Vectorcall), address(api.PyLong_AsLongLongAndOverflow),
                    address(api.PyList_New), address(api.PyList_SetItem), address(api.Py_DecRef),
                )
    except (AttributeError, ImportError, OSError, ValueError):
        found = None
    _PLATFORM.append(found)
    return found


_PLATFORM: list[_Platform | None] = []


# ----------------------------------------------------------------------- the IR


def _ir(sig: Signature, p: _Platform, kernel: int, memo: int, fallback: int, trust: bool) -> str:
    """The entry point `ptr @entry(ptr self, ptr args, i64 nargsf, ptr kwnames)`."""
    c = lambda v: f"inttoptr (i64 {v} to ptr)"  # noqa: E731
    body: list[str] = []
    emit = body.append
    n = len(sig.inputs)
    emit(f"  %nargs = and i64 %nargsf, {2**63 - 1}")
    emit(f"  %count_ok = icmp eq i64 %nargs, {n}")
    emit("  %no_kw = icmp eq ptr %kwnames, null")
    emit("  %plain = and i1 %count_ok, %no_kw")
    emit("  %valid = load i64, ptr " + c(memo))
    emit("  %known = icmp ne i64 %valid, 0")
    emit("  %go = and i1 %plain, %known")
    emit(f"  br i1 %go, label %{'arg0' if n else 'outputs'}, label %fallback")
    kernel_args: list[str] = []
    dim_slot = 1
    for i, (dtype, rank) in enumerate(zip(sig.inputs, sig.input_ranks)):
        emit(f"arg{i}:")
        emit(f"  %a{i}.slot = getelementptr ptr, ptr %args, i64 {i}")
        emit(f"  %a{i} = load ptr, ptr %a{i}.slot")
        emit(f"  %a{i}.tp.at = getelementptr i8, ptr %a{i}, i64 {_OB_TYPE}")
        emit(f"  %a{i}.tp = load ptr, ptr %a{i}.tp.at")
        scalar = rank == 0 and dtype in (np.dtype(np.float64), np.dtype(np.int64))
        if scalar:
            pytype = p.float_type if dtype == np.float64 else p.long_type
            emit(f"  %a{i}.isnum = icmp eq ptr %a{i}.tp, {c(pytype)}")
            emit(f"  br i1 %a{i}.isnum, label %num{i}, label %array{i}")
            emit(f"num{i}:")
            if dtype == np.float64:
                emit(f"  %n{i}.at = getelementptr i8, ptr %a{i}, i64 {_FLOAT_VALUE}")
                emit(f"  %n{i} = load double, ptr %n{i}.at")
                emit(f"  store double %n{i}, ptr %box{i}")
                emit(f"  br label %got{i}")
            else:
                emit(f"  %n{i} = call i64 {c(p.long_as_long_long)}(ptr %a{i}, ptr %overflow)")
                emit(f"  store i64 %n{i}, ptr %box{i}")
                emit(f"  %ovf{i} = load i32, ptr %overflow")
                emit(f"  %ovf{i}.ok = icmp eq i32 %ovf{i}, 0")
                emit(f"  br i1 %ovf{i}.ok, label %got{i}, label %fallback")
        else:
            emit(f"  br label %array{i}")
        emit(f"array{i}:")
        emit(f"  %a{i}.isarr = icmp eq ptr %a{i}.tp, {c(p.array_type)}")
        emit(f"  br i1 %a{i}.isarr, label %array{i}.t, label %fallback")
        emit(f"array{i}.t:")
        if not trust:  # trusted: the dtype, rank and layout of arrays are the caller's word
            emit(f"  %a{i}.descr.at = getelementptr i8, ptr %a{i}, i64 {_ARRAY_DESCR}")
            emit(f"  %a{i}.descr = load ptr, ptr %a{i}.descr.at")
            emit(f"  %a{i}.dt = icmp eq ptr %a{i}.descr, {c(id(dtype))}")
            emit(f"  %a{i}.nd.at = getelementptr i8, ptr %a{i}, i64 {_ARRAY_ND}")
            emit(f"  %a{i}.nd = load i32, ptr %a{i}.nd.at")
            emit(f"  %a{i}.ndok = icmp eq i32 %a{i}.nd, {rank}")
            emit(f"  %a{i}.fl.at = getelementptr i8, ptr %a{i}, i64 {_ARRAY_FLAGS}")
            emit(f"  %a{i}.fl = load i32, ptr %a{i}.fl.at")
            emit(f"  %a{i}.flm = and i32 %a{i}.fl, {_CONTIGUOUS_ALIGNED}")
            emit(f"  %a{i}.flok = icmp eq i32 %a{i}.flm, {_CONTIGUOUS_ALIGNED}")
            emit(f"  %a{i}.ok1 = and i1 %a{i}.dt, %a{i}.ndok")
            emit(f"  %a{i}.ok = and i1 %a{i}.ok1, %a{i}.flok")
            emit(f"  br i1 %a{i}.ok, label %array{i}.ok, label %fallback")
            emit(f"array{i}.ok:")
        emit(f"  %a{i}.data.at = getelementptr i8, ptr %a{i}, i64 {_ARRAY_DATA}")
        emit(f"  %a{i}.data = load ptr, ptr %a{i}.data.at")
        ok = "true"
        if rank:
            emit(f"  %a{i}.dims.at = getelementptr i8, ptr %a{i}, i64 {_ARRAY_DIMS}")
            emit(f"  %a{i}.dims = load ptr, ptr %a{i}.dims.at")
        for d in range(rank):
            emit(f"  %a{i}.d{d}.at = getelementptr i64, ptr %a{i}.dims, i64 {d}")
            emit(f"  %a{i}.d{d} = load i64, ptr %a{i}.d{d}.at")
            emit(f"  %a{i}.m{d}.at = getelementptr i64, ptr {c(memo)}, i64 {dim_slot}")
            emit(f"  %a{i}.m{d} = load i64, ptr %a{i}.m{d}.at")
            emit(f"  %a{i}.e{d} = icmp eq i64 %a{i}.d{d}, %a{i}.m{d}")
            emit(f"  %a{i}.s{d} = and i1 {ok}, %a{i}.e{d}")
            ok = f"%a{i}.s{d}"
            dim_slot += 1
        emit(f"  br i1 {ok}, label %got{i}, label %fallback")
        checked = _last_block(body)
        emit(f"got{i}:")
        if scalar:
            emit(f"  %p{i} = phi ptr [ %box{i}, %num{i} ], [ %a{i}.data, %{checked} ]")
        else:
            emit(f"  %p{i} = phi ptr [ %a{i}.data, %{checked} ]")
        kernel_args.append(f"ptr %p{i}")
        kernel_args += [f"i64 %a{i}.d{d}" for d in range(rank)]
        emit(f"  br label %{'arg' + str(i + 1) if i + 1 < n else 'outputs'}")
    emit("outputs:")
    made: list[str] = []
    for k, (dtype, rank) in enumerate(zip(sig.outputs, sig.output_ranks)):
        first = dim_slot
        emit(f"  %o{k}.dims = getelementptr i64, ptr {c(memo)}, i64 {first}")
        emit(
            f"  %o{k} = call ptr {c(p.pyarray_new)}(ptr {c(p.array_type)}, i32 {rank}, ptr %o{k}.dims, "
            f"i32 {dtype.num}, ptr null, ptr null, i32 0, i32 0, ptr null)"
        )
        emit(f"  %o{k}.null = icmp eq ptr %o{k}, null")
        emit(f"  br i1 %o{k}.null, label %nomem{k}, label %made{k}")
        emit(f"nomem{k}:")
        for m in made:
            emit(f"  call void {c(p.decref)}(ptr {m})")
        emit("  ret ptr null")
        emit(f"made{k}:")
        made.append(f"%o{k}")
        emit(f"  %o{k}.data.at = getelementptr i8, ptr %o{k}, i64 {_ARRAY_DATA}")
        emit(f"  %o{k}.data = load ptr, ptr %o{k}.data.at")
        kernel_args.append(f"ptr %o{k}.data")
        for d in range(rank):
            emit(f"  %o{k}.d{d}.at = getelementptr i64, ptr {c(memo)}, i64 {first + d}")
            emit(f"  %o{k}.d{d} = load i64, ptr %o{k}.d{d}.at")
            kernel_args.append(f"i64 %o{k}.d{d}")
        dim_slot += rank
    emit("  store i32 0, ptr %status")
    kernel_args.append("ptr %status")
    emit(f"  call void {c(kernel)}({', '.join(kernel_args)})")
    emit("  %st = load i32, ptr %status")
    emit("  %st.ok = icmp eq i32 %st, 0")
    emit("  br i1 %st.ok, label %result, label %failed")
    emit("failed:")
    for m in made:
        emit(f"  call void {c(p.decref)}(ptr {m})")
    emit("  br label %fallback")
    emit("result:")
    if sig.single:
        emit("  ret ptr %o0")
    else:
        emit(f"  %list = call ptr {c(p.list_new)}(i64 {len(made)})")
        emit("  %list.null = icmp eq ptr %list, null")
        emit("  br i1 %list.null, label %failed.list, label %fill")
        emit("failed.list:")
        for m in made:
            emit(f"  call void {c(p.decref)}(ptr {m})")
        emit("  ret ptr null")
        emit("fill:")
        for k, m in enumerate(made):
            emit(f"  %set{k} = call i32 {c(p.list_set_item)}(ptr %list, i64 {k}, ptr {m})")
        emit("  ret ptr %list")
    emit("fallback:")
    emit(f"  %slow = call ptr {c(p.vectorcall)}(ptr {c(fallback)}, ptr %args, i64 %nargsf, ptr %kwnames)")
    emit("  ret ptr %slow")
    boxes = [
        f"  %box{i} = alloca {'double' if t == np.float64 else 'i64'}"
        for i, (t, r) in enumerate(zip(sig.inputs, sig.input_ranks))
        if r == 0 and t in (np.dtype(np.float64), np.dtype(np.int64))
    ]
    head = ["define ptr @entry(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {", "entry:",
            "  %status = alloca i32", "  %overflow = alloca i32", *boxes]
    return "\n".join([*head, *body, "}", ""])


def _last_block(body: list[str]) -> str:
    """The label of the block being emitted."""
    for line in reversed(body):
        if line.endswith(":") and not line.startswith(" "):
            return line[:-1]
    return "entry"


# -------------------------------------------------------------------- building


def build_entry_point(sig: Signature, kernel_address: int, memo: ShapeMemo, fallback: Callable[..., Any],
                      trust: bool = False) -> EntryPoint | None:
    """The native entry point for a signature, or None where it cannot be built here."""
    p = _platform()
    if p is None or not p.pyarray_new:
        return None
    if any(t.kind not in "biuf" for t in (*sig.inputs, *sig.outputs)) or (sig.single and len(sig.outputs) != 1):
        return None
    import llvmlite.binding as llvm
    from tg.lowering.jit import target_machine

    text = _ir(sig, p, kernel_address, memo.address, id(fallback), trust)
    module = llvm.parse_assembly(text)
    module.verify()
    tm = target_machine(1)
    pto = llvm.create_pipeline_tuning_options(speed_level=1)
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)
    engine = llvm.create_mcjit_compiler(module, tm)
    engine.finalize_object()
    definition = _PyMethodDef(b"tg_function", engine.get_function_address("entry"), _METH_FASTCALL_KEYWORDS, None)

    def make(holder: EntryPoint) -> Any:
        new = ctypes.pythonapi.PyCFunction_NewEx
        new.restype = ctypes.py_object
        new.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.c_void_p]
        return new(ctypes.addressof(definition), holder, None)  # the builtin holds `holder`

    return EntryPoint(make, (engine, module, definition, memo, fallback, text))
