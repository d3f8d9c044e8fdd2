"""The typed tables of one connection and the join views compiled on it.

Building and compiling a many-table Ibis join costs tens to hundreds of milliseconds, more than a
narrow query takes to run. A :class:`Catalog` therefore compiles each join shape once per
connection into a ``TEMP VIEW`` (where the backend allows temporary objects) and hands out the
view as an Ibis table; queries then only add filters and a projection to it. It also knows, from
one query run on first use, which one-to-many child tables actually hold several rows for some
key, so that de-duplication is only paid for where it can change a result.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import ibis
from ibis.backends import BaseBackend
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import TableNotFoundError
from synphys_ibis.query.pairs import aliases, build_cell_join, build_pair_join
from synphys_ibis.schema import load_schema
from synphys_ibis.schema.normalize import typed_table
from synphys_ibis.schema.versions import query_schema, renamed_columns

__all__ = ["Catalog"]

_COMPILED_CACHE_SIZE = 512

logger = logging.getLogger("synphys_ibis")


class Catalog:
    """Typed tables, compiled join views and data facts of one Ibis connection.

    Parameters
    ----------
    con
        An Ibis connection on which every release table is reachable by its own name with its
        logical types.
    schema_version
        The schema version of the database behind ``con``.
    temp_views
        Whether join shapes are compiled into temporary views (False on read-only PostgreSQL
        sessions, which cannot create them; the joins are then inlined in each query).
    normalize
        Whether ``con`` exposes the raw stored tables (PostgreSQL), which are then given their
        logical types here (:func:`~synphys_ibis.schema.normalize.typed_table`, inlined in each query),
        rather than tables that already have them (DuckDB's typed views and native copies).
    """

    def __init__(
        self,
        con: BaseBackend,
        schema_version: str,
        *,
        temp_views: bool = True,
        normalize: bool = False,
    ) -> None:
        self.con = con
        self.schema_version = schema_version
        self.stored_schema = load_schema(schema_version)
        self.schema = query_schema(schema_version)
        self.temp_views = temp_views
        self.normalize = normalize
        self._tables: dict[str, IbisTable] = {}
        self._pair_views: dict[frozenset[str], IbisTable] = {}
        self._cell_views: dict[frozenset[str], IbisTable] = {}
        self._multi_row_tables: frozenset[str] | None = None
        self._projects: list[str | None] | None = None
        self._compiled: OrderedDict[Hashable, tuple[str, ibis.Schema]] = OrderedDict()
        if con.name == "duckdb":
            from synphys_ibis.stats import register_duckdb_functions

            register_duckdb_functions(con)

    def table(self, name: str) -> IbisTable:
        """The typed table ``name``, renamed columns under their newest names."""
        if name not in self._tables:
            if name not in self.schema:
                raise TableNotFoundError.for_name(
                    name, self.schema.table_names(), where=f"schema version {self.schema.version}"
                )
            table = self.con.table(name)
            if self.normalize:
                table = typed_table(table, self.stored_schema.table(name))
            renames = renamed_columns(self.schema_version, name)
            if renames:
                table = table.rename({new: old for old, new in renames.items()})
            self._tables[name] = table
        return self._tables[name]

    def pair_view(self, shape: frozenset[str]) -> IbisTable:
        """The pair join of ``shape``, compiled once per connection."""
        if shape not in self._pair_views:
            expr = build_pair_join(self.table, shape, self.schema_version)
            self._pair_views[shape] = self._materialize("pairs", sorted(shape), expr)
        return self._pair_views[shape]

    def cell_view(self, tables: frozenset[str]) -> IbisTable:
        """The per-cell join of ``tables``, compiled once per connection."""
        if tables not in self._cell_views:
            expr = build_cell_join(self.table, tables, self.schema_version)
            self._cell_views[tables] = self._materialize("cells", sorted(tables), expr)
        return self._cell_views[tables]

    def _materialize(self, kind: str, key: list[str], expr: IbisTable) -> IbisTable:
        if not self.temp_views:
            return expr
        digest = hashlib.sha1(",".join(key).encode()).hexdigest()[:12]
        name = f"_synphys_{kind}_{digest}"
        started = time.perf_counter()
        sql = ibis.to_sql(expr, dialect=self.con.name)
        self.con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {sql}')
        view = self.con.table(name)
        logger.debug("compiled %s view %s in %.3f s", kind, name, time.perf_counter() - started)
        return view

    def compiled(self, key: Hashable, build: Callable[[], IbisTable]) -> IbisTable:
        """The table ``build()`` returns, as a lazy table over its SQL, compiled once per ``key``.

        Compiling a pair query costs more than running a narrow one; the compiled SQL is kept
        (for the last ``_COMPILED_CACHE_SIZE`` distinct queries) and the returned table wraps it,
        so executing it does not compile the expression again. ``ibis.to_sql`` of the result
        shows that SQL.
        """
        entry = self._compiled.get(key)
        if entry is None:
            started = time.perf_counter()
            expr = build()
            # Left joins make any column nullable, whatever the source declares.
            schema = ibis.schema(
                {name: dtype.copy(nullable=True) for name, dtype in expr.schema().items()}
            )
            entry = (str(ibis.to_sql(expr, dialect=self.con.name)), schema)
            self._compiled[key] = entry
            if len(self._compiled) > _COMPILED_CACHE_SIZE:
                self._compiled.popitem(last=False)
            logger.debug("compiled query in %.3f s:\n%s", time.perf_counter() - started, entry[0])
        else:
            self._compiled.move_to_end(key)
        return self.con.sql(entry[0], schema=entry[1])

    # -- facts about the data ------------------------------------------------------------------
    def multi_row_tables(self) -> frozenset[str]:
        """Child tables that hold several rows for some value of their join key."""
        if self._multi_row_tables is None:
            checks = []
            for table, key in _one_to_many_keys(self.schema):
                t = self.table(table)
                checks.append(
                    t.aggregate(extra=t[key].count() - t[key].nunique()).mutate(
                        table=ibis.literal(table)
                    )
                )
            result = ibis.union(*checks).to_pyarrow().to_pylist() if checks else []
            self._multi_row_tables = frozenset(r["table"] for r in result if r["extra"])
            logger.debug("tables with several rows per key: %s", sorted(self._multi_row_tables))
        return self._multi_row_tables

    def pair_shape_duplicates(self, shape: frozenset[str]) -> bool:
        """Whether the pair join of ``shape`` can hold several rows for one pair."""
        multi = self.multi_row_tables()
        return any(
            a.table in multi
            for a in aliases(self.schema_version).values()
            if a.name in shape and a.how == "left"
        )

    def cell_tables_duplicate(self, tables: frozenset[str]) -> bool:
        """Whether the per-cell join of ``tables`` can hold several rows for one cell."""
        return bool(self.multi_row_tables() & tables)

    def project_names(self) -> list[str | None]:
        """Distinct ``experiment.project_name`` values (None included when present)."""
        if self._projects is None:
            names = self.table("experiment").select("project_name").distinct()
            values = names.to_pyarrow().column("project_name").to_pylist()
            self._projects = sorted(values, key=lambda v: (v is None, v or ""))
        return self._projects


def _one_to_many_keys(schema: Any) -> list[tuple[str, str]]:
    keys = []
    seen = set()
    for alias in aliases(schema.version).values():
        if alias.how != "left" or alias.table in seen:
            continue
        seen.add(alias.table)
        spec = schema.table(alias.table)
        if alias.key != "id" and alias.key not in spec.unique_columns():
            keys.append((alias.table, alias.key))
    return keys
