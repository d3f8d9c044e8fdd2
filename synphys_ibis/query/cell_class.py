"""Cell classes: named criteria over a cell and its morphology, intrinsic properties, cortical
location and patch-seq results.

A :class:`CellClass` is a value object (no connection): it validates its criteria against the
published schema and turns them into an Ibis boolean expression over a per-cell table whose
columns are the bare column names of ``cell``, ``morphology``, ``intrinsic``,
``cortical_cell_location`` and ``patch_seq`` (where two tables share a name, the first of that list
wins: ``position`` is the cell's position, ``cell_id`` is ``morphology.cell_id``).

A criterion ``key=value`` means ``key = value``; a tuple or list means ``key IN (...)`` (a ``None``
inside a list matches nothing, as in SQL); a scalar ``None`` means ``key IS NULL``, which for a
column of a related table also matches cells that have no row there. Positional arguments are Ibis
deferred predicates (``_.fractional_layer_depth < 0.5``) or callables taking the per-cell table.
When a cell has several rows in a related table, the cell belongs to the class if one joined row
satisfies every criterion on that table together.

Examples
--------
>>> from ibis import _
>>> from synphys_ibis import CellClass
>>> sst = CellClass(cre_type="sst", cortical_layer="2/3", name="l23sst")
>>> sst.name, sst.is_excitatory, sst.output_synapse_type
('l23sst', False, 'in')
>>> CellClass(cre_type=("nr5a1", "rorb"), cortical_layer="4").name
"L4 ('nr5a1', 'rorb')"
>>> deep = CellClass(_.fractional_layer_depth > 0.5, dendrite_type="spiny", name="deep spiny")
>>> from synphys_ibis.schema.rules import version_rules
>>> sorted(deep.tables(version_rules("22")))
['cell', 'cortical_cell_location', 'morphology']
>>> sst == "l23sst"
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, TypeAlias

import ibis
import ibis.expr.operations as ops
from ibis.common.deferred import Deferred
from ibis.expr.types import BooleanValue, Value
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import (
    ColumnNotFoundError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    format_value,
)
from synphys_ibis.query.checks import (
    INT64_MAX,
    INT64_MIN,
    check_literals,
    check_text,
    is_nan,
    resolve_user_expression,
)
from synphys_ibis.schema import Column, available_schema_versions
from synphys_ibis.schema.constants import EXCITATORY_CRE_TYPES, INHIBITORY_CRE_TYPES
from synphys_ibis.schema.normalize import LOGICAL_DTYPES
from synphys_ibis.schema.rules import CELL_SIDE_TABLES, VersionRules, version_rules

__all__ = [
    "CELL_SIDE_TABLES",
    "DISPLAY_NAMES",
    "CellClass",
    "any_version_cell_columns",
    "cell_columns",
    "classify",
    "human_layer_classes",
    "mouse_ei_classes",
    "mouse_layer_classes",
    "tutorial_classes",
]

Predicate: TypeAlias = Deferred | Callable[[IbisTable], BooleanValue]


def cell_columns(rules: VersionRules) -> Mapping[str, tuple[str, Column]]:
    """Map every legal criterion name to ``(table, column)``, first table of the lookup order wins.

    Names are those queries use (renamed columns under their newest name); see
    :attr:`synphys_ibis.schema.rules.VersionRules.cell_columns`.
    """
    return rules.cell_columns


@cache
def any_version_cell_columns() -> dict[str, tuple[str, Column]]:
    """Criterion names of every published schema version (the newest version's column wins)."""
    columns: dict[str, tuple[str, Column]] = {}
    for version in reversed(available_schema_versions()):
        for name, owner in version_rules(version).cell_columns.items():
            columns.setdefault(name, owner)
    return columns


@cache
def _cell_namespace(version: str | None) -> IbisTable:
    """An unbound table with every cell-side column, to resolve and inspect deferred predicates."""
    known = any_version_cell_columns() if version is None else version_rules(version).cell_columns
    fields = {name: LOGICAL_DTYPES[col.type] for name, (_, col) in known.items()}
    return ibis.table(fields, name="cell_side")


class CellClass:
    """A class of cells defined by criteria on cell-level columns.

    Parameters
    ----------
    *exprs
        Ibis deferred predicates (``_.fractional_layer_depth < 0.5``) or callables that take the
        per-cell table and return a boolean expression.
    name
        Display name and identity of the class. Defaults to a name built from the layer,
        dendrite type, pyramidal flag, cre type and t-type criteria (see :attr:`as_tuple`).
    **criteria
        ``column=value`` (equality, or ``IS NULL`` for None) or ``column=(v1, v2)`` (``IN``).
        Keys are column names of cell, morphology, intrinsic, cortical_cell_location and
        patch_seq.

    Raises
    ------
    ColumnNotFoundError
        For a criterion or predicate naming a column that none of those tables has in any
        schema version (and, when used, in the database's version).
    InvalidArgumentError
        For a ``name`` that is not a string, or a positional argument that is not a predicate.

    Notes
    -----
    A class is checked against every published schema version when it is made, and against the
    version of a database when it is used there (see :mod:`synphys_ibis.schema.versions`).
    """

    __slots__ = ("_columns", "_name", "criteria", "exprs")

    def __init__(self, *exprs: Predicate, name: str | None = None, **criteria: Any) -> None:
        if name is not None and not isinstance(name, str):
            raise InvalidArgumentError(f"name must be a string or None, not {format_value(name)}")
        if name is not None:
            check_text("name", name)
        known = any_version_cell_columns()
        for key in criteria:
            if key not in known:
                raise ColumnNotFoundError.for_name(
                    key, known, where="cell class criteria", hint=_TABLES_HINT
                )
        for key, value in criteria.items():
            _criterion_values(known[key][1], value)  # fail now on a value of the wrong type
        expr_columns: set[str] = set()
        for expr in exprs:
            expr_columns |= _predicate_columns(expr, None)
        self.criteria: dict[str, Any] = dict(criteria)
        self.exprs: tuple[Predicate, ...] = tuple(exprs)
        self._name = name
        self._columns = frozenset(criteria) | frozenset(expr_columns)

    # -- identity --------------------------------------------------------------------------
    @property
    def as_tuple(self) -> tuple[str, ...]:
        """Name parts: layer, dendrite type, pyr/nonpyr, cre type, t-type (those given).

        Raises
        ------
        InvalidArgumentTypeError
            If ``target_layer`` is a list of layers (pass ``name=``).

        Examples
        --------
        >>> CellClass(cre_type="sst", cortical_layer="2/3").as_tuple
        ('L2/3', 'sst')
        """
        parts = []
        if "target_layer" in self.criteria:
            layer = self.criteria["target_layer"]
            if isinstance(layer, (tuple, list)):
                raise InvalidArgumentTypeError(
                    f"cannot name a class with several target layers {format_value(layer)}; pass name="
                )
            parts.append(f"L{layer}")
        elif "cortical_layer" in self.criteria:
            parts.append(f"L{self.criteria['cortical_layer']}")
        if "dendrite_type" in self.criteria:
            parts.append(str(self.criteria["dendrite_type"]))
        if "pyramidal" in self.criteria:
            parts.append("pyr" if self.criteria["pyramidal"] else "nonpyr")
        if "cre_type" in self.criteria:
            parts.append(str(self.criteria["cre_type"]))
        if "t_type" in self.criteria:
            parts.append(str(self.criteria["t_type"]))
        return tuple(parts)

    @property
    def name(self) -> str:
        """Display name and identity of the class: ``name=`` if given, else :attr:`as_tuple` joined.

        Examples
        --------
        >>> CellClass(cre_type="sst", cortical_layer="2/3").name, CellClass(name="deep").name
        ('L2/3 sst', 'deep')
        """
        return self._name if self._name is not None else " ".join(self.as_tuple)

    @property
    def display_name(self) -> str:
        """The label figures show: a standard class's published label (:data:`DISPLAY_NAMES`),
        else :attr:`name`.

        Examples
        --------
        >>> mouse_layer_classes()["l23pyr"].display_name, CellClass(name="deep").display_name
        ('L2/3 Pyr', 'deep')
        """
        return DISPLAY_NAMES.get(self.name, self.name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.name == other
        if isinstance(other, CellClass):
            return self.name == other.name
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        args = [repr(e) for e in self.exprs]
        args += [f"{k}={v!r}" for k, v in self.criteria.items()]
        if self._name is not None:
            args.append(f"name={self._name!r}")
        return f"CellClass({', '.join(args)})"

    # -- excitatory / inhibitory -----------------------------------------------------------
    @property
    def is_excitatory(self) -> bool | None:
        """True/False when every criterion that implies a sign agrees; None when unknown.

        Votes come from ``cre_type`` (all excitatory or all inhibitory lines), ``dendrite_type``
        (spiny: excitatory; aspiny or sparsely spiny: inhibitory) and ``cell_class`` /
        ``cell_class_nonsynaptic`` ('ex'/'in'; 'mixed' makes the class unknown).

        Raises
        ------
        InvalidArgumentError
            If ``cell_class`` or ``cell_class_nonsynaptic`` is not 'ex', 'in' or 'mixed'.

        Examples
        --------
        >>> CellClass(cre_type="sst").is_excitatory, CellClass(dendrite_type="spiny").is_excitatory
        (False, True)
        >>> print(CellClass(cortical_layer="4").is_excitatory)
        None
        """
        votes: list[bool] = []
        cre = self.criteria.get("cre_type")
        if cre is not None:
            cres = list(cre) if isinstance(cre, (tuple, list)) else [cre]
            if all(c in EXCITATORY_CRE_TYPES for c in cres):
                votes.append(True)
            elif all(c in INHIBITORY_CRE_TYPES for c in cres):
                votes.append(False)
        dendrite = self.criteria.get("dendrite_type")
        if dendrite is not None:
            if dendrite == "spiny":
                votes.append(True)
            elif dendrite in ("aspiny", "sparsely spiny"):
                votes.append(False)
            else:
                return None
        for key in ("cell_class", "cell_class_nonsynaptic"):
            value = self.criteria.get(key)
            if value is None:
                continue
            if value == "mixed":
                return None
            if value not in ("ex", "in"):
                raise InvalidArgumentError.for_value(key, value, ["ex", "in", "mixed"])
            votes.append(value == "ex")
        if votes and all(v == votes[0] for v in votes):
            return votes[0]
        return None

    @property
    def output_synapse_type(self) -> str | None:
        """``'ex'``, ``'in'`` or None, from :attr:`is_excitatory`.

        Examples
        --------
        >>> CellClass(cre_type="sst").output_synapse_type, CellClass(cre_type="tlx3").output_synapse_type
        ('in', 'ex')
        """
        return {True: "ex", False: "in", None: None}[self.is_excitatory]

    # -- query building --------------------------------------------------------------------
    def cache_key(self, rules: VersionRules) -> tuple[Any, ...]:
        """A hashable value equal for classes that select the same cells by the same SQL.

        Parameters
        ----------
        rules
            The rules of the schema version the class is used in.

        Returns
        -------
        tuple
            The criteria and the resolved predicates, hashable.

        Raises
        ------
        ColumnNotFoundError
            If that version cannot answer this class (see :meth:`check`).

        Examples
        --------
        >>> from synphys_ibis.schema.rules import version_rules
        >>> rules = version_rules("22")
        >>> a = CellClass(cre_type="sst", name="a")
        >>> b = CellClass(cre_type="sst", name="b")
        >>> a.cache_key(rules) == b.cache_key(rules), hash(a.cache_key(rules)) == hash(b.cache_key(rules))
        (True, True)
        """
        self.check(rules)
        criteria = tuple(sorted((k, _hashable(v)) for k, v in self.criteria.items()))
        namespace = _cell_namespace(rules.version)
        exprs = tuple(_resolve_predicate(e, namespace).op() for e in self.exprs)
        return (criteria, exprs)

    def columns(self) -> frozenset[str]:
        """Cell-side column names this class reads.

        Returns
        -------
        frozenset of str
            The criteria's keys and the columns the predicates name.

        Examples
        --------
        >>> from ibis import _
        >>> sorted(CellClass(_.fractional_layer_depth > 0.5, cre_type="sst").columns())
        ['cre_type', 'fractional_layer_depth']
        """
        return self._columns

    def check(self, rules: VersionRules) -> None:
        """Raise if the schema version of ``rules`` cannot answer this class.

        Parameters
        ----------
        rules
            The rules of the schema version to check against.

        Raises
        ------
        ColumnNotFoundError
            Naming the first column the version lacks, the versions that have it, and what the
            version records instead where there is something.

        Examples
        --------
        >>> from synphys_ibis.schema.rules import version_rules
        >>> rules = version_rules("22")
        >>> CellClass(cre_type="sst").check(rules)
        >>> CellClass(t_type="Sst Chodl").check(version_rules("15"))
        Traceback (most recent call last):
        ...
        synphys_ibis.errors.ColumnNotFoundError: ...
        """
        known = rules.cell_columns
        missing = sorted(c for c in self._columns if c not in known)
        if missing:
            hint = rules.missing_hint(missing[0], "cell")
            raise ColumnNotFoundError.for_name(
                missing[0],
                known,
                where=f"the cell-side tables of schema version {rules.version}",
                hint=hint,
            )

    def tables(self, rules: VersionRules) -> frozenset[str]:
        """Tables this class reads in the schema version of ``rules`` (always including ``cell``).

        Parameters
        ----------
        rules
            The rules of the schema version the class is used in.

        Returns
        -------
        frozenset of str
            The table names.

        Raises
        ------
        ColumnNotFoundError
            If that version cannot answer this class (see :meth:`check`).

        Examples
        --------
        >>> from synphys_ibis.schema.rules import version_rules
        >>> rules = version_rules("22")
        >>> sorted(CellClass(cre_type="sst", dendrite_type="aspiny").tables(rules))
        ['cell', 'morphology']
        """
        self.check(rules)
        known = rules.cell_columns
        return frozenset({"cell"} | {known[c][0] for c in self._columns})

    def predicate(self, cells: IbisTable, rules: VersionRules) -> BooleanValue:
        """The boolean expression selecting this class's rows of a per-cell table.

        Parameters
        ----------
        cells
            A per-cell Ibis table with the bare column names of the cell-side tables.
        rules
            The rules of the schema version the table is read in.

        Returns
        -------
        ibis.expr.types.BooleanValue
            The conjunction of every criterion and predicate (``True`` for a class without any).

        Raises
        ------
        ColumnNotFoundError
            If that version cannot answer this class (see :meth:`check`).

        Examples
        --------
        >>> from synphys_ibis.schema.rules import version_rules
        >>> rules = version_rules("22")
        >>> import ibis
        >>> cells = ibis.memtable({"cre_type": ["sst", "vip", "sst"], "cortical_layer": ["2/3", "2/3", "5"]})
        >>> sst = CellClass(cre_type="sst", cortical_layer="2/3")
        >>> cells.filter(sst.predicate(cells, rules)).count().execute()
        1
        """
        self.check(rules)
        known = rules.cell_columns
        conditions: list[BooleanValue] = []
        for key, value in self.criteria.items():
            conditions.append(_criterion(cells[key], known[key][1], value))
        for expr in self.exprs:
            conditions.append(_resolve_predicate(expr, cells))
        if not conditions:
            return ibis.literal(True)
        result = conditions[0]
        for condition in conditions[1:]:
            result = result & condition
        return result


_TABLES_HINT = (
    "Criteria are columns of cell, morphology, intrinsic, cortical_cell_location or patch_seq."
)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_hashable(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_hashable(v) for v in value), key=repr)))
    return (type(value).__name__, value)


