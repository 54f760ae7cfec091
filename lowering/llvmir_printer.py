"""llvm dialect → LLVM IR text in one walk, for the ops tg's lowering emits.

tg's last lowering step: `print_llvmir` writes the text llvmlite parses, with no
intermediate objects (xDSL's translator builds llvmlite.ir objects and prints those,
several times slower). Constants and `llvm.mlir.addressof` print inline at their
uses; block arguments become phi nodes fed by each predecessor's branch; intrinsics
(`llvm.call_intrinsic`, `llvm.intr.*`) are declared once, at the end, with the types
of their first call. Float constants print exactly: decimal when short and exact,
else as the hexadecimal bits LLVM reads (a float as the double of equal value).
Any other op raises NotImplementedError naming it.

Global names are quoted, functions open with `{` on a line of their own and every
call spells its calling convention (`call ccc`): the layout tg.lowering.parallel_codegen
and the runtime's checks of the text read.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
)
from xdsl.dialects.utils.fast_math import FastMathFlag
from xdsl.ir import Attribute, Block, Operation, SSAValue

ICMP_PREDICATES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
"""LLVM's icmp predicates, indexed as the llvm dialect numbers them."""

FCMP_PREDICATES = (
    "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
    "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true",
)  # fmt: skip
"""LLVM's fcmp predicates, indexed as the llvm dialect numbers them."""

_FAST_MATH_ORDER = tuple(FastMathFlag)

_ARG_FLAGS = {
    "llvm.noalias": "noalias",
    "llvm.nonnull": "nonnull",
    "llvm.noundef": "noundef",
    "llvm.readonly": "readonly",
    "llvm.writeonly": "writeonly",
    "llvm.nocapture": "captures(none)",
    "llvm.signext": "signext",
    "llvm.zeroext": "zeroext",
}
"""Argument attributes without a value, by their llvm-dialect name."""

_ARG_INTS = {"llvm.align": "align", "llvm.dereferenceable": "dereferenceable"}
"""Argument attributes with an integer value."""

_FUNC_UNSUPPORTED = (
    "res_attrs", "frame_pointer", "no_inline", "no_unwind", "optimize_none",
    "passthrough", "target_cpu", "target_features", "tune_cpu", "unnamed_addr",
)  # fmt: skip
"""llvm.func properties this printer does not print (so refuses when set)."""

_DENSE_DTYPES = {1: np.uint8, 8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}


# ----------------------------------------------------------------------- types


def type_text(t: Attribute) -> str:
    """LLVM's spelling of a scalar, pointer, array or void type."""
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    if isinstance(t, llvm.LLVMPointerType):
        space = t.addr_space.data if isinstance(t.addr_space, IntAttr) else 0
        return f"ptr addrspace({space})" if space else "ptr"
    if isinstance(t, llvm.LLVMVoidType):
        return "void"
    if isinstance(t, llvm.LLVMArrayType):
        return f"[{t.size.data} x {type_text(t.type)}]"
    raise NotImplementedError(f"llvmir printer: type {t}")


def _mangled(t: Attribute) -> str:
    """A type's suffix in an overloaded intrinsic's name (llvm.exp.f32)."""
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    if isinstance(t, Float32Type):
        return "f32"
    if isinstance(t, Float64Type):
        return "f64"
    raise NotImplementedError(f"llvmir printer: intrinsic overloaded on {t}")


# ------------------------------------------------------------------- constants


def int_text(value: int, width: int) -> str:
    """An integer constant of `width` bits, in the signed range (i1: true/false)."""
    if width == 1:
        return "true" if value & 1 else "false"
    half = 1 << (width - 1)
    return str((value + half) % (half << 1) - half)


