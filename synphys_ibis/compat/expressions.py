"""SQLAlchemy-style column expressions (``db.Synapse.psp_amplitude > 1e-4``) as Ibis builders.

Attributes of the compat table handles (``db.Pair.distance``, ``q.pre_cell.cre_type``) are
:class:`ColumnRef` objects. Python operators on them build expression trees (comparisons, ``&``,
``|``, ``~``, arithmetic, ``in_``, ``is_``, ``like``, ``between``, ``.label('name')``,
``.desc()``) that are turned into Ibis expressions only when a query is built: each column is
resolved by a function the query supplies (a pair query maps ``db.Synapse.psp_amplitude`` to
its ``synapse_psp_amplitude`` column). Nothing here touches a database.

An expression is also a callable taking an Ibis table, resolving each column by its pair-query
name where the table has one and by its bare name otherwise. That is what lets the same
expression be passed to :class:`~synphys_ibis.CellClass` (``CellClass(db.Morphology.dendrite_type
== 'spiny')``; as in aisynphys only the column *name* counts there) and to the native
``pair_query(filter_exprs=[...])``.

Examples
--------
>>> import ibis
>>> distance = ColumnRef("pair", "distance", public="distance", kind="float")
>>> expr = (distance < 100e-6) & distance.isnot(None)
>>> expr.sql_text()
'pair.distance < 0.0001 AND pair.distance IS NOT NULL'
>>> t = ibis.table({"distance": "float64"}, name="pairs")
>>> print(expr(t).get_name())
And(Less(distance, 0.0001), NotNull(distance))
>>> (distance * 1e6).label("distance_um").name
'distance_um'
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, TypeAlias

import ibis
from ibis.expr.types import Table as IbisTable
from ibis.expr.types import Value

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError

__all__ = [
    "ColumnElement",
    "ColumnRef",
    "Label",
    "Ordering",
    "and_",
    "as_element",
    "not_",
    "or_",
]

Resolver: TypeAlias = Callable[["ColumnRef"], Value]

_BINARY: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "eq": ("=", operator.eq),
    "ne": ("!=", operator.ne),
    "lt": ("<", operator.lt),
    "le": ("<=", operator.le),
    "gt": (">", operator.gt),
    "ge": (">=", operator.ge),
    "add": ("+", operator.add),
    "sub": ("-", operator.sub),
    "mul": ("*", operator.mul),
    "truediv": ("/", operator.truediv),
    "and": ("AND", operator.and_),
    "or": ("OR", operator.or_),
}


class ColumnElement:
    """Base of every compat column expression (the counterpart of SQLAlchemy's ``ColumnElement``)."""

    __slots__ = ()

    # -- what subclasses implement ---------------------------------------------------------
    def to_ibis(self, resolve: Resolver) -> Value:
        """The Ibis expression, with each :class:`ColumnRef` resolved by ``resolve``."""
        raise NotImplementedError

    def sql_text(self) -> str:
        """The expression as SQL-like text (the name aisynphys' dataframes give it)."""
        raise NotImplementedError

    def refs(self) -> Iterator[ColumnRef]:
        """Every column this expression reads."""
        return iter(())

    @property
    def name(self) -> str:
        """The result column name: a label, a column's name, else the SQL text."""
        return self.sql_text()

    # -- calling on a table: resolve columns by name ----------------------------------------
    def __call__(self, table: IbisTable) -> Value:
        def by_name(ref: ColumnRef) -> Value:
            if ref.public is not None and ref.public in table.columns:
                return table[ref.public]
            if ref.column in table.columns:
                return table[ref.column]
            raise ColumnNotFoundError.for_name(
                ref.public or ref.column,
                table.columns,
                where=f"the table {ref.sql_text()} is used on",
            )

        return self.to_ibis(by_name)

    # -- SQLAlchemy's operators -------------------------------------------------------------
    def _binary(self, op: str, other: Any, *, reflected: bool = False) -> BinaryExpression:
        other_element = as_element(other)
        if reflected:
            return BinaryExpression(op, other_element, self)
        return BinaryExpression(op, self, other_element)

    def __eq__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        if other is None:
            return UnaryExpression("isnull", self)
        return self._binary("eq", other)

    def __ne__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        if other is None:
            return UnaryExpression("notnull", self)
        return self._binary("ne", other)

    def __lt__(self, other: Any) -> BinaryExpression:
        return self._binary("lt", other)

    def __le__(self, other: Any) -> BinaryExpression:
        return self._binary("le", other)

    def __gt__(self, other: Any) -> BinaryExpression:
        return self._binary("gt", other)

    def __ge__(self, other: Any) -> BinaryExpression:
        return self._binary("ge", other)

    def __add__(self, other: Any) -> BinaryExpression:
        return self._binary("add", other)

    def __radd__(self, other: Any) -> BinaryExpression:
        return self._binary("add", other, reflected=True)

    def __sub__(self, other: Any) -> BinaryExpression:
        return self._binary("sub", other)

    def __rsub__(self, other: Any) -> BinaryExpression:
        return self._binary("sub", other, reflected=True)

    def __mul__(self, other: Any) -> BinaryExpression:
        return self._binary("mul", other)

    def __rmul__(self, other: Any) -> BinaryExpression:
        return self._binary("mul", other, reflected=True)

    def __truediv__(self, other: Any) -> BinaryExpression:
        return self._binary("truediv", other)

    def __rtruediv__(self, other: Any) -> BinaryExpression:
        return self._binary("truediv", other, reflected=True)

    def __and__(self, other: Any) -> BinaryExpression:
        return self._binary("and", other)

    def __or__(self, other: Any) -> BinaryExpression:
        return self._binary("or", other)

    def __neg__(self) -> UnaryExpression:
        return UnaryExpression("neg", self)

    def __invert__(self) -> UnaryExpression:
        return UnaryExpression("not", self)

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of {self.sql_text()!r} is not defined: it is a SQL expression. "
            "Combine conditions with & and | (or and_/or_), not Python's and/or/if."
        )

    def in_(self, values: Iterable[Any]) -> InExpression:
        """``column IN (values)`` (None in the values matches nothing, as in SQL)."""
        return InExpression(self, tuple(values), negate=False)

    def notin_(self, values: Iterable[Any]) -> InExpression:
        """``column NOT IN (values)``."""
        return InExpression(self, tuple(values), negate=True)

    not_in = notin_

    def is_(self, other: Any) -> UnaryExpression:
        """``column IS NULL`` (``is_(None)``) or ``IS TRUE/FALSE``."""
        if other is None:
            return UnaryExpression("isnull", self)
        if isinstance(other, bool):
            return UnaryExpression("istrue" if other else "isfalse", self)
        raise InvalidArgumentError(f"is_() takes None, True or False, not {other!r}")

    def isnot(self, other: Any) -> ColumnElement:
        """``column IS NOT NULL`` (``isnot(None)``)."""
        return ~self.is_(other)

    is_not = isnot

    def like(self, pattern: str) -> PatternExpression:
        return PatternExpression(self, pattern, "LIKE")

    def ilike(self, pattern: str) -> PatternExpression:
        return PatternExpression(self, pattern, "ILIKE")

    def contains(self, text: str) -> PatternExpression:
        return PatternExpression(self, f"%{text}%", "LIKE")

    def startswith(self, text: str) -> PatternExpression:
        return PatternExpression(self, f"{text}%", "LIKE")

    def endswith(self, text: str) -> PatternExpression:
        return PatternExpression(self, f"%{text}", "LIKE")

    def between(self, low: Any, high: Any) -> ColumnElement:
        """``low <= column <= high`` (inclusive, as SQL's BETWEEN)."""
        return (self >= low) & (self <= high)

    def label(self, name: str) -> Label:
        """Name the result column, as SQLAlchemy's ``.label('name')``."""
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"label() takes a non-empty string, not {name!r}")
        return Label(self, name)

    def desc(self) -> Ordering:
        return Ordering(self, descending=True)

    def asc(self) -> Ordering:
        return Ordering(self, descending=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.sql_text()}>"


