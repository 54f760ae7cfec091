"""tg: Theano reborn as a multi-level compiler on xDSL and LLVM.

    import tg as theano
    import tg.tensor as T
"""

from tg import tensor
from tg.config import config
from tg.gradient import Lop, Rop, grad, verify_grad
from tg.function import MissingInputError, UnusedInputError, function
from tg.shared import SharedVariable, shared
from tg.variable import TensorType, TensorVariable

__version__ = "0.1.0"

__all__ = [
    "MissingInputError",
    "SharedVariable",
    "TensorType",
    "TensorVariable",
    "UnusedInputError",
    "config",
    "function",
    "grad",
    "Lop",
    "Rop",
    "verify_grad",
    "shared",
    "tensor",
]
