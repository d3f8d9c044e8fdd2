"""Rows of the per-experiment tables: ``slice``, ``experiment``, ``cortical_site`` and
``electrode``."""

from __future__ import annotations

import numpy as np

from synphys_ibis.synthetic._random import _ids, _nulls, _pick, _with_none
from synphys_ibis.synthetic._values import (
    _ACSF,
    _ALLELES,
    _COARSE,
    _HUMAN_LAYERS,
    _INTERNAL,
    _MOUSE_LAYERS,
    _PROJECTS,
)
from synphys_ibis.synthetic._world import _Cells, _Experiments
from synphys_ibis.synthetic._writer import _Columns, _datetimes


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
