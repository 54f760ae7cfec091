"""The `tg_gpu` dialect: what tg's gpu level needs beyond xDSL's `gpu` dialect.

Device ops (inside a `gpu.func`, printed to CUDA C by tg.lowering.cuda_printer):

    %s = tg_gpu.shuffle_xor %v, %lane_mask : f32          // __shfl_xor_sync(all lanes, v, mask)
    %s = tg_gpu.shuffle_down %v, %delta : f64             // __shfl_down_sync(all lanes, v, delta)
    %s = tg_gpu.shuffle_up %v, %delta : i32               // __shfl_up_sync(all lanes, v, delta)
    %a = tg_gpu.shared_array : memref<32xf32>             // __shared__ float a[32];
    %o = tg_gpu.atomic_cas %m[%i], %cmp, %new : memref<?xi32>, i32   // atomicCAS(&m[i], cmp, new)
    %o = tg_gpu.atomic_add %m[%i], %v : memref<?xf32>, f32   // atomicAdd(&m[i], v)
    %o = tg_gpu.atomic_max %m[%i], %v : memref<?xi64>, i64   // atomicMax(&m[i], v), signed
    %y = tg_gpu.call "erfcf"(%x) : (f32) -> f32            // a CUDA math function by name
    %a, %b, %c, %d = tg_gpu.vector_load %m[%i] : memref<?xf32> -> f32, f32, f32, f32   // one float4
    tg_gpu.vector_store %m[%i], %a, %b, %c, %d : memref<?xf32>, f32, f32, f32, f32
    %ok = tg_gpu.aligned %m0, %m1 {bytes = 16 : i64} : memref<?xf32>, memref<?xf32>

Host ops (in the host function of the gpu level, run by the runtime with cuBLAS or
the `tg_gemm_f32`/`tg_gemm_f64` fallback kernels):

    tg_gpu.gemm %a, %b, %c, %alpha, %beta, %m, %n, %k, %lda, %ldb, %ldc {trans_a} : ...
    tg_gpu.batched_gemm %a, %b, %c, %alpha, %beta, %count, %m, %n, %k, %lda, %ldb, %ldc, %sa, %sb, %sc : ...

Kernel memrefs are flat (`memref<?xT>`) device pointers; indices are element indices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    UnitAttr,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    attr_def,
    base,
    irdl_op_definition,
    operand_def,
    opt_attr_def,
    prop_def,
    result_def,
    var_operand_def,
    var_result_def,
)
from xdsl.utils.exceptions import VerifyException

INDEX = IndexType()
MEMREF = base(MemRefType)

SHUFFLE_TYPES: tuple[Attribute, ...] = (i32, i64, INDEX, Float32Type(), Float64Type())
"""What a warp shuffle moves (32- and 64-bit values)."""
ATOMIC_ADD_TYPES: tuple[Attribute, ...] = (i32, i64, Float32Type(), Float64Type())
ATOMIC_CAS_TYPES: tuple[Attribute, ...] = (i32, i64)
ATOMIC_MAX_TYPES: tuple[Attribute, ...] = (i32, i64)
MAX_SHARED_BYTES = 48 * 1024
"""Static shared memory a block may declare without opting in."""


def itemsize(t: Attribute) -> int:
    """Bytes of a scalar type (index is 64-bit on the device, i1 one byte)."""
    if isinstance(t, IndexType):
        return 8
    if isinstance(t, Float32Type):
        return 4
    if isinstance(t, Float64Type):
        return 8
    if isinstance(t, IntegerType):
        return max(1, t.width.data // 8)
    raise VerifyException(f"not a scalar type: {t}")


def _element(op: Operation, memref: SSAValue, allowed: Sequence[Attribute] | None = None) -> Attribute:
    t = memref.type
    assert isinstance(t, MemRefType)
    if allowed is not None and t.element_type not in allowed:
        names = ", ".join(map(str, allowed))
        raise VerifyException(f"{op.name}: the memref's elements must be one of {names}, got {t.element_type}")
    return t.element_type


def _same(op: Operation, what: str, value: SSAValue, want: Attribute) -> None:
    if value.type != want:
        raise VerifyException(f"{op.name}: {what} must be {want} (the memref's element type), got {value.type}")


# ------------------------------------------------------------------- warp shuffles


class ShuffleOp(IRDLOperation):
    """Exchange a value between the 32 lanes of a warp (every lane takes part)."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    value = operand_def(T)
    lanes = operand_def(i32)
    result = result_def(T)
    assembly_format = "$value `,` $lanes attr-dict `:` type($value)"

    def __init__(self, value: SSAValue, lanes: SSAValue):
        super().__init__(operands=[value, lanes], result_types=[value.type])

    def verify_(self) -> None:
        if self.value.type not in SHUFFLE_TYPES:
            raise VerifyException(f"{self.name}: cannot shuffle {self.value.type} (i32, i64, index, f32 or f64)")
        if self.result.type != self.value.type:
            raise VerifyException(f"{self.name}: the result must have the value's type {self.value.type}")


