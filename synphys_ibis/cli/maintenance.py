"""``synphys-ibis clone | bake | vacuum``: database maintenance from the command line.

A database is named by a path to a SQLite file, ``duckdb:///path`` or
``postgresql://user:password@host:port/dbname`` (read by
:func:`~synphys_ibis.cli._options.parse_database`, re-exported here). Each command is one library
call:
:meth:`~synphys_ibis.database.Database.clone_database`,
:meth:`~synphys_ibis.database.Database.bake_sqlite` or
:meth:`~synphys_ibis.database.Database.vacuum`.
"""

from __future__ import annotations

import argparse
from typing import Any

from synphys_ibis.cli._options import TARGET_HELP, parse_database, parse_skip_columns

__all__ = ["parse_database", "parse_skip_columns", "register"]


def _copy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--overwrite", action="store_true", help="replace an existing destination")
    parser.add_argument("--tables", nargs="+", metavar="TABLE", help="copy only these tables")
    parser.add_argument(
        "--skip-tables",
        nargs="+",
        default=[],
        metavar="TABLE",
        help="tables created but left empty in the copy, e.g. pulse_response recording",
    )
    parser.add_argument(
        "--skip-columns",
        nargs="+",
        metavar="TABLE.COLUMN",
        help="columns left NULL in the copy, e.g. pulse_response.data",
    )
    parser.add_argument(
        "--skip-errors", action="store_true", help="log a failing table and go on with the next"
    )
    parser.add_argument("--no-vacuum", action="store_true", help="do not vacuum the copy")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")


def register(subparsers: Any) -> None:
    clone = subparsers.add_parser(
        "clone",
        help="copy a database into a new one (SQLite, DuckDB or PostgreSQL)",
        description=(
            "Copy every table of SOURCE into DEST, streaming Arrow batches and verifying each "
            "table's row count. DEST is written under a temporary name and renamed only when "
            "complete; an existing DEST is refused unless --overwrite."
        ),
    )
    clone.add_argument("source", help=f"the database to copy: {TARGET_HELP}")
    clone.add_argument("dest", help=f"the new database: {TARGET_HELP}")
    _copy_options(clone)
    clone.set_defaults(handler=_clone)

    bake = subparsers.add_parser(
        "bake",
        help="write a database into a SQLite release file",
        description=(
            "Write SOURCE into a SQLite file with exactly the published DDL (readable by "
            "aisynphys and synphys_ibis), written under a temporary name and renamed when complete."
        ),
    )
    bake.add_argument("source", help=f"the database to bake: {TARGET_HELP}")
    bake.add_argument("file", help="the SQLite file to write")
    _copy_options(bake)
    bake.set_defaults(handler=_bake)

    vacuum = subparsers.add_parser(
        "vacuum",
        help="compact a database and refresh its planner statistics",
        description="VACUUM ANALYZE on PostgreSQL, ANALYZE and VACUUM on SQLite and DuckDB.",
    )
    vacuum.add_argument("target", help=TARGET_HELP)
    vacuum.add_argument("--tables", nargs="+", metavar="TABLE", help="only these tables")
    vacuum.set_defaults(handler=_vacuum)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "overwrite": args.overwrite,
        "tables": args.tables,
        "skip_tables": args.skip_tables,
        "skip_columns": parse_skip_columns(args.skip_columns),
        "skip_errors": args.skip_errors,
        "vacuum": not args.no_vacuum,
        "progress": not args.no_progress,
    }


def _clone(args: argparse.Namespace) -> int:
    source = parse_database(args.source, writable=False)
    dest = parse_database(args.dest, writable=True, schema_version=source.schema_version)
    source.clone_database(dest_db=dest, **_options(args))
    print(f"cloned {args.source} into {args.dest}")
    return 0


def _bake(args: argparse.Namespace) -> int:
    source = parse_database(args.source, writable=False)
    path = source.bake_sqlite(args.file, **_options(args))
    print(f"baked {args.source} into {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def _vacuum(args: argparse.Namespace) -> int:
    db = parse_database(args.target, writable=True)
    db.vacuum(tables=args.tables)
    print(f"vacuumed {args.target}")
    return 0
