"""Build the mock libcuda.so.1 (mockcuda.c) and run Python against it.

The driver library is bound once per process, so tests that use the mock run their
code in a subprocess with `LD_LIBRARY_PATH` pointing at the built library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).with_name("mockcuda.c")


def build(directory: Path) -> Path:
    """Compile the mock into `directory`/libcuda.so.1; the directory."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise FileNotFoundError("no C compiler (cc or gcc) for the mock libcuda")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "libcuda.so.1"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wl,-soname,libcuda.so.1", "-o", str(target), str(SOURCE)],
        check=True,
        capture_output=True,
    )
    return directory


def run_python(library_dir: Path, code: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter whose libcuda.so.1 is the mock."""
    environment = dict(os.environ)
    environment["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(library_dir), environment.get("LD_LIBRARY_PATH")]))
    environment.pop("CUDA_VISIBLE_DEVICES", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=environment, timeout=timeout)
