"""Rows of the per-cell tables: ``morphology``, ``cortical_cell_location``, ``patch_seq``,
``intrinsic`` and ``cell``, whose classes combine the votes the other tables cast."""

from __future__ import annotations

from typing import Any

import numpy as np

from synphys_ibis.synthetic._random import (
    _block,
    _fan,
    _ids,
    _labels,
    _nulls,
    _pick,
    _repeated,
    _subset,
    _with_none,
)
from synphys_ibis.synthetic._values import (
    _CRE_SUBCLASS,
    _EX,
    _HUMAN_LAYERS,
    _HUMAN_T_TYPES,
    _IN,
    _INHIBITORY_SUBCLASSES,
    _INTRINSIC,
    _LAYER_SUBCLASS,
    _MOUSE_LAYERS,
    _PATCH_SEQ,
    _T_TYPES,
)
from synphys_ibis.synthetic._world import _Cells, _Experiments
from synphys_ibis.synthetic._writer import _Columns


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
