"""Value tables of the synthetic world: layers, cre drivers and alleles, projects, solutions,
t-types, intrinsic feature means and the distributions of the generated measurements."""

from __future__ import annotations

from synphys_ibis.schema.constants import DRIVER_LAYERS, HUMAN_PROJECTS, MOUSE_PROJECTS

# Cell-class votes as bits; a cell whose votes set more than one bit is 'mixed'.
_EX, _IN, _MIXED = 1, 2, 4
_CLASS_LABELS: dict[int, str | None] = {0: None, _EX: "ex", _IN: "in"}


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
