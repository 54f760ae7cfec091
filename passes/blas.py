"""tg-blas: products, and linear combinations around them, as the BLAS-shaped ops of
tg.dialects.tg_blas. Runs on optimized IR, before tg-fuse; float32 and float64 only.

- `dot` of two matrices becomes `tg.gemm`, of a matrix and a vector `tg.gemv` (a
  vector times a matrix: `trans_a`), of two vectors `tg.vdot`. Transposes of an
  operand fold into the transpose flags; negations and scalar factors of an operand
  into alpha.
- A value that is a linear combination (through add, sub, neg, and mul or div by a
  scalar: a 0-d or all-static-1 value, constant or computed) of exactly one product
  and at most one other term Z of the result's full shape becomes one op whose alpha
  and beta are computed from the scalars by new 0-d tg ops:
  `W - lr * (dot(x.T, d) + l2 * W)` is `(1 - lr*l2)*W + (-lr)*dot(x.T, d)`, one
  `tg.gemm %W, %alpha, %x, %d, %beta {trans_x}`; `Z + a * outer(x, y)` is `tg.ger`.
- `sum(x[:, :, :, None] * y[:, None, :, :], axis=2)`, what batched_dot and matmul of
  rank-3 stacks build, becomes `tg.batched_gemm`.

A combination is declined (the product alone still becomes a BLAS op) when it would
compute the product twice (the product, or a value containing it, is also read
outside the combination), when Z is computed by another op and still read elsewhere
(a function argument is fine: bufferization decides whether to write over it), or
when Z or the product broadcasts against the result. Casts end a combination, so
precisions never mix. Options: `combine=false` only converts products (no alpha,
beta or Z folding, no ger), `batched=false` leaves batched contractions alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from tg.dialects import tg
from tg.dialects.tensor_types import dtype_of, is_float, static_shape
from tg.dialects.tg_blas import BatchedGemmOp, GemmOp, GemvOp, GerOp, VdotOp
from tg.passes.canonicalize import same_size
from tg.passes.patterns import splat_value
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import Pure

MAX_COMBINATION_OPS = 128
"""Most ops one linear combination is traced through (bounds the walk of long sums)."""

MAX_SCALAR_DEPTH = 32
"""Deepest scalar expression taken apart into a monomial (deeper: one opaque factor)."""

LINEAR_OPS = (tg.AddOp, tg.SubOp, tg.NegOp, tg.MulOp, tg.DivOp)

Key = tuple[tuple[SSAValue, ...], tuple[SSAValue, ...]]
"""A monomial's scalar factors and divisors, each sorted by position in the block."""
Polynomial = dict[Key, float]
"""A coefficient: a sum of constant x product(factors) / product(divisors) terms."""


# ---------------------------------------------------------------- coefficients


def _rank(value: SSAValue) -> int:
    return len(static_shape(value.type))


def is_scalar(value: SSAValue) -> bool:
    """A 0-d value, or one whose every dimension is a static 1."""
    return all(d == 1 for d in static_shape(value.type))


def _owner(value: SSAValue) -> Operation | None:
    owner = value.owner
    return owner if isinstance(owner, Operation) else None


def _canonical_scalar(value: SSAValue) -> SSAValue:
    """The same scalar with its broadcastable dimensions dropped where that is a value
    of the IR already (`lr` for `dimshuffle(lr, x, x)`)."""
    owner = _owner(value)
    while isinstance(owner, tg.DimShuffleOp) and is_scalar(owner.input):
        value = owner.input
        owner = _owner(value)
    return value


@dataclass(frozen=True)
class Monomial:
    """constant x product(factors) / product(divisors), factors scalar values."""

    constant: float
    factors: tuple[SSAValue, ...] = ()
    divisors: tuple[SSAValue, ...] = ()

    def times(self, other: Monomial) -> Monomial:
        return Monomial(self.constant * other.constant, self.factors + other.factors, self.divisors + other.divisors)

    def over(self, other: Monomial) -> Monomial | None:
        """self / other, or None when other's constant is 0 (not invertible)."""
        if other.constant == 0:
            return None
        return Monomial(self.constant / other.constant, self.factors + other.divisors, self.divisors + other.factors)


