"""`tg` ops: random draws from a counter-based generator (see tg.dialects.tg for the
op interfaces).

A random op reads a state operand, a `tensor<2xi64>` holding `[key, counter]`, and
computes each of its elements from 64-bit words `word(key, counter + w)`, where `w`
numbers the words the op consumes (element-major). Because a word depends only on
the key and its number, the numpy reference and the generated code compute the same
draws bit for bit, in any order, and an op reads its state without changing it: the
frontend advances the counter by the number of words drawn (the state's shared
variable's `default_update`).

The draws are spelled once, below, against `WordOps` (integer and float operations);
`NumpyWordOps` runs them on arrays for the references, and the lowering runs them on
`arith` values, so both compute the same operations in the same order.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from tg.dialects.tensor_types import (
    Shape,
    is_bool,
    is_float,
    static_shape,
    tensor_type,
)
from tg.dialects.tg import (
    INDEX_ARRAY,
    TG_TENSOR,
    ConcreteShape,
    ShapeError,
    TgOp,
    verify_sizes,
)
from xdsl.dialects.builtin import DenseArrayBase, TensorType, i64
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import (
    attr_def,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

# ------------------------------------------------------------------ the generator

GAMMA = 0x9E3779B97F4A7C15
"""splitmix64's increment (2^64 / golden ratio, odd)."""
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
"""splitmix64's finalizer multipliers."""

MASK64 = (1 << 64) - 1
LN2_HI = float.fromhex("0x1.62e42feep-1")
"""ln 2 rounded to 32 significant bits, so that e * LN2_HI is exact for |e| < 2^21."""
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
"""ln 2 - LN2_HI."""
SQRT2 = math.sqrt(2.0)
LOG_SERIES = tuple(1.0 / (2 * i + 1) for i in range(1, 11))
"""atanh series: ln m = 2 (s + s^3/3 + s^5/5 + ...) with s = (m - 1) / (m + 1)."""
COS_SERIES = tuple((-1.0) ** i / math.factorial(2 * i) for i in range(1, 9))
SIN_SERIES = tuple((-1.0) ** i / math.factorial(2 * i + 1) for i in range(1, 9))
QUARTER_PI_ULP51 = math.ldexp(math.pi / 4, -51)
"""pi/4 / 2^51: a 51-bit integer times this is an angle in [0, pi/4)."""

X = TypeVar("X")


