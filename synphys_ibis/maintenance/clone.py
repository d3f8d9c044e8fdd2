"""Whole-database copies that are published only when complete: clone and bake.

Both write to a temporary destination first (a database named ``<name>_tmp_<random>`` on the
same PostgreSQL server, or a hidden ``.<name>.<random>.tmp`` file next to the target), create the
published tables there without secondary indexes, stream every table in
(:func:`synphys_ibis.maintenance.transfer.iter_copy_tables`, which verifies each table's row count), create
the indexes and keys, vacuum, and only then publish it under the target name: a file rename, or
``ALTER DATABASE ... RENAME``. If anything fails, the temporary is removed and the target is
exactly as it was (absent, or the previous database).

A process killed mid-copy cannot remove its temporary: the copy marks it as its own for its whole
life (:meth:`~synphys_ibis.engines.base.Engine.hold_temporary`: a file lock, or a PostgreSQL
advisory lock), and the next copy into the same target removes those whose owner is gone, before
anything else (:meth:`~synphys_ibis.engines.base.Engine.remove_abandoned`). Another process's copy
in progress is never touched.

Examples
--------
>>> import os, sqlite3, tempfile
>>> from synphys_ibis import Database, synthetic
>>> tmp = tempfile.mkdtemp()
>>> release = synthetic.write_release(os.path.join(tmp, "r.sqlite"), n_experiments=2)
>>> baked = Database("sqlite:///", None, release).bake_sqlite(os.path.join(tmp, "b.sqlite"),
...                                                            progress=False)
>>> con = sqlite3.connect(baked)
>>> con.execute("SELECT count(*) FROM pair").fetchone() == (
...     sqlite3.connect(release).execute("SELECT count(*) FROM pair").fetchone())
True
>>> sorted(os.listdir(tmp))
['b.sqlite', 'r.sqlite']
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

from synphys_ibis.engines.base import DatabaseHandle
from synphys_ibis.errors import CopyError, InvalidArgumentError, ReadOnlyError
from synphys_ibis.maintenance import operations as maintenance
from synphys_ibis.maintenance.transfer import iter_copy_tables
from synphys_ibis.schema import Table, load_schema

__all__ = ["bake_sqlite", "clone_database"]

logger = logging.getLogger("synphys_ibis")


def clone_database(
    source: DatabaseHandle,
    *,
    dest_db_name: str | os.PathLike[str] | None = None,
    dest_db: DatabaseHandle | None = None,
    overwrite: bool = False,
    **copy_options: Any,
) -> DatabaseHandle:
    """Copy every table of ``source`` into a new database, published only when complete.

    Parameters
    ----------
    source
        The database to copy (read through its read-only host).
    dest_db_name
        Name of the destination on the same hosts as ``source`` (a database name, or a file path).
    dest_db
        Or the destination itself, on any backend (it needs a read-write host).
    overwrite
        Replace an existing destination (it is swapped out only after the copy succeeded).
        Without it an existing destination is refused and left untouched.
    **copy_options
        ``tables``, ``skip_tables``, ``skip_columns``, ``skip_errors``, ``vacuum``,
        ``batch_rows``, ``progress``: as for :func:`~synphys_ibis.maintenance.transfer.iter_copy_tables`.
        Every published table is created; tables not copied stay empty. ``boolean_checks``
        (SQLite destinations): write the boolean CHECK constraints of files built before
        SQLAlchemy 1.4 (True), not (False), or as the source's schema version was published
        (None, the default: with them for 15, 16 and 18).

    Returns
    -------
    Database
        The destination.

    Raises
    ------
    CopyError
        If the destination exists and ``overwrite`` is false, or a table could not be copied.
    ReadOnlyError
        If the destination has no read-write host.
    """
    dest = _destination(source, dest_db_name, dest_db)
    if dest.rw_host is None:
        raise ReadOnlyError(f"cannot clone into {dest!r}: it has no read-write host")
    if dest.engine.same_database(source, dest):
        raise InvalidArgumentError(f"cannot clone {source!r} into itself")
    # first: a killed overwrite may have left the previous destination under another name
    dest.engine.remove_abandoned(dest)
    if dest.exists and not overwrite:
        raise CopyError(
            f"destination {dest!r} exists; pass overwrite=True to replace it (it is swapped out "
            f"only once the copy is complete)"
        )
    vacuum = copy_options.pop("vacuum", True)
    boolean_checks = copy_options.pop("boolean_checks", None)
    temp = _temporary(dest, source.schema_version)
    copies = iter_copy_tables(source, temp, vacuum=False, **copy_options)  # validates arguments
    specs = list(load_schema(source.schema_version))
    started = time.perf_counter()
    with temp.engine.hold_temporary(temp):
        _copy_and_publish(temp, dest, copies, specs, vacuum=vacuum,
                          boolean_checks=boolean_checks, overwrite=overwrite)  # fmt: skip
    logger.info("cloned %r into %r in %.2f s", source, dest, time.perf_counter() - started)
    return dest


def _copy_and_publish(
    temp: DatabaseHandle,
    dest: DatabaseHandle,
    copies: Generator[str, None, None],
    specs: list[Table],
    *,
    vacuum: bool,
    boolean_checks: bool | None,
    overwrite: bool,
) -> None:
    """Fill ``temp`` (tables, rows, indexes, statistics) and publish it as ``dest``."""
    try:
        temp.create_database()
        maintenance.create_schema(
            temp, specs, indexes=False, foreign_keys=False, boolean_checks=boolean_checks
        )
        for name in copies:
            logger.info("copied %s into %s", name, temp.db_name)
        maintenance.finish_schema(temp, specs)
        # SQLite: VACUUM only; ANALYZE would add sqlite_stat1, a table releases do not have
        statistics = temp.engine.capabilities.planner_statistics
        if vacuum:
            maintenance.vacuum(temp, None, analyze=statistics)
        elif statistics:
            maintenance.analyze(temp)  # planner statistics are not optional after a bulk load
        temp.dispose_engines()
        dest.dispose_engines()
        dest.engine.publish(temp, dest, overwrite=overwrite)
    except BaseException:
        copies.close()  # an interrupted copy: close its connections before removing the temporary
        _discard(temp)
        raise


def bake_sqlite(
    source: DatabaseHandle, sqlite_file: str | os.PathLike[str], **options: Any
) -> Path:
    """Write ``source`` into a SQLite release file with exactly the published DDL.

    The file is written next to ``sqlite_file`` under a temporary name and renamed into place
    once every table is copied, verified, indexed and the file vacuumed. The file has the
    source's schema version. Keywords are those of :func:`clone_database` (``overwrite``,
    ``tables``, ``skip_tables``, ``skip_columns``, ``boolean_checks`` ...).

    Returns
    -------
    pathlib.Path
        The release file.
    """
    path = Path(sqlite_file).expanduser().resolve()
    if not path.parent.is_dir():
        raise FileNotFoundError(f"directory {str(path.parent)!r} does not exist")
    dest = source.on_host("sqlite:///", path, schema_version=source.schema_version)
    clone_database(source, dest_db=dest, **options)
    return path


def _destination(
    source: DatabaseHandle,
    dest_db_name: str | os.PathLike[str] | None,
    dest_db: DatabaseHandle | None,
) -> DatabaseHandle:
    if (dest_db_name is None) == (dest_db is None):
        raise InvalidArgumentError("pass exactly one of dest_db_name and dest_db")
    if dest_db is not None:
        return dest_db
    assert dest_db_name is not None
    return source.get_database(dest_db_name)


def _temporary(dest: DatabaseHandle, schema_version: str) -> DatabaseHandle:
    """A new database next to ``dest`` (same engine and host) to copy into."""
    temp_name = dest.engine.temporary_name(dest, uuid.uuid4().hex[:10])
    return dest.on_host(dest.rw_host or dest.ro_host, temp_name, schema_version=schema_version)


def _discard(temp: DatabaseHandle) -> None:
    temp.dispose_engines()
    try:
        temp.drop_database(force=True)
    except Exception:  # the original error matters more; say what was left behind
        logger.exception("could not remove the temporary database %r", temp)
