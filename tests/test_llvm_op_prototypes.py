"""Ops built from prototypes are the ops their constructors build: kind by kind, and
for a whole MLP training step's LLVM IR."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import llvm
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, f32, i1, i64
from xdsl.ir import Block

import tg
import tg.tensor as T
from tg.lowering.llvm_op_prototypes import OpPrototypes

PTR = llvm.LLVMPointerType()


def _same(a, b) -> None:
    assert type(a) is type(b)
    assert a.properties == b.properties and a.attributes == b.attributes
    assert [r.type for r in a.results] == [r.type for r in b.results]
    assert list(a.operands) == list(b.operands) and list(a.successors) == list(b.successors)
    if not b.successors:  # a terminator verifies only inside a block
        b.verify()


def _cases():
    block = Block(arg_types=[i64, i64, PTR, f32, f32, i1])
    x, y, p, u, v, c = block.args
    dest = Block(arg_types=[i64])
    other = Block()
    fast = llvm.FastMathAttr("fast")
    return [
        (llvm.AddOp, [x, y], (), lambda: llvm.AddOp(x, y), ()),
        (llvm.MulOp, [y, x], (), lambda: llvm.MulOp(y, x), ()),
        (llvm.FAddOp, [u, v], (fast,), lambda: llvm.FAddOp(u, v, fast), ()),
        (llvm.FMulOp, [u, v], (None,), lambda: llvm.FMulOp(u, v, None), ()),
        (llvm.ICmpOp, [x, y], (IntegerAttr(2, 64),), lambda: llvm.ICmpOp(x, y, IntegerAttr(2, 64)), ()),
        (llvm.SelectOp, [c, x, y], (), lambda: llvm.SelectOp(c, x, y), ()),
        (llvm.LoadOp, [p], (f32,), lambda: llvm.LoadOp(p, f32), ()),
        (llvm.StoreOp, [u, p], (), lambda: llvm.StoreOp(u, p), ()),
        (llvm.SExtOp, [c], (i64,), lambda: llvm.SExtOp(c, i64), ()),
        (llvm.ConstantOp, [], (IntegerAttr(7, i64), i64), lambda: llvm.ConstantOp(IntegerAttr(7, i64), i64), ()),
        (llvm.ConstantOp, [], (FloatAttr(-0.0, f32), f32), lambda: llvm.ConstantOp(FloatAttr(-0.0, f32), f32), ()),
        (llvm.GEPOp, [p, x], ("address", f32),
         lambda: llvm.GEPOp(p, [llvm.GEP_USE_SSA_VAL], f32, [x], inbounds=True), ()),
        (llvm.GEPOp, [p], ("slot", 3), lambda: llvm.GEPOp(p, [3], PTR, inbounds=True), ()),
        (llvm.BrOp, [x], (), lambda: llvm.BrOp(dest, x), (dest,)),
        (llvm.CondBrOp, [c, y], (1, 0), lambda: llvm.CondBrOp(c, dest, [y], other, []), (dest, other)),
    ]


@pytest.mark.parametrize("case", range(len(_cases())))
def test_the_second_op_of_a_kind_equals_its_constructors(case):
    cls, operands, key, construct, successors = _cases()[case]
    prototypes = OpPrototypes()
    first = prototypes.build(cls, operands, key, construct, successors)
    second = prototypes.build(cls, operands, key, construct, successors)
    assert second is not first
    _same(construct(), second)
    assert prototypes._seen[(cls, key, len(successors), *(v.type for v in operands))] is not None


def test_distinct_constants_are_distinct_kinds():
    prototypes = OpPrototypes()
    ops = [
        prototypes.build(llvm.ConstantOp, [], (FloatAttr(z, f32), f32), lambda z=z: llvm.ConstantOp(FloatAttr(z, f32), f32))
        for z in (0.0, -0.0, 0.0, -0.0)
    ]
    assert [str(o.value) for o in ops] == [str(FloatAttr(z, f32)) for z in (0.0, -0.0, 0.0, -0.0)]


def test_a_kind_whose_constructor_reorders_operands_is_always_constructed():
    block = Block(arg_types=[i64, i64])
    x, y = block.args
    prototypes = OpPrototypes()
    calls = []

    def construct():
        calls.append(1)
        return llvm.AddOp(y, x)  # not the order given

    for _ in range(3):
        op = prototypes.build(llvm.AddOp, [x, y], (), construct)
        assert list(op.operands) == [y, x]
    assert len(calls) == 3


def test_prototypes_change_no_byte_of_the_llvm_ir(monkeypatch):
    rng = np.random.default_rng(0)
    x, y = T.fmatrix("x"), T.ivector("y")
    params = [tg.shared(rng.standard_normal(s).astype("float32"), f"p{i}") for i, s in enumerate([(6, 5), (5,), (5, 3), (3,)])]
    W1, b1, W2, b2 = params
    loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2), y).mean()
    grads = tg.grad(loss, params)
    with tg.config.change_flags(cache_dir=""):
        f = tg.function([x, y], loss, updates=[(p, p - np.float32(0.1) * g) for p, g in zip(params, grads)])
    fast = f.ir("llvmir")
    constructed = []

    def by_constructor(self, cls, operands, key, construct, successors=()):
        constructed.append(cls)
        return construct()

    monkeypatch.setattr(OpPrototypes, "build", by_constructor)
    assert f.ir("llvmir") == fast
    assert len(constructed) > 100  # the stage was lowered again, every op by its constructor