def float_text(value: float, double: bool) -> str:
    """A float constant exactly: its decimal repr where short and exact (LLVM reads
    decimals with a point and no exponent), else the bits of the equal double in hex."""
    if not double:
        try:
            value = struct.unpack("<f", struct.pack("<f", value))[0]
        except OverflowError:  # finite, beyond float's range: rounds to infinity
            with np.errstate(over="ignore"):
                value = float(np.float32(value))
    text = repr(value)
    if len(text) <= 12 and "e" not in text and "n" not in text:  # not 1e-05, inf, nan
        return text
    return f"0x{struct.unpack('<Q', struct.pack('<d', value))[0]:016X}"


def _scalar_constant(value: Attribute, t: Attribute) -> str:
    if isinstance(value, IntegerAttr) and isinstance(t, IntegerType):
        return int_text(value.value.data, t.width.data)
    if isinstance(value, FloatAttr) and isinstance(t, Float32Type | Float64Type):
        return float_text(value.value.data, isinstance(t, Float64Type))
    raise NotImplementedError(f"llvmir printer: constant {value} of type {t}")


def _dense_array(value: DenseIntOrFPElementsAttr, array: llvm.LLVMArrayType) -> str:
    """The initializer of a one-dimensional constant array."""
    element = array.type
    data = value.data.data
    if not any(data):
        return "zeroinitializer"
    name = type_text(element)
    if isinstance(element, IntegerType) and element.width.data in _DENSE_DTYPES:
        width = element.width.data
        numbers = np.frombuffer(data, _DENSE_DTYPES[width]).tolist()
        texts = [("true" if n else "false") for n in numbers] if width == 1 else [str(n) for n in numbers]
    elif isinstance(element, Float32Type | Float64Type):
        double = isinstance(element, Float64Type)
        numbers = np.frombuffer(data, np.float64 if double else np.float32).tolist()
        texts = [float_text(n, double) for n in numbers]
    else:
        raise NotImplementedError(f"llvmir printer: constant array of {element}")
    if len(texts) != array.size.data:
        raise NotImplementedError(f"llvmir printer: {len(texts)} values for {name} array of {array.size.data}")
    return "[" + ", ".join(f"{name} {t}" for t in texts) + "]"


# ------------------------------------------------------------------- functions


class _Names(dict[int, str]):
    """Value texts by id(value): a fresh %vN for a value first seen (a forward
    reference, or the result being defined)."""

    def __missing__(self, key: int) -> str:
        name = self[key] = f"%v{len(self)}"
        return name


class _Types(dict[int, str]):
    """Type texts by id(type), filled as types are met (each type object is held by
    the module being printed, so ids are stable while it prints)."""

    def of(self, t: Attribute) -> str:
        try:
            return self[id(t)]
        except KeyError:
            text = self[id(t)] = type_text(t)
            return text