def _predicate_columns(expr: Any, version: str | None) -> set[str]:
    namespace = _cell_namespace(version)
    resolved = _resolve_predicate(expr, namespace)
    return {field.name for field in resolved.op().find(ops.Field)}


def _resolve_predicate(expr: Any, cells: IbisTable) -> BooleanValue:
    if isinstance(expr, Deferred):
        resolver: Callable[[IbisTable], Any] = expr.resolve
    elif callable(expr) and not isinstance(expr, Value):
        resolver = expr
    else:
        raise InvalidArgumentError(
            f"cell class predicates must be Ibis deferred expressions such as "
            f"`_.fractional_layer_depth < 0.5` or callables taking the per-cell table; got "
            f"{format_value(expr)} of type {type(expr).__name__}. Pass column criteria as keywords."
        )
    resolved = resolve_user_expression(
        lambda: resolver(cells),
        what=f"cell class predicate {format_value(expr)}",
        missing=lambda bad, _err: ColumnNotFoundError.for_name(
            bad, cells.columns, where="cell class predicate", hint=_TABLES_HINT
        ),
    )
    if not isinstance(resolved, BooleanValue):
        raise InvalidArgumentError(
            f"cell class predicate {format_value(expr)} is not a boolean condition "
            f"(it gives {type(resolved).__name__})"
        )
    check_literals("cell class predicate", resolved)
    return resolved


