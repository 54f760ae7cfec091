"""tg on a CUDA device against the device's own copy bandwidth and PyTorch: one table.

    python benchmarks/gpu/run.py          # every workload
    python benchmarks/gpu/run.py softmax  # workloads whose name contains a word

All data stays on the device: inputs are device arrays made once, outputs come back
as device arrays (`return_device_arrays`), shared variables live there. Each call of
a tg function is synchronous (it reads its status word at the end), so its time is
the wall-clock time of a whole call, median of `REPEATS` after a warm-up. The copy
bandwidth is measured in the same run with cuMemcpyDtoD (CUDA events; bytes read
plus bytes written); PyTorch is timed the same way as tg, synchronized per call.
Without a GPU it prints "no GPU: <reason>" and exits with status 0.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np

REPEATS = 20
ROW = "{:<44} {:>10} {:>24} {:>10} {:>8} {:>12}"


def wall_ms(work: Callable[[], Any], sync: Callable[[], Any] = lambda: None, repeat: int = REPEATS, warmup: int = 3) -> float:
    """Median wall-clock milliseconds of `work(); sync()`."""
    for _ in range(warmup):
        work()
        sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def row(name: str, tg_ms: float, contender: str, other_ms: float, target: float | None) -> None:
    """One line: `ratio` is the contender's time over tg's (above 1: tg is faster)."""
    ratio = other_ms / tg_ms
    verdict = "" if target is None else f">={target:.2f}x {'ok' if ratio >= target else 'below'}"
    print(ROW.format(name, f"{tg_ms:.3f} ms", contender, f"{other_ms:.3f} ms", f"{ratio:.2f}x", verdict), flush=True)


def copy_bandwidth(device: Any, nbytes: int = 1 << 30) -> float:
    """Device-to-device copy bandwidth in bytes per millisecond (read + write)."""
    from tg.runtime.cuda_driver import DeviceBuffer, time_ms

    source, target = DeviceBuffer.allocate(nbytes, device.ordinal), DeviceBuffer.allocate(nbytes, device.ordinal)
    source.zero(device.stream)
    ms = statistics.median(time_ms(lambda: target.copy_from_device(source, nbytes, device.stream), device.stream, repeat=REPEATS))
    source.close()
    target.close()
    return 2 * nbytes / ms


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


# ------------------------------------------------------------------ workloads


def elementwise(device: Any, bandwidth: float, torch: Any) -> None:
    """tanh(a*b + c) * exp(-a) over 1e8 float32: 3 reads and 1 write per element."""
    import tg
    import tg.tensor as T
    from tg.runtime.cuda_driver import DeviceArray

    n = 100_000_000
    a, b, c = T.fvector("a"), T.fvector("b"), T.fvector("c")
    f = tg.function([a, b, c], T.tanh(a * b + c) * T.exp(-a), device="cuda")
    f.return_device_arrays = True
    rng = np.random.default_rng(0)
    hosts = [rng.standard_normal(n, dtype=np.float32) for _ in range(3)]
    args = [DeviceArray.from_host(h) for h in hosts]
    head = f(*args).get()[:1000]
    expected = np.tanh(hosts[0][:1000] * hosts[1][:1000] + hosts[2][:1000]) * np.exp(-hosts[0][:1000])
    np.testing.assert_allclose(head, expected, rtol=1e-5, atol=1e-6)
    tg_ms = wall_ms(lambda: f(*args))
    row("fused elementwise chain, 1e8 f32 (3 in, 1 out)", tg_ms, "copy bandwidth", 16 * n / bandwidth, 0.80)


def softmax(device: Any, bandwidth: float, torch: Any) -> None:
    """Row softmax of a (65536, 1024) float32 matrix: one read, one write."""
    import tg
    import tg.tensor as T
    import tg.tensor.nnet
    from tg.runtime.cuda_driver import DeviceArray

    rows, cols = 65536, 1024
    x = T.fmatrix("x")
    f = tg.function([x], T.nnet.softmax(x), device="cuda")
    f.return_device_arrays = True
    host = np.random.default_rng(1).standard_normal((rows, cols), dtype=np.float32) * 4
    arg = DeviceArray.from_host(host)
    top = f(arg).get()[:64]
    e = np.exp(host[:64] - host[:64].max(axis=1, keepdims=True))
    np.testing.assert_allclose(top, e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-7)
    tg_ms = wall_ms(lambda: f(arg))
    row("row softmax, (65536, 1024) f32", tg_ms, "copy bandwidth", 8 * rows * cols / bandwidth, 0.70)
    if torch is not None:
        t = torch.from_dlpack(arg)
        row("row softmax, (65536, 1024) f32", tg_ms, "torch.softmax", wall_ms(lambda: torch.softmax(t, dim=1), torch.cuda.synchronize), None)


def gemm(device: Any, bandwidth: float, torch: Any) -> None:
    """4096^3 float32 GEMM against torch.matmul with TF32 off (both cuBLAS-class)."""
    import tg
    import tg.tensor as T
    from tg.runtime.cuda_driver import DeviceArray

    n = 4096
    a, b = T.fmatrix("a"), T.fmatrix("b")
    f = tg.function([a, b], T.dot(a, b), device="cuda")
    f.return_device_arrays = True
    rng = np.random.default_rng(2)
    hosts = [rng.standard_normal((n, n), dtype=np.float32) for _ in range(2)]
    args = [DeviceArray.from_host(h) for h in hosts]
    check = f(*args).get()[:8]
    expected = hosts[0][:8].astype(np.float64) @ hosts[1].astype(np.float64)
    assert np.linalg.norm(check - expected) / np.linalg.norm(expected) < 1e-5, "GEMM result differs from numpy"
    tg_ms = wall_ms(lambda: f(*args))
    if torch is None:
        print(ROW.format("GEMM 4096^3 f32", f"{tg_ms:.3f} ms", "torch.matmul", "no torch", "", ""))
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    ta, tb = (torch.from_dlpack(x) for x in args)
    row("GEMM 4096^3 f32 (TF32 off)", tg_ms, "torch.matmul", wall_ms(lambda: torch.matmul(ta, tb), torch.cuda.synchronize), 0.90)
    print(ROW.format("", "", f"tg {2 * n**3 / tg_ms / 1e9:.1f} TFLOP/s", "", "", ""))


def mlp_step(device: Any, bandwidth: float, torch: Any) -> None:
    """One SGD step of a 784-500-10 tanh MLP on a 256-row float32 batch: softmax,
    mean cross-entropy of int32 labels, p - 0.1 * grad (benchmarks/training.py's)."""
    import tg
    import tg.tensor as T
    import tg.tensor.nnet
    from tg.runtime.cuda_driver import DeviceArray

    rng = np.random.default_rng(3)
    sizes = (784, 500, 10)
    params = []
    for fan_in, fan_out in pairwise(sizes):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / (fan_in + fan_out))).astype(np.float32))
        params.append((rng.standard_normal(fan_out) * 0.01).astype(np.float32))
    x_host = rng.standard_normal((256, 784)).astype(np.float32)
    y_host = rng.integers(0, 10, 256).astype(np.int32)
    shared = [tg.shared(p.copy(), f"p{i}") for i, p in enumerate(params)]
    x, y = T.fmatrix("x"), T.ivector("y")
    h = T.tanh(T.dot(x, shared[0]) + shared[1])
    loss = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(h, shared[2]) + shared[3]), y).mean()
    grads = tg.grad(loss, shared)
    f = tg.function([x, y], loss, updates=[(p, p - np.float32(0.1) * g) for p, g in zip(shared, grads)], device="cuda")
    f.return_device_arrays = True
    xd, yd = DeviceArray.from_host(x_host), DeviceArray.from_host(y_host)
    first = float(f(xd, yd).get())
    if torch is None:
        print(ROW.format("MLP 784-500-10 SGD step, batch 256 f32", f"{wall_ms(lambda: f(xd, yd)):.3f} ms", "PyTorch", "no torch", "", ""))
        return
    tp = [torch.tensor(p, device="cuda", requires_grad=True) for p in params]
    tx, ty = torch.from_dlpack(xd), torch.from_dlpack(yd).long()

    def torch_step() -> Any:
        out = torch.nn.functional.cross_entropy(torch.tanh(tx @ tp[0] + tp[1]) @ tp[2] + tp[3], ty)
        for p in tp:
            p.grad = None
        out.backward()
        with torch.no_grad():
            for p in tp:
                p.sub_(p.grad, alpha=0.1)
        return out

    torch_first = float(torch_step())
    assert abs(first - torch_first) <= 1e-5 * abs(torch_first), (first, torch_first)
    tg_ms = wall_ms(lambda: f(xd, yd))
    row("MLP 784-500-10 SGD step, batch 256 f32", tg_ms, "PyTorch (eager)", wall_ms(torch_step, torch.cuda.synchronize), 1.0)


WORKLOADS = [elementwise, softmax, gemm, mlp_step]


def main(argv: list[str]) -> int:
    from tg.runtime.cuda_device import get_device, probe

    ok, why = probe()
    if not ok:
        print(f"no GPU: {why}")
        return 0
    device = get_device()
    torch = _torch()
    selected = [w for w in WORKLOADS if not argv or any(a in w.__name__ for a in argv)]
    started = time.perf_counter()
    bandwidth = copy_bandwidth(device)
    print(f"{device.name} ({device.arch}); cuMemcpyDtoD: {bandwidth / 1e9:.0f} GB/s (read + write)"
          f"{'' if torch is not None else '; PyTorch not installed'}")
    print(ROW.format("workload", "tg", "contender", "time", "ratio", "target"))
    failed = 0
    for workload in selected:
        try:
            workload(device, bandwidth, torch)
        except Exception as e:  # noqa: BLE001 - one broken row must not hide the others
            failed += 1
            print(ROW.format(workload.__name__, "error", type(e).__name__, "", "", ""), flush=True)
            print(f"  {e}", flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
