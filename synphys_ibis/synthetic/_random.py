"""Random helpers shared by the table generators: NULLs, weighted picks, blocks of float
columns drawn from distribution specs, subsets, fan-out repeats, ids, labels and traces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from synphys_ibis.synthetic._values import _CLASS_LABELS, _Spec
from synphys_ibis.synthetic._writer import _Columns, _npy


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


def _with_none(rng: np.random.Generator, values: list[Any], frac: float) -> list[Any]:
    return [
        None if m else v
        for v, m in zip(values, (rng.random(len(values)) < frac).tolist(), strict=True)
    ]


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
