"""Parallel code generation: a module split in two halves, one compiled by an LLVM
worker process, linked back in one engine; same results as the single-process
compile. The worker also compiles the runtime's modules ahead of need."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tg
import tg.tensor as T
from tg.lowering import jit, llvm_worker, parallel_codegen
from tg.lowering.llvm_worker import LlvmWorker
from tg.lowering.parallel_codegen import split_llvmir


def _mlp_step() -> tuple[tg.Function, list[np.ndarray], list[tg.SharedVariable]]:
    rng = np.random.default_rng(0)
    x, y = T.fmatrix("x"), T.ivector("y")
    shapes = [(20, 16), (16,), (16, 5), (5,)]
    params = [tg.shared((rng.standard_normal(s) * 0.1).astype("float32"), f"p{i}") for i, s in enumerate(shapes)]
    W1, b1, W2, b2 = params
    p = T.nnet.softmax(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2)
    loss = T.nnet.categorical_crossentropy(p, y).mean()
    grads = tg.grad(loss, params)
    f = tg.function([x, y], loss, updates=[(q, q - np.float32(0.1) * g) for q, g in zip(params, grads)])
    data = [rng.standard_normal((8, 20)).astype("float32"), rng.integers(0, 5, 8).astype("int32")]
    return f, data, params


def _defined(text: str) -> list[str]:
    return re.findall(r'^define [^\n]*?@"([^"]+)"\(', text, re.M)


def test_split_defines_each_function_once_and_both_halves_verify(monkeypatch):
    import llvmlite.binding as llvm

    monkeypatch.setattr(parallel_codegen, "MIN_PARALLEL_CHARS", 0)
    f, _, _ = _mlp_step()
    text = f.ir("llvmir")
    halves = split_llvmir(text)
    assert halves is not None
    first, second = (_defined(h) for h in halves)
    assert "main" in first and "main" not in second
    assert sorted(first + second) == sorted(_defined(text))
    assert not set(first) & set(second)
    for task in (n for n in first if n.endswith("_task")):  # a body stays with its task
        assert task[: -len("_task")] in first
    for half in halves:
        llvm.parse_assembly(half).verify()
    # a loop body is linkable in neither half: internal, LLVM drops it once it is inlined into its task
    for half in halves:
        assert not re.search(r'^define void @"main_par\d+"\(', half, re.M)


def test_small_modules_are_not_split():
    f, _, _ = _mlp_step()
    assert split_llvmir(f.ir("llvmir")[: parallel_codegen.MIN_PARALLEL_CHARS - 1]) is None


def _train(split: bool, monkeypatch) -> tuple[list[float], list[np.ndarray], object]:
    monkeypatch.setattr(parallel_codegen, "MIN_PARALLEL_CHARS", 0 if split else 1 << 62)
    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: True)
    with tg.config.change_flags(cache_dir=""):
        f, data, params = _mlp_step()
    losses = [float(f(*data)) for _ in range(5)]
    return losses, [p.get_value() for p in params], f


def test_split_compile_matches_single_process(monkeypatch):
    seen = []
    real = jit.compile_object
    monkeypatch.setattr(jit, "compile_object", lambda text, level: seen.append(text) or real(text, level))
    single, single_params, _ = _train(False, monkeypatch)
    assert not seen
    split, split_params, _ = _train(True, monkeypatch)
    assert seen  # this process compiled its half through compile_object
    assert single == split
    for a, b in zip(single_params, split_params):
        np.testing.assert_array_equal(a, b)


_SEVEN = 'define i64 @"seven"() {\n  ret i64 7\n}\n'


def test_worker_object_code_in_order_and_failure():
    import llvmlite.binding as llvm

    worker = LlvmWorker()
    try:
        bad = worker.submit("this is not LLVM IR", 2)
        good = worker.submit(_SEVEN, 2)
        assert worker.result(bad) is None  # the parent compiles it itself, and reports the error
        code = worker.result(good)
    finally:
        worker.close()
    assert isinstance(code, bytes) and code[:4] == b"\x7fELF"
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), jit.target_machine())
    engine.add_object_file(llvm.ObjectFileRef.from_data(code))
    engine.finalize_object()
    assert engine.get_function_address("seven") != 0


def test_a_dead_worker_returns_no_code():
    worker = LlvmWorker()
    worker.process.kill()
    worker.process.wait()
    assert worker.result(worker.submit(_SEVEN, 2)) is None
    worker.close()


def test_failed_worker_falls_back_to_this_process(monkeypatch):
    monkeypatch.setattr(LlvmWorker, "result", lambda self, ticket: None)
    single, _, _ = _train(False, monkeypatch)
    fallback, _, _ = _train(True, monkeypatch)
    assert single == fallback


def test_no_split_worker_compiles_alone(monkeypatch):
    monkeypatch.setattr(llvm_worker, "start", lambda: None)
    single, _, _ = _train(False, monkeypatch)
    alone, _, _ = _train(True, monkeypatch)
    assert single == alone


def test_session_prefetches_the_runtime_into_the_cache(monkeypatch, tmp_path):
    from tg.runtime import compile_cache, memory_pool, thread_pool

    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: True)
    monkeypatch.setattr(thread_pool, "thread_pool_loaded", lambda: False)
    monkeypatch.setattr(memory_pool, "memory_pool_loaded", lambda: False)
    with tg.config.change_flags(cache_dir=str(tmp_path)):
        keys = [
            compile_cache.text_key("llvmir", memory_pool.memory_pool_ir(), memory_pool.OPT_LEVEL),
            compile_cache.text_key("llvmir", thread_pool.thread_pool_ir(), thread_pool.OPT_LEVEL),
        ]
        with llvm_worker.session(graph_ops=1) as worker:
            assert worker is not None and llvm_worker.current() is worker
            with llvm_worker.session(graph_ops=1000) as inner:  # one worker at a time
                assert inner is None
            code = worker.take(keys[0])
            assert isinstance(code, bytes) and code[:4] == b"\x7fELF"
            worker.result(worker.submit(_SEVEN, 2))  # replies come in order: the other prefetch is done
        assert llvm_worker.current() is None
        assert compile_cache.load(keys[0]) is None  # taken: whoever takes it stores it
        assert isinstance(compile_cache.load(keys[1]), compile_cache.CachedObject)  # not taken: stored at close


def test_a_session_starts_a_worker_only_when_the_compile_uses_it(monkeypatch, tmp_path):
    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: True)
    monkeypatch.setattr(llvm_worker, "_missing_runtime_modules", lambda: [])
    with tg.config.change_flags(cache_dir=str(tmp_path)):
        with llvm_worker.session(graph_ops=llvm_worker.BIG_GRAPH_OPS - 1) as worker:
            assert worker is None
        with llvm_worker.session(graph_ops=llvm_worker.BIG_GRAPH_OPS) as worker:
            assert worker is not None
    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: False)
    with tg.config.change_flags(cache_dir=str(tmp_path)):
        with llvm_worker.session(graph_ops=10 * llvm_worker.BIG_GRAPH_OPS) as worker:
            assert worker is None


def test_split_object_code_is_cached_and_reloaded(monkeypatch, tmp_path):
    monkeypatch.setattr(parallel_codegen, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(llvm_worker, "second_core_idle", lambda: True)
    with tg.config.change_flags(cache_dir=str(tmp_path)):
        f, data, _ = _mlp_step()
        assert "cache store" in f.compile_profile
        g, _, _ = _mlp_step()
        assert "cache load" in g.compile_profile and "llvm codegen" not in g.compile_profile
    assert float(f(*data)) == float(g(*data))


def test_no_split_when_the_machine_is_busy(monkeypatch):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    assert not llvm_worker.second_core_idle()
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 0.9, 0.9))
    assert llvm_worker.second_core_idle()
    with tg.config.change_flags(threads=1):
        assert not llvm_worker.second_core_idle()
