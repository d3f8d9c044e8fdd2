"""aisynphys' ``DBQuery.dataframe()`` column names, order and dtypes, from one Arrow result.

``rename_columns=True`` (aisynphys' default) names every column ``<entity>.<column>``: the entity
is the table (``pair``, ``experiment``, ``slice``, ``synapse``, ``dynamics``, ...) or the alias
(``pre_cell``, ``post_cortical_cell_location``); entities come in the order aisynphys adds them,
each with its non-deferred columns in table order, then the added columns under their label, or
``table.column``, or their SQL text. Repeated names get ``_1``, ``_2``, ... suffixes. Integer
columns are pandas ``Int64``, floats ``float64``, everything else (booleans, text, dates, decoded
JSON and arrays) ``object``; an entity a pair does not have gives None in all its columns.

``rename_columns=False`` gives the bare column names of the SQL statement (``id``,
``experiment_id``, ..., ``meta``, then each entity's columns, repeated names suffixed) with
pandas' inferred dtypes, as ``pandas.read_sql`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from synphys_ibis.compat.execution import decoder

__all__ = ["DEFERRED_COLUMNS", "FrameColumn", "build_frame", "unique_names"]

#: Columns aisynphys declares ``deferred`` (loaded only on access, so absent from its dataframes).
DEFERRED_COLUMNS: frozenset[tuple[str, str]] = frozenset(
    {
        ("stim_pulse", "data"),
        ("pulse_response", "data"),
        ("baseline", "data"),
        ("avg_response_fit", "avg_data"),
        ("dynamics", "stp_all_stimuli"),
        ("synapse_model", "parameter_space"),
        ("synapse_model", "marginal_distributions"),
        ("synapse_model", "confidence_intervals"),
        ("synapse_model", "ml_stp_all_stimuli"),
    }
)


@dataclass(frozen=True)
class FrameColumn:
    """One dataframe column: where it comes from in the result and what it is called.

    ``source`` is the result's column, ``renamed`` the ``rename_columns=True`` name, ``bare`` the
    ``rename_columns=False`` name, ``kind`` the logical type (None: infer from the values).
    """

    source: str
    renamed: str
    bare: str
    kind: str | None


def unique_names(names: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """``names`` with repeats (of each other or of ``taken``) suffixed ``_1``, ``_2``, ...

    Examples
    --------
    >>> unique_names(["a", "b", "a", "a"], taken=["b"])
    ['a', 'b_1', 'a_1', 'a_2']
    """
    seen = set(taken)
    result = []
    for name in names:
        candidate, n = name, 0
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def _values(result: pa.Table, column: FrameColumn) -> list[Any]:
    values = result.column(column.source).to_pylist()
    decode = None if column.kind is None else decoder(column.kind, column.bare)
    return values if decode is None else [decode(v) for v in values]


def _series(values: list[Any], kind: str | None, *, infer: bool) -> pd.Series:
    if infer or kind is None:
        return pd.Series(values, dtype=None if values else object)
    if kind in ("int", "bigint"):
        return pd.Series(values, dtype="Int64")
    if kind == "float":
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object)


def build_frame(
    result: pa.Table, columns: Sequence[FrameColumn], *, rename_columns: bool
) -> pd.DataFrame:
    """The dataframe of ``result`` with ``columns`` named as aisynphys names them."""
    names = unique_names(c.renamed if rename_columns else c.bare for c in columns)
    data = {
        name: _series(_values(result, column), column.kind, infer=not rename_columns)
        for name, column in zip(names, columns, strict=True)
    }
    frame = pd.DataFrame(data, columns=names)
    frame.index = pd.RangeIndex(result.num_rows)
    return frame
