"""A reference interpreter for `tg`-level IR, built from each op's numpy reference.

It is the oracle of every pass test (IR before and after a pass must agree on random
inputs), and `tg.function(..., mode="FAST_COMPILE")` runs code through it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tg.dialects.tensor_types import dtype_of
from tg.dialects.tg import TgOp
from tg.dialects.tg_kernel import FusionOp
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, SSAValue
from xdsl.traits import IsTerminator


class InterpreterError(TypeError):
    """An op the interpreter has no reference implementation for."""


def find_function(module: ModuleOp, name: str | None = None) -> func.FuncOp:
    """The function called `name` in `module`, or its only function."""
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if name is not None:
        funcs = [f for f in funcs if f.sym_name.data == name]
    if len(funcs) != 1:
        raise ValueError(f"expected one function{f' named {name}' if name else ''}, found {len(funcs)}")
    return funcs[0]


def run_block(block: Block, args: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run a block of tg ops on numpy arrays; returns what its terminator returns
    (func.return or tg.yield)."""
    if len(args) != len(block.args):
        raise ValueError(f"the block takes {len(block.args)} arguments, got {len(args)}")
    env: dict[SSAValue, np.ndarray] = {}
    for arg, value in zip(block.args, args, strict=True):
        env[arg] = np.asarray(value, dtype=dtype_of(arg.type))
    for op in block.ops:
        if isinstance(op, TgOp):
            (result,) = op.results
            env[result] = op.reference(*(env[v] for v in op.operands))
        elif isinstance(op, FusionOp):
            for result, value in zip(op.results, op.run_reference(*(env[v] for v in op.operands))):
                env[result] = value
        elif op.has_trait(IsTerminator):
            return [env[v] for v in op.operands]
        else:
            raise InterpreterError(f"the interpreter cannot run {op.name}")
    raise ValueError("the block has no terminator (func.return)")


def run_function(function: func.FuncOp, args: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run `function` on numpy arrays and return its results."""
    try:
        return run_block(function.body.block, args)
    except ValueError as e:
        if "no terminator" in str(e):
            raise ValueError(f"@{function.sym_name.data} has no func.return") from None
        if "arguments, got" in str(e):
            raise ValueError(f"@{function.sym_name.data} {e}".replace("the block ", "")) from None
        raise


def run_module(module: ModuleOp, args: Sequence[np.ndarray], name: str | None = None) -> list[np.ndarray]:
    """Run the (only, or named) function of `module`."""
    return run_function(find_function(module, name), args)
