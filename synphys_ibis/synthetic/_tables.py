"""The order in which the tables of a synthetic release are generated from one random
generator; changing it changes every table that follows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from synphys_ibis.synthetic._cells import (
    _cell_rows,
    _intrinsic_rows,
    _location_rows,
    _morphology_rows,
    _patch_seq_rows,
)
from synphys_ibis.synthetic._experiments import (
    _electrode_rows,
    _experiment_rows,
    _site_rows,
    _slice_rows,
)
from synphys_ibis.synthetic._pairs import (
    _avg_fit_rows,
    _conductance_rows,
    _dynamics_rows,
    _gap_junction_rows,
    _model_rows,
    _pair_rows,
    _poly_synapse_rows,
    _prediction_rows,
    _resting_state_rows,
    _synapse_rows,
)
from synphys_ibis.synthetic._raw import _raw_tables, _RawOptions, _synaptic
from synphys_ibis.synthetic._world import _plan_cells, _plan_experiments, _plan_pairs
from synphys_ibis.synthetic._writer import _Columns


def _release(
    n_experiments: int, seed: int, *, fan_out: bool, raw: _RawOptions | None = None
) -> Iterator[tuple[str, _Columns]]:
    """Generate the non-empty tables, parents before the tables that need them.

    The raw-recording tables (``raw``, for medium and full releases) come last, from random
    streams of their own: every other table is the same with or without them.
    """
    rng = np.random.default_rng(seed)
    ex = _plan_experiments(rng, n_experiments)
    yield "slice", _slice_rows(rng, ex)
    yield "experiment", _experiment_rows(rng, ex)
    yield "cortical_site", _site_rows(rng, ex)
    cells = _plan_cells(rng, ex)
    yield "electrode", _electrode_rows(rng, ex, cells)
    yield "morphology", _morphology_rows(rng, cells)
    yield "cortical_cell_location", _location_rows(rng, ex, cells, fan_out)
    yield "patch_seq", _patch_seq_rows(rng, ex, cells)
    yield "intrinsic", _intrinsic_rows(rng, cells, fan_out)
    pairs = _plan_pairs(rng, ex, cells)
    yield "pair", _pair_rows(rng, cells, pairs)
    synapses, syn_pair, syn_sign = _synapse_rows(rng, cells, pairs, fan_out)
    yield "synapse", synapses
    poly, poly_sign = _poly_synapse_rows(rng, cells, pairs)
    yield "poly_synapse", poly
    yield "gap_junction", _gap_junction_rows(rng, pairs)
    yield "resting_state_fit", _resting_state_rows(rng, syn_sign, fan_out)
    yield "conductance", _conductance_rows(rng, syn_sign, fan_out)
    yield "avg_response_fit", _avg_fit_rows(rng, syn_sign, poly_sign)
    yield "dynamics", _dynamics_rows(rng, cells, pairs)
    yield "synapse_model", _model_rows(rng, syn_pair, syn_sign)
    yield "synapse_prediction", _prediction_rows(rng, cells, pairs, fan_out)
    yield "cell", _cell_rows(rng, cells)
    if raw is not None:
        syn = _synaptic(cells, pairs, synapses, syn_pair, syn_sign)
        yield from _raw_tables(seed, ex, cells, pairs, syn, raw)
