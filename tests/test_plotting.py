"""Plots: rendered to PNG with the Agg backend and checked pixel by pixel, and each plotting
function compared with a committed baseline image (``tests/baseline/plotting``).

Baseline images are drawn with matplotlib's default style and its test font settings (DejaVu
Sans, no hinting) and compared with a tolerance (RMS of the pixel differences), so that a figure
cannot change silently. After an intended change, regenerate them with
``SYNPHYS_IBIS_UPDATE_BASELINES=1 pytest tests/test_plotting.py``, look at them, and commit them.
"""

from __future__ import annotations

import doctest
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import LogNorm, Normalize
from matplotlib.testing import set_font_settings_for_testing
from matplotlib.testing.compare import compare_images

from synphys_ibis import (
    CellClass,
    ColumnNotFoundError,
    InvalidArgumentError,
    SynphysDatabase,
    grids,
    mouse_layer_classes,
    plotting,
)
from synphys_ibis.grids import connectivity_grid
from synphys_ibis.stats import clopper_pearson

WHITE = np.array([1.0, 1.0, 1.0])
DPI = 50
BASELINE = Path(__file__).parent / "baseline" / "plotting"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture(autouse=True)
def close_figures() -> None:
    yield
    plt.close("all")


def render(ax: plt.Axes, path: Path) -> np.ndarray:
    """Save the figure (no tight bbox, so display and image pixels coincide) and read it back."""
    ax.figure.savefig(path, dpi=DPI)
    ax.figure.set_dpi(DPI)
    ax.figure.canvas.draw()
    return mpimg.imread(path)[..., :3]


