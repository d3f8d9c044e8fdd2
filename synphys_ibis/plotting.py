"""The classic figures of the synaptic physiology papers, from lazy queries or frames.

* :func:`connectivity_heatmap`: a connectivity matrix (``SynphysDatabase.connectivity_matrix``)
  with connection probability as colour on a log scale (0.01 to 1, as the published figures),
  ``n_connected/n_probed`` in each cell and, optionally, the 95% confidence interval as text or
  as the cell's opacity.
* :func:`metric_matrix`: the mean (or median) of any synapse or dynamics column per class pair,
  from a ``matrix_pair_query(..., columns=[metric])``; cells with too few pairs stay blank.
* :func:`connectivity_vs_distance`: connection probability against intersomatic distance in
  bins, with the binned 95% Clopper-Pearson intervals shaded (:func:`connectivity_profile` gives
  the numbers).

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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from ibis.expr.types import Table as IbisTable

from synphys_ibis.errors import ColumnNotFoundError, InvalidArgumentError
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
_INSTALL_HINT = "matplotlib is needed for plots; install it with: pip install 'synphys_ibis[plot]'"


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(_INSTALL_HINT) from err
    return plt


def _frame(data: Any, required: Sequence[str]) -> pd.DataFrame:
    from synphys_ibis.export.writers import RecordedQuery

    if isinstance(data, RecordedQuery):
        data = data.table
    if isinstance(data, IbisTable):
        frame = data.to_pyarrow().to_pandas()
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise InvalidArgumentError(
            f"expected an Ibis table or a pandas DataFrame, not {type(data).__name__}"
        )
    _require_columns(frame.columns, required)
    return frame


def _require_columns(columns: Any, required: Sequence[str]) -> None:
    for name in required:
        if name not in columns:
            raise ColumnNotFoundError.for_name(
                name, [str(c) for c in columns], where="the plotted data"
            )


def _order(values: pd.Series, given: Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    if given is not None:
        return [str(v) for v in given]
    return [str(v) for v in dict.fromkeys(values.tolist())]


def _new_axes(ax: Axes | None, n_rows: int, n_cols: int) -> Axes:
    if ax is not None:
        return ax
    plt = _pyplot()
    width = min(2.5 + 0.6 * n_cols, 18.0)
    height = min(1.8 + 0.45 * n_rows, 16.0)
    _, new = plt.subplots(figsize=(width, height), layout="constrained")
    return new


def _grid(
    frame: pd.DataFrame, column: str, pre: list[str], post: list[str], fill: float = np.nan
) -> np.ndarray:
    table = frame.pivot_table(
        index="pre_class", columns="post_class", values=column, aggfunc="first", dropna=False
    )
    table = table.reindex(index=pre, columns=post)
    return table.to_numpy(dtype=float, na_value=fill)


def _text_colour(rgba: np.ndarray) -> str:
    # Blend over white by alpha, then pick black or white by perceived luminance.
    rgb = rgba[:3] * rgba[3] + (1.0 - rgba[3])
    luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return "black" if luminance > 0.5 else "white"


def _draw_matrix(
    ax: Axes,
    values: np.ndarray,
    *,
    cmap: str | Colormap,
    norm: Normalize,
    alpha: np.ndarray | None,
    pre: list[str],
    post: list[str],
    labels: Mapping[str, str] | None,
    colorbar: bool,
    colorbar_label: str,
) -> None:
    """Draw ``values`` (NaN = blank) as coloured cells with class labels and a colour bar."""
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    rgba = colormap(norm(np.nan_to_num(values, nan=norm.vmin or 0.0)))
    rgba[..., 3] = 1.0 if alpha is None else alpha
    rgba[np.isnan(values)] = (0.0, 0.0, 0.0, 0.0)  # blank: the axes background shows through
    ax.imshow(rgba, interpolation="nearest", aspect="auto")
    names = labels or {}
    ax.set_xticks(range(len(post)), [names.get(p, p) for p in post], rotation=90)
    ax.set_yticks(range(len(pre)), [names.get(p, p) for p in pre])
    ax.set_xlabel("postsynaptic")
    ax.set_ylabel("presynaptic")
    ax.tick_params(length=0)
    if colorbar:
        from matplotlib.cm import ScalarMappable

        ax.figure.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=ax, label=colorbar_label)


def _annotate(ax: Axes, texts: np.ndarray, colours: np.ndarray) -> None:
    size = 8 if max(texts.shape) <= 10 else 6
    for (i, j), text in np.ndenumerate(texts):
        if text:
            ax.text(j, i, text, ha="center", va="center", fontsize=size, color=colours[i, j])


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
    labels: Mapping[str, str] | None = None,
    colorbar: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw a connectivity matrix: probability as colour (log scale), counts in each cell.

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
        Ends of the logarithmic colour scale; probabilities below ``vmin`` (including 0 of n
        probed) get the lowest colour. Cells where no pair was probed stay blank.
    cmap
        Colour map.
    annotate
        Write ``n_connected/n_probed`` in each probed cell.
    show_ci
        Add the 95% Clopper-Pearson interval (in %) under the counts.
    ci_alpha
        Make cells more transparent the wider their interval (opacity 1 - width, at least 0.2),
        as the published figures fade poorly sampled cells.
    labels
        Display labels for class names (e.g. ``{'l23pyr': 'L2/3 Pyr'}``).
    colorbar, title
        Draw a colour bar; set the title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import LogNorm

    frame = _with_probability(
        _frame(matrix, ["pre_class", "post_class", "n_probed", "n_connected"])
    )
    if not 0 < vmin < vmax:
        raise InvalidArgumentError(f"need 0 < vmin < vmax for a log scale; got {vmin!r}, {vmax!r}")
    pre, post = _order(frame.pre_class, None), _order(frame.post_class, None)
    probed = _grid(frame, "n_probed", pre, post, fill=0.0)
    connected = _grid(frame, "n_connected", pre, post, fill=0.0)
    low, high = _grid(frame, "ci_lower", pre, post), _grid(frame, "ci_upper", pre, post)
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = np.where(probed > 0, connected / probed, np.nan)
    shown = np.clip(probability, vmin, vmax)
    alpha = np.clip(1.0 - np.nan_to_num(high - low, nan=1.0), 0.2, 1.0) if ci_alpha else None
    norm = LogNorm(vmin=vmin, vmax=vmax, clip=True)
    ax = _new_axes(ax, len(pre), len(post))
    _draw_matrix(
        ax,
        shown,
        cmap=cmap,
        norm=norm,
        alpha=alpha,
        pre=pre,
        post=post,
        labels=labels,
        colorbar=colorbar,
        colorbar_label="connection probability",
    )
    if annotate:
        texts = np.full(probed.shape, "", dtype=object)
        for (i, j), n in np.ndenumerate(probed):
            if n > 0:
                texts[i, j] = f"{int(connected[i, j])}/{int(n)}"
                if show_ci:
                    texts[i, j] += f"\n{100 * low[i, j]:.0f}-{100 * high[i, j]:.0f}%"
        _annotate(ax, texts, _text_colours(shown, norm, cmap, alpha))
    if title:
        ax.set_title(title)
    return ax


def _text_colours(
    values: np.ndarray, norm: Normalize, cmap: str | Colormap, alpha: np.ndarray | None
) -> np.ndarray:
    import matplotlib as mpl

    colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    rgba = colormap(norm(np.nan_to_num(values, nan=norm.vmin or 0.0)))
    rgba[..., 3] = 1.0 if alpha is None else alpha
    colours = np.empty(values.shape, dtype=object)
    for index in np.ndindex(values.shape):
        colours[index] = "black" if np.isnan(values[index]) else _text_colour(rgba[index])
    return colours


def _with_probability(frame: pd.DataFrame) -> pd.DataFrame:
    if {"connection_probability", "ci_lower", "ci_upper"} <= set(frame.columns):
        return frame
    frame = frame.copy()
    n = frame.n_probed.astype(float)
    k = frame.n_connected.astype(float)
    frame["connection_probability"] = np.where(n > 0, k / n.where(n > 0, 1.0), np.nan)
    bounds = [
        clopper_pearson(int(a), int(b)) if b > 0 else (np.nan, np.nan)
        for a, b in zip(k, n, strict=True)
    ]
    frame["ci_lower"] = [b[0] for b in bounds]
    frame["ci_upper"] = [b[1] for b in bounds]
    return frame


# -- metric matrices -----------------------------------------------------------------------------
def metric_summary(data: Data, metric: str) -> pd.DataFrame:
    """Per (pre_class, post_class): ``n`` pairs with a value of ``metric``, its mean, median and
    standard deviation.

    ``data`` is a ``matrix_pair_query(..., columns=[metric])`` result or a frame with
    ``pre_class``, ``post_class`` and ``metric``; rows whose metric is NULL are ignored. A lazy
    table is aggregated in the database.
    """
    if isinstance(data, IbisTable):
        _require_columns(data.columns, ["pre_class", "post_class", metric])
        value = data[metric]
        summary = (
            data.filter(value.notnull())
            .group_by(["pre_class", "post_class"])
            .aggregate(n=value.count(), mean=value.mean(), median=value.median(), std=value.std())
        )
        return summary.to_pyarrow().to_pandas()
    frame = _frame(data, ["pre_class", "post_class", metric])
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
    annotate: bool = True,
    fmt: str = "{:.3g}",
    labels: Mapping[str, str] | None = None,
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
        Multiply values before display (``1e3`` for ms, ``1e3`` for mV).
    norm, vmin, vmax, cmap
        Colour scale (a linear one over the shown values by default).
    annotate, fmt
        Write each cell's value (formatted with ``fmt``) and its pair count.
    labels, colorbar, label, title
        Display labels for class names; draw a colour bar labelled ``label`` (default
        ``metric``); set the title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.colors import Normalize as LinearNorm

    if stat not in ("mean", "median"):
        raise InvalidArgumentError.for_value("stat", stat, ["mean", "median"])
    if isinstance(min_pairs, bool) or not isinstance(min_pairs, int) or min_pairs < 1:
        raise InvalidArgumentError(f"min_pairs must be a positive integer, not {min_pairs!r}")
    summary = metric_summary(data, metric)
    pre = _order(summary.pre_class, pre_order)
    post = _order(summary.post_class, post_order)
    counts = _grid(summary, "n", pre, post, fill=0.0)
    values = _grid(summary, stat, pre, post) * scale
    values[counts < min_pairs] = np.nan
    if norm is None:
        shown = values[~np.isnan(values)]
        low = vmin if vmin is not None else (shown.min() if shown.size else 0.0)
        high = vmax if vmax is not None else (shown.max() if shown.size else 1.0)
        norm = LinearNorm(vmin=low, vmax=high if high > low else low + 1.0)
    ax = _new_axes(ax, len(pre), len(post))
    _draw_matrix(
        ax,
        values,
        cmap=cmap,
        norm=norm,
        alpha=None,
        pre=pre,
        post=post,
        labels=labels,
        colorbar=colorbar,
        colorbar_label=label or metric,
    )
    if annotate:
        texts = np.full(values.shape, "", dtype=object)
        for (i, j), value in np.ndenumerate(values):
            if not np.isnan(value):
                texts[i, j] = f"{fmt.format(value)}\nn={int(counts[i, j])}"
        _annotate(ax, texts, _text_colours(values, norm, cmap, None))
    if title:
        ax.set_title(title)
    return ax


# -- connectivity vs distance -------------------------------------------------------------------
def connectivity_profile(
    pairs: Data,
    *,
    bin_size: float = 20e-6,
    max_distance: float | None = 500e-6,
    distance_column: str = "lateral_distance",
) -> pd.DataFrame:
    """Connection probability in distance bins, with 95% Clopper-Pearson intervals.

    Parameters
    ----------
    pairs
        Probed pairs, e.g. ``db.pair_query(synapse_probed=True, species='mouse')``: every row
        counts as probed, rows with ``has_synapse`` true as connected; rows without a distance
        are ignored.
    bin_size
        Bin width in metres (20 µm, as the original ``connectivity_profile``).
    max_distance
        Ignore pairs at least this far apart (None keeps all).
    distance_column
        ``'lateral_distance'`` (default), ``'distance'`` or ``'vertical_distance'``.

    Returns
    -------
    pandas.DataFrame
        ``bin_start``, ``bin_end`` (metres), ``n_probed``, ``n_connected``,
        ``connection_probability``, ``ci_lower``, ``ci_upper``: one row per bin from 0 to the
        last occupied bin, with zero counts (and NaN probability) for empty bins.
    """
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
    return _with_probability(result)


def _binned_counts(
    pairs: Data, bin_size: float, max_distance: float | None, column: str
) -> pd.DataFrame:
    if isinstance(pairs, IbisTable):
        _require_columns(pairs.columns, [column, "has_synapse"])
        distance = pairs[column]
        rows = pairs.filter(distance.notnull())
        if max_distance is not None:
            rows = rows.filter(rows[column] < max_distance)
        binned = rows.mutate(bin=(rows[column] / bin_size).floor().cast("int64"))
        connected = binned.has_synapse.fill_null(False)
        summary = binned.group_by("bin").aggregate(
            n_probed=binned.count(), n_connected=binned.count(where=connected)
        )
        return summary.to_pyarrow().to_pandas()
    frame = _frame(pairs, [column, "has_synapse"])
    frame = frame[frame[column].notna()]
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
    distance_column: str = "lateral_distance",
    ax: Axes | None = None,
    color: Any = None,
    label: str | None = None,
    title: str | None = None,
) -> Axes:
    """Plot connection probability against distance, with the binned 95% intervals shaded.

    Parameters are those of :func:`connectivity_profile`; ``color`` and ``label`` style the
    line (call again with the same ``ax`` to overlay several groups of pairs). Bins where no
    pair was probed get no point; the line and the band run across them.

    Returns
    -------
    matplotlib.axes.Axes
    """
    profile = connectivity_profile(
        pairs, bin_size=bin_size, max_distance=max_distance, distance_column=distance_column
    )
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6, 4), layout="constrained")
    right = profile.bin_end.max() if len(profile) else (max_distance or bin_size)
    profile = profile[profile.n_probed > 0]  # empty bins: no point, the line runs across
    centres = (profile.bin_start + profile.bin_end).to_numpy() / 2 * 1e6
    (line,) = ax.plot(centres, profile.connection_probability, marker="o", color=color, label=label)
    ax.fill_between(
        centres,
        profile.ci_lower.to_numpy(dtype=float),
        profile.ci_upper.to_numpy(dtype=float),
        color=line.get_color(),
        alpha=0.25,
        linewidth=0,
    )
    ax.set_xlabel(f"{distance_column.replace('_', ' ')} (µm)")
    ax.set_ylabel("connection probability")
    ax.set_xlim(0, right * 1e6)
    ax.set_ylim(bottom=0)
    if label:
        ax.legend()
    if title:
        ax.set_title(title)
    return ax
