"""The persistent compile cache (tg.runtime.compile_cache) and compile profiles."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tg
import tg.tensor as T
from tg.config import change_flags
from tg.runtime import compile_cache
from tg.tools import tg_cache


@pytest.fixture
def cache(tmp_path: Path):
    """A fresh, empty cache directory for the test."""
    directory = tmp_path / "cache"
    with change_flags(cache_dir=str(directory)):
        yield directory


def functions_in(directory: Path) -> list[compile_cache.EntryInfo]:
    return [e for e in compile_cache.entries(directory) if e.kind == "function"]


def hit(f) -> bool:
    return "cache load" in f.compile_profile and "optimized" not in f.compile_profile


# Ops built inside these helpers share their source locations however they are called.
def left(x):
    return T.exp(x) * 2.0


def right(y):
    return T.tanh(y) + 1.0


def both(x, y):
    return difference(left(x), right(y))


def difference(a, b):
    return a - b


def mlp_step():
    x, y = T.dmatrix("x"), T.dvector("y")
    w = tg.shared(np.linspace(-1, 1, 12).reshape(4, 3), name="w")
    cost = ((T.tanh(T.dot(x, w)).sum(axis=1) - y) ** 2).mean()
    return tg.function([x, y], cost, updates=[(w, w - 0.1 * tg.grad(cost, w))]), w


def test_hit_skips_the_pipeline(cache, monkeypatch):
    f, _ = mlp_step()
    assert not hit(f) and len(functions_in(cache)) == 1
    xv, yv = np.arange(8.0).reshape(2, 4) / 10, np.array([0.5, -0.5])
    expected = f(xv, yv)

    def forbidden(*args, **kwargs):
        raise AssertionError("the pipeline ran on a cache hit")

    import tg.lowering.jit
    import tg.pipeline

    monkeypatch.setattr(tg.pipeline, "lower", forbidden)
    monkeypatch.setattr(tg.lowering.jit, "compile_llvmir", forbidden)
    g, w = mlp_step()
    assert hit(g)
    np.testing.assert_allclose(g(xv, yv), expected)
    before = w.get_value()
    g(xv, yv)
    assert not np.allclose(w.get_value(), before)  # the update ran
    assert len(functions_in(cache)) == 1


def reordered(module):
    """A copy of a graph module with its ops in another valid order: a depth-first
    order that visits operands last to first."""
    from xdsl.dialects import func as func_dialect

    copy = module.clone()
    block = next(iter(copy.ops)).body.block
    ops = [op for op in block.ops if not isinstance(op, func_dialect.ReturnOp)]
    placed: list = []

    def visit(op):
        if op in placed or op not in ops:
            return
        for operand in reversed(op.operands):
            visit(operand.owner)
        placed.append(op)

    for value in reversed(block.last_op.operands):
        visit(value.owner)
    for op in ops:
        op.detach()
    for op in placed:
        block.insert_op_before(op, block.last_op)
    copy.verify()
    return copy


def test_equal_graphs_built_in_another_order_hit(cache):
    from tg.function import build_graph

    x, y = T.dvector("x"), T.dvector("y")
    graph = build_graph([x, y], [both(x, y)])[0]
    other = reordered(graph)
    assert str(graph) != str(other)  # other op order, other SSA numbers
    assert compile_cache.function_key(graph, frozenset()) == compile_cache.function_key(other, frozenset())
    # through tg.function: the same expression built in another order hits
    x, y = T.dvector("x"), T.dvector("y")
    a = left(x)
    b = right(y)
    tg.function([x, y], difference(a, b))
    x, y = T.dvector("x"), T.dvector("y")
    b = right(y)
    a = left(x)
    g = tg.function([x, y], difference(a, b))
    assert hit(g) and len(functions_in(cache)) == 1
    xv, yv = np.array([0.0, 1.0]), np.array([2.0, -1.0])
    np.testing.assert_allclose(g(xv, yv), np.exp(xv) * 2 - np.tanh(yv) - 1)


def test_structural_digest_ignores_order_not_structure():
    from tg.function import build_graph

    x, y = T.dvector("x"), T.dvector("y")
    one = build_graph([x, y], [left(x), right(y)])[0]
    r, l_ = right(y), left(x)
    two = build_graph([x, y], [l_, r])[0]
    swapped = build_graph([x, y], [r, l_])[0]
    digest = compile_cache.structural_digest
    assert digest(one) == digest(two)
    assert digest(one) != digest(swapped)  # outputs in another order
    assert digest(one) != digest(build_graph([y, x], [left(x), right(y)])[0])  # inputs swapped


@pytest.mark.parametrize(
    "change",
    ["dtype", "graph", "opt_level", "fusion", "excluding", "constant"],
)
def test_changes_miss(cache, change):
    def build(dtype="float64", constant=2.0):
        x = T.vector("x", dtype=dtype)
        return tg.function([x], T.exp(x) * constant + 1)

    build()
    if change == "dtype":
        f = build("float32")
    elif change == "graph":
        x = T.dvector("x")
        f = tg.function([x], T.exp(x) * 2.0 - 1)
    elif change == "constant":
        f = build(constant=3.0)
    else:
        flags = {"opt_level": 1, "fusion": False, "excluding": None}[change]
        setting = {"optimizer_excluding": "tg-fold"} if change == "excluding" else {change: flags}
        with change_flags(**setting):
            f = build()
    assert not hit(f) and len(functions_in(cache)) == 2
    with change_flags(threads=1):  # threads do not change the code
        assert hit(build())


def test_multi_stage_function_is_cached(cache):
    def build():
        x = T.dvector("x")
        return tg.function([x], T.arange(T.sum(x > 0)) * 2)

    f = build()
    assert len(f._stages) == 2
    g = build()
    assert hit(g) and len(g._stages) == 2
    np.testing.assert_array_equal(g(np.array([1.0, -1.0, 2.0, 3.0])), [0, 2, 4])


def test_errors_and_shape_checks_survive_a_hit(cache):
    def build():
        x, y = T.dvector("x"), T.dvector("y")
        return tg.function([x, y], x + y)

    build()
    g = build()
    assert hit(g)
    with pytest.raises(ValueError, match="test_compile_cache.py"):
        g(np.zeros(2), np.zeros(3))


def _only_entry(cache: Path) -> Path:
    (entry,) = functions_in(cache)
    return cache / (entry.key + compile_cache.SUFFIX)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_corrupt_entries_are_dropped_and_recompiled(cache, damage):
    def build():
        x = T.dvector("x")
        return tg.function([x], T.sin(x) * 3.0)

    build()
    path = _only_entry(cache)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) - 100] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not a cache entry" * 10)
    path.write_bytes(bytes(data))
    assert compile_cache.load(path.stem) is None and not path.exists()  # detected, deleted
    path.write_bytes(bytes(data))
    f = build()
    assert not hit(f)
    np.testing.assert_allclose(f(np.array([0.5, 1.0])), np.sin([0.5, 1.0]) * 3)
    g = build()  # the recompiled entry is whole again
    assert hit(g)
    np.testing.assert_allclose(g(np.array([0.5, 1.0])), np.sin([0.5, 1.0]) * 3)


def test_payload_that_does_not_unpickle_is_dropped(cache):
    compile_cache.store("k" * 64, [1, 2])
    path = cache / ("k" * 64 + compile_cache.SUFFIX)
    data = path.read_bytes()
    payload = b"\x80\x05garbage"  # valid checksum, invalid pickle
    import hashlib
    import struct

    header = struct.pack("<8sQ32s", compile_cache.MAGIC, len(payload), hashlib.sha256(payload).digest())
    path.write_bytes(header + payload)
    assert data != path.read_bytes()
    assert compile_cache.load("k" * 64) is None and not path.exists()


_WORKER = textwrap.dedent(
    """
    import sys
    import numpy as np, tg, tg.tensor as T
    x = T.dmatrix("x")
    f = tg.function([x], T.tanh(T.dot(x, x.T)).sum(axis=0) + T.exp(x).mean())
    v = np.arange(6.0).reshape(2, 3) / 10
    np.testing.assert_allclose(f(v), np.tanh(v @ v.T).sum(axis=0) + np.exp(v).mean())
    print("hit" if "cache load" in f.compile_profile else "miss")
    """
)


def test_concurrent_processes_compiling_the_same_function(tmp_path):
    directory = tmp_path / "shared-cache"
    env = dict(os.environ, TG_FLAGS=f"cache_dir={directory}")
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results):
        assert worker.returncode == 0, err
        assert out.strip() in ("hit", "miss")
    assert len(functions_in(directory)) == 1
    assert not list(directory.glob("*.tmp"))  # no temporary files left behind
    out = subprocess.run([sys.executable, "-c", _WORKER], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "hit", out.stderr


def test_tg_cache_command(cache, capsys):
    x = T.dvector("x")
    tg.function([x], T.cos(x))
    assert tg_cache.main(["list"]) == 0
    listed = capsys.readouterr().out
    (entry,) = functions_in(cache)
    assert entry.key in listed and "function" in listed
    assert tg_cache.main(["size"]) == 0
    size = sum(p.stat().st_size for p in cache.glob("*" + compile_cache.SUFFIX))
    assert f"{size} bytes" in capsys.readouterr().out
    assert tg_cache.main(["clear"]) == 0
    assert "removed" in capsys.readouterr().out
    assert not list(cache.iterdir())
    assert tg_cache.main(["list", "--dir", str(cache)]) == 0
    assert "0 entries" in capsys.readouterr().out


def test_default_cache_dir_and_switching_off(tmp_path, monkeypatch):
    from tg.config import _default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _default_cache_dir() == str(tmp_path / "xdg" / "tg")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _default_cache_dir() == str(tmp_path / "home" / ".cache" / "tg")
    for off in ("", "none", "None"):
        with change_flags(cache_dir=off):
            assert compile_cache.cache_dir() is None
            x = T.dvector("x")
            f = tg.function([x], x * 2)
            assert "cache key" not in f.compile_profile
            np.testing.assert_allclose(f(np.array([1.0])), [2.0])


def test_compile_profile_is_printed(cache, capsys):
    x = T.dvector("x")
    with change_flags(profile=True):
        f = tg.function([x], left(x), name="expo")
    out = capsys.readouterr().out
    assert "tg compile profile (expo)" in out
    for stage in ("graph", "optimized", "fused", "buffers", "loops", "llvm", "llvmir", "llvm codegen", "cache store", "total"):
        assert stage in f.compile_profile and f.compile_profile[stage] >= 0
        assert f"  {stage} " in out
    assert f.compile_profile["total"] >= f.compile_profile["llvm codegen"]
    x = T.dvector("x")
    g = tg.function([x], left(x))
    assert hit(g) and capsys.readouterr().out == ""


def test_runtime_modules_are_cached_by_text(cache):
    from tg.lowering.jit import compile_llvmir

    text = 'define i64 @seven() {\n  ret i64 7\n}\n'
    first = compile_llvmir(text, 2)
    (entry,) = compile_cache.entries(cache)
    assert entry.kind == "object"
    second = compile_llvmir(text, 2)
    assert second.object_code is not None and first.object_code is None  # loaded, not compiled
    import ctypes

    assert ctypes.CFUNCTYPE(ctypes.c_int64)(second.address("seven"))() == 7


def test_tg_cache_lists_and_clears_cubins(tmp_path, capsys):
    cubins = tmp_path / compile_cache.CUDA_SUBDIR
    cubins.mkdir()
    (cubins / ("ab" * 32 + compile_cache.CUBIN_SUFFIX)).write_bytes(b"\x7fELF" + bytes(60))
    assert tg_cache.main(["list", "--dir", str(tmp_path)]) == 0
    listed = capsys.readouterr().out
    assert "ab" * 32 in listed and "cubin" in listed and "1 entries" in listed
    assert tg_cache.main(["clear", "--dir", str(tmp_path)]) == 0
    assert "removed 1 files" in capsys.readouterr().out
    assert not list(cubins.iterdir())
