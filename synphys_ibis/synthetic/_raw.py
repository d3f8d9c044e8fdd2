"""The raw-recording tables of medium and full releases, generated experiment by experiment in
blocks of sweeps, so memory stays bounded whatever the release size.

Each experiment draws from its own random streams (seeded by the release seed, the experiment's
index and the block's number, never from the generator of the other tables), so the other tables
are the same in every size and a release depends only on its arguments (blocks are cut at
:data:`BLOCK_ROWS` pulse responses; changing it changes the rows). The waveforms of a full release
come from a stream of their own too: a medium and a full release of the same arguments differ only
in the ``data``/``meta`` columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from synphys_ibis.synthetic._recordings import (
    GAP_JUNCTION_STIMULUS,
    _plan_sweeps,
    _probe_rows,
    _sweep_rows,
    _SweepPlan,
    train_stimulus,
)
from synphys_ibis.synthetic._responses import (
    PULSES,
    _baseline_rows,
    _Block,
    _response_rows,
    _stim_rows,
    _Synaptic,
)
from synphys_ibis.synthetic._world import _Cells, _Experiments, _Pairs
from synphys_ibis.synthetic._writer import _Columns

#: Pulse responses generated (and inserted) at a time; bounds memory to ~100 MB in full releases.
BLOCK_ROWS = 8192
_STREAM = 0x5A  # first entropy word of the raw-table streams after the seed


@dataclass(frozen=True)
class _RawOptions:
    full: bool  # fill the data/meta columns of pulse_response, baseline and stim_pulse
    sweeps: int  # pulse-train sweeps per experiment


class _Ids:
    """Hands out consecutive 1-based ids per table, across blocks."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, table: str, n: int) -> np.ndarray:
        start = self._next.get(table, 1)
        self._next[table] = start + n
        return np.arange(start, start + n, dtype=float)


def _synaptic(
    cells: _Cells, pairs: _Pairs, synapses: _Columns, syn_pair: np.ndarray, syn_sign: np.ndarray
) -> _Synaptic:
    """Per pair, the sign and response shape of its (first) synapse row; connected pairs
    without one get their presynaptic identity's sign and typical values."""
    n = len(pairs.pre)
    sign = np.where(pairs.synapse == 1, np.where(cells.ex[pairs.pre], 1.0, -1.0), 0.0)
    keys, first = np.unique(syn_pair, return_index=True)
    sign[keys] = syn_sign[first]

    def column(name: str, typical: np.ndarray | float) -> np.ndarray:
        out = np.broadcast_to(np.asarray(typical, dtype=float), (n,)).copy()
        values = synapses[name][first]
        known = ~np.isnan(values)
        out[keys[known]] = values[known]
        return out

    return _Synaptic(
        sign=sign,
        latency=column("latency", 1.5e-3),
        ic_amp=np.where(sign != 0, column("psp_amplitude", 0.4e-3 * sign), 0.0),
        ic_rise=column("psp_rise_time", 2.5e-3),
        ic_decay=column("psp_decay_tau", 30e-3),
        vc_amp=np.where(sign != 0, column("psc_amplitude", -20e-12 * sign), 0.0),
        vc_rise=column("psc_rise_time", 1e-3),
        vc_decay=column("psc_decay_tau", 6e-3),
    )


