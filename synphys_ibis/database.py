"""``Database``: a synphys database on some backend, reached through Ibis connections.

A database is named by a host and a database name, as in aisynphys: ``('sqlite:///',
'/path/release.sqlite')``, ``('duckdb:///', '/path/release.duckdb')`` or
``('postgresql://user@host:5432', 'synphys')``. Connections are opened on first use and
re-opened in a forked child process.
"""

from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path
from typing import Any, ClassVar

from ibis.backends import BaseBackend
from ibis.expr.types import Table as IbisTable

from synphys_ibis import settings
from synphys_ibis.catalog import Catalog
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.schema import SCHEMA_VERSION

__all__ = ["BACKENDS", "Database", "db_address", "parse_backend"]

logger = logging.getLogger("synphys_ibis")

#: Host schemes understood by :class:`Database`, and the backend name each maps to.
BACKENDS = {
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "postgresql": "postgresql",
    "postgres": "postgresql",
}


def parse_backend(host: str) -> str:
    """The backend name of a host URL such as ``'sqlite:///'`` or ``'postgresql://u@h'``."""
    scheme = host.split("://", 1)[0] if "://" in host else None
    if scheme not in BACKENDS:
        raise InvalidArgumentError.for_value(
            "host scheme",
            scheme if scheme is not None else host,
            sorted(BACKENDS),
            hint="Hosts look like 'sqlite:///', 'duckdb:///' or 'postgresql://user@host:5432'.",
        )
    return BACKENDS[scheme]


def db_address(host: str, db_name: str | None = None, app_name: str | None = None) -> str:
    """The address of database ``db_name`` on ``host``.

    File backends append the path to the host (``'sqlite:///' + '/abs/x.sqlite'`` gives
    ``'sqlite:////abs/x.sqlite'``); PostgreSQL appends the database name and an
    ``application_name`` (by default the end of the command line) that shows up in
    ``pg_stat_activity``.

    Examples
    --------
    >>> db_address("sqlite:///", "/data/synphys_r2.1_small.sqlite")
    'sqlite:////data/synphys_r2.1_small.sqlite'
    >>> db_address("postgresql://postgres@127.0.0.1:5432", "synphys", app_name="notebook")
    'postgresql://postgres@127.0.0.1:5432/synphys?application_name=notebook'
    """
    backend = parse_backend(host)
    if backend == "postgresql":
        if app_name is None:
            import sys

            app_name = " ".join(sys.argv)[-63:] or "synphys_ibis"
        from urllib.parse import quote

        address = host.rstrip("/") + (f"/{db_name}" if db_name else "")
        return f"{address}?application_name={quote(app_name)}"
    if not host.endswith("/"):
        host += "/"
    return host + (str(db_name) if db_name is not None else "")