ONE = Monomial(1.0)
MINUS_ONE = Monomial(-1.0)


@dataclass
class LinearForm:
    """A value as a sum of coefficient x base terms, and the ops traced through."""

    terms: dict[SSAValue, Polynomial] = field(default_factory=dict)
    interior: list[Operation] = field(default_factory=list)


class Analysis:
    """Linear forms and scalar monomials of the values of one block."""

    def __init__(self, block: Block):
        self.position: dict[SSAValue, int] = {a: i for i, a in enumerate(block.args)}
        for i, o in enumerate(block.ops):
            for r in o.results:
                self.position[r] = len(block.args) + i

    def _sorted(self, values: Iterable[SSAValue]) -> tuple[SSAValue, ...]:
        return tuple(sorted(values, key=lambda v: self.position.get(v, 1 << 60)))

    def key(self, m: Monomial) -> Key:
        return self._sorted(m.factors), self._sorted(m.divisors)

    def monomial(self, value: SSAValue, depth: int = 0) -> Monomial:
        """A scalar value as a monomial, through constants, neg, and mul and div of
        scalars (MAX_SCALAR_DEPTH deep)."""
        c = splat_value(value)
        if c is not None and math.isfinite(c):
            return Monomial(c)
        value = _canonical_scalar(value)
        owner = _owner(value)
        if depth < MAX_SCALAR_DEPTH:
            if isinstance(owner, tg.NegOp):
                return self.monomial(owner.input, depth + 1).times(MINUS_ONE)
            if isinstance(owner, tg.MulOp):
                return self.monomial(owner.lhs, depth + 1).times(self.monomial(owner.rhs, depth + 1))
            if isinstance(owner, tg.DivOp):
                quotient = self.monomial(owner.lhs, depth + 1).over(self.monomial(owner.rhs, depth + 1))
                if quotient is not None:
                    return quotient
        return Monomial(1.0, (value,))

    def linear_form(self, root: SSAValue) -> LinearForm | None:
        """`root` as a linear combination of bases, or None past MAX_COMBINATION_OPS."""
        form = LinearForm()
        seen: set[Operation] = set()
        pending: list[tuple[SSAValue, Monomial]] = [(root, ONE)]
        steps = 0
        while pending:
            value, scale = pending.pop()
            steps += 1
            if steps > 4 * MAX_COMBINATION_OPS or len(seen) > MAX_COMBINATION_OPS:
                return None
            split = self._split(value, scale)
            if split is None:
                poly = form.terms.setdefault(value, {})
                k = self.key(scale)
                poly[k] = poly.get(k, 0.0) + scale.constant
                continue
            owner = _owner(value)
            assert owner is not None
            if owner not in seen:
                seen.add(owner)
                form.interior.append(owner)
            pending.extend(reversed(split))
        return form

    def _split(self, value: SSAValue, scale: Monomial) -> list[tuple[SSAValue, Monomial]] | None:
        """The scaled operands `value` is a linear combination of, or None for a base."""
        owner = _owner(value)
        if not isinstance(owner, LINEAR_OPS) or is_scalar(value):
            return None
        if isinstance(owner, tg.AddOp):
            return [(owner.lhs, scale), (owner.rhs, scale)]
        if isinstance(owner, tg.SubOp):
            return [(owner.lhs, scale), (owner.rhs, scale.times(MINUS_ONE))]
        if isinstance(owner, tg.NegOp):
            return [(owner.input, scale.times(MINUS_ONE))]
        if isinstance(owner, tg.MulOp):
            for factor, other in ((owner.lhs, owner.rhs), (owner.rhs, owner.lhs)):
                m = self.uniform(factor, other) if static_shape(other.type) == static_shape(value.type) else None
                if m is not None:
                    return [(other, scale.times(m))]
            return None
        assert isinstance(owner, tg.DivOp)
        m = self.uniform(owner.rhs, owner.lhs) if owner.lhs.type == value.type else None
        quotient = scale.over(m) if m is not None else None
        return None if quotient is None else [(owner.lhs, quotient)]

    def uniform(self, value: SSAValue, like: SSAValue, depth: int = 0) -> Monomial | None:
        """`value` as a monomial when it is one scalar in every element of `like`'s
        shape: a scalar, a broadcast of one to `like`'s sizes, or a product, quotient
        or negation of those. None when `like` is a scalar itself."""
        if is_scalar(like) or depth > MAX_SCALAR_DEPTH:
            return None
        if is_scalar(value):
            return self.monomial(value)
        owner = _owner(value)
        if isinstance(owner, tg.BroadcastOp) and is_scalar(owner.input) and _rank(value) == _rank(like):
            if all(same_size(size, like, axis) for axis, size in enumerate(owner.sizes)):
                return self.monomial(owner.input)
            return None
        if isinstance(owner, tg.NegOp):
            m = self.uniform(owner.input, like, depth + 1)
            return m.times(MINUS_ONE) if m is not None else None
        if isinstance(owner, tg.MulOp | tg.DivOp):
            a, b = self.uniform(owner.lhs, like, depth + 1), self.uniform(owner.rhs, like, depth + 1)
            if a is None or b is None:
                return None
            return a.times(b) if isinstance(owner, tg.MulOp) else a.over(b)
        return None

    def peel(self, value: SSAValue) -> tuple[SSAValue, Monomial, bool]:
        """`value` = scale x op(base): (base, scale, whether op transposes), through
        2-d transposes, negations and scalar factors."""
        scale, flipped = ONE, False
        for _ in range(MAX_COMBINATION_OPS):
            owner = _owner(value)
            if _rank(value) == 2 and is_matrix_transpose(owner):
                assert owner is not None
                flipped, value = not flipped, owner.operands[0]
                continue
            inner = self._split(value, scale)
            if inner is None or len(inner) != 1 or inner[0][0].type != value.type:
                break
            value, scale = inner[0]
        return value, scale, flipped


