"""DuckDB connections with offline extensions and read-only SQLite attachments.

DuckDB normally downloads its ``sqlite_scanner`` and ``postgres_scanner`` extensions on first use,
which fails without internet. The official signed binaries are published on PyPI as
``duckdb-extension-*`` wheels for DuckDB 1.5.5; they are installed from the wheel into a
project-local extension directory (under the synphys_ibis cache), with signature checks left on.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends.duckdb import Backend as DuckDBBackend
from ibis.expr.types import Expr

from synphys_ibis import locks, settings
from synphys_ibis.engines import ddl
from synphys_ibis.engines.base import (
    Capabilities,
    DatabaseHandle,
    RawTables,
    require_empty,
    verify_counts,
)
from synphys_ibis.engines.compiled import CompiledSQLCache
from synphys_ibis.engines.ddl import quote
from synphys_ibis.engines.duckdb_readonly import ReadOnlyStatements, read_only_setup
from synphys_ibis.engines.execution import QueryErrors
from synphys_ibis.engines.files import FileEngine
from synphys_ibis.errors import ExtensionLoadError, NotAReleaseError
from synphys_ibis.schema import Column, Table, load_schema
from synphys_ibis.schema.normalize import raw_sqlite_schema, typed_table
from synphys_ibis.stats import duckdb_ci_lower, duckdb_ci_upper, register_duckdb_functions

__all__ = [
    "DUCKDB_VERSION",
    "ENGINE",
    "RELEASE_CATALOG",
    "DuckDBBatchWriter",
    "DuckDBEngine",
    "attach_sqlite",
    "connect",
    "create_typed_views",
    "extension_directory",
    "load_extension",
    "typed_sqlite_select",
]

logger = logging.getLogger("synphys_ibis")

#: The DuckDB version whose extension wheels exist offline.
DUCKDB_VERSION = "1.5.5"
#: The catalog name under which a SQLite release file is attached.
RELEASE_CATALOG = "release"

ExtensionName = Literal["sqlite_scanner", "postgres_scanner"]
_WHEELS = {
    "sqlite_scanner": "duckdb-extension-sqlite-scanner",
    "postgres_scanner": "duckdb-extension-postgres-scanner",
}


def extension_directory(cache: str | Path | None = None) -> Path:
    """The project-local directory DuckDB extensions are installed into."""
    return settings.cache_dir(cache) / "duckdb-extensions"


def _check_duckdb_version() -> None:
    if duckdb.__version__ != DUCKDB_VERSION:
        raise ExtensionLoadError(
            f"duckdb {duckdb.__version__} is installed, but the offline extension wheels exist "
            f"only for duckdb {DUCKDB_VERSION}; install it with: pip install duckdb=={DUCKDB_VERSION}"
        )


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert query results to pandas with stable, nullable dtypes.

    Integers become ``Int64`` and booleans ``boolean`` (pandas' nullable types, so a NULL stays
    missing instead of turning the column into floats or Python objects, as aisynphys'
    dataframes did for integers); floats stay ``float64`` with NaN for NULL.
    """
    mapping = {
        pa.int8(): pd.Int64Dtype(),
        pa.int16(): pd.Int64Dtype(),
        pa.int32(): pd.Int64Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    return table.to_pandas(types_mapper=mapping.get)


class SynphysDuckDBBackend(ReadOnlyStatements, QueryErrors, CompiledSQLCache, DuckDBBackend):
    """Ibis' DuckDB backend with two fast paths for the queries synphys_ibis hands out.

    * ``compile`` is memoised by expression (:class:`~synphys_ibis.engines.compiled.CompiledSQLCache`),
      so running a query again does not compile it again.
    * Ibis 12 turns every column that holds a NULL into Python objects on its way to pandas,
      which doubles the time of a wide query; converting the Arrow result directly keeps numeric
      columns numeric and is several times faster.

    A read-only connection refuses writing statements
    (:class:`~synphys_ibis.engines.duckdb_readonly.ReadOnlyStatements`); DuckDB's errors while a
    query runs are :class:`~synphys_ibis.errors.QueryError`
    (:class:`~synphys_ibis.engines.execution.QueryErrors`).
    """

    _synphys_engine_errors = (duckdb.Error, pa.ArrowException)
    _synphys_engine_label = "DuckDB"

    def execute(
        self,
        expr: Expr,
        /,
        *,
        params: Mapping[Any, Any] | None = None,
        limit: int | str | None = None,
        **kwargs: Any,
    ) -> Any:
        table = self.to_pyarrow(expr.as_table(), params=params, limit=limit, **kwargs)
        return expr.__pandas_result__(arrow_to_pandas(table))


def connect(
    database: str | Path = ":memory:", *, read_only: bool = False, cache: str | Path | None = None
) -> SynphysDuckDBBackend:
    """Open an Ibis DuckDB connection that loads extensions from the local extension directory."""
    _check_duckdb_version()
    ext_dir = extension_directory(cache)
    ext_dir.mkdir(parents=True, exist_ok=True)
    con = SynphysDuckDBBackend().connect(
        str(database),
        read_only=read_only,
        extension_directory=str(ext_dir),
        # never the network: extensions come from their wheels (load_extension), nothing else
        autoinstall_known_extensions=False,
        autoload_known_extensions=False,
    )
    # Queries of connectivity matrices call these; every connection the library opens has them.
    register_duckdb_functions(con)
    return con


def _extension_file(name: ExtensionName) -> Path:
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError as err:
        raise ExtensionLoadError(
            f"DuckDB's {name} extension is not installed; install it with: "
            f"pip install {_WHEELS[name]}=={DUCKDB_VERSION}"
        ) from err
    path = Path(str(module.__file__)).parent / "extensions" / f"v{DUCKDB_VERSION}"
    return path / f"{name}.duckdb_extension"


def load_extension(con: DuckDBBackend | duckdb.DuckDBPyConnection, name: ExtensionName) -> None:
    """Install ``name`` from its PyPI wheel if needed, then load it, without network access.

    The install runs under a file lock in the extension directory: processes opening their first
    release at once install it one after another (DuckDB's own install of one extension by
    several processes fails with ``Could not set lock on file``), and those that waited find it
    installed.
    """
    raw: Any = con.con if isinstance(con, DuckDBBackend) else con
    state = _extension_state(raw, name)
    if state == "loaded":
        return
    try:
        if state == "missing":
            directory = Path(
                raw.execute("SELECT current_setting('extension_directory')").fetchone()[0]
            )
            with locks.held(directory / f"{name}.install.lock", doing=f"installing {name}"):
                if _extension_state(raw, name) == "missing":  # not installed while we waited
                    execute_logged(raw, f"INSTALL '{_extension_file(name)}'")
        raw.execute(f"LOAD {name}")
    except duckdb.Error as err:
        raise ExtensionLoadError(
            f"could not load DuckDB's {name} extension offline ({err}); reinstall it with: "
            f"pip install --force-reinstall {_WHEELS[name]}=={DUCKDB_VERSION}"
        ) from err


def _extension_state(raw: Any, name: ExtensionName) -> Literal["missing", "installed", "loaded"]:
    row = raw.execute(
        "SELECT installed, loaded FROM duckdb_extensions() WHERE extension_name = ?", [name]
    ).fetchone()
    if row and row[1]:
        return "loaded"
    return "installed" if row and row[0] else "missing"


def attach_sqlite(
    con: DuckDBBackend | duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    *,
    alias: str = RELEASE_CATALOG,
    read_only: bool = True,
    load_scanner: bool = True,
) -> None:
    """Attach a SQLite file as catalog ``alias``; read-only unless ``read_only=False``.

    ``load_scanner=False`` when the sqlite scanner is loaded already (a connection whose
    external access is off cannot even list its extensions).
    """
    if load_scanner:
        load_extension(con, "sqlite_scanner")
    raw: Any = con.con if isinstance(con, DuckDBBackend) else con
    # Connections to one DuckDB file in one process share its attachments.
    attached = raw.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = ?", [alias]
    ).fetchone()
    if attached is not None:
        if Path(attached[0]).resolve() == Path(path).resolve():
            return
        raise NotAReleaseError(
            f"cannot attach {path} as {alias!r}: {attached[0]} is already attached under that name"
        )
    mode = ", READ_ONLY" if read_only else ""
    quoted = str(path).replace("'", "''")
    try:
        raw.execute(f"ATTACH '{quoted}' AS \"{alias}\" (TYPE sqlite{mode})")
    except duckdb.Error as err:
        raise NotAReleaseError(f"{path} cannot be opened as a SQLite database: {err}") from err
    logger.debug("attached %s as %s (read_only=%s)", path, alias, read_only)


