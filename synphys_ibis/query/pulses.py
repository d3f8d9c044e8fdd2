"""The pulse responses of synapses, as one Ibis expression (the input of the pulse-level workflow).

This module only builds expressions. In a multipatch experiment every electrode in turn fires a
train of 12 pulses at an induction frequency (10-200 Hz, ``multi_patch_probe``) while the others
record; the stretch of a postsynaptic recording around each presynaptic pulse is a *pulse
response* (``pulse_response``, its trace a 25 ms ``.npy`` array in full releases). One row per
pulse response of a connected pair (``pair.has_synapse``), joined with what the analysis needs:

* ``pair_id``, ``synapse_type`` (``'ex'`` / ``'in'``), ``pulse_response_id``;
* ``induction_frequency`` (Hz) and ``pulse_number`` (1-12) of the presynaptic pulse;
* ``onset_sample``: where the pulse starts in the trace, in samples
  (``(stim_pulse.onset_time - pulse_response.data_start_time) * recording.sample_rate``), and
  ``sample_rate`` (Hz);
* ``data``: the ``.npy`` bytes of the trace (NULL in small and medium releases).

Only responses that pass the quality check for the synapse's sign are kept (``ex_qc_pass`` for
excitatory synapses, ``in_qc_pass`` for inhibitory ones; the holding potential of the sweep is
right for that sign) of sweeps with a known induction frequency, recorded in the clamp mode asked for (``'ic'``: current clamp, traces in
volts; ``'vc'``: voltage clamp, in amperes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

import ibis
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError

__all__ = ["CLAMP_MODES", "PULSE_COLUMNS", "SYNAPSE_TYPES", "synapse_pulse_responses"]

CLAMP_MODES = ("ic", "vc")
SYNAPSE_TYPES = ("ex", "in")
#: A clamp mode: current clamp or voltage clamp.
ClampMode: TypeAlias = Literal["ic", "vc"]
#: The sign of a synapse whose responses are kept.
PulseSynapseType: TypeAlias = Literal["ex", "in"]
#: The columns of :func:`synapse_pulse_responses`, in order.
PULSE_COLUMNS = (
    "pair_id",
    "synapse_type",
    "pulse_response_id",
    "induction_frequency",
    "pulse_number",
    "onset_sample",
    "sample_rate",
    "data",
)


def synapse_pulse_responses(
    table: Callable[[str], IbisTable],
    *,
    clamp_mode: ClampMode = "ic",
    synapse_type: PulseSynapseType | None = None,
) -> IbisTable:
    """The pulse responses of every synapse that pass QC, one row each (see the module doc).

    Parameters
    ----------
    table
        The typed table of a name (``Catalog.table``).
    clamp_mode
        ``'ic'`` (current clamp, default) or ``'vc'``.
    synapse_type
        ``'ex'`` or ``'in'`` to keep one sign only (default: both).

    Raises
    ------
    InvalidArgumentError
        For an unknown clamp mode or synapse type.
    """
    if clamp_mode not in CLAMP_MODES:
        raise InvalidArgumentError.for_value("clamp_mode", clamp_mode, CLAMP_MODES)
    if synapse_type is not None and synapse_type not in SYNAPSE_TYPES:
        raise InvalidArgumentError.for_value("synapse_type", synapse_type, SYNAPSE_TYPES)
    return _build(table, clamp_mode, synapse_type)


def _build(
    table: Callable[[str], IbisTable], clamp_mode: str, synapse_type: str | None
) -> IbisTable:
    pair = table("pair").filter(ibis._.has_synapse)
    pair = pair.select(p_id="id")
    synapse = table("synapse").select(s_pair_id="pair_id", s_type="synapse_type")
    signs = [synapse_type] if synapse_type is not None else list(SYNAPSE_TYPES)
    synapse = synapse.filter(synapse.s_type.isin(signs))
    pr = table("pulse_response").select(
        r_id="id", r_recording="recording_id", r_pulse="stim_pulse_id", r_pair="pair_id",
        r_start="data_start_time", r_ex="ex_qc_pass", r_in="in_qc_pass", r_data="data",
    )  # fmt: skip
    clamp = table("patch_clamp_recording")
    clamp = clamp.filter(clamp.clamp_mode == clamp_mode).select(
        c_id="id", c_recording="recording_id"
    )
    probe = table("multi_patch_probe").select(
        m_clamp="patch_clamp_recording_id", m_freq="induction_frequency"
    )
    recording = table("recording").select(g_id="id", g_rate="sample_rate")
    pulse = table("stim_pulse").select(t_id="id", t_number="pulse_number", t_onset="onset_time")
    joined = (
        pr.join(pair, pr.r_pair == pair.p_id)
        .join(synapse, pr.r_pair == synapse.s_pair_id)
        .join(clamp, pr.r_recording == clamp.c_recording)
        .join(probe, clamp.c_id == probe.m_clamp)
        .join(recording, pr.r_recording == recording.g_id)
        .join(pulse, pr.r_pulse == pulse.t_id)
    )
    passed = ibis.cases(
        (joined.s_type == "ex", joined.r_ex), (joined.s_type == "in", joined.r_in), else_=False
    )
    onset = ((joined.t_onset - joined.r_start) * joined.g_rate).round().cast("int64")
    return joined.filter(passed.fill_null(False), joined.m_freq.notnull()).select(
        pair_id=joined.r_pair,
        synapse_type=joined.s_type,
        pulse_response_id=joined.r_id,
        induction_frequency=joined.m_freq,
        pulse_number=joined.t_number,
        onset_sample=onset,
        sample_rate=joined.g_rate,
        data=joined.r_data,
    )
