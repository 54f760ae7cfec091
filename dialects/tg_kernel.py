"""The `fused` and `buffers` levels of the `tg` dialect: kernels and the buffers they
write.

At the **fused** level, `tg.fusion` holds a group of tg ops that lowering turns into
one loop nest (elementwise ops, views, and at most one reduction or other stored op
at their root); its body reads only its block arguments and yields one or more
results:

    %y, %s = tg.fusion(%x, %m) {
    ^bb0(%a: tensor<?x?xf32>, %b: tensor<?x1xf32>):
      %d = tg.sub %a, %b : ...
      %e = tg.exp %d : ...
      %t = tg.sum %e {axes = array<i64: 1>} : ...
      tg.fusion_yield %e, %t : tensor<?x?xf32>, tensor<?xf32>
    } : (tensor<?x?xf32>, tensor<?x1xf32>) -> (tensor<?x?xf32>, tensor<?xf32>)

At the **buffers** level tensors have become memrefs. `tg.buffer` names an
intermediate buffer (allocated when first written, with the shape of what is
written, so a buffer is reused only by values of equal shape), `tg.compute` runs a
kernel body reading the `ins` buffers and writing the `outs` buffers (a buffer that
is both in `ins` and `outs` is updated in place), and `tg.release` frees a buffer
after its last reader:

    %b0 = tg.buffer : memref<?xf32>
    tg.compute ins(%x, %y : memref<?xf32>, memref<?xf32>) outs(%b0 : memref<?xf32>) {
    ^bb0(%a: tensor<?xf32>, %c: tensor<?xf32>):
      %s = tg.add %a, %c : ...
      tg.fusion_yield %s : tensor<?xf32>
    }
    tg.release %b0 : memref<?xf32>
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tg.dialects.tg import TG_TENSOR
from xdsl.dialects.builtin import MemRefType, TensorType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    base,
    irdl_op_definition,
    operand_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.traits import HasParent, IsolatedFromAbove, IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

UPDATES = "tg.updates"
"""Function attribute (graph level): pairs (output index, argument index): the output
is the new value of the shared variable passed as that argument."""
MUTABLE = "tg.mutable"
"""Function attribute (graph level): indices of arguments the caller lends for
destruction (`In(x, borrow=True, mutable=True)`)."""
INPLACE_UPDATES = "tg.inplace_updates"
"""Function attribute (buffers level, set by tg-bufferize): (output, argument) index
pairs of updates written into the argument's storage."""

MAX_KERNEL_OPERANDS = 32
"""Most buffers one kernel reads (its loop body keeps one pointer and one index per
operand dimension live; past this LLVM spills them)."""

MEMREF = base(MemRefType)


def _verify_body(op: Operation, block: Block, ins: Sequence[Attribute], outs: Sequence[Attribute]) -> None:
    """The body takes one tensor per input and yields one tensor per output."""
    if [a.type for a in block.args] != list(ins):
        raise VerifyException(
            f"{op.name}: the body's arguments must have the inputs' types ({', '.join(map(str, ins))}), "
            f"got {', '.join(str(a.type) for a in block.args)}"
        )
    terminator = block.last_op
    if not isinstance(terminator, FusionYieldOp):
        raise VerifyException(f"{op.name}: the body must end with tg.fusion_yield")
    yielded = [v.type for v in terminator.values]
    if yielded != list(outs):
        raise VerifyException(
            f"{op.name}: the body yields {', '.join(map(str, yielded))} but the outputs are {', '.join(map(str, outs))}"
        )
    if not outs:
        raise VerifyException(f"{op.name}: a kernel has at least one output")


def _verify_flat(op: Operation, block: Block) -> None:
    """A kernel body holds tg ops, not other kernels."""
    for inner in block.ops:
        if isinstance(inner, FusionOp | ComputeOp | BufferOp | ReleaseOp):
            raise VerifyException(f"{op.name}: a kernel body cannot hold {inner.name}")


def _tensor_of(t: Attribute) -> TensorType:
    assert isinstance(t, MemRefType)
    return TensorType(t.element_type, t.get_shape())