def _criterion_values(spec: Column, value: Any) -> Any:
    """The criterion's value(s) coerced to the column type: None, a list, or a scalar."""
    if value is None:
        return None
    if isinstance(value, (tuple, list, set, frozenset)):
        # NULL inside IN (...) never matches, so None entries select nothing
        return [_coerce(spec, v) for v in value if v is not None]
    return _coerce(spec, value)


def _criterion(column: Value, spec: Column, value: Any) -> BooleanValue:
    values = _criterion_values(spec, value)
    if values is None:
        return column.isnull()
    if isinstance(values, list):
        return column.isin(values) if values else ibis.literal(False)
    return column == values


def _coerce(spec: Column, value: Any) -> Any:
    """Bring a criterion value to the column's type, the way SQLite's column affinity would.

    Values no engine compares the same way are refused: text with a NUL character, NaN, integers
    outside 64 bits for an integer column (or a fraction: no integer equals it), numbers past the
    float range.
    """
    kind = spec.type
    problem = ""
    if kind in ("str", "object", "datetime") and isinstance(value, str):
        return check_text(f"criterion {spec.name}", value)
    if kind in ("str", "object"):
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, (int, float)):
            try:
                return str(value)
            except ValueError:  # an int past sys.get_int_max_str_digits()
                problem = " (too many digits)"
    elif kind == "bool":
        if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy.bool_
            return bool(value)
        if not isinstance(value, str) and _number(value, integer=True) in (0, 1):
            return bool(value)
    elif kind in ("int", "bigint", "float"):
        number = _number(value, integer=kind != "float")
        if number is not None:
            return number
        if is_nan(_parse(value, integer=False) if isinstance(value, str) else value):
            problem = " (NaN equals nothing in SQL; use None for NULL)"
    raise InvalidArgumentError(
        f"criterion {spec.name}={format_value(value)} does not fit the column's type ({kind}); "
        f"give a {_KIND_NAMES.get(kind, kind)} value{problem}"
    )


