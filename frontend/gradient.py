"""Automatic differentiation on the IR: `grad`, `Lop`, `Rop` and `verify_grad`.

`grad` walks the `tg` ops a cost depends on, last to first, and asks each op for its
gradient rule (`vjp`, kept beside the op's definition); the adjoint ops it returns are
ordinary `tg` ops, so gradients of gradients work and every later pass sees them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from tg.dialects.graph import topological
from tg.dialects.tensor_types import static_shape
from tg.dialects.tg import TgOp
from tg.tensor import basic as T
from tg.variable import TensorType, TensorVariable
from xdsl.ir import Block, Operation, SSAValue


class DisconnectedInputError(ValueError):
    """A `wrt` variable the cost does not depend on (see `disconnected_inputs`)."""


class GradientError(AssertionError):
    """`verify_grad` found symbolic and numeric gradients that disagree."""


def _topological(roots: Sequence[SSAValue], stop: set[SSAValue]) -> list[Operation]:
    """Ops the roots depend on (the ops producing `stop` values included, not their
    operands), each after its operands' ops."""
    ops, _, reached = topological(roots, stop)
    producers = [v.owner for v in reached if isinstance(v.owner, Operation)]
    return [*dict.fromkeys(producers), *ops] if producers else ops


def _sum_to(g: TensorVariable, like: TensorVariable) -> TensorVariable:
    """`g` summed over the axes `like` broadcasts along, shaped and typed as `like`."""
    if g.ndim > like.ndim:
        g = T.sum(g, axis=list(range(g.ndim - like.ndim)))
    target = static_shape(like.value.type)
    current = static_shape(g.value.type)
    axes = [a for a, (t, c) in enumerate(zip(target, current)) if t == 1 and c != 1]
    if axes:
        g = T.sum(g, axis=axes, keepdims=True)
    if g.ndim < like.ndim or any(c == 1 and t != 1 for t, c in zip(target, static_shape(g.value.type))):
        g = g + T.zeros_like(like)
    return T.cast(g, like.dtype)


def _is_float(v: TensorVariable) -> bool:
    return v.dtype.startswith("float")


def _gradients(
    seeds: dict[SSAValue, TensorVariable], stop: set[SSAValue]
) -> dict[SSAValue, TensorVariable]:
    """Adjoints of every value the seeded values depend on."""
    grads: dict[SSAValue, TensorVariable] = dict(seeds)
    for op in reversed(_topological(list(seeds), stop)):
        result = op.results[0]
        g = grads.get(result)
        if g is None or result in stop:
            continue
        if not isinstance(op, TgOp):
            raise TypeError(f"cannot differentiate through {op.name}")
        stable = _stable_form(op)
        if stable is not None:
            # differentiate the numerically stable spelling of this value instead
            # (exp(z)/(1+exp(z)) as sigmoid(z), ...): its gradient stays finite where
            # the original's would be inf/inf
            form, boundary = stable
            for operand, gx in _gradients({form.value: g}, boundary).items():
                if operand in boundary:
                    _accumulate(grads, operand, gx)
            continue
        inputs = [TensorVariable(v) for v in op.operands]
        input_grads = op.vjp(inputs, TensorVariable(result), g)
        for operand, x, gx in zip(op.operands, inputs, input_grads, strict=True):
            if gx is None or not _is_float(x):
                continue
            _accumulate(grads, operand, _sum_to(T.as_tensor_variable(gx), x))
    return grads


def _accumulate(grads: dict[SSAValue, TensorVariable], value: SSAValue, g: TensorVariable) -> None:
    previous = grads.get(value)
    grads[value] = g if previous is None else previous + g


def _stable_form(op: Operation) -> tuple[TensorVariable, set[SSAValue]] | None:
    """An equivalent, numerically stable expression of `op`'s result by tg-stabilize's
    rules (built detached), and the existing values it reads; None if no rule applies."""
    from tg.passes.patterns import _wrap
    from tg.passes.stabilize import RULES
    from tg.tensor.basic import recording

    value = op.results[0]
    for rule in RULES:
        names = rule.pattern.name
        if names is not None and op.name not in ((names,) if isinstance(names, str) else names):
            continue
        m: dict[str, Any] = {}
        if not rule.pattern.match(value, m):
            continue
        with recording() as built:
            produced = rule.rewrite(_wrap(m))
        if produced is None or produced.value is value or produced.value.type != value.type:
            continue
        new = set(built)
        boundary = {o for b in built for o in b.operands if o.owner not in new}
        if value in boundary or not built:
            continue
        return produced, boundary
    return None


