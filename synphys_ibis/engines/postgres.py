"""PostgreSQL connections: addresses, read-only sessions, the maintenance database, metadata.

A read-only connection is an ordinary Ibis PostgreSQL connection whose session is made read-only
(``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``) after its setup has run: the setup
creates the session's SQL functions in ``pg_temp`` (the Clopper-Pearson interval of the
connectivity matrix), which a read-only session could no longer do. Every later statement runs in
a read-only transaction, so an ordinary write raises ``cannot execute ... in a read-only
transaction``. That is advisory, as every session setting is: a statement that changes it
(``BEGIN READ WRITE``, ``SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE``) lifts it. What
enforces read-only is the role of ``ro_host``: one made by
:func:`synphys_ibis.maintenance.roles.create_readonly_role` can only read (see
:mod:`.postgres_roles`).

psycopg is imported only when a connection is opened (install ``synphys_ibis[postgres]``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

from synphys_ibis.engines import ddl
from synphys_ibis.engines.base import Capabilities, DatabaseHandle, RawTables, UnsupportedEngine
from synphys_ibis.engines.postgres_url import PostgresURL, check_database_name, quote_identifier
from synphys_ibis.errors import ConnectionFailedError, NotAReleaseError, format_value
from synphys_ibis.schema import Table
from synphys_ibis.stats import pg_ci_lower, pg_ci_upper

__all__ = [
    "ENGINE",
    "MAINTENANCE_DATABASE",
    "PostgresEngine",
    "PostgresURL",
    "check_database_name",
    "connect",
    "create_database",
    "database_exists",
    "default_app_name",
    "drop_database",
    "execute",
    "quote_identifier",
    "read_metadata",
    "rename_database",
    "run_statements",
    "transaction_cursor",
]

logger = logging.getLogger("synphys_ibis")

#: The database maintenance connections (CREATE/DROP/ALTER DATABASE) connect to.
MAINTENANCE_DATABASE = "postgres"

_INSTALL_HINT = 'install it with: pip install "synphys_ibis[postgres]"'


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as err:
        raise ImportError(f"PostgreSQL support needs psycopg; {_INSTALL_HINT}") from err
    return psycopg


@functools.cache
def _backend_class() -> type:
    _import_psycopg()
    import psycopg
    from ibis.backends.postgres import Backend

    from synphys_ibis.engines.compiled import CompiledSQLCache
    from synphys_ibis.engines.execution import QueryErrors

    class SynphysPostgresBackend(QueryErrors, CompiledSQLCache, Backend):
        """Ibis' PostgreSQL backend with ``compile`` memoised by expression; psycopg's errors
        while a query runs are :class:`~synphys_ibis.errors.QueryError`."""

        _synphys_engine_errors = (psycopg.Error,)
        _synphys_engine_label = "PostgreSQL"

    return SynphysPostgresBackend


def connect(
    url: PostgresURL,
    db_name: str,
    *,
    read_only: bool,
    application_name: str | None = None,
    setup: Sequence[str] = (),
) -> Any:
    """Open an Ibis PostgreSQL connection to ``db_name``.

    ``setup`` statements run first (they may create session objects in ``pg_temp``); a failing
    setup statement is logged and skipped, since it only removes an optional feature (for example
    on a hot standby, where temporary objects cannot be created). With ``read_only=True`` the
    session is then made read-only.
    """
    kwargs = url.connect_kwargs(check_database_name(db_name))
    if application_name:
        kwargs["application_name"] = application_name
    psycopg = _import_psycopg()
    try:
        con = _backend_class()().connect(**kwargs)
    except psycopg.Error as err:
        raise ConnectionFailedError(
            f"cannot connect to PostgreSQL database {db_name!r} at {url.redacted()}: "
            f"{str(err).strip()} (check the host, port, database name and credentials)"
        ) from err
    if read_only and setup:
        # a read-only role's own default (default_transaction_read_only) would refuse creating
        # the session's pg_temp functions; read-only comes back before any other statement
        execute(con, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    for statement in setup:
        try:
            execute(con, statement)
        except Exception as err:
            logger.warning("PostgreSQL session setup failed (%s); continuing without it", err)
    if read_only:
        execute(con, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    return con


def execute(con: Any, sql: Any, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one statement on an Ibis PostgreSQL connection; return its rows (if any).

    The cursor is always closed (Ibis' ``raw_sql`` leaves that to the caller).
    """
    text = sql if isinstance(sql, str) else repr(sql)
    logger.debug("postgres: %s%s", text, f" {list(params)!r}" if params else "")
    cursor = con.raw_sql(sql, params=params) if params is not None else con.raw_sql(sql)
    try:
        return cursor.fetchall() if cursor.description is not None else []
    finally:
        cursor.close()


