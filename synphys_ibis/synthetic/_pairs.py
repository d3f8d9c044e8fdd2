"""Rows of the per-pair tables: ``pair``, ``synapse``, ``poly_synapse``, ``gap_junction``,
``dynamics``, ``synapse_prediction``, and of the tables that describe a synapse
(``resting_state_fit``, ``conductance``, ``avg_response_fit``, ``synapse_model``)."""

from __future__ import annotations

import numpy as np

from synphys_ibis.synthetic._random import (
    _block,
    _fan,
    _ids,
    _nulls,
    _repeated,
    _subset,
    _traces,
    _with_none,
)
from synphys_ibis.synthetic._values import (
    _AVG_FIT,
    _DYNAMICS,
    _DYNAMICS_AMPS,
    _EX,
    _FIT_SIGNED,
    _GAP_JUNCTION,
    _IN,
    _MIXED,
    _MODEL,
    _MODEL_SIGNED,
    _PREDICTION,
    _PREDICTION_SCALED,
    _PREDICTION_SIGNED,
    _PSP,
    _RESTING,
    _UNITS,
)
from synphys_ibis.synthetic._world import _Cells, _Pairs
from synphys_ibis.synthetic._writer import _Columns, _npy


def _pair_rows(rng: np.random.Generator, cells: _Cells, pairs: _Pairs) -> _Columns:
    d = cells.xyz[pairs.post] - cells.xyz[pairs.pre]
    return {
        "experiment_id": _ids(pairs.exp),
        "pre_cell_id": _ids(pairs.pre),
        "post_cell_id": _ids(pairs.post),
        "has_synapse": pairs.synapse,
        "has_polysynapse": pairs.poly,
        "has_electrical": pairs.electrical,
        "crosstalk_artifact": _nulls(rng, np.abs(rng.normal(0, 20e-6, len(d))), 0.6),
        "n_ex_test_spikes": pairs.n_ex,
        "n_in_test_spikes": pairs.n_in,
        "distance": np.sqrt((d**2).sum(axis=1)),
        "lateral_distance": np.hypot(d[:, 0], d[:, 2]),
        "vertical_distance": np.abs(d[:, 1]),
        "reciprocal_id": _ids(pairs.recip),
    }


def _psp_rows(rng: np.random.Generator, sign: np.ndarray) -> _Columns:
    """Latency and PSP/PSC kinetics; PSPs of excitatory synapses are positive, PSCs inward."""
    cols = _block(rng, _PSP, len(sign), null=0.08)
    cols["psp_amplitude"] = np.clip(cols["psp_amplitude"], 0.1e-3, 2e-3) * sign
    cols["psc_amplitude"] = cols["psc_amplitude"] * -sign
    return cols


def _synapse_rows(
    rng: np.random.Generator, cells: _Cells, pairs: _Pairs, fan_out: bool
) -> tuple[_Columns, np.ndarray, np.ndarray]:
    """One synapse per connected pair (a few missing); returns rows, pair index and sign."""
    keys = np.flatnonzero(pairs.synapse == 1)
    keys = _fan(rng, keys[rng.random(len(keys)) >= 0.02], fan_out)
    m = len(keys)
    code = np.where(cells.ex[pairs.pre[keys]], _EX, _IN)
    u = rng.random(m)
    code = np.where((u < 0.015) | (_repeated(keys) & (u < 0.5)), _EX + _IN - code, code)
    code = np.where(rng.random(m) < 0.03, _MIXED, code)
    np.bitwise_or.at(cells.votes["synaptic"], pairs.pre[keys], code)
    sign = np.where(code == _EX, 1.0, np.where(code == _IN, -1.0, rng.choice([-1.0, 1.0], m)))
    names = {_EX: "ex", _IN: "in", _MIXED: "mixed"}
    cols = {"pair_id": _ids(keys), "synapse_type": [names[c] for c in code.tolist()]}
    return cols | _psp_rows(rng, sign), keys, sign


def _poly_synapse_rows(
    rng: np.random.Generator, cells: _Cells, pairs: _Pairs
) -> tuple[_Columns, np.ndarray]:
    keys = np.flatnonzero(pairs.poly == 1)
    sign = np.where(cells.ex[pairs.pre[keys]], 1.0, -1.0)
    types = ["ex" if s > 0 else "in" for s in sign.tolist()]
    return {"pair_id": _ids(keys), "synapse_type": types} | _psp_rows(rng, sign), sign