def _raw_tables(
    seed: int, ex: _Experiments, cells: _Cells, pairs: _Pairs, syn: _Synaptic, options: _RawOptions
) -> Iterator[tuple[str, _Columns]]:
    """Every raw-recording table, experiment by experiment and block by block."""
    take = _Ids()
    cell_start = np.r_[0, np.cumsum(ex.n_cells)[:-1]]
    pair_start = np.r_[0, np.cumsum(ex.n_cells * (ex.n_cells - 1))[:-1]]
    coupled = pairs.electrical == 1
    fired = np.fmax(pairs.n_ex, pairs.n_in) > 10
    for e, (k, c0, p0) in enumerate(
        zip(ex.n_cells.tolist(), cell_start.tolist(), pair_start.tolist(), strict=True)
    ):
        local = np.arange(k)
        pre, post = np.nonzero(~np.eye(k, dtype=bool))
        pair = np.full((k, k), -1, dtype=np.int64)
        pair[pre, post] = p0 + np.arange(len(pre))
        flat = pair[pre, post]
        cell_coupled, cell_fired = np.zeros(k, dtype=bool), np.zeros(k, dtype=bool)
        np.logical_or.at(cell_coupled, pre[coupled[flat]], True)
        np.logical_or.at(cell_coupled, post[coupled[flat]], True)
        np.logical_or.at(cell_fired, pre[fired[flat]], True)
        rng = np.random.default_rng([seed, _STREAM, e])
        plan = _plan_sweeps(rng, float(ex.ts[e]), cell_coupled, cell_fired, options.sweeps)
        yield from _gap_junction_sweeps(rng, take, e, cells.electrode[c0 + plan.gap_cells], plan)
        per_sweep = PULSES * k * (k - 1)
        size = max(1, BLOCK_ROWS // per_sweep)
        for number, first in enumerate(range(0, options.sweeps, size)):
            sweeps = slice(first, min(first + size, options.sweeps))
            block = _Block(plan.freq[sweeps], plan.delay[sweeps], plan.holding[sweeps],
                           cells=c0 + local, pair=pair, spike_p=plan.spike_p)  # fmt: skip
            rngs = [np.random.default_rng([seed, _STREAM + s, e, number]) for s in (1, 2)]
            yield from _train_sweeps(rngs[0], rngs[1] if options.full else None, take, e, block,
                                     cells.electrode[c0 + local], plan, sweeps, syn)  # fmt: skip


def _gap_junction_sweeps(
    rng: np.random.Generator, take: _Ids, e: int, electrodes: np.ndarray, plan: _SweepPlan
) -> Iterator[tuple[str, _Columns]]:
    """The TargetV sweeps of an experiment: recordings of its gap-junction cells only."""
    m, g = plan.n_gap, len(electrodes)
    if m == 0:
        return
    tables, _ = _sweep_rows(
        rng,
        take,
        experiment=e,
        times=plan.times[:m],
        numbers=np.arange(m),
        temperature=plan.temperature[:m],
        rec_sweep=np.repeat(np.arange(m), g),
        electrode=np.tile(electrodes, m),
        ic=np.ones(m * g, dtype=bool),
        holding=np.full(m * g, -0.070),
        stimulus=[GAP_JUNCTION_STIMULUS] * (m * g),
    )
    yield from tables


def _train_sweeps(
    rng: np.random.Generator,
    wave: np.random.Generator | None,
    take: _Ids,
    e: int,
    block: _Block,
    electrodes: np.ndarray,
    plan: _SweepPlan,
    sweeps: slice,
    syn: _Synaptic,
) -> Iterator[tuple[str, _Columns]]:
    """One block of pulse-train sweeps: recordings, probes, pulses, baselines, responses."""
    m, k = block.shape
    offset = plan.n_gap + sweeps.start
    tables, recs = _sweep_rows(
        rng,
        take,
        experiment=e,
        times=plan.times[offset : offset + m],
        numbers=np.arange(offset, offset + m),
        temperature=plan.temperature[offset : offset + m],
        rec_sweep=np.repeat(np.arange(m), k),
        electrode=np.tile(electrodes, m),
        ic=np.repeat(plan.ic[sweeps], k),
        holding=np.repeat(block.holding, k),
        stimulus=[train_stimulus(f) for f in np.repeat(block.freq, k).tolist()],
    )
    yield from tables
    pulses, spikes = _stim_rows(rng, wave, take, recs, block)
    n_spikes = pulses["n_spikes"].reshape(m * k, PULSES).sum(axis=1)
    yield (
        "multi_patch_probe",
        _probe_rows(take, recs, np.repeat(block.freq, k), np.repeat(block.delay, k), n_spikes),
    )
    yield "stim_pulse", pulses
    yield "stim_spike", spikes
    baselines, strengths = _baseline_rows(rng, wave, take, recs, block)
    yield "baseline", baselines
    yield "baseline_response_strength", strengths  # schema version 15 only
    first_baseline = float(baselines["id"][0])  # m * k * BASELINES > 0 rows
    yield from _response_rows(rng, wave, take, recs, block, syn, pulses, first_baseline)
