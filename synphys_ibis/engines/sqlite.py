"""Inspect a SQLite release file without modifying it: header, structure, metadata, schema version.

Every read opens the file through SQLite's URI ``file:PATH?mode=ro&immutable=1``: read-only, and
*immutable*, so SQLite takes no locks and never creates a ``-wal``, ``-shm`` or ``-journal`` file
beside the release, even for a file in WAL mode (``mode=ro`` alone creates ``-wal``/``-shm``
there). A published release is never written after publication, which is what ``immutable``
promises SQLite; the content of a leftover ``-wal`` file (a database still being written in WAL
mode) is not read.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from synphys_ibis.errors import NotAReleaseError, format_value

__all__ = [
    "SQLITE_HEADER",
    "check_sqlite_header",
    "check_structure",
    "connect_readonly",
    "read_metadata",
    "read_schema_version",
    "read_table_columns",
]

SQLITE_HEADER = b"SQLite format 3\x00"
_MAIN_BANNER = "*** in database main ***"


def check_sqlite_header(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path if it exists and starts with the SQLite header.

    Raises
    ------
    FileNotFoundError
        If there is no such file (nothing is created).
    NotAReleaseError
        If the file is not a SQLite database.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such release file: {path}")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        raise NotAReleaseError(f"{path} is empty (0 bytes); a release is a SQLite database")
    if header != SQLITE_HEADER:
        raise NotAReleaseError(
            f"{path} is not a SQLite database (its first bytes are {header[:16]!r}, "
            f"expected {SQLITE_HEADER!r})"
        )
    return path


def connect_readonly(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A stdlib sqlite3 connection to ``path`` that cannot write and creates no files beside it.

    Raises
    ------
    NotAReleaseError
        If SQLite cannot open the file.
    """
    path = Path(path)
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} cannot be opened read-only: {err}") from err


def check_structure(
    path: str | os.PathLike[str],
    *,
    tables: Iterable[str] | None = None,
    max_problems: int = 10,
) -> list[str]:
    """What SQLite's ``PRAGMA quick_check`` finds wrong with ``path``; an empty list if nothing.

    ``quick_check`` reads every page of every b-tree (or of the named tables and their indexes)
    and checks page formats, cell order and sizes, and that no page is used twice or lost: a
    file cut short, bytes of a wrong offset, or an overwritten page shows up here. It does not
    check that index entries match their rows (``PRAGMA integrity_check`` does, ~6x slower), nor
    the content of values (only a known sha256 can).

    Parameters
    ----------
    path
        The SQLite file (opened read-only and immutable: nothing is written or created).
    tables
        Check only these tables (with their indexes) and the schema table; None checks the whole
        file. Names the file does not have are skipped.
    max_problems
        Stop after this many problems.

    Returns
    -------
    list of str
        SQLite's own descriptions of the problems, at most ``max_problems``.

    Raises
    ------
    NotAReleaseError
        If SQLite cannot open the file at all.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from synphys_ibis import synthetic
    >>> path = synthetic.write_release(pathlib.Path(tempfile.mkdtemp()) / "r.sqlite",
    ...                                n_experiments=2)
    >>> check_structure(path), check_structure(path, tables=["pair", "cell"])
    ([], [])
    >>> data = bytearray(path.read_bytes())
    >>> data[8192:12288] = bytes(4096)  # zero one page
    >>> _ = path.write_bytes(data)
    >>> check_structure(path) != []
    True
    """
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        if tables is None:
            statements = [f"PRAGMA quick_check({int(max_problems)})"]
        else:
            present = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            wanted = ["sqlite_master", *(t for t in tables if t in present)]
            statements = [f'PRAGMA quick_check("{t}")' for t in wanted]
        problems: list[str] = []
        for statement in statements:
            for (row,) in con.execute(statement):
                problems.extend(
                    line for line in str(row).splitlines() if line not in ("ok", _MAIN_BANNER)
                )
        return problems[:max_problems]
    except sqlite3.DatabaseError as err:  # a damaged schema or first page stops the check
        return [str(err)]
    finally:
        con.close()


def read_table_columns(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """``{table: [column, ...]}`` of every table in the file (opened read-only)."""
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} cannot be read: {err}") from err
    finally:
        con.close()


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Read the ``meta`` JSON of the single ``metadata`` row, or None when the table is empty.

    The file is opened read-only and immutable (:func:`connect_readonly`): it is never modified
    and no file is created beside it.

    Raises
    ------
    NotAReleaseError
        If the file has no ``metadata`` table, several metadata rows, or unreadable metadata.
    """
    path = check_sqlite_header(path)
    con = connect_readonly(path)
    try:
        rows = con.execute("SELECT meta FROM metadata").fetchall()
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} has no readable metadata table: {err}") from err
    finally:
        con.close()
    if not rows:
        return None
    if len(rows) > 1:
        raise NotAReleaseError(f"{path} has {len(rows)} metadata rows; a release has exactly one")
    try:
        meta = json.loads(rows[0][0]) if rows[0][0] is not None else None
    except (TypeError, ValueError, RecursionError) as err:  # RecursionError: nested too deep
        raise NotAReleaseError(
            f"{path} has a metadata row that is not JSON of a release: "
            f"{format_value(rows[0][0])} ({err})"
        ) from err
    if meta is not None and not isinstance(meta, dict):
        raise NotAReleaseError(f"{path} has metadata {format_value(meta)}; expected a JSON object")
    return meta


def read_schema_version(path: str | os.PathLike[str]) -> str | None:
    """The ``db_version`` recorded in the file's metadata row, or None if there is none."""
    meta = read_metadata(path)
    if not meta or meta.get("db_version") is None:
        return None
    return str(meta["db_version"])
