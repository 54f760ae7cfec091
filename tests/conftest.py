"""Test-session settings: the compile cache lives in a fresh temporary directory, so
that tests never read or write the user's cache and never depend on its state (the
suite runs with the cache on, which exercises it)."""

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="tg-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE  # subprocesses' default cache_dir: $XDG_CACHE_HOME/tg

import tg  # noqa: E402

tg.config.cache_dir = os.path.join(_CACHE, "tg")


# ------------------------------------------------------------------ GPU markers
# gpu: needs a real device (skips with the reason without one; fails when REQUIRE_GPU=1);
# nvrtc: cuda-bindings + NVRTC; sass: nvdisasm; mockcuda: a C compiler for the mock
# libcuda. The last three are in the `test` extra, so CI runs them rather than skipping.

import shutil

import pytest


def _nvrtc_available() -> tuple[bool, str]:
    try:
        from tg.runtime.nvrtc import nvrtc_version

        nvrtc_version()
        return True, ""
    except Exception as e:  # noqa: BLE001 - CudaUnavailable, or a broken install
        return False, f"NVRTC unavailable: {e}"


def _marker_availability() -> dict[str, tuple[bool, str]]:
    from tg.runtime.nvrtc import nvdisasm_path

    nvrtc = _nvrtc_available()
    have_sass = nvrtc[0] and nvdisasm_path() is not None
    return {
        "nvrtc": nvrtc,
        "sass": (have_sass, "" if have_sass else "nvdisasm or NVRTC unavailable: pip install 'tg[test]'"),
        "mockcuda": (shutil.which("cc") is not None or shutil.which("gcc") is not None, "no C compiler for the mock libcuda"),
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if any(item.get_closest_marker(m) for m in ("gpu", "nvrtc", "sass", "mockcuda"))]
    if not marked:
        return
    have = _marker_availability()
    gpu: tuple[bool, str] | None = None
    require = os.environ.get("REQUIRE_GPU") == "1"
    for item in marked:
        if item.get_closest_marker("gpu") and not require:
            if gpu is None:
                from tg.runtime.cuda_device import probe

                gpu = probe()
            if not gpu[0]:
                item.add_marker(pytest.mark.skip(reason=f"no GPU: {gpu[1]}"))
        for name, (ok, why) in have.items():
            if item.get_closest_marker(name) and not ok:
                item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(autouse=True)
def _require_gpu(request: pytest.FixtureRequest) -> None:
    """On the GPU machine (REQUIRE_GPU=1) a gpu test without a device fails, not skips."""
    if request.node.get_closest_marker("gpu") and os.environ.get("REQUIRE_GPU") == "1":
        from tg.runtime.cuda_device import probe

        ok, why = probe()
        if not ok:
            pytest.fail(f"REQUIRE_GPU=1 but {why}")


@pytest.fixture(scope="session")
def mock_libcuda(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A directory holding the mock libcuda.so.1 (tests/mockcuda), built once per
    session; run code against it with `tests/mockcuda/build.py:run_python`."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "mockcuda" / "build.py"
    spec = importlib.util.spec_from_file_location("mockcuda_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    directory = module.build(tmp_path_factory.mktemp("mockcuda"))

    class Mock:
        dir = directory

        @staticmethod
        def run(code: str, **env: str):  # type: ignore[no-untyped-def]
            """Run `code` in a subprocess bound to the mock; its CompletedProcess."""
            return module.run_python(directory, code, env)

    return Mock
