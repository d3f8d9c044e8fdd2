"""The demo: a synthetic release built once into the cache, and a tour of the main queries.

``synphys-ibis demo`` (or ``python -m synphys_ibis demo``) builds a published-small-sized synthetic
release the first time (about 10 s), then opens it and prints a mouse connectivity matrix and a few
pair queries with their timings. Notebooks use :func:`load_demo` to get the same release offline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import ibis
import pandas as pd
import pyarrow as pa

from synphys_ibis import settings, synthetic
from synphys_ibis.errors import InvalidArgumentError
from synphys_ibis.query.cell_class import CellClass, mouse_layer_classes
from synphys_ibis.synphys import SynphysDatabase

T = TypeVar("T")

__all__ = ["default_experiments", "demo_release", "load_demo", "run_demo"]

#: Size of the demo release: about as many pairs as the published "small" release.
DEMO_EXPERIMENTS = synthetic.PUBLISHED_SMALL_EXPERIMENTS


def default_experiments() -> int:
    """The demo size: ``$SYNPHYS_IBIS_DEMO_EXPERIMENTS`` if set (read now), else the default."""
    raw = os.environ.get("SYNPHYS_IBIS_DEMO_EXPERIMENTS")
    if raw is None or not raw.strip():
        return DEMO_EXPERIMENTS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidArgumentError(
            f"SYNPHYS_IBIS_DEMO_EXPERIMENTS={raw!r} is not a positive number of experiments"
        )
    return value


def demo_release(
    *, n_experiments: int | None = None, cache: str | os.PathLike[str] | None = None
) -> Path:
    """Path of the demo release in the cache, written on first use (deterministic, seed 0).

    ``n_experiments`` defaults to :func:`default_experiments`.
    """
    if n_experiments is None:
        n_experiments = default_experiments()
    path = settings.cache_dir(cache) / "demo" / f"synphys_demo_{n_experiments}.sqlite"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_release(path, n_experiments=n_experiments, seed=0)
    return path


def load_demo(
    *,
    n_experiments: int | None = None,
    cache: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> SynphysDatabase:
    """Open the demo release (building it first if needed).

    Parameters
    ----------
    n_experiments
        Size of the synthetic release; default ``$SYNPHYS_IBIS_DEMO_EXPERIMENTS`` if set, else
        :data:`DEMO_EXPERIMENTS` (about as many pairs as the published small release).
    cache
        Cache directory (default: ``$SYNPHYS_IBIS_CACHE_DIR``, else the platform cache).
    progress
        Show the native copy's "indexing ..." bar on the first open.

    Returns
    -------
    SynphysDatabase
        The demo release, opened as :meth:`SynphysDatabase.load_sqlite` opens a file.

    Raises
    ------
    InvalidArgumentError
        If ``$SYNPHYS_IBIS_DEMO_EXPERIMENTS`` is not a positive integer.

    Examples
    --------
    >>> import tempfile
    >>> db = load_demo(n_experiments=4, cache=tempfile.mkdtemp())
    >>> db.schema_version
    '22'
    >>> db.close()
    """
    path = demo_release(n_experiments=n_experiments, cache=cache)
    return SynphysDatabase.load_sqlite(path, cache_dir=cache, progress=progress)


def _timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def _fetch(build: Callable[[], ibis.Table]) -> pa.Table:
    """Build a query and fetch its rows (timed together: building is part of the cost)."""
    return build().to_pyarrow()


def connectivity_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Pivot a connectivity matrix frame into 'connected/probed' cells, pre classes as rows."""
    cells = matrix.assign(cell=matrix.n_connected.astype(str) + "/" + matrix.n_probed.astype(str))
    table = cells.pivot(index="pre_class", columns="post_class", values="cell")
    order_pre = list(dict.fromkeys(matrix.pre_class))
    order_post = list(dict.fromkeys(matrix.post_class))
    return table.loc[order_pre, order_post]


def run_demo(
    *,
    n_experiments: int | None = None,
    cache: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] = print,
    progress: bool = True,
) -> None:
    """Build/open the demo release and print a connectivity matrix and pair queries with timings.

    ``n_experiments`` defaults to :func:`default_experiments`; ``progress=False`` hides the
    native copy's bar.
    """
    from synphys_ibis.engines.native import native_copy_path

    if n_experiments is None:
        n_experiments = default_experiments()
    path, built = _timed(lambda: demo_release(n_experiments=n_experiments, cache=cache))
    echo(f"demo release: {path} (ready in {built:.2f} s)")
    cold = (
        settings.native_cache_enabled()
        and not native_copy_path(path, cache=None if cache is None else Path(cache)).exists()
    )
    db, opened = _timed(
        lambda: load_demo(n_experiments=n_experiments, cache=cache, progress=progress)
    )
    with db:
        note = " (this first open built the native DuckDB copy)" if cold else ""
        echo(f"opened {db!r} in {opened:.2f} s{note}")
        classes = mouse_layer_classes()
        query = db.connectivity_matrix(classes, classes, species="mouse")
        frame, took = _timed(lambda: query.to_pyarrow().to_pandas())
        echo(
            f"\nmouse connectivity, {len(classes)}x{len(classes)} layer classes "
            f"(connected/probed), one SQL statement, {took:.3f} s:"
        )
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            echo(connectivity_table(frame).to_string())
        interneurons = CellClass(cre_type=("sst", "pvalb", "vip"), name="Sst/Pvalb/Vip")
        l5 = CellClass(cortical_layer="5", name="L5")
        examples: list[tuple[str, Callable[[], ibis.Table]]] = [
            (
                "Sst/Pvalb/Vip -> L5 mouse pairs within 100 um",
                lambda: db.pair_query(
                    pre_class=interneurons, post_class=l5, species="mouse", distance=(0, 100e-6)
                ),
            ),
            (
                "connected mouse pairs with cells and synapses",
                lambda: db.pair_query(species="mouse", synapse=True, preload=["cell", "synapse"]),
            ),
            (
                "all probed pairs of the coarse-matrix projects",
                lambda: db.pair_query(experiment_type="standard multipatch", synapse_probed=True),
            ),
        ]
        echo("")
        for label, build in examples:
            result, took = _timed(partial(_fetch, build))
            echo(
                f"{label}: {result.num_rows:,} rows x {result.num_columns} columns in {took:.3f} s"
            )
