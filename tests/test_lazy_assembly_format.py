"""Assembly formats parsed on first use: every dialect tg uses still has valid formats,
IR prints and parses as before, and a broken format fails when its op is first used."""

from __future__ import annotations

import pytest
from xdsl.dialects import arith, builtin
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, result_def
from xdsl.irdl.operations import PyRDLOpDefinitionError
from xdsl.parser import Parser
from xdsl.printer import Printer

from tg.dialects.lazy_assembly_format import LazyFormatProgram, _program_of, parse_all_formats
from tg.pipeline import _gpu_dialect, _tg_gpu_dialect, context


def _all_ops() -> list[type]:
    ctx = context()
    dialects = [ctx.get_dialect(name) for name in ("builtin", "tg", "func", "arith", "math", "memref", "scf", "cf", "llvm")]
    return [op for d in [*dialects, _gpu_dialect(), _tg_gpu_dialect()] for op in d.operations]


def test_the_dialects_tg_loads_have_lazy_formats_that_all_parse():
    ops = _all_ops()
    lazy = [op for op in ops if isinstance(_program_of(op.__dict__.get("parse")), LazyFormatProgram)]
    assert any(op.name.startswith("arith.") for op in lazy) and any(op.name.startswith("tg.") for op in lazy)
    parse_all_formats(ops)  # raises on the first format with an error


def test_a_declarative_format_round_trips():
    text = '"builtin.module"() ({\n  %0 = arith.constant 3 : i64\n  %1 = arith.addi %0, %0 : i64\n}) : () -> ()'
    module = Parser(context(), text).parse_module()
    printed = str(module)
    assert "%1 = arith.addi %0, %0 : i64" in printed
    assert str(Parser(context(), printed).parse_module()) == printed


def test_a_broken_format_fails_when_its_op_is_first_printed():
    @irdl_op_definition
    class Broken(IRDLOperation):  # defining it does not parse the format
        name = "test.broken"
        x = operand_def(builtin.i64)
        y = result_def(builtin.i64)
        assembly_format = "$x attr-dict : type($nonexistent)"

    value = arith.ConstantOp.from_int_and_width(1, 64)
    op = Broken.build(operands=[value.result], result_types=[builtin.i64])
    with pytest.raises(PyRDLOpDefinitionError, match="test.broken"):
        op.print(Printer())
    with pytest.raises(PyRDLOpDefinitionError):
        parse_all_formats([Broken])
