"""``synphys-ibis query | matrix | export | sql | provenance``: queries from the command line.

Each command turns its options into the arguments of one library call (``pair_query``,
``connectivity_matrix``, :func:`synphys_ibis.export.to_parquet`, ``ibis.to_sql``,
:func:`synphys_ibis.export.read_provenance`) and prints the result. Option values are checked by the
library (or by :mod:`synphys_ibis.cli._options`, for the text forms of cell classes, ranges,
filters and class sets, documented there), so every mistake is a
:class:`~synphys_ibis.errors.SynphysError` that the CLI prints as one line.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synphys_ibis.cli._options import (
    DB_HELP,
    STANDARD_CLASS_SETS,
    check_format,
    load_class_set,
    open_database,
    parse_cell_class,
    parse_columns,
    parse_filter,
    parse_positive,
    parse_range,
)
from synphys_ibis.errors import (
    ColumnNotFoundError,
    InvalidArgumentError,
    QueryFailedError,
    SynphysError,
)

__all__ = [
    "STANDARD_CLASS_SETS",
    "QueryFailedError",
    "load_class_set",
    "parse_cell_class",
    "register",
]


# -- options to library arguments --------------------------------------------------------------------
def _pair_query_args(args: argparse.Namespace, *, classes: bool) -> dict[str, Any]:
    """The ``pair_query`` keyword arguments given by the options."""
    values: dict[str, Any] = {
        "synapse": args.synapse,
        "synapse_type": args.synapse_type,
        "synapse_probed": True if args.synapse_probed else None,
        "electrical": args.electrical,
        "experiment_type": args.experiment_type,
        "project_name": args.project_name,
        "acsf": args.acsf,
        "internal": args.internal,
        "species": args.species,
        "age": parse_range(args.age, "--age"),
        "distance": parse_range(args.distance, "--distance"),
    }
    if classes:
        values["pre_class"] = None if args.pre is None else parse_cell_class(args.pre)
        values["post_class"] = (
            None if args.post is None else parse_cell_class(args.post, option="--post")
        )
        groups = [g.strip() for item in args.preload or () for g in item.split(",") if g.strip()]
        values["preload"] = groups
        filters = [parse_filter(f) for f in args.filter or ()]
        values["filter_exprs"] = filters or None
    return {k: v for k, v in values.items() if v not in (None, [], ())}


def _preload_columns(db: Any, values: dict[str, Any], columns: list[str] | None) -> dict[str, Any]:
    """``values`` with the ``preload`` groups that hold the ``--columns`` added.

    ``--columns post_cell_cre_type`` implies ``--preload cell``, so a column list alone says what
    to show. A name no table has raises ``ColumnNotFoundError`` with a did-you-mean.
    """
    from synphys_ibis.query.pairs import preload_group_of

    groups = list(values.get("preload", ()))
    for name in columns or ():
        group = preload_group_of(name, db.rules)
        if group is not None and group not in groups:
            groups.append(group)
    return {**values, "preload": groups} if groups else values


def require_matplotlib(option: str) -> None:
    """Fail before any work when ``option`` needs matplotlib and it is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ImportError(
            f"{option} needs matplotlib; install it with: pip install 'synphys_ibis[plot]'"
        ) from err


