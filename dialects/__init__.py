"""IR definitions: the `tg` tensor dialect and its numpy interpreter."""

from tg.dialects.lazy_assembly_format import install as _install_lazy_assembly_formats

_install_lazy_assembly_formats()  # before any op of ours or of the dialects tg lowers to is defined
