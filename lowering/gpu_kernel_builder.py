"""One CUDA kernel being built: a `gpu.func` whose body computes tg values element by
element with LoopsBuilder's rules (ELEMENT_RULES, DIM_RULES, scalar emitters).

A buffer the body reads or writes becomes a kernel parameter when first used: a flat
`memref<?xT>` (the device pointer; indices are element indices into the row-major
buffer), and each dynamic size an `index` parameter. `launch_args` lists the host
values to pass, in parameter order. Index arithmetic is explicit in the body, and a
value read at the indices of the kernel's iteration (`flat`) is read at the flat
index directly, without decomposing it.

Failed checks set the status with an atomic compare-and-swap from 0 (the first error
wins). Constants are emitted where used; sizes at the top of the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tg.dialects import tg_gpu
from tg.dialects.tensor_types import static_shape
from tg.lowering.convert_tg_to_loops import (
    INDEX,
    SCALAR_EMITTERS,
    LoopsBuilder,
    _Kernel,
)
from tg.lowering.loops_shape import unravel
from xdsl.dialects import arith, gpu, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    IntegerAttr,
    IntegerType,
    MemRefType,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.transforms.dead_code_elimination import is_trivially_dead

if TYPE_CHECKING:
    from tg.lowering.gpu_host import HostBuilder

BLOCK = 256
"""Threads per block of every generated kernel (a multiple of the warp size)."""
WARP = 32

GPU_SCALAR_EMITTERS: dict[type[Operation], Callable[[LoopsBuilder, Operation, list[SSAValue]], SSAValue]] = {}
"""Scalar emitters that replace the CPU's on the GPU (CUDA's own math functions
instead of tg's polynomials and libm calls); filled by gpu_scalar_math."""

UNSUPPORTED: set[type[Operation]] = set()
"""Ops with no GPU lowering (NotImplementedError naming the op); filled by the pass."""

_REMOVABLE = (
    tg_gpu.CallOp, tg_gpu.VectorLoadOp, tg_gpu.AlignedOp, tg_gpu.ShuffleXorOp, tg_gpu.ShuffleDownOp,
    tg_gpu.ShuffleUpOp,
    arith.DivUIOp, arith.DivSIOp, arith.RemUIOp, arith.RemSIOp, arith.CeilDivUIOp, arith.CeilDivSIOp, arith.FloorDivSIOp,
)  # fmt: skip
"""Ops erased when unused besides those without effects (an unused division cannot trap)."""


def flat_memref(element: Attribute) -> MemRefType:
    return MemRefType(element, [DYNAMIC_INDEX])


