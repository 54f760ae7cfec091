"""tg-opt: read IR holding `tg` and upstream dialects, run passes, print the result.

    tg-opt in.mlir -p convert-tg-to-loops
    tg-opt in.mlir --to-stage llvm          # run every stage's passes up to llvm
    tg-opt in.mlir --from-stage loops --to-stage llvm
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import IO

from tg.passes import PASSES
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.target import Target
from xdsl.xdsl_opt_main import xDSLOptMain


class LlvmirTarget(Target):
    """`-t llvm`: the LLVM IR text tg hands to llvmlite (`tg.lowering.jit.to_llvmir`)."""

    name = "llvm"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        from tg.lowering.jit import to_llvmir

        output.write(to_llvmir(module))


class TgOptMain(xDSLOptMain):
    """xdsl-opt with the tg dialect, tg's passes and tg's stages."""

    def __init__(self, args: Sequence[str] | None = None):
        super().__init__(description="tg modular optimizer driver", args=args)

    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        if "tg" not in self.ctx.registered_dialect_names:
            from tg.dialects.dialect import TG

            self.ctx.register_dialect("tg", lambda: TG)
        if "tg_gpu" not in self.ctx.registered_dialect_names:
            from tg.dialects.tg_gpu import TG_GPU

            self.ctx.register_dialect("tg_gpu", lambda: TG_GPU)

    def register_all_targets(self) -> None:
        super().register_all_targets()

        def cuda() -> type:
            from tg.lowering.cuda_printer import CudaTarget

            return CudaTarget

        self.available_targets["cuda"] = cuda  # `-t cuda`: the CUDA C source of gpu-level IR

        def llvm() -> type:
            return LlvmirTarget

        self.available_targets["llvm"] = llvm  # `-t llvm`: LLVM IR text from tg's own printer

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in PASSES.items():
            self.available_passes[name] = factory

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        from tg.pipeline import stage_names

        stages = f"cpu: {', '.join(stage_names('cpu'))}; cuda: {', '.join(stage_names('cuda'))}"
        arg_parser.add_argument("--from-stage", default="graph", help=f"the input's stage ({stages})")
        arg_parser.add_argument("--to-stage", default=None, help=f"run the stages' passes up to this one ({stages})")
        arg_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        arg_parser.epilog = "tg passes:\n" + "\n".join(f"  {name}" for name in PASSES) + f"\n\nstages: {stages}"

    def setup_pipeline(self) -> None:
        if self.args.to_stage is not None:
            from tg.pipeline import passes_between

            staged = passes_between(self.args.from_stage, self.args.to_stage)
            self.args.passes = ",".join([*staged, *filter(None, [self.args.passes])])
        super().setup_pipeline()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; malformed input or a failed pass is a message and exit status 1."""
    try:
        TgOptMain(args=argv).run()
    except SystemExit:
        raise
    except Exception as e:  # a user-facing tool prints the message, not a traceback
        message = str(e).strip() or type(e).__name__
        print(f"tg-opt: error: {message}", file=sys.stderr)
        for note in getattr(e, "__notes__", []):  # xDSL attaches the failing op's context
            print(note, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def console_main() -> None:
    sys.exit(main())
