"""The published schema as DDL for each backend: SQLite, PostgreSQL and DuckDB.

* **SQLite** uses the published DDL text itself (:func:`synphys_ibis.schema.ddl`), split per
  table, so ``sqlite_master`` of a file we write holds exactly the statements of a published
  release.
* **PostgreSQL** gets the DDL the aisynphys ORM emits there: ``id SERIAL`` primary keys, the same
  column types (``FLOAT`` as ``double precision``, JSON as ``varchar`` text, arrays as ``bytea``),
  the published index names, and one foreign key per ``*_id`` column named
  ``<table>_<column>_fkey``.
* **DuckDB** gets the same tables, primary keys and indexes. Foreign keys are not declared:
  DuckDB enforces them on every insert and cannot defer them, while published releases (like
  SQLite, which does not enforce them) may hold references to rows that are not in the file.

Secondary indexes and foreign keys are separate statements, so bulk copies can create them after
loading (faster, and the result is the same).

Examples
--------
>>> from synphys_ibis.engines.ddl import sqlite_ddl, postgres_create_table
>>> sqlite_ddl("22")["metadata"].create.splitlines()[0]
'CREATE TABLE metadata ('
>>> print(postgres_create_table(load_schema("22").table("metadata")))
CREATE TABLE "metadata" (
  "id" SERIAL NOT NULL,
  "meta" VARCHAR,
  CONSTRAINT "metadata_pkey" PRIMARY KEY ("id")
)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from synphys_ibis.schema import Table, ddl, load_schema

__all__ = [
    "DUCKDB_TYPES",
    "POSTGRES_TYPES",
    "SQLiteTableDDL",
    "duckdb_create_table",
    "duckdb_indexes",
    "postgres_create_table",
    "postgres_foreign_keys",
    "postgres_indexes",
    "postgres_reset_sequence",
    "quote",
    "sqlite_ddl",
]

#: PostgreSQL column type of each logical type (as SQLAlchemy declares them there).
POSTGRES_TYPES = {
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "str": "VARCHAR",
    "object": "VARCHAR",
    "datetime": "TIMESTAMP WITHOUT TIME ZONE",
    "array": "BYTEA",
}

#: DuckDB column type of each logical type.
DUCKDB_TYPES = {
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "str": "VARCHAR",
    "object": "VARCHAR",
    "datetime": "TIMESTAMP",
    "array": "BLOB",
}


def quote(name: str) -> str:
    """Quote an identifier (the same rule for SQLite, PostgreSQL and DuckDB)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SQLiteTableDDL:
    """The published statements of one table: its ``CREATE TABLE`` and its indexes."""

    create: str
    indexes: tuple[str, ...]


_TABLE = re.compile(r"CREATE TABLE (\w+) \(")
_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX \w+ ON (\w+) \(")


@cache
def sqlite_ddl(version: str, *, boolean_checks: bool | None = False) -> dict[str, SQLiteTableDDL]:
    """The published SQLite statements of every table of ``version``, in dependency order.

    The text of each statement is exactly that of the published DDL (without the ``;``);
    ``boolean_checks`` as for :func:`synphys_ibis.schema.ddl`.
    """
    creates: dict[str, str] = {}
    indexes: dict[str, list[str]] = {}
    for raw in ddl(version, boolean_checks=boolean_checks).split(";\n"):
        statement = raw.strip().rstrip(";").strip()
        if not statement:
            continue
        if match := _TABLE.match(statement):
            creates[match.group(1)] = statement
            indexes.setdefault(match.group(1), [])
        elif match := _INDEX.match(statement):
            indexes.setdefault(match.group(1), []).append(statement)
        else:  # pragma: no cover - the bundled DDL only holds tables and indexes
            raise ValueError(f"unexpected statement in the published DDL: {statement[:60]!r}")
    order = load_schema(version).table_names()
    return {name: SQLiteTableDDL(creates[name], tuple(indexes[name])) for name in order}


def _column_definitions(table: Table, types: dict[str, str], serial: bool) -> list[str]:
    lines = []
    for column in table.columns:
        if column.primary_key and serial:
            lines.append(f"{quote(column.name)} SERIAL NOT NULL")
            continue
        not_null = "" if column.nullable else " NOT NULL"
        lines.append(f"{quote(column.name)} {types[column.type]}{not_null}")
    return lines


def _primary_key(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.primary_key]


def postgres_create_table(table: Table) -> str:
    """``CREATE TABLE`` of ``table`` on PostgreSQL (columns and primary key only)."""
    lines = _column_definitions(table, POSTGRES_TYPES, serial=True)
    keys = ", ".join(quote(c) for c in _primary_key(table))
    lines.append(f"CONSTRAINT {quote(table.name + '_pkey')} PRIMARY KEY ({keys})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote(table.name)} (\n  {body}\n)"


def _create_indexes(table: Table) -> list[str]:
    statements = []
    for index in table.indexes:
        unique = "UNIQUE " if index.unique else ""
        columns = ", ".join(quote(c) for c in index.columns)
        statements.append(
            f"CREATE {unique}INDEX {quote(index.name)} ON {quote(table.name)} ({columns})"
        )
    return statements


def postgres_indexes(table: Table) -> list[str]:
    """``CREATE INDEX`` statements of the published indexes of ``table`` on PostgreSQL."""
    return _create_indexes(table)


def postgres_foreign_keys(table: Table, *, not_valid: bool = False) -> list[str]:
    """``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`` statements of ``table``.

    With ``not_valid`` the rows already in the table are not checked (new rows are): releases
    may reference rows that were not published, as SQLite never enforced the keys.
    """
    suffix = " NOT VALID" if not_valid else ""
    return [
        f"ALTER TABLE {quote(table.name)} ADD CONSTRAINT "
        f"{quote(f'{table.name}_{fk.column}_fkey')} FOREIGN KEY ({quote(fk.column)}) "
        f"REFERENCES {quote(fk.table)} ({quote(fk.references)}){suffix}"
        for fk in table.foreign_keys
    ]


def postgres_reset_sequence(table: Table) -> str:
    """Move the ``id`` sequence of ``table`` past its largest id (after copying explicit ids)."""
    name = table.name.replace("'", "''")
    return (
        f"SELECT setval(pg_get_serial_sequence('{quote(name)}', 'id'), "
        f'coalesce(max("id"), 0) + 1, false) FROM {quote(table.name)}'
    )


def duckdb_create_table(table: Table, *, catalog: str | None = None) -> str:
    """``CREATE TABLE`` of ``table`` on DuckDB (columns and primary key; no foreign keys)."""
    lines = _column_definitions(table, DUCKDB_TYPES, serial=False)
    keys = ", ".join(quote(c) for c in _primary_key(table))
    lines.append(f"PRIMARY KEY ({keys})")
    body = ",\n  ".join(lines)
    prefix = f"{quote(catalog)}.main." if catalog else ""
    return f"CREATE TABLE {prefix}{quote(table.name)} (\n  {body}\n)"


def duckdb_indexes(table: Table) -> list[str]:
    """``CREATE INDEX`` statements of the published indexes of ``table`` on DuckDB."""
    return _create_indexes(table)
