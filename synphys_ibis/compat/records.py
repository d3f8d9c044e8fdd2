"""Records that navigate like aisynphys' ORM objects, loading relationships in batches.

``q.all()`` returns :class:`Record` objects: ``pair.distance`` is a column value,
``pair.pre_cell`` a related record, ``pair.pre_cell.morphology.dendrite_type`` its morphology's
column. Records of one result share a :class:`Loader` (the counterpart of a SQLAlchemy session's
identity map): a row is one object however it is reached, so ``pair.reciprocal`` is the very
record of the other pair when both are in the result.

What a query preloaded comes with it. Any other relationship is loaded on first access **for
every record of the batch the record came from, in one statement**: reading
``pair.dynamics`` on one pair of a 5,000-pair result fetches the dynamics of all 5,000, as
``SELECT * FROM dynamics WHERE pair_id IN (<the pair query's ids>)``, and reading it on the other
4,999 runs nothing. Column values are decoded as the ORM decodes them: arrays as NumPy arrays,
JSON as Python objects, missing values as None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
from ibis.expr.types import Table as IbisTable

from synphys_ibis.catalog import Catalog
from synphys_ibis.compat.errors import UnknownColumnError
from synphys_ibis.compat.execution import decoder, run
from synphys_ibis.compat.relationships import PRELOAD_LINKS, Relationship, relationships
from synphys_ibis.compat.tables import class_name, public_name
from synphys_ibis.schema.rules import VersionRules

__all__ = ["Batch", "Loader", "Record"]


class Record:
    """One row of a table, with its relationships as attributes (see the module docstring)."""

    __slots__ = ("_added", "_batch", "_loader", "_related", "_table", "_values")

    def __init__(self, loader: Loader, table: str, values: dict[str, Any]) -> None:
        self._loader = loader
        self._table = table
        self._values = values
        self._related: dict[str, Any] = {}
        self._batch: Batch | None = None
        self._added: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        relation = self._loader.relationship(self._table, name)
        if relation is None:
            known = [*self._values, *relationships(self._loader.rules)[self._table]]
            raise UnknownColumnError.for_name(
                name, known, where=f"a {class_name(self._table)} record (columns and relationships)"
            )
        if name not in self._related:
            self._loader.load(self, relation)
        return self._related[name]

    def __getitem__(self, key: str) -> Any:
        """A column added with ``add_columns``, by its dataframe name or label."""
        if key in self._added:
            return self._added[key]
        raise UnknownColumnError.for_name(key, self._added, where="the added columns")

    def __dir__(self) -> list[str]:
        rels = relationships(self._loader.rules)[self._table]
        return sorted(set(super().__dir__()) | set(self._values) | set(rels))

    def __repr__(self) -> str:
        return f"<{class_name(self._table)} id={self._values.get('id')!r}>"


class Batch:
    """Records of one table created together, and the Ibis table that yields their rows."""

    __slots__ = ("expr", "records", "table")

    def __init__(self, table: str, records: list[Record], expr: IbisTable) -> None:
        self.table = table
        self.records = records
        self.expr = expr
        for record in records:
            if record._batch is None:
                record._batch = self


class Loader:
    """The identity map and relationship loader shared by the records of one result."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.rules: VersionRules = catalog.rules
        self._identity: dict[tuple[str, Any], Record] = {}
        self._decoders: dict[str, dict[str, Any]] = {}

    def relationship(self, table: str, name: str) -> Relationship | None:
        return relationships(self.rules)[table].get(name)

    # -- making records ------------------------------------------------------------------------
    def record(self, table: str, values: dict[str, Any]) -> Record:
        """The record of ``table`` with these (decoded) values; one object per row id."""
        key = (table, values.get("id"))
        existing = self._identity.get(key)
        if existing is not None:
            return existing
        record = Record(self, table, values)
        self._identity[key] = record
        return record

    def _decoders_for(self, table: str) -> dict[str, Any]:
        if table not in self._decoders:
            spec = self.rules.schema.table(table)
            self._decoders[table] = {
                c.name: f for c in spec.columns if (f := decoder(c.type, c.name)) is not None
            }
        return self._decoders[table]

    def decoded_rows(
        self, result: pa.Table, table: str, names: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of ``result`` as ``{column: decoded value}`` for ``table``'s columns.

        ``names`` maps each column of the table to its name in ``result`` (default: the same).
        """
        spec = self.rules.schema.table(table)
        names = names or {c: c for c in spec.column_names}
        decoders = self._decoders_for(table)
        columns: dict[str, list[Any]] = {}
        for column, source in names.items():
            values = result.column(source).to_pylist()
            decode = decoders.get(column)
            columns[column] = values if decode is None else [decode(v) for v in values]
        return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    def pair_records(
        self, result: pa.Table, root: IbisTable, added: Iterable[str] = ()
    ) -> list[Record]:
        """Records of a pair query's result, with the preloaded aliases linked under them."""
        rules = self.rules
        pairs = [self.record("pair", row) for row in self.decoded_rows(result, "pair")]
        for name in added:
            for record, value in zip(pairs, result.column(name).to_pylist(), strict=True):
                record._added[name] = value
        Batch("pair", pairs, root)
        by_alias: dict[str | None, list[Record | None]] = {None: list(pairs)}
        for alias, (parent, relation) in PRELOAD_LINKS.items():
            if alias not in rules.aliases or parent not in by_alias:
                continue
            table = rules.aliases[alias].table
            names = {
                c: public_name(rules, alias, c) for c in rules.schema.table(table).column_names
            }
            if any(n is None or n not in result.column_names for n in names.values()):
                continue  # not preloaded
            parent_table = "pair" if parent is None else rules.aliases[parent].table
            if self.relationship(parent_table, relation) is None:
                continue
            rows = self.decoded_rows(result, table, {c: n for c, n in names.items() if n})
            children: list[Record | None] = []
            for owner, row in zip(by_alias[parent], rows, strict=True):
                child = None if row["id"] is None else self.record(table, row)
                if owner is not None and relation not in owner._related:
                    owner._related[relation] = child
                children.append(child)
            by_alias[alias] = children
            present = list({id(c): c for c in children if c is not None}.values())
            source = self.catalog.table(table)
            id_column = names["id"]
            Batch(table, present, source.filter(source.id.isin(root[id_column])))
        return pairs

    # -- loading relationships -----------------------------------------------------------------
    def load(self, record: Record, relation: Relationship) -> None:
        """Load ``relation`` for every record of ``record``'s batch, in one statement."""
        batch = record._batch
        if batch is None:  # a record made by hand: a batch of one
            source = self.catalog.table(record._table)
            batch = Batch(record._table, [record], source.filter(source.id == record.id))
        target = self.catalog.table(relation.target)
        expr = target.filter(target[relation.remote].isin(batch.expr[relation.local]))
        purpose = f"{class_name(batch.table)}.{relation.name} for {len(batch.records)} records"
        rows = self.decoded_rows(run(expr, purpose), relation.target)
        children = [self.record(relation.target, row) for row in rows]
        grouped: dict[Any, list[Record]] = defaultdict(list)
        for child, row in zip(children, rows, strict=True):
            grouped[row[relation.remote]].append(child)
        for members in grouped.values():
            members.sort(key=lambda r: _sort_key(r._values.get(relation.order_by), r))
        for owner in [*batch.records, record]:
            if relation.name in owner._related:
                continue
            members = grouped.get(owner._values.get(relation.local), [])
            owner._related[relation.name] = (
                list(members) if relation.uselist else (members[0] if members else None)
            )
        Batch(relation.target, list({id(c): c for c in children}.values()), expr)


def _sort_key(value: Any, record: Record) -> tuple[bool, Any, Any]:
    return (value is None, "" if value is None else value, record._values.get("id"))
