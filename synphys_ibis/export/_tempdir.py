"""Temporary directories beside an output: created with the umask, owned, published, recovered.

:func:`tempfile.mkdtemp` creates directories with mode 0700 whatever the umask, so a dataset
directory built in one and renamed into place could not be read by the group or the web server a
lab shares results with. :func:`owned_temp_dir` creates the directory with :func:`os.mkdir`,
which applies the umask like every other file the library writes, and holds the temporary's lock (``<temporary>.lock``,
:func:`synphys_ibis.locks.owning`) while it exists, and :func:`replace_with` publishes it, moving
a previous directory aside to ``<temporary>.old`` until the new one is in place. A process killed
meanwhile leaves the temporary (and perhaps the aside) with a free lock:
:func:`remove_abandoned`, run by the next export to the same output, puts an aside back when the
output is missing and removes the rest; temporaries of live exports are left alone.

Examples
--------
>>> import os, pathlib, stat, tempfile
>>> parent = pathlib.Path(tempfile.mkdtemp())
>>> old = os.umask(0o022)
>>> with owned_temp_dir(parent / "out", separator=".") as tmp:
...     mode = oct(stat.S_IMODE(tmp.stat().st_mode))
>>> _ = os.umask(old)
>>> tmp.name.startswith(".out.") and tmp.name.endswith(".tmp"), mode
(True, '0o755')
>>> removed = remove_abandoned(parent / "out", separator=".")  # its lock is free: no owner
>>> removed == [tmp], tmp.exists()
(True, False)
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from synphys_ibis import locks

__all__ = ["owned_temp_dir", "remove_abandoned", "replace_with"]

logger = logging.getLogger("synphys_ibis")

_ASIDE = ".old"


@contextlib.contextmanager
def owned_temp_dir(target: Path, *, separator: str) -> Iterator[Path]:
    """A new, empty directory ``.<target name><separator><random>.tmp`` beside ``target``, mode
    ``0o777 & ~umask``, its lock held for the block.

    The directory itself is the caller's to publish or remove.
    """
    for _ in range(100):
        candidate = target.parent / f".{target.name}{separator}{secrets.token_hex(4)}.tmp"
        with locks.owning(candidate):
            try:
                candidate.mkdir(mode=0o777)
            except FileExistsError:
                continue
            yield candidate
            return
    raise FileExistsError(f"could not create a temporary directory for {target}")


def replace_with(work: Path, target: Path, *, temp: Path) -> None:
    """Rename ``work`` to ``target``; a previous ``target`` directory goes aside until then.

    A directory cannot be replaced by a rename: it is renamed to ``<temp>.old`` first, put back if
    the second rename fails, and removed after it succeeded.
    """
    if not target.is_dir():
        os.replace(work, target)
        return
    aside = temp.with_name(temp.name + _ASIDE)
    os.replace(target, aside)
    try:
        os.replace(work, target)
    except BaseException:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def remove_abandoned(target: Path, *, separator: str) -> list[Path]:
    """Remove what killed exports to ``target`` left; put a previous ``target`` back if missing."""
    pattern = re.compile(
        rf"^(?P<base>\.{re.escape(target.name)}{re.escape(separator)}[0-9a-f]{{8}}\.tmp)"
        rf"(?:{re.escape(_ASIDE)}|{re.escape(locks.LOCK_SUFFIX)})?$"
    )

    def put_back(paths: list[Path]) -> None:
        for aside in paths:
            if aside.name.endswith(".tmp" + _ASIDE) and not os.path.lexists(target):
                os.replace(aside, target)
                logger.warning(
                    "%s was missing: an export that replaced it was killed; the previous one "
                    "(%s) is back in place",
                    target, aside.name,
                )  # fmt: skip

    return locks.remove_abandoned(target.parent, pattern, recover=put_back)
