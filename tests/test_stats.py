"""Properties of the Clopper-Pearson interval, checked on generated counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta, binom

from synphys_ibis.stats import clopper_pearson, regularized_beta

counts = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_interval_contains_the_estimate_and_matches_scipy(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = clopper_pearson.__wrapped__(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low == pytest.approx(0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1), abs=1e-9)
    assert high == pytest.approx(1.0 if k == n else beta.ppf(0.975, k + 1, n - k), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(counts)
def test_bounds_are_the_exact_binomial_tails(kn: tuple[int, int]) -> None:
    """The lower bound is where P(X >= k) = 2.5 %, the upper where P(X <= k) = 2.5 %."""
    k, n = kn
    low, high = clopper_pearson.__wrapped__(k, n)
    if k > 0:
        assert binom.sf(k - 1, n, low) == pytest.approx(0.025, rel=1e-6)
    if k < n:
        assert binom.cdf(k, n, high) == pytest.approx(0.025, rel=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=499), st.integers(min_value=1, max_value=500))
def test_more_successes_never_lower_the_interval(k: int, extra: int) -> None:
    n = k + extra
    assert clopper_pearson(k, n)[0] <= clopper_pearson(k + 1, n)[0]
    assert clopper_pearson(k, n)[1] <= clopper_pearson(k + 1, n)[1]


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=1, max_value=2000),
    st.integers(min_value=1, max_value=2000),
)
def test_regularized_beta_matches_scipy(x: float, a: int, b: int) -> None:
    """On the integer parameters intervals use; the smaller tail is compared relatively."""
    ours = regularized_beta(x, a, b)
    if beta.cdf(x, a, b) <= 0.5:
        assert ours == pytest.approx(beta.cdf(x, a, b), rel=1e-7, abs=1e-15)
    else:
        assert 1.0 - ours == pytest.approx(beta.sf(x, a, b), rel=1e-7, abs=1e-15)
