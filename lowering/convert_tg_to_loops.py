"""convert-tg-to-loops: buffers-level functions to `scf`/`memref`/`arith`/`math` loops.

The function keeps its signature `(input memrefs, output memrefs, status) -> ()`
(destination-passing style: the caller allocates the outputs). Each `tg.compute`
becomes one loop nest: elementwise ops and views of its body are computed inline
per element (views are index arithmetic), a reduction keeps its accumulator in a
register while side outputs are stored, and other ops (products, indexing, random
draws) use their own materializer. `tg.buffer`s are `memref.alloc`ed where first
written and freed at their `tg.release`. A tg-level function is fused (tg-fuse) and
bufferized (tg-bufferize) first, so this pass also runs alone on graph-level IR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tg.dialects import tg
from tg.dialects.tensor_types import (
    dtype_of,
    is_bool,
    is_float,
    memref_type,
    static_shape,
)
from tg.dialects.tg_kernel import INPLACE_UPDATES, BufferOp, ComputeOp, ReleaseOp
from xdsl.context import Context
from xdsl.dialects import arith, func, llvm, math, memref, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnitAttr,
    i1,
    i64,
)
from xdsl.dialects.utils.fast_math import FastMathFlag
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass

INDEX = IndexType()
PARALLEL = "tg.parallel"
"""Attribute of an `scf.for` whose iterations are independent (see `LoopsBuilder.loops`)."""
REASSOC = arith.FastMathFlagsAttr([FastMathFlag.REASSOC, FastMathFlag.ALLOW_CONTRACT])



def _broadcasts(operand: SSAValue, result: SSAValue) -> bool:
    """Whether an elementwise op reads `operand` repeatedly along a broadcast axis."""
    return any(o == 1 and r != 1 for o, r in zip(static_shape(operand.type), static_shape(result.type)))


def _fusion(value: SSAValue) -> str:
    owner = value.owner
    return owner.FUSION if isinstance(owner, tg.TgOp) else "stored"


def _read_once(value: SSAValue) -> bool:
    """Whether `value` is read at most once per element by its single consumer chain,
    so that computing it inline duplicates no work."""
    while True:
        if not value.has_one_use():
            return False
        user = next(iter(value.uses)).operation
        if not isinstance(user, tg.TgOp) or not user.READS_ONCE:
            return False
        if user.FUSION == "elementwise":
            return not _broadcasts(value, user.results[0])
        if user.FUSION == "view":  # always inline: whoever reads it reads `value`
            value = user.results[0]
            continue
        return True


def needs_buffer(value: SSAValue) -> bool:
    """Whether a tg value is stored in a buffer rather than computed where it is read."""
    owner = value.owner
    if isinstance(owner, Block):
        return True
    if isinstance(owner, tg.ConstantOp):
        return not owner.is_splat()
    fusion = _fusion(value)
    if fusion == "view":
        return False
    if fusion == "elementwise":
        return not _read_once(value)
    return True


def computed_inline(op: Operation) -> bool:
    """Ops of a kernel body computed where they are read (per element), not stored."""
    if isinstance(op, tg.ConstantOp):
        return op.is_splat()
    return isinstance(op, tg.TgOp) and op.FUSION in ("elementwise", "view")


ACCUMULATOR_LANES = 16
"""Accumulators of a row reduction that LLVM cannot vectorize by itself (two AVX2
vectors of float32)."""

MAX_FUSED_DEPTH = 32
"""Longest chain of ops computed inline in one loop body before a value is stored
(keeps loop bodies, and the recursion that builds them, bounded)."""


def plan_buffers(block: Block) -> set[SSAValue]:
    """The values of a tg function body that are stored in buffers."""
    stored: set[SSAValue] = set(block.args)
    depth: dict[SSAValue, int] = {}
    for op in block.ops:
        if not op.results:  # the terminator: func.return or tg.yield
            break
        value = op.results[0]
        d = 1 + max((depth.get(v, 0) for v in op.operands if v not in stored), default=0)
        if needs_buffer(value) or d >= MAX_FUSED_DEPTH:
            stored.add(value)
            d = 0
        depth[value] = d
    return stored


@dataclass
class _Kernel:
    """Per-loop-nest cache: values already computed at given indices."""

    computed: dict[tuple[SSAValue, tuple[SSAValue, ...]], SSAValue]


class LoopsBuilder:
    """Builds the loops-level body of one function, op by op."""

    def __init__(self, block: Block, module_symbols: list[Operation], status: SSAValue):
        self.block = block
        self.status = status
        self.errors: list[str] = []
        self.entry = block
        self.entry_indices: dict[int, SSAValue] = {}
        self.globals = module_symbols
        self.buffers: dict[SSAValue, SSAValue] = {}
        self.dim_cache: dict[SSAValue, list[SSAValue]] = {}
        self.kernel = _Kernel({})
        self.outermost = block
        self.gated: Block | None = None
        self.c0 = self.index(0)
        self.c1 = self.index(1)

    # ------------------------------------------------------------------ emission

    def emit(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def fail_if(self, bad: SSAValue, error: str, message: str) -> None:
        """Record error `message` (raised as Python exception class `error`, e.g.
        "IndexError") when the i1 `bad` is true. Code that checks must also keep its
        memory accesses in bounds: the call completes and the runtime raises after it,
        before any shared variable is written."""
        self.errors.append(f"{error}|{message}")
        code = self.scalar_constant(len(self.errors), IntegerType(32))
        store = memref.StoreOp.get(code, self.status, [])
        self.emit(scf.IfOp(bad, [], [store, scf.YieldOp()]))

    def index(self, n: int) -> SSAValue:
        """An index constant (shared by the whole function when built at its top)."""
        if self.block is not self.entry:
            return self.emit(arith.ConstantOp(IntegerAttr(n, INDEX)))
        if n not in self.entry_indices:
            self.entry_indices[n] = self.emit(arith.ConstantOp(IntegerAttr(n, INDEX)))
        return self.entry_indices[n]

    def scalar_constant(self, value: float | bool, element: Attribute) -> SSAValue:
        if is_float(element):
            return self.emit(arith.ConstantOp(FloatAttr(float(value), element)))  # type: ignore[arg-type]
        assert isinstance(element, IntegerType)
        return self.emit(arith.ConstantOp(IntegerAttr(int(value), element)))

    def loops(
        self, bounds: Sequence[SSAValue], body: Callable[[list[SSAValue]], None], parallel: bool = False
    ) -> None:
        """Perfectly nested `scf.for` loops over [0, bound) each, running `body` innermost.
        `parallel` marks the outermost loop `tg.parallel`: its iterations write disjoint
        memory and read nothing another iteration writes, so they may run on any thread
        in any order."""
        ivs: list[SSAValue] = []

        def nest(depth: int) -> None:
            if depth == len(bounds):
                body(list(ivs))
                return
            loop_body = Block(arg_types=[INDEX])
            outer = self.block
            self.block = loop_body
            ivs.append(loop_body.args[0])
            nest(depth + 1)
            ivs.pop()
            self.emit(scf.YieldOp())
            self.block = outer
            # appended after its body, so that sizes computed meanwhile precede it
            loop = scf.ForOp(self.c0, bounds[depth], self.c1, [], loop_body)
            if parallel and depth == 0:
                loop.attributes[PARALLEL] = UnitAttr()
            self.emit(loop)

        nest(0)

    def accumulate(
        self,
        bound: SSAValue,
        init: SSAValue,
        step: Callable[[SSAValue, SSAValue], SSAValue],
    ) -> SSAValue:
        """`scf.for` over [0, bound) carrying an accumulator: acc = step(iv, acc)."""
        loop_body = Block(arg_types=[INDEX, init.type])
        outer, known = self.block, dict(self.kernel.computed)
        self.block = loop_body
        self.emit(scf.YieldOp(step(loop_body.args[0], loop_body.args[1])))
        self.block, self.kernel.computed = outer, known  # what the body computed stays in it
        return self.emit(scf.ForOp(self.c0, bound, self.c1, [init], loop_body))

    def accumulate_lanes(
        self,
        bound: SSAValue,
        init: SSAValue,
        step: Callable[[SSAValue, SSAValue], SSAValue],
        combine: Callable[[SSAValue, SSAValue], SSAValue],
        lanes: int = ACCUMULATOR_LANES,
    ) -> SSAValue:
        """Like `accumulate`, with `lanes` accumulators that take consecutive elements
        (a reduction LLVM does not vectorize by itself, such as NaN-propagating max,
        becomes SLP-vectorizable), combined pairwise in a fixed order at the end,
        then the remainder elements."""
        # the split point is computed with the sizes, before any loop: a loop's work
        # estimate (tg-outline-parallel-loops) then sees the trip counts
        block, self.block = self.block, self.entry
        width = self.index(lanes)
        main = self.emit(arith.SubiOp(bound, self.emit(arith.RemUIOp(bound, width))))
        self.block = block
        body = Block(arg_types=[INDEX] + [init.type] * lanes)
        outer, known = self.block, dict(self.kernel.computed)
        self.block = body
        accs = []
        for lane, acc in enumerate(body.args[1:]):
            iv = body.args[0] if lane == 0 else self.emit(arith.AddiOp(body.args[0], self.index(lane)))
            accs.append(step(iv, acc))
        self.emit(scf.YieldOp(*accs))
        self.block, self.kernel.computed = outer, dict(known)
        loop = scf.ForOp(self.c0, main, width, [init] * lanes, body)
        self.emit(loop)
        partial = list(loop.results)
        while len(partial) > 1:
            partial = [combine(partial[i], partial[i + 1]) for i in range(0, len(partial), 2)]
        rest = Block(arg_types=[INDEX, init.type])
        self.block = rest
        self.emit(scf.YieldOp(step(rest.args[0], rest.args[1])))
        self.block, self.kernel.computed = outer, known
        return self.emit(scf.ForOp(main, bound, self.c1, [partial[0]], rest))

    # --------------------------------------------------------------------- shapes

    def dims(self, value: SSAValue) -> list[SSAValue]:
        """Index values holding the sizes of a tg value, computed in the function's
        entry block (before any loop being built) so that every later use sees them."""
        if value in self.dim_cache:
            return self.dim_cache[value]
        block, kernel = self.block, self.kernel
        self.block, self.kernel = self.entry, _Kernel({})
        try:
            return self._dims(value)
        finally:
            self.block, self.kernel = block, kernel

    def _dims(self, value: SSAValue) -> list[SSAValue]:
        static = static_shape(value.type)
        if value in self.buffers and (None in static):
            buf = self.buffers[value]
            dims = [self.index(d) if d is not None else self.emit(memref.DimOp(buf, self.index(a)))
                    for a, d in enumerate(static)]
        elif None not in static:
            dims = [self.index(d) for d in static]  # type: ignore[arg-type]
        else:
            dims = self._derived_dims(value, static)
        self.dim_cache[value] = dims
        return dims

    def _derived_dims(self, value: SSAValue, static: tuple[int | None, ...]) -> list[SSAValue]:
        op = value.owner
        assert isinstance(op, tg.TgOp)
        rule = DIM_RULES.get(type(op))
        if rule is not None:
            return rule(self, op)
        dims: list[SSAValue] = []
        for axis, d in enumerate(static):
            sources = op.dim_sources(axis)
            if d is not None or not sources:
                dims.append(self.index(1 if d is None else d))
            else:
                operand, operand_axis = sources[0]
                dims.append(self.dims(op.operands[operand])[operand_axis])
        return dims

    # -------------------------------------------------------------------- scalars

    def scalar(self, value: SSAValue, ivs: Sequence[SSAValue]) -> SSAValue:
        """The element of tg value `value` at indices `ivs`, emitted at the insertion point."""
        key = (value, tuple(ivs))
        if key in self.kernel.computed:
            return self.kernel.computed[key]
        result = self._scalar(value, list(ivs))
        self.kernel.computed[key] = result
        return result

    def _scalar(self, value: SSAValue, ivs: list[SSAValue]) -> SSAValue:
        if value in self.buffers:
            return self.emit(memref.LoadOp.get(self.buffers[value], ivs))
        op = value.owner
        assert isinstance(op, Operation)
        if isinstance(op, tg.ConstantOp):
            values = op.to_array()
            first = values.flat[0].item() if values.size else 0
            return self.scalar_constant(first, op.result.type.element_type)
        rule = ELEMENT_RULES.get(type(op))
        if rule is not None:
            return rule(self, op, ivs)
        if isinstance(op, tg.TgOp) and op.FUSION == "elementwise":
            args = [
                self.scalar(v, [self.c0 if d == 1 else iv for d, iv in zip(static_shape(v.type), ivs)])
                for v in op.operands
            ]
            return self._elementwise(op, args)
        raise NotImplementedError(f"{op.name} is not computed per element")

    def _elementwise(self, op: Operation, args: list[SSAValue]) -> SSAValue:
        emitter = SCALAR_EMITTERS.get(type(op))
        if emitter is None:
            raise NotImplementedError(f"no scalar lowering for {op.name}")
        return emitter(self, op, args)

    # ---------------------------------------------------------------- loop nests

    def store_elementwise(self, value: SSAValue, dest: SSAValue) -> None:
        """dest[...] = value[...] over value's whole shape."""
        self.kernel = _Kernel({})
        dims = self.dims(value)

        def body(ivs: list[SSAValue]) -> None:
            self.emit(memref.StoreOp.get(self.scalar(value, ivs), dest, ivs))

        self.loops(dims, body, parallel=True)
        self.kernel = _Kernel({})

    def fill(self, dest: SSAValue, dims: Sequence[SSAValue], scalar: SSAValue) -> None:
        self.loops(dims, lambda ivs: self.emit(memref.StoreOp.get(scalar, dest, ivs)), parallel=True)

    def reduce(
        self,
        op: tg.ReduceOp,
        dest: SSAValue,
        side: Sequence[tuple[SSAValue, SSAValue]] = (),
        result: SSAValue | None = None,
    ) -> None:
        """dest = reduction of op.input; elementwise producers are computed inline.
        `side` values (of the input's shape) are stored as the input is read, and
        `result`, an elementwise function of the reduction's value at the output index
        (an epilogue, when only the last axis is reduced), is stored instead of it."""
        result = op.result if result is None else result
        elt = op.result.type.element_type
        combine = REDUCE_COMBINERS[type(op)]
        identity = self.scalar_constant(REDUCE_IDENTITIES[type(op)](elt), elt)
        in_dims = self.dims(op.input)
        out_dims = self.dims(op.result)
        axes = set(op.reduced)
        rank = len(in_dims)
        self.kernel = _Kernel({})

        def store_side(ivs: list[SSAValue]) -> None:
            for value, buffer in side:
                self.emit(memref.StoreOp.get(self.scalar(value, ivs), buffer, ivs))

        def out_index(ivs: list[SSAValue]) -> list[SSAValue]:
            return [iv for a, iv in enumerate(ivs) if a not in axes]

        if rank > 0 and axes == {rank - 1}:  # rows: one accumulator in a register

            def row(ivs: list[SSAValue]) -> None:
                self.kernel = _Kernel({})

                def step(iv: SSAValue, acc: SSAValue) -> SSAValue:
                    store_side(ivs + [iv])
                    return combine(self, acc, self.scalar(op.input, ivs + [iv]))

                short = static_shape(op.input.type)[-1]
                if is_float(elt) and not isinstance(op, tg.SumOp) and (short is None or short >= 2 * ACCUMULATOR_LANES):
                    total = self.accumulate_lanes(in_dims[-1], identity, step, lambda a, c: combine(self, a, c))
                else:
                    total = self.accumulate(in_dims[-1], identity, step)
                # values computed inside the row's loop do not dominate what follows it;
                # a reader broadcasting a static 1 asks for the total at index 0 there
                at = tuple(self.c0 if d == 1 else iv for d, iv in zip(static_shape(op.result.type), ivs))
                self.kernel = _Kernel({(op.result, tuple(ivs)): total, (op.result, at): total})
                self.emit(memref.StoreOp.get(self.scalar(result, ivs), dest, ivs))

            self.loops(in_dims[:-1], row, parallel=True)
            self.kernel = _Kernel({})
            return
        assert result is op.result, "an epilogue needs a reduction of the last axis only"
        self.fill(dest, out_dims, identity)
        inner_reduced = rank > 0 and (rank - 1) in axes

        if not inner_reduced:

            def body(ivs: list[SSAValue]) -> None:
                store_side(ivs)
                acc = self.emit(memref.LoadOp.get(dest, out_index(ivs)))
                new = combine(self, acc, self.scalar(op.input, ivs))
                self.emit(memref.StoreOp.get(new, dest, out_index(ivs)))

            self.loops(in_dims, body, parallel=0 not in axes)
        else:

            def outer(ivs: list[SSAValue]) -> None:
                init = self.emit(memref.LoadOp.get(dest, out_index(ivs + [self.c0])))
                self.kernel = _Kernel({})

                def step(iv: SSAValue, acc: SSAValue) -> SSAValue:
                    store_side(ivs + [iv])
                    return combine(self, acc, self.scalar(op.input, ivs + [iv]))

                total = self.accumulate(in_dims[-1], init, step)
                self.emit(memref.StoreOp.get(total, dest, out_index(ivs + [self.c0])))

            self.loops(in_dims[:-1], outer, parallel=0 not in axes)
        self.kernel = _Kernel({})

    def dot(self, op: tg.DotOp, dest: SSAValue) -> None:
        """dest = numpy.dot(lhs, rhs) for ranks 1 and 2, with an i-k-j loop order."""
        elt = op.result.type.element_type
        zero = self.scalar_constant(0, elt)
        a, b = op.lhs, op.rhs
        da, db = self.dims(a), self.dims(b)
        self.kernel = _Kernel({})

        def madd(acc: SSAValue, x: SSAValue, y: SSAValue) -> SSAValue:
            return _add(self, acc, _mul(self, x, y))

        if len(db) == 1:  # (m,k)·(k) or (k)·(k): inner products
            rows = da[:-1]

            def row(ivs: list[SSAValue]) -> None:
                self.kernel = _Kernel({})

                def step(k: SSAValue, acc: SSAValue) -> SSAValue:
                    return madd(acc, self.scalar(a, ivs + [k]), self.scalar(b, [k]))

                self.emit(memref.StoreOp.get(self.accumulate(da[-1], zero, step), dest, ivs))

            self.loops(rows, row, parallel=True)
        else:  # (m,k)·(k,n) or (k)·(k,n): rank-1 updates, contiguous in j
            out_dims = self.dims(op.result)
            self.fill(dest, out_dims, zero)

            def update(ivs: list[SSAValue]) -> None:
                *i, k = ivs
                self.kernel = _Kernel({})
                x = self.scalar(a, i + [k])

                def inner(jv: list[SSAValue]) -> None:
                    index = i + jv
                    acc = self.emit(memref.LoadOp.get(dest, index))
                    self.emit(memref.StoreOp.get(madd(acc, x, self.scalar(b, [k] + jv)), dest, index))

                self.loops(db[1:], inner)

            self.loops(da, update, parallel=len(da) == 2)
        self.kernel = _Kernel({})

    # ----------------------------------------------------------------- functions

    def materialize(self, value: SSAValue, dest: SSAValue) -> None:
        """Compute a stored value into `dest`."""
        op = value.owner
        materializer = MATERIALIZERS.get(type(op))
        if materializer is not None:
            materializer(self, op, dest)
        else:
            self.store_elementwise(value, dest)

    def lower_kernel(self, body: Block, ins: Sequence[SSAValue], outs: Sequence[SSAValue]) -> None:
        """The loop nest of one kernel body (a `tg.compute`): read `ins` through the
        body's arguments, write what it yields into `outs`."""
        for arg, buffer in zip(body.args, ins):
            self.buffers[arg] = buffer
        terminator = body.last_op
        assert terminator is not None
        yields = list(terminator.operands)
        dests = dict(zip(yields, outs))
        reduction: tg.ReduceOp | None = None
        temporaries: list[SSAValue] = []
        for op in body.ops:
            if op is terminator or computed_inline(op):
                continue
            value = op.results[0]
            if isinstance(op, tg.SumOp | tg.MaxOp) and reduction is None and value not in dests:
                reduction = op  # its result is read by an epilogue
                continue
            if isinstance(op, tg.SumOp | tg.MaxOp) and reduction is None and len(yields) > 1:
                reduction = op  # stored with side outputs
                continue
            if isinstance(op, tg.ConstantOp):
                self.buffers[value] = self.global_constant(op)
                continue
            dest = dests.get(value)
            if dest is None:
                dest = self.allocate(value)
                temporaries.append(dest)
            self.materialize(value, dest)
            self.buffers[value] = dest
        if reduction is not None:
            rank = len(static_shape(reduction.input.type))
            side = [(y, d) for y, d in dests.items() if len(static_shape(y.type)) == rank]
            (result,) = [y for y in yields if len(static_shape(y.type)) != rank]
            self.reduce(reduction, dests[result], side, result)
        else:
            self.store_all([(y, d) for y, d in dests.items() if y not in self.buffers or self.buffers[y] is not d])
        for buffer in temporaries:
            self.emit(memref.DeallocOp.get(buffer))

    def store_all(self, pairs: Sequence[tuple[SSAValue, SSAValue]]) -> None:
        """dest[...] = value[...] for each pair, in one loop nest when the values have one
        shape (every element computed before any is stored: a destination may be an
        input read at the same index)."""
        if len({static_shape(v.type) for v, _ in pairs}) != 1:
            for value, dest in pairs:
                self.store_elementwise(value, dest)
            return
        self.kernel = _Kernel({})

        def body(ivs: list[SSAValue]) -> None:
            scalars = [self.scalar(v, ivs) for v, _ in pairs]
            for x, (_, dest) in zip(scalars, pairs):
                self.emit(memref.StoreOp.get(x, dest, ivs))

        self.loops(self.dims(pairs[0][0]), body, parallel=True)
        self.kernel = _Kernel({})

    def allocate_for(self, value: SSAValue, t: Attribute, ins: Sequence[SSAValue], body: Block) -> SSAValue:
        """A new buffer of type `t` sized like kernel value `value` (the body's
        arguments bound to `ins` to derive its sizes)."""
        for arg, buffer in zip(body.args, ins):
            self.buffers[arg] = buffer
        assert isinstance(t, MemRefType)
        dynamic = [d for d, s in zip(self.dims(value), t.get_shape()) if s < 0]
        return self.emit(memref.AllocOp(dynamic, [], t))

    def skip_rest_on_error(self) -> None:
        """Run what follows only if no check has failed so far (status is 0): nothing
        irreversible happens after a failed check."""
        status = self.emit(memref.LoadOp.get(self.status, []))
        ok = self.emit(arith.CmpiOp(status, self.scalar_constant(0, IntegerType(32)), "eq"))
        then = Block()
        self.emit(scf.IfOp(ok, [], Region(then)))
        self.gated = then
        self.block = self.entry = then
        self.entry_indices = {}

    def close_gate(self) -> None:
        if self.gated is not None:
            self.gated.add_op(scf.YieldOp())
            self.block = self.entry = self.outermost
            self.gated = None

    def allocate(self, value: SSAValue) -> SSAValue:
        t = memref_type(value.type)
        dynamic = [d for d, s in zip(self.dims(value), static_shape(value.type)) if s is None]
        return self.emit(memref.AllocOp(dynamic, [], t))

    def declare_external(self, name: str, params: Sequence[Attribute], result: Attribute | None) -> None:
        """Declare external function `name` (libm, BLAS) once per module."""
        if not any(isinstance(g, llvm.FuncOp) and g.sym_name.data == name for g in self.globals):
            signature = llvm.LLVMFunctionType(list(params), result)
            self.globals.append(llvm.FuncOp(name, signature, linkage=llvm.LinkageAttr("external")))

    def global_constant(self, op: tg.ConstantOp) -> SSAValue:
        name = f"__tg_constant_{len(self.globals)}"
        t = memref_type(op.result.type)
        value = DenseIntOrFPElementsAttr(op.value.type, op.value.data)
        self.globals.append(memref.GlobalOp.get(StringAttr(name), t, value, constant=UnitAttr()))
        return self.emit(memref.GetGlobalOp(name, t))


