"""Deterministic synthetic synphys releases with exactly the published schema.

:func:`write_release` creates an SQLite file from the published DDL of a schema version (every
table, column and index) and fills it with realistic, reproducible values: slices, experiments,
cells with cre lines, layers, morphology, transcriptomics and intrinsic features, every ordered
cell pair of each experiment, synapses, short-term dynamics, model fits and gap junctions. The
values are stored with the on-disk encodings of the published files (booleans as 0/1, DATETIME as
text, missing JSON as the text ``'null'``, missing arrays as an empty blob), so code that reads a
synthetic release reads a published one the same way.

The tables of raw recordings (``recording``, ``pulse_response``, ``stim_pulse`` ...) stay empty, as
in the published "small" releases. ``fan_out=True`` gives some keys of the one-to-many child tables
(``intrinsic``, ``cortical_cell_location``, ``synapse``, ``synapse_prediction``,
``resting_state_fit``, ``conductance``) two rows, which the schema allows but the published files
avoid, to test how queries behave when a join multiplies rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import pathlib
import re
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from synphys_ibis.constants import (
    DRIVER_LAYERS,
    EXCITATORY_CRE_TYPES,
    HUMAN_PROJECTS,
    INHIBITORY_CRE_TYPES,
    MOUSE_PROJECTS,
)
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.schema import Table, available_schema_versions, ddl, load_schema

__all__ = ["PUBLISHED_SMALL_EXPERIMENTS", "release_summary", "write_release"]

#: ``n_experiments`` that gives about as many pairs (~93,000, ~89 % mouse) as the published small
#: release (82,818 mouse + 10,400 human pairs).
PUBLISHED_SMALL_EXPERIMENTS = 2900

_ORIGIN = "Allen Institute for Brain Science / Synaptic Physiology"

#: Column name -> values. Numeric columns are float arrays with NaN for NULL (also for int and
#: bool columns); other columns are lists of Python values (None for NULL, JSON values as Python
#: objects, arrays as ``.npy`` bytes).
_Columns = dict[str, Any]

# Cell-class votes as bits; a cell whose votes set more than one bit is 'mixed'.
_EX, _IN, _MIXED = 1, 2, 4
_CLASS_LABELS: dict[int, str | None] = {0: None, _EX: "ex", _IN: "in"}


# --------------------------------------------------------------------------- value tables
# fmt: off

# Layer name -> fractional depth of its upper bound (0 = pia, 1 = white matter).
_MOUSE_LAYERS = {"1": 0.0, "2/3": 0.1, "4": 0.35, "5": 0.45, "6a": 0.65, "6b": 0.9}
_HUMAN_LAYERS = {"1": 0.0, "2": 0.08, "3": 0.2, "4": 0.5, "5": 0.6, "6": 0.8}
# Target layer -> fractional depths where its cells sit.
_MOUSE_TARGETS = {"2/3": (0.1, 0.35), "4": (0.35, 0.45), "5": (0.45, 0.65), "6": (0.65, 0.98)}
_HUMAN_TARGETS = {"2": (0.08, 0.2), "3": (0.2, 0.5), "4": (0.5, 0.6), "5": (0.6, 0.8),
                  "6": (0.8, 0.98)}
_DRIVER_TARGETS = {**{d: tuple(x for x in ls if x in _MOUSE_TARGETS) for d, ls in DRIVER_LAYERS.items()},
                   "fam84b": ("5",)}
_ALLELES = {
    "sst": "Sst-IRES-Cre", "pvalb": "Pvalb-IRES-Cre", "vip": "Vip-IRES-Cre",
    "ndnf": "Ndnf-IRES2-dgCre", "chat": "Chat-IRES-Cre-neo", "tlx3": "Tlx3-Cre_PL56",
    "sim1": "Sim1-Cre_KJ18", "fam84b": "Fam84b-FlpO", "rorb": "Rorb-T2A-tTA2",
    "nr5a1": "Nr5a1-Cre", "ntsr1": "Ntsr1-Cre_GN220", "rbp4": "Rbp4-Cre_KL100",
    "cux2": "Cux2-CreERT2", "slc17a8": "Slc17a8-IRES2-Cre",
}
# Cre drivers of a mouse slice -> relative frequency.
_DRIVER_COMBOS: dict[tuple[str, ...], float] = {
    ("sst",): 8, ("pvalb",): 8, ("vip",): 6, ("ndnf",): 2, ("chat",): 1, ("tlx3",): 5,
    ("sim1",): 5, ("fam84b",): 3, ("rorb",): 3, ("nr5a1",): 4, ("ntsr1",): 5, ("rbp4",): 2,
    ("cux2",): 3, ("slc17a8",): 1, ("sst", "pvalb"): 6, ("pvalb", "tlx3"): 4, ("sst", "sim1"): 3,
    ("vip", "ntsr1"): 2, ("pvalb", "nr5a1"): 3, ("sst", "rorb"): 2, ("vip", "cux2"): 2,
}
# Project -> relative frequency, by species (True = human).
_PROJECTS = {
    False: {"mouse V1 coarse matrix": 70, "mouse V1 pre-production": 15, "mouse V1 opto": 5,
            "mouse thalamocortical": 3, "mouse V1 PatchSeq": 4},
    True: {"human coarse matrix": 85, "human L1": 8, "human slice culture": 4},
}
_COARSE = {False: MOUSE_PROJECTS, True: HUMAN_PROJECTS}
_ACSF = {"Standard": 40, "2mM Ca & Mg": 35, "1.3mM Ca & 1mM Mg": 12, "ACSF III (no blockers)": 5,
         "4mM Ca": 3}
_INTERNAL = {"Standard K-Gluc": 75, "K-Gluc -EGTA": 8, "K-Gluc 1uM EGTA": 7, "PatchSeq": 5,
             "Cesium": 2}

_T_TYPES = {
    "Sst": ("Sst Calb2 Pdlim5", "Sst Hpse Cbln4", "Sst Tac1 Htr1d", "Sst Chodl"),
    "Pvalb": ("Pvalb Reln Itm2a", "Pvalb Sema3e Kank4", "Pvalb Tpbg", "Pvalb Th Sst"),
    "Vip": ("Vip Arhgap36 Hmcn1", "Vip Crispld2 Htr2c", "Vip Lmo1 Myl1", "Vip Pygm C1ql1"),
    "Lamp5": ("Lamp5 Lsp1", "Lamp5 Plch2 Dock5"),
    "L2/3 IT": ("L2/3 IT VISp Agmat", "L2/3 IT VISp Rrad"), "L4 IT": ("L4 IT VISp Rspo1",),
    "L5 IT": ("L5 IT VISp Hsd11b1 Endou", "L5 IT VISp Batf3"),
    "L5 PT": ("L5 PT VISp Chrna6", "L5 PT VISp Lgr5"), "L6 IT": ("L6 IT VISp Penk Col27a1",),
    "L6 CT": ("L6 CT VISp Nxph2 Wls",), "L6b": ("L6b VISp Col8a1 Rprm",),
}
_HUMAN_T_TYPES = {
    "L2/3 IT": ("Exc L2-3 LINC00507 FREM3", "Exc L2 LAMP5 LTK"), "L4 IT": ("Exc L3-5 RORB COL22A1",),
    "L5 IT": ("Exc L4-5 RORB FOLH1B",), "Pvalb": ("Inh L2-4 PVALB WFDC2",),
    "Sst": ("Inh L1-3 SST CCK",), "Vip": ("Inh L1-4 VIP PENK",), "Lamp5": ("Inh L1-2 PAX6 CDH12",),
}
_INHIBITORY_SUBCLASSES = ("Sst", "Pvalb", "Vip", "Lamp5")
_CRE_SUBCLASS = {
    "sst": "Sst", "pvalb": "Pvalb", "vip": "Vip", "ndnf": "Lamp5", "chat": "Vip", "tlx3": "L5 IT",
    "sim1": "L5 PT", "fam84b": "L5 PT", "rorb": "L4 IT", "nr5a1": "L4 IT", "ntsr1": "L6 CT",
    "rbp4": "L5 IT", "cux2": "L2/3 IT", "slc17a8": "L6 IT",
}
_LAYER_SUBCLASS = {"1": "L2/3 IT", "2/3": "L2/3 IT", "2": "L2/3 IT", "3": "L2/3 IT", "4": "L4 IT",
                   "5": "L5 IT", "6a": "L6 IT", "6b": "L6b", "6": "L5 IT"}

# Intrinsic feature -> (excitatory mean, inhibitory mean), SI units.
_INTRINSIC = {
    "rheobase": (150e-12, 100e-12), "fi_slope": (2e11, 5e11), "input_resistance": (150e6, 180e6),
    "input_resistance_ss": (130e6, 170e6), "sag": (0.1, 0.08), "tau": (20e-3, 10e-3),
    "sag_peak_t": (0.05, 0.04), "sag_depol": (0.02, 0.02), "sag_peak_t_depol": (0.05, 0.05),
    "ap_upstroke_downstroke_ratio": (3.5, 1.5), "ap_width": (1.0e-3, 0.45e-3),
    "ap_upstroke": (300.0, 350.0), "ap_downstroke": (-90.0, -250.0),
    "ap_threshold_v": (-0.040, -0.042), "ap_peak_deltav": (0.08, 0.07),
    "ap_fast_trough_deltav": (-0.015, -0.022), "firing_rate_rheo": (8.0, 20.0),
    "latency_rheo": (0.3, 0.2), "firing_rate_40pa": (12.0, 30.0), "latency_40pa": (0.1, 0.05),
    "adaptation_index": (0.1, 0.03), "isi_cv": (0.2, 0.15), "chirp_peak_freq": (3.0, 8.0),
    "chirp_3db_freq": (8.0, 15.0), "chirp_peak_ratio": (1.3, 1.1),
    "chirp_peak_impedance": (180e6, 220e6), "chirp_sync_freq": (5.0, 10.0),
    "chirp_inductive_phase": (0.2, 0.1), "isi_adapt_ratio": (1.2, 1.05),
    "upstroke_adapt_ratio": (0.9, 0.95), "downstroke_adapt_ratio": (0.85, 0.95),
    "width_adapt_ratio": (1.1, 1.05), "threshold_v_adapt_ratio": (0.95, 0.98),
}

# Distributions of generated floats: ("norm", mean, sd), ("unif", lo, hi), ("logn", median, sigma),
# ("int", lo, hi) inclusive, ("logu", lo, hi) for 10 ** uniform(lo, hi), ("ratio", mean, sd)
# clipped to [-1, 1].
_Spec = dict[str, tuple[str, float, float]]

_PATCH_SEQ: _Spec = {
    "reseal": ("int", 0, 1), "area_400_10000bp": ("unif", 20, 90),
    "picogreen_yield": ("logn", 400, 0.6), "score": ("unif", 0.3, 1), "res_index": ("unif", 0.4, 1),
    "top_leaf_score": ("unif", 0.3, 1), "quality_score": ("unif", 0, 1),
    "norm_marker_sum": ("unif", 0, 1.6), "seurat_score": ("unif", 0.3, 1),
    "tree_first_bt": ("unif", 0.5, 1), "tree_first_kl": ("unif", 0, 3),
    "tree_first_cor": ("unif", 0.4, 0.9), "tree_second_bt": ("unif", 0, 0.5),
    "tree_second_kl": ("unif", 1, 5), "tree_second_cor": ("unif", 0.2, 0.7),
    "tree_third_bt": ("unif", 0, 0.2), "genes_detected": ("int", 2000, 12000),
}
_PSP: _Spec = {
    "latency": ("logn", 1.5e-3, 0.35), "psp_amplitude": ("logn", 0.4e-3, 0.6),
    "psp_rise_time": ("logn", 2.5e-3, 0.4), "psp_decay_tau": ("logn", 30e-3, 0.5),
    "psc_amplitude": ("logn", 20e-12, 0.7), "psc_rise_time": ("logn", 1e-3, 0.4),
    "psc_decay_tau": ("logn", 6e-3, 0.5),
}
_GAP_JUNCTION: _Spec = {
    "corr_coeff_pulse": ("unif", 0.1, 0.9), "corr_coeff_noise": ("unif", 0.05, 0.8),
    "p_val_pulse": ("logu", -10, -2), "p_val_noise": ("logu", -8, -1),
    "coupling_coeff_pulse": ("unif", 0.01, 0.2), "coupling_coeff_noise": ("unif", 0.01, 0.2),
    "junctional_conductance": ("logn", 0.5e-9, 0.6),
}
# Amplitude-like entries are in units of a typical response (_UNITS) and scaled per clamp mode.
_UNITS = {"ic": 1e-3, "vc": 1e-10}  # volts in current clamp, amperes in voltage clamp
_FIT: _Spec = {
    "amp": ("logn", 0.3, 0.9), "xoffset": ("unif", 0.5e-3, 3e-3), "yoffset": ("norm", 0, 0.01),
    "rise_time": ("logn", 2e-3, 0.4), "rise_power": ("unif", 2, 2),
    "decay_tau": ("logn", 20e-3, 0.5), "exp_amp": ("norm", 0, 0.05), "exp_tau": ("logn", 0.1, 0.5),
    "nrmse": ("logn", 0.4, 0.5),
}
_FIT_SIGNED = ("amp", "yoffset", "exp_amp")
_AVG_FIT: _Spec = {
    **{f"fit_{k}": v for k, v in _FIT.items() if k != "nrmse"}, "nrmse": _FIT["nrmse"],
    "initial_xoffset": ("unif", 0.5e-3, 3e-3), "avg_data_start_time": ("unif", -3e-3, -3e-3),
    "n_averaged_responses": ("int", 10, 300), "avg_baseline_noise": ("logn", 0.05, 0.4),
}
_STP = {"stp_initial_50hz": -0.1, "stp_induction_50hz": -0.2, "stp_recovery_250ms": -0.05,
        "stp_recovery_single_250ms": -0.05}
_DYNAMICS_AMPS = tuple(f"pulse_amp_{s}" for s in ("first_50hz", *_STP))
_DYNAMICS: _Spec = {
    "n_source_events": ("int", 20, 3000), "paired_pulse_ratio_50hz": ("logn", 0.9, 0.35),
    **{k: v for s, mean in _STP.items() for k, v in (
        (s, ("ratio", mean, 0.25)), (f"{s}_n", ("int", 1, 60)), (f"{s}_std", ("unif", 0.02, 0.4)))},
    "pulse_amp_90th_percentile": ("logn", 0.6e-3, 0.7),
    "noise_amp_90th_percentile": ("logn", 0.15e-3, 0.4),
    **{k: v for s in _DYNAMICS_AMPS for k, v in (
        (s, ("logn", 0.4e-3, 0.8)), (f"{s}_n", ("int", 1, 60)), (f"{s}_std", ("logn", 0.15e-3, 0.5)))},
    "noise_std": ("logn", 0.1e-3, 0.4), "variability_resting_state": ("logn", 0.5, 0.5),
    "variability_second_pulse_50hz": ("logn", 0.5, 0.5),
    "variability_stp_induced_state_50hz": ("logn", 0.5, 0.5),
    "variability_change_initial_50hz": ("norm", 0, 0.3),
    "variability_change_induction_50hz": ("norm", 0, 0.3),
    **{k: v for s in ("1_2", "2_4", "4_8") for k, v in (
        (f"paired_event_correlation_{s}_r", ("unif", -0.3, 0.6)),
        (f"paired_event_correlation_{s}_p", ("logu", -4, 0)))},
}
_MODEL: _Spec = {
    "n_source_events": ("int", 50, 3000), "max_likelihood": ("norm", -500, 200),
    "ml_n_release_sites": ("int", 1, 20), "ml_base_release_probability": ("unif", 0.05, 0.95),
    "ml_mini_amplitude": ("logn", 0.1e-3, 0.5), "ml_mini_amplitude_cv": ("unif", 0.1, 1.0),
    "ml_depression_amount": ("unif", 0, 1), "ml_depression_tau": ("logu", -2, 0),
    "ml_facilitation_amount": ("unif", 0, 1), "ml_facilitation_tau": ("logu", -2, 0),
    "ml_measurement_stdev": ("logn", 0.1e-3, 0.3), "ml_strength": ("logn", 0.4e-3, 0.8),
    "ml_quanta_per_spike": ("logn", 2, 0.6), "ml_sites_pr_ratio": ("logn", 10, 1),
    "ml_release_dependence_ratio": ("unif", 0, 1),
    **{f"ml_{k}": v for k, v in _DYNAMICS.items() if k != "n_source_events"},
}
_MODEL_SIGNED = ("ml_mini_amplitude", "ml_strength", *(f"ml_{k}" for k in _DYNAMICS_AMPS))
# synapse_prediction: per-clamp-mode statistics of responses and of baseline (no-stimulus) windows.
_PREDICTION: _Spec = {
    "n_samples": ("int", 20, 600), "crosstalk_mean": ("norm", 0, 0.02),
    "base_crosstalk_mean": ("norm", 0, 0.02),
    **{k: v for m in ("amp", "deconv_amp") for k, v in (
        (f"{m}_mean", ("logn", 0.3, 0.9)), (f"{m}_stdev", ("logn", 0.2, 0.5)),
        (f"base_{m}_mean", ("norm", 0, 0.05)), (f"base_{m}_stdev", ("logn", 0.15, 0.4)),
        (f"{m}_ttest", ("logu", -12, 0)), (f"{m}_ks2samp", ("logu", -12, 0)))},
    "latency_mean": ("unif", 0.5e-3, 3e-3), "latency_stdev": ("logn", 0.5e-3, 0.5),
    "base_latency_mean": ("unif", 0, 4e-3), "base_latency_stdev": ("logn", 1e-3, 0.5),
    "latency_ttest": ("logu", -6, 0), "latency_ks2samp": ("logu", -6, 0),
    "average_response_t0": ("unif", -3e-3, -3e-3), "average_base_stdev": ("logn", 0.05, 0.4),
    **{f"fit_{k}": v for k, v in _FIT.items()},
}
_PREDICTION_SIGNED = ("amp_mean", "deconv_amp_mean", *(f"fit_{k}" for k in _FIT_SIGNED))
_PREDICTION_SCALED = (
    "crosstalk_mean", "base_crosstalk_mean", "amp_mean", "amp_stdev", "base_amp_mean",
    "base_amp_stdev", "deconv_amp_mean", "deconv_amp_stdev", "base_deconv_amp_mean",
    "base_deconv_amp_stdev", "average_base_stdev", *(f"fit_{k}" for k in _FIT_SIGNED),
)
_RESTING: _Spec = {
    **{k: v for k, v in _FIT.items() if k not in ("xoffset", "yoffset", "rise_power")},
    "latency": ("unif", 0.5e-3, 3e-3), "avg_data_start_time": ("unif", -3e-3, -3e-3),
}
# fmt: on


@dataclass(frozen=True)
class _Experiments:
    slice_of: np.ndarray  # slice index of each experiment
    slice_human: np.ndarray  # bool per slice
    slice_drivers: list[tuple[str, ...]]  # cre drivers of each mouse slice
    slice_ts: np.ndarray
    ts: np.ndarray  # acquisition timestamp of each experiment
    human: np.ndarray  # bool per experiment
    layer: list[str]  # target layer of each experiment
    n_cells: np.ndarray
    thickness: np.ndarray  # pia to white matter distance (m)
    x0: np.ndarray  # lateral position of the recording site (m)


@dataclass(frozen=True)
class _Cells:
    exp: np.ndarray  # experiment index of each cell
    electrode: np.ndarray  # global electrode index
    human: np.ndarray
    cre: list[str | None]
    target: list[str | None]
    ex: np.ndarray  # latent identity: True excitatory, False inhibitory
    frac: np.ndarray  # fractional cortical depth, 0 at pia and 1 at white matter
    xyz: np.ndarray  # (n, 3) position in metres, NaN when unknown
    votes: dict[str, np.ndarray]  # class-vote bits per evidence kind


@dataclass(frozen=True)
class _Pairs:
    exp: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    recip: np.ndarray
    synapse: np.ndarray  # has_synapse as 0/1/NaN
    poly: np.ndarray  # has_polysynapse
    electrical: np.ndarray  # has_electrical
    n_ex: np.ndarray
    n_in: np.ndarray


def write_release(
    path: str | os.PathLike[str],
    *,
    n_experiments: int = 60,
    seed: int = 0,
    schema_version: str = "22",
    fan_out: bool = False,
    overwrite: bool = False,
    creation_date: str = "2024-05-07",
) -> pathlib.Path:
    """Write a synthetic synphys release to ``path``.

    The file has exactly the tables, columns and indexes of the published ``schema_version``;
    its content depends only on the arguments, so the same arguments give a byte-identical file.
    It is written under a temporary name in the same directory and renamed into place only when
    complete.

    Parameters
    ----------
    path
        Destination SQLite file. Its directory must exist.
    n_experiments
        Number of multipatch experiments; each has 2-8 cells and every ordered pair of them.
        :data:`PUBLISHED_SMALL_EXPERIMENTS` gives the size of the published small release.
    seed
        Seed of the random generator.
    schema_version
        Published schema version whose DDL is used. Columns and tables missing in an older
        version are skipped; columns the generator does not know stay NULL.
    fan_out
        Give ~10 % of the keys of the one-to-many child tables two rows (never for tables with a
        unique key). Published releases have at most one row per key.
    overwrite
        Replace an existing file at ``path``.
    creation_date
        ``YYYY-MM-DD`` stored in the ``metadata`` row.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InvalidArgumentError
        If an argument has a value that is not allowed.
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from synphys_ibis.synthetic import release_summary, write_release
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_release(tmp / "tiny.sqlite", n_experiments=3, seed=1)
    >>> path.name
    'tiny.sqlite'
    >>> counts = release_summary(path)
    >>> counts["metadata"], counts["experiment"], counts["electrode"]
    (1, 3, 24)
    >>> counts["pair"] > 0
    True
    >>> shutil.rmtree(tmp)
    """
    version = _validate(n_experiments, seed, schema_version, creation_date)
    target = pathlib.Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"directory {str(target.parent)!r} does not exist")
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        meta = {"db_version": version, "creation_date": creation_date, "origin": _ORIGIN}
        _write(tmp, version, meta, _release(n_experiments, seed, fan_out=fan_out))
        if target.exists() and not overwrite:
            raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def release_summary(path: str | os.PathLike[str]) -> dict[str, int]:
    """Count the rows of every table of an SQLite release.

    Parameters
    ----------
    path
        An SQLite file, opened read-only.

    Returns
    -------
    dict[str, int]
        Table name -> row count, in the order the tables were created.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, shutil, tempfile
    >>> from synphys_ibis.synthetic import release_summary, write_release
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> summary = release_summary(write_release(tmp / "r.sqlite", n_experiments=2))
    >>> list(summary)[:3], summary["pulse_response"]
    (['metadata', 'pipeline', 'slice'], 0)
    >>> shutil.rmtree(tmp)
    """
    file = pathlib.Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(f"no SQLite file at {str(file)!r}")
    with contextlib.closing(sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


# --------------------------------------------------------------------------- validation, writing


def _validate(n_experiments: Any, seed: Any, schema_version: Any, creation_date: Any) -> str:
    """Check the arguments of :func:`write_release`; return the schema version as text."""
    for name, value, low in (("n_experiments", n_experiments, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise InvalidArgumentError(
                f"{name}={value!r} is not allowed; allowed values: an integer >= {low}."
            )
    known = available_schema_versions()
    version = str(schema_version) if isinstance(schema_version, str | int) else schema_version
    if version not in known:
        raise InvalidArgumentError.for_value("schema_version", schema_version, known)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", creation_date):
            raise ValueError(creation_date)
        dt.date.fromisoformat(creation_date)
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"creation_date={creation_date!r} is not allowed; allowed values: a date 'YYYY-MM-DD'."
        ) from err
    return str(version)


def _write(
    file: pathlib.Path, version: str, meta: dict[str, str], tables: Iterator[tuple[str, _Columns]]
) -> None:
    """Create the schema in ``file`` and insert the generated tables in one transaction."""
    schema = load_schema(version)
    with contextlib.closing(sqlite3.connect(file, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.executescript(ddl(version))
        con.execute("BEGIN")
        _insert(con, schema.table("metadata"), {"meta": [meta]})
        for name, columns in tables:
            if name in schema:
                _insert(con, schema.table(name), columns)
        con.execute("COMMIT")


def _insert(con: sqlite3.Connection, table: Table, columns: _Columns) -> None:
    """Insert rows ``1..n`` of one table, only for the columns the table has."""
    n = len(next(iter(columns.values())))
    data = {"id": list(range(1, n + 1)), "meta": [None] * n, **columns}
    names, values = [], []
    for col in table.columns:
        encoded = _encode(data[col.name], col.type) if col.name in data else None
        if encoded is not None:
            names.append(col.name)
            values.append(encoded)
    marks = ", ".join("?" * len(names))
    con.executemany(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", zip(*values, strict=True)
    )


def _encode(values: Any, kind: str) -> list[Any] | None:
    """Encode one column as the published files store ``kind``; None if it does not fit."""
    if isinstance(values, np.ndarray):
        if kind not in ("int", "bigint", "float", "bool"):
            return None
        missing = np.isnan(values)
        out = (
            values.astype(object)
            if kind == "float"
            else np.where(missing, 0, values).astype(np.int64).astype(object)
        )
        out[missing] = None
        return out.tolist()
    if kind == "object":
        return ["null" if v is None else json.dumps(v) for v in values]
    if kind == "array":
        return [b"" if v is None else v for v in values]
    sample = next((v for v in values if v is not None), None)
    if kind in ("int", "bigint", "float", "bool") and isinstance(sample, str):
        return None
    return list(values)


@cache
def _npy_header(dtype: str, length: int) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros(length, dtype=dtype), allow_pickle=False)
    return buf.getvalue()[: -length * np.dtype(dtype).itemsize or None]


def _npy(array: np.ndarray) -> bytes:
    """``numpy.save`` bytes of a 1-D array (header cached per dtype and length)."""
    return _npy_header(array.dtype.str, len(array)) + array.tobytes()


def _datetimes(ts: np.ndarray) -> list[str | None]:
    """Unix timestamps as the DATETIME text of the published files (NaN -> None)."""
    epoch = dt.datetime(1970, 1, 1)
    return [
        None if np.isnan(t) else (epoch + dt.timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S.%f")
        for t in ts.tolist()
    ]


# --------------------------------------------------------------------------- random helpers


def _nulls(rng: np.random.Generator, values: Any, frac: float | np.ndarray) -> np.ndarray:
    """Float copy of ``values`` with a fraction ``frac`` replaced by NaN."""
    out = np.array(values, dtype=float)
    out[rng.random(len(out)) < frac] = np.nan
    return out


def _pick(
    rng: np.random.Generator, weights: Mapping[Any, float], n: int, *, null: float = 0.0
) -> list[Any]:
    """``n`` draws from the keys of ``weights``; a fraction ``null`` becomes None."""
    keys = list(weights)
    p = np.array(list(weights.values()), dtype=float)
    idx = rng.choice(len(keys), size=n, p=p / p.sum()).tolist()
    missing = (rng.random(n) < null).tolist()
    return [None if m else keys[i] for i, m in zip(idx, missing, strict=True)]


def _draw(rng: np.random.Generator, spec: tuple[str, float, float], n: int) -> np.ndarray:
    kind, a, b = spec
    if kind == "norm":
        return rng.normal(a, b, n)
    if kind == "ratio":
        return np.clip(rng.normal(a, b, n), -1.0, 1.0)
    if kind == "unif":
        return rng.uniform(a, b, n)
    if kind == "logn":
        return a * np.exp(rng.normal(0.0, b, n))
    if kind == "logu":
        return 10.0 ** rng.uniform(a, b, n)
    return rng.integers(int(a), int(b) + 1, n).astype(float)


def _block(
    rng: np.random.Generator,
    spec: _Spec,
    n: int,
    *,
    null: float | np.ndarray = 0.05,
    sign: np.ndarray | float = 1.0,
    signed: Sequence[str] = (),
    unit: np.ndarray | float = 1.0,
    scaled: Sequence[str] = (),
    prefix: str = "",
) -> _Columns:
    """Float columns drawn from ``spec``, named ``prefix + name``.

    Columns in ``scaled`` are multiplied by ``unit`` and those in ``signed`` by ``sign`` (both
    scalars or per-row arrays); a fraction ``null`` of each column is NULL.
    """
    out = {}
    for name, dist in spec.items():
        values = _draw(rng, dist, n)
        values = values * (unit if name in scaled else 1.0) * (sign if name in signed else 1.0)
        out[prefix + name] = _nulls(rng, values, null)
    return out


def _subset(rng: np.random.Generator, n: int, frac: float | np.ndarray) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < frac)


def _fan(rng: np.random.Generator, keys: np.ndarray, fan_out: bool) -> np.ndarray:
    """Repeat ~10 % of ``keys`` (at least one) when ``fan_out`` is set."""
    if not fan_out or len(keys) == 0:
        return keys
    counts = 1 + (rng.random(len(keys)) < 0.1)
    if counts.sum() == len(keys):
        counts[0] = 2
    return np.repeat(keys, counts)


def _repeated(keys: np.ndarray) -> np.ndarray:
    """True for rows whose key equals the previous row's key (the extra fan-out rows)."""
    return np.r_[False, keys[1:] == keys[:-1]]


