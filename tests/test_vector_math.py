"""tg's own exp, log, tanh, sigmoid, softplus, log1p, expm1 and erf (tg.lowering.vector_math),
compiled: within 4 ulp over their whole domains, exact at special values, vectorized and
free of libm calls; and NaN propagation of max, maximum, argmax and their min siblings.

Each function and dtype is measured on about 2M points: random bit patterns (every
exponent, both signs, subnormals), dense samples of the range where the function is
not constant, points around its thresholds, integers, tiny arguments and arguments near 1.

References: float32 results are measured against numpy's float64 function, in float32
ulps (float64's own error, below 2^-52 relative, is negligible there). float64 results
are measured against numpy's long double function where long double is wider than
float64 (x86: 64-bit mantissa, reference error below 2^-63 relative), else against
float64 numpy, whose own error (about 1 ulp) then adds to the measurement. erf has no
long double numpy function: its reference is Python's math.erf in float64 for both
dtypes, so float64 erf is measured to within that reference's own error (below 1 ulp).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.lowering.jit import target_machine

MAX_ULP = 4.0
POINTS = 2_000_000
LONG = np.longdouble if np.finfo(np.longdouble).nmant > 52 else np.float64
"""The float64 reference's type: long double where it is wider than float64."""


def _erf(x: np.ndarray) -> np.ndarray:
    return np.frompyfunc(math.erf, 1, 1)(x.astype(np.float64)).astype(np.float64)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    one = x.dtype.type(1)
    return one / (one + np.exp(-x))


FUNCTIONS = {
    "exp": (T.exp, np.exp),
    "log": (T.log, np.log),
    "tanh": (T.tanh, np.tanh),
    "sigmoid": (T.sigmoid, _sigmoid),
    "softplus": (T.nnet.softplus, lambda x: np.logaddexp(x.dtype.type(0), x)),
    "log1p": (T.log1p, np.log1p),
    "expm1": (T.expm1, np.expm1),
    "erf": (T.erf, _erf),
}
"""tg function and reference (applied to float64 or long double arguments)."""

INTERESTING = {
    "exp": {"float32": (-104.0, 89.0), "float64": (-746.0, 710.0)},
    "log": {"float32": (0.0, 4.0), "float64": (0.0, 4.0)},
    "tanh": {"float32": (-10.0, 10.0), "float64": (-20.0, 20.0)},
    "sigmoid": {"float32": (-105.0, 20.0), "float64": (-746.0, 40.0)},
    "softplus": {"float32": (-105.0, 20.0), "float64": (-746.0, 40.0)},
    "log1p": {"float32": (-1.0, 4.0), "float64": (-1.0, 4.0)},
    "expm1": {"float32": (-20.0, 89.0), "float64": (-40.0, 710.0)},
    "erf": {"float32": (-4.0, 4.0), "float64": (-6.0, 6.0)},
}
"""The range where each function is neither constant nor its argument, sampled densely."""

THRESHOLDS = {
    "exp": [88.72283935546875, 709.782712893384, -87.33654, -103.97208, -708.3964185322641, -745.1332191019411],
    "log": [1.0, 0.5, 2.0, math.sqrt(0.5), math.sqrt(2.0)],
    "tanh": [0.173, 0.3466, 9.01, 19.06, 0.55],
    "sigmoid": [-87.33654, -103.28, -708.39, -744.44, 16.6, 36.7],
    "softplus": [-87.33654, -103.28, -708.39, -744.44, 16.6, 36.7],
    "log1p": [-1.0, -0.5, 0.4142135623730951, -0.2928932188134524, 1.0, 2.0],
    "expm1": [0.34657359, -0.34657359, 1.0397, 88.72283935546875, 709.782712893384, -17.33, -37.43],
    "erf": [1.0, 1.5, 2.0, 2.3, 3.92, 5.93],
}
"""Arguments around which each function changes formula, overflows or underflows."""


