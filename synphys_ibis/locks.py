"""Inter-process locks, and the temporaries they mark as owned by a live process.

Every operation that writes a temporary next to its output (a native copy, a bake or a clone into
a file, a Parquet export) holds a file lock while the temporary exists, so the next run of the
same operation can tell a temporary whose owner was killed (its lock is free) from another live
process's work (its lock is held), and remove only the first. Locks are ``flock`` locks
(:mod:`filelock`): the kernel releases them when their process dies, however it dies, and they
hold across hosts on NFS. A process id in a name would not: process ids are reused, and another
host or container has processes this one cannot see.

* :func:`held` -- wait for a lock and hold it for a block (downloads, native-copy builds, DuckDB
  extension installs: one process works, the others wait and then reuse its result).
* :func:`owning` -- hold the lock ``<temporary>.lock`` while a temporary exists, then remove it.
* :func:`remove_abandoned` -- remove the temporaries of a naming pattern whose lock is free.

Examples
--------
>>> import pathlib, re, tempfile
>>> directory = pathlib.Path(tempfile.mkdtemp())
>>> pattern = re.compile(r"^(?P<base>\\.out\\.[0-9a-f]+\\.tmp)(?:-journal|\\.lock)?$")
>>> live = directory / ".out.1a2b.tmp"
>>> with owning(live):
...     _ = live.write_text("being written")
...     remove_abandoned(directory, pattern)  # its owner (this block) holds the lock
[]
>>> _ = (directory / ".out.0bad.tmp").write_text("left by a killed process")
>>> [p.name for p in remove_abandoned(directory, pattern)]  # now neither has a live owner
['.out.0bad.tmp', '.out.1a2b.tmp']
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "LOCK_SUFFIX",
    "file_lock",
    "held",
    "owning",
    "process_exists",
    "remove_abandoned",
    "try_lock",
]

logger = logging.getLogger("synphys_ibis")

#: The suffix of the lock file that marks a temporary as owned (``<temporary>.lock``).
LOCK_SUFFIX = ".lock"
#: A lock file without its temporary is removed only when older than this (its owner creates the
#: lock file, locks it and only then creates the temporary: a young lock file may be in between).
_ORPHAN_LOCK_AGE = 60.0


def file_lock(path: Path) -> Any:
    """An inter-process lock (``filelock.FileLock``) on the file ``path`` (created if missing)."""
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path))


@contextlib.contextmanager
def held(path: Path, *, doing: str) -> Iterator[None]:
    """Hold the lock ``path`` for the block, waiting for another process that holds it.

    ``doing`` says what the holder does, for the log line written while waiting
    (``"waiting for another process that is <doing>"``).
    """
    from filelock import Timeout

    lock = file_lock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.info("waiting for another process that is %s", doing)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def try_lock(path: Path) -> Any | None:
    """The lock ``path``, acquired, if no process holds it; else None (never waits)."""
    from filelock import Timeout

    lock = file_lock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return None
    return lock


@contextlib.contextmanager
def owning(temporary: Path) -> Iterator[Path]:
    """Hold ``<temporary>.lock`` while the block writes ``temporary``; remove the lock after.

    Take it before ``temporary`` is created: a temporary that exists while its lock is free was
    left by a process that is gone (:func:`remove_abandoned`).
    """
    lock_path = temporary.with_name(temporary.name + LOCK_SUFFIX)
    lock = file_lock(lock_path)
    lock.acquire()
    try:
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock_path.unlink()
        lock.release()


def remove_abandoned(
    directory: Path,
    pattern: re.Pattern[str],
    *,
    recover: Callable[[list[Path]], None] | None = None,
) -> list[Path]:
    """Remove the temporaries in ``directory`` whose owner is gone; return what was removed.

    ``pattern`` matches the names of one operation's temporaries and their companions (journals,
    write-ahead logs, lock files); its group ``base`` is the temporary's own name, whose lock
    :func:`owning` holds. A temporary is removed, with its companions, only when that lock can be
    taken without waiting: a live owner (in any process, on any host sharing the file system)
    holds it. ``recover(paths)``, if given, runs first with the lock held (e.g. to put back a
    previous output that a killed process had moved aside); what it moves away is not removed.
    """
    groups: dict[str, list[Path]] = {}
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        if match := pattern.match(entry.name):
            groups.setdefault(match["base"], []).append(entry)
    removed: list[Path] = []
    for base, paths in sorted(groups.items()):
        lock_path = directory / (base + LOCK_SUFFIX)
        work = [p for p in paths if p != lock_path]
        if not work and not _older_than(lock_path, _ORPHAN_LOCK_AGE):
            continue
        lock = try_lock(lock_path)
        if lock is None:
            logger.debug("keeping %s: the process writing it is still running", base)
            continue
        try:
            if recover is not None:
                recover(work)
            for path in sorted(p for p in work if os.path.lexists(p)):
                _remove(path)
                logger.info("removed %s, left by a process that did not finish", path)
                removed.append(path)
            with contextlib.suppress(FileNotFoundError):
                lock_path.unlink()
        finally:
            lock.release()
    return removed


def process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists (``os.kill(pid, 0)``); True when it cannot be told."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # someone else's process, or no way to tell: keep it
        return True
    return True


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except FileNotFoundError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
