"""Table handles named like aisynphys' ORM classes: ``db.Pair``, ``db.CorticalCellLocation``.

A :class:`TableHandle` stands for one table (or one alias of it, such as a pair query's
``pre_cell``); its attributes are :class:`~synphys_ibis.compat.expressions.ColumnRef` objects
that build comparisons. Class names are the CamelCase of table names, as aisynphys'
``Database.__getattr__`` converts them.

Examples
--------
>>> from synphys_ibis.schema.rules import version_rules
>>> rules = version_rules("22")
>>> table_for_attribute("CorticalCellLocation", rules), class_name("synapse_model")
('cortical_cell_location', 'SynapseModel')
>>> Synapse = TableHandle(rules, "synapse")
>>> (Synapse.psp_amplitude > 1e-4).sql_text(), Synapse.psp_amplitude.public
('synapse.psp_amplitude > 0.0001', 'synapse_psp_amplitude')
>>> TableHandle(rules, "cell", alias="pre_cell").cre_type.public
'pre_cell_cre_type'
>>> Synapse.psp_amplitud
Traceback (most recent call last):
...
synphys_ibis.compat.errors.UnknownColumnError: unknown column 'psp_amplitud' in table 'synapse'; known columns: 'id', 'latency', 'meta', 'pair_id', 'psc_amplitude', 'psc_decay_tau', 'psc_rise_time', 'psp_amplitude', 'psp_decay_tau', 'psp_rise_time', 'synapse_type'. Did you mean 'psp_amplitude'?
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from synphys_ibis.compat.errors import UnknownColumnError, UnsupportedIdiomError
from synphys_ibis.compat.expressions import ColumnRef
from synphys_ibis.compat.relationships import relationships
from synphys_ibis.schema.rules import VersionRules, version_rules

__all__ = [
    "QUERY_ALIAS_ATTRIBUTES",
    "TableHandle",
    "class_name",
    "public_name",
    "table_for_attribute",
]

#: Attributes of an aisynphys pair query naming its aliases (``q.pre_location`` is the
#: ``pre_cortical_cell_location`` alias).
QUERY_ALIAS_ATTRIBUTES: Mapping[str, str] = {
    "pre_cell": "pre_cell",
    "post_cell": "post_cell",
    "pre_morphology": "pre_morphology",
    "post_morphology": "post_morphology",
    "pre_location": "pre_cortical_cell_location",
    "post_location": "post_cortical_cell_location",
    "pre_intrinsic": "pre_intrinsic",
    "post_intrinsic": "post_intrinsic",
    "pre_patch_seq": "pre_patch_seq",
    "post_patch_seq": "post_patch_seq",
}


def class_name(table: str) -> str:
    """The ORM class name of ``table`` (``cortical_cell_location`` -> ``CorticalCellLocation``)."""
    return "".join(part.capitalize() for part in table.split("_"))


def table_for_attribute(name: str, rules: VersionRules) -> str | None:
    """The table ``db.<name>`` means (CamelCase class name or the table name), else None."""
    tables = rules.schema.table_names()
    if name in tables:
        return name
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return snake if snake in tables and class_name(snake) == name else None


@cache
def _public_names(version: str) -> dict[tuple[str | None, str], str]:
    rules = version_rules(version)
    names: dict[tuple[str | None, str], str] = {}
    for public, key in rules.pair_columns.items():
        names.setdefault(key, public)
    for alias in rules.aliases.values():
        # inner-joined aliases' ids are the pair's own key columns (pre_cell.id = pre_cell_id)
        if alias.parent is None and alias.key == "id":
            names.setdefault((alias.name, "id"), alias.parent_key)
    return names


def public_name(rules: VersionRules, entity: str | None, column: str) -> str | None:
    """The pair-query column of ``entity.column`` (None: the pair), or None if it has none."""
    if entity in (None, "pair"):
        return column if column in rules.pair_columns else None
    return _public_names(rules.version).get((entity, column))


class TableHandle:
    """One table, or an alias of it, whose attributes are column expressions.

    Parameters
    ----------
    rules
        The rules of the database's schema version.
    table
        The table name.
    alias
        The alias in a pair query (``'pre_cell'``), or None for the table itself.
    """

    __slots__ = ("_alias", "_rules", "_table")

    def __init__(self, rules: VersionRules, table: str, *, alias: str | None = None) -> None:
        self._rules = rules
        self._table = rules.schema.table(table).name  # TableNotFoundError for an unknown name
        self._alias = alias

    @property
    def __tablename__(self) -> str:  # as SQLAlchemy's mapped classes
        return self._table

    @property
    def entity(self) -> str:
        """The name aisynphys prefixes this handle's columns with in dataframes."""
        return self._alias or self._table

    def column_names(self) -> list[str]:
        """The table's columns, in table order."""
        return self._rules.schema.table(self._table).column_names

    def __getattr__(self, name: str) -> ColumnRef:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = self._rules.schema.table(self._table)
        if spec.has_column(name):
            entity = self._alias if self._alias is not None else self._table
            return ColumnRef(
                self._table,
                name,
                alias=self._alias,
                public=public_name(self._rules, entity, name),
                kind=spec.column(name).type,
            )
        relation = relationships(self._rules)[self._table].get(name)
        if relation is not None:
            raise UnsupportedIdiomError.for_idiom(
                f"the relationship attribute {class_name(self._table)}.{name} in a query",
                compat=f"navigate records (record.{name}) or use the columns of "
                f"{class_name(relation.target)}",
                native="Ibis joins of db.table(...) tables",
                why="queries do not join through relationships",
            )
        raise UnknownColumnError.for_name(name, spec.column_names, where=f"table {self._table!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.column_names()))

    def __repr__(self) -> str:
        alias = f" as {self._alias}" if self._alias else ""
        return f"<table handle {class_name(self._table)}{alias}>"
