"""``synphys-ibis versions``, ``download`` and ``cache``: published releases and their cache."""

from __future__ import annotations

import argparse
from typing import Any

_MANIFEST_HELP = (
    "release manifest (path or URL, upstream format) instead of $SYNPHYS_IBIS_MANIFEST or the "
    "bundled list"
)


def register(subparsers: Any) -> None:
    """Add the ``versions``, ``download`` and ``cache`` subcommands."""
    versions = subparsers.add_parser(
        "versions",
        help="list the published releases: schema, supported, cached, current",
        description=(
            "List every published release file (aliases included), oldest release first. "
            "'current' marks the newest supported release of each size, which `download small` "
            "(or medium, full) fetches."
        ),
    )
    versions.add_argument(
        "--supported", action="store_true", help="only releases this library can query"
    )
    _add_common(versions)
    versions.set_defaults(handler=_versions)

    download = subparsers.add_parser(
        "download",
        help="download, verify and cache a release; print its path",
        description=(
            "Download a release into the cache (once; an interrupted download resumes), verify "
            "it and print its local path. With SYNPHYS_IBIS_OFFLINE=1, only print the path of a "
            "cached copy."
        ),
    )
    download.add_argument(
        "name", help="release file name or alias, or a size: small, medium, full (current release)"
    )
    download.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_common(download)
    download.set_defaults(handler=_download)

    cache = subparsers.add_parser(
        "cache",
        help="show the cache: every file the library keeps, with sizes; verify or clean it",
        description=(
            "info (default): the cache location and everything in it (releases, partial "
            "downloads, manifests, demo releases, native DuckDB copies, DuckDB extensions, "
            "Parquet datasets) with sizes and status. path: only the location. verify: re-hash "
            "every cached release and check it against what was recorded at download and the "
            "manifest (exit code 1 if any fails). clean: remove what is rebuilt offline on "
            "demand (partial downloads, demo releases, native copies; --all: everything the "
            "library wrote); it lists what it would remove and removes it only with --yes. "
            "Nothing outside the cache directory is ever removed."
        ),
    )
    cache.add_argument(
        "action", nargs="?", choices=("info", "path", "verify", "clean"), default="info"
    )
    cache.add_argument(
        "--remove-bad", action="store_true", help="with verify: delete files that fail"
    )
    cache.add_argument(
        "--all",
        action="store_true",
        help="with clean: also downloaded releases, manifests, extensions and datasets",
    )
    cache.add_argument("--yes", action="store_true", help="with clean: really remove the files")
    _add_common(cache, refresh=False)
    cache.set_defaults(handler=_cache)


def _add_common(parser: argparse.ArgumentParser, *, refresh: bool = True) -> None:
    parser.add_argument("--manifest", default=None, help=_MANIFEST_HELP)
    if refresh:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="read the live upstream manifest (falls back to the bundled one)",
        )
    parser.add_argument(
        "--cache-dir",
        default=None,
        help="cache directory (default: $SYNPHYS_IBIS_CACHE_DIR or the platform cache)",
    )


def _manifest(args: argparse.Namespace) -> Any:
    from synphys_ibis import releases

    return releases.load_manifest(
        args.manifest, refresh=getattr(args, "refresh", False), cache_dir=args.cache_dir
    )


def _versions(args: argparse.Namespace) -> int:
    from synphys_ibis import releases

    manifest = _manifest(args)
    rows = releases.list_versions(only_supported=args.supported, manifest=manifest)
    current = {
        v["db_file"] for v in releases.list_current_versions(manifest=manifest).values() if v
    }
    cached = {f.file for f in releases.list_cache(args.cache_dir) if f.status == "verified"}
    table = [["name", "release", "size", "schema", "supported", "cached", "current"]]
    for row in rows:
        table.append(
            [
                row["db_file"],
                row["release_version"],
                row["db_size"],
                row["schema_version"],
                "yes" if row["supported"] else "no",
                "yes" if row["file"] in cached else "no",
                "current" if row["db_file"] in current else "",
            ]
        )
    _print_table(table)
    print(f"manifest: {manifest.source}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from synphys_ibis import releases

    path = releases.fetch(
        args.name,
        manifest=_manifest(args),
        cache_dir=args.cache_dir,
        progressbar=not args.no_progress,
    )
    print(path)
    return 0


def _cache(args: argparse.Namespace) -> int:
    from synphys_ibis import settings
    from synphys_ibis.releases.inventory import cache_inventory

    directory = settings.cache_dir(args.cache_dir)
    if args.action == "path":
        print(directory)
        return 0
    if args.action == "verify":
        return _verify(args, directory)
    if args.action == "clean":
        return _clean(args, directory)
    entries = cache_inventory(args.cache_dir)
    print(f"cache: {directory}")
    if not entries:
        print("empty: nothing cached yet")
        return 0
    rows = [["kind", "name", "size", "status"]]
    rows += [[e.kind, _relative(e.path, directory), _human(e.size), e.status] for e in entries]
    _print_table(rows)
    print(f"total: {_human(sum(e.size for e in entries))} in {_count(len(entries), 'entry')}")
    return 0


def _clean(args: argparse.Namespace, directory: Any) -> int:
    from synphys_ibis.releases.inventory import (
        CACHE_KINDS,
        DERIVED_KINDS,
        cache_inventory,
        clean_cache,
    )

    kinds = [k for k in CACHE_KINDS if k != "other"] if args.all else list(DERIVED_KINDS)
    doomed = [e for e in cache_inventory(args.cache_dir) if e.kind in kinds]
    if not doomed:
        print(f"nothing to remove in {directory} ({', '.join(kinds)})")
        return 0
    if not args.yes:
        for entry in doomed:
            print(
                f"would remove {entry.kind:10} {_relative(entry.path, directory)}  {_human(entry.size)}"
            )
        size = _human(sum(e.size for e in doomed))
        print(f"{_count(len(doomed), 'entry')}, {size}: pass --yes to remove them")
        return 0
    removed = clean_cache(args.cache_dir, kinds=kinds)
    for entry in removed:
        print(f"removed {entry.kind:10} {_relative(entry.path, directory)}  {_human(entry.size)}")
    print(f"freed {_human(sum(e.size for e in removed))} in {directory}")
    return 0


def _relative(path: Any, directory: Any) -> str:
    try:
        return str(path.relative_to(directory))
    except ValueError:
        return str(path)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _verify(args: argparse.Namespace, directory: Any) -> int:
    from synphys_ibis import releases

    checks = releases.verify_cache(
        cache_dir=args.cache_dir, manifest=args.manifest, remove_bad=args.remove_bad
    )
    if not checks:
        print(f"no release files in {directory}")
        return 0
    for check in checks:
        if check.ok:
            print(f"ok   {check.file}  {_human(check.size)}  sha256 {check.sha256}")
        else:
            removed = " (removed)" if check.removed else ""
            print(f"BAD  {check.file}{removed}: {check.problem}")
    return 0 if all(check.ok for check in checks) else 1


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