def pixel_at(ax: plt.Axes, image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The colour of the pixel at data coordinates (x, y)."""
    px, py = ax.transData.transform((x, y))
    return image[round(image.shape[0] - py), round(px)]


def cell_colour(ax: plt.Axes, image: np.ndarray, column: int, row: int) -> np.ndarray:
    """The colour of a matrix cell, sampled off-centre (its text sits at the centre)."""
    px, py = ax.transData.transform((column + 0.3, row + 0.3))
    return image[round(image.shape[0] - py), round(px)]


def expected(cmap: str, norm: Normalize, value: float, alpha: float = 1.0) -> np.ndarray:
    rgba = np.array(matplotlib.colormaps[cmap](norm(value)))
    return rgba[:3] * alpha + WHITE * (1 - alpha)


# -- connectivity heatmap --------------------------------------------------------------------
MATRIX = pd.DataFrame(
    {
        "pre_class": ["ex"] * 3 + ["pv"] * 3 + ["sst"] * 3,
        "post_class": ["ex", "pv", "sst"] * 3,
        "n_probed": [100, 40, 0, 30, 60, 10, 0, 25, 8],
        "n_connected": [10, 20, 0, 0, 30, 1, 0, 5, 8],
    }
)


def test_heatmap_colours_probed_cells_and_leaves_unprobed_blank(tmp_path: Path) -> None:
    ax = plotting.connectivity_heatmap(MATRIX, annotate=False, colorbar=False)
    ax.figure.set_size_inches(4, 4)
    image = render(ax, tmp_path / "cm.png")
    assert image.shape[:2] == (4 * DPI, 4 * DPI)
    norm = LogNorm(vmin=0.01, vmax=1.0)
    for row in MATRIX.itertuples():
        i, j = ["ex", "pv", "sst"].index(row.pre_class), ["ex", "pv", "sst"].index(row.post_class)
        colour = pixel_at(ax, image, j, i)
        if row.n_probed == 0:
            np.testing.assert_allclose(colour, WHITE, atol=0.02)
        elif row.n_connected == 0:  # grey (and hatched), apart from the colour scale
            assert np.ptp(colour) < 0.02 and not np.allclose(colour, WHITE, atol=0.05)
        else:
            p = max(row.n_connected / row.n_probed, 0.01)
            np.testing.assert_allclose(colour, expected("viridis", norm, p), atol=0.02)
            assert not np.allclose(colour, WHITE, atol=0.1)


def test_heatmap_texts_and_confidence_intervals() -> None:
    ax = plotting.connectivity_heatmap(MATRIX, show_ci=True)
    texts = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert len(texts) == int((MATRIX.n_probed > 0).sum())
    assert (0, 2) not in texts and (2, 0) not in texts  # unprobed cells carry no text
    low, high = clopper_pearson(20, 40)
    assert texts[(0, 1)] == f"20/40\n{100 * low:.0f}-{100 * high:.0f}%"
    assert texts[(1, 0)].startswith("0/30\n0-")
    assert ax.get_xlabel() == "postsynaptic class" and ax.get_ylabel() == "presynaptic class"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Excit.", "pv", "sst"]
    colorbar = ax.figure.axes[-1]
    assert colorbar.get_ylabel() == "connection probability"
    assert colorbar.get_yscale() == "log"


def test_heatmap_ci_alpha_fades_uncertain_cells(tmp_path: Path) -> None:
    ax = plotting.connectivity_heatmap(MATRIX, annotate=False, colorbar=False, ci_alpha=True)
    image = render(ax, tmp_path / "alpha.png")
    norm = LogNorm(vmin=0.01, vmax=1.0)
    well_sampled = pixel_at(ax, image, 0, 0)  # 10/100: narrow interval
    low, high = clopper_pearson(10, 100)
    np.testing.assert_allclose(
        well_sampled, expected("viridis", norm, 0.1, 1 - (high - low)), atol=0.02
    )
    poorly_sampled = pixel_at(ax, image, 2, 2)  # 8/8: wide interval, faded
    low, high = clopper_pearson(8, 8)
    np.testing.assert_allclose(
        poorly_sampled, expected("viridis", norm, 1.0, max(0.2, 1 - (high - low))), atol=0.02
    )


def test_heatmap_from_a_lazy_connectivity_matrix(db: SynphysDatabase, tmp_path: Path) -> None:
    classes = {
        "sst": CellClass(cre_type="sst", name="sst"),
        "pvalb": CellClass(cre_type="pvalb", name="pvalb"),
        "nobody": CellClass(cre_type="no such cre", name="nobody"),
    }
    lazy = db.connectivity_matrix(classes, classes)
    frame = lazy.to_pyarrow().to_pandas()
    ax = plotting.connectivity_heatmap(lazy, labels={"sst": "Sst", "pvalb": "Pvalb"})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Sst", "Pvalb", "nobody"]
    shown = sorted(t.get_text() for t in ax.texts)
    probed = frame[frame.n_probed > 0]
    assert shown == sorted(f"{r.n_connected}/{r.n_probed}" for r in probed.itertuples())
    image = render(ax, tmp_path / "lazy.png")
    np.testing.assert_allclose(pixel_at(ax, image, 2, 2), WHITE, atol=0.02)  # nobody -> nobody


def test_heatmap_input_errors() -> None:
    with pytest.raises(ColumnNotFoundError, match="n_connected"):
        plotting.connectivity_heatmap(MATRIX.drop(columns="n_connected"))
    with pytest.raises(InvalidArgumentError, match="vmin"):
        plotting.connectivity_heatmap(MATRIX, vmin=0)
    with pytest.raises(InvalidArgumentError, match="expected an Ibis table or a pandas DataFrame"):
        plotting.connectivity_heatmap([1, 2, 3])  # type: ignore[arg-type]


# -- metric matrix --------------------------------------------------------------------------
def metric_frame() -> pd.DataFrame:
    rows = []
    values = {("a", "a"): [1.0, 3.0], ("a", "b"): [5.0], ("b", "a"): [2.0, 4.0, None, 6.0]}
    for (pre, post), vals in values.items():
        rows += [{"pre_class": pre, "post_class": post, "metric": v} for v in vals]
    return pd.DataFrame(rows)


def test_metric_matrix_colours_means_and_blanks_sparse_cells(tmp_path: Path) -> None:
    ax = plotting.metric_matrix(
        metric_frame(), "metric", pre_order=["a", "b", "c"], post_order=["a", "b"], colorbar=False
    )
    image = render(ax, tmp_path / "metric.png")
    norm = Normalize(vmin=2.0, vmax=4.0)  # the shown means: a->a 2, b->a 4
    np.testing.assert_allclose(
        cell_colour(ax, image, 0, 0), expected("viridis", norm, 2.0), atol=0.02
    )
    np.testing.assert_allclose(
        cell_colour(ax, image, 0, 1), expected("viridis", norm, 4.0), atol=0.02
    )
    for blank in [(1, 0), (1, 1), (0, 2), (1, 2)]:  # one pair only, no pairs, class without data
        np.testing.assert_allclose(cell_colour(ax, image, *blank), WHITE, atol=0.02)
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["2\nn=2", "4\nn=3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]


def test_metric_matrix_options() -> None:
    ax = plotting.metric_matrix(
        metric_frame(), "metric", stat="median", min_pairs=1, scale=10, fmt="{:.0f}"
    )
    assert sorted(t.get_text().split("\n")[0] for t in ax.texts) == ["20", "40", "50"]
    with pytest.raises(InvalidArgumentError, match="stat='mode'"):
        plotting.metric_matrix(metric_frame(), "metric", stat="mode")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="min_pairs"):
        plotting.metric_matrix(metric_frame(), "metric", min_pairs=0)
    with pytest.raises(ColumnNotFoundError, match="nope"):
        plotting.metric_matrix(metric_frame(), "nope")


def test_metric_summary_is_the_same_lazily_and_in_pandas(db: SynphysDatabase) -> None:
    classes = {
        "sst": CellClass(cre_type="sst", name="sst"),
        "ex": CellClass(cell_class="ex", name="ex"),
    }
    members = db.matrix_pair_query(
        classes, classes, columns=["synapse_latency"], pair_query_args={"synapse": True}
    )
    lazy = plotting.metric_summary(members, "synapse_latency")
    eager = plotting.metric_summary(members.to_pyarrow().to_pandas(), "synapse_latency")
    key = ["pre_class", "post_class"]
    lazy = lazy.sort_values(key).reset_index(drop=True)
    eager = eager.sort_values(key).reset_index(drop=True)
    assert len(lazy) > 0
    pd.testing.assert_frame_equal(lazy[key], eager[key])
    assert lazy.n.tolist() == eager.n.tolist()
    np.testing.assert_allclose(lazy["mean"], eager["mean"])
    np.testing.assert_allclose(lazy["median"], eager["median"])
    ax = plotting.metric_matrix(members, "synapse_latency", pre_order=classes, post_order=classes)
    assert len(ax.texts) == int((lazy.n >= 2).sum())


# -- connectivity vs distance ---------------------------------------------------------------
def distance_frame() -> pd.DataFrame:
    # bin 0 (0-20 um): 1 of 4 connected; bin 1: none probed; bin 2 (40-60 um): 3 of 3
    distances = [5e-6, 10e-6, 12e-6, 19e-6, 41e-6, 50e-6, 59e-6, None, 900e-6]
    synapse = [True, False, False, None, True, True, True, True, True]
    return pd.DataFrame({"lateral_distance": distances, "has_synapse": synapse})


def test_connectivity_profile_counts_bins() -> None:
    profile = plotting.connectivity_profile(distance_frame())
    assert profile.n_probed.tolist() == [4, 0, 3]
    assert profile.n_connected.tolist() == [1, 0, 3]
    np.testing.assert_allclose(profile.bin_start, [0, 20e-6, 40e-6])
    assert profile.connection_probability.iloc[0] == 0.25
    assert np.isnan(profile.connection_probability.iloc[1])
    assert (profile.ci_lower.iloc[0], profile.ci_upper.iloc[0]) == pytest.approx(
        clopper_pearson(1, 4)
    )
    everything = plotting.connectivity_profile(distance_frame(), max_distance=None)
    assert everything.n_probed.sum() == 8
    with pytest.raises(InvalidArgumentError, match="bin_size"):
        plotting.connectivity_profile(distance_frame(), bin_size=0)


def test_connectivity_vs_distance_draws_the_line_and_the_interval(tmp_path: Path) -> None:
    ax = plotting.connectivity_vs_distance(distance_frame(), label="test")
    ax.figure.set_size_inches(5, 4)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), [10, 50])  # the empty bin gets no point
    np.testing.assert_allclose(line.get_ydata(), [0.25, 1.0])
    assert ax.get_legend().get_texts()[0].get_text() == "test"
    ax.get_legend().remove()
    image = render(ax, tmp_path / "distance.png")
    assert image.shape[:2] == (4 * DPI, 5 * DPI)
    low, high = clopper_pearson(1, 4)
    inside = pixel_at(ax, image, 12, (low + 0.25) / 2)  # within the shaded interval near bin 0
    above = pixel_at(ax, image, 12, (high + 1.0) / 2)
    assert not np.allclose(inside, WHITE, atol=0.05)
    np.testing.assert_allclose(above, WHITE, atol=0.02)


def test_connectivity_profile_lazily_matches_pandas(db: SynphysDatabase) -> None:
    probed = db.pair_query(synapse_probed=True)
    lazy = plotting.connectivity_profile(probed, bin_size=50e-6)
    eager = plotting.connectivity_profile(probed.to_pyarrow().to_pandas(), bin_size=50e-6)
    pd.testing.assert_frame_equal(lazy, eager)
    assert lazy.n_probed.sum() > 0


# -- display names, zero cells, labels -------------------------------------------------------
def layer_matrix() -> pd.DataFrame:
    """Four standard classes: 0/1 and 0/12 cells, an unprobed one and a p < 1% one."""
    names = ["l23pyr", "l23pv", "l5et", "l5sst"]
    return pd.DataFrame(
        {
            "pre_class": [p for p in names for _ in names],
            "post_class": names * 4,
            "n_probed": [100, 40, 0, 12, 30, 60, 1, 10, 0, 25, 8, 200, 50, 12, 1, 0],
            "n_connected": [10, 20, 0, 0, 0, 30, 1, 1, 0, 5, 8, 1, 25, 3, 0, 0],
        }
    )


def test_classes_are_labelled_with_their_display_names() -> None:
    published = ["L2/3 Pyr", "L2/3 Pvalb", "L5 ET", "L5 Sst"]
    ax = plotting.connectivity_heatmap(layer_matrix())
    assert [t.get_text() for t in ax.get_xticklabels()] == published
    assert [t.get_text() for t in ax.get_yticklabels()] == published
    classes = mouse_layer_classes()
    assert [c.display_name for c in classes.values()][:5] == [
        "L2/3 Pyr",
        "L2/3 Pvalb",
        "L2/3 Sst",
        "L2/3 Vip",
        "L4 Pyr",
    ]
    renamed = plotting.connectivity_heatmap(layer_matrix(), labels={"l5et": "thick tufted"})
    assert [t.get_text() for t in renamed.get_xticklabels()][2] == "thick tufted"
    frame = metric_frame().replace({"a": "l5it", "b": "l6pyr"})
    metric = plotting.metric_matrix(frame, "metric", pre_order=classes, labels=classes)
    assert [t.get_text() for t in metric.get_yticklabels()][8:10] == ["L5 ET", "L5 IT"]
    assert [t.get_text() for t in metric.get_xticklabels()] == ["L5 IT", "L6 Pyr"]


def test_cells_with_none_connected_are_marked_apart_from_the_lowest_colour(
    tmp_path: Path,
) -> None:
    ax = plotting.connectivity_heatmap(layer_matrix(), annotate=False)
    image = render(ax, tmp_path / "zero.png")
    lowest = expected("viridis", LogNorm(vmin=0.01, vmax=1.0), 0.01)
    np.testing.assert_allclose(cell_colour(ax, image, 3, 2), lowest, atol=0.02)  # 1/200
    zero_cells = {(3, 0), (0, 1), (2, 3)}  # (column, row): 0/12, 0/30, 0/1
    hatched = {
        (round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in ax.patches if p.get_hatch()
    }
    assert hatched == zero_cells
    for column, row in zero_cells:
        colour = cell_colour(ax, image, column, row)
        assert np.linalg.norm(colour - lowest) > 0.5  # nowhere near p = 1%
        assert np.ptp(colour) < 0.02  # grey
    colorbar = ax.figure.axes[-1]
    assert colorbar.get_yticklabels()[0].get_text() == "≤0.01"
    assert [t.get_text() for t in colorbar.texts] == ["0"]
    assert any(p.get_hatch() for p in colorbar.patches)  # the "0" box is hatched too


def test_zero_of_one_fades_and_zero_of_twelve_does_not(tmp_path: Path) -> None:
    ax = plotting.connectivity_heatmap(layer_matrix(), annotate=False, colorbar=False)
    image = render(ax, tmp_path / "fade.png")
    zero_of_twelve = cell_colour(ax, image, 3, 0)
    zero_of_one = cell_colour(ax, image, 2, 3)
    assert zero_of_one.mean() > zero_of_twelve.mean() + 0.05  # 0/1 says little: nearly blank
    low, high = clopper_pearson(0, 12)
    grey = np.array(plotting.ZERO_COLOUR)
    alpha = 1 - (high - low)
    np.testing.assert_allclose(zero_of_twelve, grey * alpha + WHITE * (1 - alpha), atol=0.03)


def test_heatmap_colour_bar_label_and_annotation_size() -> None:
    ax = plotting.connectivity_heatmap(layer_matrix(), label="electrical coupling probability")
    assert ax.figure.axes[-1].get_ylabel() == "electrical coupling probability"
    classes = list(mouse_layer_classes())
    big = pd.DataFrame(
        {
            "pre_class": [p for p in classes for _ in classes],
            "post_class": classes * len(classes),
            "n_probed": 10,
            "n_connected": 1,
        }
    )
    ax = plotting.connectivity_heatmap(big, show_ci=True)
    assert len(ax.texts) == len(classes) ** 2
    assert min(t.get_fontsize() for t in ax.texts) >= 8


def diverging_frame() -> pd.DataFrame:
    values = {("a", "a"): [-1.0, -1.0], ("a", "b"): [0.5, 0.5], ("b", "a"): [0.0, 0.0]}
    rows = [
        {"pre_class": pre, "post_class": post, "metric": v}
        for (pre, post), vals in values.items()
        for v in vals
    ]
    return pd.DataFrame(rows)


def test_a_diverging_metric_is_centred_on_zero(tmp_path: Path) -> None:
    ax = plotting.metric_matrix(diverging_frame(), "metric", cmap="RdBu_r", colorbar=False)
    image = render(ax, tmp_path / "diverging.png")
    centred = Normalize(vmin=-1.0, vmax=1.0)  # symmetric about 0: white at 0
    for column, row, value in [(0, 0, -1.0), (1, 0, 0.5), (0, 1, 0.0)]:
        np.testing.assert_allclose(
            cell_colour(ax, image, column, row), expected("RdBu_r", centred, value), atol=0.02
        )
    ax = plotting.metric_matrix(diverging_frame(), "metric", cmap="coolwarm", vmin=-2, vmax=1)
    norm = ax.figure.axes[-1]._colorbar.norm  # the two slopes meet at 0
    assert (norm.vcenter, norm(0.0), norm(-2.0), norm(1.0)) == (0.0, 0.5, 0.0, 1.0)
    ax = plotting.metric_matrix(diverging_frame(), "metric", cmap="viridis", center=0.5)
    assert ax.figure.axes[-1]._colorbar.norm(0.5) == 0.5
    with pytest.raises(InvalidArgumentError, match="vmin < 0 < vmax"):
        plotting.metric_matrix(diverging_frame(), "metric", cmap="RdBu", vmin=0.1, vmax=1)


def test_metric_colour_bar_states_the_unit() -> None:
    pairs = metric_frame().rename(columns={"metric": "synapse_latency"})
    ax = plotting.metric_matrix(pairs, "synapse_latency", scale=1e3)
    assert ax.figure.axes[-1].get_ylabel() == "synapse latency (ms)"
    pairs = metric_frame().rename(columns={"metric": "synapse_psp_amplitude"})
    ax = plotting.metric_matrix(pairs, "synapse_psp_amplitude")
    assert ax.figure.axes[-1].get_ylabel() == "synapse psp amplitude (V)"
    ax = plotting.metric_matrix(pairs, "synapse_psp_amplitude", label="PSP (mV)", scale=1e3)
    assert ax.figure.axes[-1].get_ylabel() == "PSP (mV)"


def test_overlaid_distance_groups_all_fit() -> None:
    rng = np.random.default_rng(3)
    groups = []
    for p, n, reach in ((0.05, 400, 100e-6), (0.9, 30, 300e-6)):  # the second reaches 1
        distance = rng.uniform(0, reach, n)
        groups.append(
            pd.DataFrame({"lateral_distance": distance, "has_synapse": rng.random(n) < p})
        )
    ax = None
    for frame in groups:
        ax = plotting.connectivity_vs_distance(frame, ax=ax, bin_size=25e-6)
    assert ax is not None
    ax.figure.canvas.draw()
    bottom, top = ax.get_ylim()
    highest = max(plotting.connectivity_profile(g, bin_size=25e-6).ci_upper.max() for g in groups)
    assert bottom == 0 and highest <= top <= 1.0  # every band is in view, none clipped
    assert ax.get_xlim() == (0, 300)
    ax.plot([0, 500], [0, 0.5])  # drawn afterwards: still autoscaled, not clipped
    ax.figure.canvas.draw()
    assert ax.get_xlim()[1] >= 500


def test_connectivity_grid_is_square_in_class_order(db: SynphysDatabase) -> None:
    classes = dict(list(mouse_layer_classes().items())[:4])
    lazy = db.connectivity_matrix(classes, classes, species="mouse")
    grid = connectivity_grid(lazy)
    shown = [c.display_name for c in classes.values()]
    assert grid.shape == (4, 4)
    assert list(grid.index) == shown and list(grid.columns) == shown
    assert (grid.index.name, grid.columns.name) == ("pre_class", "post_class")
    long = lazy.to_pyarrow().to_pandas()
    row = long[(long.pre_class == "l23pv") & (long.post_class == "l23pyr")].iloc[0]
    assert grid.loc["L2/3 Pvalb", "L2/3 Pyr"] == pytest.approx(
        row.connection_probability, nan_ok=True
    )
    counts = connectivity_grid(long, value="n_probed", labels={"l23pyr": "pyramidal"})
    assert counts.loc["pyramidal"].tolist() == long.n_probed[long.pre_class == "l23pyr"].tolist()
    computed = connectivity_grid(MATRIX)  # no probability column: computed from the counts
    assert computed.loc["Excit.", "pv"] == 0.5 and np.isnan(computed.loc["sst", "Excit."])
    with pytest.raises(ColumnNotFoundError, match="nope"):
        connectivity_grid(MATRIX, value="nope")


# -- image comparison --------------------------------------------------------------------------
@contextmanager
def fixed_style() -> Iterator[None]:
    """matplotlib's default style with its test font settings: the same pixels on any machine
    with the same matplotlib and FreeType."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        set_font_settings_for_testing()
        yield


def assert_matches_baseline(
    figure: plt.Figure, name: str, tmp_path: Path, tol: float = 2.0
) -> None:
    actual = tmp_path / f"{name}.png"
    figure.savefig(actual, dpi=72)
    baseline = BASELINE / f"{name}.png"
    if os.environ.get("SYNPHYS_IBIS_UPDATE_BASELINES") == "1":
        baseline.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, baseline)
    if not baseline.exists():
        pytest.fail(f"no baseline image {baseline}; make it with SYNPHYS_IBIS_UPDATE_BASELINES=1")
    diff = compare_images(str(baseline), str(actual), tol=tol, in_decorator=True)
    if diff is not None:
        pytest.fail(
            f"{name} differs from its baseline (RMS {diff['rms']:.2f} > {tol}): "
            f"see {diff['actual']}, {diff['expected']} and {diff['diff']}"
        )