def _parse(text: str, *, integer: bool) -> int | float | None:
    try:
        return int(text) if integer else float(text)
    except (ValueError, OverflowError):
        if not integer:
            return None
        return _parse(text, integer=False)


def _number(value: Any, *, integer: bool) -> int | float | None:
    """``value`` as a Python int or float that every engine compares like Python, or None.

    Integer columns take integers of 64 bits and integral floats; float columns take floats
    (infinities too) and integers, those past 64 bits as floats. NaN fits neither.
    """
    if isinstance(value, str):
        value = _parse(value, integer=integer)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        if isinstance(value, numbers.Integral):
            number = int(value)
            if INT64_MIN <= number <= INT64_MAX:
                return number
            return None if integer else float(number)
        real = float(value)
    except OverflowError:
        return None
    if math.isnan(real) or (integer and not (math.isfinite(real) and real.is_integer())):
        return None
    return real


_KIND_NAMES = {
    "str": "text",
    "object": "JSON text",
    "bool": "True/False",
    "int": "integer",
    "bigint": "integer",
    "float": "number",
    "datetime": "date/time text",
}


def classify(
    classes: Mapping[str, CellClass] | Iterable[CellClass], *, argument: str = "classes"
) -> dict[str, CellClass]:
    """Normalise a mapping or sequence of classes to an ordered ``{name: CellClass}`` dict.

    ``argument`` names the argument in errors.
    """
    if isinstance(classes, Mapping):
        items = list(classes.items())
    elif isinstance(classes, Iterable) and not isinstance(classes, (str, bytes)):
        items = [(c.name if isinstance(c, CellClass) else c, c) for c in classes]
    else:
        raise InvalidArgumentError(
            f"{argument} must be a {{name: CellClass}} dict or a list of CellClass, not "
            f"{format_value(classes)} of type {type(classes).__name__}"
        )
    result: dict[str, CellClass] = {}
    for key, cls in items:
        if not isinstance(cls, CellClass):
            raise InvalidArgumentError(
                f"{argument}: class {format_value(key)} is {format_value(cls)} of type "
                f"{type(cls).__name__}; expected a CellClass"
            )
        if not isinstance(key, str):
            key = key.name if isinstance(key, CellClass) else str(key)
        result[check_text(f"{argument} key", key)] = cls
    return result


