"""The published synphys schema as data.

Each schema version of the published SQLite releases is described by ``v<NN>.json``, generated
from the DDL that the aisynphys ORM of that version emits (``ddl/v<NN>.sql``). Tables are listed in
dependency order (every table after the tables its foreign keys point to), which is the order the
original ``metadata_tables()`` creates them in.

Logical column types:

========== ============================================================================
``int``     INTEGER (``id`` and every foreign key)
``bigint``  BIGINT
``float``   FLOAT (stored as double precision)
``bool``    BOOLEAN, stored by SQLite as the integers 0 and 1
``str``     VARCHAR text
``object``  VARCHAR holding ``json.dumps`` text; the text ``null`` means missing
``datetime`` DATETIME, stored by SQLite as text ``YYYY-MM-DD HH:MM:SS.ffffff``
``array``   BLOB holding NumPy ``.npy`` bytes; empty bytes mean missing
========== ============================================================================

Examples
--------
>>> from synphys_ibis.schema import load_schema
>>> schema = load_schema("22")
>>> schema.table("pair").column("has_synapse").type
'bool'
>>> [name for name in schema.table_names()][:4]
['metadata', 'pipeline', 'slice', 'experiment']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from synphys_ibis.errors import ColumnNotFoundError, TableNotFoundError, UnsupportedSchemaError

__all__ = [
    "BOOLEAN_CHECK_VERSIONS",
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Column",
    "ForeignKey",
    "Index",
    "Schema",
    "Table",
    "available_schema_versions",
    "ddl",
    "load_schema",
]

#: The schema version this library writes and queries by default.
SCHEMA_VERSION = "22"

#: Schema versions whose releases ``SynphysDatabase`` opens and queries: every published one (there
#: was no published 17). How queries bridge their differences: :mod:`synphys_ibis.schema.versions`.
SUPPORTED_SCHEMA_VERSIONS: tuple[str, ...] = ("15", "16", "18", "19", "20", "21", "22")

LogicalType = Literal["int", "bigint", "float", "bool", "str", "object", "datetime", "array"]


@dataclass(frozen=True)
class Column:
    """One column of a published table."""

    name: str
    sql_type: str
    type: LogicalType
    nullable: bool
    primary_key: bool


@dataclass(frozen=True)
class ForeignKey:
    """``column`` references ``table.references``."""

    column: str
    table: str
    references: str


@dataclass(frozen=True)
class Index:
    """A (possibly unique) index on ``columns``."""

    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class Table:
    """One published table: its columns in order, foreign keys and indexes."""

    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]
    indexes: tuple[Index, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``.

        Raises
        ------
        ColumnNotFoundError
            If the table has no such column; the message lists the columns it has.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise ColumnNotFoundError.for_name(name, self.column_names, where=f"table {self.name!r}")

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def unique_columns(self) -> set[str]:
        """Columns with a single-column unique index (one row per value)."""
        return {ix.columns[0] for ix in self.indexes if ix.unique and len(ix.columns) == 1}

    def columns_of_type(self, *types: LogicalType) -> list[str]:
        return [c.name for c in self.columns if c.type in types]


@dataclass(frozen=True)
class Schema:
    """All tables of one schema version, in dependency order."""

    version: str
    tables: tuple[Table, ...]

    def table_names(self) -> list[str]:
        """Table names in dependency order (parents before children)."""
        return [t.name for t in self.tables]

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    def __contains__(self, name: object) -> bool:
        return any(t.name == name for t in self.tables)

    def table(self, name: str) -> Table:
        """Return the table called ``name``.

        Raises
        ------
        TableNotFoundError
            If this schema version has no such table; the message lists the tables it has.
        """
        for table in self.tables:
            if table.name == name:
                return table
        raise TableNotFoundError.for_name(
            name, self.table_names(), where=f"schema version {self.version}"
        )


def available_schema_versions() -> list[str]:
    """Schema versions described by this package, oldest first."""
    files = resources.files(__package__).iterdir()
    names = [f.name for f in files if f.name.startswith("v") and f.name.endswith(".json")]
    return sorted((n[1:-5] for n in names), key=int)


@cache
def load_schema(version: str = SCHEMA_VERSION) -> Schema:
    """Load the description of one published schema version.

    Raises
    ------
    UnsupportedSchemaError
        If no published release uses ``version``.
    """
    version = str(version)
    known = available_schema_versions()
    if version not in known:
        raise UnsupportedSchemaError(
            f"no published schema version {version!r}; known versions: {', '.join(known)}"
        )
    raw = json.loads(resources.files(__package__).joinpath(f"v{version}.json").read_text())
    tables = tuple(
        Table(
            name=t["name"],
            columns=tuple(Column(**c) for c in t["columns"]),
            foreign_keys=tuple(ForeignKey(**fk) for fk in t["foreign_keys"]),
            indexes=tuple(
                Index(name=ix["name"], columns=tuple(ix["columns"]), unique=ix["unique"])
                for ix in t["indexes"]
            ),
        )
        for t in raw["tables"]
    )
    return Schema(version=version, tables=tables)


#: Versions whose published files were built before SQLAlchemy 1.4 (r1.0, r2.0-pre1, r2.0-pre2)
#: and so carry a ``CHECK (<col> IN (0, 1))`` per BOOLEAN column; later files most likely not.
BOOLEAN_CHECK_VERSIONS: tuple[str, ...] = ("15", "16", "18")


def ddl(version: str = SCHEMA_VERSION, *, boolean_checks: bool | None = False) -> str:
    """The SQLite DDL of one schema version, exactly as the aisynphys ORM emits it.

    ``boolean_checks=True`` gives the DDL of SQLAlchemy before 1.4, which adds a table-level
    ``CHECK (<col> IN (0, 1))`` for every BOOLEAN column (nothing else differs); None chooses
    what that version's published files have (:data:`BOOLEAN_CHECK_VERSIONS`).
    """
    schema = load_schema(version)  # validates the version
    text = resources.files(__package__).joinpath("ddl", f"v{version}.sql").read_text()
    if boolean_checks is None:
        boolean_checks = version in BOOLEAN_CHECK_VERSIONS
    return _with_boolean_checks(text, schema) if boolean_checks else text


def _with_boolean_checks(text: str, schema: Schema) -> str:
    """Add SQLAlchemy 1.3's ``CHECK (<col> IN (0, 1))`` clauses, in column order, to each table.

    SQLAlchemy 1.3 emits them after the other constraints but before a foreign key to the table
    itself (``pair.reciprocal_id``).
    """
    for table in schema:
        booleans = table.columns_of_type("bool")
        if not booleans:
            continue
        start = text.index(f"CREATE TABLE {table.name} (\n")
        end = text.index("\n);", start)
        body, self_references = text[start:end], ""
        self_reference = re.compile(rf", \n\tFOREIGN KEY\(\w+\) REFERENCES {table.name} \(id\)$")
        while match := self_reference.search(body):
            self_references = match.group(0) + self_references
            body = body[: match.start()]
        checks = "".join(f", \n\tCHECK ({name} IN (0, 1))" for name in booleans)
        text = text[:start] + body + checks + self_references + text[end:]
    return text