def grad(
    cost: TensorVariable | None,
    wrt: TensorVariable | Sequence[TensorVariable],
    consider_constant: Sequence[TensorVariable] | None = None,
    disconnected_inputs: str = "raise",
    known_grads: dict[TensorVariable, Any] | None = None,
    return_disconnected: str = "zero",
    null_gradients: str = "raise",
) -> Any:
    """Gradient of a scalar `cost` with respect to `wrt` (a variable or a list), as in
    Theano: integer variables get zero gradients; a `wrt` the cost does not depend on
    raises unless `disconnected_inputs` is 'warn' or 'ignore'."""
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"disconnected_inputs must be 'raise', 'warn' or 'ignore', got {disconnected_inputs!r}")
    if return_disconnected not in ("zero", "None"):
        raise ValueError(f"return_disconnected must be 'zero' or 'None', got {return_disconnected!r}")
    single = isinstance(wrt, TensorVariable)
    targets = [wrt] if single else list(wrt)  # type: ignore[list-item]
    for w in targets:
        if not isinstance(w, TensorVariable):
            raise TypeError(f"grad: wrt must be symbolic variables, got {w!r}")
    seeds: dict[SSAValue, TensorVariable] = {}
    if cost is not None:
        cost = T.as_tensor_variable(cost)
        if cost.ndim != 0:
            raise TypeError(f"grad: the cost must be a scalar, got a {cost.ndim}-d tensor; sum it first")
        if _is_float(cost):
            seeds[cost.value] = T.ones_like(cost)
    for variable, g in (known_grads or {}).items():
        g = T.as_tensor_variable(g, variable.dtype if not isinstance(g, TensorVariable) else None)
        seeds[variable.value] = _sum_to(g, variable) if g.ndim <= variable.ndim else g
    if not seeds and cost is None:
        raise ValueError("grad: give a cost or known_grads")
    stop = {v.value for v in consider_constant or ()}
    grads = _gradients(seeds, stop)
    results: list[Any] = []
    for w in targets:
        g = grads.get(w.value)
        if g is None:
            if _is_float(w) and not _depends(seeds, w.value, stop):
                message = (
                    f"grad: the cost does not depend on {w.name or 'a wrt variable'!r}; pass "
                    f"disconnected_inputs='ignore' (or 'warn') to get a zero gradient"
                )
                if disconnected_inputs == "raise":
                    raise DisconnectedInputError(message)
                if disconnected_inputs == "warn":
                    warnings.warn(message, stacklevel=2)
                if return_disconnected == "None":
                    results.append(None)
                    continue
            g = T.zeros_like(w) if _is_float(w) else T.zeros_like(w, dtype=_float_dtype())
        results.append(g)
    return results[0] if single else results


def _float_dtype() -> str:
    from tg.config import config

    return str(config.floatX)


def _depends(seeds: dict[SSAValue, TensorVariable], target: SSAValue, stop: set[SSAValue]) -> bool:
    if target in seeds:
        return True
    return any(target in op.operands for op in _topological(list(seeds), stop))


def Lop(f: Any, wrt: Any, eval_points: Any, consider_constant: Any = None, disconnected_inputs: str = "raise") -> Any:
    """Left (vector-Jacobian) product: eval_points · ∂f/∂wrt."""
    fs = [f] if isinstance(f, TensorVariable) else list(f)
    points = [eval_points] if isinstance(eval_points, TensorVariable | np.ndarray) else list(eval_points)
    known = {fi: p for fi, p in zip(fs, points, strict=True)}
    return grad(None, wrt, consider_constant, disconnected_inputs, known_grads=known)