def _ids(index: np.ndarray) -> np.ndarray:
    """0-based row indexes -> 1-based ids as a float column."""
    return index.astype(float) + 1.0


def _labels(mask: np.ndarray) -> list[str | None]:
    return [_CLASS_LABELS.get(m, "mixed") for m in mask.tolist()]


def _traces(
    rng: np.random.Generator, amp: np.ndarray, present: float, *, samples: int = 50
) -> list[bytes | None]:
    """Averaged-response waveforms (``.npy`` bytes) for a fraction ``present`` of the rows."""
    t = np.arange(samples) * 1e-3
    shape = (1 - np.exp(-t / 2e-3)) * np.exp(-t / 20e-3)
    amp = np.where(np.isnan(amp), 0.0, amp)
    data = amp[:, None] * shape / shape.max()
    data += rng.normal(0, 0.05, data.shape) * np.abs(amp)[:, None]
    keep = ((rng.random(len(amp)) < present) & (amp != 0)).tolist()
    return [_npy(row) if k else None for row, k in zip(data, keep, strict=True)]


# --------------------------------------------------------------------------- the synthetic world


def _release(n_experiments: int, seed: int, *, fan_out: bool) -> Iterator[tuple[str, _Columns]]:
    """Generate the non-empty tables, parents before the tables that need them."""
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


