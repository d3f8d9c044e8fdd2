"""SQL functions a PostgreSQL session needs for the connectivity matrix.

The Clopper-Pearson interval (level ``1 - alpha``) of a connection probability is computed on DuckDB by a Python
UDF (:mod:`synphys_ibis.stats`). PostgreSQL cannot run those, so each session gets the same
algorithm as PL/pgSQL functions in its private ``pg_temp`` schema, created when the connection
opens (before a read-only session is made read-only): the log-gamma function (Lanczos), the
regularised incomplete beta function (Lentz's continued fraction) and a bisection for the beta
quantile, as in :func:`synphys_ibis.stats.clopper_pearson`. Temporary functions are private to
the session and vanish with it; nothing is written to the database.

Queries call them through :data:`synphys_ibis.stats.pg_ci_lower` / ``pg_ci_upper``, which
compile to ``pg_temp.synphys_ci_lower(k, n, alpha)``.
"""

from __future__ import annotations

__all__ = ["SESSION_FUNCTIONS"]

_LGAMMA = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_lgamma(x double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  c double precision[] := ARRAY[0.99999999999980993, 676.5203681218851, -1259.1392167224028,
    771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7];
  a double precision;
  t double precision;
  y double precision;
BEGIN
  IF x < 0.5 THEN
    RETURN ln(pi() / abs(sin(pi() * x))) - pg_temp.synphys_lgamma(1.0 - x);
  END IF;
  y := x - 1.0;
  a := c[1];
  FOR i IN 1..8 LOOP
    a := a + c[i + 1] / (y + i);
  END LOOP;
  t := y + 7.5;
  RETURN 0.5 * ln(2.0 * pi()) + (y + 0.5) * ln(t) - t + ln(a);
END $$
"""

_BETA_CF = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_beta_cf(a double precision, b double precision,
                                                   x double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  tiny constant double precision := 1e-300;
  qab double precision := a + b;
  qap double precision := a + 1.0;
  qam double precision := a - 1.0;
  c double precision := 1.0;
  d double precision;
  h double precision;
  aa double precision;
  delta double precision;
  m2 double precision;
BEGIN
  d := 1.0 - qab * x / qap;
  IF abs(d) <= tiny THEN d := tiny; END IF;
  d := 1.0 / d;
  h := d;
  FOR m IN 1..499 LOOP
    m2 := 2 * m;
    aa := m * (b - m) * x / ((qam + m2) * (a + m2));
    d := 1.0 + aa * d;
    IF abs(d) <= tiny THEN d := tiny; END IF;
    d := 1.0 / d;
    c := CASE WHEN abs(1.0 + aa / c) > tiny THEN 1.0 + aa / c ELSE tiny END;
    h := h * d * c;
    aa := -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d := 1.0 + aa * d;
    IF abs(d) <= tiny THEN d := tiny; END IF;
    d := 1.0 / d;
    c := CASE WHEN abs(1.0 + aa / c) > tiny THEN 1.0 + aa / c ELSE tiny END;
    delta := d * c;
    h := h * delta;
    EXIT WHEN abs(delta - 1.0) < 1e-15;
  END LOOP;
  RETURN h;
END $$
"""

_BETA_INC = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_beta_inc(x double precision, a double precision,
                                                    b double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  log_front double precision;
  front double precision := 0.0;
BEGIN
  IF x <= 0.0 THEN RETURN 0.0; END IF;
  IF x >= 1.0 THEN RETURN 1.0; END IF;
  log_front := pg_temp.synphys_lgamma(a + b) - pg_temp.synphys_lgamma(a)
               - pg_temp.synphys_lgamma(b) + a * ln(x) + b * ln(1.0 - x);
  -- PostgreSQL raises on underflow where Python's math.exp returns 0.0
  IF log_front > -700.0 THEN front := exp(log_front); END IF;
  IF x < (a + 1.0) / (a + b + 2.0) THEN
    RETURN front * pg_temp.synphys_beta_cf(a, b, x) / a;
  END IF;
  RETURN 1.0 - front * pg_temp.synphys_beta_cf(b, a, 1.0 - x) / b;
END $$
"""

_BETA_QUANTILE = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_beta_quantile(q double precision, a double precision,
                                                         b double precision)
RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  low double precision := 0.0;
  high double precision := 1.0;
  mid double precision;
BEGIN
  FOR i IN 1..200 LOOP
    mid := (low + high) / 2.0;
    IF pg_temp.synphys_beta_inc(mid, a, b) < q THEN
      low := mid;
    ELSE
      high := mid;
    END IF;
    EXIT WHEN high - low < 1e-14;
  END LOOP;
  RETURN (low + high) / 2.0;
END $$
"""

_CI_LOWER = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_ci_lower(k bigint, n bigint, alpha double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN k = 0 THEN 0.0::double precision
              ELSE pg_temp.synphys_beta_quantile(alpha / 2.0, k, n - k + 1) END
$$
"""

_CI_UPPER = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_ci_upper(k bigint, n bigint, alpha double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN k = n THEN 1.0::double precision
              ELSE pg_temp.synphys_beta_quantile(1.0 - alpha / 2.0, k + 1, n - k) END
$$
"""

# The 95% interval under the two-argument names earlier versions created (kept for SQL users).
_CI_95 = """
CREATE OR REPLACE FUNCTION pg_temp.synphys_ci_{side}(k bigint, n bigint)
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT pg_temp.synphys_ci_{side}(k, n, 0.05::double precision)
$$
"""

#: Statements creating the session functions, in dependency order.
SESSION_FUNCTIONS: tuple[str, ...] = (
    _LGAMMA.strip(),
    _BETA_CF.strip(),
    _BETA_INC.strip(),
    _BETA_QUANTILE.strip(),
    _CI_LOWER.strip(),
    _CI_UPPER.strip(),
    _CI_95.format(side="lower").strip(),
    _CI_95.format(side="upper").strip(),
)