class FunctionPrinter:
    """Prints the body of one llvm.func: names its values and blocks, and collects
    the intrinsics it calls into the module's declarations."""

    def __init__(self, types: _Types, intrinsics: dict[str, str]):
        self.names = _Names()
        """Each value's text by id: %vN, or the literal of a constant or global."""
        self.labels: dict[int, str] = {}
        self.lines: list[str] = []
        self.types = types
        self.intrinsics = intrinsics
        """`declare` lines of the intrinsics called, by name."""

    def typed(self, value: SSAValue) -> str:
        return f"{self.types.of(value.type)} {self.names[id(value)]}"

    def declare_intrinsic(self, name: str, result: str, args: list[str]) -> None:
        if name not in self.intrinsics:
            self.intrinsics[name] = f'declare {result} @"{name}"({", ".join(args)})'

    def body(self, blocks: list[Block]) -> None:
        """The blocks' text, phi nodes first where a block takes arguments."""
        for k, block in enumerate(blocks):
            self.labels[id(block)] = f"b{k}"
        incoming = self._incoming(blocks)
        lines, names, types = self.lines, self.names, self.types
        handlers = HANDLERS
        for k, block in enumerate(blocks):
            lines.append(f"b{k}:")
            if k and block.args:
                edges = incoming.get(id(block), [])
                for i, arg in enumerate(block.args):
                    t = types.of(arg.type)
                    if not edges:  # no predecessor: no phi (it would have no entries)
                        lines.append(f"  {names[id(arg)]} = bitcast {t} poison to {t}")
                        continue
                    pairs = ", ".join(f"[{names[id(args[i])]}, %{label}]" for label, args in edges)
                    lines.append(f"  {names[id(arg)]} = phi {t} {pairs}")
            for op in block.ops:
                handler = handlers.get(type(op))
                if handler is None:
                    raise NotImplementedError(f"llvmir printer: {op.name}")
                line = handler(self, op)
                if line is not None:
                    lines.append(line)

    def _incoming(self, blocks: list[Block]) -> dict[int, list[tuple[str, tuple[SSAValue, ...]]]]:
        """For each block taking arguments: (predecessor label, values passed) per edge."""
        incoming: dict[int, list[tuple[str, tuple[SSAValue, ...]]]] = {}
        for block in blocks:
            terminator = block.last_op
            if isinstance(terminator, llvm.BrOp):
                if not terminator.operands:
                    continue
                edges = [(terminator.successor, tuple(terminator.arguments))]
            elif isinstance(terminator, llvm.CondBrOp):
                if len(terminator.operands) == 1:
                    continue
                edges = [
                    (terminator.then_block, tuple(terminator.then_arguments)),
                    (terminator.else_block, tuple(terminator.else_arguments)),
                ]
                if edges[0][0] is edges[1][0] and edges[0][1] != edges[1][1]:
                    raise NotImplementedError("llvmir printer: cond_br to one block with different arguments")
            else:
                continue
            label = self.labels[id(block)]
            for successor, args in edges:
                if args:
                    incoming.setdefault(id(successor), []).append((label, args))
        return incoming


def _fast_math(op: Operation) -> str:
    """The op's fast-math flags followed by a space, or nothing."""
    attr = op.properties.get("fastmathFlags")
    if attr is None:
        return ""
    flags: frozenset[FastMathFlag] = attr.data  # type: ignore[attr-defined]
    if not flags:
        return ""
    text = _FAST_MATH_TEXT.get(flags)
    if text is None:
        names = "fast" if len(flags) == len(_FAST_MATH_ORDER) else " ".join(f.value for f in _FAST_MATH_ORDER if f in flags)
        text = _FAST_MATH_TEXT[flags] = names + " "
    return text


_FAST_MATH_TEXT: dict[frozenset[FastMathFlag], str] = {}


def _int_flags(op: Operation) -> str:
    """nuw/nsw, exact, disjoint or nneg where the op carries them."""
    props = op.properties
    text = ""
    overflow = props.get("overflowFlags")
    if overflow is not None:
        bits = overflow.value.data if type(overflow) is IntegerAttr else overflow.to_int()  # type: ignore[attr-defined]
        if bits:
            text = (" nuw" if bits & 2 else "") + (" nsw" if bits & 1 else "")
        if len(props) == 1:
            return text
    if props.get("isExact") is not None:
        text += " exact"
    if props.get("isDisjoint") is not None:
        text += " disjoint"
    if props.get("nonNeg") is not None:
        text += " nneg"
    return text


Handler = Callable[[FunctionPrinter, Operation], str | None]


def _int_binary(keyword: str) -> Handler:
    def handle(p: FunctionPrinter, op: Operation) -> str:
        lhs, rhs = op.operands
        (result,) = op.results
        names = p.names
        flags = _int_flags(op) if op.properties else ""
        return f"  {names[id(result)]} = {keyword}{flags} {p.types.of(lhs.type)} {names[id(lhs)]}, {names[id(rhs)]}"

    return handle


def _float_binary(keyword: str) -> Handler:
    def handle(p: FunctionPrinter, op: Operation) -> str:
        lhs, rhs = op.operands
        (result,) = op.results
        names = p.names
        return f"  {names[id(result)]} = {keyword} {_fast_math(op)}{p.types.of(lhs.type)} {names[id(lhs)]}, {names[id(rhs)]}"

    return handle


