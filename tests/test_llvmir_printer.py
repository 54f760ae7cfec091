"""tg's LLVM IR printer (tg.lowering.llvmir_printer): for a corpus of functions its
text parses and verifies in llvmlite, defines and declares the symbols xDSL's
translator does, and compiles to code that computes what numpy (or the interpreter)
does; constants print exactly; block arguments become phi nodes; flags print; an op
it does not know is named in the error."""

from __future__ import annotations

import ctypes
import re
import struct
from collections.abc import Callable, Iterator

import llvmlite.binding as llb
import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.lowering import jit, llvm_worker, parallel_codegen
from tg.lowering.llvmir_printer import float_text, print_llvmir
from tg.tensor.shared_randomstreams import RandomStreams
from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i1,
    i32,
    i64,
)
from xdsl.dialects.utils.fast_math import FastMathFlag
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

PTR = llvm.LLVMPointerType()
DTYPES = ("float32", "float64", "bool", "int8", "int16", "int32", "int64")
rng = np.random.default_rng(7)

_SYMBOL = re.compile(r'^(define|declare)( internal)?[^@\n]*@"([^"]+)"|^@"([^"]+)" = (\w+)', re.MULTILINE)


def symbols(text: str) -> set[tuple[str, str, str]]:
    """(kind, name, linkage) of each function defined or declared and each global.
    xDSL's translator names `llvm.intr.fabs` `llvm.fabs`: intrinsics compare without
    their type suffixes."""
    found = set()
    for m in _SYMBOL.finditer(text):
        if m.group(4):
            found.add(("global", m.group(4), m.group(5)))
        else:
            name = m.group(3)
            if name.startswith("llvm."):
                name = re.sub(r"(\.[if]\d+)+$", "", name)
            found.add((m.group(1), name, "internal" if m.group(2) else ""))
    return found


def host_print(module: ModuleOp) -> str:
    tm = jit.target_machine()
    return print_llvmir(module, tm.triple, str(tm.target_data))


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Functions compile through the printer (the compile cache off, so that each
    does): the texts it printed, each checked to verify and to hold xDSL's symbols."""
    texts: list[str] = []
    translate = jit.to_llvmir

    def to_llvmir(module: ModuleOp) -> str:
        text = host_print(module)
        llb.parse_assembly(text).verify()
        assert symbols(text) == symbols(translate(module))
        texts.append(text)
        return text

    monkeypatch.setattr(jit, "to_llvmir", to_llvmir)
    with tg.config.change_flags(cache_dir=""):
        yield texts


# ------------------------------------------------------------ the tg corpus


def _elementwise() -> tuple[list, list, list, list]:
    a, b = T.fvector("a"), T.fvector("b")
    x, y = rng.uniform(0.5, 2, 50).astype("float32"), rng.uniform(-2, 2, 50).astype("float32")
    outs = [a * b + 3, T.exp(b), T.tanh(b), T.log(a), T.sqrt(a), abs(b), a**b, T.maximum(a, b), -b / a, b % a]
    expected = [x * y + 3, np.exp(y), np.tanh(y), np.log(x), np.sqrt(x), abs(y), x**y, np.maximum(x, y), -y / x,
                np.mod(y, x)]  # fmt: skip
    return [a, b], outs, [x, y], expected


def _broadcasting() -> tuple[list, list, list, list]:
    m, v, c = T.dmatrix("m"), T.dvector("v"), T.dcol("c")
    mv, vv, cv = rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal((4, 1))
    return [m, v, c], [m + v * c, (m - c) / 2], [mv, vv, cv], [mv + vv * cv, (mv - cv) / 2]


def _reductions() -> tuple[list, list, list, list]:
    m = T.fmatrix("m")
    mv = rng.standard_normal((5, 7)).astype("float32")
    outs = [m.sum(axis=0), m.max(axis=1), T.argmax(m, axis=1), m.mean(), T.argmax(m)]
    return [m], outs, [mv], [mv.sum(0), mv.max(1), mv.argmax(1), mv.mean(), mv.argmax()]


