"""Scalar types and arith ops of the gpu level as tables, shared by the CUDA printer,
the kernel simulator and the launch plan so that the three agree on their meaning."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects.builtin import Float32Type, Float64Type, IndexType, IntegerType
from xdsl.ir import Attribute, Operation

INFIX: dict[type[Operation], str] = {
    arith.AddiOp: "+", arith.SubiOp: "-", arith.MuliOp: "*", arith.AndIOp: "&", arith.OrIOp: "|",
    arith.XOrIOp: "^", arith.ShLIOp: "<<", arith.ShRSIOp: ">>", arith.AddfOp: "+", arith.SubfOp: "-",
    arith.MulfOp: "*",
}  # fmt: skip
"""Ops that are one C operator on their operands, with the same meaning as Python's
(and numpy's) operator of that symbol (wrapping integers, IEEE floats)."""

CMPI_SYMBOLS: dict[str, str] = {"eq": "==", "ne": "!=", "slt": "<", "sle": "<=", "sgt": ">", "sge": ">=",
                                "ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}  # fmt: skip
"""arith.cmpi predicate -> comparison operator (of the unsigned values for u*)."""

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "&": operator.and_, "|": operator.or_,
    "^": operator.xor, "<<": operator.lshift, ">>": operator.rshift, "==": operator.eq, "!=": operator.ne,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
"""Operator symbol -> Python function (numpy arrays broadcast through it)."""

_INTEGER_DTYPES = {1: np.dtype(np.bool_), 8: np.dtype(np.int8), 16: np.dtype(np.int16), 32: np.dtype(np.int32),
                   64: np.dtype(np.int64)}  # fmt: skip


def numpy_dtype(t: Attribute) -> np.dtype:
    """The numpy dtype of a scalar type (index: int64); TypeError for other types."""
    if isinstance(t, IndexType):
        return np.dtype(np.int64)
    if isinstance(t, Float32Type):
        return np.dtype(np.float32)
    if isinstance(t, Float64Type):
        return np.dtype(np.float64)
    if isinstance(t, IntegerType) and t.width.data in _INTEGER_DTYPES:
        return _INTEGER_DTYPES[t.width.data]
    raise TypeError(f"no numpy dtype for {t}")
