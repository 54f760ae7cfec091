"""convert-loops-to-llvm: `func`/`cf`/`arith`/`math`/`memref` to the `llvm` dialect.

Runs after upstream `convert-scf-to-cf`. One linear walk per function rebuilds it as
an `llvm.func` (no recursive type-conversion machinery). The calling convention for
a buffer argument `memref<?x3xf32>` is a pointer followed by one i64 per dimension,
static ones included; buffers are contiguous and row major, so an element's address
is one `getelementptr inbounds` over the linearized index (which keeps loops
vectorizable). `index` becomes i64.

`math` ops become LLVM intrinsics (`llvm.sin.f32`, `llvm.floor.f64`, ...) where LLVM has
one, else calls of libm (`erff`, `log1p`, ...) declared at the end of the module as
tg_alloc and tg_free (tg's pool of large blocks, tg.runtime.memory_pool) are. llvm-dialect ops already present at the loops level (`llvm.frem`,
calls of libm functions that have no `math` op, declared by the loops-level module)
are kept as they are.

A chunked `scf.parallel` from tg-outline-parallel-loops becomes one call of the thread
pool's `tg_parallel_for(task, context, n, grain)`: the values the outlined function
takes are stored in a context array (one 8-byte slot per pointer, dynamic size or
scalar, allocated in the entry block), and `@<fn>_task(context, start, stop)` loads
them and calls the outlined function over iterations [start, stop) of n. The outlined
function keeps the buffer calling convention, so its pointers stay noalias and LLVM
vectorizes it as any other; being private, it and its task are internal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from tg.dialects.tensor_types import dtype_of, is_float
from xdsl.context import Context
from xdsl.dialects import arith, cf, func, llvm, math, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

from tg.lowering.llvm_op_prototypes import OpPrototypes

PTR = llvm.LLVMPointerType()


@functools.lru_cache(maxsize=4096)
def _i64(n: int) -> IntegerAttr:
    """The i64 attribute of `n` (attributes are immutable: one per value will do)."""
    return IntegerAttr(n, i64)


@dataclass
class Buffer:
    """A lowered memref: base pointer and one size per dimension."""

    ptr: SSAValue
    dims: list[SSAValue | int]


def _llvm_type(t: Attribute) -> Attribute:
    return i64 if isinstance(t, IndexType) else t


def _suffix(t: Attribute) -> str:
    """LLVM's overload suffix for a scalar type: f32, f64, i32, ..."""
    if is_float(t):
        return "f32" if dtype_of(t).itemsize == 4 else "f64"
    assert isinstance(t, IntegerType)
    return f"i{t.width.data}"


def _fastmath(op: Operation) -> llvm.FastMathAttr | None:
    flags = op.properties.get("fastmath")
    if isinstance(flags, arith.FastMathFlagsAttr) and flags.data:
        return llvm.FastMathAttr(flags.data)
    return None


