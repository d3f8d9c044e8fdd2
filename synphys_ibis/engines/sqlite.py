"""SQLite release files: reading one without modifying it (header, structure, metadata row,
schema version, stored columns) with the stdlib driver, and the SQLite engine
(:class:`SQLiteEngine`).

Every read opens the file through SQLite's URI ``file:PATH?mode=ro&immutable=1``: read-only, and
*immutable*, so SQLite takes no locks and never creates a ``-wal``, ``-shm`` or ``-journal`` file
beside the release, even for a file in WAL mode (``mode=ro`` alone creates ``-wal``/``-shm``
there). A published release is never written after publication, which is what ``immutable``
promises SQLite; the content of a leftover ``-wal`` file (a database still being written in WAL
mode) is not read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from synphys_ibis.engines import ddl
from synphys_ibis.engines.base import (
    Capabilities,
    DatabaseHandle,
    RawTables,
    require_empty,
    verify_counts,
)
from synphys_ibis.engines.ddl import quote
from synphys_ibis.engines.files import FileEngine
from synphys_ibis.errors import NotAReleaseError, format_value
from synphys_ibis.schema import Column, Table
from synphys_ibis.stats import duckdb_ci_lower, duckdb_ci_upper

__all__ = [
    "ENGINE",
    "SQLITE_HEADER",
    "SQLiteBatchWriter",
    "SQLiteEngine",
    "check_sqlite_header",
    "check_structure",
    "connect_readonly",
    "count_rows",
    "list_tables",
    "read_metadata",
    "read_schema_version",
    "read_table_columns",
]

logger = logging.getLogger("synphys_ibis")

SQLITE_HEADER = b"SQLite format 3\x00"
_MAIN_BANNER = "*** in database main ***"


def check_sqlite_header(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path if it exists and starts with the SQLite header.

    Raises
    ------
    FileNotFoundError
        If there is no such file (nothing is created).
    NotAReleaseError
        If the file is not a SQLite database.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such release file: {path}")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        raise NotAReleaseError(f"{path} is empty (0 bytes); a release is a SQLite database")
    if header != SQLITE_HEADER:
        raise NotAReleaseError(
            f"{path} is not a SQLite database (its first bytes are {header[:16]!r}, "
            f"expected {SQLITE_HEADER!r})"
        )
    return path


def connect_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A stdlib sqlite3 connection to ``path`` that cannot write and creates no files beside it.

    Raises
    ------
    NotAReleaseError
        If SQLite cannot open the file.
    """
    path = Path(path)
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} cannot be opened read-only: {err}") from err


def check_structure(
    path: str | os.PathLike[str],
    *,
    tables: Iterable[str] | None = None,
    max_problems: int = 10,
) -> list[str]:
    """What SQLite's ``PRAGMA quick_check`` finds wrong with ``path``; an empty list if nothing.

    ``quick_check`` reads every page of every b-tree (or of the named tables and their indexes)
    and checks page formats, cell order and sizes, and that no page is used twice or lost: a
    file cut short, bytes of a wrong offset, or an overwritten page shows up here. It does not
    check that index entries match their rows (``PRAGMA integrity_check`` does, ~6x slower), nor
    the content of values (only a known sha256 can).

    Parameters
    ----------
    path
        The SQLite file (opened read-only and immutable: nothing is written or created).
    tables
        Check only these tables (with their indexes) and the schema table; None checks the whole
        file. Names the file does not have are skipped.
    max_problems
        Stop after this many problems.

    Returns
    -------
    list of str
        SQLite's own descriptions of the problems, at most ``max_problems``.

    Raises
    ------
    NotAReleaseError
        If SQLite cannot open the file at all.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> path = synthetic.write_release(pathlib.Path(tempfile.mkdtemp()) / "r.sqlite",
    ...                                n_experiments=2)
    >>> check_structure(path), check_structure(path, tables=["pair", "cell"])
    ([], [])
    >>> data = bytearray(path.read_bytes())
    >>> data[8192:12288] = bytes(4096)  # zero one page
    >>> _ = path.write_bytes(data)
    >>> check_structure(path) != []
    True
    """
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        if tables is None:
            statements = [f"PRAGMA quick_check({int(max_problems)})"]
        else:
            present = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            wanted = ["sqlite_master", *(t for t in tables if t in present)]
            statements = [f'PRAGMA quick_check("{t}")' for t in wanted]
        problems: list[str] = []
        for statement in statements:
            for (row,) in con.execute(statement):
                problems.extend(
                    line for line in str(row).splitlines() if line not in ("ok", _MAIN_BANNER)
                )
        return problems[:max_problems]
    except sqlite3.DatabaseError as err:  # a damaged schema or first page stops the check
        return [str(err)]
    finally:
        con.close()


