"""Test-session settings: the compile cache lives in a fresh temporary directory, so
that tests never read or write the user's cache and never depend on its state (the
suite runs with the cache on, which exercises it)."""

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="tg-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE  # subprocesses' default cache_dir: $XDG_CACHE_HOME/tg

import tg  # noqa: E402

tg.config.cache_dir = os.path.join(_CACHE, "tg")