def _softmax_crossentropy() -> tuple[list, list, list, list]:
    m, t = T.dmatrix("m"), T.ivector("t")
    mv, tv = rng.standard_normal((6, 4)), rng.integers(0, 4, 6).astype("int32")
    p = np.exp(mv - mv.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = T.nnet.categorical_crossentropy(T.nnet.softmax(m), t)
    return [m, t], [T.nnet.softmax(m), loss], [mv, tv], [p, -np.log(p[np.arange(6), tv])]


def _indexing() -> tuple[list, list, list, list]:
    x, i, idx = T.dmatrix("x"), T.iscalar("i"), T.lvector("idx")
    xv, iv, idxv = rng.standard_normal((5, 4)), np.int32(1), np.array([4, 0, 2, 0])
    inc = xv.copy()
    inc[::-2, 1] += 1.5
    return [x, i, idx], [x[1:3], T.inc_subtensor(x[::-2, i], 1.5), x[idx]], [xv, iv, idxv], [xv[1:3], inc, xv[idxv]]


def _gemm() -> tuple[list, list, list, list]:
    a, b, v = T.fmatrix("a"), T.fmatrix("b"), T.dvector("v")
    d = T.dmatrix("d")
    av, bv = rng.standard_normal((6, 5)).astype("float32"), rng.standard_normal((5, 3)).astype("float32")
    dv, vv = rng.standard_normal((4, 3)), rng.standard_normal(3)
    return [a, b, d, v], [T.dot(a, b), T.dot(d, v)], [av, bv, dv, vv], [av @ bv, dv @ vv]


def _parallel_loops() -> tuple[list, list, list, list]:
    a = T.fvector("a")
    x = rng.standard_normal(300_000).astype("float32")
    return [a], [a * a + 1], [x], [x * x + 1]


def _constants() -> tuple[list, list, list, list]:
    """Scalar constants inline, arrays as globals: special float values, every dtype."""
    special = np.array([0.1, -0.0, np.inf, -np.inf, 1e-30, 3e38, 1e-45, np.nan, 2.5], "float32")
    a, d = T.fvector("a"), T.dvector("d")
    xv, dv = rng.standard_normal(9).astype("float32"), rng.standard_normal(3)
    inputs, args = [a, d], [xv, dv]
    outs = [a + T.constant(special), d * 1e-300 + 0.1, a * np.float32(0.1) - np.float32(1e-7)]
    expected = [xv + special, dv * 1e-300 + 0.1, xv * np.float32(0.1) - np.float32(1e-7)]
    for dtype in ("bool", "int8", "int16", "int32", "int64", "float64"):
        table = (np.arange(5) % 3 - 1).astype(dtype)
        v = T.vector(f"v_{dtype}", dtype=dtype)
        sample = table[::-1].copy()
        inputs.append(v)
        args.append(sample)
        outs.append(T.eq(v, T.constant(table)))
        expected.append(sample == table)
    return inputs, outs, args, expected


def _casts() -> tuple[list, list, list, list]:
    """Every dtype to every dtype (floats small, so that each cast is defined)."""
    inputs, outs, args, expected = [], [], [], []
    for src in DTYPES:
        v = T.vector(f"x_{src}", dtype=src)
        if src.startswith("float"):
            value = rng.uniform(-100, 100, 9).astype(src)
        elif src == "bool":
            value = rng.random(9) < 0.5
        else:
            info = np.iinfo(src)
            value = rng.integers(info.min, info.max, 9, dtype=src, endpoint=True)
        inputs.append(v)
        args.append(value)
        for dst in DTYPES:
            outs.append(T.cast(v, dst))
            expected.append(value.astype(dst))
    return inputs, outs, args, expected


def _int_bool_ops() -> tuple[list, list, list, list]:
    a, b = T.ivector("a"), T.ivector("b")
    p, q = T.vector("p", dtype="bool"), T.vector("q", dtype="bool")
    av = rng.integers(-50, 50, 20).astype("int32")
    bv = rng.integers(1, 9, 20).astype("int32") * np.int32(-1) ** np.arange(20, dtype="int32")  # both signs, never 0
    pv, qv = rng.random(20) < 0.5, rng.random(20) < 0.5
    outs = [a // b, a % b, a & b, a | b, a ^ b, ~a, abs(a), T.maximum(a, b), T.minimum(a, b), a < b, T.switch(p, a, b),
            p & q, p | ~q, p ^ q]  # fmt: skip
    expected = [av // bv, av % bv, av & bv, av | bv, av ^ bv, ~av, abs(av), np.maximum(av, bv), np.minimum(av, bv), av < bv,
                np.where(pv, av, bv), pv & qv, pv | ~qv, pv ^ qv]  # fmt: skip
    return [a, b, p, q], outs, [av, bv, pv, qv], expected


CORPUS: dict[str, Callable[[], tuple[list, list, list, list]]] = {
    "elementwise": _elementwise,
    "broadcasting": _broadcasting,
    "reductions": _reductions,
    "softmax_crossentropy": _softmax_crossentropy,
    "indexing": _indexing,
    "gemm": _gemm,
    "parallel_loops": _parallel_loops,
    "constants": _constants,
    "casts": _casts,
    "int_bool_ops": _int_bool_ops,
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_corpus_computes_what_numpy_does(printed, case):
    inputs, outs, args, expected = CORPUS[case]()
    results = tg.function(inputs, outs)(*args)
    assert printed, "the function did not compile through the printer"
    for k, (got, want) in enumerate(zip(results, expected, strict=True)):
        want = np.asarray(want)
        assert got.shape == want.shape and got.dtype == want.dtype, (case, k)
        if want.dtype.kind == "f":
            rtol = 2e-6 if want.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(got, want, rtol=rtol, equal_nan=True, err_msg=f"{case} {k}")
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"{case} {k}")
    if case == "parallel_loops":
        assert any('call ccc void @"tg_parallel_for"(ptr @"main_par0_task"' in t for t in printed)
    if case == "constants":
        table = re.compile(r'^@"[^"]+" = internal constant \[9 x float\] \[float 0x3FB99999A0000000, float -0.0, ', re.MULTILINE)
        assert any(table.search(t) for t in printed)


def test_random_draws_match_the_interpreter(printed):
    srng = RandomStreams(seed=3)
    outs = [srng.uniform((40,)), srng.normal((3, 5)), srng.binomial((7,), p=0.3), srng.random_integers((6,), 0, 9)]
    results = []
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        srng.seed(11)
        results.append(tg.function([], outs, mode=mode)())
    assert printed
    for got, want in zip(*results, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_mlp_training_step_matches_the_interpreter(printed, monkeypatch):
    """The MLP step of the benchmarks, compiled as two halves linked in one engine."""
    monkeypatch.setattr(parallel_codegen, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: True)
    shapes = [(20, 16), (16,), (16, 5), (5,)]
    start = [(rng.standard_normal(s) * 0.1).astype("float32") for s in shapes]
    data = [rng.standard_normal((8, 20)).astype("float32"), rng.integers(0, 5, 8).astype("int32")]
    losses, finals = [], []
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        x, y = T.fmatrix("x"), T.ivector("y")
        params = [tg.shared(p.copy(), f"p{i}") for i, p in enumerate(start)]
        W1, b1, W2, b2 = params
        loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2), y).mean()
        grads = tg.grad(loss, params)
        with tg.config.change_flags(threads=2):
            f = tg.function([x, y], loss, updates=[(p, p - np.float32(0.1) * g) for p, g in zip(params, grads)], mode=mode)
            losses.append([float(f(*data)) for _ in range(3)])
        if mode == "FAST_RUN":
            assert "llvm child wait" in f.compile_profile  # the halves path ran
        finals.append([p.get_value() for p in params])
    assert len(printed) == 1 and parallel_codegen.split_llvmir(printed[0]) is not None
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][2] < losses[0][0]
    for got, want in zip(*finals, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_ir_stage_llvmir_is_the_printers_text(printed):
    m = T.fmatrix("m")
    f = tg.function([m], T.exp(m) * 2)
    text = f.ir("llvmir")
    assert text == printed[-1] and text.startswith('; ModuleID = "tg"\ntarget triple = ')
    assert 'define internal void @"main_par0"(' in text and 'declare void @"tg_parallel_for"(ptr' in text
    assert jit.runtime_needs(text) == ("thread_pool",)


# ------------------------------------------------------- hand-built modules


def _function(name: str, arg_types: list[Attribute], build: Callable[[Block], None]) -> llvm.FuncOp:
    """An external `void name(arg_types...)` whose one block `build` fills."""
    block = Block(arg_types=arg_types)
    build(block)
    ftype = llvm.LLVMFunctionType(arg_types, None)
    return llvm.FuncOp(name, ftype, linkage=llvm.LinkageAttr("external"), body=Region([block]))


def _emit(block: Block, op: Operation) -> SSAValue:
    block.add_op(op)
    return op.results[0] if op.results else None  # type: ignore[return-value]


def _store_all(block: Block, out: SSAValue, element: Attribute, values: list[SSAValue]) -> None:
    """out[k] = values[k], then return."""
    for k, value in enumerate(values):
        address = _emit(block, llvm.GEPOp(out, [k], element, inbounds=True)) if k else out
        _emit(block, llvm.StoreOp(value, address))
    _emit(block, llvm.ReturnOp())


def _run(text: str, out: np.ndarray, name: str = "f") -> None:
    """Compile `text` and call `void name(ptr out)`."""
    compiled = jit.compile_llvmir(text, 0, cached=False)
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(compiled.address(name))(out.ctypes.data)


FLOAT32_BITS = [0x3DCCCCCD, 0x80000000, 0x7F800000, 0xFF800000, 0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0x7FC00000,
                0xFFC12345, 0x3F800000, 0x4B000001, 0x33D6BF95]  # fmt: skip
FLOAT64_BITS = [0x3FB999999999999A, 0x8000000000000000, 0x7FF0000000000000, 0x0000000000000001, 0x7FEFFFFFFFFFFFFF,
                0x7FF8000000000000, 0xFFF8000000000123, 0x3FF0000000000000, 0xC00921FB54442D18, 0x4330000000000001]  # fmt: skip


@pytest.mark.parametrize(("element", "bits", "code"), [(f32, FLOAT32_BITS, "<I"), (f64, FLOAT64_BITS, "<Q")])
def test_float_constants_keep_their_bits(element, bits, code):
    """Zeros, infinities, subnormals, the largest finite, NaNs with sign and payload."""
    fmt = "<f" if element == f32 else "<d"
    values = [struct.unpack(fmt, struct.pack(code, b))[0] for b in bits]

    def build(block: Block) -> None:
        constants = [_emit(block, llvm.ConstantOp(FloatAttr(v, element), element)) for v in values]
        _store_all(block, block.args[0], element, constants)

    text = host_print(ModuleOp([_function("f", [PTR], build)]))
    out = np.zeros(len(bits), np.uint32 if element == f32 else np.uint64)
    _run(text, out)
    assert [hex(b) for b in out.tolist()] == [hex(b) for b in bits]


def test_float_text_is_decimal_only_when_short_and_exact():
    assert float_text(1.0, True) == "1.0" and float_text(-0.0, False) == "-0.0" and float_text(2.5, False) == "2.5"
    assert float_text(0.1, True) == "0.1"  # the double nearest 0.1, as LLVM reads it back
    next_after = struct.unpack("<d", struct.pack("<Q", 0x3FB999999999999B))[0]
    assert float_text(next_after, True) == "0x3FB999999999999B"
    assert float_text(0.1, False) == "0x3FB99999A0000000"  # float's 0.1, as a double
    assert float_text(1e-5, True).startswith("0x") and float_text(float("inf"), True) == "0x7FF0000000000000"
    assert float_text(1e300, False) == "0x7FF0000000000000"  # rounds to float's infinity


def test_integer_constants_wrap_into_their_width():
    cases = [(IntegerType(8), [-128, 127, 255, 0]), (IntegerType(16), [-32768, 65535, 1234, -1]),
             (i32, [-(2**31), 2**31 - 1, 2**32 - 1, 7]), (i64, [-(2**63), 2**63 - 1, 2**64 - 1, 42])]  # fmt: skip
    for t, values in cases:
        width = t.width.data

        def build(block: Block) -> None:
            constants = [_emit(block, llvm.ConstantOp(IntegerAttr(v, t, truncate_bits=True), t)) for v in values]  # noqa: B023
            _store_all(block, block.args[0], t, constants)  # noqa: B023

        out = np.zeros(len(values), f"int{width}")
        _run(host_print(ModuleOp([_function("f", [PTR], build)])), out)
        assert out.tolist() == [(v + 2 ** (width - 1)) % 2**width - 2 ** (width - 1) for v in values]


def test_constant_arrays_of_every_dtype():
    """Globals of every element type (an all-zero one as zeroinitializer), read back."""
    arrays = {
        "bool": np.array([True, False, True]), "int8": np.array([-128, 5, 127], "int8"),
        "int16": np.array([-3, 0, 30000], "int16"), "int32": np.array([2**31 - 1, -7, 0], "int32"),
        "int64": np.array([-(2**63), 9, 2**62], "int64"), "float32": np.array([0.1, -np.inf, np.nan], "float32"),
        "float64": np.array([1e-310, -0.0, 3.25]), "zeros": np.zeros(3, "float32"),
    }  # fmt: skip
    from tg.dialects.tensor_types import element_type

    for name, values in arrays.items():
        t = element_type(values.dtype)
        array = llvm.LLVMArrayType(3, t)
        data = DenseIntOrFPElementsAttr.from_list(TensorType(t, [3]), values.tolist())
        table = llvm.GlobalOp(array, "table", "internal", constant=True, value=data)

        def build(block: Block) -> None:
            base = _emit(block, llvm.AddressOfOp("table", PTR))
            addresses = [_emit(block, llvm.GEPOp(base, [k], t, inbounds=True)) for k in range(3)]  # noqa: B023
            loaded = [_emit(block, llvm.LoadOp(a, t)) for a in addresses]  # noqa: B023
            _store_all(block, block.args[0], t, loaded)  # noqa: B023

        text = host_print(ModuleOp([table, _function("f", [PTR], build)]))
        assert ('zeroinitializer' in text) == (name == "zeros")
        out = np.zeros(3, values.dtype)
        _run(text, out)
        np.testing.assert_array_equal(out.view(np.uint8), values.view(np.uint8), err_msg=name)


def test_block_arguments_become_phis():
    """sum = Σ k for k < n, then +100 on the odd path: a loop whose back edge carries a
    constant defined after the phi that uses it, a cond_br passing values to both
    successors, and an unreachable block taking an argument."""
    entry = Block(arg_types=[PTR, i64])
    header, body, odd, even, exit_, dead = (Block(arg_types=ts) for ts in ([i64, i64, i64], [], [i64], [i64], [i64], [i64]))
    out, n = entry.args
    zero = _emit(entry, llvm.ConstantOp(IntegerAttr(0, i64), i64))
    _emit(entry, llvm.BrOp(header, zero, zero, zero))
    k, total, _iterated = header.args
    more = _emit(header, llvm.ICmpOp(k, n, IntegerAttr(2, i64)))  # slt
    last_bit = _emit(header, llvm.AndOp(total, _emit(header, llvm.ConstantOp(IntegerAttr(1, i64), i64))))
    is_odd = _emit(header, llvm.ICmpOp(last_bit, zero, IntegerAttr(1, i64)))  # ne
    _emit(header, llvm.CondBrOp(more, body, [], exit_, [total]))
    one = _emit(body, llvm.ConstantOp(IntegerAttr(1, i64), i64))
    step = _emit(body, llvm.AddOp(k, one))
    iterated = _emit(body, llvm.ConstantOp(IntegerAttr(7, i64), i64))  # defined after the phi using it
    _emit(body, llvm.BrOp(header, step, _emit(body, llvm.AddOp(total, k)), iterated))
    _emit(exit_, llvm.CondBrOp(is_odd, odd, [exit_.args[0]], even, [_emit(exit_, llvm.MulOp(exit_.args[0], exit_.args[0]))]))
    _emit(odd, llvm.StoreOp(_emit(odd, llvm.AddOp(odd.args[0], _emit(odd, llvm.ConstantOp(IntegerAttr(100, i64), i64)))), out))
    _emit(odd, llvm.ReturnOp())
    _emit(even, llvm.StoreOp(even.args[0], out))
    _emit(even, llvm.ReturnOp())
    _emit(dead, llvm.BrOp(exit_, dead.args[0]))
    function = llvm.FuncOp("f", llvm.LLVMFunctionType([PTR, i64], None), linkage=llvm.LinkageAttr("external"),
                           body=Region([entry, header, body, exit_, odd, even, dead]))  # fmt: skip
    text = host_print(ModuleOp([function]))
    assert len(re.findall(r" = phi i64 ", text)) == 6 and "bitcast i64 poison to i64" in text
    assert re.search(r" = bitcast i64 7 to i64\n", text)  # named by the phi first
    compiled = jit.compile_llvmir(text, 0, cached=False)
    fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64)(compiled.address("f"))
    for count in (0, 3, 6, 7):
        out = np.zeros(1, np.int64)
        fn(out.ctypes.data, count)
        s = count * (count - 1) // 2
        assert out[0] == (s + 100 if s % 2 else s * s), count


