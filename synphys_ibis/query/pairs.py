"""The pair query: its join graph, column naming and filters, as Ibis expressions.

This module only builds expressions; it never executes anything. A pair query starts from the
``pair`` table (one row per ordered pair of cells recorded together), inner-joins both cells and
the experiment, and left-joins the tables that describe the cells (morphology, patch-seq,
intrinsic properties, cortical location), the slice, and the connection (synapse, its resting-state
fit and conductance, short-term dynamics, the release model, the detection metrics). Only the
joins a query needs are built: a left join that neither a filter nor a requested column uses
cannot change which pairs are returned.

Column naming: the pair table's own columns keep their names (``id`` is the pair id); a joined
table's columns are named ``<alias>_<column>`` (``pre_cell_cre_type``, ``synapse_psp_amplitude``,
``slice_species``), except where that name is already a pair column with the same value
(``pre_cell_id``, ``post_cell_id``, ``experiment_id``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal, TypeAlias

import ibis
import ibis.expr.operations as ops
from ibis.common.deferred import Deferred
from ibis.expr.types import BooleanValue, Value
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError, format_value
from synphys_ibis.query.cell_class import CellClass
from synphys_ibis.query.checks import check_literals, resolve_user_expression
from synphys_ibis.schema import available_schema_versions
from synphys_ibis.schema.constants import (
    PROBED_PAIR_TEST_SPIKE_LIMIT,
)
from synphys_ibis.schema.normalize import LOGICAL_DTYPES
from synphys_ibis.schema.rules import CELL_SIDE_TABLES, JOIN_GRAPH, VersionRules, version_rules

__all__ = [
    "PRELOAD_GROUPS",
    "PairQuery",
    "PreloadGroup",
    "Species",
    "SynapseType",
    "any_version_pair_namespace",
    "build_cell_join",
    "build_pair_join",
    "build_pair_query",
    "pair_namespace",
    "preload_group_of",
    "probed_condition",
]


#: The ``species`` of ``pair_query``.
Species: TypeAlias = Literal["mouse", "human"]
#: The ``synapse_type`` of ``pair_query``: the synapse's sign.
SynapseType: TypeAlias = Literal["ex", "in", "mixed"]
#: A ``preload`` group of ``pair_query``.
PreloadGroup: TypeAlias = Literal["experiment", "cell", "synapse", "synapse_prediction"]

#: ``preload`` groups: which joined columns appear in the result.
PRELOAD_GROUPS: dict[str, tuple[str, ...]] = {
    "experiment": ("experiment", "slice"),
    "cell": tuple(a.name for a in JOIN_GRAPH if a.name.startswith(("pre_", "post_"))),
    "synapse": ("synapse", "resting_state_fit", "dynamics", "synapse_model", "conductance"),
    "synapse_prediction": ("synapse_prediction",),
}


def preload_group_of(column: str, rules: VersionRules) -> str | None:
    """The ``preload`` group whose tables hold the pair-query ``column`` (None: the pair's own).

    Examples
    --------
    >>> from synphys_ibis.schema.rules import version_rules
    >>> rules = version_rules("22")
    >>> [preload_group_of(c, rules) for c in ("distance", "post_cell_cre_type", "synapse_latency")]
    [None, 'cell', 'synapse']

    Raises
    ------
    ColumnNotFoundError
        If no table of this schema version has ``column``.
    """
    if column not in rules.pair_columns:
        raise column_not_found(column, rules, where="pair query columns")
    alias = rules.pair_columns[column][0]
    return next((group for group, aliases in PRELOAD_GROUPS.items() if alias in aliases), None)


def column_not_found(
    name: str, rules: VersionRules, *, where: str, hint: str = "", spelled: str | None = None
) -> ColumnNotFoundError:
    """The error for a pair-query column ``name`` (as the user ``spelled`` it) that the version
    of ``rules`` does not have, saying which versions have it."""
    availability = rules.missing_hint(name, "pair")
    return ColumnNotFoundError.for_name(
        spelled or name,
        rules.pair_columns,
        where=where,
        hint=" ".join(h for h in (availability, hint) if h),
    )


def pair_namespace(rules: VersionRules) -> IbisTable:
    """An unbound table holding every public pair-query column, for resolving user filters."""
    return _pair_namespace(rules.version)


@cache
def _pair_namespace(version: str) -> IbisTable:
    rules = version_rules(version)
    fields = {}
    for public, (alias, column) in rules.pair_columns.items():
        table = "pair" if alias is None else rules.aliases[alias].table
        fields[public] = LOGICAL_DTYPES[rules.schema.table(table).column(column).type]
    return ibis.table(fields, name="pair_query")


@cache
def any_version_pair_namespace() -> IbisTable:
    """Like :func:`pair_namespace`, with the columns of every published schema version."""
    fields: dict[str, Any] = {}
    for version in reversed(available_schema_versions()):
        for name, dtype in _pair_namespace(version).schema().items():
            fields.setdefault(name, dtype)
    return ibis.table(fields, name="pair_query")


TableLookup: TypeAlias = Callable[[str], IbisTable]


def build_pair_join(table: TableLookup, shape: frozenset[str], rules: VersionRules) -> IbisTable:
    """Join ``pair`` with the aliases in ``shape`` (closed over their parents and the base joins).

    The result has every pair column and every column of the joined aliases, publicly named.
    """
    shape = rules.with_parents(shape)
    pair = table("pair")
    relations: dict[str | None, IbisTable] = {None: pair}
    joined = pair
    output = list(pair.columns)
    for alias in rules.aliases.values():
        if alias.name not in shape:
            continue
        source = table(alias.table)
        public = rules.alias_columns(alias.name)
        key = f"__{alias.name}_key"
        projection = {name: source[name.removeprefix(alias.name + "_")] for name in public}
        projection[key] = source[alias.key]
        relation = source.select(**projection)
        parent = relations[alias.parent]
        joined = joined.join(relation, parent[alias.parent_key] == relation[key], how=alias.how)
        relations[alias.name] = relation
        output += public
    return joined.select(*output)


def build_cell_join(
    table: TableLookup, cell_tables: frozenset[str], rules: VersionRules
) -> IbisTable:
    """One row per cell (and per combination of its related rows) with bare column names.

    ``cell_tables`` names which of morphology, intrinsic, cortical_cell_location and patch_seq to
    left-join; where tables share a column name the earlier table in the lookup order wins.
    """
    cell = table("cell")
    joined = cell
    output: dict[str, Value] = {}
    owners = rules.cell_columns
    relations = {"cell": cell}
    for table_name in CELL_SIDE_TABLES[1:]:
        if table_name not in cell_tables:
            continue
        relation = table(table_name)
        key = f"__{table_name}_key"
        names = [n for n, (owner, _) in owners.items() if owner == table_name]
        relation = relation.select(**{key: relation.cell_id}, **{n: relation[n] for n in names})
        joined = joined.join(relation, cell.id == relation[key], how="left")
        relations[table_name] = relation
    for name, (owner, _) in owners.items():
        if owner in relations:
            output[name] = relations[owner][name]
    return joined.select(**output)


# -- arguments ---------------------------------------------------------------------------------
Range: TypeAlias = tuple[float | None, float | None]
FilterExpr: TypeAlias = Deferred | BooleanValue | Callable[[IbisTable], BooleanValue]


@dataclass(frozen=True)
class PairQuery:
    """Validated arguments of a pair query (see ``SynphysDatabase.pair_query``)."""

    pre_class: CellClass | None = None
    post_class: CellClass | None = None
    synapse: bool | None = None
    synapse_type: str | None = None
    synapse_probed: bool = False
    electrical: bool | None = None
    project_names: tuple[str, ...] | None = None
    acsf: tuple[str, ...] | None = None
    age: Range | None = None
    species: str | None = None
    distance: Range | None = None
    internal: tuple[str, ...] | None = None
    preload: tuple[str, ...] = ()
    filter_exprs: tuple[FilterExpr, ...] = ()
    extra_columns: tuple[str, ...] = ()
    #: The rules of the database's schema version (no default: a query is always of one).
    rules: VersionRules = field(kw_only=True)

    def output_columns(self) -> list[str]:
        """Result columns: the pair's own, the preloaded groups', then ``extra_columns``.

        A preloaded table that this schema version lacks contributes no columns.
        """
        rules = self.rules
        names = list(rules.schema.table("pair").column_names)
        preloaded = {a for group in self.preload for a in PRELOAD_GROUPS[group]}
        for alias in rules.aliases:
            if alias in preloaded:
                names += rules.alias_columns(alias)
        for column in self.extra_columns:
            if column not in rules.pair_columns:
                raise column_not_found(column, rules, where="pair query columns")
            if column not in names:
                names.append(column)
        return names

    def filter_columns(self) -> set[str]:
        """Public columns the filters of this query read (cell classes excluded)."""
        used: set[str] = set()
        if self.synapse_type is not None:
            used.add("synapse_synapse_type")
        if self.synapse_probed:
            used.add(f"pre_cell_{self.rules.sign_column()}")
        if self.age is not None and self.age != (None, None):
            used.add("slice_age")
        if self.species is not None:
            used.add("slice_species")
        namespace = pair_namespace(self.rules)
        for expr in self.filter_exprs:
            used |= _referenced_columns(resolve_filter(expr, namespace, self.rules))
        return used

    def shape(self) -> frozenset[str]:
        """The aliases the join needs for these filters and output columns."""
        columns = self.rules.pair_columns
        needed = {columns[c][0] for c in self.filter_columns() | set(self.output_columns())}
        return self.rules.with_parents({a for a in needed if a is not None})

    def table_needs(self) -> list[tuple[str, frozenset[str]]]:
        """``(argument, tables)``: the tables each argument of this query reads, the join's first.

        A database missing one of them (a partial copy of a release) cannot answer the query;
        :meth:`~synphys_ibis.catalog.Catalog.require_tables` names the table and the argument.
        A missing table that only a left join would read is not dropped silently: the query
        raises, since its result would lack columns that the same query elsewhere has.
        """
        rules = self.rules
        columns = rules.pair_columns

        def tables(names: set[str]) -> frozenset[str]:
            aliases = rules.with_parents({a for c in names if (a := columns[c][0]) is not None})
            return frozenset({"pair"} | {rules.aliases[a].table for a in aliases})

        namespace = pair_namespace(rules)
        read: dict[str, set[str]] = {"every pair query": set()}
        if self.synapse_type is not None:
            read["synapse_type"] = {"synapse_synapse_type"}
        if self.synapse_probed:
            read["synapse_probed"] = {f"pre_cell_{rules.sign_column()}"}
        if self.age is not None and self.age != (None, None):
            read["age"] = {"slice_age"}
        if self.species is not None:
            read["species"] = {"slice_species"}
        for group in self.preload:
            read[f"preload={group!r}"] = {
                c
                for a in PRELOAD_GROUPS[group]
                if a in rules.aliases
                for c in rules.alias_columns(a)
            }
        for expr in self.filter_exprs:
            used = _referenced_columns(resolve_filter(expr, namespace, rules))
            read.setdefault("filter_exprs", set()).update(used)
        if self.extra_columns:
            read["columns"] = set(self.extra_columns) & set(columns)
        needs = [(argument, tables(names)) for argument, names in read.items()]
        for argument, cls in (("pre_class", self.pre_class), ("post_class", self.post_class)):
            if cls is not None and (cls.criteria or cls.exprs):
                needs.append((argument, cls.tables(rules)))
        return needs

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable value equal for queries that compile to the same SQL.

        Filters are keyed by their resolved Ibis operation (structural equality), so two
        deferreds or callables producing the same condition share an entry.
        """
        namespace = pair_namespace(self.rules)
        parts: list[Any] = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, CellClass):
                value = ("class", value.cache_key(self.rules))
            elif isinstance(value, VersionRules):
                value = value.version
            elif name == "filter_exprs":
                value = tuple(resolve_filter(e, namespace, self.rules).op() for e in value)
            parts.append((name, value))
        return tuple(parts)

    def with_columns(self, *names: str) -> PairQuery:
        return replace(self, extra_columns=tuple(dict.fromkeys((*self.extra_columns, *names))))


