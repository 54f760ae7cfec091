"""The gpu level (convert-buffers-to-gpu), the tg_gpu dialect and the CUDA C printer,
without NVRTC or a GPU (test_cuda_kernels.py compiles the printed source)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.dialects import tg_gpu
from tg.lowering.convert_buffers_to_gpu import ConvertBuffersToGpu
from tg.lowering.cuda_printer import CudaPrintError, literal, print_cuda
from tg.pipeline import context
from xdsl.dialects import func, gpu
from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    IndexType,
    MemRefType,
    ModuleOp,
    i1,
    i32,
    i64,
)
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

HOST_OPS = {
    "arith.constant", "arith.addi", "arith.subi", "arith.muli", "arith.divui", "arith.divsi", "arith.remui",
    "arith.remsi", "arith.ceildivui", "arith.floordivsi", "arith.maxui", "arith.minui", "arith.maxsi", "arith.minsi",
    "arith.cmpi", "arith.select", "arith.index_cast", "arith.extui", "memref.dim", "memref.load", "gpu.alloc",
    "gpu.dealloc", "gpu.launch_func", "tg_gpu.gemm", "tg_gpu.batched_gemm", "memref.copy", "func.return",
}  # fmt: skip
"""What the host function of the gpu level may hold (the runtime's launch plan)."""


def _ctx():
    ctx = context()
    for name, dialect in (("gpu", gpu.GPU), ("tg_gpu", tg_gpu.TG_GPU)):
        if name not in ctx.registered_dialect_names:
            ctx.load_dialect(dialect)
    return ctx


def buffers_module(cases: dict[str, tuple[list, object]]) -> ModuleOp:
    """The buffers level of tg functions, one func.func per case (named after it)."""
    ctx = _ctx()
    module = ModuleOp([])
    for name, (inputs, outputs) in cases.items():
        f = tg.function(inputs, outputs, mode="FAST_COMPILE")
        parsed = Parser(ctx, f.ir("buffers")).parse_module()
        for op in list(parsed.ops):
            op.detach()
            if isinstance(op, func.FuncOp):
                op.sym_name = type(op.sym_name)(name)
            module.body.block.add_op(op)
    return module


def gpu_module(cases: dict[str, tuple[list, object]]) -> ModuleOp:
    module = buffers_module(cases)
    ConvertBuffersToGpu().apply(_ctx(), module)
    module.verify()
    return module


def kernels_of(module: ModuleOp) -> dict[str, gpu.FuncOp]:
    return {op.sym_name.data: op for op in module.walk() if isinstance(op, gpu.FuncOp)}


def host_of(module: ModuleOp, name: str) -> func.FuncOp:
    return next(op for op in module.ops if isinstance(op, func.FuncOp) and op.sym_name.data == name)


def launches(host: func.FuncOp) -> list[gpu.LaunchFuncOp]:
    return [op for op in host.walk() if isinstance(op, gpu.LaunchFuncOp)]


def ops_named(op: Operation, name: str) -> list[Operation]:
    return [o for o in op.walk() if o.name == name]


@pytest.fixture(autouse=True)
def _float32():
    old = tg.config.floatX
    tg.config.floatX = "float32"
    yield
    tg.config.floatX = old


def mlp_step():
    """A 784-500-10 tanh MLP's SGD step (forward, loss, gradients, updates)."""
    rng = np.random.RandomState(0)
    x, y = T.matrix("x"), T.ivector("y")
    w1 = tg.shared(rng.randn(784, 500).astype("float32"), name="W1")
    b1 = tg.shared(np.zeros(500, "float32"), name="b1")
    w2 = tg.shared(rng.randn(500, 10).astype("float32"), name="W2")
    b2 = tg.shared(np.zeros(10, "float32"), name="b2")
    h = T.tanh(T.dot(x, w1) + b1)
    p = T.nnet.softmax(T.dot(h, w2) + b2)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    params = [w1, b1, w2, b2]
    updates = [(q, q - 0.01 * T.grad(cost, q)) for q in params]
    return [x, y], cost, updates


# ------------------------------------------------------------------ the pass


def _check_gpu_level(module: ModuleOp) -> None:
    """Every launch names a kernel of the module with matching parameters; the host
    holds only launch-plan ops; every kernel prints."""
    kernels = kernels_of(module)
    assert module.attributes.get("gpu.container_module") is not None
    for host in (op for op in module.ops if isinstance(op, func.FuncOp)):
        names = {op.name for op in host.walk() if op is not host}
        assert names <= HOST_OPS, names - HOST_OPS
        for launch in launches(host):
            kernel = kernels[launch.kernel.nested_references.data[0].data]
            assert kernel.kernel is not None
            params = kernel.function_type.inputs.data
            assert len(launch.kernelOperands) == len(params)
            for arg, param in zip(launch.kernelOperands, params):
                if isinstance(param, MemRefType):
                    assert isinstance(arg.type, MemRefType) and arg.type.element_type == param.element_type
                else:
                    assert arg.type == param
    print_cuda(module)


def test_mlp_step_gpu_level():
    inputs, cost, updates = mlp_step()
    f = tg.function(inputs, cost, updates=updates, mode="FAST_COMPILE")
    module = ConvertBuffersToGpu()
    parsed = Parser(_ctx(), f.ir("buffers")).parse_module()
    module.apply(_ctx(), parsed)
    parsed.verify()
    _check_gpu_level(parsed)
    host = host_of(parsed, "main")
    # the updates are written into the shared variables' device buffers
    assert "tg.updates" in host.attributes and "tg.inplace_updates" in host.attributes
    # the four products of the forward and backward pass are GEMMs on the host
    assert len(ops_named(host, "tg_gpu.gemm")) == 5
    kernels = kernels_of(parsed)
    assert "tg_gemm_f32" in kernels and "tg_gemm_f64" not in kernels
    assert any(name.startswith("main_softmax_crossentropy") for name in kernels)
    assert len(launches(host)) <= 22


def test_softmax_is_one_kernel():
    """The row maximum, exp(x - max) with its sum, and the division form a row chain:
    one kernel, one block per row, the row read from memory once; the maximum, the
    exp and the sum are never stored (the exp is computed again)."""
    x = T.matrix("x")
    module = gpu_module({"softmax": ([x], T.nnet.softmax(x)), "logsoftmax": ([x], T.nnet.logsoftmax(x))})
    _check_gpu_level(module)
    for name, exps in (("softmax", 2), ("logsoftmax", 1)):
        host = host_of(module, name)
        (launch,) = launches(host)
        assert not ops_named(host, "gpu.alloc")
        kernel = kernels_of(module)[launch.kernel.nested_references.data[0].data]
        assert len(ops_named(kernel, "tg_gpu.shuffle_xor")) == 20  # two block reductions
        assert len(ops_named(kernel, "memref.store")) == 1 + 2  # the output; each reduction's warp partials
        assert len(ops_named(kernel, "math.exp")) == exps


def test_row_chain_stores_what_is_read_later():
    """A chain's intermediate read after the chain is stored; one read only inside it
    is not."""
    x = T.matrix("x")
    p = T.nnet.softmax(x)
    module = gpu_module({"both": ([x], [p, p.sum(axis=1)])})
    _check_gpu_level(module)
    kernels = kernels_of(module)
    assert any(n.startswith("both_rows") for n in kernels)


def test_indexing_gpu_level():
    x, v, i, s = T.matrix("x"), T.matrix("v"), T.lvector("i"), T.lscalar("s")
    module = gpu_module(
        {
            "take": ([x, i], x[i] * 2),
            "row": ([x, s], x[s] + 1),
            "inc": ([x, i, v], T.inc_subtensor(x[i], v)),
            "set": ([x, i, v], T.set_subtensor(x[i], v)),
            "inc_basic": ([x, v], T.inc_subtensor(x[1:], v)),
        }
    )
    _check_gpu_level(module)
    kernels = kernels_of(module)
    # the gather is read inside the elementwise kernel: one kernel, no vector path
    (take,) = [k for n, k in kernels.items() if n.startswith("take_")]
    assert not ops_named(take, "tg_gpu.vector_load")
    # a scalar index: checked in the kernel too (status by compare-and-swap)
    (row,) = [k for n, k in kernels.items() if n.startswith("row_")]
    assert ops_named(row, "tg_gpu.atomic_cas")
    assert "tg.errors" in host_of(module, "row").attributes
    # increments with index arrays add atomically; sets and basic increments store
    inc = [k for n, k in kernels.items() if n.startswith("inc_scatter")]
    assert len(inc) == 1 and ops_named(inc[0], "tg_gpu.atomic_add")
    for name in ("set_scatter4", "inc_basic_put"):
        (k,) = [k for n, k in kernels.items() if n.startswith(name)]
        assert not ops_named(k, "tg_gpu.atomic_add") and ops_named(k, "memref.store")
    # the input is copied into the output first (two launches each); an advanced set
    # first claims each row for its last writer (two more)
    for name in ("inc", "set", "inc_basic"):
        assert len(launches(host_of(module, name))) == (4 if name == "set" else 2)
    (claim,) = [k for n, k in kernels.items() if n.startswith("set_scatter_claim")]
    assert ops_named(claim, "tg_gpu.atomic_max")


def test_reductions_gpu_level():
    x = T.matrix("x")
    module = gpu_module(
        {
            "columns": ([x], x.sum(axis=0)),
            "total": ([x], x.sum()),
            "mean": ([x], x.mean()),
            "argmax": ([x], T.argmax(x, axis=1)),
            "cumsum": ([x], T.cumsum(x, axis=0)),
            "prod": ([x], x.prod(axis=1)),
        }
    )
    _check_gpu_level(module)
    kernels = kernels_of(module)
    assert any(n.startswith("columns_reduce_columns") for n in kernels)
    assert any(n.startswith("total_reduce_all") for n in kernels) and any(
        n.startswith("total_reduce_partials") for n in kernels
    )
    total = host_of(module, "total")
    (alloc,) = ops_named(total, "gpu.alloc")  # the partial results
    assert ops_named(total, "gpu.dealloc")[0].operands[0] is alloc.results[0]
    assert any(n.startswith("argmax_arg_reduce") for n in kernels)
    assert any(n.startswith("cumsum_scan") for n in kernels)
    assert any(n.startswith("prod_reduce_rows") for n in kernels)


def test_vector_path_only_for_flat_reads():
    x, y, v = T.matrix("x"), T.matrix("y"), T.vector("v")
    module = gpu_module({"flat": ([x, y], T.exp(x) * y), "broadcast": ([x, v], x * v)})
    kernels = kernels_of(module)
    (flat,) = [k for n, k in kernels.items() if n.startswith("flat")]
    (broadcast,) = [k for n, k in kernels.items() if n.startswith("broadcast")]
    assert len(ops_named(flat, "tg_gpu.vector_load")) == 2 and len(ops_named(flat, "tg_gpu.vector_store")) == 1
    assert ops_named(flat, "tg_gpu.aligned")
    assert not ops_named(broadcast, "tg_gpu.vector_load")
    # the flat kernel never decomposes its index; the broadcast one takes a remainder only
    assert not ops_named(flat, "arith.divui") or all(
        op.operands[1].owner.name == "arith.constant" for op in ops_named(flat, "arith.divui")
    )
    assert not ops_named(broadcast, "arith.divui") and ops_named(broadcast, "arith.remui")


def test_products_are_host_gemms():
    x, y, v = T.matrix("x"), T.matrix("y"), T.vector("v")
    module = gpu_module(
        {
            "mm": ([x, y], T.dot(x, y.T)),
            "mv": ([x, v], T.dot(x, v)),
            "vv": ([v], T.dot(v, v)),
        }
    )
    _check_gpu_level(module)
    for name in ("mm", "mv", "vv"):
        (gemm,) = ops_named(host_of(module, name), "tg_gpu.gemm")
        assert isinstance(gemm, tg_gpu.GemmOp)
    (mm,) = ops_named(host_of(module, "mm"), "tg_gpu.gemm")
    assert mm.transposed == (False, True)
    kernel = kernels_of(module)["tg_gemm_f32"]
    assert list(kernel.attributes[tg_gpu.GEMM_TILE].get_values()) == [128, 128]
    assert len(kernel.function_type.inputs.data) == 13
    assert len(ops_named(kernel, "arith.mulf")) >= 512


def test_unsupported_op_names_itself():
    n = T.lscalar("n")
    from tg.sandbox.rng_mrg import MRG_RandomStreams

    draw = MRG_RandomStreams(1).uniform((n,))
    with pytest.raises(NotImplementedError, match="no GPU lowering for tg.random_uniform"):
        gpu_module({"draw": ([n], draw)})


GATED = """
func.func @main(%x: memref<?x?xf32>, %i: memref<?xi64>, %out0: memref<?x?xf32>, %status: memref<i32>) {
  tg.compute ins(%x, %i : memref<?x?xf32>, memref<?xi64>) outs(%out0 : memref<?x?xf32>) {
  ^bb0(%a: tensor<?x?xf32>, %j: tensor<?xi64>):
    %one = tg.constant dense<1> : tensor<1xi64>
    %k = tg.add %j, %one : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
    %g = tg.advanced_subtensor %a[%k] : tensor<?x?xf32>, tensor<?xi64> -> tensor<?x?xf32>
    tg.fusion_yield %g : tensor<?x?xf32>
  }
  tg.compute ins(%x : memref<?x?xf32>) outs(%x : memref<?x?xf32>) {
  ^bb0(%a: tensor<?x?xf32>):
    %e = tg.exp %a : tensor<?x?xf32>
    tg.fusion_yield %e : tensor<?x?xf32>
  }
  func.return
}
"""


def test_in_place_write_after_a_check_waits_for_status():
    """After a check that may fail, kernels writing the caller's storage run only
    while the status is 0."""
    module = Parser(_ctx(), GATED).parse_module()
    ConvertBuffersToGpu().apply(_ctx(), module)
    module.verify()
    kernels = list(kernels_of(module).values())
    first, second = kernels
    assert ops_named(first, "tg_gpu.atomic_cas")
    gate = second.body.block.ops.first
    body_ops = list(second.body.block.ops)
    assert any(op.name == "scf.if" for op in body_ops) and any(op.name == "memref.load" for op in body_ops[:4])
    assert gate is not None


def test_constant_arrays_are_device_constants():
    x = T.matrix("x")
    module = gpu_module({"scaled": ([x], x * np.arange(6, dtype="float32").reshape(2, 3))})
    source = print_cuda(module)
    assert "__device__ const float scaled___tg_constant_0[6] = {0x0.0p+0f, 0x1.0000000000000p+0f," in source
    assert not [op for op in module.ops if op.name == "memref.global"]


# ------------------------------------------------------------------ tg_gpu


OPS_IR = """
func.func @device(%m: memref<?xf32>, %s: memref<?xi32>, %l: memref<?xi64>, %i: index, %v: f32, %c: i32, %x: f64, %w: i64) {
  %a = tg_gpu.shuffle_xor %v, %c : f32
  %b = tg_gpu.shuffle_down %x, %c : f64
  %u = tg_gpu.shuffle_up %w, %c : i64
  %sh = tg_gpu.shared_array : memref<8x132xf32>
  %o = tg_gpu.atomic_cas %s[%i], %c, %c : memref<?xi32>, i32
  %o2 = tg_gpu.atomic_cas %l[%i], %w, %w : memref<?xi64>, i64
  %p = tg_gpu.atomic_add %m[%i], %v : memref<?xf32>, f32
  %q = tg_gpu.atomic_max %l[%i], %w : memref<?xi64>, i64
  %y = tg_gpu.call "erfcf"(%v) : (f32) -> f32
  %l0, %l1, %l2, %l3 = tg_gpu.vector_load %m[%i] : memref<?xf32> -> f32, f32, f32, f32
  tg_gpu.vector_store %m[%i], %l0, %l1, %l2, %l3 : memref<?xf32>, f32, f32, f32, f32
  %ok = tg_gpu.aligned %m, %s {bytes = 16 : i64} : memref<?xf32>, memref<?xi32>
  func.return
}
func.func @host(%a: memref<?x?xf32>, %al: memref<f32>, %n: index) {
  tg_gpu.gemm %a, %a, %a, %al, %al, %n, %n, %n, %n, %n, %n {trans_b} : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<f32>, memref<f32>
  tg_gpu.batched_gemm %a, %a, %a, %al, %al, %n, %n, %n, %n, %n, %n, %n, %n, %n, %n {trans_a} : memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, memref<f32>, memref<f32>
  func.return
}
"""


def _text(module: ModuleOp, generic: bool = False) -> str:
    import io

    out = io.StringIO()
    Printer(out, print_generic_format=generic).print_op(module)
    return out.getvalue()


@pytest.mark.parametrize("generic", [False, True])
def test_tg_gpu_round_trip(generic: bool):
    module = Parser(_ctx(), OPS_IR).parse_module()
    module.verify()
    text = _text(module, generic)
    again = Parser(_ctx(), text).parse_module()
    again.verify()
    assert _text(again) == _text(module)
    if not generic:
        for line in OPS_IR.strip().splitlines():
            if "tg_gpu." in line:
                assert line.strip() in text
    gemm = next(op for op in again.walk() if isinstance(op, tg_gpu.GemmOp))
    assert gemm.transposed == (False, True) and gemm.m is gemm.operands[5]


INVALID = [
    ("%a = tg_gpu.shuffle_xor %b, %c : i1", "cannot shuffle i1", "%b: i1, %c: i32"),
    ("%a = tg_gpu.shared_array : memref<?xf32>", "the shape must be static", ""),
    ("%a = tg_gpu.shared_array : memref<128x128xf32>", "more than 49152 of static shared memory", ""),
    ("%a = tg_gpu.atomic_cas %m[%i], %v, %v : memref<?xf32>, f32", "the memref's elements must be one of i32, i64", "%m: memref<?xf32>, %i: index, %v: f32"),
    ("%a = tg_gpu.atomic_add %m[%i], %v : memref<?xi8>, i8", "the memref's elements must be one of", "%m: memref<?xi8>, %i: index, %v: i8"),
    ("%a = tg_gpu.atomic_add %m[%i], %v : memref<?xf32>, f64", "value must be f32", "%m: memref<?xf32>, %i: index, %v: f64"),
    ("%a = tg_gpu.atomic_max %m[%i], %v : memref<?xf32>, f32", "tg_gpu.atomic_max: the memref's elements must be one of i32, i64", "%m: memref<?xf32>, %i: index, %v: f32"),
    ('%a = tg_gpu.call "exp f"(%v) : (f32) -> f32', "is not a function name", "%v: f32"),
    ("%a, %b, %c = tg_gpu.vector_load %m[%i] : memref<?xf32> -> f32, f32, f32", "12 bytes, not an 8- or 16-byte vector", "%m: memref<?xf32>, %i: index"),
    ("%a, %b = tg_gpu.vector_load %m[%i] : memref<?xf32> -> f32, f64", "every value must have the memref's element type", "%m: memref<?xf32>, %i: index"),
    ("tg_gpu.vector_store %m[%i], %v, %v, %v, %v, %v, %v, %v, %v : memref<?xf32>, f32, f32, f32, f32, f32, f32, f32, f32", "32 bytes", "%m: memref<?xf32>, %i: index, %v: f32"),
    ("%a = tg_gpu.aligned %m {bytes = 12 : i64} : memref<?xf32>", "bytes must be a power of two", "%m: memref<?xf32>"),
    ("tg_gpu.gemm %m, %m, %m, %m, %m, %i, %i, %i, %i, %i, %i : memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>", "alpha must be a 0-d memref", "%m: memref<?xf32>, %i: index"),
    ("tg_gpu.gemm %m, %m, %m, %s, %s, %i, %i, %i, %i, %i, %i : memref<?xi32>, memref<?xi32>, memref<?xi32>, memref<i32>, memref<i32>", "must be f32 or f64 memrefs", "%m: memref<?xi32>, %s: memref<i32>, %i: index"),
]  # fmt: skip


@pytest.mark.parametrize("op, message, args", INVALID, ids=[m for _, m, _ in INVALID])
def test_tg_gpu_invalid(op: str, message: str, args: str):
    module = Parser(_ctx(), f"func.func @f({args}) {{\n  {op}\n  func.return\n}}").parse_module()
    with pytest.raises(VerifyException, match=message):
        module.verify()


# ------------------------------------------------------------------ printer


@pytest.mark.parametrize(
    "value, t, text",
    [
        (float("inf"), Float32Type(), "__uint_as_float(0x7f800000u)"),
        (float("-inf"), Float64Type(), "__longlong_as_double(0xfff0000000000000ll)"),
        (1.5, Float32Type(), "0x1.8000000000000p+0f"),
        (-0.0, Float64Type(), "-0x0.0p+0"),
        (-(2**63), i64, "(-9223372036854775807ll - 1)"),
        (-(2**31), i32, "(-2147483647 - 1)"),
        (2**32 - 1, i32, "(-1)"),
        (7, IndexType(), "7ll"),
        (1, i1, "true"),
    ],
)
def test_literals_are_exact(value, t, text):
    assert literal(value, t) == text


def test_nan_literal_keeps_its_bits():
    assert literal(math.nan, Float32Type()) == "__uint_as_float(0x7fc00000u)"


def test_printer_rejects_what_it_cannot_print():
    text = """
    builtin.module attributes {gpu.container_module} {
      "gpu.module"() <{sym_name = "kernels"}> ({
        "gpu.func"() <{function_type = (index) -> (), kernel}> ({
        ^bb0(%n: index):
          %m = memref.alloc(%n) : memref<?xf32>
          "gpu.return"() : () -> ()
        }) {sym_name = "k"} : () -> ()
      }) : () -> ()
    }
    """
    with pytest.raises(CudaPrintError, match="cannot print memref.alloc in a kernel"):
        print_cuda(Parser(_ctx(), text).parse_module())
    with pytest.raises(CudaPrintError, match="holds no gpu.module"):
        print_cuda(ModuleOp([]))


def test_read_only_pointers_are_const():
    x, y = T.matrix("x"), T.matrix("y")
    source = print_cuda(gpu_module({"add": ([x, y], x + y)}))
    assert (
        'extern "C" __global__ void __launch_bounds__(256) add_elementwise1(long long p0, long long p1, '
        "const float* __restrict__ p2, const float* __restrict__ p3, float* __restrict__ p4)" in source
    )
    assert "__ldg(reinterpret_cast<const float4*>(p2 + " in source
    assert "*reinterpret_cast<float4*>(p4 + " in source


# ------------------------------------------------------- numerics, simulated


def _relative_error(got: np.ndarray, want: np.ndarray) -> float:
    finite = ~np.isnan(want)
    assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN in different places"
    scale = max(float(np.linalg.norm(want[finite].astype(np.float64))), 1e-30)
    return float(np.linalg.norm((got[finite] - want[finite]).astype(np.float64))) / scale


def _simulated(module: ModuleOp, name: str, inputs: list[np.ndarray], like: list[np.ndarray], **kw) -> tuple[int, list]:
    from tg.lowering.gpu_simulator import simulate

    outputs = [
        np.full(np.shape(e), np.nan if np.asarray(e).dtype.kind == "f" else -7, np.asarray(e).dtype) for e in like
    ]
    return simulate(module, name, [*inputs, *outputs], **kw), outputs


def _numeric_cases(rng: np.random.RandomState) -> dict[str, tuple[list, object, list[np.ndarray]]]:
    x, y, v, w = T.matrix("x"), T.matrix("y"), T.vector("v"), T.vector("w")
    i, s, n, labels, t3, d = (
        T.lvector("i"),
        T.lscalar("s"),
        T.ivector("n"),
        T.ivector("l"),
        T.tensor3("t"),
        T.dmatrix("d"),
    )
    a, b = rng.randn(37, 53).astype("float32"), rng.randn(37, 53).astype("float32")
    nan = np.where(rng.rand(37, 53) < 0.05, np.nan, a).astype("float32")
    misaligned = np.zeros(37 * 53 + 1, np.float32)[1:].reshape(37, 53)  # 4 bytes off: the scalar path
    misaligned[...] = a
    cube = rng.randn(4, 5, 6).astype("float32")
    special = a.copy()
    special[3, :], special[5, 7], special[6, 2] = -np.inf, np.nan, np.inf
    return {
        "chain": ([x, y], T.tanh(x * y + 1.0) * T.exp(-x), [a, b]),
        "chain_misaligned": ([x, y], T.exp(x) * y, [misaligned, b]),
        "bias": ([x, v], T.tanh(x + v), [a, rng.randn(53).astype("float32")]),
        "f64": ([d], T.exp(d) * 2.0 + T.tanh(d), [rng.randn(20, 31)]),
        "softmax": ([x], T.nnet.softmax(x), [a]),
        "softmax_special": ([x], T.nnet.softmax(x), [special]),
        "logsoftmax": ([x], T.nnet.logsoftmax(x), [a]),
        "softmax_and_sum": ([x], [T.nnet.softmax(x), T.nnet.softmax(x).sum(axis=1)], [a]),
        "rows_nan": ([x], x.max(axis=1), [nan]),
        "argmax_nan": ([x], T.argmax(x, axis=1), [nan]),
        "columns": ([x], x.sum(axis=0), [a]),
        "total": ([v], v.mean(), [rng.randn(100_003).astype("float32")]),
        "middle": ([t3], t3.sum(axis=(0, 2)), [cube]),
        "leading": ([t3], t3.max(axis=(0, 1)), [cube]),
        "prod": ([x], (x * 0.1 + 1).prod(axis=1), [a]),
        "cumsum": ([x], T.cumsum(x, axis=0), [a]),
        "take": ([x, i], x[i] * 2, [a, rng.randint(-37, 37, 50)]),
        "row": ([x, s], x[s] + 1, [a, np.int64(-3)]),
        "inc_repeated": ([x, i, y], T.inc_subtensor(x[i], y), [a, rng.randint(-37, 37, 50), rng.randn(50, 53).astype("float32")]),
        "set_repeated": ([x, i, y], T.set_subtensor(x[i], y), [a, rng.randint(-37, 37, 50), rng.randn(50, 53).astype("float32")]),
        "set_points": ([x, i, w], T.set_subtensor(x[i, i[::-1] % 53], w), [a, rng.randint(0, 37, 60), rng.randn(60).astype("float32")]),
        "mask": ([x], x[x > 0.5], [a]),
        "mask_rows": ([x], x[(x > 2).any(axis=1)], [a]),
        "nonzero_values": ([x], T.nonzero_values(x * (x > 1)), [a]),
        "set_strided": ([x, y], T.set_subtensor(x[1:, ::2], y), [a, rng.randn(36, 27).astype("float32")]),
        "concat": ([x, y], T.concatenate([x, y, x], axis=0), [a, b]),
        "ints": ([n], n // 3 + n % 5, [rng.randint(-100, 100, 77).astype("int32")]),
        "floats": ([x, y], x % y + x // y + T.erfc(x) + T.sigmoid(y) + T.softplus(x), [a, b]),
        "xent": ([x, labels], -T.log(T.nnet.softmax(x))[T.arange(labels.shape[0]), labels].mean(), [a, rng.randint(0, 53, 37).astype("int32")]),
        "gemm": ([x, y], T.dot(x, y.T), [a, b]),
        "gemv": ([x, v], T.dot(x, v), [a, rng.randn(53).astype("float32")]),
        "ger": ([x, v, w], x + w.dimshuffle(0, "x") * v, [a, rng.randn(53).astype("float32"), rng.randn(37).astype("float32")]),
        "empty": ([x], T.exp(x) + x.sum(axis=1).dimshuffle(0, "x"), [np.zeros((0, 5), np.float32)]),
    }  # fmt: skip


@pytest.mark.parametrize("reverse", [False, True], ids=["in_order", "reversed"])
def test_kernels_match_the_cpu_backend_when_simulated(reverse: bool):
    """Every kernel kind, run by the lockstep simulator, equals the graph's numpy
    evaluation (relative L2 error <= 1e-5, NaN where it is), whichever order blocks
    and conflicting writes take."""
    rng = np.random.RandomState(0)
    cases = _numeric_cases(rng)
    module = gpu_module({name: (ins, out) for name, (ins, out, _) in cases.items()})
    for name, (ins, out, args) in cases.items():
        want = tg.function(ins, out, mode="FAST_COMPILE")(*args)
        want = [np.asarray(w) for w in (want if isinstance(want, list) else [want])]
        status, got = _simulated(module, name, args, want, reverse=reverse)
        assert status == 0, name
        for g, w in zip(got, want):
            if w.dtype.kind == "f":
                assert _relative_error(g, w) <= 1e-5, name
            else:
                np.testing.assert_array_equal(g, w, err_msg=name)


def test_fallback_gemm_kernels_when_simulated():
    """tg_gemm_f32 / tg_gemm_f64 as the runtime launches them without cuBLAS: edges
    (sizes not multiples of the tile), transposes, an accumulator, float64."""
    rng = np.random.RandomState(1)
    x, y, z, alpha, beta, d = T.matrix("x"), T.matrix("y"), T.matrix("z"), T.scalar("a"), T.scalar("b"), T.dmatrix("d")
    cases = {
        "nt": ([x, y], T.dot(x, y.T), [(70, 45), (130, 45)]),
        "tn": ([x, y], T.dot(x.T, y), [(45, 70), (45, 130)]),
        "acc": ([x, y, z, alpha, beta], beta * z + alpha * T.dot(x, y), [(70, 45), (45, 130), (70, 130), (), ()]),
        "f64": ([d], T.dot(d, d.T), [(40, 33)]),
    }
    module = gpu_module({name: (ins, out) for name, (ins, out, _) in cases.items()})
    for name, (ins, out, shapes) in cases.items():
        dtype = "float64" if name == "f64" else "float32"
        args = [np.asarray(rng.randn(*s), dtype) for s in shapes]
        want = np.asarray(tg.function(ins, out, mode="FAST_COMPILE")(*args))
        status, (got,) = _simulated(module, name, args, [want], gemm_kernels=True)
        assert status == 0 and _relative_error(got, want) <= (1e-12 if name == "f64" else 1e-5), name


def test_mlp_step_when_simulated():
    """One SGD step of the MLP: the cost and every updated parameter as on the CPU."""
    from tg.lowering.gpu_simulator import simulate

    inputs, cost, updates = mlp_step()
    shared = [q for q, _ in updates]
    start = [q.get_value().copy() for q in shared]
    f = tg.function(inputs, cost, updates=updates, mode="FAST_COMPILE")
    module = Parser(_ctx(), f.ir("buffers")).parse_module()
    ConvertBuffersToGpu().apply(_ctx(), module)
    rng = np.random.RandomState(2)
    data = [rng.randn(20, 784).astype("float32"), rng.randint(0, 10, 20).astype("int32")]
    want = f(*data)
    device = [w.copy() for w in start]
    got = np.full((), np.nan, np.float32)
    assert simulate(module, "main", [*data, *device, got]) == 0
    assert _relative_error(got, np.asarray(want)) <= 1e-5
    for q, value in zip(shared, device):
        assert _relative_error(value, q.get_value()) <= 1e-5, q.name


def test_nonzero_gpu_level():
    """A mask's true count: two kernels count it per chunk and sum the counts, the host
    reads the total back (the launch plan reads device memory), a third kernel
    writes the coordinates, numbering them with a block-wide prefix sum."""
    from tg.runtime.gpu_plan import build_plan

    x = T.matrix("x")
    module = gpu_module({"mask": ([x], x[x > 0])})
    _check_gpu_level(module)
    host = host_of(module, "mask")
    (load,) = ops_named(host, "memref.load")
    assert load.memref.owner.name == "gpu.alloc"
    names = [launch.kernel.nested_references.data[0].data for launch in launches(host)]
    assert [n.rstrip("0123456789") for n in names] == [
        "mask_elementwise", "mask_nonzero_count", "mask_nonzero_offsets", "mask_nonzero_write", "mask_elementwise",
    ]  # fmt: skip
    write = kernels_of(module)[names[3]]
    assert len(ops_named(write, "tg_gpu.shuffle_up")) == 5
    assert build_plan(module).reads_device


def test_nonzero_when_simulated():
    """Coordinates in numpy's order: several tiles of chunk counts (more than a block's
    threads), a 3-d integer input, no true element, no element at all."""
    from tg.lowering.gpu_nonzero import CHUNK

    v, t = T.vector("v"), T.itensor3("t")
    module = gpu_module({"long": ([v], v[v > 0]), "coordinates": ([t], T.nonzero(t, return_matrix=True))})
    rng = np.random.RandomState(3)
    long = rng.randn(300 * CHUNK + 5).astype("float32")
    cube = (rng.rand(5, 7, 9) < 0.3).astype("int32") * rng.randint(-3, 4, (5, 7, 9)).astype("int32")
    cases = [
        ("long", long),
        ("long", -np.abs(long[:1000]) - 1),
        ("long", np.zeros(0, np.float32)),
        ("coordinates", cube),
        ("coordinates", np.zeros((3, 0, 2), np.int32)),
    ]
    for name, a in cases:
        want = a[a > 0] if name == "long" else np.array(np.nonzero(a), np.int64).reshape(3, -1)
        status, (got,) = _simulated(module, name, [a], [want])
        assert status == 0
        np.testing.assert_array_equal(got, want, err_msg=f"{name} {a.shape}")


def test_errors_when_simulated():
    """An index the function computed out of range: the status names the message."""
    x, i = T.matrix("x"), T.lvector("i")
    module = gpu_module({"bad": ([x, i], x[i + 1])})
    a = np.zeros((4, 3), np.float32)
    status, _ = _simulated(module, "bad", [a, np.array([0, 3, 1])], [np.zeros((3, 3), np.float32)])
    errors = host_of(module, "bad").attributes["tg.errors"]
    assert status == 1 and errors.data[0].data.startswith("IndexError|tg.advanced_subtensor: index array 0")
    status, _ = _simulated(module, "bad", [a, np.array([0, 2, -4])], [np.zeros((3, 3), np.float32)])
    assert status == 0