@cache
def typed_sqlite_select(schema_version: str, table: str) -> str:
    """DuckDB SQL selecting ``table`` of the attached release with its logical column types."""
    spec = load_schema(schema_version).table(table)
    raw = ibis.table(raw_sqlite_schema(spec), name=table, catalog=RELEASE_CATALOG, database="main")
    return ibis.to_sql(typed_table(raw, spec), dialect="duckdb")


def create_typed_views(
    con: DuckDBBackend, schema_version: str, *, skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Create a TEMP VIEW per release table (except ``skip``) exposing it with logical types.

    Temporary views work on read-only connections and shadow nothing the user owns; each view
    has the table's own name, so ``con.table("pair")`` is the typed pair table.
    """
    present = set(con.list_tables(database=(RELEASE_CATALOG, "main")))
    created = []
    for spec in load_schema(schema_version):
        if spec.name in skip or spec.name not in present:
            continue
        select = typed_sqlite_select(schema_version, spec.name)
        con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{spec.name}" AS {select}')
        created.append(spec.name)
    return created


# -- the engine ----------------------------------------------------------------------------------
def run_statements(con: Any, statements: Sequence[str], *, transaction: bool = True) -> None:
    """Run ``statements`` on a DuckDB connection (raw or Ibis), in one transaction by default."""
    raw = con.con if isinstance(con, DuckDBBackend) else con
    if transaction:
        raw.execute("BEGIN")
    try:
        for statement in statements:
            logger.debug("duckdb: %s", statement)
            raw.execute(statement)
    except BaseException:
        if transaction:
            raw.execute("ROLLBACK")
        raise
    if transaction:
        raw.execute("COMMIT")


def execute_logged(con: Any, sql: str) -> Any:
    """``con.execute(sql)``, logged at DEBUG."""
    logger.debug("duckdb: %s", sql)
    return con.execute(sql)


class DuckDBBatchWriter:
    """Writes Arrow batches into tables reachable on a DuckDB connection (``INSERT ... SELECT``).

    The tables are the connection's own (a DuckDB file) or those of a database attached under
    ``prefix`` (PostgreSQL through the postgres scanner, which sends each batch with a binary
    ``COPY``). ``before`` runs before loading; ``after_table(spec)`` after each table holding rows.
    """

    def __init__(
        self,
        con: Any,
        prefix: str = "",
        *,
        before: Callable[[Sequence[Table]], None] | None = None,
        after_table: Callable[[Table], None] | None = None,
    ) -> None:
        self.con = con
        self.prefix = prefix
        self._before = before
        self._after_table = after_table

    def prepare(self, tables: Sequence[Table]) -> None:
        if self._before is not None:
            self._before(tables)

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
        execute_logged(con, "BEGIN")
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
            held = execute_logged(con, f"SELECT count(*) FROM {target}").fetchone()[0]
            require_empty(spec.name, held - written)
            verify_counts(spec.name, expected, written, held)
            execute_logged(con, "COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                execute_logged(con, "ROLLBACK")
            raise
        if self._after_table is not None and written:
            self._after_table(spec)
        return written


class DuckDBEngine(FileEngine):
    """A DuckDB database file (``duckdb:///``): a native copy of a release, or one being built."""

    name = "duckdb"
    capabilities = Capabilities(
        writable=True,
        dataset=False,
        raw_batches=True,
        normalize_stored_types=False,
        temp_views=False,
        single_open_mode=True,
        planner_statistics=True,
        local_file=True,
        interval_functions=(duckdb_ci_lower, duckdb_ci_upper),
    )

    def open_reader(self, db: DatabaseHandle) -> SynphysDuckDBBackend:
        """The file opened read-only, with external access off and its configuration locked."""
        con = connect(db.require_path(), read_only=True, cache=db.cache_dir)
        with read_only_setup(con):
            pass
        return con

    def open_writer(self, db: DatabaseHandle) -> SynphysDuckDBBackend:
        return connect(db.require_name(), cache=db.cache_dir)

    def read_metadata(self, db: DatabaseHandle) -> dict[str, Any] | None:
        """None: a DuckDB file's metadata row is not read (its schema version is as given)."""
        return None

    def list_tables(self, db: DatabaseHandle) -> set[str]:
        if not Path(db.require_name()).is_file():
            return set()
        con = db.current_writer if db.current_writer is not None else db.ro
        return set(con.list_tables())

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
        create = [ddl.duckdb_create_table(t) for t in tables]
        if indexes:
            create += [s for t in tables for s in ddl.duckdb_indexes(t)]
        run_statements(db.rw, create)

    def finish_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        run_statements(db.rw, [s for t in tables for s in ddl.duckdb_indexes(t)])

    def drop_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        run_statements(db.rw, [f"DROP TABLE {quote(t.name)}" for t in tables])

    def vacuum(self, db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool) -> None:
        targets = [""] if tables is None else [f" {quote(t.name)}" for t in tables]
        statements = [f"ANALYZE{t}" for t in targets] if analyze else []
        run_statements(db.rw, [*statements, "CHECKPOINT"], transaction=False)

    def analyze(self, db: DatabaseHandle) -> None:
        run_statements(db.rw, ["ANALYZE"], transaction=False)

    def insert_metadata(self, db: DatabaseHandle, meta_json: str) -> None:
        logger.debug("duckdb: INSERT INTO metadata (id, meta) VALUES (1, ?)")
        db.rw.con.execute("INSERT INTO metadata (id, meta) VALUES (1, ?)", [meta_json])

    @contextlib.contextmanager
    def raw_tables(self, db: DatabaseHandle) -> Iterator[RawTables]:
        cursor = db.ro.con.cursor()
        try:
            yield RawTables(cursor, prefix="", catalog=None)
        finally:
            cursor.close()

    @contextlib.contextmanager
    def batch_writer(self, db: DatabaseHandle) -> Iterator[DuckDBBatchWriter]:
        cursor = db.rw.con.cursor()
        try:
            yield DuckDBBatchWriter(cursor)
        finally:
            cursor.close()
            db.reset_reader()


ENGINE = DuckDBEngine()
