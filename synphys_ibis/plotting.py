"""The classic figures of the synaptic physiology papers, from lazy queries or frames.

* :func:`connectivity_heatmap`: a connectivity matrix (``SynphysDatabase.connectivity_matrix``)
  with connection probability as colour on a log scale (0.01 to 1, as the published figures),
  ``n_connected/n_probed`` in each cell and, optionally, the 95% confidence interval as text or
  as the cell's opacity. Cells with pairs probed but none connected are grey and hatched (the
  "0" end of the colour bar), apart from the lowest colour, which means "at most 1%".
* :func:`metric_matrix`: the mean (or median) of any synapse or dynamics column per class pair,
  from a ``matrix_pair_query(..., columns=[metric])``; cells with too few pairs stay blank. A
  diverging colour map is centred on 0 (white there).
* :func:`connectivity_vs_distance`: connection probability against intersomatic distance in
  bins, with the binned 95% Clopper-Pearson intervals shaded (:func:`connectivity_profile` gives
  the numbers); call it again on the same axes to overlay groups (the limits grow to fit all).

Classes are labelled with their display names (``'L2/3 Pyr'``, ``'L5 ET'``:
:data:`~synphys_ibis.query.cell_class.DISPLAY_NAMES`), or with ``labels=``. Release values are
SI (metres, seconds, volts, amperes); axis labels state the unit shown.

Every function takes a lazy Ibis table (aggregated in the database; only the summary is fetched)
or a pandas frame, draws into ``ax`` (a new figure when None) and returns the matplotlib ``Axes``
(its figure is ``ax.figure``). matplotlib is an optional dependency: ``pip install
'synphys_ibis[plot]'``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from synphys_ibis.plotting import connectivity_heatmap
>>> cm = pd.DataFrame({"pre_class": ["ex", "ex", "in", "in"], "post_class": ["ex", "in"] * 2,
...                    "n_probed": [40, 30, 0, 25], "n_connected": [4, 9, 0, 5]})
>>> ax = connectivity_heatmap(cm)
>>> [t.get_text() for t in ax.texts]
['4/40', '9/30', '5/25']
>>> [t.get_text() for t in ax.get_yticklabels()]
['Excit.', 'Inhib.']
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.grids import (
    Labels,
    class_labels,
    class_order,
    fetch,
    pivot,
    require_columns,
    with_probability,
)
from synphys_ibis.stats import clopper_pearson

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap, Normalize

__all__ = [
    "connectivity_heatmap",
    "connectivity_profile",
    "connectivity_vs_distance",
    "metric_matrix",
    "metric_summary",
]

Data: TypeAlias = IbisTable | pd.DataFrame
DistanceColumn: TypeAlias = Literal["lateral_distance", "distance", "vertical_distance"]
_INSTALL_HINT = "matplotlib is needed for plots; install it with: pip install 'synphys_ibis[plot]'"
#: Fill of cells with pairs probed but none connected (the colour bar's "0" end), and its hatch.
ZERO_COLOUR = (0.85, 0.85, 0.85)
ZERO_HATCH = "////"
_HATCH_COLOUR = (0.55, 0.55, 0.55)
# matplotlib's diverging colour maps (their "_r" reverses too): centred on 0 by default.
_DIVERGING = frozenset(
    {
        *("BrBG", "PRGn", "PiYG", "PuOr", "RdBu", "RdGy", "RdYlBu", "RdYlGn", "Spectral"),
        *("bwr", "coolwarm", "seismic", "berlin", "managua", "vanimo"),
    }
)
# SI unit of a release column, by how its name ends; and the prefix a display scale means.
_UNITS = (
    ("psp_amplitude", "V"),
    ("psc_amplitude", "A"),
    ("latency", "s"),
    ("rise_time", "s"),
    ("decay_tau", "s"),
    ("distance", "m"),
    ("conductance", "S"),
)
_PREFIXES = {1.0: "", 1e3: "m", 1e6: "µ", 1e9: "n", 1e12: "p"}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err
    return plt


def _new_axes(ax: Axes | None, n_rows: int, n_cols: int) -> Axes:
    if ax is not None:
        return ax
    plt = _pyplot()
    width = min(2.8 + 0.65 * n_cols, 18.0)
    height = min(2.0 + 0.5 * n_rows, 16.0)
    _, new = plt.subplots(figsize=(width, height), layout="constrained")
    return new


def _colormap(cmap: str | Colormap) -> Colormap:
    import matplotlib as mpl

    return mpl.colormaps[cmap] if isinstance(cmap, str) else cmap


def _values(
    frame: pd.DataFrame, column: str, pre: list[str], post: list[str], fill: float = np.nan
) -> np.ndarray:
    return pivot(frame, column, pre, post).to_numpy(dtype=float, na_value=fill)


def _cell_rgba(
    values: np.ndarray, colormap: Colormap, norm: Normalize, alpha: np.ndarray | None
) -> np.ndarray:
    """The colour of each cell; NaN cells transparent (the axes background shows through)."""
    rgba = colormap(norm(np.nan_to_num(values, nan=norm.vmin or 0.0)))
    rgba[..., 3] = 1.0 if alpha is None else alpha
    rgba[np.isnan(values)] = (0.0, 0.0, 0.0, 0.0)
    return rgba


def _text_colour(rgba: np.ndarray) -> str:
    # Blend over white by alpha, then pick black or white by perceived luminance.
    rgb = rgba[:3] * rgba[3] + (1.0 - rgba[3])
    luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return "black" if luminance > 0.5 else "white"


def _draw_matrix(
    ax: Axes, rgba: np.ndarray, *, pre: list[str], post: list[str], labels: Labels | None
) -> None:
    """Draw coloured cells, labelled by the classes' display names."""
    ax.imshow(rgba, interpolation="nearest", aspect="auto")
    ax.set_xticks(range(len(post)), class_labels(post, labels), rotation=90)
    ax.set_yticks(range(len(pre)), class_labels(pre, labels))
    ax.set_xlabel("postsynaptic class")
    ax.set_ylabel("presynaptic class")
    ax.tick_params(length=0)


