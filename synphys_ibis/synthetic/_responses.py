"""Rows of the pulse-level raw-recording tables of medium and full releases: ``stim_pulse``,
``stim_spike``, ``baseline`` (and version 15's ``baseline_response_strength``),
``pulse_response``, ``pulse_response_fit`` and ``pulse_response_strength``.

In a pulse-train sweep every electrode delivers, in turn, a train of 12 pulses (8 at the
induction frequency, then 4 after the recovery delay) while the others record, so each ordered
pair of the experiment gets 12 pulse responses per sweep. A pulse evokes a presynaptic spike with
the cell's spike probability; a spike releases (85 %) a response of the pair's synapse scaled by
short-term plasticity (depression for excitatory, facilitation for inhibitory synapses) and a
trial-to-trial factor; pairs without a synapse respond with noise only. Traces are ``float32``
``.npy`` arrays of 25 ms at 20 kHz, starting 5 ms before the pulse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from synphys_ibis.synthetic._random import _nulls
from synphys_ibis.synthetic._recordings import SAMPLE_RATE, _Recordings
from synphys_ibis.synthetic._writer import _Columns, _npy_header

PULSES = 12  # per train: 8 induction pulses, then 4 recovery pulses
_INDUCTION = 8
WINDOW = 500  # samples of a stored trace (25 ms)
LEAD = 100  # samples before the pulse onset (5 ms)
BASELINES = 4  # baseline windows per pulse-train recording


@dataclass(frozen=True)
class _Synaptic:
    """Per pair: the sign of its synapse (0 without one) and the shape of its responses."""

    sign: np.ndarray
    latency: np.ndarray
    ic_amp: np.ndarray  # PSP amplitude (V)
    ic_rise: np.ndarray
    ic_decay: np.ndarray
    vc_amp: np.ndarray  # PSC amplitude (A)
    vc_rise: np.ndarray
    vc_decay: np.ndarray


@dataclass(frozen=True)
class _Block:
    """A block of pulse-train sweeps of one experiment with ``k`` cells."""

    freq: np.ndarray  # per sweep
    delay: np.ndarray
    holding: np.ndarray
    cells: np.ndarray  # global index of each of the k cells
    pair: np.ndarray  # (k, k) global pair index of (pre, post); -1 on the diagonal
    spike_p: np.ndarray  # per cell

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.freq), len(self.cells)


def _npy_rows(traces: np.ndarray) -> list[bytes]:
    """``numpy.save`` bytes of every row of a 2-D array."""
    header = _npy_header(traces.dtype.str, traces.shape[1])
    raw, width = traces.tobytes(), traces.shape[1] * traces.dtype.itemsize
    return [header + raw[i : i + width] for i in range(0, len(raw), width)]


def _noise(rng: np.random.Generator, level: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """``float32`` traces of ``WINDOW`` samples around ``level`` with white noise ``sd``."""
    out = rng.standard_normal((len(level), WINDOW), dtype=np.float32)
    out *= sd.astype(np.float32)[:, None]
    out += level.astype(np.float32)[:, None]
    return out


def _shape(latency: np.ndarray, rise: np.ndarray, decay: np.ndarray) -> np.ndarray:
    """Unit-peak PSP waveform per row, starting ``latency`` after the pulse onset."""
    t = ((np.arange(WINDOW) - LEAD) / SAMPLE_RATE).astype(np.float32)
    x = np.maximum(t[None, :] - latency.astype(np.float32)[:, None], 0.0)
    r, d = rise.astype(np.float32)[:, None], decay.astype(np.float32)[:, None]
    wave = (1.0 - np.exp(-x / r)) * np.exp(-x / d)
    peak = r * np.log1p(d / r)
    wave /= (1.0 - np.exp(-peak / r)) * np.exp(-peak / d)
    return wave


def _onsets(block: _Block) -> np.ndarray:
    """(sweeps, cells, pulses) onset of every pulse in its recording (s); trains in turn."""
    f, delay = block.freq[:, None], block.delay[:, None]
    i = np.arange(PULSES)[None, :]
    within = np.where(i < _INDUCTION, i / f, (_INDUCTION - 1) / f + delay + (i - _INDUCTION) / f)
    span = within[:, -1] + 0.3
    start = 0.25 + np.arange(block.shape[1])[None, :] * span[:, None]
    return start[:, :, None] + within[:, None, :]


def _stim_rows(
    rng: np.random.Generator,
    wave: np.random.Generator | None,
    take: Any,
    recs: _Recordings,
    block: _Block,
) -> tuple[_Columns, _Columns]:
    """``stim_pulse`` and ``stim_spike`` rows of the pulse trains of a block."""
    m, k = block.shape
    onset = _onsets(block).ravel()
    n = len(onset)
    ids = take("stim_pulse", n)
    spiked = rng.random(n) < np.tile(np.repeat(block.spike_p, PULSES), m)
    delay = rng.lognormal(np.log(1.5e-3), 0.25, n)
    ic = np.repeat(recs.ic, PULSES)
    next_onset = np.r_[onset[1:], np.nan]
    first = np.arange(n) % PULSES == 0
    pulses: _Columns = {
        "id": ids,
        "recording_id": np.repeat(recs.ids, PULSES),
        "pulse_number": np.tile(np.arange(1.0, PULSES + 1), m * k),
        "cell_id": np.tile(np.repeat(block.cells + 1.0, PULSES), m),
        "onset_time": onset,
        "next_pulse_time": np.where(np.r_[first[1:], True], np.nan, next_onset),  # version 15
        "amplitude": np.where(ic, rng.lognormal(np.log(1.5e-9), 0.3, n), 0.1),
        "duration": np.where(ic, 2e-3, 1e-3),
        "n_spikes": spiked.astype(float),
        "first_spike_time": np.where(spiked, onset + delay, np.nan),
        "data_start_time": onset - LEAD / SAMPLE_RATE,
        "position": [None] * n,
        "qc_pass": spiked & (rng.random(n) < 0.95),
        "previous_pulse_dt": np.where(first, np.nan, onset - np.r_[np.nan, onset[:-1]]),
        "data": None,
        "meta": None,
    }
    if wave is not None:
        rows = np.repeat(np.arange(m * k), PULSES)
        traces = _noise(wave, recs.level[rows], recs.noise[rows])
        spike = _shape(delay - 0.3e-3, np.full(n, 0.2e-3), np.full(n, 0.6e-3))
        spike *= np.where(ic, 0.1, -1e-9).astype(np.float32)[:, None] * spiked[:, None]
        pulses["data"], pulses["meta"] = _npy_rows(traces + spike), [None] * n
    s = np.flatnonzero(spiked)
    t = pulses["first_spike_time"][s]
    spikes: _Columns = {
        "id": take("stim_spike", len(s)),
        "stim_pulse_id": ids[s],
        "onset_time": t - 0.5e-3,
        "max_slope_time": t - 0.2e-3,
        "max_slope": _nulls(rng, rng.lognormal(np.log(250.0), 0.3, len(s)), 0.05),
        "peak_time": t + rng.uniform(0.2e-3, 0.5e-3, len(s)),
        "peak_diff": _nulls(rng, rng.normal(0.09, 0.01, len(s)), 0.05),
        "peak_value": _nulls(rng, rng.normal(0.03, 0.01, len(s)), 0.05),
    }
    return pulses, spikes


def _strengths(rng: np.random.Generator, amp: np.ndarray, noise: np.ndarray, latency: np.ndarray,
               prefix: str = "") -> _Columns:  # fmt: skip
    """Positive and negative peak amplitudes (raw and deconvolved) of responses or baselines."""
    n = len(amp)
    pos = np.maximum(amp, 0.0) + np.abs(rng.normal(0, 0.5, n)) * noise
    neg = np.minimum(amp, 0.0) - np.abs(rng.normal(0, 0.5, n)) * noise
    cols = {
        "pos_amp": pos,
        "neg_amp": neg,
        "pos_dec_amp": pos * rng.lognormal(np.log(1.3), 0.2, n),
        "neg_dec_amp": neg * rng.lognormal(np.log(1.3), 0.2, n),
        "pos_dec_latency": latency + rng.normal(0, 0.3e-3, n),
        "neg_dec_latency": latency + rng.normal(0, 0.3e-3, n),
        "crosstalk": rng.normal(0, 0.05, n) * noise,
    }
    return {prefix + name: _nulls(rng, v, 0.02) for name, v in cols.items()}


def _baseline_rows(
    rng: np.random.Generator,
    wave: np.random.Generator | None,
    take: Any,
    recs: _Recordings,
    block: _Block,
) -> tuple[_Columns, _Columns]:
    """``BASELINES`` quiet windows before the trains of every recording, and their strengths."""
    rows = np.repeat(np.arange(len(recs.ids)), BASELINES)
    n = len(rows)
    held = np.repeat(block.holding, block.shape[1] * BASELINES)
    ids = take("baseline", n)
    baselines: _Columns = {
        "id": ids,
        "recording_id": recs.ids[rows],
        "data_start_time": np.tile(0.06 + 0.045 * np.arange(BASELINES), len(recs.ids)),
        "mode": recs.level[rows] + rng.normal(0, 0.1, n) * recs.noise[rows],
        "ex_qc_pass": (held == -0.070) & (rng.random(n) < 0.95),
        "in_qc_pass": (held == -0.055) & (rng.random(n) < 0.95),
        "data": None,
        "meta": None,
    }
    if wave is not None:
        baselines["data"] = _npy_rows(_noise(wave, recs.level[rows], recs.noise[rows]))
        baselines["meta"] = [None] * n
    latency = rng.uniform(0.5e-3, 4e-3, n)
    strength = {"id": ids, "baseline_id": ids} | _strengths(rng, np.zeros(n), recs.noise[rows],
                                                            latency)  # fmt: skip
    return baselines, strength


def _stp(pulse: np.ndarray, freq: np.ndarray, delay: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Relative amplitude of each pulse of a train: excitatory synapses depress, inhibitory
    ones facilitate, more at higher frequency; recovery pulses relax back with tau 0.5 s."""
    depth = np.where(sign > 0, -0.5, 0.25) * np.minimum(freq / 50.0, 1.5)
    steady = 1.0 + depth * (1.0 - np.exp(-(_INDUCTION - 1) / 2.0))
    induced = 1.0 + depth * (1.0 - np.exp(-np.minimum(pulse, _INDUCTION - 1) / 2.0))
    return np.where(pulse < _INDUCTION, induced, 1.0 + (steady - 1.0) * np.exp(-delay / 0.5))


