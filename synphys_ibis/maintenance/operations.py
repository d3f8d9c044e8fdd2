"""Schema maintenance on each backend: create, drop, index, vacuum, list tables.

:class:`~synphys_ibis.database.Database` validates arguments and calls these; each function
switches on the backend and runs the statements of :mod:`synphys_ibis.maintenance.ddl` on the database's
read-write connection, one transaction per call where the backend allows it. Every executed
statement is logged at DEBUG on the ``synphys_ibis`` logger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synphys_ibis.maintenance import ddl
from synphys_ibis.maintenance.ddl import quote
from synphys_ibis.schema import Table

if TYPE_CHECKING:
    from synphys_ibis.database import Database

__all__ = [
    "RELEASE_ORIGIN",
    "analyze",
    "create_database",
    "create_schema",
    "drop_database",
    "drop_schema",
    "finish_schema",
    "insert_metadata",
    "list_tables",
    "vacuum",
]

logger = logging.getLogger("synphys_ibis")

#: The ``origin`` recorded in the metadata row of every release.
RELEASE_ORIGIN = "Allen Institute for Brain Science / Synaptic Physiology"


# -- SQLite (through the stdlib driver, so the published DDL text is stored verbatim) ------------
@contextlib.contextmanager
def _sqlite(
    path: str | os.PathLike[str], *, transaction: bool = True
) -> Iterator[sqlite3.Connection]:
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


def _sqlite_run(con: sqlite3.Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        logger.debug("sqlite: %s", statement)
        con.execute(statement)


def _sqlite_tables(path: str) -> set[str]:
    if not Path(path).is_file():
        return set()
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# -- DuckDB and PostgreSQL (through the Ibis connection) ------------------------------------------
def _duckdb_run(db: Database, statements: Sequence[str], *, transaction: bool = True) -> None:
    raw = db.rw.con
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


def _postgres_run(con: Any, statements: Sequence[str], *, transaction: bool = True) -> None:
    raw = con.con
    if not transaction:
        from synphys_ibis.engines.postgres import execute

        for statement in statements:
            execute(con, statement)
        return
    with raw.cursor() as cursor, raw.transaction():
        for statement in statements:
            logger.debug("postgres: %s", statement)
            cursor.execute(statement)


# -- public functions ----------------------------------------------------------------------------
def create_database(db: Database) -> None:
    """CREATE DATABASE on PostgreSQL; nothing for files (they are created on first write)."""
    if db.backend == "postgresql":
        from synphys_ibis.engines import postgres

        postgres.create_database(db.maint, db._require_name())


def drop_database(db: Database, *, force: bool = False) -> None:
    """Delete a database file (and its journal/WAL) or DROP a PostgreSQL database."""
    name = db._require_name()
    if db.backend == "postgresql":
        from synphys_ibis.engines import postgres

        postgres.drop_database(db.maint, name, force=force)
        return
    for suffix in ("", "-journal", "-wal", ".wal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name + suffix)


def list_tables(db: Database) -> set[str]:
    """Names of the tables in the database (any table, not only release tables)."""
    if db.backend == "sqlite":
        return _sqlite_tables(db._require_name())
    if db.backend == "duckdb":
        if not Path(db._require_name()).is_file():
            return set()
        con = db._rw if db._rw is not None else db.ro
        return set(con.list_tables())
    return set(db.ro.list_tables())


def create_schema(
    db: Database,
    tables: Sequence[Table],
    *,
    indexes: bool,
    foreign_keys: bool,
    boolean_checks: bool | None = None,
) -> list[Table]:
    """Create ``tables`` that do not exist yet; return those created.

    ``indexes``/``foreign_keys`` False leaves them to :func:`finish_schema` (bulk loads). SQLite
    always gets the complete published statements (its foreign keys are part of CREATE TABLE),
    with the boolean CHECK constraints of ``boolean_checks`` (see
    :func:`synphys_ibis.schema.ddl`; None: as the version's published files).
    """
    present = list_tables(db)
    new = [t for t in tables if t.name not in present]
    if not new:
        return []
    if db.backend == "sqlite":
        statements = ddl.sqlite_ddl(db.schema_version, boolean_checks=boolean_checks)
        db.rw  # noqa: B018 - checks that the database is writable
        with _sqlite(db._require_name()) as con:
            for table in new:
                own = statements[table.name]
                _sqlite_run(con, [own.create, *(own.indexes if indexes else ())])
    elif db.backend == "duckdb":
        create = [ddl.duckdb_create_table(t) for t in new]
        _duckdb_run(
            db, create + ([s for t in new for s in ddl.duckdb_indexes(t)] if indexes else [])
        )
    else:
        names = {t.name for t in new} | present
        create = [ddl.postgres_create_table(t) for t in new]
        if indexes:
            create += [s for t in new for s in ddl.postgres_indexes(t)]
        if foreign_keys:
            create += _postgres_foreign_keys(new, names, not_valid=False)
        _postgres_run(db.rw, create)
    return new


def _postgres_foreign_keys(
    tables: Sequence[Table], present: set[str], *, not_valid: bool
) -> list[str]:
    statements = []
    for table in tables:
        for fk, statement in zip(
            table.foreign_keys, ddl.postgres_foreign_keys(table, not_valid=not_valid), strict=True
        ):
            if fk.table in present:
                statements.append(statement)
            else:
                logger.warning(
                    "not declaring %s.%s -> %s: table %s does not exist",
                    table.name,
                    fk.column,
                    fk.table,
                    fk.table,
                )
    return statements


def finish_schema(db: Database, tables: Sequence[Table]) -> None:
    """After a bulk load: create the indexes (and PostgreSQL foreign keys) of ``tables``.

    PostgreSQL foreign keys are added ``NOT VALID``: rows already loaded are not checked (a
    release may reference rows that were not published), new rows are.
    """
    if not tables:
        return
    if db.backend == "sqlite":
        published = ddl.sqlite_ddl(db.schema_version)
        with _sqlite(db._require_name()) as con:
            _sqlite_run(con, [s for t in tables for s in published[t.name].indexes])
    elif db.backend == "duckdb":
        _duckdb_run(db, [s for t in tables for s in ddl.duckdb_indexes(t)])
    else:
        present = list_tables(db)
        statements = [s for t in tables for s in ddl.postgres_indexes(t)]
        statements += _postgres_foreign_keys(tables, present, not_valid=True)
        statements += [ddl.postgres_reset_sequence(t) for t in tables]
        _postgres_run(db.rw, statements)
    db._reset_reader()


def drop_schema(db: Database, tables: Sequence[Table]) -> None:
    """Drop ``tables`` (which exist), children first."""
    if not tables:
        return
    ordered = list(reversed(tables))
    if db.backend == "sqlite":
        db.rw  # noqa: B018 - checks that the database is writable
        with _sqlite(db._require_name()) as con:
            _sqlite_run(con, [f"DROP TABLE {quote(t.name)}" for t in ordered])
    elif db.backend == "duckdb":
        _duckdb_run(db, [f"DROP TABLE {quote(t.name)}" for t in ordered])
    else:
        names = ", ".join(quote(t.name) for t in ordered)
        _postgres_run(db.rw, [f"DROP TABLE {names} CASCADE"])


def vacuum(db: Database, tables: Sequence[Table] | None, *, analyze: bool) -> None:
    """VACUUM (and, with ``analyze``, ANALYZE) ``tables`` or the whole database."""
    if db.backend == "sqlite":
        db.rw  # noqa: B018 - checks that the database is writable
        with _sqlite(db._require_name(), transaction=False) as con:
            if analyze:
                _sqlite_run(
                    con,
                    ["ANALYZE"] if tables is None else [f"ANALYZE {quote(t.name)}" for t in tables],
                )
            _sqlite_run(con, ["VACUUM"])
    elif db.backend == "duckdb":
        targets = [""] if tables is None else [f" {quote(t.name)}" for t in tables]
        statements = [f"ANALYZE{t}" for t in targets] if analyze else []
        _duckdb_run(db, [*statements, "CHECKPOINT"], transaction=False)
    else:
        command = "VACUUM ANALYZE" if analyze else "VACUUM"
        targets = [""] if tables is None else [f" {quote(t.name)}" for t in tables]
        _postgres_run(db.rw, [f"{command}{t}" for t in targets], transaction=False)


def analyze(db: Database) -> None:
    """Refresh the planner statistics of PostgreSQL or DuckDB (``ANALYZE``)."""
    if db.backend == "postgresql":
        _postgres_run(db.rw, ["ANALYZE"], transaction=False)
    elif db.backend == "duckdb":
        _duckdb_run(db, ["ANALYZE"], transaction=False)


def insert_metadata(db: Database, meta_json: str) -> None:
    """Insert the metadata row (id 1) holding ``meta_json``, a bound value."""
    if db.backend == "sqlite":
        db.rw  # noqa: B018 - checks that the database is writable
        with _sqlite(db._require_name()) as con:
            logger.debug("sqlite: INSERT INTO metadata (id, meta) VALUES (1, ?)")
            con.execute("INSERT INTO metadata (id, meta) VALUES (1, ?)", [meta_json])
    elif db.backend == "duckdb":
        logger.debug("duckdb: INSERT INTO metadata (id, meta) VALUES (1, ?)")
        db.rw.con.execute("INSERT INTO metadata (id, meta) VALUES (1, ?)", [meta_json])
    else:
        raw = db.rw.con
        with raw.cursor() as cursor, raw.transaction():
            logger.debug("postgres: INSERT INTO metadata (meta) VALUES (%s)")
            cursor.execute("INSERT INTO metadata (meta) VALUES (%s)", [meta_json])
