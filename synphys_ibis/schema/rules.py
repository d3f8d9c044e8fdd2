"""The query rules of one schema version, resolved once into one frozen object.

Everything a query builder must know about a schema version lives in its :class:`VersionRules`:
the tables as queries see them (renamed columns under their newest names, see
:mod:`synphys_ibis.schema.versions`), the relations a pair query can join and the keys it joins
them by, the public name of every pair-query column, the cell-class criteria in the original
library's lookup order, the column that holds a cell's sign, and what the version lacks with a
hint at what it has instead. A database makes its rules once, when it opens
(:func:`version_rules`), and hands them to the builders of :mod:`synphys_ibis.query`, none of which
assumes a version of its own.

Examples
--------
>>> rules = version_rules("18")
>>> rules.cell_columns["cortical_layer"][0]      # 15-18: the morphology table's column
'morphology'
>>> version_rules("19").cell_columns["cortical_layer"][0]
'cortical_cell_location'
>>> rules.aliases["resting_state_fit"].parent     # joined through synapse from 18 on
'synapse'
>>> version_rules("16").aliases["resting_state_fit"].key
'pair_id'
>>> version_rules("15").sign_column("cell_class")
'is_excitatory'
>>> rules.stored_name("intrinsic", "ap_width")
'width'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Literal, TypeAlias

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.schema import Column, Schema, available_schema_versions, load_schema
from synphys_ibis.schema.versions import INSTEAD, query_schema, renamed_columns

__all__ = [
    "BASE_ALIASES",
    "CELL_SIDE_TABLES",
    "JOIN_GRAPH",
    "Alias",
    "ClassColumn",
    "VersionRules",
    "version_rules",
]


@dataclass(frozen=True)
class Alias:
    """One relation a pair query can join.

    The relation ``table`` is joined on ``<table>.<key> = <parent>.<parent_key>``, where
    ``parent`` is the pair table (None) or another alias and ``parent_key`` a public column name.
    """

    name: str
    table: str
    key: str
    parent_key: str
    how: Literal["inner", "left"] = "left"
    parent: str | None = None


#: Tables a cell class can read, in the order a criterion's column is looked up (as aisynphys).
CELL_SIDE_TABLES: tuple[str, ...] = (
    "cell",
    "morphology",
    "intrinsic",
    "cortical_cell_location",
    "patch_seq",
)

_CELL_DETAIL_TABLES = ("morphology", "patch_seq", "intrinsic", "cortical_cell_location")


def _cell_side(prefix: str, cell_key: str) -> list[Alias]:
    return [Alias(f"{prefix}_{table}", table, "cell_id", cell_key) for table in _CELL_DETAIL_TABLES]


#: Every relation a pair query of the newest schema can join, in result-column order (parents
#: before children); :attr:`VersionRules.aliases` gives those of one version, with its keys.
JOIN_GRAPH: tuple[Alias, ...] = (
    Alias("experiment", "experiment", "id", "experiment_id", how="inner"),
    Alias("slice", "slice", "id", "experiment_slice_id", parent="experiment"),
    Alias("pre_cell", "cell", "id", "pre_cell_id", how="inner"),
    Alias("post_cell", "cell", "id", "post_cell_id", how="inner"),
    *sorted(
        _cell_side("pre", "pre_cell_id") + _cell_side("post", "post_cell_id"),
        key=lambda a: (_CELL_DETAIL_TABLES.index(a.table), a.name.startswith("post")),
    ),
    Alias("synapse", "synapse", "pair_id", "id"),
    Alias("resting_state_fit", "resting_state_fit", "synapse_id", "synapse_id", parent="synapse"),
    Alias("dynamics", "dynamics", "pair_id", "id"),
    Alias("synapse_model", "synapse_model", "pair_id", "id"),
    Alias("conductance", "conductance", "synapse_id", "synapse_id", parent="synapse"),
    Alias("synapse_prediction", "synapse_prediction", "pair_id", "id"),
)

#: Aliases every pair query joins: their inner joins decide which pairs exist.
BASE_ALIASES = frozenset(a.name for a in JOIN_GRAPH if a.how == "inner")

ClassColumn: TypeAlias = Literal["cell_class", "cell_class_nonsynaptic"]


@dataclass(frozen=True, eq=False)
class VersionRules:
    """How queries read one schema version (made by :func:`version_rules`, one per version).

    Attributes
    ----------
    version
        The schema version, e.g. ``'22'``.
    stored
        The schema as stored in the version's files.
    schema
        The schema as queries see it: renamed columns under their newest names.
    aliases
        The relations a pair query can join, by name, in result-column order. Tables the
        version lacks are left out; a child of ``synapse`` that the version keys by ``pair_id``
        instead (``resting_state_fit`` in versions 15-16) is joined to the pair.
    pair_columns
        Every public pair-query column -> ``(alias, column)``; alias None is the pair table.
    cell_columns
        Every cell-class criterion -> ``(table, column)``, the first table of
        :data:`CELL_SIDE_TABLES` that has the column winning.
    """

    version: str
    stored: Schema
    schema: Schema
    aliases: Mapping[str, Alias]
    pair_columns: Mapping[str, tuple[str | None, str]]
    cell_columns: Mapping[str, tuple[str, Column]]
    _sign_columns: Mapping[str, str] = field(repr=False)

    def __repr__(self) -> str:
        return f"VersionRules(version={self.version!r})"

    # -- columns ---------------------------------------------------------------------------
    def renamed_columns(self, table: str) -> dict[str, str]:
        """``{stored name: query name}`` of the renamed columns of ``table``."""
        return renamed_columns(self.version, table)

    def stored_name(self, table: str, column: str) -> str:
        """The name the query column ``table.column`` is stored under."""
        stored = {new: old for old, new in self.renamed_columns(table).items()}
        return stored.get(column, column)

    def alias_columns(self, alias: str) -> list[str]:
        """Public names of one alias's columns, in table order."""
        return [name for name, (owner, _) in self.pair_columns.items() if owner == alias]

    def sign_column(self, class_column: ClassColumn = "cell_class") -> str:
        """The cell column holding a cell's sign: ``class_column``, or ``is_excitatory`` (15)."""
        if class_column not in self._sign_columns:
            raise InvalidArgumentError.for_value(
                "class_column", class_column, sorted(self._sign_columns)
            )
        return self._sign_columns[class_column]

    def with_parents(self, names: frozenset[str] | set[str]) -> frozenset[str]:
        """Close a set of aliases over the aliases they are joined through, plus the base joins."""
        result = set(names) | BASE_ALIASES
        for name in list(result):
            parent = self.aliases[name].parent
            while parent is not None:
                result.add(parent)
                parent = self.aliases[parent].parent
        return frozenset(result)

    # -- what the version lacks -------------------------------------------------------------
    def missing_hint(self, name: str, kind: Literal["pair", "cell"]) -> str:
        """Explain that ``name`` (a pair column or a cell criterion) is missing from this version:
        which versions have it and what this one has instead. Empty when no version has it."""
        having = [
            v
            for v in available_schema_versions()
            if name in getattr(version_rules(v), f"{kind}_columns")
        ]
        parts = []
        if having:
            plural = "s" if len(having) > 1 else ""
            parts.append(
                f"{name!r} is not in schema version {self.version}; it exists in schema "
                f"version{plural} {', '.join(having)}"
            )
        for key, (applies, instead) in INSTEAD.items():
            if (name == key or name.endswith(f"_{key}")) and applies(self.version):
                parts.append(instead)
                break
        return "; ".join(parts) + ("." if parts else "")


