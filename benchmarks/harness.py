"""Timing helpers: alternate the contenders, keep the median, report ratios.

Absolute times on shared 2-core machines are noise; ratios measured in one run,
with the contenders interleaved, are what the table reports.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Workload:
    """One benchmark: tg and numpy (and optional peers) computing the same thing."""

    name: str
    contenders: dict[str, Callable[[], object]]
    """'tg' and 'numpy' first; peers such as 'jax' or 'pytensor' when installed."""
    repeats: int = 15
    inner: int = 1
    """Calls per timed sample (for microsecond-scale workloads)."""
    warmup: int = 2
    """Untimed calls of each contender first (JIT compiles, first-touch page faults)."""
    notes: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    """A factor on a contender's median: 0.5 turns a copy's time into the time to
    read its source once."""
    targets: dict[str, float] = field(default_factory=dict)
    """The speed-up over a contender that tg aims for (0.77: at most 1.3x slower)."""
    measured: dict[str, float] = field(default_factory=dict)
    """Seconds measured by the workload itself (fresh processes); then nothing is called."""


def measure(workload: Workload) -> dict[str, float]:
    """Median seconds per call of each contender, sampled round-robin after a warm-up
    (scaled by `workload.scale`)."""
    if workload.measured:
        return dict(workload.measured)
    for fn in workload.contenders.values():
        for _ in range(workload.warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in workload.contenders}
    for _ in range(workload.repeats):
        for name, fn in workload.contenders.items():
            start = time.perf_counter()
            for _ in range(workload.inner):
                fn()
            samples[name].append((time.perf_counter() - start) / workload.inner)
    return {name: statistics.median(times) * workload.scale.get(name, 1.0) for name, times in samples.items()}


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"
