"""Loop-level rules for math ops (registered into convert_tg_to_loops's tables)."""
