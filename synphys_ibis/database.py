"""``Database``: a synphys database on some backend, reached through Ibis connections.

A database is named by a host and a database name, as in aisynphys: ``('sqlite:///',
'/path/release.sqlite')``, ``('duckdb:///', '/path/release.duckdb')`` or
``('postgresql://user@host:5432', 'synphys')``; a Parquet dataset of a release (see
:mod:`synphys_ibis.export.parquet`) is ``('parquet:///', '/path/or/url')`` on DuckDB or
``('spark:///', '/path/or/url')`` on Spark, read-only. Connections are opened on first use and
re-opened in a forked child process. The read-only connection of a DuckDB engine cannot write
(external access off, configuration locked, writing statements refused: see
:mod:`synphys_ibis.engines.duckdb_readonly`); on PostgreSQL the session is read-only, which only a
role without write privileges enforces (:mod:`synphys_ibis.maintenance.roles`);
maintenance (creating the published
schema, copying, cloning, baking, vacuuming) needs a read-write host.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "empty.sqlite")
>>> db = Database("sqlite:///", "sqlite:///", path)
>>> db.exists
False
>>> db.create_tables(tables=["metadata", "slice"])
>>> db.table_names()
['metadata', 'slice']
>>> db.drop_tables()
>>> db.table_names()
[]
>>> db.close()
"""

from __future__ import annotations

import logging
import os
import weakref
from collections import OrderedDict
from collections.abc import Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from ibis.backends import BaseBackend
from ibis.expr.types import Table as IbisTable

from synphys_ibis.catalog import Catalog
from synphys_ibis.engines.base import Engine
from synphys_ibis.engines.dataset import DatasetManifest
from synphys_ibis.engines.registry import ENGINES, engine_for_host, engine_names, redact_password
from synphys_ibis.errors import InvalidArgumentError, NotAReleaseError, ReadOnlyError
from synphys_ibis.maintenance import clone, operations, transfer
from synphys_ibis.schema import SCHEMA_VERSION, Table, available_schema_versions, load_schema
from synphys_ibis.schema.rules import VersionRules, version_rules

__all__ = ["BACKENDS", "DATASET_BACKENDS", "Database", "db_address", "parse_backend"]

logger = logging.getLogger("synphys_ibis")

#: Host schemes understood by :class:`Database`, and the backend name each maps to.
BACKENDS = {scheme: engine.name for scheme, engine in ENGINES.items()}

#: Backends that read an exported Parquet dataset (read-only; ``db_name`` is a path or URL).
DATASET_BACKENDS = tuple(engine_names(lambda c: c.dataset))

# Connections left behind in a forked child: never closed there (that would close the parent's
# sockets or touch DuckDB state whose threads did not survive the fork), never collected.
_ABANDONED: list[Any] = []


_redact = redact_password


def parse_backend(host: str) -> str:
    """The backend name of a host URL such as ``'sqlite:///'`` or ``'postgresql://u@h'``."""
    return engine_for_host(host).name


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
    return engine_for_host(host).address(host, db_name, app_name)


