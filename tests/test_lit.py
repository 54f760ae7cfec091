"""Run the lit + FileCheck suite under tests/filecheck as one pytest test.

lit's start-up dominates, so the whole suite is a single test; lit runs the files in
parallel itself. On failure the test prints lit's verbose report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FILECHECK_DIR = Path(__file__).resolve().parent / "filecheck"

# PyPI's lit has no lit/__main__.py, so `python -m lit` does not work: call its entry
# point through the same interpreter (lit.cfg then puts this interpreter's bin
# directory, with tg-opt and filecheck, first on PATH).
LIT = "import sys, lit.main; sys.argv[0] = 'lit'; lit.main.main()"


def test_lit_filecheck_suite() -> None:
    pytest.importorskip("lit")
    pytest.importorskip("filecheck")
    proc = subprocess.run(
        [sys.executable, "-c", LIT, "-q", "-v", str(FILECHECK_DIR)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        print(proc.stdout)
        print(proc.stderr, file=sys.stderr)
    assert proc.returncode == 0, f"lit failed (exit status {proc.returncode}); see its output above"