class KernelBuilder(LoopsBuilder):
    """Builds the body of one `gpu.func`, reading and writing the host's buffers."""

    def __init__(self, host: HostBuilder, name: str):
        self.host = host
        self.name = name
        self.launch_args: list[SSAValue] = []
        self.memrefs: dict[object, SSAValue] = {}
        self.index_params: dict[SSAValue, SSAValue] = {}
        self.written: set[object] = set()
        self.flat: dict[tuple[SSAValue, ...], tuple[SSAValue, tuple[int | None, ...]]] = {}
        """Indices of the kernel's iteration -> (their flat index, the static shape it is
        the flat index in): a buffer of that shape read there is read at the flat index."""
        self.vector: dict[object, list[SSAValue]] | None = None
        self.lane = 0
        self.flat_reads: list[object] = []
        self.bound: dict[SSAValue, Callable[[list[SSAValue]], SSAValue]] = {}
        """Values read through a function instead of a buffer (a fused row chain's)."""
        self.other_reads = 0
        self._ids: dict[str, SSAValue] = {}
        super().__init__(Block(), host.globals, host.status)
        self.waits_for_status = host.waits_for_status
        self.fixed_signature = False
        self.buffers = host.buffers
        self.errors = host.errors

    # ------------------------------------------------------------------ parameters

    def param(self, t: Attribute, host_value: object) -> SSAValue:
        arg = self.entry.insert_arg(t, len(self.entry.args))
        self.launch_args.append(host_value)  # type: ignore[arg-type]
        return arg

    def device_memref(self, buffer: object) -> SSAValue:
        """The kernel's flat view of a host buffer (or of a constant in the gpu.module)."""
        if buffer in self.memrefs:
            return self.memrefs[buffer]
        from tg.lowering.gpu_host import DeviceGlobal

        if isinstance(buffer, DeviceGlobal):
            block, self.block = self.block, self.entry
            value = self.emit(memref.GetGlobalOp(buffer.name, buffer.type))
            self.block = block
        else:
            assert isinstance(buffer, SSAValue) and isinstance(buffer.type, MemRefType)
            value = self.param(flat_memref(buffer.type.element_type), buffer)
        self.memrefs[buffer] = value
        return value

    def index_param(self, host_value: SSAValue) -> SSAValue:
        """An index the host computes, passed by value."""
        if host_value not in self.index_params:
            self.index_params[host_value] = self.param(INDEX, host_value)
        return self.index_params[host_value]

    def buffer_dims(self, buffer: object, static: Sequence[int | None]) -> list[SSAValue]:
        """The sizes of a host buffer: constants, or parameters the host reads with
        memref.dim."""
        dims: list[SSAValue] = []
        for axis, d in enumerate(static):
            if d is not None:
                dims.append(self.index(d))
            else:
                assert isinstance(buffer, SSAValue)
                dims.append(self.index_param(self.host.buffer_dim(buffer, axis)))
        return dims

    # ---------------------------------------------------------------------- shapes

    def _dims(self, value: SSAValue) -> list[SSAValue]:
        static = static_shape(value.type)
        if None not in static:
            dims = [self.index(d) for d in static]  # type: ignore[arg-type]
        elif value in self.buffers:
            dims = self.buffer_dims(self.buffers[value], static)
        else:
            dims = self._derived_dims(value, static)
        self.dim_cache[value] = dims
        return dims

    # --------------------------------------------------------------------- scalars

    def _scalar(self, value: SSAValue, ivs: list[SSAValue]) -> SSAValue:
        if value in self.bound:
            return self.bound[value](ivs)
        if value in self.buffers:
            return self.load(self.buffers[value], value, ivs)
        op = value.owner
        if type(op) in UNSUPPORTED:
            raise NotImplementedError(f"convert-buffers-to-gpu: no GPU lowering for {op.name}")  # type: ignore[union-attr]
        return super()._scalar(value, ivs)

    def _elementwise(self, op: Operation, args: list[SSAValue]) -> SSAValue:
        emitter = GPU_SCALAR_EMITTERS.get(type(op)) or SCALAR_EMITTERS.get(type(op))
        if emitter is None or type(op) in UNSUPPORTED:
            raise NotImplementedError(f"convert-buffers-to-gpu: no GPU lowering for {op.name}")
        return emitter(self, op, args)

    def start_element(self, index: SSAValue, dims: Sequence[SSAValue], static: Sequence[int | None]) -> list[SSAValue]:
        """The indices of row-major flat index `index` in a box of sizes `dims`, as a new
        element begins: no scalar computed for another element is reused, and buffers
        of static shape `static` are read at `index` itself."""
        ivs = unravel(self, index, dims, static)
        self.kernel = _Kernel({})
        self.flat = {}
        self.set_flat(ivs, index, static)
        return ivs

    def set_flat(self, ivs: Sequence[SSAValue], index: SSAValue, static: Sequence[int | None]) -> None:
        """`index` is the flat index of `ivs` in buffers of static shape `static`."""
        if ivs:
            self.flat[tuple(ivs)] = (index, tuple(static))

    def _flat(self, value: SSAValue, ivs: Sequence[SSAValue]) -> SSAValue | None:
        """The flat index of ivs in a buffer holding `value`, when known: ivs are the
        iteration's and the buffer has the iteration's static shape (so its sizes, by
        tg's broadcasting rules; a view reading another shape at the same indices, such
        as x[:, 0] read at (i, 0), does not)."""
        found = self.flat.get(tuple(ivs))
        if found is None or found[1] != static_shape(value.type):
            return None
        return found[0]

    def linear(self, value: SSAValue, ivs: Sequence[SSAValue]) -> SSAValue:
        """The row-major flat index of `ivs` in a buffer holding `value`."""
        known = self._flat(value, ivs)
        if known is not None:
            return known
        static = static_shape(value.type)
        dims = self.dims(value)
        linear: SSAValue | None = None
        for iv, d, s in zip(ivs, dims, static):
            if s == 1:
                continue
            if linear is not None:
                linear = self.emit(arith.MuliOp(linear, d))
            if iv is not self.c0 or linear is None:
                linear = iv if linear is None else self.emit(arith.AddiOp(linear, iv))
        return self.c0 if linear is None else linear

    def load(self, buffer: object, value: SSAValue, ivs: Sequence[SSAValue]) -> SSAValue:
        """buffer[ivs] for a buffer holding `value` (a lane of a vector load when the
        kernel is vectorized and ivs are the iteration's)."""
        flat = self._flat(value, ivs) is not None
        if flat and buffer not in self.flat_reads:
            self.flat_reads.append(buffer)
        if self.vector is not None and flat:
            return self.vector[buffer][self.lane]
        index = self.linear(value, ivs)
        if not flat and index is not self.c0:
            self.other_reads += 1
        return self.emit(memref.LoadOp.get(self.device_memref(buffer), [index]))

    def store(self, x: SSAValue, buffer: object, value: SSAValue, ivs: Sequence[SSAValue]) -> None:
        """buffer[ivs] = x for a buffer holding `value`."""
        self.written.add(buffer)
        self.emit(memref.StoreOp.get(x, self.device_memref(buffer), [self.linear(value, ivs)]))

    def load_flat(self, buffer: object, index: SSAValue) -> SSAValue:
        return self.emit(memref.LoadOp.get(self.device_memref(buffer), [index]))

    def store_flat(self, x: SSAValue, buffer: object, index: SSAValue) -> None:
        self.written.add(buffer)
        self.emit(memref.StoreOp.get(x, self.device_memref(buffer), [index]))

    def fail_if(self, bad: SSAValue, error: str, message: str) -> None:
        self.errors.append(f"{error}|{message}")
        code = self.scalar_constant(len(self.errors), i32)
        zero = self.scalar_constant(0, i32)
        status = self.device_memref(self.host.status)
        self.written.add(self.host.status)
        then = Block()
        outer, self.block = self.block, then
        self.emit(tg_gpu.AtomicCasOp(status, self.index(0), zero, code))
        self.emit(scf.YieldOp())
        self.block = outer
        self.emit(scf.IfOp(bad, [], Region(then)))

    def allocate(self, value: SSAValue) -> SSAValue:
        raise NotImplementedError("convert-buffers-to-gpu: a kernel cannot allocate memory")

    # ----------------------------------------------------------- thread geometry

    def _id(self, op: type[Operation], dim: str = "x") -> SSAValue:
        key = f"{op.name}.{dim}"
        if key not in self._ids:
            block, self.block = self.block, self.entry
            self._ids[key] = self.emit(op(gpu.DimensionAttr(gpu.DimensionEnum(dim))))  # type: ignore[call-arg, arg-type]
            self.block = block
        return self._ids[key]

    def thread(self) -> SSAValue:
        return self._id(gpu.ThreadIdOp)

    def block_index(self) -> SSAValue:
        return self._id(gpu.BlockIdOp)

    def block_size(self) -> SSAValue:
        return self._id(gpu.BlockDimOp)

    def grid_size(self) -> SSAValue:
        return self._id(gpu.GridDimOp)

    def _at_entry(self, make: Callable[[], SSAValue], key: str) -> SSAValue:
        if key not in self._ids:
            block, self.block = self.block, self.entry
            self._ids[key] = make()
            self.block = block
        return self._ids[key]

    def global_thread(self) -> SSAValue:
        """blockIdx.x * blockDim.x + threadIdx.x."""
        return self._at_entry(
            lambda: self.emit(
                arith.AddiOp(
                    self.emit(arith.MuliOp(self.block_index(), self.block_size())),
                    self.thread(),
                )
            ),
            "global",
        )

    def all_threads(self) -> SSAValue:
        return self._at_entry(lambda: self.emit(arith.MuliOp(self.grid_size(), self.block_size())), "all")

    def strided(
        self,
        start: SSAValue,
        stop: SSAValue,
        step: SSAValue,
        body: Callable[[SSAValue], None],
        unroll: int | None = None,
    ) -> None:
        """`scf.for i = start to stop step step` running body(i); values computed in the
        body stay in it. `unroll` is the most copies of the body the compiler may make."""

        def run(i: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
            body(i)
            return []

        self.carried_loop(start, stop, step, [], run)
        if unroll is not None:
            loop = self.block.last_op
            assert isinstance(loop, scf.ForOp)
            loop.attributes[tg_gpu.UNROLL] = IntegerAttr(unroll, i64)

    def carried_loop(
        self,
        start: SSAValue,
        stop: SSAValue,
        step: SSAValue,
        inits: Sequence[SSAValue],
        body: Callable[[SSAValue, list[SSAValue]], list[SSAValue]],
    ) -> list[SSAValue]:
        """`scf.for` carrying values: carried = body(i, carried); returns the last."""
        loop_body = Block(arg_types=[INDEX, *(c.type for c in inits)])
        outer, known, flat = self.block, dict(self.kernel.computed), dict(self.flat)
        self.block = loop_body
        self.emit(scf.YieldOp(*body(loop_body.args[0], list(loop_body.args[1:]))))
        self.block, self.kernel.computed, self.flat = outer, known, flat
        loop = scf.ForOp(start, stop, step, list(inits), loop_body)
        self.emit(loop)
        return list(loop.results)

    def grid_stride(self, start: SSAValue, stop: SSAValue, body: Callable[[SSAValue], None]) -> None:
        """body(i) for i in [start, stop), spread over every thread of the grid."""
        first = self.global_thread() if start is self.c0 else self.emit(arith.AddiOp(start, self.global_thread()))
        self.strided(first, stop, self.all_threads(), body, unroll=1)  # it usually runs once

    def block_stride(self, start: SSAValue, stop: SSAValue, body: Callable[[SSAValue], None]) -> None:
        """body(i) for i in [start, stop), spread over the threads of one block."""
        first = self.thread() if start is self.c0 else self.emit(arith.AddiOp(start, self.thread()))
        self.strided(first, stop, self.block_size(), body)

    def per_block(self, count: SSAValue, body: Callable[[SSAValue], None]) -> None:
        """body(b) for b in [0, count), one block each (uniform within a block)."""
        self.strided(self.block_index(), count, self.grid_size(), body, unroll=1)

    def when(self, condition: SSAValue, body: Callable[[], None]) -> None:
        """scf.if condition { body }."""
        then = Block()
        outer, known = self.block, dict(self.kernel.computed)
        self.block = then
        body()
        self.emit(scf.YieldOp())
        self.block, self.kernel.computed = outer, known
        self.emit(scf.IfOp(condition, [], Region(then)))

    def choose(
        self,
        condition: SSAValue,
        then: Callable[[], SSAValue],
        otherwise: Callable[[], SSAValue],
    ) -> SSAValue:
        """scf.if condition { then() } else { otherwise() } as a value: only the chosen
        branch runs (a read that would be out of bounds is not made)."""
        blocks = []
        outer, known = self.block, dict(self.kernel.computed)
        for make in (then, otherwise):
            block = Block()
            self.block = block
            value = make()
            self.emit(scf.YieldOp(value))
            self.kernel.computed = dict(known)
            blocks.append((block, value.type))
        self.block = outer
        return self.emit(scf.IfOp(condition, [blocks[0][1]], Region(blocks[0][0]), Region(blocks[1][0])))

    def barrier(self) -> None:
        self.emit(gpu.BarrierOp())

    def product(self, dims: Sequence[SSAValue]) -> SSAValue:
        total = self.c1
        for d in dims:
            total = d if total is self.c1 else self.emit(arith.MuliOp(total, d))
        return total

    # ------------------------------------------------------------------ finishing

    def finish(self) -> gpu.FuncOp:
        """The `gpu.func` (a kernel launched with at most BLOCK threads per block); a
        kernel waiting for the status does nothing once the status holds an error."""
        if self.waits_for_status:
            self._gate()
        self.entry.add_op(gpu.ReturnOp([]))
        remove_dead_code(self.entry)
        if not self.fixed_signature:
            self._drop_unused_parameters()
        types = [a.type for a in self.entry.args]
        function = gpu.FuncOp(self.name, (types, []), Region(self.entry), kernel=True)
        function.attributes[tg_gpu.LAUNCH_BOUNDS] = IntegerAttr(BLOCK, i64)
        return function

    def _drop_unused_parameters(self) -> None:
        for position in reversed(range(len(self.entry.args))):
            arg = self.entry.args[position]
            if not arg.uses:
                self.entry.erase_arg(arg)
                del self.launch_args[position]

    def _gate(self) -> None:
        body = Block()
        for op in list(self.entry.ops):
            op.detach()
            body.add_op(op)
        body.add_op(scf.YieldOp())
        self.block = self.entry
        status = self.device_memref(self.host.status)
        zero = self.emit(arith.ConstantOp(IntegerAttr(0, INDEX)))
        code = self.emit(memref.LoadOp.get(status, [zero]))
        ok = self.emit(arith.CmpiOp(code, self.emit(arith.ConstantOp(IntegerAttr(0, i32))), "eq"))
        self.emit(scf.IfOp(ok, [], Region(body)))


def remove_dead_code(block: Block) -> None:
    """Erase unused side-effect-free ops (index decompositions no read needed)."""
    changed = True
    while changed:
        changed = False
        for op in _post_order(block):
            unused = op.results and all(not r.uses for r in op.results) and not op.regions
            if unused and (isinstance(op, _REMOVABLE) or is_trivially_dead(op)):
                op.detach()
                op.erase()
                changed = True


def _post_order(block: Block) -> list[Operation]:
    ops: list[Operation] = []
    for op in reversed(list(block.ops)):
        for region in op.regions:
            for inner in region.blocks:
                ops.extend(_post_order(inner))
        ops.append(op)
    return ops


def integer_width(t: Attribute) -> int:
    return t.width.data if isinstance(t, IntegerType) else 64