@irdl_op_definition
class ShuffleXorOp(ShuffleOp):
    """The value of lane `lane ^ lanes`: a butterfly step of a warp reduction.

    %s = tg_gpu.shuffle_xor %v, %c16 : f32
    """

    name = "tg_gpu.shuffle_xor"


@irdl_op_definition
class ShuffleDownOp(ShuffleOp):
    """The value of lane `lane + lanes` (a lane's own beyond the warp's end).

    %s = tg_gpu.shuffle_down %v, %c1 : i32
    """

    name = "tg_gpu.shuffle_down"


@irdl_op_definition
class ShuffleUpOp(ShuffleOp):
    """The value of lane `lane - lanes` (a lane's own below the warp's start): a step
    of a warp's prefix sum.

    %s = tg_gpu.shuffle_up %v, %c1 : i32
    """

    name = "tg_gpu.shuffle_up"


# ------------------------------------------------------------------- shared memory


@irdl_op_definition
class SharedArrayOp(IRDLOperation):
    """A block's statically sized shared memory array (one per op, per block).

    %a = tg_gpu.shared_array : memref<8x132xf32>
    """

    name = "tg_gpu.shared_array"
    result = result_def(MEMREF)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, t: MemRefType):
        super().__init__(result_types=[t])

    def verify_(self) -> None:
        t = self.result.type
        assert isinstance(t, MemRefType)
        shape = t.get_shape()
        if not shape or any(d <= 0 for d in shape):
            raise VerifyException(f"tg_gpu.shared_array: the shape must be static and non-empty, got {t}")
        size = itemsize(t.element_type)
        for d in shape:
            size *= d
        if size > MAX_SHARED_BYTES:
            raise VerifyException(
                f"tg_gpu.shared_array: {size} bytes, more than {MAX_SHARED_BYTES} of static shared memory"
            )


# ------------------------------------------------------------------------- atomics


@irdl_op_definition
class AtomicCasOp(IRDLOperation):
    """m[i] = (m[i] == compare ? value : m[i]) atomically; returns the old m[i].

    %old = tg_gpu.atomic_cas %status[%c0], %zero, %code : memref<?xi32>, i32
    """

    name = "tg_gpu.atomic_cas"
    T: ClassVar = VarConstraint("T", AnyAttr())
    memref = operand_def(MEMREF)
    index = operand_def(INDEX)
    compare = operand_def(T)
    value = operand_def(T)
    result = result_def(T)
    assembly_format = "$memref `[` $index `]` `,` $compare `,` $value attr-dict `:` type($memref) `,` type($value)"

    def __init__(self, memref: SSAValue, index: SSAValue, compare: SSAValue, value: SSAValue):
        super().__init__(operands=[memref, index, compare, value], result_types=[value.type])

    def verify_(self) -> None:
        element = _element(self, self.memref, ATOMIC_CAS_TYPES)
        _same(self, "compare", self.compare, element)
        _same(self, "value", self.value, element)
        _same(self, "the result", self.result, element)