def _plan_experiments(rng: np.random.Generator, n: int) -> _Experiments:
    """Slices (a few hold two experiments), species, drivers, timestamps and target layers."""
    shares = rng.random(n) < 0.12
    shares[0] = False
    shares[1:] &= ~shares[:-1]  # at most two experiments per slice
    slice_of = np.cumsum(~shares) - 1
    n_slices = int(slice_of[-1]) + 1
    slice_human = rng.random(n_slices) < 0.13
    slice_human[:2] = [False, True][:n_slices]  # both species whenever there are two slices
    combos = list(_DRIVER_COMBOS)
    drivers = [
        () if h else combos[i]
        for h, i in zip(
            slice_human.tolist(),
            _pick(rng, dict(enumerate(_DRIVER_COMBOS.values())), n_slices),
            strict=True,
        )
    ]
    ts = 1.46e9 + np.cumsum(
        np.where(shares, rng.uniform(1200, 4800, n), rng.uniform(2e4, 1.3e5, n))
    )
    slice_ts = ts[~shares] - rng.uniform(1800, 9000, n_slices)
    human = slice_human[slice_of]
    layer = []
    for h, d in zip(human.tolist(), [drivers[s] for s in slice_of], strict=True):
        spans = [_DRIVER_TARGETS[x] for x in d if x in _DRIVER_TARGETS]
        options = spans[0] if spans else tuple(_HUMAN_TARGETS if h else _MOUSE_TARGETS)
        layer.append(options[int(rng.integers(len(options)))])
    n_cells = np.where(
        human,
        rng.choice(np.arange(2, 9), n, p=[0.08, 0.10, 0.15, 0.18, 0.18, 0.16, 0.15]),
        rng.choice(np.arange(2, 9), n, p=[0.04, 0.06, 0.10, 0.15, 0.20, 0.22, 0.23]),
    )
    thickness = np.where(human, rng.normal(2700e-6, 300e-6, n), rng.normal(850e-6, 60e-6, n))
    return _Experiments(slice_of, slice_human, drivers, slice_ts, ts, human, layer, n_cells,
                        thickness, x0=rng.uniform(-1e-3, 1e-3, n))  # fmt: skip


