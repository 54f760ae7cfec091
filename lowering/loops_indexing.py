"""Loop-level rules for indexing ops (registered into convert_tg_to_loops's tables)."""
