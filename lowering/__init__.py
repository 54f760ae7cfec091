"""Leaving tg's IR for upstream dialects and machine code (`convert-x-to-y` passes)."""