def read_table_columns(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """``{table: [column, ...]}`` of every table in the file (opened read-only)."""
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} cannot be read: {err}") from err
    finally:
        con.close()


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Read the ``meta`` JSON of the single ``metadata`` row, or None when the table is empty.

    The file is opened read-only and immutable (:func:`connect_readonly`): it is never modified
    and no file is created beside it.

    Raises
    ------
    NotAReleaseError
        If the file has no ``metadata`` table, several metadata rows, or unreadable metadata.
    """
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        rows = con.execute("SELECT meta FROM metadata").fetchall()
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} has no readable metadata table: {err}") from err
    finally:
        con.close()
    if not rows:
        return None
    if len(rows) > 1:
        raise NotAReleaseError(f"{path} has {len(rows)} metadata rows; a release has exactly one")
    try:
        meta = json.loads(rows[0][0]) if rows[0][0] is not None else None
    except (TypeError, ValueError, RecursionError) as err:  # RecursionError: nested too deep
        raise NotAReleaseError(
            f"{path} has a metadata row that is not JSON of a release: "
            f"{format_value(rows[0][0])} ({err})"
        ) from err
    if meta is not None and not isinstance(meta, dict):
        raise NotAReleaseError(f"{path} has metadata {format_value(meta)}; expected a JSON object")
    return meta


def read_schema_version(path: str | os.PathLike[str]) -> str | None:
    """The ``db_version`` recorded in the file's metadata row, or None if there is none."""
    meta = read_metadata(path)
    if not meta or meta.get("db_version") is None:
        return None
    return str(meta["db_version"])


# -- the engine ----------------------------------------------------------------------------------
_SOURCE = "synphys_source"
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S"  # %S includes the microseconds of a timestamp[us]