class ColumnRef(ColumnElement):
    """One column of a table handle, e.g. ``db.Synapse.psp_amplitude``.

    ``alias`` is the relation's alias (``pre_cell`` for ``q.pre_cell.cre_type``) or None for the
    table itself; ``public`` is the column's pair-query name (``synapse_psp_amplitude``) when
    a pair query can read it, else None; ``kind`` the logical type.
    """

    __slots__ = ("alias", "column", "kind", "public", "table")

    def __init__(
        self,
        table: str,
        column: str,
        *,
        alias: str | None = None,
        public: str | None = None,
        kind: str = "str",
    ) -> None:
        self.table = table
        self.column = column
        self.alias = alias
        self.public = public
        self.kind = kind

    @property
    def entity(self) -> str:
        """The table or alias name aisynphys prefixes this column with."""
        return self.alias or self.table

    @property
    def name(self) -> str:
        return self.column

    def to_ibis(self, resolve: Resolver) -> Value:
        return resolve(self)

    def sql_text(self) -> str:
        return f"{self.entity}.{self.column}"

    def refs(self) -> Iterator[ColumnRef]:
        yield self


class Literal(ColumnElement):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def to_ibis(self, resolve: Resolver) -> Value:
        return ibis.literal(self.value)

    def sql_text(self) -> str:
        if isinstance(self.value, str):
            return "'" + self.value.replace("'", "''") + "'"
        if self.value is None:
            return "NULL"
        return str(self.value)


