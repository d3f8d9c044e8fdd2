"""Lazy query objects with the methods of aisynphys' ``DBQuery`` (a SQLAlchemy ``Query``).

A query is a value: ``filter``, ``add_columns``, ``order_by``, ``limit`` and ``offset`` return a
new query and run nothing. ``.expr`` (also ``.table``) is the lazy Ibis table; ``.all()``,
``.first()``, ``.one()``, ``.count()``, iteration, ``q[i]`` / ``q[a:b]``, ``.dataframe()`` and
``.recarray()`` each run exactly one SQL statement. Rows come ordered by ``id`` unless
``order_by`` says otherwise (aisynphys' SQL had no ORDER BY; SQLite happened to return pairs in
id order).

``len(q)`` raises :class:`~synphys_ibis.compat.errors.QueryLengthError`: SQLAlchemy queries have no
length either; use ``q.count()`` or ``len(q.all())``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NoReturn, Self

import numpy as np
import pandas as pd
from ibis import _
from ibis.expr.types import Table as IbisTable
from ibis.expr.types import Value

from synphys_ibis.catalog import Catalog
from synphys_ibis.compat.errors import QueryLengthError, UnsupportedIdiomError
from synphys_ibis.compat.execution import run
from synphys_ibis.compat.expressions import ColumnElement, ColumnRef, Ordering, as_element
from synphys_ibis.compat.frames import DEFERRED_COLUMNS, FrameColumn, build_frame
from synphys_ibis.compat.records import Batch, Loader, Record
from synphys_ibis.compat.tables import TableHandle
from synphys_ibis.errors import InvalidArgumentError

__all__ = ["BaseQuery", "TableQuery"]

#: Query methods of SQLAlchemy that the compat layer does not reproduce, with the native form.
_UNSUPPORTED = {
    "outerjoin": "left-join db.table('<table>') to q.expr in Ibis, e.g. "
    "q.expr.left_join(db.table('gap_junction'), q.expr.id == db.table('gap_junction').pair_id)",
    "join": "join db.table('<table>') to q.expr in Ibis",
    "group_by": "q.expr.group_by(...).aggregate(...) in Ibis",
    "having": "q.expr.group_by(...).aggregate(...).filter(...) in Ibis",
    "distinct": "q.expr.distinct() in Ibis (pair queries already give one row per pair)",
    "subquery": "q.expr (a lazy Ibis table) used in another Ibis expression",
    "with_entities": "q.expr.select(...) in Ibis",
    "options": "preload=[...] (relationships not preloaded load in one batch on first access)",
    "union": "q.expr.union(other.expr) in Ibis",
    "join_from": "join db.table('<table>') to q.expr in Ibis",
    "select_from": "db.table('<table>') in Ibis",
    "yield_per": "q.expr.to_pyarrow_batches() (streams the result)",
    "update": "nothing: read-only (maintenance writes go through synphys_ibis.maintenance)",
    "delete": "nothing: read-only (maintenance writes go through synphys_ibis.maintenance)",
}


class BaseQuery:
    """What every compat query shares; subclasses say how the Ibis table is built."""

    _entity: str = "pair"

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._filters: tuple[ColumnElement, ...] = ()
        self._added: tuple[ColumnElement, ...] = ()
        self._order: tuple[ColumnElement | Ordering, ...] = ()
        self._limit: int | None = None
        self._offset: int = 0

    # -- building (no execution) ----------------------------------------------------------
    def _copy(self, **changes: Any) -> Self:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        for key, value in changes.items():
            setattr(clone, f"_{key}", value)
        return clone

    def _check_ref(self, ref: ColumnRef, where: str) -> None:
        raise NotImplementedError

    def _elements(self, items: Sequence[Any], where: str) -> tuple[ColumnElement, ...]:
        elements = []
        for item in items:
            if isinstance(item, TableHandle):
                raise UnsupportedIdiomError.for_idiom(
                    f"a whole table ({item!r}) in {where}",
                    compat="preload=[...] or the table's columns one by one",
                    native="preload=[...], or db.table(...) joined in Ibis",
                )
            element = as_element(item)
            if not isinstance(element, ColumnElement) or not any(True for _ in element.refs()):
                raise InvalidArgumentError(
                    f"{where} takes column expressions such as db.Synapse.psp_amplitude > 1e-4; "
                    f"got {item!r}"
                )
            for ref in element.refs():
                self._check_ref(ref, where)
            elements.append(element)
        return tuple(elements)

    def filter(self, *criteria: Any) -> Self:
        """Keep the rows satisfying every criterion (``db.Synapse.psp_amplitude > 1e-4``)."""
        return self._copy(filters=self._filters + self._elements(criteria, "filter()"))

    def add_columns(self, *columns: Any) -> Self:
        """Add result columns (``db.Synapse.latency``, ``expr.label('name')``)."""
        return self._copy(added=self._added + self._elements(columns, "add_columns()"))

    def add_column(self, column: Any) -> Self:
        """One column: ``add_columns(column)``."""
        return self.add_columns(column)

    def order_by(self, *columns: Any) -> Self:
        """Order by columns (``db.Pair.distance.desc()``); ``order_by(None)`` restores id order."""
        if columns == (None,):
            return self._copy(order=())
        order: list[ColumnElement | Ordering] = []
        for column in columns:
            if isinstance(column, Ordering):
                self._elements([column.element], "order_by()")
                order.append(column)
            else:
                order.extend(self._elements([column], "order_by()"))
        return self._copy(order=self._order + tuple(order))

    def limit(self, n: int | None) -> Self:
        """At most ``n`` rows."""
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            raise InvalidArgumentError(f"limit takes a non-negative integer or None, not {n!r}")
        return self._copy(limit=n)

    def offset(self, n: int) -> Self:
        """Skip the first ``n`` rows."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InvalidArgumentError(f"offset takes a non-negative integer, not {n!r}")
        return self._copy(offset=n)

    def _resolve(self, table: IbisTable) -> Any:
        raise NotImplementedError

    def _base(self) -> IbisTable:
        """The filtered table with every column the query reads, before ordering and limits."""
        raise NotImplementedError

    def _ordered(self, table: IbisTable) -> IbisTable:
        resolve = self._resolve(table)
        keys: list[Value] = [item.to_ibis(resolve) for item in self._order]
        table = table.order_by([*keys, table.id])
        if self._limit is not None or self._offset:
            table = table.limit(self._limit, offset=self._offset)
        return table

    @property
    def expr(self) -> IbisTable:
        """The lazy Ibis table of this query (``ibis.to_sql(q.expr)`` shows its SQL)."""
        return self._ordered(self._base())

    @property
    def table(self) -> IbisTable:
        """Same as :attr:`expr`."""
        return self.expr

    # -- running ----------------------------------------------------------------------------
    def _records(self, expr: IbisTable) -> list[Record]:
        raise NotImplementedError

    def all(self) -> list[Record]:
        """Every row as a record, in one statement."""
        return self._records(self.expr)

    def first(self) -> Record | None:
        """The first row, or None (one statement)."""
        rows = self._copy(limit=1).all()
        return rows[0] if rows else None

    def one(self) -> Record:
        """The only row; raises if there are none or several (as SQLAlchemy)."""
        rows = self._copy(limit=2).all()
        if len(rows) != 1:
            raise InvalidArgumentError(f"one() expected exactly one row, found {len(rows)}")
        return rows[0]

    def one_or_none(self) -> Record | None:
        rows = self._copy(limit=2).all()
        if len(rows) > 1:
            raise InvalidArgumentError("one_or_none() found several rows")
        return rows[0] if rows else None

    def count(self) -> int:
        """The number of rows (one statement); a pair query counts each pair once."""
        counted = run(self.expr.aggregate(n=_.count()), f"count of {self._entity} rows")
        return int(counted.column("n")[0].as_py())

    def __iter__(self) -> Iterator[Record]:
        return iter(self.all())

    def __len__(self) -> NoReturn:
        raise QueryLengthError(
            "a query has no len() (neither has a SQLAlchemy Query in aisynphys); use q.count() "
            "for the number of rows or len(q.all()) for the rows themselves"
        )

    def __getitem__(self, item: int | slice) -> Any:
        if isinstance(item, bool) or not isinstance(item, (int, slice)):
            raise InvalidArgumentError(f"queries are indexed by int or slice, not {item!r}")
        if isinstance(item, int):
            if item < 0:
                rows = self.all()
                return rows[item]
            rows = self._copy(limit=1, offset=self._offset + item).all()
            if not rows:
                raise IndexError(f"query index {item} out of range")
            return rows[0]
        if item.step not in (None, 1) or (item.start or 0) < 0 or (item.stop or 0) < 0:
            return self.all()[item]
        start = item.start or 0
        stop = item.stop
        limit = None if stop is None else max(stop - start, 0)
        return self._copy(limit=limit, offset=self._offset + start).all()

    def _frame_columns(self, table: IbisTable) -> list[FrameColumn]:
        raise NotImplementedError

    def dataframe(self, expand_tables: bool = True, rename_columns: bool = True) -> pd.DataFrame:
        """The rows as a pandas frame, named as aisynphys names them (one statement).

        Parameters
        ----------
        expand_tables
            Only True is supported (one column per table column, as aisynphys' default).
        rename_columns
            True: ``<entity>.<column>`` names, typed as aisynphys types them; False: the SQL
            statement's bare column names (aisynphys' ``pandas.read_sql`` path).

        Raises
        ------
        UnsupportedIdiomError
            For ``expand_tables=False`` (object columns holding whole ORM rows).
        """
        if expand_tables is not True:
            raise UnsupportedIdiomError.for_idiom(
                f"dataframe(expand_tables={expand_tables!r})",
                compat="dataframe() (every column) or q.all() for records",
                native="q.expr.to_pandas()",
                why="columns holding whole ORM objects",
            )
        expr = self.expr
        columns = self._frame_columns(expr)
        selected = expr.select(*dict.fromkeys(c.source for c in columns))
        result = run(selected, f"dataframe of {self._entity} rows")
        return build_frame(result, columns, rename_columns=rename_columns)

    def recarray(self, expand_tables: bool = True) -> np.recarray:
        """The dataframe as a NumPy record array (floats as float, everything else object)."""
        frame = self.dataframe(expand_tables=expand_tables)
        dtypes = [
            (str(name), float if frame[name].dtype.kind == "f" else object)
            for name in frame.columns
        ]
        rows = [tuple(row) for row in frame.astype(object).itertuples(index=False)]
        return np.rec.array(rows, dtype=dtypes)

    @property
    def statement(self) -> NoReturn:
        raise UnsupportedIdiomError.for_idiom(
            "q.statement (pandas.read_sql(q.statement, ...))",
            compat="q.dataframe(rename_columns=False)",
            native="q.expr.to_pandas(); ibis.to_sql(q.expr) shows the SQL",
        )

    def __getattr__(self, name: str) -> Any:
        if name in _UNSUPPORTED:
            raise UnsupportedIdiomError.for_idiom(f"q.{name}(...)", native=_UNSUPPORTED[name])
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}; queries offer all, first, "
            "one, one_or_none, count, filter, add_columns, order_by, limit, offset, dataframe, "
            "recarray, expr"
        )


