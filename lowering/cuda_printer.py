"""CUDA C++ source from the gpu level: `print_cuda(module) -> str`.

Prints every `gpu.module` of the module: `memref.global` constants as `__device__
const` arrays and each kernel `gpu.func` as an `extern "C" __global__` function with
`__launch_bounds__`, memref parameters as `T* __restrict__` (`const` when the kernel
only reads them) and index parameters as `long long`. Each op is printed by the
function registered for its class in `PRINTERS`; an op without one is a
CudaPrintError naming it. SSA values become `const` locals (constants are inlined),
loop-carried values and `scf.if` results mutable ones.

    python -m tg.lowering.cuda_printer [file.mlir]   # gpu-level IR in, CUDA out
"""

from __future__ import annotations

import math as pymath
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from tg.dialects import tg_gpu
from tg.lowering.gpu_arith import CMPI_SYMBOLS, INFIX
from xdsl.context import Context
from xdsl.dialects import arith, gpu, math, memref, scf
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.utils.target import Target


class CudaPrintError(ValueError):
    """An op (or type) the CUDA printer cannot print."""


# ------------------------------------------------------------------------- types


def ctype(t: Attribute) -> str:
    """The C type of a scalar type."""
    if isinstance(t, IndexType):
        return "long long"
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    if isinstance(t, IntegerType):
        names = {1: "bool", 8: "signed char", 16: "short", 32: "int", 64: "long long"}
        if t.width.data in names:
            return names[t.width.data]
    raise CudaPrintError(f"print_cuda: no C type for {t}")


def unsigned(t: Attribute) -> str:
    """The unsigned C type of an integer type's width."""
    if isinstance(t, IndexType):
        return "unsigned long long"
    assert isinstance(t, IntegerType)
    names = {
        1: "bool",
        8: "unsigned char",
        16: "unsigned short",
        32: "unsigned int",
        64: "unsigned long long",
    }
    return names[t.width.data]


