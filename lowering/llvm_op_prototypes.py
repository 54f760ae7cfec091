"""llvm-dialect ops built in a third of the time their constructors take.

xDSL's op constructors check and sort their arguments against the op's definition
(about 16 µs an op, 25 µs a constant); a lowering that emits thousands of ops spends
most of its time there. `OpPrototypes.build` builds the first op of each kind (op
class, non-SSA arguments, operand types) with its constructor and every later one with
`Operation.create` from that prototype's properties, attributes and result types: the
same op, as a test checks for each kind convert-loops-to-llvm emits. A kind whose
constructor does not take its operands and successors in the order given is always
built by its constructor.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from xdsl.ir import Attribute, Block, Operation, SSAValue

OpT = TypeVar("OpT", bound=Operation)

_BY_CONSTRUCTOR = None
"""What a kind maps to when its constructor must always be used."""


class OpPrototypes:
    """The properties, attributes and result types of one op of each kind seen."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, tuple[dict[str, Attribute], dict[str, Attribute], list[Attribute]] | None] = {}

    def build(
        self,
        cls: type[OpT],
        operands: Sequence[SSAValue],
        key: Hashable,
        construct: Callable[[], OpT],
        successors: Sequence[Block] = (),
    ) -> OpT:
        """The op `construct()` builds, whose SSA operands are `operands`, successors
        `successors`, and other arguments `key` (hashable)."""
        kind = (cls, key, len(successors), *(v.type for v in operands))
        if kind not in self._seen:
            op = construct()
            same = list(op.operands) == list(operands) and list(op.successors) == list(successors) and not op.regions
            self._seen[kind] = (
                (dict(op.properties), dict(op.attributes), [r.type for r in op.results]) if same else _BY_CONSTRUCTOR
            )
            return op
        prototype = self._seen[kind]
        if prototype is _BY_CONSTRUCTOR:
            return construct()
        properties, attributes, result_types = prototype
        return cls.create(
            operands=operands,
            result_types=result_types,
            properties=properties,
            attributes=attributes,
            successors=successors,
        )
