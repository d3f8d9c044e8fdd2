"""A one-time native DuckDB copy of the tables that queries read from a SQLite release.

DuckDB's sqlite scanner re-reads whole SQLite tables on every query and uses no index; a native,
typed copy of the ~20 tables that pair queries and cell classes read answers the same queries
3-4x faster and is built once (seconds for a small release). The copy lives in the cache, keyed by
the release's absolute path, size and modification time, so a changed or replaced release gets a
fresh copy and the stale one is removed. The bulky raw-data tables (pulse responses, recordings,
...) stay in the attached SQLite file.

The copy is written to a temporary file and renamed into place only when complete, so two
processes may build it at once and neither ever opens a half-written copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

import duckdb

from synphys_ibis import progress as progress_bars
from synphys_ibis import settings
from synphys_ibis.engines.duckdb import (
    RELEASE_CATALOG,
    attach_sqlite,
    connect,
    typed_sqlite_select,
)
from synphys_ibis.schema import Schema

__all__ = ["NATIVE_TABLES", "ensure_native_copy", "native_copy_path"]

logger = logging.getLogger("synphys_ibis")

#: Tables copied into the native file: everything pair queries, cell classes and the usual
#: notebook analyses read. The rest stays in the attached SQLite file.
NATIVE_TABLES: tuple[str, ...] = (
    "metadata",
    "slice",
    "experiment",
    "cortical_site",
    "electrode",
    "cell",
    "morphology",
    "cortical_cell_location",
    "patch_seq",
    "intrinsic",
    "pair",
    "synapse",
    "poly_synapse",
    "synapse_prediction",
    "dynamics",
    "resting_state_fit",
    "synapse_model",
    "conductance",
    "gap_junction",
    "avg_response_fit",
)

# Bump when the layout of the native copy changes, so old copies are rebuilt.
_FORMAT = "1"


def native_copy_path(
    sqlite_path: str | os.PathLike[str], *, cache: str | Path | None = None
) -> Path:
    """Where the native copy of ``sqlite_path`` (in its current state) lives in the cache."""
    source = Path(sqlite_path).resolve()
    stat = source.stat()
    path_key = hashlib.sha1(str(source).encode()).hexdigest()[:10]
    state_key = hashlib.sha1(f"{stat.st_size}:{stat.st_mtime_ns}:{_FORMAT}".encode()).hexdigest()[
        :10
    ]
    return settings.cache_dir(cache) / "native" / f"{source.stem}-{path_key}-{state_key}.duckdb"


def ensure_native_copy(
    sqlite_path: str | os.PathLike[str],
    schema: Schema,
    *,
    cache: str | Path | None = None,
    progress: bool = True,
) -> Path:
    """Return the native copy of ``sqlite_path``, building it first if it is missing or stale."""
    target = native_copy_path(sqlite_path, cache=cache)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp_name)  # DuckDB must create the file itself
    try:
        _build(Path(sqlite_path), Path(tmp_name), schema, cache=cache, progress=progress)
        os.replace(tmp_name, target)
    finally:
        for leftover in (tmp_name, tmp_name + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    _remove_stale_copies(target)
    logger.info(
        "built native copy %s of %s in %.2f s", target, sqlite_path, time.perf_counter() - started
    )
    return target


def _build(
    source: Path, dest: Path, schema: Schema, *, cache: str | Path | None, progress: bool
) -> None:
    con = connect(dest, cache=cache)
    try:
        attach_sqlite(con, source, read_only=True)
        # a partial release lacks some tables: they are not copied (queries needing one say so)
        present = set(con.list_tables(database=(RELEASE_CATALOG, "main")))
        tables = [name for name in NATIVE_TABLES if name in schema and name in present]
        bar = progress_bars.bar(
            tables, desc=f"indexing {source.name}", unit="table", leave=False, progress=progress
        )
        for name in bar:
            select = typed_sqlite_select(schema.version, name)
            con.raw_sql(f'CREATE TABLE main."{name}" AS {select}')
        con.raw_sql(f'DETACH "{RELEASE_CATALOG}"')
        con.raw_sql("CHECKPOINT")
    except duckdb.Error:
        logger.exception("building the native copy of %s failed", source)
        raise
    finally:
        con.disconnect()


def _remove_stale_copies(current: Path) -> None:
    prefix = current.name.rsplit("-", 1)[0] + "-"
    for other in current.parent.glob(prefix + "*.duckdb"):
        if other != current:
            try:
                other.unlink()
            except OSError:  # another process may still have it open; it is only a cache
                logger.debug("could not remove stale native copy %s", other)