@irdl_op_definition
class FusionOp(IRDLOperation):
    """A group of tg ops computed as one kernel (one loop nest)."""

    name = "tg.fusion"
    inputs = var_operand_def(TG_TENSOR)
    outputs = var_result_def(TG_TENSOR)
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), Pure())
    assembly_format = "`(` $inputs `)` $body attr-dict `:` functional-type($inputs, $outputs)"

    def __init__(self, inputs: Sequence[SSAValue], body: Region, output_types: Sequence[Attribute]):
        super().__init__(operands=[inputs], result_types=[output_types], regions=[body])

    @property
    def yielded(self) -> list[SSAValue]:
        terminator = self.body.block.last_op
        assert isinstance(terminator, FusionYieldOp)
        return list(terminator.values)

    def verify_(self) -> None:
        _verify_body(self, self.body.block, [v.type for v in self.inputs], [r.type for r in self.outputs])
        if len(self.inputs) > MAX_KERNEL_OPERANDS:
            raise VerifyException(f"tg.fusion: {len(self.inputs)} inputs, more than the cap of {MAX_KERNEL_OPERANDS}")
        _verify_flat(self, self.body.block)

    def run_reference(self, *args: np.ndarray) -> list[np.ndarray]:
        """The numpy results: the body run by the interpreter."""
        from tg.dialects.interpreter import run_block

        return run_block(self.body.block, args)


@irdl_op_definition
class BufferOp(IRDLOperation):
    """An intermediate buffer, allocated when a kernel first writes it."""

    name = "tg.buffer"
    result = result_def(MEMREF)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, t: MemRefType):
        super().__init__(result_types=[t])


@irdl_op_definition
class ComputeOp(IRDLOperation):
    """Run a kernel body on buffers: read `ins`, write `outs` (in place when a buffer is
    both)."""

    name = "tg.compute"
    ins = var_operand_def(MEMREF)
    outs = var_operand_def(MEMREF)
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove())
    irdl_options = (AttrSizedOperandSegments(),)
    assembly_format = (
        "(`ins` `(` $ins^ `:` type($ins) `)`)? `outs` `(` $outs `:` type($outs) `)` $body attr-dict"
    )

    def __init__(self, ins: Sequence[SSAValue], outs: Sequence[SSAValue], body: Region):
        super().__init__(operands=[ins, outs], regions=[body])

    @property
    def yielded(self) -> list[SSAValue]:
        terminator = self.body.block.last_op
        assert isinstance(terminator, FusionYieldOp)
        return list(terminator.values)

    def in_place(self) -> list[SSAValue]:
        """The buffers this kernel both reads and writes."""
        return [b for b in self.outs if b in set(self.ins)]

    def verify_(self) -> None:
        _verify_body(self, self.body.block, [_tensor_of(v.type) for v in self.ins], [_tensor_of(v.type) for v in self.outs])
        if len(set(self.outs)) != len(self.outs):
            raise VerifyException("tg.compute: a buffer appears twice among the outputs")
        if len(self.ins) > MAX_KERNEL_OPERANDS:
            raise VerifyException(f"tg.compute: {len(self.ins)} inputs, more than the cap of {MAX_KERNEL_OPERANDS}")
        _verify_flat(self, self.body.block)


@irdl_op_definition
class ReleaseOp(IRDLOperation):
    """Free an intermediate buffer after its last reader."""

    name = "tg.release"
    buffer = operand_def(MEMREF)
    assembly_format = "$buffer attr-dict `:` type($buffer)"

    def __init__(self, buffer: SSAValue):
        super().__init__(operands=[buffer])

    def verify_(self) -> None:
        if not isinstance(self.buffer.owner, BufferOp):
            raise VerifyException("tg.release: only a tg.buffer can be released")


@irdl_op_definition
class FusionYieldOp(IRDLOperation):
    """Ends a kernel body with the values it computes."""

    name = "tg.fusion_yield"
    values = var_operand_def(TG_TENSOR)
    traits = traits_def(IsTerminator(), HasParent(FusionOp, ComputeOp), Pure())
    assembly_format = "$values attr-dict `:` type($values)"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[values])


OPS: list[type[Operation]] = [FusionOp, BufferOp, ComputeOp, ReleaseOp, FusionYieldOp]
