"""``pair_query(...)`` as aisynphys returns it: a lazy query of pairs with ``.all()``,
``.dataframe()``, ``.add_columns()`` and the pre/post aliases as attributes.

The query is built on the native :func:`~synphys_ibis.query.pairs.build_pair_query` (one row per
pair, only the joins a query needs). Compat column expressions are resolved to the pair
query's columns: ``db.Pair.distance`` -> ``distance``, ``db.Synapse.psp_amplitude`` ->
``synapse_psp_amplitude``, ``q.pre_cell.cre_type`` -> ``pre_cell_cre_type``. As in aisynphys,
filters may use the pair's own tables (pair, experiment, slice, synapse, synapse_prediction,
dynamics, resting_state_fit, synapse_model, conductance) and, through the query's attributes,
the aliases of both cells (``q.pre_cell``, ``q.post_location``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ibis.expr.types import Table as IbisTable

from synphys_ibis.compat.errors import UnsupportedIdiomError
from synphys_ibis.compat.execution import run
from synphys_ibis.compat.expressions import ColumnElement, ColumnRef, Label, Ordering
from synphys_ibis.compat.frames import DEFERRED_COLUMNS, FrameColumn, unique_names
from synphys_ibis.compat.query import BaseQuery
from synphys_ibis.compat.records import Loader, Record
from synphys_ibis.compat.tables import QUERY_ALIAS_ATTRIBUTES, TableHandle, public_name
from synphys_ibis.query.arguments import validate_pair_query
from synphys_ibis.query.pairs import PRELOAD_GROUPS, PairQuery
from synphys_ibis.synphys import SynphysDatabase as NativeDatabase

__all__ = ["ORIGINAL_PRELOAD", "CompatPairQuery"]

#: aisynphys' preload groups (its 'synapse' group has no conductance).
ORIGINAL_PRELOAD: Mapping[str, tuple[str, ...]] = {
    **PRELOAD_GROUPS,
    "synapse": tuple(a for a in PRELOAD_GROUPS["synapse"] if a != "conductance"),
}


class CompatPairQuery(BaseQuery):
    """The query ``SynphysDatabase.pair_query`` returns (see the module docstring).

    ``arguments`` are the keyword arguments of the native ``pair_query``; compat expressions in
    ``filter_exprs`` have been taken out into ``filters``.
    """

    def __init__(
        self,
        native: NativeDatabase,
        arguments: Mapping[str, Any],
        filters: tuple[ColumnElement, ...] = (),
    ) -> None:
        super().__init__(native.catalog)
        self._native = native
        self._arguments = dict(arguments)
        self._filters = self._elements(filters, "filter_exprs")
        self._validated()  # argument errors surface now, as aisynphys' asserts did

    # -- the pre/post aliases ----------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        alias = QUERY_ALIAS_ATTRIBUTES.get(name)
        if alias is not None:
            rules = self._catalog.rules
            return TableHandle(rules, rules.aliases[alias].table, alias=alias)
        return super().__getattr__(name)

    # -- columns -----------------------------------------------------------------------------
    def _check_ref(self, ref: ColumnRef, where: str) -> None:
        if ref.public is not None:
            return
        if ref.table == "cell" and ref.alias is None:
            raise UnsupportedIdiomError.for_idiom(
                f"{ref.sql_text()} in {where} of a pair query",
                compat=f"q.pre_cell.{ref.column} / q.post_cell.{ref.column}, or "
                f"pre_class=CellClass({ref.column}=...)",
                native=f"filter_exprs=[_.pre_cell_{ref.column} == ...]",
                why="the unaliased cell table is not part of a pair query "
                "(in aisynphys it would cross-join every cell)",
            )
        raise UnsupportedIdiomError.for_idiom(
            f"{ref.sql_text()} in {where} of a pair query",
            compat="the columns of the tables a pair query joins (pair, experiment, slice, "
            "synapse, dynamics, synapse_model, resting_state_fit, conductance, "
            "synapse_prediction, and q.pre_cell/q.post_cell/q.pre_location/...)",
            native=f"join db.table({ref.table!r}) to q.expr in Ibis (q.outerjoin is not "
            "supported either)",
            why=f"a pair query does not join {ref.table}",
        )

    def _resolve(self, table: IbisTable) -> Any:
        return lambda ref: table[ref.public]

    def _needed_columns(self) -> list[str]:
        items: list[ColumnElement] = [*self._added]
        items += [o.element if isinstance(o, Ordering) else o for o in self._order]
        names = [ref.public for item in items for ref in item.refs()]
        return [n for n in dict.fromkeys(names) if n is not None]

    def _validated(self) -> PairQuery:
        native = self._native
        filters = [f.__call__ for f in self._filters]
        arguments = dict(self._arguments)
        arguments["filter_exprs"] = [*(arguments.get("filter_exprs") or ()), *filters]
        query = validate_pair_query(
            **arguments, known_projects=native.list_project_names, rules=native.rules
        )
        return query.with_columns(*self._needed_columns())

    def _pairs(self) -> IbisTable:
        query = self._validated()
        catalog = self._catalog
        return catalog.memoized(
            ("pair_query", query.cache_key()),
            lambda: NativeDatabase._build_pair_query(query, catalog),
        )

    def _added_names(self, pairs: IbisTable) -> list[str]:
        """The added columns' names in ``.expr``: their dataframe names, kept unique."""
        return unique_names([_frame_name(c) for c in self._added], taken=pairs.columns)

    def _base(self) -> IbisTable:
        pairs = self._pairs()
        if not self._added:
            return pairs
        resolve = self._resolve(pairs)
        names = self._added_names(pairs)
        return pairs.mutate(
            **{n: c.to_ibis(resolve) for n, c in zip(names, self._added, strict=True)}
        )

    # -- running -----------------------------------------------------------------------------
    def _records(self, expr: IbisTable) -> list[Record]:
        added = self._added_names(self._pairs()) if self._added else []
        result = run(expr, "pair records")
        return Loader(self._catalog).pair_records(result, expr, added)

    def _preloaded_aliases(self) -> list[str]:
        groups = set(self._arguments.get("preload") or ())
        wanted = {a for g in groups for a in ORIGINAL_PRELOAD[g]}
        return [a for a in self._catalog.rules.aliases if a in wanted]

    def _frame_columns(self, table: IbisTable) -> list[FrameColumn]:
        rules = self._catalog.rules
        columns = [
            FrameColumn(c.name, f"pair.{c.name}", c.name, c.type)
            for c in rules.schema.table("pair").columns
        ]
        for alias in self._preloaded_aliases():
            spec = rules.schema.table(rules.aliases[alias].table)
            for column in spec.columns:
                source = public_name(rules, alias, column.name)
                if (spec.name, column.name) in DEFERRED_COLUMNS or source is None:
                    continue
                columns.append(
                    FrameColumn(source, f"{alias}.{column.name}", column.name, column.type)
                )
        names = self._added_names(self._pairs())
        for name, element in zip(names, self._added, strict=True):
            kind = None
            if isinstance(element, ColumnRef):
                kind = element.kind
            elif isinstance(element, Label) and isinstance(element.element, ColumnRef):
                kind = element.element.kind
            columns.append(FrameColumn(name, _frame_name(element), element.name, kind))
        return columns

    def count(self) -> int:
        """The number of pairs (one statement; aisynphys counted joined rows)."""
        return super().count()

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._arguments.items() if v not in (None, (), [])}
        return f"<pair_query {shown!r}>"


def _frame_name(element: ColumnElement) -> str:
    if isinstance(element, ColumnRef):
        return element.sql_text()  # table.column, or alias.column
    return element.name
