"""IR definitions: the `tg` tensor dialect and its numpy interpreter."""
