"""BLAS ops on the GPU: `tg_gpu.gemm` / `tg_gpu.batched_gemm` host ops (run with
cuBLAS, or the fallback kernels of gpu_gemm_kernel), and `tg.dot` as a kernel.

gemv, ger and vdot are GEMMs with n = 1, k = 1 and m = n = 1. Operands are row-major
device buffers: a value that is not stored (a view, an inline value) is first copied
into a temporary, and scalars alpha and beta are 0-d device buffers (a small kernel
writes the ones that are constants or computed inline). An accumulator `z` not
already in the destination is copied there first (beta then scales it). Leading
dimensions are at least 1, as BLAS requires.
"""

from __future__ import annotations

from collections.abc import Sequence

from tg.dialects import tg, tg_gpu
from tg.dialects import tg_blas as blas
from tg.dialects.tensor_types import static_shape
from tg.lowering.convert_tg_to_loops import _add, _mul
from tg.lowering.gpu_elementwise import store_values
from tg.lowering.gpu_host import GPU_MATERIALIZERS, HostBuilder
from tg.lowering.gpu_reduce import nested_loops
from xdsl.dialects import arith, memref
from xdsl.ir import Attribute, Operation, SSAValue

Scalar = SSAValue | float


def _stored(host: HostBuilder, value: SSAValue, temporaries: list[SSAValue]) -> SSAValue:
    """A row-major device buffer holding `value`: its own, or a temporary copy."""
    buffer = host.buffers.get(value)
    if isinstance(buffer, SSAValue):
        return buffer
    buffer = host.allocate(value)
    store_values(host, [(value, buffer)])
    temporaries.append(buffer)
    return buffer


def _scalars(
    host: HostBuilder,
    values: Sequence[Scalar],
    element: Attribute,
    temporaries: list[SSAValue],
) -> list[SSAValue]:
    """0-d device buffers holding each scalar: a stored 0-d value's own buffer, a
    constant's shared one, else a new one that one small kernel fills."""
    buffers: list[SSAValue] = []
    todo: list[tuple[SSAValue, SSAValue]] = []
    for v in values:
        if isinstance(v, SSAValue) and isinstance(v.owner, tg.ConstantOp) and v.owner.is_splat():
            v = float(v.owner.to_array().reshape(-1)[0])
        if not isinstance(v, SSAValue):
            buffers.append(host.constant_scalar(v, element))
            continue
        own = host.buffers.get(v)
        if isinstance(own, SSAValue) and not static_shape(v.type):
            buffers.append(own)
            continue
        buffer = host.scratch(element, None)
        temporaries.append(buffer)
        todo.append((v, buffer))
        buffers.append(buffer)
    if todo:
        k = host.new_kernel("scalars")
        for v, buffer in todo:
            k.store_flat(k.scalar(v, []), buffer, k.c0)
        host.launch(k, host.c1, 1)
    return buffers


def _into(host: HostBuilder, z: SSAValue | None, dest: SSAValue) -> None:
    """dest = z, unless z already lives in dest (updated in place)."""
    if z is None:
        return
    own = host.buffers.get(z)
    if own is dest:
        return
    if isinstance(own, SSAValue) and own.type == dest.type:
        host.emit(memref.CopyOp(own, dest))
    else:
        store_values(host, [(z, dest)])


def _leading(host: HostBuilder, size: SSAValue) -> SSAValue:
    """max(1, size): BLAS rejects a leading dimension of 0."""
    return host.emit(arith.MaxUIOp(size, host.c1))


def _free(host: HostBuilder, temporaries: list[SSAValue]) -> None:
    for buffer in temporaries:
        host.free(buffer)


def _gemm_call(
    host: HostBuilder,
    op: Operation,
    x: SSAValue,
    y: SSAValue,
    dest: SSAValue,
    alpha: Scalar,
    beta: Scalar,
    sizes: tuple[SSAValue, SSAValue, SSAValue],
    leading: tuple[SSAValue, SSAValue, SSAValue],
    flags: tuple[bool, bool] = (False, False),
) -> None:
    """dest = alpha op(x) @ op(y) + beta dest as one tg_gpu.gemm of sizes (m, n, k),
    through temporaries for operands and scalars not already in device buffers."""
    temporaries: list[SSAValue] = []
    a, b = _stored(host, x, temporaries), _stored(host, y, temporaries)
    scalars = _scalars(host, [alpha, beta], op.results[0].type.element_type, temporaries)  # type: ignore[attr-defined]
    lds = [_leading(host, d) for d in leading]
    host.emit(tg_gpu.GemmOp(a, b, dest, scalars[0], scalars[1], list(sizes), lds, *flags))
    _free(host, temporaries)


