"""Run every benchmark and print one table: median times and numpy/tg ratios.

    python benchmarks/run.py            # all workloads
    python benchmarks/run.py call       # workloads whose name contains 'call'

A ratio above 1 means tg is faster than that contender.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import format_time, measure  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def main(argv: list[str]) -> int:
    selected = [w for w in WORKLOADS if not argv or any(a in w.__name__ for a in argv)]
    print(f"{'workload':<48} {'tg':>10} {'contender':>10} {'time':>10} {'speed-up':>9}")
    for make in selected:
        workload = make()
        if workload.notes:
            for key, value in workload.notes.items():
                print(f"{workload.name:<48} {key:>10}: {value}")
            continue
        times = measure(workload)
        tg_time = times.pop("tg")
        for name, t in times.items():
            print(f"{workload.name:<48} {format_time(tg_time):>10} {name:>10} {format_time(t):>10} {t / tg_time:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
