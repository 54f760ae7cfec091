"""Fused neural-network ops that tg-stabilize introduces.

`tg.softmax_crossentropy` is softmax followed by categorical cross-entropy against
integer labels, computed in one stable step per row: logsumexp(x) - x[label] (the
logsumexp max-shifted), with the gradient softmax(x) - onehot(label). tg-stabilize
puts it in place of `-log(softmax(x)[arange(n), y])` and its spellings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from tg.dialects.tensor_types import is_float, is_integer, static_shape, tensor_type
from tg.dialects.tg import TG_TENSOR, ConcreteShape, ShapeError, TgOp, _tensor
from xdsl.ir import Operation, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException


@irdl_op_definition
class SoftmaxCrossentropyOp(TgOp):
    """Per-row cross-entropy of softmax(logits) against integer labels:
    `logsumexp(logits[i]) - logits[i, labels[i]]`, without overflow or underflow.
    Labels index the last axis (negative labels count from the end, as numpy's).

        %r = tg.softmax_crossentropy %x, %y : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
    """

    CHECKS_AT_RUN_TIME: ClassVar[bool] = True

    name = "tg.softmax_crossentropy"
    FUSION: ClassVar[str] = "stored"
    READS_ONCE: ClassVar[bool] = False

    logits = operand_def(TG_TENSOR)
    labels = operand_def(TG_TENSOR)
    result = result_def(TG_TENSOR)
    traits = traits_def(Pure())
    assembly_format = "$logits `,` $labels attr-dict `:` functional-type(operands, results)"

    def __init__(self, logits: SSAValue, labels: SSAValue):
        x, y = static_shape(logits.type), static_shape(labels.type)
        rows = x[0] if len(x) == 2 and x[0] is not None else (y[0] if len(y) == 1 else None)
        super().__init__(
            operands=[logits, labels],
            result_types=[tensor_type(_tensor(logits).element_type, [rows])],
        )

    def verify_(self) -> None:
        x, y, r = _tensor(self.logits), _tensor(self.labels), _tensor(self.result)
        xs, ys = static_shape(x), static_shape(y)
        if len(xs) != 2 or not is_float(x):
            raise VerifyException(
                f"tg.softmax_crossentropy: logits must be a matrix of floats (rows of class "
                f"scores), got {x}"
            )
        if len(ys) != 1 or not is_integer(y):
            raise VerifyException(
                f"tg.softmax_crossentropy: labels must be a vector of integers (one class per "
                f"row), got {y}"
            )
        if xs[0] is not None and ys[0] is not None and xs[0] != ys[0]:
            raise VerifyException(
                f"tg.softmax_crossentropy: {xs[0]} rows of logits but {ys[0]} labels"
            )
        if r.element_type != x.element_type or len(static_shape(r)) != 1:
            raise VerifyException(
                f"tg.softmax_crossentropy: result must be a vector of {x.element_type}, got {r}"
            )
        rows = {d for d in (xs[0], ys[0]) if d is not None}
        if static_shape(r)[0] is not None and rows and static_shape(r)[0] not in rows:
            raise VerifyException(
                f"tg.softmax_crossentropy: result has {static_shape(r)[0]} rows, the logits "
                f"{xs[0] if xs[0] is not None else '?'}"
            )

    def infer_shape(self, shapes: Sequence[ConcreteShape], values: Sequence[np.ndarray | None] = ()) -> ConcreteShape:
        (rows, classes), (labels,) = shapes
        if rows != labels:
            raise ShapeError(
                f"softmax_crossentropy: {rows} rows of logits but {labels} labels "
                f"(one label per row is needed)",
                [(0, 0), (1, 0)],
            )
        if classes == 0 and rows > 0:
            raise ShapeError("softmax_crossentropy: no classes (the logits have 0 columns)", [(0, 1)])
        return (rows,)

    def dim_sources(self, axis: int) -> list[tuple[int, int]]:
        return [(0, 0), (1, 0)]

    def reference(self, *args: np.ndarray) -> np.ndarray:
        x, y = args
        self.infer_shape([x.shape, y.shape])
        rows, classes = x.shape
        labels = y.astype(np.int64)
        if labels.size and (labels.min() < -classes or labels.max() >= classes):
            bad = labels[(labels < -classes) | (labels >= classes)][0]
            raise IndexError(
                f"softmax_crossentropy: label {bad} is out of range for {classes} classes"
            )
        with np.errstate(all="ignore"):
            if rows == 0:
                return np.zeros((0,), dtype=x.dtype)
            m = np.max(x, axis=1, keepdims=True)
            m = np.where(np.isinf(m), 0, m).astype(x.dtype)
            lse = np.log(np.sum(np.exp(x - m), axis=1)) + m[:, 0]
            return np.asarray(lse - x[np.arange(rows), labels], dtype=x.dtype)

    def vjp(self, inputs: list[Any], output: Any, g: Any) -> list[Any]:
        from tg.tensor import basic as B
        from tg.tensor import nnet

        x, y = inputs
        return [B.dimshuffle(g, 0, "x") * (nnet.softmax(x) - onehot(y, x.shape[1], x.dtype)), None]


def onehot(labels: Any, classes: Any, dtype: str) -> Any:
    """Rows of zeros with a one at each label (negative labels count from the end)."""
    import tg.tensor as T
    from tg.tensor import basic as B

    y = B.as_tensor_variable(labels)
    k = B.cast(B.as_tensor_variable(classes), "int64")
    y = B.cast(y, "int64")
    y = B.switch(B.lt(y, 0), y + k, y)
    columns = T.arange(k)
    return B.cast(B.eq(B.dimshuffle(columns, "x", 0), B.dimshuffle(y, 0, "x")), dtype)


def softmax_crossentropy(logits: Any, labels: Any) -> Any:
    """The fused op on tg variables: per-row -log(softmax(logits)[i, labels[i]])."""
    from tg.tensor import basic as B

    x, y = B.as_tensor_variable(logits), B.as_tensor_variable(labels)
    return B.build(SoftmaxCrossentropyOp(x.value, y.value))


OPS: list[type[Operation]] = [SoftmaxCrossentropyOp]