def test_flags_attributes_and_intrinsics_print():
    """Overflow, exact, disjoint and nneg flags, fast-math flags, noalias, alignment,
    tail calls, one declaration per intrinsic; the math intrinsics compute."""
    fast = llvm.FastMathAttr("fast")
    contract = llvm.FastMathAttr((FastMathFlag.ALLOW_CONTRACT, FastMathFlag.NO_NANS))

    def build(block: Block) -> None:
        out, x = block.args
        a = _emit(block, llvm.ConstantOp(IntegerAttr(12, i32), i32))
        b = _emit(block, llvm.ConstantOp(IntegerAttr(3, i32), i32))
        both = llvm.OverflowAttr((llvm.OverflowFlag.NO_SIGNED_WRAP, llvm.OverflowFlag.NO_UNSIGNED_WRAP))
        _emit(block, llvm.AddOp(a, b, overflow=both))
        _emit(block, llvm.UDivOp(a, b, is_exact=UnitAttr()))
        _emit(block, llvm.OrOp(a, b, is_disjoint=UnitAttr()))
        _emit(block, llvm.ZExtOp(a, i64, non_neg=UnitAttr()))
        _emit(block, llvm.TruncOp(a, IntegerType(8), overflow=llvm.OverflowAttr((llvm.OverflowFlag.NO_SIGNED_WRAP,))))
        values = [
            _emit(block, llvm.FAddOp(x, x, fast)),
            _emit(block, llvm.FMulOp(x, x, contract)),
            _emit(block, llvm.FExpOp(x)),
            _emit(block, llvm.FLogOp(x)),
            _emit(block, llvm.FSqrtOp(x)),
            _emit(block, llvm.FAbsOp(_emit(block, llvm.FNegOp(x)), f64)),
            _emit(block, llvm.FPowOp(x, x)),
            _emit(block, llvm.CallIntrinsicOp("llvm.maximum.f64", [x, x], [f64])),
            _emit(block, llvm.CallIntrinsicOp("llvm.maximum.f64", [x, _emit(block, llvm.FExpOp(x))], [f64])),
        ]
        for k, value in enumerate(values):
            _emit(block, llvm.StoreOp(value, _emit(block, llvm.GEPOp(out, [k], f64, inbounds=True)), alignment=8))
        _emit(block, llvm.ReturnOp())

    function = _function("f", [PTR, f64], build)
    function.arg_attrs = ArrayAttr([DictionaryAttr({"llvm.noalias": UnitAttr()}), DictionaryAttr({})])
    text = host_print(ModuleOp([function]))
    for piece in ("add nuw nsw i32 12, 3", "udiv exact i32", "or disjoint i32", "zext nneg i32", "trunc nsw i32",
                  "fadd fast double", "fmul nnan contract double", 'call double @"llvm.exp.f64"(double %v1)',
                  'call double @"llvm.fabs.f64"', 'call double @"llvm.pow.f64"', "align 8",
                  'define void @"f"(ptr noalias %v0, double %v1)\n{\n'):  # fmt: skip
        assert piece in text, piece
    assert text.count('declare double @"llvm.maximum.f64"(double, double)') == 1
    assert text.count('declare double @"llvm.exp.f64"(double)') == 1
    compiled = jit.compile_llvmir(text, 0, cached=False)
    out = np.zeros(9)
    ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_double)(compiled.address("f"))(out.ctypes.data, 1.5)
    x = 1.5
    np.testing.assert_allclose(out, [3, 2.25, np.exp(x), np.log(x), np.sqrt(x), x, x**x, x, np.exp(x)], rtol=1e-15)


