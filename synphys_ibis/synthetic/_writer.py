"""Writing generated tables into an SQLite file with the on-disk encodings of the published
releases: booleans as 0/1, DATETIME as text, missing JSON as the text ``'null'`` and missing
arrays as an empty blob."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import pathlib
import sqlite3
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np

from synphys_ibis.schema import Table, ddl, load_schema

#: Column name -> values. Numeric columns are float arrays with NaN for NULL (also for int and
#: bool columns); other columns are lists of Python values (None for NULL, JSON values as Python
#: objects, arrays as ``.npy`` bytes). A column given as None is left out of the insert, so it is
#: SQL NULL (as the ``data`` and ``meta`` of medium files). An ``id`` column gives the rows' ids,
#: for tables written in several chunks; without it the rows are ``1..n``.
_Columns = dict[str, Any]


def _write(
    file: pathlib.Path,
    version: str,
    meta: dict[str, str],
    tables: Iterator[tuple[str, _Columns]],
    *,
    indexes_last: bool = False,
) -> None:
    """Create the schema in ``file`` and insert the generated tables in one transaction.

    With ``indexes_last`` the indexes are created after the rows are in (the same DDL, another
    order in ``sqlite_master``): building an index once is much faster than keeping it up to
    date through millions of inserts of raw-recording rows.
    """
    schema = load_schema(version)
    lines = ddl(version, boolean_checks=None).splitlines()
    later = (
        {x for x in lines if x.startswith("CREATE ") and " INDEX " in x} if indexes_last else set()
    )
    indexes = [line for line in lines if line in later]  # one statement per line, in DDL order
    script = "\n".join(line for line in lines if line not in later)
    with contextlib.closing(sqlite3.connect(file, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.executescript(script)
        con.execute("BEGIN")
        _insert(con, schema.table("metadata"), {"meta": [meta]})
        for name, columns in tables:
            if name in schema:
                _insert(con, schema.table(name), columns)
        for statement in indexes:
            con.execute(statement)
        con.execute("COMMIT")


def _insert(con: sqlite3.Connection, table: Table, columns: _Columns) -> None:
    """Insert rows (``1..n`` unless ids are given) of one table, for the columns the table has."""
    n = len(next(v for v in columns.values() if v is not None))
    data = {"id": list(range(1, n + 1)), "meta": [None] * n, **columns}
    names, values = [], []
    for col in table.columns:
        value = data.get(col.name)
        encoded = None if value is None else _encode(value, col.type)
        if encoded is not None:
            names.append(col.name)
            values.append(encoded)
    marks = ", ".join("?" * len(names))
    con.executemany(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", zip(*values, strict=True)
    )


def _encode(values: Any, kind: str) -> list[Any] | None:
    """Encode one column as the published files store ``kind``; None if it does not fit."""
    if isinstance(values, np.ndarray):
        if kind not in ("int", "bigint", "float", "bool"):
            return None
        missing = np.isnan(values)
        out = (
            values.astype(object)
            if kind == "float"
            else np.where(missing, 0, values).astype(np.int64).astype(object)
        )
        out[missing] = None
        return out.tolist()
    if kind == "object":
        return ["null" if v is None else json.dumps(v) for v in values]
    if kind == "array":
        return [b"" if v is None else v for v in values]
    sample = next((v for v in values if v is not None), None)
    if kind in ("int", "bigint", "float", "bool") and isinstance(sample, str):
        return None
    return list(values)


@cache
def _npy_header(dtype: str, length: int) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros(length, dtype=dtype), allow_pickle=False)
    return buf.getvalue()[: -length * np.dtype(dtype).itemsize or None]


def _npy(array: np.ndarray) -> bytes:
    """``numpy.save`` bytes of a 1-D array (header cached per dtype and length)."""
    return _npy_header(array.dtype.str, len(array)) + array.tobytes()


def _datetimes(ts: np.ndarray) -> list[str | None]:
    """Unix timestamps as the DATETIME text of the published files (NaN -> None)."""
    epoch = dt.datetime(1970, 1, 1)
    return [
        None if np.isnan(t) else (epoch + dt.timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S.%f")
        for t in ts.tolist()
    ]
