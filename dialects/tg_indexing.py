"""`tg` ops: indexing (see tg.dialects.tg for the op interfaces).

- `tg.subtensor`: numpy's basic indexing (integers and slices), a view;
- `tg.set_subtensor`, `tg.inc_subtensor`: a copy of a tensor with a basic subtensor
  replaced or incremented;
- `tg.advanced_subtensor`: numpy's integer-array indexing (a gather);
- `tg.advanced_set_subtensor`, `tg.advanced_inc_subtensor`: its scatters (repeated
  indices accumulate for inc, the last write wins for set);
- `tg.nonzero`: the coordinates of the nonzero elements (boolean masks index through it).

A basic key lists, per leading input dimension, an integer index (the dimension is
dropped) or a slice; each integer, bound and step is a constant or the value of a 0-d
i64 operand. Those operands are value operands: they are read before the call, so
the result's shape and every index are checked before any generated code runs.
Index arrays are value operands when their values are known before the call
(arguments, constants); indices that generated code computes are checked there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import (
    Shape,
    broadcast_shapes,
    is_bool,
    is_integer,
    static_shape,
    tensor_type,
)
from tg.dialects.tg import (
    INDEX_ARRAY,
    SIZE_TYPE,
    TG_TENSOR,
    ConcreteShape,
    ConstantOp,
    DimOp,
    ShapeError,
    TgOp,
    verify_sizes,
)
from xdsl.dialects.builtin import DenseArrayBase, FileLineColLoc, TensorType, i64
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

DYNAMIC: int = -(2**63)
"""A key entry whose value is the next index operand's."""
NONE: int = -(2**63) + 1
"""A slice bound left out: numpy's default for the step's direction."""
BOUND: int = 2**62
"""Static key entries lie in [-BOUND, BOUND] (the frontend clamps larger bounds)."""

Entry = tuple[int, int, int]
"""One key entry, (start, stop, step); step 0 marks the integer index `start`."""
FULL: Entry = (NONE, NONE, 1)
SCALAR_INDEX = SIZE_TYPE


# ------------------------------------------------------------------ basic keys


def entries_of(key: DenseArrayBase) -> list[Entry]:
    values = tuple(key.get_values())  # type: ignore[misc]
    return [values[i : i + 3] for i in range(0, len(values) - len(values) % 3, 3)]  # type: ignore[misc]


def key_attr(entries: Sequence[Entry]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [v for e in entries for v in e])


def resolve_key(entries: Sequence[Entry], scalars: Sequence[Any]) -> list[int | slice]:
    """The numpy key of `entries`, DYNAMIC entries taking `scalars` in order."""
    it = iter(scalars)

    def value(v: int) -> int | None:
        if v == DYNAMIC:
            return int(next(it))
        return None if v == NONE else v

    key: list[int | slice] = []
    for start, stop, step in entries:
        if step == 0:
            key.append(value(start))  # type: ignore[arg-type]
        else:
            key.append(slice(value(start), value(stop), value(step)))
    return key


def location_prefix(op: Operation) -> str:
    """`tg.subtensor at file.py:12: ` for an op the frontend built, else the op name."""
    loc = op.location
    if isinstance(loc, FileLineColLoc) and loc.line.data > 0:
        return f"{op.name} at {os.path.basename(loc.filename.data)}:{loc.line.data}: "
    return f"{op.name}: "


def _out_of_bounds(op: Operation, index: int, axis: int, size: int) -> IndexError:
    return IndexError(f"{location_prefix(op)}index {index} is out of bounds for axis {axis} with size {size}")


def basic_shape(op: Operation, entries: Sequence[Entry], shape: ConcreteShape, scalars: Sequence[Any]) -> ConcreteShape:
    """The concrete shape `x[key]` for an `x` of `shape`; IndexError for an integer
    index out of bounds, ShapeError for a zero step."""
    out: list[int] = []
    for axis, k in enumerate(resolve_key(entries, scalars)):
        n = shape[axis]
        if isinstance(k, int):
            if not -n <= k < n:
                raise _out_of_bounds(op, k, axis, n)
            continue
        if k.step == 0:
            raise ShapeError(f"the slice step of dimension {axis} is zero", [])
        out.append(len(range(*k.indices(n))))
    return tuple(out) + tuple(shape[len(entries) :])


def basic_static_shape(entries: Sequence[Entry], shape: Shape) -> Shape:
    """The static shape of `x[key]` for an `x` of static `shape`."""
    out: list[int | None] = []
    for axis, (start, stop, step) in enumerate(entries):
        if step == 0:
            continue
        n = shape[axis]
        if n is None or DYNAMIC in (start, stop, step):
            whole = (start, stop) == (NONE, NONE) and step in (1, -1)
            out.append(n if whole else None)
        else:
            out.append(len(range(*resolve_key([(start, stop, step)], [])[0].indices(n))))  # type: ignore[union-attr]
    return tuple(out) + tuple(shape[len(entries) :])