def _cast(keyword: str) -> Handler:
    def handle(p: FunctionPrinter, op: Operation) -> str:
        (arg,) = op.operands
        (result,) = op.results
        flags = _int_flags(op) if op.properties else ""
        return f"  {p.names[id(result)]} = {keyword}{flags} {p.typed(arg)} to {p.types.of(result.type)}"

    return handle


def _inline(p: FunctionPrinter, result: SSAValue, literal: str) -> str | None:
    """Print `result` as `literal` at its uses; if a use came first (a phi fed from a
    later block), define the name it got with a no-op cast of the literal."""
    key = id(result)
    if key not in p.names:
        p.names[key] = literal
        return None
    t = p.types.of(result.type)
    return f"  {p.names[key]} = bitcast {t} {literal} to {t}"


def _constant(p: FunctionPrinter, op: Operation) -> str | None:
    (result,) = op.results
    return _inline(p, result, _scalar_constant(op.properties["value"], result.type))


def _address_of(p: FunctionPrinter, op: Operation) -> str | None:
    (result,) = op.results
    return _inline(p, result, f'@"{op.properties["global_name"].root_reference.data}"')  # type: ignore[attr-defined]


def _icmp(p: FunctionPrinter, op: Operation) -> str:
    lhs, rhs = op.operands
    (result,) = op.results
    names = p.names
    predicate = ICMP_PREDICATES[op.properties["predicate"].value.data]  # type: ignore[attr-defined]
    return f"  {names[id(result)]} = icmp {predicate} {p.types.of(lhs.type)} {names[id(lhs)]}, {names[id(rhs)]}"


def _fcmp(p: FunctionPrinter, op: Operation) -> str:
    lhs, rhs = op.operands
    (result,) = op.results
    names = p.names
    predicate = FCMP_PREDICATES[op.properties["predicate"].value.data]  # type: ignore[attr-defined]
    t = p.types.of(lhs.type)
    return f"  {names[id(result)]} = fcmp {_fast_math(op)}{predicate} {t} {names[id(lhs)]}, {names[id(rhs)]}"


def _select(p: FunctionPrinter, op: Operation) -> str:
    cond, lhs, rhs = op.operands
    (result,) = op.results
    names = p.names
    t = p.types.of(lhs.type)
    return f"  {names[id(result)]} = select {_fast_math(op)}i1 {names[id(cond)]}, {t} {names[id(lhs)]}, {t} {names[id(rhs)]}"


def _fneg(p: FunctionPrinter, op: Operation) -> str:
    (arg,) = op.operands
    (result,) = op.results
    return f"  {p.names[id(result)]} = fneg {_fast_math(op)}{p.typed(arg)}"


_SSA_INDEX = struct.pack("<i", llvm.GEP_USE_SSA_VAL)


def _gep(p: FunctionPrinter, op: Operation) -> str:
    props = op.properties
    flags = props["noWrapFlags"].value.data  # type: ignore[attr-defined]
    if props.get("inbounds") is not None or flags & 1:
        keyword = "getelementptr inbounds"
    elif flags & 2:
        keyword = "getelementptr nusw"
    else:
        keyword = "getelementptr"
    if flags & 4:
        keyword += " nuw"
    ptr, *ssa = op.operands
    (result,) = op.results
    raw: bytes = props["rawConstantIndices"].data.data  # type: ignore[attr-defined]
    if raw == _SSA_INDEX:  # the common case: one index, a value
        indices = p.typed(ssa[0])
    else:
        values = iter(ssa)
        constants = struct.unpack(f"<{len(raw) // 4}i", raw)
        indices = ", ".join(p.typed(next(values)) if k == llvm.GEP_USE_SSA_VAL else f"i32 {k}" for k in constants)
    elem = p.types.of(props["elem_type"])
    return f"  {p.names[id(result)]} = {keyword} {elem}, ptr {p.names[id(ptr)]}, {indices}"