class Database:
    """A synphys database reached through Ibis connections on DuckDB or PostgreSQL.

    Parameters
    ----------
    ro_host
        Host of the read-only connection: ``'sqlite:///'``, ``'duckdb:///'``, a PostgreSQL URL
        ``'postgresql://user:password@host:port'``, or for a Parquet dataset ``'parquet:///'``
        (DuckDB) or ``'spark:///'`` (Spark).
    rw_host
        Host of the read-write connection, or None for a read-only database (always None for
        Parquet datasets).
    db_name
        File path (SQLite, DuckDB), database name (PostgreSQL), or the dataset's directory path
        or URL (Parquet, Spark).
    native_cache
        For SQLite files: query a one-time native DuckDB copy of the query tables (default, or
        ``$SYNPHYS_IBIS_NATIVE_CACHE``) instead of the attached file itself.
    cache_dir
        Cache directory for native copies and DuckDB extensions (default: the platform cache, or
        ``$SYNPHYS_IBIS_CACHE_DIR``).
    engine_options
        Options of the Parquet backends: ``storage_options`` (keyword arguments of the fsspec
        filesystem of a remote dataset, ``parquet`` only) and ``session`` (the
        ``pyspark.sql.SparkSession`` to use, ``spark`` only; default: a local one, see
        :func:`synphys_ibis.engines.spark.local_session`).
    schema_version
        The published schema version of the database: what :meth:`create_tables` creates and
        what copies read. Default: the version its metadata row records, else the newest
        (:data:`~synphys_ibis.schema.SCHEMA_VERSION`).
    progress
        Show progress bars (building the native copy of a SQLite file; see
        :mod:`synphys_ibis.progress`; ``SYNPHYS_IBIS_PROGRESS=0`` hides every bar).
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
        engine_options: Mapping[str, Any] | None = None,
        schema_version: str | int | None = None,
        progress: bool = True,
    ) -> None:
        self._engine = engine_for_host(ro_host)
        self.backend = self._engine.name
        if rw_host is not None and engine_for_host(rw_host) is not self._engine:
            raise InvalidArgumentError(
                f"rw_host {rw_host!r} is a different backend than ro_host {ro_host!r}"
            )
        if rw_host is not None and not self._engine.capabilities.writable:
            raise InvalidArgumentError(
                f"rw_host={rw_host!r} is not allowed: Parquet datasets are read-only; write a new "
                f"one with export_parquet()"
            )
        self.ro_host = ro_host
        self.rw_host = rw_host
        self.db_name = None if db_name is None else os.fspath(db_name)
        if self.db_name is not None:
            self._engine.check_name(self.db_name)
        self.ro_address = db_address(ro_host, self.db_name)
        self.rw_address = None if rw_host is None else db_address(rw_host, self.db_name)
        self._native_cache = native_cache
        self._progress = progress
        self._cache_dir = None if cache_dir is None else Path(cache_dir)
        self._engine_options = _engine_options(self._engine, engine_options)
        self._manifest: DatasetManifest | None = None
        self._ro: BaseBackend | None = None
        self._rw: BaseBackend | None = None
        self._maint: BaseBackend | None = None
        self._catalog: Catalog | None = None
        self._pid = os.getpid()
        self._schema_version: str | None = (
            None if schema_version is None else _known_schema_version(schema_version)
        )
        Database._instances.add(self)

    # -- what the engine uses ------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The engine that stores this database (see :mod:`synphys_ibis.engines.base`).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.engine.name
        'sqlite'
        """
        return self._engine

    @property
    def cache_dir(self) -> Path | None:
        """The cache directory given (None: the default, see :func:`synphys_ibis.settings.cache_dir`).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.cache_dir is None
        True
        """
        return self._cache_dir

    @property
    def native_cache(self) -> bool | None:
        """Whether SQLite files are queried through a native DuckDB copy (None: the default).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.native_cache
        False
        """
        return self._native_cache

    @property
    def progress(self) -> bool:
        """Whether long operations of this database (the native copy) show progress bars.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.progress
        True
        """
        return self._progress

    @property
    def engine_options(self) -> Mapping[str, Any]:
        """The options of the engine (``storage_options``, ``session``), as given.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> dict(db.engine_options)
        {}
        """
        return self._engine_options

    @property
    def current_writer(self) -> BaseBackend | None:
        """The read-write connection if it is open, else None (nothing is opened).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.current_writer is None
        True
        >>> _ = db.rw
        >>> db.current_writer is db.rw
        True
        >>> db.close()
        """
        return self._rw

    def require_name(self) -> str:
        """``db_name``, which this operation needs.

        Returns
        -------
        str
            The database name (a file path for SQLite and DuckDB).

        Raises
        ------
        InvalidArgumentError
            If the database was opened without one.

        Examples
        --------
        >>> Database("sqlite:///", None, "/data/r.sqlite").require_name()
        '/data/r.sqlite'
        >>> Database("sqlite:///").require_name()
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.InvalidArgumentError: a sqlite database needs db_name (a file path)
        """
        if self.db_name is None:
            caps = self._engine.capabilities
            what = "a file path" if caps.local_file or caps.dataset else "a database name"
            raise InvalidArgumentError(f"a {self.backend} database needs db_name ({what})")
        return self.db_name

    def require_path(self) -> Path:
        """``db_name`` as the path of a file that exists.

        Returns
        -------
        pathlib.Path
            The path of the database file.

        Raises
        ------
        FileNotFoundError
            If there is no such file.
        InvalidArgumentError
            If the database was opened without ``db_name``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.require_path().name
        'r.sqlite'
        >>> Database("sqlite:///", None, "/no/such.sqlite").require_path()
        Traceback (most recent call last):
        ...
        FileNotFoundError: no such sqlite database file: /no/such.sqlite
        """
        path = Path(self.require_name())
        if not path.is_file():
            raise FileNotFoundError(f"no such {self.backend} database file: {path}")
        return path

    def dataset_manifest(self) -> DatasetManifest:
        """The manifest of a Parquet dataset (read once).

        Returns
        -------
        DatasetManifest
            The dataset's manifest (its tables, files and schema version).

        Raises
        ------
        UnsupportedOperationError
            For engines that do not read datasets.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> parquet = db.export_parquet(os.path.join(tempfile.mkdtemp(), "r.parquet"), progress=False)
        >>> dataset = Database("parquet:///", None, parquet)
        >>> dataset.dataset_manifest().schema_version == db.schema_version
        True
        >>> db.dataset_manifest()
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.UnsupportedOperationError: ...
        """
        if self._manifest is None:
            self._manifest = self._engine.read_manifest(self)
        return self._manifest

    def reset_reader(self) -> None:
        """Forget the read-only connection after a write (its views and caches are stale).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> first = db.ro
        >>> db.reset_reader()
        >>> db.ro is first
        False
        """
        self._close("_ro")

    # -- connections ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> str:
        """The schema version: as given, else as recorded in the metadata row, else the newest.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.schema_version
        '22'
        """
        if self._schema_version is None:
            try:
                metadata = self._read_metadata() if self.exists else None
            except NotAReleaseError:
                metadata = None
            recorded = None if not metadata else metadata.get("db_version")
            known = available_schema_versions()
            self._schema_version = str(recorded) if str(recorded) in known else SCHEMA_VERSION
        return self._schema_version

    @property
    def rules(self) -> VersionRules:
        """How queries read :attr:`schema_version` (see :mod:`synphys_ibis.schema.rules`).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> type(db.rules).__name__
        'VersionRules'
        """
        return version_rules(self.schema_version)

    def _read_metadata(self) -> dict[str, Any] | None:
        """The metadata row (None when the table is empty or, for DuckDB files, not read)."""
        return self._engine.read_metadata(self)

    @property
    def ro(self) -> BaseBackend:
        """The read-only Ibis connection, opened on first use (and again after ``os.fork()``).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> 'slice' in db.ro.list_tables()
        True
        """
        self._check_fork()
        if self._ro is None:
            if self._engine.capabilities.single_open_mode and self._rw is not None:
                self._close("_rw")  # DuckDB opens a file either read-only or read-write
            self._ro = self._engine.open_reader(self)
        return self._ro

    @property
    def ro_engine(self) -> BaseBackend:
        """Alias of :attr:`ro` (the name aisynphys uses).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.ro_engine is db.ro
        True
        """
        return self.ro

    @property
    def rw(self) -> BaseBackend:
        """The read-write Ibis connection, opened on first use.

        SQLite files get an Ibis SQLite connection, DuckDB files a read-write DuckDB connection
        (which replaces an open read-only one: DuckDB opens a file in one mode at a time) and
        PostgreSQL an ordinary session.

        Raises
        ------
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.rw.name
        'sqlite'
        >>> Database("sqlite:///", None, path).rw
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.ReadOnlyError: ...
        """
        self._check_fork()
        if self.rw_host is None:
            raise ReadOnlyError(
                f"{self!r} is read-only (rw_host is None); open it with a read-write host, "
                f"e.g. Database(ro_host, rw_host=ro_host, db_name=...)"
            )
        if self._rw is None:
            if self._engine.capabilities.single_open_mode and self._ro is not None:
                self._close("_ro")
            self._rw = self._engine.open_writer(self)
        return self._rw

    @property
    def rw_engine(self) -> BaseBackend:
        """Alias of :attr:`rw` (the name aisynphys uses).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.rw_engine is db.rw
        True
        """
        return self.rw

    @property
    def maint(self) -> BaseBackend:
        """A PostgreSQL connection to the ``postgres`` database, for CREATE/DROP DATABASE.

        Raises
        ------
        UnsupportedOperationError
            For SQLite and DuckDB, which have no server to maintain (an
            :class:`~synphys_ibis.errors.InvalidArgumentError`).

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.maint
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.UnsupportedOperationError: ...
        """
        self._check_fork()
        if self._maint is None:
            self._maint = self._engine.open_maintenance(self)
        return self._maint

    @property
    def maint_engine(self) -> BaseBackend:
        """Alias of :attr:`maint` (the name aisynphys uses).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.maint_engine
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.UnsupportedOperationError: ...
        """
        return self.maint

    def session(self, readonly: bool = True) -> BaseBackend:
        """An Ibis connection to run queries on: the read-only one, or the read-write one.

        Parameters
        ----------
        readonly
            The read-only connection (:attr:`ro`) if true, else the read-write one (:attr:`rw`).

        Returns
        -------
        ibis.backends.BaseBackend
            The connection.

        Raises
        ------
        ReadOnlyError
            If ``readonly`` is false and the database has no ``rw_host``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.session() is db.ro, db.session(readonly=False) is db.rw
        (True, True)
        """
        return self.ro if readonly else self.rw

    @property
    def catalog(self) -> Catalog:
        """Typed tables and compiled join views of the read-only connection.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> type(db.catalog).__name__
        'Catalog'
        """
        con = self.ro
        if self._catalog is None or self._catalog.con is not con:
            self._catalog = self._catalog_for(con)
        return self._catalog

    def _catalog_for(self, con: BaseBackend) -> Catalog:
        return Catalog(
            con,
            self.rules,
            normalize=self._engine.capabilities.normalize_stored_types,
        )

    def _require_writable(self) -> None:
        if self.rw_host is None:
            self.rw  # noqa: B018 - raises ReadOnlyError naming the database

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:
            # Connections do not survive fork(); the child opens its own and leaves the parent's
            # alone (closing them here would close the parent's server sessions).
            _ABANDONED.extend(c for c in (self._ro, self._rw, self._maint) if c is not None)
            self._ro = self._rw = self._maint = None
            self._catalog = None
            self._pid = os.getpid()

    def _close(self, attr: str) -> None:
        con = getattr(self, attr)
        setattr(self, attr, None)
        if attr == "_ro":
            self._catalog = None
        if con is None:
            return
        if os.getpid() != self._pid:
            _ABANDONED.append(con)
            return
        try:
            con.disconnect()
        except Exception:  # closing must not fail on an already broken connection
            logger.debug("error while closing a connection of %r", self, exc_info=True)

    def dispose_engines(self) -> None:
        """Close every connection of this database; they reopen on next use.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> first = db.ro
        >>> db.dispose_engines()
        >>> db.ro is first
        False
        """
        self._check_fork()
        for attr in ("_ro", "_rw", "_maint"):
            self._close(attr)

    @classmethod
    def dispose_all_engines(cls) -> None:
        """Close the connections of every open Database (call before forking workers).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> first = db.ro
        >>> Database.dispose_all_engines()
        >>> db.ro is first
        False
        """
        for db in list(cls._instances):
            db.dispose_engines()

    def close(self) -> None:
        """Close every connection (same as :meth:`dispose_engines`).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.table_names()[:2]
        ['metadata', 'pipeline']
        >>> db.close()
        """
        self.dispose_engines()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- databases -----------------------------------------------------------------------------
    def get_database(self, db_name: str | os.PathLike[str]) -> Database:
        """Another database on the same hosts (a plain :class:`Database`, opened lazily).

        Parameters
        ----------
        db_name
            The other database's name (a file path for SQLite and DuckDB).

        Returns
        -------
        Database
            The database ``db_name`` on :attr:`ro_host` and :attr:`rw_host`, with this one's options.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> other = db.get_database("/data/other.sqlite")
        >>> other.db_name, other.rw_host, other.exists
        ('/data/other.sqlite', None, False)
        """
        return Database(
            self.ro_host,
            self.rw_host,
            db_name,
            native_cache=self._native_cache,
            cache_dir=self._cache_dir,
            engine_options=self._engine_options,
        )

    def on_host(
        self, host: str, db_name: str | os.PathLike[str], *, schema_version: str
    ) -> Database:
        """A read-write database on another host, with this one's cache directory.

        The destination of a clone or bake.

        Parameters
        ----------
        host
            The host of both connections of the new database (e.g. ``'duckdb:///'``).
        db_name
            Its name (a file path for SQLite and DuckDB).
        schema_version
            Its published schema version.

        Returns
        -------
        Database
            The read-write database, opened lazily.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> dest = db.on_host("duckdb:///", "/data/copy.duckdb", schema_version=db.schema_version)
        >>> dest.backend, dest.rw_host, dest.schema_version == db.schema_version
        ('duckdb', 'duckdb:///', True)
        """
        return Database(
            host, host, db_name, cache_dir=self._cache_dir, schema_version=schema_version
        )

    @property
    def exists(self) -> bool:
        """Whether the database exists (for files: whether the file exists).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.exists, Database("sqlite:///", None, "/no/such.sqlite").exists
        (True, False)
        """
        if self.db_name is None:
            return False
        return self._engine.exists(self)

    def create_database(self) -> None:
        """Create the (empty) database: CREATE DATABASE on PostgreSQL, a no-op for files.

        Raises
        ------
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------
        >>> import os, tempfile
        >>> db = Database("duckdb:///", "duckdb:///", os.path.join(tempfile.mkdtemp(), "new.duckdb"))
        >>> db.create_database()
        >>> db.table_names()
        []
        """
        self._require_writable()
        operations.create_database(self)

    def drop_database(self, *, force: bool = False) -> None:
        """Delete the database (a file, or DROP DATABASE); missing databases are ignored.

        Parameters
        ----------
        force
            Also end other sessions connected to a PostgreSQL database.

        Raises
        ------
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.drop_database()
        >>> db.exists, os.path.exists(path)
        (False, False)
        """
        self._require_writable()
        self.dispose_engines()
        operations.drop_database(self, force=force)

    # -- tables --------------------------------------------------------------------------------
    def table(self, name: str) -> IbisTable:
        """The table ``name`` as a lazy Ibis table with logical column types.

        Parameters
        ----------
        name
            A release table (see :meth:`table_names`).

        Returns
        -------
        ibis.expr.types.Table
            The lazy table.

        Raises
        ------
        TableNotFoundError
            If the schema has no such table; the message lists the tables it has.
        InvalidArgumentError
            If ``name`` is not a string.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> cells = db.table("cell")
        >>> "cre_type" in cells.columns
        True
        >>> db.table("cells")
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.TableNotFoundError: ...
        """
        if not isinstance(name, str):
            raise InvalidArgumentError.for_value(
                "table name", name, self.catalog.schema.table_names()
            )
        return self.catalog.table(name)

    def metadata_tables(self) -> OrderedDict[str, Table]:
        """Every table of the schema (its description) in dependency order.

        Returns
        -------
        collections.OrderedDict
            Table name to its :class:`~synphys_ibis.schema.Table` description.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> tables = db.metadata_tables()
        >>> list(tables)[:3]
        ['metadata', 'pipeline', 'slice']
        """
        return OrderedDict((t.name, t) for t in load_schema(self.schema_version))

    def orm_tables(self) -> OrderedDict[str, IbisTable]:
        """The typed Ibis table of every release table present, in dependency order.

        Returns
        -------
        collections.OrderedDict
            Table name to its lazy Ibis table (as :meth:`table` gives it).

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> tables = db.orm_tables()
        >>> list(tables) == db.table_names(), tables["slice"].count().execute() > 0
        (True, True)
        """
        return OrderedDict((name, self.table(name)) for name in self.table_names())

    def table_names(self) -> list[str]:
        """Release tables present in the database, in dependency order.

        Returns
        -------
        list of str
            Their names.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> db.table_names()[:3]
        ['metadata', 'pipeline', 'slice']
        """
        present = operations.list_tables(self)
        return [name for name in load_schema(self.schema_version).table_names() if name in present]

    def _select_tables(
        self, tables: Iterable[str] | None, *, argument: str = "tables"
    ) -> list[Table]:
        schema = load_schema(self.schema_version)
        if tables is None:
            return list(schema)
        if isinstance(tables, str):
            tables = [tables]
        wanted = set()
        for name in tables:
            if name not in schema:
                raise InvalidArgumentError.for_value(argument, name, schema.table_names())
            wanted.add(name)
        return [spec for spec in schema if spec.name in wanted]

    def create_tables(
        self,
        tables: Iterable[str] | None = None,
        initialize: bool = True,
        *,
        boolean_checks: bool | None = None,
    ) -> None:
        """Create the published tables (all, or ``tables``) of :attr:`schema_version`.

        Tables that already exist are left alone. SQLite files get exactly the published DDL
        (with the boolean CHECK constraints of ``boolean_checks``: None adds them where that
        version's published files have them, see :func:`synphys_ibis.schema.ddl`); PostgreSQL
        and DuckDB the same tables, columns, keys and indexes in their own types (see
        :mod:`synphys_ibis.maintenance.ddl`).

        Parameters
        ----------
        tables
            The tables to create (None: every table of the schema).
        initialize
            Run :meth:`initialize_database` after.
        boolean_checks
            Add the boolean CHECK constraints to SQLite tables (None: as the published files do).

        Raises
        ------
        InvalidArgumentError
            If ``tables`` names a table the schema does not have.
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------
        >>> import os, tempfile
        >>> db = Database("duckdb:///", "duckdb:///", os.path.join(tempfile.mkdtemp(), "new.duckdb"))
        >>> db.create_tables(tables=["metadata", "slice"])
        >>> db.table_names()
        ['metadata', 'slice']
        """
        specs = self._select_tables(tables)
        self._require_writable()
        operations.create_schema(
            self, specs, indexes=True, foreign_keys=True, boolean_checks=boolean_checks
        )
        self.reset_reader()
        if initialize:
            self.initialize_database()

    def initialize_database(self) -> None:
        """Fill the tables a new database needs (nothing here; the metadata row in subclasses).

        Examples
        --------
        >>> import os, tempfile
        >>> db = Database("duckdb:///", "duckdb:///", os.path.join(tempfile.mkdtemp(), "new.duckdb"))
        >>> db.create_tables(tables=["metadata"], initialize=False)
        >>> db.initialize_database()
        >>> db.table("metadata").count().execute()
        0
        """

    def drop_tables(self, tables: Iterable[str] | None = None) -> None:
        """Drop the release tables (all, or ``tables``) that exist, children first.

        Parameters
        ----------
        tables
            The tables to drop (None: every release table).

        Raises
        ------
        InvalidArgumentError
            If ``tables`` names a table the schema does not have.
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------
        >>> import os, tempfile
        >>> db = Database("duckdb:///", "duckdb:///", os.path.join(tempfile.mkdtemp(), "new.duckdb"))
        >>> db.create_tables(tables=["metadata", "slice"])
        >>> db.drop_tables(["slice"])
        >>> db.table_names()
        ['metadata']
        """
        specs = self._select_tables(tables)
        self._require_writable()
        present = set(operations.list_tables(self))
        operations.drop_schema(self, [spec for spec in specs if spec.name in present])
        self.reset_reader()

    def reset_db(self) -> None:
        """Drop and re-create the database, then create every table (and initialize it).

        Raises
        ------
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------
        >>> import os, tempfile
        >>> db = Database("duckdb:///", "duckdb:///", os.path.join(tempfile.mkdtemp(), "new.duckdb"))
        >>> db.reset_db()
        >>> db.table_names() == list(db.metadata_tables())
        True
        """
        self._require_writable()
        self.drop_database()
        self.create_database()
        self.create_tables()

    def vacuum(self, tables: Iterable[str] | None = None) -> None:
        """Compact the database and refresh planner statistics.

        PostgreSQL: ``VACUUM ANALYZE`` (of ``tables``, or everything). SQLite: ``ANALYZE`` (of
        ``tables``) and ``VACUUM`` (always the whole file). DuckDB: ``ANALYZE`` and
        ``CHECKPOINT``.

        Parameters
        ----------
        tables
            The tables to analyze (None: every table).

        Raises
        ------
        InvalidArgumentError
            If ``tables`` names a table the schema does not have.
        ReadOnlyError
            If the database was opened without ``rw_host``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> db.vacuum(["cell"])
        >>> db.table("cell").count().execute() > 0
        True
        """
        specs = None if tables is None else self._select_tables(tables)
        self._require_writable()
        operations.vacuum(self, specs, analyze=True)
        self.reset_reader()

    # -- copies --------------------------------------------------------------------------------
    @staticmethod
    def iter_copy_tables(
        source_db: Database,
        dest_db: Database,
        tables: Iterable[str] | None = None,
        skip_tables: Iterable[str] = (),
        skip_columns: Mapping[str, Sequence[str]] | None = None,
        skip_errors: bool = False,
        vacuum: bool = True,
        **options: Any,
    ) -> Generator[str, None, None]:
        """Copy tables from ``source_db`` into ``dest_db``, yielding each table's name as it is done.

        See :func:`synphys_ibis.maintenance.transfer.iter_copy_tables`, which does the work.

        Parameters
        ----------
        source_db
            The database to read.
        dest_db
            The read-write database to write (its tables must exist, see :meth:`create_tables`).
        tables
            The tables to copy (None: every table of the schema).
        skip_tables
            Tables not to copy.
        skip_columns
            Table name to the columns left out (NULL) in the copy.
        skip_errors
            Log a table that fails and go on, instead of raising.
        vacuum
            Vacuum ``dest_db`` after copying.
        **options
            Further options of :func:`~synphys_ibis.maintenance.transfer.iter_copy_tables`.

        Yields
        ------
        str
            The name of each table copied.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> source = Database("sqlite:///", None, path, native_cache=False)
        >>> dest = source.on_host(
        ...     "duckdb:///", os.path.join(tempfile.mkdtemp(), "copy.duckdb"),
        ...     schema_version=source.schema_version)
        >>> dest.create_tables(tables=["metadata", "pipeline", "slice"])
        >>> list(Database.iter_copy_tables(source, dest, tables=["slice"], progress=False))
        ['slice']
        >>> dest.table("slice").count().execute() == source.table("slice").count().execute()
        True
        """
        return transfer.iter_copy_tables(
            source_db,
            dest_db,
            tables=tables,
            skip_tables=skip_tables,
            skip_columns=skip_columns,
            skip_errors=skip_errors,
            vacuum=vacuum,
            **options,
        )

    def clone_database(
        self,
        dest_db_name: str | os.PathLike[str] | None = None,
        dest_db: Database | None = None,
        overwrite: bool = False,
        **copy_options: Any,
    ) -> Database:
        """Copy this database into a new one.

        See :func:`synphys_ibis.maintenance.clone.clone_database`, which does the work.

        Parameters
        ----------
        dest_db_name
            The name of the new database on this one's hosts (or give ``dest_db``).
        dest_db
            The read-write database to write instead.
        overwrite
            Replace ``dest_db`` if it exists.
        **copy_options
            Options of :meth:`iter_copy_tables`.

        Returns
        -------
        Database
            The new database.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", "sqlite:///", path)
        >>> copy = db.clone_database(os.path.join(tempfile.mkdtemp(), "copy.sqlite"), progress=False)
        >>> copy.table("cell").count().execute() == db.table("cell").count().execute()
        True
        """
        return clone.clone_database(  # type: ignore[return-value]
            self, dest_db_name=dest_db_name, dest_db=dest_db, overwrite=overwrite, **copy_options
        )

    def bake_sqlite(self, sqlite_file: str | os.PathLike[str], **copy_options: Any) -> Path:
        """Write this database to a release file.

        See :func:`synphys_ibis.maintenance.clone.bake_sqlite`, which does the work.

        Parameters
        ----------
        sqlite_file
            The SQLite file to write.
        **copy_options
            Options of :meth:`iter_copy_tables`.

        Returns
        -------
        pathlib.Path
            The path of the file written.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> baked = db.bake_sqlite(os.path.join(tempfile.mkdtemp(), "baked.sqlite"), progress=False)
        >>> Database("sqlite:///", None, baked).table_names() == db.table_names()
        True
        """
        return clone.bake_sqlite(self, sqlite_file, **copy_options)

    def export_parquet(self, dest: str | os.PathLike[str], **options: Any) -> Path:
        """Write this database to a Parquet dataset.

        See :func:`synphys_ibis.export.parquet.export_parquet`, which does the work.

        Parameters
        ----------
        dest
            The dataset's directory.
        **options
            Options of :func:`~synphys_ibis.export.parquet.export_parquet`.

        Returns
        -------
        pathlib.Path
            The dataset's directory.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = Database("sqlite:///", None, path, native_cache=False)
        >>> dataset = db.export_parquet(os.path.join(tempfile.mkdtemp(), "r.parquet"), progress=False)
        >>> Database("parquet:///", None, dataset).table("cell").count().execute() > 0
        True
        """
        from synphys_ibis.export.parquet import export_parquet

        return export_parquet(self, dest, **options)

    # -- misc ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        hosts = (_redact(self.ro_host), None if self.rw_host is None else _redact(self.rw_host))
        return f"{type(self).__name__}({hosts[0]!r}, {hosts[1]!r}, {self.db_name!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Connections are not picklable; a copy in another process opens its own.
        return {
            "ro_host": self.ro_host,
            "rw_host": self.rw_host,
            "db_name": self.db_name,
            "native_cache": self._native_cache,
            "progress": self._progress,
            "cache_dir": self._cache_dir,
            # a SparkSession belongs to its process: a copy elsewhere uses that process's own
            "engine_options": {k: v for k, v in self._engine_options.items() if k != "session"},
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["ro_host"],
            state["rw_host"],
            state["db_name"],
            native_cache=state["native_cache"],
            progress=state.get("progress", True),
            cache_dir=state["cache_dir"],
            engine_options=state.get("engine_options"),
        )


def _known_schema_version(version: str | int) -> str:
    """``version`` as text, if it is a published schema version."""
    known = available_schema_versions()
    if isinstance(version, bool) or str(version) not in known:
        raise InvalidArgumentError.for_value("schema_version", version, known)
    return str(version)


def _engine_options(engine: Engine, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check ``engine_options`` against those ``engine`` takes."""
    options = dict(options or {})
    for name in options:
        if name not in engine.option_names:
            raise InvalidArgumentError.for_value(
                f"engine_options key for the {engine.name} backend", name, engine.option_names
            )
    return options
