"""Connectivity-vs-distance models and their maximum-likelihood fits (aisynphys' connectivity.py).

A class pair's data are the distances ``x_i`` at which pairs were probed and whether each was
connected (``y_i``). A model gives the probability ``p(x)`` of a connection at distance ``x``;
its negative log-likelihood is ``-sum(y_i log p(x_i) + (1 - y_i) log(1 - p(x_i)))``
(aisynphys' ``ConnectivityModel.likelihood``). Two models:

* ``'gaussian'``: ``p(x) = pmax * exp(-x**2 / (2 size**2))``, aisynphys' ``GaussianModel``,
  fitted within its bounds ``0.001 <= pmax <= 1``, ``10 µm <= size <= 1 mm``, or with ``size``
  fixed (``fixed_size``);
* ``'erf'``: ``p(x) = pmax * erfc((x - midpoint) / (sqrt(2) size)) / 2``, a sigmoid falling
  from ``pmax`` to 0 around ``midpoint``. It is aisynphys' ``ErfModel(pmax, -size, midpoint)``
  (whose ``size`` is negative for a profile that falls with distance); bounds ``0.001 <= pmax
  <= 1``, ``10 µm <= size <= 1 mm``, ``0 <= midpoint <= 1 mm`` (aisynphys' ``ErfModel.fit`` has
  no default bounds or start).

:func:`distance_adjusted_connectivity` is aisynphys' function of that name (NumPy only). The
fits need SciPy (``pip install "synphys_ibis[fit]"``), imported when a fit runs.

Examples
--------
>>> import numpy as np
>>> x = np.array([10e-6, 30e-6, 50e-6, 80e-6, 120e-6, 200e-6])
>>> connected = np.array([True, True, False, True, False, False])
>>> pmax, low, high = distance_adjusted_connectivity(x, connected, sigma=100e-6)
>>> round(pmax, 4), round(low, 4), round(high, 4)
(0.7174, 0.1695, 1.2653)
>>> fit = fit_profile(x, connected, sigma=100e-6)
>>> round(fit.pmax, 3), fit.size, fit.success
(0.786, 0.0001, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.stats import clopper_pearson

__all__ = [
    "MODELS",
    "ModelName",
    "ProfileFit",
    "distance_adjusted_connectivity",
    "fit_class_pairs",
    "fit_profile",
    "profile_probability",
    "validate_model",
]

ModelName: TypeAlias = Literal["gaussian", "erf"]
#: The connectivity-vs-distance models :func:`fit_profile` fits.
MODELS: tuple[str, ...] = ("gaussian", "erf")

_PMAX = (0.001, 1.0)  # aisynphys' ConnectivityModel.fit bounds
_SIZE = (10e-6, 1e-3)
_MIDPOINT = (0.0, 1e-3)
_UNIT = 1e-4  # sizes and midpoints are optimised in units of 100 µm (well scaled next to pmax)
_TINY = 1e-300
_INSTALL = 'pip install "synphys_ibis[fit]"'


@dataclass(frozen=True)
class ProfileFit:
    """The maximum-likelihood fit of one connectivity profile.

    ``size`` and ``midpoint`` are in metres (``midpoint`` is None for the Gaussian model);
    ``nll`` is the negative log-likelihood at the optimum and ``success`` whether the optimiser
    converged (also when its line search stopped at a point no feasible direction improves).
    """

    model: ModelName
    pmax: float
    size: float
    midpoint: float | None
    nll: float
    success: bool
    n_probed: int
    n_connected: int

    def probability(self, x: Any) -> np.ndarray:
        """The fitted connection probability at distances ``x`` (metres)."""
        return profile_probability(
            self.model, np.asarray(x, dtype=float), self.pmax, self.size, self.midpoint
        )


def validate_model(model: Any) -> ModelName:
    """``model`` if it is one of :data:`MODELS`."""
    if model not in MODELS:
        raise InvalidArgumentError.for_value("model", model, MODELS)
    return model


def distance_adjusted_connectivity(
    distances: Any, connected: Any, sigma: float, alpha: float = 0.05
) -> tuple[float, float, float]:
    """``(pmax, lower, upper)`` of a Gaussian profile of width ``sigma``, as aisynphys does.

    ``mean_cp = mean(exp(-x**2 / (2 sigma**2)))`` over ``distances``, ``pmax = (n_connected /
    n) / mean_cp``, and the bounds are the ``1 - alpha`` Clopper-Pearson bounds divided by
    ``mean_cp`` (not clipped). NaN for no distances, as aisynphys.

    Examples
    --------
    >>> distance_adjusted_connectivity([0.0, 0.0], [True, False], sigma=1e-4)[0]
    0.5
    """
    x = np.asarray(distances, dtype=float)
    found = np.asarray(connected, dtype=bool)
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    mean_cp = float(np.exp(-(x**2) / (2 * sigma**2)).mean())
    k, n = int(found.sum()), len(x)
    low, high = clopper_pearson(k, n, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        return tuple(float(v) for v in np.divide([k / n, low, high], mean_cp))  # type: ignore[return-value]


def profile_probability(
    model: ModelName, x: np.ndarray, pmax: float, size: float, midpoint: float | None = None
) -> np.ndarray:
    """``p(x)`` of ``model`` (see the module docstring)."""
    if model == "gaussian":
        return pmax * np.exp(-(x**2) / (2 * size**2))
    from scipy.special import erfc

    return pmax * 0.5 * erfc((x - (midpoint or 0.0)) / (math.sqrt(2) * size))


def _scipy() -> Any:
    try:
        import scipy.optimize
        import scipy.special
    except ImportError as err:
        raise ImportError(f"connectivity fits need SciPy; install it with: {_INSTALL}") from err
    return scipy


class _Likelihood:
    """Negative log-likelihood and gradient of a model on weighted (distance, outcome) rows.

    Parameters ``theta`` are ``(pmax, size / _UNIT[, midpoint / _UNIT])`` with ``size`` dropped
    when it is fixed.
    """

    def __init__(
        self, model: ModelName, x: np.ndarray, y: np.ndarray, n: np.ndarray, size: float | None
    ) -> None:
        self.model, self.fixed_size = model, size
        self.x = x / _UNIT
        self.yes, self.no = n * y, n * (1.0 - y)
        self.special = _scipy().special if model == "erf" else None

    def shape(self, theta: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The profile at pmax 1 and its derivatives by the shape parameters of ``theta``."""
        size = self.fixed_size / _UNIT if self.fixed_size is not None else theta[1]
        x = self.x
        if self.model == "gaussian":
            w = np.exp(-(x**2) / (2 * size**2))
            return w, ([] if self.fixed_size is not None else [w * x**2 / size**3])
        midpoint = theta[-1]
        z = (x - midpoint) / (math.sqrt(2) * size)
        assert self.special is not None
        w = 0.5 * self.special.erfc(z)
        bump = np.exp(-(z**2)) / math.sqrt(math.pi)
        d_mid = bump / (math.sqrt(2) * size)
        d_size = bump * z / size
        return w, ([d_mid] if self.fixed_size is not None else [d_size, d_mid])

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        pmax = theta[0]
        w, dw = self.shape(theta)
        p = pmax * w
        on = np.maximum(p, _TINY)
        off = np.maximum(1.0 - p, _TINY)
        nll = -float(self.yes @ np.log(on) + self.no @ np.log(off))
        factor = -self.yes / on + self.no / off  # d nll / d p
        grad = [float(factor @ w)] + [float(factor @ (pmax * d)) for d in dw]
        return nll, np.array(grad)


