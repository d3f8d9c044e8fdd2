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
from functools import lru_cache
from typing import Any

import ibis

__all__ = [
    "ci_lower",
    "ci_upper",
    "clopper_pearson",
    "duckdb_ci_lower",
    "duckdb_ci_upper",
    "pg_ci_lower",
    "pg_ci_upper",
    "regularized_beta",
]


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


def _beta_log_pdf(x: float, a: float, b: float) -> float:
    return (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x)
    )  # fmt: skip


def _beta_quantile(q: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = q: Newton steps kept inside a shrinking bisection bracket."""
    low, high = 0.0, 1.0
    x = a / (a + b)  # the mean: always inside the bracket
    for _ in range(100):
        error = regularized_beta(x, a, b) - q
        if abs(error) < 1e-13:
            return x
        if error > 0:
            high = x
        else:
            low = x
        step = error / math.exp(_beta_log_pdf(x, a, b))
        candidate = x - step
        x = candidate if low < candidate < high else (low + high) / 2.0
        if high - low < 1e-15:
            break
    return x


@lru_cache(maxsize=65536)
def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact ``1 - alpha`` confidence interval of a proportion ``k / n``.

    Parameters
    ----------
    k
        Successes (e.g. connected pairs).
    n
        Trials (e.g. pairs probed), at least 1.
    alpha
        One minus the confidence level (0.05: a 95% interval).

    Returns
    -------
    tuple of float
        ``(lower, upper)``.

    Raises
    ------
    ValueError
        If not ``0 <= k <= n`` and ``n > 0``.

    Examples
    --------
    >>> lower, upper = clopper_pearson(3, 10)
    >>> round(lower, 4), round(upper, 4)
    (0.0667, 0.6525)
    >>> clopper_pearson(0, 12)[0]
    0.0
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0; got k={k}, n={n}")
    lower = 0.0 if k == 0 else _beta_quantile(alpha / 2.0, k, n - k + 1)
    upper = 1.0 if k == n else _beta_quantile(1.0 - alpha / 2.0, k + 1, n - k)
    return lower, upper


# SQL NULL arguments give NULL without calling these; pass n as NULL where it is 0.
@ibis.udf.scalar.python
def ci_lower(k: int, n: int, alpha: float) -> float:
    """Lower bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (a Python UDF)."""
    return clopper_pearson(int(k), int(n), float(alpha))[0]


@ibis.udf.scalar.python
def ci_upper(k: int, n: int, alpha: float) -> float:
    """Upper bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (a Python UDF)."""
    return clopper_pearson(int(k), int(n), float(alpha))[1]


# DuckDB sessions get the interval as functions registered on the connection when it opens
# (register_duckdb_functions), so a query using them compiles to plain SQL that can be cached
# and re-run without Ibis re-registering UDFs at every execution. Every engine's session
# functions take (k, n, alpha): the interval's level is 1 - alpha.
@ibis.udf.scalar.builtin(name="synphys_ci_lower")
def duckdb_ci_lower(k: int, n: int, alpha: float) -> float:  # type: ignore[empty-body]
    """Lower bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (session function)."""


@ibis.udf.scalar.builtin(name="synphys_ci_upper")
def duckdb_ci_upper(k: int, n: int, alpha: float) -> float:  # type: ignore[empty-body]
    """Upper bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (session function)."""


def register_duckdb_functions(con: Any) -> None:
    """Register ``synphys_ci_lower(k, n, alpha)`` / ``synphys_ci_upper`` on a DuckDB connection.

    Registered once per connection; ``alpha`` sets the interval's level (1 - alpha).
    """
    import duckdb

    raw = getattr(con, "con", con)
    present = {
        row[0]
        for row in raw.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'synphys_ci_%'"
        ).fetchall()
    }
    bigint, double = duckdb.sqltype("BIGINT"), duckdb.sqltype("DOUBLE")
    for name, function in (("synphys_ci_lower", _lower), ("synphys_ci_upper", _upper)):
        if name not in present:
            raw.create_function(
                name, function, [bigint, bigint, double], double, side_effects=False
            )


def _lower(k: int, n: int, alpha: float) -> float:
    return clopper_pearson(int(k), int(n), float(alpha))[0]


def _upper(k: int, n: int, alpha: float) -> float:
    return clopper_pearson(int(k), int(n), float(alpha))[1]


# PostgreSQL runs no Python UDFs: each session gets the same algorithm as SQL functions in its
# pg_temp schema (synphys_ibis.engines.postgres_functions); these call them.
@ibis.udf.scalar.builtin(name="synphys_ci_lower", database="pg_temp")
def pg_ci_lower(k: int, n: int, alpha: float) -> float:  # type: ignore[empty-body]
    """Lower bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (PostgreSQL)."""


@ibis.udf.scalar.builtin(name="synphys_ci_upper", database="pg_temp")
def pg_ci_upper(k: int, n: int, alpha: float) -> float:  # type: ignore[empty-body]
    """Upper bound of the ``1 - alpha`` Clopper-Pearson interval of k / n (PostgreSQL)."""