class BinaryExpression(ColumnElement):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: ColumnElement, right: ColumnElement) -> None:
        self.op = op
        self.left = left
        self.right = right

    def to_ibis(self, resolve: Resolver) -> Value:
        function = _BINARY[self.op][1]
        return function(self.left.to_ibis(resolve), self.right.to_ibis(resolve))

    def sql_text(self) -> str:
        return f"{self.left.sql_text()} {_BINARY[self.op][0]} {self.right.sql_text()}"

    def refs(self) -> Iterator[ColumnRef]:
        yield from self.left.refs()
        yield from self.right.refs()

    def __bool__(self) -> bool:
        # as SQLAlchemy: `col == col` is truthy when both sides are the same column, so that
        # `ref in [refs]` and dict lookups keyed by columns keep working
        if self.op in ("eq", "ne") and isinstance(self.left, ColumnRef):
            same = self.left is self.right
            return same if self.op == "eq" else not same
        return super().__bool__()


class UnaryExpression(ColumnElement):
    __slots__ = ("element", "op")

    _TEXT: ClassVar[dict[str, str]] = {
        "isnull": "{} IS NULL",
        "notnull": "{} IS NOT NULL",
        "istrue": "{} IS true",
        "isfalse": "{} IS false",
        "neg": "-{}",
        "not": "NOT ({})",
    }

    def __init__(self, op: str, element: ColumnElement) -> None:
        self.op = op
        self.element = element

    def __invert__(self) -> UnaryExpression:
        flipped = {"isnull": "notnull", "notnull": "isnull"}.get(self.op)
        if flipped is not None:
            return UnaryExpression(flipped, self.element)
        return UnaryExpression("not", self)

    def to_ibis(self, resolve: Resolver) -> Value:
        value: Any = self.element.to_ibis(resolve)
        if self.op == "isnull":
            return value.isnull()
        if self.op == "notnull":
            return value.notnull()
        if self.op == "istrue":
            return value.fill_null(False) == True  # noqa: E712
        if self.op == "isfalse":
            return value.fill_null(True) == False  # noqa: E712
        if self.op == "neg":
            return -value
        return ~value

    def sql_text(self) -> str:
        return self._TEXT[self.op].format(self.element.sql_text())

    def refs(self) -> Iterator[ColumnRef]:
        return self.element.refs()


