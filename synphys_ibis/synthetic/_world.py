"""The latent synthetic world that the tables describe: experiments in slices, cells with a
cre type, an identity and a position, and every ordered cell pair with its connectivity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synphys_ibis.schema.constants import EXCITATORY_CRE_TYPES, INHIBITORY_CRE_TYPES
from synphys_ibis.synthetic._random import _nulls, _pick, _with_none
from synphys_ibis.synthetic._values import (
    _DRIVER_COMBOS,
    _DRIVER_TARGETS,
    _EX,
    _HUMAN_TARGETS,
    _IN,
    _MOUSE_TARGETS,
)


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