def _verify_key(op: Operation, entries: Sequence[Entry], rank: int, scalars: Sequence[SSAValue]) -> None:
    if len(op.properties["key"].get_values()) % 3:  # type: ignore[attr-defined]
        raise VerifyException(f"{op.name}: the key must hold (start, stop, step) triples")
    if len(entries) > rank:
        raise VerifyException(f"{op.name}: the key indexes {len(entries)} dimensions of a rank-{rank} tensor")
    for axis, (start, stop, step) in enumerate(entries):
        for v in (start, stop, step):
            if v not in (DYNAMIC, NONE) and not -BOUND <= v <= BOUND:
                raise VerifyException(f"{op.name}: key entry {v} of dimension {axis} is out of [-2^62, 2^62]")
        if step == NONE:
            raise VerifyException(f"{op.name}: the slice of dimension {axis} has no step")
        if step == 0 and (start == NONE or stop != NONE):
            raise VerifyException(f"{op.name}: the integer index of dimension {axis} must be (index, NONE, 0)")
    dynamic = sum(v == DYNAMIC for e in entries for v in e)
    if dynamic != len(scalars):
        raise VerifyException(f"{op.name}: the key takes {dynamic} index operands, got {len(scalars)}")
    verify_sizes(op, scalars, "index operands")


def _print_basic_key(printer: Printer, entries: Sequence[Entry], scalars: Sequence[SSAValue]) -> None:
    it = iter(scalars)

    def value(v: int) -> None:
        if v == DYNAMIC:
            printer.print_ssa_value(next(it))
        elif v != NONE:
            printer.print_string(str(v))

    printer.print_string("[")
    for i, (start, stop, step) in enumerate(entries):
        if i:
            printer.print_string(", ")
        value(start)
        if step == 0:
            continue
        printer.print_string(":")
        value(stop)
        if step != 1:
            printer.print_string(":")
            value(step)
    printer.print_string("]")


def _parse_key_value(parser: Parser, scalars: list[UnresolvedOperand]) -> int | None:
    operand = parser.parse_optional_unresolved_operand()
    if operand is not None:
        scalars.append(operand)
        return DYNAMIC
    return parser.parse_optional_integer(allow_boolean=False)


def _parse_basic_key(parser: Parser) -> tuple[list[Entry], list[UnresolvedOperand]]:
    """`[%i, 1:-1, ::-2, %a:%b:%c]`: entries and their operands in order."""
    entries: list[Entry] = []
    scalars: list[UnresolvedOperand] = []

    def entry() -> Entry:
        start = _parse_key_value(parser, scalars)
        if parser.parse_optional_punctuation(":") is None:
            if start is None:
                parser.raise_error("expected an integer, an operand or a slice")
            return (start, NONE, 0)  # type: ignore[return-value]
        stop = _parse_key_value(parser, scalars)
        step = 1
        if parser.parse_optional_punctuation(":") is not None:
            given = _parse_key_value(parser, scalars)
            step = 1 if given is None else given
        return (NONE if start is None else start, NONE if stop is None else stop, step)

    parser.parse_punctuation("[")
    if parser.parse_optional_punctuation("]") is None:
        entries = parser.parse_comma_separated_list(Parser.Delimiter.NONE, entry)
        parser.parse_punctuation("]")
    return entries, scalars


def _parse_types(parser: Parser) -> tuple[list[Attribute], Attribute | None]:
    """`: t0, t1 [-> r]`."""
    parser.parse_punctuation(":")
    types: list[Attribute] = list(parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type))
    result: Attribute | None = None
    if parser.parse_optional_punctuation("->") is not None:
        result = parser.parse_type()
    return types, result


def _print_types(printer: Printer, types: Sequence[Attribute], result: Attribute | None) -> None:
    printer.print_string(" : ")
    printer.print_list(types, printer.print_attribute)
    if result is not None:
        printer.print_string(" -> ")
        printer.print_attribute(result)


def known_before_call(value: SSAValue, depth: int = 0) -> bool:
    """Whether a shape program can read `value` before the call: an argument, a
    constant, a size, or small scalar arithmetic on those (as tg.runtime.shapes)."""
    owner = value.owner
    if isinstance(owner, Block):
        return _kernel_argument_known(value, owner)
    if isinstance(owner, ConstantOp | DimOp):
        return True
    if not isinstance(owner, TgOp) or depth > 32:
        return False
    if owner.FUSION not in ("elementwise", "view") or value.type.get_shape() != ():  # type: ignore[attr-defined]
        return False
    return all(known_before_call(v, depth + 1) for v in owner.operands)


def _kernel_argument_known(value: SSAValue, block: Block) -> bool:
    """A block argument is known before the call when it stands for a function's
    argument; a kernel's argument is known when what it reads is."""
    from tg.dialects.tg_kernel import ComputeOp, FusionOp

    parent = block.parent_op()
    index = block.args.index(value)  # type: ignore[arg-type]
    if isinstance(parent, FusionOp):
        return known_before_call(parent.inputs[index])
    if isinstance(parent, ComputeOp):
        source = parent.ins[index].owner  # a function's argument, or a buffer computed here
        return isinstance(source, Block) and source.parent_op() is parent.parent_op()
    return True