# -- standard class sets ---------------------------------------------------------------------
#: Labels of the standard classes' names as the Allen Institute's published figures print them
#: (``CellClass.display_name``; the plots label classes with them).
DISPLAY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "ex": "Excit.",
        "in": "Inhib.",
        **{
            f"l{key}{short}": f"L{layer} {label}"
            for key, layer in (("23", "2/3"), ("4", "4"), ("5", "5"), ("6", "6"))
            for short, label in (("pyr", "Pyr"), ("pv", "Pvalb"), ("sst", "Sst"), ("vip", "Vip"))
        },
        "l5et": "L5 ET",
        "l5it": "L5 IT",
        **{f"l{layer}pyr": f"L{layer} Pyr" for layer in ("2", "3", "4", "5")},
    }
)


def mouse_ei_classes() -> dict[str, CellClass]:
    """Excitatory and inhibitory cells by their non-synaptic class (connectivity models).

    Returns
    -------
    dict of str to CellClass
        ``'ex'`` and ``'in'``.

    Examples
    --------
    >>> {name: c.criteria for name, c in mouse_ei_classes().items()}
    {'ex': {'cell_class_nonsynaptic': 'ex'}, 'in': {'cell_class_nonsynaptic': 'in'}}
    """
    return {
        "ex": CellClass(cell_class_nonsynaptic="ex", name="ex"),
        "in": CellClass(cell_class_nonsynaptic="in", name="in"),
    }