def _align(op: Operation) -> str:
    alignment = op.properties.get("alignment")
    return f", align {alignment.value.data}" if alignment is not None else ""  # type: ignore[attr-defined]


def _load(p: FunctionPrinter, op: Operation) -> str:
    ordering = op.properties.get("ordering")
    if ordering is not None and ordering.value.data:  # type: ignore[attr-defined]
        raise NotImplementedError("llvmir printer: atomic llvm.load")
    (ptr,) = op.operands
    (result,) = op.results
    return f"  {p.names[id(result)]} = load {p.types.of(result.type)}, ptr {p.names[id(ptr)]}{_align(op)}"


def _store(p: FunctionPrinter, op: Operation) -> str:
    props = op.properties
    ordering = props.get("ordering")
    if ordering is not None and ordering.value.data or props.get("nontemporal") is not None:  # type: ignore[attr-defined]
        raise NotImplementedError("llvmir printer: atomic or nontemporal llvm.store")
    value, ptr = op.operands
    volatile = "volatile " if props.get("volatile_") is not None else ""
    return f"  store {volatile}{p.typed(value)}, ptr {p.names[id(ptr)]}{_align(op)}"


def _alloca(p: FunctionPrinter, op: Operation) -> str:
    (size,) = op.operands
    (result,) = op.results
    return f"  {p.names[id(result)]} = alloca {p.types.of(op.properties['elem_type'])}, {p.typed(size)}{_align(op)}"


def _no_bundles(op: Operation) -> None:
    if op.properties["op_bundle_sizes"].data.data:  # type: ignore[attr-defined]
        raise NotImplementedError(f"llvmir printer: {op.name} with operand bundles")


def _call(p: FunctionPrinter, op: Operation) -> str:
    props = op.properties
    _no_bundles(op)
    callee = props.get("callee")
    if callee is None or props.get("var_callee_type") is not None:
        raise NotImplementedError("llvmir printer: indirect or variadic llvm.call")
    tail = props["TailCallKind"].data  # type: ignore[attr-defined]
    call = "call" if tail == llvm.TailCallKind.NONE else f"{tail.value} call"
    args = ", ".join([p.typed(a) for a in op.operands])
    target = f'{props["CConv"].convention.data} {_fast_math(op)}'  # type: ignore[attr-defined]
    name = callee.root_reference.data  # type: ignore[attr-defined]
    if not op.results:
        return f'  {call} {target}void @"{name}"({args})'
    (result,) = op.results
    return f'  {p.names[id(result)]} = {call} {target}{p.types.of(result.type)} @"{name}"({args})'


def _call_intrinsic(p: FunctionPrinter, op: Operation) -> str:
    _no_bundles(op)
    if len(op.results) > 1:
        raise NotImplementedError("llvmir printer: llvm.call_intrinsic with several results")
    name: str = op.properties["intrin"].data  # type: ignore[attr-defined]
    of = p.types.of
    result = of(op.results[0].type) if op.results else "void"
    arg_types = [of(a.type) for a in op.operands]
    p.declare_intrinsic(name, result, arg_types)
    names = p.names
    args = ", ".join([f"{t} {names[id(a)]}" for t, a in zip(arg_types, op.operands)])
    call = f'call {_fast_math(op)}{result} @"{name}"({args})'
    return f"  {names[id(op.results[0])]} = {call}" if op.results else "  " + call


def _float_intrinsic(p: FunctionPrinter, op: Operation) -> str:
    """`llvm.intr.NAME` on floats of one type: a call of `llvm.NAME.<type>`."""
    (result,) = op.results
    t = p.types.of(result.type)
    name = f"llvm.{op.name[len('llvm.intr.'):]}.{_mangled(result.type)}"
    p.declare_intrinsic(name, t, [t] * len(op.operands))
    names = p.names
    args = ", ".join([f"{t} {names[id(a)]}" for a in op.operands])
    return f'  {names[id(result)]} = call {_fast_math(op)}{t} @"{name}"({args})'


