"""Pickling symbolic variables: a graph travels as the IR text of a function whose
arguments are the free variables it reads.

Free variables (inputs and shared variables) pickle as themselves, so pickle's memo
keeps them shared between several pickled expressions, and a shared variable keeps
its value. Loading parses the text and clones its ops, detached, over them.
"""

from __future__ import annotations

from typing import Any

from tg.dialects.graph import topological
from tg.dialects.tensor_types import dtype_of, static_shape
from tg.variable import TensorType, TensorVariable, free_variable_of
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Region, SSAValue


def expression_text(value: SSAValue) -> tuple[str, list[TensorVariable]]:
    """IR text of a `@main` computing `value` and the free variables it takes."""
    order, free, _ = topological([value])
    block = Block(arg_types=[v.type for v in free])
    mapping: dict[SSAValue, SSAValue] = dict(zip(free, block.args))
    for op in order:
        block.add_op(op.clone(value_mapper=mapping))
    block.add_op(func.ReturnOp(mapping[value]))
    function = func.FuncOp("main", ([v.type for v in free], [value.type]), Region(block))
    variables = []
    for v in free:
        variable = free_variable_of(v)
        if variable is None:
            raise TypeError("cannot pickle an expression over a variable tg did not create")
        variables.append(variable)
    return str(ModuleOp([function])), variables


def rebuild_expression(text: str, free: list[TensorVariable], name: str | None) -> TensorVariable:
    """The expression of `expression_text`, rebuilt over the (unpickled) free variables."""
    from tg.pipeline import context
    from xdsl.parser import Parser

    module = Parser(context(), text).parse_module()
    function = next(op for op in module.ops if isinstance(op, func.FuncOp))
    block = function.body.block
    mapping: dict[SSAValue, SSAValue] = {a: v.value for a, v in zip(block.args, free)}
    result: SSAValue | None = None
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            result = mapping[op.arguments[0]]
            break
        op.clone(value_mapper=mapping)
    assert result is not None
    return TensorVariable(result, name)


def rebuild_free(dtype: str, shape: tuple[int | None, ...], name: str | None) -> TensorVariable:
    return TensorType(dtype, shape=shape)(name)


def reduce_variable(variable: TensorVariable) -> tuple[Any, ...]:
    """`__reduce__` of a symbolic variable."""
    t = variable.value.type
    if isinstance(variable.value.owner, Block):
        return (rebuild_free, (dtype_of(t).name, static_shape(t), variable.name))
    text, free = expression_text(variable.value)
    return (rebuild_expression, (text, free, variable.name))
