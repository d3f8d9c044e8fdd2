"""The same queries on releases of every schema version (15-22), side by side in one run.

Run ``python benchmarks/versions.py``. One synthetic release per schema version is written from
the same seed (the same data, stored as each version stores it; a quarter of the published small
size by default) and opened with the default native DuckDB copy. For each version:

* open: the first open (building the native copy, checking the tables against the version);
* narrow: inhibitory cre lines -> layer-5 cells, mouse, within 100 um;
* broad: every mouse pair with the ``cell`` and ``synapse`` column groups;
* matrix: the 17x17 mouse layer-class connectivity matrix (``class_column='cell_class'``).

Each query time is the median of ``--repeat`` warm runs (to pandas). Ratios are each version's
time over schema 22's: the version adaptation (renamed columns, other join keys, the layer read
from morphology) should cost nothing measurable. Results go to ``benchmarks/results/versions.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pair_queries import median_time  # benchmarks/ is on sys.path when run as a script

from synphys_ibis import (
    SUPPORTED_SCHEMA_VERSIONS,
    CellClass,
    SynphysDatabase,
    __version__,
    mouse_layer_classes,
    synthetic,
)

RESULTS = Path(__file__).parent / "results" / "versions.json"


def measure(path: Path, cache: Path, repeat: int) -> dict[str, Any]:
    started = time.perf_counter()
    db = SynphysDatabase.load_sqlite(path, cache_dir=cache)
    opened = time.perf_counter() - started
    classes = mouse_layer_classes()
    queries: dict[str, Callable[[], Any]] = {
        "narrow": lambda: db.pair_query(
            pre_class=CellClass(cre_type=("sst", "pvalb", "vip")),
            post_class=CellClass(cortical_layer="5"),
            species="mouse",
            distance=(0, 100e-6),
        ).to_pandas(),
        "broad": lambda: db.pair_query(species="mouse", preload=["cell", "synapse"]).to_pandas(),
        "matrix": lambda: db.connectivity_matrix(
            classes, classes, class_column="cell_class", species="mouse"
        ).to_pandas(),
    }
    result: dict[str, Any] = {"open_s": round(opened, 3)}
    for name, action in queries.items():
        seconds, frame = median_time(action, repeat)
        result[f"{name}_s"] = round(seconds, 4)
        result[f"{name}_shape"] = list(frame.shape)
    db.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--experiments", type=int, default=synthetic.PUBLISHED_SMALL_EXPERIMENTS // 4
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for version in SUPPORTED_SCHEMA_VERSIONS:
            path = synthetic.write_release(
                directory / f"v{version}.sqlite",
                n_experiments=args.experiments,
                seed=1,
                schema_version=version,
            )
            rows[version] = measure(path, directory / f"cache{version}", args.repeat)
            print(version, rows[version], file=sys.stderr)
    newest = rows[SUPPORTED_SCHEMA_VERSIONS[-1]]
    for row in rows.values():
        for key in ("narrow_s", "broad_s", "matrix_s"):
            row[key.replace("_s", "_ratio_to_22")] = round(row[key] / newest[key], 2)
    report = {
        "benchmark": "versions",
        "library_version": __version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "experiments": args.experiments,
        "repeat": args.repeat,
        "versions": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'version':>7} {'open s':>7} {'narrow':>8} {'broad':>8} {'matrix':>8}  ratios to 22")
    for version, row in rows.items():
        print(
            f"{version:>7} {row['open_s']:>7} {row['narrow_s']:>8} {row['broad_s']:>8} "
            f"{row['matrix_s']:>8}  {row['narrow_ratio_to_22']} / {row['broad_ratio_to_22']} / "
            f"{row['matrix_ratio_to_22']}"
        )


if __name__ == "__main__":
    main()