def _gap_junction_rows(rng: np.random.Generator, pairs: _Pairs) -> _Columns:
    keys = np.flatnonzero(pairs.electrical == 1)
    return {"pair_id": _ids(keys)} | _block(rng, _GAP_JUNCTION, len(keys), null=0.05)


def _pulse_ids(rng: np.random.Generator, m: int, present: float) -> list[bytes | None]:
    """Sorted integer pulse ids (``.npy`` bytes) for a fraction ``present`` of ``m`` rows."""
    out: list[bytes | None] = []
    for keep, size in zip(
        (rng.random(m) < present).tolist(), rng.integers(5, 40, m).tolist(), strict=True
    ):
        out.append(_npy(np.cumsum(rng.integers(1, 500, size)).astype(np.int64)) if keep else None)
    return out


def _resting_state_rows(rng: np.random.Generator, sign: np.ndarray, fan_out: bool) -> _Columns:
    """Fits of the averaged resting-state response for ~80 % of synapses."""
    idx = _fan(rng, _subset(rng, len(sign), 0.8), fan_out)
    m = len(idx)
    cols: _Columns = {"synapse_id": _ids(idx), "poly_synapse_id": np.full(m, np.nan)}
    for p, unit in _UNITS.items():
        clamp_sign = sign[idx] if p == "ic" else -sign[idx]
        signed = ("amp", "exp_amp")
        cols |= _block(rng, _RESTING, m, null=0.1, sign=clamp_sign, signed=signed, unit=unit,
                       scaled=signed, prefix=f"{p}_")  # fmt: skip
        cols[f"{p}_avg_data"] = _traces(rng, cols[f"{p}_amp"], 0.7)
        cols[f"{p}_pulse_ids"] = _pulse_ids(rng, m, 0.7)
    return cols


def _conductance_rows(rng: np.random.Generator, sign: np.ndarray, fan_out: bool) -> _Columns:
    idx = _fan(rng, _subset(rng, len(sign), 0.5), fan_out)
    m, excitatory = len(idx), sign[idx] > 0
    holding = np.where(excitatory, -0.070, -0.055)
    return {
        "synapse_id": _ids(idx),
        "effective_conductance": _nulls(rng, rng.lognormal(np.log(1e-9), 0.6, m), 0.1),
        "adj_psp_amplitude": _nulls(rng, rng.lognormal(np.log(0.4e-3), 0.8, m) * sign[idx], 0.1),
        "reversal_potential": _nulls(
            rng, np.where(excitatory, rng.normal(0.0, 0.01, m), rng.normal(-0.075, 0.005, m)), 0.1
        ),
        "ideal_holding_potential": holding,
        "avg_baseline_potential": _nulls(rng, holding + rng.normal(0, 2e-3, m), 0.05),
    }


def _avg_fit_rows(rng: np.random.Generator, sign: np.ndarray, poly_sign: np.ndarray) -> _Columns:
    """Two (ic and vc at -70 mV) or four (also at -55 mV) averaged-response fits per synapse,
    two per polysynapse."""
    n_syn = len(sign)
    counts = np.r_[np.where(rng.random(n_syn) < 0.5, 4, 2), np.full(len(poly_sign), 2)]
    owner = np.repeat(np.arange(len(counts)), counts)  # synapses first, then polysynapses
    k = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    is_poly = owner >= n_syn
    ic = k % 2 == 0
    owner_sign = np.r_[sign, poly_sign][owner]
    signed = tuple(f"fit_{name}" for name in _FIT_SIGNED)
    cols = _block(rng, _AVG_FIT, len(owner), null=0.05, sign=np.where(ic, owner_sign, -owner_sign),
                  signed=signed, unit=np.where(ic, _UNITS["ic"], _UNITS["vc"]),
                  scaled=(*signed, "avg_baseline_noise"))  # fmt: skip
    return cols | {
        "synapse_id": np.where(is_poly, np.nan, owner + 1.0),
        "poly_synapse_id": np.where(is_poly, owner - n_syn + 1.0, np.nan),
        "clamp_mode": ["ic" if c else "vc" for c in ic.tolist()],
        "holding": np.where(k < 2, -0.070, -0.055),
        "manual_qc_pass": _nulls(rng, rng.random(len(owner)) < 0.8, 0.1),
        "avg_data": _traces(rng, cols["fit_amp"], 0.6),
    }


