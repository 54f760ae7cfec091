"""`tg-cache`: list, size or clear tg's compile cache (see `tg.runtime.compile_cache`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _age(seconds: float) -> str:
    for unit, length in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= length:
            return f"{seconds / length:.0f}{unit}"
    return f"{seconds:.0f}s"


def main(argv: list[str] | None = None) -> int:
    from tg.runtime import compile_cache

    parser = argparse.ArgumentParser(prog="tg-cache", description="tg's compile cache")
    parser.add_argument("command", choices=("list", "size", "clear", "dir"))
    parser.add_argument("--dir", help="the cache directory (default: the cache_dir flag)")
    args = parser.parse_args(argv)
    directory = Path(args.dir) if args.dir else compile_cache.cache_dir()
    if directory is None:
        print("the compile cache is off (cache_dir is empty)")
        return 0
    if args.command == "dir":
        print(directory)
        return 0
    found = compile_cache.entries(directory) if directory.is_dir() else []
    if args.command == "list":
        for entry in found:
            print(f"{entry.key}  {entry.kind:<8}  {_human(entry.size):>10}  {_age(entry.age_s):>4} old")
        print(f"{len(found)} entries, {_human(sum(e.size for e in found))} in {directory}")
    elif args.command == "size":
        print(f"{sum(e.size for e in found)} bytes in {len(found)} entries ({_human(sum(e.size for e in found))}) in {directory}")
    else:
        removed = compile_cache.clear(directory) if directory.is_dir() else 0
        print(f"removed {removed} files from {directory}")
    return 0


def console_main() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