def _fits(rng: np.random.Generator, prefix: str, amp: np.ndarray, noise: np.ndarray,
          latency: np.ndarray, rise: np.ndarray, decay: np.ndarray) -> _Columns:  # fmt: skip
    """The seven ``fit_`` and seven ``dec_fit_`` columns (with ``prefix``) of a fitted PSP."""
    n = len(amp)

    def jitter(scale: Any) -> np.ndarray:
        return rng.normal(0, 1, n) * scale

    fit = amp + jitter(0.3 * noise)
    cols = {
        "fit_amp": fit,
        "fit_latency": latency + jitter(0.2e-3),
        "fit_yoffset": jitter(0.2 * noise),
        "fit_rise_time": rise * rng.lognormal(0, 0.2, n),
        "fit_decay_tau": decay * rng.lognormal(0, 0.25, n),
        "fit_exp_amp": 0.1 * fit + jitter(0.1 * noise),
        "fit_nrmse": rng.lognormal(np.log(np.where(amp != 0, 0.6, 1.0)), 0.3),
        "dec_fit_amp": fit * rng.lognormal(np.log(1.3), 0.15, n),
        "dec_fit_reconv_amp": fit + jitter(0.2 * noise),
        "dec_fit_latency": latency + jitter(0.15e-3),
        "dec_fit_yoffset": jitter(0.2 * noise),
        "dec_fit_rise_time": rise * rng.lognormal(0, 0.2, n),
        "dec_fit_decay_tau": decay * rng.lognormal(0, 0.25, n),
        "dec_fit_nrmse": rng.lognormal(np.log(np.where(amp != 0, 0.5, 0.9)), 0.3),
    }
    return {prefix + name: _nulls(rng, v, 0.02) for name, v in cols.items()}