def lower_function(function: func.FuncOp, symbols: list[Operation]) -> func.FuncOp:
    """The loops-level function equivalent to a buffers-level one: each `tg.compute`
    becomes its loop nest, each `tg.buffer` a `memref.alloc` where it is first written,
    each `tg.release` a `memref.dealloc`."""
    old = function.body.block
    block = Block(arg_types=[a.type for a in old.args])
    builder = LoopsBuilder(block, symbols, block.args[-1])
    values: dict[SSAValue, SSAValue] = {}
    for a, new in zip(old.args, block.args):
        new.name_hint = a.name_hint
        values[a] = new
    external = set(block.args[:-1])
    may_fail = False
    before_gate: set[SSAValue] = set()
    deferred: list[SSAValue] = []
    for op in old.ops:
        if isinstance(op, BufferOp):
            continue  # allocated by its first writer
        if isinstance(op, memref.GetGlobalOp):
            values[op.memref] = builder.emit(op.clone())
        elif isinstance(op, ComputeOp):
            ins = [values[v] for v in op.ins]
            outs: list[SSAValue] = []
            for v, y in zip(op.outs, op.yielded):
                if v not in values:
                    values[v] = builder.allocate_for(y, v.type, ins, op.body.block)
                outs.append(values[v])
            if may_fail and builder.gated is None and any(o in external and o in ins for o in outs):
                before_gate = set(values.values())
                builder.skip_rest_on_error()  # an in-place write into the caller's storage
            errors = len(builder.errors)
            builder.lower_kernel(op.body.block, ins, outs)
            may_fail = may_fail or len(builder.errors) > errors
        elif isinstance(op, ReleaseOp):
            if builder.gated is not None and values[op.buffer] in before_gate:
                deferred.append(values[op.buffer])  # allocated outside: freed outside
            else:
                builder.emit(memref.DeallocOp.get(values[op.buffer]))
        elif isinstance(op, func.ReturnOp):
            builder.close_gate()
            for buffer in deferred:
                builder.emit(memref.DeallocOp.get(buffer))
            builder.emit(func.ReturnOp())
        else:
            raise NotImplementedError(f"convert-tg-to-loops: unexpected {op.name} at the buffers level")
    lowered = func.FuncOp(function.sym_name.data, ([a.type for a in old.args], []), Region(block))
    if INPLACE_UPDATES in function.attributes:  # the plan's other records stay at the buffers level
        lowered.attributes[INPLACE_UPDATES] = function.attributes[INPLACE_UPDATES]
    if builder.errors:
        lowered.attributes["tg.errors"] = ArrayAttr([StringAttr(e) for e in builder.errors])
    return lowered