def _tensor(value: SSAValue) -> TensorType:
    assert isinstance(value.type, TensorType)
    return value.type


def _rank(value: SSAValue) -> int:
    return len(_tensor(value).get_shape())


def _check_value_shape(op: Operation, value_static: Shape, target_static: Shape) -> None:
    """The value of a set/inc has the indexed rank and broadcasts (static 1) to it."""
    if len(value_static) != len(target_static):
        raise VerifyException(
            f"{op.name}: the value must have the indexed rank {len(target_static)}, got rank {len(value_static)}"
        )
    for axis, (v, t) in enumerate(zip(value_static, target_static)):
        if v not in (None, 1) and t is not None and v != t:
            raise VerifyException(
                f"{op.name}: value dimension {axis} has size {v} but the indexed dimension has size {t}"
            )


def _value_shape_error(value: ConcreteShape, value_static: Shape, target: ConcreteShape, operand: int) -> None:
    for axis, (v, s, t) in enumerate(zip(value, value_static, target)):
        if s == 1:
            if v != 1:
                raise ShapeError(
                    f"value dimension {axis} is declared broadcastable (size 1) but has size {v}", [(operand, axis)]
                )
        elif v != t:
            hint = " (only dimensions declared broadcastable broadcast, as in Theano)" if v == 1 else ""
            raise ShapeError(
                f"the value has size {v} in dimension {axis} but the indexed subtensor has size {t}{hint}",
                [(operand, axis)],
            )


# --------------------------------------------------------------- basic indexing


@irdl_op_definition
class SubtensorOp(TgOp):
    """numpy's basic indexing: each key entry is an integer index (the dimension is
    dropped) or a slice `start:stop:step` of one leading dimension; bounds are
    constants or 0-d i64 operands. A view: index arithmetic on the input.

        %r = tg.subtensor %x[%i, 1:-1, ::-2, %a:%b] : tensor<?x?x?x?xf32> -> tensor<?x?x?xf32>
    """

    CHECKS_AT_RUN_TIME: ClassVar[bool] = True

    FUSION: ClassVar[str] = "view"
    VIEW_OF: ClassVar[int | None] = 0
    READS_ONCE: ClassVar[bool] = True

    name = "tg.subtensor"
    input = operand_def(TG_TENSOR)
    indices = var_operand_def(TG_TENSOR)
    key = prop_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())

    def __init__(self, input: SSAValue, entries: Sequence[Entry], indices: Sequence[SSAValue] = ()):
        t = _tensor(input)
        shape = basic_static_shape(entries, static_shape(t))
        super().__init__(
            operands=[input, list(indices)],
            result_types=[tensor_type(t.element_type, shape)],
            properties={"key": key_attr(entries)},
        )

    @property
    def entries(self) -> list[Entry]:
        return entries_of(self.key)

    def verify_(self) -> None:
        t, r = _tensor(self.input), _tensor(self.result)
        _verify_key(self, self.entries, len(t.get_shape()), list(self.indices))
        expected = tensor_type(t.element_type, basic_static_shape(self.entries, static_shape(t)))
        if r != expected:
            raise VerifyException(f"tg.subtensor: result type must be {expected}, got {r}")

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(1, len(self.operands)))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return basic_shape(self, self.entries, shapes[0], values[1:])

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        entries = self.entries
        kept = [a for a, e in enumerate(entries) if e[2] != 0]
        kept += list(range(len(entries), _rank(self.input)))
        source = kept[axis]
        whole = source >= len(entries) or entries[source] == FULL
        return [(0, source)] if whole and static_shape(self.input.type)[source] != 1 else []

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x = args[0]
        basic_shape(self, self.entries, x.shape, args[1:])
        return np.array(x[tuple(resolve_key(self.entries, args[1:]))], dtype=x.dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T
        from tg.tensor import indexing as I

        x, *scalars = inputs
        return [I.basic_put("inc", T.zeros_like(x), g, self.entries, scalars)] + [None] * len(scalars)

    @classmethod
    def parse(cls, parser: Parser) -> SubtensorOp:
        x = parser.parse_unresolved_operand()
        entries, scalars = _parse_basic_key(parser)
        attributes = parser.parse_optional_attr_dict()
        types, result = _parse_types(parser)
        if len(types) != 1 or result is None:
            parser.raise_error("tg.subtensor: expected `: input type -> result type`")
        operands = [parser.resolve_operand(x, types[0])] + [parser.resolve_operand(s, SCALAR_INDEX) for s in scalars]
        return cls.create(
            operands=operands, result_types=[result], properties={"key": key_attr(entries)}, attributes=attributes
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.input)
        _print_basic_key(printer, self.entries, list(self.indices))
        printer.print_op_attributes(self.attributes)
        _print_types(printer, [self.input.type], self.result.type)


class BasicPutOp(TgOp):
    """A copy of `input` whose basic subtensor `input[key]` is replaced (set) or
    incremented (inc) by `value`, which has the subtensor's rank and broadcasts
    along its static-1 dimensions."""

    CHECKS_AT_RUN_TIME: ClassVar[bool] = True

    READS_ONCE: ClassVar[bool] = False  # a broadcast value is read repeatedly

    input = operand_def(TG_TENSOR)
    value = operand_def(TG_TENSOR)
    indices = var_operand_def(TG_TENSOR)
    key = prop_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())

    KIND: ClassVar[str] = "set"

    def __init__(self, input: SSAValue, value: SSAValue, entries: Sequence[Entry], indices: Sequence[SSAValue] = ()):
        super().__init__(
            operands=[input, value, list(indices)],
            result_types=[input.type],
            properties={"key": key_attr(entries)},
        )

    @property
    def entries(self) -> list[Entry]:
        return entries_of(self.key)

    def verify_(self) -> None:
        t, v = _tensor(self.input), _tensor(self.value)
        _verify_key(self, self.entries, len(t.get_shape()), list(self.indices))
        if self.result.type != t:
            raise VerifyException(f"{self.name}: result type must equal the input type {t}, got {self.result.type}")
        if v.element_type != t.element_type:
            raise VerifyException(
                f"{self.name}: the value's element type {v.element_type} differs from the input's {t.element_type}"
            )
        if self.KIND == "inc" and is_bool(t):
            raise VerifyException(f"{self.name}: boolean tensors cannot be incremented")
        _check_value_shape(self, static_shape(v), basic_static_shape(self.entries, static_shape(t)))

    def value_operands(self) -> tuple[int, ...]:
        return tuple(range(2, len(self.operands)))

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        target = basic_shape(self, self.entries, shapes[0], values[2:])
        _value_shape_error(shapes[1], static_shape(self.value.type), target, 1)
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, y, *scalars = args
        target = basic_shape(self, self.entries, x.shape, scalars)
        _value_shape_error(y.shape, static_shape(self.value.type), target, 1)
        out = x.copy()
        key = tuple(resolve_key(self.entries, scalars))
        if self.KIND == "inc":
            out[key] += y
        else:
            out[key] = y
        return out

    @classmethod
    def parse(cls, parser: Parser) -> BasicPutOp:
        x = parser.parse_unresolved_operand()
        entries, scalars = _parse_basic_key(parser)
        parser.parse_punctuation(",")
        y = parser.parse_unresolved_operand()
        attributes = parser.parse_optional_attr_dict()
        types, result = _parse_types(parser)
        if len(types) != 2 or result is not None:
            parser.raise_error(f"{cls.name}: expected `: input type, value type`")
        operands = [parser.resolve_operand(x, types[0]), parser.resolve_operand(y, types[1])]
        operands += [parser.resolve_operand(s, SCALAR_INDEX) for s in scalars]
        return cls.create(
            operands=operands, result_types=[types[0]], properties={"key": key_attr(entries)}, attributes=attributes
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.input)
        _print_basic_key(printer, self.entries, list(self.indices))
        printer.print_string(", ")
        printer.print_ssa_value(self.value)
        printer.print_op_attributes(self.attributes)
        _print_types(printer, [self.input.type, self.value.type], None)


