"""aisynphys' ``measure_connectivity`` over the groups of :func:`classify_pairs`.

Per (pre class, post class) group: the pairs probed for a chemical connection (the presynaptic
cell fired more than 10 test spikes of the sign its ``cell_class_nonsynaptic`` gives; both signs
when that is unknown), those connected (``has_synapse``), the connection probability with its
Clopper-Pearson interval, and, with ``sigma``, the distance-adjusted probability
(``pmax = (n_connected / n_probed) / mean(exp(-x**2 / (2 sigma**2)))``, "connected" meaning
the pair has a synapse row, pairs with a non-finite distance left out), as aisynphys computes
them. Where aisynphys raised (a NULL test-spike count), a pair counts as not probed.

Gap junctions: a pair is probed when both cells' electrodes have a recording whose stimulus name
contains ``TargetV``; found when ``has_electrical``. Reading this loads the electrodes and their
recordings, one statement each per cell side (releases of size "small" hold no recordings, so
nothing is probed there, as in aisynphys).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from synphys_ibis.compat.errors import UnsupportedIdiomError
from synphys_ibis.compat.records import Record
from synphys_ibis.connectivity import distance_adjusted_connectivity
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.cell_class import CellClass
from synphys_ibis.schema.constants import PROBED_PAIR_TEST_SPIKE_LIMIT
from synphys_ibis.stats import clopper_pearson

__all__ = ["connection_probability_ci", "measure_connectivity", "pair_was_probed"]

_DISTANCES = ("distance", "lateral_distance", "vertical_distance")


def connection_probability_ci(
    n_connected: int, n_probed: int, alpha: float = 0.05
) -> tuple[float, float]:
    """The Clopper-Pearson interval at level ``1 - alpha``; ``(0, 1)`` when nothing was probed."""
    if n_connected > n_probed:
        raise InvalidArgumentError(f"n_connected={n_connected} exceeds n_probed={n_probed}")
    if n_probed == 0:
        return (0.0, 1.0)
    return clopper_pearson(n_connected, n_probed, alpha)


def pair_was_probed(pair: Record, synapse_type: str | None) -> bool:
    """Whether ``pair`` was probed for a connection of ``synapse_type`` ('ex', 'in' or None:
    both). NULL test-spike counts count as not probed."""
    limit = PROBED_PAIR_TEST_SPIKE_LIMIT
    ex, inh = pair.n_ex_test_spikes, pair.n_in_test_spikes
    ex_ok = ex is not None and ex > limit
    in_ok = inh is not None and inh > limit
    if synapse_type == "ex":
        return ex_ok
    if synapse_type == "in":
        return in_ok
    return ex_ok and in_ok


def _probed_gap_junction(pair: Record) -> bool:
    def targeted(cell: Record) -> bool:
        electrode = cell.electrode
        if electrode is None:
            return False
        return any("TargetV" in (r.stim_name or "") for r in electrode.recordings)

    return targeted(pair.pre_cell) and targeted(pair.post_cell)


def _sign(pair: Record) -> str | None:
    value = pair.pre_cell.cell_class_nonsynaptic
    return value if value in ("ex", "in") else None


def _adjusted(distances: np.ndarray, connected: np.ndarray, sigma: float, alpha: float) -> tuple:
    # the formula is the native one (one copy); the records it is fed are this module's own
    return distance_adjusted_connectivity(distances, connected, sigma, alpha)


def measure_connectivity(
    pair_groups: Mapping[tuple[CellClass, CellClass], list[Record]],
    alpha: float = 0.05,
    sigma: float | None = None,
    fit_model: Any = None,
    correction_model: Any = None,
    dist_measure: str = "distance",
) -> OrderedDict[tuple[CellClass, CellClass], dict[str, Any]]:
    """Connectivity of every group of :func:`classify_pairs` (see the module docstring).

    Returns
    -------
    OrderedDict
        Same keys as ``pair_groups``; values hold ``n_probed``, ``n_connected``,
        ``connection_probability`` ``(cp, lower, upper)``, ``probed_pairs``,
        ``connected_pairs``, ``n_gaps_probed``, ``n_gaps``, ``gap_probability``, ``gap_pairs``,
        and with ``sigma`` also ``probed_distances``, ``connected_distances`` and
        ``adjusted_connectivity`` / ``adjusted_gap_junction`` ``(pmax, lower, upper)``.

    Raises
    ------
    UnsupportedIdiomError
        For ``fit_model`` or ``correction_model`` (the ConnectivityModel fits).
    InvalidArgumentError
        For a ``dist_measure`` that is not a distance column of the pair.
    """
    if fit_model is not None or correction_model is not None:
        raise UnsupportedIdiomError.for_idiom(
            "measure_connectivity(fit_model=..., correction_model=...)",
            compat="measure_connectivity(..., sigma=...) for the distance-adjusted probability",
            native="SynphysDatabase.connectivity_fit(pre_classes, post_classes, "
            "model='gaussian', sigma=...) (maximum-likelihood fits per class pair) and "
            "synphys_ibis.plotting.connectivity_vs_distance(..., fit=...)",
            why="aisynphys' ConnectivityModel classes are not reproduced",
        )
    if dist_measure not in _DISTANCES:
        raise InvalidArgumentError.for_value("dist_measure", dist_measure, _DISTANCES)
    results: OrderedDict[tuple[CellClass, CellClass], dict[str, Any]] = OrderedDict()
    for key, class_pairs in pair_groups.items():
        probed = [p for p in class_pairs if pair_was_probed(p, _sign(p))]
        connected = [p for p in probed if p.has_synapse]
        gaps_probed = [p for p in class_pairs if _probed_gap_junction(p)]
        gaps = [p for p in gaps_probed if p.has_electrical]
        n_probed, n_gaps_probed = len(probed), len(gaps_probed)
        entry: dict[str, Any] = {
            "n_probed": n_probed,
            "n_connected": len(connected),
            "n_gaps_probed": n_gaps_probed,
            "n_gaps": len(gaps),
            "connection_probability": (
                math.nan if n_probed == 0 else len(connected) / n_probed,
                *connection_probability_ci(len(connected), n_probed, alpha),
            ),
            "gap_probability": (
                math.nan if n_gaps_probed == 0 else len(gaps) / n_gaps_probed,
                *connection_probability_ci(len(gaps), n_gaps_probed, alpha),
            ),
            "connected_pairs": connected,
            "gap_pairs": gaps,
            "probed_pairs": probed,
        }
        if sigma is not None:
            distance = np.array(
                [
                    math.nan if getattr(p, dist_measure) is None else getattr(p, dist_measure)
                    for p in probed
                ],
                dtype=float,
            )
            has_synapse = np.array([p.synapse is not None for p in probed], dtype=bool)
            mask = np.isfinite(distance)
            entry["probed_distances"] = distance[mask]
            entry["connected_distances"] = has_synapse[mask]
            entry["adjusted_connectivity"] = _adjusted(
                distance[mask], has_synapse[mask], sigma, alpha
            )
            gap_distance = np.array(
                [
                    math.nan if getattr(p, dist_measure) is None else getattr(p, dist_measure)
                    for p in gaps_probed
                ],
                dtype=float,
            )
            gap_found = np.array([bool(p.has_electrical) for p in gaps_probed], dtype=bool)
            gap_mask = np.isfinite(gap_distance)
            entry["adjusted_gap_junction"] = _adjusted(
                gap_distance[gap_mask], gap_found[gap_mask], sigma, alpha
            )
        results[key] = entry
    return results
