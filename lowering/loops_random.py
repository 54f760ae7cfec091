"""Loop-level rules for random ops (registered into convert_tg_to_loops's tables).

Each element's words are computed in the loop body with integer arith (splitmix64),
and the draws with the same float operations, in the same order, as the numpy
references (`tg.dialects.tg_random`'s `WordOps` algorithms run on `arith` values
here), so compiled and interpreted draws agree bit for bit. Uniform and normal
draws are computed element by element into their buffer; categorical, permutation
and multinomial draws have loop nests of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tg.dialects import tg_random as R
from tg.dialects.tensor_types import is_float
from tg.lowering.convert_tg_to_loops import (
    DIM_RULES,
    ELEMENT_RULES,
    INDEX,
    MATERIALIZERS,
    LoopsBuilder,
    _Kernel,
)
from xdsl.dialects import arith, math, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    Float32Type,
    Float64Type,
    MemRefType,
    f32,
    f64,
    i64,
)
from xdsl.ir import Block, Operation, SSAValue

_FLOATS: dict[str, Float32Type | Float64Type] = {"float32": f32, "float64": f64}


def _signed(value: int) -> int:
    value &= R.MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


class LoopsWordOps(R.WordOps[SSAValue]):
    """The draws' operations as `arith`/`math` ops emitted by a LoopsBuilder
    (words are i64; no fast-math flags, so LLVM keeps every rounding)."""

    def __init__(self, builder: LoopsBuilder):
        self.b = builder

    def _emit(self, op: Operation) -> SSAValue:
        return self.b.emit(op)

    def const(self, value: int) -> SSAValue:
        return self.b.scalar_constant(_signed(value), i64)

    def fconst(self, value: float, dtype: str) -> SSAValue:
        return self.b.scalar_constant(value, _FLOATS[dtype])

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.AddiOp(a, b))

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.SubiOp(a, b))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.MuliOp(a, b))

    def xor(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.XOrIOp(a, b))

    def and_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.AndIOp(a, b))

    def or_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.OrIOp(a, b))

    def shr(self, a: SSAValue, bits: int) -> SSAValue:
        return self._emit(arith.ShRUIOp(a, self.const(bits)))

    def nonzero(self, a: SSAValue) -> SSAValue:
        return self._emit(arith.CmpiOp(a, self.const(0), "ne"))

    def to_float(self, a: SSAValue, dtype: str) -> SSAValue:
        return self._emit(arith.SIToFPOp(a, _FLOATS[dtype]))

    def bits(self, a: SSAValue) -> SSAValue:
        return self._emit(arith.BitcastOp(a, i64))

    def from_bits(self, a: SSAValue) -> SSAValue:
        return self._emit(arith.BitcastOp(a, f64))

    def fadd(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.AddfOp(a, b))

    def fsub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.SubfOp(a, b))

    def fmul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.MulfOp(a, b))

    def fdiv(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.DivfOp(a, b))

    def fneg(self, a: SSAValue) -> SSAValue:
        return self._emit(arith.NegfOp(a))

    def sqrt(self, a: SSAValue) -> SSAValue:
        return self._emit(math.SqrtOp(a))

    def fgt(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.CmpfOp(a, b, "ogt"))

    def select(self, condition: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._emit(arith.SelectOp(condition, a, b))

    def to_float32(self, a: SSAValue) -> SSAValue:
        return self._emit(arith.TruncFOp(a, f32))


# ------------------------------------------------------------------ helpers


def _i64(b: LoopsBuilder, index: SSAValue) -> SSAValue:
    return b.emit(arith.IndexCastOp(index, i64))


def _index(b: LoopsBuilder, value: SSAValue) -> SSAValue:
    return b.emit(arith.IndexCastOp(value, INDEX))


def _linear(b: LoopsBuilder, ivs: Sequence[SSAValue], dims: Sequence[SSAValue]) -> SSAValue:
    """The row-major position of `ivs` in a box of sizes `dims`, as an i64."""
    if not ivs:
        return b.scalar_constant(0, i64)
    linear = ivs[0]
    for iv, size in zip(ivs[1:], dims[1:]):
        linear = b.emit(arith.AddiOp(b.emit(arith.MuliOp(linear, size)), iv))
    return _i64(b, linear)


def _product(b: LoopsBuilder, dims: Sequence[SSAValue]) -> SSAValue:
    """The element count of a box of sizes `dims` (index)."""
    total = b.c1
    for d in dims:
        total = b.emit(arith.MuliOp(total, d))
    return total


def _stream(b: LoopsBuilder, state: SSAValue) -> tuple[SSAValue, SSAValue]:
    """The state's key and counter, loaded where the builder stands."""
    return b.scalar(state, [b.c0]), b.scalar(state, [b.c1])


