"""The connectivity analysis of aisynphys: adjusted and gap-junction figures, fits and profiles.

Every figure is compared with an independent implementation written from aisynphys'
``connectivity.py`` (``aisynphys_semantics.md`` section 9): the raw pairs, cells, synapses and
recordings are read with stdlib sqlite3 and the formulas computed with NumPy and SciPy
(``scipy.stats.beta`` for the Clopper-Pearson interval, ``scipy.optimize.minimize`` from
aisynphys' 25 start boxes for the fits), and with the record-based ``measure_connectivity`` of
the compat layer. The releases are of size "medium", whose recordings include the ``TargetV``
stimuli of gap-junction probing. Engines: DuckDB (over the file and its native copy),
PostgreSQL (when ``SYNPHYS_IBIS_TEST_POSTGRES`` names a server) and Spark (one comparison).
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import scipy.stats

from synphys_ibis import CellClass, SynphysDatabase, synthetic
from synphys_ibis.connectivity import distance_adjusted_connectivity, fit_profile
from synphys_ibis.errors import InvalidArgumentError
from tests.conftest import ENGINES, open_engine
from tests.test_spark import spark_session  # noqa: F401 - the session fixture of the Spark tests

SIGMA = 100e-6
ALPHA = 0.1
LIMIT = 10  # aisynphys' probed_pair_test_spike_limit

CLASSES = {
    "ex": CellClass(cell_class="ex"),
    "in": CellClass(cell_class="in"),
    "sst": CellClass(cre_type="sst"),
    "none": CellClass(cre_type="no-such-cre-line"),  # no cell: an unprobed class pair
}
MEMBER: dict[str, Callable[[dict[str, Any]], bool]] = {
    "ex": lambda c: c["cell_class"] == "ex",
    "in": lambda c: c["cell_class"] == "in",
    "sst": lambda c: c["cre_type"] == "sst",
    "none": lambda c: False,
}
MATRIX_ENGINES = [e for e in ENGINES if e != "duckdb-parquet"]


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("releases") / "synphys_test_medium.sqlite"
    return synthetic.write_release(path, n_experiments=120, seed=5, size="medium")


@pytest.fixture(scope="module", params=MATRIX_ENGINES)
def mdb(request: pytest.FixtureRequest, medium: Path) -> Iterator[SynphysDatabase]:
    database = open_engine(request.param, medium, request)
    yield database
    database.close()


# -- the independent implementation -------------------------------------------------------------
def read_release(path: Path, distance_column: str) -> list[dict[str, Any]]:
    """Every pair with what aisynphys' measure_connectivity reads of it, through sqlite3."""
    con = sqlite3.connect(path)
    try:
        cells = {
            row[0]: {
                "cell_class": row[1],
                "nonsyn": row[2],
                "cre_type": row[3],
                "electrode": row[4],
            }
            for row in con.execute(
                "SELECT id, cell_class, cell_class_nonsynaptic, cre_type, electrode_id FROM cell"
            )
        }
        recording_columns = {row[1] for row in con.execute("PRAGMA table_info(recording)")}
        if "stim_name" in recording_columns:
            stimuli = "SELECT electrode_id, stim_name FROM recording"
        else:  # schema versions 15-16
            stimuli = (
                "SELECT r.electrode_id, p.stim_name FROM recording r "
                "JOIN patch_clamp_recording p ON p.recording_id = r.id"
            )
        targeted = {e for e, name in con.execute(stimuli) if name and "TargetV" in name}
        synapse_rows = {row[0] for row in con.execute("SELECT pair_id FROM synapse")}
        pairs = []
        for row in con.execute(
            "SELECT id, pre_cell_id, post_cell_id, has_synapse, has_electrical, "
            f"n_ex_test_spikes, n_in_test_spikes, {distance_column} FROM pair"
        ):
            pre, post = cells[row[1]], cells[row[2]]
            pairs.append(
                {
                    "id": row[0], "pre": pre, "post": post, "has_synapse": row[3] == 1,
                    "has_electrical": row[4] == 1, "n_ex": row[5], "n_in": row[6],
                    "x": math.nan if row[7] is None else float(row[7]),
                    "synapse": row[0] in synapse_rows,
                    "gj_probed": pre["electrode"] in targeted and post["electrode"] in targeted,
                }
            )  # fmt: skip
        return pairs
    finally:
        con.close()


