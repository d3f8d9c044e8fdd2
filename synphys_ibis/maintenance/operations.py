"""Schema maintenance: create, drop, index, vacuum, list tables, on whatever engine holds a database.

:class:`~synphys_ibis.database.Database` validates arguments and calls these; each one decides
what to do (which tables are new, what follows a bulk load) and has the database's engine do it
(:class:`~synphys_ibis.engines.base.Engine`: the statements of :mod:`synphys_ibis.engines.ddl`
on the read-write connection, one transaction per call where the engine allows it). Every
executed statement is logged at DEBUG on the ``synphys_ibis`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from synphys_ibis.engines.base import DatabaseHandle
from synphys_ibis.schema import Table

__all__ = [
    "RELEASE_ORIGIN",
    "analyze",
    "create_database",
    "create_schema",
    "drop_database",
    "drop_schema",
    "finish_schema",
    "insert_metadata",
    "list_tables",
    "vacuum",
]

logger = logging.getLogger("synphys_ibis")

#: The ``origin`` recorded in the metadata row of every release.
RELEASE_ORIGIN = "Allen Institute for Brain Science / Synaptic Physiology"


def create_database(db: DatabaseHandle) -> None:
    """CREATE DATABASE on PostgreSQL; nothing for files (they are created on first write)."""
    db.engine.create_database(db)


def drop_database(db: DatabaseHandle, *, force: bool = False) -> None:
    """Delete a database file (and its journal/WAL) or DROP a PostgreSQL database."""
    db.engine.drop_database(db, force=force)


def list_tables(db: DatabaseHandle) -> set[str]:
    """Names of the tables in the database (any table, not only release tables)."""
    return db.engine.list_tables(db)


def create_schema(
    db: DatabaseHandle,
    tables: Sequence[Table],
    *,
    indexes: bool,
    foreign_keys: bool,
    boolean_checks: bool | None = None,
) -> list[Table]:
    """Create ``tables`` that do not exist yet; return those created.

    ``indexes``/``foreign_keys`` False leaves them to :func:`finish_schema` (bulk loads). SQLite
    always gets the complete published statements (its foreign keys are part of CREATE TABLE),
    with the boolean CHECK constraints of ``boolean_checks`` (see
    :func:`synphys_ibis.schema.ddl`; None: as the version's published files).
    """
    present = list_tables(db)
    new = [t for t in tables if t.name not in present]
    if not new:
        return []
    db.engine.create_schema(
        db,
        new,
        present=present,
        indexes=indexes,
        foreign_keys=foreign_keys,
        boolean_checks=boolean_checks,
    )
    return new


def finish_schema(db: DatabaseHandle, tables: Sequence[Table]) -> None:
    """After a bulk load: create the indexes (and PostgreSQL foreign keys) of ``tables``.

    PostgreSQL foreign keys are added ``NOT VALID``: rows already loaded are not checked (a
    release may reference rows that were not published), new rows are.
    """
    if not tables:
        return
    db.engine.finish_schema(db, tables)
    db.reset_reader()


def drop_schema(db: DatabaseHandle, tables: Sequence[Table]) -> None:
    """Drop ``tables`` (which exist), children first."""
    if not tables:
        return
    db.engine.drop_schema(db, list(reversed(tables)))


def vacuum(db: DatabaseHandle, tables: Sequence[Table] | None, *, analyze: bool) -> None:
    """VACUUM (and, with ``analyze``, ANALYZE) ``tables`` or the whole database."""
    db.engine.vacuum(db, tables, analyze=analyze)


def analyze(db: DatabaseHandle) -> None:
    """Refresh the planner statistics (``ANALYZE``) where the engine keeps them."""
    db.engine.analyze(db)


def insert_metadata(db: DatabaseHandle, meta_json: str) -> None:
    """Insert the metadata row (id 1) holding ``meta_json``, a bound value."""
    db.engine.insert_metadata(db, meta_json)
