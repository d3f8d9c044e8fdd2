"""``synphys-ibis query | matrix | export | sql | provenance``: queries from the command line.

Each command turns its options into the arguments of one library call (``pair_query``,
``connectivity_matrix``, :func:`synphys_ibis.export.to_parquet`, ``ibis.to_sql``,
:func:`synphys_ibis.export.read_provenance`) and prints the result. Option values are checked by the
library (or here, for the text forms of cell classes, ranges and filters), so every mistake is a
:class:`~synphys_ibis.errors.SynphysError` that the CLI prints as one line.

Text forms
----------
* a cell class: ``cre_type=sst,cortical_layer=2/3``; alternatives with ``|``
  (``cre_type=nr5a1|rorb``); ``none`` for NULL; ``name=...`` sets the class's name.
* a range (``--age``, ``--distance``): ``MIN:MAX``, either side may be empty (``:100e-6``).
* a filter: ``COLUMN OP VALUE`` with OP one of ``< <= > >= == !=`` (``synapse_psp_amplitude>1e-4``).
* a class set (``matrix --classes``): ``mouse-layer``, ``tutorial``, ``human-layer``, ``mouse-ei``,
  or a JSON/YAML file mapping class names to criteria
  (``{"l23sst": {"cre_type": "sst", "cortical_layer": "2/3"}}``).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError, SynphysError

__all__ = [
    "STANDARD_CLASS_SETS",
    "QueryFailedError",
    "load_class_set",
    "parse_cell_class",
    "register",
]

#: Names accepted by ``matrix --classes`` for the standard class sets.
STANDARD_CLASS_SETS = ("mouse-layer", "tutorial", "human-layer", "mouse-ei")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "=")
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>|=)\s*(.*?)\s*$")
_DB_HELP = (
    "the release: a path to a .sqlite file, duckdb:///path, postgresql://user@host:port/db, a "
    "size (small, medium, full), a release name (synphys_r2.1_small.sqlite), or 'demo' for the "
    "offline synthetic demo release"
)


class QueryFailedError(SynphysError, RuntimeError):
    """The engine failed while running a query (its message is kept)."""


# -- parsing the text forms --------------------------------------------------------------------------
def parse_cell_class(spec: str, *, option: str = "--pre") -> Any:
    """Build a :class:`~synphys_ibis.cell_class.CellClass` from ``key=value,key=value``.

    Examples
    --------
    >>> parse_cell_class("cre_type=nr5a1|rorb,cortical_layer=4,name=L4 pyr")
    CellClass(cre_type=('nr5a1', 'rorb'), cortical_layer='4', name='L4 pyr')
    """
    from synphys_ibis.cell_class import CellClass, cell_columns

    known = cell_columns()
    criteria: dict[str, Any] = {}
    name = None
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidArgumentError(
                f"{option} {spec!r}: {part!r} is not key=value; write e.g. "
                f"{option} cre_type=sst,cortical_layer=2/3"
            )
        if key == "name":
            name = raw.strip()
            continue
        kind = known[key][1].type if key in known else "str"
        values = [_criterion_value(v.strip(), kind, option) for v in raw.split("|")]
        criteria[key] = values[0] if len(values) == 1 else tuple(values)
    if not criteria and name is None:
        raise InvalidArgumentError(f"{option} {spec!r} holds no criteria; write key=value pairs")
    return CellClass(name=name, **criteria)


def _criterion_value(text: str, kind: str, option: str) -> Any:
    if text.lower() in ("none", "null"):
        return None
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise InvalidArgumentError.for_value(option, text, ["true", "false", "none"])
    return text


def _parse_range(text: str | None, option: str) -> tuple[float | None, float | None] | None:
    if text is None:
        return None
    low, sep, high = text.partition(":")
    try:
        if not sep:
            raise ValueError(text)
        return (float(low) if low.strip() else None, float(high) if high.strip() else None)
    except ValueError:
        raise InvalidArgumentError(
            f"{option} {text!r} is not MIN:MAX; write e.g. {option} 0:100e-6 (either side may be "
            f"empty)"
        ) from None


def _parse_filter(text: str) -> Any:
    import ibis.common.exceptions as ibis_errors
    from ibis import _

    from synphys_ibis.pairs import pair_namespace

    match = _FILTER.match(text)
    if not match:
        raise InvalidArgumentError(
            f"--filter {text!r} is not COLUMN OP VALUE with OP one of "
            f"{' '.join(_OPERATORS)}; write e.g. --filter 'synapse_psp_amplitude>1e-4'"
        )
    column, op, raw = match.groups()
    value = _filter_value(raw)
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b,
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
    }
    expr = ops[op](_[column], value)
    namespace = pair_namespace()
    if column not in namespace.columns:
        raise ColumnNotFoundError.for_name(
            column,
            namespace.columns,
            where="pair query columns",
            hint="Joined columns are named <table>_<column>, e.g. synapse_psp_amplitude.",
        )
    try:
        expr.resolve(namespace)
    except (ibis_errors.IbisError, TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"--filter {text!r}: cannot compare {column} ({namespace[column].type()}) with {value!r}"
        ) from err
    return expr


def _filter_value(raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def load_class_set(name_or_path: str, *, option: str = "--classes") -> dict[str, Any]:
    """A standard class set by name, or the classes of a JSON/YAML file.

    Raises
    ------
    InvalidArgumentError
        For an unknown set name, or a file that is not a mapping of class names to criteria.
    FileNotFoundError
        For a file that does not exist.
    """
    from synphys_ibis import cell_class

    sets: dict[str, Callable[[], dict[str, Any]]] = {
        "mouse-layer": cell_class.mouse_layer_classes,
        "tutorial": cell_class.tutorial_classes,
        "human-layer": cell_class.human_layer_classes,
        "mouse-ei": cell_class.mouse_ei_classes,
    }
    if name_or_path in sets:
        return sets[name_or_path]()
    path = Path(name_or_path)
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise InvalidArgumentError.for_value(
            option, name_or_path, sets, hint="Or give a .json/.yaml/.yml file of classes."
        )
    if not path.is_file():
        raise FileNotFoundError(f"no such class file: {path}")
    data = _read_class_file(path)
    if not isinstance(data, dict) or not data:
        raise InvalidArgumentError(
            f"{path} must map class names to criteria, e.g. "
            '{"l23sst": {"cre_type": "sst", "cortical_layer": "2/3"}}'
        )
    classes = {}
    for name, criteria in data.items():
        if not isinstance(criteria, dict):
            raise InvalidArgumentError(
                f"{path}: class {name!r} must map column names to values, not {criteria!r}"
            )
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in criteria.items()}
        classes[str(name)] = cell_class.CellClass(name=str(name), **values)
    return classes


def _read_class_file(path: Path) -> Any:
    text = path.read_text()
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except ValueError as err:
            raise InvalidArgumentError(f"{path} is not valid JSON: {err}") from err
    try:
        import yaml
    except ImportError as err:
        raise ImportError(
            "reading YAML class files needs PyYAML; install it with: pip install "
            "'synphys_ibis[yaml]' (or give a .json file)"
        ) from err
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InvalidArgumentError(f"{path} is not valid YAML: {err}") from err


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
        "age": _parse_range(args.age, "--age"),
        "distance": _parse_range(args.distance, "--distance"),
    }
    if classes:
        values["pre_class"] = None if args.pre is None else parse_cell_class(args.pre)
        values["post_class"] = (
            None if args.post is None else parse_cell_class(args.post, option="--post")
        )
        groups = [g.strip() for item in args.preload or () for g in item.split(",") if g.strip()]
        values["preload"] = groups
        filters = [_parse_filter(f) for f in args.filter or ()]
        values["filter_exprs"] = filters or None
    return {k: v for k, v in values.items() if v not in (None, [], ())}


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise InvalidArgumentError("--columns needs comma-separated column names")
    return names


def _positive(text: str | None, option: str, *, allow_zero: bool = False) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise InvalidArgumentError(f"{option} {text!r} is not {kind} integer")
    return value


# -- running -----------------------------------------------------------------------------------------
@contextmanager
def _database(target: str) -> Iterator[Any]:
    """Open ``--db`` (or the demo release for 'demo') and close it afterwards."""
    from synphys_ibis.synphys import SynphysDatabase

    if target == "demo":
        from synphys_ibis.demo import load_demo

        db = load_demo()
    else:
        db = SynphysDatabase.connect(target)
    try:
        yield db
    finally:
        db.close()


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
    fmt = _format(args.format, ("table", "csv"))
    limit = _positive(args.limit, "--limit", allow_zero=True)
    if limit is None:
        limit = 20 if fmt == "table" else 0
    columns = _columns(args.columns)
    with _database(args.db) as db:
        table = _select(db.pair_query(**_pair_query_args(args, classes=True)), columns)
        if "id" in table.columns:  # printed rows come in pair order, run after run
            table = table.order_by("id")
        frame = table.to_pyarrow(limit=limit or None).to_pandas()
        _print_frame(frame, fmt, args.output)
        if fmt == "table" and limit and len(frame) == limit:
            total = table.count().to_pyarrow().as_py()
            print(f"({limit} of {total:,} rows; --limit 0 shows all)", file=sys.stderr)
    return 0


def _format(value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidArgumentError.for_value("--format", value, allowed)
    return value


@_engine_errors
def _run_matrix(args: argparse.Namespace) -> int:
    from synphys_ibis.demo import connectivity_table

    fmt = _format(args.format, ("table", "csv"))
    pre = load_class_set(args.classes)
    post = (
        pre
        if args.post_classes is None
        else load_class_set(args.post_classes, option="--post-classes")
    )
    with _database(args.db) as db:
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

    dpi = _positive(args.dpi, "--dpi")
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
    _format(fmt, ("parquet", "csv"))
    batch_size = _positive(args.batch_size, "--batch-size") or 65_536
    if fmt == "csv" and (args.dataset or args.decode_arrays):
        raise InvalidArgumentError("--dataset and --decode-arrays apply to Parquet exports only")
    columns = _columns(args.columns)
    with _database(args.db) as db:
        query = export.record(db, "pair_query", **_pair_query_args(args, classes=True))
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

    with _database(args.db) as db:
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
    parser.add_argument("--db", required=True, metavar="RELEASE", help=_DB_HELP)


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
        "--columns", metavar="COLS", help="comma-separated columns to show (default: all)"
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
        "--columns", metavar="COLS", help="comma-separated columns to export (default: all)"
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
