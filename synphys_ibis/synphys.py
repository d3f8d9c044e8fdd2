"""``SynphysDatabase``: the synphys query API over a :class:`~synphys_ibis.database.Database`.

Every query returns a lazy Ibis table: nothing runs until rows are asked for
(``.to_pandas()``, ``.to_pyarrow()``, ``.to_pyarrow_batches()``, ``.to_parquet()``), and
``ibis.to_sql(table)`` shows the single SQL statement that will run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias, cast

from ibis.backends import BaseBackend
from ibis.expr.types import Table as IbisTable

from synphys_ibis.catalog import Catalog
from synphys_ibis.database import Database
from synphys_ibis.engines.dataset import is_dataset
from synphys_ibis.engines.registry import describe_engine, display_address, split_address
from synphys_ibis.errors import (
    InvalidArgumentError,
    NotAReleaseError,
    UnsupportedSchemaError,
    format_value,
)
from synphys_ibis.query.arguments import matrix_pair_query_args, validate_pair_query
from synphys_ibis.query.cell_class import CellClass, classify
from synphys_ibis.query.connectivity import (
    DistanceColumn,
    build_fit_input,
    gap_junction_electrodes,
    validate_alpha,
    validate_distance_column,
    validate_sigma,
)
from synphys_ibis.query.matrix import (
    build_connectivity_matrix,
    build_matrix_pair_query,
    public_column_names,
)
from synphys_ibis.query.pairs import (
    FilterExpr,
    PairQuery,
    PreloadGroup,
    Species,
    SynapseType,
    build_pair_query,
)
from synphys_ibis.schema import SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, available_schema_versions
from synphys_ibis.schema.constants import HUMAN_PROJECTS, MOUSE_PROJECTS
from synphys_ibis.schema.rules import ClassColumn
from synphys_ibis.schema.versions import check_stored_tables

if TYPE_CHECKING:
    import pandas as pd

    from synphys_ibis.connectivity import ModelName

__all__ = ["DbSize", "SynphysDatabase"]

#: Sizes of the published releases.
DbSize: TypeAlias = Literal["small", "medium", "full"]

logger = logging.getLogger("synphys_ibis")


class SynphysDatabase(Database):
    """A synaptic physiology release, queried as lazy Ibis tables.

    Parameters
    ----------
    ro_host, rw_host, db_name
        As for :class:`~synphys_ibis.database.Database`; ``SynphysDatabase('sqlite:///', None,
        path)`` opens a release file read-only (prefer :meth:`load_sqlite`).
    check_schema
        Refuse a database whose metadata records another schema version than the supported ones,
        or that has no metadata row. With False, the recorded version is used if known.
    native_cache, cache_dir, engine_options, schema_version
        See :class:`~synphys_ibis.database.Database`. ``schema_version`` names the version of a
        database being created; an existing one must record that version.

    Raises
    ------
    FileNotFoundError
        If a release file does not exist (nothing is created).
    NotAReleaseError
        If the file is not a SQLite database or has no metadata row.
    UnsupportedSchemaError
        If the recorded schema version is not supported (or is not ``schema_version``).
    SchemaMismatchError
        If the stored tables are not those of the recorded schema version.

    Examples
    --------
    >>> import tempfile, os
    >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
    >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "demo.sqlite"), n_experiments=5)
    >>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
    ...     pairs = db.pair_query(pre_class=CellClass(cre_type="sst"), species="mouse")
    ...     "pre_cell_id" in pairs.columns
    True
    """

    mouse_projects: ClassVar[list[str]] = list(MOUSE_PROJECTS)
    human_projects: ClassVar[list[str]] = list(HUMAN_PROJECTS)
    default_sample_rate: ClassVar[int] = 20000
    #: Every schema version this library opens and queries (all published ones, 15-22).
    supported_schema_versions: ClassVar[tuple[str, ...]] = SUPPORTED_SCHEMA_VERSIONS

    def __init__(
        self,
        ro_host: str,
        rw_host: str | None = None,
        db_name: str | os.PathLike[str] | None = None,
        check_schema: bool = True,
        *,
        native_cache: bool | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        engine_options: Mapping[str, Any] | None = None,
        schema_version: str | int | None = None,
        progress: bool = True,
    ) -> None:
        super().__init__(
            ro_host,
            rw_host,
            db_name,
            progress=progress,
            native_cache=native_cache,
            cache_dir=cache_dir,
            engine_options=engine_options,
            schema_version=schema_version,
        )
        self.check_schema = check_schema
        # A read-write handle may name a database that does not exist yet or is still empty:
        # create_tables() builds it and initialize_database() writes its metadata row.
        fresh = rw_host is not None and not self.exists
        try:
            self._metadata = None if fresh else self._read_metadata()
        except NotAReleaseError:
            if rw_host is None:
                raise
            self._metadata = None
        self._schema_version = self._choose_schema_version(self._metadata, self._schema_version)
        if fresh:
            return
        try:
            self.ro  # noqa: B018 - open now so that errors surface here, not at the first query
        except BaseException:
            self.dispose_engines()
            raise

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def load_sqlite(
        cls,
        path: str | os.PathLike[str],
        readonly: bool = True,
        *,
        native_cache: bool | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
    ) -> SynphysDatabase:
        """Open a SQLite release file (read-only unless ``readonly=False``).

        The file is attached to DuckDB read-only; by default the tables queries read are copied
        once into a native DuckDB file in the cache, which answers queries several times faster.

        Parameters
        ----------
        path
            The release file (``synphys_r2.1_small.sqlite`` or any file in its format).
        readonly
            False also opens a read-write connection (``db.rw``) for maintenance.
        native_cache
            Query a native DuckDB copy of the query tables (default: True, or
            ``$SYNPHYS_IBIS_NATIVE_CACHE``); False queries the attached file itself.
        cache_dir
            Where the native copy and DuckDB's extensions live (default:
            ``$SYNPHYS_IBIS_CACHE_DIR``, else the platform cache).
        progress
            Show the "indexing ..." bar while the native copy is built (first open only).

        Returns
        -------
        SynphysDatabase
            The open release; close it with ``close()`` or use it in a ``with`` block.

        Raises
        ------
        FileNotFoundError
            If ``path`` is not a file (nothing is created).
        NotAReleaseError, UnsupportedSchemaError, SchemaMismatchError
            As for the constructor.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> tmp = tempfile.mkdtemp()
        >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=4)
        >>> with SynphysDatabase.load_sqlite(path, cache_dir=tmp, progress=False) as db:
        ...     db.schema_version, db.engine_description
        ('22', 'DuckDB (native copy of the SQLite file)')
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no such release file: {path}")
        rw_host = None if readonly else "sqlite:///"
        return cls(
            "sqlite:///",
            rw_host,
            str(path.resolve()),
            native_cache=native_cache,
            cache_dir=cache_dir,
            progress=progress,
        )

    @classmethod
    def load_parquet(
        cls,
        target: str | os.PathLike[str],
        *,
        storage_options: Mapping[str, Any] | None = None,
        check_schema: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_storage: str | os.PathLike[str] | None = None,
    ) -> SynphysDatabase:
        """Open a Parquet dataset of a release (see :mod:`synphys_ibis.export.parquet`) on DuckDB.

        The dataset is read where it is, lazily: only the Parquet footers when it is opened, then
        only the columns and row groups each query needs.

        Parameters
        ----------
        target
            The dataset directory: a local path or a ``file://``, ``http(s)://`` (extra
            ``http``), ``s3://`` (extra ``s3``) or any other fsspec URL. HTTP servers must
            answer Range requests.
        storage_options
            Keyword arguments of the fsspec filesystem (``{"anon": True}`` for a public S3
            bucket, ``{"block_size": 2**20}`` for the HTTP read size, ...).
        check_schema
            As for the constructor: the schema version recorded in the dataset's manifest must
            be supported.
        cache_dir
            Cache directory (DuckDB extensions).
        cache_storage
            For a remote ``target``: a local directory where the blocks read are kept, so that
            later processes read them from disk (fsspec's ``blockcache``). Without it, the
            footers and the blocks read are kept in memory while the database is open.

        Returns
        -------
        SynphysDatabase
            The dataset, queried on DuckDB where it lies.

        Raises
        ------
        FileNotFoundError
            If a local ``target`` does not exist.
        NotAReleaseError
            If ``target`` holds no dataset manifest, or the manifest no metadata row.
        RangeRequestsUnsupportedError
            If the server of a remote ``target`` ignores Range requests (the message says
            what to use instead).
        UnsupportedSchemaError
            If the recorded schema version is not supported.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import SynphysDatabase, Database, synthetic
        >>> tmp = tempfile.mkdtemp()
        >>> path = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=5)
        >>> dataset = Database("sqlite:///", None, path).export_parquet(
        ...     os.path.join(tmp, "r.parquet"), progress=False)
        >>> with SynphysDatabase.load_parquet(dataset) as db:
        ...     db.backend, db.pair_query(species="mouse").count().to_pyarrow().as_py() > 0
        ('parquet', True)
        """
        return cls(
            "parquet:///",
            None,
            _dataset_name(target),
            check_schema,
            cache_dir=cache_dir,
            engine_options={
                "storage_options": dict(storage_options or {}),
                "cache_storage": None if cache_storage is None else os.fspath(cache_storage),
            },
        )

    @classmethod
    def load_spark(
        cls,
        target: str | os.PathLike[str],
        *,
        session: Any = None,
        check_schema: bool = True,
    ) -> SynphysDatabase:
        """Open a Parquet dataset of a release on Spark (``pip install "synphys_ibis[spark]"``).

        Every query runs in Spark, through Ibis' PySpark backend: pair queries, matrix queries
        and the connectivity matrix give the same results as on DuckDB.

        Parameters
        ----------
        target
            The dataset directory, as Spark names it: a local path, ``file://``, ``hdfs://``,
            ``s3a://``, ... (any URL the session's Hadoop filesystems read; the executors must
            reach it).
        session
            A ``pyspark.sql.SparkSession``: pass your own to run on a cluster. Default: a
            local session, started once per process (see
            :func:`synphys_ibis.engines.spark.local_session`). Closing the database never
            stops the session.
        check_schema
            As for the constructor.

        Returns
        -------
        SynphysDatabase
            The dataset, queried on Spark.

        Raises
        ------
        ImportError
            If pyspark is not installed (the message names the install command).
        NotAReleaseError, UnsupportedSchemaError
            As for :meth:`load_parquet`.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> dataset = db.export_parquet(os.path.join(tempfile.mkdtemp(), "r.parquet"), progress=False)
        >>> spark_db = SynphysDatabase.load_spark(dataset)
        >>> spark_db.backend, spark_db.table("cell").count().execute() == db.table("cell").count().execute()
        ('spark', True)
        """
        return cls(
            "spark:///",
            None,
            _dataset_name(target),
            check_schema,
            engine_options={} if session is None else {"session": session},
        )

    @classmethod
    def connect(cls, target: str | os.PathLike[str], **kwargs: Any) -> SynphysDatabase:
        """Open a release named in any of the ways users name one.

        Parameters
        ----------
        target
            A path to a SQLite release, ``duckdb:///path`` for a native DuckDB copy,
            ``postgresql://user@host:port/dbname``, a Parquet dataset (a directory holding
            ``synphys_dataset.json``, or an ``http(s)://``, ``s3://``, ``file://`` URL of one; see
            :meth:`load_parquet`), a size (``'small'``, ``'medium'``, ``'full'``:
            the current release of that size) or a release file name such as
            ``'synphys_r2.1_small.sqlite'`` (downloaded and cached on first use).
        **kwargs
            Keyword arguments of the constructor.

        Returns
        -------
        SynphysDatabase
            The release.

        Raises
        ------
        FileNotFoundError
            For a path that does not exist.
        UnknownReleaseError
            For a name that is neither a path nor a published release.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> with SynphysDatabase.connect(path, native_cache=False) as db:
        ...     db.version_name
        'r.sqlite'
        >>> SynphysDatabase.connect("/no/such/release.sqlite")
        Traceback (most recent call last):
        ...
        FileNotFoundError: no such release file: /no/such/release.sqlite
        """
        text = os.fspath(target)
        address = split_address(text)
        if address is not None:
            return cls(address[0], None, address[1], **kwargs)
        if text.startswith(("http://", "https://", "s3://", "file://")) or (
            Path(text).is_dir() and is_dataset(text)
        ):
            return cls.load_parquet(text, **kwargs)
        if Path(text).exists():
            return cls.load_sqlite(text, **kwargs)
        if text in ("small", "medium", "full"):
            return cls.load_current(cast(DbSize, text), **kwargs)
        if os.sep in text or (
            text.endswith((".sqlite", ".duckdb", ".db")) and not text.startswith("synphys_r")
        ):
            raise FileNotFoundError(f"no such release file: {text}")
        return cls.load_version(text, **kwargs)

    # -- published releases (downloaded and cached through synphys_ibis.releases) -------------
    @classmethod
    def list_versions(
        cls, only_supported: bool = False, *, manifest: Any = None
    ) -> list[dict[str, Any]]:
        """Every published release (or only those with a supported schema), oldest first.

        Pre-releases sort before their release.

        Parameters
        ----------
        only_supported
            Only the releases whose schema version this library reads.
        manifest
            The release manifest, as for :func:`synphys_ibis.releases.load_manifest` (None: the
            bundled one).

        Returns
        -------
        list of dict
            Dicts with ``db_file``, ``release_version``, ``db_size``, ``schema_version`` (and
            ``file``, ``url``, ``sha256``, ``size``, ``supported``).

        Examples
        --------
        >>> SynphysDatabase.list_versions()[-1]["db_file"]
        'synphys_r2.1_full.sqlite'
        """
        from synphys_ibis import releases

        return releases.list_versions(only_supported=only_supported, manifest=manifest)

    @classmethod
    def list_current_versions(cls, *, manifest: Any = None) -> dict[str, dict[str, Any] | None]:
        """The newest supported release of each size (``'small'``, ``'medium'``, ``'full'``).

        Parameters
        ----------
        manifest
            The release manifest, as for :func:`synphys_ibis.releases.load_manifest`.

        Returns
        -------
        dict
            Size to the release's dict (as :meth:`list_versions` gives it), or None if there is none.

        Examples
        --------
        >>> SynphysDatabase.list_current_versions()["medium"]["db_file"]
        'synphys_r2.1_medium.sqlite'
        """
        from synphys_ibis import releases

        return releases.list_current_versions(manifest=manifest)

    @classmethod
    def load_current(
        cls,
        db_size: DbSize,
        *,
        manifest: Any = None,
        progressbar: bool = True,
        **kwargs: Any,
    ) -> SynphysDatabase:
        """Download (once) and open the newest supported release of size ``db_size``.

        The file is cached under ``<cache_dir>/releases/`` and verified; later calls open the
        cached copy without network access.

        Parameters
        ----------
        db_size
            ``'small'``, ``'medium'`` or ``'full'``.
        manifest
            The list of published releases (see :func:`synphys_ibis.releases.load_manifest`;
            default: ``$SYNPHYS_IBIS_MANIFEST``, else the bundled list).
        progressbar
            Show progress bars: the download's and the native copy's (unless ``progress=`` is
            given too). ``SYNPHYS_IBIS_PROGRESS=0`` hides every bar.
        **kwargs
            Keywords of :meth:`load_sqlite` (``cache_dir``, ``native_cache``, ``progress``, ...).

        Returns
        -------
        SynphysDatabase
            The open release.

        Raises
        ------
        UnknownReleaseError
            For a size other than small, medium, full.
        DownloadError, VerificationError
            If the download fails or the file does not pass its checks (see
            :func:`synphys_ibis.releases.fetch`).

        Examples
        --------
        A manifest naming a local mirror (a folder) stands in for the published list here:

        >>> import pathlib, tempfile
        >>> from synphys_ibis import synthetic
        >>> mirror, cache = pathlib.Path(tempfile.mkdtemp()), tempfile.mkdtemp()
        >>> _ = synthetic.write_release(mirror / "synphys_r9.0_small.sqlite", n_experiments=2)
        >>> manifest = {"default_url_path": mirror.as_uri(),
        ...             "databases": [{"file": "synphys_r9.0_small.sqlite", "schema_version": "22"}]}
        >>> with SynphysDatabase.load_current(
        ...     "small", manifest=manifest, cache_dir=cache, progressbar=False
        ... ) as db:
        ...     db.version_name
        'synphys_r9.0_small.sqlite'
        """
        from synphys_ibis import releases

        path = releases.fetch_current(
            db_size,
            manifest=manifest,
            cache_dir=kwargs.get("cache_dir"),
            progressbar=progressbar,
        )
        kwargs.setdefault("progress", progressbar)
        return cls.load_sqlite(path, **kwargs)

    @classmethod
    def load_version(
        cls, db_file: str, *, manifest: Any = None, progressbar: bool = True, **kwargs: Any
    ) -> SynphysDatabase:
        """Download (once) and open the published release ``db_file`` (aliases accepted).

        Parameters
        ----------
        db_file
            A release file name such as ``'synphys_r2.0_small.sqlite'``, or one of its aliases
            (see :meth:`list_versions`).
        manifest, progressbar, **kwargs
            As for :meth:`load_current`: ``progressbar=False`` silences the download's bar and
            the native copy's "indexing ..." bar.

        Returns
        -------
        SynphysDatabase
            The open release.

        Raises
        ------
        UnknownReleaseError
            For a name the manifest does not list (with a did-you-mean).
        DownloadError, VerificationError
            As for :meth:`load_current`.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from synphys_ibis import synthetic
        >>> mirror, cache = pathlib.Path(tempfile.mkdtemp()), tempfile.mkdtemp()
        >>> _ = synthetic.write_release(mirror / "synphys_r9.0_small.sqlite", n_experiments=2)
        >>> manifest = {"default_url_path": mirror.as_uri(),
        ...             "databases": [{"file": "synphys_r9.0_small.sqlite", "schema_version": "22"}]}
        >>> with SynphysDatabase.load_version(
        ...     "synphys_r9.0_small.sqlite", manifest=manifest, cache_dir=cache, progressbar=False
        ... ) as db:
        ...     db.schema_version
        '22'
        """
        from synphys_ibis import releases

        path = releases.fetch(
            db_file, manifest=manifest, cache_dir=kwargs.get("cache_dir"), progressbar=progressbar
        )
        kwargs.setdefault("progress", progressbar)
        return cls.load_sqlite(path, **kwargs)

    def initialize_database(self) -> None:
        """Write the metadata row of a new database (or check the one it already has).

        The row is ``{"db_version": "22", "creation_date": "YYYY-MM-DD", "origin": "Allen
        Institute for Brain Science / Synaptic Physiology"}`` (as JSON text, in that order).

        Raises
        ------
        UnsupportedSchemaError
            If the database already records another schema version.

        Examples
        --------
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "new.sqlite")
        >>> db = SynphysDatabase("sqlite:///", "sqlite:///", path, native_cache=False)
        >>> db.create_tables(tables=["metadata"])  # runs initialize_database
        >>> db.metadata["db_version"] == db.schema_version
        True
        >>> db.initialize_database()  # the row is there: checked, not written again
        >>> db.table("metadata").count().execute()
        1
        """
        import datetime
        import json

        from synphys_ibis.maintenance import operations as maintenance

        existing = self._read_metadata()
        if existing is None:
            meta = {
                "db_version": self.schema_version,
                "creation_date": datetime.date.today().isoformat(),
                "origin": maintenance.RELEASE_ORIGIN,
            }
            maintenance.insert_metadata(self, json.dumps(meta))
            existing = meta
        elif str(existing.get("db_version")) != self.schema_version:
            raise UnsupportedSchemaError(
                f"{self.db_name} records schema version {existing.get('db_version')!r}, "
                f"not {self.schema_version!r}; reset_db() rebuilds it"
            )
        self._metadata = existing

    def _choose_schema_version(self, metadata: dict[str, Any] | None, requested: str | None) -> str:
        recorded = None if not metadata else metadata.get("db_version")
        recorded = None if recorded is None else str(recorded)
        if recorded is None and self.rw_host is not None:
            # a writable database being built: create_tables() and initialize_database() use this
            return requested or SCHEMA_VERSION
        if not self.check_schema:
            return (
                recorded if recorded in available_schema_versions() else requested or SCHEMA_VERSION
            )
        if recorded is None:
            raise NotAReleaseError(
                f"{self.db_name} has no metadata row recording its schema version; "
                f"pass check_schema=False to open it as schema {requested or SCHEMA_VERSION}"
            )
        if recorded not in SUPPORTED_SCHEMA_VERSIONS:
            raise UnsupportedSchemaError(
                f"{self.db_name} has schema version {recorded}; synphys_ibis queries schema "
                f"versions {', '.join(SUPPORTED_SCHEMA_VERSIONS)}. Open a release with a "
                f"supported schema (see SynphysDatabase.list_versions()) or pass "
                f"check_schema=False"
            )
        if requested is not None and requested != recorded:
            raise UnsupportedSchemaError(
                f"{self.db_name} records schema version {recorded}, not the requested "
                f"schema_version={requested!r}; open it without schema_version, or reset_db() it"
            )
        # the stored tables and their columns, where reading them is cheap (not datasets)
        stored = self.engine.stored_columns(self)
        if stored is not None:
            check_stored_tables(recorded, stored, where=str(self.db_name))
        return recorded

    @property
    def version_name(self) -> str:
        """The release's file name (or database name), e.g. ``synphys_r2.1_small.sqlite``.

        For a Parquet dataset, the name of the release it was exported from.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> db.version_name
        'r.sqlite'
        """
        return self.engine.release_name(self)

    @property
    def metadata(self) -> dict[str, Any] | None:
        """The metadata row: ``db_version``, ``creation_date`` and ``origin``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> sorted(db.metadata)
        ['creation_date', 'db_version', 'origin']
        """
        return None if self._metadata is None else dict(self._metadata)

    @property
    def engine_description(self) -> str:
        """What really runs the queries, e.g. ``'DuckDB (native copy of the SQLite file)'``.

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> db.engine_description
        'DuckDB (SQLite file attached read-only)'
        """
        return describe_engine(self)

    def summary(self) -> dict[str, Any]:
        """What the reprs show: release, where it lives, engine, schema and row counts.

        The counts (experiments, cells, pairs: three ``COUNT(*)``) run on the first call only.

        Returns
        -------
        dict
            ``release``, ``location``, ``engine``, ``schema_version`` and ``counts`` (a dict
            ``{"experiments": n, "cells": n, "pairs": n}``, empty if they could not be read).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=3)
        >>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        ...     info = db.summary()
        >>> info["engine"], info["schema_version"], sorted(info["counts"])
        ('DuckDB (SQLite file attached read-only)', '22', ['cells', 'experiments', 'pairs'])
        """
        return {
            "release": self.version_name,
            "location": display_address(self),
            "engine": self.engine_description,
            "schema_version": self.schema_version,
            "counts": self._counts(),
        }

    def _counts(self) -> dict[str, int]:
        cached: dict[str, int] | None = getattr(self, "_summary_counts", None)
        if cached is None:
            try:
                cached = {
                    label: int(self.table(table).count().to_pyarrow().as_py())
                    for label, table in (
                        ("experiments", "experiment"),
                        ("cells", "cell"),
                        ("pairs", "pair"),
                    )
                }
            except Exception:  # a repr never raises (a closed or unreachable database)
                logger.debug("counting rows for the repr failed", exc_info=True)
                return {}
            self._summary_counts = cached
        return cached

    def __repr__(self) -> str:
        info = self.summary()
        counts = ", ".join(f"{n:,} {label}" for label, n in info["counts"].items())
        return (
            f"<SynphysDatabase {info['release']!r} schema {info['schema_version']} on "
            f"{info['engine']} at {info['location']}" + (f": {counts}>" if counts else ">")
        )

    def _repr_html_(self) -> str:
        from html import escape

        info = self.summary()
        rows = [
            ("release", info["release"]),
            ("location", info["location"]),
            ("engine", info["engine"]),
            ("schema version", info["schema_version"]),
            *((label, f"{n:,}") for label, n in info["counts"].items()),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(str(v))}</td></tr>"
            for k, v in rows
        )
        return f"<table><caption><b>SynphysDatabase</b></caption>{body}</table>"

    def list_project_names(self) -> list[str | None]:
        """The distinct project names of the experiments (None included when present).

        Returns
        -------
        list
            The project names (str, or None).

        Examples
        --------

        >>> import os, tempfile
        >>> from synphys_ibis import synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=5)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> names = db.list_project_names()
        >>> len(names) > 0
        True
        """
        return list(self.catalog.project_names())

    # -- queries ---------------------------------------------------------------------------------
    def _session_catalog(self, session: BaseBackend | None) -> Catalog:
        if session is None or session is self.ro:
            return self.catalog
        if not isinstance(session, BaseBackend):
            raise InvalidArgumentError(
                f"session={format_value(session)} is not an Ibis connection; pass db.ro, "
                f"another Ibis backend connection, or None"
            )
        return self._catalog_for(session)

    def pair_query(
        self,
        pre_class: CellClass | None = None,
        post_class: CellClass | None = None,
        synapse: bool | None = None,
        synapse_type: SynapseType | None = None,
        synapse_probed: bool | None = None,
        electrical: bool | None = None,
        experiment_type: str | None = None,
        project_name: str | Sequence[str] | None = None,
        acsf: str | Sequence[str] | None = None,
        age: tuple[float | None, float | None] | None = None,
        species: Species | None = None,
        distance: tuple[float | None, float | None] | None = None,
        internal: str | Sequence[str] | None = None,
        preload: Sequence[PreloadGroup] = (),
        session: BaseBackend | None = None,
        filter_exprs: Sequence[FilterExpr] | None = None,
    ) -> IbisTable:
        """Pairs of cells recorded together, filtered, as one lazy Ibis table (one row per pair).

        A *pair* is an ordered (presynaptic, postsynaptic) pair of cells patched at the same
        time; both directions are separate pairs. Filters are ANDed; SQL NULL never matches.

        Parameters
        ----------
        pre_class, post_class
            Cell classes the presynaptic / postsynaptic cell must belong to.
        synapse
            ``pair.has_synapse`` must equal this (False excludes pairs never annotated).
        synapse_type
            ``'ex'``, ``'in'`` or ``'mixed'``: the synapse's sign (pairs without a synapse drop).
        synapse_probed
            True keeps pairs that were probed for a connection: the presynaptic cell fired more
            than 10 test spikes of its own sign (both signs when its class is unknown). False
            and None filter nothing.
        electrical
            ``pair.has_electrical`` must equal this.
        experiment_type
            ``'standard multipatch'`` selects the three coarse-matrix projects.
        project_name, acsf, internal
            One value or a list of values of ``experiment.project_name`` / ``acsf`` /
            ``internal``. Project names must exist in the database.
        age, distance
            ``(min, max)`` bounds (inclusive, either may be None) on ``slice.age`` (days for
            mouse) and ``pair.distance`` (metres). ``-inf`` as min or ``inf`` as max is no bound
            (the same as None); NaN, ``inf`` as min or ``-inf`` as max is refused.
        species
            ``'mouse'`` or ``'human'`` (``slice.species``).
        preload
            Groups of joined columns to include: ``'experiment'`` (experiment and slice),
            ``'cell'`` (both cells and their morphology, patch-seq, intrinsic and location),
            ``'synapse'`` (synapse, resting-state fit, dynamics, release model, conductance),
            ``'synapse_prediction'``.
        session
            The Ibis connection to build on (default: the read-only one).
        filter_exprs
            Extra conditions: deferreds (``_.synapse_psp_amplitude > 1e-4``), callables taking
            the joined table, or Ibis expressions; they may use any joined column.

        Returns
        -------
        ibis.Table
            Pair columns under their own names (``id`` is the pair id) and joined columns as
            ``<alias>_<column>``. Rows come in no guaranteed order (sorting a wide result
            costs more than computing it); add ``.order_by("id")`` where order matters.

        Raises
        ------
        InvalidArgumentError
            For any argument outside its allowed values; the message lists them.
        ColumnNotFoundError
            For a filter naming an unknown column.
        TableNotFoundError
            For a database without a table the query needs (a partial copy of a release):
            the message names the table, the argument that needs it (``preload='synapse'
            needs table dynamics``) and the schema version. Queries never drop the columns
            of a missing table silently.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import CellClass, synthetic, tutorial_classes
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=20)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> from ibis import _
        >>> sst = CellClass(cre_type="sst", name="Sst")
        >>> pairs = db.pair_query(
        ...     pre_class=sst, species="mouse", synapse=True, preload=["synapse"],
        ...     filter_exprs=[_.synapse_psp_amplitude < 0],
        ... )
        >>> "synapse_psp_amplitude" in pairs.columns  # lazy: nothing has run yet
        True
        >>> frame = pairs.select("id", "synapse_psp_amplitude").to_pandas()  # one SQL statement
        >>> bool((frame.synapse_psp_amplitude < 0).all())
        True
        >>> db.close()
        """
        query = validate_pair_query(
            pre_class=pre_class,
            post_class=post_class,
            synapse=synapse,
            synapse_type=synapse_type,
            synapse_probed=synapse_probed,
            electrical=electrical,
            experiment_type=experiment_type,
            project_name=project_name,
            acsf=acsf,
            age=age,
            species=species,
            distance=distance,
            internal=internal,
            preload=preload,
            filter_exprs=filter_exprs,
            known_projects=self.list_project_names,
            rules=self.rules,
        )
        catalog = self._session_catalog(session)
        return catalog.memoized(
            ("pair_query", query.cache_key()), lambda: self._build_pair_query(query, catalog)
        )

    @staticmethod
    def _build_pair_query(query: PairQuery, catalog: Catalog) -> IbisTable:
        catalog.require_tables(query.table_needs())
        return build_pair_query(
            query,
            pair_view=catalog.pair_view,
            cell_view=catalog.cell_view,
            duplicated=catalog.pair_shape_duplicates,
        )

    def _validated_args(self, pair_query_args: Mapping[str, Any] | None) -> PairQuery:
        return validate_pair_query(
            **matrix_pair_query_args(pair_query_args),
            known_projects=self.list_project_names,
            rules=self.rules,
        )

    def matrix_pair_query(
        self,
        pre_classes: Mapping[str, CellClass],
        post_classes: Mapping[str, CellClass],
        columns: Sequence[str] | None = None,
        pair_query_args: Mapping[str, Any] | None = None,
    ) -> IbisTable:
        """Pairs of every (pre class, post class) combination, as ONE lazy table.

        Each row is one membership: a pair whose presynaptic cell is in ``pre_classes[pre]``
        and postsynaptic cell in ``post_classes[post]``, with ``pre_class`` / ``post_class``
        holding the dict keys. Classes may overlap, so a pair can appear under several keys.

        Parameters
        ----------
        pre_classes, post_classes
            ``{name: CellClass}``.
        columns
            Joined columns to add, by public name (``'synapse_psp_amplitude'``) or as
            ``'alias.column'`` (``'synapse.psp_amplitude'``).
        pair_query_args
            Arguments of :meth:`pair_query` applied to every pair (no classes, no session).

        Returns
        -------
        ibis.Table
            ``pre_class``, ``post_class``, the pair columns and the requested ``columns``; one
            row per (class pair, pair) membership.

        Raises
        ------
        InvalidArgumentError
            For classes that are not ``{name: CellClass}`` dicts, or bad ``pair_query_args``.
        ColumnNotFoundError
            For an unknown column.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import CellClass, synthetic, tutorial_classes
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=20)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> classes = tutorial_classes()
        >>> members = db.matrix_pair_query(
        ...     classes, classes, columns=["synapse_latency"],
        ...     pair_query_args={"synapse": True, "species": "mouse"},
        ... )
        >>> latency = members.group_by("pre_class", "post_class").agg(
        ...     n=members.count(), median_latency=members.synapse_latency.median())
        >>> set(latency.to_pandas().pre_class) <= set(classes)
        True
        >>> db.close()
        """
        query = self._validated_args(pair_query_args)
        pre = classify(pre_classes, argument="pre_classes")
        post = classify(post_classes, argument="post_classes")
        key = ("matrix_pair_query", *self._matrix_key(pre, post, columns, query))
        return self.catalog.memoized(key, lambda: self._matrix_expr(pre, post, columns, query))

    @staticmethod
    def _matrix_key(
        pre: dict[str, CellClass],
        post: dict[str, CellClass],
        columns: Sequence[str] | None,
        query: PairQuery,
    ) -> tuple[Any, ...]:
        rules = query.rules
        return (
            tuple((name, cls.cache_key(rules)) for name, cls in pre.items()),
            tuple((name, cls.cache_key(rules)) for name, cls in post.items()),
            public_column_names(columns, rules),
            query.cache_key(),
        )

    def _matrix_expr(
        self,
        pre: dict[str, CellClass],
        post: dict[str, CellClass],
        columns: Sequence[str] | None,
        query: PairQuery,
    ) -> IbisTable:
        catalog = self.catalog
        rules = query.rules
        catalog.require_tables(
            (f"{argument}[{name!r}]", cls.tables(rules))
            for argument, classes in (("pre_classes", pre), ("post_classes", post))
            for name, cls in classes.items()
        )
        return build_matrix_pair_query(
            pre,
            post,
            query,
            columns=columns,
            build_pairs=lambda q: self._build_pair_query(q, catalog),
            cell_view=catalog.cell_view,
            cells_repeat=catalog.cell_tables_duplicate,
        )

    def connectivity_matrix(
        self,
        pre_classes: Mapping[str, CellClass],
        post_classes: Mapping[str, CellClass],
        *,
        sigma: float | None = None,
        distance_column: DistanceColumn = "distance",
        alpha: float = 0.05,
        gap_junctions: bool = False,
        class_column: ClassColumn = "cell_class_nonsynaptic",
        **pair_query_args: Any,
    ) -> IbisTable:
        """Connection probability for every class pair, as ONE lazy table.

        Per (pre_class, post_class), as aisynphys' ``measure_connectivity``: ``n_probed`` pairs
        (probed as in ``synapse_probed``, with the presynaptic cell's ``class_column`` deciding
        its sign), ``n_connected`` probed pairs with ``has_synapse``, ``connection_probability``
        = n_connected / n_probed and its Clopper-Pearson interval ``ci_lower`` / ``ci_upper`` at
        level ``1 - alpha``. Every combination of the two dicts appears, in dict order, with zero
        counts where no pair was probed; there the probability and its interval are NULL
        (aisynphys gives NaN and the interval (0, 1)).

        With ``sigma`` (metres), the distance-adjusted probability of a Gaussian profile of that
        width, ``adjusted_connection_probability`` (``pmax``), ``adjusted_ci_lower`` and
        ``adjusted_ci_upper``: over the probed pairs with a finite ``distance_column``,
        ``mean_cp = mean(exp(-x**2 / (2 sigma**2)))``, ``pmax = (connected / probed) / mean_cp``
        and the interval is the Clopper-Pearson interval divided by ``mean_cp`` (not clipped to
        1). As in aisynphys, "connected" there means *has a synapse row* (``pair.synapse``),
        not ``has_synapse``; pairs without a finite distance are left out of these figures.

        With ``gap_junctions=True``: ``n_gaps_probed`` (pairs whose cells' electrodes both have a
        recording of a ``TargetV`` stimulus, whatever their test spikes), ``n_gaps`` (of them
        ``has_electrical``), ``gap_probability``, ``gap_ci_lower``, ``gap_ci_upper``, and with
        ``sigma`` also ``adjusted_gap_probability``, ``adjusted_gap_ci_lower`` and
        ``adjusted_gap_ci_upper``. Releases of size "small" hold no recordings, so no pair is
        probed for gap junctions there.

        Parameters
        ----------
        pre_classes, post_classes
            ``{name: CellClass}``.
        sigma
            Width (metres) of the Gaussian connectivity profile of the adjusted figures, e.g.
            ``100e-6``; None (default) leaves them out.
        distance_column
            The distance of the adjusted figures: ``'distance'`` (default), ``'lateral_distance'``
            or ``'vertical_distance'`` (aisynphys' ``dist_measure``).
        alpha
            Every interval's level is ``1 - alpha`` (default 0.05: 95%), on every engine.
        gap_junctions
            Add the gap-junction columns.
        class_column
            ``'cell_class_nonsynaptic'`` (default, as aisynphys' connectivity analyses) or
            ``'cell_class'`` (as ``pair_query(synapse_probed=True)``). Schema version 15 has
            neither and uses ``cell.is_excitatory`` for both.
        **pair_query_args
            Filters of :meth:`pair_query` (``species='mouse'``, ``experiment_type=...``).

        Returns
        -------
        ibis.Table
            The *long* table: one row per (pre class, post class), ``len(pre) * len(post)``
            rows. :func:`synphys_ibis.connectivity_grid` turns it into the square grid.

        Raises
        ------
        InvalidArgumentError
            For classes that are not ``{name: CellClass}`` dicts, a bad ``class_column`` or
            filter, or ``sigma``, ``alpha`` or ``distance_column`` outside their allowed values
            (the message names them).

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "m.sqlite"),
        ...                                n_experiments=40, size="medium")
        >>> classes = {"ex": CellClass(cell_class="ex"), "in": CellClass(cell_class="in")}
        >>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        ...     cm = db.connectivity_matrix(classes, classes, sigma=100e-6, gap_junctions=True,
        ...                                 alpha=0.32).to_pandas()
        >>> cm.columns.tolist()[:7]
        ['pre_class', 'post_class', 'n_probed', 'n_connected', 'connection_probability', 'ci_lower', 'ci_upper']
        >>> bool((cm.adjusted_connection_probability >= cm.connection_probability * 0.9).all())
        True
        >>> int(cm.n_gaps_probed.sum()) > 0
        True
        >>> from synphys_ibis import tutorial_classes
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=20)
        >>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
        >>> from synphys_ibis import connectivity_grid
        >>> classes = tutorial_classes()
        >>> cm = db.connectivity_matrix(classes, classes, species="mouse")
        >>> frame = cm.to_pandas()
        >>> len(frame), list(frame.columns[:4])
        (16, ['pre_class', 'post_class', 'n_probed', 'n_connected'])
        >>> connectivity_grid(frame).shape
        (4, 4)
        >>> db.close()
        """
        column = f"pre_cell_{self.rules.sign_column(class_column)}"
        sigma = validate_sigma(sigma)
        alpha = validate_alpha(alpha)
        distance = validate_distance_column(distance_column, self.rules)
        if not isinstance(gap_junctions, bool):
            raise InvalidArgumentError(
                f"gap_junctions={format_value(gap_junctions)} is not allowed; pass True or False"
            )
        query = self._validated_args(pair_query_args)
        pre = classify(pre_classes, argument="pre_classes")
        post = classify(post_classes, argument="post_classes")
        columns = [column]
        if sigma is not None:
            columns += [distance, "synapse_id"]
        if gap_junctions:
            columns += ["pre_cell_electrode_id", "post_cell_electrode_id"]
        options = (sigma, distance if sigma is not None else None, alpha, gap_junctions)
        key = ("connectivity_matrix", *self._matrix_key(pre, post, columns, query), options)
        catalog = self.catalog
        return catalog.memoized(
            key,
            lambda: build_connectivity_matrix(
                self._matrix_expr(pre, post, columns, query),
                list(pre),
                list(post),
                class_column=column,
                interval_functions=self.engine.capabilities.interval_functions,
                alpha=alpha,
                sigma=sigma,
                distance_column=distance,
                gap_junction_electrodes=(
                    gap_junction_electrodes(catalog.table, self.rules) if gap_junctions else None
                ),
            ),
        )

    def connectivity_fit(
        self,
        pre_classes: Mapping[str, CellClass],
        post_classes: Mapping[str, CellClass],
        *,
        model: ModelName = "gaussian",
        sigma: float | None = None,
        distance_column: DistanceColumn = "distance",
        class_column: ClassColumn = "cell_class_nonsynaptic",
        **pair_query_args: Any,
    ) -> pd.DataFrame:
        """Maximum-likelihood connectivity-vs-distance fit of every class pair.

        The probed pairs of each class pair (as in :meth:`connectivity_matrix`) with a finite
        ``distance_column`` are counted per distance and outcome by the database in one
        statement; the fits run here (:func:`synphys_ibis.connectivity.fit_profile`, which needs
        SciPy: ``pip install "synphys_ibis[fit]"``). "Connected" is "has a synapse row", as in
        aisynphys' ``measure_connectivity(fit_model=...)``. See
        :func:`~synphys_ibis.connectivity.fit_profile` for the models, bounds, the optimiser and
        the digits to which the results equal aisynphys' ``GaussianModel.fit``.

        Parameters
        ----------
        pre_classes, post_classes
            ``{name: CellClass}``.
        model
            ``'gaussian'``: ``pmax * exp(-x**2 / (2 size**2))`` (aisynphys' ``GaussianModel``);
            ``'erf'``: ``pmax * erfc((x - midpoint) / (sqrt(2) size)) / 2``.
        sigma
            None (default): ``size`` is fitted; a number of metres fixes it (aisynphys'
            ``fixed_size``).
        distance_column, class_column, **pair_query_args
            As for :meth:`connectivity_matrix`.

        Returns
        -------
        pandas.DataFrame
            One row per class pair, in dict order: ``pre_class``, ``post_class``, ``n_probed``
            and ``n_connected`` (the pairs fitted), ``pmax``, ``size`` (metres; ``sigma`` when
            fixed), ``midpoint`` (metres, ``'erf'`` only), ``nll`` (the negative log-likelihood
            at the optimum) and ``success`` (whether the optimiser converged). Class pairs with
            no pair to fit have NULL (NA) parameters (aisynphys returns its first start point).

        Raises
        ------
        ImportError
            If SciPy is not installed (the message names the extra to install).
        InvalidArgumentError
            For a ``model``, ``sigma`` or ``distance_column`` outside their allowed values.

        Examples
        --------
        >>> import os, tempfile
        >>> from synphys_ibis import SynphysDatabase, CellClass, synthetic
        >>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "f.sqlite"),
        ...                                n_experiments=40)
        >>> classes = {"ex": CellClass(cell_class="ex"), "in": CellClass(cell_class="in")}
        >>> with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        ...     fits = db.connectivity_fit(classes, classes, sigma=100e-6)
        >>> fits[["pre_class", "post_class"]].values.tolist()
        [['ex', 'ex'], ['ex', 'in'], ['in', 'ex'], ['in', 'in']]
        >>> bool(fits.success.all()), bool((fits["size"] == 100e-6).all())
        (True, True)
        """
        from synphys_ibis.connectivity import fit_class_pairs, validate_model

        model = validate_model(model)
        sigma = validate_sigma(sigma)
        column = f"pre_cell_{self.rules.sign_column(class_column)}"
        distance = validate_distance_column(distance_column, self.rules)
        query = self._validated_args(pair_query_args)
        pre = classify(pre_classes, argument="pre_classes")
        post = classify(post_classes, argument="post_classes")
        columns = [column, distance, "synapse_id"]
        key = ("connectivity_fit", *self._matrix_key(pre, post, columns, query), distance)
        expr = self.catalog.memoized(
            key,
            lambda: build_fit_input(
                self._matrix_expr(pre, post, columns, query),
                class_column=column,
                distance_column=distance,
            ),
        )
        rows = expr.to_pyarrow()
        return fit_class_pairs(rows, list(pre), list(post), model=model, sigma=sigma)


def _dataset_name(target: str | os.PathLike[str]) -> str:
    """A dataset's local path made absolute, or its URL as given.

    Raises
    ------
    FileNotFoundError
        If a local path does not exist.
    """
    text = os.fspath(target)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"no such dataset directory: {path}")
    return str(path.resolve())