def _best_pmax(w: np.ndarray, yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    """The pmax minimising the (convex) NLL for each profile row of ``w``, within the bounds.

    Safeguarded Newton steps on ``d nll / d pmax`` (increasing in pmax), all rows at once.
    """
    low = np.full(len(w), _PMAX[0])
    high = np.full(len(w), _PMAX[1])
    total = w @ (yes + no)
    p = np.clip(yes.sum() / np.maximum(total, _TINY), *_PMAX)
    for _ in range(12):
        with np.errstate(all="ignore"):  # a NaN step (p w = 1) falls back to bisection
            q = 1.0 - p[:, None] * w
            slope = -yes.sum() / p + (w / q) @ no
            curve = yes.sum() / p**2 + (w**2 / q**2) @ no
            step = p - slope / curve
        low = np.where(slope < 0, p, low)
        high = np.where(slope > 0, p, high)
        p = np.where((step > low) & (step < high), step, (low + high) / 2)
    return np.asarray(p)


def _start(model: ModelName, likelihood: _Likelihood, sizes: list[float]) -> np.ndarray:
    """The best point of a grid of shapes, each with its best pmax."""
    x = likelihood.x
    midpoints = np.linspace(_MIDPOINT[0], _MIDPOINT[1], 21) / _UNIT
    grid: list[tuple[float, ...]]
    if model == "gaussian":
        grid = [(s,) for s in sizes]
        w = np.exp(-(x[None, :] ** 2) / (2 * np.array(sizes)[:, None] ** 2))
    else:
        grid = [(s, m) for s in sizes for m in midpoints]
        s, m = np.array(grid).T
        w = 0.5 * _scipy().special.erfc((x[None, :] - m[:, None]) / (math.sqrt(2) * s[:, None]))
    pmax = _best_pmax(w, likelihood.yes, likelihood.no)
    p = pmax[:, None] * w
    nll = -(np.log(np.maximum(p, _TINY)) @ likelihood.yes) - (
        np.log(np.maximum(1.0 - p, _TINY)) @ likelihood.no
    )
    best = int(np.argmin(nll))
    shape = grid[best] if likelihood.fixed_size is None else grid[best][1:]
    return np.array((pmax[best], *shape), dtype=float)


def fit_profile(
    distances: Any,
    connected: Any,
    *,
    model: ModelName = "gaussian",
    sigma: float | None = None,
    counts: Any = None,
) -> ProfileFit:
    """The maximum-likelihood fit of ``model`` to probed ``distances`` (metres) and outcomes.

    The optimiser is SciPy's bounded truncated Newton (``TNC``) with the analytic gradient,
    started from the best point of a grid (48 sizes from 10 µm to 1 mm, log-spaced, each with
    its best ``pmax``; 21 midpoints for ``'erf'``), within the bounds of the module docstring.
    aisynphys' ``GaussianModel.fit`` runs L-BFGS-B with finite-difference gradients from 25 (5
    with ``fixed_size``) start boxes and keeps the best; both end at the same optimum: with
    ``sigma`` fixed, ``pmax`` equals aisynphys' to about 1e-5 (the likelihood is convex in
    ``pmax``); with ``size`` free, to about 3 significant digits in ``pmax`` and ``size``
    (aisynphys' optimiser stops early on the flat likelihood of a free size), and the NLL here
    is never higher than aisynphys'. (SciPy >= 1.15's L-BFGS-B is 10x slower on such small
    problems when OpenBLAS runs several threads, scipy/scipy#22438; TNC is not.) Fits ending on
    a bound (``size`` 10 µm or 1 mm happens for a fifth of class pairs) are kept, as aisynphys
    keeps them.

    Parameters
    ----------
    distances, connected
        Equal-length arrays: each probed pair's distance and whether it is connected.
    model
        ``'gaussian'`` or ``'erf'`` (module docstring).
    sigma
        A fixed ``size`` (metres), or None to fit it.
    counts
        Optional weights: how many pairs each (distance, outcome) row stands for.

    Returns
    -------
    ProfileFit

    Raises
    ------
    ImportError
        If SciPy is not installed.
    InvalidArgumentError
        For arrays of unequal length, no data, or non-finite distances.

    Examples
    --------
    >>> fit = fit_profile([0.0, 20e-6, 200e-6, 300e-6], [True, True, False, False])
    >>> fit.pmax, round(fit.size * 1e6), fit.success  # pmax on its bound, size in µm
    (1.0, 66, True)
    """
    scipy = _scipy()
    model = validate_model(model)
    x = np.asarray(distances, dtype=float)
    y = np.asarray(connected, dtype=bool).astype(float)
    n = np.ones(len(x)) if counts is None else np.asarray(counts, dtype=float)
    if not (len(x) == len(y) == len(n)) or len(x) == 0:
        raise InvalidArgumentError(
            f"need equal, non-zero numbers of distances ({len(x)}), outcomes ({len(y)}) and "
            f"counts ({len(n)})"
        )
    if not np.isfinite(x).all():
        raise InvalidArgumentError("distances must be finite; leave out pairs without one")
    likelihood = _Likelihood(model, x, y, n, sigma)
    sizes = [sigma / _UNIT] if sigma is not None else list(np.geomspace(*_SIZE, 48) / _UNIT)
    start = _start(model, likelihood, sizes)
    bounds = [_PMAX]
    if sigma is None:
        bounds.append((_SIZE[0] / _UNIT, _SIZE[1] / _UNIT))
    if model == "erf":
        bounds.append((_MIDPOINT[0] / _UNIT, _MIDPOINT[1] / _UNIT))
    result = scipy.optimize.minimize(
        likelihood,
        start,
        jac=True,
        method="TNC",
        bounds=bounds,
        options={"ftol": 1e-13, "xtol": 1e-12, "gtol": 1e-10, "maxfun": 1000},
    )
    theta = result.x
    size = sigma if sigma is not None else float(theta[1]) * _UNIT
    midpoint = float(theta[-1]) * _UNIT if model == "erf" else None
    return ProfileFit(
        model=model,
        pmax=float(theta[0]),
        size=float(size),
        midpoint=midpoint,
        nll=float(result.fun),
        success=_converged(result, bounds),
        n_probed=int(n.sum()),
        n_connected=int(n @ y),
    )


def _converged(result: Any, bounds: list[tuple[float, float]]) -> bool:
    """TNC's success, or its "linear search failed" at a point where no feasible direction
    descends (projected gradient below 1e-6 per parameter): the tolerances asked for are below
    what the NLL's floating-point precision resolves, and the point is the optimum."""
    if not math.isfinite(result.fun):
        return False
    if result.success:
        return True
    if result.status != 4:  # 4: linear search failed
        return False
    gradient = np.asarray(result.jac, dtype=float)
    x = np.asarray(result.x, dtype=float)
    low, high = np.array(bounds, dtype=float).T
    projected = np.where((x <= low) & (gradient > 0) | (x >= high) & (gradient < 0), 0.0, gradient)
    return bool(np.abs(projected).max() < 1e-6)


def fit_class_pairs(
    rows: Any,
    pre_names: Sequence[str],
    post_names: Sequence[str],
    *,
    model: ModelName = "gaussian",
    sigma: float | None = None,
) -> pd.DataFrame:
    """Fit every class pair of ``rows`` (``pre_class, post_class, distance, connected, n``).

    Every combination of ``pre_names`` and ``post_names`` gets a row, in that order; those with
    no data have zero counts and NA parameters.
    """
    frame = rows.to_pandas() if hasattr(rows, "to_pandas") else pd.DataFrame(rows)
    groups = {key: part for key, part in frame.groupby(["pre_class", "post_class"], sort=False)}
    records = []
    for pre in pre_names:
        for post in post_names:
            record: dict[str, Any] = {"pre_class": pre, "post_class": post}
            part = groups.get((pre, post))
            fit = None
            if part is not None and len(part):
                order = np.lexsort((part.connected.to_numpy(), part.distance.to_numpy()))
                part = part.iloc[order]
                fit = fit_profile(
                    part.distance.to_numpy(dtype=float),
                    part.connected.to_numpy(dtype=bool),
                    model=model,
                    sigma=sigma,
                    counts=part.n.to_numpy(dtype=float),
                )
            record |= _fit_record(fit, model)
            records.append(record)
    result = pd.DataFrame.from_records(records)
    for column in ("n_probed", "n_connected"):
        result[column] = result[column].astype("int64")
    for column in ("pmax", "size", "midpoint", "nll"):
        if column in result:
            result[column] = result[column].astype("Float64")
    result["success"] = result["success"].astype("boolean")
    return result


def _fit_record(fit: ProfileFit | None, model: ModelName) -> dict[str, Any]:
    values: dict[str, Any] = {
        "n_probed": 0 if fit is None else fit.n_probed,
        "n_connected": 0 if fit is None else fit.n_connected,
        "pmax": None if fit is None else fit.pmax,
        "size": None if fit is None else fit.size,
    }
    if model == "erf":
        values["midpoint"] = None if fit is None else fit.midpoint
    values["nll"] = None if fit is None else fit.nll
    values["success"] = None if fit is None else fit.success
    return values