@irdl_op_definition
class SetSubtensorOp(BasicPutOp):
    """`input` with `input[key]` replaced by `value` (Theano's set_subtensor).

        %r = tg.set_subtensor %x[1:%n], %y : tensor<?x?xf32>, tensor<?x1xf32>
    """

    name = "tg.set_subtensor"
    KIND: ClassVar[str] = "set"

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import indexing as I

        scalars = inputs[2:]
        return [
            I.basic_put("set", g, 0, self.entries, scalars),
            I.basic_get(g, self.entries, scalars),
        ] + [None] * len(scalars)


@irdl_op_definition
class IncSubtensorOp(BasicPutOp):
    """`input` with `value` added to `input[key]` (Theano's inc_subtensor).

        %r = tg.inc_subtensor %x[%i], %y : tensor<?x?xf32>, tensor<?xf32>
    """

    name = "tg.inc_subtensor"
    KIND: ClassVar[str] = "inc"

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import indexing as I

        scalars = inputs[2:]
        return [g, I.basic_get(g, self.entries, scalars)] + [None] * len(scalars)


# ------------------------------------------------------------ advanced indexing


def adjacent(axes: Sequence[int]) -> bool:
    """numpy's rule: adjacent index arrays put their broadcast dimensions in place of
    the indexed ones; separated ones put them first."""
    return list(axes) == list(range(axes[0], axes[0] + len(axes)))


def indexed_shape(x_shape: Sequence[Any], axes: Sequence[int], b_shape: Sequence[Any]) -> tuple[Any, ...]:
    """The shape of `x[index arrays at axes]` whose arrays broadcast to `b_shape`."""
    rest = [d for a, d in enumerate(x_shape) if a not in axes]
    if adjacent(axes):
        return tuple(x_shape[: axes[0]]) + tuple(b_shape) + tuple(x_shape[axes[-1] + 1 :])
    return tuple(b_shape) + tuple(rest)