def test_calls_declarations_and_tail_calls():
    callee = llvm.FuncOp("g", llvm.LLVMFunctionType([i64], i64), linkage=llvm.LinkageAttr("internal"),
                         body=Region([Block(arg_types=[i64])]))  # fmt: skip
    g_block = callee.body.block
    _emit(g_block, llvm.ReturnOp(_emit(g_block, llvm.MulOp(g_block.args[0], g_block.args[0]))))
    external = llvm.FuncOp("tg_free", llvm.LLVMFunctionType([PTR, i64], None), linkage=llvm.LinkageAttr("external"))

    def build(block: Block) -> None:
        call = llvm.CallOp("g", block.args[1], return_type=i64)
        call.properties["TailCallKind"] = llvm.TailCallKindAttr(llvm.TailCallKind.TAIL)
        _emit(block, llvm.StoreOp(_emit(block, call), block.args[0]))
        _emit(block, llvm.ReturnOp())

    text = host_print(ModuleOp([callee, external, _function("f", [PTR, i64], build)]))
    assert 'define internal i64 @"g"(i64 %v0)\n{\n' in text
    assert 'declare void @"tg_free"(ptr, i64)\n' in text and jit.runtime_needs(text) == ("memory_pool",)
    assert re.search(r' = tail call ccc i64 @"g"\(i64 %v1\)', text)
    compiled = jit.compile_llvmir(text, 0, cached=False)
    out = np.zeros(1, np.int64)
    ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64)(compiled.address("f"))(out.ctypes.data, 9)
    assert out[0] == 81


