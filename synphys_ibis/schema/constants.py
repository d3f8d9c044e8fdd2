"""Domain constants of the synaptic physiology data set (values as in ``aisynphys.constants``)."""

from __future__ import annotations

__all__ = [
    "ACSF_RECIPES",
    "ALL_CRE_TYPES",
    "COARSE_MATRIX_PROJECTS",
    "DRIVER_LAYERS",
    "EXCITATORY_CRE_TYPES",
    "HUMAN_PROJECTS",
    "INHIBITORY_CRE_TYPES",
    "INTERNAL_RECIPES",
    "LAYERS",
    "MOUSE_PROJECTS",
    "PROBED_PAIR_TEST_SPIKE_LIMIT",
    "SYNAPSE_TYPES",
]

INHIBITORY_CRE_TYPES: tuple[str, ...] = (
    "sst",
    "pvalb",
    "vip",
    "ndnf",
    "chat",
    "htr3a",
    "nos1",
    "chrna2",
    "mDlx",
    "3xcorehI56i",
    "tac1",
)
EXCITATORY_CRE_TYPES: tuple[str, ...] = (
    "tlx3",
    "sim1",
    "fam84b",
    "rorb",
    "ntsr1",
    "rbp4",
    "ctgf",
    "glt25d2",
    "slc17a8",
    "cux2",
    "nr5a1",
    "eHGT_078m",
    "3xHGT_073m(core)",
)
ALL_CRE_TYPES: tuple[str, ...] = (*INHIBITORY_CRE_TYPES, *EXCITATORY_CRE_TYPES, "unknown")

#: Layers in which each excitatory driver line labels cells.
DRIVER_LAYERS: dict[str, tuple[str, ...]] = {
    "cux2": ("2", "2/3", "3", "4"),
    "rorb": ("4",),
    "nr5a1": ("4",),
    "tlx3": ("5",),
    "sim1": ("5",),
    "rbp4": ("5",),
    "slc17a8": ("5", "6"),
    "ntsr1": ("6",),
    "ctgf": ("6",),
}

LAYERS: tuple[str, ...] = ("1", "2", "2/3", "3", "4", "5", "5a", "5b", "6")

ACSF_RECIPES: tuple[str, ...] = (
    "Standard",
    "ACSF III (no blockers)",
    "2mM Ca & Mg",
    "1.3mM Ca & 1mM Mg",
    "4mM Ca",
    "4mM Ca + TTx,4AP",
    "mixed",
)
INTERNAL_RECIPES: tuple[str, ...] = (
    "Standard K-Gluc",
    "K-Gluc -EGTA",
    "K-Gluc 1uM EGTA",
    "PatchSeq",
    "Cesium",
    "mixed",
)

MOUSE_PROJECTS: tuple[str, ...] = ("mouse V1 coarse matrix", "mouse V1 pre-production")
HUMAN_PROJECTS: tuple[str, ...] = ("human coarse matrix",)
#: The projects that ``experiment_type='standard multipatch'`` selects.
COARSE_MATRIX_PROJECTS: tuple[str, ...] = (*MOUSE_PROJECTS, *HUMAN_PROJECTS)

SYNAPSE_TYPES: tuple[str, ...] = ("ex", "in", "mixed")

#: A pair counts as probed when the presynaptic cell fired more than this many test spikes
#: (``aisynphys.connectivity.probed_pair_test_spike_limit``).
PROBED_PAIR_TEST_SPIKE_LIMIT = 10