def _genotype(drivers: tuple[str, ...]) -> str:
    reporter = "Ai14(RCL-tdT)/wt" if len(drivers) == 1 else "Ai193(TIT2L-GFP-ICF-tdT)/wt"
    return ";".join([*(f"{_ALLELES[d]}/wt" for d in drivers), reporter])


def _slice_rows(rng: np.random.Generator, ex: _Experiments) -> _Columns:
    n = len(ex.slice_ts)
    human = ex.slice_human
    age = _nulls(rng, np.where(human, rng.integers(20, 81, n), rng.integers(30, 91, n)), 0.05)
    born = ex.slice_ts - age * np.where(human, 365.25, 1.0) * 86400
    days = [str(d)[:10] for d in _datetimes(ex.slice_ts)]
    genotypes = [None if h else _genotype(d) for h, d in zip(human, ex.slice_drivers, strict=True)]
    specimen = [
        f"H{d[2:4]}.03.{i % 997:03d}.11.{i % 13:02d}.01"
        if g is None
        else f"{g.split('/')[0]};Ai14-{400000 + i}.{i % 7:02d}.{i % 5:02d}.01"
        for i, (g, d) in enumerate(zip(genotypes, days, strict=True))
    ]
    conditions = [
        None
        if r < 0.2
        else {"thickness_um": 350, "cutting_solution": "NMDG" if r < 0.7 else "sucrose"}
        for r in rng.random(n).tolist()
    ]
    return {
        "ext_id": [f"{t:.3f}" for t in ex.slice_ts.tolist()],
        "acq_timestamp": ex.slice_ts,
        "species": ["human" if h else "mouse" for h in human.tolist()],
        "date_of_birth": _datetimes(born),
        "age": age,
        "sex": _pick(rng, {"M": 48, "F": 48, "unknown": 4}, n, null=0.02),
        "weight": [
            None if h else f"{w:.1f}" for h, w in zip(human, rng.uniform(15, 30, n), strict=True)
        ],
        "genotype": genotypes,
        "orientation": _pick(rng, {"coronal": 85, "sagittal": 15}, n, null=0.1),
        "surface": _pick(rng, {"medial": 50, "lateral": 50}, n, null=0.2),
        "hemisphere": _pick(rng, {"left": 50, "right": 50}, n, null=0.1),
        "quality": _nulls(rng, rng.integers(0, 6, n), 0.1),
        "slice_time": _datetimes(ex.slice_ts - rng.uniform(3600, 10800, n)),
        "slice_conditions": conditions,
        "lims_specimen_name": _with_none(rng, specimen, 0.03),
        "storage_path": [f"{d}_000/slice_{i:04d}" for i, d in enumerate(days)],
        "meta": [{"lims_slice_id": int(x)} if x < 1e8 else None for x in rng.uniform(0, 1e9, n)],
    }


