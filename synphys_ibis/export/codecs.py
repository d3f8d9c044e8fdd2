"""Decoding the two encoded column types of a release: NumPy arrays and JSON objects.

Published releases store ``array`` columns (averaged responses, pulse ids, PCA vectors, ...) as the
bytes NumPy's ``np.save`` writes (the ``.npy`` format) and ``object`` columns (``meta``,
``position``, release-model parameter spaces, ...) as JSON text; the library's typed tables already
turn the on-disk "missing" markers (empty bytes, the text ``null``) into SQL NULL. This module
turns the encoded values into NumPy arrays / Python objects or into Arrow list / struct columns.

Arrays are read with :func:`numpy.lib.format.read_array` and ``allow_pickle=False``: bytes that are
not a plain ``.npy`` array (a pickle, an object array, an ``.npz`` archive, truncated data) raise
:class:`DecodeError` naming the column and row. Nothing is ever unpickled.

Examples
--------
>>> import io, numpy as np
>>> from synphys_ibis.export import codecs
>>> buf = io.BytesIO(); np.save(buf, np.array([1.5, 2.5]))
>>> codecs.decode_array(buf.getvalue())
array([1.5, 2.5])
>>> codecs.decode_json('{"a": [1, 2]}')
{'a': [1, 2]}
>>> codecs.arrays_to_arrow([buf.getvalue(), None], column="avg").to_pylist()
[[1.5, 2.5], None]
>>> codecs.decode_array(b"not npy", column="avg", row=3)
Traceback (most recent call last):
...
synphys_ibis.errors.DecodeError: column 'avg', row 3: not NumPy .npy array bytes (EOF: reading magic string, expected 8 bytes got 7)
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa

from synphys_ibis.errors import DecodeError
from synphys_ibis.schema import SCHEMA_VERSION

__all__ = [
    "DecodeError",
    "arrays_to_arrow",
    "arrays_to_numpy",
    "decode_array",
    "decode_frame",
    "decode_json",
    "decode_table",
    "encoded_columns",
    "json_to_arrow",
    "json_to_python",
]

ColumnKind = Literal["array", "json"]
_Values: TypeAlias = pa.Array | pa.ChunkedArray | Sequence[Any]


# -- single values ---------------------------------------------------------------------------------
def decode_array(
    value: bytes | bytearray | memoryview | None,
    *,
    column: str = "<value>",
    row: int | None = None,
    row_id: Any = None,
) -> np.ndarray | None:
    """Decode ``.npy`` bytes into a NumPy array (None and empty bytes give None).

    Raises
    ------
    DecodeError
        For bytes that are not a plain ``.npy`` array; pickled and object arrays are refused.
    """
    if value is None or len(value) == 0:
        return None
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise DecodeError(
            f"expected .npy bytes, got {type(value).__name__}",
            column=column,
            row=row,
            row_id=row_id,
        )
    try:
        return np.lib.format.read_array(io.BytesIO(value), allow_pickle=False)
    except (ValueError, OSError, EOFError, TypeError) as err:
        raise DecodeError(
            f"not NumPy .npy array bytes ({err})", column=column, row=row, row_id=row_id
        ) from err


def decode_json(
    value: str | bytes | None,
    *,
    column: str = "<value>",
    row: int | None = None,
    row_id: Any = None,
) -> Any:
    """Decode JSON text into Python objects (None gives None, as does the text ``null``).

    Raises
    ------
    DecodeError
        For text that is not valid JSON.
    """
    if value is None:
        return None
    try:
        return json.loads(value)
    except (ValueError, TypeError) as err:
        raise DecodeError(f"not valid JSON ({err})", column=column, row=row, row_id=row_id) from err


# -- whole columns ---------------------------------------------------------------------------------
def _python_values(values: _Values) -> list[Any]:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.to_pylist()
    return list(values)


def _row_id(ids: Sequence[Any] | None, row: int) -> Any:
    return None if ids is None else ids[row]


def arrays_to_numpy(
    values: _Values, *, column: str, ids: Sequence[Any] | None = None
) -> list[np.ndarray | None]:
    """Decode a column of ``.npy`` bytes into NumPy arrays (None where missing).

    ``ids`` (the rows' ``id`` values, when known) only serves error messages.
    """
    return [
        decode_array(v, column=column, row=i, row_id=_row_id(ids, i))
        for i, v in enumerate(_python_values(values))
    ]


def arrays_to_arrow(
    values: _Values,
    *,
    column: str,
    ids: Sequence[Any] | None = None,
    value_type: pa.DataType | None = None,
) -> pa.Array:
    """Decode a column of ``.npy`` bytes into an Arrow list column.

    One-dimensional arrays become ``list<T>`` where ``T`` is ``value_type`` or the common NumPy
    type of the column's arrays; arrays of higher dimension become nested lists.

    Raises
    ------
    DecodeError
        For malformed bytes, or arrays that do not fit one Arrow type.
    """
    arrays = arrays_to_numpy(values, column=column, ids=ids)
    present = [a for a in arrays if a is not None]
    if not present:
        return pa.nulls(len(arrays), type=pa.list_(value_type or pa.float64()))
    if all(a.ndim == 1 and a.dtype.kind in "biuf" for a in present):
        return _flat_lists(arrays, present, value_type)
    try:
        result = pa.array([None if a is None else a.tolist() for a in arrays])
        return result if value_type is None else result.cast(pa.list_(value_type))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        raise DecodeError(f"arrays do not fit one Arrow type ({err})", column=column) from err


def _flat_lists(
    arrays: list[np.ndarray | None], present: list[np.ndarray], value_type: pa.DataType | None
) -> pa.Array:
    dtype = np.result_type(*(a.dtype for a in present))
    lengths = np.array([0 if a is None else len(a) for a in arrays], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = pa.array(np.concatenate([a.astype(dtype, copy=False) for a in present]))
    if value_type is not None:
        flat = flat.cast(value_type)
    mask = pa.array([a is None for a in arrays])
    if offsets[-1] < np.iinfo(np.int32).max:
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat, mask=mask)
    return pa.LargeListArray.from_arrays(pa.array(offsets), flat, mask=mask)


def json_to_python(values: _Values, *, column: str, ids: Sequence[Any] | None = None) -> list[Any]:
    """Decode a column of JSON text into Python objects (None where missing)."""
    return [
        decode_json(v, column=column, row=i, row_id=_row_id(ids, i))
        for i, v in enumerate(_python_values(values))
    ]


def json_to_arrow(values: _Values, *, column: str, ids: Sequence[Any] | None = None) -> pa.Array:
    """Decode a column of JSON text into one Arrow column (structs, lists or scalars).

    Objects become structs whose fields are the union of the keys seen in the column.

    Raises
    ------
    DecodeError
        For malformed JSON, or values that do not fit one Arrow type (a number in one row and
        an object in another, an empty object); keep such columns as text or use
        :func:`json_to_python`.
    """
    objects = json_to_python(values, column=column, ids=ids)
    try:
        result = pa.array(objects)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        raise DecodeError(f"values do not fit one Arrow type ({err})", column=column) from err
    if _has_empty_struct(result.type):
        raise DecodeError(
            "values hold empty JSON objects, which Arrow/Parquet cannot store as structs",
            column=column,
        )
    return result


def _has_empty_struct(type_: pa.DataType) -> bool:
    if pa.types.is_struct(type_):
        return type_.num_fields == 0 or any(
            _has_empty_struct(type_.field(i).type) for i in range(type_.num_fields)
        )
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return _has_empty_struct(type_.value_type)
    return False


# -- which columns are encoded ------------------------------------------------------------------------
@cache
def _json_names(schema_version: str) -> frozenset[str]:
    from synphys_ibis.schema.rules import version_rules

    rules = version_rules(schema_version)
    schema = rules.schema
    names = {name for table in schema for name in table.columns_of_type("object")}
    tables = {alias.name: alias.table for alias in rules.aliases.values()}
    for public, (alias, column) in rules.pair_columns.items():
        if alias is not None and schema.table(tables[alias]).column(column).type == "object":
            names.add(public)
    return frozenset(names)


def encoded_columns(
    schema: pa.Schema | Mapping[str, Any],
    *,
    schema_version: str = SCHEMA_VERSION,
) -> dict[str, ColumnKind]:
    """Which columns of a result hold encoded values: ``{name: 'array' | 'json'}``.

    Binary columns are ``.npy`` arrays (the only binary columns of a release). String columns are
    JSON when their name is an ``object`` column of the release: a bare column name of any table
    (``meta``, ``position``) or a pair-query name (``synapse_model_parameter_space``).

    Examples
    --------
    >>> import pyarrow as pa
    >>> encoded_columns(pa.schema({"id": pa.int64(), "meta": pa.string(), "avg": pa.binary()}))
    {'meta': 'json', 'avg': 'array'}
    """
    json_names = _json_names(schema_version)
    kinds: dict[str, ColumnKind] = {}
    fields = schema.items() if isinstance(schema, Mapping) else ((f.name, f.type) for f in schema)
    for name, type_ in fields:
        text = str(type_).lower()
        if text in ("binary", "large_binary") or text.startswith("binary"):
            kinds[name] = "array"
        elif text in ("string", "large_string", "utf8", "large_utf8") and name in json_names:
            kinds[name] = "json"
    return kinds


def _select(
    kinds: dict[str, ColumnKind],
    kind: ColumnKind,
    explicit: Iterable[str] | None,
    enabled: bool,
    names: Sequence[str],
) -> list[str]:
    if not enabled:
        return []
    if explicit is None:
        return [n for n, k in kinds.items() if k == kind]
    chosen = list(explicit)
    missing = [c for c in chosen if c not in names]
    if missing:
        from synphys_ibis.errors import ColumnNotFoundError

        raise ColumnNotFoundError.for_name(missing[0], names, where="the result to decode")
    return chosen


def decode_table(
    table: pa.Table,
    *,
    decode_arrays: bool = True,
    decode_json: bool = True,
    array_columns: Iterable[str] | None = None,
    json_columns: Iterable[str] | None = None,
) -> pa.Table:
    """Decode the encoded columns of an Arrow table into list and struct columns.

    Parameters
    ----------
    table
        A result, e.g. ``pairs.to_pyarrow()``.
    decode_arrays, decode_json
        Which kinds of column to decode.
    array_columns, json_columns
        The columns to decode; by default those :func:`encoded_columns` finds.

    Returns
    -------
    pyarrow.Table
        The same columns in the same order; arrays as ``list<T>``, JSON as structs/lists. A JSON
        column that does not fit one Arrow type stays text, with a warning.

    Raises
    ------
    DecodeError
        For a malformed value, naming the column and row (and its ``id`` when the table has one).
    """
    kinds = encoded_columns(table.schema)
    names = table.column_names
    ids = table.column("id").to_pylist() if "id" in names else None
    for name in _select(kinds, "array", array_columns, decode_arrays, names):
        index = names.index(name)
        decoded = arrays_to_arrow(table.column(name), column=name, ids=ids)
        table = table.set_column(index, pa.field(name, decoded.type), decoded)
    for name in _select(kinds, "json", json_columns, decode_json, names):
        index = names.index(name)
        try:
            decoded = json_to_arrow(table.column(name), column=name, ids=ids)
        except DecodeError as err:
            if err.row is not None:  # a malformed value: never hide it
                raise
            warnings.warn(f"{err}; the column stays JSON text", UserWarning, stacklevel=2)
            continue
        table = table.set_column(index, pa.field(name, decoded.type), decoded)
    return table


def decode_frame(
    frame: pd.DataFrame,
    *,
    decode_arrays: bool = True,
    decode_json: bool = True,
    array_columns: Iterable[str] | None = None,
    json_columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Decode the encoded columns of a pandas frame into NumPy arrays and Python objects.

    Column detection is as in :func:`encoded_columns` (from the frame's values: a column of
    ``bytes`` is an array column). Returns a new frame; the input is not modified.

    Raises
    ------
    DecodeError
        For a malformed value, naming the column and row (and its ``id`` when the frame has one).
    """
    types = {name: _frame_type(frame[name]) for name in frame.columns}
    kinds = encoded_columns(types)
    names = [str(c) for c in frame.columns]
    ids = frame["id"].tolist() if "id" in frame.columns else None
    result = frame.copy()
    for name in _select(kinds, "array", array_columns, decode_arrays, names):
        decoded_arrays = arrays_to_numpy(_frame_values(frame[name]), column=name, ids=ids)
        result[name] = pd.Series(decoded_arrays, index=frame.index, dtype=object)
    for name in _select(kinds, "json", json_columns, decode_json, names):
        decoded_json = json_to_python(_frame_values(frame[name]), column=name, ids=ids)
        result[name] = pd.Series(decoded_json, index=frame.index, dtype=object)
    return result


def _frame_values(series: pd.Series) -> list[Any]:
    # pandas may hold a missing string or bytes value as None, NaN or pd.NA.
    return [None if _is_missing(v) else v for v in series.tolist()]


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and value != value  # NaN


def _frame_type(series: pd.Series) -> str:
    sample = series.dropna()
    if sample.empty:
        return "null"
    first = sample.iloc[0]
    if isinstance(first, (bytes, bytearray, memoryview)):
        return "binary"
    if isinstance(first, str):
        return "string"
    return str(series.dtype)