class Database:
    """A synphys database reached through Ibis connections on DuckDB or PostgreSQL.

    Parameters
    ----------
    ro_host
        Host of the read-only connection: ``'sqlite:///'``, ``'duckdb:///'`` or a PostgreSQL URL
        ``'postgresql://user:password@host:port'``.
    rw_host
        Host of the read-write connection, or None for a read-only database.
    db_name
        File path (SQLite, DuckDB) or database name (PostgreSQL).
    native_cache
        For SQLite files: query a one-time native DuckDB copy of the query tables (default, or
        ``$SYNPHYS_IBIS_NATIVE_CACHE``) instead of the attached file itself.
    cache_dir
        Cache directory for native copies and DuckDB extensions (default: the platform cache, or
        ``$SYNPHYS_IBIS_CACHE_DIR``).
    """

    _instances: ClassVar[weakref.WeakSet[Database]] = weakref.WeakSet()

    def __init__(
        self,
        ro_host: str,
        rw_host: str | None = None,
        db_name: str | os.PathLike[str] | None = None,
        *,
        native_cache: bool | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.backend = parse_backend(ro_host)
        if rw_host is not None and parse_backend(rw_host) != self.backend:
            raise InvalidArgumentError(
                f"rw_host {rw_host!r} is a different backend than ro_host {ro_host!r}"
            )
        self.ro_host = ro_host
        self.rw_host = rw_host
        self.db_name = None if db_name is None else os.fspath(db_name)
        self.ro_address = db_address(ro_host, self.db_name)
        self.rw_address = None if rw_host is None else db_address(rw_host, self.db_name)
        self._native_cache = native_cache
        self._cache_dir = None if cache_dir is None else Path(cache_dir)
        self._ro: BaseBackend | None = None
        self._catalog: Catalog | None = None
        self._pid = os.getpid()
        Database._instances.add(self)

    # -- connections ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> str:
        """The schema version of the database (that of the library when it is not recorded)."""
        return SCHEMA_VERSION

    @property
    def ro(self) -> BaseBackend:
        """The read-only Ibis connection, opened on first use (and again after ``os.fork()``)."""
        self._check_fork()
        if self._ro is None:
            self._ro = self._open_ro()
        return self._ro

    ro_engine = ro

    def session(self, readonly: bool = True) -> BaseBackend:
        """An Ibis connection to run queries on: the read-only one, or the read-write one."""
        if readonly:
            return self.ro
        raise InvalidArgumentError(f"{self!r} has no read-write connection (rw_host is None)")

    @property
    def catalog(self) -> Catalog:
        """Typed tables and compiled join views of the read-only connection."""
        con = self.ro
        if self._catalog is None or self._catalog.con is not con:
            self._catalog = Catalog(con, self.schema_version, temp_views=self._temp_views())
        return self._catalog

    def _temp_views(self) -> bool:
        return self.backend != "postgresql"

    def _open_ro(self) -> BaseBackend:
        if self.backend == "sqlite":
            from synphys_ibis.engines import open_sqlite_release

            return open_sqlite_release(
                self._require_path(),
                self.schema_version,
                native=settings.native_cache_enabled(self._native_cache),
                cache=self._cache_dir,
            )
        if self.backend == "duckdb":
            from synphys_ibis.engines.duckdb import connect

            return connect(self._require_path(), read_only=True, cache=self._cache_dir)
        raise InvalidArgumentError.for_value("backend", self.backend, ["duckdb", "sqlite"])

    def _require_path(self) -> Path:
        if self.db_name is None:
            raise InvalidArgumentError(f"a {self.backend} database needs db_name (a file path)")
        path = Path(self.db_name)
        if not path.is_file():
            raise FileNotFoundError(f"no such {self.backend} database file: {path}")
        return path

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:
            # Connections do not survive fork(); the child opens its own.
            self._ro = None
            self._catalog = None
            self._pid = os.getpid()

    def dispose_engines(self) -> None:
        """Close every connection of this database; they reopen on next use."""
        if self._ro is not None and os.getpid() == self._pid:
            try:
                self._ro.disconnect()
            except Exception:  # closing must not fail on an already broken connection
                logger.debug("error while closing %r", self, exc_info=True)
        self._ro = None
        self._catalog = None

    @classmethod
    def dispose_all_engines(cls) -> None:
        """Close the connections of every open Database (call before forking workers)."""
        for db in list(cls._instances):
            db.dispose_engines()

    def close(self) -> None:
        """Close every connection (same as :meth:`dispose_engines`)."""
        self.dispose_engines()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- tables --------------------------------------------------------------------------------
    def table(self, name: str) -> IbisTable:
        """The table ``name`` as a lazy Ibis table with logical column types.

        Raises
        ------
        TableNotFoundError
            If the schema has no such table; the message lists the tables it has.
        """
        return self.catalog.table(name)

    def table_names(self) -> list[str]:
        """Release tables present in the database, in dependency order."""
        present = set(self.ro.list_tables())
        return [name for name in self.catalog.schema.table_names() if name in present]

    @property
    def exists(self) -> bool:
        """Whether the database exists (for files: whether the file exists)."""
        return self.db_name is not None and Path(self.db_name).is_file()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ro_host!r}, {self.rw_host!r}, {self.db_name!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Connections are not picklable; a copy in another process opens its own.
        return {
            "ro_host": self.ro_host,
            "rw_host": self.rw_host,
            "db_name": self.db_name,
            "native_cache": self._native_cache,
            "cache_dir": self._cache_dir,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["ro_host"],
            state["rw_host"],
            state["db_name"],
            native_cache=state["native_cache"],
            cache_dir=state["cache_dir"],
        )