class WordOps(abc.ABC, Generic[X]):
    """The operations the draws are written in. Integers are 64-bit words with
    wrap-around arithmetic; floats are IEEE float32/float64 (named by numpy dtype
    names), rounded after every operation (no contraction, no reassociation)."""

    @abc.abstractmethod
    def const(self, value: int) -> X:
        """A word constant (taken modulo 2^64)."""

    @abc.abstractmethod
    def fconst(self, value: float, dtype: str) -> X: ...

    @abc.abstractmethod
    def add(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def sub(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def mul(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def xor(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def and_(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def or_(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def shr(self, a: X, bits: int) -> X:
        """Logical shift right by a constant."""

    @abc.abstractmethod
    def nonzero(self, a: X) -> X:
        """The boolean `a != 0`."""

    @abc.abstractmethod
    def to_float(self, a: X, dtype: str) -> X:
        """A word below 2^53 as a float (exactly, for the widths used here)."""

    @abc.abstractmethod
    def bits(self, a: X) -> X:
        """A float64's bits as a word."""

    @abc.abstractmethod
    def from_bits(self, a: X) -> X:
        """A word's bits as a float64."""

    @abc.abstractmethod
    def fadd(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def fsub(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def fmul(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def fdiv(self, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def fneg(self, a: X) -> X: ...

    @abc.abstractmethod
    def sqrt(self, a: X) -> X: ...

    @abc.abstractmethod
    def fgt(self, a: X, b: X) -> X:
        """The boolean `a > b` (false for NaN)."""

    @abc.abstractmethod
    def select(self, condition: X, a: X, b: X) -> X: ...

    @abc.abstractmethod
    def to_float32(self, a: X) -> X:
        """A float64 rounded to float32."""


def random_word(A: WordOps[X], key: X, counter: X, index: X) -> X:
    """Word number `counter + index` of stream `key`: splitmix64's output for the
    state `key + (counter + index + 1) * GAMMA`, a bijective mix of that state."""
    z = A.add(key, A.mul(A.add(A.add(counter, index), A.const(1)), A.const(GAMMA)))
    z = A.mul(A.xor(z, A.shr(z, 30)), A.const(MIX1))
    z = A.mul(A.xor(z, A.shr(z, 27)), A.const(MIX2))
    return A.xor(z, A.shr(z, 31))


def uniform_of(A: WordOps[X], word: X, dtype: str) -> X:
    """A uniform float in [0, 1) from the top 53 (float64) or 24 (float32) bits."""
    if dtype == "float32":
        return A.fmul(A.to_float(A.shr(word, 40), dtype), A.fconst(2.0**-24, dtype))
    return A.fmul(A.to_float(A.shr(word, 11), dtype), A.fconst(2.0**-53, dtype))


def _horner(A: WordOps[X], z: X, coefficients: Sequence[float]) -> X:
    """c0 + z*(c1 + z*(c2 + ...)) for coefficients c0, c1, ... (float64)."""
    acc = A.fconst(coefficients[-1], "float64")
    for c in reversed(coefficients[:-1]):
        acc = A.fadd(A.fconst(c, "float64"), A.fmul(z, acc))
    return acc


def _minus_two_log(A: WordOps[X], word: X) -> X:
    """-2 ln(u) for u = (top 53 bits + 1) / 2^53 in (0, 1], from the float's exponent
    and an atanh series on its mantissa in [sqrt(1/2), sqrt(2)]."""
    x = A.add(A.shr(word, 11), A.const(1))  # [1, 2^53]
    bits = A.bits(A.to_float(x, "float64"))
    exponent = A.sub(A.shr(bits, 52), A.const(1023 + 53))  # of u, without the mantissa
    mantissa = A.from_bits(A.or_(A.and_(bits, A.const((1 << 52) - 1)), A.const(1023 << 52)))
    big = A.fgt(mantissa, A.fconst(SQRT2, "float64"))
    mantissa = A.select(big, A.fmul(mantissa, A.fconst(0.5, "float64")), mantissa)
    exponent = A.select(big, A.add(exponent, A.const(1)), exponent)
    one = A.fconst(1.0, "float64")
    s = A.fdiv(A.fsub(mantissa, one), A.fadd(mantissa, one))
    z = A.fmul(s, s)
    series = A.fmul(z, _horner(A, z, LOG_SERIES))
    log_mantissa = A.fmul(A.fconst(2.0, "float64"), A.fadd(s, A.fmul(s, series)))
    e = A.to_float(A.add(exponent, A.const(64)), "float64")  # shifted to be non-negative
    e = A.fsub(e, A.fconst(64.0, "float64"))
    log_u = A.fadd(A.fmul(e, A.fconst(LN2_HI, "float64")),
                   A.fadd(A.fmul(e, A.fconst(LN2_LO, "float64")), log_mantissa))
    return A.fmul(A.fconst(-2.0, "float64"), log_u)


def _unit_cosine(A: WordOps[X], word: X) -> X:
    """cos(theta) for theta uniform on [0, 2 pi): a random sign (bit 63) times
    cos(phi) or sin(phi) (bit 62) for phi uniform on [0, pi/4) (bits 61..11)."""
    t = A.and_(A.shr(word, 11), A.const((1 << 51) - 1))
    phi = A.fmul(A.to_float(t, "float64"), A.fconst(QUARTER_PI_ULP51, "float64"))
    z = A.fmul(phi, phi)
    one = A.fconst(1.0, "float64")
    cos = A.fadd(one, A.fmul(z, _horner(A, z, COS_SERIES)))
    sin = A.fadd(phi, A.fmul(phi, A.fmul(z, _horner(A, z, SIN_SERIES))))
    value = A.select(A.nonzero(A.and_(A.shr(word, 62), A.const(1))), sin, cos)
    return A.select(A.nonzero(A.shr(word, 63)), A.fneg(value), value)


def normal_of(A: WordOps[X], first: X, second: X, dtype: str) -> X:
    """A standard normal by Box-Muller, sqrt(-2 ln u) cos(theta), from two words;
    computed in float64 and rounded once for float32."""
    value = A.fmul(A.sqrt(_minus_two_log(A, first)), _unit_cosine(A, second))
    return A.to_float32(value) if dtype == "float32" else value


class NumpyWordOps(WordOps[np.ndarray]):
    """The draws on numpy arrays (words as uint64): the references' engine."""

    def const(self, value: int) -> np.ndarray:
        return np.uint64(value & MASK64)  # type: ignore[return-value]

    def fconst(self, value: float, dtype: str) -> np.ndarray:
        return np.dtype(dtype).type(value)  # type: ignore[return-value]

    def add(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.add(a, b, dtype=np.uint64)

    def sub(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.subtract(a, b, dtype=np.uint64)

    def mul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.multiply(a, b, dtype=np.uint64)

    def xor(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.bitwise_xor(a, b, dtype=np.uint64)

    def and_(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.bitwise_and(a, b, dtype=np.uint64)

    def or_(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.bitwise_or(a, b, dtype=np.uint64)

    def shr(self, a: np.ndarray, bits: int) -> np.ndarray:
        return np.right_shift(a, np.uint64(bits), dtype=np.uint64)

    def nonzero(self, a: np.ndarray) -> np.ndarray:
        return np.not_equal(a, np.uint64(0))

    def to_float(self, a: np.ndarray, dtype: str) -> np.ndarray:
        return np.asarray(a).astype(dtype)

    def bits(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a, np.float64).view(np.uint64)

    def from_bits(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a, np.uint64).view(np.float64)

    def fadd(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.add(a, b)

    def fsub(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.subtract(a, b)

    def fmul(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.multiply(a, b)

    def fdiv(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.true_divide(a, b)

    def fneg(self, a: np.ndarray) -> np.ndarray:
        return np.negative(a)

    def sqrt(self, a: np.ndarray) -> np.ndarray:
        return np.sqrt(a)

    def fgt(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.greater(a, b)

    def select(self, condition: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(condition, a, b)

    def to_float32(self, a: np.ndarray) -> np.ndarray:
        return np.asarray(a).astype(np.float32)


NUMPY = NumpyWordOps()


def numpy_words(state: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The words `indices` (uint64) of the stream that `state` ([key, counter]) is at."""
    if np.shape(state) != (2,):
        raise ValueError(f"a random state must hold 2 int64 values (key, counter), got shape {np.shape(state)}")
    key, counter = np.asarray(state, np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        return random_word(NUMPY, key, counter, np.asarray(indices, np.uint64))


def numpy_uniform(state: np.ndarray, indices: np.ndarray, dtype: str = "float64") -> np.ndarray:
    return uniform_of(NUMPY, numpy_words(state, indices), dtype)


def seed_key(seed: int, stream: int) -> int:
    """The key (as a signed int64) of stream number `stream` of generator `seed`:
    a word of the stream whose key is the seed."""
    state = np.array([seed & MASK64, 0], np.uint64).view(np.int64)
    word = numpy_words(state, np.array([stream], np.uint64))[0]
    return int(np.array([word], np.uint64).view(np.int64)[0])


# ---------------------------------------------------------------------------- ops


def _tensor(value: SSAValue) -> TensorType:
    assert isinstance(value.type, TensorType)
    return value.type


def _verify_scalar_i64(op: Operation, value: SSAValue, what: str) -> None:
    verify_sizes(op, [value], what)


NEGATIVE_PROBABILITY = "probabilities must be non-negative (and not NaN)"
BAD_PROBABILITY_SUM = "probabilities must have a positive, finite sum"


def _cumulative(p: np.ndarray, what: str) -> np.ndarray:
    """Row-wise running sums of probabilities `p` (rows, k) in float64, added in
    order as the generated code does; ValueError for what numpy's samplers reject."""
    with np.errstate(invalid="ignore", over="ignore"):
        if np.any(~(p >= 0)):
            raise ValueError(f"{what}: {NEGATIVE_PROBABILITY}")
        cdf = np.cumsum(p, axis=1)
    total = cdf[:, -1]
    if np.any(~(total > 0)) or np.any(np.isinf(total)):
        raise ValueError(f"{what}: {BAD_PROBABILITY_SUM}")
    return cdf


class RandomOp(TgOp, abc.ABC):
    """Base of the random ops: a `tensor<2xi64>` state operand `[key, counter]` first.

    The op is pure: the same state gives the same draws. `WORDS` is the number of
    words drawn per result element; the frontend advances the counter by that much.
    """

    CHECKS_AT_RUN_TIME: ClassVar[bool] = True

    WORDS: ClassVar[int] = 1

    def verify_state(self) -> None:
        t = _tensor(self.state)
        shape = static_shape(t)
        if t.element_type != i64 or len(shape) != 1 or shape[0] not in (2, None):
            raise VerifyException(
                f"{self.name}: the state must be tensor<2xi64> (key, counter), got {t}"
            )

    def check_state(self, shape: ConcreteShape) -> None:
        if shape != (2,):
            raise ShapeError(
                f"the random state must have shape (2,) (key, counter), got {shape}", [(0, 0)]
            )

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None] * len(inputs)


class SizedRandomOp(RandomOp, abc.ABC):
    """A random op whose result shape is given by trailing 0-d int64 `sizes` operands,
    known before the call (so `x.shape` works as a size)."""

    traits = traits_def(Pure())

    PARAMETERS: ClassVar[int] = 0
    """Operands between the state and the sizes."""

    def __init__(self, state: SSAValue, parameters: Sequence[SSAValue], sizes: Sequence[SSAValue],
                 result_shape: Shape, element: Any, attributes: dict[str, Any] | None = None):
        super().__init__(
            operands=[state, *parameters, list(sizes)],
            result_types=[tensor_type(element, result_shape)],
            attributes=attributes or {},
        )

    def verify_(self) -> None:
        self.verify_state()
        rank = len(_tensor(self.result).get_shape())
        if len(self.sizes) != rank:
            raise VerifyException(
                f"{self.name}: expected {rank} sizes for a rank-{rank} result, got {len(self.sizes)}"
            )
        for s in self.sizes:
            _verify_scalar_i64(self, s, "sizes")
        self.verify_parameters()

    @abc.abstractmethod
    def verify_parameters(self) -> None:
        """Checks of the result element type and of the parameter operands."""

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(1 + self.PARAMETERS, len(self.operands)))

    def shape_from_sizes(self, sizes: Sequence[Any]) -> ConcreteShape:
        static = static_shape(_tensor(self.result))
        shape = tuple(int(n) for n in sizes)
        for axis, n in enumerate(shape):
            if n < 0:
                raise ShapeError(f"requested size {n} for dimension {axis} is negative")
            if static[axis] is not None and static[axis] != n:
                raise ShapeError(f"dimension {axis} is declared of size {static[axis]} but {n} was requested")
        return shape

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        self.check_state(shapes[0])
        self.check_parameters(shapes, values)
        return self.shape_from_sizes(values[1 + self.PARAMETERS :])

    def check_parameters(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None]) -> None:
        """ShapeError for parameters that cannot give a result of any shape."""

    def _shape_of(self, args: Sequence[np.ndarray]) -> ConcreteShape:
        return self.infer_shape([np.shape(a) for a in args], list(args))


@irdl_op_definition
class RandomUniformOp(SizedRandomOp):
    """Uniform floats in [0, 1): the top 53 (f64) or 24 (f32) bits of one word each.

        %u = tg.random_uniform %state to %n, %m : (tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<?x?xf64>
    """

    name = "tg.random_uniform"
    state = operand_def(TG_TENSOR)
    sizes = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    assembly_format = "$state (`to` $sizes^)? attr-dict `:` functional-type(operands, results)"

    def verify_parameters(self) -> None:
        if not is_float(self.result.type):
            raise VerifyException(f"{self.name}: the result must hold floats, got {self.result.type}")

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self._shape_of(args)
        n = int(np.prod(shape))
        u = numpy_uniform(args[0], np.arange(n, dtype=np.uint64), self._result_dtype().name)
        return np.asarray(u).reshape(shape)


@irdl_op_definition
class RandomNormalOp(SizedRandomOp):
    """Standard normal floats by Box-Muller from two words each (see `normal_of`).

        %z = tg.random_normal %state to %n : (tensor<2xi64>, tensor<i64>) -> tensor<?xf32>
    """

    name = "tg.random_normal"
    state = operand_def(TG_TENSOR)
    sizes = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    assembly_format = "$state (`to` $sizes^)? attr-dict `:` functional-type(operands, results)"
    WORDS: ClassVar[int] = 2

    def verify_parameters(self) -> None:
        if not is_float(self.result.type):
            raise VerifyException(f"{self.name}: the result must hold floats, got {self.result.type}")

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self._shape_of(args)
        n = int(np.prod(shape))
        first = np.arange(n, dtype=np.uint64) * np.uint64(2)
        words = numpy_words(args[0], np.stack([first, first + np.uint64(1)]))
        with np.errstate(all="ignore"):
            z = normal_of(NUMPY, words[0], words[1], self._result_dtype().name)
        return np.asarray(z).reshape(shape)


def _categorical_from_words(words: np.ndarray, cdf: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Indices drawn by inverse CDF: the number of running sums <= u * total (the
    first index whose sum exceeds it; the generated code bisects), kept at or below
    the last positive probability. `cdf` is (rows, k), words (rows, draws)."""
    t = uniform_of(NUMPY, words, "float64") * cdf[:, -1:]
    counts = np.zeros(t.shape, np.int64)
    if cdf.shape[1] <= 16:
        for i in range(cdf.shape[1]):
            counts += cdf[:, i : i + 1] <= t
    else:  # the sums never decrease (the probabilities were checked)
        for r in range(len(cdf)):
            counts[r] = np.searchsorted(cdf[r], t[r], side="right")
    return np.minimum(counts, last[:, None])


def _last_positive(p: np.ndarray) -> np.ndarray:
    """Per row of `p` (rows, k): the last index with p > 0 (0 if none)."""
    positive = p > 0
    k = p.shape[1]
    return np.where(positive.any(axis=1), k - 1 - np.argmax(positive[:, ::-1], axis=1), 0).astype(np.int64)


@irdl_op_definition
class RandomCategoricalOp(SizedRandomOp):
    """Indices in [0, k) drawn with probabilities p / sum(p), by inverse CDF on one
    uniform float64 each (numpy's `choice(k, size, p=p)` in distribution).

        %i = tg.random_categorical %state, %p to %n : (tensor<2xi64>, tensor<?xf64>, tensor<i64>) -> tensor<?xi64>
    """

    name = "tg.random_categorical"
    state = operand_def(TG_TENSOR)
    p = operand_def(TG_TENSOR)
    sizes = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    assembly_format = "$state `,` $p (`to` $sizes^)? attr-dict `:` functional-type(operands, results)"
    PARAMETERS: ClassVar[int] = 1

    def __init__(self, state: SSAValue, p: SSAValue, sizes: Sequence[SSAValue], result_shape: Shape):
        super().__init__(state, [p], sizes, result_shape, i64)

    def verify_parameters(self) -> None:
        p = _tensor(self.p)
        if not is_float(p) or len(p.get_shape()) != 1:
            raise VerifyException(f"{self.name}: p must be a vector of floats, got {p}")
        if _tensor(self.result).element_type != i64:
            raise VerifyException(f"{self.name}: the result must hold i64 indices, got {self.result.type}")

    def check_parameters(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None]) -> None:
        if shapes[1][0] == 0:
            raise ShapeError("p is empty: there is no category to draw", [(1, 0)])

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self._shape_of(args)
        p = np.asarray(args[1], np.float64)[None, :]
        cdf = _cumulative(p, self.name)
        n = int(np.prod(shape))
        words = numpy_words(args[0], np.arange(n, dtype=np.uint64))[None, :]
        return _categorical_from_words(words, cdf, _last_positive(p))[0].reshape(shape)


@irdl_op_definition
class RandomPermutationOp(SizedRandomOp):
    """Distinct integers in [0, n): the result's dimensions from `batch_dims` on hold
    the first m entries (m their element count, m <= n) of a uniform random
    permutation of [0, n), drawn anew for each index of the leading `batch_dims`
    dimensions. Fisher-Yates: entry t swaps with t + floor(u_t * (n - t)).

        %p = tg.random_permutation %state, %n to %r, %n {batch_dims = array<i64: 1>} : (tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
    """

    name = "tg.random_permutation"
    state = operand_def(TG_TENSOR)
    n = operand_def(TG_TENSOR)
    sizes = var_operand_def(TG_TENSOR)
    batch_dims = attr_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    assembly_format = "$state `,` $n (`to` $sizes^)? attr-dict `:` functional-type(operands, results)"
    PARAMETERS: ClassVar[int] = 1

    def __init__(self, state: SSAValue, n: SSAValue, sizes: Sequence[SSAValue], result_shape: Shape, batch_dims: int):
        super().__init__(
            state, [n], sizes, result_shape, i64,
            {"batch_dims": DenseArrayBase.from_list(i64, [batch_dims])},
        )

    @property
    def batch(self) -> int:
        return self.batch_dims.get_values()[0]

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(1, len(self.operands)))

    def verify_parameters(self) -> None:
        _verify_scalar_i64(self, self.n, "n")
        if _tensor(self.result).element_type != i64:
            raise VerifyException(f"{self.name}: the result must hold i64 indices, got {self.result.type}")
        values = self.batch_dims.get_values()
        rank = len(self.sizes)
        if len(values) != 1 or not 0 <= values[0] <= rank:
            raise VerifyException(
                f"{self.name}: batch_dims must be one count in [0, {rank}], got {list(values)}"
            )

    def check_parameters(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None]) -> None:
        n = int(values[1])  # type: ignore[arg-type]
        if n < 0:
            raise ShapeError(f"cannot permute a negative number ({n}) of elements")
        m = int(np.prod([int(s) for s in values[2 + self.batch :]]))  # type: ignore[arg-type]
        if m > n:
            raise ShapeError(f"cannot take {m} distinct values from {n} without replacement")

    def reference(self, *args: np.ndarray) -> np.ndarray:
        shape = self._shape_of(args)
        n = int(args[1])
        rows = int(np.prod(shape[: self.batch]))
        m = int(np.prod(shape[self.batch :]))
        draws = np.arange(rows * m, dtype=np.uint64).reshape(rows, m)
        u = numpy_uniform(args[0], draws)
        remaining = n - np.arange(m, dtype=np.int64)
        swaps = np.arange(m) + np.minimum((u * remaining.astype(np.float64)).astype(np.int64), remaining - 1)
        if rows == 1:  # the common single permutation: swaps on a list are fastest
            pool, targets = list(range(n)), swaps[0].tolist()
            for t, j in enumerate(targets):
                pool[t], pool[j] = pool[j], pool[t]
            return np.array(pool[:m], np.int64).reshape(shape)
        table = np.tile(np.arange(n, dtype=np.int64), (rows, 1))
        r = np.arange(rows)
        for t in range(m):
            j = swaps[:, t]
            chosen = table[r, j]
            table[r, j] = table[r, t]
            table[r, t] = chosen
        return table[:, :m].reshape(shape)


@irdl_op_definition
class RandomMultinomialOp(RandomOp):
    """Counts of n draws with probabilities pvals / sum(pvals) along the last axis,
    independently for each row of `pvals` (Theano's MRG multinomial: n = 1 gives
    one-hot rows). Draw d of row r uses word r * n + d.

        %c = tg.random_multinomial %state, %n, %pvals : (tensor<2xi64>, tensor<i64>, tensor<?x3xf32>) -> tensor<?x3xi64>
    """

    name = "tg.random_multinomial"
    state = operand_def(TG_TENSOR)
    n = operand_def(TG_TENSOR)
    pvals = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$state `,` $n `,` $pvals attr-dict `:` functional-type(operands, results)"

    def __init__(self, state: SSAValue, n: SSAValue, pvals: SSAValue, element: Any):
        shape = static_shape(_tensor(pvals))
        super().__init__(operands=[state, n, pvals], result_types=[tensor_type(element, shape)])

    def verify_(self) -> None:
        self.verify_state()
        _verify_scalar_i64(self, self.n, "n")
        p, r = _tensor(self.pvals), _tensor(self.result)
        if not is_float(p) or len(p.get_shape()) < 1:
            raise VerifyException(f"{self.name}: pvals must be floats of rank >= 1, got {p}")
        if static_shape(r) != static_shape(p):
            raise VerifyException(f"{self.name}: the result must have the shape of pvals {p}, got {r}")
        if is_bool(r):
            raise VerifyException(f"{self.name}: counts cannot be booleans, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        self.check_state(shapes[0])
        p = shapes[2]
        if p[-1] == 0:
            raise ShapeError("pvals has no categories (its last dimension is empty)", [(2, len(p) - 1)])
        return p

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(2, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        state, n, pvals = args[0], int(args[1]), np.asarray(args[2], np.float64)
        shape = self.infer_shape([a.shape for a in args])
        if n < 0:
            raise ValueError(f"{self.name}: the number of draws n must be non-negative, got {n}")
        k = shape[-1]
        p = pvals.reshape(-1, k)
        rows = p.shape[0]
        cdf = _cumulative(p, self.name)
        draws = np.arange(rows * n, dtype=np.uint64).reshape(rows, n)
        picked = _categorical_from_words(numpy_words(state, draws), cdf, _last_positive(p))
        counts = np.zeros((rows, k), np.int64)
        for d in range(n):
            counts[np.arange(rows), picked[:, d]] += 1
        return counts.astype(self._result_dtype()).reshape(shape)


OPS: list[type[Operation]] = [
    RandomUniformOp,
    RandomNormalOp,
    RandomCategoricalOp,
    RandomPermutationOp,
    RandomMultinomialOp,
]
