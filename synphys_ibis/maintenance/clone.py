"""Whole-database copies that are published only when complete: clone and bake.

Both write to a temporary destination first (a database named ``<name>_tmp_<random>`` on the
same PostgreSQL server, or a hidden ``.<name>.<random>.tmp`` file next to the target), create the
published tables there without secondary indexes, stream every table in
(:func:`synphys_ibis.maintenance.transfer.iter_copy_tables`, which verifies each table's row count), create
the indexes and keys, vacuum, and only then publish it under the target name: a file rename, or
``ALTER DATABASE ... RENAME``. If anything fails, the temporary is removed and the target is
exactly as it was (absent, or the previous database).

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

import contextlib
import logging
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synphys_ibis.errors import CopyError, InvalidArgumentError, ReadOnlyError
from synphys_ibis.maintenance import operations as maintenance
from synphys_ibis.maintenance.transfer import iter_copy_tables
from synphys_ibis.schema import load_schema

if TYPE_CHECKING:
    from synphys_ibis.database import Database

__all__ = ["bake_sqlite", "clone_database"]

logger = logging.getLogger("synphys_ibis")


def clone_database(
    source: Database,
    *,
    dest_db_name: str | os.PathLike[str] | None = None,
    dest_db: Database | None = None,
    overwrite: bool = False,
    **copy_options: Any,
) -> Database:
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
    if _same_database(source, dest):
        raise InvalidArgumentError(f"cannot clone {source!r} into itself")
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
    try:
        temp.create_database()
        maintenance.create_schema(
            temp, specs, indexes=False, foreign_keys=False, boolean_checks=boolean_checks
        )
        for name in copies:
            logger.info("copied %s into %s", name, temp.db_name)
        maintenance.finish_schema(temp, specs)
        if vacuum:
            # SQLite: VACUUM only; ANALYZE would add sqlite_stat1, a table releases do not have
            maintenance.vacuum(temp, None, analyze=temp.backend != "sqlite")
        elif temp.backend != "sqlite":
            maintenance.analyze(temp)  # planner statistics are not optional after a bulk load
        temp.dispose_engines()
        dest.dispose_engines()
        _publish(temp, dest, overwrite=overwrite)
    except BaseException:
        copies.close()  # an interrupted copy: close its connections before removing the temporary
        _discard(temp)
        raise
    logger.info("cloned %r into %r in %.2f s", source, dest, time.perf_counter() - started)
    return dest


def bake_sqlite(source: Database, sqlite_file: str | os.PathLike[str], **options: Any) -> Path:
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
    from synphys_ibis.database import Database

    path = Path(sqlite_file).expanduser().resolve()
    if not path.parent.is_dir():
        raise FileNotFoundError(f"directory {str(path.parent)!r} does not exist")
    dest = Database(
        "sqlite:///",
        "sqlite:///",
        path,
        cache_dir=source._cache_dir,
        schema_version=source.schema_version,
    )
    clone_database(source, dest_db=dest, **options)
    return path


def _destination(
    source: Database, dest_db_name: str | os.PathLike[str] | None, dest_db: Database | None
) -> Database:
    if (dest_db_name is None) == (dest_db is None):
        raise InvalidArgumentError("pass exactly one of dest_db_name and dest_db")
    if dest_db is not None:
        return dest_db
    assert dest_db_name is not None
    return source.get_database(dest_db_name)


def _same_database(a: Database, b: Database) -> bool:
    if a.backend != b.backend or a.db_name is None or b.db_name is None:
        return False
    if a.backend == "postgresql":
        url_a, url_b = a._pg_url(readonly=True), b._pg_url(readonly=False)
        return (url_a.host, url_a.port, a.db_name) == (url_b.host, url_b.port, b.db_name)
    return Path(a.db_name).resolve() == Path(b.db_name).resolve()


def _temporary(dest: Database, schema_version: str) -> Database:
    from synphys_ibis.database import Database

    token = uuid.uuid4().hex[:10]
    name = dest._require_name()
    if dest.backend == "postgresql":
        temp_name = f"{name.encode()[:40].decode(errors='ignore')}_tmp_{token}"
    else:
        target = Path(name)
        temp_name = str(target.parent / f".{target.name}.{token}.tmp")
    rw_host = dest.rw_host or dest.ro_host
    return Database(
        rw_host, rw_host, temp_name, cache_dir=dest._cache_dir, schema_version=schema_version
    )


def _discard(temp: Database) -> None:
    temp.dispose_engines()
    try:
        temp.drop_database(force=True)
    except Exception:  # the original error matters more; say what was left behind
        logger.exception("could not remove the temporary database %r", temp)


def _publish(temp: Database, dest: Database, *, overwrite: bool) -> None:
    if dest.backend == "postgresql":
        _publish_postgres(temp, dest, overwrite=overwrite)
    else:
        _publish_file(Path(temp._require_name()), Path(dest._require_name()), overwrite=overwrite)


def _publish_file(temp: Path, target: Path, *, overwrite: bool) -> None:
    for leftover in (Path(f"{temp}.wal"), Path(f"{temp}-journal")):
        if leftover.exists():
            raise CopyError(f"{leftover} is still present; the temporary file is not closed")
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # fails if the target appeared meanwhile, never clobbers it
    except FileExistsError as err:
        raise CopyError(
            f"{target} appeared during the copy; pass overwrite=True to replace it"
        ) from err
    except OSError:  # no hard links on this file system
        if target.exists():
            raise CopyError(f"{target} appeared during the copy; pass overwrite=True") from None
        os.replace(temp, target)
        return
    temp.unlink()


def _publish_postgres(temp: Database, dest: Database, *, overwrite: bool) -> None:
    from synphys_ibis.engines import postgres

    maint = dest.maint
    name = dest._require_name()
    temp_name = temp._require_name()
    previous = None
    if overwrite and postgres.database_exists(maint, name):
        previous = f"{name.encode()[:40].decode(errors='ignore')}_old_{uuid.uuid4().hex[:10]}"
        try:
            postgres.rename_database(maint, name, previous)
        except Exception as err:
            raise CopyError(
                f"cannot replace database {name!r}: {err} (close the sessions connected to it)"
            ) from err
    try:
        postgres.rename_database(maint, temp_name, name)
    except Exception as err:
        if previous is not None:
            with contextlib.suppress(Exception):
                postgres.rename_database(maint, previous, name)
        raise CopyError(f"cannot publish the copy as {name!r}: {err}") from err
    if previous is not None:
        postgres.drop_database(maint, previous, force=True)
