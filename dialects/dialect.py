"""The `tg` dialect object: every op module's ops under one name."""

from tg.dialects import (
    tg,
    tg_blas,
    tg_control,
    tg_indexing,
    tg_kernel,
    tg_math,
    tg_nnet,
    tg_random,
    tg_reduce,
    tg_shape,
)
from xdsl.ir import Dialect

TG = Dialect(
    "tg",
    [*tg.TG_OPS, *tg_math.OPS, *tg_shape.OPS, *tg_reduce.OPS, *tg_indexing.OPS, *tg_random.OPS, *tg_control.OPS, *tg_nnet.OPS, *tg_kernel.OPS, *tg_blas.OPS],
    [],
)