def test_an_unknown_op_is_named():
    def build(block: Block) -> None:
        _emit(block, llvm.ShlOp(block.args[0], block.args[0]))
        _emit(block, llvm.ReturnOp())

    with pytest.raises(NotImplementedError, match="llvm.shl"):
        host_print(ModuleOp([_function("f", [i64], build)]))
    with pytest.raises(NotImplementedError, match="bf16|type"):
        from xdsl.dialects.builtin import BFloat16Type

        host_print(ModuleOp([_function("f", [BFloat16Type()], lambda b: b.add_op(llvm.ReturnOp()))]))


def test_bool_constant_and_select():
    def build(block: Block) -> None:
        true = _emit(block, llvm.ConstantOp(IntegerAttr(-1, i1), i1))
        a = _emit(block, llvm.ConstantOp(FloatAttr(2.0, f32), f32))
        b = _emit(block, llvm.ConstantOp(FloatAttr(-1.0, f32), f32))
        chosen = _emit(block, llvm.SelectOp(true, a, b))
        less = _emit(block, llvm.FCmpOp(a, b, "olt"))
        _store_all(block, block.args[0], f32, [chosen, _emit(block, llvm.SelectOp(less, a, b))])

    text = host_print(ModuleOp([_function("f", [PTR], build)]))
    assert "select i1 true, float 2.0, float -1.0" in text and "fcmp olt float 2.0, -1.0" in text
    out = np.zeros(2, np.float32)
    _run(text, out)
    assert out.tolist() == [2.0, -1.0]