def resolve_filter(expr: FilterExpr, table: IbisTable, rules: VersionRules | None) -> BooleanValue:
    """Bind a user filter (deferred, callable, or expression on any table) to ``table`` by name.

    With ``rules``, an unknown column's error says which schema versions have it.
    """
    if isinstance(expr, Deferred):
        resolved: Any = _resolve_names(lambda: expr.resolve(table), table, rules)
    elif isinstance(expr, Value):
        # Only the expression's own fields: a column of another query reaches into that query's
        # relations, whose inner fields are not the user's.
        fields = expr.op().find(ops.Field, filter=ops.Value)
        for f in fields:
            if f.name not in table.columns:
                if rules is not None:
                    raise column_not_found(f.name, rules, where="pair query")
                raise ColumnNotFoundError.for_name(f.name, table.columns, where="pair query")
        mapping = {f: ops.Field(table.op(), f.name) for f in fields}
        resolved = expr.op().replace(mapping, filter=ops.Value).to_expr()
    elif callable(expr):
        resolved = _resolve_names(lambda: expr(table), table, rules)
    else:
        raise InvalidArgumentError(
            f"filter_exprs entries must be Ibis boolean expressions, deferreds such as "
            f"`_.synapse_psp_amplitude > 1e-4`, or callables; got {format_value(expr)} of type "
            f"{type(expr).__name__}"
        )
    if not isinstance(resolved, BooleanValue):
        raise InvalidArgumentError(
            f"filter {format_value(expr)} is not a boolean condition (it gives {type(resolved).__name__})"
        )
    check_literals("filter_exprs", resolved)
    return resolved