def _gemm(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.GemmOp)
    m, n = host.buffer_sizes(dest)
    xd, yd = host.dims(op.x), host.dims(op.y)
    k = xd[0] if op.x_transposed else xd[1]
    _into(host, op.z, dest)
    beta = op.beta if op.z is not None else 0.0
    _gemm_call(host, op, op.x, op.y, dest, op.alpha, beta, (m, n, k), (xd[1], yd[1], n), (op.x_transposed, op.y_transposed))


def _gemv(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """y = alpha op(A) x + beta z as (m x k) @ (k x 1)."""
    assert isinstance(op, blas.GemvOp)
    rows, cols = host.dims(op.a)
    m, k = (cols, rows) if op.a_transposed else (rows, cols)
    _into(host, op.z, dest)
    beta = op.beta if op.z is not None else 0.0
    _gemm_call(host, op, op.a, op.x, dest, op.alpha, beta, (m, host.c1, k), (cols, host.c1, host.c1), (op.a_transposed, False))


def _ger(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """C = alpha x y^T + z as (m x 1) @ (1 x n)."""
    assert isinstance(op, blas.GerOp)
    m, n = host.buffer_sizes(dest)
    _into(host, op.z, dest)
    beta = 1.0 if op.z is not None else 0.0
    _gemm_call(host, op, op.x, op.y, dest, op.alpha, beta, (m, n, host.c1), (host.c1, n, n))


def _vdot(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """x . y as (1 x k) @ (k x 1)."""
    assert isinstance(op, blas.VdotOp)
    (k,) = host.dims(op.x)
    _gemm_call(host, op, op.x, op.y, dest, 1.0, 0.0, (host.c1, host.c1, k), (k, host.c1, host.c1))


def _batched_gemm(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    assert isinstance(op, blas.BatchedGemmOp)
    elt = op.result.type.element_type
    count, m, n = host.buffer_sizes(dest)
    xd, yd = host.dims(op.x), host.dims(op.y)
    k = xd[1] if op.x_transposed else xd[2]
    temporaries: list[SSAValue] = []
    x, y = _stored(host, op.x, temporaries), _stored(host, op.y, temporaries)
    alpha, beta = _scalars(host, [1.0, 0.0], elt, temporaries)
    strides = [host.emit(arith.MuliOp(d[1], d[2])) for d in (xd, yd, (count, m, n))]
    leading = [_leading(host, d) for d in (xd[2], yd[2], n)]
    host.emit(
        tg_gpu.BatchedGemmOp(
            x,
            y,
            dest,
            alpha,
            beta,
            count,
            [m, n, k],
            leading,
            strides,
            op.x_transposed,
            op.y_transposed,
        )
    )
    _free(host, temporaries)


def _dot(host: HostBuilder, op: Operation, dest: SSAValue) -> None:
    """numpy.dot for ranks 1 and 2 (integers; floats go to BLAS): one thread per
    output element, looping over the contracted axis."""
    assert isinstance(op, tg.DotOp)
    k = host.new_kernel("dot")
    a, b = op.lhs, op.rhs
    rank_a = len(static_shape(a.type))
    elt = op.result.type.element_type
    out_static = static_shape(op.result.type)
    out_dims = k.buffer_dims(dest, out_static)
    contracted = k.dims(a)[-1]

    def output(o: SSAValue) -> None:
        ivs = k.start_element(o, out_dims, out_static)

        def step(kk: list[SSAValue], acc: list[SSAValue]) -> list[SSAValue]:
            x = k.scalar(a, ivs[: rank_a - 1] + kk)
            y = k.scalar(b, kk + ivs[rank_a - 1 :])
            return [_add(k, acc[0], _mul(k, x, y))]

        (total,) = nested_loops(k, [contracted], [k.scalar_constant(0, elt)], step)
        k.store(total, dest, op.result, ivs)

    k.grid_stride(k.c0, k.product(out_dims), output)
    host.launch(k, host.grid(host.numel(host.buffer_sizes(dest))))


GPU_MATERIALIZERS.update(
    {
        blas.GemmOp: _gemm,
        blas.GemvOp: _gemv,
        blas.GerOp: _ger,
        blas.VdotOp: _vdot,
        blas.BatchedGemmOp: _batched_gemm,
        tg.DotOp: _dot,
    }
)
