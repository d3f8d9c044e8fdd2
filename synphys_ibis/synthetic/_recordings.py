"""Rows of the sweep-level raw-recording tables of medium and full releases: ``sync_rec``,
``recording``, ``test_pulse``, ``patch_clamp_recording`` and ``multi_patch_probe``.

An experiment's recordings come in sweeps (``sync_rec``): in each, every electrode listed records
one ``recording`` with its ``patch_clamp_recording`` (clamp mode, baseline, quality) and the test
pulse that opened it. Pulse-train sweeps are multipatch probes (``multi_patch_probe``: induction
frequency and recovery delay of the train the electrode delivered); gap-junction sweeps deliver
the long hyperpolarising ``TargetV`` steps instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synphys_ibis.synthetic._random import _nulls, _pick
from synphys_ibis.synthetic._writer import _Columns, _datetimes

SAMPLE_RATE = 20000  # Hz, every stored time series of a release
GAP_JUNCTION_STIMULUS = "TargetV_DA_0"

# Induction frequency (Hz) and recovery delay (s) of a pulse-train sweep -> relative frequency.
_FREQUENCIES = {10.0: 12, 20.0: 14, 50.0: 40, 100.0: 14, 200.0: 12, 500.0: 8}
_DELAYS = {0.25: 70, 0.125: 6, 0.5: 6, 1.0: 6, 2.0: 6, 4.0: 6}
_GAP_JUNCTION_SWEEPS = 2


def train_stimulus(frequency: float) -> str:
    """The stimulus name of a pulse train, as the published files spell it (``'50Hz_DA_0'``)."""
    return f"{frequency:g}Hz_DA_0"


@dataclass(frozen=True)
class _SweepPlan:
    """The sweeps of one experiment; gap-junction sweeps (if any) come first."""

    gap_cells: np.ndarray  # local indexes of the cells with a TargetV recording (empty: none)
    times: np.ndarray  # unix start time of every sweep
    temperature: np.ndarray  # per sweep
    freq: np.ndarray  # per pulse-train sweep
    delay: np.ndarray
    ic: np.ndarray  # bool: current clamp (else voltage clamp), per pulse-train sweep
    holding: np.ndarray  # V, per pulse-train sweep
    spike_p: np.ndarray  # per cell: probability that a pulse evokes a spike

    @property
    def n_gap(self) -> int:
        return _GAP_JUNCTION_SWEEPS if len(self.gap_cells) else 0


def _plan_sweeps(
    rng: np.random.Generator, start: float, coupled: np.ndarray, fired: np.ndarray, sweeps: int
) -> _SweepPlan:
    """Sweeps of an experiment starting at ``start``; ``coupled`` / ``fired`` are per cell.

    Every experiment with an electrically coupled pair, and ~40 % of the others, ran the
    gap-junction protocol on its coupled cells and ~70 % of the other cells.
    """
    k = len(coupled)
    protocol = bool(coupled.any()) or rng.random() < 0.4
    members = coupled | (rng.random(k) < 0.7)
    gap_cells = np.flatnonzero(members) if protocol and members.sum() >= 2 else np.arange(0)
    n = sweeps + (_GAP_JUNCTION_SWEEPS if len(gap_cells) else 0)
    return _SweepPlan(
        gap_cells=gap_cells,
        times=start + 120.0 + np.cumsum(rng.uniform(8.0, 20.0, n)),
        temperature=_nulls(rng, rng.normal(33.5, 0.6, n), 0.05),
        freq=np.array(_pick(rng, _FREQUENCIES, sweeps), dtype=float),
        delay=np.array(_pick(rng, _DELAYS, sweeps), dtype=float),
        ic=rng.random(sweeps) < 0.75,
        holding=np.where(rng.random(sweeps) < 0.7, -0.070, -0.055),
        spike_p=np.where(fired, 0.95, 0.25),
    )


@dataclass(frozen=True)
class _Recordings:
    """Recordings of a block of sweeps, as (sweep, electrode) rows."""

    ids: np.ndarray  # recording ids
    ic: np.ndarray  # bool
    level: np.ndarray  # baseline of the recorded trace (V in current clamp, A in voltage clamp)
    noise: np.ndarray  # standard deviation of its noise
    pcr_ids: np.ndarray


def _sweep_rows(
    rng: np.random.Generator,
    take: Any,
    *,
    experiment: int,
    times: np.ndarray,
    numbers: np.ndarray,
    temperature: np.ndarray,
    rec_sweep: np.ndarray,
    electrode: np.ndarray,
    ic: np.ndarray,
    holding: np.ndarray,
    stimulus: list[str],
) -> tuple[list[tuple[str, _Columns]], _Recordings]:
    """``sync_rec``, ``recording``, ``test_pulse`` and ``patch_clamp_recording`` rows.

    ``take(table, n)`` hands out the next ``n`` ids of a table; the recording arrays give each
    recording's sweep (index into ``times``), electrode (global index), clamp mode, holding
    potential and stimulus name.
    """
    m, n = len(times), len(rec_sweep)
    sweep_ids, rec_ids = take("sync_rec", m), take("recording", n)
    tp_ids, pcr_ids = take("test_pulse", n), take("patch_clamp_recording", n)
    rest = rng.normal(-0.068, 0.004, n)
    level = np.where(ic, rest, rng.normal(-45e-12, 25e-12, n))
    noise = np.where(
        ic, rng.lognormal(np.log(0.15e-3), 0.3, n), rng.lognormal(np.log(5e-12), 0.3, n)
    )
    current = np.where(ic, rng.normal(-20e-12, 20e-12, n), level)
    access = rng.lognormal(np.log(15e6), 0.35, n)
    resistance = rng.lognormal(np.log(150e6), 0.45, n)
    capacitance = rng.lognormal(np.log(30e-12), 0.4, n)
    potential = np.where(ic, rest, holding)
    tables: list[tuple[str, _Columns]] = [
        ("sync_rec", {
            "id": sweep_ids,
            "experiment_id": np.full(m, experiment + 1.0),
            "ext_id": numbers.tolist(),
            "temperature": temperature,
        }),
        ("recording", {
            "id": rec_ids,
            "sync_rec_id": sweep_ids[rec_sweep],
            "electrode_id": electrode + 1.0,
            "start_time": _datetimes(times[rec_sweep]),
            "sample_rate": np.full(n, float(SAMPLE_RATE)),
            "device_name": [str(d) for d in (electrode % 8).tolist()],
            "stim_name": stimulus,
            "stim_meta": [None] * n,
        }),
        ("test_pulse", {
            "id": tp_ids,
            "electrode_id": electrode + 1.0,
            "recording_id": rec_ids,
            "start_index": np.full(n, 1000.0),
            "stop_index": np.full(n, 1200.0),
            "baseline_current": current,
            "baseline_potential": potential,
            "access_resistance": _nulls(rng, access, 0.03),
            "input_resistance": _nulls(rng, resistance, 0.03),
            "capacitance": _nulls(rng, capacitance, 0.05),
            "time_constant": _nulls(rng, resistance * capacitance, 0.05),
            "access_resistance_lowpass": _nulls(rng, access * rng.normal(1.05, 0.03, n), 0.05),
        }),
        ("patch_clamp_recording", {
            "id": pcr_ids,
            "recording_id": rec_ids,
            "clamp_mode": ["ic" if c else "vc" for c in ic.tolist()],
            "patch_mode": ["whole cell"] * n,
            "stim_name": stimulus,  # stored here by schema versions 15-16
            "baseline_potential": potential,
            "baseline_current": current,
            "baseline_noise_stdev": noise,
            "nearest_test_pulse_id": tp_ids,
            "qc_pass": _nulls(rng, rng.random(n) < 0.9, 0.02),
            "access_adj_baseline_potential": potential - current * access,
        }),
    ]  # fmt: skip
    return tables, _Recordings(rec_ids, ic, level, noise, pcr_ids)


def _probe_rows(
    take: Any, recs: _Recordings, freq: np.ndarray, delay: np.ndarray, n_spikes: np.ndarray
) -> _Columns:
    """One ``multi_patch_probe`` per pulse-train recording (arrays per recording)."""
    return {
        "id": take("multi_patch_probe", len(recs.ids)),
        "patch_clamp_recording_id": recs.pcr_ids,
        "induction_frequency": freq,
        "recovery_delay": delay,
        "n_spikes_evoked": n_spikes,
    }
