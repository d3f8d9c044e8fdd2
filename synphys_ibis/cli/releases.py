"""``synphys-ibis versions``, ``download`` and ``cache``: published releases and their cache."""

from __future__ import annotations

import argparse
from typing import Any

from synphys_ibis import releases

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
        help="show the release cache: location, files, sizes; verify it",
        description=(
            "info (default): the cache location and the release files in it with their sizes "
            "and status. path: only the location. verify: re-hash every cached release and check "
            "it against what was recorded at download and the manifest (exit code 1 if any fails)."
        ),
    )
    cache.add_argument("action", nargs="?", choices=("info", "path", "verify"), default="info")
    cache.add_argument(
        "--remove-bad", action="store_true", help="with verify: delete files that fail"
    )
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
    return releases.load_manifest(
        args.manifest, refresh=getattr(args, "refresh", False), cache_dir=args.cache_dir
    )


def _versions(args: argparse.Namespace) -> int:
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
    path = releases.fetch(
        args.name,
        manifest=_manifest(args),
        cache_dir=args.cache_dir,
        progressbar=not args.no_progress,
    )
    print(path)
    return 0


def _cache(args: argparse.Namespace) -> int:
    from synphys_ibis.releases.cache import releases_dir

    directory = releases_dir(args.cache_dir)
    if args.action == "path":
        print(directory)
        return 0
    if args.action == "verify":
        return _verify(args, directory)
    files = releases.list_cache(args.cache_dir)
    print(f"cache: {directory}")
    if not files:
        print("no release files")
        return 0
    _print_table([["file", "size", "status"]] + [[f.file, _human(f.size), f.status] for f in files])
    count = f"{len(files)} file" + ("s" if len(files) != 1 else "")
    print(f"total: {_human(sum(f.size for f in files))} in {count}")
    return 0


def _verify(args: argparse.Namespace, directory: Any) -> int:
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