@contextlib.contextmanager
def transaction_cursor(con: Any) -> Iterator[Any]:
    """A psycopg cursor inside one transaction of the Ibis connection ``con``."""
    raw = con.con
    with raw.cursor() as cursor, raw.transaction():
        yield cursor


def database_exists(maint: Any, name: str) -> bool:
    """Whether database ``name`` exists (asked on a maintenance connection)."""
    rows = execute(maint, "SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return bool(rows)


def create_database(maint: Any, name: str) -> None:
    """``CREATE DATABASE name`` (autocommit, on a maintenance connection)."""
    execute(maint, f"CREATE DATABASE {quote_identifier(check_database_name(name))}")


def drop_database(maint: Any, name: str, *, force: bool = False) -> None:
    """``DROP DATABASE IF EXISTS name``; ``force`` also ends other sessions connected to it."""
    suffix = " WITH (FORCE)" if force else ""
    execute(maint, f"DROP DATABASE IF EXISTS {quote_identifier(check_database_name(name))}{suffix}")


def rename_database(maint: Any, old: str, new: str) -> None:
    """``ALTER DATABASE old RENAME TO new`` (nobody may be connected to ``old``)."""
    execute(
        maint,
        f"ALTER DATABASE {quote_identifier(check_database_name(old))} "
        f"RENAME TO {quote_identifier(check_database_name(new))}",
    )


def read_table_columns(con: Any) -> dict[str, list[str]]:
    """``{table: [column, ...]}`` of the tables in the connection's current schema."""
    rows = execute(
        con,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def read_metadata(con: Any, *, where: str) -> dict[str, Any] | None:
    """The ``meta`` JSON of the single ``metadata`` row, or None when the table is empty.

    Raises
    ------
    NotAReleaseError
        If there is no ``metadata`` table, several rows, or a row that is not a JSON object.
    """
    psycopg = _import_psycopg()
    try:
        rows = execute(con, "SELECT meta FROM metadata")
    except psycopg.errors.UndefinedTable as err:
        raise NotAReleaseError(f"{where} has no metadata table: {err}") from err
    if not rows:
        return None
    if len(rows) > 1:
        raise NotAReleaseError(f"{where} has {len(rows)} metadata rows; a release has exactly one")
    text = rows[0][0]
    try:
        meta = json.loads(text) if text is not None else None
    except (TypeError, ValueError, RecursionError) as err:  # RecursionError: nested too deep
        raise NotAReleaseError(
            f"{where} has a metadata row that is not JSON of a release: {format_value(text)} ({err})"
        ) from err
    if meta is not None and not isinstance(meta, dict):
        raise NotAReleaseError(f"{where} has metadata {format_value(meta)}; expected a JSON object")
    return meta


def foreign_keys(con: Any, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(table, constraint name, definition)`` of every foreign key declared on ``tables``."""
    if not tables:
        return []
    rows = execute(
        con,
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY(%s) "
        "ORDER BY c.relname, k.conname",
        [list(tables)],
    )
    return [(r[0], r[1], r[2]) for r in rows]


def without_not_valid(definition: str) -> str:
    """A constraint definition from ``pg_get_constraintdef`` without a trailing ``NOT VALID``."""
    return re.sub(r"\s+NOT VALID\s*$", "", definition)


# -- the engine ----------------------------------------------------------------------------------
def default_app_name() -> str:
    """The ``application_name`` of sessions: the end of the command line (63 characters)."""
    return " ".join(sys.argv)[-63:] or "synphys_ibis"


def run_statements(con: Any, statements: Sequence[str], *, transaction: bool = True) -> None:
    """Run ``statements`` on an Ibis PostgreSQL connection, in one transaction by default."""
    if not transaction:
        for statement in statements:
            execute(con, statement)
        return
    with transaction_cursor(con) as cursor:
        for statement in statements:
            logger.debug("postgres: %s", statement)
            cursor.execute(statement)


def _declared_foreign_keys(
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


class PostgresEngine(UnsupportedEngine):
    """A PostgreSQL database (``postgresql://user@host:port``), one server session per connection.

    Copies go through DuckDB's postgres scanner (read-only ``ATTACH`` for reads, binary ``COPY``
    for writes); databases are created, dropped and renamed on the maintenance database.
    """

    name = "postgresql"
    capabilities = Capabilities(
        writable=True,
        dataset=False,
        raw_batches=True,
        normalize_stored_types=True,
        temp_views=False,
        single_open_mode=False,
        planner_statistics=True,
        local_file=False,
        interval_functions=(pg_ci_lower, pg_ci_upper),
    )

    def check_name(self, db_name: str) -> None:
        check_database_name(db_name)

    def address(self, host: str, db_name: str | None, app_name: str | None) -> str:
        """``host/db_name?application_name=...`` (by default the end of the command line)."""
        app_name = default_app_name() if app_name is None else app_name
        address = host.rstrip("/") + (f"/{db_name}" if db_name else "")
        return f"{address}?application_name={quote(app_name)}"

    @staticmethod
    def url(db: DatabaseHandle, *, readonly: bool) -> PostgresURL:
        """The parts of the host of ``db``'s read-only (or read-write) connection."""
        host = db.ro_host if readonly or db.rw_host is None else db.rw_host
        return PostgresURL.parse(host)

    def _open(self, db: DatabaseHandle, *, readonly: bool) -> Any:
        from synphys_ibis.engines.postgres_functions import SESSION_FUNCTIONS

        return connect(
            self.url(db, readonly=readonly),
            db.require_name(),
            read_only=readonly,
            application_name=default_app_name(),
            setup=SESSION_FUNCTIONS,
        )

    def open_reader(self, db: DatabaseHandle) -> Any:
        return self._open(db, readonly=True)

    def open_writer(self, db: DatabaseHandle) -> Any:
        return self._open(db, readonly=False)

    def open_maintenance(self, db: DatabaseHandle) -> Any:
        return connect(
            self.url(db, readonly=db.rw_host is None),
            MAINTENANCE_DATABASE,
            read_only=False,
            application_name=default_app_name(),
        )

    def exists(self, db: DatabaseHandle) -> bool:
        return db.db_name is not None and database_exists(db.maint, db.db_name)

    def read_metadata(self, db: DatabaseHandle) -> dict[str, Any] | None:
        return read_metadata(db.ro, where=f"database {db.db_name!r}")

    def stored_columns(self, db: DatabaseHandle) -> dict[str, list[str]]:
        return read_table_columns(db.ro)

    def list_tables(self, db: DatabaseHandle) -> set[str]:
        return set(db.ro.list_tables())

    def create_database(self, db: DatabaseHandle) -> None:
        create_database(db.maint, db.require_name())

    def drop_database(self, db: DatabaseHandle, *, force: bool) -> None:
        drop_database(db.maint, db.require_name(), force=force)

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
        names = {t.name for t in tables} | present
        create = [ddl.postgres_create_table(t) for t in tables]
        if indexes:
            create += [s for t in tables for s in ddl.postgres_indexes(t)]
        if foreign_keys:
            create += _declared_foreign_keys(tables, names, not_valid=False)
        run_statements(db.rw, create)

    def finish_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        """Indexes, foreign keys ``NOT VALID`` (loaded rows are not checked) and id sequences."""
        present = self.list_tables(db)
        statements = [s for t in tables for s in ddl.postgres_indexes(t)]
        statements += _declared_foreign_keys(tables, present, not_valid=True)
        statements += [ddl.postgres_reset_sequence(t) for t in tables]
        run_statements(db.rw, statements)

    def drop_schema(self, db: DatabaseHandle, tables: Sequence[Table]) -> None:
        names = ", ".join(ddl.quote(t.name) for t in tables)
        run_statements(db.rw, [f"DROP TABLE {names} CASCADE"])

    def vacuum(self, db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool) -> None:
        command = "VACUUM ANALYZE" if analyze else "VACUUM"
        targets = [""] if tables is None else [f" {ddl.quote(t.name)}" for t in tables]
        run_statements(db.rw, [f"{command}{t}" for t in targets], transaction=False)

    def analyze(self, db: DatabaseHandle) -> None:
        run_statements(db.rw, ["ANALYZE"], transaction=False)

    def insert_metadata(self, db: DatabaseHandle, meta_json: str) -> None:
        with transaction_cursor(db.rw) as cursor:
            logger.debug("postgres: INSERT INTO metadata (meta) VALUES (%s)")
            cursor.execute("INSERT INTO metadata (meta) VALUES (%s)", [meta_json])

    def raw_tables(self, db: DatabaseHandle) -> contextlib.AbstractContextManager[RawTables]:
        """The database attached read-only to a new DuckDB connection (postgres scanner)."""
        from synphys_ibis.engines.postgres_copy import attached_raw_tables

        return attached_raw_tables(db, self.url(db, readonly=True))

    def batch_writer(self, db: DatabaseHandle) -> contextlib.AbstractContextManager[Any]:
        """Batches sent through DuckDB's postgres scanner (see :mod:`.postgres_copy`)."""
        from synphys_ibis.engines.postgres_copy import attached_batch_writer

        return attached_batch_writer(db, self.url(db, readonly=False))

    def same_database(self, a: DatabaseHandle, b: DatabaseHandle) -> bool:
        if a.engine is not b.engine or a.db_name is None or b.db_name is None:
            return False
        url_a, url_b = self.url(a, readonly=True), self.url(b, readonly=False)
        return (url_a.host, url_a.port, a.db_name) == (url_b.host, url_b.port, b.db_name)

    def temporary_name(self, db: DatabaseHandle, token: str) -> str:
        """``<name>_tmp_<token>`` on the same server (the name cut to fit 63 bytes)."""
        from synphys_ibis.engines import postgres_publish

        return postgres_publish.temporary_name(db.require_name(), token)

    @contextlib.contextmanager
    def hold_temporary(self, temp: DatabaseHandle) -> Iterator[None]:
        """An advisory lock on a connection of its own (see :mod:`.postgres_publish`)."""
        from synphys_ibis.engines import postgres_publish

        con = self.open_maintenance(temp)
        try:
            with postgres_publish.holding(con, temp.require_name()):
                yield
        finally:
            with contextlib.suppress(Exception):
                con.disconnect()

    def remove_abandoned(self, dest: DatabaseHandle) -> list[str]:
        """Recover ``dest`` and drop temporaries of killed copies (:mod:`.postgres_publish`)."""
        from synphys_ibis.engines import postgres_publish

        return postgres_publish.remove_abandoned(dest.maint, dest.require_name())

    def publish(self, temp: DatabaseHandle, dest: DatabaseHandle, *, overwrite: bool) -> None:
        """``ALTER DATABASE temp RENAME TO dest``; an old ``dest`` is renamed away, then dropped."""
        from synphys_ibis.engines import postgres_publish

        postgres_publish.publish(
            dest.maint, temp.require_name(), dest.require_name(), overwrite=overwrite
        )

    def create_readonly_role(
        self, db: DatabaseHandle, role: str, *, password: str | None, exist_ok: bool
    ) -> None:
        """A role with CONNECT, USAGE and SELECT only (see :mod:`.postgres_roles`)."""
        from synphys_ibis.engines import postgres_roles

        postgres_roles.create_readonly_role(db, role, password=password, exist_ok=exist_ok)

    def drop_role(self, db: DatabaseHandle, role: str) -> None:
        from synphys_ibis.engines import postgres_roles

        postgres_roles.drop_role(db, role)


ENGINE = PostgresEngine()