@cache
def version_rules(version: str) -> VersionRules:
    """The rules of schema ``version`` (made once per version and process).

    Raises
    ------
    UnsupportedSchemaError
        If ``version`` is not a published schema version.
    """
    stored = load_schema(str(version))
    schema = query_schema(stored.version)
    aliases = _aliases(schema)
    cell = schema.table("cell")
    return VersionRules(
        version=stored.version,
        stored=stored,
        schema=schema,
        aliases=MappingProxyType(aliases),
        pair_columns=MappingProxyType(_pair_columns(schema, aliases)),
        cell_columns=MappingProxyType(_cell_columns(schema)),
        _sign_columns=MappingProxyType(
            {
                name: name if cell.has_column(name) else "is_excitatory"
                for name in ("cell_class", "cell_class_nonsynaptic")
            }
        ),
    )


def _aliases(schema: Schema) -> dict[str, Alias]:
    result: dict[str, Alias] = {}
    for alias in JOIN_GRAPH:
        if alias.table not in schema:
            continue
        spec = schema.table(alias.table)
        if not spec.has_column(alias.key) and spec.has_column("pair_id"):
            alias = replace(alias, key="pair_id", parent_key="id", parent=None)
        result[alias.name] = alias
    return result


def _pair_columns(schema: Schema, aliases: dict[str, Alias]) -> dict[str, tuple[str | None, str]]:
    columns: dict[str, tuple[str | None, str]] = {
        name: (None, name) for name in schema.table("pair").column_names
    }
    for alias in aliases.values():
        for column in schema.table(alias.table).column_names:
            columns.setdefault(f"{alias.name}_{column}", (alias.name, column))
    return columns


def _cell_columns(schema: Schema) -> dict[str, tuple[str, Column]]:
    columns: dict[str, tuple[str, Column]] = {}
    for table_name in CELL_SIDE_TABLES:
        if table_name not in schema:
            continue
        for column in schema.table(table_name).columns:
            columns.setdefault(column.name, (table_name, column))
    return columns
