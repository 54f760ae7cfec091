"""The numpy interpreter (`tg.dialects.interpreter`) on IR built directly, and each
op's `reference` (and shape rules) against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import FloatAttr, ModuleOp, f32, f64, i1, i8, i16, i32, i64
from xdsl.ir import Block, Region
from xdsl.parser import Parser

import tg
import tg.tensor as T
from tg.dialects import tg as tgd
from tg.dialects.interpreter import InterpreterError, find_function, run_function, run_module
from tg.dialects.tensor_types import tensor_type
from tg.pipeline import context, lower
from tg_testutil import assert_result, np_cast, rand

ELEMENT = {"float32": f32, "float64": f64, "bool": i1, "int8": i8, "int16": i16, "int32": i32, "int64": i64}


def parse(text: str) -> ModuleOp:
    return Parser(context(), text).parse_module()


def args_of(*types):
    """Fresh SSA values (block arguments) of the given tensor types."""
    return Block(arg_types=list(types)).args


def tt(dtype, *shape):
    return tensor_type(dtype, list(shape))


# ----------------------------------------------------------------- run_module on IR text


PROGRAM = """
builtin.module {
  func.func @main(%x: tensor<?x?xf32>, %r: tensor<1x?xf32>, %v: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x?xi1>, tensor<f32>, tensor<?x?xf32>) {
    %0 = tg.add %x, %r : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
    %1 = tg.exp %0 : tensor<?x?xf32>
    %2 = tg.sum %1 {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?xf32>
    %3 = tg.dot %x, %v : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
    %4 = tg.cmp "gt", %x, %r : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xi1>
    %5 = tg.max %x {axes = array<i64: 0, 1>} : tensor<?x?xf32> -> tensor<f32>
    %6 = tg.constant dense<2.500000e+00> : tensor<f32>
    %7 = tg.dimshuffle %6 {pattern = array<i64: -1, -1>} : tensor<f32> -> tensor<1x1xf32>
    %8 = tg.transpose %x {permutation = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
    %9 = tg.select %4, %x, %7 : (tensor<?x?xi1>, tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
    %10 = tg.mul %9, %7 : (tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
    func.return %0, %2, %3, %4, %5, %10 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?x?xi1>, tensor<f32>, tensor<?x?xf32>
  }
}
"""


def test_run_module_on_parsed_ir_matches_numpy():
    module = parse(PROGRAM)
    module.verify()
    rng = np.random.default_rng(0)
    for m, n in [(3, 4), (1, 1), (2, 5)]:
        x = rand((m, n), "float32", rng)
        r = rand((1, n), "float32", rng)
        v = rand((n,), "float32", rng)
        got = run_module(module, [x, r, v])
        s = x + r
        want = [s, np.exp(s).sum(axis=1), x @ v, x > r, x.max(), np.where(x > r, x, np.float32(2.5)) * np.float32(2.5)]
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_result(np.asarray(g), w, atol=1e-5)


def test_run_module_converts_arguments_to_the_declared_dtype():
    module = parse("""
builtin.module {
  func.func @main(%a: tensor<?xi32>) -> tensor<?xi32> {
    %0 = tg.abs %a : tensor<?xi32>
    func.return %0 : tensor<?xi32>
  }
}""")
    (got,) = run_module(module, [[-1, 2, -3]])
    assert_result(got, np.array([1, 2, 3], "int32"))


def test_run_module_named_function_and_errors():
    module = parse("""
builtin.module {
  func.func @neg(%a: tensor<?xf64>) -> tensor<?xf64> {
    %0 = tg.neg %a : tensor<?xf64>
    func.return %0 : tensor<?xf64>
  }
  func.func @twice(%a: tensor<?xf64>) -> tensor<?xf64> {
    %0 = tg.add %a, %a : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
    func.return %0 : tensor<?xf64>
  }
}""")
    a = np.array([1.0, -2.0])
    assert_result(run_module(module, [a], "neg")[0], -a)
    assert_result(run_module(module, [a], name="twice")[0], a + a)
    assert find_function(module, "twice").sym_name.data == "twice"
    with pytest.raises(ValueError, match="expected one function"):
        run_module(module, [a])  # two functions and no name
    with pytest.raises(ValueError, match="named nope"):
        run_module(module, [a], "nope")
    with pytest.raises(ValueError, match="takes 1 arguments, got 2"):
        run_module(module, [a, a], "neg")


def test_interpreter_rejects_ops_without_reference():
    block = Block(arg_types=[f64])
    c = arith.ConstantOp(FloatAttr(1.0, f64))
    add = arith.AddfOp(block.args[0], c.result)
    block.add_ops([c, add, func.ReturnOp(add.result)])
    function = func.FuncOp("main", ([f64], [f64]), Region(block))
    with pytest.raises(InterpreterError, match="cannot run arith"):
        run_function(function, [np.float64(1.0)])
    assert issubclass(InterpreterError, TypeError)


def test_interpreter_cannot_run_the_loops_stage():
    x = T.dvector("x")
    f = tg.function([x], x * 2)
    loops = lower(f._graph.clone(), "graph", "loops")
    with pytest.raises((InterpreterError, KeyError, TypeError)):
        run_module(loops, [np.ones(2), np.empty(2), np.zeros((), np.int32)])


def test_function_without_return_is_an_error():
    block = Block(arg_types=[tt("float64", None)])
    block.add_op(tgd.NegOp(block.args[0]))
    function = func.FuncOp("main", ([tt("float64", None)], []), Region(block))
    with pytest.raises(ValueError, match="no func.return"):
        run_function(function, [np.ones(2)])


def test_graph_and_optimized_stages_interpret_like_compiled_code():
    rng = np.random.default_rng(1)
    x, m = T.fvector("x"), T.fmatrix("m")
    W = tg.shared(rng.uniform(size=3).astype("float32"), "W")
    outs = [T.tanh(T.dot(m, x) + W).sum(), (m * m).max(axis=0), T.switch(x > 0, x, W), m.T.mean(axis=1)]
    f = tg.function([x, m], outs)
    args = [rand((3,), "float32", rng), rand((3, 3), "float32", rng)]
    compiled = f(*args)
    inputs = [*args, W.get_value()]
    for module in (f._graph, f._optimized, parse(f.ir("graph")), parse(f.ir("optimized"))):
        for got, want in zip(run_module(module, inputs), compiled):
            assert_result(np.asarray(got), want, atol=1e-5)


# --------------------------------------------------------------- each op's reference


def _cases():
    """(op, numpy arguments, numpy expected result) for every tg op."""
    rng = np.random.default_rng(2)
    a32 = rand((3, 4), "float32", rng)
    b32 = rand((3, 4), "float32", rng)
    r32 = rand((1, 4), "float32", rng)
    a64 = rand((2, 5), "float64", rng)
    b64 = rand((2, 5), "float64", rng)
    ia = rand((4,), "int16", rng, full_range=True)
    ib = rand((4,), "int16", rng, full_range=True)
    m, mr = args_of(tt("float32", None, 4), tt("float32", 1, 4))
    d, d2 = args_of(tt("float64", 2, None), tt("float64", 2, None))
    i, j = args_of(tt("int16", None), tt("int16", None))
    cases = []
    for cls, npf in [(tgd.AddOp, np.add), (tgd.SubOp, np.subtract), (tgd.MulOp, np.multiply),
                     (tgd.DivOp, np.true_divide), (tgd.PowOp, np.power), (tgd.MaximumOp, np.maximum),
                     (tgd.MinimumOp, np.minimum)]:
        cases.append((cls(m, mr), [a32, r32], npf(a32, r32)))
        cases.append((cls(d, d2), [a64, b64], npf(a64, b64)))
        if cls not in (tgd.DivOp, tgd.PowOp):
            cases.append((cls(i, j), [ia, ib], npf(ia, ib)))  # wraps
    for cls, npf in [(tgd.NegOp, np.negative), (tgd.AbsOp, np.abs), (tgd.ExpOp, np.exp), (tgd.LogOp, np.log),
                     (tgd.TanhOp, np.tanh), (tgd.SqrtOp, np.sqrt),
                     (tgd.SigmoidOp, lambda v: 1 / (1 + np.exp(-v))),
                     (tgd.SoftplusOp, lambda v: np.logaddexp(0, v))]:
        cases.append((cls(d), [a64], npf(a64)))
        cases.append((cls(m), [a32], npf(a32).astype("float32")))
    cases.append((tgd.NegOp(i), [ia], -ia))
    cases.append((tgd.AbsOp(i), [ia], np.abs(ia)))
    for pred, npf in tgd.CMP_PREDICATES.items():
        cases.append((tgd.CmpOp(pred, m, mr), [a32, r32], npf(a32, r32)))
        cases.append((tgd.CmpOp(pred, i, j), [ia, ia[::-1].copy()], npf(ia, ia[::-1])))
    (c,) = args_of(tt("bool", None, 4))
    cond = a32 > 0
    cases.append((tgd.SelectOp(c, m, mr), [cond, a32, r32], np.where(cond, a32, r32)))
    for target in ELEMENT:
        cases.append((tgd.CastOp(i, ELEMENT[target]), [ia], np_cast(ia, target)))
        cases.append((tgd.CastOp(d, ELEMENT[target]), [a64 * 100], np_cast(a64 * 100, target)))
    cases.append((tgd.DimOp(m, 0), [a32], np.asarray(3, "int64")))
    cases.append((tgd.DimOp(m, 1), [a32], np.asarray(4, "int64")))
    n1, n2 = args_of(tt("int64"), tt("int64"))
    (v,) = args_of(tt("float64", None))
    (s,) = args_of(tt("float32", 1))
    vec = rand((5,), "float64", rng)
    sizes = [np.asarray(3, "int64"), np.asarray(5, "int64")]
    cases.append((tgd.BroadcastOp(v, [n1, n2], [None, None]), [vec, *sizes], np.broadcast_to(vec, (3, 5))))
    cases.append((tgd.BroadcastOp(s, [n1, n2], [None, 5]), [np.ones(1, "float32"), *sizes],
                  np.ones((3, 5), "float32")))
    (t3,) = args_of(tt("int32", None, None, None))
    x3 = rand((2, 3, 4), "int32", rng, -99, 99)
    cases.append((tgd.TransposeOp(t3, [2, 0, 1]), [x3], x3.transpose(2, 0, 1)))
    cases.append((tgd.TransposeOp(m, [1, 0]), [a32], a32.T))
    (b4,) = args_of(tt("float64", None, 1, None, 1))
    x4 = rand((2, 1, 3, 1), "float64", rng)
    cases.append((tgd.DimShuffleOp(b4, [2, -1, 0]), [x4], x4[:, 0, :, 0].T[:, None, :]))
    cases.append((tgd.DimShuffleOp(mr, [1]), [r32], r32[0]))
    cases.append((tgd.DimShuffleOp(m, [-1, 1, -1, 0]), [a32], a32.T[None, :, None, :]))
    for axes in ([0], [1, 2], [0, 1, 2], []):
        cases.append((tgd.SumOp(t3, axes), [x3], np.sum(x3, axis=tuple(axes), dtype="int32")))
        cases.append((tgd.MaxOp(t3, axes), [x3], np.max(x3, axis=tuple(axes))))
    cases.append((tgd.SumOp(m, [0]), [a32], a32.sum(axis=0)))
    k, mat, mat2 = args_of(tt("float64", None), tt("float64", None, None), tt("float64", None, None))
    kv, km, km2 = rand((5,), "float64", rng), rand((3, 5), "float64", rng), rand((5, 2), "float64", rng)
    cases.append((tgd.DotOp(k, k), [kv, kv], np.dot(kv, kv)))
    cases.append((tgd.DotOp(mat, k), [km, kv], km @ kv))
    cases.append((tgd.DotOp(k, mat2), [kv, km2], kv @ km2))
    cases.append((tgd.DotOp(mat, mat2), [km, km2], km @ km2))
    (lo,) = args_of(tt("float64"))
    for kind, params in [("zero", []), ("disconnected", []), ("clip", [lo, lo]), ("scale", [lo])]:
        cases.append((tgd.GradientHintOp(kind, d, params), [a64] + [np.float64(1.0)] * len(params), a64))
    (ok,) = args_of(tt("bool"))
    cases.append((tgd.AssertOp(d, ok, "fine"), [a64, np.bool_(True)], a64))
    const = np.array([[1, 2], [3, 4]], "int8")
    cases.append((tgd.ConstantOp.from_array(const), [], const))
    bools = np.array([True, False, True])
    cases.append((tgd.ConstantOp.from_array(bools), [], bools))
    cases.append((tgd.ConstantOp.from_array(np.float32(0.13)), [], np.float32(0.13)))
    return cases


with np.errstate(all="ignore"):
    CASES = _cases()


def test_every_op_has_a_reference_case():
    covered = {type(op) for op, _, _ in CASES}
    assert covered == set(tgd.TG_OPS), set(tgd.TG_OPS) - covered


@pytest.mark.parametrize("case", range(len(CASES)), ids=lambda i: f"{i}-{CASES[i][0].name}")
def test_reference_matches_numpy(case):
    op, args, want = CASES[case]
    op.verify()
    with np.errstate(all="ignore"):
        got = op.reference(*args)
        want = np.asarray(want)
    assert isinstance(got, np.ndarray)
    assert_result(got, want, what=str(op))
    if not isinstance(op, tgd.BroadcastOp):
        assert op.infer_shape([np.shape(a) for a in args]) == got.shape


def test_reference_does_not_modify_or_alias_its_arguments():
    for op, args, _ in CASES:
        copies = [np.array(a, copy=True) for a in args]
        with np.errstate(all="ignore"):
            got = op.reference(*args)
        for a, c in zip(args, copies):
            np.testing.assert_array_equal(a, c)
            if isinstance(op, tgd.TransposeOp | tgd.DimShuffleOp | tgd.BroadcastOp):
                assert not np.shares_memory(got, a), op.name


@pytest.mark.parametrize("source,target", [("float64", "int64"), ("float32", "int64"), ("float32", "int32")])
def test_cast_reference_saturates_at_the_upper_bound(source, target):
    (x,) = args_of(tt(source, None))
    op = tgd.CastOp(x, ELEMENT[target])
    values = np.array([np.inf, 2.0**63, 9.3e18, 2.0**31, 1.0], source)
    with np.errstate(all="ignore"):
        assert_result(op.reference(values), np_cast(values, target))


def test_constant_splat_and_to_array():
    module = parse("""
builtin.module {
  func.func @main() -> (tensor<2x3xf32>, tensor<2xi1>, tensor<i64>) {
    %0 = tg.constant dense<1.500000e+00> : tensor<2x3xf32>
    %1 = tg.constant dense<[true, false]> : tensor<2xi1>
    %2 = tg.constant dense<7> : tensor<i64>
    func.return %0, %1, %2 : tensor<2x3xf32>, tensor<2xi1>, tensor<i64>
  }
}""")
    a, b, c = run_module(module, [])
    assert_result(a, np.full((2, 3), 1.5, "float32"))
    assert_result(b, np.array([True, False]))
    assert_result(c, np.asarray(7, "int64"))


# -------------------------------------------------------------------- shape rules


def test_infer_shape_errors_name_culprits():
    x, y = args_of(tt("float32", None), tt("float32", None))
    add = tgd.AddOp(x, y)
    with pytest.raises(tgd.ShapeError) as e:
        add.infer_shape([(3,), (2,)])
    assert e.value.culprits == ((0, 0), (1, 0))
    with pytest.raises(tgd.ShapeError, match="broadcastable"):
        add.infer_shape([(3,), (1,)])
    r, = args_of(tt("float32", 1))
    with pytest.raises(tgd.ShapeError, match="declared broadcastable"):
        tgd.AddOp(x, r).infer_shape([(3,), (2,)])
    assert tgd.AddOp(x, r).infer_shape([(3,), (1,)]) == (3,)
    m, v = args_of(tt("float32", None, None), tt("float32", None))
    with pytest.raises(tgd.ShapeError, match="contracted") as e:
        tgd.DotOp(m, v).infer_shape([(2, 3), (4,)])
    assert e.value.culprits == ((0, 1), (1, 0))
    with pytest.raises(tgd.ShapeError, match="size 0"):
        tgd.MaxOp(m, [0]).infer_shape([(0, 3)])
    assert tgd.MaxOp(m, [1]).infer_shape([(0, 3)]) == (0,)
    assert tgd.SumOp(m, [0]).infer_shape([(0, 3)]) == (3,)
    assert issubclass(tgd.ShapeError, ValueError)


def test_dim_sources_follow_views():
    m, = args_of(tt("float32", None, None))
    t = tgd.TransposeOp(m, [1, 0])
    assert t.dim_sources(0) == [(0, 1)]
    ds = tgd.DimShuffleOp(m, [-1, 1, 0])
    assert ds.dim_sources(0) == [] and ds.dim_sources(1) == [(0, 1)]
    s = tgd.SumOp(m, [0])
    assert s.dim_sources(0) == [(0, 1)]
    v, = args_of(tt("float32", None))
    assert tgd.DotOp(m, v).dim_sources(0) == [(0, 0)]


# ----------------------------------------------------------------- property-based


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4),
               elements=st.floats(-1e6, 1e6)),
    st.data(),
)
def test_reduction_references_match_numpy(array, data):
    axes = sorted(data.draw(st.sets(st.integers(0, array.ndim - 1))))
    (x,) = args_of(tt("float64", *([None] * array.ndim)))
    s, mx = tgd.SumOp(x, axes), tgd.MaxOp(x, axes)
    np.testing.assert_allclose(s.reference(array), np.sum(array, axis=tuple(axes)), rtol=1e-12, atol=1e-6)
    np.testing.assert_array_equal(mx.reference(array), np.max(array, axis=tuple(axes)))
    assert s.infer_shape([array.shape]) == np.sum(array, axis=tuple(axes)).shape
    perm = data.draw(st.permutations(range(array.ndim)))
    t = tgd.TransposeOp(x, perm)
    np.testing.assert_array_equal(t.reference(array), np.transpose(array, perm))
    assert t.infer_shape([array.shape]) == np.transpose(array, perm).shape