@dataclass(frozen=True)
class ConvertTgToLoops(ModulePass):
    """Lower every buffers-level function of the module to loops (a tg-level
    function is fused and bufferized first)."""

    name = "convert-tg-to-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from tg.passes.bufferize import to_buffers_level

        load_extensions()
        to_buffers_level(op)
        symbols: list[Operation] = []
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            new = lower_function(function, symbols)
            op.body.block.insert_op_before(new, function)
            op.body.block.erase_op(function)
        for g in symbols:
            op.body.block.insert_op_before(g, op.body.block.first_op) if op.body.block.first_op else op.body.block.add_op(g)


# ------------------------------------------------------------- scalar semantics


def _add(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    if is_float(x.type):
        return b.emit(arith.AddfOp(x, y, REASSOC))
    return b.emit(arith.AddiOp(x, y))


def _mul(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    if is_float(x.type):
        return b.emit(arith.MulfOp(x, y, REASSOC))
    return b.emit(arith.MuliOp(x, y))


def _max(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    if is_float(x.type):
        return b.emit(arith.MaximumfOp(x, y))
    return b.emit(arith.MaxSIOp(x, y))


def _min(b: LoopsBuilder, x: SSAValue, y: SSAValue) -> SSAValue:
    if is_float(x.type):
        return b.emit(arith.MinimumfOp(x, y))
    return b.emit(arith.MinSIOp(x, y))


def _binary(float_op: type[Operation], int_op: type[Operation] | None = None):
    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        if is_float(args[0].type):
            return b.emit(float_op(*args))
        assert int_op is not None
        return b.emit(int_op(*args))

    return emit


def _unary(float_op: type[Operation]):
    def emit(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
        return b.emit(float_op(args[0]))

    return emit


def _neg(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    if is_float(x.type):
        return b.emit(arith.NegfOp(x))
    return b.emit(arith.SubiOp(b.scalar_constant(0, x.type), x))


def _abs(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    if is_float(x.type):
        return b.emit(math.AbsFOp(x))
    return b.emit(math.AbsIOp(x))


_FLOAT_PREDICATES = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
_INT_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}


def _cmp(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg.CmpOp)
    pred = op.predicate.data
    if is_float(args[0].type):
        return b.emit(arith.CmpfOp(args[0], args[1], _FLOAT_PREDICATES[pred]))
    if args[0].type == i1:  # booleans compare as unsigned
        pred = {"lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}.get(pred, pred)
        return b.emit(arith.CmpiOp(args[0], args[1], pred))
    return b.emit(arith.CmpiOp(args[0], args[1], _INT_PREDICATES[pred]))


def _select(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    return b.emit(arith.SelectOp(*args))


def _cast(b: LoopsBuilder, op: Operation, args: list[SSAValue]) -> SSAValue:
    (x,) = args
    src = x.type
    dst = op.results[0].type.element_type
    if src == dst:
        return x
    if is_bool(dst):
        zero = b.scalar_constant(0, src)
        if is_float(src):
            return b.emit(arith.CmpfOp(x, zero, "une"))
        return b.emit(arith.CmpiOp(x, zero, "ne"))
    if is_float(src) and is_float(dst):
        wider = dtype_of(dst).itemsize > dtype_of(src).itemsize
        return b.emit(arith.ExtFOp(x, dst) if wider else arith.TruncFOp(x, dst))
    if is_bool(src):
        if is_float(dst):
            return b.emit(arith.SelectOp(x, b.scalar_constant(1.0, dst), b.scalar_constant(0.0, dst)))
        return b.emit(arith.ExtUIOp(x, dst))
    if not is_float(src) and not is_float(dst):
        wider = dtype_of(dst).itemsize > dtype_of(src).itemsize
        return b.emit(arith.ExtSIOp(x, dst) if wider else arith.TruncIOp(x, dst))
    if not is_float(src):
        return b.emit(arith.SIToFPOp(x, dst))
    return _float_to_int(b, x, dst)


def _float_to_int(b: LoopsBuilder, x: SSAValue, dst: Attribute) -> SSAValue:
    """Truncate toward zero, saturating at the integer range; NaN gives 0."""
    bits = dtype_of(dst).itemsize * 8
    hi = b.scalar_constant(float(2 ** (bits - 1)), x.type)
    lo = b.scalar_constant(-float(2 ** (bits - 1)), x.type)
    converted = b.emit(arith.FPToSIOp(x, dst))
    too_big = b.emit(arith.CmpfOp(x, hi, "oge"))
    too_small = b.emit(arith.CmpfOp(x, lo, "ole"))
    is_nan = b.emit(arith.CmpfOp(x, x, "uno"))
    r = b.emit(arith.SelectOp(too_big, b.scalar_constant(2 ** (bits - 1) - 1, dst), converted))
    r = b.emit(arith.SelectOp(too_small, b.scalar_constant(-(2 ** (bits - 1)), dst), r))
    return b.emit(arith.SelectOp(is_nan, b.scalar_constant(0, dst), r))


SCALAR_EMITTERS: dict[type[Operation], ScalarEmitter] = {
    tg.AddOp: _binary(arith.AddfOp, arith.AddiOp),
    tg.SubOp: _binary(arith.SubfOp, arith.SubiOp),
    tg.MulOp: _binary(arith.MulfOp, arith.MuliOp),
    tg.DivOp: _binary(arith.DivfOp),
    tg.PowOp: _binary(math.PowFOp),
    tg.MaximumOp: lambda b, op, args: _max(b, *args),
    tg.MinimumOp: lambda b, op, args: _min(b, *args),
    tg.NegOp: _neg,
    tg.AbsOp: _abs,
    tg.SqrtOp: _unary(math.SqrtOp),
    tg.CmpOp: _cmp,
    tg.SelectOp: _select,
    tg.CastOp: _cast,
    tg.GradientHintOp: lambda b, op, args: args[0],
}
"""How each elementwise op computes one element (exp, log, tanh, sigmoid, softplus
and the other polynomial functions are registered by loops_math, from vector_math)."""


def _lowest(element: Attribute) -> float | int:
    if is_float(element):
        return float("-inf")
    return -(2 ** (dtype_of(element).itemsize * 8 - 1))


REDUCE_COMBINERS: dict[type[tg.ReduceOp], Callable[[LoopsBuilder, SSAValue, SSAValue], SSAValue]] = {
    tg.SumOp: _add,
    tg.MaxOp: _max,
}
REDUCE_IDENTITIES: dict[type[tg.ReduceOp], Callable[[Attribute], float | int]] = {
    tg.SumOp: lambda element: 0,
    tg.MaxOp: _lowest,
}


# ------------------------------------------------------------ views and shapes


def _transpose_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg.TransposeOp)
    src = [b.c0] * len(ivs)
    for i, p in enumerate(op.perm):
        src[p] = ivs[i]
    return b.scalar(op.input, src)


def _dimshuffle_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg.DimShuffleOp)
    src = [b.c0] * len(static_shape(op.input.type))
    for i, p in enumerate(op.dims):
        if p >= 0:
            src[p] = ivs[i]
    return b.scalar(op.input, src)


def _broadcast_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg.BroadcastOp)
    in_static = static_shape(op.input.type)
    offset = len(ivs) - len(in_static)
    return b.scalar(op.input, [b.c0 if d == 1 else ivs[a + offset] for a, d in enumerate(in_static)])


def _dim_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    assert isinstance(op, tg.DimOp)
    return b.emit(arith.IndexCastOp(b.dims(op.input)[op.axis_index], i64))


def _broadcast_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, tg.BroadcastOp)
    return [b.emit(arith.IndexCastOp(b.scalar(s, []), INDEX)) for s in op.sizes]


ElementRule = Callable[[LoopsBuilder, Operation, list[SSAValue]], SSAValue]
ScalarEmitter = Callable[[LoopsBuilder, Operation, list[SSAValue]], SSAValue]
Materializer = Callable[[LoopsBuilder, Operation, SSAValue], None]
DimRule = Callable[[LoopsBuilder, Operation], list[SSAValue]]

def _assert_element(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
    return b.scalar(op.operands[0], ivs)  # the shape program checked the condition


ELEMENT_RULES: dict[type[Operation], ElementRule] = {
    tg.AssertOp: _assert_element,
    tg.TransposeOp: _transpose_element,
    tg.DimShuffleOp: _dimshuffle_element,
    tg.BroadcastOp: _broadcast_element,
    tg.DimOp: _dim_element,
}
"""Ops whose element at given indices is read from their operands at other indices."""

DIM_RULES: dict[type[Operation], DimRule] = {tg.BroadcastOp: _broadcast_dims}
"""Ops whose sizes are not some operand's sizes (see `TgOp.dim_sources`)."""

MATERIALIZERS: dict[type[Operation], Materializer] = {
    tg.SumOp: lambda b, op, dest: b.reduce(op, dest),  # type: ignore[arg-type]
    tg.MaxOp: lambda b, op, dest: b.reduce(op, dest),  # type: ignore[arg-type]
    tg.DotOp: lambda b, op, dest: b.dot(op, dest),  # type: ignore[arg-type]
}
"""Stored ops with a loop nest of their own; the rest are computed element by element."""

EXTENSIONS: tuple[str, ...] = (
    "tg.lowering.loops_math",
    "tg.lowering.loops_shape",
    "tg.lowering.loops_reduce",
    "tg.lowering.loops_indexing",
    "tg.lowering.loops_random",
    "tg.lowering.loops_control",
    "tg.lowering.loops_nnet",
    "tg.lowering.loops_blas",
)
"""Modules that add their ops' rules to the tables above when imported."""


def load_extensions() -> None:
    import importlib

    for name in EXTENSIONS:
        importlib.import_module(name)
