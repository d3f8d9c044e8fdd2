"""The connectivity analysis at matrix scale: adjusted + gap-junction matrix and 289 fits.

Run ``python benchmarks/connectivity.py``. For the 17 mouse layer classes (289 class pairs):

* plain: ``db.connectivity_matrix(L, L, species='mouse')`` (counts, probability, 95% interval);
* adjusted_gj: the same with ``sigma=100e-6, gap_junctions=True`` (adjusted probability and
  interval, gap-junction counts, probability, interval, adjusted gap figures): still one
  statement; target at most 2x the plain matrix;
* fit_free / fit_fixed: ``db.connectivity_fit(L, L, species='mouse')`` with the size free and
  fixed at 100 um: one aggregating statement plus 289 maximum-likelihood fits; target < 2 s.

On the demo release (a published-small-sized synthetic release, ~92,000 pairs, no recordings:
no pair is probed for gap junctions there, as in published small files) and on a synthetic
"medium" release (``--medium-experiments``), whose recordings include gap-junction stimuli.
Each time is the median of ``--repeat`` runs after one warm-up (which compiles the query),
results fetched as pandas; the native DuckDB copy is used. Results go to
``benchmarks/results/connectivity.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synphys_ibis import SynphysDatabase, __version__, mouse_layer_classes, synthetic
from synphys_ibis.demo import demo_release

RESULTS = Path(__file__).parent / "results" / "connectivity.json"
SIGMA = 100e-6


def median_time(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = action()  # warm-up: builds and compiles the query
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(db: SynphysDatabase, repeat: int) -> dict[str, Any]:
    classes = mouse_layer_classes()
    plain, matrix = median_time(
        lambda: db.connectivity_matrix(classes, classes, species="mouse").to_pandas(), repeat
    )
    adjusted, wide = median_time(
        lambda: db.connectivity_matrix(
            classes, classes, sigma=SIGMA, gap_junctions=True, species="mouse"
        ).to_pandas(),
        repeat,
    )
    free, fits = median_time(lambda: db.connectivity_fit(classes, classes, species="mouse"), repeat)
    fixed, fixed_fits = median_time(
        lambda: db.connectivity_fit(classes, classes, sigma=SIGMA, species="mouse"), repeat
    )
    return {
        "class_pairs": len(matrix),
        "pairs_probed": int(matrix.n_probed.sum()),
        "pairs_gap_probed": int(wide.n_gaps_probed.sum()),
        "plain_matrix_s": round(plain, 4),
        "adjusted_gap_matrix_s": round(adjusted, 4),
        "adjusted_over_plain": round(adjusted / plain, 2),
        "fit_free_size_s": round(free, 4),
        "fit_fixed_size_s": round(fixed, 4),
        "fits": int(fits.pmax.notna().sum()),
        "fits_succeeded": int(fits.success.fillna(False).sum()),
        "fixed_fits_succeeded": int(fixed_fits.success.fillna(False).sum()),
        "free_fits_on_a_size_bound": int(fits["size"].isin([10e-6, 1e-3]).sum()),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--medium-experiments", type=int, default=600)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "synphys_ibis": __version__,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "repeat": args.repeat,
    }
    with SynphysDatabase.load_sqlite(demo_release()) as db:
        results["demo"] = measure(db, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic.write_release(
            Path(tmp) / "medium.sqlite", n_experiments=args.medium_experiments, size="medium"
        )
        with SynphysDatabase.load_sqlite(path, cache_dir=tmp) as db:
            results["medium"] = {"experiments": args.medium_experiments, **measure(db, args.repeat)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
