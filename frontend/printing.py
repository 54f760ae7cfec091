"""Theano's `debugprint` and `pp`: a graph as a tree, or as a formula.

Both read the IR itself. For a variable they show the graph as it was built; for a
compiled function (`debugprint(f)`), the graph as it was compiled (after the
optimized stage).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from tg.dialects.tensor_types import format_type
from tg.variable import TensorVariable, free_variable_of
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase
from xdsl.ir import Block, Operation, SSAValue

_INFIX = {"tg.add": "+", "tg.sub": "-", "tg.mul": "*", "tg.div": "/", "tg.pow": "**"}


def _ids() -> Any:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n = 0
    while True:
        q, r = divmod(n, 26)
        yield (letters[q - 1] if q else "") + letters[r]
        n += 1


def _attributes(op: Operation) -> str:
    parts = []
    for key, attr in op.attributes.items():
        if isinstance(attr, DenseArrayBase):
            parts.append(f"{key}={list(attr.get_values())}")
    if "predicate" in op.properties:
        parts.append(str(op.properties["predicate"]).strip('"'))
    return "{" + ", ".join(parts) + "}" if parts else ""


def _leaf_name(value: SSAValue, names: dict[SSAValue, str]) -> str:
    if value in names:
        return names[value]
    variable = free_variable_of(value)
    if variable is not None and variable.name:
        return variable.name
    return value.name_hint or "<input>"


def _roots_of(obj: Any) -> tuple[list[SSAValue], dict[SSAValue, str]]:
    from tg.runtime.function import Function

    if isinstance(obj, Function):
        function = next(op for op in obj._optimized.ops if isinstance(op, func.FuncOp))
        names = {a: a.name_hint or f"arg{i}" for i, a in enumerate(function.body.block.args)}
        return list(function.body.block.last_op.operands), names  # type: ignore[union-attr]
    items = obj if isinstance(obj, list | tuple) else [obj]
    roots = []
    for item in items:
        if not isinstance(item, TensorVariable):
            raise TypeError(f"debugprint: expected symbolic variables or a compiled function, got {item!r}")
        roots.append(item.value)
    return roots, {}


def debugprint(obj: Any, file: TextIO | str | None = None, print_type: bool = False) -> str:
    """Print the graph under `obj` (variables or a compiled function) as a tree; a
    subgraph printed once is referred to by its id afterwards. Returns the text."""
    roots, names = _roots_of(obj)
    ids = _ids()
    seen: dict[Operation, str] = {}
    lines: list[str] = []

    def show(value: SSAValue, prefix: str, child_prefix: str) -> None:
        type_text = f" <{format_type(value.type)}>" if print_type else ""
        owner = value.owner
        if isinstance(owner, Block):
            lines.append(f"{prefix}{_leaf_name(value, names)}{type_text}")
            return
        if owner in seen:
            lines.append(f"{prefix}{owner.name} [id {seen[owner]}]{type_text}")
            return
        seen[owner] = next(ids)
        lines.append(f"{prefix}{owner.name}{_attributes(owner)} [id {seen[owner]}]{type_text}")
        for operand in owner.operands:
            show(operand, child_prefix + " |", child_prefix + " |")

    stack_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(stack_limit, 10000))
    try:
        for root in roots:
            show(root, "", "")
    finally:
        sys.setrecursionlimit(stack_limit)
    text = "\n".join(lines)
    if file == "str":
        return text
    print(text, file=file if file is not None else sys.stdout)  # type: ignore[arg-type]
    return text


def pp(variable: TensorVariable) -> str:
    """The expression as a formula: `((x * W) + exp(b))`. A subexpression used more
    than once is written once, named `$1`, `$2`..., and defined after the formula."""
    uses: dict[SSAValue, int] = {}
    order: list[SSAValue] = []
    stack = [variable.value]
    while stack:  # count uses, iteratively (graphs can be deep)
        value = stack.pop()
        uses[value] = uses.get(value, 0) + 1
        if uses[value] == 1 and isinstance(value.owner, Operation):
            order.append(value)
            stack.extend(value.owner.operands)
    names: dict[SSAValue, str] = {}
    text: dict[SSAValue, str] = {}
    for value in reversed(order):  # operands before their users
        owner = value.owner
        assert isinstance(owner, Operation)
        args = [_pp_ref(v, names, text) for v in owner.operands]
        if owner.name == "tg.constant":
            values = owner.to_array()  # type: ignore[attr-defined]
            formula = str(values.tolist()) if values.size <= 8 else f"constant{list(values.shape)}"
        elif owner.name in _INFIX and len(args) == 2:
            formula = f"({args[0]} {_INFIX[owner.name]} {args[1]})"
        elif owner.name == "tg.neg":
            formula = f"-{args[0]}"
        else:
            formula = f"{owner.name.removeprefix('tg.')}{_attributes(owner)}({', '.join(args)})"
        text[value] = formula
        if uses[value] > 1 and owner.name != "tg.constant" and value is not variable.value:
            names[value] = f"${len(names) + 1}"
    result = _pp_ref(variable.value, names, text)
    definitions = [f"{name} = {text[v]}" for v, name in names.items()]
    return result if not definitions else result + "\n  where " + "\n        ".join(definitions)


def _pp_ref(value: SSAValue, names: dict[SSAValue, str], text: dict[SSAValue, str]) -> str:
    if value in names:
        return names[value]
    if isinstance(value.owner, Block):
        return _leaf_name(value, {})
    return text[value]