def _with_none(rng: np.random.Generator, values: list[Any], frac: float) -> list[Any]:
    return [
        None if m else v
        for v, m in zip(values, (rng.random(len(values)) < frac).tolist(), strict=True)
    ]


def _experiment_rows(rng: np.random.Generator, ex: _Experiments) -> _Columns:
    n = len(ex.ts)
    human = ex.human.tolist()
    by_species = {h: _pick(rng, _PROJECTS[h], n, null=0.02) for h in (False, True)}
    projects = [by_species[h][i] for i, h in enumerate(human)]
    mouse_ids = [i for i, h in enumerate(human) if not h]
    human_ids = [i for i, h in enumerate(human) if h]
    for ids, names in ((mouse_ids, _COARSE[False]), (human_ids, _COARSE[True])):
        for i, name in zip(ids, names, strict=False):  # every coarse-matrix project appears
            projects[i] = name
    site = np.arange(n) - np.searchsorted(ex.slice_of, ex.slice_of)
    days = [str(d)[:10] for d in _datetimes(ex.slice_ts[ex.slice_of])]
    return {
        "ext_id": ["%0.3f" % t for t in ex.ts.tolist()],  # noqa: UP031 - the published format
        "slice_id": _ids(ex.slice_of),
        "project_name": projects,
        "date": _datetimes(ex.ts),
        "target_region": _with_none(rng, ["MTG" if h else "VisP" for h in human], 0.02),
        "internal": _pick(rng, _INTERNAL, n, null=0.03),
        "acsf": _pick(rng, _ACSF, n, null=0.04),
        "target_temperature": _nulls(rng, np.where(rng.random(n) < 0.9, 34.0, 32.0), 0.1),
        "rig_name": _pick(rng, {f"MP{i}": 1 for i in range(1, 6)}, n, null=0.02),
        "operator_name": _pick(rng, {f"operator_{i:02d}": 1 for i in range(1, 9)}, n, null=0.05),
        "storage_path": [
            f"{d}_000/slice_{s:04d}/site_{k:03d}"
            for d, s, k in zip(days, ex.slice_of.tolist(), site.tolist(), strict=True)
        ],
        "ephys_file": [f"MultiPatch_{int(t) % 100000:05d}.nwb" for t in ex.ts.tolist()],
        "acq_timestamp": ex.ts,
        "meta": [{"rig_temperature_ok": True} if r < 0.1 else None for r in rng.random(n).tolist()],
    }