def Rop(f: Any, wrt: Any, eval_points: Any) -> Any:
    """Right (Jacobian-vector) product ∂f/∂wrt · eval_points, as the transpose of a
    Lop that is linear in its seed."""
    single_f = isinstance(f, TensorVariable)
    fs = [f] if single_f else list(f)
    single_w = isinstance(wrt, TensorVariable)
    ws = [wrt] if single_w else list(wrt)
    points = [eval_points] if single_w else list(eval_points)
    # the Lop is linear in its seed, so the seed's value (zero here) never matters
    seeds = [T.zeros_like(fi) for fi in fs]
    lops = grad(None, ws, disconnected_inputs="ignore", known_grads=dict(zip(fs, seeds)))
    total = None
    for lop, p in zip(lops, points, strict=True):
        term = T.sum(lop * p)
        total = term if total is None else total + term
    results = grad(total, seeds, disconnected_inputs="ignore")
    return results[0] if single_f else results


def verify_grad(
    fun: Any,
    pt: Sequence[np.ndarray],
    n_tests: int = 2,
    rng: np.random.Generator | np.random.RandomState | None = None,
    eps: float | None = None,
    out_type: Any = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: str | None = None,
) -> None:
    """Check `grad` of `fun` at the point `pt` against central finite differences.

    As in Theano, the outputs are reduced to a scalar with a random projection, so
    one gradient checks every output element. Raises GradientError on disagreement.
    """
    import tg

    rng = rng if rng is not None else np.random.default_rng(0)
    pt = [np.array(p) for p in pt]
    dtype = np.result_type(*[p.dtype for p in pt])
    is32 = dtype == np.float32
    eps = eps if eps is not None else (1e-2 if is32 else 1e-6)
    abs_tol = abs_tol if abs_tol is not None else (1e-2 if is32 else 1e-4)
    rel_tol = rel_tol if rel_tol is not None else (1e-2 if is32 else 1e-4)
    # as Theano: size-1 dimensions of the point are broadcastable
    inputs = [TensorType(p.dtype, [d == 1 for d in p.shape])(f"x{i}") for i, p in enumerate(pt)]
    out = fun(*inputs)
    outs = [out] if isinstance(out, TensorVariable) else list(out)
    random = rng.random if hasattr(rng, "random") else rng.rand  # type: ignore[attr-defined]
    for _ in range(n_tests):
        evaluated = tg.function(inputs, outs, mode=mode, on_unused_input="ignore")(*pt)
        projections = [T.constant(np.asarray(random(np.shape(o)), dtype=o.dtype) + 0.5) for o in evaluated]
        cost = None
        for o, t in zip(outs, projections):
            term = T.sum(o * t)
            cost = term if cost is None else cost + term
        symbolic = grad(cost, inputs, disconnected_inputs="ignore")
        f = tg.function(inputs, [cost, *symbolic], mode=mode, on_unused_input="ignore")
        analytic = f(*pt)[1:]
        cost_only = tg.function(inputs, cost, mode=mode, on_unused_input="ignore")
        for i, p in enumerate(pt):
            numeric = np.zeros(p.shape, dtype=np.float64)
            for index in np.ndindex(*p.shape):
                shifted = [q.copy() for q in pt]
                shifted[i][index] += eps
                up = float(cost_only(*shifted))
                shifted[i][index] -= 2 * eps
                down = float(cost_only(*shifted))
                numeric[index] = (up - down) / (2 * eps)
            err = np.abs(analytic[i] - numeric)
            bound = abs_tol + rel_tol * np.abs(numeric)
            if np.any(err > bound):
                worst = np.unravel_index(np.argmax(err - bound), err.shape) if err.ndim else ()
                raise GradientError(
                    f"verify_grad: input {i} gradient mismatch at {worst}: analytic "
                    f"{np.asarray(analytic[i])[worst]!r}, numeric {numeric[worst]!r} "
                    f"(abs_tol={abs_tol}, rel_tol={rel_tol})"
                )


def _hint(kind: str, x: Any, *parameters: Any) -> TensorVariable:
    from tg.dialects.tg import GradientHintOp

    t = T.as_tensor_variable(x)
    params = [T.as_tensor_variable(p, t.dtype) if not isinstance(p, TensorVariable) else T.cast(p, t.dtype) for p in parameters]
    return T.build(GradientHintOp(kind, t.value, [p.value for p in params]))