def was_probed(pair: dict[str, Any]) -> bool:
    sign = pair["pre"]["nonsyn"]
    ex = pair["n_ex"] is not None and pair["n_ex"] > LIMIT
    inh = pair["n_in"] is not None and pair["n_in"] > LIMIT
    return ex if sign == "ex" else inh if sign == "in" else ex and inh


def beta_interval(k: int, n: int, alpha: float) -> tuple[float, float]:
    """statsmodels' proportion_confint(method='beta')."""
    low = 0.0 if k == 0 else float(scipy.stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(scipy.stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def adjusted(x: np.ndarray, found: np.ndarray, sigma: float, alpha: float) -> tuple[float, ...]:
    """aisynphys' distance_adjusted_connectivity, NaN figures as None (no pair)."""
    if len(x) == 0:
        return (None, None, None)  # type: ignore[return-value]
    mean_cp = np.exp(-(x**2) / (2 * sigma**2)).mean()
    low, high = beta_interval(int(found.sum()), len(x), alpha)
    return (found.sum() / len(x) / mean_cp, low / mean_cp, high / mean_cp)


def reference_matrix(pairs: list[dict[str, Any]], sigma: float, alpha: float) -> pd.DataFrame:
    rows = []
    for pre in CLASSES:
        for post in CLASSES:
            group = [p for p in pairs if MEMBER[pre](p["pre"]) and MEMBER[post](p["post"])]
            probed = [p for p in group if was_probed(p)]
            k = sum(p["has_synapse"] for p in probed)
            gaps = [p for p in group if p["gj_probed"]]
            g = sum(p["has_electrical"] for p in gaps)
            finite = [p for p in probed if math.isfinite(p["x"])]
            gap_finite = [p for p in gaps if math.isfinite(p["x"])]
            row: dict[str, Any] = {"pre_class": pre, "post_class": post}
            for prefix, n_, k_ in (("", len(probed), k), ("gap_", len(gaps), g)):
                interval = beta_interval(k_, n_, alpha) if n_ else (None, None)
                row[f"{prefix}probability"] = k_ / n_ if n_ else None
                row[f"{prefix}ci_lower"], row[f"{prefix}ci_upper"] = interval
            row |= {"n_probed": len(probed), "n_connected": k}
            row |= {"n_gaps_probed": len(gaps), "n_gaps": g}
            for prefix, chosen, key in (
                ("", finite, "synapse"),
                ("gap_", gap_finite, "has_electrical"),
            ):
                x = np.array([p["x"] for p in chosen], dtype=float)
                found = np.array([p[key] for p in chosen], dtype=bool)
                values = adjusted(x, found, sigma, alpha)
                for name, value in zip(
                    ("probability", "ci_lower", "ci_upper"), values, strict=True
                ):
                    row[f"adjusted_{prefix}{name}"] = value
            rows.append(row)
    return pd.DataFrame(rows)


# the library's column -> the reference's
COLUMNS = {
    "n_probed": "n_probed", "n_connected": "n_connected",
    "connection_probability": "probability", "ci_lower": "ci_lower", "ci_upper": "ci_upper",
    "adjusted_connection_probability": "adjusted_probability",
    "adjusted_ci_lower": "adjusted_ci_lower", "adjusted_ci_upper": "adjusted_ci_upper",
    "n_gaps_probed": "n_gaps_probed", "n_gaps": "n_gaps", "gap_probability": "gap_probability",
    "gap_ci_lower": "gap_ci_lower", "gap_ci_upper": "gap_ci_upper",
    "adjusted_gap_probability": "adjusted_gap_probability",
    "adjusted_gap_ci_lower": "adjusted_gap_ci_lower",
    "adjusted_gap_ci_upper": "adjusted_gap_ci_upper",
}  # fmt: skip


def assert_same(actual: Any, expected: Any, where: str) -> None:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None or (isinstance(actual, float) and math.isnan(actual)), where
    else:
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-12), where


def assert_matrix(matrix: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert matrix[["pre_class", "post_class"]].values.tolist() == (
        expected[["pre_class", "post_class"]].values.tolist()
    )
    records = matrix.astype(object).where(matrix.notna(), None).to_dict("records")
    for got, want in zip(records, expected.to_dict("records"), strict=True):
        for column, ref in COLUMNS.items():
            assert_same(got[column], want[ref], f"{got['pre_class']}->{got['post_class']} {column}")


# -- the matrix -------------------------------------------------------------------------------------
def test_adjusted_and_gap_junction_matrix_matches_the_formulas(
    mdb: SynphysDatabase, medium: Path
) -> None:
    matrix = mdb.connectivity_matrix(
        CLASSES, CLASSES, sigma=SIGMA, alpha=ALPHA, gap_junctions=True,
        distance_column="lateral_distance",
    ).to_pandas()  # fmt: skip
    expected = reference_matrix(read_release(medium, "lateral_distance"), SIGMA, ALPHA)
    assert list(matrix.columns) == ["pre_class", "post_class", *COLUMNS]
    assert_matrix(matrix, expected)
    # the comparison proves something: gap junctions were probed and found, the adjustment moved
    # the figures, and NULL stands for the unprobed class pairs
    assert expected.n_gaps.sum() > 0 and expected.n_gaps_probed.sum() > expected.n_gaps.sum()
    probed = matrix[matrix.n_probed > 0]
    raised = probed.adjusted_connection_probability > probed.connection_probability
    assert raised.mean() > 0.5
    unprobed = matrix[matrix.pre_class == "none"]
    assert unprobed.connection_probability.isna().all() and unprobed.ci_upper.isna().all()
    assert unprobed.adjusted_gap_ci_upper.isna().all()


def test_alpha_sets_the_plain_interval_and_adds_no_column(
    mdb: SynphysDatabase, medium: Path
) -> None:
    plain = mdb.connectivity_matrix(CLASSES, CLASSES).to_pandas()
    assert list(plain.columns) == [
        "pre_class", "post_class", "n_probed", "n_connected", "connection_probability",
        "ci_lower", "ci_upper",
    ]  # fmt: skip
    wide = mdb.connectivity_matrix(CLASSES, CLASSES, alpha=0.5).to_pandas()
    pairs = read_release(medium, "distance")
    for default, expected in ((plain, 0.05), (wide, 0.5)):
        reference = reference_matrix(pairs, SIGMA, expected)
        for got, want in zip(default.itertuples(), reference.itertuples(), strict=True):
            if want.n_probed:
                assert got.ci_lower == pytest.approx(want.ci_lower, abs=1e-10)
                assert got.ci_upper == pytest.approx(want.ci_upper, abs=1e-10)
    probed = plain.n_probed > 0
    narrower = wide.ci_upper[probed] <= plain.ci_upper[probed]
    assert narrower.all() and (wide.ci_upper[probed] < plain.ci_upper[probed]).any()


def test_gap_junctions_of_schema_16_come_from_patch_clamp_recording(
    tmp_path: Path,
) -> None:
    path = synthetic.write_release(
        tmp_path / "v16.sqlite", n_experiments=40, seed=2, size="medium", schema_version="16"
    )
    with SynphysDatabase.load_sqlite(path, native_cache=False) as db:
        matrix = db.connectivity_matrix(CLASSES, CLASSES, sigma=SIGMA, gap_junctions=True)
        got = matrix.to_pandas()
        with pytest.raises(InvalidArgumentError, match="'distance'"):
            db.connectivity_matrix(
                CLASSES, CLASSES, sigma=SIGMA, distance_column="lateral_distance"
            )
    expected = reference_matrix(read_release(path, "distance"), SIGMA, 0.05)
    assert expected.n_gaps_probed.sum() > 0
    assert_matrix(got, expected)


def test_compat_measure_connectivity_gives_the_same_figures(mdb: SynphysDatabase) -> None:
    from synphys_ibis.compat import SynphysDatabase as CompatDatabase
    from synphys_ibis.compat import classify_cells, classify_pairs, measure_connectivity

    named = {
        "ex": CellClass(cell_class="ex", name="ex"),
        "sst": CellClass(cre_type="sst", name="sst"),
    }
    cdb = CompatDatabase.wrap(mdb)
    pairs = cdb.pair_query().all()
    groups = classify_pairs(pairs, classify_cells(named.values(), pairs=pairs))
    results = measure_connectivity(groups, sigma=SIGMA, dist_measure="vertical_distance")
    matrix = mdb.connectivity_matrix(
        named, named, sigma=SIGMA, gap_junctions=True, distance_column="vertical_distance"
    ).to_pandas()
    checked = 0
    for (pre, post), result in results.items():
        row = matrix[(matrix.pre_class == pre.name) & (matrix.post_class == post.name)].iloc[0]
        for key in ("n_probed", "n_connected", "n_gaps_probed", "n_gaps"):
            assert result[key] == row[key], key
        for key, columns in (
            ("connection_probability", ("connection_probability", "ci_lower", "ci_upper")),
            ("gap_probability", ("gap_probability", "gap_ci_lower", "gap_ci_upper")),
            ("adjusted_connectivity", ("adjusted_connection_probability", "adjusted_ci_lower",
                                       "adjusted_ci_upper")),
            ("adjusted_gap_junction", ("adjusted_gap_probability", "adjusted_gap_ci_lower",
                                       "adjusted_gap_ci_upper")),
        ):  # fmt: skip
            for value, column in zip(result[key], columns, strict=True):
                if pd.isna(row[column]):  # NULL here; aisynphys' NaN and (0, 1) there
                    assert math.isnan(value) or value in (0.0, 1.0), (key, column)
                else:
                    assert value == pytest.approx(row[column], rel=1e-9, abs=1e-12), column
                    checked += 1
    assert checked > 20


def test_arguments_are_checked(mdb: SynphysDatabase) -> None:
    for kwargs, match in (
        ({"sigma": -1e-6}, "sigma=-1e-06 is not allowed"),
        ({"sigma": True}, "sigma=True"),
        ({"alpha": 1.0}, "alpha=1.0 is not allowed"),
        ({"distance_column": "diagonal"}, "'distance', 'lateral_distance', 'vertical_distance'"),
        ({"gap_junctions": "yes"}, "gap_junctions='yes'"),
    ):
        with pytest.raises(InvalidArgumentError, match=match):
            mdb.connectivity_matrix(CLASSES, CLASSES, **kwargs)
    with pytest.raises(
        InvalidArgumentError,
        match=r"model='linear' is not allowed; allowed values: '(erf|gaussian)', '(erf|gaussian)'",
    ):
        mdb.connectivity_fit(CLASSES, CLASSES, model="linear")  # type: ignore[arg-type]


# -- fits ---------------------------------------------------------------------------------------------
def original_fit(x: np.ndarray, conn: np.ndarray, fixed_size: float | None) -> Any:
    """aisynphys' GaussianModel.fit (ConnectivityModel.fit, L-BFGS-B from 25 or 5 start boxes)."""

    def err(params: np.ndarray) -> float:
        p = params[0] * np.exp(-(x**2) / (2 * params[1] ** 2))
        return -(np.log(p[conn]).sum() + np.log((1 - p)[~conn]).sum())

    p_bins = np.linspace(0.001, 1, 6)
    s_bins = np.linspace(10e-6, 1e-3, 6) if fixed_size is None else [fixed_size] * 2
    best = None
    for p_bin in itertools.pairwise(p_bins):
        for s_bin in itertools.pairwise(s_bins):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = scipy.optimize.minimize(
                    err, x0=(np.mean(p_bin), np.mean(s_bin)), bounds=(p_bin, s_bin),
                    method="L-BFGS-B",
                )  # fmt: skip
            if best is None or fit.fun < best.fun:
                best = fit
    return best


def fit_data(pairs: list[dict[str, Any]], pre: str, post: str) -> tuple[np.ndarray, np.ndarray]:
    chosen = [
        p for p in pairs
        if MEMBER[pre](p["pre"]) and MEMBER[post](p["post"]) and was_probed(p)
        and math.isfinite(p["x"])
    ]  # fmt: skip
    return np.array([p["x"] for p in chosen]), np.array([p["synapse"] for p in chosen], bool)


@pytest.mark.parametrize("sigma", [SIGMA, None], ids=["fixed-size", "free-size"])
def test_gaussian_fit_equals_the_originals(
    mdb: SynphysDatabase, medium: Path, sigma: float | None
) -> None:
    fits = mdb.connectivity_fit(CLASSES, CLASSES, sigma=sigma, distance_column="lateral_distance")
    pairs = read_release(medium, "lateral_distance")
    compared = 0
    for row in fits.itertuples():
        x, conn = fit_data(pairs, row.pre_class, row.post_class)
        assert (row.n_probed, row.n_connected) == (len(x), int(conn.sum()))
        if len(x) == 0:
            assert pd.isna(row.pmax) and pd.isna(row.size) and pd.isna(row.success)
            continue
        original = original_fit(x, conn, sigma)
        assert row.success
        assert row.nll <= original.fun + 1e-7  # never a worse optimum than the original's
        if sigma is not None:
            assert row.size == sigma
            assert row.pmax == pytest.approx(original.x[0], abs=2e-5)
            assert row.nll == pytest.approx(original.fun, rel=1e-9)
        else:
            assert row.nll == pytest.approx(original.fun, rel=1e-4)
            assert row.pmax == pytest.approx(original.x[0], rel=5e-3, abs=1e-3)
            assert row.size == pytest.approx(original.x[1], rel=5e-3, abs=1e-6)
        compared += 1
    assert compared >= 9


def test_erf_fit_is_the_maximum_likelihood(mdb: SynphysDatabase, medium: Path) -> None:
    classes = {"ex": CLASSES["ex"], "in": CLASSES["in"]}
    fits = mdb.connectivity_fit(classes, classes, model="erf", distance_column="lateral_distance")
    pairs = read_release(medium, "lateral_distance")
    scale = np.array([1.0, 1e-4, 1e-4])
    for row in fits.itertuples():
        x, conn = fit_data(pairs, row.pre_class, row.post_class)
        nll = erf_nll(x, conn)
        # an independent search: Nelder-Mead from the best of a coarse grid
        grid = [(p, s, m) for p in np.linspace(0.02, 1, 8) for s in np.geomspace(10e-6, 1e-3, 8)
                for m in np.linspace(0, 1e-3, 8)]  # fmt: skip
        start = min(grid, key=lambda params: nll(np.array(params)))
        ref = scipy.optimize.minimize(
            lambda t, nll=nll: nll(np.clip(t * scale, [0.001, 10e-6, 0], [1, 1e-3, 1e-3])),
            np.array(start) / scale, method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 20000},
        )  # fmt: skip
        assert row.success
        assert row.nll == pytest.approx(nll(np.array([row.pmax, row.size, row.midpoint])))
        assert row.nll <= ref.fun + 1e-6


def erf_nll(x: np.ndarray, conn: np.ndarray) -> Callable[[np.ndarray], float]:
    """The negative log-likelihood of ``pmax * erfc((x - midpoint) / (sqrt 2 size)) / 2``."""

    def nll(params: np.ndarray) -> float:
        pmax, size, mid = params
        p = pmax * scipy.stats.norm.sf((x - mid) / size)  # = pmax * erfc(z / sqrt 2) / 2
        with np.errstate(divide="ignore"):
            return float(-(np.log(p[conn]).sum() + np.log((1 - p)[~conn]).sum()))

    return nll


def test_fits_need_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scipy", "scipy.optimize", "scipy.special"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "synphys_ibis\[fit\]"'):
        fit_profile([10e-6], [True])


def test_adjusted_connectivity_of_no_pairs_is_nan_as_the_original() -> None:
    assert all(math.isnan(v) for v in distance_adjusted_connectivity([], [], sigma=SIGMA))
    x, found = np.array([0.0, 50e-6, 150e-6]), np.array([True, False, False])
    assert distance_adjusted_connectivity(x, found, SIGMA, 0.2) == pytest.approx(
        adjusted(x, found, SIGMA, 0.2)
    )


# -- Spark --------------------------------------------------------------------------------------------
@pytest.mark.spark
def test_spark_gives_the_same_matrix_and_fits(
    spark_session: Any,  # noqa: F811 - the imported fixture
    medium: Path,
    parquet_export: Callable[[Path], Path],
) -> None:
    dataset = parquet_export(medium)
    args = {"sigma": SIGMA, "distance_column": "lateral_distance"}
    with SynphysDatabase.load_spark(dataset, session=spark_session) as spark:
        matrix = spark.connectivity_matrix(
            CLASSES, CLASSES, alpha=ALPHA, gap_junctions=True, **args
        ).to_pandas()
        fits = spark.connectivity_fit(CLASSES, CLASSES, **args)
    assert_matrix(matrix, reference_matrix(read_release(medium, "lateral_distance"), SIGMA, ALPHA))
    with SynphysDatabase.load_parquet(dataset) as duck:
        pd.testing.assert_frame_equal(fits, duck.connectivity_fit(CLASSES, CLASSES, **args))


# -- connectivity_profile -------------------------------------------------------------------------
def original_profile(
    connected: np.ndarray, distance: np.ndarray, bin_edges: np.ndarray
) -> tuple[np.ndarray, ...]:
    """aisynphys' connectivity_profile."""
    mask = np.isfinite(connected) & np.isfinite(distance)
    connected, distance = connected[mask], distance[mask]
    n_bins = len(bin_edges) - 1
    prop, lower, upper = np.zeros(n_bins), np.zeros(n_bins), np.zeros(n_bins)
    for i in range(n_bins):
        inside = connected[(distance >= bin_edges[i]) & (distance < bin_edges[i + 1])]
        n, k = inside.shape[0], inside.sum()
        if n == 0:
            prop[i], lower[i], upper[i] = np.nan, 0, 1
        else:
            prop[i] = k / n
            lower[i], upper[i] = beta_interval(int(k), n, 0.05)
    return prop, lower, upper


def test_connectivity_profile_bins_as_the_original(mdb: SynphysDatabase) -> None:
    from synphys_ibis.plotting import connectivity_profile

    edges = np.arange(0, 500e-6, 20e-6)  # measure_distance's bins (the last edge is 480 um)
    probed = mdb.pair_query(synapse_probed=True)
    frame = probed.select("lateral_distance", "has_synapse").to_pandas()
    frame.loc[frame.index[:3], "lateral_distance"] = [np.nan, np.inf, -np.inf]
    for data in (probed, frame):
        profile = connectivity_profile(data, bin_edges=edges)
        table = data if isinstance(data, pd.DataFrame) else data.to_pandas()
        connected = table.has_synapse.fillna(False).to_numpy(dtype=float)
        distance = table.lateral_distance.to_numpy(dtype=float)
        prop, lower, upper = original_profile(connected, distance, edges)
        np.testing.assert_allclose(profile.bin_start, edges[:-1])
        np.testing.assert_allclose(profile.connection_probability, prop, rtol=1e-12)
        np.testing.assert_allclose(profile.ci_lower, lower, atol=1e-10)
        np.testing.assert_allclose(profile.ci_upper, upper, atol=1e-10)
    assert (profile.n_probed == 0).any() or (profile.n_probed > 0).all()


def test_empty_bins_have_the_originals_interval() -> None:
    from synphys_ibis.plotting import connectivity_profile

    frame = pd.DataFrame({"distance": [5e-6, 45e-6, np.nan], "has_synapse": [True, False, True]})
    profile = connectivity_profile(frame, distance_column="distance", bin_size=20e-6)
    assert profile.n_probed.tolist() == [1, 0, 1]
    assert math.isnan(profile.connection_probability[1])
    assert (profile.ci_lower[1], profile.ci_upper[1]) == (0.0, 1.0)


# -- plots --------------------------------------------------------------------------------------------
def test_adjusted_heatmap_and_fitted_profile(mdb: SynphysDatabase) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from synphys_ibis import plotting

    classes = {"ex": CLASSES["ex"], "in": CLASSES["in"]}
    matrix = mdb.connectivity_matrix(classes, classes, sigma=SIGMA, gap_junctions=True).to_pandas()
    ax = plotting.connectivity_heatmap(matrix, probability="adjusted", show_ci=True)
    assert ax.figure.axes[-1].get_ylabel() == "connection probability (distance-adjusted pmax)"
    first = matrix.iloc[0]
    low, high = 100 * first.adjusted_ci_lower, 100 * first.adjusted_ci_upper
    assert ax.texts[0].get_text() == (
        f"{first.n_connected}/{first.n_probed}\n{low:.0f}-{high:.0f}%"
    )
    gaps = plotting.connectivity_heatmap(matrix, probability="gap")
    assert gaps.texts[0].get_text().endswith(f"/{matrix.n_gaps_probed.iloc[0]}")
    fit = mdb.connectivity_fit(classes, classes, sigma=SIGMA).iloc[0]
    pairs = mdb.pair_query(pre_class=classes["ex"], post_class=classes["ex"], synapse_probed=True)
    ax = plotting.connectivity_vs_distance(pairs, distance_column="distance", fit=fit)
    curve = next(line for line in ax.get_lines() if line.get_linestyle() == "--")
    x, y = curve.get_data()
    np.testing.assert_allclose(
        y, fit.pmax * np.exp(-((np.asarray(x) * 1e-6) ** 2) / (2 * SIGMA**2))
    )
    assert ax.get_xlabel() == "intersomatic distance (µm)"
    assert curve.get_label().startswith(f"Gaussian fit: pmax {fit.pmax:.2f}")