def _stp_stimuli(rng: np.random.Generator) -> dict[str, dict[str, list[float]]]:
    """Mean response of each pulse of a train, per induction frequency and recovery delay."""
    return {
        f"{f:.1f}": {"250.0": np.round(np.cumprod(rng.normal(0.95, 0.1, 12)), 4).tolist()}
        for f in (10, 20, 50)
    }


def _dynamics_rows(rng: np.random.Generator, cells: _Cells, pairs: _Pairs) -> _Columns:
    """Short-term plasticity for ~60 % of pairs whose presynaptic cell fired > 10 test spikes
    (90 % when connected); unconnected pairs have small amplitudes and more gaps."""
    fired = np.fmax(pairs.n_ex, pairs.n_in) > 10
    connected = pairs.synapse == 1
    idx = _subset(rng, len(fired), np.where(fired, np.where(connected, 0.9, 0.6), 0.0))
    m, conn = len(idx), connected[idx]
    sign = np.where(
        conn, np.where(cells.ex[pairs.pre[idx]], 1.0, -1.0), 0.1 * rng.choice([-1.0, 1.0], m)
    )
    cols = _block(
        rng, _DYNAMICS, m, null=np.where(conn, 0.05, 0.35), sign=sign, signed=_DYNAMICS_AMPS
    )
    stimuli = [
        _stp_stimuli(rng) if c and r < 0.3 else None
        for c, r in zip(conn.tolist(), rng.random(m).tolist(), strict=True)
    ]
    return cols | {
        "pair_id": _ids(idx),
        "qc_pass": _nulls(rng, rng.random(m) < np.where(conn, 0.85, 0.6), 0.03),
        "stp_all_stimuli": stimuli,
    }


def _model_rows(rng: np.random.Generator, syn_pair: np.ndarray, sign: np.ndarray) -> _Columns:
    """Stochastic release model summaries for ~50 % of connected pairs (one row per pair)."""
    pairs, first = np.unique(syn_pair, return_index=True)
    keep = _subset(rng, len(pairs), 0.5)
    idx, m = pairs[keep], len(keep)
    cols = _block(rng, _MODEL, m, null=0.08, sign=sign[first[keep]], signed=_MODEL_SIGNED)
    space = {
        "n_release_sites": [1, 2, 4, 8, 16],
        "base_release_probability": [0.1, 0.25, 0.5, 0.75, 0.9],
    }
    present = (rng.random((4, m)) < [[0.7], [0.6], [0.6], [0.6]]).tolist()
    for name in ("ml_strength", "ml_quanta_per_spike", "ml_sites_pr_ratio"):
        cols[f"{name}_ci"] = [
            None if np.isnan(v) else [round(v * 0.8, 12), round(v * 1.2, 12)]
            for v in cols[name].tolist()
        ]
    return cols | {
        "pair_id": _ids(idx),
        "parameter_space": [space if p else None for p in present[0]],
        "marginal_distributions": [
            {"n_release_sites": np.round(rng.dirichlet(np.ones(5)), 4).tolist()} if p else None
            for p in present[1]
        ],
        "confidence_intervals": [
            {"ml_strength": c} if p else None
            for p, c in zip(present[2], cols["ml_strength_ci"], strict=True)
        ],
        "sparse_pca_vector": [_npy(rng.normal(0, 1, 8)) if p else None for p in present[3]],
        "ml_stp_all_stimuli": [None] * m,
    }


def _prediction_rows(
    rng: np.random.Generator, cells: _Cells, pairs: _Pairs, fan_out: bool
) -> _Columns:
    """Automated synapse-detection metrics for ~30 % of pairs."""
    idx = _fan(rng, _subset(rng, len(pairs.pre), 0.3), fan_out)
    m = len(idx)
    sign = np.where(cells.ex[pairs.pre[idx]], 1.0, -1.0)
    cols: _Columns = {
        "pair_id": _ids(idx),
        "synapse_type": _with_none(rng, ["ex" if s > 0 else "in" for s in sign.tolist()], 0.05),
    }
    for p, unit in _UNITS.items():
        cols |= _block(rng, _PREDICTION, m, sign=sign if p == "ic" else -sign,
                       signed=_PREDICTION_SIGNED, unit=unit, scaled=_PREDICTION_SCALED,
                       prefix=f"{p}_")  # fmt: skip
        cols[f"{p}_average_response"] = _traces(rng, cols[f"{p}_fit_amp"], 0.25)
    return cols