def _br(p: FunctionPrinter, op: Operation) -> str:
    (successor,) = op.successors
    return f"  br label %{p.labels[id(successor)]}"


def _cond_br(p: FunctionPrinter, op: Operation) -> str:
    then_block, else_block = op.successors
    labels = p.labels
    return f"  br i1 {p.names[id(op.operands[0])]}, label %{labels[id(then_block)]}, label %{labels[id(else_block)]}"


def _return(p: FunctionPrinter, op: Operation) -> str:
    return f"  ret {p.typed(op.operands[0])}" if op.operands else "  ret void"


HANDLERS: dict[type[Operation], Handler] = {
    llvm.ConstantOp: _constant,
    llvm.AddressOfOp: _address_of,
    llvm.AddOp: _int_binary("add"),
    llvm.SubOp: _int_binary("sub"),
    llvm.MulOp: _int_binary("mul"),
    llvm.UDivOp: _int_binary("udiv"),
    llvm.SDivOp: _int_binary("sdiv"),
    llvm.URemOp: _int_binary("urem"),
    llvm.SRemOp: _int_binary("srem"),
    llvm.AndOp: _int_binary("and"),
    llvm.OrOp: _int_binary("or"),
    llvm.XOrOp: _int_binary("xor"),
    llvm.LShrOp: _int_binary("lshr"),
    llvm.FAddOp: _float_binary("fadd"),
    llvm.FSubOp: _float_binary("fsub"),
    llvm.FMulOp: _float_binary("fmul"),
    llvm.FDivOp: _float_binary("fdiv"),
    llvm.FRemOp: _float_binary("frem"),
    llvm.FNegOp: _fneg,
    llvm.ICmpOp: _icmp,
    llvm.FCmpOp: _fcmp,
    llvm.SelectOp: _select,
    llvm.TruncOp: _cast("trunc"),
    llvm.ZExtOp: _cast("zext"),
    llvm.SExtOp: _cast("sext"),
    llvm.SIToFPOp: _cast("sitofp"),
    llvm.FPExtOp: _cast("fpext"),
    llvm.FPTruncOp: _cast("fptrunc"),
    llvm.BitcastOp: _cast("bitcast"),
    llvm.GEPOp: _gep,
    llvm.LoadOp: _load,
    llvm.StoreOp: _store,
    llvm.AllocaOp: _alloca,
    llvm.CallOp: _call,
    llvm.CallIntrinsicOp: _call_intrinsic,
    llvm.FAbsOp: _float_intrinsic,
    llvm.FSqrtOp: _float_intrinsic,
    llvm.FExpOp: _float_intrinsic,
    llvm.FLogOp: _float_intrinsic,
    llvm.FPowOp: _float_intrinsic,
    llvm.BrOp: _br,
    llvm.CondBrOp: _cond_br,
    llvm.ReturnOp: _return,
}
"""How each op inside a function prints: an indented line, or None for a value
printed inline at its uses (a constant, a global's address)."""


# ---------------------------------------------------------------------- module


def _parameters(op: llvm.FuncOp, names: list[str] | None) -> str:
    """The parameter list: each type with its attributes (and its name, if given)."""
    arg_attrs = op.arg_attrs.data if op.arg_attrs is not None else ()
    params = []
    for k, t in enumerate(op.function_type.inputs.data):
        text = type_text(t)
        if k < len(arg_attrs):
            for key, value in arg_attrs[k].data.items():
                if key in _ARG_FLAGS:
                    text += " " + _ARG_FLAGS[key]
                elif key in _ARG_INTS and isinstance(value, IntegerAttr):
                    text += f" {_ARG_INTS[key]} {value.value.data}"
                else:
                    raise NotImplementedError(f"llvmir printer: argument attribute {key}")
        params.append(text if names is None else f"{text} {names[k]}")
    if op.function_type.is_variadic:
        params.append("...")
    return ", ".join(params)