def zero_grad(x: Any) -> TensorVariable:
    """`x`, whose gradient is zero."""
    return _hint("zero", x)


def disconnected_grad(x: Any) -> TensorVariable:
    """`x`, through which no gradient flows (a disconnected input gets none)."""
    return _hint("disconnected", x)


def grad_clip(x: Any, lower_bound: Any, upper_bound: Any) -> TensorVariable:
    """`x`, whose gradient is clipped to [lower_bound, upper_bound]."""
    return _hint("clip", x, lower_bound, upper_bound)


def grad_scale(x: Any, multiplier: Any) -> TensorVariable:
    """`x`, whose gradient is multiplied by `multiplier`."""
    return _hint("scale", x, multiplier)


def _map_rows(index: TensorVariable, row: TensorVariable, count: TensorVariable) -> TensorVariable:
    """tg.map over index = 0 .. count-1 of `row` (an expression of `index`): ops that
    depend on the index form the body; everything else is computed once, outside,
    and captured."""
    from tg.dialects.tensor_types import tensor_type
    from tg.dialects.tg_control import MapOp, YieldOp
    from xdsl.dialects.builtin import TensorType as IRTensorType
    from xdsl.ir import Region

    ops = _topological([row.value], set())
    dependent: set[SSAValue] = {index.value}
    body_ops: list[Operation] = []
    for op in ops:
        if any(o in dependent for o in op.operands):
            dependent.add(op.results[0])
            body_ops.append(op)
    captured: list[SSAValue] = []
    for op in body_ops:
        for o in op.operands:
            if o not in dependent and o not in captured:
                captured.append(o)
    if row.value not in dependent and row.value not in captured:
        captured.append(row.value)
    block = Block(arg_types=[index.value.type, *(c.type for c in captured)])
    mapping: dict[SSAValue, SSAValue] = dict(zip([index.value, *captured], block.args))
    for op in body_ops:
        block.add_op(op.clone(value_mapper=mapping))
    block.add_op(YieldOp(mapping[row.value]))
    row_type = row.value.type
    assert isinstance(row_type, IRTensorType)
    result_type = tensor_type(row_type.element_type, [None, *static_shape(row_type)])
    n = T.cast(count, "int64")
    return T.build(MapOp(n.value, captured, Region(block), result_type))


def jacobian(expression: Any, wrt: Any, consider_constant: Any = None, disconnected_inputs: str = "raise") -> Any:
    """d expression / d wrt: for each element of `expression` (flattened in C order),
    the gradient of that element; shaped expression.shape + wrt.shape."""
    import tg.tensor
    from tg.dialects.tensor_types import tensor_type
    from xdsl.dialects.builtin import i64

    expr = T.as_tensor_variable(expression)
    single = isinstance(wrt, TensorVariable)
    targets = [wrt] if single else list(wrt)
    if expr.ndim == 0:
        results = grad(expr, targets, consider_constant, disconnected_inputs)
        return results[0] if single else results
    flat = expr if expr.ndim == 1 else tg.tensor.flatten(expr)
    index = TensorVariable.free(tensor_type(i64, ()), "i")
    rows = grad(flat[index], targets, consider_constant, disconnected_inputs)
    results = []
    for w, row in zip(targets, rows):
        stacked = _map_rows(index, row, flat.shape[0])
        if expr.ndim != 1:
            stacked = tg.tensor.reshape(stacked, [*expr.shape, *w.shape])
        results.append(stacked)
    return results[0] if single else results


def hessian(cost: Any, wrt: Any, consider_constant: Any = None, disconnected_inputs: str = "raise") -> Any:
    """The matrix of second derivatives of a scalar cost with respect to each vector
    in `wrt`."""
    single = isinstance(wrt, TensorVariable)
    targets = [wrt] if single else list(wrt)
    results = []
    for w in targets:
        g = grad(cost, w, consider_constant, disconnected_inputs)
        results.append(jacobian(g, w, consider_constant, disconnected_inputs))
    return results[0] if single else results