def _double_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _float_bits(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def literal(value: float, t: Attribute) -> str:
    """A C literal of type t (exact: floats in hex, inf and NaN by their bits)."""
    if isinstance(t, Float32Type):
        if pymath.isfinite(value):
            return f"{float(value).hex()}f"
        return f"__uint_as_float({_float_bits(value):#x}u)"
    if isinstance(t, Float64Type):
        if pymath.isfinite(value):
            return float(value).hex()
        return f"__longlong_as_double({_double_bits(value):#x}ll)"
    value = int(value)
    if isinstance(t, IntegerType) and t.width.data == 1:
        return "true" if value & 1 else "false"
    assert isinstance(t, IndexType | IntegerType)
    width = 64 if isinstance(t, IndexType) else t.width.data
    value = (value + (1 << (width - 1))) % (1 << width) - (1 << (width - 1))  # signless -> signed
    suffix = "ll" if width == 64 else ""
    if value == -(1 << (width - 1)):
        return f"({value + 1}{suffix} - 1)"
    text = f"{value}{suffix}"
    return f"({text})" if value < 0 else text if width >= 32 else f"(({ctype(t)}){text})"


VECTOR_TYPES = {
    ("float", 4): "float4", ("float", 2): "float2", ("double", 2): "double2",
    ("int", 4): "int4", ("int", 2): "int2", ("long long", 2): "longlong2",
}  # fmt: skip
LANES = ("x", "y", "z", "w")


# ----------------------------------------------------------------------- printer


@dataclass
class _Kernel:
    written: set[SSAValue]


class CudaPrinter:
    """Prints one gpu.module's kernels; `PRINTERS` maps op classes to their printers."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0
        self.names: dict[SSAValue, str] = {}
        self.count = 0
        self.globals: dict[str, str] = {}

    # --------------------------------------------------------------- helpers

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def fresh(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def name(self, value: SSAValue) -> str:
        if value not in self.names:
            raise CudaPrintError(f"print_cuda: {value} is used before it is printed")
        return self.names[value]

    def define(self, value: SSAValue, expression: str) -> None:
        """`const T vN = expression;`, or nothing when the value is unused."""
        if not value.uses:
            self.names[value] = expression
            return
        name = self.fresh()
        self.line(f"const {ctype(value.type)} {name} = {expression};")
        self.names[value] = name

    def statement(self, value: SSAValue | None, expression: str) -> None:
        """An expression with side effects: assigned when its value is used."""
        if value is not None and value.uses:
            self.define(value, expression)
        else:
            self.line(f"{expression};")

    def index(self, memref_value: SSAValue, indices: Sequence[SSAValue]) -> str:
        """`m[i]`: flat memrefs take one index, static ones are linearized."""
        t = memref_value.type
        assert isinstance(t, MemRefType)
        shape = t.get_shape()
        if len(indices) == 0:
            return f"{self.name(memref_value)}[0]"
        if len(indices) == 1:
            return f"{self.name(memref_value)}[{self.name(indices[0])}]"
        if any(d < 0 for d in shape[1:]):
            raise CudaPrintError(f"print_cuda: a multi-dimensional access needs static sizes, got {t}")
        expression = self.name(indices[0])
        for d, i in zip(shape[1:], indices[1:]):
            expression = f"({expression}) * {d}ll + {self.name(i)}"
        return f"{self.name(memref_value)}[{expression}]"

    def address(self, memref_value: SSAValue, index: SSAValue) -> str:
        return f"({self.name(memref_value)} + {self.name(index)})"

    def print_block(self, block: Block) -> None:
        for op in block.ops:
            self.print_op(op)

    def print_op(self, op: Operation) -> None:
        printer = PRINTERS.get(type(op))
        if printer is None:
            raise CudaPrintError(f"print_cuda: cannot print {op.name} in a kernel")
        printer(self, op)

    # ---------------------------------------------------------------- module

    def print_module(self, module: ModuleOp) -> str:
        kernels = [op for op in module.walk() if isinstance(op, gpu.ModuleOp)]
        if not kernels:
            raise CudaPrintError("print_cuda: the module holds no gpu.module")
        self.lines.append("// generated by tg (convert-buffers-to-gpu, print_cuda)")
        for kernel_module in kernels:
            for op in kernel_module.body.block.ops:
                if isinstance(op, memref.GlobalOp):
                    self.print_global(op)
                elif isinstance(op, gpu.FuncOp):
                    self.print_function(op)
                else:
                    raise CudaPrintError(f"print_cuda: cannot print {op.name} in a gpu.module")
        return "\n".join(self.lines) + "\n"

    def print_global(self, op: memref.GlobalOp) -> None:
        t = op.type
        assert isinstance(t, MemRefType) and isinstance(op.initial_value, DenseIntOrFPElementsAttr)
        values = list(op.initial_value.get_values())
        element = t.element_type
        body = ", ".join(literal(v, element) for v in values)
        name = op.sym_name.data
        self.globals[name] = name
        self.lines.append(f"__device__ const {ctype(element)} {name}[{max(len(values), 1)}] = {{{body}}};")

    def print_function(self, op: gpu.FuncOp) -> None:
        if op.kernel is None:
            raise CudaPrintError(f"print_cuda: gpu.func @{op.sym_name.data} is not a kernel")
        block = op.body.block
        written = _written(op)
        params = []
        for arg in block.args:
            name = f"p{arg.index}"
            self.names[arg] = name
            t = arg.type
            if isinstance(t, MemRefType):
                const = "" if arg in written else "const "
                params.append(f"{const}{ctype(t.element_type)}* __restrict__ {name}")
            else:
                params.append(f"{ctype(t)} {name}")
        bounds = op.attributes.get(tg_gpu.LAUNCH_BOUNDS)
        launch = f" __launch_bounds__({bounds.value.data})" if isinstance(bounds, IntegerAttr) else ""
        self.lines.append("")
        self.lines.append(f'extern "C" __global__ void{launch} {op.sym_name.data}({", ".join(params)})')
        self.lines.append("{")
        self.depth = 1
        self.count = 0
        self.print_block(block)
        self.depth = 0
        self.lines.append("}")


def _written(function: gpu.FuncOp) -> set[SSAValue]:
    """The memref parameters a kernel writes through."""
    written: set[SSAValue] = set()
    for op in function.walk():
        if isinstance(op, memref.StoreOp | tg_gpu.AtomicCasOp | tg_gpu.AtomicUpdateOp | tg_gpu.VectorStoreOp):
            written.add(op.memref)
    return written


# ------------------------------------------------------------ op printers

Printer = Callable[[CudaPrinter, Operation], None]
PRINTERS: dict[type[Operation], Printer] = {}
"""How each op class prints."""


def _register(*types: type[Operation]) -> Callable[[Printer], Printer]:
    def add(printer: Printer) -> Printer:
        for t in types:
            PRINTERS[t] = printer
        return printer

    return add


@_register(arith.ConstantOp)
def _constant(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, arith.ConstantOp)
    value = op.value
    if isinstance(value, IntegerAttr | FloatAttr):
        p.names[op.result] = literal(value.value.data, op.result.type)
    else:
        raise CudaPrintError(f"print_cuda: cannot print the constant {value}")


def _binary(symbol: str) -> Printer:
    def emit(p: CudaPrinter, op: Operation) -> None:
        a, b = (p.name(v) for v in op.operands)
        p.define(op.results[0], f"{a} {symbol} {b}")

    return emit


def _unsigned_binary(symbol: str) -> Printer:
    def emit(p: CudaPrinter, op: Operation) -> None:
        t = op.results[0].type
        u = unsigned(t)
        a, b = (p.name(v) for v in op.operands)
        wide = f"({ctype(t)})(({u}){a} {symbol} ({u}){b})"
        if symbol == ">>" or ctype(t) != "long long" or isinstance(op.operands[1].owner, arith.ConstantOp):
            p.define(op.results[0], wide)
        else:  # a 64-bit division is a long subroutine: divide in 32 bits when both fit
            narrow = f"(long long)((unsigned int){a} {symbol} (unsigned int){b})"
            p.define(op.results[0], f"((({u}){a} | ({u}){b}) >> 32) == 0 ? {narrow} : {wide}")

    return emit


_INFIX: dict[type[Operation], str] = INFIX | {arith.DivSIOp: "/", arith.RemSIOp: "%", arith.DivfOp: "/"}
_UNSIGNED_INFIX: dict[type[Operation], str] = {arith.DivUIOp: "/", arith.RemUIOp: "%", arith.ShRUIOp: ">>"}
PRINTERS.update({op: _binary(symbol) for op, symbol in _INFIX.items()})
PRINTERS.update({op: _unsigned_binary(symbol) for op, symbol in _UNSIGNED_INFIX.items()})


@_register(arith.CeilDivUIOp)
def _ceildivui(p: CudaPrinter, op: Operation) -> None:
    t = op.results[0].type
    u = unsigned(t)
    a, b = (p.name(v) for v in op.operands)
    p.define(op.results[0], f"({ctype(t)})(({u}){a} / ({u}){b} + (({u}){a} % ({u}){b} != 0))")


@_register(arith.CeilDivSIOp, arith.FloorDivSIOp)
def _signed_rounding_division(p: CudaPrinter, op: Operation) -> None:
    a, b = (p.name(v) for v in op.operands)
    q, r = f"({a} / {b})", f"({a} % {b})"
    if isinstance(op, arith.FloorDivSIOp):
        p.define(op.results[0], f"{q} - ({r} != 0 && (({r} < 0) != ({b} < 0)))")
    else:
        p.define(op.results[0], f"{q} + ({r} != 0 && (({r} < 0) == ({b} < 0)))")


def _minmax(symbol: str, is_unsigned: bool) -> Printer:
    def emit(p: CudaPrinter, op: Operation) -> None:
        a, b = (p.name(v) for v in op.operands)
        if is_unsigned:
            u = unsigned(op.results[0].type)
            p.define(op.results[0], f"(({u}){a} {symbol} ({u}){b} ? {a} : {b})")
        else:
            p.define(op.results[0], f"({a} {symbol} {b} ? {a} : {b})")

    return emit


PRINTERS[arith.MaxSIOp] = _minmax(">", False)
PRINTERS[arith.MinSIOp] = _minmax("<", False)
PRINTERS[arith.MaxUIOp] = _minmax(">", True)
PRINTERS[arith.MinUIOp] = _minmax("<", True)

@_register(arith.CmpiOp)
def _cmpi(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, arith.CmpiOp)
    predicate = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
    a, b = p.name(op.lhs), p.name(op.rhs)
    if predicate.startswith("u"):
        u = unsigned(op.lhs.type)
        a, b = f"({u}){a}", f"({u}){b}"
    p.define(op.result, f"{a} {CMPI_SYMBOLS[predicate]} {b}")


_CMPF = {
    "false": "false", "true": "true",
    "oeq": "{a} == {b}", "ogt": "{a} > {b}", "oge": "{a} >= {b}", "olt": "{a} < {b}", "ole": "{a} <= {b}",
    "one": "({a} < {b} || {a} > {b})", "ord": "({a} == {a} && {b} == {b})",
    "ueq": "!({a} < {b} || {a} > {b})", "ugt": "!({a} <= {b})", "uge": "!({a} < {b})", "ult": "!({a} >= {b})",
    "ule": "!({a} > {b})", "une": "{a} != {b}", "uno": "({a} != {a} || {b} != {b})",
}  # fmt: skip


@_register(arith.CmpfOp)
def _cmpf(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, arith.CmpfOp)
    predicate = arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]
    p.define(op.result, _CMPF[predicate].format(a=p.name(op.lhs), b=p.name(op.rhs)))


@_register(arith.SelectOp)
def _select(p: CudaPrinter, op: Operation) -> None:
    c, a, b = (p.name(v) for v in op.operands)
    p.define(op.results[0], f"{c} ? {a} : {b}")


@_register(arith.NegfOp)
def _negf(p: CudaPrinter, op: Operation) -> None:
    p.define(op.results[0], f"-{p.name(op.operands[0])}")


def _float_function(base: str, t: Attribute) -> str:
    return base + "f" if isinstance(t, Float32Type) else base


def _nan_propagating(base: str) -> Printer:
    """arith.maximumf / minimumf: NaN when either is NaN (fmaxf/fminf drop NaN)."""

    def emit(p: CudaPrinter, op: Operation) -> None:
        a, b = (p.name(v) for v in op.operands)
        f = _float_function(base, op.results[0].type)
        p.define(op.results[0], f"({a} != {a} || {b} != {b}) ? {a} + {b} : {f}({a}, {b})")

    return emit


PRINTERS[arith.MaximumfOp] = _nan_propagating("fmax")
PRINTERS[arith.MinimumfOp] = _nan_propagating("fmin")


def _function(base: str | None, integer: str | None = None) -> Printer:
    """A math function named for the float type (`expf` / `exp`)."""

    def emit(p: CudaPrinter, op: Operation) -> None:
        t = op.results[0].type
        args = ", ".join(p.name(v) for v in op.operands)
        if isinstance(t, IntegerType | IndexType):
            if integer is None:
                raise CudaPrintError(f"print_cuda: {op.name} of {t}")
            p.define(
                op.results[0],
                f"{integer if ctype(t) != 'long long' else 'll' + integer}({args})",
            )
        else:
            p.define(op.results[0], f"{_float_function(base, t)}({args})")  # type: ignore[arg-type]

    return emit


PRINTERS[arith.MaxnumfOp] = _function("fmax")
PRINTERS[arith.MinnumfOp] = _function("fmin")
_MATH_FUNCTIONS: dict[type[Operation], str] = {
    math.ExpOp: "exp", math.Exp2Op: "exp2", math.ExpM1Op: "expm1", math.LogOp: "log", math.Log2Op: "log2",
    math.Log10Op: "log10", math.Log1pOp: "log1p", math.SqrtOp: "sqrt", math.RsqrtOp: "rsqrt", math.CbrtOp: "cbrt",
    math.AbsFOp: "fabs", math.FloorOp: "floor", math.CeilOp: "ceil", math.TruncOp: "trunc", math.RoundOp: "round",
    math.RoundEvenOp: "rint", math.SinOp: "sin", math.CosOp: "cos", math.TanOp: "tan", math.AsinOp: "asin",
    math.AcosOp: "acos", math.AtanOp: "atan", math.Atan2Op: "atan2", math.SinhOp: "sinh", math.CoshOp: "cosh",
    math.TanhOp: "tanh", math.AsinhOp: "asinh", math.AcoshOp: "acosh", math.AtanhOp: "atanh", math.ErfOp: "erf",
    math.PowFOp: "pow", math.CopySignOp: "copysign", math.FmaOp: "fma",
}  # fmt: skip
"""Math ops printed as CUDA's function of that name (with an f suffix for float32)."""
PRINTERS.update({op: _function(base) for op, base in _MATH_FUNCTIONS.items()})
PRINTERS[math.AbsIOp] = _function(None, "abs")


@_register(
    arith.ExtFOp,
    arith.TruncFOp,
    arith.FPToSIOp,
    arith.IndexCastOp,
    arith.TruncIOp,
    arith.ExtSIOp,
    arith.SIToFPOp,
)
def _convert(p: CudaPrinter, op: Operation) -> None:
    source, target = op.operands[0].type, op.results[0].type
    x = p.name(op.operands[0])
    boolean = isinstance(source, IntegerType) and source.width.data == 1
    if isinstance(target, IntegerType) and target.width.data == 1 and isinstance(source, IntegerType | IndexType):
        p.define(op.results[0], f"(bool)({x} & 1)")
    elif boolean and not isinstance(op, arith.FPToSIOp):  # a signed i1 is 0 or -1
        p.define(op.results[0], f"({ctype(target)})({x} ? -1 : 0)")
    else:
        p.define(op.results[0], f"({ctype(target)}){x}")


@_register(arith.ExtUIOp, arith.UIToFPOp, arith.FPToUIOp)
def _convert_unsigned(p: CudaPrinter, op: Operation) -> None:
    source, target = op.operands[0].type, op.results[0].type
    x = p.name(op.operands[0])
    if isinstance(op, arith.FPToUIOp):
        p.define(op.results[0], f"({ctype(target)})({unsigned(target)}){x}")
    else:
        p.define(op.results[0], f"({ctype(target)})({unsigned(source)}){x}")


_BITCASTS = {("float", "int"): "__float_as_int", ("int", "float"): "__int_as_float",
             ("double", "long long"): "__double_as_longlong", ("long long", "double"): "__longlong_as_double"}  # fmt: skip


@_register(arith.BitcastOp)
def _bitcast(p: CudaPrinter, op: Operation) -> None:
    key = (ctype(op.operands[0].type), ctype(op.results[0].type))
    if key not in _BITCASTS:
        raise CudaPrintError(f"print_cuda: cannot bitcast {key[0]} to {key[1]}")
    p.define(op.results[0], f"{_BITCASTS[key]}({p.name(op.operands[0])})")


# ---------------------------------------------------------------- gpu


def _geometry(cuda: str) -> Printer:
    def emit(p: CudaPrinter, op: Operation) -> None:
        dimension = op.properties["dimension"]
        assert isinstance(dimension, gpu.DimensionAttr)
        p.define(op.results[0], f"(long long){cuda}.{dimension.data.value}")

    return emit


PRINTERS[gpu.ThreadIdOp] = _geometry("threadIdx")
PRINTERS[gpu.BlockIdOp] = _geometry("blockIdx")
PRINTERS[gpu.BlockDimOp] = _geometry("blockDim")
PRINTERS[gpu.GridDimOp] = _geometry("gridDim")


@_register(gpu.LaneIdOp)
def _lane(p: CudaPrinter, op: Operation) -> None:
    p.define(op.results[0], "(long long)(threadIdx.x & 31)")


@_register(gpu.BarrierOp)
def _barrier(p: CudaPrinter, op: Operation) -> None:
    p.line("__syncthreads();")


@_register(gpu.ReturnOp)
def _return(p: CudaPrinter, op: Operation) -> None:
    if op.next_op is not None or not isinstance(op.parent_op(), gpu.FuncOp):
        p.line("return;")


# ------------------------------------------------------------- memref


@_register(memref.LoadOp)
def _load(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, memref.LoadOp)
    p.define(op.res, p.index(op.memref, list(op.indices)))


@_register(memref.StoreOp)
def _store(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, memref.StoreOp)
    p.line(f"{p.index(op.memref, list(op.indices))} = {p.name(op.value)};")


@_register(memref.GetGlobalOp)
def _get_global(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, memref.GetGlobalOp)
    name = op.name_.root_reference.data
    if name not in p.globals:
        raise CudaPrintError(f"print_cuda: no constant @{name} in the gpu.module")
    p.names[op.memref] = name


@_register(tg_gpu.SharedArrayOp)
def _shared(p: CudaPrinter, op: Operation) -> None:
    t = op.results[0].type
    assert isinstance(t, MemRefType)
    size = 1
    for d in t.get_shape():
        size *= d
    name = p.fresh()
    p.line(f"__shared__ {ctype(t.element_type)} {name}[{size}];")
    p.names[op.results[0]] = name


# ----------------------------------------------------------------- scf


def _carried(p: CudaPrinter, results: Sequence[SSAValue], inits: Sequence[str] | None) -> list[str]:
    """Mutable locals for loop-carried values or if results."""
    names = []
    for i, r in enumerate(results):
        name = p.fresh()
        init = f" = {inits[i]}" if inits is not None else ""
        p.line(f"{ctype(r.type)} {name}{init};")
        p.names[r] = name
        names.append(name)
    return names


def _assign(p: CudaPrinter, targets: Sequence[str], yielded: Sequence[SSAValue]) -> None:
    """targets = yielded, as a parallel assignment."""
    sources = [p.name(v) for v in yielded]
    pending = [(t, s) for t, s in zip(targets, sources) if t != s]
    if any(s in targets for _, s in pending):
        temporaries = []
        for t, s in pending:
            name = p.fresh()
            p.line(f"const auto {name} = {s};")
            temporaries.append((t, name))
        pending = temporaries
    for t, s in pending:
        p.line(f"{t} = {s};")


def _print_body(p: CudaPrinter, block: Block, targets: Sequence[str]) -> None:
    """The ops of a loop body or if branch, one level deeper; its scf.yield assigns
    the yielded values to `targets`."""
    p.depth += 1
    for inner in block.ops:
        if isinstance(inner, scf.YieldOp):
            _assign(p, targets, list(inner.operands))
        else:
            p.print_op(inner)
    p.depth -= 1


@_register(scf.ForOp)
def _for(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, scf.ForOp)
    body = op.body.block
    carried = _carried(p, list(op.results), [p.name(v) for v in op.iter_args])
    for arg, name in zip(body.args[1:], carried):
        p.names[arg] = name
    iv = p.fresh()
    p.names[body.args[0]] = iv
    lb, ub, step = p.name(op.lb), p.name(op.ub), p.name(op.step)
    unroll = op.attributes.get(tg_gpu.UNROLL)
    if isinstance(unroll, IntegerAttr):
        p.line(f"#pragma unroll {unroll.value.data}")
    p.line(f"for (long long {iv} = {lb}; {iv} < {ub}; {iv} += {step}) {{")
    _print_body(p, body, carried)
    p.line("}")


@_register(scf.IfOp)
def _if(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, scf.IfOp)
    results = _carried(p, list(op.results), None)
    p.line(f"if ({p.name(op.cond)}) {{")
    for k, region in enumerate((op.true_region, op.false_region)):
        if not region.blocks or (k == 1 and not results and len(list(region.block.ops)) <= 1):
            continue
        if k == 1:
            p.line("} else {")
        _print_body(p, region.block, results)
    p.line("}")


# -------------------------------------------------------------- tg_gpu


SHUFFLES: dict[type[Operation], str] = {
    tg_gpu.ShuffleXorOp: "__shfl_xor_sync",
    tg_gpu.ShuffleDownOp: "__shfl_down_sync",
    tg_gpu.ShuffleUpOp: "__shfl_up_sync",
}


@_register(*SHUFFLES)
def _shuffle(p: CudaPrinter, op: Operation) -> None:
    function = SHUFFLES[type(op)]
    value, lanes = (p.name(v) for v in op.operands)
    p.define(op.results[0], f"{function}(0xffffffffu, {value}, {lanes})")


@_register(tg_gpu.AtomicCasOp)
def _atomic_cas(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.AtomicCasOp)
    at = p.address(op.memref, op.index)
    compare, value = p.name(op.compare), p.name(op.value)
    if ctype(op.value.type) == "int":
        p.statement(op.result, f"atomicCAS({at}, {compare}, {value})")
    else:
        call = f"atomicCAS((unsigned long long*){at}, (unsigned long long){compare}, (unsigned long long){value})"
        p.statement(op.result, f"(long long){call}")


@_register(tg_gpu.AtomicAddOp)
def _atomic_add(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.AtomicAddOp)
    at, value = p.address(op.memref, op.index), p.name(op.value)
    if ctype(op.value.type) == "long long":
        p.statement(
            op.result,
            f"(long long)atomicAdd((unsigned long long*){at}, (unsigned long long){value})",
        )
    else:
        p.statement(op.result, f"atomicAdd({at}, {value})")


@_register(tg_gpu.AtomicMaxOp)
def _atomic_max(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.AtomicMaxOp)
    p.statement(op.result, f"atomicMax({p.address(op.memref, op.index)}, {p.name(op.value)})")


@_register(tg_gpu.CallOp)
def _call(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.CallOp)
    p.define(op.result, f"{op.callee.data}({', '.join(p.name(a) for a in op.args)})")


def _vector_type(op: tg_gpu.VectorLoadOp | tg_gpu.VectorStoreOp, width: int) -> str:
    t = op.memref.type
    assert isinstance(t, MemRefType)
    key = (ctype(t.element_type), width)
    if key not in VECTOR_TYPES:
        raise CudaPrintError(f"print_cuda: no CUDA vector of {width} x {key[0]}")
    return VECTOR_TYPES[key]


@_register(tg_gpu.VectorLoadOp)
def _vector_load(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.VectorLoadOp)
    vector = _vector_type(op, len(op.values))
    at = p.address(op.memref, op.index)
    read_only = isinstance(op.memref, BlockArgument) and _is_const_param(op.memref)
    load = f"__ldg(reinterpret_cast<const {vector}*>{at})" if read_only else f"*reinterpret_cast<const {vector}*>{at}"
    name = p.fresh()
    p.line(f"const {vector} {name} = {load};")
    for lane, v in zip(LANES, op.values):
        p.names[v] = f"{name}.{lane}"


def _is_const_param(arg: BlockArgument) -> bool:
    function = arg.block.parent_op()
    return isinstance(function, gpu.FuncOp) and arg not in _written(function)


@_register(tg_gpu.VectorStoreOp)
def _vector_store(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.VectorStoreOp)
    vector = _vector_type(op, len(op.values))
    values = ", ".join(p.name(v) for v in op.values)
    p.line(f"*reinterpret_cast<{vector}*>{p.address(op.memref, op.index)} = make_{vector}({values});")


@_register(tg_gpu.AlignedOp)
def _aligned(p: CudaPrinter, op: Operation) -> None:
    assert isinstance(op, tg_gpu.AlignedOp)
    addresses = " | ".join(f"(unsigned long long){p.name(m)}" for m in op.memrefs)
    p.define(op.result, f"(({addresses}) & {op.bytes.value.data - 1}ull) == 0ull")


# ----------------------------------------------------------------- entry


def print_cuda(module: ModuleOp) -> str:
    """The CUDA C++ source of the module's kernels."""
    return CudaPrinter().print_module(module)


@dataclass(frozen=True)
class CudaTarget(Target):
    """`-t cuda` for an xdsl-opt-style driver."""

    name = "cuda"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(print_cuda(module))


def main(argv: Sequence[str] | None = None) -> int:
    """Read gpu-level MLIR (a file or stdin), print its CUDA source."""
    from tg.pipeline import context
    from xdsl.dialects.gpu import GPU
    from xdsl.parser import Parser

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        with open(args[0]) as file:
            text = file.read()
    else:
        text = sys.stdin.read()
    ctx = context()
    if "gpu" not in ctx.registered_dialect_names:
        ctx.load_dialect(GPU)
    if "tg_gpu" not in ctx.registered_dialect_names:
        ctx.load_dialect(tg_gpu.TG_GPU)
    try:
        sys.stdout.write(print_cuda(Parser(ctx, text).parse_module()))
    except CudaPrintError as e:
        print(f"print_cuda: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