def _for(
    b: LoopsBuilder,
    bound: SSAValue,
    inits: Sequence[SSAValue],
    step: Callable[[SSAValue, list[SSAValue]], Sequence[SSAValue]],
) -> list[SSAValue]:
    """`scf.for` over [0, bound) carrying several values: values = step(iv, values)."""
    body = Block(arg_types=[INDEX, *(v.type for v in inits)])
    outer = b.block
    b.block = body
    b.emit(scf.YieldOp(*step(body.args[0], list(body.args[1:]))))
    b.block = outer
    loop = scf.ForOp(b.c0, bound, b.c1, list(inits), body)
    b.block.add_op(loop)
    return list(loop.results)


def _as_f64(b: LoopsBuilder, x: SSAValue) -> SSAValue:
    return x if x.type == f64 else b.emit(arith.ExtFOp(x, f64))


def _flag(b: LoopsBuilder, condition: SSAValue) -> SSAValue:
    """An i1 as an i64 0 or 1."""
    return b.emit(arith.ExtUIOp(condition, i64))


class _InverseCdf:
    """Inverse-CDF sampling over rows of k probabilities: `scan` stores a row's running
    sums (added in order, in f64) in a scratch buffer and checks the row; `draw` then
    counts the sums <= u * total by bisection (the sums never decrease), at most the
    last positive probability's index, as numpy's searchsorted would."""

    def __init__(self, b: LoopsBuilder, what: str, k: SSAValue):
        self.b, self.what, self.k = b, what, k
        self.k64 = _i64(b, k)
        self.cdf = b.emit(memref.AllocOp([k], [], MemRefType(f64, [DYNAMIC_INDEX])))
        one = b.scalar_constant(1, i64)

        def bit(i: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
            left = b.emit(arith.ShRUIOp(self.k64, _i64(b, i)))
            return [b.emit(arith.AddiOp(carried[0], _flag(b, b.emit(arith.CmpiOp(left, one, "sge")))))]

        # bisecting k + 1 outcomes takes bit_length(k) halvings
        (self.steps,) = _for(b, b.index(63), [b.scalar_constant(0, i64)], bit)
        self.total: SSAValue  # of the row scanned last
        self.last: SSAValue

    def scan(self, p: Callable[[SSAValue], SSAValue]) -> None:
        b = self.b
        zero, izero = b.scalar_constant(0.0, f64), b.scalar_constant(0, i64)

        def step(i: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
            total, bad, last = carried
            x = _as_f64(b, p(i))
            negative = b.emit(arith.CmpfOp(x, zero, "ult"))  # or NaN
            positive = b.emit(arith.CmpfOp(x, zero, "ogt"))
            total = b.emit(arith.AddfOp(total, x))
            b.emit(memref.StoreOp.get(total, self.cdf, [i]))
            return [
                total,
                b.emit(arith.AddiOp(bad, _flag(b, negative))),
                b.emit(arith.SelectOp(positive, _i64(b, i), last)),
            ]

        self.total, bad, self.last = _for(b, self.k, [zero, izero, izero], step)
        b.fail_if(b.emit(arith.CmpiOp(bad, izero, "ne")), "ValueError", f"{self.what}: {R.NEGATIVE_PROBABILITY}")
        not_positive = b.emit(arith.CmpfOp(self.total, zero, "ule"))
        infinite = b.emit(arith.CmpfOp(self.total, b.scalar_constant(float("inf"), f64), "oeq"))
        b.fail_if(b.emit(arith.OrIOp(not_positive, infinite)), "ValueError", f"{self.what}: {R.BAD_PROBABILITY_SUM}")

    def draw(self, word: SSAValue) -> SSAValue:
        """The index (i64) that `word` picks."""
        b = self.b
        t = b.emit(arith.MulfOp(R.uniform_of(LoopsWordOps(b), word, "float64"), self.total))
        one = b.scalar_constant(1, i64)
        top = b.emit(arith.SubiOp(self.k64, one))

        def halve(_: SSAValue, carried: list[SSAValue]) -> list[SSAValue]:
            lo, hi = carried  # sums below lo are <= t, sums from hi on are > t
            searching = b.emit(arith.CmpiOp(lo, hi, "slt"))
            mid = b.emit(arith.ShRUIOp(b.emit(arith.AddiOp(lo, hi)), one))
            value = b.emit(memref.LoadOp.get(self.cdf, [_index(b, b.emit(arith.MinSIOp(mid, top)))]))
            below = b.emit(arith.CmpfOp(value, t, "ole"))
            above = b.emit(arith.CmpfOp(value, t, "ugt"))
            right = b.emit(arith.AndIOp(searching, below))
            left = b.emit(arith.AndIOp(searching, above))
            return [
                b.emit(arith.SelectOp(right, b.emit(arith.AddiOp(mid, one)), lo)),
                b.emit(arith.SelectOp(left, mid, hi)),
            ]

        count, _ = _for(b, _index(b, self.steps), [b.scalar_constant(0, i64), self.k64], halve)
        return b.emit(arith.MinSIOp(count, self.last))

    def free(self) -> None:
        self.b.emit(memref.DeallocOp.get(self.cdf))


# ------------------------------------------------------------------ rules


def _size_dims(b: LoopsBuilder, op: Operation) -> list[SSAValue]:
    assert isinstance(op, R.SizedRandomOp)
    return [_index(b, b.scalar(s, [])) for s in op.sizes]  # type: ignore[attr-defined]


def _element(draw: Callable[[R.WordOps[SSAValue], Callable[[int], SSAValue], str], SSAValue]):
    """An element rule for ops drawing `WORDS` words per element, consecutively."""

    def rule(b: LoopsBuilder, op: Operation, ivs: list[SSAValue]) -> SSAValue:
        assert isinstance(op, R.SizedRandomOp)
        A = LoopsWordOps(b)
        key, counter = _stream(b, op.state)  # type: ignore[attr-defined]
        first = _linear(b, ivs, b.dims(op.results[0]))
        if op.WORDS != 1:
            first = A.mul(first, A.const(op.WORDS))

        def word(j: int) -> SSAValue:
            return R.random_word(A, key, counter, A.add(first, A.const(j)) if j else first)

        return draw(A, word, op._result_dtype().name)

    return rule


def _uniform(A: R.WordOps[SSAValue], word: Callable[[int], SSAValue], dtype: str) -> SSAValue:
    return R.uniform_of(A, word(0), dtype)


def _normal(A: R.WordOps[SSAValue], word: Callable[[int], SSAValue], dtype: str) -> SSAValue:
    return R.normal_of(A, word(0), word(1), dtype)


def _categorical(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, R.RandomCategoricalOp)
    b.kernel = _Kernel({})
    A = LoopsWordOps(b)
    key, counter = _stream(b, op.state)
    sampler = _InverseCdf(b, op.name, b.dims(op.p)[0])
    sampler.scan(lambda i: b.scalar(op.p, [i]))
    dims = b.dims(op.result)

    def body(ivs: list[SSAValue]) -> None:
        word = R.random_word(A, key, counter, _linear(b, ivs, dims))
        b.emit(memref.StoreOp.get(sampler.draw(word), dest, ivs))

    b.loops(dims, body)
    sampler.free()
    b.kernel = _Kernel({})


def _permutation(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    """Fisher-Yates on a scratch pool of [0, n), restarted for each batch row."""
    assert isinstance(op, R.RandomPermutationOp)
    b.kernel = _Kernel({})
    A = LoopsWordOps(b)
    key, counter = _stream(b, op.state)
    dims = b.dims(op.result)
    rows, sample = dims[: op.batch], dims[op.batch :]
    m = _i64(b, _product(b, sample))
    n = b.scalar(op.n, [])
    pool = b.emit(memref.AllocOp([_index(b, n)], [], MemRefType(i64, [DYNAMIC_INDEX])))

    def row(rivs: list[SSAValue]) -> None:
        base = A.mul(_linear(b, rivs, rows), m)
        b.loops([_index(b, n)], lambda ivs: b.emit(memref.StoreOp.get(_i64(b, ivs[0]), pool, ivs)))

        def step(svs: list[SSAValue]) -> None:
            t = _linear(b, svs, sample)
            u = R.uniform_of(A, R.random_word(A, key, counter, A.add(base, t)), "float64")
            remaining = A.sub(n, t)
            offset = b.emit(arith.FPToSIOp(A.fmul(u, A.to_float(remaining, "float64")), i64))
            offset = b.emit(arith.MinSIOp(offset, A.sub(remaining, A.const(1))))
            ti, j = _index(b, t), _index(b, A.add(t, offset))
            here = b.emit(memref.LoadOp.get(pool, [ti]))
            chosen = b.emit(memref.LoadOp.get(pool, [j]))
            b.emit(memref.StoreOp.get(chosen, pool, [ti]))
            b.emit(memref.StoreOp.get(here, pool, [j]))
            b.emit(memref.StoreOp.get(chosen, dest, rivs + svs))

        b.loops(sample, step)

    b.loops(rows, row)
    b.emit(memref.DeallocOp.get(pool))
    b.kernel = _Kernel({})


def _multinomial(b: LoopsBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, R.RandomMultinomialOp)
    b.kernel = _Kernel({})
    A = LoopsWordOps(b)
    key, counter = _stream(b, op.state)
    dims = b.dims(op.result)
    rows, k = dims[:-1], dims[-1]
    elt = op.result.type.element_type
    n = b.scalar(op.n, [])
    b.fail_if(b.emit(arith.CmpiOp(n, A.const(0), "slt")), "ValueError",
              f"{op.name}: the number of draws n must be non-negative")
    b.fill(dest, dims, b.scalar_constant(0, elt))
    one = b.scalar_constant(1, elt)
    sampler = _InverseCdf(b, op.name, k)

    def row(rivs: list[SSAValue]) -> None:
        sampler.scan(lambda i: b.scalar(op.pvals, rivs + [i]))
        base = A.mul(_linear(b, rivs, rows), n)

        def draw(ds: list[SSAValue]) -> None:
            word = R.random_word(A, key, counter, A.add(base, _i64(b, ds[0])))
            index = rivs + [_index(b, sampler.draw(word))]
            old = b.emit(memref.LoadOp.get(dest, index))
            new = b.emit(arith.AddfOp(old, one) if is_float(elt) else arith.AddiOp(old, one))
            b.emit(memref.StoreOp.get(new, dest, index))

        b.loops([_index(b, n)], draw)

    b.loops(rows, row)
    sampler.free()
    b.kernel = _Kernel({})


for _op in (R.RandomUniformOp, R.RandomNormalOp, R.RandomCategoricalOp, R.RandomPermutationOp):
    DIM_RULES[_op] = _size_dims
ELEMENT_RULES[R.RandomUniformOp] = _element(_uniform)
ELEMENT_RULES[R.RandomNormalOp] = _element(_normal)
MATERIALIZERS[R.RandomCategoricalOp] = _categorical
MATERIALIZERS[R.RandomPermutationOp] = _permutation
MATERIALIZERS[R.RandomMultinomialOp] = _multinomial