def _annotate(ax: Axes, texts: np.ndarray, rgba: np.ndarray) -> None:
    size = 9.0 if max(texts.shape) <= 10 else 8.0
    for (i, j), text in np.ndenumerate(texts):
        if text:
            colour = _text_colour(rgba[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize=size, color=colour)


# -- connectivity heatmap ------------------------------------------------------------------------
def connectivity_heatmap(
    matrix: Data,
    *,
    ax: Axes | None = None,
    vmin: float = 0.01,
    vmax: float = 1.0,
    cmap: str | Colormap = "viridis",
    annotate: bool = True,
    show_ci: bool = False,
    ci_alpha: bool = False,
    labels: Labels | None = None,
    colorbar: bool = True,
    label: str | None = None,
    title: str | None = None,
    probability: HeatmapProbability = "connection",
) -> Axes:
    """Draw a connectivity matrix: probability as colour (log scale), counts in each cell.

    A cell counts the pairs probed between a presynaptic class (row) and a postsynaptic class
    (column) and those of them connected. Its colour is the connection probability on a log
    scale from ``vmin`` to ``vmax``; the lowest colour means "at most ``vmin``" (the colour bar
    says so). Cells with pairs probed but none connected are grey and hatched, the colour bar's
    "0", faded by their 95% interval's width (0/1 says little and is faint, 0/12 is not); cells
    where no pair was probed stay blank. ``ci_alpha`` fades every cell that way, and the counts
    ``n_connected/n_probed`` are written in each cell.

    Parameters
    ----------
    matrix
        The result of ``db.connectivity_matrix(...)`` (lazy or fetched), or any frame with
        ``pre_class``, ``post_class``, ``n_probed`` and ``n_connected`` (``connection_probability``,
        ``ci_lower`` and ``ci_upper`` are computed when absent). Classes appear in the order they
        first occur.
    ax
        Axes to draw into (default: a new figure).
    vmin, vmax
        Ends of the logarithmic colour scale; probabilities above 0 but below ``vmin`` get the
        lowest colour.
    cmap
        Colour map.
    annotate
        Write ``n_connected/n_probed`` in each probed cell.
    show_ci
        Add the 95% Clopper-Pearson interval (in %) under the counts.
    ci_alpha
        Make every cell more transparent the wider its interval (opacity 1 - width, at least
        0.2), as the published figures fade poorly sampled cells (cells with none connected
        always fade so).
    labels
        Display labels by class name (``{'l23pyr': 'My label'}``) or the class dict itself;
        by default the classes' standard display names (``'L2/3 Pyr'``), else their names.
    colorbar, label
        Draw a colour bar, labelled ``label`` (default: what ``probability`` shows, e.g.
        ``'connection probability'``).
    title
        Axes title.
    probability
        Which figures of a ``connectivity_matrix`` the cells show: ``'connection'`` (default:
        ``connection_probability`` and its interval), ``'adjusted'`` (the distance-adjusted
        ``adjusted_connection_probability``, ``pmax``, of a matrix with ``sigma``: colour and
        interval adjusted, counts still connected/probed, as the papers' figures),
        ``'gap'`` (``n_gaps/n_gaps_probed`` and ``gap_probability``) or ``'adjusted_gap'``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ColumnNotFoundError
        If ``matrix`` lacks one of the count columns.
    InvalidArgumentError
        Unless ``0 < vmin < vmax``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> cm = pd.DataFrame({"pre_class": ["l23pyr"] * 2 + ["l5et"] * 2,
    ...                    "post_class": ["l23pyr", "l5et"] * 2,
    ...                    "n_probed": [40, 12, 1, 25], "n_connected": [4, 0, 0, 5]})
    >>> ax = connectivity_heatmap(cm, label="chemical connection probability")
    >>> [t.get_text() for t in ax.texts]
    ['4/40', '0/12', '0/1', '5/25']
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['L2/3 Pyr', 'L5 ET']
    >>> len([p for p in ax.patches if p.get_hatch()])  # the two cells with none connected
    2
    """
    frame, label = _heatmap_frame(matrix, probability, label)
    if not 0 < vmin < vmax:
        raise InvalidArgumentError(f"need 0 < vmin < vmax for a log scale; got {vmin!r}, {vmax!r}")
    pre, post = class_order(frame.pre_class), class_order(frame.post_class)
    probed = _values(frame, "n_probed", pre, post, fill=0.0)
    connected = _values(frame, "n_connected", pre, post, fill=0.0)
    low, high = _values(frame, "ci_lower", pre, post), _values(frame, "ci_upper", pre, post)
    shown = np.where(probed > 0, _values(frame, "connection_probability", pre, post), np.nan)
    zero = (probed > 0) & (connected == 0)
    # Opacity 1 - interval width (at least 0.2): every cell with ci_alpha, else the zero cells
    # only, so that 0/1 (the interval spans almost everything) fades and 0/12 does not.
    faded = np.clip(1.0 - np.nan_to_num(high - low, nan=1.0), 0.2, 1.0)
    alpha = faded if ci_alpha else np.where(zero, faded, 1.0)
    ax = _new_axes(ax, len(pre), len(post))
    rgba = _draw_probabilities(ax, shown, zero, vmin, vmax, cmap, alpha, colorbar, label)
    _draw_matrix(ax, rgba, pre=pre, post=post, labels=labels)
    if annotate:
        texts = np.full(probed.shape, "", dtype=object)
        for (i, j), n in np.ndenumerate(probed):
            if n > 0:
                texts[i, j] = f"{int(connected[i, j])}/{int(n)}"
                if show_ci:
                    texts[i, j] += f"\n{100 * low[i, j]:.0f}-{100 * high[i, j]:.0f}%"
        _annotate(ax, texts, rgba)
    if title:
        ax.set_title(title)
    return ax


HeatmapProbability: TypeAlias = Literal["connection", "adjusted", "gap", "adjusted_gap"]
# probability shown -> (count columns, probability and interval columns, colour bar label)
_HEATMAP_COLUMNS: dict[str, tuple[tuple[str, str], tuple[str, str, str], str]] = {
    "connection": (
        ("n_probed", "n_connected"),
        ("connection_probability", "ci_lower", "ci_upper"),
        "connection probability",
    ),
    "adjusted": (
        ("n_probed", "n_connected"),
        ("adjusted_connection_probability", "adjusted_ci_lower", "adjusted_ci_upper"),
        "connection probability (distance-adjusted pmax)",
    ),
    "gap": (
        ("n_gaps_probed", "n_gaps"),
        ("gap_probability", "gap_ci_lower", "gap_ci_upper"),
        "electrical coupling probability",
    ),
    "adjusted_gap": (
        ("n_gaps_probed", "n_gaps"),
        ("adjusted_gap_probability", "adjusted_gap_ci_lower", "adjusted_gap_ci_upper"),
        "electrical coupling probability (distance-adjusted pmax)",
    ),
}


def _heatmap_frame(matrix: Data, probability: str, label: str | None) -> tuple[pd.DataFrame, str]:
    """The matrix with the figures ``probability`` names under the plain count/probability names."""
    if probability not in _HEATMAP_COLUMNS:
        raise InvalidArgumentError.for_value("probability", probability, list(_HEATMAP_COLUMNS))
    (n, k), figures, default_label = _HEATMAP_COLUMNS[probability]
    needed = ["pre_class", "post_class", n, k]
    if probability != "connection":
        needed += list(figures)
    frame = fetch(matrix, needed)
    if probability != "connection":
        plain = ("connection_probability", "ci_lower", "ci_upper")
        frame = pd.DataFrame(
            {
                "pre_class": frame.pre_class,
                "post_class": frame.post_class,
                "n_probed": frame[n],
                "n_connected": frame[k],
                **{name: frame[column] for name, column in zip(plain, figures, strict=True)},
            }
        )
    return with_probability(frame), default_label if label is None else label


def _draw_probabilities(
    ax: Axes,
    probability: np.ndarray,
    zero: np.ndarray,
    vmin: float,
    vmax: float,
    cmap: str | Colormap,
    alpha: np.ndarray,
    colorbar: bool,
    label: str,
) -> np.ndarray:
    """Hatch the cells with none connected and draw the colour bar; return the cell colours."""
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    norm = LogNorm(vmin=vmin, vmax=vmax, clip=True)
    colormap = _colormap(cmap).with_extremes(under=ZERO_COLOUR)
    rgba = _cell_rgba(np.clip(probability, vmin, vmax), colormap, norm, alpha)
    rgba[zero, :3] = ZERO_COLOUR
    for i, j in zip(*np.nonzero(zero), strict=True):
        ax.add_patch(
            Rectangle(
                (j - 0.5, i - 0.5),
                1,
                1,
                fill=False,
                hatch=ZERO_HATCH,
                linewidth=0,
                edgecolor=(*_HATCH_COLOUR, alpha[i, j]),
            )
        )
    if colorbar:
        _probability_colorbar(ax, colormap, label, vmin, vmax)
    return rgba


def _probability_colorbar(
    ax: Axes, colormap: Colormap, label: str, low: float, high: float
) -> None:
    """A log colour bar with plain ticks, "≤ vmin" at its bottom and, under it, a grey hatched
    box for "0" (probed, none connected)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    extend = 0.12  # of the bar's length
    bar = ax.figure.colorbar(
        ScalarMappable(norm=LogNorm(vmin=low, vmax=high), cmap=colormap),
        ax=ax,
        label=label,
        extend="min",
        extendrect=True,
        extendfrac=extend,
    )
    steps = [m * 10.0**e for e in range(-6, 1) for m in (1, 2, 5)]
    ticks = sorted({low, high, *(t for t in steps if low < t < high)})
    bar.set_ticks(ticks, labels=[f"≤{t:g}" if t == low else f"{t:g}" for t in ticks])
    bar.minorticks_off()
    box = Rectangle(
        (0.0, -extend),
        1.0,
        extend,
        transform=bar.ax.transAxes,
        clip_on=False,
        fill=False,
        hatch=ZERO_HATCH,
        edgecolor=_HATCH_COLOUR,
        linewidth=0,
    )
    bar.ax.add_patch(box)
    bar.ax.annotate(
        "0",
        xy=(1.0, -extend / 2),
        xycoords="axes fraction",
        xytext=(4, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=bar.ax.yaxis.get_ticklabels()[0].get_fontsize(),
    )


# -- metric matrices -----------------------------------------------------------------------------
def metric_summary(data: Data, metric: str) -> pd.DataFrame:
    """Per (pre_class, post_class): ``n`` pairs with a value of ``metric``, its mean, median and
    standard deviation.

    Parameters
    ----------
    data
        A ``matrix_pair_query(..., columns=[metric])`` result or a frame with ``pre_class``,
        ``post_class`` and ``metric``; rows whose metric is NULL are ignored. A lazy table is
        aggregated in the database.
    metric
        The column to summarise.

    Returns
    -------
    pandas.DataFrame
        ``pre_class``, ``post_class``, ``n``, ``mean``, ``median``, ``std`` (in the column's
        units, SI).

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"pre_class": ["ex", "ex", "ex"], "post_class": ["in"] * 3,
    ...                       "synapse_latency": [1e-3, 2e-3, None]})
    >>> metric_summary(pairs, "synapse_latency")[["n", "mean"]]
       n    mean
    0  2  0.0015
    """
    if isinstance(data, IbisTable):
        require_columns(data.columns, ["pre_class", "post_class", metric])
        value = data[metric]
        summary = (
            data.filter(value.notnull())
            .group_by(["pre_class", "post_class"])
            .aggregate(n=value.count(), mean=value.mean(), median=value.median(), std=value.std())
        )
        return summary.to_pyarrow().to_pandas()
    frame = fetch(data, ["pre_class", "post_class", metric])
    values = frame[frame[metric].notna()]
    grouped = values.groupby(["pre_class", "post_class"], sort=False)[metric]
    return grouped.agg(n="count", mean="mean", median="median", std="std").reset_index()


def metric_matrix(
    data: Data,
    metric: str,
    *,
    pre_order: Sequence[str] | Mapping[str, Any] | None = None,
    post_order: Sequence[str] | Mapping[str, Any] | None = None,
    stat: Literal["mean", "median"] = "mean",
    min_pairs: int = 2,
    scale: float = 1.0,
    ax: Axes | None = None,
    cmap: str | Colormap = "viridis",
    norm: Normalize | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    center: float | None = None,
    annotate: bool = True,
    fmt: str = "{:.3g}",
    labels: Labels | None = None,
    colorbar: bool = True,
    label: str | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the mean (or median) of a synapse/dynamics column per class pair.

    Parameters
    ----------
    data
        ``db.matrix_pair_query(classes, classes, columns=[metric], pair_query_args=...)`` (lazy
        or fetched) or a frame with ``pre_class``, ``post_class`` and ``metric``.
    metric
        The column to summarise, e.g. ``'synapse_latency'``, ``'dynamics_stp_induction_50hz'``.
    pre_order, post_order
        Class names (or the class dicts) in display order; by default the order they occur in.
        Pass the class dicts to keep their order and show classes without data as blank rows.
    stat
        ``'mean'`` or ``'median'``.
    min_pairs
        Cells with fewer pairs than this stay blank (the original blanks single-pair cells).
    scale
        Multiply values before display: release values are SI, so ``1e3`` shows ms (or mV),
        ``1e6`` µm.
    cmap, norm, vmin, vmax
        Colour scale: ``norm`` if given; else linear from ``vmin`` to ``vmax`` (by default the
        shown values' range), centred (see ``center``) for a diverging map.
    center
        The value drawn in the middle colour of the map (white for ``'RdBu_r'``). Default: 0
        for matplotlib's diverging maps (``'RdBu'``, ``'BrBG'``, ``'coolwarm'``, ... and their
        ``_r``), none otherwise. Without ``vmin``/``vmax`` the scale is symmetric about it.
    annotate, fmt
        Write each cell's value (formatted with ``fmt``) and its pair count.
    labels
        Display labels by class name or the class dict (default: standard display names).
    colorbar, label
        Draw a colour bar labelled ``label`` (default: the metric and its unit, scaled, for the
        columns whose unit is known, e.g. ``'synapse latency (ms)'`` at ``scale=1e3``).
    title
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ColumnNotFoundError
        If ``data`` lacks ``metric`` or the class columns.
    InvalidArgumentError
        For an unknown ``stat``, a ``min_pairs`` below 1, or ``vmin``/``vmax`` on the same side
        of ``center``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"pre_class": ["l23pyr"] * 4, "post_class": ["l23pv"] * 4,
    ...                       "synapse_latency": [1e-3, 2e-3, 1.5e-3, None]})
    >>> ax = metric_matrix(pairs, "synapse_latency", scale=1e3)
    >>> [t.get_text() for t in ax.texts], ax.figure.axes[-1].get_ylabel()
    (['1.5\\nn=3'], 'synapse latency (ms)')
    """
    if stat not in ("mean", "median"):
        raise InvalidArgumentError.for_value("stat", stat, ["mean", "median"])
    if isinstance(min_pairs, bool) or not isinstance(min_pairs, int) or min_pairs < 1:
        raise InvalidArgumentError(f"min_pairs must be a positive integer, not {min_pairs!r}")
    summary = metric_summary(data, metric)
    pre = class_order(summary.pre_class, pre_order)
    post = class_order(summary.post_class, post_order)
    counts = _values(summary, "n", pre, post, fill=0.0)
    values = _values(summary, stat, pre, post) * scale
    values[counts < min_pairs] = np.nan
    if center is None and _is_diverging(cmap):
        center = 0.0
    if norm is None:
        norm = _metric_norm(values[~np.isnan(values)], vmin, vmax, center)
    colormap = _colormap(cmap)
    rgba = _cell_rgba(values, colormap, norm, None)
    ax = _new_axes(ax, len(pre), len(post))
    _draw_matrix(ax, rgba, pre=pre, post=post, labels=labels)
    if colorbar:
        from matplotlib.cm import ScalarMappable

        mappable = ScalarMappable(norm=norm, cmap=colormap)
        ax.figure.colorbar(mappable, ax=ax, label=label or _metric_label(metric, scale))
    if annotate:
        texts = np.full(values.shape, "", dtype=object)
        for (i, j), value in np.ndenumerate(values):
            if not np.isnan(value):
                texts[i, j] = f"{fmt.format(value)}\nn={int(counts[i, j])}"
        _annotate(ax, texts, rgba)
    if title:
        ax.set_title(title)
    return ax