class InExpression(ColumnElement):
    __slots__ = ("element", "negate", "values")

    def __init__(self, element: ColumnElement, values: tuple[Any, ...], *, negate: bool) -> None:
        self.element = element
        self.values = values
        self.negate = negate

    def to_ibis(self, resolve: Resolver) -> Value:
        value: Any = self.element.to_ibis(resolve)
        known = [v for v in self.values if v is not None]  # NULL in IN (...) matches nothing
        if not known:
            return ibis.literal(self.negate)
        return value.notin(known) if self.negate else value.isin(known)

    def sql_text(self) -> str:
        values = ", ".join(Literal(v).sql_text() for v in self.values)
        return f"{self.element.sql_text()} {'NOT IN' if self.negate else 'IN'} ({values})"

    def refs(self) -> Iterator[ColumnRef]:
        return self.element.refs()


class PatternExpression(ColumnElement):
    __slots__ = ("element", "operator", "pattern")

    def __init__(self, element: ColumnElement, pattern: str, operator: str) -> None:
        self.element = element
        self.pattern = pattern
        self.operator = operator

    def to_ibis(self, resolve: Resolver) -> Value:
        value: Any = self.element.to_ibis(resolve)
        return value.ilike(self.pattern) if self.operator == "ILIKE" else value.like(self.pattern)

    def sql_text(self) -> str:
        return f"{self.element.sql_text()} {self.operator} {Literal(self.pattern).sql_text()}"

    def refs(self) -> Iterator[ColumnRef]:
        return self.element.refs()


class Label(ColumnElement):
    """An expression with a result name (``.label('name')``)."""

    __slots__ = ("_name", "element")

    def __init__(self, element: ColumnElement, name: str) -> None:
        self.element = element
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def to_ibis(self, resolve: Resolver) -> Value:
        return self.element.to_ibis(resolve)

    def sql_text(self) -> str:
        return f"{self.element.sql_text()} AS {self._name}"

    def refs(self) -> Iterator[ColumnRef]:
        return self.element.refs()


class Ordering:
    """``column.desc()`` / ``column.asc()`` for ``order_by``."""

    __slots__ = ("descending", "element")

    def __init__(self, element: ColumnElement, *, descending: bool) -> None:
        self.element = element
        self.descending = descending

    def to_ibis(self, resolve: Resolver) -> Value:
        value: Any = self.element.to_ibis(resolve)
        return value.desc() if self.descending else value.asc()

    def __repr__(self) -> str:
        return f"<Ordering {self.element.sql_text()} {'DESC' if self.descending else 'ASC'}>"


def as_element(value: Any) -> ColumnElement:
    """A compat expression, or a literal for a plain Python value.

    Raises
    ------
    InvalidArgumentError
        For a SQLAlchemy or Ibis expression (they cannot be mixed with compat columns).
    """
    if isinstance(value, ColumnElement):
        return value
    module = type(value).__module__
    if module.startswith(("sqlalchemy", "ibis")):
        raise InvalidArgumentError(
            f"{value!r} is a {module.split('.')[0]} expression; compat expressions are built from "
            "the compat table handles (db.Pair.distance, q.pre_cell.cre_type) and Python values"
        )
    return Literal(value)


def _combine(op: str, clauses: tuple[Any, ...]) -> ColumnElement:
    if not clauses:
        raise InvalidArgumentError(f"{op}_() needs at least one condition")
    result = as_element(clauses[0])
    for clause in clauses[1:]:
        result = BinaryExpression(op, result, as_element(clause))
    return result


def and_(*clauses: Any) -> ColumnElement:
    """All conditions (SQLAlchemy's ``and_``)."""
    return _combine("and", clauses)


def or_(*clauses: Any) -> ColumnElement:
    """Any condition (SQLAlchemy's ``or_``)."""
    return _combine("or", clauses)


def not_(clause: Any) -> ColumnElement:
    """The negated condition (SQLAlchemy's ``not_``)."""
    return ~as_element(clause)
