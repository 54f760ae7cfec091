"""Loop-level rules for shape ops (registered into convert_tg_to_loops's tables)."""
