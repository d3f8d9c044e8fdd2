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
import sqlite3
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from synphys_ibis.errors import CopyError, InvalidArgumentError
from synphys_ibis.maintenance.ddl import DUCKDB_TYPES, quote
from synphys_ibis.schema import Column, Table, load_schema

if TYPE_CHECKING:
    from synphys_ibis.database import Database

__all__ = ["DEFAULT_BATCH_ROWS", "iter_copy_tables"]

logger = logging.getLogger("synphys_ibis")

#: Rows per Arrow record batch: memory use is about this times the width of a row.
DEFAULT_BATCH_ROWS = 20_000

# The DuckDB type every logical type is read as (and so its Arrow type in the batches): the
# column types of a DuckDB database, with every integer widened to 64 bits.
_READ_TYPES = {**DUCKDB_TYPES, "int": "BIGINT"}
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S"  # %S includes the microseconds of a timestamp[us]
_SOURCE, _DEST = "synphys_source", "synphys_dest"


def iter_copy_tables(
    source_db: Database,
    dest_db: Database,
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
        from synphys_ibis.errors import ReadOnlyError

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
    source_db: Database,
    dest_db: Database,
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
    with _Reader(source_db) as reader, _open_writer(dest_db) as writer:
        available = reader.tables()
        if all_present:  # default: every release table the source has
            plan = [(spec, cols) for spec, cols in plan if spec.name in available]
        writer.prepare([spec for spec, _ in plan])
        for spec, columns in plan:
            try:
                if spec.name not in available:
                    raise CopyError(f"the source has no table {spec.name!r}")
                expected = reader.count(spec.name)
                with _progress_bar(spec.name, expected, progress) as update:
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
def _progress_bar(
    name: str, total: int, enabled: bool
) -> Iterator[Callable[[pa.RecordBatch], None]]:
    from tqdm.auto import tqdm

    bar = tqdm(
        total=total,
        desc=name,
        unit="row",
        unit_scale=True,
        leave=False,
        disable=None if enabled else True,
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
class _Reader:
    """Raw tables of a database, read through DuckDB as Arrow record batches."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._backend: Any = None
        self.con: Any = None
        self.prefix = ""

    def __enter__(self) -> _Reader:
        from synphys_ibis.engines.duckdb import attach_sqlite, connect, load_extension

        db = self.db
        if db.backend == "duckdb":
            self.con = db.ro.con.cursor()
            return self
        self._backend = connect(cache=db._cache_dir)
        raw = self._backend.con
        if db.backend == "sqlite":
            attach_sqlite(raw, db._require_path(), alias=_SOURCE, read_only=True)
        else:
            load_extension(raw, "postgres_scanner")
            info = db._pg_url(readonly=True).conninfo(db._require_name())
            _duck(raw, f"ATTACH '{_literal(info)}' AS {_SOURCE} (TYPE postgres, READ_ONLY)")
        self.con = raw
        self.prefix = f"{_SOURCE}."
        return self

    def __exit__(self, *exc: object) -> None:
        if self._backend is not None:
            with contextlib.suppress(Exception):
                self._backend.disconnect()
        elif self.con is not None:
            self.con.close()

    def tables(self) -> set[str]:
        catalog = _SOURCE if self.prefix else "current_database()"
        where = f"database_name = '{catalog}'" if self.prefix else f"database_name = {catalog}"
        rows = self.con.execute(f"SELECT table_name FROM duckdb_tables() WHERE {where}").fetchall()
        return {r[0] for r in rows}

    def count(self, table: str) -> int:
        """The source's own row count (SQLite counts its b-tree far faster than a scan)."""
        if self.db.backend == "sqlite":
            from synphys_ibis.engines.sqlite import connect_readonly  # no -wal/-shm beside it

            with contextlib.closing(connect_readonly(self.db._require_path())) as con:
                return int(con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0])
        return int(
            _duck(self.con, f"SELECT count(*) FROM {self.prefix}{quote(table)}").fetchone()[0]
        )

    def batches(
        self, table: str, columns: list[Column], batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        select = ", ".join(
            f"CAST({quote(c.name)} AS {_READ_TYPES[c.type]}) AS {quote(c.name)}" for c in columns
        )
        result = _duck(self.con, f"SELECT {select} FROM {self.prefix}{quote(table)}")
        reader = result.to_arrow_reader(batch_rows)
        try:
            yield from reader
        finally:
            reader.close()


# -- writing --------------------------------------------------------------------------------------
def _open_writer(db: Database) -> _SQLiteWriter | _DuckDBWriter:
    if db.backend == "sqlite":
        return _SQLiteWriter(db)
    return _DuckDBWriter(db)


class _SQLiteWriter:
    """Writes batches into a SQLite file with one prepared INSERT executed over each batch."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.con: sqlite3.Connection | None = None

    def __enter__(self) -> _SQLiteWriter:
        self.db.rw  # noqa: B018 - checks that the database is writable
        self.con = sqlite3.connect(self.db._require_path(), isolation_level=None)
        self.con.execute("PRAGMA synchronous = OFF")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.con is not None:
            self.con.close()
        self.db._reset_reader()

    def prepare(self, tables: Sequence[Table]) -> None:
        pass

    def copy(
        self,
        spec: Table,
        columns: list[Column],
        batches: Iterator[pa.RecordBatch],
        expected: int,
        update: Callable[[pa.RecordBatch], None],
    ) -> int:
        assert self.con is not None
        con = self.con
        target = quote(spec.name)
        names = ", ".join(quote(c.name) for c in columns)
        insert = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' * len(columns))})"
        logger.debug("sqlite: %s (per batch)", insert)
        con.execute("BEGIN IMMEDIATE")
        try:
            _require_empty(spec.name, con.execute(f"SELECT count(*) FROM {target}").fetchone()[0])
            written = 0
            for batch in batches:
                values = [_sqlite_values(batch.column(i), c) for i, c in enumerate(columns)]
                con.executemany(insert, zip(*values, strict=True))
                written += batch.num_rows
                update(batch)
            held = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
            _verify(spec.name, expected, written, held)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return written


def _sqlite_values(array: pa.Array | pa.ChunkedArray, column: Column) -> list[Any]:
    if column.type == "datetime":
        array = pc.strftime(array, format=_SQLITE_DATETIME)
    return array.to_pylist()


class _DuckDBWriter:
    """Writes batches into PostgreSQL (through DuckDB's postgres scanner) or a DuckDB file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._backend: Any = None
        self.con: Any = None
        self.prefix = ""
        self._dropped_keys: list[tuple[str, str, str]] = []

    def __enter__(self) -> _DuckDBWriter:
        from synphys_ibis.engines.duckdb import connect, load_extension

        db = self.db
        if db.backend == "duckdb":
            self.con = db.rw.con.cursor()
            return self
        db.rw  # noqa: B018 - checks that the database is writable
        self._backend = connect(cache=db._cache_dir)
        raw = self._backend.con
        load_extension(raw, "postgres_scanner")
        info = db._pg_url(readonly=False).conninfo(db._require_name())
        _duck(raw, f"ATTACH '{_literal(info)}' AS {_DEST} (TYPE postgres)")
        self.con = raw
        self.prefix = f"{_DEST}."
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._backend is not None:
                with contextlib.suppress(Exception):
                    _duck(self.con, f"DETACH {_DEST}")
                with contextlib.suppress(Exception):
                    self._backend.disconnect()
            elif self.con is not None:
                self.con.close()
        finally:
            self._restore_keys()
            self.db._reset_reader()

    def prepare(self, tables: Sequence[Table]) -> None:
        """PostgreSQL: drop the foreign keys of ``tables`` while loading (restored after)."""
        if self.db.backend != "postgresql":
            return
        from synphys_ibis.engines import postgres

        keys = postgres.foreign_keys(self.db.rw, [t.name for t in tables])
        for table, name, _definition in keys:
            postgres.execute(
                self.db.rw, f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"
            )
        self._dropped_keys = keys

    def _restore_keys(self) -> None:
        if not self._dropped_keys:
            return
        from synphys_ibis.engines import postgres

        keys, self._dropped_keys = self._dropped_keys, []
        for table, name, definition in keys:
            postgres.execute(
                self.db.rw,
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                f"{postgres.without_not_valid(definition)} NOT VALID",
            )

    def copy(
        self,
        spec: Table,
        columns: list[Column],
        batches: Iterator[pa.RecordBatch],
        expected: int,
        update: Callable[[pa.RecordBatch], None],
    ) -> int:
        con = self.con
        target = f"{self.prefix}{quote(spec.name)}"
        names = ", ".join(quote(c.name) for c in columns)
        insert = f"INSERT INTO {target} ({names}) SELECT {names} FROM __synphys_batch"
        _duck(con, "BEGIN")
        try:
            written = 0
            logger.debug("duckdb: %s (per batch)", insert)
            for batch in batches:
                con.register("__synphys_batch", pa.Table.from_batches([batch]))
                try:
                    con.execute(insert)
                finally:
                    con.unregister("__synphys_batch")
                written += batch.num_rows
                update(batch)
            # counted after loading (one round trip less per table): rows found beyond those
            # written were there before, and the table was not empty
            held = _duck(con, f"SELECT count(*) FROM {target}").fetchone()[0]
            _require_empty(spec.name, held - written)
            _verify(spec.name, expected, written, held)
            _duck(con, "COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                _duck(con, "ROLLBACK")
            raise
        if self.db.backend == "postgresql" and written:
            from synphys_ibis.engines import postgres
            from synphys_ibis.maintenance.ddl import postgres_reset_sequence

            postgres.execute(self.db.rw, postgres_reset_sequence(spec))
        return written


# -- helpers --------------------------------------------------------------------------------------
def _duck(con: Any, sql: str) -> Any:
    logger.debug("duckdb: %s", sql)
    return con.execute(sql)


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _require_empty(table: str, rows: int) -> None:
    if rows > 0:
        raise CopyError(
            f"destination table {table!r} already holds {rows} rows; copies go into empty tables "
            f"(drop_tables() and create_tables() it first, or clone into a new database)"
        )


def _verify(table: str, expected: int, written: int, held: int) -> None:
    if not expected == written == held:
        raise CopyError(
            f"row counts of {table!r} differ: source {expected}, written {written}, "
            f"destination {held}"
        )
