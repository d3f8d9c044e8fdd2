"""Expose the published on-disk encodings with their logical types.

Published releases store booleans as the integers 0/1, a missing JSON value as the text ``null``
and a missing array as an empty blob. :func:`typed_table` turns a raw table into one where
booleans are booleans and missing JSON/array values are SQL NULL, as an Ibis expression that any
backend can compile (it is used for DuckDB views, native copies and PostgreSQL alike).

Examples
--------
>>> import ibis
>>> from synphys_ibis.schema import load_schema
>>> from synphys_ibis.schema.normalize import raw_sqlite_schema, typed_table
>>> spec = load_schema("22").table("pair")
>>> raw = ibis.table(raw_sqlite_schema(spec), name="pair")
>>> typed_table(raw, spec).has_synapse.type()
Boolean(nullable=True)
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
from ibis.expr.types import Table as IbisTable
from ibis.expr.types import Value

from synphys_ibis.schema import Table

__all__ = ["LOGICAL_DTYPES", "logical_schema", "raw_sqlite_schema", "typed_columns", "typed_table"]

#: The Ibis type users see for each logical column type.
LOGICAL_DTYPES: dict[str, dt.DataType] = {
    "int": dt.int64,
    "bigint": dt.int64,
    "float": dt.float64,
    "bool": dt.boolean,
    "str": dt.string,
    "object": dt.string,
    "datetime": dt.Timestamp(scale=6),
    "array": dt.binary,
}

#: The Ibis type DuckDB's sqlite scanner reports for each logical column type.
_RAW_SQLITE_DTYPES: dict[str, dt.DataType] = {**LOGICAL_DTYPES, "bool": dt.int64}

_EMPTY_BLOB = ibis.literal(b"", type=dt.binary)
_JSON_NULL = ibis.literal("null", type=dt.string)


def logical_schema(table: Table) -> ibis.Schema:
    """The schema of ``table`` as users see it (booleans as booleans, JSON as text)."""
    return ibis.schema({c.name: LOGICAL_DTYPES[c.type] for c in table.columns})


def raw_sqlite_schema(table: Table) -> ibis.Schema:
    """The schema of ``table`` as DuckDB's sqlite scanner reads it from a published file."""
    return ibis.schema({c.name: _RAW_SQLITE_DTYPES[c.type] for c in table.columns})


def typed_columns(raw: IbisTable, table: Table) -> dict[str, Value]:
    """Map every column of ``table`` to an expression of its logical type over ``raw``."""
    columns: dict[str, Value] = {}
    for column in table.columns:
        value = raw[column.name]
        target = LOGICAL_DTYPES[column.type]
        if column.type == "object":
            value = value.nullif(_JSON_NULL)
        elif column.type == "array":
            value = value.nullif(_EMPTY_BLOB)
        if value.type() != target:
            value = value.cast(target)
        columns[column.name] = value
    return columns


def typed_table(raw: IbisTable, table: Table) -> IbisTable:
    """Select every column of ``table`` from ``raw`` with its logical type."""
    return raw.select(**typed_columns(raw, table))
