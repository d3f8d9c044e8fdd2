"""Class-by-class grids: a long connectivity matrix as the square table the figures draw.

``SynphysDatabase.connectivity_matrix`` returns one row per (pre_class, post_class) combination
(17 x 17 classes give 289 rows). :func:`connectivity_grid` pivots any of its columns into the
square grid, rows presynaptic and columns postsynaptic, in class order and labelled with the
classes' display names (``'L2/3 Pyr'``, ``'L5 ET'``: :data:`~synphys_ibis.query.cell_class.DISPLAY_NAMES`).
The helpers here (fetching a summary, class order, labels, pivoting) are shared with
:mod:`synphys_ibis.plotting`; nothing in this module needs matplotlib.

Examples
--------
>>> import pandas as pd
>>> from synphys_ibis.grids import connectivity_grid
>>> cm = pd.DataFrame({"pre_class": ["l23pyr", "l23pyr", "l5et", "l5et"],
...                    "post_class": ["l23pyr", "l5et"] * 2,
...                    "n_probed": [40, 30, 0, 25], "n_connected": [4, 9, 0, 5]})
>>> connectivity_grid(cm)  # doctest: +NORMALIZE_WHITESPACE
post_class  L2/3 Pyr  L5 ET
pre_class
L2/3 Pyr         0.1    0.3
L5 ET            NaN    0.2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError
from synphys_ibis.query.cell_class import DISPLAY_NAMES, CellClass
from synphys_ibis.stats import clopper_pearson

__all__ = ["class_labels", "connectivity_grid"]

Data: TypeAlias = IbisTable | pd.DataFrame
#: Display labels by class name: strings, or the classes themselves (their ``display_name``).
Labels: TypeAlias = Mapping[str, "str | CellClass"]
_MATRIX_COLUMNS = ("pre_class", "post_class", "n_probed", "n_connected")


def connectivity_grid(
    matrix: Data,
    *,
    value: str = "connection_probability",
    labels: Labels | None = None,
) -> pd.DataFrame:
    """One column of a connectivity matrix as the square pre x post grid, in class order.

    Parameters
    ----------
    matrix
        ``db.connectivity_matrix(pre, post, ...)`` (lazy or fetched), or any frame with
        ``pre_class``, ``post_class`` and ``value``. Classes keep the order they first occur in
        (the order of the class dicts for ``connectivity_matrix``).
    value
        The column to show: ``'connection_probability'`` (default; n_connected / n_probed, NaN
        where no pair was probed), ``'n_probed'``, ``'n_connected'``, ``'ci_lower'``,
        ``'ci_upper'`` or any other column of ``matrix``. The probability and its interval are
        computed from the counts when the frame lacks them.
    labels
        Row and column labels by class name, as strings or as the class dict itself
        (``mouse_layer_classes()``: each class's ``display_name``). Names without a label show
        their standard display name, else the name itself.

    Returns
    -------
    pandas.DataFrame
        Index ``pre_class`` and columns ``post_class`` (display names); a missing combination
        is NaN.

    Raises
    ------
    ColumnNotFoundError
        If ``matrix`` lacks ``pre_class``, ``post_class`` or ``value``.

    Examples
    --------
    >>> import pandas as pd
    >>> cm = pd.DataFrame({"pre_class": ["ex", "ex", "in", "in"], "post_class": ["ex", "in"] * 2,
    ...                    "n_probed": [40, 30, 0, 25], "n_connected": [4, 9, 0, 5]})
    >>> connectivity_grid(cm, value="n_probed")  # doctest: +NORMALIZE_WHITESPACE
    post_class  Excit.  Inhib.
    pre_class
    Excit.          40      30
    Inhib.           0      25
    """
    frame = fetch(matrix)
    if value in ("connection_probability", "ci_lower", "ci_upper") and value not in frame:
        require_columns(frame.columns, _MATRIX_COLUMNS)
        frame = with_probability(frame)
    require_columns(frame.columns, ["pre_class", "post_class", value])
    pre, post = class_order(frame.pre_class), class_order(frame.post_class)
    table = pivot(frame, value, pre, post)
    table.index = pd.Index(class_labels(pre, labels), name="pre_class")
    table.columns = pd.Index(class_labels(post, labels), name="post_class")
    return table


def class_labels(names: Sequence[str], labels: Labels | None = None) -> list[str]:
    """The display label of each class name: ``labels[name]`` (a string, or a class's
    ``display_name``), else the standard display name, else the name.

    Examples
    --------
    >>> class_labels(["l23pyr", "l5et", "mine"], {"mine": "My class"})
    ['L2/3 Pyr', 'L5 ET', 'My class']
    """
    given = labels or {}
    shown = []
    for name in names:
        label = given.get(name)
        if isinstance(label, CellClass):
            shown.append(label.display_name)
        elif label is not None:
            shown.append(str(label))
        else:
            shown.append(DISPLAY_NAMES.get(name, name))
    return shown


# -- shared with plotting ----------------------------------------------------------------------
def fetch(data: Any, required: Sequence[str] = ()) -> pd.DataFrame:
    """A lazy table (or recorded query) fetched as pandas, or a frame as is; check columns."""
    from synphys_ibis.export.writers import RecordedQuery

    if isinstance(data, RecordedQuery):
        data = data.table
    if isinstance(data, IbisTable):
        frame = data.to_pyarrow().to_pandas()
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise InvalidArgumentError(
            f"expected an Ibis table or a pandas DataFrame, not {type(data).__name__}"
        )
    require_columns(frame.columns, required)
    return frame


def require_columns(columns: Any, required: Sequence[str]) -> None:
    for name in required:
        if name not in columns:
            raise ColumnNotFoundError.for_name(
                name, [str(c) for c in columns], where="the plotted data"
            )


def class_order(
    values: pd.Series, given: Sequence[str] | Mapping[str, Any] | None = None
) -> list[str]:
    """``given`` (names, or a class dict's keys), else the names in order of first occurrence."""
    if given is not None:
        return [str(v) for v in given]
    return [str(v) for v in dict.fromkeys(values.tolist())]


def pivot(frame: pd.DataFrame, column: str, pre: list[str], post: list[str]) -> pd.DataFrame:
    """``column`` as a pre x post table (first value per cell; NaN where a pair is missing)."""
    table = frame.pivot_table(
        index="pre_class", columns="post_class", values=column, aggfunc="first", dropna=False
    )
    return table.reindex(index=pre, columns=post)


def with_probability(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``connection_probability`` and its 95% Clopper-Pearson interval from the counts."""
    if {"connection_probability", "ci_lower", "ci_upper"} <= set(frame.columns):
        return frame
    frame = frame.copy()
    n = frame.n_probed.astype(float)
    k = frame.n_connected.astype(float)
    frame["connection_probability"] = np.where(n > 0, k / n.where(n > 0, 1.0), np.nan)
    bounds = [
        clopper_pearson(int(a), int(b)) if b > 0 else (np.nan, np.nan)
        for a, b in zip(k, n, strict=True)
    ]
    frame["ci_lower"] = [b[0] for b in bounds]
    frame["ci_upper"] = [b[1] for b in bounds]
    return frame