def _points(name: str, dtype: str, rng: np.random.Generator) -> np.ndarray:
    """About POINTS arguments of `dtype` covering `name`'s whole domain."""
    info = np.finfo(dtype)
    unsigned = np.uint32 if dtype == "float32" else np.uint64
    n = POINTS // 8
    lo, hi = INTERESTING[name][dtype]
    parts = [
        rng.integers(0, np.iinfo(unsigned).max, 3 * n, dtype=unsigned, endpoint=True).view(dtype),
        rng.uniform(lo, hi, 2 * n).astype(dtype),
        # log-spaced magnitudes from the smallest subnormal to the largest float, both signs
        (rng.choice([-1.0, 1.0], n) * np.exp2(rng.uniform(math.log2(info.smallest_subnormal), info.maxexp, n)))
        .astype(dtype),
        # tiny arguments and arguments near 1 (log, log1p, expm1, tanh near 0)
        (rng.choice([-1.0, 1.0], n // 2) * np.exp2(rng.uniform(-60, 0, n // 2))).astype(dtype),
        (1.0 + rng.uniform(-1, 1, n // 2) * 2.0 ** rng.integers(1, info.nmant + 2, n // 2)).astype(dtype),
        np.arange(-n // 4, n // 4).astype(dtype),  # integers
    ]
    near = []
    for t in THRESHOLDS[name]:
        for v in (t, -t):
            centre = np.array(v, dtype)
            steps = np.arange(-500, 500).astype(dtype) * np.spacing(centre)
            near.append(centre + steps)
    specials = np.array(
        [np.inf, -np.inf, np.nan, 0.0, -0.0, info.smallest_subnormal, -info.smallest_subnormal,
         info.smallest_normal, info.max, -info.max, 1.0, -1.0],
        dtype,
    )  # fmt: skip
    return np.concatenate(parts + near + [specials])


def _ulp_error(got: np.ndarray, x: np.ndarray, reference, dtype: str) -> tuple[float, np.ndarray]:
    """The largest error in ulps of `dtype`, and where non-finite references disagree."""
    info = np.finfo(dtype)
    wide = np.float64 if dtype == "float32" else LONG
    with np.errstate(all="ignore"):
        exact = np.asarray(reference(x.astype(wide)), wide)
        rounded = exact.astype(dtype)
    finite = np.isfinite(rounded)
    special_mismatch = ~finite & ~((got == rounded) | (np.isnan(got) & np.isnan(rounded)))
    e = exact[finite]
    _, exponent = np.frexp(np.abs(e).astype(wide))
    ulp = np.maximum(np.ldexp(np.ones_like(e), exponent - 1 - info.nmant), wide(info.smallest_subnormal))
    with np.errstate(all="ignore"):
        error = np.abs(got[finite].astype(wide) - e) / ulp
    error[~np.isfinite(error)] = np.inf
    return float(error.max(initial=0.0)), special_mismatch


@pytest.fixture(scope="module", params=["float32", "float64"])
def compiled(request):
    """All eight functions of one dtype, compiled as one tg function."""
    x = T.vector("x", dtype=request.param)
    return request.param, tg.function([x], [build(x) for build, _ in FUNCTIONS.values()], mode="FAST_RUN")


def test_within_4_ulp(compiled):
    dtype, f = compiled
    rng = np.random.default_rng(7)
    failures = []
    for index, (name, (_, reference)) in enumerate(FUNCTIONS.items()):
        x = _points(name, dtype, rng)
        got = f(x)[index]
        worst, mismatch = _ulp_error(got, x, reference, dtype)
        if worst > MAX_ULP or mismatch.any():
            failures.append(f"{name}: {worst:.2f} ulp, special mismatches at {x[mismatch][:5]}")
    assert not failures, "; ".join(failures)


SPECIAL_VALUES = {
    "exp": [(np.inf, np.inf), (-np.inf, 0.0), (0.0, 1.0), (-0.0, 1.0), (1000.0, np.inf), (-1000.0, 0.0)],
    "log": [(np.inf, np.inf), (0.0, -np.inf), (-0.0, -np.inf), (-1.0, np.nan), (-np.inf, np.nan), (1.0, 0.0)],
    "tanh": [(np.inf, 1.0), (-np.inf, -1.0), (0.0, 0.0), (-0.0, -0.0), (100.0, 1.0), (-100.0, -1.0)],
    "sigmoid": [(np.inf, 1.0), (-np.inf, 0.0), (0.0, 0.5), (-0.0, 0.5), (-2000.0, 0.0)],
    "softplus": [(np.inf, np.inf), (-np.inf, 0.0), (-2000.0, 0.0), (2000.0, 2000.0)],
    "log1p": [(np.inf, np.inf), (-1.0, -np.inf), (-2.0, np.nan), (-np.inf, np.nan), (0.0, 0.0), (-0.0, -0.0)],
    "expm1": [(np.inf, np.inf), (-np.inf, -1.0), (0.0, 0.0), (-0.0, -0.0), (1000.0, np.inf), (-1000.0, -1.0)],
    "erf": [(np.inf, 1.0), (-np.inf, -1.0), (0.0, 0.0), (-0.0, -0.0), (10.0, 1.0), (-10.0, -1.0)],
}
"""(argument, exact result) pairs, signed zeros included; NaN gives NaN everywhere."""


def test_special_values(compiled):
    dtype, f = compiled
    info = np.finfo(dtype)
    tiny = info.smallest_subnormal
    for index, name in enumerate(FUNCTIONS):
        pairs = SPECIAL_VALUES[name] + [(np.nan, np.nan)]
        if name in ("tanh", "log1p", "expm1", "erf"):
            pairs += [(tiny, 2 * tiny / math.sqrt(math.pi) if name == "erf" else tiny), (-tiny, None)]
        x = np.array([p[0] for p in pairs], dtype)
        got = f(x)[index]
        for (arg, want), value in zip(pairs, got):
            if want is None:  # odd function at -tiny: minus its value at tiny
                want = -got[x == tiny][0]
            want = np.array(want, dtype)
            same = (np.isnan(want) and np.isnan(value)) or (value == want and np.signbit(value) == np.signbit(want))
            assert same, f"{name}({arg!r}) gave {value!r}, expected {want!r} ({dtype})"


def test_subnormal_results():
    """exp underflows into the subnormals rounding once; log of subnormals is exact to an ulp."""
    x = T.vector("x", dtype="float64")
    f = tg.function([x], [T.exp(x), T.log(x)], mode="FAST_RUN")
    points = np.array([-708.5, -720.0, -740.0, -744.4, -745.1], np.float64)
    e, _ = f(points)
    want = np.exp(points.astype(LONG))
    np.testing.assert_array_equal(e, want.astype(np.float64))
    subnormals = np.array([5e-324, 1e-320, 2.2e-308], np.float64)
    _, logs = f(subnormals)
    np.testing.assert_allclose(logs, np.log(subnormals.astype(LONG)).astype(np.float64), rtol=4e-16)


# ------------------------------------------------------------- generated code


def _optimized_ir(f) -> str:
    """The LLVM IR of a compiled tg function after the O3 pipeline that
    tg.lowering.jit.compile_llvmir runs (whose module the JIT engine then owns)."""
    import llvmlite.binding as llvm

    tm = target_machine(3)
    module = llvm.parse_assembly(f.ir("llvmir"))
    options = llvm.create_pipeline_tuning_options(speed_level=3)
    options.loop_vectorization = True
    options.slp_vectorization = True
    builder = llvm.create_pass_builder(tm, options)
    builder.getModulePassManager().run(module, builder)
    return str(module)


@pytest.mark.parametrize("dtype, vector", [("float32", "x float>"), ("float64", "x double>")])
def test_vectorized_without_libm(dtype, vector):
    x = T.vector("x", dtype=dtype)
    f = tg.function([x], T.exp(x) + T.log(x) + T.tanh(x) + T.erf(x) + T.log1p(x) + T.expm1(x))
    for stage in (f.ir("llvmir"), _optimized_ir(f)):
        calls = re.findall(r"call[^@\n]*@\"?([\w.]+)", stage)
        libm = [c for c in calls if re.fullmatch(r"(llvm\.)?(exp|log|tanh|erf|log1p|expm1)f?(\.\w+)*", c)]
        assert not libm, libm
    assert re.search(rf"<\d+ {re.escape(vector)}", _optimized_ir(f)), "the loop was not vectorized"


# ----------------------------------------------------------------- NaN ordering


def _with_nans(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(3)
    a = rng.uniform(-5, 5, (6, 37)).astype(dtype)
    a[1, 4] = a[1, 20] = np.nan
    a[3, 0] = np.nan
    a[4, 36] = np.nan
    a[5, :] = -np.inf
    a[5, 7] = np.nan
    return a


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nan_propagation(dtype):
    """max, min, maximum and minimum give NaN where numpy does; argmax and argmin the first NaN."""
    x = T.matrix("x", dtype=dtype)
    y = T.matrix("y", dtype=dtype)
    outputs = [T.max(x, axis=1), T.min(x, axis=1), T.max(x, axis=0), T.min(x, axis=0), T.max(x), T.min(x),
               T.argmax(x, axis=1), T.argmin(x, axis=1), T.argmax(x, axis=0), T.argmin(x, axis=0),
               T.argmax(x), T.argmin(x), T.maximum(x, y), T.minimum(x, y)]  # fmt: skip
    f = tg.function([x, y], outputs, mode="FAST_RUN")
    a = _with_nans(dtype)
    b = np.flipud(a).copy()
    want = [a.max(1), a.min(1), a.max(0), a.min(0), a.max(), a.min(),
            a.argmax(1), a.argmin(1), a.argmax(0), a.argmin(0), a.argmax(), a.argmin(),
            np.maximum(a, b), np.minimum(a, b)]  # fmt: skip
    for got, expected in zip(f(a, b), want):
        np.testing.assert_array_equal(got, expected)
