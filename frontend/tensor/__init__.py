"""`tg.tensor`: Theano's tensor module (`import tg.tensor as T`)."""

from tg.tensor.basic import (
    abs_,
    add,
    alloc,
    as_tensor_variable,
    cast,
    constant,
    dimshuffle,
    dot,
    eq,
    exp,
    ge,
    gt,
    le,
    log,
    lt,
    max,
    maximum,
    mean,
    minimum,
    mul,
    neg,
    neq,
    ones_like,
    outer,
    pow,
    sigmoid,
    sqrt,
    sub,
    sum,
    switch,
    tanh,
    transpose,
    true_div,
    where,
    zeros_like,
)
from tg.tensor import nnet
from tg.tensor.constructors import all_constructors
from tg.variable import TensorType, TensorVariable

globals().update(all_constructors())

__all__ = [
    "TensorType",
    "TensorVariable",
    "abs_",
    "add",
    "alloc",
    "as_tensor_variable",
    "cast",
    "constant",
    "dimshuffle",
    "dot",
    "eq",
    "exp",
    "ge",
    "gt",
    "le",
    "log",
    "lt",
    "max",
    "maximum",
    "mean",
    "minimum",
    "mul",
    "neg",
    "neq",
    "pow",
    "sigmoid",
    "sqrt",
    "sub",
    "sum",
    "switch",
    "tanh",
    "transpose",
    "true_div",
    "where",
    "zeros_like",
    "ones_like",
    "outer",
    "grad",
    "nnet",
    *all_constructors(),
]


def __getattr__(name: str):
    # tg.tensor.grad as in Theano (tg.gradient imports tg.tensor, so lazily)
    if name in ("grad", "jacobian", "hessian", "Rop", "Lop", "verify_grad"):
        from tg import gradient

        return getattr(gradient, name)
    raise AttributeError(f"module 'tg.tensor' has no attribute {name!r}")
