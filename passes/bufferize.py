"""tg-bufferize: from tensors to buffers (the `buffers` level), with in-place
decisions and a liveness-based buffer plan.

A fused function `(tensors) -> (tensors)` becomes `(input memrefs, output memrefs,
status) -> ()`: each `tg.fusion` becomes a `tg.compute` reading and writing
buffers. Where each result goes:

- a function result is written straight into its output buffer; a shared
  variable's update (`tg.updates` on the function) is written into the variable's
  own storage instead when nothing reads the old value afterwards, the kernel reads
  it only at the index it writes, and no check that can fail at run time comes
  later (so a failed call leaves the variable as it was);
- an intermediate goes into the buffer of an input that dies here when the kernel
  may destroy it (each op says which operands it may destroy:
  `TgOp.destroyable_operands`), else into a dead buffer of the same shape, else a
  new `tg.buffer`;
- the caller's inputs are never written, unless lent (`tg.mutable` on the function:
  `In(..., mutable=True)`); outputs never share a buffer.

The function records the plan: `tg.inplace_updates` (pairs of output index and
argument index written in place, whose output buffers are dropped), `tg.buffers`
(intermediate buffers) and `tg.peak_bytes` (most intermediate bytes live at once;
-1 when a size is only known at run time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tg.dialects import tg
from tg.dialects.tensor_types import dtype_of, memref_type, static_shape
from tg.dialects.tg_kernel import (
    INPLACE_UPDATES,
    MUTABLE,
    UPDATES,
    BufferOp,
    ComputeOp,
    FusionOp,
    FusionYieldOp,
    ReleaseOp,
)
from xdsl.context import Context
from xdsl.dialects import func, memref
from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue
from xdsl.passes import ModulePass


def int_pairs(function: func.FuncOp, name: str) -> list[int]:
    attr = function.attributes.get(name)
    return [int(v) for v in attr.get_values()] if isinstance(attr, DenseArrayBase) else []  # type: ignore[union-attr]


# ------------------------------------------------------------------- analysis


def can_destroy(body: Block, arg_index: int, result_index: int) -> bool:
    """Whether a kernel may write result `result_index` over its input `arg_index`:
    it computes elementwise only (one loop over the result's shape) and every op
    reading the input declares that operand destroyable (read at the index it
    writes); or the result is a stored op (a gemm) that alone reads the input, as an
    operand it declares destroyable (its accumulator)."""
    arg = body.args[arg_index]
    terminator = body.last_op
    assert isinstance(terminator, FusionYieldOp)
    result = terminator.values[result_index]
    if result.type != arg.type:
        return False
    owner = result.owner
    if isinstance(owner, tg.TgOp) and owner.FUSION == "stored":
        # one op that accumulates into an operand (a gemm into z)
        return all(u.operation is owner and u.index in owner.destroyable_operands() for u in arg.uses)
    for op in body.ops:
        if isinstance(op, FusionYieldOp):
            continue
        if not isinstance(op, tg.TgOp) or op.FUSION != "elementwise" and not isinstance(op, tg.ConstantOp):
            return False
    for use in arg.uses:
        user = use.operation
        if isinstance(user, FusionYieldOp):
            continue  # the value itself is an output: element i copied to element i
        if not isinstance(user, tg.TgOp) or use.index not in user.destroyable_operands():
            return False
    return True


def checks_at_run_time(body: Block) -> bool:
    return any(isinstance(op, tg.TgOp) and op.CHECKS_AT_RUN_TIME for op in body.walk())


def shape_key(value: SSAValue, axis: int) -> object:
    """What determines a dimension's size: a static size, an argument's dimension,
    or (when only run time knows) the value itself."""
    static = static_shape(value.type)[axis]
    if static is not None:
        return static
    seen = 0
    while seen < 256:
        seen += 1
        owner = value.owner
        if isinstance(owner, Block):
            parent = owner.parent_op()
            if isinstance(parent, func.FuncOp):
                return ("argument", value.index if isinstance(value, BlockArgument) else 0, axis)  # type: ignore[union-attr]
            if isinstance(parent, FusionOp):
                value = parent.inputs[value.index]  # type: ignore[union-attr]
                continue
            break
        if isinstance(owner, FusionOp):
            value = owner.yielded[value.index]  # type: ignore[union-attr]
            continue
        if isinstance(owner, tg.TgOp):
            sources = owner.dim_sources(axis)
            if not sources:
                break
            operand, axis = sources[0]
            value = owner.operands[operand]
            if static_shape(value.type)[axis] is not None:
                return static_shape(value.type)[axis]
            continue
        break
    return ("value", id(value), axis)


def _key(value: SSAValue) -> tuple[object, ...]:
    return (value.type, *(shape_key(value, a) for a in range(len(static_shape(value.type)))))


def _bytes(t: Attribute) -> int | None:
    assert isinstance(t, MemRefType)
    shape = [None if d < 0 else d for d in t.get_shape()]
    if None in shape:
        return None
    return int(np.prod(shape, dtype=np.int64)) * dtype_of(t.element_type).itemsize


# -------------------------------------------------------------------- the plan


@dataclass
class _Buffer:
    value: SSAValue
    """The memref."""
    key: tuple[object, ...] | None
    """The shape key of what it holds (None: an argument or output buffer)."""
    intermediate: bool
    first: int = -1
    last: int = -1


class Bufferizer:
    """Turns one fused function into its buffers-level form."""

    def __init__(self, function: func.FuncOp, globals_: list[Operation]):
        self.function = function
        self.globals = globals_
        old = function.body.block
        self.ops = [op for op in old.ops if not isinstance(op, func.ReturnOp)]
        terminator = old.last_op
        self.returned = list(terminator.operands) if isinstance(terminator, func.ReturnOp) else []
        pairs = int_pairs(function, UPDATES)
        self.updates = dict(zip(pairs[0::2], pairs[1::2]))
        self.mutable = set(int_pairs(function, MUTABLE))
        self.last_read: dict[SSAValue, int] = {}
        for i, op in enumerate(self.ops):
            for v in op.operands:
                self.last_read[v] = i
        for v in self.returned:
            self.last_read[v] = len(self.ops)
        # shape keys are read through kernel bodies, which move into tg.compute ops
        self.keys = {r: _key(r) for op in self.ops if isinstance(op, FusionOp) for r in op.outputs}
        self.keys.update({a: _key(a) for a in old.args})
        self.may_fail_after = [False] * (len(self.ops) + 1)
        for i in reversed(range(len(self.ops))):
            op = self.ops[i]
            body = op.body.block if isinstance(op, FusionOp) else None
            self.may_fail_after[i] = self.may_fail_after[i + 1] or (body is not None and checks_at_run_time(body))

    def run(self) -> func.FuncOp:
        old = self.function.body.block
        arg_types: list[Attribute] = [memref_type(a.type) for a in old.args]
        first_output: dict[SSAValue, int] = {}
        for k, v in enumerate(self.returned):
            first_output.setdefault(v, k)
        inplace = self._inplace_updates(first_output)
        kept_outputs = [k for k in range(len(self.returned)) if k not in inplace]
        arg_types += [memref_type(self.returned[k].type) for k in kept_outputs]
        arg_types.append(MemRefType(IntegerType(32), []))
        block = Block(arg_types=arg_types)
        block.args[-1].name_hint = "status"
        for a, new in zip(old.args, block.args):
            new.name_hint = a.name_hint
        out_param = {k: block.args[len(old.args) + n] for n, k in enumerate(kept_outputs)}
        for k, arg in out_param.items():
            arg.name_hint = f"out{k}"
        self.block = block
        self.buffer_of: dict[SSAValue, _Buffer] = {}
        for a, new in zip(old.args, block.args):
            self.buffer_of[a] = _Buffer(new, None, False)
        self.free: list[_Buffer] = []
        self.buffers: list[_Buffer] = []
        self.holders: dict[SSAValue, list[SSAValue]] = {}  # memref -> tensor values stored in it

        for i, op in enumerate(self.ops):
            if isinstance(op, tg.ConstantOp):
                self.buffer_of[op.result] = _Buffer(self._global(op), None, False)
                continue
            assert isinstance(op, FusionOp), f"tg-bufferize expects fused IR, found {op.name}"
            outs: list[_Buffer] = []
            for o, r in enumerate(op.outputs):
                k = first_output.get(r)
                if k is not None and k in inplace:
                    outs.append(self.buffer_of[old.args[inplace[k]]])
                elif k is not None:
                    outs.append(_Buffer(out_param[k], None, False))
                else:
                    outs.append(self._intermediate(op, o, i, outs))
            self._emit_compute(op, outs, i)
            for r, b in zip(op.outputs, outs):
                self.buffer_of[r] = b
                self.holders.setdefault(b.value, []).append(r)
            self._free_dead(op, i)
        for k, v in enumerate(self.returned):
            if k in inplace or first_output[v] == k and isinstance(v.owner, FusionOp):
                continue
            self._copy(self.buffer_of[v].value, out_param[k], len(self.ops))
        self._place_releases()
        block.add_op(func.ReturnOp())
        new = func.FuncOp(self.function.sym_name.data, (arg_types, []), Region(block))
        for name, attr in self.function.attributes.items():
            if name not in ("sym_name", "function_type"):
                new.attributes[name] = attr
        if inplace:
            pairs = [x for k in sorted(inplace) for x in (k, inplace[k])]
            new.attributes[INPLACE_UPDATES] = DenseArrayBase.from_list(i64, pairs)
        new.attributes["tg.buffers"] = IntegerAttr(len(self.buffers), i64)
        new.attributes["tg.peak_bytes"] = IntegerAttr(self._peak_bytes(), i64)
        return new

    # --------------------------------------------------------------- decisions

    def _inplace_updates(self, first_output: dict[SSAValue, int]) -> dict[int, int]:
        """Outputs written into the storage of the shared variable they update."""
        chosen: dict[int, int] = {}
        old = self.function.body.block
        for k, j in self.updates.items():
            if k >= len(self.returned) or j >= len(old.args):
                continue
            value, arg = self.returned[k], old.args[j]
            owner = value.owner
            if not isinstance(owner, FusionOp) or first_output[value] != k or self.returned.count(value) > 1:
                continue
            if arg in self.returned:
                continue
            i = self.ops.index(owner)
            if self.last_read.get(arg, -1) > i or self.may_fail_after[i + 1]:
                continue
            readers = [n for n, v in enumerate(owner.inputs) if v == arg]
            o = list(owner.outputs).index(value)
            if all(can_destroy(owner.body.block, n, o) for n in readers):
                chosen[k] = j
        return chosen

    def _intermediate(self, op: FusionOp, o: int, i: int, taken: list[_Buffer]) -> _Buffer:
        value = op.outputs[o]
        key = self.keys[value]
        for n, v in enumerate(op.inputs):
            b = self.buffer_of.get(v)
            if b is None or b in taken or self.last_read.get(v, -1) > i or v in self.returned:
                continue
            lent = isinstance(v, BlockArgument) and v.index in self.mutable and not b.intermediate
            if not (b.intermediate or lent) or memref_type(value.type) != b.value.type:
                continue
            if any(self.last_read.get(h, -1) > i or h in self.returned for h in self.holders.get(b.value, [])):
                continue
            if not (b.intermediate and b.key == key or lent and key == self.keys.get(v)):
                continue
            if can_destroy(op.body.block, n, o):
                return b
        for b in self.free:
            if b.key == key and b not in taken:
                self.free.remove(b)
                return b
        buffer = BufferOp(memref_type(value.type))
        buffer.result.name_hint = f"buf{len(self.buffers)}"
        self.block.add_op(buffer)
        b = _Buffer(buffer.result, key, True)
        self.buffers.append(b)
        return b

    def _free_dead(self, op: FusionOp, i: int) -> None:
        """Intermediate buffers whose every value is dead after op `i` become free."""
        for v in {*op.inputs, *op.outputs}:
            b = self.buffer_of.get(v)
            if b is None or not b.intermediate or b in self.free:
                continue
            if all(self.last_read.get(h, -1) <= i and h not in self.returned for h in self.holders.get(b.value, [])):
                self.free.append(b)

    # ----------------------------------------------------------------- emission

    def _emit_compute(self, op: FusionOp, outs: list[_Buffer], i: int) -> None:
        ins = [self.buffer_of[v] for v in op.inputs]
        region = op.detach_region(op.body)
        compute = ComputeOp([b.value for b in ins], [b.value for b in outs], region)
        self.block.add_op(compute)
        for b in [*ins, *outs]:
            if b.first < 0:
                b.first = i
            b.last = max(b.last, i)

    def _copy(self, source: SSAValue, dest: SSAValue, i: int) -> None:
        t = source.type
        assert isinstance(t, MemRefType)
        body = Block(arg_types=[TensorType(t.element_type, t.get_shape())])
        body.add_op(FusionYieldOp(body.args[0]))
        self.block.add_op(ComputeOp([source], [dest], Region(body)))
        for b in self.buffers:
            if b.value == source:
                b.last = max(b.last, i)

    def _global(self, op: tg.ConstantOp) -> SSAValue:
        name = f"__tg_constant_{len(self.globals)}"
        t = memref_type(op.result.type)
        value = DenseIntOrFPElementsAttr(op.value.type, op.value.data)
        self.globals.append(memref.GlobalOp.get(StringAttr(name), t, value, constant=UnitAttr()))
        get = memref.GetGlobalOp(name, t)
        get.results[0].name_hint = op.result.name_hint
        self.block.add_op(get)
        return get.results[0]

    def _place_releases(self) -> None:
        computes = [op for op in self.block.ops if isinstance(op, ComputeOp)]
        position = {id(op): n for n, op in enumerate(computes)}
        for b in self.buffers:
            readers = [c for c in computes if b.value in c.ins or b.value in c.outs]
            if not readers:
                continue
            last = max(readers, key=lambda c: position[id(c)])
            self.block.insert_op_after(ReleaseOp(b.value), last)

    def _peak_bytes(self) -> int:
        sizes = [_bytes(b.value.type) for b in self.buffers]  # type: ignore[arg-type]
        if None in sizes:
            return -1
        peak = 0
        for i in range(len(self.ops) + 1):
            live = sum(s for b, s in zip(self.buffers, sizes) if b.first <= i <= b.last)  # type: ignore[misc]
            peak = max(peak, live)
        return peak


def to_buffers_level(module: ModuleOp) -> None:
    """Fuse and bufferize `module` if any of its functions still takes tensors (a
    tg-level module given to a pass that lowers the buffers level)."""
    from tg.passes.fuse import fuse_function

    functions = [f for f in module.ops if isinstance(f, func.FuncOp)]
    if any(not any(isinstance(t, MemRefType) for t in f.function_type.inputs) for f in functions):
        for f in functions:
            fuse_function(f)
        bufferize_module(module)


def bufferize_module(module: ModuleOp) -> None:
    globals_: list[Operation] = [op for op in module.ops if isinstance(op, memref.GlobalOp)]
    count = len(globals_)
    for function in [f for f in module.ops if isinstance(f, func.FuncOp)]:
        if any(isinstance(t, MemRefType) for t in function.function_type.inputs):
            continue  # already at the buffers level
        new = Bufferizer(function, globals_).run()
        module.body.block.insert_op_before(new, function)
        module.body.block.erase_op(function)
    first = module.body.block.first_op
    for g in globals_[count:]:
        module.body.block.insert_op_before(g, first) if first else module.body.block.add_op(g)


@dataclass(frozen=True)
class TgBufferize(ModulePass):
    """Tensors to buffers: in-place decisions and the buffer plan (the `buffers` level)."""

    name = "tg-bufferize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        bufferize_module(op)


__all__ = ["INPLACE_UPDATES", "MUTABLE", "UPDATES", "TgBufferize", "bufferize_module"]