def is_matrix_transpose(op: Operation | None) -> bool:
    """tg.transpose with permutation (1, 0), or a dimshuffle that is one."""
    if isinstance(op, tg.TransposeOp):
        return op.perm == (1, 0)
    return isinstance(op, tg.DimShuffleOp) and op.dims == (1, 0)


def times(poly: Polynomial, m: Monomial, analysis: Analysis) -> Polynomial:
    out: Polynomial = {}
    for (factors, divisors), c in poly.items():
        k = analysis.key(Monomial(c, factors, divisors).times(m))
        out[k] = out.get(k, 0.0) + c * m.constant
    return out


def is_zero(poly: Polynomial) -> bool:
    return all(c == 0 for c in poly.values())


def is_one(poly: Polynomial) -> bool:
    return {k: c for k, c in poly.items() if c != 0} == {((), ()): 1.0}


# -------------------------------------------------------------------- emission


class Emitter:
    """Builds the 0-d coefficient ops and the BLAS op of one rewrite, detached until
    `commit` inserts them before the root."""

    def __init__(self, like: SSAValue):
        self.dtype = dtype_of(like.type)
        self.ops: list[Operation] = []
        self._constants: dict[float, SSAValue] = {}
        self._scalars: dict[SSAValue, SSAValue] = {}
        self._polynomials: dict[frozenset[tuple[Key, float]], SSAValue] = {}

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def constant(self, c: float) -> SSAValue:
        if c not in self._constants:
            self._constants[c] = self.add(tg.ConstantOp.from_array(np.asarray(c, dtype=self.dtype)))
        return self._constants[c]

    def scalar(self, value: SSAValue) -> SSAValue:
        """`value` as a 0-d tensor."""
        if _rank(value) == 0:
            return value
        if value not in self._scalars:
            self._scalars[value] = self.add(tg.DimShuffleOp(value, []))
        return self._scalars[value]

    def _product(self, values: tuple[SSAValue, ...]) -> SSAValue | None:
        result: SSAValue | None = None
        for v in values:
            s = self.scalar(v)
            result = s if result is None else self.add(tg.MulOp(result, s))
        return result

    def polynomial(self, poly: Polynomial) -> SSAValue:
        """A 0-d value computing `poly` (once per distinct polynomial)."""
        key = frozenset((k, c) for k, c in poly.items() if c != 0)
        if key not in self._polynomials:
            self._polynomials[key] = self._sum(poly)
        return self._polynomials[key]

    def _sum(self, poly: Polynomial) -> SSAValue:
        """Constant terms first, signs as sub and neg."""
        terms = sorted(((k, c) for k, c in poly.items() if c != 0), key=lambda t: len(t[0][0]) + len(t[0][1]))
        total: SSAValue | None = None
        for (factors, divisors), c in terms:
            product = self._product(factors)
            signed = total is None
            magnitude = c if signed else abs(c)
            if product is None:
                term = self.constant(magnitude)
            elif magnitude == 1:
                term = product
            elif magnitude == -1:
                term = self.add(tg.NegOp(product))
            else:
                term = self.add(tg.MulOp(self.constant(magnitude), product))
            if divisors:
                divisor = self._product(divisors)
                assert divisor is not None
                term = self.add(tg.DivOp(term, divisor))
            if total is None:
                total = term
            else:
                total = self.add(tg.SubOp(total, term) if c < 0 else tg.AddOp(total, term))
        return total if total is not None else self.constant(0.0)

    def commit(self, root: Operation) -> None:
        block = root.parent_block()
        assert block is not None
        for op in self.ops:
            op.location = root.location
            block.insert_op_before(op, root)


