"""Binomial confidence intervals for connection probabilities.

A connection probability is ``k`` connected out of ``n`` probed pairs; its exact (Clopper-Pearson)
interval comes from quantiles of the beta distribution, computed here with the regularised
incomplete beta function and bisection (no SciPy needed), and exposed to queries as Ibis UDFs.

Examples
--------
>>> lo, hi = clopper_pearson(3, 20)
>>> round(lo, 4), round(hi, 4)
(0.0321, 0.3789)
>>> clopper_pearson(0, 10)[0], clopper_pearson(10, 10)[1]
(0.0, 1.0)
"""

from __future__ import annotations

import math

import ibis

__all__ = ["ci_lower", "ci_upper", "clopper_pearson", "regularized_beta"]


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the continued fraction of the incomplete beta function.
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_beta(x: float, a: float, b: float) -> float:
    """The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def _beta_quantile(q: float, a: float, b: float) -> float:
    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if regularized_beta(mid, a, b) < q:
            low = mid
        else:
            high = mid
        if high - low < 1e-14:
            break
    return (low + high) / 2.0


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact ``1 - alpha`` confidence interval of a proportion ``k / n``.

    Raises
    ------
    ValueError
        If not ``0 <= k <= n`` and ``n > 0``.
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0; got k={k}, n={n}")
    lower = 0.0 if k == 0 else _beta_quantile(alpha / 2.0, k, n - k + 1)
    upper = 1.0 if k == n else _beta_quantile(1.0 - alpha / 2.0, k + 1, n - k)
    return lower, upper


# SQL NULL arguments give NULL without calling these; pass n as NULL where it is 0.
@ibis.udf.scalar.python
def ci_lower(k: int, n: int) -> float:
    """Lower bound of the 95% Clopper-Pearson interval of k / n."""
    return clopper_pearson(int(k), int(n))[0]


@ibis.udf.scalar.python
def ci_upper(k: int, n: int) -> float:
    """Upper bound of the 95% Clopper-Pearson interval of k / n."""
    return clopper_pearson(int(k), int(n))[1]
