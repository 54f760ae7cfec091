"""LLVM IR text → optimized object code for this host, with llvmlite alone.

This file imports nothing of tg or xDSL, so that `tg.lowering.llvm_worker` can run it
in a fresh interpreter (about 40 ms to start) as the second process of a compile.
`serve` is that process's loop.
"""

from __future__ import annotations

import functools
import struct
import sys
from typing import BinaryIO

REQUEST = struct.Struct("<QI")
"""A request's header: the LLVM IR text's length in bytes, the optimization level."""
REPLY = struct.Struct("<BQ")
"""A reply's header: 0 and the object code's length, or 1 and an error message's."""


@functools.cache
def _initialized() -> bool:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return True


def target_machine(opt_level: int = 3):
    """A target machine for this host's CPU and features (each engine owns its own)."""
    import llvmlite.binding as llvm

    _initialized()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt_level,
        codemodel="jitdefault",
    )


def optimize(mod: object, tm: object, opt_level: int) -> None:
    """LLVM's default pipeline at `opt_level`, loop and SLP vectorizers on, loop
    unrolling off."""
    import llvmlite.binding as llvm

    if opt_level > 0:
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        # LLVM's partial and runtime unrolling is left out: the vectorizer's interleaving
        # already unrolls the loops that matter. It saves a tenth of LLVM's time on
        # the MLP step and changed none of benchmarks/run.py's loop timings.
        pto.loop_unrolling = False
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)


def compile_object(text: str, opt_level: int) -> bytes:
    """The object file of LLVM IR `text` optimized at `opt_level`."""
    import llvmlite.binding as llvm

    tm = target_machine(opt_level)
    mod = llvm.parse_assembly(text)
    mod.verify()
    optimize(mod, tm, opt_level)
    return bytes(tm.emit_object(mod))


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """Answer each request on `requests` (a REQUEST header, then the text) with a reply
    on `replies`, in order, until `requests` ends."""
    import llvmlite.binding  # noqa: F401  (loaded while the parent is still busy)

    while header := requests.read(REQUEST.size):
        if len(header) < REQUEST.size:
            return
        size, opt_level = REQUEST.unpack(header)
        text = requests.read(size)
        if len(text) < size:
            return
        try:
            status, payload = 0, compile_object(text.decode(), opt_level)
        except Exception as error:  # the parent compiles it itself, and reports the error
            status, payload = 1, repr(error).encode()
        replies.write(REPLY.pack(status, len(payload)) + payload)
        replies.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