_NAMING_HINT = "Joined columns are named <alias>_<column>, e.g. synapse_psp_amplitude."


def _resolve_names(resolve: Callable[[], Any], table: IbisTable, rules: VersionRules | None) -> Any:
    def missing(bad: str, _err: BaseException) -> ColumnNotFoundError:
        if rules is not None:
            return column_not_found(bad, rules, where="pair query", hint=_NAMING_HINT)
        return ColumnNotFoundError.for_name(
            bad, table.columns, where="pair query", hint=_NAMING_HINT
        )

    return resolve_user_expression(resolve, what="filter_exprs entry", missing=missing)


def _referenced_columns(expr: Value) -> set[str]:
    return {f.name for f in expr.op().find(ops.Field, filter=ops.Value)}


def cell_sign(column: Value) -> Value:
    """A sign column as ``'ex'``/``'in'`` text (``is_excitatory`` true/false; NULL stays NULL)."""
    if column.type().is_boolean():
        return ibis.cases((column == True, "ex"), (column == False, "in"))  # noqa: E712
    return column


def probed_condition(table: IbisTable, class_column: str = "pre_cell_cell_class") -> BooleanValue:
    """Whether a pair was probed for a connection: its presynaptic cell fired enough test spikes.

    Excitatory presynaptic cells need more than ``PROBED_PAIR_TEST_SPIKE_LIMIT`` (10) spikes while
    the postsynaptic cell was held for excitatory currents, inhibitory ones as many for inhibitory
    currents; a cell of unknown class needs both. SQL NULLs count as not probed. ``class_column``
    may also be a boolean ``is_excitatory`` column (schema version 15).
    """
    limit = PROBED_PAIR_TEST_SPIKE_LIMIT
    cls = cell_sign(table[class_column])
    ex = table.n_ex_test_spikes > limit
    inh = table.n_in_test_spikes > limit
    return ((cls == "ex") & ex) | ((cls == "in") & inh) | (ex & inh)