# --------------------------------------------------------------------- matching


@dataclass
class Product:
    """The BLAS-shaped product inside a combination: its kind, operands (after peeling
    transposes and scalars) and transpose flags, and the scale peeled off them."""

    kind: str  # "gemm", "gemv", "vdot" or "ger"
    lhs: SSAValue
    rhs: SSAValue
    lhs_transposed: bool
    rhs_transposed: bool
    scale: Monomial


def _outer_operand(value: SSAValue, pattern: tuple[int, int]) -> SSAValue | None:
    owner = _owner(value)
    if isinstance(owner, tg.DimShuffleOp) and owner.dims == pattern and _rank(owner.input) == 1:
        return owner.input
    return None


def match_product(value: SSAValue, analysis: Analysis, combine: bool) -> Product | None:
    """The product `value` computes, if BLAS computes it: a float dot, or an outer
    product (a column times a row) when `combine`."""
    owner = _owner(value)
    if not is_float(value.type):
        return None
    if isinstance(owner, tg.DotOp):
        if _rank(owner.lhs) == 1 and _rank(owner.rhs) == 1:
            return Product("vdot", owner.lhs, owner.rhs, False, False, ONE)
        if combine:
            lhs, lscale, lflip = analysis.peel(owner.lhs)
            rhs, rscale, rflip = analysis.peel(owner.rhs)
        else:
            (lhs, lscale, lflip), (rhs, rscale, rflip) = _transpose_only(owner.lhs), _transpose_only(owner.rhs)
        scale = lscale.times(rscale)
        if _rank(lhs) == 2 and _rank(rhs) == 2:
            return Product("gemm", lhs, rhs, lflip, rflip, scale)
        if _rank(lhs) == 2:
            return Product("gemv", lhs, rhs, lflip, False, scale)
        return Product("gemv", rhs, lhs, not rflip, False, scale)
    if combine and isinstance(owner, tg.MulOp) and _rank(value) == 2:
        for col, row in ((owner.lhs, owner.rhs), (owner.rhs, owner.lhs)):
            x, y = _outer_operand(col, (0, -1)), _outer_operand(row, (-1, 0))
            if x is not None and y is not None:
                x, xscale, _ = analysis.peel(x)
                y, yscale, _ = analysis.peel(y)
                return Product("ger", x, y, False, False, xscale.times(yscale))
    return None


def _transpose_only(value: SSAValue) -> tuple[SSAValue, Monomial, bool]:
    flipped = False
    while _rank(value) == 2 and is_matrix_transpose(_owner(value)):
        value, flipped = value.owner.operands[0], not flipped  # type: ignore[union-attr]
    return value, ONE, flipped