def _is_diverging(cmap: str | Colormap) -> bool:
    name = cmap if isinstance(cmap, str) else cmap.name
    return name.removesuffix("_r") in _DIVERGING


def _metric_norm(
    shown: np.ndarray, vmin: float | None, vmax: float | None, center: float | None
) -> Normalize:
    """Linear over the shown values (or vmin..vmax); with a centre, that value in the middle."""
    from matplotlib.colors import CenteredNorm, Normalize, TwoSlopeNorm

    if center is None:
        low = vmin if vmin is not None else (float(shown.min()) if shown.size else 0.0)
        high = vmax if vmax is not None else (float(shown.max()) if shown.size else 1.0)
        return Normalize(vmin=low, vmax=high if high > low else low + 1.0)
    if vmin is None and vmax is None:
        half = float(np.abs(shown - center).max()) if shown.size else 0.0
        return CenteredNorm(vcenter=center, halfrange=half or 1.0)
    low = vmin if vmin is not None else 2 * center - vmax  # type: ignore[operator]
    high = vmax if vmax is not None else 2 * center - low
    if not low < center < high:
        raise InvalidArgumentError(
            f"a colour scale centred on {center:g} needs vmin < {center:g} < vmax; got "
            f"vmin={low!r}, vmax={high!r}; pass center= (or norm=) to move the centre"
        )
    return TwoSlopeNorm(vcenter=center, vmin=low, vmax=high)


