"""Walking graphs of tg ops, whether detached (as the frontend builds them) or in a
block: the one topological walk every part of tg uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xdsl.ir import Block, Operation, SSAValue


def topological(
    roots: Sequence[SSAValue],
    stop: set[SSAValue] | frozenset[SSAValue] = frozenset(),
    substitute: Mapping[SSAValue, SSAValue] | None = None,
) -> tuple[list[Operation], list[SSAValue], set[SSAValue]]:
    """The ops the roots depend on, each after its operands' ops; the free values
    (block arguments) reached, in order; and the `stop` values reached (the walk does
    not go past them). `substitute` redirects values as they are reached."""
    substitute = substitute or {}
    order: list[Operation] = []
    visited: set[Operation] = set()
    free: list[SSAValue] = []
    seen_free: set[SSAValue] = set()
    reached: set[SSAValue] = set()
    for root in roots:
        stack: list[tuple[SSAValue, bool]] = [(root, False)]
        while stack:
            value, expanded = stack.pop()
            if not expanded and value in substitute:
                value = substitute[value]
            if value in stop:
                reached.add(value)
                continue
            owner = value.owner
            if isinstance(owner, Block):
                if value not in seen_free:
                    seen_free.add(value)
                    free.append(value)
                continue
            if owner in visited:
                continue
            if expanded:
                visited.add(owner)
                order.append(owner)
                continue
            stack.append((value, True))
            for operand in reversed(owner.operands):
                stack.append((operand, False))
    return order, free, reached
