"""Run every benchmark and print one table: median times and contender/tg ratios.

    python benchmarks/run.py            # all workloads
    python benchmarks/run.py call       # workloads whose name contains 'call'

A ratio above 1 means tg is faster than that contender; `target` is the ratio tg
aims for, and `ok` / `below` says whether this run reached it.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import format_time, measure  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

ROW = "{:<44} {:>10} {:>14} {:>10} {:>9} {:>12}"


def _target(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f">={target:.2f}x {'ok' if ratio >= target else 'below'}"


def main(argv: list[str]) -> int:
    selected = [w for w in WORKLOADS if not argv or any(a in w.__name__ for a in argv)]
    start, load = time.perf_counter(), os.getloadavg()[0]
    print(ROW.format("workload", "tg", "contender", "time", "ratio", "target"))
    for make in selected:
        workload = make()
        for key, value in workload.notes.items():
            print(ROW.format(workload.name, "", key, value, "", ""))
        if workload.notes and not workload.measured:
            continue
        times = measure(workload)
        tg_time = times.pop("tg")
        for name, t in times.items():
            ratio = t / tg_time
            print(ROW.format(workload.name, format_time(tg_time), name, format_time(t), f"{ratio:.2f}x",
                             _target(ratio, workload.targets.get(name))), flush=True)
    # other processes on the machine slow some contenders far more than others
    print(f"({time.perf_counter() - start:.0f} s; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