def _broadcasts(value: SSAValue, result: SSAValue) -> bool:
    """Whether `value` is broadcast to `result`'s shape (a static 1 where the result
    may be larger)."""
    shape, full = static_shape(value.type), static_shape(result.type)
    return len(shape) != len(full) or any(s == 1 and f != 1 for s, f in zip(shape, full))


def _dying(form: LinearForm, root: Operation, analysis: Analysis) -> set[Operation]:
    """The interior ops that only the combination reads: dead once the root is
    replaced."""
    dying = {root}
    for op in sorted(form.interior, key=lambda o: analysis.position.get(o.results[0], 0), reverse=True):
        if op is not root and all(u.operation in dying for u in op.results[0].uses):
            dying.add(op)
    return dying


def _contains(op: Operation, target: SSAValue, interior: set[Operation], memo: dict[Operation, bool]) -> bool:
    if op not in memo:
        memo[op] = False
        memo[op] = any(
            v is target or (_owner(v) in interior and _contains(_owner(v), target, interior, memo))  # type: ignore[arg-type]
            for v in op.operands
        )
    return memo[op]


@dataclass
class Rewrite:
    """One combination to replace: its product, alpha, the Z term and its beta."""

    product: Product
    alpha: Polynomial
    z: SSAValue | None
    beta: Polynomial | None


def match_combination(root: Operation, analysis: Analysis, combine: bool) -> Rewrite | None:
    """The BLAS op `root`'s value can become, if any."""
    value = root.results[0]
    if not is_float(value.type):
        return None
    if isinstance(root, tg.DotOp) or not combine:
        form = LinearForm({value: {((), ()): 1.0}}, [])
    else:
        found = analysis.linear_form(value)
        if found is None:
            return None
        form = found
    products = [(b, p) for b in form.terms if (p := match_product(b, analysis, combine)) is not None]
    if len(products) != 1 or len(form.terms) > 2:
        return None
    base, product = products[0]
    coefficient = form.terms[base]
    others = [b for b in form.terms if b is not base]
    z = others[0] if others else None
    if product.kind == "vdot" and (z is not None or base is not value):
        return None
    if is_zero(coefficient) or _broadcasts(base, value):
        return None
    dying = _dying(form, root, analysis)
    interior = set(form.interior)
    memo: dict[Operation, bool] = {}
    if not all(u.operation in dying for u in base.uses) and base is not value:
        return None  # the product is read elsewhere: it would be computed twice
    if any(op not in dying and _contains(op, base, interior, memo) for op in interior):
        return None  # a value holding the product is read elsewhere
    beta: Polynomial | None = None
    if z is not None:
        beta = form.terms[z]
        if _broadcasts(z, value):
            return None
        if not isinstance(z, BlockArgument) and not all(u.operation in dying for u in z.uses):
            return None  # an intermediate Z still read elsewhere
        if is_zero(beta):
            z, beta = None, None
    if product.kind == "ger" and (beta is None or not is_one(beta)):
        return None
    alpha = times(coefficient, product.scale, analysis)
    return Rewrite(product, alpha, z, beta)


def emit(rewrite: Rewrite, root: Operation) -> Operation | None:
    """The BLAS op computing `root`'s value (its coefficient ops pending in the
    emitter), or None when its type would differ from the root's."""
    value = root.results[0]
    e = Emitter(value)
    p = rewrite.product
    if p.kind == "vdot":
        op: Operation = VdotOp(p.lhs, p.rhs)
    else:
        alpha = e.polynomial(rewrite.alpha)
        if p.kind == "ger":
            assert rewrite.z is not None
            op = GerOp(rewrite.z, alpha, p.lhs, p.rhs)
        else:
            beta = e.polynomial(rewrite.beta) if rewrite.beta is not None else e.constant(0.0)
            if p.kind == "gemm":
                op = GemmOp(rewrite.z, alpha, p.lhs, p.rhs, beta, p.lhs_transposed, p.rhs_transposed)
            else:
                op = GemvOp(rewrite.z, alpha, p.lhs, p.rhs, beta, p.lhs_transposed)
    if op.results[0].type != value.type:
        return None
    e.add(op)
    e.commit(root)
    return op