def _site_rows(rng: np.random.Generator, ex: _Experiments) -> _Columns:
    n = len(ex.ts)
    bounds = {}
    for human, layers in ((False, _MOUSE_LAYERS), (True, _HUMAN_LAYERS)):
        starts = list(layers.values())
        bounds[human] = {
            k: [a, b] for k, a, b in zip(layers, starts, [*starts[1:], 1.0], strict=True)
        }
    return {
        "slice_id": _ids(ex.slice_of),
        "experiment_id": _ids(np.arange(n)),
        "pia_to_wm_distance": _nulls(rng, ex.thickness, 0.03),
        "pia_position": [[x, 0.0] for x in ex.x0.tolist()],
        "wm_position": [[x, t] for x, t in zip(ex.x0.tolist(), ex.thickness.tolist(), strict=True)],
        "layer_boundaries": _with_none(rng, [bounds[h] for h in ex.human.tolist()], 0.05),
        "brain_region": ["MTG" if h else "VisP" for h in ex.human.tolist()],
    }


def _cre_vote(cre: str | None) -> int:
    names = cre.split(",") if cre else []
    if names and all(n in EXCITATORY_CRE_TYPES for n in names):
        return _EX
    if names and all(n in INHIBITORY_CRE_TYPES for n in names):
        return _IN
    return 0


def _cell_cre(rng: np.random.Generator, ex: _Experiments, exp: np.ndarray) -> list[str | None]:
    """Cre type per cell: one of its slice's drivers, 'unknown' (reporter-negative) or None."""
    out: list[str | None] = []
    draws = zip(
        exp.tolist(),
        rng.random(len(exp)).tolist(),
        rng.integers(0, 2, len(exp)).tolist(),
        strict=True,
    )
    for e, u, k in draws:
        drivers = ex.slice_drivers[ex.slice_of[e]]
        if not drivers:  # human: no transgenic labelling
            out.append("unknown" if u < 0.7 else None)
        elif u < 0.18:
            out.append("unknown" if u < 0.15 else None)
        elif u < 0.19 and len(drivers) > 1:
            out.append(",".join(drivers))
        else:
            out.append(drivers[k % len(drivers)])
    return out