class TableQuery(BaseQuery):
    """``db.query(db.Experiment)``: the rows of one table as records."""

    def __init__(self, catalog: Catalog, handle: TableHandle) -> None:
        super().__init__(catalog)
        self._entity = handle.__tablename__
        self._handle = handle

    def _check_ref(self, ref: ColumnRef, where: str) -> None:
        if ref.table != self._entity or ref.alias is not None:
            raise UnsupportedIdiomError.for_idiom(
                f"{ref.sql_text()} in {where} of db.query({self._handle!r})",
                compat=f"columns of {self._handle!r} only",
                native="Ibis joins of db.table(...) tables",
                why="db.query() reads one table",
            )

    def _resolve(self, table: IbisTable) -> Any:
        return lambda ref: table[ref.column]

    def _base(self) -> IbisTable:
        table = self._catalog.table(self._entity)
        resolve = self._resolve(table)
        if self._filters:
            table = table.filter(*[f.to_ibis(resolve) for f in self._filters])
        if self._added:
            raise UnsupportedIdiomError.for_idiom(
                "add_columns() on db.query(...)",
                compat="db.query(Table).dataframe() has every column",
                native="db.table(...).select(...)",
            )
        return table

    def _records(self, expr: IbisTable) -> list[Record]:
        loader = Loader(self._catalog)
        result = run(expr, f"{self._entity} rows")
        records = [
            loader.record(self._entity, row) for row in loader.decoded_rows(result, self._entity)
        ]
        Batch(self._entity, records, expr)
        return records

    def _frame_columns(self, table: IbisTable) -> list[FrameColumn]:
        spec = self._catalog.rules.schema.table(self._entity)
        return [
            FrameColumn(c.name, f"{self._entity}.{c.name}", c.name, c.type)
            for c in spec.columns
            if (self._entity, c.name) not in DEFERRED_COLUMNS
        ]
