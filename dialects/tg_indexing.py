"""`tg` ops: indexing (see tg.dialects.tg for the op interfaces)."""

from xdsl.ir import Operation

OPS: list[type[Operation]] = []