def result_axis_source(rank: int, axes: Sequence[int], b_rank: int, axis: int) -> tuple[str, int]:
    """Where dimension `axis` of `x[arrays at axes]` comes from: ("b", broadcast
    dimension) or ("x", input dimension)."""
    if adjacent(axes):
        if axis < axes[0]:
            return ("x", axis)
        if axis < axes[0] + b_rank:
            return ("b", axis - axes[0])
        return ("x", axis - b_rank + len(axes))
    if axis < b_rank:
        return ("b", axis)
    rest = [a for a in range(rank) if a not in axes]
    return ("x", rest[axis - b_rank])


def _aligned(shape: Sequence[Any], rank: int, fill: Any) -> tuple[Any, ...]:
    return (fill,) * (rank - len(shape)) + tuple(shape)


def index_broadcast_static(index_shapes: Sequence[Shape]) -> Shape:
    """numpy broadcasting of index arrays (aligned right); only static 1 broadcasts.
    ValueError if two static sizes disagree."""
    rank = max((len(s) for s in index_shapes), default=0)
    return broadcast_shapes([_aligned(s, rank, 1) for s in index_shapes])


def index_broadcast(
    shapes: Sequence[ConcreteShape], statics: Sequence[Shape], first_operand: int
) -> ConcreteShape:
    """The concrete broadcast shape of index arrays; ShapeError if they do not fit."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for d in range(rank):
        size, owner = None, -1
        for k, (shape, static) in enumerate(zip(shapes, statics)):
            axis = d - (rank - len(shape))
            if axis < 0:
                continue
            if static[axis] == 1:
                if shape[axis] != 1:
                    raise ShapeError(
                        f"index array dimension {axis} is declared broadcastable (size 1) but has size "
                        f"{shape[axis]}",
                        [(first_operand + k, axis)],
                    )
                continue
            if size is None:
                size, owner = shape[axis], k
            elif shape[axis] != size:
                raise ShapeError(
                    f"index arrays do not broadcast: sizes {size} and {shape[axis]} (only dimensions declared "
                    f"broadcastable broadcast, as in Theano)",
                    [(first_operand + owner, d - (rank - len(shapes[owner]))), (first_operand + k, axis)],
                )
        out.append(1 if size is None else size)
    return tuple(out)


def _check_index_values(op: Operation, values: Sequence[np.ndarray | None], axes: Sequence[int], shape: ConcreteShape) -> None:
    for k, (idx, axis) in enumerate(zip(values, axes)):
        if idx is None or idx.size == 0:
            continue
        n = shape[axis]
        low, high = int(idx.min()), int(idx.max())
        if low < -n:
            raise _out_of_bounds(op, low, axis, n)
        if high >= n:
            raise _out_of_bounds(op, high, axis, n)


def _numpy_key(axes: Sequence[int], indices: Sequence[np.ndarray]) -> tuple[Any, ...]:
    key: list[Any] = [slice(None)] * (max(axes) + 1)
    for a, idx in zip(axes, indices):
        key[a] = idx
    return tuple(key)


def _parse_advanced_key(parser: Parser) -> tuple[list[int], list[UnresolvedOperand]]:
    """`[:, %i, %j]`: the axes indexed by arrays and those arrays."""
    entries: list[UnresolvedOperand | None] = []

    def entry() -> UnresolvedOperand | None:
        if parser.parse_optional_punctuation(":") is not None:
            return None
        return parser.parse_unresolved_operand()

    parser.parse_punctuation("[")
    entries = parser.parse_comma_separated_list(Parser.Delimiter.NONE, entry)
    parser.parse_punctuation("]")
    axes = [a for a, e in enumerate(entries) if e is not None]
    return axes, [e for e in entries if e is not None]


def _print_advanced_key(printer: Printer, axes: Sequence[int], indices: Sequence[SSAValue]) -> None:
    printer.print_string("[")
    it = iter(indices)
    for a in range(max(axes, default=-1) + 1):
        if a:
            printer.print_string(", ")
        if a in axes:
            printer.print_ssa_value(next(it))
        else:
            printer.print_string(":")
    printer.print_string("]")


def _verify_axes(op: Operation, axes: Sequence[int], rank: int, indices: Sequence[SSAValue]) -> None:
    if not axes:
        raise VerifyException(f"{op.name}: at least one dimension must be indexed")
    if list(axes) != sorted(set(axes)) or not all(0 <= a < rank for a in axes):
        raise VerifyException(
            f"{op.name}: indexed axes must be distinct, increasing and in [0, {rank}), got {list(axes)}"
        )
    if len(indices) != len(axes):
        raise VerifyException(f"{op.name}: {len(axes)} indexed axes need as many index arrays, got {len(indices)}")
    for v in indices:
        if not is_integer(v.type):
            raise VerifyException(f"{op.name}: index arrays must hold integers, got {v.type}")


class AdvancedOp(TgOp):
    """Base of ops indexing by integer arrays at `axes` (numpy advanced indexing)."""

    CHECKS_AT_RUN_TIME: ClassVar[bool] = True

    axes = prop_def(INDEX_ARRAY)
    FIRST_INDEX: ClassVar[int] = 1
    """The operand number of the first index array."""

    @property
    def indexed_axes(self) -> list[int]:
        return list(self.axes.get_values())

    @property
    def index_arrays(self) -> list[SSAValue]:
        return list(self.operands[self.FIRST_INDEX :])

    def python_checked(self) -> list[bool]:
        """Per index array: whether the shape program checks its values (else the
        generated code does)."""
        return [known_before_call(v) for v in self.index_arrays]

    def value_operands(self) -> tuple[int, ...]:
        return tuple(self.FIRST_INDEX + k for k, known in enumerate(self.python_checked()) if known)

    def index_static(self) -> Shape:
        return index_broadcast_static([static_shape(v.type) for v in self.index_arrays])

    def indexed_static(self) -> Shape:
        """The static shape of `input[arrays]`."""
        return indexed_shape(static_shape(self.operands[0].type), self.indexed_axes, self.index_static())

    def indexed_concrete(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None]) -> ConcreteShape:
        first = self.FIRST_INDEX
        b = index_broadcast(shapes[first:], [static_shape(v.type) for v in self.index_arrays], first)
        _check_index_values(self, list(values[first:]), self.indexed_axes, shapes[0])
        return indexed_shape(shapes[0], self.indexed_axes, b)

    def check_reference(self, x: np.ndarray, indices: Sequence[np.ndarray]) -> tuple[ConcreteShape, tuple[Any, ...]]:
        shapes = [x.shape] * self.FIRST_INDEX + [i.shape for i in indices]
        target = self.indexed_concrete(shapes, [None] * self.FIRST_INDEX + list(indices))
        return target, _numpy_key(self.indexed_axes, [i.astype(np.int64) for i in indices])

    def _verify_indexing(self) -> None:
        x = _tensor(self.operands[0])
        _verify_axes(self, self.indexed_axes, len(x.get_shape()), self.index_arrays)
        try:
            self.index_static()
        except ValueError as e:
            raise VerifyException(f"{self.name}: index arrays do not broadcast: {e}") from None


@irdl_op_definition
class AdvancedSubtensorOp(AdvancedOp):
    """numpy's integer-array indexing (a gather): the arrays at `axes` broadcast
    together (aligned right, static 1 broadcasting); their dimensions replace the
    indexed ones when the axes are adjacent and come first otherwise. Negative
    indices count from the end.

        %r = tg.advanced_subtensor %x[%rows, %cols] : tensor<?x?xf32>, tensor<?xi64>, tensor<?xi32> -> tensor<?xf32>
    """

    FUSION: ClassVar[str] = "view"
    # computing an input producer inline costs one evaluation per result element
    # (repeated indices repeat it), never the whole input's as storing it would
    READS_ONCE: ClassVar[bool] = True

    name = "tg.advanced_subtensor"
    input = operand_def(TG_TENSOR)
    indices = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())

    def __init__(self, input: SSAValue, axes: Sequence[int], indices: Sequence[SSAValue]):
        t = _tensor(input)
        b = index_broadcast_static([static_shape(v.type) for v in indices])
        shape = indexed_shape(static_shape(t), list(axes), b)
        super().__init__(
            operands=[input, list(indices)],
            result_types=[tensor_type(t.element_type, shape)],
            properties={"axes": DenseArrayBase.from_list(i64, list(axes))},
        )

    def verify_(self) -> None:
        self._verify_indexing()
        t, r = _tensor(self.input), _tensor(self.result)
        expected = tensor_type(t.element_type, self.indexed_static())
        if r != expected:
            raise VerifyException(f"tg.advanced_subtensor: result type must be {expected}, got {r}")

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        return self.indexed_concrete(shapes, values)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        arrays = [static_shape(v.type) for v in self.indices]
        b_rank = max(len(s) for s in arrays)
        kind, d = result_axis_source(_rank(self.input), self.indexed_axes, b_rank, axis)
        if kind == "x":
            return [(0, d)] if static_shape(self.input.type)[d] != 1 else []
        sources = []
        for k, s in enumerate(arrays):
            a = d - (b_rank - len(s))
            if a >= 0 and s[a] != 1:
                sources.append((1 + k, a))
        return sources

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, *indices = args
        _, key = self.check_reference(x, indices)
        return np.array(x[key], dtype=x.dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as T
        from tg.tensor import indexing as I

        x, *indices = inputs
        return [I.advanced_put("inc", T.zeros_like(x), g, self.indexed_axes, indices)] + [None] * len(indices)

    @classmethod
    def parse(cls, parser: Parser) -> AdvancedSubtensorOp:
        x = parser.parse_unresolved_operand()
        axes, indices = _parse_advanced_key(parser)
        attributes = parser.parse_optional_attr_dict()
        types, result = _parse_types(parser)
        if len(types) != 1 + len(indices) or result is None:
            parser.raise_error("tg.advanced_subtensor: expected `: input type, index types -> result type`")
        operands = [parser.resolve_operand(v, t) for v, t in zip([x, *indices], types)]
        return cls.create(
            operands=operands,
            result_types=[result],
            properties={"axes": DenseArrayBase.from_list(i64, axes)},
            attributes=attributes,
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.input)
        _print_advanced_key(printer, self.indexed_axes, list(self.indices))
        printer.print_op_attributes(self.attributes)
        _print_types(printer, [v.type for v in self.operands], self.result.type)


class AdvancedPutOp(AdvancedOp):
    """A copy of `input` with `value` written (set) or added (inc) at
    `input[arrays at axes]`; `value` has that gather's rank and broadcasts along its
    static-1 dimensions. Elements are visited in row-major order of the gather, so
    the last write wins for set and repeated indices accumulate for inc."""

    READS_ONCE: ClassVar[bool] = False
    FIRST_INDEX: ClassVar[int] = 2

    input = operand_def(TG_TENSOR)
    value = operand_def(TG_TENSOR)
    indices = var_operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())

    KIND: ClassVar[str] = "set"

    def __init__(self, input: SSAValue, value: SSAValue, axes: Sequence[int], indices: Sequence[SSAValue]):
        super().__init__(
            operands=[input, value, list(indices)],
            result_types=[input.type],
            properties={"axes": DenseArrayBase.from_list(i64, list(axes))},
        )

    def verify_(self) -> None:
        self._verify_indexing()
        t, v = _tensor(self.input), _tensor(self.value)
        if self.result.type != t:
            raise VerifyException(f"{self.name}: result type must equal the input type {t}, got {self.result.type}")
        if v.element_type != t.element_type:
            raise VerifyException(
                f"{self.name}: the value's element type {v.element_type} differs from the input's {t.element_type}"
            )
        if self.KIND == "inc" and is_bool(t):
            raise VerifyException(f"{self.name}: boolean tensors cannot be incremented")
        _check_value_shape(self, static_shape(v), self.indexed_static())

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        target = self.indexed_concrete(shapes, values)
        _value_shape_error(shapes[1], static_shape(self.value.type), target, 1)
        return shapes[0]

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, y, *indices = args
        target, key = self.check_reference(x, indices)
        _value_shape_error(y.shape, static_shape(self.value.type), target, 1)
        out = x.copy()
        values = np.broadcast_to(y, target)
        if self.KIND == "inc":
            np.add.at(out, key, values)
        else:
            out[key] = values
        return out

    @classmethod
    def parse(cls, parser: Parser) -> AdvancedPutOp:
        x = parser.parse_unresolved_operand()
        axes, indices = _parse_advanced_key(parser)
        parser.parse_punctuation(",")
        y = parser.parse_unresolved_operand()
        attributes = parser.parse_optional_attr_dict()
        types, result = _parse_types(parser)
        if len(types) != 2 + len(indices) or result is not None:
            parser.raise_error(f"{cls.name}: expected `: input type, value type, index types`")
        operands = [parser.resolve_operand(v, t) for v, t in zip([x, y, *indices], types)]
        return cls.create(
            operands=operands,
            result_types=[types[0]],
            properties={"axes": DenseArrayBase.from_list(i64, axes)},
            attributes=attributes,
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.input)
        _print_advanced_key(printer, self.indexed_axes, list(self.indices))
        printer.print_string(", ")
        printer.print_ssa_value(self.value)
        printer.print_op_attributes(self.attributes)
        _print_types(printer, [v.type for v in self.operands], None)


@irdl_op_definition
class AdvancedSetSubtensorOp(AdvancedPutOp):
    """`input` with `input[arrays]` replaced by `value`; the last write wins.

        %r = tg.advanced_set_subtensor %x[:, %i], %y : tensor<?x?xf32>, tensor<1x?xf32>, tensor<?xi64>
    """

    name = "tg.advanced_set_subtensor"
    KIND: ClassVar[str] = "set"

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import indexing as I

        indices = inputs[2:]
        axes = self.indexed_axes
        return [
            I.advanced_put("set", g, 0, axes, indices),
            I.advanced_get(g, axes, indices),
        ] + [None] * len(indices)


@irdl_op_definition
class AdvancedIncSubtensorOp(AdvancedPutOp):
    """`input` with `value` added at `input[arrays]`; repeated indices accumulate.

        %r = tg.advanced_inc_subtensor %x[%i], %y : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi32>
    """

    name = "tg.advanced_inc_subtensor"
    KIND: ClassVar[str] = "inc"

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import indexing as I

        indices = inputs[2:]
        return [g, I.advanced_get(g, self.indexed_axes, indices)] + [None] * len(indices)


# --------------------------------------------------------------------- nonzero


@irdl_op_definition
class NonzeroOp(TgOp):
    """The coordinates of the nonzero (true) elements of `input`, one row per
    dimension and one column per element, in row-major order (numpy's nonzero as
    a matrix). With `for %x at a`, `input` is a boolean mask indexing `x` from
    dimension `a` on, whose sizes it must match (IndexError otherwise, as numpy).

        %r = tg.nonzero %m : tensor<?x?xi1> -> tensor<2x?xi64>
        %s = tg.nonzero %m for %x at 1 : tensor<?xi1>, tensor<?x?xf32> -> tensor<1x?xi64>
    """

    READS_ONCE: ClassVar[bool] = False  # counted, then read again

    name = "tg.nonzero"
    input = operand_def(TG_TENSOR)
    indexed = opt_operand_def(TG_TENSOR)
    axis = opt_prop_def(INDEX_ARRAY)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())

    def __init__(self, input: SSAValue, indexed: SSAValue | None = None, axis: int = 0):
        rank = _rank(input)
        properties = {"axis": DenseArrayBase.from_list(i64, [axis])} if indexed is not None else {}
        super().__init__(
            operands=[input, [indexed] if indexed is not None else []],
            result_types=[tensor_type(i64, (rank, None))],
            properties=properties,
        )

    @property
    def first_axis(self) -> int:
        return self.axis.get_values()[0] if self.axis is not None else 0

    def verify_(self) -> None:
        rank = _rank(self.input)
        if rank == 0:
            raise VerifyException("tg.nonzero: the input must have at least one dimension")
        expected = tensor_type(i64, (rank, None))
        if self.result.type != expected:
            raise VerifyException(f"tg.nonzero: result type must be {expected}, got {self.result.type}")
        if (self.indexed is None) != (self.axis is None):
            raise VerifyException("tg.nonzero: an indexed tensor and its first axis come together")
        if self.indexed is not None:
            axis = self.axis.get_values()  # type: ignore[union-attr]
            if not is_bool(self.input.type):
                raise VerifyException(f"tg.nonzero: a mask indexing a tensor must be boolean, got {self.input.type}")
            if len(axis) != 1 or not 0 <= axis[0] <= _rank(self.indexed) - rank:
                raise VerifyException(
                    f"tg.nonzero: a rank-{rank} mask cannot index a rank-{_rank(self.indexed)} tensor from "
                    f"axis {list(axis)}"
                )
            a = axis[0]
            for d, (m, s) in enumerate(zip(static_shape(self.input.type), static_shape(self.indexed.type)[a:])):
                if m is not None and s is not None and m != s:
                    raise VerifyException(
                        f"tg.nonzero: mask dimension {d} has size {m} but the indexed dimension {a + d} has size {s}"
                    )

    def value_operands(self) -> tuple[int, ...]:
        return (0,)

    def _check_mask(self, mask: ConcreteShape, indexed: ConcreteShape) -> None:
        a = self.first_axis
        for d, m in enumerate(mask):
            if indexed[a + d] != m:
                raise IndexError(
                    f"{location_prefix(self)}boolean index did not match indexed array along axis {a + d}; size of axis "
                    f"is {indexed[a + d]} but size of corresponding boolean axis is {m}"
                )

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        if self.indexed is not None:
            self._check_mask(shapes[0], shapes[1])
        assert values and values[0] is not None, "tg.nonzero needs its input's value"
        return (len(shapes[0]), int(np.count_nonzero(values[0])))

    def reference(self, *args: np.ndarray) -> np.ndarray:
        if self.indexed is not None:
            self._check_mask(args[0].shape, args[1].shape)
        coords = np.nonzero(args[0])
        return np.array(coords, dtype=np.int64).reshape(len(coords), -1)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        return [None] * len(inputs)

    @classmethod
    def parse(cls, parser: Parser) -> NonzeroOp:
        m = parser.parse_unresolved_operand()
        x, axis = None, None
        if parser.parse_optional_keyword("for") is not None:
            x = parser.parse_unresolved_operand()
            parser.parse_keyword("at")
            axis = parser.parse_integer(allow_boolean=False, allow_negative=False)
        attributes = parser.parse_optional_attr_dict()
        types, result = _parse_types(parser)
        if len(types) != (1 if x is None else 2) or result is None:
            parser.raise_error("tg.nonzero: expected `: input type[, indexed type] -> result type`")
        operands: list[Any] = [parser.resolve_operand(m, types[0])]
        operands.append([parser.resolve_operand(x, types[1])] if x is not None else [])
        properties = {"axis": DenseArrayBase.from_list(i64, [axis])} if axis is not None else {}
        return cls.create(
            operands=[operands[0], *operands[1]],
            result_types=[result],
            properties=properties,
            attributes=attributes,
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.input)
        if self.indexed is not None:
            printer.print_string(" for ")
            printer.print_ssa_value(self.indexed)
            printer.print_string(f" at {self.first_axis}")
        printer.print_op_attributes(self.attributes)
        _print_types(printer, [v.type for v in self.operands], self.result.type)


OPS: list[type[Operation]] = [
    SubtensorOp,
    SetSubtensorOp,
    IncSubtensorOp,
    AdvancedSubtensorOp,
    AdvancedSetSubtensorOp,
    AdvancedIncSubtensorOp,
    NonzeroOp,
]
"""`tg` ops: indexing (see tg.dialects.tg for the op interfaces)."""
