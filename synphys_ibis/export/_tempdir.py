"""Temporary directories beside an output that end with the permissions of the process umask.

:func:`tempfile.mkdtemp` creates directories with mode 0700 whatever the umask, so a dataset
directory built in one and renamed into place could not be read by the group or the web server a
lab shares results with. :func:`make_temp_dir` creates the directory with :func:`os.mkdir`, which
applies the umask like every other file the library writes.

Examples
--------
>>> import os, pathlib, stat, tempfile
>>> parent = pathlib.Path(tempfile.mkdtemp())
>>> old = os.umask(0o022)
>>> tmp = make_temp_dir(parent, prefix=".out.", suffix=".tmp")
>>> _ = os.umask(old)
>>> tmp.name.startswith(".out.") and tmp.name.endswith(".tmp"), oct(stat.S_IMODE(tmp.stat().st_mode))
(True, '0o755')
"""

from __future__ import annotations

import secrets
from pathlib import Path

__all__ = ["make_temp_dir"]


def make_temp_dir(parent: Path, *, prefix: str, suffix: str) -> Path:
    """A new, empty directory ``parent / (prefix + <random> + suffix)``, mode ``0o777 & ~umask``.

    Raises
    ------
    OSError
        If the directory cannot be created (e.g. ``parent`` is read-only or missing).
    """
    for _ in range(100):
        candidate = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            candidate.mkdir(mode=0o777)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"could not create a temporary directory {prefix}*{suffix} in {parent}")
