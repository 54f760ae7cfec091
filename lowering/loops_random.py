"""Loop-level rules for random ops (registered into convert_tg_to_loops's tables)."""
