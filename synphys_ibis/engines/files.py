"""What the engines of one local database file (SQLite, DuckDB) share: the file is the database.

A file database exists when its file does; creating it is a no-op (the file appears on the
first write); dropping it removes the file and its journal or write-ahead log. A copy is written
to a hidden temporary file next to the target, ``.<name>.<random>.tmp``, and published by a
rename that never clobbers a target that appeared meanwhile (unless overwriting). The copy holds
the lock ``.<name>.<random>.tmp.lock`` while it writes; the next copy into the same target removes
the temporaries (and journals) whose lock is free, left by a process that was killed
(:func:`synphys_ibis.locks.remove_abandoned`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from synphys_ibis import locks
from synphys_ibis.engines.base import DatabaseHandle, UnsupportedEngine
from synphys_ibis.errors import CopyError

__all__ = ["FileEngine", "path_address", "publish_file"]


def path_address(host: str, db_name: str | None) -> str:
    """``host`` followed by the path (``'sqlite:///' + '/abs/x'`` -> ``'sqlite:////abs/x'``)."""
    if not host.endswith("/"):
        host += "/"
    return host + (str(db_name) if db_name is not None else "")


class FileEngine(UnsupportedEngine):
    """The database operations of an engine whose database is one local file."""

    def address(self, host: str, db_name: str | None, app_name: str | None) -> str:
        return path_address(host, db_name)

    def exists(self, db: DatabaseHandle) -> bool:
        return db.db_name is not None and Path(db.db_name).is_file()

    def create_database(self, db: DatabaseHandle) -> None:
        """Nothing: the file is created by its first write."""

    def drop_database(self, db: DatabaseHandle, *, force: bool) -> None:
        """Delete the file and its journal / write-ahead log (missing files are ignored)."""
        name = db.require_name()
        for suffix in ("", "-journal", "-wal", ".wal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name + suffix)

    def same_database(self, a: DatabaseHandle, b: DatabaseHandle) -> bool:
        if a.engine is not b.engine or a.db_name is None or b.db_name is None:
            return False
        return Path(a.db_name).resolve() == Path(b.db_name).resolve()

    def temporary_name(self, db: DatabaseHandle, token: str) -> str:
        """A hidden file next to the target.

        Raises
        ------
        FileNotFoundError
            If the target's directory does not exist.
        """
        target = Path(db.require_name())
        if not target.parent.is_dir():
            raise FileNotFoundError(f"directory {str(target.parent)!r} does not exist")
        return str(target.parent / f".{target.name}.{token}.tmp")

    @contextlib.contextmanager
    def hold_temporary(self, temp: DatabaseHandle) -> Iterator[None]:
        """The lock ``<temporary>.lock`` (see the module docstring)."""
        with locks.owning(Path(temp.require_name())):
            yield

    def remove_abandoned(self, dest: DatabaseHandle) -> list[str]:
        """Temporaries ``.<name>.<token>.tmp`` of killed copies, with their journals and WALs."""
        target = Path(dest.require_name())
        pattern = re.compile(
            rf"^(?P<base>\.{re.escape(target.name)}\.[0-9a-f]+\.tmp)"
            rf"(?:-journal|-wal|-shm|\.wal|{re.escape(locks.LOCK_SUFFIX)})?$"
        )
        return [str(p) for p in locks.remove_abandoned(target.parent, pattern)]

    def publish(self, temp: DatabaseHandle, dest: DatabaseHandle, *, overwrite: bool) -> None:
        publish_file(Path(temp.require_name()), Path(dest.require_name()), overwrite=overwrite)


def publish_file(temp: Path, target: Path, *, overwrite: bool) -> None:
    """Rename the finished ``temp`` to ``target`` (replacing it only with ``overwrite``).

    Raises
    ------
    CopyError
        If ``temp`` still has a journal or WAL, or ``target`` appeared and ``overwrite`` is false.
    """
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
