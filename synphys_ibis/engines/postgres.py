"""PostgreSQL connections: addresses, read-only sessions, the maintenance database, metadata.

A read-only connection is an ordinary Ibis PostgreSQL connection whose session is made read-only
(``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``) after its setup has run: the setup
creates the session's SQL functions in ``pg_temp`` (the Clopper-Pearson interval of the
connectivity matrix), which a read-only session could no longer do. Every later statement runs in
a read-only transaction, so any write raises ``cannot execute ... in a read-only transaction``.

psycopg is imported only when a connection is opened (install ``synphys_ibis[postgres]``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from synphys_ibis.errors import InvalidArgumentError, NotAReleaseError, format_value

__all__ = [
    "MAINTENANCE_DATABASE",
    "PostgresURL",
    "connect",
    "create_database",
    "database_exists",
    "drop_database",
    "execute",
    "quote_identifier",
    "read_metadata",
    "rename_database",
]

logger = logging.getLogger("synphys_ibis")

#: The database maintenance connections (CREATE/DROP/ALTER DATABASE) connect to.
MAINTENANCE_DATABASE = "postgres"

_MAX_IDENTIFIER = 63
_INSTALL_HINT = 'install it with: pip install "synphys_ibis[postgres]"'


@dataclass(frozen=True)
class PostgresURL:
    """The parts of a ``postgresql://user:password@host:port`` host URL.

    Examples
    --------
    >>> url = PostgresURL.parse("postgresql://postgres:secret@127.0.0.1:5433")
    >>> url.host, url.port, url.user
    ('127.0.0.1', 5433, 'postgres')
    >>> url.conninfo("synphys")
    'postgresql://postgres:secret@127.0.0.1:5433/synphys'
    """

    host: str | None
    port: int
    user: str | None
    password: str | None
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, host_url: str) -> PostgresURL:
        """Split a host URL (``postgres://`` or ``postgresql://``, no database name)."""
        parts = urlsplit(host_url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise InvalidArgumentError.for_value(
                "PostgreSQL URL scheme", parts.scheme, ["postgres", "postgresql"]
            )
        try:
            port = parts.port or 5432
        except ValueError as err:
            raise InvalidArgumentError(f"invalid port in PostgreSQL URL {host_url!r}") from err
        return cls(
            host=parts.hostname,
            port=port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            options=tuple(parse_qsl(parts.query)),
        )

    def conninfo(self, db_name: str) -> str:
        """A libpq URI for database ``db_name`` (used by DuckDB's postgres scanner)."""
        from urllib.parse import quote, urlencode

        auth = ""
        if self.user:
            auth = quote(self.user, safe="")
            if self.password:
                auth += ":" + quote(self.password, safe="")
            auth += "@"
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"postgresql://{auth}{self.host or ''}:{self.port}/{quote(db_name, safe='')}{query}"

    def connect_kwargs(self, db_name: str) -> dict[str, Any]:
        """Keyword arguments of ``ibis.postgres.connect`` for database ``db_name``."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": db_name,
        }
        kwargs.update(dict(self.options))
        return kwargs


def check_database_name(name: object) -> str:
    """Return ``name`` if it is a usable PostgreSQL database name, else raise."""
    if (
        not isinstance(name, str)
        or not name
        or len(name.encode()) > _MAX_IDENTIFIER
        or "\x00" in name
    ):
        raise InvalidArgumentError(
            f"db_name={name!r} is not allowed; allowed values: a non-empty PostgreSQL database "
            f"name of at most {_MAX_IDENTIFIER} bytes."
        )
    return name


def quote_identifier(name: str) -> str:
    """Quote an identifier for PostgreSQL, doubling embedded double quotes.

    Examples
    --------
    >>> quote_identifier('pair')
    '"pair"'
    >>> quote_identifier('we"ird')
    '"we""ird"'
    """
    return '"' + name.replace('"', '""') + '"'


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as err:
        raise ImportError(f"PostgreSQL support needs psycopg; {_INSTALL_HINT}") from err
    return psycopg


@functools.cache
def _backend_class() -> type:
    _import_psycopg()
    from ibis.backends.postgres import Backend

    from synphys_ibis.engines.compiled import CompiledSQLCache

    class SynphysPostgresBackend(CompiledSQLCache, Backend):
        """Ibis' PostgreSQL backend with ``compile`` memoised by expression."""

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
    con = _backend_class()().connect(**kwargs)
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
def transaction(con: Any) -> Iterator[Any]:
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