def tutorial_classes(*, layer: str | None = None) -> dict[str, CellClass]:
    """The tutorial's four classes: excitatory cells and the Pvalb, Sst and Vip lines.

    Parameters
    ----------
    layer
        A cortical layer (e.g. ``"2/3"``) that restricts every class (None: every layer).

    Returns
    -------
    dict of str to CellClass
        ``'Excit.'``, ``'Pvalb'``, ``'Sst'`` and ``'Vip'``.

    Examples
    --------
    >>> classes = tutorial_classes(layer="2/3")
    >>> list(classes), classes["Sst"].criteria
    (['Excit.', 'Pvalb', 'Sst', 'Vip'], {'cre_type': 'sst', 'cortical_layer': '2/3'})
    """
    extra = {} if layer is None else {"cortical_layer": layer}
    return {
        "Excit.": CellClass(cell_class="ex", name="Excit.", **extra),
        "Pvalb": CellClass(cre_type="pvalb", name="Pvalb", **extra),
        "Sst": CellClass(cre_type="sst", name="Sst", **extra),
        "Vip": CellClass(cre_type="vip", name="Vip", **extra),
    }


def mouse_layer_classes() -> dict[str, CellClass]:
    """The 17 classes of the mouse layer-by-cre-line connectivity matrix.

    Returns
    -------
    dict of str to CellClass
        Key to class, in the matrix's order (``'l23pyr'``, ``'l23pv'``, ... ``'l6vip'``).

    Examples
    --------
    >>> classes = mouse_layer_classes()
    >>> len(classes), list(classes)[:4], classes["l5et"].display_name
    (17, ['l23pyr', 'l23pv', 'l23sst', 'l23vip'], 'L5 ET')
    """
    classes: dict[str, CellClass] = {}

    def add(name: str, **criteria: Any) -> None:
        classes[name] = CellClass(name=name, **criteria)

    add("l23pyr", dendrite_type="spiny", cortical_layer="2/3")
    for cre, short in (("pvalb", "pv"), ("sst", "sst"), ("vip", "vip")):
        add(f"l23{short}", cre_type=cre, cortical_layer="2/3")
    add("l4pyr", cre_type=("nr5a1", "rorb"), cortical_layer="4")
    for cre, short in (("pvalb", "pv"), ("sst", "sst"), ("vip", "vip")):
        add(f"l4{short}", cre_type=cre, cortical_layer="4")
    add("l5et", cre_type=("sim1", "fam84b"), cortical_layer="5")
    add("l5it", cre_type="tlx3", cortical_layer="5")
    for cre, short in (("pvalb", "pv"), ("sst", "sst"), ("vip", "vip")):
        add(f"l5{short}", cre_type=cre, cortical_layer="5")
    add("l6pyr", cre_type="ntsr1", cortical_layer=("6a", "6b"))
    for cre, short in (("pvalb", "pv"), ("sst", "sst"), ("vip", "vip")):
        add(f"l6{short}", cre_type=cre, cortical_layer=("6a", "6b"))
    return classes


def human_layer_classes() -> dict[str, CellClass]:
    """Spiny (pyramidal) human cells of layers 2, 3, 4 and 5.

    Returns
    -------
    dict of str to CellClass
        ``'l2pyr'``, ``'l3pyr'``, ``'l4pyr'`` and ``'l5pyr'``.

    Examples
    --------
    >>> classes = human_layer_classes()
    >>> list(classes), classes["l3pyr"].criteria
    (['l2pyr', 'l3pyr', 'l4pyr', 'l5pyr'], {'dendrite_type': 'spiny', 'cortical_layer': '3'})
    """
    return {
        f"l{layer}pyr": CellClass(dendrite_type="spiny", cortical_layer=layer, name=f"l{layer}pyr")
        for layer in ("2", "3", "4", "5")
    }