def _metric_label(metric: str, scale: float) -> str:
    """``'synapse latency (ms)'``: the metric and its unit at ``scale``, where the unit is known."""
    name = metric.replace("_", " ")
    unit = next((u for suffix, u in _UNITS if metric.endswith(suffix)), None)
    if unit is not None and scale in _PREFIXES:
        return f"{name} ({_PREFIXES[scale]}{unit})"
    if unit is not None:
        return f"{name} ({unit} x {scale:g})"
    return name if scale == 1 else f"{name} (x {scale:g})"


# -- connectivity vs distance -------------------------------------------------------------------
SIGMA = "\N{GREEK SMALL LETTER SIGMA}"
_DISTANCE_LABELS = {
    "distance": "intersomatic distance (µm)",
    "lateral_distance": "lateral intersomatic distance (µm)",
    "vertical_distance": "vertical intersomatic distance (µm)",
}


def connectivity_profile(
    pairs: Data,
    *,
    bin_size: float = 20e-6,
    max_distance: float | None = 500e-6,
    distance_column: DistanceColumn = "lateral_distance",
    bin_edges: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Connection probability in distance bins, with Clopper-Pearson intervals.

    The numbers of aisynphys' ``connectivity_profile(connected, distance, bin_edges)``: pairs
    with a non-finite distance (NULL, NaN, inf) are left out; a bin counts the pairs with
    ``bin_start <= distance < bin_end``; an empty bin has probability NaN and the interval
    (0, 1), as in aisynphys. With ``bin_edges`` the bins are exactly those (aisynphys'
    ``measure_distance`` uses ``numpy.arange(0, 500e-6, window)``, whose last edge is below
    500 µm); otherwise they are ``bin_size`` wide from 0 to the last occupied bin (bin ``i``
    holds ``floor(distance / bin_size) == i``), pairs at ``max_distance`` or further left out.

    Parameters
    ----------
    pairs
        Probed pairs, e.g. ``db.pair_query(synapse_probed=True, species='mouse')``: every row
        counts as probed, rows with ``has_synapse`` true as connected.
    bin_size
        Bin width in metres (20 µm, as aisynphys' notebooks).
    max_distance
        Ignore pairs at least this far apart (None keeps all); not used with ``bin_edges``.
    distance_column
        ``'lateral_distance'`` (default), ``'distance'`` or ``'vertical_distance'``.
    bin_edges
        Increasing bin edges in metres (at least two).
    alpha
        The intervals' level is ``1 - alpha``.

    Returns
    -------
    pandas.DataFrame
        ``bin_start``, ``bin_end`` (metres), ``n_probed``, ``n_connected``,
        ``connection_probability``, ``ci_lower``, ``ci_upper``: one row per bin.

    Raises
    ------
    InvalidArgumentError
        For an ``alpha`` outside (0, 1), ``bin_edges`` that are not increasing and finite, or a
        ``bin_size`` that is not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"lateral_distance": [5e-6, 25e-6, 30e-6, float("inf")],
    ...                       "has_synapse": [True, False, True, True]})
    >>> profile = connectivity_profile(pairs, bin_edges=[0, 20e-6, 40e-6, 60e-6])
    >>> profile.n_probed.tolist(), profile.n_connected.tolist()
    ([1, 2, 0], [1, 1, 0])
    >>> profile.ci_lower.tolist()[2], profile.ci_upper.tolist()[2]  # an empty bin, as aisynphys
    (0.0, 1.0)
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InvalidArgumentError(f"alpha must be a number between 0 and 1, not {alpha!r}")
    if bin_edges is not None:
        edges = np.asarray(bin_edges, dtype=float)
        if (
            edges.ndim != 1
            or len(edges) < 2
            or not np.isfinite(edges).all()
            or (np.diff(edges) <= 0).any()
        ):
            raise InvalidArgumentError(
                f"bin_edges must be at least two increasing finite distances, not {bin_edges!r}"
            )
        n_probed, n_connected = _edge_counts(pairs, edges, distance_column)
        result = pd.DataFrame(
            {"bin_start": edges[:-1], "bin_end": edges[1:], "n_probed": n_probed,
             "n_connected": n_connected}
        )  # fmt: skip
        return _with_interval(result, float(alpha))
    if not (isinstance(bin_size, (int, float)) and not isinstance(bin_size, bool) and bin_size > 0):
        raise InvalidArgumentError(
            f"bin_size must be a positive number of metres, not {bin_size!r}"
        )
    counts = _binned_counts(pairs, bin_size, max_distance, distance_column)
    last = int(counts.bin.max()) if len(counts) else -1
    bins = pd.DataFrame({"bin": np.arange(last + 1, dtype=np.int64)})
    merged = bins.merge(counts, on="bin", how="left").fillna({"n_probed": 0, "n_connected": 0})
    result = pd.DataFrame(
        {
            "bin_start": merged.bin * bin_size,
            "bin_end": (merged.bin + 1) * bin_size,
            "n_probed": merged.n_probed.astype(np.int64),
            "n_connected": merged.n_connected.astype(np.int64),
        }
    )
    return _with_interval(result, float(alpha))