@contextlib.contextmanager
def _writing(
    path: str | os.PathLike[str], *, transaction: bool = True
) -> Iterator[sqlite3.Connection]:
    """A stdlib connection to ``path`` (one ``BEGIN IMMEDIATE`` transaction by default)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        if transaction:
            con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            if transaction:
                con.execute("ROLLBACK")
            raise
        if transaction:
            con.execute("COMMIT")
    finally:
        con.close()


def _run(con: sqlite3.Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        logger.debug("sqlite: %s", statement)
        con.execute(statement)


def list_tables(path: str | os.PathLike[str]) -> set[str]:
    """Every table of the file at ``path`` (none when there is no file), read-only."""
    if not Path(path).is_file():
        return set()
    with contextlib.closing(connect_readonly(path)) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def count_rows(path: str | os.PathLike[str], table: str) -> int:
    """``count(*)`` of ``table`` (SQLite counts its b-tree far faster than a scan)."""
    with contextlib.closing(connect_readonly(path)) as con:
        return int(con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0])


class SQLiteBatchWriter:
    """Writes Arrow batches into a SQLite file: one prepared INSERT executed over each batch.

    Datetimes are written as the published text (``YYYY-MM-DD HH:MM:SS.ffffff``).
    """

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def prepare(self, tables: Sequence[Table]) -> None:
        """Nothing to prepare: SQLite does not enforce the foreign keys."""

    def copy(
        self,
        spec: Table,
        columns: list[Column],
        batches: Iterator[pa.RecordBatch],
        expected: int,
        update: Callable[[pa.RecordBatch], None],
    ) -> int:
        con = self.con
        target = quote(spec.name)
        names = ", ".join(quote(c.name) for c in columns)
        insert = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' * len(columns))})"
        logger.debug("sqlite: %s (per batch)", insert)
        con.execute("BEGIN IMMEDIATE")
        try:
            require_empty(spec.name, con.execute(f"SELECT count(*) FROM {target}").fetchone()[0])
            written = 0
            for batch in batches:
                values = [_values(batch.column(i), c) for i, c in enumerate(columns)]
                con.executemany(insert, zip(*values, strict=True))
                written += batch.num_rows
                update(batch)
            held = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
            verify_counts(spec.name, expected, written, held)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return written


def _values(array: pa.Array | pa.ChunkedArray, column: Column) -> list[Any]:
    if column.type == "datetime":
        array = pc.strftime(array, format=_SQLITE_DATETIME)
    return array.to_pylist()


class SQLiteEngine(FileEngine):
    """A SQLite release file (``sqlite:///``), reached through three drivers.

    * **Reads** run on DuckDB with the file attached read-only, optionally through a native
      DuckDB copy of the query tables (:func:`synphys_ibis.engines.open_sqlite_release`).
    * **The read-write connection** is Ibis' SQLite backend (``ibis.sqlite.connect``).
    * **Metadata, header and schema reads, DDL and batch writes** use the stdlib ``sqlite3``
      driver, so the published DDL text is stored verbatim and nothing else touches the file.
    """

    name = "sqlite"
    capabilities = Capabilities(
        writable=True,
        dataset=False,
        raw_batches=True,
        normalize_stored_types=False,
        temp_views=True,
        single_open_mode=False,
        planner_statistics=False,
        local_file=True,
        interval_functions=(duckdb_ci_lower, duckdb_ci_upper),
    )

    def open_reader(self, db: DatabaseHandle) -> Any:
        from synphys_ibis import settings
        from synphys_ibis.engines import open_sqlite_release

        return open_sqlite_release(
            db.require_path(),
            db.schema_version,
            native=settings.native_cache_enabled(db.native_cache),
            cache=db.cache_dir,
            progress=db.progress,
        )

    def open_writer(self, db: DatabaseHandle) -> Any:
        import ibis

        return ibis.sqlite.connect(db.require_name())

    def read_metadata(self, db: DatabaseHandle) -> dict[str, Any] | None:
        return read_metadata(db.require_path())

    def stored_columns(self, db: DatabaseHandle) -> dict[str, list[str]]:
        return read_table_columns(db.require_path())

    def list_tables(self, db: DatabaseHandle) -> set[str]:
        return list_tables(db.require_name())

    def create_schema(
        self,
        db: DatabaseHandle,
        tables: Sequence[Table],
        *,
        present: set[str],
        indexes: bool,
        foreign_keys: bool,
        boolean_checks: bool | None,
    ) -> None:
        """The complete published statements (SQLite's foreign keys are part of CREATE TABLE)."""
        statements = ddl.sqlite_ddl(db.schema_version, boolean_checks=boolean_checks)
        db.rw  # noqa: B018 - checks that the database is writable
        with _writing(db.require_name()) as con:
            for table in tables:
                own = statements[table.name]
                _run(con, [own.create, *(own.indexes if indexes else ())])

    def finish_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        published = ddl.sqlite_ddl(db.schema_version)
        with _writing(db.require_name()) as con:
            _run(con, [s for t in tables for s in published[t.name].indexes])

    def drop_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        db.rw  # noqa: B018 - checks that the database is writable
        with _writing(db.require_name()) as con:
            _run(con, [f"DROP TABLE {quote(t.name)}" for t in tables])

    def vacuum(self, db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool) -> None:
        db.rw  # noqa: B018 - checks that the database is writable
        with _writing(db.require_name(), transaction=False) as con:
            if analyze:
                _run(
                    con,
                    ["ANALYZE"] if tables is None else [f"ANALYZE {quote(t.name)}" for t in tables],
                )
            _run(con, ["VACUUM"])

    def insert_metadata(self, db: DatabaseHandle, meta_json: str) -> None:
        db.rw  # noqa: B018 - checks that the database is writable
        with _writing(db.require_name()) as con:
            logger.debug("sqlite: INSERT INTO metadata (id, meta) VALUES (1, ?)")
            con.execute("INSERT INTO metadata (id, meta) VALUES (1, ?)", [meta_json])

    @contextlib.contextmanager
    def raw_tables(self, db: DatabaseHandle) -> Iterator[RawTables]:
        """The file attached read-only to a new DuckDB connection; row counts from SQLite."""
        from synphys_ibis.engines.duckdb import attach_sqlite, connect

        path = db.require_path()
        backend = connect(cache=db.cache_dir)
        try:
            attach_sqlite(backend.con, path, alias=_SOURCE, read_only=True)
            yield RawTables(
                backend.con,
                prefix=f"{_SOURCE}.",
                catalog=_SOURCE,
                count=lambda table: count_rows(path, table),
            )
        finally:
            with contextlib.suppress(Exception):
                backend.disconnect()

    @contextlib.contextmanager
    def batch_writer(self, db: DatabaseHandle) -> Iterator[SQLiteBatchWriter]:
        db.rw  # noqa: B018 - checks that the database is writable
        con = sqlite3.connect(db.require_path(), isolation_level=None)
        try:
            con.execute("PRAGMA synchronous = OFF")
            yield SQLiteBatchWriter(con)
        finally:
            con.close()
            db.reset_reader()


ENGINE = SQLiteEngine()