class FunctionLowering:
    """Rebuilds one loops-level function in the llvm dialect."""

    def __init__(self, function: func.FuncOp, declarations: set[str], prototypes: OpPrototypes):
        self.function = function
        self.declarations = declarations
        self.values: dict[SSAValue, SSAValue] = {}
        self.buffers: dict[SSAValue, Buffer] = {}
        self.block_map: dict[Block, Block] = {}
        self.block: Block
        self.entry: Block
        self.tasks: list[llvm.FuncOp] = []
        """Functions `tg_parallel_for` calls, made while lowering this one."""
        self.row_offsets: dict[tuple[Block, int, tuple[SSAValue, ...]], SSAValue | None] = {}
        """Linear offsets of leading indices already computed in a block, by buffer."""
        self.zeros: set[SSAValue] = set()
        """Lowered integer constants equal to 0 (adding one is left out)."""
        self.prototypes = prototypes

    def emit(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def make(self, cls: type[Operation] | Callable[..., Operation], *operands_then_args: object) -> SSAValue:
        """Emit `cls(*operands_then_args)`: SSA operands first, then the constructor's
        other (hashable) arguments; built from a prototype of its kind."""
        if not isinstance(cls, type):  # a function building the op (FPowOp without fastmath flags)
            return self.emit(cls(*operands_then_args))
        split = next((i for i, a in enumerate(operands_then_args) if not isinstance(a, SSAValue)), len(operands_then_args))
        operands, args = operands_then_args[:split], operands_then_args[split:]
        return self.emit(self.prototypes.build(cls, operands, args, lambda: cls(*operands_then_args)))  # type: ignore[arg-type]

    def constant(self, n: int) -> SSAValue:
        return self.make(llvm.ConstantOp, _i64(n), i64)

    def value(self, v: SSAValue) -> SSAValue:
        """The lowered value; a memref passed to a call (BLAS) is its base pointer."""
        if v not in self.values and v in self.buffers:
            return self.buffers[v].ptr
        return self.values[v]

    def lower(self) -> llvm.FuncOp:
        old_blocks = list(self.function.body.blocks)
        entry = old_blocks[0]
        arg_types: list[Attribute] = []
        for arg in entry.args:
            if isinstance(arg.type, MemRefType):
                arg_types += [PTR] + [i64] * arg.type.get_num_dims()
            else:
                arg_types.append(_llvm_type(arg.type))
        new_entry = Block(arg_types=arg_types)
        self.block_map[entry] = new_entry
        self.entry = new_entry
        it = iter(new_entry.args)
        for arg in entry.args:
            if isinstance(arg.type, MemRefType):
                ptr = next(it)
                dims: list[SSAValue | int] = []
                for d in arg.type.get_shape():
                    size = next(it)
                    dims.append(size if d == DYNAMIC_INDEX else d)
                self.buffers[arg] = Buffer(ptr, dims)
            else:
                self.values[arg] = next(it)
        for block in old_blocks[1:]:
            new = Block(arg_types=[_llvm_type(a.type) for a in block.args])
            self.block_map[block] = new
            for a, n in zip(block.args, new.args):
                self.values[a] = n
        for block in old_blocks:
            self.block = self.block_map[block]
            for op in block.ops:
                handler = HANDLERS.get(type(op))
                if handler is None:
                    raise NotImplementedError(f"convert-loops-to-llvm cannot lower {op.name}")
                handler(self, op)
        ftype = llvm.LLVMFunctionType(arg_types, None)
        private = self.function.sym_visibility is not None and self.function.sym_visibility.data == "private"
        result = llvm.FuncOp(
            self.function.sym_name.data,
            ftype,
            linkage=llvm.LinkageAttr("internal" if private else "external"),
            body=Region([self.block_map[b] for b in old_blocks]),
        )
        result.arg_attrs = ArrayAttr(
            [DictionaryAttr({"llvm.noalias": UnitAttr()} if t == PTR else {}) for t in arg_types]
        )
        return result

    # --------------------------------------------------------------------- memory

    def address(self, buf: Buffer, indices: list[SSAValue], element: Attribute) -> SSAValue:
        """getelementptr of the row-major linear index. The offset of the leading
        indices is computed once per block and buffer (a row read at many columns)."""
        if not indices:
            return buf.ptr
        row = self.row_offset(buf, indices[:-1])
        last = indices[-1]
        if row is None or row in self.zeros:
            linear = last
        else:
            linear = row if last in self.zeros else self.make(llvm.AddOp, row, last)
        gep = self.prototypes.build(
            llvm.GEPOp,
            [buf.ptr, linear],
            ("address", element),
            lambda: llvm.GEPOp(buf.ptr, [llvm.GEP_USE_SSA_VAL], element, [linear], inbounds=True),
        )
        return self.emit(gep)

    def row_offset(self, buf: Buffer, leading: list[SSAValue]) -> SSAValue | None:
        """(…(i0 * d1 + i1) * d2 …) * d_last for the leading indices; None for none."""
        key = (self.block, id(buf), tuple(leading))
        if key in self.row_offsets:
            return self.row_offsets[key]
        linear: SSAValue | None = None
        for size, iv in zip(buf.dims[1:], leading):
            linear = iv if linear is None or linear in self.zeros else self.make(llvm.AddOp, linear, iv)
            if size != 1 and linear not in self.zeros:
                linear = self.make(llvm.MulOp, linear, self.constant(size) if isinstance(size, int) else size)
        self.row_offsets[key] = linear
        return linear

    def bytes_of(self, buf: Buffer, element: Attribute) -> SSAValue:
        size: SSAValue = self.constant(dtype_of(element).itemsize)
        for d in buf.dims:
            size = self.make(llvm.MulOp, size, self.constant(d) if isinstance(d, int) else d)
        return size

    def declare(self, name: str) -> None:
        self.declarations.add(name)

    def context(self, slots: int) -> SSAValue:
        """An array of `slots` 8-byte slots on the stack, allocated in the entry block
        (so that a parallel loop inside a sequential one does not grow the stack)."""
        count = llvm.ConstantOp(IntegerAttr(slots, i64), i64)
        array = llvm.AllocaOp(count, PTR, alignment=8)
        first = self.entry.first_op
        if first is None:
            self.entry.add_ops([count, array])
        else:
            self.entry.insert_ops_before([count, array], first)
        return array.results[0]


def _constant(lw: FunctionLowering, op: arith.ConstantOp) -> None:
    value = op.value
    t = _llvm_type(op.result.type)
    if isinstance(value, IntegerAttr):
        value = IntegerAttr(value.value.data, t)  # type: ignore[arg-type]
    elif not isinstance(value, FloatAttr):
        raise NotImplementedError(f"arith.constant {value}")
    lw.values[op.result] = lw.make(llvm.ConstantOp, value, t)
    if isinstance(value, IntegerAttr) and value.value.data == 0:
        lw.zeros.add(lw.values[op.result])


def _binary(llvm_op: Callable[..., Operation], float_math: bool):
    def handle(lw: FunctionLowering, op: Operation) -> None:
        lhs, rhs = (lw.value(v) for v in op.operands)
        args = (lhs, rhs, _fastmath(op)) if float_math else (lhs, rhs)
        lw.values[op.results[0]] = lw.make(llvm_op, *args)  # type: ignore[arg-type]

    return handle


def _add_integers(lw: FunctionLowering, op: arith.AddiOp) -> None:
    """Integer addition; adding a constant 0 yields the other operand."""
    lhs, rhs = lw.value(op.lhs), lw.value(op.rhs)
    if lhs in lw.zeros or rhs in lw.zeros:
        lw.values[op.result] = rhs if lhs in lw.zeros else lhs
    else:
        lw.values[op.result] = lw.make(llvm.AddOp, lhs, rhs)


def _intrinsic(name: str, *, result_from_operand: bool = True):
    """An op lowered to `llvm.call_intrinsic "llvm.NAME.<type>"`."""

    def handle(lw: FunctionLowering, op: Operation) -> None:
        args = [lw.value(v) for v in op.operands]
        t = _llvm_type(op.results[0].type)
        intrinsic = f"llvm.{name}.{_suffix(t)}"
        lw.values[op.results[0]] = lw.emit(llvm.CallIntrinsicOp(intrinsic, args, [t]))

    return handle


def _unary_intrinsic(llvm_op: Callable[..., Operation]):
    def handle(lw: FunctionLowering, op: Operation) -> None:
        lw.values[op.results[0]] = lw.emit(llvm_op(lw.value(op.operands[0])))

    return handle


def _cast(llvm_op: Callable[..., Operation]):
    def handle(lw: FunctionLowering, op: Operation) -> None:
        lw.values[op.results[0]] = lw.make(llvm_op, lw.value(op.operands[0]), op.results[0].type)  # type: ignore[arg-type]

    return handle


def _fptosi(lw: FunctionLowering, op: Operation) -> None:
    src, dst = op.operands[0].type, op.results[0].type
    intrinsic = f"llvm.fptosi.sat.{_suffix(dst)}.{_suffix(src)}"
    lw.values[op.results[0]] = lw.emit(llvm.CallIntrinsicOp(intrinsic, [lw.value(op.operands[0])], [dst]))


def _index_cast(lw: FunctionLowering, op: Operation) -> None:
    src = lw.value(op.operands[0])
    dst = _llvm_type(op.results[0].type)
    if src.type == dst:
        lw.values[op.results[0]] = src
    elif isinstance(dst, IntegerType) and dst.width.data < 64:
        lw.values[op.results[0]] = lw.emit(llvm.TruncOp(src, dst))
    else:
        lw.values[op.results[0]] = lw.emit(llvm.SExtOp(src, dst))


def _libm(name: str):
    """An op lowered to a call of libm's `name` (double) or `name`f (float): the
    functions with no LLVM intrinsic."""

    def handle(lw: FunctionLowering, op: Operation) -> None:
        args = [lw.value(v) for v in op.operands]
        t = op.results[0].type
        callee = name if dtype_of(t).itemsize == 8 else name + "f"
        lw.declare(callee)
        lw.values[op.results[0]] = lw.emit(llvm.CallOp(callee, *args, return_type=t))

    return handle


def _floordivsi(lw: FunctionLowering, op: Operation) -> None:
    """Signed division rounding toward -inf: the truncated quotient, less one where
    the remainder is nonzero and its sign differs from the divisor's (the divisor must
    be neither 0 nor -1 with the lowest dividend, as for `sdiv`)."""
    a, b = (lw.value(v) for v in op.operands)
    t = a.type
    zero = lw.emit(llvm.ConstantOp(IntegerAttr(0, t), t))  # type: ignore[arg-type]
    q = lw.emit(llvm.SDivOp(a, b))
    r = lw.emit(llvm.SRemOp(a, b))
    nonzero = lw.emit(llvm.ICmpOp(r, zero, IntegerAttr(1, 64)))  # ne
    signs_differ = lw.emit(llvm.ICmpOp(lw.emit(llvm.XOrOp(r, b)), zero, IntegerAttr(2, 64)))  # slt
    adjust = lw.emit(llvm.ZExtOp(lw.emit(llvm.AndOp(nonzero, signs_differ)), t))
    lw.values[op.results[0]] = lw.emit(llvm.SubOp(q, adjust))


def _llvm_op(lw: FunctionLowering, op: Operation) -> None:
    """An llvm-dialect op already at the loops level (llvm.frem, calls of libm
    functions that have no `math` op): the same op on the lowered operands."""
    new = type(op).create(
        operands=[lw.value(v) for v in op.operands],
        result_types=[r.type for r in op.results],
        properties=dict(op.properties),
        attributes=dict(op.attributes),
    )
    lw.emit(new)
    for old, result in zip(op.results, new.results, strict=True):
        lw.values[old] = result


def _abs_int(lw: FunctionLowering, op: Operation) -> None:
    x = lw.value(op.operands[0])
    zero = lw.emit(llvm.ConstantOp(IntegerAttr(0, x.type), x.type))  # type: ignore[arg-type]
    neg = lw.emit(llvm.SubOp(zero, x))
    is_neg = lw.emit(llvm.ICmpOp(x, zero, IntegerAttr(2, 64)))  # slt
    lw.values[op.results[0]] = lw.emit(llvm.SelectOp(is_neg, neg, x))


def _cmpi(lw: FunctionLowering, op: arith.CmpiOp) -> None:
    lhs, rhs = lw.value(op.lhs), lw.value(op.rhs)
    lw.values[op.result] = lw.make(llvm.ICmpOp, lhs, rhs, op.predicate)


def _cmpf(lw: FunctionLowering, op: arith.CmpfOp) -> None:
    lhs, rhs = lw.value(op.lhs), lw.value(op.rhs)
    lw.values[op.result] = lw.make(llvm.FCmpOp, lhs, rhs, op.predicate)


def _select(lw: FunctionLowering, op: arith.SelectOp) -> None:
    args = [lw.value(v) for v in op.operands]
    lw.values[op.result] = lw.make(llvm.SelectOp, *args)


def _negf(lw: FunctionLowering, op: arith.NegfOp) -> None:
    lw.values[op.result] = lw.emit(llvm.FNegOp(lw.value(op.operand)))


def _fabs(lw: FunctionLowering, op: math.AbsFOp) -> None:
    lw.values[op.result] = lw.emit(llvm.FAbsOp(lw.value(op.operand), op.result.type))


def _load(lw: FunctionLowering, op: memref.LoadOp) -> None:
    buf = lw.buffers[op.memref]
    addr = lw.address(buf, [lw.value(i) for i in op.indices], op.res.type)
    lw.values[op.res] = lw.make(llvm.LoadOp, addr, op.res.type)


def _store(lw: FunctionLowering, op: memref.StoreOp) -> None:
    buf = lw.buffers[op.memref]
    addr = lw.address(buf, [lw.value(i) for i in op.indices], op.value.type)
    lw.make(llvm.StoreOp, lw.value(op.value), addr)


def _dim(lw: FunctionLowering, op: memref.DimOp) -> None:
    index_op = op.index.owner
    assert isinstance(index_op, arith.ConstantOp) and isinstance(index_op.value, IntegerAttr)
    size = lw.buffers[op.source].dims[index_op.value.value.data]
    lw.values[op.result] = lw.constant(size) if isinstance(size, int) else size


def _alloc(lw: FunctionLowering, op: memref.AllocOp) -> None:
    t = op.memref.type
    sizes = iter(op.dynamic_sizes)
    dims: list[SSAValue | int] = [lw.value(next(sizes)) if d == DYNAMIC_INDEX else d for d in t.get_shape()]
    buf = Buffer(PTR, dims)  # type: ignore[arg-type]
    nbytes = lw.bytes_of(buf, t.element_type)
    lw.declare("tg_alloc")
    buf.ptr = lw.emit(llvm.CallOp("tg_alloc", nbytes, return_type=PTR))
    lw.buffers[op.memref] = buf


def _dealloc(lw: FunctionLowering, op: memref.DeallocOp) -> None:
    """Large blocks go back to tg's pool (tg.runtime.memory_pool), the rest to free."""
    buf = lw.buffers[op.memref]
    t = op.memref.type
    assert isinstance(t, MemRefType)
    lw.declare("tg_free")
    lw.emit(llvm.CallOp("tg_free", buf.ptr, lw.bytes_of(buf, t.element_type)))


def _get_global(lw: FunctionLowering, op: memref.GetGlobalOp) -> None:
    ptr = lw.emit(llvm.AddressOfOp(op.name_.root_reference, PTR))
    lw.buffers[op.memref] = Buffer(ptr, list(op.memref.type.get_shape()))


def _br(lw: FunctionLowering, op: cf.BranchOp) -> None:
    dest, args = lw.block_map[op.successor], [lw.value(a) for a in op.arguments]
    lw.emit(lw.prototypes.build(llvm.BrOp, args, (), lambda: llvm.BrOp(dest, *args), [dest]))


def _cond_br(lw: FunctionLowering, op: cf.ConditionalBranchOp) -> None:
    cond, then_block, else_block = lw.value(op.cond), lw.block_map[op.then_block], lw.block_map[op.else_block]
    then_args, else_args = [lw.value(a) for a in op.then_arguments], [lw.value(a) for a in op.else_arguments]
    branch = lw.prototypes.build(
        llvm.CondBrOp,
        [cond, *then_args, *else_args],
        (len(then_args), len(else_args)),
        lambda: llvm.CondBrOp(cond, then_block, then_args, else_block, else_args),
        [then_block, else_block],
    )
    lw.emit(branch)


def _return(lw: FunctionLowering, op: func.ReturnOp) -> None:
    if op.arguments:
        raise NotImplementedError("loops-level functions return their results through buffers")
    lw.emit(llvm.ReturnOp())


def _slot(emit: Callable[[Operation], SSAValue], prototypes: OpPrototypes, context: SSAValue, k: int) -> SSAValue:
    """The address of 8-byte slot k of a context array. Slots are typed as pointers
    so that the translator to llvmlite, which types pointers, takes any value there."""
    if not k:
        return context
    return emit(prototypes.build(llvm.GEPOp, [context], ("slot", k), lambda: llvm.GEPOp(context, [k], PTR, inbounds=True)))


def _parallel(lw: FunctionLowering, op: scf.ParallelOp) -> None:
    """The chunked loop of tg-outline-parallel-loops: pack what its outlined function
    takes into a context and hand the range to `tg_parallel_for`."""
    body = op.body.block
    call = next((o for o in body.ops if isinstance(o, func.CallOp)), None)
    if len(op.lowerBound) != 1 or call is None or len(call.arguments) < 2 or call.arguments[-2] is not body.args[0]:
        raise NotImplementedError("convert-loops-to-llvm lowers only the scf.parallel loops of tg-outline-parallel-loops")
    *captured, _start, _stop = call.arguments
    lo = lw.value(op.lowerBound[0])
    slots: list[SSAValue] = [lo]
    for value in captured:
        if isinstance(value.type, MemRefType):
            buf = lw.buffers[value]
            slots += [buf.ptr, *(d for d in buf.dims if not isinstance(d, int))]
        else:
            slots.append(lw.value(value))
    context = lw.context(len(slots))
    for k, value in enumerate(slots):
        lw.make(llvm.StoreOp, value, _slot(lw.emit, lw.prototypes, context, k))
    n = lw.make(llvm.SubOp, lw.value(op.upperBound[0]), lo)
    name = call.callee.root_reference.data
    task = lw.emit(llvm.AddressOfOp(f"{name}_task", PTR))
    lw.declare("tg_parallel_for")
    lw.emit(llvm.CallOp("tg_parallel_for", task, context, n, lw.value(op.step[0])))
    lw.tasks.append(_task(name, [v.type for v in captured], lw.prototypes))


def _task(name: str, types: list[Attribute], prototypes: OpPrototypes) -> llvm.FuncOp:
    """`@<name>_task(context, start, stop)`: the outlined function `name` over
    iterations [lo + start, lo + stop), its arguments loaded from the context."""
    block = Block(arg_types=[PTR, i64, i64])
    context, start, stop = block.args

    def emit(op: Operation) -> SSAValue:
        block.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def load(k: int, t: Attribute) -> SSAValue:
        address = _slot(emit, prototypes, context, k)
        return emit(prototypes.build(llvm.LoadOp, [address], (t,), lambda: llvm.LoadOp(address, t)))

    lo = load(0, i64)
    k = 1
    arguments: list[SSAValue] = []
    for t in types:
        if isinstance(t, MemRefType):
            arguments.append(load(k, PTR))
            k += 1
            for d in t.get_shape():
                if d == DYNAMIC_INDEX:
                    arguments.append(load(k, i64))
                    k += 1
                else:
                    arguments.append(emit(prototypes.build(llvm.ConstantOp, [], (d,), lambda: llvm.ConstantOp(_i64(d), i64))))
        else:
            arguments.append(load(k, _llvm_type(t)))
            k += 1
    arguments += [emit(llvm.AddOp(lo, start)), emit(llvm.AddOp(lo, stop))]
    emit(llvm.CallOp(name, *arguments))
    emit(llvm.ReturnOp())
    ftype = llvm.LLVMFunctionType([PTR, i64, i64], None)
    return llvm.FuncOp(f"{name}_task", ftype, linkage=llvm.LinkageAttr("internal"), body=Region([block]))


HANDLERS: dict[type[Operation], Callable[[FunctionLowering, Operation], None]] = {
    arith.ConstantOp: _constant,
    arith.AddiOp: _add_integers,
    arith.SubiOp: _binary(llvm.SubOp, False),
    arith.MuliOp: _binary(llvm.MulOp, False),
    arith.AddfOp: _binary(llvm.FAddOp, True),
    arith.SubfOp: _binary(llvm.FSubOp, True),
    arith.MulfOp: _binary(llvm.FMulOp, True),
    arith.DivfOp: _binary(llvm.FDivOp, True),
    arith.MaximumfOp: _intrinsic("maximum"),
    arith.MinimumfOp: _intrinsic("minimum"),
    arith.MaxSIOp: _intrinsic("smax"),
    arith.MinSIOp: _intrinsic("smin"),
    arith.NegfOp: _negf,
    arith.ShRUIOp: _binary(llvm.LShrOp, False),
    arith.BitcastOp: _cast(llvm.BitcastOp),
    arith.CmpiOp: _cmpi,
    arith.CmpfOp: _cmpf,
    arith.SelectOp: _select,
    arith.ExtFOp: _cast(llvm.FPExtOp),
    arith.TruncFOp: _cast(llvm.FPTruncOp),
    arith.ExtSIOp: _cast(llvm.SExtOp),
    arith.ExtUIOp: _cast(llvm.ZExtOp),
    arith.TruncIOp: _cast(llvm.TruncOp),
    arith.SIToFPOp: _cast(llvm.SIToFPOp),
    arith.FPToSIOp: _fptosi,
    arith.IndexCastOp: _index_cast,
    math.ExpOp: _unary_intrinsic(llvm.FExpOp),
    math.LogOp: _unary_intrinsic(llvm.FLogOp),
    math.SqrtOp: _unary_intrinsic(llvm.FSqrtOp),
    math.TanhOp: _intrinsic("tanh"),
    math.PowFOp: _binary(lambda a, b, fm: llvm.FPowOp(a, b), True),
    math.AbsFOp: _fabs,
    math.AbsIOp: _abs_int,
    arith.FloorDivSIOp: _floordivsi,
    arith.RemSIOp: _binary(llvm.SRemOp, False),
    arith.DivSIOp: _binary(llvm.SDivOp, False),
    arith.DivUIOp: _binary(llvm.UDivOp, False),
    arith.RemUIOp: _binary(llvm.URemOp, False),
    arith.AndIOp: _binary(llvm.AndOp, False),
    arith.OrIOp: _binary(llvm.OrOp, False),
    arith.XOrIOp: _binary(llvm.XOrOp, False),
    math.SinOp: _intrinsic("sin"),
    math.CosOp: _intrinsic("cos"),
    math.TanOp: _intrinsic("tan"),
    math.AsinOp: _intrinsic("asin"),
    math.AcosOp: _intrinsic("acos"),
    math.AtanOp: _intrinsic("atan"),
    math.Atan2Op: _intrinsic("atan2"),
    math.SinhOp: _intrinsic("sinh"),
    math.CoshOp: _intrinsic("cosh"),
    math.FloorOp: _intrinsic("floor"),
    math.CeilOp: _intrinsic("ceil"),
    math.TruncOp: _intrinsic("trunc"),
    math.RoundOp: _intrinsic("round"),
    math.RoundEvenOp: _intrinsic("roundeven"),
    math.CopySignOp: _intrinsic("copysign"),
    math.Log2Op: _intrinsic("log2"),
    math.Log10Op: _intrinsic("log10"),
    math.Exp2Op: _intrinsic("exp2"),
    math.ErfOp: _libm("erf"),
    math.Log1pOp: _libm("log1p"),
    math.ExpM1Op: _libm("expm1"),
    math.AsinhOp: _libm("asinh"),
    math.AcoshOp: _libm("acosh"),
    math.AtanhOp: _libm("atanh"),
    llvm.FRemOp: _llvm_op,
    llvm.CallOp: _llvm_op,
    llvm.GEPOp: _llvm_op,
    memref.LoadOp: _load,
    memref.StoreOp: _store,
    memref.DimOp: _dim,
    memref.AllocOp: _alloc,
    memref.DeallocOp: _dealloc,
    memref.GetGlobalOp: _get_global,
    cf.BranchOp: _br,
    cf.ConditionalBranchOp: _cond_br,
    func.ReturnOp: _return,
    scf.ParallelOp: _parallel,
}
"""How each loops-level op becomes llvm-dialect ops."""

_LIBC: dict[str, llvm.LLVMFunctionType] = {
    "malloc": llvm.LLVMFunctionType([i64], PTR),
    "free": llvm.LLVMFunctionType([PTR], None),
    "tg_parallel_for": llvm.LLVMFunctionType([PTR, PTR, i64, i64], None),
    "tg_alloc": llvm.LLVMFunctionType([i64], PTR),
    "tg_free": llvm.LLVMFunctionType([PTR, i64], None),
}
for _name in ("erf", "erfc", "log1p", "expm1", "asinh", "acosh", "atanh"):
    _LIBC[_name] = llvm.LLVMFunctionType([f64], f64)
    _LIBC[_name + "f"] = llvm.LLVMFunctionType([f32], f32)


def _global(op: memref.GlobalOp) -> llvm.GlobalOp:
    value = op.initial_value
    assert isinstance(value, DenseIntOrFPElementsAttr)
    t = op.type
    count = 1
    for d in t.get_shape():
        count *= d
    array = llvm.LLVMArrayType(count, t.element_type)
    flat = DenseIntOrFPElementsAttr(TensorType(t.element_type, [count]), value.data)
    return llvm.GlobalOp(array, op.sym_name, "internal", constant=True, value=flat)


@dataclass(frozen=True)
class ConvertLoopsToLLVM(ModulePass):
    """Lower loops-level functions (after convert-scf-to-cf) to the llvm dialect."""

    name = "convert-loops-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        declarations: set[str] = set()
        prototypes = OpPrototypes()
        block = op.body.block
        for child in list(block.ops):
            if isinstance(child, func.FuncOp):
                lowering = FunctionLowering(child, declarations, prototypes)
                block.insert_op_before(lowering.lower(), child)
                for task in lowering.tasks:
                    block.insert_op_before(task, child)
                block.erase_op(child)
            elif isinstance(child, memref.GlobalOp):
                block.insert_op_before(_global(child), child)
                block.erase_op(child)
        declared = {f.sym_name.data for f in block.ops if isinstance(f, llvm.FuncOp)}
        for name in sorted(declarations - declared):
            block.add_op(llvm.FuncOp(name, _LIBC[name], linkage=llvm.LinkageAttr("external")))
