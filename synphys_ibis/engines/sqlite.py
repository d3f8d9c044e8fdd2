"""Inspect a SQLite release file without modifying it: header, metadata row, schema version."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from synphys_ibis.errors import NotAReleaseError, format_value

__all__ = [
    "SQLITE_HEADER",
    "check_sqlite_header",
    "read_metadata",
    "read_schema_version",
    "read_table_columns",
]

SQLITE_HEADER = b"SQLite format 3\x00"


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


def _connect_readonly(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise NotAReleaseError(f"{path} cannot be opened read-only: {err}") from err


def read_table_columns(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """``{table: [column, ...]}`` of every table in the file (opened read-only)."""
    path = check_sqlite_header(path)
    con = _connect_readonly(path)
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

    The file is opened read-only through SQLite's URI syntax, so it is never modified.

    Raises
    ------
    NotAReleaseError
        If the file has no ``metadata`` table, several metadata rows, or unreadable metadata.
    """
    path = check_sqlite_header(path)
    con = _connect_readonly(path)
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