def match_batched(root: tg.SumOp) -> BatchedGemmOp | None:
    """`sum(dimshuffle(x, 0, i, j, x) * dimshuffle(y, 0, x, k, l), axis=2)` with
    {i, j} = {k, l} = {1, 2} as a batched GEMM (flags from the axis orders)."""
    product = root.input
    mul = _owner(product)
    if root.reduced != (2,) or _rank(product) != 4 or not is_float(product.type) or not isinstance(mul, tg.MulOp):
        return None
    if len(list(product.uses)) != 1:
        return None
    sides: dict[str, tuple[SSAValue, bool, SSAValue]] = {}
    for operand in (mul.lhs, mul.rhs):
        shuffle = _owner(operand)
        if not isinstance(shuffle, tg.DimShuffleOp) or _rank(shuffle.input) != 3:
            return None
        d = shuffle.dims
        if d[0] == 0 and d[3] == -1 and sorted(d[1:3]) == [1, 2]:
            sides["x"] = (shuffle.input, d[1:3] == (2, 1), operand)
        elif d[0] == 0 and d[1] == -1 and sorted(d[2:]) == [1, 2]:
            sides["y"] = (shuffle.input, d[2:] == (2, 1), operand)
    if set(sides) != {"x", "y"}:
        return None
    (x, x_flip, xs), (y, y_flip, ys) = sides["x"], sides["y"]
    for axis in (0, 2):  # batch and contracted axes: no broadcasting
        a, b = static_shape(xs.type)[axis], static_shape(ys.type)[axis]
        if (a == 1) != (b == 1):
            return None
    op = BatchedGemmOp(x, y, x_flip, y_flip)
    if op.results[0].type != root.result.type:
        return None
    op.location = root.location
    block = root.parent_block()
    assert block is not None
    block.insert_op_before(op, root)
    return op


# ------------------------------------------------------------------------- pass


def _replace(root: Operation, new: Operation) -> None:
    """Redirect `root`'s readers to `new`, then erase the pure ops left unread: the
    root, the combination's interior, the product, peeled operands."""
    root.results[0].replace_all_uses_with(new.results[0])
    pending = [root]
    while pending:
        op = pending.pop()
        block = op.parent_block()
        if block is None or not op.has_trait(Pure) or any(r.uses for r in op.results):
            continue
        producers = [o for o in (_owner(v) for v in op.operands) if o is not None]
        block.erase_op(op)
        pending.extend(producers)


def _is_root(op: Operation) -> bool:
    """Ops a BLAS op may replace: dots, and linear ops giving vectors or matrices."""
    if len(op.results) != 1:
        return False
    return isinstance(op, tg.DotOp) or isinstance(op, LINEAR_OPS) and _rank(op.results[0]) in (1, 2)


def blas_function(function: func.FuncOp, combine: bool = True, batched: bool = True) -> int:
    """Rewrite one function's body; returns how many BLAS ops it made."""
    block = function.body.block
    analysis = Analysis(block)
    made = 0
    for root in reversed(list(block.ops)):
        if root.parent is not block:
            continue  # erased by an earlier rewrite
        new: Operation | None = None
        if isinstance(root, tg.SumOp) and batched:
            new = match_batched(root)
        elif _is_root(root):
            rewrite = match_combination(root, analysis, combine)
            new = emit(rewrite, root) if rewrite is not None else None
        if new is not None:
            _replace(root, new)
            made += 1
    return made


@dataclass(frozen=True)
class TgBlas(ModulePass):
    """Products and linear combinations around them as BLAS-shaped ops (`tg.gemm`,
    `tg.gemv`, `tg.ger`, `tg.vdot`, `tg.batched_gemm`)."""

    name = "tg-blas"

    combine: bool = True
    """Fold scalars, negations and an accumulator Z into alpha and beta, and match
    ger; false: convert bare products only (transposes still fold into flags)."""
    batched: bool = True
    """Match batched contractions (batched_dot, matmul of stacks) as tg.batched_gemm."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            blas_function(function, self.combine, self.batched)
