"""Calling compiled code: one native entry point per function.

The entry point takes, for each buffer (inputs, outputs, then the 0-d status), its
data pointer and one int64 per dimension, and is called through ctypes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
from tg.lowering.jit import CompiledModule


class NativeKernel:
    """A JIT-compiled function over contiguous numpy buffers."""

    def __init__(self, compiled: CompiledModule, symbol: str, ranks: Sequence[int]):
        self.compiled = compiled  # keeps the machine code alive
        self.ranks = tuple(ranks)
        argtypes: list[type] = []
        for rank in ranks:
            argtypes += [ctypes.c_void_p] + [ctypes.c_int64] * rank
        self.address = compiled.address(symbol)
        self.entry = ctypes.CFUNCTYPE(None, *argtypes)(self.address)

    def __call__(self, buffers: Sequence[np.ndarray]) -> None:
        args: list[int] = []
        if len(buffers) != len(self.ranks):
            raise RuntimeError(f"internal error: {len(buffers)} buffers for {len(self.ranks)} arguments")
        for b, rank in zip(buffers, self.ranks):
            shape = b.shape
            if len(shape) != rank:
                raise RuntimeError(f"internal error: buffer of shape {shape} passed for rank {rank}")
            args.append(b.__array_interface__["data"][0])
            args.extend(shape)
        self.entry(*args)
