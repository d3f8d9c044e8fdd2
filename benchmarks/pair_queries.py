"""Pair queries and a connectivity matrix: synphys_ibis against hand-written SQL on sqlite3.

Run ``python benchmarks/pair_queries.py``. On a published-small-sized synthetic release (the demo
release, ~92,000 pairs), the same three queries are timed side by side in one process:

* narrow: inhibitory cre lines -> layer-5 cells, mouse, within 100 um (a handful of pairs);
* broad: every mouse pair with the ``cell`` and ``synapse`` column groups (~82,000 x 375);
* matrix: 17x17 mouse layer classes, probed and connected counts, one statement for
  synphys_ibis against 289 separate queries by hand.

Each measurement is the median of ``--repeat`` runs after one warm-up; results are converted to
pandas on both sides (``.to_pandas()``, as a user would). The first (cold) call of each synphys_ibis query, which compiles it, and
the one-time cost of opening the release (building the native DuckDB copy) are reported too, and
the same queries on the attached SQLite file without the native copy (``native_cache=False``).
Ratios are synphys_ibis time / hand-written time (below 1 is faster). Results are written to
``benchmarks/results/pair_queries.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from synphys_ibis import CellClass, SynphysDatabase, __version__, mouse_layer_classes, synthetic

RESULTS = Path(__file__).parent / "results" / "pair_queries.json"

NARROW_PRE = ("sst", "pvalb", "vip")
LIMIT = 10


def median_time(action: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = action()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def columns_of(con: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in con.execute(f"PRAGMA table_info({table})")]


# -- hand-written SQL (sqlite3 + pandas) --------------------------------------------------------
NARROW_SQL = """
SELECT pair.* FROM pair
JOIN cell pre ON pre.id = pair.pre_cell_id
JOIN cell post ON post.id = pair.post_cell_id
JOIN experiment e ON e.id = pair.experiment_id
LEFT JOIN slice s ON s.id = e.slice_id
WHERE s.species = 'mouse' AND pair.distance >= 0 AND pair.distance <= 100e-6
  AND pre.cre_type IN ('sst', 'pvalb', 'vip')
  AND pair.post_cell_id IN (SELECT cell_id FROM cortical_cell_location WHERE cortical_layer = '5')
