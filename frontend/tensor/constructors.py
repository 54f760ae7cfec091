"""Theano's variable constructors: `scalar`, `vector`, ..., `tensor4`, with the
`b w i l f d` dtype prefixes (`fvector`, `imatrix`) and plural forms (`dscalars`)."""

from __future__ import annotations

from collections.abc import Callable

from tg.config import config
from tg.variable import TensorType, TensorVariable

PREFIXES: dict[str, str] = {
    "b": "int8",
    "w": "int16",
    "i": "int32",
    "l": "int64",
    "f": "float32",
    "d": "float64",
}

KINDS: dict[str, tuple[bool, ...]] = {
    "scalar": (),
    "vector": (False,),
    "matrix": (False, False),
    "row": (True, False),
    "col": (False, True),
    "tensor3": (False,) * 3,
    "tensor4": (False,) * 4,
}


def _single(kind: str, fixed_dtype: str | None) -> Callable[..., TensorVariable]:
    pattern = KINDS[kind]

    def make(name: str | None = None, dtype: str | None = None) -> TensorVariable:
        chosen = fixed_dtype or dtype or config.floatX
        return TensorType(chosen, pattern)(name)

    make.__name__ = (fixed_dtype and _prefix_of(fixed_dtype) or "") + kind
    make.__doc__ = f"A symbolic {kind} ({'dtype ' + fixed_dtype if fixed_dtype else 'config.floatX by default'})."
    return make


def _plural(single: Callable[..., TensorVariable]) -> Callable[..., list[TensorVariable]]:
    def make(*names: str | int, dtype: str | None = None) -> list[TensorVariable]:
        if len(names) == 1 and isinstance(names[0], int):
            return [single(None, dtype) for _ in range(names[0])]
        return [single(str(n), dtype) for n in names]

    make.__doc__ = f"Several {single.__name__} variables, one per name (or a count)."
    return make


def _prefix_of(dtype: str) -> str:
    return next(p for p, d in PREFIXES.items() if d == dtype)


def all_constructors() -> dict[str, Callable[..., object]]:
    """Every constructor by name: `vector`, `fvector`, `fvectors`, ..."""
    result: dict[str, Callable[..., object]] = {}
    for kind in KINDS:
        for prefix, dtype in [("", None), *PREFIXES.items()]:
            single = _single(kind, dtype)
            result[prefix + kind] = single
            plural = "matrices" if kind == "matrix" else kind + "s"
            result[prefix + plural] = _plural(single)
    return result
