"""A one-time native DuckDB copy of the tables that queries read from a SQLite release.

DuckDB's sqlite scanner re-reads whole SQLite tables on every query and uses no index; a native,
typed copy of the ~20 tables that pair queries and cell classes read answers the same queries
3-4x faster and is built once (seconds for a small release). The copy lives in the cache, keyed by
the release's absolute path, size and modification time, so a changed or replaced release gets a
fresh copy and the stale one is removed. The bulky raw-data tables (pulse responses, recordings,
...) stay in the attached SQLite file.

The copy is written to a temporary file (``.<copy>-<random>.tmp`` and its ``.wal``) and renamed
into place only when complete, so no process ever opens a half-written copy. One process builds it:
the build runs under a file lock per release (``<cache>/native/<release>-<key>.lock``), and the
processes that open the release meanwhile wait and then use that copy. Whoever takes the lock
next removes the temporaries a killed build left (only the lock holder ever writes one). A copy
that DuckDB cannot open (truncated, overwritten) is rebuilt, with a warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
import warnings
from pathlib import Path

import duckdb

from synphys_ibis import locks, settings
from synphys_ibis import progress as progress_bars
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
    """Return the native copy of ``sqlite_path``, building it first if it is missing or stale.

    A copy that cannot be opened is rebuilt (with a warning); concurrent callers wait for one
    build (see the module docstring).
    """
    target = native_copy_path(sqlite_path, cache=cache)
    if _readable(target, cache=cache):
        return target
    with locks.held(_lock_path(target), doing=f"building the native copy of {sqlite_path}"):
        _remove_abandoned_builds(target)
        if _readable(target, cache=cache):  # built by the process we waited for
            return target
        if target.exists():
            message = (
                f"the native copy {target} of {sqlite_path} cannot be opened (truncated or "
                "damaged); it is rebuilt"
            )
            logger.warning(message)
            warnings.warn(message, UserWarning, stacklevel=2)
            target.unlink()
        _build_and_publish(Path(sqlite_path), target, schema, cache=cache, progress=progress)
        # under the lock: another process may be checking the copy it just built
        _remove_stale_copies(target)
    return target


def _build_and_publish(
    sqlite_path: Path, target: Path, schema: Schema, *, cache: str | Path | None, progress: bool
) -> None:
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
    logger.info(
        "built native copy %s of %s in %.2f s", target, sqlite_path, time.perf_counter() - started
    )


def _release_key(copy: Path) -> str:
    """``<release>-<path key>``: what every copy (and temporary) of one release starts with."""
    return copy.name.rsplit("-", 1)[0]


def _lock_path(copy: Path) -> Path:
    return copy.with_name(f"{_release_key(copy)}.lock")


def _readable(copy: Path, *, cache: str | Path | None) -> bool:
    """Whether DuckDB opens ``copy`` and lists its tables (a damaged file fails to open).

    Opened as every reader opens it (:func:`~synphys_ibis.engines.duckdb.connect`), so that a
    connection of this process to the same file is shared, not refused. A lock held by another
    process or a refused connection is not damage: it is raised.
    """
    if not copy.is_file():
        return False
    try:
        con = connect(copy, read_only=True, cache=cache)
    except duckdb.ConnectionException:
        raise
    except duckdb.Error as err:
        if "Could not set lock" in str(err):
            raise
        logger.debug("cannot open the native copy %s: %s", copy, err)
        return False
    try:
        con.con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
    except duckdb.Error as err:
        logger.debug("cannot read the tables of the native copy %s: %s", copy, err)
        return False
    finally:
        con.disconnect()
    return True


def _remove_abandoned_builds(copy: Path) -> None:
    """Remove the temporaries of killed builds of the release of ``copy`` (hold its lock)."""
    pattern = re.compile(rf"^\.{re.escape(_release_key(copy))}-.+\.tmp(?:\.wal)?$")
    for entry in copy.parent.iterdir():
        if pattern.match(entry.name):
            entry.unlink(missing_ok=True)
            logger.info("removed %s, left by a native-copy build that did not finish", entry)


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
