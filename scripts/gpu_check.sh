#!/usr/bin/env bash
# tg's check on a GPU machine: versions, the gpu-marked tests with REQUIRE_GPU=1 (a
# missing device fails them instead of skipping), then benchmarks/gpu/run.py.
#
#   bash scripts/gpu_check.sh --prepare   # once, on a machine with tg installed: copy the
#                                         # pure-Python dependencies the GPU machine lacks
#                                         # (xdsl, immutabledict, ordered_set) into .gpu-site/
#   bash scripts/gpu_check.sh             # on the GPU machine, from a copy of the source tree
#
# Nothing is installed there: tg is laid out as a package of symbolic links into the
# tree (pyproject.toml's package-dir mapping) in a temporary directory put on PYTHONPATH.
# Environment: LOG_DIR (default gpu-out) gets env.txt, pytest.log, bench.log;
# FULL=1 runs the whole test suite rather than `-m gpu`; BENCH=0 skips the benchmarks.
set -o pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

if [ "${1:-}" = "--prepare" ]; then
    python3 - <<'PY' || exit 1
import importlib, os, shutil
target = os.path.join(os.getcwd(), ".gpu-site")
shutil.rmtree(target, ignore_errors=True)
for name in ("xdsl", "immutabledict", "ordered_set"):
    source = os.path.dirname(importlib.import_module(name).__file__)
    shutil.copytree(source, os.path.join(target, name), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
print(f"copied into {target}: add .gpu-site to the files sent to the GPU machine")
PY
    exit 0
fi

export PYTHONUNBUFFERED=1 REQUIRE_GPU=1
LOG=${LOG_DIR:-gpu-out}
mkdir -p "$LOG"
SITE=$(mktemp -d)
trap 'rm -rf "$SITE"' EXIT
mkdir -p "$SITE/tg" "$SITE/bin"
for entry in frontend/*; do ln -s "$ROOT/$entry" "$SITE/tg/"; done
for sub in dialects passes lowering runtime tools; do ln -s "$ROOT/$sub" "$SITE/tg/$sub"; done
cat > "$SITE/bin/tg-opt" <<'SH'
#!/bin/sh
exec python3 -c 'import sys; sys.argv[0] = "tg-opt"; from tg.tools.tg_opt import console_main; console_main()' "$@"
SH
chmod +x "$SITE/bin/tg-opt"
export PATH="$SITE/bin:$PATH"
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
if ! python3 -c "import xdsl" 2>/dev/null; then
    if [ ! -d .gpu-site ]; then
        echo "xdsl is not installed here and .gpu-site/ is missing: run 'bash scripts/gpu_check.sh --prepare' where tg is installed and send .gpu-site along" >&2
        exit 1
    fi
    export PYTHONPATH="$PYTHONPATH:$ROOT/.gpu-site"
fi

{
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
    python3 - <<'PY'
import sys, importlib.metadata as md
def version(p):
    try:
        return md.version(p)
    except md.PackageNotFoundError:
        return "-"
packages = ("cuda-bindings", "cuda-core", "nvidia-cuda-nvrtc", "nvidia-cublas", "numpy", "llvmlite", "xdsl", "torch", "cupy-cuda13x")
print("python", sys.version.split()[0], ", ".join(f"{p} {version(p)}" for p in packages))
from tg.runtime.cuda_device import get_device, probe
from tg.runtime.nvrtc import nvrtc_version
print("probe:", probe(), "nvrtc", nvrtc_version())
if probe()[0]:
    device = get_device(0)
    print("device:", device.name, device.arch, "driver", device.driver_version, "target", device.compile_target())
try:
    from tg.runtime import cublas
    print("cuBLAS:", cublas.available())
except Exception as e:  # noqa: BLE001 - a report line, not a failure
    print("cuBLAS: not importable:", e)
PY
} 2>&1 | tee "$LOG/env.txt"

if [ "${FULL:-0}" = "1" ]; then
    python3 -m pytest -q -rs -p no:cacheprovider tests 2>&1 | tee "$LOG/pytest.log"; rc=$?
else
    python3 -m pytest -q -rs -p no:cacheprovider -m gpu tests 2>&1 | tee "$LOG/pytest.log"; rc=$?
fi
if [ "${BENCH:-1}" != "0" ]; then
    python3 benchmarks/gpu/run.py 2>&1 | tee "$LOG/bench.log" || rc=1
fi
exit $rc
