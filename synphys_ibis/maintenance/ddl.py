"""The published schema as DDL for each backend: moved to :mod:`synphys_ibis.engines.ddl`.

This path re-exports it (engines run their own DDL; maintenance orchestrates).
"""

from synphys_ibis.engines.ddl import (
    DUCKDB_TYPES,
    POSTGRES_TYPES,
    SQLiteTableDDL,
    duckdb_create_table,
    duckdb_indexes,
    postgres_create_table,
    postgres_foreign_keys,
    postgres_indexes,
    postgres_reset_sequence,
    quote,
    sqlite_ddl,
)

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