ORDER BY pair.id
"""

BROAD_ALIASES = [
    ("pre_cell", "cell", "pre_cell.id = pair.pre_cell_id", "JOIN"),
    ("post_cell", "cell", "post_cell.id = pair.post_cell_id", "JOIN"),
    ("pre_morphology", "morphology", "pre_morphology.cell_id = pair.pre_cell_id", "LEFT JOIN"),
    ("post_morphology", "morphology", "post_morphology.cell_id = pair.post_cell_id", "LEFT JOIN"),
    ("pre_patch_seq", "patch_seq", "pre_patch_seq.cell_id = pair.pre_cell_id", "LEFT JOIN"),
    ("post_patch_seq", "patch_seq", "post_patch_seq.cell_id = pair.post_cell_id", "LEFT JOIN"),
    ("pre_intrinsic", "intrinsic", "pre_intrinsic.cell_id = pair.pre_cell_id", "LEFT JOIN"),
    ("post_intrinsic", "intrinsic", "post_intrinsic.cell_id = pair.post_cell_id", "LEFT JOIN"),
    ("pre_cortical_cell_location", "cortical_cell_location",
     "pre_cortical_cell_location.cell_id = pair.pre_cell_id", "LEFT JOIN"),
    ("post_cortical_cell_location", "cortical_cell_location",
     "post_cortical_cell_location.cell_id = pair.post_cell_id", "LEFT JOIN"),
    ("synapse", "synapse", "synapse.pair_id = pair.id", "LEFT JOIN"),
    ("resting_state_fit", "resting_state_fit", "resting_state_fit.synapse_id = synapse.id",
     "LEFT JOIN"),
    ("dynamics", "dynamics", "dynamics.pair_id = pair.id", "LEFT JOIN"),
    ("synapse_model", "synapse_model", "synapse_model.pair_id = pair.id", "LEFT JOIN"),
    ("conductance", "conductance", "conductance.synapse_id = synapse.id", "LEFT JOIN"),
]  # fmt: skip


def broad_sql(con: sqlite3.Connection) -> str:
    select = [f"pair.{c}" for c in columns_of(con, "pair")]
    joins = []
    for alias, table, on, how in BROAD_ALIASES:
        names = [
            c
            for c in columns_of(con, table)
            if f"{alias}_{c}" not in ("pre_cell_id", "post_cell_id")
        ]
        select += [f"{alias}.{c} AS {alias}_{c}" for c in names]
        joins.append(f"{how} {table} {alias} ON {on}")
    return (
        f"SELECT {', '.join(select)} FROM pair "
        "JOIN experiment ON experiment.id = pair.experiment_id "
        "LEFT JOIN slice ON slice.id = experiment.slice_id "
        f"{' '.join(joins)} WHERE slice.species = 'mouse' ORDER BY pair.id"
    )


def class_condition(cls: CellClass, cell: str) -> tuple[str, list[Any]]:
    """SQL selecting the cells of a criteria-only class (cell + cortical location + morphology)."""
    conditions, params = [], []
    for key, value in cls.criteria.items():
        table = {"cortical_layer": "loc", "dendrite_type": "morph"}.get(key, "c")
        values = list(value) if isinstance(value, tuple) else [value]
        conditions.append(f"{table}.{key} IN ({', '.join('?' * len(values))})")
        params += values
    sql = (
        f"{cell} IN (SELECT c.id FROM cell c "
        "LEFT JOIN cortical_cell_location loc ON loc.cell_id = c.id "
        "LEFT JOIN morphology morph ON morph.cell_id = c.id "
        f"WHERE {' AND '.join(conditions)})"
    )
    return sql, params


def matrix_by_hand(con: sqlite3.Connection, classes: dict[str, CellClass]) -> pd.DataFrame:
    rows = []
    probed = (
        f"((pre.cell_class_nonsynaptic = 'ex' AND pair.n_ex_test_spikes > {LIMIT})"
        f" OR (pre.cell_class_nonsynaptic = 'in' AND pair.n_in_test_spikes > {LIMIT})"
        f" OR (pair.n_ex_test_spikes > {LIMIT} AND pair.n_in_test_spikes > {LIMIT}))"
    )
    for pre_name, pre in classes.items():
        for post_name, post in classes.items():
            pre_sql, pre_params = class_condition(pre, "pair.pre_cell_id")
            post_sql, post_params = class_condition(post, "pair.post_cell_id")
            sql = (
                f"SELECT coalesce(sum({probed}), 0), "
                f"coalesce(sum({probed} AND pair.has_synapse = 1), 0) FROM pair "
                "JOIN cell pre ON pre.id = pair.pre_cell_id "
                "JOIN cell post ON post.id = pair.post_cell_id "
                "JOIN experiment e ON e.id = pair.experiment_id "
                "LEFT JOIN slice s ON s.id = e.slice_id "
                f"WHERE s.species = 'mouse' AND {pre_sql} AND {post_sql}"
            )
            n_probed, n_connected = con.execute(sql, pre_params + post_params).fetchone()
            rows.append((pre_name, post_name, n_probed, n_connected))
    return pd.DataFrame(rows, columns=["pre_class", "post_class", "n_probed", "n_connected"])


# -- the benchmark --------------------------------------------------------------------------------
def our_queries(db: SynphysDatabase) -> dict[str, Callable[[], pd.DataFrame]]:
    """The three queries through synphys_ibis, each converted to pandas."""
    classes = mouse_layer_classes()
    narrow_pre = CellClass(cre_type=NARROW_PRE)
    narrow_post = CellClass(cortical_layer="5")
    return {
        "narrow": lambda: db.pair_query(
            pre_class=narrow_pre, post_class=narrow_post, species="mouse", distance=(0, 100e-6)
        ).to_pandas(),
        "broad": lambda: db.pair_query(species="mouse", preload=["cell", "synapse"]).to_pandas(),
        "matrix_17x17": lambda: db.connectivity_matrix(
            classes, classes, species="mouse"
        ).to_pandas(),
    }


def run(path: Path, repeat: int, cache: Path) -> dict[str, Any]:
    started = time.perf_counter()
    db = SynphysDatabase.load_sqlite(path, cache_dir=cache)
    first_open = time.perf_counter() - started
    reopen, _ = median_time(lambda: SynphysDatabase.load_sqlite(path, cache_dir=cache).close(), 3)
    attached = SynphysDatabase.load_sqlite(path, cache_dir=cache, native_cache=False)
    ref = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    broad = broad_sql(ref)
    by_hand = {
        "narrow": lambda: pd.read_sql(NARROW_SQL, ref),
        "broad": lambda: pd.read_sql(broad, ref),
        "matrix_17x17": lambda: matrix_by_hand(ref, mouse_layer_classes()),
    }
    on_attached = our_queries(attached)
    results: dict[str, Any] = {}
    for name, ours in our_queries(db).items():
        cold_started = time.perf_counter()
        ours()
        cold = time.perf_counter() - cold_started
        ours_time, ours_result = median_time(ours, repeat)
        attached_time, attached_result = median_time(on_attached[name], repeat)
        hand_time, hand_result = median_time(by_hand[name], repeat)
        check(name, ours_result, hand_result)
        check(name, attached_result, hand_result)
        results[name] = {
            "synphys_ibis_s": round(ours_time, 4),
            "synphys_ibis_first_call_s": round(cold, 4),
            "synphys_ibis_attached_sqlite_s": round(attached_time, 4),
            "hand_written_sqlite3_s": round(hand_time, 4),
            "ratio": round(ours_time / hand_time, 4),
            "ratio_attached_sqlite": round(attached_time / hand_time, 4),
            "rows": len(ours_result),
            "columns": len(ours_result.columns),
        }
        print(
            f"{name:>13}: synphys_ibis {ours_time:8.4f} s (first call {cold:.3f} s; attached "
            f"SQLite {attached_time:.4f} s)  hand-written {hand_time:8.4f} s  "
            f"ratio {ours_time / hand_time:6.3f}  ({len(ours_result):,} rows x "
            f"{len(ours_result.columns)})"
        )
    db.close()
    attached.close()
    ref.close()
    return {
        "release": str(path),
        "pairs": synthetic.release_summary(path)["pair"],
        "first_open_s (builds the native copy)": round(first_open, 3),
        "reopen_s": round(reopen, 3),
        "queries": results,
    }


def check(name: str, ours: pd.DataFrame, hand: pd.DataFrame) -> None:
    """Both sides must agree before their times mean anything."""
    if name == "matrix_17x17":
        merged = ours.merge(hand, on=["pre_class", "post_class"], suffixes=("", "_hand"))
        assert len(merged) == len(hand) == 289
        assert (merged.n_probed == merged.n_probed_hand).all()
        assert (merged.n_connected == merged.n_connected_hand).all()
    else:
        assert sorted(ours.id) == list(hand.id), f"{name}: different pairs"
        assert ours.shape == hand.shape, f"{name}: {ours.shape} != {hand.shape}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=synthetic.PUBLISHED_SMALL_EXPERIMENTS)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="synphys-bench-"))
    try:
        path = synthetic.write_release(
            workdir / "synphys_bench_small.sqlite", n_experiments=args.experiments
        )
        print(f"release: {path} ({path.stat().st_size / 1e6:.1f} MB)")
        report = run(path, args.repeat, workdir / "cache")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report.update(
        synphys_ibis=__version__,
        python=sys.version.split()[0],
        machine=f"{platform.machine()}, {platform.system()}",
        repeat=args.repeat,
    )
    print(
        f"first open (native copy): {report['first_open_s (builds the native copy)']} s, "
        f"reopen: {report['reopen_s']} s"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