def _function(op: llvm.FuncOp, types: _Types, intrinsics: dict[str, str], out: list[str]) -> None:
    for prop in _FUNC_UNSUPPORTED:
        value = op.properties.get(prop)
        if value is not None and not (isinstance(value, ArrayAttr) and not any(d.data for d in value.data)):
            raise NotImplementedError(f"llvmir printer: llvm.func property {prop}")
    if op.visibility_.value.data:
        raise NotImplementedError("llvmir printer: llvm.func visibility")
    name = f'@"{op.sym_name.data}"'
    result = type_text(op.function_type.output)
    linkage = op.linkage.linkage.data
    cconv = op.CConv.convention.data
    head = ("" if linkage == "external" else linkage + " ") + ("" if cconv == "ccc" else cconv + " ")
    blocks = list(op.body.blocks)
    if not blocks:
        out.append(f"declare {head}{result} {name}({_parameters(op, None)})")
        out.append("")
        return
    printer = FunctionPrinter(types, intrinsics)
    params = [printer.names[id(a)] for a in blocks[0].args]
    out.append(f"define {head}{result} {name}({_parameters(op, params)})")
    out.append("{")
    printer.body(blocks)
    out.extend(printer.lines)
    out.append("}")
    out.append("")


def _global(op: llvm.GlobalOp) -> str:
    """`@"name" = [linkage] constant|global <type> [<value>]`."""
    name = op.sym_name.data
    if op.body.blocks or op.addr_space.value.data or op.section is not None or op.thread_local_ is not None:
        raise NotImplementedError(f"llvmir printer: llvm.mlir.global @{name}: initializer region, address space, section "
                                  "or thread_local")
    t = op.global_type
    linkage = op.linkage.linkage.data
    kind = "constant" if op.constant is not None else "global"
    value = op.value
    if value is None:
        if linkage not in ("external", "extern_weak"):
            raise NotImplementedError(f"llvmir printer: llvm.mlir.global @{name} without a value")
        init = ""
    elif isinstance(value, DenseIntOrFPElementsAttr) and isinstance(t, llvm.LLVMArrayType):
        init = " " + _dense_array(value, t)
    elif isinstance(value, IntegerAttr | FloatAttr):
        init = " " + _scalar_constant(value, t)
    else:
        raise NotImplementedError(f"llvmir printer: llvm.mlir.global value {value}")
    if linkage == "external" and value is not None:
        linkage = ""  # a definition: no linkage keyword
    unnamed = {1: "local_unnamed_addr ", 2: "unnamed_addr "}.get(op.unnamed_addr.value.data, "") if op.unnamed_addr else ""
    align = f", align {op.alignment.value.data}" if op.alignment is not None else ""
    return f'@"{name}" = {linkage + " " if linkage else ""}{unnamed}{kind} {type_text(t)}{init}{align}'


def print_llvmir(module: ModuleOp, triple: str, data_layout: str) -> str:
    """The LLVM IR text of an llvm-dialect module (its own `llvm.target_triple`, if
    it has one, over `triple`)."""
    own_triple = module.attributes.get("llvm.target_triple")
    if isinstance(own_triple, StringAttr):
        triple = own_triple.data
    out = ['; ModuleID = "tg"', f'target triple = "{triple}"']
    if data_layout:
        out.append(f'target datalayout = "{data_layout}"')
    out.append("")
    types = _Types()
    intrinsics: dict[str, str] = {}
    defined: set[str] = set()
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp):
            out.append(_global(op))
        elif not isinstance(op, llvm.FuncOp):
            raise NotImplementedError(f"llvmir printer: {op.name} at module level")
    if out[-1]:
        out.append("")
    for op in module.ops:
        if isinstance(op, llvm.FuncOp):
            defined.add(op.sym_name.data)
            _function(op, types, intrinsics, out)
    out.extend(line for name, line in intrinsics.items() if name not in defined)
    out.append("")
    return "\n".join(out)