def test_heatmap_image(tmp_path: Path) -> None:
    with fixed_style():
        ax = plotting.connectivity_heatmap(layer_matrix(), show_ci=True, title="connectivity")
        assert_matches_baseline(ax.figure, "connectivity_heatmap", tmp_path)
        ax = plotting.connectivity_heatmap(layer_matrix(), ci_alpha=True, label="coupling")
        assert_matches_baseline(ax.figure, "connectivity_heatmap_ci_alpha", tmp_path)


def test_metric_matrix_image(tmp_path: Path) -> None:
    frame = diverging_frame().replace({"a": "l23pyr", "b": "l5et"})
    with fixed_style():
        ax = plotting.metric_matrix(frame, "metric", cmap="RdBu_r", label="metric (mV)")
        assert_matches_baseline(ax.figure, "metric_matrix_diverging", tmp_path)


def test_connectivity_vs_distance_image(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    with fixed_style():
        ax = None
        for name, p, n in (("near", 0.1, 300), ("far", 0.8, 60)):
            frame = pd.DataFrame(
                {"lateral_distance": rng.uniform(0, 200e-6, n), "has_synapse": rng.random(n) < p}
            )
            ax = plotting.connectivity_vs_distance(frame, ax=ax, label=name, bin_size=40e-6)
        assert ax is not None
        assert_matches_baseline(ax.figure, "connectivity_vs_distance_overlay", tmp_path)


# -- the notebooks' own figures ----------------------------------------------------------------
def run_notebook(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Run a notebook's code cells in this process (Agg, a small demo release); its namespace."""
    monkeypatch.setenv("SYNPHYS_IBIS_DEMO_EXPERIMENTS", "300")
    monkeypatch.setenv("SYNPHYS_IBIS_OFFLINE", "1")
    monkeypatch.chdir(NOTEBOOKS)
    book = json.loads((NOTEBOOKS / name).read_text())
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for cell in book["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), name, "exec"), namespace)
    return namespace


def drawn_axes() -> list[plt.Axes]:
    axes = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        figure.canvas.draw()
        axes += [a for a in figure.axes if a.get_label() != "<colorbar>"]
    return axes


@pytest.mark.parametrize(
    "name",
    [
        "02_synapse_properties.ipynb",
        "04_connectivity_vs_distance.ipynb",
        "05_gap_junctions_and_reciprocal.ipynb",
        "06_release_model_and_arrays.ipynb",
    ],
)
def test_notebook_figures_have_labelled_axes_and_plain_ticks(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_notebook(name, monkeypatch)
    axes = drawn_axes()
    assert axes
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel(), f"{name}: an axis without a label"
        for tick in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            assert "$" not in tick.get_text(), f"{name}: mathtext tick {tick.get_text()!r}"
        for text in (ax.get_xlabel(), ax.get_ylabel()):
            if any(word in text for word in ("amplitude", "time", "latency", "tau", "conductance")):
                assert "(" in text and ")" in text, f"{name}: no unit in {text!r}"


def test_notebook_02_legend_counts_the_values_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = run_notebook("02_synapse_properties.ipynb", monkeypatch)
    synapses = namespace["synapses"]
    assert isinstance(synapses, dict)
    histogram = next(ax for ax in drawn_axes() if ax.get_legend() is not None)
    for species, text in zip(synapses, histogram.get_legend().get_texts(), strict=True):
        amplitudes = synapses[species].synapse_psp_amplitude.dropna() * 1e3
        drawn = int(amplitudes.between(0, 2).sum())
        assert text.get_text().startswith(f"{species} (n={drawn}")
    assert any(
        len(frame) != frame.synapse_psp_amplitude.notna().sum() for frame in synapses.values()
    )


def test_notebook_06_traces_start_at_their_start_time(monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = run_notebook("06_release_model_and_arrays.ipynb", monkeypatch)
    traces = namespace["traces"]
    assert isinstance(traces, pd.DataFrame)
    ax = next(ax for ax in drawn_axes() if ax.get_legend() is not None)
    starts = [line.get_xdata()[0] for line in ax.get_lines()]
    np.testing.assert_allclose(starts, traces.resting_state_fit_ic_avg_data_start_time * 1e3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "excitatory synapses",
        "inhibitory synapses",
    ]
    assert ax.get_ylabel().endswith("(mV)") and ax.get_ylabel() != "mV"


# -- optional dependency ---------------------------------------------------------------------
def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'synphys_ibis\[plot\]'"):
        plotting.connectivity_heatmap(MATRIX)


def test_base_import_loads_no_matplotlib() -> None:
    code = (
        "import sys, synphys_ibis, synphys_ibis.plotting, synphys_ibis.export.writers, synphys_ibis.export.codecs; "
        "import synphys_ibis.cli; synphys_ibis.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'yaml')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", [plotting, grids], ids=["plotting", "grids"])
def test_module_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