class AtomicUpdateOp(IRDLOperation):
    """m[i] = f(m[i], value) atomically; returns the old m[i]."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    memref = operand_def(MEMREF)
    index = operand_def(INDEX)
    value = operand_def(T)
    result = result_def(T)
    assembly_format = "$memref `[` $index `]` `,` $value attr-dict `:` type($memref) `,` type($value)"
    ELEMENTS: ClassVar[tuple[Attribute, ...]] = ()

    def __init__(self, memref: SSAValue, index: SSAValue, value: SSAValue):
        super().__init__(operands=[memref, index, value], result_types=[value.type])

    def verify_(self) -> None:
        element = _element(self, self.memref, self.ELEMENTS)
        _same(self, "value", self.value, element)
        _same(self, "the result", self.result, element)


@irdl_op_definition
class AtomicAddOp(AtomicUpdateOp):
    """m[i] += value atomically; returns the old m[i].

    %old = tg_gpu.atomic_add %m[%i], %v : memref<?xf32>, f32
    """

    name = "tg_gpu.atomic_add"
    ELEMENTS: ClassVar[tuple[Attribute, ...]] = ATOMIC_ADD_TYPES


@irdl_op_definition
class AtomicMaxOp(AtomicUpdateOp):
    """m[i] = max(m[i], value) atomically (signed); returns the old m[i].

    %old = tg_gpu.atomic_max %m[%i], %v : memref<?xi64>, i64
    """

    name = "tg_gpu.atomic_max"
    ELEMENTS: ClassVar[tuple[Attribute, ...]] = ATOMIC_MAX_TYPES


# -------------------------------------------------------------- math by name

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@irdl_op_definition
class CallOp(IRDLOperation):
    """A call of a CUDA math function by name (scalar operands and result).

    %y = tg_gpu.call "erfcf"(%x) : (f32) -> f32
    """

    name = "tg_gpu.call"
    callee = prop_def(StringAttr)
    args = var_operand_def()
    result = result_def()
    assembly_format = "$callee `(` $args `)` attr-dict `:` functional-type($args, $result)"

    def __init__(self, callee: str, args: Sequence[SSAValue], result_type: Attribute):
        super().__init__(
            operands=[args],
            result_types=[result_type],
            properties={"callee": StringAttr(callee)},
        )

    def verify_(self) -> None:
        if not _IDENTIFIER.fullmatch(self.callee.data):
            raise VerifyException(f"tg_gpu.call: {self.callee.data!r} is not a function name")
        for t in [*(a.type for a in self.args), self.result.type]:
            if not isinstance(t, Float32Type | Float64Type | IntegerType | IndexType):
                raise VerifyException(f"tg_gpu.call: operands and result must be scalars, got {t}")


# ------------------------------------------------------------ 16-byte accesses

VECTOR_BYTES = (8, 16)
"""Widths of one vector access (float2/float4/double2 ...)."""


def _verify_vector(op: Operation, memref: SSAValue, values: Sequence[Attribute]) -> None:
    element = _element(op, memref)
    if any(t != element for t in values):
        raise VerifyException(f"{op.name}: every value must have the memref's element type {element}")
    width = len(values) * itemsize(element)
    if len(values) < 2 or width not in VECTOR_BYTES:
        raise VerifyException(f"{op.name}: {len(values)} x {element} is {width} bytes, not an 8- or 16-byte vector")


@irdl_op_definition
class VectorLoadOp(IRDLOperation):
    """Consecutive elements m[i], m[i+1], ... in one 8- or 16-byte load (i must be a
    multiple of their number and m aligned to their width).

    %a, %b, %c, %d = tg_gpu.vector_load %m[%i] : memref<?xf32> -> f32, f32, f32, f32
    """

    name = "tg_gpu.vector_load"
    memref = operand_def(MEMREF)
    index = operand_def(INDEX)
    values = var_result_def()
    assembly_format = "$memref `[` $index `]` attr-dict `:` type($memref) `->` type($values)"

    def __init__(self, memref: SSAValue, index: SSAValue, width: int):
        t = memref.type
        assert isinstance(t, MemRefType)
        super().__init__(operands=[memref, index], result_types=[[t.element_type] * width])

    def verify_(self) -> None:
        _verify_vector(self, self.memref, [v.type for v in self.values])


@irdl_op_definition
class VectorStoreOp(IRDLOperation):
    """Store consecutive elements m[i], m[i+1], ... in one 8- or 16-byte store.

    tg_gpu.vector_store %m[%i], %a, %b, %c, %d : memref<?xf32>, f32, f32, f32, f32
    """

    name = "tg_gpu.vector_store"
    memref = operand_def(MEMREF)
    index = operand_def(INDEX)
    values = var_operand_def()
    assembly_format = "$memref `[` $index `]` `,` $values attr-dict `:` type($memref) `,` type($values)"

    def __init__(self, values: Sequence[SSAValue], memref: SSAValue, index: SSAValue):
        super().__init__(operands=[memref, index, values])

    def verify_(self) -> None:
        _verify_vector(self, self.memref, [v.type for v in self.values])


@irdl_op_definition
class AlignedOp(IRDLOperation):
    """Whether every memref's device address is a multiple of `bytes`.

    %ok = tg_gpu.aligned %a, %b {bytes = 16 : i64} : memref<?xf32>, memref<?xf32>
    """

    name = "tg_gpu.aligned"
    memrefs = var_operand_def(MEMREF)
    bytes = attr_def(IntegerAttr)
    result = result_def(i1)
    assembly_format = "$memrefs attr-dict `:` type($memrefs)"

    def __init__(self, memrefs: Sequence[SSAValue], alignment: int):
        super().__init__(
            operands=[memrefs],
            result_types=[i1],
            attributes={"bytes": IntegerAttr(alignment, i64)},
        )

    def verify_(self) -> None:
        n = self.bytes.value.data
        if n <= 0 or n & (n - 1):
            raise VerifyException(f"tg_gpu.aligned: bytes must be a power of two, got {n}")
        if not self.memrefs:
            raise VerifyException("tg_gpu.aligned: needs at least one memref")


# ---------------------------------------------------------------- host: GEMM


def _verify_gemm(op: GemmOp | BatchedGemmOp) -> None:
    types = [v.type for v in (op.a, op.b, op.c, op.alpha, op.beta)]
    elements = {t.element_type for t in types if isinstance(t, MemRefType)}
    if len(elements) != 1 or not isinstance(next(iter(elements)), Float32Type | Float64Type):
        raise VerifyException(f"{op.name}: a, b, c, alpha and beta must be f32 or f64 memrefs of one element type")
    for name in ("alpha", "beta"):
        t = getattr(op, name).type
        assert isinstance(t, MemRefType)
        if t.get_shape():
            raise VerifyException(f"{op.name}: {name} must be a 0-d memref (a device scalar), got {t}")


class _GemmBase(IRDLOperation):
    trans_a = opt_attr_def(UnitAttr)
    trans_b = opt_attr_def(UnitAttr)

    @property
    def transposed(self) -> tuple[bool, bool]:
        """(trans_a, trans_b) as booleans."""
        return self.trans_a is not None, self.trans_b is not None

    def verify_(self) -> None:
        _verify_gemm(self)  # type: ignore[arg-type]

    @staticmethod
    def transposition(trans_a: bool, trans_b: bool) -> dict[str, Attribute | None]:
        """The `trans_a` / `trans_b` unit attributes of an `__init__`."""
        return {"trans_a": UnitAttr() if trans_a else None, "trans_b": UnitAttr() if trans_b else None}


@irdl_op_definition
class GemmOp(_GemmBase):
    """C = alpha * op(A) @ op(B) + beta * C on row-major device matrices: op(A) is
    m x k, op(B) k x n, C m x n with leading dimensions lda, ldb, ldc (elements
    between rows as stored); alpha and beta are device scalars; beta == 0: C is not read.

    tg_gpu.gemm %a, %b, %c, %alpha, %beta, %m, %n, %k, %lda, %ldb, %ldc {trans_b} : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<f32>, memref<f32>
    """

    name = "tg_gpu.gemm"
    a = operand_def(MEMREF)
    b = operand_def(MEMREF)
    c = operand_def(MEMREF)
    alpha = operand_def(MEMREF)
    beta = operand_def(MEMREF)
    m = operand_def(INDEX)
    n = operand_def(INDEX)
    k = operand_def(INDEX)
    lda = operand_def(INDEX)
    ldb = operand_def(INDEX)
    ldc = operand_def(INDEX)
    assembly_format = (
        "$a `,` $b `,` $c `,` $alpha `,` $beta `,` $m `,` $n `,` $k `,` $lda `,` $ldb `,` $ldc attr-dict "
        "`:` type($a) `,` type($b) `,` type($c) `,` type($alpha) `,` type($beta)"
    )

    def __init__(
        self,
        a: SSAValue, b: SSAValue, c: SSAValue, alpha: SSAValue, beta: SSAValue,
        sizes: Sequence[SSAValue], leading: Sequence[SSAValue], trans_a: bool = False, trans_b: bool = False,
    ):  # fmt: skip
        super().__init__(
            operands=[a, b, c, alpha, beta, *sizes, *leading],
            attributes=_GemmBase.transposition(trans_a, trans_b),
        )


@irdl_op_definition
class BatchedGemmOp(_GemmBase):
    """`count` GEMMs as tg_gpu.gemm's; matrix i of A starts at element i * stride_a (of
    B, C likewise).

    tg_gpu.batched_gemm %a, %b, %c, %alpha, %beta, %count, %m, %n, %k, %lda, %ldb, %ldc, %sa, %sb, %sc : memref<?x?x?xf32>, memref<?x?x?xf32>, memref<?x?x?xf32>, memref<f32>, memref<f32>
    """

    name = "tg_gpu.batched_gemm"
    a = operand_def(MEMREF)
    b = operand_def(MEMREF)
    c = operand_def(MEMREF)
    alpha = operand_def(MEMREF)
    beta = operand_def(MEMREF)
    count = operand_def(INDEX)
    m = operand_def(INDEX)
    n = operand_def(INDEX)
    k = operand_def(INDEX)
    lda = operand_def(INDEX)
    ldb = operand_def(INDEX)
    ldc = operand_def(INDEX)
    stride_a = operand_def(INDEX)
    stride_b = operand_def(INDEX)
    stride_c = operand_def(INDEX)
    assembly_format = (
        "$a `,` $b `,` $c `,` $alpha `,` $beta `,` $count `,` $m `,` $n `,` $k `,` $lda `,` $ldb `,` $ldc `,` "
        "$stride_a `,` $stride_b `,` $stride_c attr-dict "
        "`:` type($a) `,` type($b) `,` type($c) `,` type($alpha) `,` type($beta)"
    )

    def __init__(
        self,
        a: SSAValue, b: SSAValue, c: SSAValue, alpha: SSAValue, beta: SSAValue, count: SSAValue,
        sizes: Sequence[SSAValue], leading: Sequence[SSAValue], strides: Sequence[SSAValue],
        trans_a: bool = False, trans_b: bool = False,
    ):  # fmt: skip
        super().__init__(
            operands=[a, b, c, alpha, beta, count, *sizes, *leading, *strides],
            attributes=_GemmBase.transposition(trans_a, trans_b),
        )


GEMM_TILE = "tg_gpu.gemm_tile"
"""Attribute of the fallback GEMM kernels: [rows, cols] of C one block computes (the
grid is (ceil(n / cols), ceil(m / rows), 1); the block size is `gpu.known_block_size`)."""
UNROLL = "tg_gpu.unroll"
"""Attribute of an scf.for in a kernel: the most copies of its body the compiler may
make (`#pragma unroll N`; 1 for grid-stride loops, which usually run once)."""
LAUNCH_BOUNDS = "tg_gpu.launch_bounds"
"""Attribute of a kernel: the most threads per block it is launched with."""

OPS: list[type[Operation]] = [
    ShuffleXorOp,
    ShuffleDownOp,
    ShuffleUpOp,
    SharedArrayOp,
    AtomicCasOp,
    AtomicAddOp,
    AtomicMaxOp,
    CallOp,
    VectorLoadOp,
    VectorStoreOp,
    AlignedOp,
    GemmOp,
    BatchedGemmOp,
]

TG_GPU = Dialect("tg_gpu", OPS, [])
