"""Streaming table copies between databases, as Arrow record batches.

Every copy reads the **raw stored values** of the source, never the typed views users query: the
published encodings (a missing JSON value stored as the text ``'null'``, a missing array as an
empty blob ``b''``, booleans as 0/1 in SQLite) must survive a round trip byte for byte.

* **Reading.** DuckDB scans the source through its sqlite or postgres scanner (or reads a DuckDB
  file) and streams the result as Arrow record batches of ``batch_rows`` rows, each column cast to
  one canonical Arrow type per logical type, so memory is bounded by the batch, not the table.
* **Writing.** PostgreSQL and DuckDB destinations receive each batch through DuckDB
  (``INSERT ... SELECT`` from the batch; for PostgreSQL the postgres scanner sends it with a binary
  ``COPY``). SQLite destinations receive it through the stdlib driver, one prepared statement
  executed over the whole batch, with datetimes formatted as the published text
  (``YYYY-MM-DD HH:MM:SS.ffffff``).
* **Checking.** Each table is copied in one destination transaction: the destination table must
  be empty, and the rows read, the rows written and the rows the destination then holds must all
  equal the source's row count, or the transaction is rolled back.

Examples
--------
>>> import os, tempfile
>>> from synphys_ibis import Database, synthetic
>>> tmp = tempfile.mkdtemp()
>>> source = Database("sqlite:///", None, synthetic.write_release(os.path.join(tmp, "a.sqlite"),
...                                                               n_experiments=2))
>>> dest = Database("sqlite:///", "sqlite:///", os.path.join(tmp, "b.sqlite"))
>>> dest.create_tables(initialize=False)
>>> copied = list(iter_copy_tables(source, dest, tables=["metadata", "slice"], progress=False))
>>> copied
['metadata', 'slice']
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from synphys_ibis.engines.base import DatabaseHandle, RawTables
from synphys_ibis.engines.ddl import DUCKDB_TYPES, quote
from synphys_ibis.errors import CopyError, InvalidArgumentError, ReadOnlyError
from synphys_ibis.schema import Column, Table, load_schema

__all__ = ["DEFAULT_BATCH_ROWS", "RawReader", "iter_copy_tables", "progress_bar"]

logger = logging.getLogger("synphys_ibis")

#: Rows per Arrow record batch: memory use is about this times the width of a row.
DEFAULT_BATCH_ROWS = 20_000

# The DuckDB type every logical type is read as (and so its Arrow type in the batches): the
# column types of a DuckDB database, with every integer widened to 64 bits.
_READ_TYPES = {**DUCKDB_TYPES, "int": "BIGINT"}


def iter_copy_tables(
    source_db: DatabaseHandle,
    dest_db: DatabaseHandle,
    tables: Iterable[str] | None = None,
    skip_tables: Iterable[str] = (),
    skip_columns: Mapping[str, Sequence[str]] | None = None,
    skip_errors: bool = False,
    vacuum: bool = True,
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: bool = True,
) -> Generator[str, None, None]:
    """Copy release tables from ``source_db`` into the existing tables of ``dest_db``.

    Tables are copied in dependency order (parents first), each in one destination transaction,
    keeping every id and every stored value: NULLs, booleans, floats (NaN included where the
    destination stores it; SQLite stores NaN as NULL), JSON text (the text ``'null'`` included)
    and ``.npy`` bytes (the empty blob included). Arguments are checked when this is called;
    the copy runs as the returned iterator is consumed.

    Parameters
    ----------
    source_db, dest_db
        The databases; ``dest_db`` needs a read-write host and the tables to exist (see
        :meth:`~synphys_ibis.database.Database.create_tables`), empty.
    tables
        Names of the tables to copy (default: every release table present in the source).
    skip_tables
        Tables not to copy.
    skip_columns
        ``{table: [column, ...]}``: columns left out of the copy (NULL in the destination), as
        the published medium/small releases leave out bulky raw-data columns. ``id`` cannot be
        skipped.
    skip_errors
        Log a table that fails (its copy is rolled back; it stays empty) and go on with the next,
        instead of raising.
    vacuum
        Vacuum and analyse the destination after the last table (see
        :meth:`~synphys_ibis.database.Database.vacuum`).
    batch_rows
        Rows per Arrow record batch.
    progress
        Show a progress bar per table (rows, and megabytes moved), on a terminal.

    Yields
    ------
    str
        The name of each table once it is copied and verified.

    Raises
    ------
    InvalidArgumentError
        For an unknown table or column name, or a skipped ``id``.
    CopyError
        When a table cannot be copied (and ``skip_errors`` is false): source unreadable, a
        destination table missing or not empty, a constraint violated, row counts that differ, or
        a destination of another schema version than the source.
        Tables copied before stay committed; the failing one is rolled back.
    """
    schema = load_schema(source_db.schema_version)
    selected = _select(schema.table_names(), tables, "tables")
    skipped = set(_select(schema.table_names(), skip_tables, "skip_tables"))
    dropped = _skip_columns(schema, skip_columns)
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
        raise InvalidArgumentError(
            f"batch_rows={batch_rows!r} is not allowed; allowed values: an integer >= 1."
        )
    if dest_db.rw_host is None:
        raise ReadOnlyError(f"cannot copy into {dest_db!r}: it has no read-write host")
    if dest_db.schema_version != source_db.schema_version:
        raise CopyError(
            f"{source_db!r} has schema version {source_db.schema_version} but {dest_db!r} has "
            f"{dest_db.schema_version}; create the destination with "
            f"Database(..., schema_version={source_db.schema_version!r})"
        )
    plan = [
        (spec, [c for c in spec.columns if c.name not in dropped.get(spec.name, ())])
        for spec in schema
        if spec.name in selected and spec.name not in skipped
    ]
    return _copy(
        source_db, dest_db, plan, skip_errors, vacuum, batch_rows, progress, tables is None
    )


def _select(known: list[str], names: Iterable[str] | None, argument: str) -> list[str]:
    if names is None:
        return list(known)
    if isinstance(names, str):
        names = [names]
    names = list(names)
    for name in names:
        if name not in known:
            raise InvalidArgumentError.for_value(argument, name, known)
    return names


def _skip_columns(
    schema: Any, skip_columns: Mapping[str, Sequence[str]] | None
) -> dict[str, set[str]]:
    if not skip_columns:
        return {}
    if not isinstance(skip_columns, Mapping):
        raise InvalidArgumentError(
            f"skip_columns={skip_columns!r} is not allowed; allowed values: a mapping "
            f"{{table: [column, ...]}}."
        )
    result = {}
    for table, columns in skip_columns.items():
        if table not in schema:
            raise InvalidArgumentError.for_value("skip_columns table", table, schema.table_names())
        spec = schema.table(table)
        names = [columns] if isinstance(columns, str) else list(columns)
        for column in names:
            if column == "id" or not spec.has_column(column):
                allowed = [c for c in spec.column_names if c != "id"]
                raise InvalidArgumentError.for_value(f"skip_columns[{table!r}]", column, allowed)
        result[table] = set(names)
    return result


def _copy(
    source_db: DatabaseHandle,
    dest_db: DatabaseHandle,
    plan: list[tuple[Table, list[Column]]],
    skip_errors: bool,
    vacuum: bool,
    batch_rows: int,
    progress: bool,
    all_present: bool,
) -> Generator[str, None, None]:
    started = time.perf_counter()
    copied: list[str] = []
    failed: list[str] = []
    with RawReader(source_db) as reader, dest_db.engine.batch_writer(dest_db) as writer:
        available = reader.tables()
        if all_present:  # default: every release table the source has
            plan = [(spec, cols) for spec, cols in plan if spec.name in available]
        writer.prepare([spec for spec, _ in plan])
        for spec, columns in plan:
            try:
                if spec.name not in available:
                    raise CopyError(f"the source has no table {spec.name!r}")
                expected = reader.count(spec.name)
                with progress_bar(spec.name, expected, progress) as update:
                    batches = reader.batches(spec.name, columns, batch_rows)
                    writer.copy(spec, columns, batches, expected, update)
            except Exception as err:
                error = CopyError(
                    f"copying table {spec.name!r} from {source_db!r} to {dest_db!r} failed: {err}"
                )
                if not skip_errors:
                    raise error from err
                logger.warning("%s; skipped (skip_errors=True)", error)
                failed.append(spec.name)
                continue
            copied.append(spec.name)
            yield spec.name
    if vacuum and copied:
        dest_db.vacuum(tables=copied)
    logger.info(
        "copied %d tables in %.2f s%s",
        len(copied),
        time.perf_counter() - started,
        f"; failed: {failed}" if failed else "",
    )


@contextlib.contextmanager
def progress_bar(
    name: str, total: int, enabled: bool
) -> Iterator[Callable[[pa.RecordBatch], None]]:
    """A progress bar of ``total`` rows (and megabytes moved) that each batch given advances."""
    from synphys_ibis import progress

    bar = progress.bar(
        total=total, desc=name, unit="row", unit_scale=True, leave=False, progress=enabled
    )
    moved = 0

    def update(batch: pa.RecordBatch) -> None:
        nonlocal moved
        moved += batch.nbytes
        bar.update(batch.num_rows)
        bar.set_postfix_str(f"{moved / 1e6:.1f} MB", refresh=False)

    try:
        yield update
    finally:
        bar.close()


# -- reading --------------------------------------------------------------------------------------
class RawReader:
    """Raw tables of a database as Arrow record batches, read through DuckDB.

    The database's engine makes the tables reachable on a DuckDB connection
    (:meth:`~synphys_ibis.engines.base.Engine.raw_tables`); this reads them there, each column
    cast to its canonical type.
    """

    def __init__(self, db: DatabaseHandle) -> None:
        self.db = db
        self._context: contextlib.AbstractContextManager[RawTables] | None = None
        self._raw: RawTables | None = None

    def __enter__(self) -> RawReader:
        self._context = self.db.engine.raw_tables(self.db)
        self._raw = self._context.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._context is not None:
            self._context.__exit__(*exc)

    @property
    def raw(self) -> RawTables:
        if self._raw is None:
            raise RuntimeError("RawReader is used outside its with block")
        return self._raw

    def tables(self) -> set[str]:
        raw = self.raw
        where = (
            f"database_name = '{raw.catalog}'"
            if raw.catalog
            else "database_name = current_database()"
        )
        rows = raw.con.execute(f"SELECT table_name FROM duckdb_tables() WHERE {where}").fetchall()
        return {r[0] for r in rows}

    def count(self, table: str) -> int:
        """The source's own row count."""
        raw = self.raw
        if raw.count is not None:
            return raw.count(table)
        return int(_duck(raw.con, f"SELECT count(*) FROM {raw.prefix}{quote(table)}").fetchone()[0])

    def batches(
        self,
        table: str,
        columns: list[Column],
        batch_rows: int,
        *,
        where: str | None = None,
        con: Any = None,
    ) -> Iterator[pa.RecordBatch]:
        """The rows of ``table`` (those matching the SQL condition ``where``), read on ``con``
        (default: the reader's connection; a cursor of it reads in another thread)."""
        raw = self.raw
        select = ", ".join(
            f"CAST({quote(c.name)} AS {_READ_TYPES[c.type]}) AS {quote(c.name)}" for c in columns
        )
        condition = f" WHERE {where}" if where else ""
        result = _duck(
            raw.con if con is None else con,
            f"SELECT {select} FROM {raw.prefix}{quote(table)}{condition}",
        )
        reader = result.to_arrow_reader(batch_rows)
        try:
            yield from reader
        finally:
            reader.close()


def _duck(con: Any, sql: str) -> Any:
    logger.debug("duckdb: %s", sql)
    return con.execute(sql)