def _with_interval(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Probability and interval per bin; NaN and (0, 1) for an empty bin, as aisynphys."""
    n = frame.n_probed.to_numpy(dtype=np.int64)
    k = frame.n_connected.to_numpy(dtype=np.int64)
    frame = frame.astype({"n_probed": np.int64, "n_connected": np.int64})
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["connection_probability"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    bounds = [
        clopper_pearson(int(a), int(b), alpha) if b > 0 else (0.0, 1.0)
        for a, b in zip(k, n, strict=True)
    ]
    frame["ci_lower"] = [b[0] for b in bounds]
    frame["ci_upper"] = [b[1] for b in bounds]
    return frame


def _finite_rows(pairs: Data, column: str) -> Data:
    if isinstance(pairs, IbisTable):
        require_columns(pairs.columns, [column, "has_synapse"])
        x = pairs[column]
        return pairs.filter(x.notnull() & ~x.isnan() & ~x.isinf())
    frame = fetch(pairs, [column, "has_synapse"])
    return frame[np.isfinite(frame[column].to_numpy(dtype=float))]


def _edge_counts(pairs: Data, edges: np.ndarray, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Probed and connected pairs with ``edges[i] <= distance < edges[i + 1]``, per bin."""
    rows = _finite_rows(pairs, column)
    if isinstance(rows, IbisTable):
        x, connected = rows[column], rows.has_synapse.fill_null(False)
        conditions = [(x >= float(lo)) & (x < float(hi)) for lo, hi in itertools.pairwise(edges)]
        counts = (
            rows.aggregate(
                **{f"n{i}": rows.count(where=c) for i, c in enumerate(conditions)},
                **{f"k{i}": rows.count(where=c & connected) for i, c in enumerate(conditions)},
            )
            .to_pyarrow()
            .to_pylist()[0]
        )
        m = len(conditions)
        return (
            np.array([counts[f"n{i}"] for i in range(m)], dtype=np.int64),
            np.array([counts[f"k{i}"] for i in range(m)], dtype=np.int64),
        )
    x = rows[column].to_numpy(dtype=float)
    connected = rows.has_synapse.fillna(False).astype(bool).to_numpy()
    inside = (x[None, :] >= edges[:-1, None]) & (x[None, :] < edges[1:, None])
    return inside.sum(axis=1), (inside & connected[None, :]).sum(axis=1)


def _binned_counts(
    pairs: Data, bin_size: float, max_distance: float | None, column: str
) -> pd.DataFrame:
    rows = _finite_rows(pairs, column)
    if isinstance(rows, IbisTable):
        if max_distance is not None:
            rows = rows.filter(rows[column] < max_distance)
        binned = rows.mutate(bin=(rows[column] / bin_size).floor().cast("int64"))
        connected = binned.has_synapse.fill_null(False)
        summary = binned.group_by("bin").aggregate(
            n_probed=binned.count(), n_connected=binned.count(where=connected)
        )
        return summary.to_pyarrow().to_pandas()
    frame = rows
    if max_distance is not None:
        frame = frame[frame[column] < max_distance]
    bins = np.floor(frame[column].to_numpy(dtype=float) / bin_size).astype(np.int64)
    connected = frame.has_synapse.fillna(False).astype(bool).to_numpy()
    grouped = pd.DataFrame({"bin": bins, "connected": connected}).groupby("bin")
    return grouped.agg(
        n_probed=("connected", "size"), n_connected=("connected", "sum")
    ).reset_index()


def connectivity_vs_distance(
    pairs: Data,
    *,
    bin_size: float = 20e-6,
    max_distance: float | None = 500e-6,
    distance_column: DistanceColumn = "lateral_distance",
    bin_edges: Sequence[float] | None = None,
    fit: Any = None,
    ax: Axes | None = None,
    color: Any = None,
    label: str | None = None,
    title: str | None = None,
) -> Axes:
    """Plot connection probability against distance, with the binned 95% intervals shaded.

    Parameters are those of :func:`connectivity_profile`; ``color`` and ``label`` style the
    line. Call again with the same ``ax`` to overlay several groups of pairs: the axes keep
    autoscaling, so every group's line and band fit (y from 0, at most 1; x from 0 to the
    furthest bin), as does anything drawn afterwards. Bins where no pair was probed get no
    point; the line and the band run across them. Distances are shown in µm.

    ``fit`` draws a fitted profile over the bins as a dashed line in the same colour, labelled
    with its parameters as the papers give them (``pmax`` and sigma in µm): a
    :class:`~synphys_ibis.connectivity.ProfileFit`, or a row of
    ``db.connectivity_fit(...)`` (a mapping or pandas row with ``pmax``, ``size`` and, for the
    erf model, ``midpoint``).

    Parameters
    ----------
    pairs
        Probed pairs, as for :func:`connectivity_profile`.
    bin_size, max_distance, distance_column, bin_edges
        The bins, as for :func:`connectivity_profile`.
    fit
        A fitted profile to draw over the bins (see above), or None.
    ax
        The axes to draw on (None: a new figure).
    color
        The colour of the line, band and fit (None: the next in the cycle).
    label
        The legend label of the line.
    title
        The axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    InvalidArgumentError
        As for :func:`connectivity_profile`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> near = pd.DataFrame({"lateral_distance": [10e-6, 15e-6, 30e-6], "has_synapse": [0, 1, 0]})
    >>> far = pd.DataFrame({"lateral_distance": [90e-6, 95e-6], "has_synapse": [1, 1]})
    >>> ax = connectivity_vs_distance(near, label="near")
    >>> ax = connectivity_vs_distance(far, ax=ax, label="far")
    >>> [float(v) for v in (*ax.get_xlim(), *ax.get_ylim())]  # both groups fit
    [0.0, 100.0, 0.0, 1.0]
    >>> ax = connectivity_vs_distance(near, fit={"pmax": 0.4, "size": 50e-6})
    >>> ax.get_legend().get_texts()[-1].get_text()
    'Gaussian fit: pmax 0.40, \u03c3 50 µm'
    """
    profile = connectivity_profile(
        pairs, bin_size=bin_size, max_distance=max_distance, distance_column=distance_column,
        bin_edges=bin_edges,
    )  # fmt: skip
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6, 4), layout="constrained")
    right = profile.bin_end.max() if len(profile) else (max_distance or bin_size)
    profile = profile[profile.n_probed > 0]  # empty bins: no point, the line runs across
    centres = (profile.bin_start + profile.bin_end).to_numpy() / 2 * 1e6
    (line,) = ax.plot(centres, profile.connection_probability, marker="o", color=color, label=label)
    band = ax.fill_between(
        centres,
        profile.ci_lower.to_numpy(dtype=float),
        profile.ci_upper.to_numpy(dtype=float),
        color=line.get_color(),
        alpha=0.25,
        linewidth=0,
    )
    artists: list[Any] = [line, band]
    if fit is not None:
        artists.append(_draw_fit(ax, fit, float(right), line.get_color()))
    _keep_in_view(ax, artists, right * 1e6)
    ax.set_xlabel(_DISTANCE_LABELS.get(distance_column, f"{distance_column} (µm)"))
    ax.set_ylabel("connection probability")
    if label or fit is not None:
        ax.legend()
    if title:
        ax.set_title(title)
    return ax


