"""Declarative assembly formats parsed when first used, not when an op is defined.

xDSL parses an op's `assembly_format` as its class is defined: 0.2 ms an op, about
30 ms of the dialects a compile imports (arith, math, memref, scf, cf, llvm, and tg's
own), though only printing and parsing IR text use the parsed program. `install()`
makes each op's program a `LazyFormatProgram` that parses its format on first use and
then behaves exactly as xDSL's would. A format with an error raises the same
`PyRDLOpDefinitionError` when its op is first printed or parsed; `parse_all_formats`
lets a test find such errors up front. xdsl is pinned exactly; `install` checks the
one hook it relies on (`FormatProgram.from_str`, called by `irdl_op_definition`).
"""

from __future__ import annotations

from typing import Any

from xdsl.irdl import declarative_assembly_format
from xdsl.irdl.declarative_assembly_format import FormatProgram
from xdsl.irdl.operations import OpDef, PyRDLOpDefinitionError
from xdsl.utils.exceptions import ParseError

_eager_from_str = FormatProgram.from_str


class LazyFormatProgram:
    """An op's assembly format program, parsed the first time it is needed."""

    __slots__ = ("_format", "_op_def", "_program")

    def __init__(self, format: str, op_def: OpDef):
        self._format = format
        self._op_def = op_def
        self._program: FormatProgram | None = None

    def program(self) -> FormatProgram:
        """The parsed program (parsed now if it was not yet)."""
        if self._program is None:
            try:
                self._program = _eager_from_str(self._format, self._op_def)
            except ParseError as e:
                raise PyRDLOpDefinitionError(
                    f"Error during the parsing of the assembly format of {self._op_def.name}: ", e.args
                ) from e
        return self._program

    def parse(self, parser: Any, op_type: Any) -> Any:
        return self.program().parse(parser, op_type)

    def print(self, printer: Any, op: Any) -> None:
        return self.program().print(printer, op)


def _lazy_from_str(input: str, op_def: OpDef) -> Any:
    return LazyFormatProgram(input, op_def)


def install() -> None:
    """Make the ops defined from now on parse their assembly format lazily."""
    if not isinstance(declarative_assembly_format.FormatProgram.__dict__.get("from_str"), staticmethod):
        raise RuntimeError("xdsl's FormatProgram.from_str is no longer a staticmethod: check the xdsl pin")
    FormatProgram.from_str = staticmethod(_lazy_from_str)  # type: ignore[method-assign]


def parse_all_formats(op_types: list[type]) -> None:
    """Parse the assembly format of each op type now (raising its error, if any)."""
    for op_type in op_types:
        parse = op_type.__dict__.get("parse")
        program = _program_of(parse)
        if isinstance(program, LazyFormatProgram):
            program.program()


def _program_of(method: Any) -> Any:
    """The format program a generated `parse` classmethod closes over, if any."""
    function = getattr(method, "__func__", None)
    for cell in getattr(function, "__closure__", None) or ():
        if isinstance(cell.cell_contents, (LazyFormatProgram, FormatProgram)):
            return cell.cell_contents
    return None
