"""aisynphys' ``classify_cells`` / ``classify_pairs`` over compat records.

Class membership is decided in the database, by the same expression that
:meth:`~synphys_ibis.SynphysDatabase.matrix_pair_query` joins pairs with
(:func:`synphys_ibis.query.matrix.class_membership`): one statement for every class and every
cell, whatever the number of records. So membership follows SQL, as ``pair_query(pre_class=...)``
does in aisynphys, rather than its Python ``cell in cls`` test where the two differ: a ``None``
inside a list of values matches nothing, and ``cortical_layer=5`` matches ``'5'``.
``classify_pairs`` then only sorts pairs into the groups (no database access, as in aisynphys).

Examples
--------
>>> import os, tempfile
>>> from synphys_ibis import synthetic
>>> from synphys_ibis.compat import SynphysDatabase, CellClass
>>> path = synthetic.write_release(os.path.join(tempfile.mkdtemp(), "r.sqlite"), n_experiments=6)
>>> db = SynphysDatabase.load_sqlite(path, native_cache=False)
>>> pairs = db.pair_query(species="mouse").all()
>>> classes = [CellClass(cell_class="ex", name="ex"), CellClass(cell_class="in", name="in")]
>>> groups = classify_cells(classes, pairs=pairs)
>>> [cls.name for cls in groups]
['ex', 'in']
>>> by_pair = classify_pairs(pairs, groups)
>>> sorted((pre.name, post.name) for pre, post in by_pair)
[('ex', 'ex'), ('ex', 'in'), ('in', 'ex'), ('in', 'in')]
>>> db.close()
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from synphys_ibis.compat.execution import run
from synphys_ibis.compat.records import Record
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.cell_class import CellClass
from synphys_ibis.query.matrix import class_membership

__all__ = ["classify_cells", "classify_pairs"]


def _class_list(classes: Mapping[Any, CellClass] | Iterable[CellClass]) -> list[CellClass]:
    items = list(classes.values() if isinstance(classes, Mapping) else classes)
    for item in items:
        if not isinstance(item, CellClass):
            raise InvalidArgumentError(
                f"cell classes must be CellClass objects; got {item!r} of type "
                f"{type(item).__name__}"
            )
    return items


def _cells(cells: Iterable[Record] | None, pairs: Iterable[Record] | None) -> list[Record]:
    if (cells is None) == (pairs is None):
        raise InvalidArgumentError("classify_cells takes either cells= or pairs= (exactly one)")
    if cells is not None:
        found = list(cells)
    else:
        found = []
        for pair in pairs or ():
            found += [pair.pre_cell, pair.post_cell]
    for cell in found:
        if not isinstance(cell, Record) or cell._table != "cell":
            raise InvalidArgumentError(
                f"classify_cells needs cell records from synphys_ibis.compat queries; got {cell!r}"
            )
    return list({id(c): c for c in found}.values())


def classify_cells(
    cell_classes: Mapping[Any, CellClass] | Iterable[CellClass],
    cells: Iterable[Record] | None = None,
    pairs: Iterable[Record] | None = None,
    missing_attr: str = "raise",
) -> OrderedDict[CellClass, set[Record]]:
    """Group cells by class: ``{CellClass: set of cell records}``, in class order.

    Parameters
    ----------
    cell_classes
        CellClass objects (a dict's values are used).
    cells, pairs
        The cell records to classify, or pair records whose pre and post cells are classified.
    missing_attr
        ``'raise'`` or ``'ignore'``, accepted for compatibility: in SQL a cell without the
        related row simply does not match a criterion on it, so both behave the same.

    Returns
    -------
    OrderedDict
        Every class (classes with equal names share one entry, as aisynphys' dict did), each
        with the set of the given cells it contains; a cell may be in several classes.
    """
    if missing_attr not in ("raise", "ignore"):
        raise InvalidArgumentError.for_value("missing_attr", missing_attr, ["ignore", "raise"])
    classes = _class_list(cell_classes)
    found = _cells(cells, pairs)
    groups: OrderedDict[CellClass, set[Record]] = OrderedDict()
    for cls in classes:
        groups.setdefault(cls, set())
    if not found or not classes:
        return groups
    catalog = found[0]._loader.catalog
    keyed = {str(i): cls for i, cls in enumerate(classes)}
    members = class_membership(
        keyed, catalog.cell_view, catalog.cell_tables_duplicate, catalog.rules
    )
    result = run(members, f"class membership of {len(classes)} classes")
    by_cell: dict[Any, list[str]] = {}
    for cell_id, key in zip(
        result.column("cell_id").to_pylist(), result.column("class_name").to_pylist(), strict=True
    ):
        by_cell.setdefault(cell_id, []).append(key)
    for cell in found:
        for key in by_cell.get(cell.id, ()):
            groups[keyed[key]].add(cell)
    return groups


def classify_pairs(
    pairs: Iterable[Record], cell_groups: Mapping[CellClass, set[Record]]
) -> OrderedDict[tuple[CellClass, CellClass], list[Record]]:
    """Group pairs by (pre class, post class): every combination of ``cell_groups``' keys.

    A pair is in ``(pre, post)`` when its presynaptic cell is in ``cell_groups[pre]`` and its
    postsynaptic cell in ``cell_groups[post]``; pairs keep their order. Cells are matched by
    id, so groups and pairs may come from different queries of the same release.
    """
    pairs = list(pairs)
    ids = {cls: {cell.id for cell in cells} for cls, cells in cell_groups.items()}
    results: OrderedDict[tuple[CellClass, CellClass], list[Record]] = OrderedDict()
    for pre_class, pre_ids in ids.items():
        for post_class, post_ids in ids.items():
            results[(pre_class, post_class)] = [
                p for p in pairs if p.pre_cell_id in pre_ids and p.post_cell_id in post_ids
            ]
    return results
