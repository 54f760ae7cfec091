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
    notes: dict[str, str] = field(default_factory=dict)


def measure(workload: Workload) -> dict[str, float]:
    """Median seconds per call of each contender, sampled round-robin after a warm-up."""
    for fn in workload.contenders.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in workload.contenders}
    for _ in range(workload.repeats):
        for name, fn in workload.contenders.items():
            start = time.perf_counter()
            for _ in range(workload.inner):
                fn()
            samples[name].append((time.perf_counter() - start) / workload.inner)
    return {name: statistics.median(times) for name, times in samples.items()}


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"
