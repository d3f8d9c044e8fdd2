"""Generated tables reshaped into an older schema version, keeping the same data.

The generator produces the newest schema's tables. An older release stores some of the same facts
elsewhere or under other names (see :mod:`synphys_ibis.schema.versions`); this module moves them there,
so that releases of every version written from one seed answer the same questions alike:

* renamed columns are written under the version's own name;
* versions 15-18 keep the layer call in ``morphology.cortical_layer``: it is copied from the
  cell's (first) cortical location, and located cells without morphology get a morphology row
  holding only the layer;
* version 15 records ``cell.is_excitatory`` (from ``cell_class``: 'ex' true, 'in' false);
* versions 15-16 key ``resting_state_fit`` and ``avg_response_fit`` by ``pair_id``;
* version 16 stores ``patch_seq.nucleus`` as a boolean ('+' true, '-' false, else NULL).

Columns a version has and the generator does not know stay NULL.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from synphys_ibis.schema import SCHEMA_VERSION, load_schema
from synphys_ibis.schema.versions import renamed_columns
from synphys_ibis.synthetic._writer import _Columns

_Tables = Iterator[tuple[str, _Columns]]


def adapt_to_version(version: str, tables: _Tables) -> _Tables:
    """Yield ``tables`` as schema ``version`` stores them (unchanged for the newest)."""
    if version == SCHEMA_VERSION:
        yield from tables
        return
    schema = load_schema(version)
    layer_in_morphology = schema.table("morphology").has_column("cortical_layer")
    morphology: _Columns | None = None
    synapse_pairs: np.ndarray | None = None
    poly_pairs: np.ndarray | None = None
    for name, columns in tables:
        if name == "morphology" and layer_in_morphology:
            morphology = columns  # completed once the locations are known
            continue
        if name == "cortical_cell_location" and morphology is not None:
            yield "morphology", _with_layer(morphology, columns)
            morphology = None
        if name == "synapse":
            synapse_pairs = columns["pair_id"]
        if name == "poly_synapse":
            poly_pairs = columns["pair_id"]
        if name in schema:
            spec = schema.table(name)
            if spec.has_column("pair_id") and "pair_id" not in columns:
                columns = _keyed_by_pair(columns, synapse_pairs, poly_pairs)
            if name == "cell" and spec.has_column("is_excitatory"):
                columns = _with_is_excitatory(columns)
            if name == "patch_seq" and spec.column("nucleus").type == "bool":
                columns = _with_boolean_nucleus(columns)
        renames = {new: old for old, new in renamed_columns(version, name).items()}
        if renames:
            columns = {renames.get(k, k): v for k, v in columns.items()}
        yield name, columns


def _with_layer(morphology: _Columns, locations: _Columns) -> _Columns:
    """Morphology rows with the layer of each cell's first location; located cells added."""
    layer_of: dict[float, str | None] = {}
    for cell, layer in zip(locations["cell_id"].tolist(), locations["cortical_layer"], strict=True):
        layer_of.setdefault(cell, layer)
    cells = morphology["cell_id"].tolist()
    extra = sorted(set(layer_of) - set(cells))
    n_extra = len(extra)
    result: _Columns = {}
    for key, values in morphology.items():
        if key == "cell_id":
            result[key] = np.concatenate([values, np.asarray(extra, dtype=float)])
        elif isinstance(values, np.ndarray):
            result[key] = np.concatenate([values, np.full(n_extra, np.nan)])
        else:
            result[key] = list(values) + [None] * n_extra
    result["cortical_layer"] = [layer_of.get(c) for c in result["cell_id"].tolist()]
    return result


def _keyed_by_pair(
    columns: _Columns, synapse_pairs: np.ndarray | None, poly_pairs: np.ndarray | None
) -> _Columns:
    """Add ``pair_id`` to rows keyed by ``synapse_id`` / ``poly_synapse_id``."""
    if synapse_pairs is None or "synapse_id" not in columns:
        return columns
    pair_id = _lookup(synapse_pairs, columns["synapse_id"])
    if poly_pairs is not None and "poly_synapse_id" in columns:
        pair_id = np.where(
            np.isnan(pair_id), _lookup(poly_pairs, columns["poly_synapse_id"]), pair_id
        )
    return {**columns, "pair_id": pair_id}


def _lookup(pair_of_row: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``pair_of_row[id - 1]`` for 1-based float ids (NaN stays NaN)."""
    result = np.full(len(ids), np.nan)
    known = ~np.isnan(ids)
    result[known] = pair_of_row[ids[known].astype(int) - 1]
    return result


def _with_is_excitatory(columns: _Columns) -> _Columns:
    sign = {"ex": 1.0, "in": 0.0}
    flags = np.array([sign.get(c, np.nan) for c in columns["cell_class"]], dtype=float)
    return {**columns, "is_excitatory": flags}


def _with_boolean_nucleus(columns: _Columns) -> _Columns:
    flag = {"+": 1.0, "-": 0.0}
    values = np.array([flag.get(v, np.nan) for v in columns["nucleus"]], dtype=float)
    return {**columns, "nucleus": values}
