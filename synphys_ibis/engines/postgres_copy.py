"""Copies into and out of PostgreSQL through DuckDB's postgres scanner.

Reading, the database is attached read-only to a new DuckDB connection; writing, it is attached
read-write and each Arrow batch goes in with a binary ``COPY`` (~57x faster than Ibis inserts,
and JSON text survives). While tables load, their foreign keys are dropped; afterwards they are
restored ``NOT VALID`` (loaded rows are not checked, new rows are) and each table's id sequence
is moved past the ids copied.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from synphys_ibis.engines import ddl, duckdb
from synphys_ibis.engines.base import DatabaseHandle, RawTables
from synphys_ibis.engines.postgres import execute, foreign_keys, without_not_valid
from synphys_ibis.engines.postgres_url import PostgresURL
from synphys_ibis.schema import Table

__all__ = ["attached_batch_writer", "attached_raw_tables"]

_SOURCE, _DEST = "synphys_source", "synphys_dest"


def _literal(text: str) -> str:
    return text.replace("'", "''")


@contextlib.contextmanager
def attached_raw_tables(db: DatabaseHandle, url: PostgresURL) -> Iterator[RawTables]:
    """The raw tables of ``db`` on a new DuckDB connection, attached read-only."""
    info = url.conninfo(db.require_name())
    backend = duckdb.connect(cache=db.cache_dir)
    try:
        duckdb.load_extension(backend.con, "postgres_scanner")
        duckdb.execute_logged(
            backend.con, f"ATTACH '{_literal(info)}' AS {_SOURCE} (TYPE postgres, READ_ONLY)"
        )
        yield RawTables(backend.con, prefix=f"{_SOURCE}.", catalog=_SOURCE)
    finally:
        with contextlib.suppress(Exception):
            backend.disconnect()


@contextlib.contextmanager
def attached_batch_writer(
    db: DatabaseHandle, url: PostgresURL
) -> Iterator[duckdb.DuckDBBatchWriter]:
    """A batch writer into ``db`` attached to a new DuckDB connection (see the module docstring)."""
    rw = db.rw
    dropped: list[tuple[str, str, str]] = []

    def drop_keys(tables: Sequence[Table]) -> None:
        for table, name, definition in foreign_keys(rw, [t.name for t in tables]):
            execute(rw, f"ALTER TABLE {ddl.quote(table)} DROP CONSTRAINT {ddl.quote(name)}")
            dropped.append((table, name, definition))

    def reset_sequence(spec: Table) -> None:
        execute(rw, ddl.postgres_reset_sequence(spec))

    info = url.conninfo(db.require_name())
    backend = duckdb.connect(cache=db.cache_dir)
    raw = backend.con
    try:
        duckdb.load_extension(raw, "postgres_scanner")
        duckdb.execute_logged(raw, f"ATTACH '{_literal(info)}' AS {_DEST} (TYPE postgres)")
        yield duckdb.DuckDBBatchWriter(
            raw, f"{_DEST}.", before=drop_keys, after_table=reset_sequence
        )
    finally:
        with contextlib.suppress(Exception):
            duckdb.execute_logged(raw, f"DETACH {_DEST}")
        with contextlib.suppress(Exception):
            backend.disconnect()
        for table, name, definition in dropped:
            execute(
                rw,
                f"ALTER TABLE {ddl.quote(table)} ADD CONSTRAINT {ddl.quote(name)} "
                f"{without_not_valid(definition)} NOT VALID",
            )
        db.reset_reader()
