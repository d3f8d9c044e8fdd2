"""A Parquet dataset of a release, opened on DuckDB: locally or at any fsspec URL, lazily.

Every table of the dataset becomes two temporary views on an in-memory DuckDB connection: a raw
one, ``read_parquet([...files the manifest lists...])``, and over it a view with the table's own
name and logical types (:func:`synphys_ibis.schema.normalize.typed_table`: booleans, the JSON text
``'null'`` and empty arrays as SQL NULL), so ``con.table("pair")`` is the typed pair table, as
for a SQLite release. Nothing is read when the views are made but each table's Parquet footer.

Queries read lazily: DuckDB fetches only the columns a query uses and skips row groups whose
min/max statistics exclude its filters. Remote datasets are read through an fsspec filesystem
registered with the connection (``con.register_filesystem``), which fetches byte ranges on
demand: ``http(s)://`` needs a server that answers Range requests. It knows every file's size
from the manifest, fetches all footers at once when the dataset is opened and keeps the blocks
it read (:mod:`synphys_ibis.engines.remote`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from synphys_ibis.engines.base import Capabilities, DatabaseHandle
from synphys_ibis.engines.dataset import (
    DatasetEngine,
    DatasetLocation,
    DatasetManifest,
    is_dataset,
    read_manifest,
)
from synphys_ibis.engines.duckdb import connect
from synphys_ibis.engines.duckdb_readonly import read_only_setup
from synphys_ibis.engines.remote import BLOCK_BYTES, block_cached, dataset_filesystem
from synphys_ibis.schema import load_schema
from synphys_ibis.schema.normalize import logical_schema, typed_table
from synphys_ibis.stats import duckdb_ci_lower, duckdb_ci_upper

__all__ = [
    "ENGINE",
    "RAW_PREFIX",
    "ParquetEngine",
    "create_parquet_views",
    "dataset_files",
    "open_parquet_release",
]

logger = logging.getLogger("synphys_ibis")

#: Prefix of the raw ``read_parquet`` view of each table.
RAW_PREFIX = "_synphys_parquet_"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_parquet_views(
    con: DuckDBBackend,
    location: DatasetLocation,
    manifest: DatasetManifest,
    schema_version: str,
) -> list[str]:
    """Create the raw and typed TEMP VIEWs of every table of ``manifest`` that the schema has."""
    schema = load_schema(schema_version)
    created = []
    for table in manifest.tables.values():
        if table.name not in schema:
            continue
        spec = schema.table(table.name)
        files = ", ".join(_sql_string(location.url(f.path)) for f in table.files)
        raw_name = RAW_PREFIX + table.name
        con.raw_sql(
            f'CREATE OR REPLACE TEMP VIEW "{raw_name}" AS SELECT * FROM read_parquet([{files}])'
        )
        raw = ibis.table(logical_schema(spec), name=raw_name)
        typed = ibis.to_sql(typed_table(raw, spec), dialect="duckdb")
        con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{table.name}" AS {typed}')
        created.append(table.name)
    return created


def dataset_files(
    location: DatasetLocation, manifest: DatasetManifest, schema_version: str
) -> list[str]:
    """The address of every file the views of ``manifest``'s tables read."""
    schema = load_schema(schema_version)
    return [
        location.url(f.path)
        for table in manifest.tables.values()
        if table.name in schema
        for f in table.files
    ]


def open_parquet_release(
    target: str | os.PathLike[str],
    schema_version: str,
    *,
    storage_options: Mapping[str, Any] | None = None,
    manifest: DatasetManifest | None = None,
    cache: str | Path | None = None,
    cache_storage: str | Path | None = None,
) -> DuckDBBackend:
    """Open the Parquet dataset at ``target`` on an in-memory DuckDB connection.

    Parameters
    ----------
    target
        The dataset directory: a path, or a ``file://``, ``http(s)://``, ``s3://``, ... URL.
    schema_version
        The schema whose tables and types the views expose.
    storage_options
        Keyword arguments of the fsspec filesystem of a remote ``target``.
    manifest
        The dataset's manifest, if already read.
    cache
        Cache directory (for DuckDB's extension directory).
    cache_storage
        A local directory where the blocks read of a remote dataset are kept across processes
        (fsspec's ``blockcache``).

    Raises
    ------
    NotAReleaseError
        If ``target`` holds no dataset manifest.
    RangeRequestsUnsupportedError
        If the server of a remote ``target`` ignores Range requests.
    ImportError
        If the fsspec filesystem of ``target``'s protocol is not installed.
    """
    started = time.perf_counter()
    location = DatasetLocation.parse(target)
    if manifest is None:
        manifest = read_manifest(target, storage_options=storage_options)
    con = connect(cache=cache)
    fs = location.filesystem(storage_options)
    if fs is not None:
        protocol = fs.protocol
        if cache_storage is not None:
            fs = block_cached(fs, cache_storage)
        sizes = {location.url(f.path): f.bytes for t in manifest.tables.values() for f in t.files}
        block = int(dict(storage_options or {}).get("block_size") or BLOCK_BYTES)
        con.con.register_filesystem(
            dataset_filesystem(fs, sizes, protocol=protocol, block_bytes=block)
        )
        # footers are parsed once per file (the files never change: their mtime is constant)
        con.raw_sql("SET parquet_metadata_cache = true")
    # the dataset's files are the only ones DuckDB may read (see engines/duckdb_readonly.py)
    with read_only_setup(con, allowed_paths=dataset_files(location, manifest, schema_version)):
        create_parquet_views(con, location, manifest, schema_version)
    logger.debug("opened Parquet dataset %s in %.3f s", target, time.perf_counter() - started)
    return con


class ParquetEngine(DatasetEngine):
    """A Parquet dataset of a release read by DuckDB (``parquet:///``); read-only."""

    name = "parquet"
    option_names: tuple[str, ...] = ("storage_options", "cache_storage")
    capabilities = Capabilities(
        writable=False,
        dataset=True,
        raw_batches=False,
        normalize_stored_types=False,
        temp_views=True,
        single_open_mode=False,
        planner_statistics=False,
        local_file=False,
        interval_functions=(duckdb_ci_lower, duckdb_ci_upper),
    )

    def open_reader(self, db: DatabaseHandle) -> DuckDBBackend:
        return open_parquet_release(
            db.require_name(),
            db.schema_version,
            storage_options=db.engine_options.get("storage_options"),
            manifest=db.dataset_manifest(),
            cache=db.cache_dir,
            cache_storage=db.engine_options.get("cache_storage"),
        )

    def read_manifest(self, db: DatabaseHandle) -> DatasetManifest:
        return read_manifest(
            db.require_name(), storage_options=db.engine_options.get("storage_options")
        )

    def exists(self, db: DatabaseHandle) -> bool:
        return db.db_name is not None and is_dataset(
            db.db_name, storage_options=db.engine_options.get("storage_options")
        )


ENGINE = ParquetEngine()
