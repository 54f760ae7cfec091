"""tg: Theano reborn as a multi-level compiler on xDSL and LLVM.

    import tg as theano
    import tg.tensor as T
"""

import gc as _gc

from tg import printing, tensor
from tg.config import change_flags, config
from tg.function import In, MissingInputError, Out, UnusedInputError, function
from tg.gradient import Lop, Rop, grad, hessian, jacobian, verify_grad
from tg.mode import Mode
from tg.printing import debugprint, pp
from tg.shared import SharedVariable, shared
from tg.variable import TensorType, TensorVariable
from tg.runtime.cuda_device import CudaUnavailable

__version__ = "0.1.0"

__all__ = [
    "CudaUnavailable",
    "compile_cuda",
    "In",
    "Mode",
    "MissingInputError",
    "Out",
    "change_flags",
    "debugprint",
    "pp",
    "printing",
    "SharedVariable",
    "TensorType",
    "TensorVariable",
    "UnusedInputError",
    "config",
    "function",
    "grad",
    "hessian",
    "jacobian",
    "Lop",
    "Rop",
    "verify_grad",
    "shared",
    "tensor",
]


def __getattr__(name: str) -> object:
    """`tg.compile_cuda` is imported on first use (it is not needed to import tg)."""
    if name == "compile_cuda":
        from tg.runtime.gpu_function import compile_cuda

        return compile_cuda
    raise AttributeError(f"module 'tg' has no attribute {name!r}")


# What importing tg (xDSL, numpy, our dialects) allocated lives as long as the process:
# moved out of the collected generations, it is not walked again by every full
# collection (about 15 ms each, two or three in a compile). Reference counting still
# frees it; only cycles among these objects would never be collected.
_gc.freeze()
