"""Read-only DuckDB connections that hold: no external access, a locked configuration, and the
statements that attach, detach, copy, export, load or set refused.

``read_only=True`` and a ``READ_ONLY`` attachment are not enough on DuckDB 1.5.5 (measured, see
the engine notes): through such a connection ``ATTACH '<release>' AS w (TYPE sqlite,
READ_WRITE)`` then ``INSERT`` wrote to the release, and ``COPY ... TO '/any/path'`` wrote files.
Every read-only connection the library opens is therefore set up in three steps
(:func:`read_only_setup`):

1. ``SET enable_external_access = false`` *before* the release is attached: DuckDB refuses
   ``COPY ... TO``, ``EXPORT DATABASE``, ``INSTALL``, loading an extension not yet loaded,
   ``read_csv`` or ``ATTACH`` of a DuckDB file outside the allowed paths. DuckDB makes the files
   of databases attached *at that moment* allowed paths (writable by ``COPY``), so the SQLite
   release, attached after, is not one. A Parquet dataset's files are the only allowed paths of
   its connection (``allowed_paths``, exact files, not directories: an allowed directory can be
   written into).
2. The release is attached and the typed views created.
3. ``SET lock_configuration = true``: no setting can change again (``SET
   enable_external_access = true`` fails).

What the engine cannot refuse is refused by the Ibis connection itself
(:class:`ReadOnlyStatements`, which classifies each statement with DuckDB's own parser before it
runs): the sqlite scanner attaches SQLite files without asking DuckDB's file-access settings, so
``ATTACH ... (TYPE sqlite, READ_WRITE)`` would still work, and ``COPY ... TO`` an allowed path
(a Parquet file of the dataset, the native copy itself) would still overwrite it. ``raw_sql`` and
``sql`` of a read-only connection raise :class:`~synphys_ibis.errors.ReadOnlyError` for every
statement of the types in :data:`REFUSED_STATEMENTS`. The raw ``duckdb`` connection behind it
(``db.ro.con``) bypasses that check; it still has external access off and its settings locked.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import duckdb
from ibis.backends import _FileIOHandler

from synphys_ibis.errors import ReadOnlyError

__all__ = [
    "IBIS_SESSION_SETTINGS",
    "REFUSED_STATEMENTS",
    "ReadOnlyStatements",
    "is_locked",
    "read_only_setup",
    "refused_statement",
]

logger = logging.getLogger("synphys_ibis")

_TYPES = duckdb.StatementType
#: Statement types a read-only connection refuses, and how they are named in messages.
REFUSED_STATEMENTS: dict[Any, str] = {
    _TYPES.ATTACH: "ATTACH",
    _TYPES.DETACH: "DETACH",
    _TYPES.COPY: "COPY",
    _TYPES.COPY_DATABASE: "COPY FROM DATABASE",
    _TYPES.EXPORT: "EXPORT DATABASE",
    _TYPES.LOAD: "INSTALL/LOAD",
    _TYPES.SET: "SET/RESET/USE",
}


#: Settings Ibis sets on each connection it opens (``_post_connect``), left changeable on a locked
#: database so that a second connection to a shared DuckDB file opens; neither reaches a file.
IBIS_SESSION_SETTINGS = ("timezone", "python_enable_replacements")


def is_locked(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the configuration of ``con``'s database is locked already.

    Connections to one DuckDB file in one process share its database, and so its settings.
    """
    row = con.execute("SELECT current_setting('lock_configuration')").fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def read_only_setup(backend: Any, *, allowed_paths: Sequence[str] = ()) -> Iterator[None]:
    """Deny external access, let the body attach and create views, then lock the configuration.

    ``allowed_paths`` are the only files DuckDB may read afterwards (the files of a Parquet
    dataset); a release attached in the body is read through the sqlite scanner, which needs
    none. Marks the Ibis ``backend`` read-only (see :class:`ReadOnlyStatements`).
    """
    con = backend.con
    shared = is_locked(con)
    if not shared:
        if allowed_paths:
            quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in allowed_paths)
            con.execute(f"SET allowed_paths = [{quoted}]")
        con.execute("SET enable_external_access = false")
    yield
    if not shared:
        # what Ibis sets on every new connection to the (shared) database of a file
        names = ", ".join(f"'{name}'" for name in IBIS_SESSION_SETTINGS)
        con.execute(f"SET allowed_configs = [{names}]")
        con.execute("SET lock_configuration = true")
    backend._synphys_read_only = True
    logger.debug("duckdb: external access off, configuration locked (read-only connection)")


@lru_cache(maxsize=1024)
def _refused_types(sql: str) -> tuple[str, ...]:
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:  # DuckDB cannot parse it, so it cannot run it either
        return ()
    return tuple(REFUSED_STATEMENTS[s.type] for s in statements if s.type in REFUSED_STATEMENTS)


def refused_statement(sql: str) -> str | None:
    """The kind of the first statement of ``sql`` that a read-only connection refuses, or None.

    Examples
    --------
    >>> refused_statement("SELECT 1; ATTACH 'x.sqlite' AS w (TYPE sqlite)")
    'ATTACH'
    >>> refused_statement("SELECT count(*) FROM pair") is None
    True
    """
    refused = _refused_types(sql)
    return refused[0] if refused else None


class ReadOnlyStatements:
    """Mixin for Ibis' DuckDB backend: a read-only connection refuses writing statements.

    ``raw_sql`` and ``sql`` raise :class:`~synphys_ibis.errors.ReadOnlyError` before running a
    statement whose type is in :data:`REFUSED_STATEMENTS` once :func:`read_only_setup` has
    marked the connection.
    """

    _synphys_read_only: bool = False

    def _refuse_writes(self, query: Any) -> None:
        if not self._synphys_read_only:
            return
        text = query if isinstance(query, str) else query.sql(dialect="duckdb")
        kind = refused_statement(text)
        if kind is not None:
            raise ReadOnlyError(
                f"this DuckDB connection is read-only: {kind} statements are refused "
                f"(refused: {', '.join(sorted(REFUSED_STATEMENTS.values()))}); queries run as "
                f"usual. Write through a read-write database (rw_host), or export query results "
                f"with synphys_ibis.export"
            )

    def raw_sql(self, query: Any, **kwargs: Any) -> Any:
        self._refuse_writes(query)
        return super().raw_sql(query, **kwargs)  # type: ignore[misc]

    def sql(self, query: str, /, *, schema: Any = None, dialect: str | None = None) -> Any:
        if dialect is None:
            self._refuse_writes(query)
        return super().sql(query, schema=schema, dialect=dialect)  # type: ignore[misc]

    # DuckDB's own writers are COPY statements, which a read-only connection refuses; its
    # results are written here from Arrow batches instead, as on every other engine.
    def to_parquet(self, expr: Any, /, path: Any, *, params: Any = None, **kwargs: Any) -> None:
        if not self._synphys_read_only:
            return super().to_parquet(expr, path, params=params, **kwargs)  # type: ignore[misc]
        return _FileIOHandler.to_parquet(self, expr, path, params=params, **kwargs)

    def to_csv(self, expr: Any, /, path: Any, *, params: Any = None, **kwargs: Any) -> None:
        if not self._synphys_read_only:
            return super().to_csv(expr, path, params=params, **kwargs)  # type: ignore[misc]
        return _FileIOHandler.to_csv(self, expr, path, params=params, **kwargs)