# -- running -----------------------------------------------------------------------------------------
def _engine_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Report failures of the engine (DuckDB, PostgreSQL, Ibis) as :class:`QueryFailedError`."""

    @functools.wraps(handler)
    def wrapped(args: argparse.Namespace) -> int:
        import duckdb
        import ibis.common.exceptions as ibis_errors

        try:
            return handler(args)
        except SynphysError:
            raise
        except (duckdb.Error, ibis_errors.IbisError) as err:
            raise QueryFailedError(f"the query failed: {err}") from err

    return wrapped


def _select(table: Any, columns: list[str] | None) -> Any:
    if columns is None:
        return table
    for name in columns:
        if name not in table.columns:
            raise ColumnNotFoundError.for_name(name, table.columns, where="the query result")
    return table.select(columns)


def _print_frame(frame: Any, fmt: str, output: str | None) -> None:
    import pandas as pd

    if fmt == "csv":
        if output:
            frame.to_csv(output, index=False)
        else:
            frame.to_csv(sys.stdout, index=False)
        return
    with pd.option_context(
        "display.width", 250, "display.max_columns", 40, "display.max_colwidth", 40
    ):
        text = frame.to_string(index=False) if len(frame) else "(no rows)"
    if output:
        Path(output).write_text(text + "\n")
    else:
        print(text)


@_engine_errors
def _run_query(args: argparse.Namespace) -> int:
    fmt = check_format(args.format, ("table", "csv"))
    limit = parse_positive(args.limit, "--limit", allow_zero=True)
    if limit is None:
        limit = 20 if fmt == "table" else 0
    columns = parse_columns(args.columns)
    values = _pair_query_args(args, classes=True)
    with open_database(args.db) as db:
        table = _select(db.pair_query(**_preload_columns(db, values, columns)), columns)
        if "id" in table.columns:  # printed rows come in pair order, run after run
            table = table.order_by("id")
        frame = table.to_pyarrow(limit=limit or None).to_pandas()
        _print_frame(frame, fmt, args.output)
        if fmt == "table" and limit and len(frame) == limit:
            total = table.count().to_pyarrow().as_py()
            print(f"({limit} of {total:,} rows; --limit 0 shows all)", file=sys.stderr)
    return 0


@_engine_errors
def _run_matrix(args: argparse.Namespace) -> int:
    from synphys_ibis.demo import connectivity_table

    fmt = check_format(args.format, ("table", "csv"))
    if args.png:
        require_matplotlib("--png")
        parse_positive(args.dpi, "--dpi")
    pre = load_class_set(args.classes)
    post = (
        pre
        if args.post_classes is None
        else load_class_set(args.post_classes, option="--post-classes")
    )
    with open_database(args.db) as db:
        matrix = db.connectivity_matrix(
            pre, post, class_column=args.class_column, **_pair_query_args(args, classes=False)
        )
        frame = matrix.to_pyarrow().to_pandas()
        _print_frame(
            connectivity_table(frame).reset_index() if fmt == "table" else frame, fmt, args.output
        )
        if args.png:
            _write_png(frame, args)
    return 0


def _write_png(frame: Any, args: argparse.Namespace) -> None:
    # A bare Figure (no pyplot) renders with Agg and leaves the process's backend alone.
    from matplotlib.figure import Figure

    from synphys_ibis.plotting import connectivity_heatmap

    dpi = parse_positive(args.dpi, "--dpi")
    n_pre, n_post = frame.pre_class.nunique(), frame.post_class.nunique()
    figure = Figure(
        figsize=(min(2.5 + 0.6 * n_post, 18.0), min(1.8 + 0.45 * n_pre, 16.0)), layout="constrained"
    )
    connectivity_heatmap(frame, ax=figure.add_subplot(), show_ci=args.show_ci, title=args.title)
    figure.savefig(args.png, dpi=dpi)
    print(f"wrote {args.png}", file=sys.stderr)


@_engine_errors
def _run_export(args: argparse.Namespace) -> int:
    from synphys_ibis import export

    fmt = args.format or ("csv" if args.output.lower().endswith(".csv") else "parquet")
    check_format(fmt, ("parquet", "csv"))
    batch_size = parse_positive(args.batch_size, "--batch-size") or 65_536
    if fmt == "csv" and (args.dataset or args.decode_arrays):
        raise InvalidArgumentError("--dataset and --decode-arrays apply to Parquet exports only")
    columns = parse_columns(args.columns)
    if Path(args.output).exists() and not args.overwrite:
        raise FileExistsError(f"{args.output} exists; pass --overwrite to replace it")
    values = _pair_query_args(args, classes=True)
    with open_database(args.db) as db:
        query = export.record(db, "pair_query", **_preload_columns(db, values, columns))
        if columns is not None:
            query = query.derive(_select(query.table, columns), columns=columns)
        options = {
            "batch_size": batch_size,
            "progress": not args.no_progress,
            "overwrite": args.overwrite,
        }
        if fmt == "csv":
            record = export.to_csv(query, args.output, **options)
        else:
            record = export.to_parquet(
                query,
                args.output,
                dataset=args.dataset,
                decode_arrays=args.decode_arrays,
                **options,
            )
    sha = record.release_sha256 or "unknown"
    print(
        f"wrote {args.output} from {record.release} (sha256 {sha}, schema {record.schema_version})"
    )
    return 0


@_engine_errors
def _run_sql(args: argparse.Namespace) -> int:
    import ibis

    with open_database(args.db) as db:
        if args.matrix is not None:
            classes = load_class_set(args.matrix, option="--matrix")
            table = db.connectivity_matrix(
                classes, classes, **_pair_query_args(args, classes=False)
            )
        else:
            table = db.pair_query(**_pair_query_args(args, classes=True))
        print(ibis.to_sql(table))
    return 0


def _run_provenance(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from synphys_ibis.export import read_provenance

    record = read_provenance(args.path)
    if args.json:
        print(json.dumps(asdict(record), indent=2, sort_keys=True))
        return 0
    for key, value in asdict(record).items():
        if key == "sql":
            continue
        shown = json.dumps(value, sort_keys=True) if isinstance(value, dict) else value
        print(f"{key:16} {shown}")
    print(f"{'sql':16} {record.sql}")
    return 0


# -- options -----------------------------------------------------------------------------------------
def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="RELEASE", help=DB_HELP)


def _add_filters(parser: argparse.ArgumentParser, *, classes: bool) -> None:
    group = parser.add_argument_group("pair filters (as SynphysDatabase.pair_query)")
    if classes:
        group.add_argument(
            "--pre",
            metavar="CLASS",
            help="presynaptic cell class, e.g. cre_type=sst,cortical_layer=2/3",
        )
        group.add_argument(
            "--post", metavar="CLASS", help="postsynaptic cell class, same form as --pre"
        )
    group.add_argument(
        "--synapse",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only pairs with (--synapse) or without (--no-synapse) a chemical synapse",
    )
    group.add_argument("--synapse-type", metavar="{ex,in,mixed}", help="sign of the synapse")
    group.add_argument(
        "--synapse-probed",
        action="store_true",
        help="only pairs probed for a connection (more than 10 test spikes of the presynaptic cell's sign)",
    )
    group.add_argument(
        "--electrical",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only pairs with (--electrical) or without (--no-electrical) a gap junction",
    )
    group.add_argument(
        "--experiment-type",
        metavar="TYPE",
        help="'standard multipatch' selects the coarse-matrix projects",
    )
    group.add_argument(
        "--project-name", action="append", metavar="NAME", help="project name (repeat for several)"
    )
    group.add_argument("--species", metavar="SPECIES", help="mouse or human")
    group.add_argument(
        "--acsf", action="append", metavar="RECIPE", help="ACSF recipe (repeat for several)"
    )
    group.add_argument(
        "--internal",
        action="append",
        metavar="RECIPE",
        help="internal solution (repeat for several)",
    )
    group.add_argument(
        "--age", metavar="MIN:MAX", help="slice age bounds in days, e.g. 40:60 or 40:"
    )
    group.add_argument(
        "--distance",
        metavar="MIN:MAX",
        help="intersomatic distance bounds in metres, e.g. 0:100e-6",
    )
    if classes:
        group.add_argument(
            "--preload",
            action="append",
            metavar="GROUP",
            help="joined column groups to include: experiment, cell, synapse, synapse_prediction (comma-separated or repeated)",
        )
        group.add_argument(
            "--filter",
            action="append",
            metavar="EXPR",
            help="extra condition COLUMN OP VALUE, e.g. 'synapse_psp_amplitude>1e-4' (repeat for several)",
        )


def register(subparsers: Any) -> None:
    """Add the query, matrix, export, sql and provenance commands."""
    query = subparsers.add_parser(
        "query",
        help="run a pair query and print the pairs as a table or CSV",
        description="Run SynphysDatabase.pair_query with the given filters and print one row per pair (the first 20 as a table by default).",
    )
    _add_db(query)
    _add_filters(query, classes=True)
    query.add_argument(
        "--columns",
        metavar="COLS",
        help="comma-separated columns to show (default: all); a joined column such as "
        "post_cell_cre_type adds the --preload group that holds it",
    )
    query.add_argument(
        "--limit",
        metavar="N",
        help="rows to print (default 20 for a table, all for CSV; 0 for all)",
    )
    query.add_argument(
        "--format", default="table", metavar="{table,csv}", help="output format (default table)"
    )
    query.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    query.set_defaults(handler=_run_query)

    matrix = subparsers.add_parser(
        "matrix",
        help="print a connectivity matrix (connected/probed) and optionally draw it",
        description="Compute SynphysDatabase.connectivity_matrix for a standard class set or a JSON/YAML file of classes and print connected/probed per class pair; --png draws the heatmap.",
    )
    _add_db(matrix)
    matrix.add_argument(
        "--classes",
        default="mouse-layer",
        metavar="SET",
        help=f"class set: one of {', '.join(STANDARD_CLASS_SETS)}, or a .json/.yaml file mapping class names to criteria (default mouse-layer)",
    )
    matrix.add_argument(
        "--post-classes", metavar="SET", help="postsynaptic class set if different from --classes"
    )
    matrix.add_argument(
        "--class-column",
        default="cell_class_nonsynaptic",
        metavar="COLUMN",
        help="presynaptic class column deciding which test spikes count as probing: cell_class_nonsynaptic (default) or cell_class",
    )
    _add_filters(matrix, classes=False)
    matrix.add_argument(
        "--format",
        default="table",
        metavar="{table,csv}",
        help="table: connected/probed grid; csv: one row per class pair with probability and 95%% interval",
    )
    matrix.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    matrix.add_argument(
        "--png", metavar="FILE", help="also draw the heatmap into FILE (needs matplotlib)"
    )
    matrix.add_argument(
        "--show-ci", action="store_true", help="print the 95%% interval in each heatmap cell"
    )
    matrix.add_argument("--title", help="heatmap title")
    matrix.add_argument(
        "--dpi",
        default="100",
        metavar="N",
        help="heatmap resolution in dots per inch (default 100)",
    )
    matrix.set_defaults(handler=_run_matrix)

    export = subparsers.add_parser(
        "export",
        help="stream a pair query to Parquet or CSV with a provenance record",
        description="Stream SynphysDatabase.pair_query to a Parquet file (or a dataset directory) or a CSV file, recording the release, its sha256, the library version, the query's parameters and SQL (Parquet metadata, or FILE.provenance.json for CSV).",
    )
    _add_db(export)
    _add_filters(export, classes=True)
    export.add_argument(
        "--output",
        required=True,
        metavar="PATH",
        help="file (or directory with --dataset) to write",
    )
    export.add_argument(
        "--format", metavar="{parquet,csv}", help="default: csv for a .csv path, else parquet"
    )
    export.add_argument(
        "--columns",
        metavar="COLS",
        help="comma-separated columns to export (default: all); joined columns add their "
        "--preload group",
    )
    export.add_argument(
        "--dataset", action="store_true", help="write a directory of Parquet part files"
    )
    export.add_argument(
        "--decode-arrays",
        action="store_true",
        help="store array columns as lists instead of .npy bytes",
    )
    export.add_argument(
        "--batch-size", metavar="N", help="rows fetched and written at a time (default 65536)"
    )
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")
    export.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    export.set_defaults(handler=_run_export)

    sql = subparsers.add_parser(
        "sql",
        help="print the SQL of a pair query or connectivity matrix",
        description="Print the single SQL statement that a pair query (or with --matrix, a connectivity matrix) runs, without running it.",
    )
    _add_db(sql)
    _add_filters(sql, classes=True)
    sql.add_argument(
        "--matrix",
        metavar="SET",
        help="show the connectivity matrix of this class set instead (standard set name or file)",
    )
    sql.set_defaults(handler=_run_sql)

    provenance = subparsers.add_parser(
        "provenance",
        help="show the provenance record of an exported file",
        description="Print the record written by 'export' (or synphys_ibis.export): release, sha256, versions, query parameters and SQL.",
    )
    provenance.add_argument(
        "path", help="a Parquet file, a Parquet dataset directory or an exported CSV file"
    )
    provenance.add_argument("--json", action="store_true", help="print the record as JSON")
    provenance.set_defaults(handler=_run_provenance)
