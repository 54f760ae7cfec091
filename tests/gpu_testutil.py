"""Helpers of the GPU tests: Python code run in a subprocess against the mock
libcuda.so.1 (tests/mockcuda, the `mock_libcuda` fixture)."""

from __future__ import annotations

import textwrap
from typing import Any

MOCK_LAUNCH_LOG = """
import ctypes

class Launch(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 64), ("grid", ctypes.c_uint * 3), ("block", ctypes.c_uint * 3),
                ("smem", ctypes.c_uint), ("stream", ctypes.c_uint64), ("nparams", ctypes.c_int),
                ("params", ctypes.c_uint64 * 32)]

mock = ctypes.CDLL("libcuda.so.1")
mock.mock_launch.restype = ctypes.POINTER(Launch)
"""
"""Prelude of such code: `mock`, the mock driver, whose `mock_launch(i)` is the i-th
recorded launch (name, grid, block, shared bytes, stream, parameter words)."""


def run_mock(mock_libcuda: Any, code: str, prelude: str = "", **env: str) -> str:
    """Run `prelude` then `code` (dedented) against the mock driver, with `env` added to
    the environment; asserts it succeeds and returns what it printed."""
    done = mock_libcuda.run(prelude + textwrap.dedent(code), **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