def _layers(frac: np.ndarray, human: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Cortical layer name and its fractional bounds at each fractional depth."""
    names, lows, highs = [], [], []
    for layers in (_MOUSE_LAYERS, _HUMAN_LAYERS):
        starts = np.array(list(layers.values()))
        i = np.searchsorted(starts, frac, side="right") - 1
        names.append(np.array(list(layers), dtype=object)[i])
        lows.append(starts[i])
        highs.append(np.r_[starts[1:], 1.0][i])
    return (
        np.where(human, names[1], names[0]).tolist(),
        np.where(human, lows[1], lows[0]),
        np.where(human, highs[1], highs[0]),
    )


def _plan_cells(rng: np.random.Generator, ex: _Experiments) -> _Cells:
    """Cells on a random subset of the 8 electrodes, with cre type, identity and position."""
    n_exp = len(ex.ts)
    ranks = np.argsort(np.argsort(rng.random((n_exp, 8)), axis=1), axis=1)
    exp, slot = np.nonzero(ranks < ex.n_cells[:, None])
    n = len(exp)
    human = ex.human[exp]
    cre = _cell_cre(rng, ex, exp)
    votes = np.array([_cre_vote(c) for c in cre], dtype=np.int64)
    identity = np.where(votes == _EX, True, np.where(votes == _IN, False, rng.random(n) < 0.72))
    spans = [
        (_HUMAN_TARGETS if h else _MOUSE_TARGETS)[t]
        for h, t in zip(ex.human, ex.layer, strict=True)
    ]
    low, high = np.array(spans).T
    centre = low + (high - low) * rng.uniform(0.2, 0.8, n_exp)  # depth of the recording site
    spread = np.minimum(0.25 * (high - low), 60e-6 / ex.thickness)
    frac = np.clip(centre[exp] + spread[exp] * rng.normal(0, 1, n), 0.01, 0.99)
    xyz = np.column_stack(
        [
            ex.x0[exp] + rng.normal(0, 50e-6, n),
            frac * ex.thickness[exp],
            rng.uniform(20e-6, 90e-6, n),
        ]
    )
    xyz[rng.random(n) < 0.015] = np.nan
    target = _with_none(rng, [ex.layer[e] for e in exp.tolist()], 0.05)
    others = {k: np.zeros(n, dtype=np.int64) for k in ("morpho", "transcriptomic", "synaptic")}
    return _Cells(exp, exp * 8 + slot, human, cre, target, identity, frac, xyz,
                  votes={"transgenic": votes, **others})  # fmt: skip


def _electrode_rows(rng: np.random.Generator, ex: _Experiments, cells: _Cells) -> _Columns:
    n = 8 * len(ex.ts)
    used = np.zeros(n, dtype=bool)
    used[cells.electrode] = True
    with_cell = _pick(rng, {"GigaOhm": 90, "Low seal": 7, "Cell attached": 3}, n)
    without = _pick(rng, {"No seal": 40, "Low seal": 20, "No attempt": 30, "Tech. fail": 10}, n)
    status = [a if u else b for u, a, b in zip(used.tolist(), with_cell, without, strict=True)]
    start = np.repeat(ex.ts, 8) - rng.uniform(300, 1800, n)
    return {
        "experiment_id": _ids(np.arange(n) // 8),
        "ext_id": [str(i % 8 + 1) for i in range(n)],
        "patch_status": _with_none(rng, status, 0.02),
        "start_time": _datetimes(_nulls(rng, start, 0.02)),
        "stop_time": _datetimes(_nulls(rng, start + rng.uniform(600, 3600, n), 0.02)),
        "device_id": (np.arange(n) % 8).astype(float),
    }


def _morphology_rows(rng: np.random.Generator, cells: _Cells) -> _Columns:
    """At most one morphology row per cell; dendrite type mostly agrees with identity."""
    idx = _subset(rng, len(cells.exp), np.where(cells.human, 0.7, 0.6))
    m, ex = len(idx), cells.ex[idx]

    def by_identity(if_ex: dict[str, float], if_in: dict[str, float], null: float) -> list[Any]:
        a, b = _pick(rng, if_ex, m, null=null), _pick(rng, if_in, m, null=null)
        return [x if e else y for e, x, y in zip(ex.tolist(), a, b, strict=True)]

    dendrite = by_identity(
        {"spiny": 90, "sparsely spiny": 3, "aspiny": 2},
        {"aspiny": 75, "sparsely spiny": 15, "spiny": 4},
        0.06,
    )
    vote = {"spiny": _EX, "aspiny": _IN, "sparsely spiny": _IN}
    cells.votes["morpho"][idx] = [vote.get(d, 0) for d in dendrite]
    truncation = {"intact": 40, "truncated": 35, "borderline": 15, "unclear": 10}
    return {
        "cell_id": _ids(idx),
        "pyramidal": _nulls(rng, rng.random(m) < np.where(ex, 0.85, 0.04), 0.1),
        "qual_morpho_type": by_identity(
            {"pyr": 40, "tufted": 25, "untufted": 20, "stellate": 5},
            {"basket": 35, "martinotti": 25, "bipolar": 15, "neurogliaform": 15, "chandelier": 3},
            0.3,
        ),
        "dendrite_type": dendrite,
        "apical_trunc_distance": _nulls(
            rng, rng.lognormal(np.log(150e-6), 0.5, m), np.where(ex, 0.3, 0.9)
        ),
        "axon_trunc_distance": _nulls(rng, rng.lognormal(np.log(120e-6), 0.5, m), 0.4),
        "apical_truncation": _pick(rng, truncation, m, null=0.2),
        "axon_truncation": _pick(rng, truncation, m, null=0.2),
        "axon_origin": _pick(rng, {"soma": 60, "dendrite": 30, "unclear": 10}, m, null=0.25),
    }


def _location_rows(
    rng: np.random.Generator, ex: _Experiments, cells: _Cells, fan_out: bool
) -> _Columns:
    """Cortical location of ~80 % of cells; extra fan-out rows sit at a shifted depth."""
    idx = _fan(rng, _subset(rng, len(cells.exp), 0.8), fan_out)
    m = len(idx)
    shift = _repeated(idx) * rng.choice([-1.0, 1.0], m) * rng.uniform(0.05, 0.15, m)
    frac = np.clip(cells.frac[idx] + shift, 0.005, 0.995)
    names, low, high = _layers(frac, cells.human[idx])
    thick = ex.thickness[cells.exp[idx]]
    position = [None if np.isnan(x) else [x, y] for x, y in cells.xyz[idx, :2].tolist()]
    return {
        "cell_id": _ids(idx),
        "cortical_site_id": _ids(cells.exp[idx]),
        "cortical_layer": _with_none(rng, names, 0.02),
        "distance_to_pia": _nulls(rng, frac * thick, 0.03),
        "distance_to_wm": _nulls(rng, (1 - frac) * thick, 0.03),
        "fractional_depth": _nulls(rng, frac, 0.03),
        "layer_depth": _nulls(rng, (frac - low) * thick, 0.03),
        "layer_thickness": _nulls(rng, (high - low) * thick, 0.03),
        "fractional_layer_depth": _nulls(rng, (frac - low) / (high - low), 0.03),
        "position": position,
    }


def _subclasses(
    rng: np.random.Generator, cells: _Cells, idx: np.ndarray
) -> tuple[list[str], list[str]]:
    """Transcriptomic subclass and t-type of the cells ``idx``, consistent with cre and layer."""
    layers, _, _ = _layers(cells.frac[idx], cells.human[idx])
    picks = rng.integers(0, 1000, (len(idx), 2)).tolist()
    subclasses, t_types = [], []
    for i, layer, (a, b) in zip(idx.tolist(), layers, picks, strict=True):
        cre = cells.cre[i]
        if cre in _CRE_SUBCLASS:
            sub = _CRE_SUBCLASS[cre]
        elif cells.ex[i]:
            sub = _LAYER_SUBCLASS[layer]
        else:
            sub = _INHIBITORY_SUBCLASSES[a % len(_INHIBITORY_SUBCLASSES)]
        types = (_HUMAN_T_TYPES if cells.human[i] else _T_TYPES)[sub]
        subclasses.append(sub)
        t_types.append(types[b % len(types)])
    return subclasses, t_types


def _patch_seq_rows(rng: np.random.Generator, ex: _Experiments, cells: _Cells) -> _Columns:
    """Transcriptomic results for ~20 % of cells (one row per cell)."""
    idx = _subset(rng, len(cells.exp), 0.2)
    m = len(idx)
    subclass, t_type = _subclasses(rng, cells, idx)
    broad = _with_none(
        rng,
        ["GABAergic" if s in _INHIBITORY_SUBCLASSES else "Glutamatergic" for s in subclass],
        0.03,
    )
    cells.votes["transcriptomic"][idx] = [
        {"GABAergic": _IN, "Glutamatergic": _EX}.get(b, 0) for b in broad
    ]
    cols = _block(rng, _PATCH_SEQ, m, null=0.05)
    day = (ex.ts[cells.exp[idx]] // 86400).astype(int).tolist()
    second = [
        f"{t} B" if r < 0.5 else t for t, r in zip(t_type, rng.random(m).tolist(), strict=True)
    ]
    return cols | {
        "cell_id": _ids(idx),
        "tube_id": [f"PAS4_{d}_{k:05d}_A01" for k, d in enumerate(day)],
        "nucleus": _pick(rng, {"+": 55, "-": 30, "maybe": 10}, m, null=0.05),
        "patchseq_hash": [rng.bytes(16).hex() for _ in range(m)],
        "result_ba": _pick(rng, {"Pass": 80, "Fail": 20}, m, null=0.1),
        "cluster_detail": t_type,
        "cluster_label": t_type,
        "top_leaf": t_type,
        "broad_class_label": broad,
        "subclass_label": subclass,
        "seurat_cluster": _with_none(rng, t_type, 0.1),
        "tree_first_cluster": t_type,
        "tree_second_cluster": second,
        "tree_third_cluster": _with_none(rng, second, 0.3),
        "tree_call": _pick(rng, {"Core": 55, "I1": 20, "I2": 10, "I3": 5, "PoorQ": 10}, m),
        "t_type": _with_none(rng, t_type, 0.05),
        "last_map": t_type,
        "last_score": [None if np.isnan(s) else f"{s:.3f}" for s in cols["score"].tolist()],
        "mapped_subclass": subclass,
        "batch": [f"batch_{int(b):02d}" for b in rng.integers(1, 30, m)],
    }


def _intrinsic_rows(rng: np.random.Generator, cells: _Cells, fan_out: bool) -> _Columns:
    """Electrophysiology features of ~70 % of cells; chirp features are often missing."""
    idx = _fan(rng, _subset(rng, len(cells.exp), 0.7), fan_out)
    m, ex = len(idx), cells.ex[idx]
    cols: _Columns = {"cell_id": _ids(idx)}
    for name, (if_ex, if_in) in _INTRINSIC.items():
        values = np.where(ex, if_ex, if_in) * rng.lognormal(0.0, 0.25, m)
        cols[name] = _nulls(rng, values, 0.35 if name.startswith("chirp") else 0.05)
    return cols


def _pair_index(n_cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Experiment, pre cell, post cell and reverse pair of every ordered pair of distinct cells."""
    local = {}
    for k in range(2, 9):
        pre, post = np.nonzero(~np.eye(k, dtype=bool))
        where = np.zeros((k, k), dtype=np.int64)
        where[pre, post] = np.arange(len(pre))
        local[k] = (pre, post, where[post, pre])
    cell_start = np.r_[0, np.cumsum(n_cells)[:-1]]
    pair_start = np.r_[0, np.cumsum(n_cells * (n_cells - 1))[:-1]]
    parts = [
        (np.full(len(local[k][0]), e), local[k][0] + c, local[k][1] + c, local[k][2] + p)
        for e, (k, c, p) in enumerate(
            zip(n_cells.tolist(), cell_start.tolist(), pair_start.tolist(), strict=True)
        )
    ]
    exp, pre, post, recip = (np.concatenate(x) for x in zip(*parts, strict=True))
    return exp, pre, post, recip


def _plan_pairs(rng: np.random.Generator, ex: _Experiments, cells: _Cells) -> _Pairs:
    """Test-spike counts and connectivity of every pair.

    A pair is probed when its presynaptic cell fired more than 10 test spikes in the clamp mode
    matching its identity; only probed pairs can be connected, with a class-dependent rate.
    """
    exp, pre, post, recip = _pair_index(ex.n_cells)
    n = len(pre)
    pre_ex, post_ex = cells.ex[pre], cells.ex[post]
    probed = rng.random(n) < 0.33
    high, low = rng.integers(11, 201, (2, n)), rng.integers(0, 11, (2, n))
    main = np.where(probed, high[0], low[0])
    other = np.where(probed & (rng.random(n) < 0.5), high[1], low[1])
    rate = np.array([[0.12, 0.15], [0.15, 0.08]])[pre_ex.astype(int), post_ex.astype(int)]
    connected = probed & (rng.random(n) < rate * np.where(cells.human[pre], 0.8, 1.0))
    coupled = probed & (rng.random(n) < np.where(~pre_ex & ~post_ex, 0.08, 0.003))
    coupled |= coupled[recip]  # electrical coupling is symmetric
    unannotated = rng.random(n) < 0.04
    return _Pairs(
        exp,
        pre,
        post,
        recip,
        synapse=np.where(unannotated, np.nan, connected),
        poly=_nulls(rng, np.where(unannotated, np.nan, probed & (rng.random(n) < 0.01)), 0.02),
        electrical=_nulls(rng, np.where(unannotated, np.nan, coupled), 0.02),
        n_ex=_nulls(rng, np.where(pre_ex, main, other), 0.05),
        n_in=_nulls(rng, np.where(pre_ex, other, main), 0.05),
    )


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


def _cell_rows(rng: np.random.Generator, cells: _Cells) -> _Columns:
    """Cell rows; cell_class combines every vote, cell_class_nonsynaptic all but synaptic.

    As in the pipeline, a class is the single distinct vote, 'mixed' when votes disagree and
    None without votes; the votes are kept in ``meta`` for ~20 % of the cells.
    """
    v = cells.votes
    nonsynaptic = v["transgenic"] | v["morpho"] | v["transcriptomic"]
    labels = {k: _labels(mask) for k, mask in v.items()}
    meta = [
        {f"{k}_cell_class": labels[k][i] for k in v} if keep else None
        for i, keep in enumerate((rng.random(len(cells.exp)) < 0.2).tolist())
    ]
    return {
        "experiment_id": _ids(cells.exp),
        "ext_id": [str(e % 8 + 1) for e in cells.electrode.tolist()],
        "electrode_id": _ids(cells.electrode),
        "cre_type": cells.cre,
        "target_layer": cells.target,
        "position": [None if np.isnan(p[0]) else p for p in cells.xyz.tolist()],
        "depth": _nulls(rng, cells.xyz[:, 2], 0.04),
        "cell_class": _labels(nonsynaptic | v["synaptic"]),
        "cell_class_nonsynaptic": _labels(nonsynaptic),
        "meta": meta,
    }