def _response_rows(
    rng: np.random.Generator,
    wave: np.random.Generator | None,
    take: Any,
    recs: _Recordings,
    block: _Block,
    syn: _Synaptic,
    pulses: _Columns,
    first_baseline: float,
) -> Iterator[tuple[str, _Columns]]:
    """``pulse_response``, ``pulse_response_fit`` and ``pulse_response_strength`` rows of the
    block whose ``stim_pulse`` rows are ``pulses`` and whose baselines start at id
    ``first_baseline``."""
    onset, spiked = pulses["onset_time"], pulses["n_spikes"] > 0
    m, k = block.shape
    s, a, i, j = np.indices((m, k, PULSES, k - 1)).reshape(4, -1)
    b = j + (j >= a)
    pair = block.pair[a, b]
    post = s * k + b  # row of the postsynaptic recording
    pulse = (s * k + a) * PULSES + i  # row of the presynaptic pulse
    n = len(pair)
    ic = recs.ic[post]
    sign = syn.sign[pair]
    released = spiked[pulse] & (rng.random(n) < 0.85)
    trial = rng.lognormal(0.0, 0.3, n) * released
    amp = np.where(ic, syn.ic_amp[pair], syn.vc_amp[pair])
    amp = amp * _stp(i, block.freq[s], block.delay[s], sign) * trial
    latency = syn.latency[pair] + rng.normal(0, 0.1e-3, n)
    rise = np.where(ic, syn.ic_rise[pair], syn.vc_rise[pair])
    decay = np.where(ic, syn.ic_decay[pair], syn.vc_decay[pair])
    noise, held = recs.noise[post], block.holding[s]
    ids = take("pulse_response", n)
    baseline_ids = first_baseline + post * BASELINES + i % BASELINES
    qc = spiked[pulse] & (rng.random(n) < 0.92)
    responses: _Columns = {
        "id": ids,
        "recording_id": recs.ids[post],
        "stim_pulse_id": pulses["id"][pulse],
        "pair_id": pair + 1.0,
        "baseline_id": baseline_ids,
        "data_start_time": onset[pulse] - LEAD / SAMPLE_RATE,
        "ex_qc_pass": qc & (held == -0.070),
        "in_qc_pass": qc & (held == -0.055),
        "data": None,
        "meta": None,
    }
    if wave is not None:
        traces = _noise(wave, recs.level[post], noise)
        traces += amp.astype(np.float32)[:, None] * _shape(latency, rise, decay)
        responses["data"], responses["meta"] = _npy_rows(traces), [None] * n
    yield "pulse_response", responses
    fits = _fits(rng, "", amp, noise, latency, rise, decay)
    quiet = _fits(rng, "baseline_", np.zeros(n), noise, rng.uniform(0.5e-3, 4e-3, n), rise, decay)
    yield "pulse_response_fit", {"id": ids, "pulse_response_id": ids} | fits | quiet
    yield (
        "pulse_response_strength",
        {
            "id": ids,
            "pulse_response_id": ids,
            "baseline_id": baseline_ids,
            **_strengths(rng, amp, noise, latency),
            **_strengths(rng, np.zeros(n), noise, rng.uniform(0.5e-3, 4e-3, n), "baseline_"),
        },
    )
