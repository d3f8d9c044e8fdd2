"""Engines: every way a synphys database is stored and reached, behind one contract.

* :mod:`~synphys_ibis.engines.base` -- the :class:`~synphys_ibis.engines.base.Engine` Protocol
  (open a reader, read metadata, stored columns, exists, schema operations, a batch writer,
  publish), its :class:`~synphys_ibis.engines.base.Capabilities` and the declared gaps.
* :mod:`~synphys_ibis.engines.registry` -- host scheme -> engine, and address routing.
* One module per engine holding its ``ENGINE``: :mod:`~synphys_ibis.engines.sqlite`,
  :mod:`~synphys_ibis.engines.duckdb`, :mod:`~synphys_ibis.engines.postgres`,
  :mod:`~synphys_ibis.engines.parquet`, :mod:`~synphys_ibis.engines.spark`; with their helpers
  (``native``, ``files``, ``ddl``, ``dataset``, ``postgres_url``, ``postgres_copy``,
  ``postgres_functions``, ``compiled``).

This module opens a SQLite release on DuckDB (attached read-only, optionally through a native
copy); every connection the engines open exposes each release table under its own name.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from ibis.backends.duckdb import Backend as DuckDBBackend

from synphys_ibis.engines.duckdb import (
    attach_sqlite,
    connect,
    create_typed_views,
    load_extension,
)
from synphys_ibis.engines.duckdb_readonly import is_locked, read_only_setup

__all__ = ["open_sqlite_release"]

logger = logging.getLogger("synphys_ibis")


def open_sqlite_release(
    path: str | os.PathLike[str],
    schema_version: str,
    *,
    native: bool,
    cache: str | Path | None = None,
    progress: bool = True,
) -> DuckDBBackend:
    """Open a SQLite release read-only on DuckDB.

    With ``native=True`` the query tables come from a native DuckDB copy in the cache (built on
    first use) and the remaining tables from the attached file; otherwise every table is read
    from the attached file through the sqlite scanner. The release file is never written, and
    the connection cannot write anything: external access is off, its configuration locked and
    writing statements refused (:mod:`synphys_ibis.engines.duckdb_readonly`).
    """
    from synphys_ibis.engines.native import ensure_native_copy  # native builds on this package
    from synphys_ibis.schema import load_schema

    started = time.perf_counter()
    schema = load_schema(schema_version)
    if native:
        con = connect(
            ensure_native_copy(path, schema, cache=cache, progress=progress),
            read_only=True,
            cache=cache,
        )
        in_native = set(con.list_tables())
    else:
        con = connect(cache=cache)
        in_native = set()
    if not is_locked(con.con):  # else another connection to the native copy set it up
        load_extension(con, "sqlite_scanner")
    # external access goes off before the release is attached, so that its path is not one
    # DuckDB may write to (see synphys_ibis.engines.duckdb_readonly)
    with read_only_setup(con):
        attach_sqlite(con, path, read_only=True, load_scanner=False)
        create_typed_views(con, schema_version, skip=in_native)
    logger.debug("opened %s (native=%s) in %.3f s", path, native, time.perf_counter() - started)
    return con