def _pair_filters(query: PairQuery, view: IbisTable) -> list[BooleanValue]:
    filters: list[BooleanValue] = []
    if query.synapse is not None:
        filters.append(view.has_synapse == query.synapse)
    if query.synapse_type is not None:
        filters.append(view.synapse_synapse_type == query.synapse_type)
    if query.synapse_probed:
        filters.append(probed_condition(view, f"pre_cell_{query.rules.sign_column()}"))
    if query.electrical is not None:
        filters.append(view.has_electrical == query.electrical)
    for column, values in (
        ("experiment_project_name", query.project_names),
        ("experiment_acsf", query.acsf),
        ("experiment_internal", query.internal),
    ):
        if values is not None:
            filters.append(
                view[column] == values[0] if len(values) == 1 else view[column].isin(values)
            )
    for column, bounds in (("slice_age", query.age), ("distance", query.distance)):
        if bounds is not None:
            low, high = bounds
            if low is not None:
                filters.append(view[column] >= low)
            if high is not None:
                filters.append(view[column] <= high)
    if query.species is not None:
        filters.append(view.slice_species == query.species)
    filters += [resolve_filter(expr, view, query.rules) for expr in query.filter_exprs]
    return filters


def class_cell_ids(
    cls: CellClass,
    cell_view: Callable[[frozenset[str]], IbisTable],
    rules: VersionRules,
) -> IbisTable:
    """The ids of the cells in ``cls``, as a one-column table ``id``."""
    cells = cell_view(cls.tables(rules))
    return cells.filter(cls.predicate(cells, rules)).select("id")


def build_pair_query(
    query: PairQuery,
    *,
    pair_view: Callable[[frozenset[str]], IbisTable],
    cell_view: Callable[[frozenset[str]], IbisTable],
    duplicated: Callable[[frozenset[str]], bool],
) -> IbisTable:
    """Build the lazy pair query: one row per pair, filtered, with the requested columns.

    ``pair_view(shape)`` returns the pair join for a set of aliases, ``cell_view(tables)`` the
    per-cell join, and ``duplicated(shape)`` whether any one-to-many alias in the shape actually
    has several rows for some key in this database. When it does, each pair keeps the joined
    row with the lowest child ids among those that satisfy every filter.
    """
    shape = query.shape()
    view = pair_view(shape)
    filters = _pair_filters(query, view)
    for cls, column in ((query.pre_class, "pre_cell_id"), (query.post_class, "post_cell_id")):
        if cls is not None and (cls.criteria or cls.exprs):
            filters.append(view[column].isin(class_cell_ids(cls, cell_view, query.rules).id))
    result = view.filter(*filters) if filters else view
    if duplicated(shape):
        child_ids = [
            f"{alias.name}_id"
            for alias in query.rules.aliases.values()
            if alias.name in shape and alias.how == "left"
        ]
        rank = ibis.row_number().over(group_by=result.id, order_by=[result[c] for c in child_ids])
        result = result.mutate(__row=rank).filter(lambda t: t["__row"] == 0)
    result = result.select(*query.output_columns())
    # No ORDER BY: sorting a wide result costs more than joining it (1.2 s of 2.6 s for every
    # mouse pair with 375 columns); callers who need an order ask for it with .order_by("id").
    return result