def _draw_fit(ax: Axes, fit: Any, right: float, color: Any) -> Any:
    """The fitted profile from 0 to ``right`` metres, dashed, labelled with its parameters."""
    from synphys_ibis.connectivity import ModelName, profile_probability

    def value(name: str) -> Any:
        # a mapping or pandas row by key (a Series' .size attribute is its length), else
        # an attribute (ProfileFit)
        if hasattr(fit, "keys"):
            return fit.get(name)
        return getattr(fit, name, None)

    pmax, size, midpoint = value("pmax"), value("size"), value("midpoint")
    if pmax is None or size is None or pd.isna(pmax) or pd.isna(size):
        raise InvalidArgumentError(
            f"fit={fit!r} has no fitted pmax and size (an unprobed class pair?); pass a "
            f"ProfileFit or a row of connectivity_fit() with both"
        )
    model: ModelName = "erf" if midpoint is not None and not pd.isna(midpoint) else "gaussian"
    x = np.linspace(0.0, right, 200)
    y = profile_probability(
        model, x, float(pmax), float(size), None if model == "gaussian" else float(midpoint)
    )
    if model == "gaussian":
        text = f"Gaussian fit: pmax {float(pmax):.2f}, {SIGMA} {float(size) * 1e6:.0f} µm"
    else:
        text = (
            f"erf fit: pmax {float(pmax):.2f}, {SIGMA} {float(size) * 1e6:.0f} µm, "
            f"midpoint {float(midpoint) * 1e6:.0f} µm"
        )
    (curve,) = ax.plot(x * 1e6, y, linestyle="--", color=color, label=text)
    return curve


def _keep_in_view(ax: Axes, artists: list[Any], right: float) -> None:
    """Let the axes autoscale over every group drawn, from 0 (x and y) to the last bin's end and
    at most probability 1: invisible lines put 0 and ``right`` into the data limits (they
    survive ``relim``), sticky edges stop the margins there. Fixed limits (``set_ylim``) would
    freeze the first group's range and clip the bands of the groups drawn after it."""
    for artist in artists:  # before the reference lines: adding those autoscales already
        artist.sticky_edges.y[:] = [0.0, 1.0]
        artist.sticky_edges.x[:] = [0.0, right]
    for line in (ax.axhline(0.0), ax.axvline(0.0), ax.axvline(right)):
        line.set_visible(False)
        line.sticky_edges.y[:] = [0.0, 1.0]
        line.sticky_edges.x[:] = [0.0, right]
    ax.autoscale_view()
