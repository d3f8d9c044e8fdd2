"""``synphys-ibis export-parquet | check-parquet``: Parquet datasets of a release.

``export-parquet`` is :func:`synphys_ibis.export.parquet.export_parquet`; ``check-parquet`` is
:func:`synphys_ibis.export.dataset.validate_dataset`.
"""

from __future__ import annotations

import argparse
from typing import Any

from synphys_ibis.cli._options import TARGET_HELP, parse_database

__all__ = ["register"]


def register(subparsers: Any) -> None:
    export = subparsers.add_parser(
        "export-parquet",
        help="write a release to a Parquet dataset (one directory per table)",
        description=(
            "Write every table of SOURCE, with its raw stored values, to a Parquet dataset at "
            "DEST (one directory of files per table and a manifest, synphys_dataset.json). DEST "
            "is written under a temporary name, checked (row counts) and renamed only when "
            "complete; an existing DEST is refused unless --overwrite. Open the dataset with "
            "SynphysDatabase.load_parquet (DuckDB, any fsspec URL) or load_spark."
        ),
    )
    export.add_argument("source", help=f"the release to export: {TARGET_HELP}")
    export.add_argument("dest", help="the dataset directory to create")
    export.add_argument("--tables", nargs="+", metavar="TABLE", help="export only these tables")
    export.add_argument(
        "--skip-tables",
        nargs="+",
        default=[],
        metavar="TABLE",
        help="tables left out of the dataset, e.g. pulse_response recording",
    )
    export.add_argument(
        "--row-group-rows", type=int, metavar="N", help="rows per row group (default: per table)"
    )
    export.add_argument(
        "--compression", default="zstd", help="zstd (default), snappy, gzip, lz4 or none"
    )
    export.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="threads writing tables and pieces of big tables at once (default: one per core, "
        "at most 4); memory grows by about a row group and a batch with each",
    )
    export.add_argument(
        "--resume",
        action="store_true",
        help="keep each finished table in .DEST.partial next to DEST until the whole dataset is "
        "published, so that the same command run again after an interruption writes only the "
        "tables that were not finished (same source and options)",
    )
    export.add_argument("--overwrite", action="store_true", help="replace an existing dataset")
    export.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    export.set_defaults(handler=_export)

    check = subparsers.add_parser(
        "check-parquet",
        help="check that a Parquet dataset holds the files and rows its manifest records",
        description="Read every file's footer (locally or at an fsspec URL) and compare it with "
        "the manifest.",
    )
    check.add_argument("target", help="the dataset: a path or an http(s)://, s3://, ... URL")
    check.set_defaults(handler=_check)


def _export(args: argparse.Namespace) -> int:
    source = parse_database(args.source, writable=False)
    try:
        path = source.export_parquet(
            args.dest,
            tables=args.tables,
            skip_tables=args.skip_tables,
            row_group_rows=args.row_group_rows,
            compression=args.compression,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            workers=args.workers,
            resume=args.resume,
        )
    finally:
        source.close()
    from synphys_ibis.export.dataset import read_manifest

    manifest = read_manifest(path)
    print(
        f"exported {args.source} to {path} ({len(manifest.tables)} tables, "
        f"{manifest.total_rows:,} rows, {manifest.total_bytes / 1e6:.1f} MB)"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from synphys_ibis.export.dataset import validate_dataset

    manifest = validate_dataset(args.target)
    print(
        f"{args.target}: {len(manifest.tables)} tables, {manifest.total_rows:,} rows, schema "
        f"{manifest.schema_version}: every file is present and complete"
    )
    return 0
