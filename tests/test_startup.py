"""What `import tg` leaves behind: its objects frozen out of the collected GC
generations, while the collector still runs and collects cycles made afterwards."""

from __future__ import annotations

import subprocess
import sys

_CODE = """
import gc, weakref
before = gc.get_freeze_count()
import tg
assert gc.isenabled()
assert gc.get_freeze_count() > before + 10000, (before, gc.get_freeze_count())

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after import: collected as usual
probe = weakref.ref(a)
del a, b
gc.collect()
assert probe() is None
print("ok")
"""


def test_import_freezes_its_objects_and_cycles_made_later_are_collected():
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
