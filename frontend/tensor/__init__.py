"""`tg.tensor`: Theano's tensor module (`import tg.tensor as T`)."""

from tg.tensor import nnet
from tg.tensor.basic import (
    abs_,
    add,
    alloc,
    as_tensor_variable,
    assert_op,
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
    softplus,
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
from tg.tensor.constructors import all_constructors
from tg.tensor.indexing import *  # noqa: F403
from tg.tensor.indexing import __all__ as _indexing_all
from tg.tensor.linalg import *  # noqa: F403
from tg.tensor.linalg import __all__ as _linalg_all
from tg.tensor.math import *  # noqa: F403
from tg.tensor.math import __all__ as _math_all
from tg.tensor.random import *  # noqa: F403
from tg.tensor.random import __all__ as _random_all
from tg.tensor.reductions import *  # noqa: F403
from tg.tensor.reductions import __all__ as _reductions_all
from tg.tensor.shape_ops import *  # noqa: F403
from tg.tensor.shape_ops import __all__ as _shape_ops_all
from tg.variable import TensorType, TensorVariable

globals().update(all_constructors())

__all__ = [
    "TensorType",
    "TensorVariable",
    "abs_",
    "add",
    "alloc",
    "as_tensor_variable",
    "assert_op",
    "cast",
    "constant",
    "dimshuffle",
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
    "softplus",
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
    *_indexing_all,
    *_linalg_all,
    *_math_all,
    *_random_all,
    *_reductions_all,
    *_shape_ops_all,
]


def __getattr__(name: str):
    # tg.tensor.grad as in Theano (tg.gradient imports tg.tensor, so lazily)
    if name in ("grad", "jacobian", "hessian", "Rop", "Lop", "verify_grad"):
        from tg import gradient

        return getattr(gradient, name)
    raise AttributeError(f"module 'tg.tensor' has no attribute {name!r}")
