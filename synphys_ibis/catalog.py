"""The typed tables of one connection, the join expressions built on them, and facts about the
release behind it.

Building a many-table Ibis join costs tens of milliseconds, more than a narrow query takes to run.
A :class:`Catalog` therefore builds each join shape once per connection and hands out the same
expression afterwards, and memoises whole query expressions by their validated arguments; the
connection's backend memoises the SQL of each expression
(:class:`~synphys_ibis.engines.compiled.CompiledSQLCache`). Nothing is created on the connection:
every expression reads only the release's tables, under the names every connection the library
opens for that release has, so ``ibis.to_sql`` of any query runs as it is on a fresh connection.
The catalog also knows, from one query run on first use, which one-to-many child tables actually
hold several rows for some key, so that de-duplication is only paid for where it can change a
result.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

import ibis
import ibis.common.exceptions as ibis_errors
from ibis.backends import BaseBackend
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import TableNotFoundError
from synphys_ibis.query.pairs import build_cell_join, build_pair_join
from synphys_ibis.schema.normalize import typed_table
from synphys_ibis.schema.rules import VersionRules

__all__ = ["Catalog"]

_QUERY_CACHE_SIZE = 512

logger = logging.getLogger("synphys_ibis")


class Catalog:
    """Typed tables, compiled join views and data facts of one Ibis connection.

    Parameters
    ----------
    con
        An Ibis connection on which every release table is reachable by its own name with its
        logical types.
    rules
        The rules of the schema version of the database behind ``con``
        (:func:`~synphys_ibis.schema.rules.version_rules`).
    normalize
        Whether ``con`` exposes the raw stored tables (PostgreSQL), which are then given their
        logical types here (:func:`~synphys_ibis.schema.normalize.typed_table`, inlined in each query),
        rather than tables that already have them (DuckDB's typed views and native copies).
    """

    def __init__(
        self,
        con: BaseBackend,
        rules: VersionRules,
        *,
        normalize: bool = False,
    ) -> None:
        self.con = con
        self.rules = rules
        self.schema_version = rules.version
        self.stored_schema = rules.stored
        self.schema = rules.schema
        self.normalize = normalize
        self._tables: dict[str, IbisTable] = {}
        self._pair_views: dict[frozenset[str], IbisTable] = {}
        self._cell_views: dict[frozenset[str], IbisTable] = {}
        self._multi_row_tables: frozenset[str] | None = None
        self._projects: list[str | None] | None = None
        self._queries: OrderedDict[Hashable, IbisTable] = OrderedDict()
        self._missing: set[str] = set()

    def has_table(self, name: str) -> bool:
        """Whether the database holds the schema's table ``name`` (a partial copy may not)."""
        try:
            self.table(name)
        except TableNotFoundError:
            return False
        return True

    def require_tables(self, needs: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Raise unless every table of ``needs`` (``(argument, tables)`` pairs) is present.

        Raises
        ------
        TableNotFoundError
            For the first missing table, naming it, the argument that needs it and the schema
            version.
        """
        for argument, tables in needs:
            for name in sorted(tables):
                if not self.has_table(name):
                    raise TableNotFoundError.for_missing(
                        name, schema_version=self.schema_version, needed_by=argument
                    )

    def table(self, name: str) -> IbisTable:
        """The typed table ``name``, renamed columns under their newest names.

        Raises
        ------
        TableNotFoundError
            If the schema has no table ``name``, or the database does not hold it (a partial
            copy of a release); the message names the table and the schema version.
        """
        if name not in self._tables:
            if name not in self.schema:
                raise TableNotFoundError.for_name(
                    name, self.schema.table_names(), where=f"schema version {self.schema.version}"
                )
            if name in self._missing:
                raise TableNotFoundError.for_missing(name, schema_version=self.schema_version)
            try:
                table = self.con.table(name)
            except ibis_errors.TableNotFound as err:
                self._missing.add(name)
                raise TableNotFoundError.for_missing(
                    name, schema_version=self.schema_version
                ) from err
            if self.normalize:
                table = typed_table(table, self.stored_schema.table(name))
            renames = self.rules.renamed_columns(name)
            if renames:
                table = table.rename({new: old for old, new in renames.items()})
            self._tables[name] = table
        return self._tables[name]

    def pair_view(self, shape: frozenset[str]) -> IbisTable:
        """The pair join of ``shape``, built once per connection."""
        if shape not in self._pair_views:
            self._pair_views[shape] = build_pair_join(self.table, shape, self.rules)
        return self._pair_views[shape]

    def cell_view(self, tables: frozenset[str]) -> IbisTable:
        """The per-cell join of ``tables``, built once per connection."""
        if tables not in self._cell_views:
            self._cell_views[tables] = build_cell_join(self.table, tables, self.rules)
        return self._cell_views[tables]

    def memoized(self, key: Hashable, build: Callable[[], IbisTable]) -> IbisTable:
        """The expression ``build()`` returns, built once per ``key``.

        ``key`` must be equal for queries that build equal expressions (see
        ``PairQuery.cache_key``). The last ``_QUERY_CACHE_SIZE`` distinct queries are kept; the
        same expression object comes back for an equal query, so its compiled SQL is found at
        once in the backend's cache.
        """
        expr = self._queries.get(key)
        if expr is None:
            started = time.perf_counter()
            expr = build()
            self._queries[key] = expr
            if len(self._queries) > _QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
            logger.debug("built query in %.3f s", time.perf_counter() - started)
        else:
            self._queries.move_to_end(key)
        return expr

    # -- facts about the data ------------------------------------------------------------------
    def multi_row_tables(self) -> frozenset[str]:
        """Child tables that hold several rows for some value of their join key."""
        if self._multi_row_tables is None:
            checks = []
            for table, key in _one_to_many_keys(self.rules):
                if not self.has_table(table):  # a partial copy: queries that need it say so
                    continue
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
            for a in self.rules.aliases.values()
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


def _one_to_many_keys(rules: VersionRules) -> list[tuple[str, str]]:
    keys = []
    seen = set()
    for alias in rules.aliases.values():
        if alias.how != "left" or alias.table in seen:
            continue
        seen.add(alias.table)
        spec = rules.schema.table(alias.table)
        if alias.key != "id" and alias.key not in spec.unique_columns():
            keys.append((alias.table, alias.key))
    return keys
