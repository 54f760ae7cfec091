"""Loop-level rules for reduce ops (registered into convert_tg_to_loops's tables)."""
